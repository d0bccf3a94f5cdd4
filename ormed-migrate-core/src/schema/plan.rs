//! A recorded plan: the operations one direction of a migration performs, in order.

use super::{ColumnDefinition, ForeignKeyDefinition, IndexDefinition};
use crate::Dialect;

/// The operations recorded by one `up` or `down`, in the order they run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The operations, in order.
    pub operations: Vec<Operation>,
    /// Set by the default `Migration::down`: there is no way back.
    pub irreversible: bool,
}

/// One schema change. New kinds of change are added as new variants.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// `schema.create(table, |t| …)`.
    CreateTable(CreateTable),
    /// `schema.drop(table)` and `schema.drop_if_exists(table)`.
    DropTable {
        /// The table to drop.
        table: String,
        /// Render `IF EXISTS`.
        if_exists: bool,
    },
    /// `schema.rename(from, to)`.
    RenameTable {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `schema.raw(sql)` (every dialect) or `schema.raw_for(dialect, sql)` (one dialect).
    Raw {
        /// One SQL statement, run as written.
        sql: String,
        /// Only on this dialect; `None` for all.
        dialect: Option<Dialect>,
    },
}

/// A table to create, with its columns, indexes and foreign keys.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    /// The table name.
    pub table: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDefinition>,
    /// Indexes and unique constraints, created after the table.
    pub indexes: Vec<IndexDefinition>,
    /// Foreign keys, declared inside `CREATE TABLE`.
    pub foreign_keys: Vec<ForeignKeyDefinition>,
}

impl Plan {
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}
