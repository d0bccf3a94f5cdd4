//! `SqlMigrationLedger`: the table in the application's database that records what ran, and
//! `ConnectionManager`, which holds named drivers.

mod format;
mod row;
mod shape;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use format::FORMAT_KEY;
pub use format::LEDGER_FORMAT;
pub use row::AppliedMigration;
pub(crate) use row::NewRow;

use crate::backend::{self, Backend};
use crate::descriptor::{Direction, MigrationDescriptor};
use crate::driver::{Driver, Target, with_executor};
use crate::error::{LedgerError, MigrationError, SetupError};
use crate::id::MigrationId;
use row::{STATUS_APPLIED, failed_status, spellings};

/// The ledger table's name unless told otherwise.
pub const DEFAULT_LEDGER_TABLE: &str = "orm_migrations";

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
    meta_table: String,
    quoted_meta: String,
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

impl SqlMigrationLedger {
    /// A ledger in table `table` (validated; schema-qualified names allowed on PostgreSQL),
    /// with its metadata table `<table>_meta` beside it (shortened with a hash of the name when
    /// that would pass the 63-byte identifier limit).
    pub fn new(driver: Driver, table: &str) -> Result<SqlMigrationLedger, MigrationError> {
        let quote = |name: &str| {
            driver
                .dialect()
                .quote_table(name)
                .map_err(|e| MigrationError::from(SetupError::InvalidTableName(e)))
        };
        quote(table)?;
        let meta_table = meta_table_name(table);
        Ok(SqlMigrationLedger {
            quoted: quote(table)?,
            quoted_meta: quote(&meta_table)?,
            table: table.to_owned(),
            meta_table,
            driver,
        })
    }

    /// This ledger with its tables qualified by `namespace` (a PostgreSQL schema, a MySQL
    /// database), unless its name is qualified already: its writes then reach the same tables
    /// whatever a migration's raw SQL does to the session's search path or current database.
    pub(crate) fn pinned_to(&self, namespace: &str) -> SqlMigrationLedger {
        let dialect = self.driver.dialect();
        let (false, Ok(schema)) = (
            self.table.contains('.'),
            dialect.quote_identifier(namespace),
        ) else {
            return self.clone();
        };
        SqlMigrationLedger {
            quoted: format!("{schema}.{}", self.quoted),
            quoted_meta: format!("{schema}.{}", self.quoted_meta),
            ..self.clone()
        }
    }

