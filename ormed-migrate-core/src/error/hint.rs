//! `Hint`: the way out of an error, as data. The core says what happened and which way out there
//! is; a front end words it: the CLI as its own command lines, an application as it likes.

use crate::descriptor::Direction;
use crate::id::MigrationId;
use crate::runner::Repair;

/// What to do about an error, for a front end to word.
///
/// ```
/// # use ormed_migrate_core::{Direction, MigrationError, MigrationId};
/// # use ormed_migrate_core::error::{Hint, PlanError};
/// # use ormed_migrate_core::Dialect;
/// let id = MigrationId::parse("m_20241201000000_create_users_table").unwrap();
/// let error = MigrationError::from(PlanError::PartiallyApplied {
///     id: id.clone(),
///     direction: Direction::Down,
///     dialect: Dialect::MySql,
/// });
/// assert_eq!(error.hint(), Some(Hint::ResolvePartial { id, direction: Direction::Down }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Give the migration a new id: a new migration file with a fresh timestamp.
    NewMigration,
    /// A migration with this name exists; writing a second one is possible on purpose.
    SecondMigrationOfName,
    /// An applied migration's code changed: revert the edit, put the change in a new migration,
    /// or accept it after review ([`Repair::Applied`]).
    ChangedMigration {
        /// The migration.
        id: MigrationId,
    },
    /// The status lists the migrations and their states.
    Status,
    /// To undo an applied migration, roll it back (its `down` runs).
    Rollback,
    /// A migration stopped part way while running `direction` and nothing could undo it:
    /// record how it was resolved by hand, [`Repair::Applied`] or [`Repair::RolledBack`].
    ResolvePartial {
        /// The migration.
        id: MigrationId,
        /// Which way it was running.
        direction: Direction,
    },
    /// Say how a migration was resolved: [`Repair::Applied`] or [`Repair::RolledBack`].
    RepairChoice {
        /// The migration.
        id: MigrationId,
    },
    /// Every statement ran but the ledger could not record it: record the truth with `repair`.
    Record {
        /// The migration.
        id: MigrationId,
        /// What is true.
        repair: Repair,
    },
    /// A ledger row that is not a migration: remove it by its id as stored
    /// ([`MigrationRunner::forget_ledger_row`](crate::MigrationRunner::forget_ledger_row)).
    ForgetRow {
        /// The row's id, exactly as stored.
        stored_id: String,
    },
    /// A migration's ledger rows cannot be read or are doubled: correct them by hand, or
    /// rewrite them with [`Repair::Applied`] (its changes are in the schema) or
    /// [`Repair::RolledBack`] (they are not).
    RewriteRows {
        /// The migration's id as the row stores it.
        stored_id: String,
    },
    /// Give the runner a ledger table of its own.
    OtherLedgerTable,
    /// A statement gave up waiting for a lock: a longer lock timeout waits longer.
    LongerLockTimeout,
    /// Another runner held the migration lock: a longer migration-lock timeout waits longer.
    LongerMigrationLockTimeout,
    /// A ledger row whose id cannot be read is beyond `migrate:repair`, which names rows by id:
    /// only SQL can fix or remove it.
    EditRowBySql {
        /// The ledger table.
        table: String,
    },
    /// An interrupted run left nothing half done: running it again finishes the work.
    RunAgain {
        /// The run's direction: `migrate` for up, `migrate:rollback` for down.
        direction: Direction,
    },
}
