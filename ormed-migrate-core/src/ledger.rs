//! `SqlMigrationLedger`: the table in the application's database that records what ran, and
//! `ConnectionManager`, which holds named drivers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};

use crate::descriptor::{Direction, MigrationDescriptor};
use crate::dialect::Dialect;
use crate::driver::{Driver, Target, with_executor};
use crate::error::MigrationError;
use crate::id::MigrationId;

/// The ledger table's name unless told otherwise.
pub const DEFAULT_LEDGER_TABLE: &str = "orm_migrations";

/// A row of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The migration.
    pub id: MigrationId,
    /// Its checksum when it was applied.
    pub checksum: String,
    /// The batch it was applied in.
    pub batch: i64,
    /// When it finished (UTC).
    pub applied_at: DateTime<Utc>,
    /// How long it took.
    pub execution_ms: i64,
    /// `Some(direction)` when it failed part way and the database could not undo it.
    pub failed: Option<Direction>,
}

/// The ledger of applied migrations, one row per migration, in the application's database.
///
/// ```no_run
/// # async fn demo(descriptor: ormed_migrate_core::MigrationDescriptor) -> Result<(), ormed_migrate_core::MigrationError> {
/// use ormed_migrate_core::{Driver, SqlMigrationLedger};
///
/// let driver = Driver::connect("sqlite://app.db").await?;
/// let ledger = SqlMigrationLedger::new(driver, "orm_migrations")?;
/// ledger.ensure_initialized().await?;
/// let batch = ledger.next_batch_number().await?;
/// ledger.log_applied(&descriptor, chrono::Utc::now(), batch).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SqlMigrationLedger {
    driver: Driver,
    table: String,
    quoted: String,
}

/// Named drivers, for applications with several databases.
///
/// ```no_run
/// # async fn demo() -> Result<(), ormed_migrate_core::MigrationError> {
/// use ormed_migrate_core::{ConnectionManager, Driver, SqlMigrationLedger};
///
/// let mut connections = ConnectionManager::new();
/// connections.register("primary", Driver::connect("sqlite://app.db").await?);
/// let ledger = SqlMigrationLedger::managed(&connections, "primary", "orm_migrations")?;
/// ledger.ensure_initialized().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ConnectionManager {
    drivers: BTreeMap<String, Driver>,
}

impl ConnectionManager {
    /// No connections yet.
    pub fn new() -> ConnectionManager {
        ConnectionManager::default()
    }

    /// Registers (or replaces) the driver called `name`.
    pub fn register(&mut self, name: &str, driver: Driver) -> &mut Self {
        self.drivers.insert(name.to_owned(), driver);
        self
    }

    /// The driver called `name`.
    pub fn get(&self, name: &str) -> Option<&Driver> {
        self.drivers.get(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.drivers.keys().map(String::as_str)
    }
}

const STATUS_APPLIED: &str = "applied";
const STATUS_FAILED_UP: &str = "failed_up";
const STATUS_FAILED_DOWN: &str = "failed_down";

impl SqlMigrationLedger {
    /// A ledger in table `table` (validated; schema-qualified names allowed on PostgreSQL).
    pub fn new(driver: Driver, table: &str) -> Result<SqlMigrationLedger, MigrationError> {
        let quoted = driver
            .dialect()
            .quote_table(table)
            .map_err(MigrationError::InvalidTableName)?;
        Ok(SqlMigrationLedger {
            driver,
            table: table.to_owned(),
            quoted,
        })
    }

    /// A ledger on the connection called `name` in `manager`.
    pub fn managed(
        manager: &ConnectionManager,
        name: &str,
        table: &str,
    ) -> Result<SqlMigrationLedger, MigrationError> {
        let driver = manager
            .get(name)
            .ok_or_else(|| MigrationError::UnknownConnection {
                name: name.to_owned(),
                registered: manager.names().collect::<Vec<_>>().join(", "),
            })?;
        SqlMigrationLedger::new(driver.clone(), table)
    }

    /// The table name as given.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The driver the ledger lives on.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    fn dialect(&self) -> Dialect {
        self.driver.dialect()
    }

    /// Creates the table if it does not exist. Idempotent, and safe when processes race.
    pub async fn ensure_initialized(&self) -> Result<(), MigrationError> {
        let sql = self.create_table_sql();
        let first = crate::driver::execute(Target::Pool(&self.driver), &sql).await;
        // Two racing `CREATE TABLE IF NOT EXISTS` can still collide on PostgreSQL's catalog
        // (a unique violation); the loser finds the table there on a second try.
        let result = match first {
            Err(_) => crate::driver::execute(Target::Pool(&self.driver), &sql).await,
            ok => ok,
        };
        result.map_err(|e| self.error("could not create the migration ledger table", e))
    }

