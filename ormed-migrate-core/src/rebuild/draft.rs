//! A draft of the table after a group of changes: the model the rebuild creates, and the
//! in-place statements that make the same changes when no change needs a rebuild.

use std::collections::{BTreeMap, HashSet};

use super::live::{LiveTable, SchemaObject, missing_column};
use super::table_text::{TableText, may_read, names_read};
use super::{Step, quote};
use crate::backend;
use crate::dialect::Dialect;
use crate::introspect::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, TableSnapshot,
    TypeFamily,
};
use crate::render::{RenderError, column_type_and_default, generated_name};
use crate::schema::{
    AlterTable, ColumnDefinition, ForeignKeyAction, ForeignKeyDefinition, IndexDefinition,
    Operation, TableCommand,
};

/// Index names SQLite gives the indexes of `UNIQUE` and `PRIMARY KEY` clauses.
const AUTOINDEX_PREFIX: &str = "sqlite_autoindex_";

/// What the table becomes.
#[derive(Debug)]
pub(super) struct Draft {
    table: TableSnapshot,
    /// Columns with no data to copy: added by this group.
    fresh: HashSet<String>,
    /// Indexes whose own SQL still holds (the rest are rendered from the model).
    index_sql: BTreeMap<String, String>,
    /// The in-place statements, while every change so far can be made in place.
    in_place: Option<Vec<String>>,
    /// Existing columns that become a primary key: their rows must hold no NULL.
    keyed: Vec<String>,
    /// What the new table carries over from the live table's `CREATE TABLE` text.
    text: TableText,
    /// Existing columns changed to a numeric type, and the storage classes their values may
    /// have after the copy.
    numeric: Vec<(String, &'static [&'static str])>,
    /// The database's views and triggers, which a dropped column must not leave broken.
    objects: Vec<SchemaObject>,
}

impl Draft {
    pub(super) fn new(live: &LiveTable) -> Draft {
        Draft {
            table: live.snapshot.clone(),
            fresh: HashSet::new(),
            index_sql: live.index_sql.clone(),
            in_place: Some(Vec::new()),
            keyed: Vec::new(),
            text: live.text.clone(),
            objects: live.schema_objects.clone(),
            numeric: Vec::new(),
        }
    }

    /// Applies one change to the model, checking it against the table as it is by then.
    pub(super) fn apply(&mut self, command: &TableCommand) -> Result<(), RenderError> {
        let command = &self.spelled_as_stored(command);
        match command {
            TableCommand::AddColumn(column) => self.add_column(command, column),
            TableCommand::ChangeColumn(column) => self.change_column(column),
            TableCommand::DropColumn(name) => self.drop_column(name),
            TableCommand::RenameColumn { .. } => {
                unreachable!("renames run in place, between groups")
            }
            TableCommand::AddPrimary(key) => {
                self.require_columns(&key.columns)?;
                if self.table.primary_key.is_some() {
                    return Err(self
                        .error("already has a primary key; drop it first with t.drop_primary()"));
                }
                // A key holds no NULL: the columns become NOT NULL, and the rows are checked
                // first (an INTEGER key would otherwise turn each NULL into a new rowid).
                for column in &mut self.table.columns {
                    if key.columns.contains(&column.name) {
                        column.nullable = false;
                    }
                }
                self.keyed.extend(key.columns.iter().cloned());
                self.table.primary_key = Some(PrimaryKeySnapshot {
                    name: None,
                    columns: key.columns.clone(),
                });
                self.needs_rebuild();
                Ok(())
            }
            TableCommand::DropPrimary => {
                let Some(key) = self.table.primary_key.take() else {
                    return Err(self.error("has no primary key to drop"));
                };
                for column in &mut self.table.columns {
                    if key.columns.contains(&column.name) {
                        column.auto_increment = false;
                    }
                }
                self.needs_rebuild();
                Ok(())
            }
            TableCommand::AddIndex(index) => self.add_index(command, index),
            TableCommand::DropIndex { name, .. } => self.drop_index(command, name),
            TableCommand::RenameIndex { from, to } => self.rename_index(from, to),
            TableCommand::AddForeign(key) => self.add_foreign(key),
            TableCommand::DropForeign(name) => self.drop_foreign(name),
            // SQLite makes no index for a foreign key, so there is none to drop.
            TableCommand::DropForeignKeyIndex { .. } => Ok(()),
        }
    }

