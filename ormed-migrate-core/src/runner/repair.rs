//! `repair`: resolving a migration in the ledger after the user fixed the schema by hand.
//!
//! A repair states the truth about one migration and rewrites its ledger rows to match, in
//! whatever shape they are in: a failure mark in either direction, an edited checksum, the
//! legacy id spelling, two rows for one migration, a row with a NULL. Rows whose id is not a
//! migration id at all can be removed by their id exactly as stored.

use chrono::Utc;

use super::session::Session;
use super::{MigrationRunner, MigrationState, MigrationStatus};
use crate::driver::Target;
use crate::error::{LedgerError, MigrationError, PlanError};
use crate::id::MigrationId;
use crate::ledger::{AppliedMigration, NewRow};

/// How [`MigrationRunner::repair`] resolves a migration after the user fixed the schema by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Its changes are in the schema: record it as applied, with the checksum the code has now.
    /// Clears a failure mark (a failed `up` finished by hand, or a failed `down` whose removals
    /// were restored), accepts a reviewed edit, or records a migration applied by hand.
    Applied,
    /// Its changes are not in the schema: remove it from the ledger, so it is pending again.
    /// After a failed `down`, this is the choice once the rollback was finished by hand.
    RolledBack,
}

/// What `migrate:repair` lists: migrations whose ledger state needs a decision, and ledger rows
/// that cannot be read at all.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct RepairNeeded {
    /// Failed, changed or missing migrations.
    pub statuses: Vec<MigrationStatus>,
    /// Rows that cannot be read, or two rows for one migration, each described by the error
    /// every other command reports for it (with its way out).
    pub unreadable: Vec<MigrationError>,
}

impl MigrationRunner {
    /// Resolves `id` in the ledger without running anything, holding the migration lock.
    ///
    /// This is the way out of a migration that failed part way on MySQL (or in a
    /// `no_transaction` migration), of a reviewed change to an applied migration, and of a
    /// ledger row that cannot be read but names this migration.
    pub async fn repair(&self, id: &MigrationId, repair: Repair) -> Result<(), MigrationError> {
        self.locked(self.repair_locked(id, repair)).await
    }

    /// Removes the ledger row whose id is exactly `stored_id`, running nothing: the way out of a
    /// row that is not a migration id at all (`garbage id`), added by hand or by another tool.
    /// An id that is a migration id goes through [`Repair::RolledBack`] instead, with its checks.
    pub async fn forget_ledger_row(&self, stored_id: &str) -> Result<(), MigrationError> {
        if let Ok(id) = MigrationId::parse(stored_id) {
            return self.repair(&id, Repair::RolledBack).await;
        }
        self.locked(async {
            let mut session = self.writing_session().await?;
            self.read_rows_or_none(&mut session, true).await?;
            let target = session.target();
            if self.ledger.delete(target, stored_id).await? {
                Ok(())
            } else {
                Err(LedgerError::NoRow {
                    table: self.ledger.table().to_owned(),
                    stored_id: stored_id.to_owned(),
                }
                .into())
            }
        })
        .await
    }

    /// What needs a decision, read without taking the lock or writing anything.
    pub async fn repair_needed(&self) -> Result<RepairNeeded, MigrationError> {
        let mut session = self.reading_session().await?;
        let rows = self.read_rows_or_none(&mut session, false).await?;
        let (good, unreadable): (Vec<_>, Vec<_>) = rows.into_iter().partition(Result::is_ok);
        let good: Vec<AppliedMigration> = good.into_iter().filter_map(Result::ok).collect();
        let mut unreadable: Vec<MigrationError> =
            unreadable.into_iter().filter_map(Result::err).collect();
        if let Err(duplicate) = self.ledger.check_duplicates(&good) {
            unreadable.push(duplicate);
        }
        let mut statuses = self.statuses_from(&good);
        // A migration another runner is on right now needs no decision, only patience.
        super::mark_running(&mut statuses, self.lock_holder(&mut session).await);
        statuses.retain(|status| {
            !matches!(
                status.state,
                MigrationState::Applied | MigrationState::Pending | MigrationState::Running(_)
            )
        });
        Ok(RepairNeeded {
            statuses,
            unreadable,
        })
    }

