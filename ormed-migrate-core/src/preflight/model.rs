//! The model of the schema a run works against: the live schema as introspected, changed by
//! each operation of the run in turn. Raw SQL is opaque: every name it holds (found by the
//! tokenizer) becomes unknown from there on, so no check about it can raise a false alarm; a
//! statement that runs code whose target is hidden in a string or a routine (`DO`, `CALL`,
//! `EXECUTE`, `SELECT f()`, …) makes every table unknown. Tables that an unqualified name may
//! mean outside the introspected schema (PostgreSQL's search path) are unknown too.

use std::collections::{BTreeMap, HashSet};

use crate::dialect::Dialect;
use crate::introspect::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, SchemaSnapshot,
    TableSnapshot, TypeFamily,
};
use crate::rebuild::{ChildKey, TableText};
use crate::render::{column_type_and_default, generated_name};
use crate::schema::{
    ColumnDefinition, ColumnType, CreateTable, ForeignKeyDefinition, IndexDefinition, IndexKind,
    Operation, TableCommand,
};
use crate::sql::lexer::SqlText;

/// The schema as the run will find it before its next operation.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub(crate) dialect: Dialect,
    pub(crate) tables: BTreeMap<String, TableSnapshot>,
    /// Lowercased names raw SQL of the run may have touched (or that may mean a table outside
    /// the introspected schema).
    opaque: HashSet<String>,
    /// Raw SQL ran code whose targets cannot be seen: no table is known from there on.
    all_opaque: bool,
    /// Names the run gives a table it creates or renames: what the database holds under such a
    /// name before the run (if anything) is not the table the run's later changes meet.
    replaced: HashSet<String>,
    /// The run starts from an emptied database (`fresh`): no live table is the run's.
    emptied: bool,
    /// SQLite: what a rebuild carries from each table's `CREATE TABLE` text (CHECKs,
    /// collations), following the run's renames and drops of columns.
    texts: BTreeMap<String, TableText>,
    /// Tables the run renamed, each to its new name.
    renamed_to: BTreeMap<String, String>,
}

/// First words of raw statements that run code the tokenizer cannot see into: an anonymous
/// block, a procedure, a prepared or dynamic statement, a function called by a query.
const HIDDEN_TARGETS: [&str; 6] = ["DO", "CALL", "EXECUTE", "EXEC", "PREPARE", "SELECT"];

/// Whether two column or index names name the same thing on `dialect` (whatever their case
/// where the database ignores it).
pub(crate) fn same_name(dialect: Dialect, a: &str, b: &str) -> bool {
    a == b || (dialect.capabilities().case_insensitive_identifiers && a.eq_ignore_ascii_case(b))
}

impl Model {
    pub(crate) fn new(dialect: Dialect, live: SchemaSnapshot) -> Model {
        Model {
            dialect,
            tables: live.tables,
            opaque: HashSet::new(),
            all_opaque: false,
            replaced: HashSet::new(),
            emptied: false,
            texts: BTreeMap::new(),
            renamed_to: BTreeMap::new(),
        }
    }

    /// The name the table the database holds as `name` has at this point of the run, after
    /// the run's renames.
    pub(crate) fn current_name(&self, name: &str) -> String {
        let mut name = name.to_owned();
        // A chain of renames is at most as long as the run; a cycle (a → b → a) ends where it
        // started.
        for _ in 0..self.renamed_to.len() {
            match self.renamed_to.get(&name) {
                Some(to) => name.clone_from(to),
                None => break,
            }
        }
        name
    }

    /// The model with the tables' `CREATE TABLE` texts (SQLite), for rebuilds to follow.
    pub(crate) fn with_texts(self, texts: BTreeMap<String, TableText>) -> Model {
        Model { texts, ..self }
    }

    /// What a rebuild of `table` carries from its `CREATE TABLE` text at this point of the run,
    /// when the model has it.
    pub(crate) fn text(&self, table: &str) -> Option<&TableText> {
        self.texts.get(table)
    }

    /// The model of a run that starts by dropping everything (`fresh`): empty, and no table
    /// the database holds now is one the run works on.
    pub(crate) fn emptied(dialect: Dialect) -> Model {
        Model {
            emptied: true,
            ..Model::new(dialect, SchemaSnapshot::default())
        }
    }

