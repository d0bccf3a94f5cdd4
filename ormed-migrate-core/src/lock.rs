//! The migration lock: one runner at a time per database and ledger table, across processes and
//! hosts, released on every path and by the operating system or server when a runner dies.
//!
//! Each backend takes it its own way (see its module): PostgreSQL a session advisory lock on a
//! dedicated connection, polled (a blocking wait could deadlock with `CREATE INDEX
//! CONCURRENTLY`); MySQL/MariaDB `GET_LOCK` on a dedicated connection (the lock belongs to the
//! connection, so it never goes back to a pool); SQLite an advisory lock on a file beside the
//! database, which the OS drops with the process, or for an in-memory database a lock inside
//! this process. The name derives from the database and the ledger table, so runners with
//! different ledgers in one database do not block each other.

use std::fs::File;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Connection, MySqlConnection, PgConnection};

use crate::backend::{mysql, postgres, sqlite};
use crate::driver::{Driver, Pool};
use crate::error::{LockError, MigrationError};
use crate::waits::NOTICE_AFTER;

/// How long a runner waits for another runner's migration lock before giving up.
pub const DEFAULT_MIGRATION_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a waiting runner tries again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// A held migration lock. Call [`MigrationLock::release`]; dropping it also releases it (the
/// dedicated connection or file closes), just less promptly.
#[derive(Debug)]
pub struct MigrationLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    Postgres {
        connection: PgConnection,
        key: i64,
    },
    MySql {
        connection: MySqlConnection,
        name: String,
    },
    File {
        _file: File,
    },
    InProcess {
        _guard: tokio::sync::OwnedMutexGuard<()>,
    },
}

impl Driver {
    /// Takes the migration lock for `ledger_table`, waiting at most `timeout` for another runner.
    pub async fn lock(
        &self,
        ledger_table: &str,
        timeout: Duration,
    ) -> Result<MigrationLock, MigrationError> {
        self.lock_announcing(ledger_table, timeout, &mut || {})
            .await
    }

    /// Like [`Driver::lock`], calling `announce` once if the wait goes on for about two seconds.
    pub async fn lock_announcing(
        &self,
        ledger_table: &str,
        timeout: Duration,
        announce: &mut (dyn FnMut() + Send),
    ) -> Result<MigrationLock, MigrationError> {
        let mut wait = Wait::new(timeout, announce);
        let held = match (&self.pool, &self.memory_lock) {
            (Pool::Postgres(pool), _) => {
                let (connection, key) = postgres::lock(pool, ledger_table, &mut wait).await?;
                Held::Postgres { connection, key }
            }
            (Pool::MySql(pool), _) => {
                let (connection, name) = mysql::lock(pool, ledger_table, &mut wait).await?;
                Held::MySql { connection, name }
            }
            (Pool::Sqlite(_), Some(memory_lock)) => {
                let guard = memory_lock.clone().try_lock_owned();
                let guard = match guard {
                    Ok(guard) => guard,
                    Err(_) => {
                        wait.announce_now();
                        let rest = wait.remaining();
                        tokio::time::timeout(rest, memory_lock.clone().lock_owned())
                            .await
                            .map_err(|_| wait.timed_out())?
                    }
                };
                Held::InProcess { _guard: guard }
            }
            (Pool::Sqlite(pool), None) => Held::File {
                _file: sqlite::lock_file(pool, &mut wait).await?,
            },
        };
        Ok(MigrationLock { held })
    }

    /// Whether another runner holds the migration lock of `ledger_table` right now, found
    /// without taking the lock or waiting for it.
    pub async fn migration_lock_is_held(&self, ledger_table: &str) -> Result<bool, MigrationError> {
        match (&self.pool, &self.memory_lock) {
            (Pool::Postgres(pool), _) => postgres::lock_is_held(pool, ledger_table).await,
            (Pool::MySql(pool), _) => mysql::lock_is_held(pool, ledger_table).await,
            (Pool::Sqlite(_), Some(memory_lock)) => Ok(memory_lock.try_lock().is_err()),
            (Pool::Sqlite(pool), None) => sqlite::file_lock_is_held(pool),
        }
    }
}

