//! `schema.table(..)`: changes to an existing table, rendered command by command in the order
//! written. Where the database cannot make a change in place (SQLite: change a column, add or
//! drop a key), the whole block becomes one deferred statement, rendered against the live table
//! when it runs (see [`crate::rebuild`]). On MySQL/MariaDB, a foreign key a derived down drops
//! is followed by a deferred drop of the index the database made for it, if it made one.

use super::{RenderError, Renderer};
use crate::backend::ColumnChange;
use crate::dialect::Dialect;
use crate::schema::{AlterTable, ColumnDefinition, TableCommand};
use crate::sql::{Deferred, Statement};

impl Renderer {
    pub(super) fn alter_table(&self, alter: &AlterTable) -> Result<Vec<Statement>, RenderError> {
        let table = self.quote_table(&alter.table)?;
        for command in &alter.commands {
            self.check_command(&alter.table, command)?;
        }
        let mut statements = Vec::new();
        for command in &alter.commands {
            if let TableCommand::DropForeignKeyIndex { name, columns } = command {
                if self.backend.foreign_key_leaves_index() {
                    statements.push(self.drop_index_if_present(&alter.table, name, columns)?);
                }
                continue;
            }
            match self.in_place(alter, &table, command)? {
                Some(sql) => statements.extend(sql.into_iter().map(Statement::builder)),
                None => return Ok(vec![self.deferred(alter)]),
            }
        }
        Ok(statements)
    }

    /// The index MySQL made for foreign key `name` when it was added, dropped if it is there
    /// when the statement runs.
    fn drop_index_if_present(
        &self,
        table: &str,
        name: &str,
        columns: &[String],
    ) -> Result<Statement, RenderError> {
        let description = format!(
            "{} -- when MySQL made it for the foreign key",
            self.drop_index(table, name)?
        );
        let deferred = Deferred::DropIndexIfPresent {
            table: table.to_owned(),
            name: name.to_owned(),
            columns: columns.to_vec(),
        };
        Ok(Statement::deferred(deferred, description))
    }

    /// `DROP INDEX` of index `index` of `table`, as the database spells it.
    fn drop_index(&self, table: &str, index: &str) -> Result<String, RenderError> {
        let quoted = self.quote_table(table)?;
        let index = self.index_in_schema(table, index)?;
        Ok(self.backend.drop_index(&quoted, &index))
    }

    /// Mistakes the database would report only when the statement runs.
    fn check_command(&self, table: &str, command: &TableCommand) -> Result<(), RenderError> {
        match command {
            TableCommand::ChangeColumn(column) if column.column_type.is_auto_increment() => {
                Err(RenderError::new(format!(
                    "column `{}` of `{table}`: change() cannot make a column auto-incrementing; \
                     add a new id column (t.id()) or use schema.raw_for(..)",
                    column.name
                )))
            }
            TableCommand::AddForeign(key) => self.foreign_key(table, key).map(drop),
            TableCommand::AddColumn(column) | TableCommand::ChangeColumn(column) => {
                self.quote_identifier(&column.name)?;
                Ok(())
            }
            TableCommand::DropColumn(name) | TableCommand::DropForeign(name) => {
                self.quote_identifier(name)?;
                Ok(())
            }
            TableCommand::DropForeignKeyIndex { name, columns } => {
                self.quote_identifier(name)?;
                self.column_list(columns).map(drop)
            }
            TableCommand::DropIndex { name, .. } => {
                self.quote_identifier(name)?;
                Ok(())
            }
            TableCommand::RenameColumn { from, to } | TableCommand::RenameIndex { from, to } => {
                self.quote_identifier(from)?;
                self.quote_identifier(to)?;
                Ok(())
            }
            TableCommand::AddPrimary(key) => self.column_list(&key.columns).map(drop),
            TableCommand::AddIndex(index) => self.column_list(&index.columns).map(drop),
            TableCommand::DropPrimary => Ok(()),
        }
    }

