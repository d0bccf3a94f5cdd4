//! `MigrationRunner`: applies pending migrations in batches, rolls back by batch, reports status.
//!
//! Every run follows the same steps: read the ledger, refuse early (changed checksums, failed
//! migrations, applied migrations missing from the code, irreversible rollbacks), render every
//! plan to SQL *before* running anything, then run each migration with its ledger row.

mod builders;
mod drift;
mod execute;
mod fresh;
mod grouped;
mod interrupt;
mod plan;
mod round_trip;
mod schema_model;
mod session;
mod startup;
mod watch;

use session::Session;
mod repair;
mod report;
mod status;

use std::future::Future;
use std::time::Duration;

pub use builders::{Apply, Rollback, RunFuture};
pub use drift::Drift;
pub use interrupt::Interrupt;
use interrupt::Interruption;
pub use repair::{Repair, RepairNeeded};
pub use report::{MigrationAction, MigrationReport};
pub use startup::Startup;
pub use status::{MigrationState, MigrationStatus};

use crate::descriptor::{Direction, MigrationDescriptor};
use crate::driver::Driver;
use crate::error::{MigrationError, PlanError, RunError, SetupError};
use crate::id::MigrationId;
use crate::ledger::{AppliedMigration, SqlMigrationLedger};
use crate::lock::{DEFAULT_MIGRATION_LOCK_TIMEOUT, MigrationLock, Running};
use crate::schema::Plan;
use crate::sql::Statement;
use crate::waits::{DEFAULT_LOCK_TIMEOUT, WaitNotice};

/// Applies, rolls back and reports on a set of migrations against one database.
///
/// ```no_run
/// # async fn demo(descriptors: Vec<ormed_migrate_core::MigrationDescriptor>) -> Result<(), ormed_migrate_core::MigrationError> {
/// use ormed_migrate_core::{Driver, MigrationRunner, SqlMigrationLedger};
///
/// let driver = Driver::connect("sqlite://app.db").await?;
/// let ledger = SqlMigrationLedger::new(driver.clone(), "orm_migrations")?;
/// let runner = MigrationRunner::new(driver, ledger, descriptors);
///
/// runner.apply_all().await?;            // every pending migration, as one batch
/// runner.apply_all().limit(5).await?;   // at most five
/// runner.rollback().await?;             // the last batch
/// runner.rollback().steps(3).await?;    // the last three batches
/// for status in runner.status().await? {
///     println!("{}: {}", status.id, if status.is_applied() { "Applied" } else { "Pending" });
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MigrationRunner {
    driver: Driver,
    ledger: SqlMigrationLedger,
    migrations: Vec<MigrationDescriptor>,
    strict_order: bool,
    allow_missing: bool,
    refuse_ahead: bool,
    lock_timeout: Duration,
    migration_lock_timeout: Duration,
    /// A mistake in how the runner was put together, found once in `new` and reported by every
    /// call, before any database work.
    setup_problem: Option<SetupProblem>,
}

/// What [`MigrationRunner::new`] found wrong with its parts.
#[derive(Debug)]
enum SetupProblem {
    /// Two migrations with one id.
    Duplicate(usize),
    /// The ledger is on another database than the migrations.
    LedgerElsewhere,
}

/// A migration's statements for one direction, rendered before anything runs.
pub(super) struct Rendered<'a> {
    descriptor: &'a MigrationDescriptor,
    statements: Vec<Statement>,
}

impl MigrationRunner {
    /// A runner for `migrations` (sorted and checked, as `build_migrations()` returns them).
    pub fn new(
        driver: Driver,
        ledger: SqlMigrationLedger,
        mut migrations: Vec<MigrationDescriptor>,
    ) -> MigrationRunner {
        // Id order is apply order, whatever order the list was assembled in.
        migrations.sort_by(|a, b| a.id.cmp(&b.id));
        let duplicate = migrations
            .windows(2)
            .position(|pair| pair[0].id == pair[1].id);
        let setup_problem = match duplicate {
            Some(index) => Some(SetupProblem::Duplicate(index)),
            None if !driver.same_database(ledger.driver()) => Some(SetupProblem::LedgerElsewhere),
            None => None,
        };
        MigrationRunner {
            driver,
            ledger,
            migrations,
            strict_order: false,
            allow_missing: false,
            refuse_ahead: false,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            migration_lock_timeout: DEFAULT_MIGRATION_LOCK_TIMEOUT,
            setup_problem,
        }
    }

