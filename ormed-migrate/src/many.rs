//! Many databases at once: per-tenant and sharded setups, where every database gets the same
//! migrations.
//!
//! [`migrate_many`] migrates each [`Target`] with a runner of its own, so with its own
//! migration lock and ledger table, at most `jobs` databases at a time. A failure on one
//! database does not stop the others: each gets a [`DatabaseOutcome`], in the order of the
//! targets. [`MigrateMany`] takes the options of `migrate` as well (`limit`, `step`, `grouped`,
//! `pretend`, `strict_order`, the lock timeouts), reports each database as it finishes and
//! stops cleanly on an interrupt. The CLI's `migrate --all-connections` and
//! `migrate --databases-from FILE` are this call.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ormed_migrate::MigrationError> {
//! use ormed_migrate::many::{Target, migrate_many};
//!
//! let targets = vec![
//!     Target::new("tenant_a", "postgres://app@db.internal/tenant_a"),
//!     Target::new("tenant_b", "postgres://app@db.internal/tenant_b").table("schema_migrations"),
//! ];
//! let outcomes = migrate_many(targets, 4, ormed_migrate::build_migrations()?).await;
//! for outcome in &outcomes {
//!     match &outcome.result {
//!         Ok(_) => println!("{}: {} applied", outcome.target.name, outcome.applied),
//!         Err(error) => eprintln!("{}: {error}", outcome.target.name),
//!     }
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ormed_migrate_core::driver::redact_url;
use ormed_migrate_core::error::RunError;
use ormed_migrate_core::{
    DEFAULT_LEDGER_TABLE, DEFAULT_LOCK_TIMEOUT, DEFAULT_MIGRATION_LOCK_TIMEOUT, Driver, Interrupt,
    MigrationDescriptor, MigrationError, MigrationReport, MigrationRunner, SqlMigrationLedger,
};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// One database to migrate.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// What reports call it: a connection's name, a tenant, a shard.
    pub name: String,
    /// Its URL. It may hold a password: show [`Target::redacted_url`] instead.
    pub url: String,
    /// Its ledger table.
    pub table: String,
}

impl Target {
    /// The database at `url`, called `name`, with the default ledger table.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Target {
        Target {
            name: name.into(),
            url: url.into(),
            table: DEFAULT_LEDGER_TABLE.to_owned(),
        }
    }

    /// The same database with the ledger table `table`.
    pub fn table(mut self, table: impl Into<String>) -> Target {
        self.table = table.into();
        self
    }

    /// The URL with its password masked, for messages.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("url", &self.redacted_url())
            .field("table", &self.table)
            .finish()
    }
}

/// How migrating one database ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct DatabaseOutcome {
    /// The database.
    pub target: Target,
    /// Its report, or what stopped it: the database's own error.
    pub result: Result<MigrationReport, MigrationError>,
    /// How many migrations were applied on it (with `pretend`: would be), those that finished
    /// before a failure included.
    pub applied: usize,
    /// How long it took, connecting included and waiting for a free job not.
    pub duration: Duration,
    /// False when an interrupt came before its turn: nothing was done on it, and `result` is
    /// [`RunError::Interrupted`].
    pub started: bool,
}

impl DatabaseOutcome {
    /// Whether it was migrated without an error.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// Applies every pending migration of `migrations` to each of `targets`, at most `jobs` (at
/// least 1) at a time; the outcomes come back in the order of `targets`. Must be called within a
/// Tokio runtime. [`MigrateMany`] takes more options.
pub async fn migrate_many(
    targets: Vec<Target>,
    jobs: usize,
    migrations: Vec<MigrationDescriptor>,
) -> Vec<DatabaseOutcome> {
    MigrateMany::new(targets, migrations).jobs(jobs).run().await
}

type OnDone = Box<dyn FnMut(&DatabaseOutcome) + Send>;
type Signal = Pin<Box<dyn Future<Output = Interrupt> + Send>>;

/// [`migrate_many`] with the options of `migrate`: configure, then [`run`](MigrateMany::run).
#[must_use = "a MigrateMany does nothing until it is run"]
pub struct MigrateMany {
    targets: Vec<Target>,
    migrations: Vec<MigrationDescriptor>,
    jobs: usize,
    options: Options,
    on_done: Option<OnDone>,
    interrupt: Option<Signal>,
}

/// What every database's run is configured with.
#[derive(Clone, Copy, Debug)]
struct Options {
    limit: Option<usize>,
    step: bool,
    grouped: bool,
    pretend: bool,
    strict_order: bool,
    refuse_ahead: bool,
    lock_timeout: Duration,
    migration_lock_timeout: Duration,
}

impl MigrateMany {
    /// `migrations` for each of `targets`, one database at a time until [`jobs`](Self::jobs)
    /// says otherwise.
    pub fn new(targets: Vec<Target>, migrations: Vec<MigrationDescriptor>) -> MigrateMany {
        MigrateMany {
            targets,
            migrations,
            jobs: 1,
            options: Options {
                limit: None,
                step: false,
                grouped: false,
                pretend: false,
                strict_order: false,
                refuse_ahead: false,
                lock_timeout: DEFAULT_LOCK_TIMEOUT,
                migration_lock_timeout: DEFAULT_MIGRATION_LOCK_TIMEOUT,
            },
            on_done: None,
            interrupt: None,
        }
    }

