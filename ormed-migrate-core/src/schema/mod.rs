//! The schema builder: what `Migration::up` and `down` record.
//!
//! Migrations never touch the database. They record a [`Plan`], a list of [`Operation`]s that
//! are pure data; a [`Dialect`](crate::Dialect) renders the plan to SQL for one database.
//! A table's closure records [`TableCommand`]s in the order written.

mod blueprint;
mod builder;
mod column;
mod foreign_key;
mod index;
mod inverse;
mod plan;

pub use blueprint::Table;
pub use blueprint::{Columns, IndexName};
pub use builder::Schema;
pub use column::{ColumnBuilder, ColumnDefinition, ColumnType, DefaultValue};
pub use foreign_key::{ForeignKeyAction, ForeignKeyDefinition};
pub use index::{IndexDefinition, IndexKind, PrimaryKeyDefinition};
pub use inverse::{IrreversibleReason, NotInvertible, derived_down, invert};
pub use plan::{AlterTable, CreateTable, Operation, Plan, TableCommand};