    /// How long one migration statement may wait for a table, metadata or row lock another
    /// session holds (10 seconds by default): PostgreSQL `lock_timeout`, MySQL
    /// `lock_wait_timeout` and `innodb_lock_wait_timeout`, SQLite's busy timeout. A migration
    /// stuck behind an application's transaction then fails within seconds, naming the session
    /// that blocks it, instead of queueing every application query behind it.
    pub fn lock_timeout(mut self, timeout: Duration) -> MigrationRunner {
        self.lock_timeout = timeout;
        self
    }

    /// How long to wait for another runner's migration lock (60 seconds by default).
    pub fn migration_lock_timeout(mut self, timeout: Duration) -> MigrationRunner {
        self.migration_lock_timeout = timeout;
        self
    }

    /// Refuse (instead of warning about) a pending migration older than the newest applied one.
    pub fn strict_order(mut self, strict: bool) -> MigrationRunner {
        self.strict_order = strict;
        self
    }

    /// Apply even when the ledger lists migrations this binary does not contain.
    pub fn allow_missing(mut self, allow: bool) -> MigrationRunner {
        self.allow_missing = allow;
        self
    }

    /// Refuse (instead of warning about) a database that is ahead of this binary: its ledger
    /// lists applied migrations newer than every migration this runner knows, because a newer
    /// release migrated it (an older instance starting during a rolling deploy). By default
    /// that is a warning, with nothing to do for them; refused, applying is
    /// [`PlanError::DatabaseAhead`], naming them, even with
    /// [`allow_missing`](MigrationRunner::allow_missing). An unknown applied migration *older*
    /// than the newest known one is not "ahead": it stays [`PlanError::MissingFromCode`].
    pub fn refuse_ahead(mut self, refuse: bool) -> MigrationRunner {
        self.refuse_ahead = refuse;
        self
    }

    /// The migrations this runner knows, in id order.
    pub fn migrations(&self) -> &[MigrationDescriptor] {
        &self.migrations
    }

    /// The ledger.
    pub fn ledger(&self) -> &SqlMigrationLedger {
        &self.ledger
    }

