//! The migration lock: one runner at a time per database and ledger table, across processes and
//! hosts, released on every path and by the operating system or server when a runner dies.
//!
//! - PostgreSQL: a session advisory lock on a dedicated connection, taken by polling
//!   `pg_try_advisory_lock` (a blocking wait could deadlock with `CREATE INDEX CONCURRENTLY`).
//! - MySQL/MariaDB: `GET_LOCK` on a dedicated connection (the lock belongs to the connection, so it
//!   must never go back to a pool).
//! - SQLite: an advisory lock on a file beside the database, which the OS drops with the process;
//!   an in-memory database only needs a lock inside this process.
//!
//! The name derives from the database and the ledger table, so runners with different ledgers
//! in one database do not block each other.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Connection, MySqlConnection, PgConnection};

use crate::checksum::sha256_hex;
use crate::driver::{Driver, Pool};
use crate::error::MigrationError;

/// How long a runner waits for another one to finish before giving up.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

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
        let deadline = Instant::now() + timeout;
        let held = match &self.pool {
            Pool::Postgres(pool) => {
                let mut connection = PgConnection::connect_with(&pool.connect_options())
                    .await
                    .map_err(|e| {
                        lock_error("could not open a connection for the migration lock", e)
                    })?;
                let (database, schema): (String, Option<String>) =
                    sqlx::query_as("SELECT current_database()::text, current_schema()::text")
                        .fetch_one(&mut connection)
                        .await
                        .map_err(|e| lock_error("could not read the database name", e))?;
                // `orm_migrations` and `public.orm_migrations` are one table: one lock.
                let table = match (ledger_table.contains('.'), schema) {
                    (false, Some(schema)) => format!("{schema}.{ledger_table}"),
                    _ => ledger_table.to_owned(),
                };
                let key = advisory_key(&database, &table);
                postgres_lock(&mut connection, key, deadline, timeout).await?;
                Held::Postgres { connection, key }
            }
            Pool::MySql(pool) => {
                let mut connection = MySqlConnection::connect_with(&pool.connect_options())
                    .await
                    .map_err(|e| {
                        lock_error("could not open a connection for the migration lock", e)
                    })?;
                let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
                    .fetch_one(&mut connection)
                    .await
                    .map_err(|e| lock_error("could not read the database name", e))?;
                let name = lock_name(&database.unwrap_or_default(), ledger_table);
                mysql_lock(&mut connection, &name, timeout).await?;
                Held::MySql { connection, name }
            }
            Pool::Sqlite(pool) => match &self.memory_lock {
                Some(memory_lock) => {
                    let guard = tokio::time::timeout(timeout, memory_lock.clone().lock_owned());
                    Held::InProcess {
                        _guard: guard
                            .await
                            .map_err(|_| MigrationError::LockTimeout { waited: timeout })?,
                    }
                }
                None => {
                    // Canonical, so two runners that reach one file through different paths
                    // (relative, symlinked) share one lock.
                    let database = pool.connect_options().get_filename().to_path_buf();
                    let database = database.canonicalize().unwrap_or(database);
                    let path = sqlite_lock_path(&database);
                    Held::File {
                        _file: file_lock(path, deadline, timeout).await?,
                    }
                }
            },
        };
        Ok(MigrationLock { held })
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
                let released = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(key)
                    .execute(&mut connection)
                    .await;
                close_after(connection, released.map(drop)).await
            }
            Held::MySql {
                mut connection,
                name,
            } => {
                let released = sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(&name)
                    .execute(&mut connection)
                    .await;
                close_after(connection, released.map(drop)).await
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

async fn postgres_lock(
    connection: &mut PgConnection,
    key: i64,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), MigrationError> {
    loop {
        let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *connection)
            .await
            .map_err(|e| lock_error("could not take the migration lock", e))?;
        if acquired {
            return Ok(());
        }
        wait_or_time_out(deadline, timeout).await?;
    }
}

async fn mysql_lock(
    connection: &mut MySqlConnection,
    name: &str,
    timeout: Duration,
) -> Result<(), MigrationError> {
    let acquired: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
        .bind(name)
        // GET_LOCK counts whole seconds: round up, so the wait is never shorter than asked.
        .bind(
            i64::try_from(timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0))
                .unwrap_or(i64::MAX),
        )
        .fetch_one(connection)
        .await
        .map_err(|e| lock_error("could not take the migration lock", e))?;
    match acquired {
        Some(1) => Ok(()),
        Some(_) => Err(MigrationError::LockTimeout { waited: timeout }),
        // NULL: the server could not take the lock at all (out of memory, killed thread).
        None => Err(MigrationError::database(
            "could not take the migration lock",
            sqlx::Error::Protocol("GET_LOCK returned NULL".into()),
        )),
    }
}

