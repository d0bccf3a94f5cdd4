//! The live table a SQLite change is rendered against: its introspected model plus what a
//! rebuild must carry over that the model does not hold (its `CREATE` text, its indexes' SQL,
//! its AUTOINCREMENT sequence, the views and triggers of the database, the foreign keys of other
//! tables that reference it).

use std::collections::BTreeMap;

use sqlx::AssertSqlSafe;

use super::quote;
use super::table_text::TableText;
use crate::dialect::Dialect;
use crate::driver::{Target, with_executor};
use crate::introspect::{self, TableSnapshot};
use crate::render::RenderError;

/// A SQLite table as it is when its change runs.
#[derive(Clone, Debug)]
pub(crate) struct LiveTable {
    /// Columns, keys, indexes and foreign keys.
    pub(crate) snapshot: TableSnapshot,
    /// Its `CREATE TABLE` text in `sqlite_master`.
    pub(crate) create_sql: String,
    /// What a rebuild carries over from that text (CHECK constraints, collations, options).
    pub(crate) text: TableText,
    /// The `CREATE INDEX` text of each index made by a statement (not by a `UNIQUE` clause).
    pub(crate) index_sql: BTreeMap<String, String>,
    /// Its row in `sqlite_sequence`: the highest id AUTOINCREMENT ever handed out.
    pub(crate) sequence: Option<i64>,
    /// Every view and trigger of the database, in creation order: renaming a table fails while
    /// a view or trigger names a table that is missing, so a rebuild drops and recreates them.
    pub(crate) schema_objects: Vec<SchemaObject>,
    /// Foreign keys of other tables that reference this one.
    pub(crate) children: Vec<ChildKey>,
    /// Whether it has generated columns (hidden in `pragma_table_info`), which the model
    /// cannot carry.
    pub(crate) has_generated_columns: bool,
}

/// A view or trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SchemaObject {
    /// `view` or `trigger`.
    pub(crate) kind: String,
    /// Its name.
    pub(crate) name: String,
    /// The table it belongs to (a trigger's table; a view's own name).
    pub(crate) table: String,
    /// Its `CREATE` text.
    pub(crate) sql: String,
}

/// A foreign key of another table that references the live table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChildKey {
    /// The referencing table.
    pub(crate) table: String,
    /// The referenced columns of the live table (empty: its primary key).
    pub(crate) referenced_columns: Vec<String>,
}

/// Reads `table` as it is now, on the run's connection or inside its transaction; `None` when
/// there is no such table.
pub(crate) async fn read_live(
    mut target: Target<'_, '_>,
    table: &str,
) -> Result<Option<LiveTable>, sqlx::Error> {
    // SQLite matches table names whatever their case: `users` finds a table made as `Users`.
    let stored = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1 \
                  COLLATE NOCASE ORDER BY name = ?1 DESC LIMIT 1";
    let stored: Option<String> = with_executor!(target.reborrow(), executor => {
        sqlx::query_scalar(AssertSqlSafe(stored)).bind(table).fetch_optional(executor).await
    })?;
    let Some(table) = stored.as_deref() else {
        return Ok(None);
    };
    let Some(snapshot) = introspect::table(target.reborrow(), Dialect::Sqlite, table).await? else {
        return Ok(None);
    };
    let create_sql = master_sql(target.reborrow(), "table", table)
        .await?
        .unwrap_or_default();
    let index_sql = index_sql(target.reborrow(), table).await?;
    let schema_objects = schema_objects(target.reborrow()).await?;
    let children = child_keys(target.reborrow(), table).await?;
    let has_generated_columns = generated_columns(target.reborrow(), table).await? > 0;
    let sequence = sequence(target, table).await?;
    Ok(Some(LiveTable {
        snapshot,
        text: TableText::parse(&create_sql),
        create_sql,
        index_sql,
        sequence,
        schema_objects,
        children,
        has_generated_columns,
    }))
}