    /// Applies every pending migration, in id order, as one new batch.
    pub fn apply_all(&self) -> Apply<'_> {
        Apply::new(self)
    }

    /// Applies the one migration `id`; an applied one is the error "has already been applied".
    pub fn apply_one(&self, id: &MigrationId) -> Apply<'_> {
        self.apply_all().only(id)
    }

    /// Rolls back the last batch, its migrations in reverse order of application.
    pub fn rollback(&self) -> Rollback<'_> {
        Rollback::new(self)
    }

    /// Rolls back the one applied migration `id`.
    pub fn rollback_one(&self, id: &MigrationId) -> Rollback<'_> {
        self.rollback().only(id)
    }

    /// Every migration in the code or the ledger, in id order, with its state.
    pub async fn status(&self) -> Result<Vec<MigrationStatus>, MigrationError> {
        let mut session = self.reading_session().await?;
        let applied = self.read_ledger(&mut session, false).await?;
        let mut statuses = self.statuses_from(&applied);
        mark_running(&mut statuses, self.lock_holder(&mut session).await);
        Ok(statuses)
    }

    /// Who holds the migration lock right now, if anyone, asked on the session's connection.
    /// Status must not fail or wait on this, so a lock that cannot be looked at counts as free
    /// (and is logged).
    async fn lock_holder(&self, session: &mut Session) -> Option<Running> {
        let table = self.ledger.table();
        let connection = &mut session.connection;
        match self
            .driver
            .migration_lock_holder_on(connection, table)
            .await
        {
            Ok(holder) => holder,
            Err(error) => {
                tracing::warn!("could not look at the migration lock: {error}");
                None
            }
        }
    }

    /// The state of every migration given the ledger's rows, in id order: the code's list and
    /// the rows, both sorted by id, walked side by side (status reads thousands of rows).
    fn statuses_from(&self, applied: &[AppliedMigration]) -> Vec<MigrationStatus> {
        let mut rows: Vec<&AppliedMigration> = applied.iter().collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        // A second row of one id (its other spelling, refused elsewhere) adds no status.
        rows.dedup_by(|a, b| a.id == b.id);
        let mut rows = rows.into_iter().peekable();
        let mut statuses = Vec::with_capacity(self.migrations.len());
        for descriptor in &self.migrations {
            while let Some(row) = rows.next_if(|row| row.id < descriptor.id) {
                statuses.push(missing_from_code(row));
            }
            let row = rows.next_if(|row| row.id == descriptor.id);
            statuses.push(status_of(descriptor, row));
        }
        statuses.extend(rows.map(missing_from_code));
        statuses
    }

    /// The ledger's rows. With `create`, the table is created first; without, a missing table
    /// reads as empty so that `status` and `pretend` never write.
    async fn read_ledger(
        &self,
        session: &mut Session,
        create: bool,
    ) -> Result<Vec<AppliedMigration>, MigrationError> {
        let rows = self.read_rows_or_none(session, create).await?;
        let rows = rows.into_iter().collect::<Result<Vec<_>, _>>()?;
        self.ledger.check_duplicates(&rows)?;
        Ok(rows)
    }

    /// Like [`MigrationRunner::read_ledger`], but every row is returned, readable or not, for
    /// the repairs that fix unreadable rows.
    async fn read_rows_or_none(
        &self,
        session: &mut Session,
        create: bool,
    ) -> Result<Vec<Result<AppliedMigration, MigrationError>>, MigrationError> {
        self.check_setup()?;
        if create {
            self.ledger.ensure_on(session.target()).await?;
            return self.ledger.read_rows(session.target()).await;
        }
        let rows = self.ledger.read_rows_if_present(session.target()).await?;
        Ok(rows.unwrap_or_default())
    }

    /// Mistakes in how the runner was put together (found once, in `new`): the same id twice,
    /// or a ledger on another database than the migrations.
    fn check_setup(&self) -> Result<(), MigrationError> {
        match self.setup_problem {
            None => Ok(()),
            Some(SetupProblem::Duplicate(index)) => {
                let (first, second) = (&self.migrations[index], &self.migrations[index + 1]);
                Err(SetupError::DuplicateId {
                    id: first.id.clone(),
                    first: first.source,
                    second: second.source,
                }
                .into())
            }
            Some(SetupProblem::LedgerElsewhere) => Err(SetupError::LedgerElsewhere {
                runner: self.driver.redacted_url().to_owned(),
                ledger: self.ledger.driver().redacted_url().to_owned(),
            }
            .into()),
        }
    }

    fn descriptor(&self, id: &MigrationId) -> Option<&MigrationDescriptor> {
        self.migrations.iter().find(|d| &d.id == id)
    }

    /// Runs `work` holding the migration lock, released on every path.
    async fn locked<T>(
        &self,
        work: impl Future<Output = Result<T, MigrationError>>,
    ) -> Result<T, MigrationError> {
        let lock = self
            .take_lock(false, &mut |_| {}, &mut Interruption::default())
            .await?;
        let result = work.await;
        self.release(lock).await;
        result
    }

    /// The migration lock, or none for `pretend` (which writes nothing, so it never waits). A
    /// wait for another runner is announced to `on_wait` once it has gone on for a while, and
    /// ends when the run is interrupted.
    async fn take_lock(
        &self,
        pretend: bool,
        on_wait: &mut (dyn FnMut(&WaitNotice) + Send),
        interruption: &mut Interruption<'_>,
    ) -> Result<Option<MigrationLock>, MigrationError> {
        if pretend {
            return Ok(None);
        }
        let armed = interruption.is_armed();
        let mut announce = || on_wait(&WaitNotice::MigrationLock);
        let taking = self.driver.lock_announcing(
            self.ledger.table(),
            self.migration_lock_timeout,
            &mut announce,
        );
        tokio::select! {
            lock = taking => Ok(Some(lock?)),
            signal = interruption.wait(), if armed => Err(interrupted_between(signal, &[])),
        }
    }

    async fn release(&self, lock: Option<MigrationLock>) {
        if let Some(lock) = lock
            && let Err(error) = lock.release().await
        {
            // The lock's connection is closed either way, which frees it; the run's own result
            // is what the caller needs.
            tracing::warn!("{error}");
        }
    }

    /// The run's session: with its lock timeout set when the run writes.
    async fn run_session(&self, pretend: bool) -> Result<Session, MigrationError> {
        if pretend {
            self.reading_session().await
        } else {
            self.writing_session().await
        }
    }

    async fn run_apply(&self, mut apply: Apply<'_>) -> Result<MigrationReport, MigrationError> {
        if apply.selection.grouped {
            grouped::refuse_before_start(apply.selection.step, self.driver.dialect())?;
        }
        let pretend = apply.pretend;
        let hooks = &mut apply.hooks;
        let mut lock = self
            .take_lock(pretend, &mut |n| hooks.wait(n), &mut apply.interruption)
            .await?;
        let result = async {
            let mut session = self.run_session(pretend).await?;
            let result = self.apply_locked(&mut session, &mut lock, &mut apply).await;
            self.end_session(session, apply.interruption.check().is_some())
                .await;
            result
        }
        .await;
        self.release(lock).await;
        result
    }

    /// Reads the ledger only once the lock is held, so a runner that waited finds the work done.
    async fn apply_locked(
        &self,
        session: &mut Session,
        lock: &mut Option<MigrationLock>,
        apply: &mut Apply<'_>,
    ) -> Result<MigrationReport, MigrationError> {
        let wiped = match apply.fresh {
            true => self.wipe(session, apply.pretend).await?,
            false => fresh::Wiped::default(),
        };
        let applied = match apply.fresh && apply.pretend {
            // The drops would take the ledger with them.
            true => Vec::new(),
            false => self.read_ledger(session, !apply.pretend).await?,
        };
        let chosen = plan::apply(&self.migrations, &applied, &apply.selection, self.rules())?;
        let mut report = MigrationReport {
            pretend: apply.pretend,
            warnings: self.warn(chosen.warnings),
            dropped: wiped.objects,
            drop_statements: wiped.statements,
            ..MigrationReport::default()
        };
        apply.hooks.warn(&report.warnings);
        let mut rendered = Vec::with_capacity(chosen.migrations.len());
        let mut plans = Vec::with_capacity(chosen.migrations.len());
        for (descriptor, batch) in chosen.migrations {
            let up = descriptor.plan(Direction::Up);
            rendered.push((self.render(descriptor, Direction::Up, &up)?, batch));
            plans.push((descriptor, Direction::Up, up));
        }
        if apply.selection.grouped {
            grouped::refuse_no_transaction(&rendered)?;
            let ups: Vec<&Plan> = plans.iter().map(|(_, _, up)| up).collect();
            self.check_lock_capacity(session, &ups).await?;
        }
        let empty = apply.fresh && apply.pretend;
        let (warnings, mut model) = self.preflight(session, &plans, empty).await?;
        report.warnings.extend(self.warn(warnings.clone()));
        apply.hooks.warn(&warnings);
        if apply.selection.grouped && !apply.pretend {
            // Reported only now: nothing of a grouped batch is applied before its commit.
            report.actions = self.apply_grouped(session, lock, rendered, apply).await?;
            report
                .actions
                .iter()
                .for_each(|action| apply.hooks.done(action));
            return Ok(report);
        }
        for ((migration, batch), (_, _, up)) in rendered.into_iter().zip(&plans) {
            let action = if apply.pretend {
                let sql = self
                    .pretend_sql(session, &migration, model.as_mut(), up)
                    .await;
                execute::planned(migration.descriptor, Direction::Up, batch, sql)
            } else {
                if let Some(signal) = apply.interruption.check() {
                    return Err(interrupted_between(signal, &report.actions));
                }
                let id = migration.descriptor.id.clone();
                apply.hooks.start(&id, Direction::Up);
                let hooks = &mut apply.hooks;
                let interruption = &mut apply.interruption;
                let mut on_wait = |n: &WaitNotice| hooks.wait(n);
                let applying =
                    self.apply_migration(session, migration, batch, &mut on_wait, interruption);
                // A note for status goes to the lock's connection while a slow migration runs,
                // so it costs no round trip of the run's own.
                let applied = crate::lock::run_noted(lock, Direction::Up, &id, applying).await;
                applied.map_err(|e| with_done(e, &report.actions))?
            };
            apply.hooks.done(&action);
            report.actions.push(action);
        }
        Ok(report)
    }

    /// The rules the pure decisions need from this runner.
    fn rules(&self) -> plan::Rules {
        plan::Rules {
            dialect: self.driver.dialect(),
            allow_missing: self.allow_missing,
        }
    }

    /// Logs each warning, and hands them on for the report.
    fn warn(&self, warnings: Vec<String>) -> Vec<String> {
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        warnings
    }

    /// One migration's statements, typed, rendered before anything runs. A statement the
    /// database refuses inside a transaction, in a transactional migration, is refused here.
    fn render<'a>(
        &self,
        descriptor: &'a MigrationDescriptor,
        direction: Direction,
        plan: &Plan,
    ) -> Result<Rendered<'a>, MigrationError> {
        let dialect = self.driver.dialect();
        let statements = dialect
            .render_statements(plan)
            .map_err(|source| PlanError::Render {
                id: descriptor.id.clone(),
                direction,
                dialect,
                source,
            })?;
        let refused = statements.iter().find(|s| !s.transactional);
        if let (false, Some(statement)) = (descriptor.no_transaction, refused) {
            return Err(PlanError::NeedsNoTransaction {
                id: descriptor.id.clone(),
                statement: statement.sql.clone(),
                dialect,
            }
            .into());
        }
        let rebuild = statements
            .iter()
            .find_map(|s| s.deferred.as_ref().and_then(|d| d.table_change()));
        if let (true, Some(alter)) = (descriptor.no_transaction, rebuild) {
            return Err(PlanError::RebuildNeedsTransaction {
                id: descriptor.id.clone(),
                table: alter.table.clone(),
            }
            .into());
        }
        if let Some(statement) = statements.iter().find(|s| s.needs_split) {
            return Err(PlanError::SplitRaw {
                id: descriptor.id.clone(),
                statement: statement.sql.clone(),
                dialect,
            }
            .into());
        }
        let in_transaction = dialect.has_transactional_ddl() && !descriptor.no_transaction;
        let control = statements.iter().find(|s| s.controls_transaction);
        if let (true, Some(statement)) = (in_transaction, control) {
            return Err(PlanError::TransactionControl {
                id: descriptor.id.clone(),
                statement: statement.sql.clone(),
                dialect,
            }
            .into());
        }
        Ok(Rendered {
            descriptor,
            statements,
        })
    }

    async fn run_rollback(
        &self,
        mut rollback: Rollback<'_>,
    ) -> Result<MigrationReport, MigrationError> {
        let pretend = rollback.pretend;
        let hooks = &mut rollback.hooks;
        let mut lock = self
            .take_lock(pretend, &mut |n| hooks.wait(n), &mut rollback.interruption)
            .await?;
        let result = async {
            let mut session = self.run_session(pretend).await?;
            let result = self
                .rollback_locked(&mut session, &mut lock, &mut rollback)
                .await;
            self.end_session(session, rollback.interruption.check().is_some())
                .await;
            result
        }
        .await;
        self.release(lock).await;
        result
    }

    async fn rollback_locked(
        &self,
        session: &mut Session,
        lock: &mut Option<MigrationLock>,
        rollback: &mut Rollback<'_>,
    ) -> Result<MigrationReport, MigrationError> {
        let applied = self.read_ledger(session, !rollback.pretend).await?;
        let chosen = plan::rollback(
            &self.migrations,
            &applied,
            &rollback.selection,
            self.rules(),
        )?;
        // Each down is recorded once: checked for reversibility, then rendered, before anything
        // runs.
        let mut rendered = Vec::with_capacity(chosen.migrations.len());
        let mut plans = Vec::with_capacity(chosen.migrations.len());
        for (descriptor, row) in chosen.migrations {
            let down = descriptor.plan(Direction::Down);
            plan::refuse_irreversible(descriptor, &down)?;
            rendered.push((self.render(descriptor, Direction::Down, &down)?, row));
            plans.push((descriptor, Direction::Down, down));
        }
        let mut warnings = chosen.warnings;
        let (found, mut model) = self.preflight(session, &plans, false).await?;
        warnings.extend(found);
        let mut report = MigrationReport {
            pretend: rollback.pretend,
            warnings: self.warn(warnings),
            ..MigrationReport::default()
        };
        rollback.hooks.warn(&report.warnings);
        for ((migration, row), (_, _, down)) in rendered.into_iter().zip(&plans) {
            let action = if rollback.pretend {
                let sql = self
                    .pretend_sql(session, &migration, model.as_mut(), down)
                    .await;
                execute::planned(migration.descriptor, Direction::Down, row.batch, sql)
            } else {
                if let Some(signal) = rollback.interruption.check() {
                    return Err(interrupted_between(signal, &report.actions));
                }
                let id = migration.descriptor.id.clone();
                rollback.hooks.start(&id, Direction::Down);
                let hooks = &mut rollback.hooks;
                let interruption = &mut rollback.interruption;
                let mut on_wait = |n: &WaitNotice| hooks.wait(n);
                let rolling_back =
                    self.rollback_migration(session, migration, row, &mut on_wait, interruption);
                let rolled_back =
                    crate::lock::run_noted(lock, Direction::Down, &id, rolling_back).await;
                rolled_back.map_err(|e| with_done(e, &report.actions))?
            };
            rollback.hooks.done(&action);
            report.actions.push(action);
        }
        Ok(report)
    }
}

