//! The run's session: one connection for the ledger and every migration of a run, with the
//! settings that bound its lock waits, and its id on the server (to look at its waits and to
//! cancel its statement from another connection).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::MigrationRunner;
use crate::backend;
use crate::driver::{Connection, Target, execute};
use crate::error::MigrationError;
use crate::ledger::SqlMigrationLedger;

/// The connection a run holds from start to end.
pub(crate) struct Session {
    pub(crate) connection: Connection,
    /// Its id on the server (PostgreSQL pid, MySQL connection id); `None` on SQLite.
    pub(crate) server_id: Option<i64>,
    /// Raised to stop the running statement (read by SQLite's progress handler).
    pub(crate) interrupted: Arc<AtomicBool>,
    /// The ledger, for a run that writes qualified with the schema or database the session
    /// started in.
    pub(crate) ledger: SqlMigrationLedger,
    /// That schema or database, to return to after raw SQL where resetting does not.
    pub(crate) namespace: Option<String>,
}

impl Session {
    /// What a statement's watch needs of the session: its id on the server and its flag.
    pub(crate) fn watched(&self) -> (Option<i64>, Arc<AtomicBool>) {
        (self.server_id, self.interrupted.clone())
    }

    /// The session as a target for one statement.
    pub(crate) fn target(&mut self) -> Target<'_, 'static> {
        Target::Connection(&mut self.connection)
    }
}

impl MigrationRunner {
    /// A session for reading only: no settings, no id.
    pub(super) async fn reading_session(&self) -> Result<Session, MigrationError> {
        Ok(Session {
            connection: self.connection().await?,
            server_id: None,
            interrupted: Arc::new(AtomicBool::new(false)),
            ledger: self.ledger.clone(),
            namespace: None,
        })
    }

    /// A session for a run that writes: its lock waits bounded by the lock timeout, its id known.
    pub(super) async fn writing_session(&self) -> Result<Session, MigrationError> {
        let mut session = self.reading_session().await?;
        self.apply_settings(session.target()).await?;
        let flag = session.interrupted.clone();
        session
            .connection
            .install_interrupt(flag)
            .await
            .map_err(|e| MigrationError::database("could not prepare the run's session", e))?;
        let backend = backend::of(self.driver.dialect());
        if let Some(query) = backend.session_id_query() {
            let target = session.target();
            let id = crate::driver::fetch_i64(target, query)
                .await
                .map_err(|e| MigrationError::database("could not read the run's session id", e))?;
            session.server_id = Some(id);
        }
        if let Some(query) = backend.namespace_query() {
            let namespace = crate::driver::fetch_optional_string(session.target(), query)
                .await
                .map_err(|e| {
                    MigrationError::database("could not read the run's schema or database", e)
                })?;
            if let Some(namespace) = namespace {
                session.ledger = self.ledger.pinned_to(&namespace);
                session.namespace = Some(namespace);
            }
        }
        Ok(session)
    }

    /// Sets the session's lock timeout: each statement waits at most that long for a lock
    /// another session holds.
    pub(super) async fn apply_settings(
        &self,
        mut target: Target<'_, '_>,
    ) -> Result<(), MigrationError> {
        let backend = backend::of(self.driver.dialect());
        for statement in backend.lock_timeout_statements(self.lock_timeout, false) {
            execute(target.reborrow(), &statement)
                .await
                .map_err(|e| MigrationError::database("could not set the run's lock timeout", e))?;
        }
        Ok(())
    }

    /// Ends a session: what it set up for interrupts is removed, and a session whose statement
    /// was interrupted is closed rather than reused.
    pub(super) async fn end_session(&self, mut session: Session, interrupted: bool) {
        session.connection.remove_interrupt(interrupted).await;
    }

    async fn connection(&self) -> Result<Connection, MigrationError> {
        self.driver
            .acquire()
            .await
            .map_err(|e| MigrationError::database("could not get a connection for the run", e))
    }
}
