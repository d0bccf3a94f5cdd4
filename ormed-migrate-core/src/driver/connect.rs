//! Opening a database from its URL, and saying exactly why it could not be opened.
//!
//! Every database gets one probe connection first, so that a wrong URL, a server that is down or
//! a SQLite path that cannot work is reported at once, in words that fit the database: "check
//! that the server is running" is wrong advice for a SQLite file in a missing directory.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Connection, MySqlConnection, PgConnection, SqliteConnection};

use super::Pool;
use crate::error::{ConnectError, MigrationError, configuration_message, database_message};
use crate::redact::{Secrets, redact_url};

/// How long to wait for a connection before giving up.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a SQLite statement waits for another connection's write lock.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's primary result code for "unable to open database file".
const SQLITE_CANTOPEN: &str = "14";

/// A pool, and whether it holds an in-memory SQLite database (which lives and dies with its
/// one connection and which no other process can see).
pub(super) struct Opened {
    pub(super) pool: Pool,
    pub(super) in_memory: bool,
}

/// What a connection failure needs to be reported: the URL safe to print, and the texts to
/// mask in the database's own message.
pub(super) struct Target<'u> {
    url: &'u str,
    redacted: String,
    secrets: Secrets,
}

impl<'u> Target<'u> {
    pub(super) fn new(url: &'u str) -> Target<'u> {
        Target {
            url,
            redacted: redact_url(url),
            secrets: Secrets::of_url(url),
        }
    }

    pub(super) fn redacted(&self) -> &str {
        &self.redacted
    }

    fn failed(&self, reason: &str, advice: impl Into<String>) -> MigrationError {
        ConnectError::Failed {
            url: self.redacted.clone(),
            reason: self.secrets.mask(reason),
            advice: self.secrets.mask(&advice.into()),
        }
        .into()
    }

    /// A server's connection failure, with advice that fits its kind.
    fn server_failed(&self, error: &sqlx::Error) -> MigrationError {
        let (reason, advice) = match error {
            sqlx::Error::Configuration(_) => (
                format!("the URL is not valid: {}", configuration_message(error)),
                "correct the URL (postgres://user:password@host:5432/database, \
                 mysql://user:password@host:3306/database)",
            ),
            sqlx::Error::Database(_) => (
                database_message(error),
                "the server answered but refused the connection: check the user, the password \
                 and the database name in the URL",
            ),
            sqlx::Error::Tls(_) => (
                error.to_string(),
                "check the TLS settings of the URL (sslmode / ssl-mode) and the server's \
                 certificate",
            ),
            _ => (
                error.to_string(),
                "check that the server is running and reachable at the URL's host and port",
            ),
        };
        self.failed(&reason, advice)
    }
}

/// Opens `url`'s database. A SQLite file is created when missing if `create` is set; without
/// it, a missing file reads as an empty database (an in-memory one stands in for it), so
/// read-only commands leave no trace.
pub(super) async fn open(target: &Target<'_>, create: bool) -> Result<Opened, MigrationError> {
    let pool = match scheme(target.url).as_deref() {
        Some("sqlite") => return open_sqlite(target, create).await,
        Some("postgres" | "postgresql") => {
            let options =
                PgConnectOptions::from_str(target.url).map_err(|e| target.server_failed(&e))?;
            probe::<PgConnection>(&options)
                .await
                .map_err(|e| target.server_failed(&e))?;
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(options),
            )
        }
        Some("mysql" | "mariadb") => {
            // sqlx has no `mariadb:` scheme; the protocol is MySQL's.
            let url = target.url.replacen("mariadb:", "mysql:", 1);
            let options =
                MySqlConnectOptions::from_str(&url).map_err(|e| target.server_failed(&e))?;
            probe::<MySqlConnection>(&options)
                .await
                .map_err(|e| target.server_failed(&e))?;
            Pool::MySql(
                MySqlPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(options),
            )
        }
        _ => {
            return Err(ConnectError::UnsupportedUrl {
                url: target.redacted.clone(),
            }
            .into());
        }
    };
    Ok(Opened {
        pool,
        in_memory: false,
    })
}

