//! The trial application (src/bin/trial.rs) as a process, fed what a hostile but fair user
//! would: a `down` that fails part way, runners racing on a file whose name contains
//! `:memory:`, passwords in malformed URLs, tampered ledger rows, SQLite paths that cannot
//! work. SQLite always; PostgreSQL and MariaDB when their URLs are set.

mod process;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ormed_migrate::Dialect;
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use process::*;

const ITEMS: &str = "m_20250101000000_create_trial_items";
const FOUR: &str = "m_20250101000100_create_four_tables";

async fn sql(db: &TestDatabase, sql: &str) {
    db.driver()
        .execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The first `migrate:repair …` command in `message` after `after`, as arguments.
fn advised_command(message: &str, after: &str) -> Vec<String> {
    let rest = &message[message
        .find(after)
        .unwrap_or_else(|| panic!("{after:?}: {message}"))..];
    let start = rest.find("`migrate:repair ").expect("a repair command") + 1;
    let end = start + rest[start..].find('`').expect("closing backtick");
    rest[start..end].split(' ').map(str::to_owned).collect()
}

fn status_line<'a>(status: &'a str, id: &str) -> &'a str {
    status
        .lines()
        .find(|line| line.contains(id))
        .unwrap_or_else(|| panic!("{id} in {status}"))
}

/// A `down` fails at statement 2 of 4. Where the database cannot undo it (MariaDB), the user
/// finishes the rollback by hand and runs the printed repair command word for word: ledger and
/// schema agree, and the next `migrate` re-applies cleanly. Elsewhere the rollback is undone.
#[tokio::test]
async fn the_printed_advice_after_a_failed_down_is_right() {
    for db in databases().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = ["--database", db.url()];
        // The first two: the rollback below is then the four tables' alone.
        succeeded(&trial(
            dir.path(),
            &[&["migrate", "--limit", "2"][..], &url].concat(),
        ));
        let id_type = match db.dialect() {
            Dialect::MySql => "BIGINT UNSIGNED",
            Dialect::Sqlite | Dialect::Postgres => "BIGINT",
        };
        sql(&db, "INSERT INTO r_b (id) VALUES (1)").await;
        sql(
            &db,
            &format!(
                "CREATE TABLE blocker (b_id {id_type}, FOREIGN KEY (b_id) REFERENCES r_b (id))"
            ),
        )
        .await;
        sql(&db, "INSERT INTO blocker (b_id) VALUES (1)").await;

        let error = failed(&trial(
            dir.path(),
            &[&["migrate:rollback"][..], &url].concat(),
        ));
        assert!(
            error.contains(&format!(
                "migration {FOUR} failed (down) at statement 2 of 4"
            )),
            "{error}"
        );
        let status = succeeded(&trial(
            dir.path(),
            &[&["migrate:status"][..], &url].concat(),
        ));
        if db.dialect() != Dialect::MySql {
            assert!(error.contains("Its rollback was undone"), "{error}");
            assert!(
                status_line(&status, FOUR).starts_with("Applied"),
                "{status}"
            );
            db.cleanup().await.expect("cleanup");
            continue;
        }
        assert!(
            status_line(&status, FOUR).starts_with("Failed (down)"),
            "{status}"
        );
        let listing = succeeded(&trial(
            dir.path(),
            &[&["migrate:repair"][..], &url].concat(),
        ));
        assert!(
            listing.contains("if you finished the rollback by hand"),
            "{listing}"
        );

        let command = advised_command(&error, "hint: if you finished the rollback by hand");
        assert_eq!(command, ["migrate:repair", FOUR, "--rolled-back"]);
        for table in ["blocker", "r_b", "r_c", "r_d"] {
            sql(&db, &format!("DROP TABLE {table}")).await;
        }
        let args: Vec<&str> = command.iter().map(String::as_str).chain(url).collect();
        succeeded(&trial(dir.path(), &args));

        let status = succeeded(&trial(
            dir.path(),
            &[&["migrate:status"][..], &url].concat(),
        ));
        assert!(
            status_line(&status, FOUR).starts_with("Pending"),
            "{status}"
        );
        let out = succeeded(&trial(dir.path(), &[&["migrate"][..], &url].concat()));
        assert!(out.contains("Applied 3 migrations in"), "{out}");
        succeeded(&trial(
            dir.path(),
            &[&["migrate:rollback"][..], &url].concat(),
        ));
        db.cleanup().await.expect("cleanup");
    }
}

