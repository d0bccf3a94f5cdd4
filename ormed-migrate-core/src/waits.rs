//! Bounded waits: what a statement waits for when another session holds a lock it needs.
//!
//! While a migration's statement waits for a table, metadata or row lock, the runner asks the
//! database from a second connection who holds it ([`LockWait`]), so that it can say what it
//! waits for and, when the wait gives up at the lock timeout, name the blocking sessions: after
//! the timeout that information is gone.

use std::fmt;
use std::time::Duration;

/// How long a migration statement may wait for locks held by other sessions, unless told.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a wait goes on before it is announced.
pub const NOTICE_AFTER: Duration = Duration::from_secs(2);

/// A session that holds a lock another one waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blocker {
    /// Its id on the server (PostgreSQL pid, MySQL connection id).
    pub session: i64,
    /// What it runs now, or ran last.
    pub query: Option<String>,
    /// Its state (`idle in transaction`, `Sleep`, …) where the database tells.
    pub state: Option<String>,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session {}", self.session)?;
        if let Some(state) = self.state.as_deref().filter(|s| !s.is_empty()) {
            write!(f, " ({state})")?;
        }
        match self
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            Some(query) => write!(f, ": {}", shortened(query)),
            None => Ok(()),
        }
    }
}

/// What a waiting statement waits for, as far as the database tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockWait {
    /// The table whose lock it waits for, where known.
    pub table: Option<String>,
    /// The sessions that hold it (or, where the database cannot tell exactly, the sessions with
    /// open transactions, one of which holds it).
    pub blockers: Vec<Blocker>,
}

impl LockWait {
    /// `a lock on table t held by session 4242: SELECT …`, as far as known.
    pub fn describe(&self) -> String {
        match self.holders() {
            Some(holders) => format!("{} held by {holders}", self.subject()),
            None => self.subject(),
        }
    }

    /// `a lock on table t`, or `a lock` when the table is not known.
    pub fn subject(&self) -> String {
        match &self.table {
            Some(table) => format!("a lock on table {table}"),
            None => "a lock".to_owned(),
        }
    }

    /// `session 4242 (idle in transaction): SELECT …; session …`, when any is known.
    pub fn holders(&self) -> Option<String> {
        if self.blockers.is_empty() {
            return None;
        }
        let held: Vec<String> = self.blockers.iter().map(ToString::to_string).collect();
        Some(held.join("; "))
    }
}

/// What the runner waits for, reported once a wait has gone on for [`NOTICE_AFTER`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitNotice {
    /// Another runner holds the migration lock.
    MigrationLock,
    /// A statement of a migration waits for a lock another session holds.
    Statement {
        /// The migration.
        id: crate::MigrationId,
        /// What it waits for.
        lock: LockWait,
    },
}

impl fmt::Display for WaitNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitNotice::MigrationLock => f.write_str("waiting for another runner's migration lock"),
            WaitNotice::Statement { id, lock } => {
                write!(f, "migration {id} is waiting for {}", lock.describe())
            }
        }
    }
}

impl crate::Driver {
    /// What the session `session` of this database waits for, asked from another connection;
    /// `None` when the database cannot tell (SQLite) or the question failed.
    pub(crate) async fn lock_wait(&self, session: i64) -> Option<LockWait> {
        use crate::backend::{mysql, postgres};
        use crate::driver::Pool;
        let asked = match &self.pool {
            Pool::Postgres(pool) => postgres::lock_wait(pool, session).await,
            Pool::MySql(pool) => mysql::lock_wait(pool, session).await,
            Pool::Sqlite(_) => return None,
        };
        // Looking is best effort: a wait goes on whether or not it can be described.
        asked.ok()
    }
}

/// A blocker as a backend reads it.
pub(crate) fn blocker(session: i64, query: Option<String>, state: Option<String>) -> Blocker {
    Blocker {
        session,
        query,
        state,
    }
}

/// A lock wait as a backend reads it.
pub(crate) fn lock_wait_of(table: Option<String>, blockers: Vec<Blocker>) -> LockWait {
    LockWait { table, blockers }
}

/// A query cut to one line of reasonable length.
fn shortened(query: &str) -> String {
    let line: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_says_what_holds_the_lock() {
        let wait = LockWait {
            table: Some("r_items".into()),
            blockers: vec![Blocker {
                session: 4242,
                query: Some("SELECT *\n  FROM r_items".into()),
                state: Some("idle in transaction".into()),
            }],
        };
        assert_eq!(
            wait.describe(),
            "a lock on table r_items held by session 4242 (idle in transaction): SELECT * FROM r_items"
        );
        assert_eq!(LockWait::default().describe(), "a lock");
        assert_eq!(shortened(&"x".repeat(200)).chars().count(), 121);
    }
}
