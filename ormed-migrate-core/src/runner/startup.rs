//! `migrate_on_startup()`: the one call of a service that migrates its database as it boots,
//! logging what it does through `tracing`.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::time::{Duration, Instant};

use tracing::Instrument;

use super::builders::RunFuture;
use super::interrupt::{Interrupt, Signal};
use super::{MigrationAction, MigrationReport, MigrationRunner};
use crate::error::MigrationError;
use crate::waits::WaitNotice;

type OnWarning<'r> = Box<dyn FnMut(&str) + Send + 'r>;

impl MigrationRunner {
    /// Brings the database up to date as a service starts: takes the migration lock (waiting
    /// while another instance migrates, then finding its work done), applies every pending
    /// migration as one batch, and logs each step through `tracing` (`info` for the start, each
    /// migration and the end; `warn` for warnings; `error` for a failure, which is also
    /// returned). Awaiting it gives the [`MigrationReport`].
    ///
    /// A database that is ahead of this binary (a newer release migrated it, during a rolling
    /// deploy) is a warning, with nothing to do; [`Startup::refuse_ahead`] makes it an error.
    /// Every other refusal of [`apply_all`](MigrationRunner::apply_all) holds: a changed,
    /// failed, or older unknown migration stops the start-up before anything runs.
    ///
    /// ```no_run
    /// # async fn boot(migrations: Vec<ormed_migrate_core::MigrationDescriptor>) -> Result<(), ormed_migrate_core::MigrationError> {
    /// use ormed_migrate_core::{DEFAULT_LEDGER_TABLE, Driver, Interrupt, MigrationRunner, SqlMigrationLedger};
    ///
    /// let driver = Driver::connect("postgres://app@db.internal/app").await?;
    /// let ledger = SqlMigrationLedger::new(driver.clone(), DEFAULT_LEDGER_TABLE)?;
    /// let runner = MigrationRunner::new(driver.clone(), ledger, migrations);
    ///
    /// // A shutdown while migrating stops cleanly between (or inside) migrations.
    /// let shutdown = async {
    ///     let _ = tokio::signal::ctrl_c().await;
    ///     Interrupt::Interrupt
    /// };
    /// let report = runner.migrate_on_startup().interrupt_on(shutdown).await?;
    /// println!("{} migrations applied", report.actions.len());
    /// // ...then serve from `driver`.
    /// # Ok(()) }
    /// ```
    pub fn migrate_on_startup(&self) -> Startup<'_> {
        Startup {
            runner: self,
            refuse_ahead: self.refuse_ahead,
            on_warning: None,
            interrupt: None,
        }
    }
}

/// `runner.migrate_on_startup()`: configure, then `.await`.
#[must_use = "a Startup does nothing until it is awaited"]
pub struct Startup<'r> {
    runner: &'r MigrationRunner,
    refuse_ahead: bool,
    on_warning: Option<OnWarning<'r>>,
    interrupt: Option<Signal<'r>>,
}

impl<'r> Startup<'r> {
    /// Refuse to start against a database that is ahead of this binary, instead of warning:
    /// the error ([`PlanError::DatabaseAhead`](crate::error::PlanError::DatabaseAhead)) names
    /// the migrations and says to deploy the newer release. The runner's
    /// [`refuse_ahead`](MigrationRunner::refuse_ahead) is the default.
    pub fn refuse_ahead(mut self, refuse: bool) -> Self {
        self.refuse_ahead = refuse;
        self
    }

    /// Calls `callback` with each warning as soon as it is known, besides logging it (to show
    /// it on a status page, say, or count it in a metric).
    pub fn on_warning(mut self, callback: impl FnMut(&str) + Send + 'r) -> Self {
        self.on_warning = Some(Box::new(callback));
        self
    }

    /// Stops migrating when `signal` resolves (the service is told to shut down while it
    /// migrates): see [`Apply::interrupt_on`](crate::Apply::interrupt_on).
    pub fn interrupt_on(mut self, signal: impl Future<Output = Interrupt> + Send + 'r) -> Self {
        self.interrupt = Some(Box::pin(signal));
        self
    }

    async fn run(self) -> Result<MigrationReport, MigrationError> {
        let runner = self.runner;
        tracing::info!(
            database = runner.driver.redacted_url(),
            known = runner.migrations.len(),
            "migrating on start-up"
        );
        let started = Instant::now();
        let mut apply = runner
            .apply_all()
            .refuse_ahead(self.refuse_ahead)
            .on_each(log_applied)
            .on_wait(log_wait);
        // The runner logs warnings itself; the callback is the application's own use of them.
        if let Some(callback) = self.on_warning {
            apply = apply.on_warning(callback);
        }
        if let Some(signal) = self.interrupt {
            apply = apply.interrupt_on(signal);
        }
        let result = apply.await;
        match &result {
            Ok(report) => log_done(report, started.elapsed()),
            Err(error) => tracing::error!("migrating on start-up failed: {error}"),
        }
        result
    }
}

fn log_applied(action: &MigrationAction) {
    tracing::info!(
        migration = %action.id,
        batch = action.batch,
        duration_ms = millis(action.duration),
        "applied {} in {} ms",
        action.id,
        millis(action.duration)
    );
}

/// Waiting for another instance's lock is what a rolling deploy does; a statement stuck behind
/// an application's session is worth a warning.
fn log_wait(notice: &WaitNotice) {
    match notice {
        WaitNotice::MigrationLock => {
            tracing::info!("{notice} (another instance is migrating; its work will be found done)")
        }
        WaitNotice::Statement { .. } => tracing::warn!("{notice}"),
    }
}

fn log_done(report: &MigrationReport, elapsed: Duration) {
    match report.actions.len() {
        0 => tracing::info!("nothing to migrate: the database is up to date"),
        applied => tracing::info!(
            applied,
            "applied {applied} migration{} in {} ms: the database is up to date",
            if applied == 1 { "" } else { "s" },
            millis(elapsed)
        ),
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl fmt::Debug for Startup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Startup")
            .field("refuse_ahead", &self.refuse_ahead)
            .finish_non_exhaustive()
    }
}

impl<'r> IntoFuture for Startup<'r> {
    type Output = Result<MigrationReport, MigrationError>;
    type IntoFuture = RunFuture<'r>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(
            self.run()
                .instrument(tracing::info_span!("migrate_on_startup")),
        )
    }
}