/// Four runners race on a file whose name contains `:memory:`: it is a file, so they share
/// the file lock and exactly one applies.
#[test]
fn racing_runners_on_a_file_named_like_memory_apply_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");
    let url = "sqlite://data/a:memory:b.db";
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_trial"))
                .args(["migrate", "--database", url])
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|child| succeeded(&child.wait_with_output().expect("wait")))
        .collect();
    let applied = outputs
        .iter()
        .filter(|o| o.contains("Applied 4 migrations"))
        .count();
    let idle = outputs
        .iter()
        .filter(|o| o.contains("Nothing to migrate."))
        .count();
    assert_eq!((applied, idle), (1, 3), "{outputs:#?}");
    assert!(dir.path().join("data/a:memory:b.db").exists());
    assert!(dir.path().join("data/a:memory:b.db.migrate-lock").exists());
}

/// `scheme:/user:password@host…` (one slash) makes the whole rest the database name, which the
/// server then echoes. The password never reaches stdout or stderr.
#[test]
fn a_password_in_a_one_slash_url_is_never_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut urls = vec!["sqlite:/root:hunter2@data/x.db".to_owned()];
    for var in [POSTGRES_URL_VAR, MYSQL_URL_VAR] {
        if let Ok(url) = std::env::var(var)
            && let Some((scheme, rest)) = url.split_once("://")
        {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            urls.push(format!("{scheme}:/root:hunter2@{host}"));
            urls.push(format!("{scheme}://root:hunter2@{host}?sslmode=bogus"));
        }
    }
    for url in &urls {
        for command in ["migrate", "migrate:status", "migrate:repair"] {
            let output = trial(dir.path(), &[command, "--database", url]);
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            assert!(!all.contains("hunter2"), "{command} {url}: {all}");
        }
    }
}

/// A ledger row whose id is not a migration id: every command names the ledger and the row;
/// `migrate:repair` lists it and removes it given the id exactly as stored.
#[tokio::test]
async fn a_garbage_ledger_row_is_named_and_removed_as_stored() {
    for db in databases().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = ["--database", db.url()];
        succeeded(&trial(dir.path(), &[&["migrate"][..], &url].concat()));
        sql(
            &db,
            &format!(
                "INSERT INTO orm_migrations (id, checksum, batch, applied_at, execution_ms, \
                 status) SELECT 'garbage id', checksum, batch, applied_at, execution_ms, status \
                 FROM orm_migrations WHERE id = '{ITEMS}'"
            ),
        )
        .await;
        for command in ["migrate", "migrate:status", "migrate:rollback"] {
            let error = failed(&trial(dir.path(), &[&[command][..], &url].concat()));
            assert!(
                error.contains(
                    "the migration ledger table orm_migrations has a row that cannot be read: \
                     the row with id \"garbage id\", column `id`: not a migration id"
                ),
                "{command}: {error}"
            );
            assert!(
                error.contains("`migrate:repair 'garbage id' --rolled-back`"),
                "{error}"
            );
        }
        let listing = succeeded(&trial(
            dir.path(),
            &[&["migrate:repair"][..], &url].concat(),
        ));
        assert!(listing.contains("\"garbage id\""), "{listing}");
        let out = succeeded(&trial(
            dir.path(),
            &[&["migrate:repair", "garbage id", "--rolled-back"][..], &url].concat(),
        ));
        assert_eq!(out, "The ledger row \"garbage id\" is removed.\n");
        let status = succeeded(&trial(
            dir.path(),
            &[&["migrate:status"][..], &url].concat(),
        ));
        assert!(status.contains("4 applied, 0 pending."), "{status}");
        db.cleanup().await.expect("cleanup");
    }
}

