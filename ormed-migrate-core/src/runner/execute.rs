//! Running one migration: its statements and its ledger row, together where the database allows.
//!
//! SQLite and PostgreSQL run DDL in transactions, so a migration and its ledger row commit or
//! roll back as one. MySQL commits every DDL statement on its own (and `no_transaction`
//! migrations opt out), so there the ledger row is written first, marked failed, and the mark is
//! cleared on success: a partial failure is always visible.

use std::time::{Duration, Instant};

use chrono::Utc;

use super::{MigrationAction, MigrationRunner, Repair};
use crate::descriptor::{Direction, MigrationDescriptor};
use crate::driver::{Target, Transaction, execute};
use crate::error::MigrationError;
use crate::ledger::LedgerRow;

/// What `pretend` reports: the statements, nothing run.
pub(super) fn planned(
    descriptor: &MigrationDescriptor,
    direction: Direction,
    batch: i64,
    statements: Vec<String>,
) -> MigrationAction {
    MigrationAction {
        id: descriptor.id.clone(),
        direction,
        batch,
        duration: Duration::ZERO,
        statements,
    }
}

impl MigrationRunner {
    fn transactional(&self, descriptor: &MigrationDescriptor) -> bool {
        self.driver.dialect().has_transactional_ddl() && !descriptor.no_transaction
    }

    pub(super) async fn apply_migration(
        &self,
        descriptor: &MigrationDescriptor,
        statements: Vec<String>,
        batch: i64,
    ) -> Result<MigrationAction, MigrationError> {
        let started = Instant::now();
        if self.transactional(descriptor) {
            let mut tx = self.begin(descriptor).await?;
            let ran = async {
                self.run_in_transaction(&mut tx, descriptor, Direction::Up, &statements)
                    .await?;
                let row = LedgerRow::applied(descriptor, Utc::now(), batch, elapsed_ms(started));
                self.ledger.insert(Target::Transaction(&mut tx), &row).await
            }
            .await;
            self.finish_transaction(tx, descriptor, ran).await?;
        } else {
            self.ledger
                .insert(
                    Target::Pool(&self.driver),
                    &LedgerRow::failed(descriptor, batch),
                )
                .await?;
            self.run_without_transaction(descriptor, Direction::Up, &statements)
                .await?;
            self.ledger
                .mark_applied(
                    Target::Pool(&self.driver),
                    &descriptor.id,
                    elapsed_ms(started),
                )
                .await
                .map_err(|e| recorded_late(e, descriptor, Repair::Applied))?;
        }
        Ok(finished(
            descriptor,
            Direction::Up,
            batch,
            started,
            statements,
        ))
    }

    pub(super) async fn rollback_migration(
        &self,
        descriptor: &MigrationDescriptor,
        statements: Vec<String>,
        batch: i64,
    ) -> Result<MigrationAction, MigrationError> {
        let started = Instant::now();
        if self.transactional(descriptor) {
            let mut tx = self.begin(descriptor).await?;
            let ran = async {
                self.run_in_transaction(&mut tx, descriptor, Direction::Down, &statements)
                    .await?;
                self.ledger
                    .delete(Target::Transaction(&mut tx), &descriptor.id)
                    .await
            }
            .await;
            self.finish_transaction(tx, descriptor, ran).await?;
        } else {
            self.ledger
                .set_failure(&descriptor.id, Some(Direction::Down))
                .await?;
            self.run_without_transaction(descriptor, Direction::Down, &statements)
                .await?;
            self.ledger
                .delete(Target::Pool(&self.driver), &descriptor.id)
                .await
                .map_err(|e| recorded_late(e, descriptor, Repair::RolledBack))?;
        }
        Ok(finished(
            descriptor,
            Direction::Down,
            batch,
            started,
            statements,
        ))
    }

    async fn begin(&self, descriptor: &MigrationDescriptor) -> Result<Transaction, MigrationError> {
        self.driver.begin().await.map_err(|e| {
            MigrationError::database(
                format!(
                    "could not start a transaction for migration {}",
                    descriptor.id
                ),
                e,
            )
        })
    }

    /// Commits after success; rolls back now (not lazily on drop) after a failure, so the
    /// connection is clean before the error reaches the caller.
    async fn finish_transaction(
        &self,
        tx: Transaction,
        descriptor: &MigrationDescriptor,
        ran: Result<(), MigrationError>,
    ) -> Result<(), MigrationError> {
        if let Err(error) = ran {
            // The statement's error is what the user needs; a failed rollback means the
            // connection is gone, and the database discards the transaction with it.
            let _ = tx.rollback().await;
            return Err(error);
        }
        tx.commit().await.map_err(|e| {
            MigrationError::database(
                format!(
                    "could not commit migration {}; whether it was applied is unknown, so check \
                     `migrate:status` before running again",
                    descriptor.id
                ),
                e,
            )
        })
    }

