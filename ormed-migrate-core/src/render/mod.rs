//! Rendering: a plan turned into typed statements for one database.
//!
//! The structure of each statement is shared here; what differs per database (quoting, type
//! names, auto-increment, boolean literals, comments) comes from its [`Backend`]. Every
//! statement carries what the renderer knows about how it may run (see
//! [`Statement`](crate::sql::Statement)); raw SQL is classified once, by a lexer that skips
//! strings, quoted identifiers and comments.

mod alter;
mod create;

pub(crate) use alter::drop_index_sql;

use std::fmt;

pub use crate::backend::{IdentifierError, MAX_IDENTIFIER_LEN};

use crate::backend::{self, Backend};
use crate::dialect::Dialect;
use crate::schema::{Operation, Plan};
use crate::sql::Statement;

/// A plan that cannot be rendered: a bad identifier, a table without columns, an incomplete
/// foreign key. The runner adds the migration id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    message: String,
}

impl RenderError {
    pub(crate) fn new(message: impl Into<String>) -> RenderError {
        RenderError {
            message: message.into(),
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

impl From<IdentifierError> for RenderError {
    fn from(error: IdentifierError) -> Self {
        RenderError::new(error.to_string())
    }
}

impl Dialect {
    /// Renders a whole plan, one SQL statement per element, in order.
    pub fn render(self, plan: &Plan) -> Result<Vec<String>, RenderError> {
        Ok(self
            .render_statements(plan)?
            .into_iter()
            .map(|statement| statement.sql)
            .collect())
    }

    /// Renders a whole plan as typed statements, in order.
    pub fn render_statements(self, plan: &Plan) -> Result<Vec<Statement>, RenderError> {
        let renderer = Renderer::new(self);
        let mut statements = Vec::new();
        for operation in &plan.operations {
            statements.extend(renderer.operation(operation)?);
        }
        Ok(statements)
    }

    /// Renders one operation; raw SQL for another dialect renders to nothing.
    pub fn render_operation(self, operation: &Operation) -> Result<Vec<Statement>, RenderError> {
        Renderer::new(self).operation(operation)
    }
}

/// Renders operations with one backend's hooks.
pub(crate) struct Renderer {
    dialect: Dialect,
    backend: &'static dyn Backend,
}

impl Renderer {
    pub(crate) fn new(dialect: Dialect) -> Renderer {
        Renderer {
            dialect,
            backend: backend::of(dialect),
        }
    }

    fn operation(&self, operation: &Operation) -> Result<Vec<Statement>, RenderError> {
        match operation {
            Operation::CreateTable(create) => self.create_table(create),
            Operation::AlterTable(alter) => self.alter_table(alter),
            Operation::DropTable { table, if_exists } => {
                let exists = if *if_exists { "IF EXISTS " } else { "" };
                let sql = format!("DROP TABLE {exists}{}", self.quote_table(table)?);
                Ok(vec![Statement::builder(sql)])
            }
            Operation::RenameTable { from, to } => {
                check_same_schema(from, to)?;
                let sql = self
                    .backend
                    .rename_table(&self.quote_table(from)?, &self.quote_table(to)?);
                Ok(vec![Statement::builder(sql)])
            }
            Operation::Raw { sql, dialect } => self.raw(sql, *dialect),
        }
    }

    fn raw(&self, sql: &str, only_on: Option<Dialect>) -> Result<Vec<Statement>, RenderError> {
        if only_on.is_some_and(|dialect| dialect != self.dialect) {
            return Ok(Vec::new());
        }
        let sql = sql.trim();
        if sql.is_empty() {
            return Err(RenderError::new(
                "schema.raw was given an empty SQL statement",
            ));
        }
        Ok(vec![Statement::raw(sql, self.backend)])
    }

    fn quote_identifier(&self, name: &str) -> Result<String, IdentifierError> {
        self.dialect.quote_identifier(name)
    }

    fn quote_table(&self, name: &str) -> Result<String, IdentifierError> {
        self.dialect.quote_table(name)
    }

    /// `a, b, c` quoted; at least one.
    fn column_list(&self, columns: &[impl AsRef<str>]) -> Result<String, RenderError> {
        if columns.is_empty() {
            return Err(RenderError::new(
                "an index or key needs at least one column",
            ));
        }
        let quoted: Result<Vec<String>, IdentifierError> = columns
            .iter()
            .map(|c| self.quote_identifier(c.as_ref()))
            .collect();
        Ok(quoted?.join(", "))
    }
}

/// A column's type and default as `dialect` writes them in a column definition (`None` for no
/// default or a `NULL` one).
pub(crate) fn column_type_and_default(
    dialect: Dialect,
    column: &crate::schema::ColumnDefinition,
) -> (String, Option<String>) {
    let renderer = Renderer::new(dialect);
    let default = match &column.default {
        None | Some(crate::schema::DefaultValue::Null) => None,
        Some(value) => Some(renderer.default_value(value)),
    };
    (renderer.backend.column_type(column), default)
}

/// A rename keeps a table in its schema; moving it is a different statement.
fn check_same_schema(from: &str, to: &str) -> Result<(), RenderError> {
    let schema = |name: &str| name.rsplit_once('.').map(|(schema, _)| schema.to_owned());
    match schema(to) {
        Some(target) if schema(from).as_ref() != Some(&target) => Err(RenderError::new(format!(
            "cannot rename `{from}` to `{to}`: a rename keeps the table in its schema; move it \
             with schema.raw_for(Dialect::Postgres, \"ALTER TABLE … SET SCHEMA …\")"
        ))),
        _ => Ok(()),
    }
}

/// `<table>_<col1>_<col2>_<suffix>`, shortened with a hash when over the identifier limit so
/// that two long names never collide after truncation.
pub fn generated_name(table: &str, columns: &[String], suffix: &str) -> String {
    let table = table.rsplit('.').next().unwrap_or(table);
    let name = format!("{table}_{}_{suffix}", columns.join("_")).to_lowercase();
    if name.len() <= MAX_IDENTIFIER_LEN {
        return name;
    }
    let hash = crate::checksum::sha256_hex(name.as_bytes());
    let keep = MAX_IDENTIFIER_LEN - 9;
    let cut = (0..=keep)
        .rev()
        .find(|&i| name.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}_{}", &name[..cut], &hash[..8])
}
