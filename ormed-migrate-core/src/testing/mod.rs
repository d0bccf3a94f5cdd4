//! Testing helpers: a fresh, isolated database per test, the reversibility check, and stepping
//! through migrations.
//!
//! SQLite gets a new file in a temporary directory; PostgreSQL and MySQL get a uniquely named
//! database created through the server URL you give (or the one in `ORMED_TEST_POSTGRES_URL` /
//! `ORMED_TEST_MYSQL_URL`: [`TestDatabase::postgres`], [`TestDatabase::mysql`]), dropped again
//! by [`TestDatabase::cleanup`]. Tests that use them can run in parallel.
//!
//! - [`assert_reversible`] applies each migration, rolls it back, and fails with a readable diff
//!   when the schema is not what it was before;
//! - [`TestDatabase::steps`] migrates to just before a migration, so a test can seed rows, apply
//!   it, assert on the data and roll it back.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ormed_migrate_core::MigrationError> {
//! use ormed_migrate_core::testing::TestDatabase;
//!
//! let db = TestDatabase::sqlite().await?;
//! db.driver().execute("CREATE TABLE t (x INTEGER)").await.expect("create");
//! db.cleanup().await?;
//! # Ok(()) }
//! ```

mod reversible;
mod steps;

pub use reversible::{NotReversible, assert_reversible, check_reversible};
pub use steps::Steps;

use std::sync::atomic::{AtomicU32, Ordering};

use crate::driver::redact_url;
use crate::error::SetupError;
use crate::{
    DEFAULT_LEDGER_TABLE, Dialect, Driver, MigrationDescriptor, MigrationError, MigrationRunner,
    SqlMigrationLedger,
};

/// Environment variable with a PostgreSQL server URL for server-backed tests.
pub const POSTGRES_URL_VAR: &str = "ORMED_TEST_POSTGRES_URL";
/// Environment variable with a MySQL/MariaDB server URL for server-backed tests.
pub const MYSQL_URL_VAR: &str = "ORMED_TEST_MYSQL_URL";

