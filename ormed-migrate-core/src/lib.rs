//! The runtime of `ormed-migrate`: ids, descriptors, checksums, the schema builder and its
//! dialects, drivers, the ledger and the runner.
//!
//! Applications use these through the `ormed-migrate` crate, which re-exports everything here
//! and adds `#[migration]`, `build_migrations()` and the CLI.

pub mod backend;
pub mod checksum;
pub mod descriptor;
pub mod dialect;
pub mod driver;
pub mod error;
pub mod introspect;
pub mod ledger;
pub mod lock;
pub mod migration;
pub(crate) mod preflight;
pub(crate) mod rebuild;
pub mod redact;
pub mod render;
pub mod runner;
pub mod schema;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;
pub mod waits;
pub mod wipe;

/// Migration ids (`MigrationId`), shared with the `#[migration]` macro and build scripts.
pub mod id {
    pub use ormed_migrate_id::{MigrationId, MigrationIdError, MigrationTimestamp};
}

pub use backend::Capabilities;
pub use descriptor::{Direction, MigrationDescriptor, MigrationEntry, SourceLocation};
pub use dialect::Dialect;
pub use driver::Driver;
pub use error::MigrationError;
pub use id::{MigrationId, MigrationIdError, MigrationTimestamp};
pub use introspect::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, SchemaSnapshot,
    TableSnapshot, TypeFamily,
};
pub use ledger::{
    AppliedMigration, ConnectionManager, DEFAULT_LEDGER_TABLE, LEDGER_FORMAT, SqlMigrationLedger,
};
pub use lock::{DEFAULT_MIGRATION_LOCK_TIMEOUT, MigrationLock};
pub use migration::Migration;
pub use runner::{
    Apply, Drift, Interrupt, MigrationAction, MigrationReport, MigrationRunner, MigrationState,
    MigrationStatus, Repair, RepairNeeded, Rollback,
};
pub use schema::{ColumnType, ForeignKeyAction, Schema, Table};
pub use sql::{Origin, Statement};
pub use waits::{Blocker, DEFAULT_LOCK_TIMEOUT, LockWait, WaitNotice};