impl MigrationLock {
    /// Releases the lock now.
    pub async fn release(self) -> Result<(), MigrationError> {
        match self.held {
            Held::Postgres {
                mut connection,
                key,
            } => {
                let released = postgres::unlock(&mut connection, key).await;
                close_after(connection, released).await
            }
            Held::MySql {
                mut connection,
                name,
            } => {
                let released = mysql::unlock(&mut connection, &name).await;
                close_after(connection, released).await
            }
            Held::File { .. } | Held::InProcess { .. } => Ok(()),
        }
    }
}

/// Closes the lock's dedicated connection. Closing the session releases the lock even when the
/// explicit unlock failed, so the unlock's error is only reported.
async fn close_after<C: Connection>(
    connection: C,
    released: Result<(), sqlx::Error>,
) -> Result<(), MigrationError> {
    let _ = connection.close().await;
    released.map_err(|e| lock_error("could not release the migration lock", e))
}

/// A bounded wait for the lock, shared by the backends' ways of taking it, announced once it
/// has gone on for [`NOTICE_AFTER`].
pub(crate) struct Wait<'a> {
    timeout: Duration,
    started: Instant,
    announce: Option<&'a mut (dyn FnMut() + Send)>,
}

impl<'a> Wait<'a> {
    fn new(timeout: Duration, announce: &'a mut (dyn FnMut() + Send)) -> Wait<'a> {
        Wait {
            timeout,
            started: Instant::now(),
            announce: Some(announce),
        }
    }

    /// How long is left of it.
    pub(crate) fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// How long to wait before announcing, at most the rest of the wait.
    pub(crate) fn until_notice(&self) -> Duration {
        NOTICE_AFTER
            .saturating_sub(self.started.elapsed())
            .min(self.remaining())
    }

    /// Announces the wait now (once).
    pub(crate) fn announce_now(&mut self) {
        if let Some(announce) = self.announce.take() {
            announce();
        }
    }

    /// Sleeps before the next try, or gives up once the deadline has passed; announces the wait
    /// once it has gone on for a while.
    pub(crate) async fn again(&mut self) -> Result<(), MigrationError> {
        if self.remaining().is_zero() {
            return Err(self.timed_out());
        }
        if self.started.elapsed() >= NOTICE_AFTER {
            self.announce_now();
        }
        tokio::time::sleep(POLL_INTERVAL.min(self.remaining())).await;
        Ok(())
    }

    pub(crate) fn timed_out(&self) -> MigrationError {
        LockError::Timeout {
            waited: self.timeout,
        }
        .into()
    }
}

/// A stable name for the lock of `table` in `database`, for the backends that need one.
pub(crate) fn lock_name(database: &str, table: &str) -> String {
    format!("ormed-migrate:{database}:{table}")
}

pub(crate) fn lock_error(context: &str, source: sqlx::Error) -> MigrationError {
    LockError::Database {
        context: context.to_owned(),
        source: Box::new(source),
    }
    .into()
}

/// One in-process lock per in-memory database.
pub(crate) fn new_memory_lock() -> Arc<tokio::sync::Mutex<()>> {
    Arc::new(tokio::sync::Mutex::new(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A held lock makes a second runner time out, and is free again once released.
    async fn held_lock_blocks_a_second_runner(driver: &Driver) {
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .unwrap();
        let waited = driver
            .lock("orm_migrations", Duration::from_millis(300))
            .await;
        let error = waited.unwrap_err();
        assert!(
            matches!(error, MigrationError::Lock(LockError::Timeout { .. })),
            "{error}"
        );
        held.release().await.unwrap();
        let again = driver.lock("orm_migrations", Duration::from_secs(1)).await;
        again.unwrap().release().await.unwrap();
    }

    #[tokio::test]
    async fn an_in_memory_database_locks_in_process_and_writes_no_file() {
        // Other tests write to the working directory too: count only lock files.
        let lock_files = || {
            std::fs::read_dir(".")
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().ends_with(".migrate-lock")
                })
                .count()
        };
        let before = lock_files();
        let driver = Driver::connect("sqlite::memory:").await.unwrap();
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .unwrap();
        assert!(matches!(held.held, Held::InProcess { .. }));
        held.release().await.unwrap();
        held_lock_blocks_a_second_runner(&driver).await;
        assert_eq!(
            before,
            lock_files(),
            "no lock file in the working directory"
        );
    }

    #[tokio::test]
    async fn a_second_sqlite_runner_waits_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("lock.db").display());
        held_lock_blocks_a_second_runner(&Driver::connect(&url).await.unwrap()).await;
        assert!(dir.path().join("lock.db.migrate-lock").exists());
    }
}