/// A database that exists for one test.
pub struct TestDatabase {
    driver: Driver,
    url: String,
    /// Taken by [`TestDatabase::cleanup`]; what is left is done on drop (a test that panicked).
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    Directory(tempfile::TempDir),
    Drop { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new SQLite file in its own temporary directory.
    pub async fn sqlite() -> Result<TestDatabase, MigrationError> {
        let dir = tempfile::tempdir().map_err(|e| SetupError::TestDatabase {
            context: "could not create a temporary directory".to_owned(),
            source: Box::new(e),
        })?;
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Ok(TestDatabase {
            driver: Driver::connect(&url).await?,
            url,
            cleanup: Some(Cleanup::Directory(dir)),
        })
    }

    /// A new database on the PostgreSQL or MySQL server at `server_url` (whose own database is
    /// used only to create and drop the test database).
    pub async fn on_server(server_url: &str) -> Result<TestDatabase, MigrationError> {
        let admin = Driver::connect(server_url).await?;
        let name = unique_name();
        let quoted = admin
            .dialect()
            .quote_identifier(&name)
            .map_err(SetupError::InvalidTableName)?;
        admin
            .execute(&format!("CREATE DATABASE {quoted}"))
            .await
            .map_err(|e| {
                let server = redact_url(server_url);
                SetupError::TestDatabase {
                    context: format!("could not create test database {name} on {server}"),
                    source: Box::new(e),
                }
            })?;
        admin.close().await;
        let url = with_database(server_url, &name);
        Ok(TestDatabase {
            driver: Driver::connect(&url).await?,
            url,
            cleanup: Some(Cleanup::Drop {
                admin_url: server_url.to_owned(),
                name,
            }),
        })
    }

    /// A new database on the PostgreSQL server in `ORMED_TEST_POSTGRES_URL`, or `None` when the
    /// variable is unset or empty (skip the test then).
    pub async fn postgres() -> Result<Option<TestDatabase>, MigrationError> {
        TestDatabase::from_variable(POSTGRES_URL_VAR).await
    }

    /// A new database on the MySQL/MariaDB server in `ORMED_TEST_MYSQL_URL`, or `None` when
    /// the variable is unset or empty.
    pub async fn mysql() -> Result<Option<TestDatabase>, MigrationError> {
        TestDatabase::from_variable(MYSQL_URL_VAR).await
    }

    async fn from_variable(variable: &str) -> Result<Option<TestDatabase>, MigrationError> {
        match std::env::var(variable) {
            Ok(url) if !url.is_empty() => TestDatabase::on_server(&url).await.map(Some),
            _ => Ok(None),
        }
    }

    /// A runner for `migrations` on this database, with the default ledger table.
    pub fn runner(
        &self,
        migrations: Vec<MigrationDescriptor>,
    ) -> Result<MigrationRunner, MigrationError> {
        let ledger = SqlMigrationLedger::new(self.driver.clone(), DEFAULT_LEDGER_TABLE)?;
        Ok(MigrationRunner::new(
            self.driver.clone(),
            ledger,
            migrations,
        ))
    }

    /// The database's URL (it may hold a password: print [`Driver::redacted_url`] instead).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A driver connected to it.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The one integer `sql` returns (`SELECT COUNT(*) FROM posts`), on any of the three
    /// databases: for assertions on data without a query per database.
    ///
    /// The statement is not cached: a test reads the same query again after a migration
    /// changed a column's type, which a cached PostgreSQL plan refuses ("cached plan must not
    /// change result type").
    pub async fn fetch_i64(&self, sql: &str) -> Result<i64, MigrationError> {
        let target = crate::driver::Target::Pool(&self.driver);
        let fetched: Result<i64, sqlx::Error> = crate::driver::with_executor!(target, executor => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).persistent(false).fetch_one(executor).await
        });
        fetched.map_err(|e| MigrationError::database(format!("the test query `{sql}` failed"), e))
    }

    /// Its dialect.
    pub fn dialect(&self) -> Dialect {
        self.driver.dialect()
    }

    /// Closes the connections and removes the database. A database whose test panicked
    /// before this is removed when it is dropped instead (on a thread of its own, since drop
    /// cannot wait on the async driver), so failing tests do not leave databases behind.
    pub async fn cleanup(mut self) -> Result<(), MigrationError> {
        self.driver.close().await;
        match self.cleanup.take() {
            Some(cleanup) => cleanup.run().await,
            None => Ok(()),
        }
    }
}

impl Cleanup {
    async fn run(self) -> Result<(), MigrationError> {
        let (admin_url, name) = match self {
            Cleanup::Directory(dir) => {
                drop(dir);
                return Ok(());
            }
            Cleanup::Drop { admin_url, name } => (admin_url, name),
        };
        let admin = Driver::connect(&admin_url).await?;
        let quoted = admin
            .dialect()
            .quote_identifier(&name)
            .map_err(SetupError::InvalidTableName)?;
        let drop = crate::backend::of(admin.dialect()).drop_database(&quoted);
        let dropped = admin.execute(&drop).await;
        admin.close().await;
        dropped.map_err(|e| SetupError::TestDatabase {
            context: format!("could not drop test database {name}"),
            source: Box::new(e),
        })?;
        Ok(())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(cleanup @ Cleanup::Drop { .. }) = self.cleanup.take() else {
            return;
        };
        // Best effort: a test that failed is already reporting its own error.
        let dropping = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime
                && let Err(error) = runtime.block_on(cleanup.run())
            {
                eprintln!("warning: {error}");
            }
        });
        let _ = dropping.join();
    }
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URLs may hold a password: show the driver, which only knows the masked URL.
        f.debug_struct("TestDatabase")
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}

/// `ormed_test_<pid>_<counter>_<nanos>`: unique across parallel tests and processes.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "ormed_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `server_url` with its database path replaced by `name`, query string kept.
pub fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/test", "x"),
            "postgres://root@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("mysql://root:pw@h/test?ssl-mode=disabled", "x"),
            "mysql://root:pw@h/x?ssl-mode=disabled"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