/// Another tool's `migrations` table named with `--table` is not read as a ledger.
#[tokio::test]
async fn another_tools_table_is_not_taken_for_a_ledger() {
    let db = TestDatabase::sqlite().await.expect("sqlite");
    sql(
        &db,
        "CREATE TABLE migrations (id INTEGER PRIMARY KEY, migration VARCHAR(255), batch INTEGER)",
    )
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let error = failed(&trial(
        dir.path(),
        &["migrate", "--table", "migrations", "--database", db.url()],
    ));
    assert!(
        error.contains("the table migrations is not an ormed-migrate migration ledger"),
        "{error}"
    );
    assert!(error.contains("--table <name>"), "{error}");
}

/// SQLite paths that cannot work get SQLite's reasons, never "check that the server is running".
#[test]
fn sqlite_paths_that_cannot_work_say_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("adir")).expect("dir");
    for (url, expected) in [
        (
            "sqlite://",
            "the URL names no database file; write sqlite://path/to/app.db",
        ),
        (
            "sqlite://missing/app.db",
            "the directory `missing` does not exist; create it (mkdir -p missing)",
        ),
        (
            "sqlite://adir",
            "`adir` is a directory, not a database file",
        ),
        (
            "sqlite://app.db?mode=bogus",
            "unknown value \"bogus\" for `mode`",
        ),
    ] {
        let error = failed(&trial(dir.path(), &["migrate", "--database", url]));
        assert!(error.contains(expected), "{url}: {error}");
        assert!(!error.contains("server"), "{url}: {error}");
    }
}

/// A file the process may not write (the immutable attribute, which binds root too, or plain
/// permissions for other users).
struct ReadOnly(PathBuf);

impl ReadOnly {
    /// `None` when this machine cannot make a path read-only for this process.
    fn make(path: &Path) -> Option<ReadOnly> {
        let done = Command::new("chattr").arg("+i").arg(path).status();
        if done.is_ok_and(|status| status.success()) {
            return Some(ReadOnly(path.to_owned()));
        }
        eprintln!("chattr +i is not available here: skipping the read-only case");
        None
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// A read-only file and a write lock held past the busy timeout: the message says so instead
/// of "fix the statement".
#[tokio::test]
async fn a_read_only_or_locked_sqlite_file_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    succeeded(&trial(
        dir.path(),
        &["migrate", "--limit", "1", "--database", &url],
    ));

    if let Some(_guard) = ReadOnly::make(&dir.path().join("app.db")) {
        let error = failed(&trial(dir.path(), &["migrate", "--database", &url]));
        assert!(
            error.contains(
                "SQLite cannot write to the database: the file or its directory is read-only"
            ),
            "{error}"
        );
        assert!(!error.contains("Fix the statement"), "{error}");
    }

    let db = ormed_migrate::Driver::connect(&url).await.expect("connect");
    let pool = db.sqlite_pool().expect("sqlite");
    let mut holder = pool.acquire().await.expect("connection");
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .expect("write lock");
    let started = std::time::Instant::now();
    let error = failed(&trial(
        dir.path(),
        &["migrate", "--lock-timeout", "1.5", "--database", &url],
    ));
    assert!(
        error.contains(&format!(
            "migration {FOUR} (up) gave up at statement 1 of 4 after waiting 1."
        )) && error.contains("s for a lock another session holds:"),
        "{error}"
    );
    assert!(error.contains("database is locked"), "{error}");
    assert!(
        error.contains("It was rolled back: none of its changes remain"),
        "{error}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "bounded by the timeout"
    );
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut *holder)
        .await
        .expect("release");
    drop(holder);
    db.close().await;
    succeeded(&trial(dir.path(), &["migrate", "--database", &url]));
}

/// A server that answers but refuses (a database that does not exist): the advice is about the
/// URL's user, password and database, not about the server being down.
#[test]
fn a_refused_connection_says_what_to_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    for var in [POSTGRES_URL_VAR, MYSQL_URL_VAR] {
        let Ok(url) = std::env::var(var) else {
            eprintln!("{var} is not set: skipping that server");
            continue;
        };
        let url = ormed_migrate::testing::with_database(&url, "ormed_no_such_database");
        let error = failed(&trial(dir.path(), &["migrate", "--database", &url]));
        assert!(
            error.contains(
                "the server answered but refused the connection: check the user, the password \
                 and the database name in the URL"
            ),
            "{error}"
        );
        assert!(error.contains("ormed_no_such_database"), "{error}");
    }
}
