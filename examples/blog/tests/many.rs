//! `migrate --databases-from FILE` and `migrate --all-connections` as a process: several SQLite
//! files always, several PostgreSQL / MariaDB databases when `ORMED_TEST_POSTGRES_URL` /
//! `ORMED_TEST_MYSQL_URL` are set. One line per database as it finishes, a table at the end,
//! exit 1 when any failed, and every database migrated with its own ledger.

mod common;

use std::path::Path;

use common::{TOTAL, blog, exited, succeeded};
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};

/// A URL with a password that nothing listens on.
const UNREACHABLE: &str = "postgres://x:secret@127.0.0.1:1/x";
const UNREACHABLE_MASKED: &str = "postgres://x:***@127.0.0.1:1/x";

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// Writes `lines` to `dir/databases.txt`, a comment and a blank line first.
fn databases_file(dir: &Path, urls: &[String]) {
    let text = format!("# tenants\n\n{}\n", urls.join("\n"));
    std::fs::write(dir.join("databases.txt"), text).expect("write the databases file");
}

/// `migrate:status` of `url` (with `extra` flags) says `applied` applied.
#[track_caller]
fn assert_applied(dir: &Path, url: &str, extra: &[&str], applied: usize) {
    let args = [&["migrate:status", "--database", url][..], extra].concat();
    let out = succeeded(&blog(dir, &args));
    let pending = TOTAL - applied;
    assert!(
        out.contains(&format!("{applied} applied, {pending} pending.")),
        "{url}: {out}"
    );
}

/// The table row of `name`: its result and applied count, in the columns the table has.
fn row<'a>(stdout: &'a str, name: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row for {name}:\n{stdout}"));
    line.split_whitespace().collect()
}

/// The progress line of `name`, printed as it finished.
fn progress<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.starts_with('[') && line.contains(&format!("] {name} ")))
        .unwrap_or_else(|| panic!("no progress line for {name}:\n{stdout}"))
}

/// `urls` migrated from a databases file, `--jobs 2`: each gets a progress line and a row,
/// all 13 migrations, and a second run finds nothing to do.
fn migrate_from_file(urls: &[String]) {
    let dir = tempfile::tempdir().expect("temp dir");
    databases_file(dir.path(), urls);
    let args = [
        "migrate",
        "--databases-from",
        "databases.txt",
        "--jobs",
        "2",
    ];
    let (out, err) = exited(&blog(dir.path(), &args), 0);
    assert!(
        err.starts_with(&format!(
            "Databases: {} from databases.txt, 2 at a time\n",
            urls.len()
        )),
        "{err}"
    );
    for url in urls {
        let line = progress(&out, url);
        assert!(line.ends_with(" ms DONE"), "{line}");
        assert!(line.contains(&format!(" {TOTAL} applied, ")), "{line}");
        assert_eq!(row(&out, url)[1..3], ["ok", &TOTAL.to_string()], "{out}");
        assert_applied(dir.path(), url, &[], TOTAL);
    }
    assert_eq!(
        out.lines().filter(|line| line.starts_with('[')).count(),
        urls.len(),
        "{out}"
    );
    assert!(out.contains("Database "), "{out}");
    assert!(out.contains("Result ") && out.contains("Applied ") && out.contains("Duration"));
    assert!(
        out.ends_with(&format!("\n{} databases migrated.\n", urls.len())),
        "{out}"
    );

    let again = succeeded(&blog(dir.path(), &args));
    for url in urls {
        assert_eq!(row(&again, url)[1..3], ["ok", "0"], "{again}");
    }
}

#[test]
fn sqlite_files_from_a_databases_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let urls: Vec<String> = ["a.db", "b.db", "c.db"]
        .iter()
        .map(|name| sqlite_url(dir.path(), name))
        .collect();
    migrate_from_file(&urls);
}

/// A database that cannot be reached and one that cannot be created fail by themselves: the
/// others are migrated, the errors name the failing databases with the password masked, and
/// the exit code is 1.
#[test]
fn one_failing_database_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = [
        sqlite_url(dir.path(), "a.db"),
        sqlite_url(dir.path(), "b.db"),
    ];
    let missing_dir = sqlite_url(dir.path(), "no/such/dir/c.db");
    let urls = [
        good[0].clone(),
        UNREACHABLE.to_owned(),
        missing_dir.clone(),
        good[1].clone(),
    ];
    databases_file(dir.path(), &urls);
    let output = blog(
        dir.path(),
        &["migrate", "--databases-from", "databases.txt"],
    );
    let (out, err) = exited(&output, 1);
    for text in [&out, &err] {
        assert!(!text.contains("secret"), "the password is printed:\n{text}");
    }
    for url in &good {
        assert_eq!(row(&out, url)[1..3], ["ok", &TOTAL.to_string()], "{out}");
        assert_applied(dir.path(), url, &[], TOTAL);
    }
    for failing in [UNREACHABLE_MASKED, &missing_dir] {
        assert_eq!(row(&out, failing)[1..3], ["failed", "0"], "{out}");
        assert!(progress(&out, failing).ends_with(" ms FAILED"), "{out}");
    }
    assert!(
        err.contains(&format!(
            "error: could not connect to {UNREACHABLE_MASKED}: error communicating with database"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: could not connect to {missing_dir}")),
        "{err}"
    );
    assert!(
        out.ends_with("\n2 of 4 databases migrated, 2 failed.\n"),
        "{out}"
    );
}

/// Every connection of ormed.toml, each with its own ledger table: the file's, or the
/// connection's own; `--table` overrides both.
#[test]
fn all_connections_of_ormed_toml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let alpha = sqlite_url(dir.path(), "alpha.db");
    let beta = sqlite_url(dir.path(), "beta.db");
    let config = format!(
        "table = \"ledger\"\n[connections.alpha]\nurl = \"{alpha}\"\n\
         [connections.beta]\nurl = \"{beta}\"\ntable = \"beta_ledger\"\n"
    );
    std::fs::write(dir.path().join("ormed.toml"), config).expect("write ormed.toml");
    let (out, err) = exited(&blog(dir.path(), &["migrate", "--all-connections"]), 0);
    assert!(
        err.starts_with("Databases: 2 connections of ormed.toml, 4 at a time\n"),
        "{err}"
    );
    for name in ["alpha", "beta"] {
        assert!(progress(&out, name).ends_with(" ms DONE"), "{out}");
        assert_eq!(row(&out, name)[1..3], ["ok", &TOTAL.to_string()], "{out}");
    }
    assert_applied(dir.path(), &alpha, &["--table", "ledger"], TOTAL);
    assert_applied(dir.path(), &beta, &["--table", "beta_ledger"], TOTAL);
    assert_applied(dir.path(), &beta, &["--table", "ledger"], 0);

    let args = ["migrate", "--all-connections", "--table", "shared", "-q"];
    let (out, err) = exited(&blog(dir.path(), &args), 1);
    assert!(
        !out.contains('['),
        "--quiet prints no progress lines:\n{out}"
    );
    // Every table of the blog is there already: the first migration fails on each database.
    assert_eq!(row(&out, "alpha")[1], "failed", "{out}");
    assert!(
        err.contains("error: alpha (sqlite://") && err.contains("error: beta (sqlite://"),
        "{err}"
    );
}