    /// `command` with each column it names spelled as the table spells it: SQLite matches
    /// column names whatever their case (`drop_column("B")` drops `b`).
    fn spelled_as_stored(&self, command: &TableCommand) -> TableCommand {
        let stored = |name: &mut String| {
            let found = self
                .table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name));
            if let Some(column) = found {
                name.clone_from(&column.name);
            }
        };
        let mut command = command.clone();
        match &mut command {
            TableCommand::ChangeColumn(column) => stored(&mut column.name),
            TableCommand::DropColumn(name) => stored(name),
            TableCommand::AddIndex(index) => index.columns.iter_mut().for_each(stored),
            TableCommand::AddPrimary(key) => key.columns.iter_mut().for_each(stored),
            TableCommand::AddForeign(key) => key.columns.iter_mut().for_each(stored),
            _ => {}
        }
        command
    }

    fn add_column(
        &mut self,
        command: &TableCommand,
        column: &ColumnDefinition,
    ) -> Result<(), RenderError> {
        if self.table.column(&column.name).is_some() {
            return Err(self.error(&format!("already has a column `{}`", column.name)));
        }
        let added = column_snapshot(column);
        if self.text.strict && !strict_type(&added.data_type) {
            return Err(self.strict_refusal(&added));
        }
        self.table.columns.push(added);
        if column.column_type.is_auto_increment() {
            if self.table.primary_key.is_some() {
                return Err(self.error(&format!(
                    "already has a primary key, so `{}` cannot be an auto-increment key",
                    column.name
                )));
            }
            self.table.primary_key = Some(PrimaryKeySnapshot {
                name: None,
                columns: vec![column.name.clone()],
            });
        }
        self.fresh.insert(column.name.clone());
        self.in_place_or_rebuild(command)
    }

    fn change_column(&mut self, column: &ColumnDefinition) -> Result<(), RenderError> {
        let table = self.table.name.clone();
        let Some(existing) = self
            .table
            .columns
            .iter_mut()
            .find(|c| c.name == column.name)
        else {
            return Err(missing_column(&table, &column.name));
        };
        *existing = column_snapshot(column);
        let name = column.name.clone();
        self.numeric.retain(|(c, _)| *c != name);
        if let Some(allowed) = numeric_classes(column.column_type) {
            self.numeric.push((name, allowed));
        }
        self.needs_rebuild();
        Ok(())
    }

    fn drop_column(&mut self, name: &str) -> Result<(), RenderError> {
        if self.table.column(name).is_none() {
            return Err(missing_column(&self.table.name, name));
        }
        self.text.drop_column(name).map_err(|check| {
            self.error(&format!(
                "cannot lose column `{name}`: the constraint {check} reads it (SQLite refuses \
                 to drop a column a CHECK constraint uses); keep the column, or rebuild the \
                 table without that constraint with schema.raw_for(Dialect::Sqlite, ..)"
            ))
        })?;
        self.refuse_breaking_views_and_triggers(name)?;
        let keyed = self
            .table
            .primary_key
            .as_ref()
            .is_some_and(|key| key.columns.iter().any(|c| c == name));
        // An expression or partial index that reads the column goes with it too.
        let lowered = name.to_ascii_lowercase();
        let using: HashSet<String> = self
            .table
            .indexes
            .iter()
            .filter(|index| {
                index.columns.iter().any(|c| c == name)
                    || self
                        .index_sql
                        .get(&index.name)
                        .is_some_and(|sql| names_read(sql, false).contains(&lowered))
            })
            .map(|index| index.name.clone())
            .collect();
        let indexed = !using.is_empty();
        let referencing = self
            .table
            .foreign_keys
            .iter()
            .any(|key| key.columns.iter().any(|c| c == name));
        self.table.columns.retain(|c| c.name != name);
        self.fresh.remove(name);
        if keyed || indexed || referencing {
            // As PostgreSQL does: the indexes and keys that use the column go with it.
            if keyed {
                self.table.primary_key = None;
            }
            self.table
                .indexes
                .retain(|index| !using.contains(&index.name));
            self.table
                .foreign_keys
                .retain(|key| !key.columns.iter().any(|c| c == name));
            self.index_sql
                .retain(|index, _| self.table.indexes.iter().any(|i| &i.name == index));
            self.needs_rebuild();
        } else {
            let sql = format!(
                "ALTER TABLE {} DROP COLUMN {}",
                quote(&self.table.name),
                quote(name)
            );
            self.push_in_place(sql);
        }
        Ok(())
    }

    /// SQLite's own `DROP COLUMN` refuses a column a view or trigger uses; a rebuild would
    /// create them again broken (every later write to the table failing), so it refuses too.
    fn refuse_breaking_views_and_triggers(&self, column: &str) -> Result<(), RenderError> {
        let names: Vec<(&SchemaObject, Vec<String>)> = self
            .objects
            .iter()
            .map(|object| (object, names_read(&object.sql, true)))
            .collect();
        // The relations that show the table's columns: the table, and the views that select
        // from one of them (`SELECT * FROM t` passes `b` on to a view that names it).
        let mut relations = vec![self.table.name.to_ascii_lowercase()];
        while let Some(view) = names.iter().find(|(object, read)| {
            object.kind == "view"
                && !relations.contains(&object.name.to_ascii_lowercase())
                && read.iter().any(|n| relations.contains(n))
        }) {
            relations.push(view.0.name.to_ascii_lowercase());
        }
        let user = names
            .iter()
            .find(|(object, read)| {
                may_read(&object.sql, column) && read.iter().any(|n| relations.contains(n))
            })
            .map(|(object, _)| *object);
        match user {
            Some(object) => Err(self.error(&format!(
                "cannot lose column `{column}`: {kind} `{name}` names it (SQLite's own DROP \
                 COLUMN refuses a column a view or trigger uses, and a rebuild would create it \
                 again broken); drop the {kind} first \
                 (schema.raw(\"DROP {upper} {name}\")) and create it again after the change",
                kind = object.kind,
                name = object.name,
                upper = object.kind.to_uppercase(),
            ))),
            None => Ok(()),
        }
    }

    fn add_index(
        &mut self,
        command: &TableCommand,
        index: &IndexDefinition,
    ) -> Result<(), RenderError> {
        self.require_columns(&index.columns)?;
        let name = index.name.clone().unwrap_or_else(|| {
            generated_name(&self.table.name, &index.columns, index.kind.suffix())
        });
        if self.table.index(&name).is_some() {
            return Err(self.error(&format!("already has an index `{name}`")));
        }
        self.table.indexes.push(IndexSnapshot {
            name,
            columns: index.columns.clone(),
            unique: index.kind == crate::schema::IndexKind::Unique,
        });
        self.in_place_or_rebuild(command)
    }

    fn drop_index(&mut self, command: &TableCommand, name: &str) -> Result<(), RenderError> {
        if self.table.index(name).is_none() {
            return Err(self.missing_index(name));
        }
        self.table.indexes.retain(|index| index.name != name);
        self.index_sql.remove(name);
        if name.starts_with(AUTOINDEX_PREFIX) {
            // The index of a UNIQUE clause goes only with the clause: a rebuild.
            self.needs_rebuild();
            Ok(())
        } else {
            self.in_place_or_rebuild(command)
        }
    }

    fn rename_index(&mut self, from: &str, to: &str) -> Result<(), RenderError> {
        if from.starts_with(AUTOINDEX_PREFIX) {
            return Err(self.error(&format!(
                "cannot rename `{from}`: SQLite names the index of a UNIQUE clause itself; drop \
                 it with t.drop_unique(\"{from}\") and add t.unique([..]).name(\"{to}\")"
            )));
        }
        if self.table.index(to).is_some() {
            return Err(self.error(&format!("already has an index `{to}`")));
        }
        let Some(index) = self.table.indexes.iter_mut().find(|i| i.name == from) else {
            return Err(self.missing_index(from));
        };
        index.name = to.to_owned();
        let index = index.clone();
        // No ALTER INDEX in SQLite: the index is dropped and created again under its new name,
        // from its own SQL where it can be renamed there (partial and expression indexes keep
        // their WHERE and expressions), else from the model.
        let renamed = self
            .index_sql
            .remove(from)
            .and_then(|sql| rename_in_create_index(&sql, from, to));
        let create = renamed.clone().unwrap_or_else(|| self.create_index(&index));
        if let Some(sql) = renamed {
            self.index_sql.insert(to.to_owned(), sql);
        }
        self.push_in_place(format!("DROP INDEX {}", quote(from)));
        self.push_in_place(create);
        Ok(())
    }

    fn add_foreign(&mut self, key: &ForeignKeyDefinition) -> Result<(), RenderError> {
        self.require_columns(&key.columns)?;
        let name = key
            .name
            .clone()
            .unwrap_or_else(|| generated_name(&self.table.name, &key.columns, "foreign"));
        if self.table.foreign_key(&name).is_some() {
            return Err(self.error(&format!("already has a foreign key `{name}`")));
        }
        self.table.foreign_keys.push(ForeignKeySnapshot {
            name: Some(name),
            columns: key.columns.clone(),
            referenced_table: key.referenced_table.clone(),
            referenced_columns: key.referenced_columns.clone(),
            on_delete: key.on_delete,
            on_update: key.on_update,
        });
        self.needs_rebuild();
        Ok(())
    }

    fn drop_foreign(&mut self, name: &str) -> Result<(), RenderError> {
        if self.table.foreign_key(name).is_none() {
            let named: Vec<&str> = self
                .table
                .foreign_keys
                .iter()
                .filter_map(|key| key.name.as_deref())
                .collect();
            let unnamed = self.table.foreign_keys.len() - named.len();
            return Err(self.error(&format!(
                "has no foreign key named `{name}` (named ones: {}{})",
                if named.is_empty() {
                    "none".to_owned()
                } else {
                    named.join(", ")
                },
                if unnamed > 0 {
                    format!("; {unnamed} declared without a name cannot be dropped by name")
                } else {
                    String::new()
                }
            )));
        }
        self.table
            .foreign_keys
            .retain(|key| key.name.as_deref() != Some(name));
        self.needs_rebuild();
        Ok(())
    }

    /// The in-place statements, when no change of the group needs a rebuild.
    pub(super) fn in_place_steps(&self) -> Option<Vec<Step>> {
        self.in_place
            .as_ref()
            .map(|statements| statements.iter().cloned().map(Step::Sql).collect())
    }

    /// The rebuild: the new table created, filled, swapped in, its indexes, views, triggers and
    /// sequence restored, and the foreign keys checked.
    pub(super) fn rebuild_steps(&self, live: &LiveTable) -> Result<Vec<Step>, RenderError> {
        refuse_what_the_model_cannot_carry(live)?;
        self.refuse_orphaned_children(live)?;
        let name = self.table.name.as_str();
        let table = quote(name);
        let temporary = quote(&format!("__ormed_rebuild_{name}"));
        let mut steps = Vec::new();
        let keyed: Vec<String> = self
            .keyed
            .iter()
            .filter(|c| !self.fresh.contains(*c) && self.table.column(c).is_some())
            .cloned()
            .collect();
        if !keyed.is_empty() {
            steps.push(Step::NoNulls {
                table: name.to_owned(),
                columns: keyed,
            });
        }
        for object in live.schema_objects.iter().rev() {
            let kind = object.kind.to_uppercase();
            steps.push(Step::Sql(format!("DROP {kind} {}", quote(&object.name))));
        }
        steps.push(Step::Sql(format!(
            "CREATE TABLE {temporary} ({}){}",
            self.definitions().join(", "),
            self.table_options()?
        )));
        let mut copied: Vec<String> = self
            .table
            .columns
            .iter()
            .filter(|c| !self.fresh.contains(&c.name))
            .map(|c| quote(&c.name))
            .collect();
        if let Some(rowid) = self.hidden_rowid(live).filter(|_| !copied.is_empty()) {
            copied.insert(0, rowid.to_owned());
        }
        if !copied.is_empty() {
            let columns = copied.join(", ");
            steps.push(Step::Sql(format!(
                "INSERT INTO {temporary} ({columns}) SELECT {columns} FROM {table}"
            )));
        }
        for (column, allowed) in &self.numeric {
            if self.table.column(column).is_some() && !self.fresh.contains(column) {
                steps.push(Step::Numbers {
                    table: format!("__ormed_rebuild_{name}"),
                    column: column.clone(),
                    allowed,
                });
            }
        }
        steps.push(Step::Sql(format!("DROP TABLE {table}")));
        steps.push(Step::Sql(format!(
            "ALTER TABLE {temporary} RENAME TO {table}"
        )));
        for index in self.table.indexes.iter() {
            if index.name.starts_with(AUTOINDEX_PREFIX) {
                continue;
            }
            let sql = self
                .index_sql
                .get(&index.name)
                .cloned()
                .unwrap_or_else(|| self.create_index(index));
            steps.push(Step::Sql(sql));
        }
        steps.extend(self.sequence_steps(live));
        for object in &live.schema_objects {
            steps.push(Step::Sql(object.sql.clone()));
        }
        steps.push(Step::ForeignKeyCheck {
            table: name.to_owned(),
        });
        Ok(steps)
    }

    /// The live table after this group, for rendering the next group against (`pretend`).
    pub(super) fn into_live(self, live: &LiveTable) -> LiveTable {
        LiveTable {
            snapshot: self.table,
            index_sql: self.index_sql,
            text: self.text,
            ..live.clone()
        }
    }

    // ------------------------------------------------------------------------------- helpers

    fn needs_rebuild(&mut self) {
        self.in_place = None;
    }

    fn push_in_place(&mut self, sql: String) {
        if let Some(statements) = self.in_place.as_mut() {
            statements.push(sql);
        }
    }

    /// Renders a command SQLite makes in place (adding a column it can add, an index, dropping
    /// an index) as the builder does; anything the renderer defers needs a rebuild.
    fn in_place_or_rebuild(&mut self, command: &TableCommand) -> Result<(), RenderError> {
        let alter = Operation::AlterTable(AlterTable {
            table: self.table.name.clone(),
            commands: vec![command.clone()],
        });
        let statements = Dialect::Sqlite.render_operation(&alter)?;
        if statements.iter().any(|s| s.deferred.is_some()) {
            self.needs_rebuild();
        } else {
            for statement in statements {
                self.push_in_place(statement.sql);
            }
        }
        Ok(())
    }

    fn require_columns(&self, columns: &[String]) -> Result<(), RenderError> {
        match columns.iter().find(|c| self.table.column(c).is_none()) {
            Some(column) => Err(missing_column(&self.table.name, column)),
            None => Ok(()),
        }
    }

    fn error(&self, what: &str) -> RenderError {
        RenderError::new(format!("table `{}` {what}", self.table.name))
    }

    fn missing_index(&self, name: &str) -> RenderError {
        let names: Vec<&str> = self.table.indexes.iter().map(|i| i.name.as_str()).collect();
        self.error(&format!(
            "has no index `{name}` (its indexes: {})",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ))
    }

    /// The new table's column definitions and table constraints.
    fn definitions(&self) -> Vec<String> {
        let key = self.table.primary_key.as_ref();
        let auto_key = key
            .filter(|k| k.columns.len() == 1)
            .and_then(|k| self.table.column(&k.columns[0]))
            .filter(|c| c.auto_increment)
            .map(|c| c.name.clone());
        let mut parts: Vec<String> = self
            .table
            .columns
            .iter()
            .map(|c| {
                let mut sql = column_definition(c, auto_key.as_deref() == Some(c.name.as_str()));
                for clause in self.text.column_clauses(&c.name) {
                    sql.push(' ');
                    sql.push_str(clause);
                }
                sql
            })
            .collect();
        if let (Some(key), None) = (key, &auto_key) {
            parts.push(format!("PRIMARY KEY ({})", quote_list(&key.columns)));
        }
        for index in &self.table.indexes {
            if index.unique && index.name.starts_with(AUTOINDEX_PREFIX) {
                parts.push(format!("UNIQUE ({})", quote_list(&index.columns)));
            }
        }
        for key in &self.table.foreign_keys {
            parts.push(foreign_key_definition(key));
        }
        parts.extend(self.text.table_checks().map(str::to_owned));
        parts
    }

    fn strict_refusal(&self, column: &ColumnSnapshot) -> RenderError {
        self.error(&format!(
            "is a STRICT table, which does not allow column `{}`'s type `{}`; use a type STRICT \
             allows (INT, INTEGER, REAL, TEXT, BLOB or ANY: t.integer, t.double, t.text, \
             t.binary)",
            column.name,
            column.data_type.to_uppercase()
        ))
    }

    /// Whether the rows' rowids must be copied by name, and under which: a rowid table whose rowid no column
    /// holds (no `INTEGER PRIMARY KEY`, before or after) numbers the copied rows afresh
    /// otherwise, and what stores rowids (an FTS index, an application) would then point at
    /// other rows.
    /// The first of SQLite's three names for the rowid that no column of either table takes.
    fn hidden_rowid(&self, live: &LiveTable) -> Option<&'static str> {
        // Where the new table's rowid is a column, the column's values are its rowids.
        if live.text.without_rowid || has_rowid_alias(&self.table) {
            return None;
        }
        let taken = |name: &str| {
            [&live.snapshot, &self.table].iter().any(|table| {
                table
                    .columns
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case(name))
            })
        };
        ["rowid", "oid", "_rowid_"].into_iter().find(|n| !taken(n))
    }

    /// The live table's `WITHOUT ROWID` and `STRICT`, which the new table keeps when it can.
    fn table_options(&self) -> Result<String, RenderError> {
        let mut options = Vec::new();
        if self.text.without_rowid {
            let auto_key = self.table.columns.iter().find(|c| c.auto_increment);
            if self.table.primary_key.is_none() || auto_key.is_some() {
                return Err(self.error(
                    "is a WITHOUT ROWID table, which needs a primary key and allows no \
                     auto-increment column; keep its key, or make the change with \
                     schema.raw_for(Dialect::Sqlite, ..)",
                ));
            }
            options.push("WITHOUT ROWID");
        }
        if self.text.strict {
            let loose = self
                .table
                .columns
                .iter()
                .find(|c| !strict_type(&c.data_type));
            if let Some(column) = loose {
                return Err(self.strict_refusal(column));
            }
            options.push("STRICT");
        }
        Ok(match options.is_empty() {
            true => String::new(),
            false => format!(" {}", options.join(", ")),
        })
    }

    fn create_index(&self, index: &IndexSnapshot) -> String {
        format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            quote(&index.name),
            quote(&self.table.name),
            quote_list(&index.columns)
        )
    }

    /// Dropping the old table deleted its `sqlite_sequence` row; the copy's row holds only the
    /// highest id copied. The old high-water mark comes back, so AUTOINCREMENT never hands out
    /// an id it gave before.
    fn sequence_steps(&self, live: &LiveTable) -> Vec<Step> {
        let autoincrement = self.table.columns.iter().any(|c| c.auto_increment);
        let Some(sequence) = live.sequence.filter(|_| autoincrement) else {
            return Vec::new();
        };
        let name = backend::of(Dialect::Sqlite).string_literal(&self.table.name);
        vec![
            Step::Sql(format!(
                "UPDATE sqlite_sequence SET seq = MAX(seq, {sequence}) WHERE name = {name}"
            )),
            Step::Sql(format!(
                "INSERT INTO sqlite_sequence (name, seq) SELECT {name}, {sequence} \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name})"
            )),
        ]
    }

    /// A column that other tables reference cannot be dropped or lose its key from under them.
    fn refuse_orphaned_children(&self, live: &LiveTable) -> Result<(), RenderError> {
        for child in &live.children {
            let missing = child
                .referenced_columns
                .iter()
                // SQLite matches the names of a key's columns whatever their case.
                .find(|c| {
                    !self
                        .table
                        .columns
                        .iter()
                        .any(|column| column.name.eq_ignore_ascii_case(c))
                });
            if let Some(column) = missing {
                return Err(self.error(&format!(
                    "loses column `{column}`, which table `{}` references in a foreign key; drop \
                     that foreign key first (schema.table(\"{}\", |t| t.drop_foreign(..)))",
                    child.table, child.table
                )));
            }
        }
        Ok(())
    }
}

