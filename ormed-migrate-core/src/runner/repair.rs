//! `repair`: resolving a migration in the ledger after the user fixed the schema by hand.

use super::MigrationRunner;
use crate::error::MigrationError;
use crate::id::MigrationId;

/// How [`MigrationRunner::repair`] resolves a migration after the user fixed the schema by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Its changes are in the schema: record it as applied, with the checksum the code has now.
    /// Clears a failure mark, accepts a reviewed edit, or records a migration applied by hand.
    Applied,
    /// Its changes are not in the schema: remove it from the ledger, so it is pending again.
    RolledBack,
}

impl MigrationRunner {
    /// Resolves `id` in the ledger without running anything, holding the migration lock.
    ///
    /// This is the way out of a migration that failed part way on MySQL (or in a
    /// `no_transaction` migration), and of a reviewed change to an applied migration.
    pub async fn repair(&self, id: &MigrationId, repair: Repair) -> Result<(), MigrationError> {
        self.locked(false, self.repair_locked(id, repair)).await
    }

    async fn repair_locked(&self, id: &MigrationId, repair: Repair) -> Result<(), MigrationError> {
        let applied = self.read_ledger(true).await?;
        let row = applied.iter().find(|row| &row.id == id);
        let healthy = row.is_some_and(|row| {
            row.failed.is_none()
                && self
                    .descriptor(id)
                    .is_some_and(|d| d.checksum == row.checksum)
        });
        match (repair, row) {
            // Nothing to record; and forgetting a healthy migration (perhaps one another runner
            // just finished) would make the ledger lie. Undoing it is what rollback is for.
            (Repair::Applied, Some(_)) if healthy => Ok(()),
            (Repair::RolledBack, Some(_)) if healthy => {
                Err(MigrationError::RepairNotNeeded { id: id.clone() })
            }
            (Repair::Applied, row) => {
                let descriptor = self
                    .descriptor(id)
                    .ok_or_else(|| MigrationError::UnknownMigration { id: id.clone() })?;
                if row.is_some() {
                    return self.ledger.restamp(id, &descriptor.checksum).await;
                }
                let batch = applied.iter().map(|row| row.batch).max().unwrap_or(0) + 1;
                self.ledger
                    .log_applied(descriptor, chrono::Utc::now(), batch)
                    .await
            }
            (Repair::RolledBack, Some(_)) => self.ledger.remove(id).await,
            (Repair::RolledBack, None) if self.descriptor(id).is_some() => {
                Err(MigrationError::NotApplied { id: id.clone() })
            }
            (Repair::RolledBack, None) => Err(MigrationError::UnknownMigration { id: id.clone() }),
        }
    }
}
