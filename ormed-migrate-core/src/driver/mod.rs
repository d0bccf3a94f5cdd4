//! `Driver`: one handle over SQLite, PostgreSQL and MySQL/MariaDB connection pools.
//!
//! The runner needs very little from a database: run a statement, run several in a transaction,
//! and the ledger's few queries. Keeping that surface small (as sqlx's own migrate module does)
//! keeps each database's differences in one place.

mod connect;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::mysql::MySqlPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, MySql, Postgres, Sqlite};

pub use crate::redact::redact_url;

use crate::dialect::Dialect;
use crate::error::MigrationError;

/// A connection pool to one database, chosen by URL scheme. Cloning is cheap (a pool handle), so
/// the same driver goes to the ledger and the runner.
///
/// ```no_run
/// # async fn demo() -> Result<(), ormed_migrate_core::MigrationError> {
/// use ormed_migrate_core::{Dialect, Driver};
///
/// let driver = Driver::connect("sqlite://app.db").await?; // created when missing
/// assert_eq!(driver.dialect(), Dialect::Sqlite);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Driver {
    pub(crate) pool: Pool,
    url: Arc<str>,
    /// For an in-memory SQLite database, which only this process can see: the lock that
    /// serialises its runners. `None` for every other database.
    pub(crate) memory_lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

