//! Every wait is bounded: a migration statement stuck behind another session's lock gives up at
//! `--lock-timeout`, naming the migration, the statement and the session that blocks it, and
//! applies nothing of that migration; a runner waiting for another runner's migration lock gives
//! up at `--migration-lock-timeout`. Both waits are announced while they last. The trial
//! application as a process, on PostgreSQL and MariaDB (statement locks) and on all three
//! databases (the migration lock).

mod process;

use std::time::{Duration, Instant};

use ormed_migrate::Dialect;
use ormed_migrate::testing::TestDatabase;
use process::*;

const NOTE: &str = "m_20250101000200_add_note_to_items";

/// A session of the test's own that reads `r_items` inside an open transaction: PostgreSQL's
/// `ALTER TABLE` then waits for its lock, MariaDB's for the table's metadata lock.
struct Reader {
    connection: ReaderConnection,
    session: i64,
}

enum ReaderConnection {
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
}

impl Reader {
    async fn open(db: &TestDatabase) -> Reader {
        let begin = "BEGIN";
        let read = "SELECT * FROM r_items";
        if let Some(pool) = db.driver().postgres_pool() {
            let mut c = pool.acquire().await.expect("connection");
            let session: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut *c)
                .await
                .expect("pid");
            sqlx::raw_sql(begin).execute(&mut *c).await.expect("begin");
            sqlx::raw_sql(read).execute(&mut *c).await.expect("read");
            return Reader {
                connection: ReaderConnection::Postgres(c),
                session: i64::from(session),
            };
        }
        let pool = db.driver().mysql_pool().expect("a server database");
        let mut c = pool.acquire().await.expect("connection");
        let session: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
            .fetch_one(&mut *c)
            .await
            .expect("id");
        sqlx::raw_sql("START TRANSACTION")
            .execute(&mut *c)
            .await
            .expect("begin");
        sqlx::raw_sql(read).execute(&mut *c).await.expect("read");
        Reader {
            connection: ReaderConnection::MySql(c),
            session: i64::try_from(session).expect("an id"),
        }
    }

    async fn close(self) {
        match self.connection {
            ReaderConnection::Postgres(mut c) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut *c)
                    .await
                    .expect("end");
            }
            ReaderConnection::MySql(mut c) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut *c)
                    .await
                    .expect("end");
            }
        }
    }
}

/// A migration blocked by an application's open transaction gives up after the lock timeout,
/// says who blocked it, applies nothing, and runs once the transaction ends.
#[tokio::test]
async fn a_statement_behind_another_sessions_lock_gives_up_at_the_lock_timeout() {
    for db in server_databases().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = ["--database", db.url()];
        succeeded(&trial(
            dir.path(),
            &[&["migrate", "--limit", "2"][..], &url].concat(),
        ));
        let reader = Reader::open(&db).await;

        let started = Instant::now();
        let output = trial(
            dir.path(),
            &[&["migrate", "--lock-timeout", "3"][..], &url].concat(),
        );
        let elapsed = started.elapsed();
        let error = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{error}");
        assert!(
            elapsed >= Duration::from_secs(3) && elapsed < Duration::from_secs(9),
            "gave up within a few seconds of the timeout: {elapsed:?}"
        );
        assert!(
            error.contains(&format!(
                "migration {NOTE} (up) gave up at statement 1 of 1 after waiting 3."
            )),
            "{error}"
        );
        assert!(
            error.contains("ALTER TABLE r_items ADD COLUMN note VARCHAR(100)"),
            "the statement: {error}"
        );
        let blocker = format!("session {}", reader.session);
        assert!(error.contains(&blocker), "names the blocker: {error}");
        assert!(
            error.contains("SELECT * FROM r_items") || db.dialect() == Dialect::MySql,
            "and its query: {error}"
        );
        assert!(
            error.contains("is waiting for a lock") && error.contains(&blocker),
            "the wait was announced while it lasted: {error}"
        );
        assert!(
            error.contains("hint: `--lock-timeout <seconds>`"),
            "{error}"
        );

        let status = succeeded(&trial(
            dir.path(),
            &[&["migrate:status"][..], &url].concat(),
        ));
        let line = status
            .lines()
            .find(|line| line.contains(NOTE))
            .expect("the migration");
        assert!(
            line.starts_with("Pending"),
            "nothing of it applied: {status}"
        );

        reader.close().await;
        let out = succeeded(&trial(dir.path(), &[&["migrate"][..], &url].concat()));
        assert!(out.contains("Applied 2 migrations in"), "{out}");
        db.cleanup().await.expect("cleanup");
    }
}

/// A runner that finds the migration lock taken waits, says so, and gives up at the
/// migration-lock timeout with nothing done; once the lock is free it runs.
#[tokio::test]
async fn a_runner_gives_up_waiting_for_another_runners_lock() {
    let mut databases = vec![TestDatabase::sqlite().await.expect("sqlite")];
    databases.extend(server_databases().await);
    for db in databases {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = ["--database", db.url()];
        let held = db
            .driver()
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .expect("the other runner's lock");
        let started = Instant::now();
        let output = trial(
            dir.path(),
            &[&["migrate", "--migration-lock-timeout", "3"][..], &url].concat(),
        );
        let elapsed = started.elapsed();
        let error = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{error}");
        assert!(
            elapsed >= Duration::from_secs(3) && elapsed < Duration::from_secs(9),
            "{elapsed:?}"
        );
        assert!(
            error.starts_with(&format!(
                "Database: {} (from --database)\nwaiting for another runner's migration lock\n",
                db.driver().redacted_url()
            )),
            "announced: {error}"
        );
        assert!(
            error.contains("another migration run holds the migration lock of this database"),
            "{error}"
        );
        assert!(
            error.contains("hint: `--migration-lock-timeout <seconds>`"),
            "{error}"
        );
        let status = succeeded(&trial(
            dir.path(),
            &[&["migrate:status"][..], &url].concat(),
        ));
        assert!(
            status.contains("0 applied, 4 pending."),
            "nothing ran: {status}"
        );

        held.release().await.expect("release");
        let out = succeeded(&trial(dir.path(), &[&["migrate"][..], &url].concat()));
        assert!(out.contains("Applied 4 migrations in"), "{out}");
        db.cleanup().await.expect("cleanup");
    }
}
