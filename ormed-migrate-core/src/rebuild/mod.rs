//! SQLite table changes rendered against the live table: in place where SQLite can, else a
//! rebuild of the table following SQLite's own procedure ("Making Other Kinds Of Table Schema
//! Changes", <https://www.sqlite.org/lang_altertable.html#otheralter>).
//!
//! The runner calls [`read_live`] inside the migration's transaction, then [`plan_change`] turns
//! the block of changes into [`Step`]s. A rebuild runs with foreign keys off (switched before the
//! transaction begins, since `PRAGMA foreign_keys` is a no-op inside one) and never with
//! `defer_foreign_keys`: with deferred keys, dropping the old table fires `ON DELETE CASCADE`
//! and `SET NULL` on every child row, and `foreign_key_check` then finds nothing wrong. With keys
//! off, the drop touches no child; [`Step::ForeignKeyCheck`] before commit makes a rebuild that
//! would orphan rows fail and roll back.
//!
//! The new table is built from the introspected model (columns, primary key, foreign keys,
//! unique constraints) plus what only the table's own `CREATE TABLE` text holds: CHECK
//! constraints, collations and the `WITHOUT ROWID` and `STRICT` options, carried over as
//! written; indexes, triggers and views are created again from their own SQL. What neither can
//! carry (generated columns, `ON CONFLICT` clauses, deferrable or `SET DEFAULT` foreign keys, a
//! collation inside a key constraint) makes the change refused with a clear error, never
//! dropped silently.

mod draft;
mod live;
mod table_text;

pub(crate) use live::{ChildKey, LiveTable, SchemaObject, read_live, table_texts};
pub(crate) use table_text::TableText;

use draft::Draft;

use sqlx::AssertSqlSafe;

use crate::dialect::Dialect;
use crate::driver::{Target, with_executor};
use crate::render::RenderError;
use crate::schema::{AlterTable, TableCommand};

/// One step of a table change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A statement.
    Sql(String),
    /// Fails when a row of `table`, or of a table that references it, points at no row.
    ForeignKeyCheck {
        /// The rebuilt table.
        table: String,
    },
    /// Fails when a row of `table` holds, in `column`, a value of none of the storage classes
    /// `allowed`: SQLite keeps text that is not a number as it is in a numeric column, where
    /// PostgreSQL and MySQL refuse the change.
    Numbers {
        /// The rebuilt table.
        table: String,
        /// The changed column.
        column: String,
        /// The storage classes its values may have (`integer`, `real`).
        allowed: &'static [&'static str],
    },
    /// Fails when a row of `table` holds NULL in one of `columns` (about to become its key).
    NoNulls {
        /// The table.
        table: String,
        /// The columns.
        columns: Vec<String>,
    },
}

impl Step {
    /// The SQL of the step, as `pretend` prints it and errors quote it.
    pub(crate) fn sql(&self) -> String {
        match self {
            Step::Sql(sql) => sql.clone(),
            Step::ForeignKeyCheck { table } => foreign_key_check_query(table),
            Step::NoNulls { table, columns } => null_count_query(table, columns),
            Step::Numbers {
                table,
                column,
                allowed,
            } => not_numbers_query(table, column, allowed),
        }
    }
}

/// The changes of one block, split where a column is renamed: renames run in place (SQLite
/// rewrites every index, trigger, view and foreign key that names the column), and the changes
/// between two renames make one rebuild when any of them needs one, else run in place.
#[derive(Debug)]
pub(crate) enum Group<'a> {
    /// `rename_column(from, to)`.
    Rename {
        /// The current name.
        from: &'a str,
        /// The new name.
        to: &'a str,
    },
    /// Other changes, in the order written.
    Changes(Vec<&'a TableCommand>),
}

/// The groups of `alter`, in the order written.
pub(crate) fn groups(alter: &AlterTable) -> Vec<Group<'_>> {
    let mut groups = Vec::new();
    let mut changes = Vec::new();
    for command in &alter.commands {
        if let TableCommand::RenameColumn { from, to } = command {
            if !changes.is_empty() {
                groups.push(Group::Changes(std::mem::take(&mut changes)));
            }
            groups.push(Group::Rename { from, to });
        } else {
            changes.push(command);
        }
    }
    if !changes.is_empty() {
        groups.push(Group::Changes(changes));
    }
    groups
}