    /// A ledger on the connection called `name` in `manager`.
    pub fn managed(
        manager: &ConnectionManager,
        name: &str,
        table: &str,
    ) -> Result<SqlMigrationLedger, MigrationError> {
        let driver = manager
            .get(name)
            .ok_or_else(|| SetupError::UnknownConnection {
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

    fn backend(&self) -> &'static dyn Backend {
        backend::of(self.driver.dialect())
    }

    /// Creates the table if it does not exist. Idempotent, and safe when processes race.
    pub async fn ensure_initialized(&self) -> Result<(), MigrationError> {
        self.ensure_on(Target::Pool(&self.driver)).await
    }

    pub(crate) async fn ensure_on(&self, mut target: Target<'_, '_>) -> Result<(), MigrationError> {
        let sql = self.create_table_sql();
        let first = crate::driver::execute(target.reborrow(), &sql).await;
        // Two racing `CREATE TABLE IF NOT EXISTS` can still collide on PostgreSQL's catalog
        // (a unique violation); the loser finds the table there on a second try.
        let result = match first {
            Err(_) => crate::driver::execute(target.reborrow(), &sql).await,
            ok => ok,
        };
        result.map_err(|e| self.error("could not create the migration ledger table", e))?;
        self.ensure_format(target).await
    }

    fn create_table_sql(&self) -> String {
        let types = self.backend().ledger_types();
        let (applied_at, big) = (types.timestamp, types.big_integer);
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
        let row = NewRow::applied(descriptor, applied_at, batch, 0);
        self.insert(Target::Pool(&self.driver), &row).await
    }

    /// Every row, in order of application (batch, then id). A row that cannot be read, two
    /// rows for one migration, or a table that is not a ledger is an error that names the
    /// table, the row and the column.
    pub async fn read_applied(&self) -> Result<Vec<AppliedMigration>, MigrationError> {
        self.read_applied_on(Target::Pool(&self.driver)).await
    }

    pub(crate) async fn read_applied_on(
        &self,
        target: Target<'_, '_>,
    ) -> Result<Vec<AppliedMigration>, MigrationError> {
        let rows = self.read_rows(target).await?;
        let rows = rows.into_iter().collect::<Result<Vec<_>, _>>()?;
        self.check_duplicates(&rows)?;
        Ok(rows)
    }

    /// Refuses two rows that record one migration (its canonical and its legacy spelling).
    pub(crate) fn check_duplicates(&self, rows: &[AppliedMigration]) -> Result<(), MigrationError> {
        row::find_duplicate(&self.table, rows)
    }

    /// Every row, each decoded or with what is wrong with it, in order of application; rows
    /// that cannot be read come last.
    pub(crate) async fn read_rows(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<Vec<Result<AppliedMigration, MigrationError>>, MigrationError> {
        match self.read_rows_at_once(target.reborrow()).await? {
            Some(rows) => Ok(rows),
            None => self.read_rows_step_by_step(target).await,
        }
    }

    /// The careful way: the format checked, then the rows read, a failure explained.
    async fn read_rows_step_by_step(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<Vec<Result<AppliedMigration, MigrationError>>, MigrationError> {
        self.check_format(target.reborrow()).await?;
        let sql = format!("SELECT {} FROM {}", row::COLUMNS.join(", "), self.quoted);
        let table = self.table.as_str();
        let read = with_executor!(target.reborrow(), executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .fetch_all(executor)
                .await
                .map(|rows| decode_all(table, &rows))
        });
        let rows = match read {
            Ok(rows) => rows,
            Err(e) => {
                let failure = self.error("could not read the migration ledger", e);
                return Err(self.explain_read_failure(target, failure).await);
            }
        };
        Ok(in_order_of_application(rows))
    }

    /// Whether the ledger table exists, and its rows, in one query where it can: `Ok(None)`
    /// when the table is missing.
    pub(crate) async fn read_rows_if_present(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<Option<Vec<Result<AppliedMigration, MigrationError>>>, MigrationError> {
        if let Some(rows) = self.read_rows_at_once(target.reborrow()).await? {
            return Ok(Some(rows));
        }
        if !self.exists_on(target.reborrow()).await? {
            return Ok(None);
        }
        // The one-query read failed already; it is not tried again.
        self.read_rows_step_by_step(target).await.map(Some)
    }

    /// The common case in one round trip: the rows and the recorded format together, from a
    /// ledger whose metadata table is there. `Ok(None)` sends the caller the careful way, query
    /// by query, which explains what is wrong: the query failed (a table missing, an older
    /// ledger), or found no row to carry the format. A failed query changes nothing, and no
    /// caller reads the ledger inside a transaction, where it would abort it. Prepared, although
    /// it has no parameters: the rows then come in binary form, which decodes faster than the
    /// text an unprepared query returns (timestamps above all) and saves more than the round
    /// trip of the preparation on a ledger of thousands of rows.
    async fn read_rows_at_once(
        &self,
        target: Target<'_, '_>,
    ) -> Result<Option<Vec<Result<AppliedMigration, MigrationError>>>, MigrationError> {
        let sql = format!(
            "SELECT {}, (SELECT value FROM {} WHERE name = '{FORMAT_KEY}') AS ledger_format \
             FROM {}",
            row::COLUMNS.join(", "),
            self.quoted_meta,
            self.quoted
        );
        let table = self.table.as_str();
        let read = with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .fetch_all(executor)
                .await
                .map(|rows| {
                    let format = rows.first().map(format_of);
                    (format, decode_all(table, &rows))
                })
        });
        let Ok((Some(Some(format)), rows)) = read else {
            return Ok(None);
        };
        if format > LEDGER_FORMAT {
            return Err(self.newer(format));
        }
        Ok(Some(in_order_of_application(rows)))
    }

    /// Deletes the row of `id`, whichever of its spellings (canonical or legacy) it is stored
    /// under.
    pub async fn remove(&self, id: &MigrationId) -> Result<(), MigrationError> {
        let [canonical, legacy] = spellings(id);
        let sql = format!(
            "DELETE FROM {} WHERE id IN ({})",
            self.quoted,
            self.placeholders(2)
        );
        let target = Target::Pool(&self.driver);
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(&canonical).bind(&legacy).execute(executor).await.map(drop)
        })
        .map_err(|e| {
            self.error(
                format!("could not remove migration {id} from the ledger"),
                e,
            )
        })
    }

    pub(crate) async fn insert(
        &self,
        target: Target<'_, '_>,
        row: &NewRow,
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
        .map_err(|e| self.insert_failed(&row.id, e))
    }

    /// The error of a failed insert of migration `id`'s row, sent on its own or in a text.
    pub(crate) fn insert_failed(&self, id: &str, source: sqlx::Error) -> MigrationError {
        self.error(
            format!("could not record migration {id} in the ledger"),
            source,
        )
    }

