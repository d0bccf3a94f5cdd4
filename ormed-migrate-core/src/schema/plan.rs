//! A recorded plan: the operations one direction of a migration performs, in order.

use super::{
    ColumnDefinition, ForeignKeyDefinition, IndexDefinition, IndexKind, NotInvertible,
    PrimaryKeyDefinition,
};
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
    /// Checksums encode this, not whatever the default records. The down a migration runs
    /// ([`MigrationDescriptor::down_plan`](crate::MigrationDescriptor::down_plan)) is then
    /// derived from its up (see [`derived_down`](super::derived_down)), and keeps this mark.
    pub not_written: bool,
    /// On a derived down (`not_written`) that is `irreversible`: the first operation of the up
    /// that cannot be undone from the plan alone.
    pub not_invertible: Option<NotInvertible>,
}

/// One schema change. New kinds of change are added as new variants.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// `schema.create(table, |t| …)`.
    CreateTable(CreateTable),
    /// `schema.table(table, |t| …)`: changes to an existing table.
    AlterTable(AlterTable),
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

/// Changes to an existing table, in the order written.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AlterTable {
    /// The table name.
    pub table: String,
    /// The changes, each one command.
    pub commands: Vec<TableCommand>,
}

/// One change to a table. Column modifiers (`.unique()`, `.index()`, `.primary()`,
/// `.constrained(..)`) are recorded as commands of their own, so a renderer has one thing to
/// render per command.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TableCommand {
    /// Add a column.
    AddColumn(ColumnDefinition),
    /// Make an existing column exactly this definition (`.change()`): type, length,
    /// nullability, default and comment; what is not restated is removed.
    ChangeColumn(ColumnDefinition),
    /// Drop a column.
    DropColumn(String),
    /// Rename a column.
    RenameColumn {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Add the primary key.
    AddPrimary(PrimaryKeyDefinition),
    /// Drop the primary key.
    DropPrimary,
    /// Add an index or unique index.
    AddIndex(IndexDefinition),
    /// Drop an index (`drop_index`) or unique index (`drop_unique`) by name.
    DropIndex {
        /// The index name.
        name: String,
        /// Which call dropped it, for messages.
        kind: IndexKind,
    },
    /// Rename an index.
    RenameIndex {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Add a foreign key.
    AddForeign(ForeignKeyDefinition),
    /// Drop a foreign key by name.
    DropForeign(String),
    /// After `DropForeign(name)`: drop the index MySQL/MariaDB made for that foreign key when it
    /// was added (on its `columns`, named like the key, when no index started with them), which
    /// dropping the key leaves behind. Whether the database made one is read from the live
    /// table when it runs: an index named `name` over exactly `columns` is dropped, anything
    /// else is left. Nothing on the databases that make no such index. A derived down records it
    /// after dropping a foreign key the up added.
    DropForeignKeyIndex {
        /// The foreign key's name, which is the index's.
        name: String,
        /// The foreign key's referencing columns, in order.
        columns: Vec<String>,
    },
}

impl TableCommand {
    /// What the command does, as the builder call that records it, for messages.
    pub fn describe(&self) -> String {
        match self {
            TableCommand::AddColumn(column) => format!("add column `{}`", column.name),
            TableCommand::ChangeColumn(column) => format!("change column `{}`", column.name),
            TableCommand::DropColumn(name) => format!("drop column `{name}`"),
            TableCommand::RenameColumn { from, to } => {
                format!("rename column `{from}` to `{to}`")
            }
            TableCommand::AddPrimary(key) => {
                format!("add primary key ({})", key.columns.join(", "))
            }
            TableCommand::DropPrimary => "drop primary key".to_owned(),
            TableCommand::AddIndex(index) => {
                format!("add {} ({})", index.kind.suffix(), index.columns.join(", "))
            }
            TableCommand::DropIndex { name, kind } => format!("drop {} `{name}`", kind.suffix()),
            TableCommand::RenameIndex { from, to } => format!("rename index `{from}` to `{to}`"),
            TableCommand::AddForeign(key) => {
                format!("add foreign key ({})", key.columns.join(", "))
            }
            TableCommand::DropForeign(name) => format!("drop foreign key `{name}`"),
            TableCommand::DropForeignKeyIndex { name, .. } => {
                format!("drop the index MySQL made for foreign key `{name}`")
            }
        }
    }

    /// Whether the command may only change a table that exists (every command but the ones a
    /// `schema.create` records).
    pub fn alters(&self) -> bool {
        !matches!(
            self,
            TableCommand::AddColumn(_)
                | TableCommand::AddPrimary(_)
                | TableCommand::AddIndex(_)
                | TableCommand::AddForeign(_)
        )
    }
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
