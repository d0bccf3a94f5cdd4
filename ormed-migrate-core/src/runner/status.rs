//! `MigrationStatus`: where each migration stands.

use chrono::{DateTime, Utc};

use crate::descriptor::Direction;
use crate::id::MigrationId;

/// The state of one migration, from the code and the ledger together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationState {
    /// Applied, with the checksum the code has.
    Applied,
    /// In the code, not applied.
    Pending,
    /// Applied, but this binary does not contain it.
    MissingFromCode,
    /// Applied, but its code changed since.
    ChecksumChanged,
    /// Failed part way (in this direction) where the database could not undo it.
    Failed(Direction),
    /// Another runner is applying (up) or rolling back (down) this migration right now.
    Running(Direction),
}

impl MigrationState {
    /// A short label for tables: `Applied`, `Pending`, `Missing`, `Changed`, `Failed (up)`,
    /// `Failed (down)`, `Running (up)`, `Running (down)`. A failure says its direction, because the way out depends on it.
    pub fn label(self) -> &'static str {
        match self {
            MigrationState::Applied => "Applied",
            MigrationState::Pending => "Pending",
            MigrationState::MissingFromCode => "Missing",
            MigrationState::ChecksumChanged => "Changed",
            MigrationState::Failed(Direction::Up) => "Failed (up)",
            MigrationState::Failed(Direction::Down) => "Failed (down)",
            MigrationState::Running(Direction::Up) => "Running (up)",
            MigrationState::Running(Direction::Down) => "Running (down)",
        }
    }
}

/// One line of `status()`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationStatus {
    /// The migration.
    pub id: MigrationId,
    /// Where it stands.
    pub state: MigrationState,
    /// The batch it was applied in.
    pub batch: Option<i64>,
    /// When it was applied (UTC).
    pub applied_at: Option<DateTime<Utc>>,
}

impl MigrationStatus {
    /// True when the ledger records it as applied (whatever its code now says).
    pub fn is_applied(&self) -> bool {
        matches!(
            self.state,
            MigrationState::Applied
                | MigrationState::ChecksumChanged
                | MigrationState::MissingFromCode
        )
    }

    /// True when it is waiting to be applied.
    pub fn is_pending(&self) -> bool {
        self.state == MigrationState::Pending
    }
}
