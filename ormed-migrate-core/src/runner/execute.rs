//! Running one migration: its statements and its ledger row, together where the database allows.
//!
//! SQLite and PostgreSQL run DDL in transactions, so a migration and its ledger row commit or
//! roll back as one. MySQL commits every DDL statement on its own (and `no_transaction`
//! migrations opt out), so there the ledger row is written first, marked failed, and the mark is
//! cleared on success: a partial failure is always visible. Either way a migration runs on one
//! connection, so session settings made by one statement hold for the next.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::interrupt::Interruption;
use super::round_trip::{Part, RoundTrip};
use super::session::Session;
use super::watch::{self, Failure, Watch};
use super::{MigrationAction, MigrationRunner, Rendered, Repair};
use crate::backend;
use crate::descriptor::{Direction, MigrationDescriptor};
use crate::driver::{Target, Transaction, execute, fetch_i64};
use crate::error::{FailureState, Interrupted, LedgerError, MigrationError, PlanError, RunError};
use crate::ledger::{AppliedMigration, NewRow, SqlMigrationLedger};
use crate::rebuild;
use crate::schema::AlterTable;
use crate::sql::{Deferred, Origin};
use crate::waits::WaitNotice;

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
        session: &mut Session,
        migration: Rendered<'_>,
        batch: i64,
        on_wait: &mut (dyn FnMut(&WaitNotice) + Send),
        interruption: &mut Interruption<'_>,
    ) -> Result<MigrationAction, MigrationError> {
        let started = Instant::now();
        let descriptor = migration.descriptor;
        // The ledger as pinned for this session: raw SQL cannot send its writes elsewhere.
        let ledger = session.ledger.clone();
        let mut watch = self.watch(session.watched(), &descriptor.id, on_wait, interruption);
        if self.transactional(descriptor) {
            let record = Record::Applied { batch, started };
            self.run_transactional(session, &migration, record, &mut watch)
                .await?;
        } else {
            let failed = NewRow::failed(descriptor, batch);
            ledger.insert(session.target(), &failed).await?;
            self.run_outside_transaction(
                session,
                &migration,
                Direction::Up,
                &failed.id,
                None,
                &mut watch,
            )
            .await?;
            let ms = elapsed_ms(started);
            ledger
                .mark_applied(session.target(), &failed.id, ms)
                .await
                .map_err(|e| recorded_late(e, descriptor, Repair::Applied))?;
        }
        self.reset_session(session, &migration).await?;
        Ok(finished(
            migration,
            Direction::Up,
            batch,
            started,
            watch.ran,
        ))
    }

    /// Rolls back the migration whose ledger row is `row`; every write finds the row by its id
    /// as stored (an old row may carry the legacy spelling).
    pub(super) async fn rollback_migration(
        &self,
        session: &mut Session,
        migration: Rendered<'_>,
        row: &AppliedMigration,
        on_wait: &mut (dyn FnMut(&WaitNotice) + Send),
        interruption: &mut Interruption<'_>,
    ) -> Result<MigrationAction, MigrationError> {
        let started = Instant::now();
        let descriptor = migration.descriptor;
        let stored_id = row.stored_id.as_str();
        let ledger = session.ledger.clone();
        let mut watch = self.watch(session.watched(), &descriptor.id, on_wait, interruption);
        if self.transactional(descriptor) {
            let record = Record::RolledBack { stored_id };
            self.run_transactional(session, &migration, record, &mut watch)
                .await?;
        } else {
            ledger
                .set_failure(session.target(), stored_id, Some(Direction::Down))
                .await?;
            let delete = ledger.delete_text(stored_id);
            let deleted = self
                .run_outside_transaction(
                    session,
                    &migration,
                    Direction::Down,
                    stored_id,
                    delete,
                    &mut watch,
                )
                .await?;
            if !deleted {
                ledger
                    .delete(session.target(), stored_id)
                    .await
                    .map_err(|e| recorded_late(e, descriptor, Repair::RolledBack))?;
            }
        }
        self.reset_session(session, &migration).await?;
        Ok(finished(
            migration,
            Direction::Down,
            row.batch,
            started,
            watch.ran,
        ))
    }

    /// Runs a migration in one transaction with its ledger write, foreign keys off around it
    /// where it may rebuild a SQLite table.
    async fn run_transactional(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        record: Record<'_>,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        if let Some(trip) = self.transactional_trip(session, migration, &record) {
            let sent = self
                .run_trip_in_transaction(session, migration, &record, &trip, watch)
                .await?;
            if sent == Sent::Ran {
                return Ok(());
            }
            // Refused as a whole, nothing ran: statement by statement, the database names the
            // statement it refuses.
        }
        let descriptor = migration.descriptor;
        let ledger = session.ledger.clone();
        let keys = ForeignKeys::off_for(session, [migration]).await?;
        let finished = async {
            let mut tx = begin(session, || format!("migration {}", descriptor.id)).await?;
            let ran = async {
                let rolled_back = FailureState::RolledBack;
                self.run_in_transaction(&mut tx, migration, record.direction(), rolled_back, watch)
                    .await?;
                let target = Target::Transaction(&mut tx);
                match record {
                    Record::Applied { batch, started } => {
                        let ms = elapsed_ms(started);
                        let row = NewRow::applied(descriptor, Utc::now(), batch, ms);
                        ledger.insert(target, &row).await
                    }
                    Record::RolledBack { stored_id } => {
                        ledger.delete(target, stored_id).await.map(drop)
                    }
                }
            }
            .await;
            finish_transaction(tx, descriptor, ran).await
        }
        .await;
        let what = || format!("migration {}", descriptor.id);
        keys.restore(session, what, finished).await
    }

    /// A transactional migration with its ledger write as one text, when it can be one.
    fn transactional_trip(
        &self,
        session: &Session,
        migration: &Rendered<'_>,
        record: &Record<'_>,
    ) -> Option<RoundTrip> {
        let ledger = &session.ledger;
        let write = match *record {
            Record::Applied { batch, .. } => {
                ledger.insert_text(&NewRow::applied(migration.descriptor, Utc::now(), batch, 0))
            }
            Record::RolledBack { stored_id } => ledger.delete_text(stored_id),
        };
        RoundTrip::transactional(migration, self.driver.dialect(), write)
    }

    /// Runs `trip` (`BEGIN`, the statements, the ledger write, `COMMIT`) in one round trip.
    /// The database runs nothing after a failure, and the transaction it leaves open is rolled
    /// back; a lost connection leaves unknown whether the `COMMIT` ran. A text the database
    /// refused as a whole before running any of it (PostgreSQL parses it first, and not every
    /// such error says where it is) is [`Sent::Refused`].
    async fn run_trip_in_transaction(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        record: &Record<'_>,
        trip: &RoundTrip,
        watch: &mut Watch<'_, '_>,
    ) -> Result<Sent, MigrationError> {
        let Err(failure) = send(session.target(), trip, migration, watch).await else {
            return Ok(Sent::Ran);
        };
        let answered = failure.source.as_database_error().is_some();
        let backend = backend::of(self.driver.dialect());
        let untouched = answered && failure.completed == 0 && backend.parses_a_text_first();
        if untouched && failure.interrupt.is_none() {
            return Ok(Sent::Refused);
        }
        // Once `BEGIN` ran, the transaction is open (PostgreSQL refuses a text it cannot parse
        // before running any of it). A connection that cannot roll back is not reused.
        if failure.completed > 0 && execute(session.target(), "ROLLBACK").await.is_err() {
            session.connection.close_on_drop();
        }
        let descriptor = migration.descriptor;
        let mut part = trip.failed_part(&failure);
        if part == Part::Begin && failure.interrupt.is_some() && !migration.statements.is_empty() {
            // Cancelled before it began: what it was about to run is what the interrupt stopped.
            part = Part::Statement(0);
        }
        match part {
            Part::Commit => {}
            _ if !answered => {}
            Part::Begin => {
                let context = format!(
                    "could not start a transaction for migration {}",
                    descriptor.id
                );
                return Err(MigrationError::database(context, failure.source));
            }
            Part::Statement(index) => {
                let sql = migration.statements[index].sql.clone();
                let state = FailureState::RolledBack;
                return Err(self.statement_failed(
                    migration,
                    record.direction(),
                    index,
                    sql,
                    state,
                    failure,
                ));
            }
            Part::Ledger => {
                let ledger = &session.ledger;
                return Err(match *record {
                    Record::Applied { .. } => {
                        ledger.insert_failed(&descriptor.id.to_string(), failure.source)
                    }
                    Record::RolledBack { stored_id } => {
                        ledger.delete_failed(stored_id, failure.source)
                    }
                });
            }
        }
        Err(RunError::CommitUnknown {
            id: descriptor.id.clone(),
            source: Box::new(failure.source),
        }
        .into())
    }

    /// Runs `trip` (a migration's statements and its ledger row) in one round trip inside a
    /// grouped batch's transaction, which a failure leaves to be rolled back.
    pub(super) async fn run_trip_in_open_transaction(
        &self,
        tx: &mut Transaction<'_>,
        migration: &Rendered<'_>,
        trip: &RoundTrip,
        ledger: &SqlMigrationLedger,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        let Err(failure) = send(Target::Transaction(tx), trip, migration, watch).await else {
            return Ok(());
        };
        let descriptor = migration.descriptor;
        match trip.failed_part(&failure) {
            Part::Statement(index) => {
                let sql = migration.statements[index].sql.clone();
                let state = FailureState::BatchRolledBack;
                Err(self.statement_failed(migration, Direction::Up, index, sql, state, failure))
            }
            // A text inside an open transaction has no `BEGIN` or `COMMIT`.
            Part::Ledger | Part::Begin | Part::Commit => {
                Err(ledger.insert_failed(&descriptor.id.to_string(), failure.source))
            }
        }
    }

    /// How the statements of migration `id` are watched on the run's session.
    pub(super) fn watch<'w, 'r>(
        &'w self,
        (server_id, interrupted): (Option<i64>, Arc<AtomicBool>),
        id: &'w crate::id::MigrationId,
        on_wait: &'w mut (dyn FnMut(&WaitNotice) + Send),
        interruption: &'w mut Interruption<'r>,
    ) -> Watch<'w, 'r> {
        Watch {
            driver: &self.driver,
            server_id,
            interrupted,
            id,
            on_wait,
            interruption,
            ran: Vec::new(),
        }
    }

    /// After a migration with raw SQL, puts the run's session back to its defaults where the
    /// database can, so that a `SET` it made does not reach the migrations after it. Builder
    /// statements change no session setting, so other migrations cost no extra round trip.
    async fn reset_session(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
    ) -> Result<(), MigrationError> {
        let namespace = session.namespace.clone();
        self.reset_settings(session.target(), namespace.as_deref(), migration)
            .await
    }

    /// [`MigrationRunner::reset_session`] on `target` (the session, or a grouped batch's
    /// transaction, where the reset is part of the transaction), back to `namespace`.
    pub(super) async fn reset_settings(
        &self,
        mut target: Target<'_, '_>,
        namespace: Option<&str>,
        migration: &Rendered<'_>,
    ) -> Result<(), MigrationError> {
        let raw = migration
            .statements
            .iter()
            .any(|statement| statement.origin == Origin::Raw);
        if !raw {
            return Ok(());
        }
        let backend = backend::of(self.driver.dialect());
        let back = namespace.and_then(|namespace| backend.return_to_namespace(namespace));
        let reset = backend.session_reset();
        if reset.is_none() && back.is_none() {
            return Ok(());
        }
        for statement in reset.map(str::to_owned).into_iter().chain(back) {
            execute(target.reborrow(), &statement).await.map_err(|e| {
                MigrationError::database(
                    format!(
                        "migration {} finished, but its session settings could not be reset, so \
                         nothing after it was run",
                        migration.descriptor.id
                    ),
                    e,
                )
            })?;
        }
        // The reset also cleared the run's own settings: set them again.
        self.apply_settings(target).await
    }

    /// Runs a migration's statements in `tx`; a failure leaves `rolled_back` (the migration's
    /// own transaction, or its grouped batch's).
    pub(super) async fn run_in_transaction(
        &self,
        tx: &mut Transaction<'_>,
        migration: &Rendered<'_>,
        direction: Direction,
        rolled_back: FailureState,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        let step = StepContext {
            migration,
            direction,
            rolled_back,
        };
        for (index, statement) in migration.statements.iter().enumerate() {
            let sql = match &statement.deferred {
                Some(Deferred::SqliteTableChange(alter)) => {
                    self.run_table_change(tx, &step, index, alter, watch)
                        .await?;
                    continue;
                }
                Some(deferred) => {
                    let target = Target::Transaction(tx);
                    match self.resolve(target, migration, direction, deferred).await? {
                        Some(sql) => sql,
                        None => continue,
                    }
                }
                None => statement.sql.clone(),
            };
            if let Err(failure) = watch::run(Target::Transaction(tx), &sql, watch).await {
                let state = rolled_back;
                return Err(self.statement_failed(migration, direction, index, sql, state, failure));
            }
        }
        Ok(())
    }

    /// The SQL a deferred statement (other than a SQLite table change) runs, rendered against
    /// the table as it is now, or `None` when there is nothing to do.
    async fn resolve(
        &self,
        target: Target<'_, '_>,
        migration: &Rendered<'_>,
        direction: Direction,
        deferred: &Deferred,
    ) -> Result<Option<String>, MigrationError> {
        let id = &migration.descriptor.id;
        match deferred {
            Deferred::SqliteTableChange(alter) => Err(RunError::TableChangeRefused {
                id: id.clone(),
                direction,
                table: alter.table.clone(),
                message: "a SQLite table change runs only inside the migration's transaction"
                    .to_owned(),
                state: FailureState::MarkedFailed,
            }
            .into()),
            Deferred::DropIndexIfPresent {
                table,
                name,
                columns,
            } => {
                let dialect = self.driver.dialect();
                let live = crate::introspect::table(target, dialect, table)
                    .await
                    .map_err(|e| {
                        MigrationError::database(
                            format!(
                                "migration {id} could not read table `{table}` to see whether \
                                 the database made an index for foreign key `{name}`"
                            ),
                            e,
                        )
                    })?;
                let made = live
                    .as_ref()
                    .and_then(|live| live.index(name))
                    .is_some_and(|index| &index.columns == columns);
                if !made {
                    return Ok(None);
                }
                // The names were checked when the migration was rendered, before anything ran.
                crate::render::drop_index_sql(dialect, table, name)
                    .map(Some)
                    .map_err(|source| {
                        PlanError::Render {
                            id: id.clone(),
                            direction,
                            dialect,
                            source,
                        }
                        .into()
                    })
            }
        }
    }

    /// A SQLite table change, rendered group by group against the table as it is by then (a
    /// raw statement or an earlier migration of the run may have changed it).
    async fn run_table_change(
        &self,
        tx: &mut Transaction<'_>,
        step: &StepContext<'_, '_>,
        index: usize,
        alter: &AlterTable,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        let migration = step.migration;
        let refused = |message: String| -> MigrationError {
            RunError::TableChangeRefused {
                id: migration.descriptor.id.clone(),
                direction: step.direction,
                table: alter.table.clone(),
                message,
                state: step.rolled_back,
            }
            .into()
        };
        for group in rebuild::groups(alter) {
            let live = rebuild::read_live(Target::Transaction(tx), &alter.table)
                .await
                .map_err(|e| {
                    MigrationError::database(
                        format!(
                            "migration {} could not read table `{}` before changing it",
                            migration.descriptor.id, alter.table
                        ),
                        e,
                    )
                })?;
            let Some(mut live) = live else {
                return Err(refused(format!("there is no table `{}`", alter.table)));
            };
            let steps =
                rebuild::plan_group(&group, &mut live).map_err(|e| refused(e.to_string()))?;
            // Every rebuild ends with its foreign-key check; in-place changes have none.
            let rebuilt = steps
                .iter()
                .any(|s| matches!(s, rebuild::Step::ForeignKeyCheck { .. }))
                .then_some(alter.table.as_str());
            for planned in steps {
                self.run_step(tx, step, index, &planned, rebuilt, watch)
                    .await?;
            }
        }
        Ok(())
    }

    async fn run_step(
        &self,
        tx: &mut Transaction<'_>,
        context: &StepContext<'_, '_>,
        index: usize,
        step: &rebuild::Step,
        rebuilt: Option<&str>,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        let StepContext {
            migration,
            direction,
            rolled_back,
        } = *context;
        let sql = step.sql();
        let query_failed = |e| MigrationError::database(format!("could not run {sql}"), e);
        let id = || migration.descriptor.id.clone();
        match step {
            rebuild::Step::Sql(statement) => {
                match watch::run(Target::Transaction(tx), statement, watch).await {
                    Ok(()) => Ok(()),
                    Err(failure) if rebuilt.is_some() && refused_by_the_rows(&failure) => {
                        Err(RunError::RebuildFailed {
                            id: id(),
                            direction,
                            table: rebuilt.unwrap_or_default().to_owned(),
                            statement: statement.clone(),
                            state: rolled_back,
                            source: Box::new(failure.source),
                        }
                        .into())
                    }
                    Err(failure) => {
                        let state = rolled_back;
                        let sql = statement.clone();
                        Err(self.statement_failed(migration, direction, index, sql, state, failure))
                    }
                }
            }
            rebuild::Step::ForeignKeyCheck { table } => {
                let violations = rebuild::foreign_key_violations(Target::Transaction(tx), table)
                    .await
                    .map_err(query_failed)?;
                if violations.is_empty() {
                    watch.ran.push(sql);
                    return Ok(());
                }
                Err(RunError::ForeignKeyCheckFailed {
                    id: id(),
                    direction,
                    table: table.clone(),
                    violations,
                    state: rolled_back,
                }
                .into())
            }
            rebuild::Step::Numbers {
                table,
                column,
                allowed,
            } => {
                let found = rebuild::not_numbers(Target::Transaction(tx), table, column, allowed)
                    .await
                    .map_err(query_failed)?;
                if found.is_empty() {
                    watch.ran.push(sql);
                    return Ok(());
                }
                let table = rebuilt.unwrap_or(table).to_owned();
                Err(RunError::RebuildRefusedRows {
                    id: id(),
                    direction,
                    message: format!(
                        "column `{column}` would hold values that are not numbers ({}), which \
                         SQLite keeps as text where PostgreSQL and MySQL refuse the change; fix \
                         or clear those rows in an earlier migration",
                        found.join(", ")
                    ),
                    table,
                    state: rolled_back,
                }
                .into())
            }
            rebuild::Step::NoNulls { table, columns } => {
                let nulls = rebuild::null_rows(Target::Transaction(tx), table, columns)
                    .await
                    .map_err(query_failed)?;
                if nulls == 0 {
                    watch.ran.push(sql);
                    return Ok(());
                }
                Err(RunError::TableChangeRefused {
                    id: id(),
                    direction,
                    table: table.clone(),
                    message: format!(
                        "{nulls} rows of `{table}` hold NULL in {}, which would become its \
                         primary key; fill or delete those rows first",
                        columns.join(", ")
                    ),
                    state: rolled_back,
                }
                .into())
            }
        }
    }

    /// Runs a migration's statements outside a transaction, the ledger row (stored as
    /// `stored_id`) marking it failed already: in one round trip with `ledger_write` after
    /// them where the database takes a text of several (MySQL), else one by one. Whether
    /// `ledger_write` ran; the caller writes the ledger when it did not.
    async fn run_outside_transaction(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        direction: Direction,
        stored_id: &str,
        ledger_write: Option<String>,
        watch: &mut Watch<'_, '_>,
    ) -> Result<bool, MigrationError> {
        let dialect = self.driver.dialect();
        // PostgreSQL and SQLite run a `no_transaction` migration's statements one by one: a
        // text of several is one implicit transaction there, which such statements refuse.
        let trip = (!dialect.has_transactional_ddl())
            .then(|| RoundTrip::outside_transaction(migration, dialect, ledger_write))
            .flatten();
        let Some(trip) = trip else {
            self.run_without_transaction(session, migration, direction, stored_id, watch)
                .await?;
            return Ok(false);
        };
        let Err(failure) = send(session.target(), &trip, migration, watch).await else {
            return Ok(trip.holds(Part::Ledger));
        };
        match trip.failed_part(&failure) {
            Part::Statement(index) => {
                let failed = (index, migration.statements[index].sql.clone(), failure);
                Err(self
                    .failed_outside_transaction(session, migration, direction, stored_id, failed)
                    .await)
            }
            // Every statement ran (a text outside a transaction has no `BEGIN` or `COMMIT`).
            Part::Ledger | Part::Begin | Part::Commit => {
                let error = session.ledger.delete_failed(stored_id, failure.source);
                Err(recorded_late(
                    error,
                    migration.descriptor,
                    Repair::RolledBack,
                ))
            }
        }
    }

    /// Runs statements one by one on the run's session. The ledger row (stored as
    /// `stored_id`) already marks the migration failed; the mark is taken back only when the
    /// first statement failed in a way known to change nothing.
    async fn run_without_transaction(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        direction: Direction,
        stored_id: &str,
        watch: &mut Watch<'_, '_>,
    ) -> Result<(), MigrationError> {
        for (index, statement) in migration.statements.iter().enumerate() {
            let sql = match &statement.deferred {
                Some(deferred) => match self
                    .resolve(session.target(), migration, direction, deferred)
                    .await?
                {
                    Some(sql) => sql,
                    None => continue,
                },
                None => statement.sql.clone(),
            };
            let Err(failure) = watch::run(session.target(), &sql, watch).await else {
                continue;
            };
            let failed = (index, sql, failure);
            return Err(self
                .failed_outside_transaction(session, migration, direction, stored_id, failed)
                .await);
        }
        Ok(())
    }

    /// The error of statement `index`, which ran as `sql` and failed outside a transaction; its
    /// failure mark is taken back when it is known to have changed nothing.
    async fn failed_outside_transaction(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        direction: Direction,
        stored_id: &str,
        (index, sql, failure): (usize, String, Failure),
    ) -> MigrationError {
        let statement = &migration.statements[index];
        // Only a first statement that the database refused as a whole changed nothing; one
        // that gave up waiting for a lock never started.
        let refused = failure.source.as_database_error().is_some();
        // A single statement cancelled by an interrupt is undone by the server as a whole.
        let never_started = statement.single
            && (failure.interrupt.is_some()
                || backend::of(self.driver.dialect()).is_lock_timeout(&failure.source));
        let changed_nothing = index == 0 && refused && (statement.atomic || never_started);
        let state = if changed_nothing {
            if let Err(error) = self.undo_failure_mark(session, stored_id, direction).await {
                return error;
            }
            FailureState::NothingChanged
        } else {
            FailureState::MarkedFailed
        };
        self.statement_failed(migration, direction, index, sql, state, failure)
    }

    async fn undo_failure_mark(
        &self,
        session: &mut Session,
        stored_id: &str,
        direction: Direction,
    ) -> Result<(), MigrationError> {
        let ledger = session.ledger.clone();
        let target = session.target();
        match direction {
            Direction::Up => ledger.delete(target, stored_id).await.map(drop),
            Direction::Down => ledger.set_failure(target, stored_id, None).await,
        }
    }

    /// The error of a failed statement; a wait for a lock that gave up at the lock timeout
    /// says how long it waited and who held the lock, as last seen.
    fn statement_failed(
        &self,
        migration: &Rendered<'_>,
        direction: Direction,
        index: usize,
        statement: String,
        state: FailureState,
        failure: Failure,
    ) -> MigrationError {
        let dialect = self.driver.dialect();
        let id = migration.descriptor.id.clone();
        let (number, total) = (index + 1, migration.statements.len());
        if let Some(signal) = failure.interrupt {
            let running = Interrupted {
                id,
                direction,
                statement,
                state,
                source: failure.source,
            };
            return RunError::Interrupted {
                signal,
                running: Some(Box::new(running)),
                done: Vec::new(),
                rolled_back: Vec::new(),
            }
            .into();
        }
        let source = Box::new(failure.source);
        if backend::of(dialect).is_lock_timeout(&source) {
            return RunError::LockWaitTimedOut {
                id,
                direction,
                statement,
                number,
                total,
                dialect,
                waited: failure.waited,
                lock: failure.lock.map(Box::new),
                state,
                source,
            }
            .into();
        }
        RunError::StatementFailed {
            id,
            direction,
            statement,
            number,
            total,
            dialect,
            state,
            source,
        }
        .into()
    }
}

