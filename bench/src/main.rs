//! `cargo run --release -p ormed-migrate-bench`: the runner's cost beside the SQL it runs.
//!
//! Each workload runs A and B (and C) interleaved, several repetitions, each on a fresh
//! database, and prints the median and spread of each, and the ratios of the medians:
//!
//! - W1 apply N migrations (`CREATE TABLE` of four columns + `CREATE INDEX` each): the runner's
//!   `apply_all` (lock, ledger, checks) vs the floor (the same SQL on one connection, one
//!   transaction per migration where DDL is transactional) vs sqlx's `Migrator` on the same SQL;
//! - W2 roll them back: `rollback` vs the raw `DROP TABLE`s, one transaction each;
//! - W3 `status()` with M applied vs one raw `SELECT` of the ledger;
//! - W4 build time of N `#[migration]` files (with the build script) vs the same migrations in a
//!   hand-written `MigrationEntry` list: a clean build of the crate, and a rebuild after one file
//!   is edited (see `build_time`);
//! - W5 a SQLite table rebuild of R rows: the runner applying a `.change()` vs SQLite's procedure
//!   written by hand (see `rebuild`);
//! - W7 many databases: `migrate_many` over D fresh databases, 10 migrations each, `--jobs 8`
//!   vs one after another (see `many`).
//!
//! SQLite (a file) always; PostgreSQL and MySQL/MariaDB when `ORMED_TEST_POSTGRES_URL` /
//! `ORMED_TEST_MYSQL_URL` are set. Options: `--migrations N` (1000), `--mysql-migrations N`
//! (300), `--status-rows M` (10000; W1–W3 and W6 are skipped when these three are 0),
//! `--build-migrations N` (500, 0 skips W4), `--rebuild-rows R` (1000000, 0 skips W5),
//! `--many-databases D` (100 SQLite files, 0 skips W7 on SQLite), `--many-server-databases D`
//! (20 on each server, 0 skips W7 there), `--reps R` (3). CI runs `--migrations 5
//! --mysql-migrations 5 --status-rows 20 --build-migrations 3 --rebuild-rows 1000
//! --many-databases 3 --many-server-databases 2 --reps 1` so that the harness never rots.

mod build_time;
mod many;
mod measure;
mod rebuild;
mod workloads;

use std::time::Duration;

use ormed_migrate::Dialect;
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR};

use measure::Figures;

/// What to measure, from the command line.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    migrations: usize,
    mysql_migrations: usize,
    status_rows: usize,
    build_migrations: usize,
    rebuild_rows: usize,
    many_databases: usize,
    many_server_databases: usize,
    reps: usize,
}

