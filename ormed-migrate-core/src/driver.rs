//! `Driver`: one handle over SQLite, PostgreSQL and MySQL/MariaDB connection pools.
//!
//! The runner needs very little from a database: run a statement, run several in a transaction,
//! and the ledger's few queries. Keeping that surface small (as sqlx's own migrate module does)
//! keeps each database's differences in one place.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, MySql, MySqlConnection, PgConnection, Postgres, Sqlite};

use crate::dialect::Dialect;
use crate::error::MigrationError;

/// How long to wait for a connection or a busy SQLite database before giving up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// A transaction on one connection; dropping it without `commit` rolls it back.
pub(crate) enum Transaction {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
    MySql(sqlx::Transaction<'static, MySql>),
}

/// One pooled connection, held for a whole non-transactional migration so that session state
/// (`SET …`) set by one statement is there for the next.
pub(crate) enum Connection {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
    MySql(PoolConnection<MySql>),
}

/// Where a statement runs: on the pool (autocommit), on one held connection (autocommit), or
/// inside a transaction.
pub(crate) enum Target<'a> {
    Pool(&'a Driver),
    Connection(&'a mut Connection),
    Transaction(&'a mut Transaction),
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
    pub async fn connect(url: &str) -> Result<Driver, MigrationError> {
        let redacted = redact_url(url);
        let connect_error = |source: sqlx::Error| MigrationError::Connect {
            url: redacted.clone(),
            source: Box::new(source),
        };
        let pool = match scheme(url).as_deref() {
            Some("sqlite") => Pool::Sqlite(connect_sqlite(url).await.map_err(connect_error)?),
            Some("postgres" | "postgresql") => {
                let options = PgConnectOptions::from_str(url).map_err(connect_error)?;
                probe::<PgConnection>(&options)
                    .await
                    .map_err(connect_error)?;
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(options);
                Pool::Postgres(pool)
            }
            Some("mysql" | "mariadb") => {
                // sqlx has no `mariadb:` scheme; the protocol is MySQL's.
                let url = url.replacen("mariadb:", "mysql:", 1);
                let options = MySqlConnectOptions::from_str(&url).map_err(connect_error)?;
                probe::<MySqlConnection>(&options)
                    .await
                    .map_err(connect_error)?;
                let pool = MySqlPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(options);
                Pool::MySql(pool)
            }
            _ => return Err(MigrationError::UnsupportedUrl { url: redacted }),
        };
        Ok(Driver {
            pool,
            url: redacted.into(),
            memory_lock: is_in_memory(url).then(crate::lock::new_memory_lock),
        })
    }

    /// Like [`Driver::connect`], but never creates a SQLite file: a missing file reads as an
    /// empty database (an in-memory one stands in for it), so read-only work such as `status`
    /// and `pretend` leaves no trace. Other databases connect as usual.
    pub async fn connect_without_creating(url: &str) -> Result<Driver, MigrationError> {
        let missing_file = scheme(url).as_deref() == Some("sqlite")
            && !is_in_memory(url)
            && SqliteConnectOptions::from_str(url)
                .is_ok_and(|options| !options.get_filename().exists());
        if !missing_file {
            return Driver::connect(url).await;
        }
        let mut driver = Driver::connect("sqlite::memory:").await?;
        driver.url = redact_url(url).into();
        Ok(driver)
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

    pub(crate) async fn begin(&self) -> Result<Transaction, sqlx::Error> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Transaction::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Transaction::Postgres(pool.begin().await?),
            Pool::MySql(pool) => Transaction::MySql(pool.begin().await?),
        })
    }
}

impl Transaction {
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

/// Runs `sql` with the simple protocol, so it may hold any statement the database accepts.
pub(crate) async fn execute(target: Target<'_>, sql: &str) -> Result<(), sqlx::Error> {
    with_executor!(target, executor => {
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(executor).await.map(drop)
    })
}

/// Opens and closes one connection, so a wrong URL or a server that is down is reported at once
/// (a pool would keep retrying until its timeout) with the server's own reason.
async fn probe<C: sqlx::Connection>(options: &C::Options) -> Result<(), sqlx::Error> {
    let no_answer = || {
        let message = format!("no answer from the server within {CONNECT_TIMEOUT:?}");
        sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, message))
    };
    let connection = tokio::time::timeout(CONNECT_TIMEOUT, C::connect_with(options))
        .await
        .map_err(|_| no_answer())??;
    connection.close().await
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(CONNECT_TIMEOUT);
    let in_memory = is_in_memory(url);
    let pool_options = SqlitePoolOptions::new().acquire_timeout(CONNECT_TIMEOUT);
    // An in-memory database lives and dies with its one connection: keep exactly one, forever.
    let pool_options = if in_memory {
        pool_options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool_options.max_connections(4)
    };
    pool_options.connect_with(options).await
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

fn is_in_memory(url: &str) -> bool {
    url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory"))
}

fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    Some(scheme.to_ascii_lowercase())
}