/// `--limit`, `--step` and `--pretend` apply to each database.
#[test]
fn migrate_flags_apply_to_each_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let urls = [
        sqlite_url(dir.path(), "a.db"),
        sqlite_url(dir.path(), "b.db"),
    ];
    databases_file(dir.path(), &urls);
    let file = ["--databases-from", "databases.txt"];

    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate", "--pretend"][..], &file].concat(),
    ));
    for url in &urls {
        assert!(out.contains(&format!("{url}:\n")), "{out}");
        assert_eq!(row(&out, url)[1..3], ["ok", &TOTAL.to_string()], "{out}");
        assert!(
            !dir.path().join(&url["sqlite://".len()..]).exists(),
            "pretend created {url}"
        );
    }
    assert!(
        out.contains("CREATE TABLE") && out.contains("To apply"),
        "{out}"
    );
    assert!(
        out.ends_with("\nPretend: 2 databases, nothing was run.\n"),
        "{out}"
    );

    let args = [&["migrate", "--limit", "2", "--step"][..], &file].concat();
    let out = succeeded(&blog(dir.path(), &args));
    for url in &urls {
        assert_eq!(row(&out, url)[1..3], ["ok", "2"], "{out}");
        assert_applied(dir.path(), url, &[], 2);
        // --step: two batches, so one rollback undoes one migration.
        let rolled = succeeded(&blog(dir.path(), &["migrate:rollback", "--database", url]));
        assert!(rolled.contains("Rolled back 1 migration in"), "{rolled}");
    }
}

#[test]
fn many_databases_refuse_one_database_and_need_their_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["migrate", "--all-connections", "--databases-from", "f"][..],
        &[
            "migrate",
            "--all-connections",
            "--database",
            "sqlite://a.db",
        ],
        &["--connection", "main", "migrate", "--databases-from", "f"],
        &["migrate", "--jobs", "2"],
        &["migrate", "--all-connections", "--jobs", "0"],
    ] {
        let (_, err) = exited(&blog(dir.path(), args), 2);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    let (_, err) = exited(&blog(dir.path(), &["migrate", "--all-connections"]), 1);
    assert!(
        err.contains("ormed.toml: --all-connections needs this file"),
        "{err}"
    );
    let (_, err) = exited(
        &blog(dir.path(), &["migrate", "--databases-from", "nope.txt"]),
        1,
    );
    assert!(err.contains("nope.txt: cannot be read"), "{err}");
    std::fs::write(dir.path().join("empty.txt"), "# nothing yet\n").expect("write");
    let (_, err) = exited(
        &blog(dir.path(), &["migrate", "--databases-from", "empty.txt"]),
        1,
    );
    assert!(err.contains("empty.txt: lists no database"), "{err}");
}

/// Three databases on the server in `var`, and one that cannot be reached beside them.
fn on_server(var: &str) {
    let server = match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!("{var} is not set: skipping this server-backed test");
            return;
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let databases: Vec<TestDatabase> = (0..3)
        .map(|_| {
            runtime
                .block_on(TestDatabase::on_server(&server))
                .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"))
        })
        .collect();
    let urls: Vec<String> = databases.iter().map(|db| db.url().to_owned()).collect();
    migrate_from_file(&urls);

    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = runtime
        .block_on(TestDatabase::on_server(&server))
        .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"));
    databases_file(
        dir.path(),
        &[fresh.url().to_owned(), UNREACHABLE.to_owned()],
    );
    let args = [
        "migrate",
        "--databases-from",
        "databases.txt",
        "--jobs",
        "1",
    ];
    let (out, err) = exited(&blog(dir.path(), &args), 1);
    assert!(
        !out.contains("secret") && !err.contains("secret"),
        "{out}\n{err}"
    );
    assert_eq!(row(&out, UNREACHABLE_MASKED)[1], "failed", "{out}");
    assert_applied(dir.path(), fresh.url(), &[], TOTAL);

    for db in databases.into_iter().chain([fresh]) {
        runtime.block_on(db.cleanup()).expect("cleanup");
    }
}

#[test]
fn databases_on_postgres() {
    on_server(POSTGRES_URL_VAR);
}

#[test]
fn databases_on_mysql() {
    on_server(MYSQL_URL_VAR);
}
