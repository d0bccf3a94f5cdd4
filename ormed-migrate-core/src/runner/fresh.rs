//! `apply_all().fresh()`: empty the schema on the run's session, under the run's lock, before
//! the migrations run.

use super::MigrationRunner;
use super::session::Session;
use crate::backend;
use crate::driver::{Target, execute};
use crate::error::{MigrationError, RunError};
use crate::wipe::{self, SchemaObject};

/// What a fresh run dropped (or would drop) and how.
#[derive(Default)]
pub(super) struct Wiped {
    pub(super) objects: Vec<SchemaObject>,
    pub(super) statements: Vec<String>,
}

impl MigrationRunner {
    /// Lists the schema's objects and, unless `pretend`, drops them; a ledger that lives in
    /// another schema (and so survives) is emptied too, so that every migration is pending.
    pub(super) async fn wipe(
        &self,
        session: &mut Session,
        pretend: bool,
    ) -> Result<Wiped, MigrationError> {
        let dialect = self.driver.dialect();
        let objects = wipe::objects(session.target(), dialect)
            .await
            .map_err(|e| MigrationError::database("could not list the schema's objects", e))?;
        let statements = wipe::drop_statements(dialect, &objects);
        if !pretend {
            self.run_drops(session, &statements).await?;
            self.forget_every_row(session).await?;
        }
        Ok(Wiped {
            objects,
            statements,
        })
    }

    /// Runs the drops with foreign-key checks off (set outside the transaction, where SQLite
    /// honours it) and on again afterwards, whatever happened.
    async fn run_drops(
        &self,
        session: &mut Session,
        statements: &[String],
    ) -> Result<(), MigrationError> {
        if statements.is_empty() {
            return Ok(());
        }
        let checks = backend::of(self.driver.dialect()).foreign_key_checks();
        let setting = |e| MigrationError::database("could not turn foreign-key checks off", e);
        if let Some((off, _)) = checks {
            execute(session.target(), off).await.map_err(setting)?;
        }
        let dropped = self.drop_all(session, statements).await;
        if let Some((_, on)) = checks {
            execute(session.target(), on).await.map_err(|e| {
                MigrationError::database("could not turn foreign-key checks on again", e)
            })?;
        }
        dropped
    }

    /// The drops, in one transaction where DDL is transactional.
    async fn drop_all(
        &self,
        session: &mut Session,
        statements: &[String],
    ) -> Result<(), MigrationError> {
        let dialect = self.driver.dialect();
        let failed = |statement: &String, dropped_nothing, source| RunError::WipeFailed {
            statement: statement.clone(),
            dialect,
            dropped_nothing,
            source: Box::new(source),
        };
        if !dialect.has_transactional_ddl() {
            for statement in statements {
                execute(session.target(), statement)
                    .await
                    .map_err(|e| failed(statement, false, e))?;
            }
            return Ok(());
        }
        let begin = |e| MigrationError::database("could not begin the drops' transaction", e);
        let mut tx = session.connection.begin().await.map_err(begin)?;
        for statement in statements {
            if let Err(error) = execute(Target::Transaction(&mut tx), statement).await {
                // A rollback that fails leaves the transaction to the closing connection,
                // which rolls it back too.
                let _ = tx.rollback().await;
                return Err(failed(statement, true, error).into());
            }
        }
        tx.commit()
            .await
            .map_err(|e| MigrationError::database("could not commit the drops", e))
    }

    /// Removes every ledger row that is left (a ledger qualified with another schema).
    async fn forget_every_row(&self, session: &mut Session) -> Result<(), MigrationError> {
        let ledger = session.ledger.clone();
        if !ledger.exists_on(session.target()).await? {
            return Ok(());
        }
        for row in ledger
            .read_rows(session.target())
            .await?
            .into_iter()
            .flatten()
        {
            ledger.delete(session.target(), &row.stored_id).await?;
        }
        Ok(())
    }
}
