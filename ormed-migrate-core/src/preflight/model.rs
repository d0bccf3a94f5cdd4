//! The model of the schema a run works against: the live schema as introspected, changed by
//! each operation of the run in turn. Raw SQL is opaque: every name it holds (found by the
//! tokenizer) becomes unknown from there on, so no check about it can raise a false alarm.

use std::collections::{BTreeMap, HashSet};

use crate::dialect::Dialect;
use crate::introspect::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, SchemaSnapshot,
    TableSnapshot, TypeFamily,
};
use crate::rebuild::ChildKey;
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
    /// Lowercased names raw SQL of the run may have touched.
    opaque: HashSet<String>,
}

impl Model {
    pub(crate) fn new(dialect: Dialect, live: SchemaSnapshot) -> Model {
        Model {
            dialect,
            tables: live.tables,
            opaque: HashSet::new(),
        }
    }

    /// Whether the model can say anything about `table`: not named by earlier raw SQL, and in
    /// the connection's own schema (a qualified name is outside what was introspected unless
    /// the run created it).
    pub(crate) fn knows(&self, table: &str) -> bool {
        let parts = table.split('.').map(str::to_lowercase);
        let named_by_raw = parts.into_iter().any(|part| self.opaque.contains(&part));
        let outside = table.contains('.') && !self.tables.contains_key(table);
        let other_case = !self.tables.contains_key(table)
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
            }
            Operation::AlterTable(alter) => {
                if let Some(mut table) = self.tables.remove(&alter.table) {
                    for command in &alter.commands {
                        apply_command(self.dialect, &mut table, command);
                    }
                    self.tables.insert(alter.table.clone(), table);
                }
            }
            Operation::DropTable { table, .. } => {
                self.tables.remove(table);
            }
            Operation::RenameTable { from, to } => self.rename(from, to),
            Operation::Raw { sql, dialect } => {
                if dialect.is_none_or(|d| d == self.dialect) {
                    let text = SqlText::lex(sql, self.dialect);
                    for statement in text.statements() {
                        self.opaque.extend(statement.names().iter().cloned());
                    }
                }
            }
            // A kind of operation the model does not know: everything it may touch is unknown.
            #[allow(unreachable_patterns)]
            _ => self
                .opaque
                .extend(self.tables.keys().map(|t| t.to_lowercase())),
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
        // PostgreSQL keeps a renamed table in its schema.
        let to = match (from.rsplit_once('.'), to.contains('.')) {
            (Some((schema, _)), false) if self.dialect.capabilities().schemas => {
                format!("{schema}.{to}")
            }
            _ => to.to_owned(),
        };
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
            if let Some(existing) = table.columns.iter_mut().find(|c| c.name == column.name) {
                *existing = column_model(dialect, column);
            }
        }
        TableCommand::DropColumn(column) => {
            table.columns.retain(|c| &c.name != column);
            table.indexes.retain(|i| !i.columns.contains(column));
            table.foreign_keys.retain(|k| !k.columns.contains(column));
            if table
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns.contains(column))
            {
                table.primary_key = None;
            }
        }
        TableCommand::RenameColumn { from, to } => rename_column(table, from, to),
        TableCommand::AddPrimary(key) => {
            table.primary_key = Some(PrimaryKeySnapshot::of(key.columns.clone()));
        }
        TableCommand::DropPrimary => table.primary_key = None,
        TableCommand::AddIndex(index) => table.indexes.push(index_model(&name, index)),
        TableCommand::DropIndex { name: index, .. } => table.indexes.retain(|i| &i.name != index),
        TableCommand::RenameIndex { from, to } => {
            if let Some(index) = table.indexes.iter_mut().find(|i| &i.name == from) {
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

fn rename_column(table: &mut TableSnapshot, from: &str, to: &str) {
    let rename = |name: &mut String| {
        if name == from {
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