/// What neither the model nor the clauses carried from the `CREATE TABLE` text can hold makes
/// the change refused, never dropped silently.
fn refuse_what_the_model_cannot_carry(live: &LiveTable) -> Result<(), RenderError> {
    let text = crate::sql::lexer::SqlText::lex(&live.create_sql, Dialect::Sqlite);
    let has = |phrase: &[&str]| text.statements().iter().any(|s| s.has_phrase(phrase));
    // Generated columns are found by the table's hidden columns, not by a word a column may be
    // named (`generated INTEGER`), and `ON CONFLICT` by both its words.
    let found = [
        (&["ON", "CONFLICT"][..], "an ON CONFLICT clause"),
        (&["DEFERRABLE"], "a deferrable foreign key"),
        (
            &["SET", "DEFAULT"],
            "an ON DELETE/UPDATE SET DEFAULT foreign key",
        ),
    ]
    .into_iter()
    .find(|(phrase, _)| has(phrase) && !(phrase == &["DEFERRABLE"] && not_deferrable_only(&text)))
    .map(|(_, what)| what)
    .or(live.has_generated_columns.then_some("a generated column"))
    .or(live
        .text
        .keyed_collation
        .then_some("a collation inside a PRIMARY KEY or UNIQUE constraint"));
    match found {
        Some(what) => Err(RenderError::new(format!(
            "table `{}` has {what}, which a SQLite table rebuild cannot carry over yet, so the \
             change was not made; make it with schema.raw_for(Dialect::Sqlite, ..) following \
             https://www.sqlite.org/lang_altertable.html#otheralter",
            live.snapshot.name
        ))),
        None => Ok(()),
    }
}