/// Opens and closes one connection, so a wrong URL or a server that is down is reported at once
/// (a pool would keep retrying until its timeout) with the server's own reason.
async fn probe<C: Connection>(options: &C::Options) -> Result<(), sqlx::Error> {
    let connection = tokio::time::timeout(CONNECT_TIMEOUT, C::connect_with(options))
        .await
        .map_err(|_| no_answer())??;
    connection.close().await
}

fn no_answer() -> sqlx::Error {
    let message = format!("no answer from the server within {CONNECT_TIMEOUT:?}");
    sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, message))
}

async fn open_sqlite(target: &Target<'_>, create: bool) -> Result<Opened, MigrationError> {
    let mut options = SqliteConnectOptions::from_str(target.url)
        .map_err(|e| {
            target.failed(
                &format!("the URL is not valid: {}", configuration_message(&e)),
                "write sqlite://path/to/app.db (created when missing) or sqlite::memory:",
            )
        })?
        .create_if_missing(create)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let path = options.get_filename().to_path_buf();
    if path.as_os_str().is_empty() && !asks_for_memory(target.url) {
        // SQLite would open a private temporary database, deleted on close: migrating it would
        // report success and keep nothing.
        return Err(target.failed(
            "the URL names no database file",
            "write sqlite://path/to/app.db (created when missing), or sqlite::memory: for a \
             database that lives only as long as the process",
        ));
    }
    let mut probe = match SqliteConnection::connect_with(&options).await {
        Ok(connection) => connection,
        Err(error) if !create && is_cant_open(&error) && !path.exists() => {
            options = stand_in_for_missing_file();
            SqliteConnection::connect_with(&options)
                .await
                .map_err(|e| sqlite_open_failed(target, &path, create, &e))?
        }
        Err(error) => return Err(sqlite_open_failed(target, &path, create, &error)),
    };
    let in_memory = main_database_is_in_memory(&mut probe)
        .await
        .map_err(|e| sqlite_open_failed(target, &path, create, &e))?;
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
    let pool = pool_options
        .connect_with(options)
        .await
        .map_err(|e| sqlite_open_failed(target, &path, create, &e))?;
    // Closed only now: the pool's connection keeps an in-memory database alive meanwhile.
    let _ = probe.close().await;
    Ok(Opened {
        pool: Pool::Sqlite(pool),
        in_memory,
    })
}

/// An empty in-memory database, read in place of a file that does not exist yet.
fn stand_in_for_missing_file() -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .in_memory(true)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
}

/// Whether the connection's main database is in memory: SQLite reports an empty file name for
/// it. Decided from the open connection, never from the URL's text (a file may be called
/// `a:memory:b.db`).
async fn main_database_is_in_memory(
    connection: &mut SqliteConnection,
) -> Result<bool, sqlx::Error> {
    let databases: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
        .fetch_all(connection)
        .await?;
    Ok(databases
        .iter()
        .any(|(_, name, file)| name == "main" && file.is_empty()))
}

/// `?mode=memory` among the URL's parameters (sqlx's other in-memory form, `:memory:`, gives
/// the database a generated name, so it never reaches the empty-path check).
fn asks_for_memory(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|pair| pair.eq_ignore_ascii_case("mode=memory"))
    })
}

fn is_cant_open(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| {
            code == SQLITE_CANTOPEN || code.parse::<u32>().is_ok_and(|c| c & 0xff == 14)
        })
}

