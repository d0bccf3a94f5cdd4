//! The ledger's format: which version of the ledger's layout a database holds.
//!
//! The format is recorded in a small key/value table beside the ledger (`<ledger>_meta`, as
//! Rails keeps `ar_internal_metadata`), whose own layout never changes, so that any version of
//! this crate can read it even after a later version reshaped the ledger. A binary upgrades an
//! older ledger (under the migration lock, when it creates the ledger), reads an older one as
//! it is when it only reads, and refuses a newer one instead of misreading it.

use sqlx::AssertSqlSafe;

use super::SqlMigrationLedger;
use crate::driver::{Target, with_executor};
use crate::error::{LedgerError, MigrationError};

/// The ledger format this version writes and reads.
///
/// 1. The ledger of the first versions: `id`, `checksum`, `batch`, `applied_at`,
///    `execution_ms`, `status`, and no metadata table.
/// 2. The same columns, and the metadata table recording the format.
pub const LEDGER_FORMAT: u32 = 2;

/// The format of a ledger without a metadata table.
const FIRST_FORMAT: u32 = 1;

/// The metadata key of the format.
pub(super) const FORMAT_KEY: &str = "format";

impl SqlMigrationLedger {
    /// The metadata table's name: the ledger's, with `_meta` appended.
    pub fn meta_table(&self) -> &str {
        &self.meta_table
    }

    /// Creates the metadata table when missing and brings an older ledger up to
    /// [`LEDGER_FORMAT`]; a newer ledger is refused. Runs under the migration lock (or from
    /// `ensure_initialized`, which racing processes may call: every step is idempotent).
    pub(super) async fn ensure_format(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<(), MigrationError> {
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {} (name VARCHAR(64) NOT NULL PRIMARY KEY, \
             value VARCHAR(255) NOT NULL)",
            self.quoted_meta
        );
        let created = crate::driver::execute(target.reborrow(), &create).await;
        // Racing creations can collide on PostgreSQL's catalog; the loser finds it on a retry.
        if created.is_err() {
            crate::driver::execute(target.reborrow(), &create)
                .await
                .map_err(|e| self.error("could not create the ledger's metadata table", e))?;
        }
        match self.recorded_format(target.reborrow()).await? {
            Some(format) if format > LEDGER_FORMAT => Err(self.newer(format)),
            Some(LEDGER_FORMAT) => Ok(()),
            // A ledger just created has nothing to upgrade: it is simply stamped.
            None if self.has_no_rows(target.reborrow()).await? => {
                self.record_format(target, LEDGER_FORMAT).await
            }
            older => self.upgrade(target, older.unwrap_or(FIRST_FORMAT)).await,
        }
    }

    async fn has_no_rows(&self, target: Target<'_, '_>) -> Result<bool, MigrationError> {
        let sql = format!("SELECT COUNT(*) FROM {}", self.quoted);
        crate::driver::fetch_i64(target, &sql)
            .await
            .map(|rows| rows == 0)
            .map_err(|e| self.error("could not read the ledger", e))
    }

    /// Refuses a ledger written by a newer version; an older one is read as it is.
    pub(super) async fn check_format(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<(), MigrationError> {
        if !self.meta_exists(target.reborrow()).await? {
            return Ok(());
        }
        match self.recorded_format(target).await? {
            Some(format) if format > LEDGER_FORMAT => Err(self.newer(format)),
            _ => Ok(()),
        }
    }

    /// Upgrades the layout from `from`, step by step, then records the new format. Format 2
    /// changed nothing in the ledger itself; later formats add their steps here.
    async fn upgrade(&self, target: Target<'_, '_>, from: u32) -> Result<(), MigrationError> {
        tracing::info!(
            "upgrading the migration ledger {} from format {from} to {LEDGER_FORMAT}",
            self.table
        );
        self.record_format(target, LEDGER_FORMAT).await
    }

    async fn recorded_format(&self, target: Target<'_, '_>) -> Result<Option<u32>, MigrationError> {
        let sql = format!(
            "SELECT value FROM {} WHERE name = {}",
            self.quoted_meta,
            self.placeholder(1)
        );
        let value: Option<String> = with_executor!(target, executor => {
            sqlx::query_scalar(AssertSqlSafe(sql.as_str())).bind(FORMAT_KEY).fetch_optional(executor).await
        })
        .map_err(|e| self.error("could not read the ledger's format", e))?;
        value
            .map(|text| {
                text.trim()
                    .parse::<u32>()
                    .map_err(|_| LedgerError::UnreadableRow {
                        table: self.meta_table.clone(),
                        stored_id: FORMAT_KEY.to_owned(),
                        column: "value",
                        problem: format!("{text:?} is not a format number"),
                    })
            })
            .transpose()
            .map_err(MigrationError::from)
    }

    async fn record_format(
        &self,
        mut target: Target<'_, '_>,
        format: u32,
    ) -> Result<(), MigrationError> {
        // UPDATE, then INSERT when there was nothing to update: unlike DELETE + INSERT, racing
        // runners take no gap locks that InnoDB could find in a deadlock.
        let update = format!(
            "UPDATE {} SET value = {} WHERE name = {}",
            self.quoted_meta,
            self.placeholder(1),
            self.placeholder(2)
        );
        let insert = format!(
            "INSERT INTO {} (name, value) VALUES ({}, {})",
            self.quoted_meta,
            self.placeholder(1),
            self.placeholder(2)
        );
        let value = format.to_string();
        let updated = with_executor!(target.reborrow(), executor => {
            sqlx::query(AssertSqlSafe(update.as_str())).bind(&value).bind(FORMAT_KEY).execute(executor).await.map(|done| done.rows_affected())
        })
        .map_err(|e| self.error("could not record the ledger's format", e))?;
        if updated > 0 {
            return Ok(());
        }
        let inserted = with_executor!(target, executor => {
            sqlx::query(AssertSqlSafe(insert.as_str())).bind(FORMAT_KEY).bind(&value).execute(executor).await.map(drop)
        });
        // The row may exist with this value already (MySQL counts an UPDATE that changed nothing
        // as no row), or a racing runner recorded it in between: the same value, so a duplicate
        // key is no failure.
        match inserted {
            Ok(()) => Ok(()),
            Err(e)
                if e.as_database_error()
                    .is_some_and(|db| db.is_unique_violation()) =>
            {
                Ok(())
            }
            Err(e) => Err(self.error("could not record the ledger's format", e)),
        }
    }

    async fn meta_exists(&self, target: Target<'_, '_>) -> Result<bool, MigrationError> {
        let (schema, table) = super::schema_and_table(&self.meta_table);
        let sql = self.backend().table_exists_query();
        let found: i64 = with_executor!(target, executor => {
            sqlx::query_scalar(AssertSqlSafe(sql)).bind(schema).bind(table).fetch_one(executor).await
        })
        .map_err(|e| self.error("could not look for the ledger's metadata table", e))?;
        Ok(found > 0)
    }

    pub(super) fn newer(&self, format: u32) -> MigrationError {
        LedgerError::NewerFormat {
            table: self.table.clone(),
            format,
            supported: LEDGER_FORMAT,
        }
        .into()
    }
}
