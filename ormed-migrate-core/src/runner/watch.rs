//! Running a migration's statements (one, or several in one text) while watching what they
//! wait for.
//!
//! A statement that has run for [`NOTICE_AFTER`] is looked at from a second connection once a
//! second: what lock it waits for and which sessions hold it. The first time it is found waiting
//! the wait is announced; the last look is kept, because when the wait gives up at the lock
//! timeout the server forgets who held the lock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::interrupt::{Interrupt, Interruption};

use futures_util::StreamExt;

use crate::driver::{Driver, Target, execute_many};
use crate::id::MigrationId;
use crate::waits::{LockWait, NOTICE_AFTER, WaitNotice};

/// How often a waiting statement is looked at again.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// What a watched statement needs to be looked at, and whom to tell.
pub(super) struct Watch<'w, 'r> {
    pub(super) driver: &'w Driver,
    /// The run's session on the server; without it (SQLite) nothing can be looked at.
    pub(super) server_id: Option<i64>,
    /// Raised to stop the session's statement (SQLite's progress handler reads it).
    pub(super) interrupted: Arc<AtomicBool>,
    pub(super) id: &'w MigrationId,
    pub(super) on_wait: &'w mut (dyn FnMut(&WaitNotice) + Send),
    pub(super) interruption: &'w mut Interruption<'r>,
    /// The statements that ran, in order, for the migration's report: what a SQLite table
    /// change or a deferred statement became when it ran, not what was planned.
    pub(super) ran: Vec<String>,
}

/// A statement that failed, with how long its text ran, what it was last seen waiting for, the
/// interrupt that cancelled it, and how many statements of its text finished before it.
pub(super) struct Failure {
    pub(super) source: sqlx::Error,
    pub(super) waited: Duration,
    pub(super) lock: Option<LockWait>,
    pub(super) interrupt: Option<Interrupt>,
    pub(super) completed: usize,
}

/// Runs `sql` on `target`, looking at what it waits for while it runs.
pub(super) async fn run(
    target: Target<'_, '_>,
    sql: &str,
    watch: &mut Watch<'_, '_>,
) -> Result<(), Failure> {
    run_counted(target, sql, watch).await?;
    watch.ran.push(sql.to_owned());
    Ok(())
}

/// Runs `sql`, which may hold several statements, in one round trip on `target`, looking at
/// what each one waits for while it runs: the rows each affected. A failure says how many
/// finished before it; the database runs none after it.
pub(super) async fn run_counted(
    target: Target<'_, '_>,
    sql: &str,
    watch: &mut Watch<'_, '_>,
) -> Result<Vec<u64>, Failure> {
    let mut results = execute_many(target, sql);
    let mut completed = Vec::new();
    // Timed from the start of the text: PostgreSQL sends the results of a text together at
    // its end, so when each statement began cannot be told.
    let started = Instant::now();
    let mut next_look = tokio::time::Instant::from_std(started + NOTICE_AFTER);
    let mut seen: Option<LockWait> = None;
    let mut interrupt: Option<Interrupt> = None;
    loop {
        let armed = interrupt.is_none() && watch.interruption.is_armed();
        tokio::select! {
            next = results.next() => {
                let result = match next {
                    Some(Ok(rows)) => {
                        completed.push(rows);
                        continue;
                    }
                    Some(Err(source)) => Err(Failure {
                        source,
                        waited: started.elapsed(),
                        lock: seen,
                        interrupt,
                        completed: completed.len(),
                    }),
                    None => Ok(completed),
                };
                if interrupt.is_some() {
                    // The cancel is spent: the statements that clean up must run.
                    watch.interrupted.store(false, Ordering::Relaxed);
                }
                return result;
            }
            fired = watch.interruption.wait(), if armed => {
                interrupt = Some(fired);
                // The statement goes on until the server stops it; its error then says it
                // was cancelled. A cancel that could not be sent leaves it to finish.
                if let Err(error) = watch.driver.cancel(watch.server_id, &watch.interrupted).await {
                    tracing::warn!(%error, "could not cancel the running statement");
                }
            }
            () = tokio::time::sleep_until(next_look), if watch.server_id.is_some() => {
                next_look += LOOK_AGAIN;
                let Some(session) = watch.server_id else { continue };
                let Some(wait) = watch.driver.lock_wait(session).await else { continue };
                if wait.table.is_none() && wait.blockers.is_empty() {
                    continue;
                }
                if seen.is_none() {
                    (watch.on_wait)(&WaitNotice::Statement {
                        id: watch.id.clone(),
                        lock: wait.clone(),
                    });
                }
                seen = Some(wait);
            }
        }
    }
}
