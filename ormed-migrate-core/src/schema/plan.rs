//! A recorded plan: the operations one direction of a migration performs, in order.

use super::{ColumnDefinition, ForeignKeyDefinition, IndexDefinition, PrimaryKeyDefinition};
use crate::dialect::Dialect;

/// The operations recorded by one `up` or `down`, in the order they run.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// The operations, in order.
    pub operations: Vec<Operation>,
    /// There is no way back: rolling back is refused before anything runs.
    pub irreversible: bool,
    /// Recorded by the default `Migration::down`: the migration has no `down` of its own.
    /// Checksums encode this, not whatever the default records.
    pub not_written: bool,
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

/// A table to create: its changes, in the order written.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreateTable {
    /// The table name.
    pub table: String,
    /// Columns, keys, indexes and foreign keys, each one command.
    pub commands: Vec<TableCommand>,
}

/// One change to a table. Column modifiers (`.unique()`, `.index()`, `.primary()`,
/// `.constrained(..)`) are recorded as commands of their own, so a renderer has one thing to
/// render per command. More kinds (change, drop and rename of columns, drops of indexes and
/// keys) come with `schema.table(..)`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TableCommand {
    /// Add a column.
    AddColumn(ColumnDefinition),
    /// Add the primary key.
    AddPrimary(PrimaryKeyDefinition),
    /// Add an index or unique index.
    AddIndex(IndexDefinition),
    /// Add a foreign key.
    AddForeign(ForeignKeyDefinition),
}

impl CreateTable {
    /// The columns, in order.
    pub fn columns(&self) -> impl Iterator<Item = &ColumnDefinition> {
        self.commands.iter().filter_map(|command| match command {
            TableCommand::AddColumn(column) => Some(column),
            _ => None,
        })
    }

    /// The indexes and unique indexes, in order.
    pub fn indexes(&self) -> impl Iterator<Item = &IndexDefinition> {
        self.commands.iter().filter_map(|command| match command {
            TableCommand::AddIndex(index) => Some(index),
            _ => None,
        })
    }

    /// The foreign keys, in order.
    pub fn foreign_keys(&self) -> impl Iterator<Item = &ForeignKeyDefinition> {
        self.commands.iter().filter_map(|command| match command {
            TableCommand::AddForeign(key) => Some(key),
            _ => None,
        })
    }

    /// The primary keys declared (a table has one; more is an error the renderer reports).
    pub fn primary_keys(&self) -> impl Iterator<Item = &PrimaryKeyDefinition> {
        self.commands.iter().filter_map(|command| match command {
            TableCommand::AddPrimary(key) => Some(key),
            _ => None,
        })
    }
}

impl Plan {
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}