/// The storage classes the values of a column of `column_type` may have once SQLite copied
/// them in (its affinity turned text that looks like a number into one), for the numeric types
/// PostgreSQL and MySQL would refuse other text in; `None` for the others. A real in an
/// integer column is a number all the same (the other two round it).
fn numeric_classes(column_type: crate::schema::ColumnType) -> Option<&'static [&'static str]> {
    use crate::schema::ColumnType as T;
    match column_type {
        T::Integer
        | T::BigInteger
        | T::SmallInteger
        | T::Increments
        | T::BigIncrements
        | T::Decimal(..)
        | T::Float
        | T::Double => Some(&["integer", "real"]),
        _ => None,
    }
}

/// Whether a column of `table` is its rowid: its primary key is one column of type INTEGER.
fn has_rowid_alias(table: &TableSnapshot) -> bool {
    table
        .primary_key
        .as_ref()
        .filter(|key| key.columns.len() == 1)
        .and_then(|key| table.column(&key.columns[0]))
        .is_some_and(|c| c.data_type.eq_ignore_ascii_case("integer"))
}

/// Whether every `DEFERRABLE` of the text is `NOT DEFERRABLE` (what a key is without it).
fn not_deferrable_only(text: &crate::sql::lexer::SqlText) -> bool {
    let statements = text.statements();
    let count = |phrase: &[&str]| {
        statements
            .iter()
            .map(|s| s.count_phrase(phrase))
            .sum::<usize>()
    };
    count(&["DEFERRABLE"]) == count(&["NOT", "DEFERRABLE"])
}