    async fn run_in_transaction(
        &self,
        tx: &mut Transaction,
        descriptor: &MigrationDescriptor,
        direction: Direction,
        statements: &[String],
    ) -> Result<(), MigrationError> {
        for (index, statement) in statements.iter().enumerate() {
            if let Err(source) = execute(Target::Transaction(tx), statement).await {
                let outcome = match direction {
                    Direction::Up => {
                        "It was rolled back: none of its changes remain, it is still \
                                      pending, and the migrations before it stay applied. Fix the \
                                      statement and run migrate again."
                    }
                    Direction::Down => {
                        "Its rollback was undone: it is still applied, and \
                                        nothing else was rolled back after it. Fix its down() and \
                                        run the rollback again."
                    }
                };
                return Err(self.statement_failed(
                    descriptor,
                    direction,
                    statements,
                    index,
                    outcome.to_owned(),
                    source,
                ));
            }
        }
        Ok(())
    }

    /// Runs statements one by one. The ledger already marks the migration failed; if the very
    /// first statement fails nothing changed, so the mark is taken back.
    async fn run_without_transaction(
        &self,
        descriptor: &MigrationDescriptor,
        direction: Direction,
        statements: &[String],
    ) -> Result<(), MigrationError> {
        for (index, statement) in statements.iter().enumerate() {
            let Err(source) = execute(Target::Pool(&self.driver), statement).await else {
                continue;
            };
            let dialect = self.driver.dialect();
            let outcome = if index == 0 && dialect.is_atomic_statement(statement) {
                self.undo_failure_mark(descriptor, direction).await?;
                "None of its statements took effect, so nothing changed; fix the statement and \
                 run again."
                    .to_owned()
            } else {
                format!(
                    "{index} of its statements ran before this one, and this one may have taken \
                     effect in part; {dialect} cannot undo them, so the ledger marks the \
                     migration as failed and nothing runs until that is resolved. Finish or undo \
                     its changes by hand, then run `migrate:repair {id} --applied` (finished) or \
                     `migrate:repair {id} --rolled-back` (undone).",
                    id = descriptor.id
                )
            };
            return Err(
                self.statement_failed(descriptor, direction, statements, index, outcome, source)
            );
        }
        Ok(())
    }

    async fn undo_failure_mark(
        &self,
        descriptor: &MigrationDescriptor,
        direction: Direction,
    ) -> Result<(), MigrationError> {
        match direction {
            Direction::Up => {
                self.ledger
                    .delete(Target::Pool(&self.driver), &descriptor.id)
                    .await
            }
            Direction::Down => self.ledger.set_failure(&descriptor.id, None).await,
        }
    }

    fn statement_failed(
        &self,
        descriptor: &MigrationDescriptor,
        direction: Direction,
        statements: &[String],
        index: usize,
        outcome: String,
        source: sqlx::Error,
    ) -> MigrationError {
        MigrationError::StatementFailed {
            id: descriptor.id.clone(),
            direction,
            statement: statements[index].clone(),
            number: index + 1,
            total: statements.len(),
            dialect: self.driver.dialect(),
            outcome,
            source: Box::new(source),
        }
    }
}

/// Every statement ran but the ledger could not record it: the mark still says "failed", which
/// is wrong, so the error says exactly how to record the truth.
fn recorded_late(
    error: MigrationError,
    descriptor: &MigrationDescriptor,
    truth: Repair,
) -> MigrationError {
    let flag = match truth {
        Repair::Applied => "--applied",
        Repair::RolledBack => "--rolled-back",
    };
    match error {
        MigrationError::Database { context, source } => MigrationError::Database {
            context: format!(
                "every statement of migration {id} ran, but {context}; record it with \
                 `migrate:repair {id} {flag}`",
                id = descriptor.id
            ),
            source,
        },
        other => other,
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

fn finished(
    descriptor: &MigrationDescriptor,
    direction: Direction,
    batch: i64,
    started: Instant,
    statements: Vec<String>,
) -> MigrationAction {
    MigrationAction {
        duration: started.elapsed(),
        ..planned(descriptor, direction, batch, statements)
    }
}