/// A transaction on a run's connection; dropping it without `commit` rolls it back.
pub(crate) enum Transaction<'c> {
    Sqlite(sqlx::Transaction<'c, Sqlite>),
    Postgres(sqlx::Transaction<'c, Postgres>),
    MySql(sqlx::Transaction<'c, MySql>),
}

/// One pooled connection, held for a whole run: every migration and ledger statement of the run
/// goes through it. On SQLite a connection that did not make the last schema change re-reads the
/// whole schema first, so a fresh connection per migration would make long runs quadratic; and a
/// migration's session state (`SET …`) set by one statement is there for the next.
pub(crate) enum Connection {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
    MySql(PoolConnection<MySql>),
}

/// Where a statement runs: on the pool (autocommit), on one held connection (autocommit), or
/// inside a transaction.
pub(crate) enum Target<'a, 'c> {
    Pool(&'a Driver),
    Connection(&'a mut Connection),
    Transaction(&'a mut Transaction<'c>),
}

impl<'c> Target<'_, 'c> {
    /// The same target for one more call, so a function can run several statements on it.
    pub(crate) fn reborrow(&mut self) -> Target<'_, 'c> {
        match self {
            Target::Pool(driver) => Target::Pool(driver),
            Target::Connection(connection) => Target::Connection(connection),
            Target::Transaction(transaction) => Target::Transaction(transaction),
        }
    }
}

/// Runs `$body` with `$executor` bound to the right sqlx executor for each database.
macro_rules! with_executor {
    ($target:expr, $executor:ident => $body:expr) => {
        match $target {
            $crate::driver::Target::Pool(driver) => match &driver.pool {
                $crate::driver::Pool::Sqlite($executor) => $body,
                $crate::driver::Pool::Postgres($executor) => $body,
                $crate::driver::Pool::MySql($executor) => $body,
            },
            $crate::driver::Target::Connection(connection) => match connection {
                $crate::driver::Connection::Sqlite(c) => {
                    let $executor = &mut **c;
                    $body
                }
                $crate::driver::Connection::Postgres(c) => {
                    let $executor = &mut **c;
                    $body
                }
                $crate::driver::Connection::MySql(c) => {
                    let $executor = &mut **c;
                    $body
                }
            },
            $crate::driver::Target::Transaction(transaction) => match transaction {
                $crate::driver::Transaction::Sqlite(tx) => {
                    let $executor = &mut **tx;
                    $body
                }
                $crate::driver::Transaction::Postgres(tx) => {
                    let $executor = &mut **tx;
                    $body
                }
                $crate::driver::Transaction::MySql(tx) => {
                    let $executor = &mut **tx;
                    $body
                }
            },
        }
    };
}
pub(crate) use with_executor;

impl Driver {
    /// Connects by URL: `sqlite://path.db` (created when missing), `sqlite::memory:`,
    /// `postgres://…` or `postgresql://…`, `mysql://…` or `mariadb://…`.
    ///
    /// A failure says what went wrong in the database's own words (any password masked) and
    /// what to check: the URL, the server, or the SQLite path.
    pub async fn connect(url: &str) -> Result<Driver, MigrationError> {
        let target = connect::Target::new(url);
        let opened = connect::open(&target, true).await?;
        Ok(Driver::from_opened(opened, &target))
    }

    /// Like [`Driver::connect`], but never creates a SQLite file: a missing file reads as an
    /// empty database (an in-memory one stands in for it), so read-only work such as `status`
    /// and `pretend` leaves no trace. Other databases connect as usual.
    pub async fn connect_without_creating(url: &str) -> Result<Driver, MigrationError> {
        let target = connect::Target::new(url);
        let opened = connect::open(&target, false).await?;
        Ok(Driver::from_opened(opened, &target))
    }

    fn from_opened(opened: connect::Opened, target: &connect::Target<'_>) -> Driver {
        Driver {
            pool: opened.pool,
            url: target.redacted().into(),
            memory_lock: opened.in_memory.then(crate::lock::new_memory_lock),
        }
    }

    /// The SQL dialect of the connected database.
    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
            Pool::MySql(_) => Dialect::MySql,
        }
    }

    /// Whether `other` reaches the same database: the same in-memory SQLite database (a clone),
    /// or the same URL up to scheme aliases (`postgresql:`/`postgres:`, `mariadb:`/`mysql:`).
    pub fn same_database(&self, other: &Driver) -> bool {
        match (&self.memory_lock, &other.memory_lock) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => normalized(&self.url) == normalized(&other.url),
            _ => false,
        }
    }

    /// The URL with any password replaced by `***`, safe to print.
    pub fn redacted_url(&self) -> &str {
        &self.url
    }

    /// Runs one SQL statement outside any transaction.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        execute(Target::Pool(self), sql).await
    }

    /// Cancels the statement a run's session is running: PostgreSQL `pg_cancel_backend` and
    /// MySQL `KILL QUERY` of `server_id`, sent on another connection (sqlx has no cancel of its
    /// own); SQLite by raising `flag`, which the session's progress handler reads.
    pub(crate) async fn cancel(
        &self,
        server_id: Option<i64>,
        flag: &AtomicBool,
    ) -> Result<(), sqlx::Error> {
        flag.store(true, Ordering::Relaxed);
        let cancel =
            server_id.and_then(|id| crate::backend::of(self.dialect()).cancel_statement(id));
        match cancel {
            Some(sql) => execute(Target::Pool(self), &sql).await,
            None => Ok(()),
        }
    }

    /// Closes the pool; pending connections finish first.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
            Pool::MySql(pool) => pool.close().await,
        }
    }

    /// The sqlx pool, for applications that want to run their own queries.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            _ => None,
        }
    }

    /// The sqlx PostgreSQL pool, when connected to PostgreSQL.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            _ => None,
        }
    }

    /// The sqlx MySQL pool, when connected to MySQL or MariaDB.
    pub fn mysql_pool(&self) -> Option<&MySqlPool> {
        match &self.pool {
            Pool::MySql(pool) => Some(pool),
            _ => None,
        }
    }

    pub(crate) async fn acquire(&self) -> Result<Connection, sqlx::Error> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Connection::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => Connection::Postgres(pool.acquire().await?),
            Pool::MySql(pool) => Connection::MySql(pool.acquire().await?),
        })
    }
}

impl Connection {
    /// Lets `flag` stop the statement this connection runs: SQLite through its progress
    /// handler, checked every thousand virtual-machine steps (no `unsafe` here; sqlx holds it).
    /// PostgreSQL and MySQL statements are cancelled from another connection instead
    /// ([`Driver::cancel`]).
    pub(crate) async fn install_interrupt(
        &mut self,
        flag: Arc<AtomicBool>,
    ) -> Result<(), sqlx::Error> {
        match self {
            Connection::Sqlite(c) => {
                let mut handle = c.lock_handle().await?;
                handle.set_progress_handler(1000, move || !flag.load(Ordering::Relaxed));
                Ok(())
            }
            Connection::Postgres(_) | Connection::MySql(_) => Ok(()),
        }
    }

    /// Undoes [`Connection::install_interrupt`] before the connection goes back to the pool; a
    /// connection whose statement was interrupted is closed instead, so nothing of the run stays.
    pub(crate) async fn remove_interrupt(&mut self, interrupted: bool) {
        if let Connection::Sqlite(c) = self
            && let Ok(mut handle) = c.lock_handle().await
        {
            handle.remove_progress_handler();
        }
        if interrupted {
            self.close_on_drop();
        }
    }