/// The `CREATE TABLE` text of every table, read once before a SQLite run whose plans change
/// tables, for the run's model to follow through the run.
pub(crate) async fn table_texts(
    target: Target<'_, '_>,
) -> Result<BTreeMap<String, TableText>, sqlx::Error> {
    let sql = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL";
    let found: Vec<(String, String)> = with_executor!(target, executor => {
        sqlx::query_as(AssertSqlSafe(sql)).fetch_all(executor).await
    })?;
    Ok(found
        .into_iter()
        .map(|(name, sql)| (name, TableText::parse(&sql)))
        .collect())
}

async fn generated_columns(target: Target<'_, '_>, table: &str) -> Result<i64, sqlx::Error> {
    // hidden: 2 for a virtual generated column, 3 for a stored one.
    let sql = "SELECT COUNT(*) FROM pragma_table_xinfo(?1) WHERE hidden IN (2, 3)";
    with_executor!(target, executor => {
        sqlx::query_scalar(AssertSqlSafe(sql)).bind(table).fetch_one(executor).await
    })
}

async fn master_sql(
    target: Target<'_, '_>,
    kind: &str,
    name: &str,
) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT sql FROM sqlite_master WHERE type = ?1 AND name = ?2";
    with_executor!(target, executor => {
        sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql))
            .bind(kind)
            .bind(name)
            .fetch_optional(executor)
            .await
            .map(Option::flatten)
    })
}

/// The `CREATE INDEX` text of the table's indexes made by statements.
async fn index_sql(
    target: Target<'_, '_>,
    table: &str,
) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 \
               AND sql IS NOT NULL";
    let found: Vec<(String, String)> = with_executor!(target, executor => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(table).fetch_all(executor).await
    })?;
    Ok(found.into_iter().collect())
}

/// Every view and trigger, in creation order.
async fn schema_objects(target: Target<'_, '_>) -> Result<Vec<SchemaObject>, sqlx::Error> {
    let sql = "SELECT type, name, tbl_name, sql FROM sqlite_master \
               WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid";
    let found: Vec<(String, String, String, String)> = with_executor!(target, executor => {
        sqlx::query_as(AssertSqlSafe(sql)).fetch_all(executor).await
    })?;
    Ok(found
        .into_iter()
        .map(|(kind, name, table, sql)| SchemaObject {
            kind,
            name,
            table,
            sql,
        })
        .collect())
}

async fn child_keys(target: Target<'_, '_>, table: &str) -> Result<Vec<ChildKey>, sqlx::Error> {
    let sql = "SELECT m.name, k.id, k.\"to\" FROM sqlite_master m, \
               pragma_foreign_key_list(m.name) k \
               WHERE m.type = 'table' AND m.name <> ?1 COLLATE NOCASE \
               AND k.\"table\" = ?1 COLLATE NOCASE \
               ORDER BY m.name, k.id, k.seq";
    let found: Vec<(String, i64, Option<String>)> = with_executor!(target, executor => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(table).fetch_all(executor).await
    })?;
    let mut keys: Vec<(String, i64, ChildKey)> = Vec::new();
    for (child, id, to) in found {
        match keys.last_mut() {
            Some((table, key, existing)) if *table == child && *key == id => {
                existing.referenced_columns.extend(to);
            }
            _ => keys.push((
                child.clone(),
                id,
                ChildKey {
                    table: child,
                    referenced_columns: to.into_iter().collect(),
                },
            )),
        }
    }
    Ok(keys.into_iter().map(|(_, _, key)| key).collect())
}

async fn sequence(target: Target<'_, '_>, table: &str) -> Result<Option<i64>, sqlx::Error> {
    // sqlite_sequence exists only once some table uses AUTOINCREMENT.
    let sql = "SELECT seq FROM sqlite_sequence WHERE name = ?1";
    let exists = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'";
    let mut target = target;
    let present: i64 = with_executor!(target.reborrow(), executor => {
        sqlx::query_scalar(AssertSqlSafe(exists)).fetch_one(executor).await
    })?;
    if present == 0 {
        return Ok(None);
    }
    with_executor!(target, executor => {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql))
            .bind(table)
            .fetch_optional(executor)
            .await
    })
}