    /// The error of a failed delete of the row stored as `stored_id`, on its own or in a text.
    pub(crate) fn delete_failed(&self, stored_id: &str, source: sqlx::Error) -> MigrationError {
        self.error(
            format!("could not remove migration {stored_id} from the ledger"),
            source,
        )
    }

    /// The insert of `row` as SQL text with its values written out, to send in one round trip
    /// with its migration's statements, which it times from `row.applied_at`. `None` where the
    /// ledger row does not go with the statements (MySQL), or where a value is not plain text:
    /// the bound [`SqlMigrationLedger::insert`] then runs on its own.
    pub(crate) fn insert_text(&self, row: &NewRow) -> Option<String> {
        let times = self.backend().ledger_times_in_text(row.applied_at)?;
        Some(format!(
            "INSERT INTO {} (id, checksum, batch, applied_at, execution_ms, status) \
             VALUES ({}, {}, {}, {}, {}, {})",
            self.quoted,
            plain_literal(&row.id)?,
            plain_literal(&row.checksum)?,
            row.batch,
            times.applied_at,
            times.execution_ms,
            plain_literal(row.status)?
        ))
    }

    /// The delete of the row stored as `stored_id` as SQL text, to send in one round trip with
    /// the statements of its rollback; `None` when the id is not plain text.
    pub(crate) fn delete_text(&self, stored_id: &str) -> Option<String> {
        Some(format!(
            "DELETE FROM {} WHERE id = {}",
            self.quoted,
            plain_literal(stored_id)?
        ))
    }

    /// Marks the row stored as `stored_id` as applied (clearing a failure mark) with its final
    /// duration.
    pub(crate) async fn mark_applied(
        &self,
        target: Target<'_, '_>,
        stored_id: &str,
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
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(STATUS_APPLIED)
                .bind(execution_ms)
                .bind(Utc::now())
                .bind(stored_id)
                .execute(executor)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(|e| {
            self.error(
                format!("could not record migration {stored_id} in the ledger"),
                e,
            )
        })
        .and_then(|rows| self.updated(rows, stored_id, "that it is applied"))
    }

