//! W5: a SQLite table rebuild of many rows, the runner beside the hand-written procedure.
//!
//! A template database is made once (not timed): table `t` (`id` key, `name VARCHAR(100)`,
//! `n`, `created_at`, an index on `name`) with `--rebuild-rows` rows, and a child table
//! `t_child` with a foreign key to it and a tenth as many rows, both created by a first
//! migration through the runner, then filled by one `INSERT … WITH RECURSIVE` each. Every side of
//! every repetition runs on its own copy of that file:
//!
//! - ours: `apply_all()` of a second migration, `t.string("name").length(200).change()`, which
//!   SQLite cannot make in place: the runner rebuilds `t`;
//! - the floor: SQLite's own procedure written by hand on one connection (`PRAGMA foreign_keys =
//!   OFF`, `BEGIN`, `CREATE TABLE` of the new shape, `INSERT … SELECT`, `DROP TABLE`, `ALTER TABLE
//!   … RENAME`, `CREATE INDEX`, `PRAGMA foreign_key_check`, `COMMIT`, `PRAGMA foreign_keys = ON`);
//! - ours' SQL, raw: the statements the runner's `pretend` prints for the same change, run the
//!   floor's way, so that what the runner adds and what its SQL costs are told apart;
//! - "ours, the migration alone" is the duration the runner reports for the migration (foreign
//!   keys off, its transaction, its ledger row), without the run's lock, ledger reads and
//!   pre-flight check.
//!
//! With `ORMED_BENCH_W5_STEPS=1` the raw side also prints how long each of its statements took.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ormed_migrate::{
    DEFAULT_LEDGER_TABLE, Driver, Migration, MigrationDescriptor, MigrationEntry, MigrationId,
    MigrationRunner, Schema, SqlMigrationLedger,
};
use sqlx::AssertSqlSafe;

use super::measure::Figures;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const WORKLOAD: &str = "W5 rebuild";

/// The first migration: the two tables, as an application would have made them.
struct CreateTables;

