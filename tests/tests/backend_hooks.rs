//! The hooks each backend offers for bounded waits and interrupts, run against the real
//! databases: the lock-timeout statements are accepted, a session's id can be read, a statement
//! can be cancelled from another connection, and the migration lock can be probed without
//! taking it. SQLite always; PostgreSQL and MariaDB when their URLs are set.

mod support;

use std::time::{Duration, Instant};

use support::*;

/// A sleep of `seconds` in the database's own words.
fn sleep_sql(dialect: Dialect, seconds: u32) -> String {
    match dialect {
        Dialect::Postgres => format!("SELECT pg_sleep({seconds})"),
        Dialect::MySql => format!("SELECT SLEEP({seconds})"),
        Dialect::Sqlite => unreachable!("SQLite cancels in process"),
    }
}

mod cases {
    use super::*;

    pub async fn lock_timeout_statements_are_accepted(db: &TestDatabase) {
        let dialect = db.dialect();
        let statements = dialect.lock_timeout_statements(Duration::from_millis(1500), false);
        match dialect {
            Dialect::Sqlite => assert_eq!(statements, ["PRAGMA busy_timeout = 1500"]),
            Dialect::Postgres => {
                assert_eq!(statements, ["SET lock_timeout = '1500ms'"]);
            }
            Dialect::MySql => assert_eq!(
                statements,
                ["SET SESSION lock_wait_timeout = 2, innodb_lock_wait_timeout = 2"]
            ),
        }
        for statement in statements {
            db.driver().execute(&statement).await.expect("accepted");
        }
    }

    pub async fn a_running_statement_can_be_cancelled_from_another_connection(db: &TestDatabase) {
        let dialect = db.dialect();
        let Some(query) = dialect.session_id_query() else {
            assert_eq!(dialect, Dialect::Sqlite);
            assert_eq!(dialect.cancel_statement(1), None);
            return;
        };
        // The session's id, then a 30 s sleep on that session in a task of its own; one body
        // for both pool types.
        macro_rules! sleep_on {
            ($pool:expr) => {{
                let mut connection = $pool.acquire().await.expect("connection");
                let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
                    .fetch_one(&mut *connection)
                    .await
                    .expect("session id");
                let sql = sleep_sql(dialect, 30);
                let slow = tokio::spawn(async move {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut *connection)
                        .await
                        .map(drop)
                });
                (id, slow)
            }};
        }
        let (id, slow) = match (db.driver().postgres_pool(), db.driver().mysql_pool()) {
            (Some(pool), _) => sleep_on!(pool),
            (_, Some(pool)) => sleep_on!(pool),
            _ => unreachable!("a server database"),
        };
        assert!(id > 0, "{id}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let cancel = dialect.cancel_statement(id).expect("a cancel statement");
        db.driver().execute(&cancel).await.expect("cancel");
        let outcome = tokio::time::timeout(Duration::from_secs(10), slow)
            .await
            .expect("the sleep ends long before 30 s")
            .expect("the task runs");
        assert!(started.elapsed() < Duration::from_secs(10));
        match dialect {
            // PostgreSQL reports the cancelled statement as an error.
            Dialect::Postgres => assert!(outcome.is_err(), "cancelled: {outcome:?}"),
            // MariaDB ends SLEEP early and returns 1 (or reports the interruption).
            Dialect::MySql | Dialect::Sqlite => {}
        }
    }

    pub async fn the_migration_lock_can_be_probed_without_taking_it(db: &TestDatabase) {
        let driver = db.driver();
        assert!(
            !driver
                .migration_lock_is_held("orm_migrations")
                .await
                .expect("probe")
        );
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .expect("lock");
        assert!(
            driver
                .migration_lock_is_held("orm_migrations")
                .await
                .expect("probe")
        );
        // A ledger of its own has a lock of its own, except on SQLite, which allows one writer
        // per database file whatever the ledger.
        let other = driver
            .migration_lock_is_held("other_ledger")
            .await
            .expect("probe");
        assert_eq!(other, db.dialect() == Dialect::Sqlite);
        held.release().await.expect("release");
        assert!(
            !driver
                .migration_lock_is_held("orm_migrations")
                .await
                .expect("probe")
        );
        // Probing took nothing: the lock is free to take at once.
        let again = driver
            .lock("orm_migrations", Duration::from_millis(200))
            .await
            .expect("free");
        again.release().await.expect("release");
    }
}

support::suite! {
    lock_timeout_statements_are_accepted,
    a_running_statement_can_be_cancelled_from_another_connection,
    the_migration_lock_can_be_probed_without_taking_it,
}