/// Whether a STRICT table allows `declared` (its declared type, as introspected).
fn strict_type(declared: &str) -> bool {
    ["int", "integer", "real", "text", "blob", "any"]
        .iter()
        .any(|t| declared.eq_ignore_ascii_case(t))
}

/// The model of a column the builder defines, as SQLite will report it.
fn column_snapshot(column: &ColumnDefinition) -> ColumnSnapshot {
    let (sql_type, default) = column_type_and_default(Dialect::Sqlite, column);
    ColumnSnapshot {
        name: column.name.clone(),
        data_type: sql_type.to_lowercase(),
        family: TypeFamily::Other,
        integer_bytes: None,
        length: None,
        precision: None,
        scale: None,
        unsigned: false,
        nullable: column.nullable && !column.column_type.is_auto_increment(),
        default,
        auto_increment: column.column_type.is_auto_increment(),
        comment: None,
    }
}

fn column_definition(column: &ColumnSnapshot, auto_key: bool) -> String {
    let mut sql = quote(&column.name);
    if !column.data_type.is_empty() {
        sql.push(' ');
        sql.push_str(&column.data_type.to_uppercase());
    }
    if auto_key {
        sql.push_str(" PRIMARY KEY AUTOINCREMENT");
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT {}", default_clause(default)));
    }
    sql
}