impl LiveTable {
    /// A table the run has not created yet, as the pre-flight model has it, for `pretend`.
    pub(crate) fn modelled(snapshot: TableSnapshot, children: Vec<ChildKey>) -> LiveTable {
        LiveTable {
            snapshot,
            create_sql: String::new(),
            text: TableText::default(),
            index_sql: BTreeMap::new(),
            sequence: None,
            schema_objects: Vec::new(),
            children,
            has_generated_columns: false,
        }
    }

    /// The live table with its structure as `snapshot` says (earlier changes of the run).
    pub(crate) fn with_snapshot(self, snapshot: TableSnapshot) -> LiveTable {
        LiveTable { snapshot, ..self }
    }

    /// The live table with what a rebuild carries from its `CREATE TABLE` text as `text`
    /// says (earlier changes of the run: a column renamed or dropped).
    pub(crate) fn with_text(self, text: Option<&TableText>) -> LiveTable {
        match text {
            Some(text) => LiveTable {
                text: text.clone(),
                ..self
            },
            None => self,
        }
    }

    /// The live table with only the views and triggers `keep` says will still be there when
    /// the change runs (raw SQL of the run may drop one, a dropped table takes its triggers).
    pub(crate) fn with_objects(self, keep: impl Fn(&SchemaObject) -> bool) -> LiveTable {
        let schema_objects = self
            .schema_objects
            .iter()
            .filter(|o| keep(o))
            .cloned()
            .collect();
        LiveTable {
            schema_objects,
            ..self
        }
    }

    /// The live table with the foreign keys that reference it as `children` says (earlier
    /// changes of the run).
    pub(crate) fn with_children(self, children: Vec<ChildKey>) -> LiveTable {
        LiveTable { children, ..self }
    }

    /// The in-place rename of a column, checked against the model; the model follows it.
    pub(crate) fn rename_column(&mut self, from: &str, to: &str) -> Result<String, RenderError> {
        let table = self.snapshot.name.clone();
        // SQLite matches the column whatever the case of its name.
        let Some(from) = self
            .snapshot
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(from))
            .map(|c| c.name.clone())
        else {
            return Err(missing_column(&table, from));
        };
        let from = from.as_str();
        if self.snapshot.column(to).is_some() {
            return Err(RenderError::new(format!(
                "cannot rename column `{from}` of `{table}` to `{to}`: `{table}` already has a \
                 column `{to}`"
            )));
        }
        let rename = |name: &mut String| {
            if name == from {
                *name = to.to_owned();
            }
        };
        self.text.rename_column(from, to);
        let snapshot = &mut self.snapshot;
        snapshot
            .columns
            .iter_mut()
            .for_each(|c| rename(&mut c.name));
        if let Some(key) = snapshot.primary_key.as_mut() {
            key.columns.iter_mut().for_each(rename);
        }
        for index in &mut snapshot.indexes {
            index.columns.iter_mut().for_each(rename);
        }
        for key in &mut snapshot.foreign_keys {
            key.columns.iter_mut().for_each(rename);
        }
        // SQLite rewrites the indexes' SQL; the copy here would be stale, so indexes on the
        // column are rendered from the model from now on.
        let affected: Vec<String> = snapshot
            .indexes
            .iter()
            .filter(|index| index.columns.iter().any(|c| c == to))
            .map(|index| index.name.clone())
            .collect();
        for name in affected {
            self.index_sql.remove(&name);
        }
        Ok(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            quote(&table),
            quote(from),
            quote(to)
        ))
    }
}

/// A change naming a column the table does not have.
pub(crate) fn missing_column(table: &str, column: &str) -> RenderError {
    RenderError::new(format!(
        "table `{table}` has no column `{column}`; check the name (a column renamed or dropped \
         by an earlier change keeps its new name)"
    ))
}
