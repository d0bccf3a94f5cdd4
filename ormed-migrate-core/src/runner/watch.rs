//! Running one statement while watching what it waits for.
//!
//! A statement that has run for [`NOTICE_AFTER`] is looked at from a second connection once a
//! second: what lock it waits for and which sessions hold it. The first time it is found waiting
//! the wait is announced; the last look is kept, because when the wait gives up at the lock
//! timeout the server forgets who held the lock.

use std::time::{Duration, Instant};

use crate::driver::{Driver, Target, execute};
use crate::id::MigrationId;
use crate::waits::{LockWait, NOTICE_AFTER, WaitNotice};

/// How often a waiting statement is looked at again.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// What a watched statement needs to be looked at, and whom to tell.
pub(super) struct Watch<'w> {
    pub(super) driver: &'w Driver,
    /// The run's session on the server; without it (SQLite) nothing can be looked at.
    pub(super) server_id: Option<i64>,
    pub(super) id: &'w MigrationId,
    pub(super) on_wait: &'w mut (dyn FnMut(&WaitNotice) + Send),
}

/// A statement that failed, with how long it ran and what it was last seen waiting for.
pub(super) struct Failure {
    pub(super) source: sqlx::Error,
    pub(super) waited: Duration,
    pub(super) lock: Option<LockWait>,
}

/// Runs `sql` on `target`, looking at what it waits for while it runs.
pub(super) async fn run(
    target: Target<'_, '_>,
    sql: &str,
    watch: &mut Watch<'_>,
) -> Result<(), Failure> {
    let started = Instant::now();
    let statement = execute(target, sql);
    tokio::pin!(statement);
    let mut next_look = tokio::time::Instant::from_std(started + NOTICE_AFTER);
    let mut seen: Option<LockWait> = None;
    loop {
        tokio::select! {
            result = &mut statement => {
                return result.map_err(|source| Failure {
                    source,
                    waited: started.elapsed(),
                    lock: seen,
                });
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