    /// Whether the table the database holds now under `table`, if any, is the one the run's
    /// next change of `table` meets: not emptied by `fresh`, not created or renamed into by an
    /// earlier operation of the run.
    pub(crate) fn live_table_is_current(&self, table: &str) -> bool {
        !self.emptied && !self.replaced.contains(table)
    }

    /// Makes `names` unknown: tables an unqualified name may mean although the introspected
    /// schema does not hold them (PostgreSQL: other schemas on the search path).
    pub(crate) fn mark_unknown(&mut self, names: impl IntoIterator<Item = String>) {
        self.opaque
            .extend(names.into_iter().map(|name| name.to_lowercase()));
    }

    /// The name `to` of a table renamed from `from` has: PostgreSQL keeps a renamed table in
    /// its schema.
    pub(crate) fn renamed(&self, from: &str, to: &str) -> String {
        match (from.rsplit_once('.'), to.contains('.')) {
            (Some((schema, _)), false) if self.dialect.capabilities().schemas => {
                format!("{schema}.{to}")
            }
            _ => to.to_owned(),
        }
    }

    /// Whether the model can say anything about `table`: not named by earlier raw SQL, and in
    /// the connection's own schema (a qualified name is outside what was introspected unless
    /// the run created it).
    pub(crate) fn knows(&self, table: &str) -> bool {
        if self.all_opaque {
            return false;
        }
        let parts = table.split('.').map(str::to_lowercase);
        let named_by_raw = parts.into_iter().any(|part| self.opaque.contains(&part));
        let outside = table.contains('.') && !self.tables.contains_key(table);
        // Where table names ignore case (SQLite; MySQL as its settings say), a name in another
        // case may be the same table, which the model cannot tell; PostgreSQL's quoted names
        // are exact.
        let other_case = self.dialect.capabilities().case_insensitive_identifiers
            && !self.tables.contains_key(table)
            && self.tables.keys().any(|t| t.eq_ignore_ascii_case(table));
        !named_by_raw && !outside && !other_case
    }

    pub(crate) fn table(&self, name: &str) -> Option<&TableSnapshot> {
        self.tables.get(name)
    }

    /// The foreign keys of other tables that reference `table`.
    pub(crate) fn children_of(&self, table: &str) -> Vec<ChildKey> {
        self.tables
            .iter()
            .filter(|(name, _)| name.as_str() != table)
            .flat_map(|(name, child)| {
                child
                    .foreign_keys
                    .iter()
                    .filter(|key| key.referenced_table == table)
                    .map(|key| ChildKey {
                        table: name.clone(),
                        referenced_columns: key.referenced_columns.clone(),
                    })
            })
            .collect()
    }

    /// The operation's effect on the model.
    pub(crate) fn apply(&mut self, operation: &Operation) {
        match operation {
            Operation::CreateTable(create) => {
                let table = self.created(create);
                self.tables.insert(create.table.clone(), table);
                self.texts
                    .insert(create.table.clone(), TableText::default());
                self.replaced.insert(create.table.clone());
            }
            Operation::AlterTable(alter) => {
                for command in &alter.commands {
                    self.apply_table_command(&alter.table, command);
                }
            }
            Operation::DropTable { table, .. } => {
                self.tables.remove(table);
                self.texts.remove(table);
            }
            Operation::RenameTable { from, to } => self.rename(from, to),
            Operation::Raw { sql, dialect } => {
                if dialect.is_none_or(|d| d == self.dialect) {
                    let text = SqlText::lex(sql, self.dialect);
                    for statement in text.statements() {
                        if statement
                            .first_word()
                            .is_some_and(|word| HIDDEN_TARGETS.contains(&word))
                        {
                            self.all_opaque = true;
                        }
                        self.opaque.extend(statement.names().iter().cloned());
                    }
                }
            }
            // A kind of operation the model does not know: everything it may touch is unknown.
            #[allow(unreachable_patterns)]
            _ => self.all_opaque = true,
        }
    }