/// Sends `trip` in one round trip, adding the migration's statements that finished to what ran.
async fn send(
    target: Target<'_, '_>,
    trip: &RoundTrip,
    migration: &Rendered<'_>,
    watch: &mut Watch<'_, '_>,
) -> Result<(), Failure> {
    let sent = watch::run_counted(target, trip.text(), watch).await;
    let completed = match &sent {
        Ok(done) => done.len(),
        Err(failure) => failure.completed,
    };
    watch.ran.extend(trip.statements_ran(completed, migration));
    sent.map(drop)
}

/// Whether a statement failed on the rows: a NOT NULL, UNIQUE or CHECK constraint refused one
/// (not a schema error, an interrupt or a lock wait).
fn refused_by_the_rows(failure: &watch::Failure) -> bool {
    use sqlx::error::ErrorKind;
    let kind = failure.source.as_database_error().map(|e| e.kind());
    failure.interrupt.is_none()
        && matches!(
            kind,
            Some(
                ErrorKind::NotNullViolation
                    | ErrorKind::UniqueViolation
                    | ErrorKind::CheckViolation
            )
        )
}

/// The migration a statement of a SQLite table change belongs to, and what its failure leaves.
#[derive(Clone, Copy)]
struct StepContext<'m, 'd> {
    migration: &'m Rendered<'d>,
    direction: Direction,
    rolled_back: FailureState,
}