    /// An update that found no row: the row vanished under the run.
    fn updated(
        &self,
        rows: u64,
        stored_id: &str,
        what: &'static str,
    ) -> Result<(), MigrationError> {
        match rows {
            0 => Err(LedgerError::RowVanished {
                table: self.table.clone(),
                stored_id: stored_id.to_owned(),
                what,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// Marks `id` as applied with `checksum`, clearing any failure mark: the repair for a
    /// migration finished by hand, or whose edited code was reviewed and accepted.
    pub async fn restamp(&self, id: &MigrationId, checksum: &str) -> Result<(), MigrationError> {
        let sql = format!(
            "UPDATE {} SET checksum = {}, status = {} WHERE id IN ({}, {})",
            self.quoted,
            self.placeholder(1),
            self.placeholder(2),
            self.placeholder(3),
            self.placeholder(4)
        );
        let [canonical, legacy] = spellings(id);
        let target = Target::Pool(&self.driver);
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(checksum)
                .bind(STATUS_APPLIED)
                .bind(&canonical)
                .bind(&legacy)
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

    /// Sets or clears the failure mark of the row stored as `stored_id`: set before running
    /// statements the database cannot roll back, cleared when they turn out not to have run.
    pub(crate) async fn set_failure(
        &self,
        target: Target<'_, '_>,
        stored_id: &str,
        failure: Option<Direction>,
    ) -> Result<(), MigrationError> {
        let sql = format!(
            "UPDATE {} SET status = {} WHERE id = {}",
            self.quoted,
            self.placeholder(1),
            self.placeholder(2)
        );
        let status = failure.map_or(STATUS_APPLIED, failed_status);
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str())).bind(status).bind(stored_id).execute(executor).await
                .map(|done| done.rows_affected())
        })
        .map_err(|e| self.error(format!("could not mark migration {stored_id} in the ledger"), e))
        .and_then(|rows| self.updated(rows, stored_id, "its state"))
    }

    /// Whether the ledger table exists, without creating it.
    pub async fn exists(&self) -> Result<bool, MigrationError> {
        self.exists_on(Target::Pool(&self.driver)).await
    }

    pub(crate) async fn exists_on(&self, target: Target<'_, '_>) -> Result<bool, MigrationError> {
        let (schema, table) = self.schema_and_table();
        let sql = self.backend().table_exists_query();
        let found: i64 = with_executor!(target, executor => {
            sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(schema).bind(table).fetch_one(executor).await
        })
        .map_err(|e| self.error("could not look for the migration ledger table", e))?;
        Ok(found > 0)
    }

    /// Deletes the row stored as `stored_id`; whether there was one.
    pub(crate) async fn delete(
        &self,
        target: Target<'_, '_>,
        stored_id: &str,
    ) -> Result<bool, MigrationError> {
        let sql = format!(
            "DELETE FROM {} WHERE id = {}",
            self.quoted,
            self.placeholder(1)
        );
        with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(sql.as_str())).bind(stored_id).execute(executor).await
                .map(|done| done.rows_affected() > 0)
        })
        .map_err(|e| self.delete_failed(stored_id, e))
    }

    /// `(schema, table)` of the possibly schema-qualified ledger name.
    fn schema_and_table(&self) -> (Option<&str>, &str) {
        schema_and_table(&self.table)
    }

    fn placeholder(&self, n: usize) -> String {
        self.backend().placeholder(n)
    }

    fn placeholders(&self, count: usize) -> String {
        (1..=count)
            .map(|n| self.placeholder(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(super) fn error(&self, context: impl Into<String>, source: sqlx::Error) -> MigrationError {
        LedgerError::Database {
            context: context.into(),
            table: self.table.clone(),
            source: Box::new(source),
        }
        .into()
    }
}

/// Every row of one result, decoded.
fn decode_all<R>(table: &str, rows: &[R]) -> Vec<Result<AppliedMigration, MigrationError>>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    // SQLite types each value, not each column: there every value is checked.
    let per_value = <R::Database as sqlx::Database>::NAME == "SQLite";
    rows.iter()
        .enumerate()
        .map(|(n, row)| row::decode(table, row, n == 0 || per_value))
        .collect()
}

/// `'text'` when `text` holds only letters, digits and `_ - . :` (ids, checksums and states
/// do), which every database reads the same way in a string literal; `None` otherwise.
fn plain_literal(text: &str) -> Option<String> {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    plain.then(|| format!("'{text}'"))
}

/// `(schema, table)` of a possibly schema-qualified table name.
fn schema_and_table(name: &str) -> (Option<&str>, &str) {
    match name.split_once('.') {
        Some((schema, table)) => (Some(schema), table),
        None => (None, name),
    }
}

/// `<table>_meta`; for a table name too long to take the suffix, the name cut short with eight
/// hex digits of its hash before `_meta`, so that every valid ledger name has a metadata table
/// and two long names do not share one. A schema qualifier is kept as it is.
fn meta_table_name(table: &str) -> String {
    const SUFFIX: &str = "_meta";
    let (schema, name) = match table.rsplit_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, table),
    };
    let meta = if name.len() + SUFFIX.len() <= crate::backend::MAX_IDENTIFIER_LEN {
        format!("{name}{SUFFIX}")
    } else {
        let hash = &crate::checksum::sha256_hex(name.as_bytes())[..8];
        let keep = crate::backend::MAX_IDENTIFIER_LEN - SUFFIX.len() - hash.len() - 1;
        // Identifiers are ASCII (validated), so any byte index is a char boundary.
        format!("{}_{hash}{SUFFIX}", &name[..keep])
    };
    match schema {
        Some(schema) => format!("{schema}.{meta}"),
        None => meta,
    }
}

/// The format a row read with the ledger's rows carries, when it is a number.
fn format_of<R: sqlx::Row>(row: &R) -> Option<u32>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let value: Option<String> = row.try_get(row::COLUMNS.len()).ok()?;
    value?.trim().parse().ok()
}

/// Rows by batch, then id; rows that cannot be read come last.
fn in_order_of_application(
    mut rows: Vec<Result<AppliedMigration, MigrationError>>,
) -> Vec<Result<AppliedMigration, MigrationError>> {
    rows.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => (a.batch, &a.id).cmp(&(b.batch, &b.id)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => std::cmp::Ordering::Equal,
    });
    rows
}

#[cfg(test)]
mod meta_name_tests {
    use super::meta_table_name;
    use crate::backend::MAX_IDENTIFIER_LEN;

    #[test]
    fn every_valid_ledger_name_has_a_metadata_table_of_a_valid_length() {
        assert_eq!(meta_table_name("orm_migrations"), "orm_migrations_meta");
        assert_eq!(
            meta_table_name("app.orm_migrations"),
            "app.orm_migrations_meta"
        );
        let fits = "x".repeat(58);
        assert_eq!(meta_table_name(&fits), format!("{fits}_meta"));
        for len in 59..=MAX_IDENTIFIER_LEN {
            let long = "y".repeat(len);
            let meta = meta_table_name(&long);
            assert_eq!(meta.len(), MAX_IDENTIFIER_LEN, "{meta}");
            assert!(meta.ends_with("_meta"));
            assert_ne!(
                meta,
                meta_table_name(&"y".repeat(len - 1)),
                "distinct per name"
            );
        }
    }
}
