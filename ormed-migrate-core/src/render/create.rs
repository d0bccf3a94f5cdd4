//! `CREATE TABLE`: columns, the primary key and foreign keys inside the statement; indexes and
//! (on PostgreSQL) column comments as statements after it.

use std::collections::HashSet;

use super::{RenderError, Renderer, generated_name};
use crate::schema::{
    ColumnDefinition, CreateTable, DefaultValue, ForeignKeyAction, ForeignKeyDefinition,
    IndexDefinition, IndexKind, PrimaryKeyDefinition,
};
use crate::sql::Statement;

impl Renderer {
    pub(super) fn create_table(&self, create: &CreateTable) -> Result<Vec<Statement>, RenderError> {
        let table = self.quote_table(&create.table)?;
        if create.columns().next().is_none() {
            return Err(RenderError::new(format!(
                "table `{}` is created without columns; add at least one (for example t.id())",
                create.table
            )));
        }
        check_unique_columns(create)?;
        if let Some(command) = create.commands.iter().find(|c| c.alters()) {
            return Err(RenderError::new(format!(
                "schema.create(\"{}\", ..) cannot {}: it changes an existing table; use \
                 schema.table(\"{}\", ..) after creating it",
                create.table,
                command.describe(),
                create.table
            )));
        }
        let primary = primary_key(create)?;
        // A one-column key is written on its column; a composite one as a table constraint.
        let inline_primary = primary
            .filter(|key| key.columns.len() == 1)
            .map(|key| key.columns[0].as_str());
        let mut parts = Vec::new();
        for column in create.columns() {
            parts.push(self.column_definition(column, inline_primary == Some(&column.name))?);
        }
        if let Some(key) = primary.filter(|key| key.columns.len() > 1) {
            parts.push(format!("PRIMARY KEY ({})", self.column_list(&key.columns)?));
        }
        for key in create.foreign_keys() {
            parts.push(self.foreign_key(&create.table, key)?);
        }
        let mut statements = vec![Statement::builder(format!(
            "CREATE TABLE {table} ({})",
            parts.join(", ")
        ))];
        for index in create.indexes() {
            statements.push(Statement::builder(self.create_index(&create.table, index)?));
        }
        statements.extend(self.comment_statements(&table, create)?);
        Ok(statements)
    }

    /// One column; `primary` when it alone is the table's primary key.
    pub(super) fn column_definition(
        &self,
        column: &ColumnDefinition,
        primary: bool,
    ) -> Result<String, RenderError> {
        let name = self.quote_identifier(&column.name)?;
        if column.column_type.is_auto_increment() {
            return Ok(format!("{name} {}", self.backend.auto_increment(column)));
        }
        let mut sql = format!("{name} {}", self.backend.column_type(column));
        sql.push_str(if column.nullable {
            " NULL"
        } else {
            " NOT NULL"
        });
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_value(default));
        }
        if primary {
            sql.push_str(" PRIMARY KEY");
        }
        if let Some(comment) = column.comment.as_deref()
            && let Some(inline) = self.backend.inline_comment(comment)
        {
            sql.push(' ');
            sql.push_str(&inline);
        }
        Ok(sql)
    }

    pub(super) fn default_value(&self, value: &DefaultValue) -> String {
        match value {
            DefaultValue::Null => "NULL".to_owned(),
            DefaultValue::Bool(b) => self.backend.boolean(*b).to_owned(),
            DefaultValue::Integer(i) => i.to_string(),
            DefaultValue::Float(f) => f.to_string(),
            DefaultValue::Text(text) => self.backend.string_literal(text),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            DefaultValue::Raw(sql) => format!("({sql})"),
        }
    }

    pub(super) fn create_index(
        &self,
        table: &str,
        index: &IndexDefinition,
    ) -> Result<String, RenderError> {
        let name = index
            .name
            .clone()
            .unwrap_or_else(|| generated_name(table, &index.columns, index.kind.suffix()));
        let unique = match index.kind {
            IndexKind::Unique => "UNIQUE ",
            IndexKind::Index => "",
        };
        Ok(format!(
            "CREATE {unique}INDEX {} ON {} ({})",
            self.quote_identifier(&name)?,
            self.quote_table(table)?,
            self.column_list(&index.columns)?
        ))
    }

    pub(super) fn foreign_key(
        &self,
        table: &str,
        key: &ForeignKeyDefinition,
    ) -> Result<String, RenderError> {
        if key.referenced_table.is_empty() {
            return Err(RenderError::new(format!(
                "the foreign key on `{table}` ({}) does not say which table it references; \
                 add .on(\"table\") or use .constrained(\"table\")",
                key.columns.join(", ")
            )));
        }
        let name = key
            .name
            .clone()
            .unwrap_or_else(|| generated_name(table, &key.columns, "foreign"));
        let mut sql = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            self.quote_identifier(&name)?,
            self.column_list(&key.columns)?,
            self.quote_table(&key.referenced_table)?,
            self.column_list(&key.referenced_columns)?
        );
        for (clause, action) in [("ON DELETE", key.on_delete), ("ON UPDATE", key.on_update)] {
            if action != ForeignKeyAction::NoAction {
                sql.push_str(&format!(" {clause} {}", action.sql()));
            }
        }
        Ok(sql)
    }

    /// Column comments the database stores as statements of their own (PostgreSQL).
    fn comment_statements(
        &self,
        table: &str,
        create: &CreateTable,
    ) -> Result<Vec<Statement>, RenderError> {
        let mut statements = Vec::new();
        for column in create.columns() {
            let Some(comment) = column.comment.as_deref() else {
                continue;
            };
            let name = self.quote_identifier(&column.name)?;
            if let Some(sql) = self.backend.comment_statement(table, &name, comment) {
                statements.push(Statement::builder(sql));
            }
        }
        Ok(statements)
    }
}

/// The table's one primary key, if it declares one apart from an auto-increment column (which
/// is its own key); two keys are an error naming every primary column.
fn primary_key(create: &CreateTable) -> Result<Option<&PrimaryKeyDefinition>, RenderError> {
    let keys: Vec<&PrimaryKeyDefinition> = create.primary_keys().collect();
    let auto: Vec<&str> = create
        .columns()
        .filter(|c| c.column_type.is_auto_increment())
        .map(|c| c.name.as_str())
        .collect();
    if keys.len() + usize::from(!auto.is_empty()) <= 1 {
        return Ok(keys.first().copied());
    }
    let named: HashSet<&str> = keys
        .iter()
        .flat_map(|key| key.columns.iter().map(String::as_str))
        .chain(auto.iter().copied())
        .collect();
    let primary: Vec<&str> = create
        .columns()
        .map(|c| c.name.as_str())
        .filter(|name| named.contains(name))
        .collect();
    let what = if auto.is_empty() {
        "more than one primary key"
    } else {
        "an auto-increment primary key and other primary columns"
    };
    Err(RenderError::new(format!(
        "table `{}` has {what} ({}); a table has one primary key: drop .primary() from the \
         others, or use big_integer instead of id() for a composite key",
        create.table,
        primary.join(", ")
    )))
}

fn check_unique_columns(create: &CreateTable) -> Result<(), RenderError> {
    let mut seen = HashSet::new();
    for column in create.columns() {
        if !seen.insert(column.name.as_str()) {
            return Err(RenderError::new(format!(
                "table `{}` defines column `{}` twice",
                create.table, column.name
            )));
        }
    }
    Ok(())
}
