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
use crate::dialect::Dialect;
use crate::driver::with_executor;
use crate::error::MigrationError;
use crate::error::PlanError;
use crate::preflight::{self, Model};
use crate::rebuild::{self, ChildKey, LiveTable};
use crate::schema::{AlterTable, Operation, Plan};

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
        let mut model = match emptied {
            // A fresh run's pretend: the schema as the drops would leave it.
            true => Model::emptied(dialect),
            false => Model::new(
                dialect,
                crate::introspect::snapshot(session.target(), dialect)
                    .await
                    .map_err(|e| {
                        MigrationError::database("could not read the schema to check the plan", e)
                    })?,
            ),
        };
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
        let changes_tables = plans.iter().any(|(_, _, plan)| {
            plan.operations
                .iter()
                .any(|op| matches!(op, Operation::AlterTable(_)))
        });
        if dialect == Dialect::Sqlite && changes_tables && !emptied {
            let texts = rebuild::table_texts(session.target()).await.map_err(|e| {
                MigrationError::database("could not read the tables to check the plan", e)
            })?;
            model = model.with_texts(texts);
        }
        let plans: Vec<_> = plans
            .iter()
            .map(|(d, direction, plan)| (*d, *direction, plan))
            .collect();
        let warnings = preflight::check(model.clone(), &plans)?;
        if dialect == Dialect::Sqlite {
            refuse_rebuilds(session, model.clone(), &plans).await?;
        }
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

/// SQLite: each table change of the plans that may need a rebuild, rendered in run order
/// against the table as the run will find it, so that what a rebuild cannot carry over (a
/// generated column, an ON CONFLICT clause, a CHECK reading a dropped column, …) is refused before anything runs
/// rather than when the migration's turn comes (the run checks again then, against the table
/// as it is). A change to a table the model cannot say anything about stays silent.
async fn refuse_rebuilds(
    session: &mut Session,
    mut model: Model,
    plans: &[(&MigrationDescriptor, Direction, &Plan)],
) -> Result<(), MigrationError> {
    for (descriptor, direction, plan) in plans {
        for operation in &plan.operations {
            if let Some(alter) = may_rebuild(operation).filter(|a| model.knows(&a.table)) {
                let refused = match table_to_change(session, alter, Some(&model)).await {
                    Some(table) => rebuild::plan_change(alter, &table).err(),
                    None => None,
                };
                if let Some(error) = refused {
                    return Err(PlanError::Preflight {
                        id: descriptor.id.clone(),
                        direction: *direction,
                        operation: format!("change table `{}`", alter.table),
                        problem: error.to_string(),
                    }
                    .into());
                }
            }
            model.apply(operation);
        }
    }
    Ok(())
}

/// The table change of `operation` when SQLite may have to rebuild the table for it (the
/// renderer leaves it to be rendered against the live table).
fn may_rebuild(operation: &Operation) -> Option<&AlterTable> {
    let Operation::AlterTable(alter) = operation else {
        return None;
    };
    let statements = Dialect::Sqlite.render_operation(operation).ok()?;
    statements
        .iter()
        .any(|s| s.deferred.as_ref().and_then(|d| d.table_change()).is_some())
        .then_some(alter)
}

/// Whether a view or trigger of the database is still there at this point of the run, as far as
/// the model can tell: not named by raw SQL of the run (which may have dropped it), and a
/// trigger's table not dropped.
fn still_there(model: &Model, object: &rebuild::SchemaObject) -> bool {
    let table_kept =
        object.kind == "view" || model.table(&model.current_name(&object.table)).is_some();
    model.knows(&object.name) && table_kept
}

/// The table a SQLite change is rendered against before it runs: as the model has it (earlier
/// migrations of the run included), with what only the live table holds (its `CREATE` text,
/// index SQL, sequence, the database's views and triggers) where the live table is the one the
/// change will meet; the live table alone where the model cannot say (raw SQL named it).
async fn table_to_change(
    session: &mut Session,
    alter: &AlterTable,
    model: Option<&Model>,
) -> Option<LiveTable> {
    let name = &alter.table;
    let modelled = model
        .filter(|model| model.knows(name))
        .and_then(|model| model.table(name).map(|table| (model, table)));
    let current = model.is_none_or(|model| model.live_table_is_current(name));
    let live = match current {
        true => rebuild::read_live(session.target(), name)
            .await
            .ok()
            .flatten(),
        false => None,
    };
    match (live, modelled) {
        (Some(live), Some((model, table))) => {
            let children = children_at_this_point(model, name, &live.children);
            Some(
                live.with_snapshot(table.clone())
                    .with_children(children)
                    .with_text(model.text(name))
                    .with_objects(|object| still_there(model, object)),
            )
        }
        (None, Some((model, table))) => Some(
            LiveTable::modelled(table.clone(), model.children_of(name)).with_text(model.text(name)),
        ),
        (live, None) => live,
    }
}

/// The foreign keys that reference `table` at this point of the run: those of the model's
/// tables, and those the live schema holds in tables the model cannot say anything about.
fn children_at_this_point(model: &Model, table: &str, live: &[ChildKey]) -> Vec<ChildKey> {
    let mut children = model.children_of(table);
    children.extend(
        live.iter()
            .filter(|child| !model.knows(&child.table))
            .cloned(),
    );
    children
}