/// What became of a migration sent in one round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    /// It ran (well or not: a failure is the error).
    Ran,
    /// The database refused the text as a whole, before running any of it.
    Refused,
}

/// What a transactional migration writes to the ledger in its transaction.
enum Record<'a> {
    /// Its row, applied in `batch`, timed from `started`.
    Applied { batch: i64, started: Instant },
    /// Its row (stored as `stored_id`) deleted.
    RolledBack { stored_id: &'a str },
}

impl Record<'_> {
    fn direction(&self) -> Direction {
        match self {
            Record::Applied { .. } => Direction::Up,
            Record::RolledBack { .. } => Direction::Down,
        }
    }
}

/// Whether the run's SQLite connection had foreign keys on before a migration that may rebuild
/// a table turned them off. `PRAGMA foreign_keys` is a no-op inside a transaction, so it is
/// switched before `BEGIN` and back after the commit or rollback.
#[must_use]
pub(super) struct ForeignKeys {
    turn_back_on: bool,
}

impl ForeignKeys {
    /// Turns keys off when one of `migrations` (one, or a grouped batch) may rebuild a table.
    pub(super) async fn off_for<'m, 'd: 'm>(
        session: &mut Session,
        migrations: impl IntoIterator<Item = &'m Rendered<'d>>,
    ) -> Result<ForeignKeys, MigrationError> {
        let rebuilding = migrations.into_iter().find(|migration| {
            migration.statements.iter().any(|s| {
                s.deferred
                    .as_ref()
                    .is_some_and(|d| d.table_change().is_some())
            })
        });
        let Some(rebuilding) = rebuilding else {
            return Ok(ForeignKeys {
                turn_back_on: false,
            });
        };
        let id = &rebuilding.descriptor.id;
        let context = || format!("could not turn foreign keys off for migration {id}");
        let on = fetch_i64(session.target(), "PRAGMA foreign_keys")
            .await
            .map_err(|e| MigrationError::database(context(), e))?;
        if on == 1 {
            execute(session.target(), "PRAGMA foreign_keys = OFF")
                .await
                .map_err(|e| MigrationError::database(context(), e))?;
        }
        Ok(ForeignKeys {
            turn_back_on: on == 1,
        })
    }

    /// Turns keys back on after the migration `finished` (well or not), on every path: a
    /// connection left with keys off is closed instead of going back to the pool. The
    /// migration's own error comes first.
    pub(super) async fn restore<T>(
        self,
        session: &mut Session,
        what: impl FnOnce() -> String,
        finished: Result<T, MigrationError>,
    ) -> Result<T, MigrationError> {
        if !self.turn_back_on {
            return finished;
        }
        let restored = execute(session.target(), "PRAGMA foreign_keys = ON").await;
        if restored.is_err() {
            session.connection.close_on_drop();
        }
        let finished = finished?;
        restored.map_err(|e| {
            MigrationError::database(
                format!(
                    "{} finished, but foreign keys could not be turned back on, so nothing \
                     after it was run",
                    what()
                ),
                e,
            )
        })?;
        Ok(finished)
    }
}