    /// The statements that make `command` in place, or `None` where the table must be rebuilt
    /// (or looked at first) instead.
    fn in_place(
        &self,
        alter: &AlterTable,
        table: &str,
        command: &TableCommand,
    ) -> Result<Option<Vec<String>>, RenderError> {
        let name = alter.table.as_str();
        Ok(match command {
            TableCommand::AddColumn(column) => self.add_column(table, column)?,
            TableCommand::ChangeColumn(column) => self.change_column(table, column)?,
            TableCommand::DropColumn(column) => self
                .backend
                .drop_column(table, &self.quote_identifier(column)?)
                .map(|sql| vec![sql]),
            TableCommand::RenameColumn { from, to } => Some(vec![format!(
                "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                self.quote_identifier(from)?,
                self.quote_identifier(to)?
            )]),
            TableCommand::AddPrimary(key) => {
                let key_name = self.primary_key_name(name, key.name.as_deref())?;
                let columns = self.column_list(&key.columns)?;
                self.backend
                    .add_primary(table, &key_name, &columns)
                    .map(|sql| vec![sql])
            }
            TableCommand::DropPrimary => {
                let key_name = self.primary_key_name(name, None)?;
                self.backend
                    .drop_primary(table, &key_name)
                    .map(|sql| vec![sql])
            }
            TableCommand::AddIndex(index) => Some(vec![self.create_index(name, index)?]),
            TableCommand::DropIndex { name: index, .. } => {
                Some(vec![self.drop_index(name, index)?])
            }
            TableCommand::RenameIndex { from, to } => {
                let from = self.index_in_schema(name, from)?;
                let to = self.quote_identifier(to)?;
                self.backend
                    .rename_index(table, &from, &to)
                    .map(|sql| vec![sql])
            }
            TableCommand::AddForeign(key) => {
                let constraint = self.foreign_key(name, key)?;
                self.backend
                    .add_foreign(table, &constraint)
                    .map(|sql| vec![sql])
            }
            // Where the database makes no index for a foreign key there is none to drop.
            TableCommand::DropForeignKeyIndex { .. } => Some(Vec::new()),
            TableCommand::DropForeign(key) => self
                .backend
                .drop_foreign(table, &self.quote_identifier(key)?)
                .map(|sql| vec![sql]),
        })
    }

    fn add_column(
        &self,
        table: &str,
        column: &ColumnDefinition,
    ) -> Result<Option<Vec<String>>, RenderError> {
        if !self.backend.adds_in_place(column) {
            return Ok(None);
        }
        let mut sql = vec![format!(
            "ALTER TABLE {table} ADD COLUMN {}",
            self.column_definition(column, false)?
        )];
        if let Some(comment) = column.comment.as_deref() {
            let name = self.quote_identifier(&column.name)?;
            sql.extend(self.backend.comment_statement(table, &name, comment));
        }
        Ok(Some(sql))
    }

    fn change_column(
        &self,
        table: &str,
        column: &ColumnDefinition,
    ) -> Result<Option<Vec<String>>, RenderError> {
        let full = self.column_definition(column, false)?;
        let name = self.quote_identifier(&column.name)?;
        let sql_type = self.backend.column_type(column);
        let default = column.default.as_ref().map(|d| self.default_value(d));
        Ok(self.backend.change_column(&ColumnChange {
            table,
            column: &name,
            full: &full,
            sql_type: &sql_type,
            nullable: column.nullable,
            default: default.as_deref(),
            comment: column.comment.as_deref(),
        }))
    }

    /// The quoted name of a table's primary key, where the database names them.
    fn primary_key_name(&self, table: &str, given: Option<&str>) -> Result<String, RenderError> {
        let table = table.rsplit('.').next().unwrap_or(table);
        let name = self.backend.primary_key_name(table, given);
        Ok(self.quote_identifier(&name)?)
    }

    /// An index name, qualified with the table's schema where index names live in schemas.
    fn index_in_schema(&self, table: &str, index: &str) -> Result<String, RenderError> {
        let index = self.quote_identifier(index)?;
        match table.split_once('.') {
            Some((schema, _)) if self.backend.capabilities().schemas => {
                Ok(format!("{}.{index}", self.quote_identifier(schema)?))
            }
            _ => Ok(index),
        }
    }

    /// The block as one statement rendered against the live table when it runs; its SQL until
    /// then says what it will do.
    fn deferred(&self, alter: &AlterTable) -> Statement {
        let changes: Vec<String> = alter
            .commands
            .iter()
            .filter(|c| !matches!(c, TableCommand::DropForeignKeyIndex { .. }))
            .map(TableCommand::describe)
            .collect();
        let description = format!(
            "-- {}: {} (rendered against the live table when it runs)",
            alter.table,
            changes.join("; ")
        );
        Statement::deferred(Deferred::SqliteTableChange(alter.clone()), description)
    }
}

/// `DROP INDEX` of index `index` of `table` for `dialect`, for the runner to run what a
/// [`Deferred::DropIndexIfPresent`] found there.
pub(crate) fn drop_index_sql(
    dialect: Dialect,
    table: &str,
    index: &str,
) -> Result<String, RenderError> {
    Renderer::new(dialect).drop_index(table, index)
}