/// A default as SQLite reads it back from `dflt_value`, written again: literals and the
/// `CURRENT_*` keywords as they are, a bare or double-quoted word (which SQLite took as text)
/// as a string literal, and any other expression in parentheses.
pub(super) fn default_clause(default: &str) -> String {
    let keyword = [
        "NULL",
        "TRUE",
        "FALSE",
        "CURRENT_TIME",
        "CURRENT_DATE",
        "CURRENT_TIMESTAMP",
    ]
    .iter()
    .any(|k| default.eq_ignore_ascii_case(k));
    let unsigned = default.trim_start_matches(['+', '-']);
    let number = !unsigned.is_empty() && unsigned.parse::<f64>().is_ok();
    let quoted = |q: char| single_quoted(default, q);
    let blob = (default.starts_with("X'") || default.starts_with("x'")) && default.ends_with('\'');
    let word = !default.is_empty()
        && default.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !unsigned.starts_with(|c: char| c.is_ascii_digit());
    if keyword || number || quoted('\'') || blob {
        default.to_owned()
    } else if quoted('"') {
        let text = default[1..default.len() - 1].replace("\"\"", "\"");
        format!("'{}'", text.replace('\'', "''"))
    } else if word {
        format!("'{default}'")
    } else {
        format!("({default})")
    }
}