    /// Migrates at most `jobs` databases at a time (0 counts as 1).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// Applies at most `n` migrations on each database ([`Apply::limit`](crate::Apply::limit)).
    pub fn limit(mut self, n: usize) -> Self {
        self.options.limit = Some(n);
        self
    }

    /// Gives each migration its own batch ([`Apply::step`](crate::Apply::step)).
    pub fn step(mut self) -> Self {
        self.options.step = true;
        self
    }

    /// Applies each database's batch in one transaction
    /// ([`Apply::grouped`](crate::Apply::grouped)); refused, on that database, on MySQL.
    pub fn grouped(mut self) -> Self {
        self.options.grouped = true;
        self
    }

    /// Runs nothing: each report holds the SQL that would run. No SQLite file is created.
    pub fn pretend(mut self) -> Self {
        self.options.pretend = true;
        self
    }

    /// Refuses pending migrations older than the newest applied one
    /// ([`Apply::strict_order`](crate::Apply::strict_order)).
    pub fn strict_order(mut self, strict: bool) -> Self {
        self.options.strict_order = strict;
        self
    }

    /// Fails a database that is ahead of this binary instead of warning
    /// ([`Apply::refuse_ahead`](crate::Apply::refuse_ahead)).
    pub fn refuse_ahead(mut self, refuse: bool) -> Self {
        self.options.refuse_ahead = refuse;
        self
    }

    /// [`MigrationRunner::lock_timeout`] of every runner.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.options.lock_timeout = timeout;
        self
    }

    /// [`MigrationRunner::migration_lock_timeout`] of every runner.
    pub fn migration_lock_timeout(mut self, timeout: Duration) -> Self {
        self.options.migration_lock_timeout = timeout;
        self
    }

    /// Calls `callback` with each outcome as its database finishes, in the order they finish.
    pub fn on_done(mut self, callback: impl FnMut(&DatabaseOutcome) + Send + 'static) -> Self {
        self.on_done = Some(Box::new(callback));
        self
    }

    /// Stops when `signal` resolves: the databases being migrated stop as one run does
    /// ([`Apply::interrupt_on`](crate::Apply::interrupt_on)), and those not started yet are
    /// not started; each of them ends with [`RunError::Interrupted`].
    pub fn interrupt_on(
        mut self,
        signal: impl Future<Output = Interrupt> + Send + 'static,
    ) -> Self {
        self.interrupt = Some(Box::pin(signal));
        self
    }

