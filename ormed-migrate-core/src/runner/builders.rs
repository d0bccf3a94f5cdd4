//! `Apply` and `Rollback`: what `apply_all()` and `rollback()` return, configured, then awaited.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::interrupt::{Interrupt, Interruption};
use super::plan::{ApplySelection, RollbackSelection};
use super::{MigrationAction, MigrationReport, MigrationRunner};
use crate::descriptor::Direction;
use crate::error::MigrationError;
use crate::id::MigrationId;
use crate::waits::WaitNotice;

/// A boxed future, so the builders can be awaited directly.
pub type RunFuture<'a> =
    Pin<Box<dyn Future<Output = Result<MigrationReport, MigrationError>> + Send + 'a>>;

type OnEach<'r> = Box<dyn FnMut(&MigrationAction) + Send + 'r>;
type OnStart<'r> = Box<dyn FnMut(&MigrationId, Direction) + Send + 'r>;
type OnWarning<'r> = Box<dyn FnMut(&str) + Send + 'r>;
type OnWait<'r> = Box<dyn FnMut(&WaitNotice) + Send + 'r>;

/// Callbacks that report a run while it happens, so nothing is lost if it fails later.
#[derive(Default)]
pub(super) struct Hooks<'r> {
    on_start: Option<OnStart<'r>>,
    on_each: Option<OnEach<'r>>,
    on_warning: Option<OnWarning<'r>>,
    on_wait: Option<OnWait<'r>>,
}

impl Hooks<'_> {
    pub(super) fn start(&mut self, id: &MigrationId, direction: Direction) {
        if let Some(on_start) = &mut self.on_start {
            on_start(id, direction);
        }
    }

    pub(super) fn done(&mut self, action: &MigrationAction) {
        if let Some(on_each) = &mut self.on_each {
            on_each(action);
        }
    }

    pub(super) fn warn(&mut self, warnings: &[String]) {
        if let Some(on_warning) = &mut self.on_warning {
            warnings.iter().for_each(|warning| on_warning(warning));
        }
    }

    pub(super) fn wait(&mut self, notice: &WaitNotice) {
        if let Some(on_wait) = &mut self.on_wait {
            on_wait(notice);
        }
    }
}

/// `runner.apply_all()` and `runner.apply_one(&id)`: configure, then `.await`.
#[must_use = "an Apply does nothing until it is awaited"]
pub struct Apply<'r> {
    pub(super) runner: &'r MigrationRunner,
    pub(super) hooks: Hooks<'r>,
    pub(super) interruption: Interruption<'r>,
    pub(super) selection: ApplySelection,
    pub(super) pretend: bool,
    /// Empty the schema first (`migrate:fresh`).
    pub(super) fresh: bool,
}

/// `runner.rollback()` and `runner.rollback_one(&id)`: configure, then `.await`.
#[must_use = "a Rollback does nothing until it is awaited"]
pub struct Rollback<'r> {
    pub(super) runner: &'r MigrationRunner,
    pub(super) hooks: Hooks<'r>,
    pub(super) interruption: Interruption<'r>,
    pub(super) selection: RollbackSelection,
    pub(super) pretend: bool,
}

/// `pretend`, `on_each` and `on_warning`, the same on both builders.
macro_rules! reporting_methods {
    () => {
        /// Runs nothing and writes nothing: the report holds the exact SQL that would run.
        pub fn pretend(mut self) -> Self {
            self.pretend = true;
            self
        }

        /// Calls `callback` as each migration starts to run (not with `pretend`, and in grouped
        /// mode not at all: nothing of a grouped batch is reported before its commit), so a
        /// terminal can show what is running.
        pub fn on_start(
            mut self,
            callback: impl FnMut(&MigrationId, Direction) + Send + 'r,
        ) -> Self {
            self.hooks.on_start = Some(Box::new(callback));
            self
        }

        /// Calls `callback` with each migration as soon as it is done, so progress can be shown
        /// (and is not lost when a later migration fails).
        pub fn on_each(mut self, callback: impl FnMut(&MigrationAction) + Send + 'r) -> Self {
            self.hooks.on_each = Some(Box::new(callback));
            self
        }

        /// Calls `callback` with each warning as soon as it is known, before anything runs.
        pub fn on_warning(mut self, callback: impl FnMut(&str) + Send + 'r) -> Self {
            self.hooks.on_warning = Some(Box::new(callback));
            self
        }

        /// Calls `callback` once a wait has gone on for about two seconds: for another
        /// runner's migration lock, or for a lock another session holds on something a
        /// migration's statement needs (with that session and its query, where the database
        /// tells).
        pub fn on_wait(mut self, callback: impl FnMut(&WaitNotice) + Send + 'r) -> Self {
            self.hooks.on_wait = Some(Box::new(callback));
            self
        }

        /// Stops the run when `signal` resolves (Ctrl-C, SIGTERM, a shutdown of the
        /// application): the statement running is cancelled on the server, the migration is
        /// rolled back where the database allows (otherwise marked failed, or not at all when
        /// the interrupted statement was its first and changed nothing), nothing after it runs,
        /// and the run returns [`RunError::Interrupted`](crate::error::RunError::Interrupted).
        pub fn interrupt_on(
            mut self,
            signal: impl std::future::Future<Output = Interrupt> + Send + 'r,
        ) -> Self {
            self.interruption.listen(Box::pin(signal));
            self
        }
    };
}