impl Migration for CreateTables {
    fn up(&self, schema: &mut Schema) {
        schema.create("t", |t| {
            t.id();
            t.string("name").length(100);
            t.integer("n");
            t.timestamp("created_at").nullable();
            t.index(["name"]);
        });
        schema.create("t_child", |t| {
            t.id();
            t.foreign_id("t_id").constrained("t");
            t.string("note").length(50);
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("t_child");
        schema.drop("t");
    }
}

/// The second: a type change SQLite cannot make in place.
struct LengthenNames;

impl Migration for LengthenNames {
    fn up(&self, schema: &mut Schema) {
        schema.table("t", |t| {
            t.string("name").length(200).change();
        });
    }
}

/// The hand-written rebuild, for the table exactly as `CreateTables` made it (checked against
/// `sqlite_master` before anything is timed).
const FLOOR: &[&str] = &[
    "PRAGMA foreign_keys = OFF",
    "BEGIN",
    "CREATE TABLE \"t_new\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"name\" \
     VARCHAR(200) NOT NULL, \"n\" INTEGER NOT NULL, \"created_at\" DATETIME NULL)",
    "INSERT INTO \"t_new\" (\"id\", \"name\", \"n\", \"created_at\") \
     SELECT \"id\", \"name\", \"n\", \"created_at\" FROM \"t\"",
    "DROP TABLE \"t\"",
    "ALTER TABLE \"t_new\" RENAME TO \"t\"",
    "CREATE INDEX \"t_name_index\" ON \"t\" (\"name\")",
    "PRAGMA foreign_key_check",
    "COMMIT",
    "PRAGMA foreign_keys = ON",
];

/// The table's `CREATE` text the floor was written for.
const EXPECTED_CREATE: &str = "CREATE TABLE \"t\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT \
                               NULL, \"name\" VARCHAR(100) NOT NULL, \"n\" INTEGER NOT NULL, \
                               \"created_at\" DATETIME NULL)";

fn descriptors(with_change: bool) -> Result<Vec<MigrationDescriptor>> {
    let mut entries = vec![MigrationEntry::new(
        MigrationId::parse("m_20250101000000_create_tables")?,
        CreateTables,
    )];
    if with_change {
        entries.push(MigrationEntry::new(
            MigrationId::parse("m_20250101000100_lengthen_names")?,
            LengthenNames,
        ));
    }
    Ok(MigrationEntry::build_descriptors(entries)?)
}

fn runner(driver: &Driver, migrations: Vec<MigrationDescriptor>) -> Result<MigrationRunner> {
    let ledger = SqlMigrationLedger::new(driver.clone(), DEFAULT_LEDGER_TABLE)?;
    Ok(MigrationRunner::new(driver.clone(), ledger, migrations))
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A directory of this run's files, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// W5 with `rows` rows in `t`, `reps` times.
pub async fn run(rows: usize, reps: usize) -> Result<Vec<Figures>> {
    let scratch = Scratch(
        std::env::temp_dir().join(format!("ormed-migrate-bench-w5-{}", std::process::id())),
    );
    std::fs::create_dir_all(&scratch.0)?;
    let template = scratch.0.join("template.db");
    let made = Instant::now();
    make_template(&template, rows).await?;
    eprintln!(
        "(W5: template of {rows} rows made in {:.1} s, not timed)",
        made.elapsed().as_secs_f64()
    );
    let ours_sql = ours_sql(&scratch.0, &template).await?;

    let mut ours = Figures::new(WORKLOAD, "ours", false);
    let mut floor = Figures::new(WORKLOAD, "floor (hand-written)", true);
    let mut raw = Figures::new(WORKLOAD, "ours' SQL, raw", false);
    let mut in_tx = Figures::new(WORKLOAD, "ours, the migration alone", false);
    let show_steps = std::env::var_os("ORMED_BENCH_W5_STEPS").is_some();
    for rep in 0..reps {
        // The order turns each repetition, so that neither side always runs on a warmer cache.
        for side in 0..3 {
            let path = scratch.0.join(format!("rep{rep}-side{side}.db"));
            std::fs::copy(&template, &path)?;
            // On disk before the clock starts, so that no side pays for writing back its copy.
            std::fs::File::open(&path)?.sync_all()?;
            let driver = Driver::connect(&url(&path)).await?;
            match (rep + side) % 3 {
                0 => {
                    let runner = runner(&driver, descriptors(true)?)?;
                    let started = Instant::now();
                    let report = runner.apply_all().await?;
                    ours.times.push(started.elapsed());
                    let action = report.actions.first().ok_or("ours applied nothing")?;
                    in_tx.times.push(action.duration);
                }
                1 => floor.times.push(run_raw(&driver, FLOOR, false).await?.0),
                _ => {
                    let statements: Vec<&str> = ours_sql.iter().map(String::as_str).collect();
                    let (took, steps) = run_raw(&driver, &statements, show_steps).await?;
                    raw.times.push(took);
                    if show_steps {
                        eprintln!("(W5 rep {rep}: ours' SQL, raw, {:.1} ms)", ms(took));
                        for (sql, took) in steps {
                            eprintln!("  {:>9.1} ms  {}", ms(took), shorten(&sql));
                        }
                    }
                }
            }
            check_rebuilt(&driver, rows).await?;
            driver.close().await;
            std::fs::remove_file(&path)?;
        }
    }
    Ok(vec![floor, ours, in_tx, raw])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn shorten(sql: &str) -> String {
    if sql.len() <= 110 {
        sql.to_owned()
    } else {
        let cut = (0..=107)
            .rev()
            .find(|&i| sql.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}...", &sql[..cut])
    }
}

/// The template: both tables through the runner (so the ledger holds the first migration), then
/// the rows.
async fn make_template(path: &Path, rows: usize) -> Result<()> {
    let driver = Driver::connect(&url(path)).await?;
    runner(&driver, descriptors(false)?)?.apply_all().await?;
    let pool = driver.sqlite_pool().ok_or("not SQLite")?;
    let mut connection = pool.acquire().await?;
    let create: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 't'")
        .fetch_one(&mut *connection)
        .await?;
    if create != EXPECTED_CREATE {
        return Err(format!(
            "the builder now creates `t` as {create:?}; update FLOOR and EXPECTED_CREATE in \
             bench/src/rebuild.rs to match"
        )
        .into());
    }
    let fill = format!(
        "BEGIN; \
         INSERT INTO t (id, name, n, created_at) \
           WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {rows}) \
           SELECT i, 'name ' || i, i % 1000, '2025-01-01 00:00:00' FROM k; \
         INSERT INTO t_child (id, t_id, note) \
           WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {children}) \
           SELECT i, i * 10, 'child ' || i FROM k; \
         COMMIT",
        children = rows / 10
    );
    sqlx::raw_sql(AssertSqlSafe(fill))
        .execute(&mut *connection)
        .await?;
    drop(connection);
    driver.close().await;
    Ok(())
}

/// The statements `pretend` shows for the change, on a copy of the template, wrapped the way the
/// runner runs them (keys off around the transaction).
async fn ours_sql(dir: &Path, template: &Path) -> Result<Vec<String>> {
    let path = dir.join("pretend.db");
    std::fs::copy(template, &path)?;
    let driver = Driver::connect(&url(&path)).await?;
    let report = runner(&driver, descriptors(true)?)?
        .apply_all()
        .pretend()
        .await?;
    driver.close().await;
    std::fs::remove_file(&path)?;
    let action = report.actions.first().ok_or("pretend shows no migration")?;
    let mut statements = vec!["PRAGMA foreign_keys = OFF".to_owned(), "BEGIN".to_owned()];
    // `pretend` prints the foreign-key check as the runner runs it (the rows of `t` and of the
    // tables that reference it); the harness runs it the same way as the floor's check.
    statements.extend(action.statements.iter().cloned());
    statements.extend(["COMMIT".to_owned(), "PRAGMA foreign_keys = ON".to_owned()]);
    Ok(statements)
}

/// The foreign-key check the runner runs after a rebuild of `t`.
const RUNNER_CHECK: &str = "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check() \
                            WHERE \"table\" = 't' OR parent = 't' LIMIT 5";

/// Runs `statements` on one connection; a `PRAGMA foreign_key_check` must find nothing.
async fn run_raw(
    driver: &Driver,
    statements: &[&str],
    keep_steps: bool,
) -> Result<(Duration, Vec<(String, Duration)>)> {
    let pool = driver.sqlite_pool().ok_or("not SQLite")?;
    let mut connection = pool.acquire().await?;
    let mut steps = Vec::new();
    let started = Instant::now();
    for sql in statements {
        let step = Instant::now();
        if sql.starts_with("PRAGMA foreign_key_check") || *sql == RUNNER_CHECK {
            let violations = sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .fetch_all(&mut *connection)
                .await?;
            if !violations.is_empty() {
                return Err(format!("{sql} found {} violations", violations.len()).into());
            }
        } else {
            sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                .execute(&mut *connection)
                .await?;
        }
        if keep_steps {
            steps.push((sql.to_string(), step.elapsed()));
        }
    }
    Ok((started.elapsed(), steps))
}

/// After any side: `name` is `varchar(200)`, every row and child row is there, the index too.
async fn check_rebuilt(driver: &Driver, rows: usize) -> Result<()> {
    let pool = driver.sqlite_pool().ok_or("not SQLite")?;
    let mut connection = pool.acquire().await?;
    let name_type: String =
        sqlx::query_scalar("SELECT type FROM pragma_table_info('t') WHERE name = 'name'")
            .fetch_one(&mut *connection)
            .await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(&mut *connection)
        .await?;
    let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t_child")
        .fetch_one(&mut *connection)
        .await?;
    let index: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 't_name_index'",
    )
    .fetch_one(&mut *connection)
    .await?;
    if !name_type.eq_ignore_ascii_case("varchar(200)")
        || count != rows as i64
        || children != (rows / 10) as i64
        || index != 1
    {
        return Err(format!(
            "a W5 side left `t` wrong: name {name_type}, {count} rows, {children} child rows, \
             {index} index"
        )
        .into());
    }
    Ok(())
}
