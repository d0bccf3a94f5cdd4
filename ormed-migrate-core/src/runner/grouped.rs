//! Grouped mode: a whole batch in one transaction, all or nothing (SQLite, PostgreSQL).
//!
//! `apply_all().grouped()` runs every migration of the batch, with its ledger row, inside one
//! transaction: one `BEGIN` and one `COMMIT` instead of one pair per migration, and a failure
//! anywhere rolls back the whole batch. What it costs: nothing of the batch is visible (or
//! reported as applied) before the commit, and on PostgreSQL every table and index the batch
//! touches stays locked until then, so the batch must fit the server's lock table.

use std::time::Instant;

use chrono::Utc;

use super::execute::{self, ForeignKeys};
use super::round_trip::RoundTrip;
use super::session::Session;
use super::{Apply, MigrationAction, MigrationRunner, Rendered};
use crate::descriptor::Direction;
use crate::dialect::Dialect;
use crate::driver::{Target, Transaction, fetch_i64};
use crate::error::{FailureState, MigrationError, PlanError, RunError};
use crate::id::MigrationId;
use crate::ledger::NewRow;
use crate::lock::MigrationLock;
use crate::schema::{Operation, Plan, TableCommand};
use crate::sql::lexer::SqlText;

/// Refusals that need nothing but the request and the database: checked before the lock is
/// taken or the ledger created, so a refused grouped run writes nothing at all.
pub(super) fn refuse_before_start(step: bool, dialect: Dialect) -> Result<(), MigrationError> {
    if step {
        return Err(PlanError::GroupedWithStep.into());
    }
    if !dialect.has_transactional_ddl() {
        return Err(PlanError::GroupedNeedsTransactionalDdl { dialect }.into());
    }
    Ok(())
}

