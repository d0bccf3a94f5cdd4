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

    /// The state's name for machines (`migrate:status --json`): `applied`, `pending`,
    /// `changed`, `missing`, `failed` or `running`.
    pub fn name(self) -> &'static str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::MissingFromCode => "missing",
            MigrationState::ChecksumChanged => "changed",
            MigrationState::Failed(_) => "failed",
            MigrationState::Running(_) => "running",
        }
    }

    /// The direction of a failed or running migration.
    pub fn direction(self) -> Option<Direction> {
        match self {
            MigrationState::Failed(direction) | MigrationState::Running(direction) => {
                Some(direction)
            }
            _ => None,
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
    /// The code's checksum; for a migration missing from the code, the one the ledger recorded.
    pub checksum: String,
    /// The checksum the ledger recorded, when it differs from the code's
    /// ([`MigrationState::ChecksumChanged`]).
    pub recorded_checksum: Option<String>,
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

    /// True when it needs someone's attention before the next run: its code changed, it is
    /// missing from this binary, or it failed part way.
    pub fn needs_attention(&self) -> bool {
        matches!(
            self.state,
            MigrationState::ChecksumChanged
                | MigrationState::MissingFromCode
                | MigrationState::Failed(_)
        )
    }
}
