//! Dialects: a plan rendered to SQL for one database.
//!
//! The structure of each statement is shared; what differs per database (quoting, type names,
//! auto-increment, boolean literals, comments) lives in one file per dialect.

mod identifier;
mod mysql;
mod postgres;
mod sqlite;

use std::fmt;

pub use identifier::{IdentifierError, MAX_IDENTIFIER_LEN};

use crate::schema::{
    ColumnDefinition, ColumnType, CreateTable, DefaultValue, ForeignKeyDefinition, IndexDefinition,
    IndexKind, Operation, Plan,
};

/// A database family whose SQL the builder renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
}

/// A plan that cannot be rendered: a bad identifier, a table without columns, an incomplete
/// foreign key. The runner adds the migration id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    message: String,
}

impl RenderError {
    fn new(message: impl Into<String>) -> RenderError {
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

/// The per-database parts of rendering.
trait DialectSql {
    fn quote_char(&self) -> char;
    fn column_type(&self, column: &ColumnDefinition) -> String;
    /// The full definition of an auto-incrementing primary key column, after its quoted name.
    fn auto_increment(&self, column: &ColumnDefinition) -> String;
    fn boolean(&self, value: bool) -> &'static str;
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }
    /// A comment inside the column definition (MySQL); `None` where comments are separate.
    fn inline_comment(&self, _comment: &str) -> Option<String> {
        None
    }
    /// Statements that store column comments after the table exists (PostgreSQL).
    fn comment_statements(&self, _table: &str, _create: &CreateTable) -> Vec<String> {
        Vec::new()
    }
    fn rename_table(&self, from: &str, to: &str) -> String {
        format!("ALTER TABLE {from} RENAME TO {to}")
    }
}

impl Dialect {
    /// The database's name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
        }
    }

    fn sql(self) -> &'static dyn DialectSql {
        match self {
            Dialect::Sqlite => &sqlite::Sqlite,
            Dialect::Postgres => &postgres::Postgres,
            Dialect::MySql => &mysql::MySql,
        }
    }

    /// Validates `name` as an identifier and quotes it.
    ///
    /// ```
    /// # use ormed_migrate_core::Dialect;
    /// assert_eq!(Dialect::MySql.quote_identifier("users").unwrap(), "`users`");
    /// assert!(Dialect::Postgres.quote_identifier("users; DROP TABLE x").is_err());
    /// ```
    pub fn quote_identifier(self, name: &str) -> Result<String, IdentifierError> {
        identifier::validate(name)?;
        let quote = self.sql().quote_char();
        Ok(format!("{quote}{name}{quote}"))
    }

    /// Validates and quotes a table name; on PostgreSQL it may be schema-qualified (`app.users`).
    pub fn quote_table(self, name: &str) -> Result<String, IdentifierError> {
        match name.split_once('.') {
            Some((schema, table)) if self == Dialect::Postgres => Ok(format!(
                "{}.{}",
                self.quote_identifier(schema)?,
                self.quote_identifier(table)?
            )),
            _ => self.quote_identifier(name),
        }
    }

    /// A string literal, quoted and escaped for this database.
    pub fn string_literal(self, value: &str) -> String {
        self.sql().string_literal(value)
    }

    /// Renders a whole plan, one SQL statement per element, in order.
    pub fn render(self, plan: &Plan) -> Result<Vec<String>, RenderError> {
        let mut statements = Vec::new();
        for operation in &plan.operations {
            statements.extend(self.render_operation(operation)?);
        }
        Ok(statements)
    }

    /// Renders one operation; raw SQL for another dialect renders to nothing.
    pub fn render_operation(self, operation: &Operation) -> Result<Vec<String>, RenderError> {
        match operation {
            Operation::CreateTable(create) => self.create_table(create),
            Operation::DropTable { table, if_exists } => {
                let exists = if *if_exists { "IF EXISTS " } else { "" };
                Ok(vec![format!(
                    "DROP TABLE {exists}{}",
                    self.quote_table(table)?
                )])
            }
            Operation::RenameTable { from, to } => {
                check_same_schema(from, to)?;
                Ok(vec![self.sql().rename_table(
                    &self.quote_table(from)?,
                    &self.quote_table(to)?,
                )])
            }
            Operation::Raw { sql, dialect } => self.raw(sql, *dialect),
        }
    }

    fn raw(self, sql: &str, only_on: Option<Dialect>) -> Result<Vec<String>, RenderError> {
        if only_on.is_some_and(|dialect| dialect != self) {
            return Ok(Vec::new());
        }
        let statement = sql.trim();
        if statement.is_empty() {
            return Err(RenderError::new(
                "schema.raw was given an empty SQL statement",
            ));
        }
        Ok(vec![statement.to_owned()])
    }

    fn create_table(self, create: &CreateTable) -> Result<Vec<String>, RenderError> {
        let table = self.quote_table(&create.table)?;
        if create.columns.is_empty() {
            return Err(RenderError::new(format!(
                "table `{}` is created without columns; add at least one (for example t.id())",
                create.table
            )));
        }
        check_unique_columns(create)?;
        let primary: Vec<&str> = create
            .columns
            .iter()
            .filter(|c| c.primary)
            .map(|c| c.name.as_str())
            .collect();
        let composite = primary.len() > 1;
        if composite
            && create
                .columns
                .iter()
                .any(|c| c.column_type.is_auto_increment())
        {
            return Err(RenderError::new(format!(
                "table `{}` has an auto-increment primary key and other primary columns ({}); \
                 a table has one primary key: drop .primary() from the others, or use \
                 big_integer instead of id() for a composite key",
                create.table,
                primary.join(", ")
            )));
        }
        let mut parts = Vec::new();
        for column in &create.columns {
            parts.push(self.column_definition(column, !composite)?);
        }
        if composite {
            parts.push(format!("PRIMARY KEY ({})", self.column_list(&primary)?));
        }
        for key in foreign_keys(create) {
            parts.push(self.foreign_key(&create.table, key)?);
        }
        let mut statements = vec![format!("CREATE TABLE {table} ({})", parts.join(", "))];
        for index in indexes(create) {
            statements.push(self.create_index(&create.table, &index)?);
        }
        statements.extend(self.sql().comment_statements(&table, create));
        Ok(statements)
    }

    /// One column; `inline_primary` is false when the table declares a composite primary key.
    fn column_definition(
        self,
        column: &ColumnDefinition,
        inline_primary: bool,
    ) -> Result<String, RenderError> {
        let name = self.quote_identifier(&column.name)?;
        if column.column_type.is_auto_increment() {
            return Ok(format!("{name} {}", self.sql().auto_increment(column)));
        }
        let mut sql = format!("{name} {}", self.sql().column_type(column));
        sql.push_str(if column.nullable {
            " NULL"
        } else {
            " NOT NULL"
        });
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_value(default));
        }
        if column.primary && inline_primary {
            sql.push_str(" PRIMARY KEY");
        }
        if let Some(comment) = column.comment.as_deref()
            && let Some(inline) = self.sql().inline_comment(comment)
        {
            sql.push(' ');
            sql.push_str(&inline);
        }
        Ok(sql)
    }

    fn default_value(self, value: &DefaultValue) -> String {
        match value {
            DefaultValue::Null => "NULL".to_owned(),
            DefaultValue::Bool(b) => self.sql().boolean(*b).to_owned(),
            DefaultValue::Integer(i) => i.to_string(),
            DefaultValue::Float(f) => f.to_string(),
            DefaultValue::Text(text) => self.string_literal(text),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            DefaultValue::Raw(sql) => format!("({sql})"),
        }
    }

    fn column_list(self, columns: &[impl AsRef<str>]) -> Result<String, RenderError> {
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

    fn create_index(self, table: &str, index: &IndexDefinition) -> Result<String, RenderError> {
        let name = index
            .name
            .clone()
            .unwrap_or_else(|| generated_name(table, &index.columns, index.kind.suffix()));
        let unique = if index.kind == IndexKind::Unique {
            "UNIQUE "
        } else {
            ""
        };
        Ok(format!(
            "CREATE {unique}INDEX {} ON {} ({})",
            self.quote_identifier(&name)?,
            self.quote_table(table)?,
            self.column_list(&index.columns)?
        ))
    }

    fn foreign_key(self, table: &str, key: &ForeignKeyDefinition) -> Result<String, RenderError> {
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
            if action != crate::schema::ForeignKeyAction::NoAction {
                sql.push_str(&format!(" {clause} {}", action.sql()));
            }
        }
        Ok(sql)
    }
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