/// A `no_transaction` migration cannot run inside the batch's transaction.
pub(super) fn refuse_no_transaction(migrations: &[(Rendered<'_>, i64)]) -> Result<(), PlanError> {
    match migrations.iter().find(|(m, _)| m.descriptor.no_transaction) {
        Some((migration, _)) => Err(PlanError::GroupedNoTransaction {
            id: migration.descriptor.id.clone(),
        }),
        None => Ok(()),
    }
}

/// About how many PostgreSQL locks `plan` holds until its transaction ends. Counted on
/// PostgreSQL 15 (`pg_locks` of the session): a `CREATE TABLE` locks the table, its TOAST table
/// and the TOAST table's index, a sequence and a primary-key index per auto-increment column,
/// and each index or key it makes; a foreign key also locks the table it references. Erring
/// high is safe: the check only refuses batches beyond the server's lock table.
pub(super) fn locks_taken(plan: &Plan) -> u64 {
    plan.operations
        .iter()
        .map(|operation| match operation {
            Operation::CreateTable(create) => 3 + commands_locks(&create.commands),
            Operation::AlterTable(alter) => 1 + commands_locks(&alter.commands),
            // The table, its TOAST table and index, and its primary key's index.
            Operation::DropTable { .. } => 4,
            Operation::RenameTable { .. } => 1,
            Operation::Raw { sql, .. } => raw_locks(sql),
        })
        .sum()
}

fn commands_locks(commands: &[TableCommand]) -> u64 {
    commands
        .iter()
        .map(|command| match command {
            TableCommand::AddColumn(column) if column.column_type.is_auto_increment() => 2,
            TableCommand::AddColumn(_)
            | TableCommand::ChangeColumn(_)
            | TableCommand::DropColumn(_)
            | TableCommand::RenameColumn { .. } => 0,
            _ => 1,
        })
        .sum()
}

/// Raw SQL locks at most what it names: every word the lexer finds counts as one object.
fn raw_locks(sql: &str) -> u64 {
    let text = SqlText::lex(sql, Dialect::Postgres);
    let names: usize = text
        .statements()
        .iter()
        .map(|statement| statement.names().len())
        .sum();
    u64::try_from(names.max(1)).unwrap_or(u64::MAX)
}

impl MigrationRunner {
    /// On PostgreSQL: refuses a grouped batch that needs more locks than the server's lock
    /// table holds (`max_locks_per_transaction` × (`max_connections` +
    /// `max_prepared_transactions`)), which would fail part way with "out of shared memory".
    pub(super) async fn check_lock_capacity(
        &self,
        session: &mut Session,
        plans: &[&Plan],
    ) -> Result<(), MigrationError> {
        if self.driver.dialect() != Dialect::Postgres {
            return Ok(());
        }
        let needed: u64 = plans.iter().map(|plan| locks_taken(plan)).sum();
        let per_transaction = setting(session, "max_locks_per_transaction").await?;
        let connections = setting(session, "max_connections").await?;
        let prepared = setting(session, "max_prepared_transactions").await?;
        let holders = (connections + prepared).max(1);
        let capacity = per_transaction * holders;
        if needed <= capacity {
            return Ok(());
        }
        Err(PlanError::GroupedTooManyLocks {
            migrations: plans.len(),
            needed,
            capacity,
            max_locks_per_transaction: per_transaction,
            max_connections: connections,
            max_prepared_transactions: prepared,
            enough: needed.div_ceil(holders),
        }
        .into())
    }

    /// Applies `migrations` (one batch) in one transaction with their ledger rows, foreign keys
    /// off around it where one may rebuild a SQLite table. The actions are returned only once
    /// the batch has committed: nothing is reported applied before it is.
    pub(super) async fn apply_grouped(
        &self,
        session: &mut Session,
        lock: &mut Option<MigrationLock>,
        migrations: Vec<(Rendered<'_>, i64)>,
        apply: &mut Apply<'_>,
    ) -> Result<Vec<MigrationAction>, MigrationError> {
        let (Some((first, _)), Some((last, _))) = (migrations.first(), migrations.last()) else {
            return Ok(Vec::new());
        };
        let (first, last) = (first.descriptor.id.clone(), last.descriptor.id.clone());
        let count = migrations.len();
        let what = || format!("the grouped batch of {count} migrations ({first} … {last})");
        let keys = ForeignKeys::off_for(session, migrations.iter().map(|(m, _)| m)).await?;
        let finished = async {
            let watched = session.watched();
            let ledger = session.ledger.clone();
            let namespace = session.namespace.clone();
            let mut tx = execute::begin(session, what).await?;
            let mut batch = Batch {
                tx: &mut tx,
                watched,
                ledger,
                namespace,
                actions: Vec::with_capacity(count),
            };
            let ran = self.run_batch(&mut batch, lock, migrations, apply).await;
            let actions = batch.actions;
            finish_batch(tx, ran.map(|()| actions), count, &first, &last).await
        }
        .await;
        keys.restore(session, what, finished).await
    }

    async fn run_batch(
        &self,
        batch: &mut Batch<'_, '_>,
        lock: &mut Option<MigrationLock>,
        migrations: Vec<(Rendered<'_>, i64)>,
        apply: &mut Apply<'_>,
    ) -> Result<(), MigrationError> {
        for (migration, number) in migrations {
            if let Some(signal) = apply.interruption.check() {
                return Err(RunError::Interrupted {
                    signal,
                    running: None,
                    done: Vec::new(),
                    rolled_back: batch.ids(),
                }
                .into());
            }
            let started = Instant::now();
            let id = &migration.descriptor.id;
            let hooks = &mut apply.hooks;
            let mut on_wait = |notice: &_| hooks.wait(notice);
            let watch = self.watch(
                batch.watched.clone(),
                id,
                &mut on_wait,
                &mut apply.interruption,
            );
            let running = self.run_in_batch(batch, &migration, number, watch);
            let ran = crate::lock::run_noted(lock, Direction::Up, id, running).await;
            let ran = ran.map_err(|error| batch.rolled_back_with(error))?;
            let action = execute::finished(migration, Direction::Up, number, started, ran);
            batch.actions.push(action);
        }
        Ok(())
    }

    /// One migration of the batch: its statements, its ledger row, its session reset; the
    /// statements that ran.
    async fn run_in_batch(
        &self,
        batch: &mut Batch<'_, '_>,
        migration: &Rendered<'_>,
        number: i64,
        mut watch: super::watch::Watch<'_, '_>,
    ) -> Result<Vec<String>, MigrationError> {
        let started = Instant::now();
        let rolled_back = FailureState::BatchRolledBack;
        let dialect = self.driver.dialect();
        // Where the database reads a whole text first (PostgreSQL), a text it refuses leaves the
        // batch's transaction aborted with no statement to name: statement by statement there.
        let trip = (!crate::backend::of(dialect).parses_a_text_first())
            .then(|| {
                let row = NewRow::applied(migration.descriptor, Utc::now(), number, 0);
                let write = batch.ledger.insert_text(&row);
                RoundTrip::in_open_transaction(migration, dialect, write)
            })
            .flatten();
        if let Some(trip) = trip {
            let ledger = &batch.ledger;
            self.run_trip_in_open_transaction(batch.tx, migration, &trip, ledger, &mut watch)
                .await?;
        } else {
            self.run_in_transaction(batch.tx, migration, Direction::Up, rolled_back, &mut watch)
                .await?;
            let ms = execute::elapsed_ms(started);
            let row = NewRow::applied(migration.descriptor, Utc::now(), number, ms);
            batch
                .ledger
                .insert(Target::Transaction(batch.tx), &row)
                .await?;
        }
        let namespace = batch.namespace.as_deref();
        self.reset_settings(Target::Transaction(batch.tx), namespace, migration)
            .await?;
        Ok(watch.ran)
    }
}

/// A grouped batch while it runs: its transaction, and the migrations done in it so far.
struct Batch<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    watched: (Option<i64>, std::sync::Arc<std::sync::atomic::AtomicBool>),
    ledger: crate::ledger::SqlMigrationLedger,
    namespace: Option<String>,
    actions: Vec<MigrationAction>,
}

impl Batch<'_, '_> {
    fn ids(&self) -> Vec<MigrationId> {
        self.actions
            .iter()
            .map(|action| action.id.clone())
            .collect()
    }

    /// An interrupt names the migrations of the batch that had run: they roll back with it.
    fn rolled_back_with(&self, error: MigrationError) -> MigrationError {
        match error {
            MigrationError::Run(RunError::Interrupted {
                signal, running, ..
            }) => RunError::Interrupted {
                signal,
                running,
                done: Vec::new(),
                rolled_back: self.ids(),
            }
            .into(),
            other => other,
        }
    }
}

/// A numeric server setting.
async fn setting(session: &mut Session, name: &str) -> Result<u64, MigrationError> {
    let query = format!("SELECT current_setting('{name}')::bigint");
    let value = fetch_i64(session.target(), &query)
        .await
        .map_err(|e| MigrationError::database(format!("could not read the server's {name}"), e))?;
    Ok(u64::try_from(value).unwrap_or(0))
}

/// Commits the batch after success; rolls it back now after a failure.
async fn finish_batch(
    tx: Transaction<'_>,
    ran: Result<Vec<MigrationAction>, MigrationError>,
    count: usize,
    first: &MigrationId,
    last: &MigrationId,
) -> Result<Vec<MigrationAction>, MigrationError> {
    let actions = match ran {
        Ok(actions) => actions,
        Err(error) => {
            // The failure is what the user needs; a failed rollback means the connection is
            // gone, and the database discards the transaction with it.
            let _ = tx.rollback().await;
            return Err(error);
        }
    };
    tx.commit()
        .await
        .map_err(|e| RunError::BatchCommitUnknown {
            count,
            first: first.clone(),
            last: last.clone(),
            source: Box::new(e),
        })?;
    Ok(actions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn plan(build: impl FnOnce(&mut Schema)) -> Plan {
        let mut schema = Schema::default();
        build(&mut schema);
        schema.into_plan()
    }

    #[test]
    fn a_table_with_an_id_and_an_index_takes_six_locks() {
        // What pg_locks shows on PostgreSQL 15 for this table: the table, its TOAST table and
        // index, the id's sequence and primary key, and the index.
        let plan = plan(|schema| {
            schema.create("posts", |t| {
                t.id();
                t.string("title").length(100);
                t.integer("n");
                t.index(["title"]);
            });
        });
        assert_eq!(locks_taken(&plan), 6);
    }

    #[test]
    fn raw_sql_counts_what_it_names() {
        let plan = plan(|schema| schema.raw("UPDATE posts SET n = 1"));
        assert!(locks_taken(&plan) >= 1);
        let none = plan_of_nothing();
        assert_eq!(locks_taken(&none), 0);
    }

    fn plan_of_nothing() -> Plan {
        plan(|_| {})
    }

    #[test]
    fn step_and_mysql_are_refused_before_anything_starts() {
        assert!(matches!(
            refuse_before_start(true, Dialect::Sqlite),
            Err(MigrationError::Plan(PlanError::GroupedWithStep))
        ));
        assert!(matches!(
            refuse_before_start(false, Dialect::MySql),
            Err(MigrationError::Plan(
                PlanError::GroupedNeedsTransactionalDdl { .. }
            ))
        ));
        assert!(refuse_before_start(false, Dialect::Postgres).is_ok());
        assert!(refuse_before_start(false, Dialect::Sqlite).is_ok());
    }
}
