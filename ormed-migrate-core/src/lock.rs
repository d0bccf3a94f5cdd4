//! The migration lock: one runner at a time per database and ledger table, across processes and
//! hosts, released on every path and by the operating system or server when a runner dies.
//!
//! Each backend takes it its own way (see its module): PostgreSQL a session advisory lock on a
//! dedicated connection, polled (a blocking wait could deadlock with `CREATE INDEX
//! CONCURRENTLY`); MySQL/MariaDB `GET_LOCK` on a dedicated connection (the lock belongs to the
//! connection, so it never goes back to a pool); SQLite an advisory lock on a file beside the
//! database, which the OS drops with the process, or for an in-memory database a lock inside
//! this process. On PostgreSQL and MySQL the name derives from the database and the ledger
//! table, so runners with different ledgers in one database do not block each other; on SQLite
//! the lock file is one per database file, whatever the ledger.

use std::fs::File;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Connection, MySqlConnection, PgConnection};

use crate::backend::{mysql, postgres, sqlite};
use crate::descriptor::Direction;
use crate::driver::{Driver, Pool};
use crate::error::{LockError, MigrationError};
use crate::id::MigrationId;
use crate::waits::NOTICE_AFTER;

/// How long a runner waits for another runner's migration lock before giving up.
pub const DEFAULT_MIGRATION_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a waiting runner tries again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// A held migration lock. Call [`MigrationLock::release`]; dropping it also releases it (the
/// dedicated connection or file closes), just less promptly.
#[derive(Debug)]
pub struct MigrationLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    Postgres {
        connection: PgConnection,
        key: i64,
    },
    MySql {
        connection: MySqlConnection,
        name: String,
    },
    File {
        file: File,
    },
    InProcess {
        _guard: tokio::sync::OwnedMutexGuard<()>,
    },
}

impl Driver {
    /// Takes the migration lock for `ledger_table`, waiting at most `timeout` for another runner.
    pub async fn lock(
        &self,
        ledger_table: &str,
        timeout: Duration,
    ) -> Result<MigrationLock, MigrationError> {
        self.lock_announcing(ledger_table, timeout, &mut || {})
            .await
    }

    /// Like [`Driver::lock`], calling `announce` once if the wait goes on for about two seconds.
    pub async fn lock_announcing(
        &self,
        ledger_table: &str,
        timeout: Duration,
        announce: &mut (dyn FnMut() + Send),
    ) -> Result<MigrationLock, MigrationError> {
        let mut wait = Wait::new(timeout, announce);
        let held = match (&self.pool, &self.memory_lock) {
            (Pool::Postgres(pool), _) => {
                let (connection, key) = postgres::lock(pool, ledger_table, &mut wait).await?;
                Held::Postgres { connection, key }
            }
            (Pool::MySql(pool), _) => {
                let (connection, name) = mysql::lock(pool, ledger_table, &mut wait).await?;
                Held::MySql { connection, name }
            }
            (Pool::Sqlite(_), Some(memory_lock)) => {
                let guard = memory_lock.clone().try_lock_owned();
                let guard = match guard {
                    Ok(guard) => guard,
                    Err(_) => {
                        wait.announce_now();
                        let rest = wait.remaining();
                        tokio::time::timeout(rest, memory_lock.clone().lock_owned())
                            .await
                            .map_err(|_| wait.timed_out())?
                    }
                };
                Held::InProcess { _guard: guard }
            }
            (Pool::Sqlite(pool), None) => Held::File {
                file: sqlite::lock_file(pool, &mut wait).await?,
            },
        };
        Ok(MigrationLock { held })
    }

    /// Whether another runner holds the migration lock of `ledger_table` right now, found
    /// without taking the lock or waiting for it.
    pub async fn migration_lock_is_held(&self, ledger_table: &str) -> Result<bool, MigrationError> {
        Ok(self.migration_lock_holder(ledger_table).await?.is_some())
    }

    /// `None` when no runner holds the migration lock of `ledger_table`; otherwise how to
    /// tell what it runs, found without taking the lock or waiting for it.
    pub(crate) async fn migration_lock_holder(
        &self,
        ledger_table: &str,
    ) -> Result<Option<Running>, MigrationError> {
        let mut connection = self
            .acquire()
            .await
            .map_err(|e| lock_error("could not look at the migration lock", e))?;
        self.migration_lock_holder_on(&mut connection, ledger_table)
            .await
    }