    /// One command of a `schema.table(name, ..)` block: its effect on the table, and on the
    /// foreign keys of any table that reference a column it renames.
    pub(crate) fn apply_table_command(&mut self, name: &str, command: &TableCommand) {
        let Some(mut table) = self.tables.remove(name) else {
            return;
        };
        apply_command(self.dialect, &mut table, command);
        self.tables.insert(name.to_owned(), table);
        if let Some(text) = self.texts.get_mut(name) {
            match command {
                TableCommand::RenameColumn { from, to } => text.rename_column(from, to),
                // A drop a CHECK refuses is refused by the rebuild check; here it only goes.
                TableCommand::DropColumn(column) => text.forget_column(column),
                _ => {}
            }
        }
        if let TableCommand::RenameColumn { from, to } = command {
            let dialect = self.dialect;
            let keys = self
                .tables
                .values_mut()
                .flat_map(|t| t.foreign_keys.iter_mut())
                .filter(|key| key.referenced_table == name);
            for key in keys {
                for column in &mut key.referenced_columns {
                    if same_name(dialect, column, from) {
                        *column = to.clone();
                    }
                }
            }
        }
    }

    fn created(&self, create: &CreateTable) -> TableSnapshot {
        let mut table = TableSnapshot::empty(&create.table);
        for command in &create.commands {
            apply_command(self.dialect, &mut table, command);
        }
        table
    }

    fn rename(&mut self, from: &str, to: &str) {
        let to = self.renamed(from, to);
        self.replaced.insert(to.clone());
        self.renamed_to.insert(from.to_owned(), to.clone());
        self.renamed_to.remove(&to);
        if let Some(text) = self.texts.remove(from) {
            self.texts.insert(to.clone(), text);
        }
        if let Some(mut table) = self.tables.remove(from) {
            table.name = to.rsplit('.').next().unwrap_or(&to).to_owned();
            self.tables.insert(to.clone(), table);
        }
        for table in self.tables.values_mut() {
            for key in &mut table.foreign_keys {
                if key.referenced_table == from {
                    key.referenced_table = to.clone();
                }
            }
        }
    }
}