impl Sizes {
    fn from_args() -> Result<Sizes, String> {
        let mut sizes = Sizes {
            migrations: 1000,
            mysql_migrations: 300,
            status_rows: 10_000,
            build_migrations: 500,
            rebuild_rows: 1_000_000,
            many_databases: 100,
            many_server_databases: 20,
            reps: 3,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a number"))?
                .parse::<usize>()
                .map_err(|e| format!("{flag}: {e}"))?;
            match flag.as_str() {
                "--migrations" => sizes.migrations = value,
                "--mysql-migrations" => sizes.mysql_migrations = value,
                "--status-rows" => sizes.status_rows = value,
                "--build-migrations" => sizes.build_migrations = value,
                "--rebuild-rows" => sizes.rebuild_rows = value,
                "--many-databases" => sizes.many_databases = value,
                "--many-server-databases" => sizes.many_server_databases = value,
                "--reps" => sizes.reps = value.max(1),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(sizes)
    }

    /// How many migrations W1 and W2 apply on `dialect`.
    fn migrations_on(self, dialect: Dialect) -> usize {
        match dialect {
            Dialect::MySql => self.mysql_migrations,
            Dialect::Sqlite | Dialect::Postgres => self.migrations,
        }
    }

    /// Whether W1–W3 and W6 run: not when all their sizes are 0 (to run only W4, W5 or W7).
    fn runs_w1_to_w3(self) -> bool {
        self.migrations + self.mysql_migrations + self.status_rows > 0
    }

    /// How many databases W7 migrates: SQLite files, or databases on a server.
    fn many_on(self, server: Option<&str>) -> usize {
        match server {
            None => self.many_databases,
            Some(_) => self.many_server_databases,
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes = match Sizes::from_args() {
        Ok(sizes) => sizes,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    println!(
        "ormed-migrate benchmarks: {} migrations ({} on MySQL), status of {} rows, build of {} \
         migration files, rebuild of {} rows, {} SQLite files and {} server databases at once, {} \
         repetitions, median (min..max) per workload",
        sizes.migrations,
        sizes.mysql_migrations,
        sizes.status_rows,
        sizes.build_migrations,
        sizes.rebuild_rows,
        sizes.many_databases,
        sizes.many_server_databases,
        sizes.reps
    );
    let servers = [
        (None, "SQLite (file)"),
        (Some(POSTGRES_URL_VAR), "PostgreSQL"),
        (Some(MYSQL_URL_VAR), "MySQL/MariaDB"),
    ];
    let mut failed = false;
    for (var, name) in servers {
        let server = match var.map(std::env::var) {
            None => None,
            Some(Ok(url)) if !url.is_empty() => Some(url),
            Some(_) => {
                println!("\n{name}: skipped ({} is not set)", var.unwrap_or_default());
                continue;
            }
        };
        if sizes.runs_w1_to_w3() {
            println!("\n{name}");
            match workloads::run_all(server.as_deref(), sizes).await {
                Ok(figures) => print_table(&figures),
                Err(error) => {
                    eprintln!("error: {name}: {error}");
                    failed = true;
                }
            }
        }
        let databases = sizes.many_on(server.as_deref());
        if databases > 0 {
            println!(
                "\n{name}: W7 {databases} databases, {} migrations each",
                many::MIGRATIONS
            );
            match many::run(server.as_deref(), databases, sizes.reps).await {
                Ok(figures) => print_table(&figures),
                Err(error) => {
                    eprintln!("error: {name}: W7: {error}");
                    failed = true;
                }
            }
        }
    }
    if sizes.rebuild_rows > 0 {
        println!(
            "\nSQLite (file): W5 table rebuild of {} rows",
            sizes.rebuild_rows
        );
        match rebuild::run(sizes.rebuild_rows, sizes.reps).await {
            Ok(figures) => print_table(&figures),
            Err(error) => {
                eprintln!("error: W5: {error}");
                failed = true;
            }
        }
    }
    if sizes.build_migrations > 0 {
        println!(
            "\nBuild time (debug profile): W4 {} migration files",
            sizes.build_migrations
        );
        match build_time::run(sizes.build_migrations, sizes.reps) {
            Ok(outcome) => {
                print_table(&outcome.figures);
                for note in &outcome.notes {
                    println!("  {note}");
                }
            }
            Err(error) => {
                eprintln!("error: W4: {error}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}

/// One line per figure, its ratio to the workload's floor, then ours beside sqlx's migrator.
fn print_table(figures: &[Figures]) {
    println!(
        "  {:<40} {:>28} {:>10}",
        "workload", "median (min..max)", "/ floor"
    );
    let of = |workload: &str, label: &str| {
        figures
            .iter()
            .find(|f| f.workload == workload && f.label == label)
    };
    for figure in figures {
        let floor = figures
            .iter()
            .find(|f| f.workload == figure.workload && f.floor);
        let ratio = match floor {
            Some(floor) if !figure.floor => {
                format!("{:.2}", ratio(figure.median(), floor.median()))
            }
            _ => String::new(),
        };
        let name = format!("{} {}", figure.workload, figure.label);
        println!("  {name:<40} {:>28} {ratio:>10}", figure.spread());
    }
    for figure in figures.iter().filter(|f| f.label == "ours") {
        if let Some(sqlx) = of(figure.workload, "sqlx Migrator") {
            let name = format!("{} ours / sqlx Migrator", figure.workload);
            println!(
                "  {name:<40} {:>28} {:>10.2}",
                "",
                ratio(figure.median(), sqlx.median())
            );
        }
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