fn check_unique_columns(create: &CreateTable) -> Result<(), RenderError> {
    let mut seen = std::collections::HashSet::new();
    for column in &create.columns {
        if !seen.insert(column.name.as_str()) {
            return Err(RenderError::new(format!(
                "table `{}` defines column `{}` twice",
                create.table, column.name
            )));
        }
    }
    Ok(())
}

/// Column modifiers (`.unique()`, `.index()`) first, then table-level indexes.
fn indexes(create: &CreateTable) -> Vec<IndexDefinition> {
    let mut all = Vec::new();
    for column in &create.columns {
        for (flag, kind) in [
            (column.unique, IndexKind::Unique),
            (column.index, IndexKind::Index),
        ] {
            if flag {
                all.push(IndexDefinition::new(vec![column.name.clone()], kind));
            }
        }
    }
    all.extend(create.indexes.iter().cloned());
    all
}

/// `constrained(..)` columns first, then table-level foreign keys.
fn foreign_keys(create: &CreateTable) -> impl Iterator<Item = &ForeignKeyDefinition> {
    create
        .columns
        .iter()
        .filter_map(|c| c.foreign_key.as_ref())
        .chain(create.foreign_keys.iter())
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

/// Shared by the dialect files: `VARCHAR(n)`, `DECIMAL(p, s)` and friends that most databases
/// spell the same way.
fn common_type(column_type: ColumnType) -> Option<String> {
    Some(match column_type {
        ColumnType::String(len) => format!("VARCHAR({len})"),
        ColumnType::Char(len) => format!("CHAR({len})"),
        ColumnType::Text => "TEXT".to_owned(),
        ColumnType::Date => "DATE".to_owned(),
        _ => return None,
    })
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Dialect {
    /// Whether DDL runs inside transactions (PostgreSQL, SQLite) or commits on its own (MySQL).
    pub fn has_transactional_ddl(self) -> bool {
        !matches!(self, Dialect::MySql)
    }

    /// Statements the database refuses inside a transaction block, which need `no_transaction`.
    pub fn needs_no_transaction(self, statement: &str) -> bool {
        let words = keywords(statement);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match self {
            Dialect::Postgres => {
                // REFRESH MATERIALIZED VIEW CONCURRENTLY is the one concurrent form allowed in a
                // transaction.
                (words.contains(&"CONCURRENTLY") && words.first() != Some(&"REFRESH"))
                    || words.first() == Some(&"VACUUM")
                    || matches!(words.as_slice(), ["CREATE" | "DROP", "DATABASE", ..])
            }
            Dialect::Sqlite => words.first() == Some(&"VACUUM"),
            Dialect::MySql => false,
        }
    }

    /// Whether a failed `statement`, run on its own outside a transaction, is known to have
    /// changed nothing. Statements the builder renders are single DDL statements that fail as a
    /// whole; `raw` SQL may hold several statements (MySQL runs them one by one) or a statement
    /// that stops half way (`DROP TABLE a, b` drops `a` when `b` is missing), so a raw statement
    /// counts only on SQLite and PostgreSQL and only without an inner `;`. PostgreSQL keeps a
    /// failed `CREATE INDEX CONCURRENTLY` as an invalid index, so that never counts.
    pub fn failure_changes_nothing(self, statement: &str, raw: bool) -> bool {
        let body = statement.trim().trim_end_matches(';');
        let concurrent =
            self == Dialect::Postgres && keywords(body).iter().any(|w| w == "CONCURRENTLY");
        let raw_is_safe = self != Dialect::MySql && !body.contains(';');
        !concurrent && (!raw || raw_is_safe)
    }
}

/// The statement's words in upper case, for recognising keywords whatever their case.
fn keywords(statement: &str) -> Vec<String> {
    statement
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect()
}