    /// [`Driver::migration_lock_holder`], asked on `connection` (a run's own), so that looking
    /// costs one round trip and never a new connection.
    pub(crate) async fn migration_lock_holder_on(
        &self,
        connection: &mut crate::driver::Connection,
        ledger_table: &str,
    ) -> Result<Option<Running>, MigrationError> {
        use crate::driver::Connection as Held;
        let noted = |text: Option<String>| match text.as_deref().and_then(RunningNote::parse) {
            Some(note) => Running::Noted(note),
            None => Running::Unnoted,
        };
        Ok(match (connection, &self.pool, &self.memory_lock) {
            (Held::Postgres(connection), ..) => postgres::lock_holder(connection, ledger_table)
                .await?
                .map(noted),
            (Held::MySql(connection), ..) => mysql::lock_is_held(connection, ledger_table)
                .await?
                .then_some(Running::FailureMarks),
            (Held::Sqlite(_), _, Some(memory_lock)) => {
                memory_lock.try_lock().is_err().then_some(Running::Unnoted)
            }
            (Held::Sqlite(_), Pool::Sqlite(pool), None) => {
                sqlite::file_lock_holder(pool)?.map(noted)
            }
            (Held::Sqlite(_), ..) => None,
        })
    }
}

/// How long a migration runs before the lock notes it for `status`: a note costs a round trip on
/// the lock's connection (and a server process's time beside the run's), which most migrations,
/// done in milliseconds, need not pay. Until then `status` shows it as pending, as it shows a
/// migration whose note is on its way.
pub(crate) const NOTE_AFTER: Duration = Duration::from_millis(100);

/// Runs `work` (migration `id`, in `direction`); when it runs longer than [`NOTE_AFTER`], the
/// lock notes it while it goes on, and takes the note back after it.
pub(crate) async fn run_noted<T>(
    lock: &mut Option<MigrationLock>,
    direction: Direction,
    id: &MigrationId,
    work: impl Future<Output = T>,
) -> T {
    let Some(lock) = lock.as_mut() else {
        return work.await;
    };
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => return done,
        () = tokio::time::sleep(NOTE_AFTER) => {}
    }
    let (_, done) = tokio::join!(lock.note_running(direction, id), work);
    lock.clear_note().await;
    done
}

/// What tells which migration the holder of the migration lock runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Running {
    /// It noted one ([`MigrationLock::note_running`]).
    Noted(RunningNote),
    /// It noted none: it is between migrations (reading the ledger, or done).
    Unnoted,
    /// The database has no place for a note (MySQL): a running migration is the one its
    /// ledger row marks as failed, since the mark is written before it runs.
    FailureMarks,
}

/// What a runner holding the migration lock says it is running: `ormed-migrate up <id>`. The
/// id may be cut short (PostgreSQL keeps 63 bytes of an `application_name`), so it is matched
/// as a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunningNote {
    pub(crate) direction: Direction,
    pub(crate) id_prefix: String,
}

const NOTE_PREFIX: &str = "ormed-migrate ";

impl RunningNote {
    fn text(direction: Direction, id: &MigrationId) -> String {
        format!("{NOTE_PREFIX}{direction} {id}")
    }

    fn parse(text: &str) -> Option<RunningNote> {
        let rest = text.strip_prefix(NOTE_PREFIX)?;
        let (direction, id_prefix) = rest.split_once(' ')?;
        let direction = match direction {
            "up" => Direction::Up,
            "down" => Direction::Down,
            _ => return None,
        };
        Some(RunningNote {
            direction,
            id_prefix: id_prefix.to_owned(),
        })
    }

    /// Whether this note names `id`.
    pub(crate) fn names(&self, id: &MigrationId) -> bool {
        !self.id_prefix.is_empty() && id.to_string().starts_with(&self.id_prefix)
    }
}

