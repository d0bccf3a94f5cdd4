//! The run's model of the schema: the live schema, introspected once before anything runs, and
//! changed by each operation of the run in turn. The pre-flight check runs the whole plan
//! against it; `pretend` renders each SQLite table change against the table as the model has
//! it by then (with the live table's triggers, views and index SQL where the table exists), so
//! that a change to a table an earlier migration of the run creates or changes prints the SQL
//! it will run.

use sqlx::AssertSqlSafe;

use super::session::Session;
use super::{MigrationRunner, Rendered};
use crate::descriptor::{Direction, MigrationDescriptor};
use crate::driver::with_executor;
use crate::error::MigrationError;
use crate::introspect::SchemaSnapshot;
use crate::preflight::{self, Model};
use crate::rebuild::{self, LiveTable};
use crate::schema::{AlterTable, Plan};

impl MigrationRunner {
    /// Checks the plans, in run order, against the live schema plus the effects of the plans
    /// before each (see [`crate::preflight`]): the warnings it gives, and the model as it was
    /// before the first plan, for `pretend`. Nothing to run reads nothing.
    pub(super) async fn preflight(
        &self,
        session: &mut Session,
        plans: &[(&MigrationDescriptor, Direction, Plan)],
        emptied: bool,
    ) -> Result<(Vec<String>, Option<Model>), MigrationError> {
        if plans.is_empty() {
            return Ok((Vec::new(), None));
        }
        let dialect = self.driver.dialect();
        let live = match emptied {
            // A fresh run's pretend: the schema as the drops would leave it.
            true => SchemaSnapshot::default(),
            false => crate::introspect::snapshot(session.target(), dialect)
                .await
                .map_err(|e| {
                    MigrationError::database("could not read the schema to check the plan", e)
                })?,
        };
        let mut model = Model::new(dialect, live);
        // Tables an unqualified name may mean outside the introspected schema (PostgreSQL's
        // search path) are unknown, not missing.
        if let Some(sql) = crate::backend::of(dialect).shadowed_tables_query() {
            let shadowed: Vec<String> = with_executor!(session.target(), executor => {
                sqlx::query_scalar(AssertSqlSafe(sql)).fetch_all(executor).await
            })
            .map_err(|e| {
                MigrationError::database("could not read the tables on the search path", e)
            })?;
            model.mark_unknown(shadowed);
        }
        let plans: Vec<_> = plans
            .iter()
            .map(|(d, direction, plan)| (*d, *direction, plan))
            .collect();
        let warnings = preflight::check(model.clone(), &plans)?;
        Ok((warnings, Some(model)))
    }

    /// What `pretend` prints for a migration: its statements, each SQLite table change rendered
    /// against the table as `model` has it; then `model` follows the migration's `plan`.
    pub(super) async fn pretend_sql(
        &self,
        session: &mut Session,
        migration: &Rendered<'_>,
        mut model: Option<&mut Model>,
        plan: &Plan,
    ) -> Vec<String> {
        let mut sql = Vec::new();
        for statement in &migration.statements {
            let Some(alter) = statement.deferred.as_ref().and_then(|d| d.table_change()) else {
                sql.push(statement.sql.clone());
                continue;
            };
            let table = table_to_change(session, alter, model.as_deref()).await;
            match table.map(|live| rebuild::plan_change(alter, &live)) {
                Some(Ok(steps)) => sql.extend(steps.iter().map(rebuild::Step::sql)),
                Some(Err(error)) => {
                    sql.push(format!("{} -- would be refused: {error}", statement.sql));
                }
                None => sql.push(statement.sql.clone()),
            }
        }
        if let Some(model) = model.as_mut() {
            for operation in &plan.operations {
                model.apply(operation);
            }
        }
        sql
    }
}

/// The table a SQLite change is rendered against for `pretend`: as the model has it (earlier
/// migrations of the run included), with what only the live table holds (its `CREATE` text,
/// index SQL, sequence, the database's views and triggers); the live table alone where the
/// model cannot say (raw SQL named it).
async fn table_to_change(
    session: &mut Session,
    alter: &AlterTable,
    model: Option<&Model>,
) -> Option<LiveTable> {
    let live = rebuild::read_live(session.target(), &alter.table)
        .await
        .ok()
        .flatten();
    let modelled = model
        .filter(|model| model.knows(&alter.table))
        .and_then(|model| model.table(&alter.table).map(|table| (model, table)));
    match (live, modelled) {
        (Some(live), Some((_, table))) => Some(live.with_snapshot(table.clone())),
        (None, Some((model, table))) => Some(LiveTable::modelled(
            table.clone(),
            model.children_of(&alter.table),
        )),
        (live, None) => live,
    }
}