/// Whether `text` is one literal quoted by `q` (doubled inside), not an expression that starts
/// and ends with one (`'a' || 'b'`).
fn single_quoted(text: &str, q: char) -> bool {
    let Some(inner) = text
        .strip_prefix(q)
        .and_then(|rest| rest.strip_suffix(q))
        .filter(|_| text.len() >= 2)
    else {
        return false;
    };
    let doubled = format!("{q}{q}");
    !inner.replace(&doubled, "").contains(q)
}

fn foreign_key_definition(key: &ForeignKeySnapshot) -> String {
    let mut sql = String::new();
    if let Some(name) = &key.name {
        sql.push_str(&format!("CONSTRAINT {} ", quote(name)));
    }
    sql.push_str(&format!(
        "FOREIGN KEY ({}) REFERENCES {}",
        quote_list(&key.columns),
        quote(&key.referenced_table)
    ));
    if !key.referenced_columns.is_empty() {
        sql.push_str(&format!(" ({})", quote_list(&key.referenced_columns)));
    }
    for (clause, action) in [("ON DELETE", key.on_delete), ("ON UPDATE", key.on_update)] {
        if action != ForeignKeyAction::NoAction {
            sql.push_str(&format!(" {clause} {}", action.sql()));
        }
    }
    sql
}

fn quote_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE … INDEX <from> ON …` with the index renamed, when the name is found where the
/// statement names its index: right after `INDEX` (and `IF NOT EXISTS`), quoted or bare.
pub(super) fn rename_in_create_index(sql: &str, from: &str, to: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let after_index = upper.find("INDEX")? + "INDEX".len();
    let mut rest = sql[after_index..].trim_start();
    let skipped = sql.len() - rest.len();
    let mut offset = skipped;
    let upper_rest = rest.to_ascii_uppercase();
    if upper_rest.starts_with("IF NOT EXISTS") {
        let cut = rest["IF NOT EXISTS".len()..].trim_start();
        offset += rest.len() - cut.len();
        rest = cut;
    }
    let spellings = [
        format!("\"{}\"", from.replace('"', "\"\"")),
        format!("'{}'", from.replace('\'', "''")),
        format!("`{from}`"),
        format!("[{from}]"),
        from.to_owned(),
    ];
    let spelling = spellings.iter().find(|s| {
        rest.starts_with(s.as_str())
            && !rest[s.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })?;
    Some(format!(
        "{}{}{}",
        &sql[..offset],
        quote(to),
        &sql[offset + spelling.len()..]
    ))
}
