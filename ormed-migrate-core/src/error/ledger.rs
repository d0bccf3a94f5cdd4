//! Errors of the ledger: its queries, rows that cannot be read, a table that is not a ledger.

use super::words::{database_message, environment_advice};
use crate::id::MigrationId;

/// The ledger could not be read or written, or says something that cannot be true.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// A query of the ledger failed.
    #[error(
        "{context} (ledger table {table}): {}{}",
        database_message(source),
        environment_advice(source)
    )]
    Database {
        /// What was being done.
        context: String,
        /// The ledger table.
        table: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A row that cannot be read: an id that is not a migration id, a NULL, a value of the
    /// wrong kind, an unknown status.
    #[error(
        "the migration ledger table {table} has a row that cannot be read: the row with id \
         {stored_id:?}, column `{column}`: {problem}. {}",
        unreadable_advice(column)
    )]
    UnreadableRow {
        /// The ledger table.
        table: String,
        /// The row's id exactly as stored (`"?"` when even the id cannot be read).
        stored_id: String,
        /// The column whose value is wrong.
        column: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    /// The row a run was about to update is gone: someone deleted it while the migration ran
    /// (a manual `DELETE`, another tool).
    #[error(
        "the migration ledger table {table} no longer has the row of migration {stored_id}: it \
         was removed while the migration ran, so the ledger could not record {what}"
    )]
    RowVanished {
        /// The ledger table.
        table: String,
        /// The row's id as stored.
        stored_id: String,
        /// What the update was to record.
        what: &'static str,
    },

    /// Two rows record the same migration (its canonical and its legacy spelling).
    #[error(
        "the migration ledger table {table} has two rows for migration {id}: {first:?} and \
         {second:?}. Leave one: record it as applied to keep a single row if its changes are in \
         the schema, or as rolled back to remove both if not."
    )]
    DuplicateRows {
        /// The ledger table.
        table: String,
        /// The migration.
        id: MigrationId,
        /// One stored id.
        first: String,
        /// The other.
        second: String,
    },

    /// A table with the ledger's name that is not a ledger (another tool's `migrations` table).
    #[error(
        "the table {table} is not an ormed-migrate migration ledger: {differences}. It may \
         belong to another tool (Laravel keeps a `migrations` table, Rails \
         `schema_migrations`). Leave it alone and give ormed-migrate a ledger table of its own \
         (the default is orm_migrations). Nothing was changed."
    )]
    NotALedger {
        /// The table.
        table: String,
        /// Which columns are missing or extra.
        differences: String,
    },

    /// The ledger was written by a newer version, in a format this one does not know.
    #[error(
        "the migration ledger table {table} was written by a newer version of ormed-migrate \
         (ledger format {format}; this version knows formats up to {supported}), so it is not \
         read, rather than misread. Run the newer version, or upgrade ormed-migrate in this \
         application. Nothing was changed."
    )]
    NewerFormat {
        /// The ledger table.
        table: String,
        /// The format it records.
        format: u32,
        /// The newest format this version knows.
        supported: u32,
    },

    /// A ledger row to remove, given exactly as stored, that the ledger does not have.
    #[error("the migration ledger table {table} has no row with id {stored_id:?}")]
    NoRow {
        /// The ledger table.
        table: String,
        /// The id as given.
        stored_id: String,
    },
}

/// What to do about an unreadable row: remove a row that is not a migration, rewrite one that is.
fn unreadable_advice(column: &str) -> &'static str {
    if column == "id" {
        "Only ormed-migrate writes this table, so the row was added by hand or by another tool. \
         Remove it by its id as stored (this deletes that ledger row and runs nothing), or \
         correct its id in the table."
    } else {
        "Correct the value in the table by hand, or rewrite the row: record the migration as \
         applied if its changes are in the schema, or as rolled back if they are not."
    }
}