/// Replaces the password in `scheme://user:password@host/…` and any `password=…` parameter
/// (in a query string or a `key=value` connection string) with `***`. When in doubt it masks
/// more than the password, never less.
///
/// ```
/// # use ormed_migrate_core::driver::redact_url;
/// assert_eq!(redact_url("postgres://app:s3cret@db/prod"), "postgres://app:***@db/prod");
/// assert_eq!(redact_url("mysql://db/x?password=s3cret&ssl=1"), "mysql://db/x?password=***&ssl=1");
/// assert_eq!(redact_url("host=db password=s3cret"), "host=db password=***");
/// ```
pub fn redact_url(url: &str) -> String {
    redact_password_parameters(&redact_userinfo(url))
}

/// `user:password@` → `user:***@`. The userinfo ends at the *last* `@`, because a password may
/// itself contain `/`, `?`, `#` or `@`.
fn redact_userinfo(url: &str) -> String {
    let Some(authority_start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[authority_start..];
    let Some(at) = rest.rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => {
            format!("{}{user}:***{}", &url[..authority_start], &rest[at..])
        }
        None => url.to_owned(),
    }
}

/// Every `password=<value>` (any case), the value ending at `&`, `;` or white space.
fn redact_password_parameters(text: &str) -> String {
    const KEY: &str = "password=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find(KEY) {
        let value_start = search_from + found + KEY.len();
        let value_end = text[value_start..]
            .find(|c: char| c == '&' || c == ';' || c.is_whitespace())
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[copied..value_start]);
        out.push_str("***");
        copied = value_end;
        search_from = value_end;
    }
    out.push_str(&text[copied..]);
    out
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

    #[test]
    fn passwords_never_survive_redaction() {
        for (url, expected) in [
            (
                "postgres://u:p%40ss@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("mysql://root@127.0.0.1/test", "mysql://root@127.0.0.1/test"),
            (
                "mysql://root:@127.0.0.1/test",
                "mysql://root:***@127.0.0.1/test",
            ),
            ("postgres://u:a@b@h/db", "postgres://u:***@h/db"),
            ("sqlite://app.db", "sqlite://app.db"),
            (
                "postgres://h/db?user=u&Password=x",
                "postgres://h/db?user=u&Password=***",
            ),
            (
                "postgres://u:p/ss@127.0.0.1/db",
                "postgres://u:***@127.0.0.1/db",
            ),
            ("postgres://u:p?s#s@h/db", "postgres://u:***@h/db"),
            (
                "host=db user=u password=s3cret",
                "host=db user=u password=***",
            ),
            (
                "Server=x;Password=s3cret;Db=y",
                "Server=x;Password=***;Db=y",
            ),
        ] {
            assert_eq!(redact_url(url), expected);
        }
    }

    #[tokio::test]
    async fn unsupported_scheme_is_a_clear_error_without_password() {
        let error = Driver::connect("oracle://scott:tiger@db/x")
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("unsupported database URL `oracle://scott:***@db/x`"));
        assert!(!message.contains("tiger"));
        assert!(Driver::connect("not a url").await.is_err());
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