/// Shows what another runner is running right now, if one holds the migration lock: the
/// migration it noted (PostgreSQL, SQLite), or one whose failure mark it wrote before running it
/// (MySQL, and `no_transaction` migrations).
fn mark_running(statuses: &mut [MigrationStatus], holder: Option<Running>) {
    match holder {
        Some(Running::Noted(note)) => {
            if let Some(status) = statuses.iter_mut().find(|s| note.names(&s.id)) {
                status.state = MigrationState::Running(note.direction);
            }
        }
        Some(Running::FailureMarks) => {
            for status in statuses.iter_mut() {
                if let MigrationState::Failed(direction) = status.state {
                    status.state = MigrationState::Running(direction);
                }
            }
        }
        Some(Running::Unnoted) | None => {}
    }
}

/// An interrupt that came between migrations (or while waiting for the migration lock): nothing
/// was running.
fn interrupted_between(signal: Interrupt, done: &[MigrationAction]) -> MigrationError {
    RunError::Interrupted {
        signal,
        running: None,
        done: done_ids(done),
        rolled_back: Vec::new(),
    }
    .into()
}

/// Adds the migrations finished before it to an interrupt's error.
fn with_done(error: MigrationError, done: &[MigrationAction]) -> MigrationError {
    match error {
        MigrationError::Run(RunError::Interrupted {
            signal,
            running,
            rolled_back,
            ..
        }) => RunError::Interrupted {
            signal,
            running,
            done: done_ids(done),
            rolled_back,
        }
        .into(),
        other => other,
    }
}