impl MigrationLock {
    /// Tells other sessions which migration the holder runs now, so that their status shows it
    /// as running: the `application_name` of the lock's connection on PostgreSQL, the lock file
    /// on SQLite. (MySQL's ledger marks a running migration before it runs, which says it.)
    /// Best effort: a note that cannot be written only makes status less precise.
    pub(crate) async fn note_running(&mut self, direction: Direction, id: &MigrationId) {
        self.write_note(&RunningNote::text(direction, id)).await;
    }

    /// Takes the note back: the holder is between migrations.
    async fn clear_note(&mut self) {
        self.write_note(NOTE_PREFIX.trim_end()).await;
    }

    async fn write_note(&mut self, note: &str) {
        let written = match &mut self.held {
            Held::Postgres { connection, .. } => postgres::note(connection, note)
                .await
                .map_err(|e| e.to_string()),
            Held::File { file } => sqlite::note(file, note).map_err(|e| e.to_string()),
            Held::MySql { .. } | Held::InProcess { .. } => Ok(()),
        };
        if let Err(error) = written {
            tracing::warn!("could not note the running migration for status: {error}");
        }
    }

    /// Releases the lock now.
    pub async fn release(self) -> Result<(), MigrationError> {
        match self.held {
            Held::Postgres {
                mut connection,
                key,
            } => {
                let released = postgres::unlock(&mut connection, key).await;
                close_after(connection, released).await
            }
            Held::MySql {
                mut connection,
                name,
            } => {
                let released = mysql::unlock(&mut connection, &name).await;
                close_after(connection, released).await
            }
            Held::File { .. } | Held::InProcess { .. } => Ok(()),
        }
    }
}

/// Closes the lock's dedicated connection. Closing the session releases the lock even when the
/// explicit unlock failed, so the unlock's error is only reported.
async fn close_after<C: Connection>(
    connection: C,
    released: Result<(), sqlx::Error>,
) -> Result<(), MigrationError> {
    let _ = connection.close().await;
    released.map_err(|e| lock_error("could not release the migration lock", e))
}

/// A bounded wait for the lock, shared by the backends' ways of taking it, announced once it
/// has gone on for [`NOTICE_AFTER`].
pub(crate) struct Wait<'a> {
    timeout: Duration,
    started: Instant,
    announce: Option<&'a mut (dyn FnMut() + Send)>,
}