/// Starts the transaction of `what` (a migration, a grouped batch) on the run's connection.
pub(super) async fn begin<'c>(
    session: &'c mut Session,
    what: impl FnOnce() -> String,
) -> Result<Transaction<'c>, MigrationError> {
    session.connection.begin().await.map_err(|e| {
        MigrationError::database(format!("could not start a transaction for {}", what()), e)
    })
}

/// Commits after success; rolls back now (not lazily on drop) after a failure, so the
/// connection is clean before the error reaches the caller.
async fn finish_transaction(
    tx: Transaction<'_>,
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
        RunError::CommitUnknown {
            id: descriptor.id.clone(),
            source: Box::new(e),
        }
        .into()
    })
}

/// Every statement ran but the ledger could not record it: the mark still says "failed", which
/// is wrong, so the error says how to record the truth.
fn recorded_late(
    error: MigrationError,
    descriptor: &MigrationDescriptor,
    truth: Repair,
) -> MigrationError {
    match error {
        MigrationError::Ledger(LedgerError::Database {
            context, source, ..
        }) => crate::error::recorded_late(&descriptor.id, truth, context, source),
        other => other,
    }
}

pub(super) fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// What a real run reports: the statements that ran (a SQLite table change as the statements
/// it became), and how long it took.
pub(super) fn finished(
    migration: Rendered<'_>,
    direction: Direction,
    batch: i64,
    started: Instant,
    ran: Vec<String>,
) -> MigrationAction {
    MigrationAction {
        duration: started.elapsed(),
        ..planned(migration.descriptor, direction, batch, ran)
    }
}