impl<'r> Apply<'r> {
    pub(super) fn new(runner: &'r MigrationRunner) -> Self {
        Apply {
            runner,
            hooks: Hooks::default(),
            interruption: Interruption::default(),
            selection: ApplySelection {
                strict_order: runner.strict_order,
                refuse_ahead: runner.refuse_ahead,
                ..ApplySelection::default()
            },
            pretend: false,
            fresh: false,
        }
    }

    pub(super) fn only(mut self, id: &MigrationId) -> Self {
        self.selection.only = Some(id.clone());
        self
    }

    /// Applies at most `n` pending migrations.
    pub fn limit(mut self, n: usize) -> Self {
        self.selection.limit = Some(n);
        self
    }

    /// Refuse (instead of warning about) pending migrations older than the newest applied one.
    pub fn strict_order(mut self, strict: bool) -> Self {
        self.selection.strict_order = strict;
        self
    }

    /// Refuse (instead of warning about) a database ahead of this binary, for this run; see
    /// [`MigrationRunner::refuse_ahead`].
    pub fn refuse_ahead(mut self, refuse: bool) -> Self {
        self.selection.refuse_ahead = refuse;
        self
    }

    /// Gives each migration its own batch, so each can be rolled back alone.
    pub fn step(mut self) -> Self {
        self.selection.step = true;
        self
    }

    /// Applies the whole batch in one transaction, all or nothing (SQLite and PostgreSQL): one
    /// `BEGIN` and one `COMMIT` for every migration and ledger row, and a failure anywhere
    /// rolls back every migration of the batch. Made for fresh databases, CI and test
    /// fixtures, where it is several times faster; `on_each` hears of the migrations only
    /// once the batch has committed.
    ///
    /// Refused, before anything runs, on MySQL/MariaDB (each DDL statement commits on its
    /// own), with [`step`](Apply::step), when a migration of the batch is `no_transaction`,
    /// and on PostgreSQL when the batch needs more locks than the server's lock table holds
    /// (every table and index it touches stays locked until the commit; the error names the
    /// setting to raise).
    ///
    /// ```no_run
    /// # async fn demo(runner: ormed_migrate_core::MigrationRunner) -> Result<(), ormed_migrate_core::MigrationError> {
    /// let report = runner.apply_all().grouped().await?;
    /// println!("{} migrations applied in one transaction", report.actions.len());
    /// # Ok(()) }
    /// ```
    pub fn grouped(mut self) -> Self {
        self.selection.grouped = true;
        self
    }

    /// Empties the connection's schema first, under the same migration lock (`migrate:fresh`):
    /// every table, view, materialized view, sequence and type in it that no extension owns is
    /// dropped, the ledger with them, and then every migration is applied as one new batch.
    /// Other schemas and databases are never touched: nothing is dropped with `CASCADE`, so an
    /// object elsewhere that depends on one of them stops the drop with the database's own
    /// message (on PostgreSQL and SQLite the drops are one transaction, so nothing is lost).
    /// With [`pretend`](Apply::pretend), the report lists the drops and the migrations' SQL as
    /// they would run on the emptied schema.
    ///
    /// ```no_run
    /// # async fn demo(runner: ormed_migrate_core::MigrationRunner) -> Result<(), ormed_migrate_core::MigrationError> {
    /// let report = runner.apply_all().fresh().await?;
    /// println!("dropped {} objects, applied {}", report.dropped.len(), report.actions.len());
    /// # Ok(()) }
    /// ```
    pub fn fresh(mut self) -> Self {
        self.fresh = true;
        self
    }

    /// True when [`fresh`](Apply::fresh) was called.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    reporting_methods!();
}

impl fmt::Debug for Apply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Apply")
            .field("selection", &self.selection)
            .field("pretend", &self.pretend)
            .field("fresh", &self.fresh)
            .finish_non_exhaustive()
    }
}

impl<'r> IntoFuture for Apply<'r> {
    type Output = Result<MigrationReport, MigrationError>;
    type IntoFuture = RunFuture<'r>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.runner.run_apply(self))
    }
}

impl<'r> Rollback<'r> {
    pub(super) fn new(runner: &'r MigrationRunner) -> Self {
        Rollback {
            runner,
            hooks: Hooks::default(),
            interruption: Interruption::default(),
            selection: RollbackSelection::default(),
            pretend: false,
        }
    }

    pub(super) fn only(mut self, id: &MigrationId) -> Self {
        self.selection.only = Some(id.clone());
        self
    }

    /// Rolls back the last `n` batches (1 by default).
    pub fn steps(mut self, n: usize) -> Self {
        self.selection.steps = n;
        self
    }

    /// Rolls back every batch, newest first (`migrate:reset`): the database goes back to before
    /// its first migration, as far as the downs take it.
    ///
    /// ```no_run
    /// # async fn demo(runner: ormed_migrate_core::MigrationRunner) -> Result<(), ormed_migrate_core::MigrationError> {
    /// let report = runner.rollback().all().await?;
    /// println!("{} migrations rolled back", report.actions.len());
    /// # Ok(()) }
    /// ```
    pub fn all(mut self) -> Self {
        self.selection.steps = usize::MAX;
        self
    }

    /// Rolls back exactly batch `n`.
    pub fn batch(mut self, n: i64) -> Self {
        self.selection.batch = Some(n);
        self
    }

    reporting_methods!();
}

impl fmt::Debug for Rollback<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rollback")
            .field("selection", &self.selection)
            .field("pretend", &self.pretend)
            .finish_non_exhaustive()
    }
}

impl<'r> IntoFuture for Rollback<'r> {
    type Output = Result<MigrationReport, MigrationError>;
    type IntoFuture = RunFuture<'r>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.runner.run_rollback(self))
    }
}