/// The steps of one group against the table as `live` describes it; `live` then describes the
/// table after them (as far as the model knows: enough to render the next group for `pretend`).
pub(crate) fn plan_group(
    group: &Group<'_>,
    live: &mut LiveTable,
) -> Result<Vec<Step>, RenderError> {
    match group {
        Group::Rename { from, to } => Ok(vec![Step::Sql(live.rename_column(from, to)?)]),
        Group::Changes(commands) => {
            let mut draft = Draft::new(live);
            for command in commands {
                draft.apply(command)?;
            }
            let steps = match draft.in_place_steps() {
                Some(steps) => steps,
                None => draft.rebuild_steps(live)?,
            };
            *live = draft.into_live(live);
            Ok(steps)
        }
    }
}

/// Every step of `alter` against the table as `live` describes it, for `pretend`.
pub(crate) fn plan_change(alter: &AlterTable, live: &LiveTable) -> Result<Vec<Step>, RenderError> {
    let mut live = live.clone();
    let mut steps = Vec::new();
    for group in groups(alter) {
        steps.extend(plan_group(&group, &mut live)?);
    }
    Ok(steps)
}

/// The rows `PRAGMA foreign_key_check` finds in `table` or in the tables that reference it, as
/// `child rowid N → parent` (at most five).
pub(crate) async fn foreign_key_violations(
    target: Target<'_, '_>,
    table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = foreign_key_check_query(table);
    let found: Vec<(String, Option<i64>, String)> = with_executor!(target, executor => {
        sqlx::query_as(AssertSqlSafe(sql.as_str())).fetch_all(executor).await
    })?;
    Ok(found
        .into_iter()
        .map(|(child, rowid, parent)| match rowid {
            Some(rowid) => format!("`{child}` rowid {rowid} → `{parent}`"),
            None => format!("a row of `{child}` → `{parent}`"),
        })
        .collect())
}

/// The first rows that point at no row, among the rows of `table` and of the tables that
/// reference it: what [`Step::ForeignKeyCheck`] runs, and, as it is, what `pretend` prints.
fn foreign_key_check_query(table: &str) -> String {
    let name = format!("'{}'", table.replace('\'', "''"));
    format!(
        "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check() \
         WHERE \"table\" = {name} OR parent = {name} LIMIT 5"
    )
}

/// The query that counts the rows holding NULL in any of `columns`.
fn null_count_query(table: &str, columns: &[String]) -> String {
    let nulls: Vec<String> = columns
        .iter()
        .map(|c| format!("{} IS NULL", quote(c)))
        .collect();
    format!(
        "SELECT COUNT(*) FROM {} WHERE {}",
        quote(table),
        nulls.join(" OR ")
    )
}

/// The query that finds the first values of `column` that are neither NULL nor `allowed`.
fn not_numbers_query(table: &str, column: &str, allowed: &[&str]) -> String {
    let classes: Vec<String> = allowed.iter().map(|c| format!("'{c}'")).collect();
    format!(
        "SELECT quote({column}) FROM {} WHERE {column} IS NOT NULL AND typeof({column}) NOT IN \
         ({}) LIMIT 3",
        quote(table),
        classes.join(", "),
        column = quote(column)
    )
}

/// The first values (quoted, at most three) of `column` that are neither NULL nor `allowed`.
pub(crate) async fn not_numbers(
    target: Target<'_, '_>,
    table: &str,
    column: &str,
    allowed: &[&str],
) -> Result<Vec<String>, sqlx::Error> {
    let sql = not_numbers_query(table, column, allowed);
    with_executor!(target, executor => {
        sqlx::query_scalar(AssertSqlSafe(sql.as_str())).fetch_all(executor).await
    })
}

/// How many rows of `table` hold NULL in one of `columns`.
pub(crate) async fn null_rows(
    target: Target<'_, '_>,
    table: &str,
    columns: &[String],
) -> Result<i64, sqlx::Error> {
    crate::driver::fetch_i64(target, &null_count_query(table, columns)).await
}

/// A quoted SQLite identifier.
fn quote(name: &str) -> String {
    Dialect::Sqlite
        .quote_identifier(name)
        .unwrap_or_else(|_| format!("\"{}\"", name.replace('"', "\"\"")))
}

#[cfg(test)]
mod tests;