    fn create_table_sql(&self) -> String {
        let (applied_at, big) = match self.dialect() {
            Dialect::Sqlite => ("TEXT", "INTEGER"),
            Dialect::Postgres => ("TIMESTAMPTZ", "BIGINT"),
            // DATETIME(6) holds the UTC value as written: no session time-zone conversion.
            Dialect::MySql => ("DATETIME(6)", "BIGINT"),
        };
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\
             id VARCHAR(255) NOT NULL PRIMARY KEY, \
             checksum VARCHAR(128) NOT NULL, \
             batch {big} NOT NULL, \
             applied_at {applied_at} NOT NULL, \
             execution_ms {big} NOT NULL, \
             status VARCHAR(16) NOT NULL DEFAULT 'applied')",
            self.quoted
        )
    }

    /// One more than the highest batch recorded (1 for an empty ledger).
    pub async fn next_batch_number(&self) -> Result<i64, MigrationError> {
        let sql = format!("SELECT COALESCE(MAX(batch), 0) FROM {}", self.quoted);
        let target = Target::Pool(&self.driver);
        let max: i64 = with_executor!(target, executor => {
            sqlx::query_scalar(AssertSqlSafe(sql.as_str())).fetch_one(executor).await
        })
        .map_err(|e| self.error("could not read the migration ledger", e))?;
        Ok(max + 1)
    }

    /// Records `descriptor` as applied in `batch`.
    pub async fn log_applied(
        &self,
        descriptor: &MigrationDescriptor,
        applied_at: DateTime<Utc>,
        batch: i64,
    ) -> Result<(), MigrationError> {
        let row = LedgerRow::applied(descriptor, applied_at, batch, 0);
        self.insert(Target::Pool(&self.driver), &row).await
    }

    /// Every row, in order of application (batch, then id).
    pub async fn read_applied(&self) -> Result<Vec<AppliedMigration>, MigrationError> {
        let sql = format!(
            "SELECT id, checksum, batch, applied_at, execution_ms, status FROM {} \
             ORDER BY batch, id",
            self.quoted
        );
        let target = Target::Pool(&self.driver);
        let rows = with_executor!(target, executor => {
            let rows = sqlx::query(AssertSqlSafe(sql.as_str())).fetch_all(executor).await;
            rows.and_then(|rows| rows.iter().map(|row| Ok(RawRow {
                id: row.try_get(0)?,
                checksum: row.try_get(1)?,
                batch: row.try_get(2)?,
                applied_at: row.try_get(3)?,
                execution_ms: row.try_get(4)?,
                status: row.try_get(5)?,
            })).collect::<Result<Vec<_>, sqlx::Error>>())
        })
        .map_err(|e| self.error("could not read the migration ledger", e))?;
        rows.into_iter().map(|row| self.decode(row)).collect()
    }

    fn decode(&self, row: RawRow) -> Result<AppliedMigration, MigrationError> {
        let id = MigrationId::parse(&row.id)?;
        let failed = match row.status.as_str() {
            STATUS_FAILED_UP => Some(Direction::Up),
            STATUS_FAILED_DOWN => Some(Direction::Down),
            _ => None,
        };
        Ok(AppliedMigration {
            id,
            checksum: row.checksum,
            batch: row.batch,
            applied_at: row.applied_at,
            execution_ms: row.execution_ms,
            failed,
        })
    }

    /// Deletes the row of `id`.
    pub async fn remove(&self, id: &MigrationId) -> Result<(), MigrationError> {
        self.delete(Target::Pool(&self.driver), id).await
    }

    pub(crate) async fn insert(
        &self,
        target: Target<'_>,
        row: &LedgerRow,
    ) -> Result<(), MigrationError> {
        let sql = format!(
            "INSERT INTO {} (id, checksum, batch, applied_at, execution_ms, status) \
             VALUES ({})",
            self.quoted,
            self.placeholders(6)
        );
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(&row.id)
                .bind(&row.checksum)
                .bind(row.batch)
                .bind(row.applied_at)
                .bind(row.execution_ms)
                .bind(row.status)
                .execute(executor)
                .await
                .map(drop)
        })
        .map_err(|e| {
            self.error(
                format!("could not record migration {} in the ledger", row.id),
                e,
            )
        })
    }

    /// Marks `id` as applied (clearing a failure mark) with its final duration.
    pub(crate) async fn mark_applied(
        &self,
        target: Target<'_>,
        id: &MigrationId,
        execution_ms: i64,
    ) -> Result<(), MigrationError> {
        let sql = format!(
            "UPDATE {} SET status = {}, execution_ms = {}, applied_at = {} WHERE id = {}",
            self.quoted,
            self.placeholder(1),
            self.placeholder(2),
            self.placeholder(3),
            self.placeholder(4)
        );
        let id_text = id.to_string();
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(STATUS_APPLIED)
                .bind(execution_ms)
                .bind(Utc::now())
                .bind(&id_text)
                .execute(executor)
                .await
                .map(drop)
        })
        .map_err(|e| self.error(format!("could not record migration {id} in the ledger"), e))
    }

    /// Marks `id` as applied with `checksum`, clearing any failure mark: the repair for a
    /// migration finished by hand, or whose edited code was reviewed and accepted.
    pub async fn restamp(&self, id: &MigrationId, checksum: &str) -> Result<(), MigrationError> {
        let sql = format!(
            "UPDATE {} SET checksum = {}, status = {} WHERE id = {}",
            self.quoted,
            self.placeholder(1),
            self.placeholder(2),
            self.placeholder(3)
        );
        let id_text = id.to_string();
        let target = Target::Pool(&self.driver);
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(checksum)
                .bind(STATUS_APPLIED)
                .bind(&id_text)
                .execute(executor)
                .await
                .map(drop)
        })
        .map_err(|e| {
            self.error(
                format!("could not re-stamp migration {id} in the ledger"),
                e,
            )
        })
    }

    /// Sets or clears the failure mark of `id`: set before running statements the database
    /// cannot roll back, cleared when they turn out not to have run.
    pub(crate) async fn set_failure(
        &self,
        target: Target<'_>,
        id: &MigrationId,
        failure: Option<Direction>,
    ) -> Result<(), MigrationError> {
        let sql = format!(
            "UPDATE {} SET status = {} WHERE id = {}",
            self.quoted,
            self.placeholder(1),
            self.placeholder(2)
        );
        let id_text = id.to_string();
        let status = failure.map_or(STATUS_APPLIED, failed_status);
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str())).bind(status).bind(&id_text).execute(executor).await.map(drop)
        })
        .map_err(|e| self.error(format!("could not mark migration {id} in the ledger"), e))
    }

    /// Whether the ledger table exists, without creating it.
    pub async fn exists(&self) -> Result<bool, MigrationError> {
        let (schema, table) = match self.table.split_once('.') {
            Some((schema, table)) => (Some(schema), table),
            None => (None, self.table.as_str()),
        };
        let target = Target::Pool(&self.driver);
        let found: i64 = match self.dialect() {
            Dialect::Sqlite => with_executor!(target, executor => {
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
                    .bind(table).fetch_one(executor).await
            }),
            Dialect::Postgres => with_executor!(target, executor => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2",
                )
                .bind(schema).bind(table).fetch_one(executor).await
            }),
            Dialect::MySql => with_executor!(target, executor => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = ?",
                )
                .bind(table).fetch_one(executor).await
            }),
        }
        .map_err(|e| self.error("could not look for the migration ledger table", e))?;
        Ok(found > 0)
    }

    pub(crate) async fn delete(
        &self,
        target: Target<'_>,
        id: &MigrationId,
    ) -> Result<(), MigrationError> {
        let sql = format!(
            "DELETE FROM {} WHERE id = {}",
            self.quoted,
            self.placeholder(1)
        );
        let id_text = id.to_string();
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str())).bind(&id_text).execute(executor).await.map(drop)
        })
        .map_err(|e| self.error(format!("could not remove migration {id} from the ledger"), e))
    }

    fn placeholder(&self, n: usize) -> String {
        match self.dialect() {
            Dialect::Postgres => format!("${n}"),
            Dialect::Sqlite | Dialect::MySql => "?".to_owned(),
        }
    }

    fn placeholders(&self, count: usize) -> String {
        (1..=count)
            .map(|n| self.placeholder(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn error(&self, context: impl Into<String>, source: sqlx::Error) -> MigrationError {
        MigrationError::database(
            format!("{} (ledger table {})", context.into(), self.table),
            source,
        )
    }
}

fn failed_status(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => STATUS_FAILED_UP,
        Direction::Down => STATUS_FAILED_DOWN,
    }
}

struct RawRow {
    id: String,
    checksum: String,
    batch: i64,
    applied_at: DateTime<Utc>,
    execution_ms: i64,
    status: String,
}

/// A row to insert.
pub(crate) struct LedgerRow {
    pub(crate) id: String,
    pub(crate) checksum: String,
    pub(crate) batch: i64,
    pub(crate) applied_at: DateTime<Utc>,
    pub(crate) execution_ms: i64,
    pub(crate) status: &'static str,
}

impl LedgerRow {
    pub(crate) fn applied(
        descriptor: &MigrationDescriptor,
        applied_at: DateTime<Utc>,
        batch: i64,
        execution_ms: i64,
    ) -> LedgerRow {
        LedgerRow {
            id: descriptor.id.to_string(),
            checksum: descriptor.checksum.clone(),
            batch,
            applied_at,
            execution_ms,
            status: STATUS_APPLIED,
        }
    }

    /// A row written before a non-transactional run, cleared on success.
    pub(crate) fn failed(descriptor: &MigrationDescriptor, batch: i64) -> LedgerRow {
        LedgerRow {
            status: failed_status(Direction::Up),
            ..LedgerRow::applied(descriptor, Utc::now(), batch, 0)
        }
    }
}
