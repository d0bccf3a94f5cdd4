//! `MigrationError`: every way a migration run can fail, grouped by the stage it failed in.
//!
//! Each message says what happened, naming the migration, the statement and the database's own
//! words where there are some, and the way out in words a library caller can follow; the way
//! out is also a typed [`Hint`] (see [`MigrationError::hint`]) that a front end words as its own
//! commands, as the CLI does. Sources are typed: the driver's error, the file system's, the
//! renderer's.

mod connect;
mod hint;
mod ledger;
mod lock;
mod plan;
mod run;
mod setup;
mod words;

pub use connect::ConnectError;
pub use hint::Hint;
pub use ledger::LedgerError;
pub use lock::LockError;
pub use plan::PlanError;
pub use run::{FailureState, Interrupted, RunError};
pub use setup::SetupError;
pub use words::{
    configuration_message, database_message, environment_problem, resolution, shell_quoted,
};

use crate::id::MigrationIdError;
use crate::runner::Repair;

/// The error type of every fallible operation in `ormed-migrate`, by stage.
///
/// ```
/// # use ormed_migrate_core::{MigrationError, MigrationId};
/// # use ormed_migrate_core::error::{Hint, PlanError};
/// let id = MigrationId::parse("m_20241201000000_create_users_table").unwrap();
/// let error = MigrationError::from(PlanError::AlreadyApplied { id });
/// assert!(matches!(error, MigrationError::Plan(PlanError::AlreadyApplied { .. })));
/// assert!(error.to_string().starts_with("Migration m_20241201000000_create_users_table has already been applied"));
/// assert_eq!(error.hint(), Some(Hint::Status));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// Before any database work: ids, registrations, the runner's parts, migration files.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// Reaching or opening the database.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// Refused before anything ran.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// While migrations ran.
    #[error(transparent)]
    Run(#[from] RunError),
    /// Reading or writing the ledger.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Taking or releasing the migration lock.
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl From<MigrationIdError> for MigrationError {
    fn from(error: MigrationIdError) -> Self {
        MigrationError::Setup(SetupError::InvalidId(error))
    }
}

impl MigrationError {
    /// The way out, as data, for a front end to word; `None` when the message says all.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            MigrationError::Setup(error) => setup_hint(error),
            MigrationError::Connect(_) => None,
            MigrationError::Lock(LockError::Timeout { .. }) => {
                Some(Hint::LongerMigrationLockTimeout)
            }
            MigrationError::Lock(_) => None,
            MigrationError::Plan(error) => plan_hint(error),
            MigrationError::Run(error) => run_hint(error),
            MigrationError::Ledger(error) => ledger_hint(error),
        }
    }

    /// A [`RunError::Database`]: `context` says what the run was doing.
    pub fn database(context: impl Into<String>, source: sqlx::Error) -> MigrationError {
        RunError::Database {
            context: context.into(),
            source: Box::new(source),
        }
        .into()
    }
}

fn setup_hint(error: &SetupError) -> Option<Hint> {
    match error {
        SetupError::DuplicateId { .. } => Some(Hint::NewMigration),
        SetupError::NameTaken { .. } => Some(Hint::SecondMigrationOfName),
        _ => None,
    }
}

fn plan_hint(error: &PlanError) -> Option<Hint> {
    match error {
        PlanError::ChecksumMismatch { id, .. } => Some(Hint::ChangedMigration { id: id.clone() }),
        PlanError::AlreadyApplied { .. } | PlanError::UnknownMigration { .. } => Some(Hint::Status),
        PlanError::PartiallyApplied { id, direction, .. } => Some(Hint::ResolvePartial {
            id: id.clone(),
            direction: *direction,
        }),
        PlanError::RepairNeedsChoice { id } => Some(Hint::RepairChoice { id: id.clone() }),
        PlanError::RepairNotNeeded { .. } => Some(Hint::Rollback),
        PlanError::Irreversible { .. } => Some(Hint::NewMigration),
        _ => None,
    }
}

fn run_hint(error: &RunError) -> Option<Hint> {
    match error {
        RunError::StatementFailed {
            id,
            direction,
            state: FailureState::MarkedFailed,
            ..
        } => Some(Hint::ResolvePartial {
            id: id.clone(),
            direction: *direction,
        }),
        RunError::LockWaitTimedOut {
            id,
            direction,
            state: FailureState::MarkedFailed,
            ..
        } => Some(Hint::ResolvePartial {
            id: id.clone(),
            direction: *direction,
        }),
        RunError::LockWaitTimedOut { .. } => Some(Hint::LongerLockTimeout),
        RunError::Interrupted {
            running: Some(running),
            ..
        } if running.state == FailureState::MarkedFailed => Some(Hint::ResolvePartial {
            id: running.id.clone(),
            direction: running.direction,
        }),
        RunError::Interrupted {
            running: Some(running),
            ..
        } => Some(Hint::RunAgain {
            direction: running.direction,
        }),
        RunError::RecordedLate { id, truth, .. } => Some(Hint::Record {
            id: id.clone(),
            repair: *truth,
        }),
        RunError::CommitUnknown { .. } | RunError::BatchCommitUnknown { .. } => Some(Hint::Status),
        _ => None,
    }
}

/// The stored id of a row whose id itself cannot be read.
pub(crate) const UNREADABLE_ID: &str = "?";

fn ledger_hint(error: &LedgerError) -> Option<Hint> {
    match error {
        LedgerError::UnreadableRow {
            stored_id, table, ..
        } if stored_id == UNREADABLE_ID => Some(Hint::EditRowBySql {
            table: table.clone(),
        }),
        LedgerError::UnreadableRow {
            stored_id, column, ..
        } if *column == "id" => Some(Hint::ForgetRow {
            stored_id: stored_id.clone(),
        }),
        LedgerError::UnreadableRow { stored_id, .. } => Some(Hint::RewriteRows {
            stored_id: stored_id.clone(),
        }),
        LedgerError::DuplicateRows { id, .. } => Some(Hint::RewriteRows {
            stored_id: id.to_string(),
        }),
        LedgerError::NotALedger { .. } => Some(Hint::OtherLedgerTable),
        _ => None,
    }
}

/// What is true of a migration whose statements all ran, for [`RunError::RecordedLate`].
pub(crate) fn recorded_late(
    id: &crate::id::MigrationId,
    truth: Repair,
    context: String,
    source: Box<sqlx::Error>,
) -> MigrationError {
    RunError::RecordedLate {
        id: id.clone(),
        truth,
        context,
        source,
    }
    .into()
}