/// One table command's effect on a table of the model. Commands the checks found wrong are
/// applied as far as they make sense; the run stops at the first error anyway.
pub(crate) fn apply_command(dialect: Dialect, table: &mut TableSnapshot, command: &TableCommand) {
    let name = table.name.clone();
    match command {
        TableCommand::AddColumn(column) => {
            table.columns.push(column_model(dialect, column));
            if column.column_type.is_auto_increment() {
                table.primary_key = Some(PrimaryKeySnapshot::of(vec![column.name.clone()]));
            }
        }
        TableCommand::ChangeColumn(column) => {
            if let Some(existing) = table
                .columns
                .iter_mut()
                .find(|c| same_name(dialect, &c.name, &column.name))
            {
                *existing = column_model(dialect, column);
            }
        }
        TableCommand::DropColumn(column) => {
            let is_it = |c: &String| same_name(dialect, c, column);
            table.columns.retain(|c| !is_it(&c.name));
            if crate::backend::of(dialect).drop_column_narrows_indexes() {
                // MySQL keeps an index over the columns that remain.
                for index in &mut table.indexes {
                    index.columns.retain(|c| !is_it(c));
                }
                table.indexes.retain(|i| !i.columns.is_empty());
            } else {
                table.indexes.retain(|i| !i.columns.iter().any(is_it));
            }
            table.foreign_keys.retain(|k| !k.columns.iter().any(is_it));
            if table
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns.iter().any(is_it))
            {
                table.primary_key = None;
            }
        }
        TableCommand::RenameColumn { from, to } => rename_column(dialect, table, from, to),
        TableCommand::AddPrimary(key) => {
            table.primary_key = Some(PrimaryKeySnapshot::of(key.columns.clone()));
        }
        TableCommand::DropPrimary => table.primary_key = None,
        TableCommand::AddIndex(index) => table.indexes.push(index_model(&name, index)),
        TableCommand::DropIndex { name: index, .. } => table
            .indexes
            .retain(|i| !same_name(dialect, &i.name, index)),
        TableCommand::RenameIndex { from, to } => {
            if let Some(index) = table
                .indexes
                .iter_mut()
                .find(|i| same_name(dialect, &i.name, from))
            {
                index.name = to.clone();
            }
        }
        TableCommand::AddForeign(key) => table.foreign_keys.push(foreign_key_model(&name, key)),
        TableCommand::DropForeign(key) => table
            .foreign_keys
            .retain(|k| k.name.as_deref() != Some(key.as_str())),
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

fn rename_column(dialect: Dialect, table: &mut TableSnapshot, from: &str, to: &str) {
    let rename = |name: &mut String| {
        if same_name(dialect, name, from) {
            *name = to.to_owned();
        }
    };
    table.columns.iter_mut().for_each(|c| rename(&mut c.name));
    table
        .indexes
        .iter_mut()
        .for_each(|i| i.columns.iter_mut().for_each(rename));
    table
        .foreign_keys
        .iter_mut()
        .for_each(|k| k.columns.iter_mut().for_each(rename));
    if let Some(key) = table.primary_key.as_mut() {
        key.columns.iter_mut().for_each(rename);
    }
}

/// A builder column as the database will describe it, as far as the checks compare columns:
/// type family, integer width, signedness.
pub(crate) fn column_model(dialect: Dialect, column: &ColumnDefinition) -> ColumnSnapshot {
    let (sql_type, default) = column_type_and_default(dialect, column);
    let ty = column.column_type;
    let (family, integer_bytes, length) = match ty {
        ColumnType::Increments | ColumnType::Integer => (TypeFamily::Integer, Some(4), None),
        ColumnType::BigIncrements | ColumnType::BigInteger => (TypeFamily::Integer, Some(8), None),
        ColumnType::SmallInteger => (TypeFamily::Integer, Some(2), None),
        ColumnType::Boolean => (TypeFamily::Boolean, None, None),
        ColumnType::String(n) | ColumnType::Char(n) => (TypeFamily::String, None, Some(n)),
        ColumnType::Text => (TypeFamily::Text, None, None),
        ColumnType::Decimal(..) => (TypeFamily::Decimal, None, None),
        ColumnType::Float | ColumnType::Double => (TypeFamily::Float, None, None),
        ColumnType::Date => (TypeFamily::Date, None, None),
        ColumnType::Time => (TypeFamily::Time, None, None),
        ColumnType::Timestamp => (TypeFamily::Timestamp, None, None),
        ColumnType::TimestampTz => (TypeFamily::TimestampTz, None, None),
        ColumnType::Json => (TypeFamily::Json, None, None),
        // UUIDs are strings except on PostgreSQL.
        ColumnType::Uuid if dialect == Dialect::Postgres => (TypeFamily::Uuid, None, None),
        ColumnType::Uuid => (TypeFamily::String, None, Some(36)),
        ColumnType::Binary => (TypeFamily::Binary, None, None),
        #[allow(unreachable_patterns)]
        _ => (TypeFamily::Other, None, None),
    };
    // SQLite stores every integer in up to 8 bytes, whatever its declared name.
    let integer_bytes = integer_bytes.filter(|_| dialect != Dialect::Sqlite);
    let integer = family == TypeFamily::Integer;
    ColumnSnapshot {
        name: column.name.clone(),
        data_type: sql_type.to_lowercase(),
        family,
        integer_bytes,
        length,
        precision: None,
        scale: None,
        unsigned: dialect == Dialect::MySql
            && integer
            && (column.unsigned || ty.is_auto_increment()),
        nullable: column.nullable && !ty.is_auto_increment(),
        default,
        auto_increment: ty.is_auto_increment(),
        comment: column.comment.clone(),
    }
}

fn index_model(table: &str, index: &IndexDefinition) -> IndexSnapshot {
    IndexSnapshot {
        name: index
            .name
            .clone()
            .unwrap_or_else(|| generated_name(table, &index.columns, index.kind.suffix())),
        columns: index.columns.clone(),
        unique: index.kind == IndexKind::Unique,
    }
}

fn foreign_key_model(table: &str, key: &ForeignKeyDefinition) -> ForeignKeySnapshot {
    ForeignKeySnapshot {
        name: Some(
            key.name
                .clone()
                .unwrap_or_else(|| generated_name(table, &key.columns, "foreign")),
        ),
        columns: key.columns.clone(),
        referenced_table: key.referenced_table.clone(),
        referenced_columns: key.referenced_columns.clone(),
        on_delete: key.on_delete,
        on_update: key.on_update,
    }
}