/// The lock file beside a SQLite database file.
fn sqlite_lock_path(database: &std::path::Path) -> PathBuf {
    let mut lock = database.as_os_str().to_owned();
    lock.push(".migrate-lock");
    PathBuf::from(lock)
}

/// One lock file per database file: SQLite allows a single writer whatever the ledger table.
async fn file_lock(
    path: PathBuf,
    deadline: Instant,
    timeout: Duration,
) -> Result<File, MigrationError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_lock_error(&path, e))?;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => wait_or_time_out(deadline, timeout).await?,
            Err(TryLockError::Error(e)) => return Err(io_lock_error(&path, e)),
        }
    }
}

async fn wait_or_time_out(deadline: Instant, timeout: Duration) -> Result<(), MigrationError> {
    if Instant::now() >= deadline {
        return Err(MigrationError::LockTimeout { waited: timeout });
    }
    tokio::time::sleep(POLL_INTERVAL).await;
    Ok(())
}

/// A stable 64-bit key for `pg_advisory_lock`.
fn advisory_key(database: &str, table: &str) -> i64 {
    let hex = sha256_hex(format!("ormed-migrate:{database}:{table}").as_bytes());
    // 16 hex digits are 64 bits; reinterpreting them as i64 keeps every bit.
    u64::from_str_radix(&hex[..16], 16).unwrap_or_default() as i64
}

/// A `GET_LOCK` name: at most 64 characters, as MySQL requires.
fn lock_name(database: &str, table: &str) -> String {
    let name = format!("ormed-migrate:{database}:{table}");
    if name.len() <= 64 {
        name
    } else {
        format!("ormed-migrate:{}", &sha256_hex(name.as_bytes())[..40])
    }
}

fn lock_error(context: &str, source: sqlx::Error) -> MigrationError {
    MigrationError::database(context, source)
}

fn io_lock_error(path: &std::path::Path, error: std::io::Error) -> MigrationError {
    MigrationError::database(
        format!("could not lock {}", path.display()),
        sqlx::Error::Io(error),
    )
}

/// One in-process lock per in-memory database.
pub(crate) fn new_memory_lock() -> Arc<tokio::sync::Mutex<()>> {
    Arc::new(tokio::sync::Mutex::new(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_bounded() {
        assert_eq!(
            advisory_key("app", "orm_migrations"),
            advisory_key("app", "orm_migrations")
        );
        assert_ne!(
            advisory_key("app", "orm_migrations"),
            advisory_key("app", "other")
        );
        assert_eq!(
            lock_name("app", "orm_migrations"),
            "ormed-migrate:app:orm_migrations"
        );
        assert!(lock_name(&"d".repeat(60), "orm_migrations").len() <= 64);
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(
            sqlite_lock_path(std::path::Path::new("/tmp/app.db")),
            PathBuf::from("/tmp/app.db.migrate-lock")
        );
    }

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
            matches!(error, MigrationError::LockTimeout { .. }),
            "{error}"
        );
        held.release().await.unwrap();
        let again = driver.lock("orm_migrations", Duration::from_secs(1)).await;
        again.unwrap().release().await.unwrap();
    }

    #[tokio::test]
    async fn an_in_memory_database_locks_in_process_and_writes_no_file() {
        let before = std::fs::read_dir(".").unwrap().count();
        let driver = Driver::connect("sqlite::memory:").await.unwrap();
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .unwrap();
        assert!(matches!(held.held, Held::InProcess { .. }));
        held.release().await.unwrap();
        held_lock_blocks_a_second_runner(&driver).await;
        let after = std::fs::read_dir(".").unwrap().count();
        assert_eq!(before, after, "no lock file in the working directory");
    }

    #[tokio::test]
    async fn a_second_sqlite_runner_waits_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("lock.db").display());
        held_lock_blocks_a_second_runner(&Driver::connect(&url).await.unwrap()).await;
        assert!(dir.path().join("lock.db.migrate-lock").exists());
    }
}