/// Why SQLite could not open `path`, from the file system's point of view where it can tell.
fn sqlite_open_failed(
    target: &Target<'_>,
    path: &Path,
    create: bool,
    error: &sqlx::Error,
) -> MigrationError {
    let shown = path.display();
    let parent = parent_of(path);
    if path.is_dir() {
        return target.failed(
            &format!("`{shown}` is a directory, not a database file"),
            format!(
                "name a file, for example sqlite://{}",
                path.join("app.db").display()
            ),
        );
    }
    if !parent.exists() {
        return target.failed(
            &format!("the directory `{}` does not exist", parent.display()),
            format!(
                "create it (mkdir -p {}) or correct the path in the URL",
                parent.display()
            ),
        );
    }
    if !parent.is_dir() {
        return target.failed(
            &format!("`{}` is a file, not a directory", parent.display()),
            "correct the path in the URL",
        );
    }
    if !path.exists() && !create {
        return target.failed(
            &format!("`{shown}` does not exist"),
            "check the path in the URL",
        );
    }
    let reason = database_message(error);
    if is_cant_open(error) {
        return target.failed(
            &format!("SQLite cannot open `{shown}`: {reason}"),
            format!(
                "check that `{shown}` and its directory `{}` are readable and writable by this \
                 user (SQLite writes a journal file beside the database)",
                parent.display()
            ),
        );
    }
    target.failed(
        &format!("SQLite cannot open `{shown}`: {reason}"),
        "check the path and its permissions",
    )
}

/// The directory a SQLite file lives in (`.` for a bare file name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(super) fn scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    Some(scheme.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use crate::Driver;

    async fn connect_error(url: &str) -> String {
        match Driver::connect(url).await {
            Ok(_) => panic!("{url} connected"),
            Err(error) => error.to_string(),
        }
    }

    #[tokio::test]
    async fn a_sqlite_url_without_a_path_is_refused() {
        let message = connect_error("sqlite://").await;
        assert_eq!(
            message,
            "could not connect to sqlite://: the URL names no database file; write \
             sqlite://path/to/app.db (created when missing), or sqlite::memory: for a database \
             that lives only as long as the process"
        );
    }

    #[tokio::test]
    async fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("no_such_dir");
        let url = format!("sqlite://{}/app.db", missing.display());
        let message = connect_error(&url).await;
        assert_eq!(
            message,
            format!(
                "could not connect to {url}: the directory `{0}` does not exist; create it \
                 (mkdir -p {0}) or correct the path in the URL",
                missing.display()
            )
        );
        assert!(!message.contains("server"), "{message}");
    }

    #[tokio::test]
    async fn a_directory_is_not_a_database_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().display());
        let message = connect_error(&url).await;
        assert!(
            message.contains(&format!(
                "`{}` is a directory, not a database file; name a file, for example sqlite://{}",
                dir.path().display(),
                dir.path().join("app.db").display()
            )),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_file_named_like_memory_is_a_file_with_a_lock() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a:memory:b.db");
        let driver = Driver::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("connect");
        assert!(
            driver.memory_lock.is_none(),
            "a file, not an in-memory database"
        );
        driver
            .execute("CREATE TABLE t (x INTEGER)")
            .await
            .expect("create");
        assert!(path.exists());
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://?mode=memory",
        ] {
            let driver = Driver::connect(url).await.expect("in memory");
            assert!(driver.memory_lock.is_some(), "{url} is in memory");
        }
    }

    #[tokio::test]
    async fn a_bad_parameter_is_said_once() {
        let message = connect_error("postgres://u:pw@127.0.0.1:1/db?sslmode=bogus").await;
        assert_eq!(
            message,
            "could not connect to postgres://u:***@127.0.0.1:1/db?sslmode=bogus: the URL is not \
             valid: unknown value \"bogus\" for `ssl_mode`; correct the URL \
             (postgres://user:password@host:5432/database, \
             mysql://user:password@host:3306/database)"
        );
        let message = connect_error("sqlite://app.db?mode=bogus").await;
        assert!(
            message.contains("the URL is not valid: unknown value \"bogus\" for `mode`"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_read_only_url_says_why_writes_fail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ro.db");
        Driver::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("create")
            .close()
            .await;
        let driver = Driver::connect(&format!("sqlite://{}?mode=ro", path.display()))
            .await
            .expect("open read-only");
        let error = driver
            .execute("CREATE TABLE t (x INTEGER)")
            .await
            .expect_err("read-only");
        let problem = crate::error::environment_problem(&error).expect("an environment problem");
        assert!(
            problem.starts_with("SQLite cannot write to the database"),
            "{problem}"
        );
    }
}
