//! Ctrl-C and SIGTERM stop a run cleanly: the statement running is cancelled on the server (no
//! query is left behind), the migration it belonged to is undone or left exactly as the error
//! says, the migration lock is free, the exit code is 128 plus the signal's number, and the
//! next run finishes the work. The trial application as a process, on all three databases.

mod process;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ormed_migrate::testing::TestDatabase;
use process::*;

const SLOW: &str = "m_20250101000300_create_slow_table";
const NOTE: &str = "m_20250101000200_add_note_to_items";

fn applied_line(out: &str, id: &str) -> bool {
    out.lines()
        .any(|line| line.starts_with(id) && line.ends_with(" DONE"))
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal}");
}

/// Waits until the slow statement is running: the three migrations before it are applied and
/// their lines printed. Reads the ledger rather than the child's output, which is piped.
async fn wait_until_running(db: &TestDatabase) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if applied(db, NOTE).await {
            // The slow statement starts right after the ledger row of the one before it.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the migrations before the slow one did not run within 30 s");
}

async fn applied(db: &TestDatabase, id: &str) -> bool {
    let sql = format!("SELECT id FROM orm_migrations WHERE id = '{id}' AND status = 'applied'");
    count(db, &sql).await.is_some_and(|n| n > 0)
}

/// The number of rows `sql` returns, or `None` when it fails (a missing table).
async fn count(db: &TestDatabase, sql: &str) -> Option<i64> {
    let wrapped = format!("SELECT COUNT(*) FROM ({sql}) AS counted");
    let driver = db.driver();
    if let Some(pool) = driver.postgres_pool() {
        return sqlx::query_scalar(sqlx::AssertSqlSafe(wrapped.clone()))
            .fetch_one(pool)
            .await
            .ok();
    }
    if let Some(pool) = driver.mysql_pool() {
        return sqlx::query_scalar(sqlx::AssertSqlSafe(wrapped.clone()))
            .fetch_one(pool)
            .await
            .ok();
    }
    let pool = driver.sqlite_pool().expect("one of the three");
    sqlx::query_scalar(sqlx::AssertSqlSafe(wrapped.clone()))
        .fetch_one(pool)
        .await
        .ok()
}

/// Sessions other than the test's own still running the slow statement in this test's database
/// (the other test runs its own at the same time).
async fn statements_left(db: &TestDatabase) -> i64 {
    let driver = db.driver();
    let sql = if driver.postgres_pool().is_some() {
        "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' \
         AND pid <> pg_backend_pid() AND datname = current_database()"
    } else if driver.mysql_pool().is_some() {
        "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(60)%' \
         AND ID <> CONNECTION_ID() AND DB = DATABASE()"
    } else {
        // SQLite has no server: the statement ended with the process.
        return 0;
    };
    count(db, sql).await.expect("the server's session list")
}

/// Starts `migrate` with the slow migration slow, and returns once its slow statement runs.
async fn start_slow_run(dir: &std::path::Path, db: &TestDatabase) -> Child {
    let child = trial_command(dir, &["migrate", "--database", db.url()])
        .env("TRIAL_SLOW", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trial binary starts");
    wait_until_running(db).await;
    child
}

async fn interrupt_once(db: &TestDatabase, signal: &str, code: i32, name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = ["--database", db.url()];
    let child = start_slow_run(dir.path(), db).await;
    let sent = Instant::now();
    send(&child, signal);
    let output = child.wait_with_output().expect("it ends");
    let (out, error) = (text(&output.stdout), text(&output.stderr));
    let context = format!("{}: stdout:\n{out}\nstderr:\n{error}", db.dialect());
    assert!(
        sent.elapsed() < Duration::from_secs(15),
        "stopped soon after the signal, not when the statement ended: {context}"
    );
    assert_eq!(output.status.code(), Some(code), "{context}");
    assert!(
        error.contains(&format!("error: interrupted by {name}: migration {SLOW}")),
        "{context}"
    );
    assert!(
        error.contains("Done before it (3): ") && error.contains(NOTE),
        "{context}"
    );
    assert!(
        error.contains("hint: `migrate` again applies the rest"),
        "{context}"
    );
    assert!(applied_line(&out, NOTE), "{context}");
    assert_eq!(statements_left(db).await, 0, "no statement left: {context}");
    assert_eq!(
        count(db, "SELECT * FROM r_slow").await,
        None,
        "the slow migration's table was not created: {context}"
    );

    let status = succeeded(
        &trial_command(dir.path(), &[&["migrate:status"][..], &url].concat())
            .output()
            .expect("runs"),
    );
    let line = status.lines().find(|l| l.contains(SLOW)).expect("listed");
    assert!(line.starts_with("Pending"), "{status}");
    assert!(status.contains("3 applied, 1 pending."), "{status}");

    // The lock is free and the ledger agrees with the schema: the next run finishes.
    let out = succeeded(
        &trial_command(dir.path(), &[&["migrate"][..], &url].concat())
            .output()
            .expect("runs"),
    );
    assert!(applied_line(&out, SLOW), "{out}");
    assert_eq!(count(db, "SELECT * FROM r_slow").await, Some(0));
}

/// While a runner applies the slow migration, another process's `migrate:status` shows it as
/// running (not pending, and on MySQL not failed), without waiting for the lock.
#[tokio::test]
async fn status_shows_the_migration_another_runner_is_running() {
    for db in databases().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = ["--database", db.url()];
        let child = start_slow_run(dir.path(), &db).await;
        let started = Instant::now();
        let status = trial_command(dir.path(), &[&["migrate:status"][..], &url].concat())
            .output()
            .expect("runs");
        let took = started.elapsed();
        send(&child, "-INT");
        let ended = child.wait_with_output().expect("it ends");
        let status = succeeded(&status);
        let context = format!("{}: {status}\n{}", db.dialect(), text(&ended.stderr));
        let line = status.lines().find(|l| l.contains(SLOW)).expect("listed");
        assert!(line.starts_with("Running (up)"), "{context}");
        assert!(
            status.ends_with(
                "3 applied, 0 pending, 1 running (another runner holds the migration lock).\n"
            ),
            "{context}"
        );
        assert!(
            took < Duration::from_secs(5),
            "did not wait for the lock: {took:?}"
        );
        assert_eq!(ended.status.code(), Some(130), "{context}");
        db.cleanup().await.expect("cleanup");
    }
}

#[tokio::test]
async fn ctrl_c_cancels_the_running_statement_and_undoes_its_migration() {
    for db in databases().await {
        interrupt_once(&db, "-INT", 130, "Ctrl-C").await;
        db.cleanup().await.expect("cleanup");
    }
}

#[tokio::test]
async fn sigterm_stops_the_run_the_same_way() {
    for db in databases().await {
        interrupt_once(&db, "-TERM", 143, "SIGTERM").await;
        db.cleanup().await.expect("cleanup");
    }
}