    async fn repair_locked(&self, id: &MigrationId, repair: Repair) -> Result<(), MigrationError> {
        let mut session = self.writing_session().await?;
        let rows = self.read_rows_or_none(&mut session, true).await?;
        let mine = RowsOf::new(id, &rows);
        let healthy = mine.is_healthy(self.descriptor(id).map(|d| d.checksum.as_str()));
        match repair {
            // Nothing to record; and forgetting a healthy migration (perhaps one another runner
            // just finished) would make the ledger lie. Undoing it is what rollback is for.
            Repair::Applied if healthy => Ok(()),
            Repair::RolledBack if healthy => {
                Err(PlanError::RepairNotNeeded { id: id.clone() }.into())
            }
            Repair::Applied => self.record_applied(&mut session, id, &mine, &rows).await,
            Repair::RolledBack if mine.stored_ids.is_empty() => match self.descriptor(id) {
                Some(_) => Err(PlanError::NotApplied { id: id.clone() }.into()),
                None => Err(PlanError::UnknownMigration { id: id.clone() }.into()),
            },
            Repair::RolledBack => {
                self.rewrite_rows(&mut session, &mine.stored_ids, None)
                    .await
            }
        }
    }

    /// Replaces every row of `id` by one applied row with the code's checksum, keeping the batch
    /// and time of a readable earlier row.
    async fn record_applied(
        &self,
        session: &mut Session,
        id: &MigrationId,
        mine: &RowsOf<'_>,
        rows: &[Result<AppliedMigration, MigrationError>],
    ) -> Result<(), MigrationError> {
        let descriptor = self
            .descriptor(id)
            .ok_or_else(|| PlanError::UnknownMigration { id: id.clone() })?;
        let row = match mine.readable {
            Some(earlier) => NewRow::applied(
                descriptor,
                earlier.applied_at,
                earlier.batch,
                earlier.execution_ms,
            ),
            None => {
                let newest = rows.iter().flatten().map(|row| row.batch).max();
                NewRow::applied(descriptor, Utc::now(), newest.unwrap_or(0) + 1, 0)
            }
        };
        self.rewrite_rows(session, &mine.stored_ids, Some(&row))
            .await
    }

    /// Deletes the rows stored as `stored_ids` and inserts `replacement`, in one transaction so
    /// that the ledger never loses a migration half way.
    async fn rewrite_rows(
        &self,
        session: &mut Session,
        stored_ids: &[&str],
        replacement: Option<&NewRow>,
    ) -> Result<(), MigrationError> {
        let mut tx = session.connection.begin().await.map_err(|e| {
            MigrationError::database("could not start a transaction to repair the ledger", e)
        })?;
        for stored_id in stored_ids {
            self.ledger
                .delete(Target::Transaction(&mut tx), stored_id)
                .await?;
        }
        if let Some(row) = replacement {
            self.ledger
                .insert(Target::Transaction(&mut tx), row)
                .await?;
        }
        tx.commit()
            .await
            .map_err(|e| MigrationError::database("could not commit the repair of the ledger", e))
    }
}

/// The ledger rows that record one migration, readable or not.
struct RowsOf<'a> {
    /// Every row's id as stored.
    stored_ids: Vec<&'a str>,
    /// The first row that could be read.
    readable: Option<&'a AppliedMigration>,
    /// Whether some row could not be read.
    unreadable: bool,
}

impl<'a> RowsOf<'a> {
    fn new(id: &MigrationId, rows: &'a [Result<AppliedMigration, MigrationError>]) -> RowsOf<'a> {
        let mut mine = RowsOf {
            stored_ids: Vec::new(),
            readable: None,
            unreadable: false,
        };
        for row in rows {
            match row {
                Ok(row) if &row.id == id => {
                    mine.stored_ids.push(&row.stored_id);
                    mine.readable = mine.readable.or(Some(row));
                }
                Err(MigrationError::Ledger(LedgerError::UnreadableRow { stored_id, .. }))
                    if MigrationId::parse(stored_id).is_ok_and(|parsed| &parsed == id) =>
                {
                    mine.stored_ids.push(stored_id);
                    mine.unreadable = true;
                }
                _ => {}
            }
        }
        mine
    }

    /// One readable row, applied, with the code's checksum.
    fn is_healthy(&self, code_checksum: Option<&str>) -> bool {
        let single = self.stored_ids.len() == 1 && !self.unreadable;
        single
            && self.readable.is_some_and(|row| {
                row.failed.is_none() && code_checksum == Some(row.checksum.as_str())
            })
    }
}