    /// Closes the connection when it is dropped instead of returning it to the pool: its
    /// session state can no longer be trusted.
    pub(crate) fn close_on_drop(&mut self) {
        match self {
            Connection::Sqlite(c) => c.close_on_drop(),
            Connection::Postgres(c) => c.close_on_drop(),
            Connection::MySql(c) => c.close_on_drop(),
        }
    }

    /// Starts a transaction on this connection.
    pub(crate) async fn begin(&mut self) -> Result<Transaction<'_>, sqlx::Error> {
        use sqlx::Connection as _;
        Ok(match self {
            Connection::Sqlite(c) => Transaction::Sqlite(c.begin().await?),
            Connection::Postgres(c) => Transaction::Postgres(c.begin().await?),
            Connection::MySql(c) => Transaction::MySql(c.begin().await?),
        })
    }
}

impl Transaction<'_> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Transaction::Sqlite(tx) => tx.commit().await,
            Transaction::Postgres(tx) => tx.commit().await,
            Transaction::MySql(tx) => tx.commit().await,
        }
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Transaction::Sqlite(tx) => tx.rollback().await,
            Transaction::Postgres(tx) => tx.rollback().await,
            Transaction::MySql(tx) => tx.rollback().await,
        }
    }
}

/// The one integer `sql` returns.
pub(crate) async fn fetch_i64(target: Target<'_, '_>, sql: &str) -> Result<i64, sqlx::Error> {
    with_executor!(target, executor => {
        sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(executor).await
    })
}

pub(crate) async fn fetch_optional_string(
    target: Target<'_, '_>,
    sql: &str,
) -> Result<Option<String>, sqlx::Error> {
    with_executor!(target, executor => {
        sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(executor).await
    })
}

/// Runs `sql` with the simple protocol, so it may hold any statement the database accepts.
pub(crate) async fn execute(target: Target<'_, '_>, sql: &str) -> Result<(), sqlx::Error> {
    with_executor!(target, executor => {
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(executor).await.map(drop)
    })
}

/// Runs `sql`, which may hold several statements, with the simple protocol in one round trip:
/// the rows each statement affected, as each one finishes, and the error that stopped the rest.
pub(crate) fn execute_many<'a>(
    target: Target<'a, '_>,
    sql: &'a str,
) -> BoxStream<'a, Result<u64, sqlx::Error>> {
    with_executor!(target, executor => {
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute_many(executor)
            .map(|done| done.map(|result| result.rows_affected()))
            .boxed()
    })
}

fn normalized(url: &str) -> String {
    let url = url.trim_end_matches('/');
    for (alias, scheme) in [("postgresql:", "postgres:"), ("mariadb:", "mysql:")] {
        if let Some(rest) = url.strip_prefix(alias) {
            return format!("{scheme}{rest}");
        }
    }
    url.to_owned()
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("dialect", &self.dialect())
            .field("url", &self.url)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unsupported_scheme_is_a_clear_error_without_password() {
        let error = Driver::connect("oracle://scott:tiger@db/x")
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("unsupported database URL `oracle://scott:***@db/x`"));
        assert!(!message.contains("tiger"));
        let message = Driver::connect("not a url").await.unwrap_err().to_string();
        assert!(
            message.starts_with("unsupported database URL `not a url`: use sqlite://path.db"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn unreachable_server_names_the_url_without_password() {
        let error = Driver::connect("postgres://u:hunter2@127.0.0.1:1/db")
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("could not connect to postgres://u:***@127.0.0.1:1/db"),
            "{message}"
        );
        assert!(!message.contains("hunter2"));
    }

    #[tokio::test]
    async fn sqlite_file_is_created_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let driver = Driver::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        driver.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        assert!(path.exists());
        driver.close().await;
    }

    #[tokio::test]
    async fn reading_a_missing_sqlite_file_does_not_create_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-yet.db");
        let url = format!("sqlite://{}", path.display());
        let driver = Driver::connect_without_creating(&url).await.unwrap();
        driver.execute("SELECT 1").await.unwrap();
        assert_eq!(driver.redacted_url(), url);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn in_memory_database_survives_across_statements() {
        let driver = Driver::connect("sqlite::memory:").await.unwrap();
        driver.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        driver.execute("INSERT INTO t VALUES (1)").await.unwrap();
        let pool = driver.sqlite_pool().unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(count, 1);
    }
}