    /// Migrates every database; the outcomes come back in the order of the targets. Must be
    /// called within a Tokio runtime: each database is a task of its own.
    pub async fn run(self) -> Vec<DatabaseOutcome> {
        let MigrateMany {
            targets,
            migrations,
            jobs,
            options,
            mut on_done,
            mut interrupt,
        } = self;
        let permits = Arc::new(Semaphore::new(jobs));
        let (stop, stopped) = watch::channel(None);
        let mut tasks = JoinSet::new();
        let mut outcomes: Vec<Option<DatabaseOutcome>> = targets.iter().map(|_| None).collect();
        for (index, target) in targets.into_iter().enumerate() {
            let job = Job {
                target,
                migrations: migrations.clone(),
                options,
                stopped: stopped.clone(),
            };
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                // The semaphore is fair: databases start in the order of the targets.
                let _permit = permits.acquire_owned().await;
                (index, job.run().await)
            });
        }
        loop {
            let joined = tokio::select! {
                joined = tasks.join_next() => joined,
                signal = fired(&mut interrupt) => {
                    // Every job sees it: running ones stop, waiting ones do not start.
                    let _ = stop.send(Some(signal));
                    interrupt = None;
                    continue;
                }
            };
            match joined {
                None => break,
                Some(Ok((index, outcome))) => {
                    if let Some(on_done) = on_done.as_mut() {
                        on_done(&outcome);
                    }
                    outcomes[index] = Some(outcome);
                }
                // A migration that panics panics here, as it would in a single run.
                Some(Err(error)) if error.is_panic() => {
                    std::panic::resume_unwind(error.into_panic())
                }
                // Nothing aborts the tasks, so none ends cancelled.
                Some(Err(_)) => {}
            }
        }
        outcomes.into_iter().flatten().collect()
    }
}

impl fmt::Debug for MigrateMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrateMany")
            .field("targets", &self.targets)
            .field("migrations", &self.migrations.len())
            .field("jobs", &self.jobs)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Resolves when `signal` does; never when there is none.
async fn fired(signal: &mut Option<Signal>) -> Interrupt {
    match signal {
        Some(signal) => signal.await,
        None => std::future::pending().await,
    }
}

/// Resolves when the run is asked to stop; never while it is not.
async fn stop_requested(mut stopped: watch::Receiver<Option<Interrupt>>) -> Interrupt {
    if let Ok(seen) = stopped.wait_for(Option::is_some).await
        && let Some(signal) = *seen
    {
        return signal;
    }
    std::future::pending().await
}

/// One database's part of the run.
struct Job {
    target: Target,
    migrations: Vec<MigrationDescriptor>,
    options: Options,
    stopped: watch::Receiver<Option<Interrupt>>,
}

impl Job {
    async fn run(self) -> DatabaseOutcome {
        let started = Instant::now();
        let stopped = *self.stopped.borrow();
        let (result, applied) = match stopped {
            Some(signal) => (Err(not_started(signal)), 0),
            None => self.connect_and_migrate().await,
        };
        DatabaseOutcome {
            target: self.target,
            result,
            applied,
            duration: started.elapsed(),
            started: stopped.is_none(),
        }
    }

    async fn connect_and_migrate(&self) -> (Result<MigrationReport, MigrationError>, usize) {
        let connected = match self.options.pretend {
            true => Driver::connect_without_creating(&self.target.url).await,
            false => Driver::connect(&self.target.url).await,
        };
        let driver = match connected {
            Ok(driver) => driver,
            Err(error) => return (Err(error), 0),
        };
        let mut applied = 0;
        let result = self.migrate(&driver, &mut applied).await;
        driver.close().await;
        let applied = match &result {
            Ok(report) => report.actions.len(),
            Err(_) => applied,
        };
        (result, applied)
    }

    /// `migrate` on one database, counting the migrations as they are applied.
    async fn migrate(
        &self,
        driver: &Driver,
        applied: &mut usize,
    ) -> Result<MigrationReport, MigrationError> {
        let options = self.options;
        let ledger = SqlMigrationLedger::new(driver.clone(), &self.target.table)?;
        let runner = MigrationRunner::new(driver.clone(), ledger, self.migrations.clone())
            .lock_timeout(options.lock_timeout)
            .migration_lock_timeout(options.migration_lock_timeout);
        let mut apply = runner
            .apply_all()
            .strict_order(options.strict_order)
            .refuse_ahead(options.refuse_ahead);
        if let Some(limit) = options.limit {
            apply = apply.limit(limit);
        }
        if options.step {
            apply = apply.step();
        }
        if options.grouped {
            apply = apply.grouped();
        }
        if options.pretend {
            return apply.pretend().await;
        }
        apply
            .interrupt_on(stop_requested(self.stopped.clone()))
            .on_each(|_| *applied += 1)
            .await
    }
}

/// What a database that was never started because of `signal` reports.
fn not_started(signal: Interrupt) -> MigrationError {
    RunError::Interrupted {
        signal,
        running: None,
        done: Vec::new(),
        rolled_back: Vec::new(),
    }
    .into()
}