fn done_ids(done: &[MigrationAction]) -> Vec<MigrationId> {
    done.iter().map(|action| action.id.clone()).collect()
}

/// The status of `descriptor`, whose ledger row is `row` (none: pending).
fn status_of(descriptor: &MigrationDescriptor, row: Option<&AppliedMigration>) -> MigrationStatus {
    let changed = row.filter(|row| row.checksum != descriptor.checksum);
    let state = match row {
        None => MigrationState::Pending,
        Some(row) => match row.failed {
            Some(direction) => MigrationState::Failed(direction),
            None if changed.is_some() => MigrationState::ChecksumChanged,
            None => MigrationState::Applied,
        },
    };
    MigrationStatus {
        id: descriptor.id.clone(),
        state,
        batch: row.map(|r| r.batch),
        applied_at: row.map(|r| r.applied_at),
        checksum: descriptor.checksum.clone(),
        recorded_checksum: changed.map(|row| row.checksum.clone()),
    }
}

/// The status of a ledger row that no migration of the code has.
fn missing_from_code(row: &AppliedMigration) -> MigrationStatus {
    MigrationStatus {
        id: row.id.clone(),
        state: row
            .failed
            .map_or(MigrationState::MissingFromCode, MigrationState::Failed),
        batch: Some(row.batch),
        applied_at: Some(row.applied_at),
        checksum: row.checksum.clone(),
        recorded_checksum: None,
    }
}