impl<'a> Wait<'a> {
    fn new(timeout: Duration, announce: &'a mut (dyn FnMut() + Send)) -> Wait<'a> {
        Wait {
            timeout,
            started: Instant::now(),
            announce: Some(announce),
        }
    }

    /// How long is left of it.
    pub(crate) fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// How long to wait before announcing, at most the rest of the wait.
    pub(crate) fn until_notice(&self) -> Duration {
        NOTICE_AFTER
            .saturating_sub(self.started.elapsed())
            .min(self.remaining())
    }

    /// Announces the wait now (once).
    pub(crate) fn announce_now(&mut self) {
        if let Some(announce) = self.announce.take() {
            announce();
        }
    }

    /// Sleeps before the next try, or gives up once the deadline has passed; announces the wait
    /// once it has gone on for a while.
    pub(crate) async fn again(&mut self) -> Result<(), MigrationError> {
        if self.remaining().is_zero() {
            return Err(self.timed_out());
        }
        if self.started.elapsed() >= NOTICE_AFTER {
            self.announce_now();
        }
        tokio::time::sleep(POLL_INTERVAL.min(self.remaining())).await;
        Ok(())
    }

    pub(crate) fn timed_out(&self) -> MigrationError {
        LockError::Timeout {
            waited: self.timeout,
        }
        .into()
    }
}

/// A stable name for the lock of `table` in `database`, for the backends that need one.
pub(crate) fn lock_name(database: &str, table: &str) -> String {
    format!("ormed-migrate:{database}:{table}")
}

pub(crate) fn lock_error(context: &str, source: sqlx::Error) -> MigrationError {
    LockError::Database {
        context: context.to_owned(),
        source: Box::new(source),
    }
    .into()
}

/// One in-process lock per in-memory database.
pub(crate) fn new_memory_lock() -> Arc<tokio::sync::Mutex<()>> {
    Arc::new(tokio::sync::Mutex::new(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_note_names_its_migration_even_cut_short() {
        let id: MigrationId = "m_20250101000300_create_a_table_with_a_rather_long_name"
            .parse()
            .expect("an id");
        let text = RunningNote::text(Direction::Down, &id);
        assert_eq!(
            text,
            "ormed-migrate down m_20250101000300_create_a_table_with_a_rather_long_name"
        );
        // PostgreSQL keeps 63 bytes of an application_name.
        let note = RunningNote::parse(&text[..63]).expect("a note");
        assert_eq!(note.direction, Direction::Down);
        assert!(note.names(&id));
        let other: MigrationId = "m_20250101000400_other".parse().expect("an id");
        assert!(!note.names(&other));
        for not_a_note in ["", "psql", "ormed-migrate sideways m_1", "ormed-migrate up"] {
            assert_eq!(RunningNote::parse(not_a_note), None, "{not_a_note:?}");
        }
        let empty = RunningNote::parse("ormed-migrate up ").expect("parses");
        assert!(!empty.names(&id), "an empty id names nothing");
    }

    /// A held lock makes a second runner time out, and is free again once released.
    async fn held_lock_blocks_a_second_runner(driver: &Driver) {
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .unwrap();
        let waited = driver
            .lock("orm_migrations", Duration::from_millis(300))
            .await;
        let error = waited.unwrap_err();
        assert!(
            matches!(error, MigrationError::Lock(LockError::Timeout { .. })),
            "{error}"
        );
        held.release().await.unwrap();
        let again = driver.lock("orm_migrations", Duration::from_secs(1)).await;
        again.unwrap().release().await.unwrap();
    }

    #[tokio::test]
    async fn an_in_memory_database_locks_in_process_and_writes_no_file() {
        // Other tests write to the working directory too: count only lock files.
        let lock_files = || {
            std::fs::read_dir(".")
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().ends_with(".migrate-lock")
                })
                .count()
        };
        let before = lock_files();
        let driver = Driver::connect("sqlite::memory:").await.unwrap();
        let held = driver
            .lock("orm_migrations", Duration::from_secs(1))
            .await
            .unwrap();
        assert!(matches!(held.held, Held::InProcess { .. }));
        held.release().await.unwrap();
        held_lock_blocks_a_second_runner(&driver).await;
        assert_eq!(
            before,
            lock_files(),
            "no lock file in the working directory"
        );
    }

    /// A migration done within [`NOTE_AFTER`] is never noted; a slower one is noted while it
    /// runs and the note is taken back after it, so status never shows it running once done.
    #[tokio::test]
    async fn only_a_slow_migration_is_noted_and_only_while_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("note.db").display());
        let driver = Driver::connect(&url).await.unwrap();
        let holder = || async {
            driver
                .migration_lock_holder("orm_migrations")
                .await
                .unwrap()
        };
        let mut lock = Some(
            driver
                .lock("orm_migrations", Duration::from_secs(1))
                .await
                .unwrap(),
        );
        let quick: MigrationId = "m_20250101000100_quick".parse().unwrap();
        let slow: MigrationId = "m_20250101000200_slow".parse().unwrap();

        run_noted(&mut lock, Direction::Up, &quick, async {}).await;
        assert_eq!(
            holder().await,
            Some(Running::Unnoted),
            "a quick one is not noted"
        );

        let seen = run_noted(&mut lock, Direction::Up, &slow, async {
            tokio::time::sleep(NOTE_AFTER * 3).await;
            holder().await
        })
        .await;
        let Some(Running::Noted(note)) = seen else {
            panic!("the slow one is noted while it runs: {seen:?}");
        };
        assert!(note.names(&slow) && note.direction == Direction::Up);
        assert_eq!(
            holder().await,
            Some(Running::Unnoted),
            "and no longer after it"
        );
        lock.take().unwrap().release().await.unwrap();
        assert_eq!(holder().await, None);
    }

    #[tokio::test]
    async fn a_second_sqlite_runner_waits_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("lock.db").display());
        held_lock_blocks_a_second_runner(&Driver::connect(&url).await.unwrap()).await;
        assert!(dir.path().join("lock.db.migrate-lock").exists());
    }
}
