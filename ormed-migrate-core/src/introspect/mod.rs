//! Schema introspection: what tables, columns, keys and indexes a database holds, read from its
//! own catalog into one model that looks the same on SQLite, PostgreSQL and MySQL/MariaDB where
//! the databases allow it.
//!
//! The model is normalised so that two snapshots of the same schema compare equal: one taken
//! before a migration's `up` and one after its `down`, or one taken before dropping a table and
//! one after creating it again. Types keep the database's own spelling (lowercased) in
//! [`ColumnSnapshot::data_type`], with a portable [`TypeFamily`] beside it; defaults are SQL text
//! with casts, redundant parentheses and the spellings that differ between server versions
//! removed (see [`ColumnSnapshot::default`]).
//!
//! Each database's catalog queries live in its own module; they read every table of the
//! connection's own schema in a fixed number of queries (not one per table), since the runner
//! introspects before every run.

mod diff;
mod mysql;
mod postgres;
mod sqlite;

pub use diff::{Change, SchemaDifference};

use std::collections::{BTreeMap, HashMap};

use crate::dialect::Dialect;
use crate::driver::{Driver, Target};
use crate::error::MigrationError;
use crate::schema::ForeignKeyAction;

// ------------------------------------------------------------------------------------ the model

/// Every base table of one schema: PostgreSQL's `current_schema()`, MySQL's `DATABASE()`, or
/// SQLite's `main` database (without its internal `sqlite_…` tables). Views are not tables.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SchemaSnapshot {
    /// The tables by unqualified name.
    pub tables: BTreeMap<String, TableSnapshot>,
}

impl SchemaSnapshot {
    /// The table named `name`, if the schema has it.
    pub fn table(&self, name: &str) -> Option<&TableSnapshot> {
        self.tables.get(name)
    }
}

/// One base table: its columns in table order, its primary key, its other indexes and its
/// foreign keys, both sorted by name.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TableSnapshot {
    /// The table name, unqualified.
    pub name: String,
    /// The columns, in table order.
    pub columns: Vec<ColumnSnapshot>,
    /// The primary key, if the table has one.
    pub primary_key: Option<PrimaryKeySnapshot>,
    /// The indexes other than the primary key, sorted by name. Unique constraints
    /// (PostgreSQL, MySQL) are unique indexes here, and so are SQLite's `UNIQUE` clauses
    /// (`sqlite_autoindex_…`). MySQL's own index on a foreign key's columns is listed too.
    pub indexes: Vec<IndexSnapshot>,
    /// The foreign keys, sorted by name (unnamed ones first).
    pub foreign_keys: Vec<ForeignKeySnapshot>,
}

impl TableSnapshot {
    /// A table with nothing in it yet, for models built from plans.
    pub(crate) fn empty(name: &str) -> TableSnapshot {
        TableSnapshot::new(name)
    }

    fn new(name: &str) -> TableSnapshot {
        TableSnapshot {
            name: name.to_owned(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
        }
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSnapshot> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The index named `name` (never the primary key).
    pub fn index(&self, name: &str) -> Option<&IndexSnapshot> {
        self.indexes.iter().find(|index| index.name == name)
    }

    /// The foreign key named `name`.
    pub fn foreign_key(&self, name: &str) -> Option<&ForeignKeySnapshot> {
        self.foreign_keys
            .iter()
            .find(|key| key.name.as_deref() == Some(name))
    }
}

/// One column, as the database describes it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ColumnSnapshot {
    /// The column name.
    pub name: String,
    /// The type in the database's own spelling, lowercased: `character varying(100)` and
    /// `timestamp(0) without time zone` on PostgreSQL, `bigint unsigned` and `tinyint(1)` on
    /// MySQL (integer display widths removed, so MariaDB and MySQL 8 agree), the declared type
    /// on SQLite (`varchar(100)`, `integer`; empty for a column declared without one).
    pub data_type: String,
    /// The portable family of the type.
    pub family: TypeFamily,
    /// The size of an integer type in bytes (2, 4 or 8; MySQL's `tinyint` 1 and `mediumint`
    /// 3), `None` where the database cannot say (SQLite's `INTEGER`) or for other types.
    pub integer_bytes: Option<u8>,
    /// The length of a `varchar` or `char` type.
    pub length: Option<u32>,
    /// The precision of a decimal type.
    pub precision: Option<u8>,
    /// The scale of a decimal type.
    pub scale: Option<u8>,
    /// An unsigned integer (MySQL only).
    pub unsigned: bool,
    /// Accepts `NULL`.
    pub nullable: bool,
    /// The default as normalised SQL text; `None` for no default or a `NULL` default. Enclosing
    /// parentheses and PostgreSQL's casts of literals (`'draft'::character varying`) are
    /// removed, string literals are single-quoted, `CURRENT_TIMESTAMP` is spelled so on every
    /// database, and booleans stay as each database writes them (`true` on PostgreSQL, `1` on
    /// SQLite and MySQL). Auto-increment and generated columns have none.
    pub default: Option<String>,
    /// The database numbers the column by itself: a PostgreSQL identity or `serial` column,
    /// MySQL `AUTO_INCREMENT`, a SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`.
    pub auto_increment: bool,
    /// The column comment (PostgreSQL and MySQL; always `None` on SQLite).
    pub comment: Option<String>,
}

/// The portable family of a column type, for code that compares schemas across databases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypeFamily {
    /// Integers of any size.
    Integer,
    /// `boolean`; MySQL's `tinyint(1)`.
    Boolean,
    /// Exact decimals (`numeric`, `decimal`).
    Decimal,
    /// Floating point (`real`, `double`, `float`).
    Float,
    /// Bounded strings (`varchar(n)`, `char(n)`).
    String,
    /// Unbounded text (`text`; MySQL's `tinytext` to `longtext`).
    Text,
    /// Calendar dates.
    Date,
    /// Times of day, with or without a time zone.
    Time,
    /// Date and time without a time zone (`timestamp`, MySQL and SQLite `datetime`).
    Timestamp,
    /// Date and time of an instant (PostgreSQL `timestamp with time zone`, MySQL `timestamp`,
    /// which is stored in UTC and converted to the session's zone).
    TimestampTz,
    /// JSON documents (PostgreSQL `json`/`jsonb`, MySQL `json`, MariaDB's `longtext` with its
    /// `json_valid` check).
    Json,
    /// PostgreSQL's `uuid` (elsewhere UUIDs are strings).
    Uuid,
    /// Binary data (`bytea`, `blob`, `varbinary`).
    Binary,
    /// Anything else: arrays, enums, geometry, a SQLite column without a declared type.
    Other,
}

/// A table's primary key.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PrimaryKeySnapshot {
    /// The constraint name on PostgreSQL; `None` on SQLite (which has none) and MySQL (where it
    /// is always `PRIMARY`).
    pub name: Option<String>,
    /// The key columns, in key order.
    pub columns: Vec<String>,
}

impl PrimaryKeySnapshot {
    /// An unnamed key over `columns`, for models built from plans.
    pub(crate) fn of(columns: Vec<String>) -> PrimaryKeySnapshot {
        PrimaryKeySnapshot {
            name: None,
            columns,
        }
    }
}

/// An index other than the primary key.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IndexSnapshot {
    /// The index name.
    pub name: String,
    /// The key columns in index order. A key part that is an expression is its SQL text on
    /// PostgreSQL and empty on SQLite and MySQL, whose catalogs do not give it.
    pub columns: Vec<String>,
    /// A unique index or unique constraint.
    pub unique: bool,
}

/// A foreign key.
///
/// [`ForeignKeyAction`] has no `SET DEFAULT`, so that action reads as `NoAction`. On MySQL and
/// MariaDB `RESTRICT` reads as `NoAction` too: InnoDB checks both at once, and MariaDB reports
/// an action left unsaid as `RESTRICT`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ForeignKeySnapshot {
    /// The constraint name; `None` for a SQLite foreign key declared without `CONSTRAINT name`.
    pub name: Option<String>,
    /// The referencing columns, in key order.
    pub columns: Vec<String>,
    /// The referenced table: unqualified in the same schema, `schema.table` in another one.
    pub referenced_table: String,
    /// The referenced columns, in key order.
    pub referenced_columns: Vec<String>,
    /// On delete of the referenced row.
    pub on_delete: ForeignKeyAction,
    /// On update of the referenced key.
    pub on_update: ForeignKeyAction,
}

// ------------------------------------------------------------------------------- entry points

impl Driver {
    /// Reads every base table of the connection's own schema (PostgreSQL `current_schema()`,
    /// MySQL `DATABASE()`, SQLite `main`): columns, primary key, indexes and foreign keys. The
    /// ledger table is listed like any other.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), ormed_migrate_core::MigrationError> {
    /// use ormed_migrate_core::{Driver, TypeFamily};
    ///
    /// let driver = Driver::connect("sqlite::memory:").await?;
    /// driver
    ///     .execute(
    ///         "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
    ///          email VARCHAR(255) NOT NULL DEFAULT 'nobody')",
    ///     )
    ///     .await
    ///     .expect("create users");
    /// let schema = driver.introspect().await?;
    /// let users = schema.table("users").expect("users is a table");
    /// assert!(users.column("id").expect("id").auto_increment);
    /// let email = users.column("email").expect("email");
    /// assert_eq!((email.family, email.length), (TypeFamily::String, Some(255)));
    /// assert_eq!(email.default.as_deref(), Some("'nobody'"));
    /// # Ok(()) }
    /// ```
    pub async fn introspect(&self) -> Result<SchemaSnapshot, MigrationError> {
        snapshot(Target::Pool(self), self.dialect())
            .await
            .map_err(|e| self.introspection_error(e))
    }

    /// Reads the base table named exactly `table` in the connection's own schema, or `None`
    /// when there is none. On PostgreSQL and MySQL the name may be qualified with another
    /// schema or database (`app.users`); the snapshot's name is then unqualified.
    pub async fn introspect_table(
        &self,
        table: &str,
    ) -> Result<Option<TableSnapshot>, MigrationError> {
        self::table(Target::Pool(self), self.dialect(), table)
            .await
            .map_err(|e| self.introspection_error(e))
    }

    fn introspection_error(&self, error: sqlx::Error) -> MigrationError {
        MigrationError::database(
            format!("could not read the schema of {}", self.redacted_url()),
            error,
        )
    }
}

/// Every base table of the target's own schema.
pub(crate) async fn snapshot(
    target: Target<'_, '_>,
    dialect: Dialect,
) -> Result<SchemaSnapshot, sqlx::Error> {
    read(target, dialect, None).await
}

/// One base table of the target's own schema (or of the schema `table` is qualified with, on
/// PostgreSQL and MySQL).
pub(crate) async fn table(
    target: Target<'_, '_>,
    dialect: Dialect,
    table: &str,
) -> Result<Option<TableSnapshot>, sqlx::Error> {
    let filter = TableFilter::new(dialect, table);
    let name = filter.table.to_owned();
    let mut snapshot = read(target, dialect, Some(filter)).await?;
    Ok(snapshot.tables.remove(&name))
}

async fn read(
    target: Target<'_, '_>,
    dialect: Dialect,
    filter: Option<TableFilter<'_>>,
) -> Result<SchemaSnapshot, sqlx::Error> {
    match dialect {
        Dialect::Sqlite => sqlite::read(target, filter).await,
        Dialect::Postgres => postgres::read(target, filter).await,
        Dialect::MySql => mysql::read(target, filter).await,
    }
}

/// Which table to read, when not all: `schema` is `None` for the connection's own.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TableFilter<'a> {
    schema: Option<&'a str>,
    table: &'a str,
}

impl<'a> TableFilter<'a> {
    fn new(dialect: Dialect, name: &'a str) -> TableFilter<'a> {
        // PostgreSQL schemas and MySQL databases qualify names; in SQLite a `.` is part of
        // the (quoted) name.
        let qualified = match dialect {
            Dialect::Sqlite => None,
            Dialect::Postgres | Dialect::MySql => name.split_once('.'),
        };
        match qualified {
            Some((schema, table)) => TableFilter {
                schema: Some(schema),
                table,
            },
            None => TableFilter {
                schema: None,
                table: name,
            },
        }
    }
}

/// The schema and table binds of a catalog query: `None` means the connection's own schema and
/// every table.
fn binds<'a>(filter: Option<TableFilter<'a>>) -> (Option<&'a str>, Option<&'a str>) {
    (filter.and_then(|f| f.schema), filter.map(|f| f.table))
}

/// Runs `$body` with `$executor` bound to the `$variant` connection of `$target`, or fails when
/// the target is another database's (a caller passed a dialect that is not the target's).
macro_rules! on_database {
    ($target:expr, $variant:ident, $executor:ident => $body:expr) => {
        match $target {
            $crate::driver::Target::Pool(driver) => match &driver.pool {
                $crate::driver::Pool::$variant($executor) => $body,
                _ => Err($crate::introspect::wrong_database(stringify!($variant))),
            },
            $crate::driver::Target::Connection($crate::driver::Connection::$variant(c)) => {
                let $executor = &mut **c;
                $body
            }
            $crate::driver::Target::Transaction($crate::driver::Transaction::$variant(tx)) => {
                let $executor = &mut **tx;
                $body
            }
            _ => Err($crate::introspect::wrong_database(stringify!($variant))),
        }
    };
}
use on_database;

fn wrong_database(expected: &str) -> sqlx::Error {
    sqlx::Error::InvalidArgument(format!(
        "schema introspection for {expected} was asked of a connection to another database"
    ))
}

// ------------------------------------------------------------------------ assembling snapshots

/// Collects catalog rows into tables. Rows of one table need not be adjacent (a
/// case-insensitive `ORDER BY` may interleave `A` and `a`); their order within a table is kept.
#[derive(Debug, Default)]
struct SnapshotBuilder {
    tables: BTreeMap<String, TableSnapshot>,
    /// Where each foreign key is in its table's list, by (table, grouping key).
    foreign_keys: HashMap<(String, String), usize>,
}

/// One column of a named foreign key as PostgreSQL and MySQL list them: table, key, referenced
/// table, on update, on delete, column, referenced column.
type NamedForeignKeyRow = (String, String, String, String, String, String, String);

/// One column of a foreign key, with what the key is.
#[derive(Debug)]
struct ForeignKeyColumn {
    /// What groups the key's columns: its name, or SQLite's key id.
    key: String,
    name: Option<String>,
    referenced_table: String,
    column: String,
    referenced_column: Option<String>,
    on_delete: ForeignKeyAction,
    on_update: ForeignKeyAction,
}

impl SnapshotBuilder {
    /// The table, created when first seen.
    fn table(&mut self, name: &str) -> &mut TableSnapshot {
        self.tables
            .entry(name.to_owned())
            .or_insert_with(|| TableSnapshot::new(name))
    }

    fn column(&mut self, table: &str, column: ColumnSnapshot) {
        self.table(table).columns.push(column);
    }

    /// Adds `column` to index `index`. Only tables already read get indexes and keys: one
    /// created between two catalog queries is left out rather than half read.
    fn index_column(&mut self, table: &str, index: &str, unique: bool, column: String) {
        let Some(table) = self.tables.get_mut(table) else {
            return;
        };
        match table.indexes.iter_mut().find(|i| i.name == index) {
            Some(existing) => existing.columns.push(column),
            None => table.indexes.push(IndexSnapshot {
                name: index.to_owned(),
                columns: vec![column],
                unique,
            }),
        }
    }

    fn primary_key_column(&mut self, table: &str, name: Option<String>, column: String) {
        let Some(table) = self.tables.get_mut(table) else {
            return;
        };
        table
            .primary_key
            .get_or_insert_with(|| PrimaryKeySnapshot {
                name,
                columns: Vec::new(),
            })
            .columns
            .push(column);
    }

    /// Foreign-key columns from a catalog that names every key (PostgreSQL, MySQL): rows of
    /// (table, key, referenced table, on update, on delete, column, referenced column), the
    /// actions spelled as `action` reads them.
    fn named_foreign_keys(
        &mut self,
        rows: Vec<NamedForeignKeyRow>,
        action: fn(&str) -> ForeignKeyAction,
    ) {
        for (table, name, referenced_table, on_update, on_delete, column, referenced) in rows {
            let row = ForeignKeyColumn {
                key: name.clone(),
                name: Some(name),
                referenced_table,
                column,
                referenced_column: Some(referenced),
                on_delete: action(&on_delete),
                on_update: action(&on_update),
            };
            self.foreign_key_column(&table, row);
        }
    }

    fn foreign_key_column(&mut self, table: &str, row: ForeignKeyColumn) {
        let Some(snapshot) = self.tables.get_mut(table) else {
            return;
        };
        let at = *self
            .foreign_keys
            .entry((table.to_owned(), row.key))
            .or_insert_with(|| {
                snapshot.foreign_keys.push(ForeignKeySnapshot {
                    name: row.name,
                    columns: Vec::new(),
                    referenced_table: row.referenced_table,
                    referenced_columns: Vec::new(),
                    on_delete: row.on_delete,
                    on_update: row.on_update,
                });
                snapshot.foreign_keys.len() - 1
            });
        let key = &mut snapshot.foreign_keys[at];
        key.columns.push(row.column);
        // SQLite cannot name the referenced column when the referenced table is missing.
        key.referenced_columns.extend(row.referenced_column);
    }

    /// The snapshot, with indexes and foreign keys in name order.
    fn finish(self) -> SchemaSnapshot {
        let mut tables = self.tables;
        for table in tables.values_mut() {
            table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            table
                .foreign_keys
                .sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
        }
        SchemaSnapshot { tables }
    }
}

// ----------------------------------------------------------------------------------- types

/// What a type's spelling says beyond its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TypeInfo {
    family: TypeFamily,
    integer_bytes: Option<u8>,
    length: Option<u32>,
    precision: Option<u8>,
    scale: Option<u8>,
    unsigned: bool,
}

impl ColumnSnapshot {
    /// A column of `data_type`, its type as `info` reads it; the catalog's nullability,
    /// default, auto-increment and comment go on top (nullable, nothing else, until then).
    fn typed(name: String, data_type: String, info: TypeInfo) -> ColumnSnapshot {
        ColumnSnapshot {
            name,
            data_type,
            family: info.family,
            integer_bytes: info.integer_bytes,
            length: info.length,
            precision: info.precision,
            scale: info.scale,
            unsigned: info.unsigned,
            nullable: true,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }
}

impl TypeInfo {
    fn of(family: TypeFamily) -> TypeInfo {
        TypeInfo {
            family,
            integer_bytes: None,
            length: None,
            precision: None,
            scale: None,
            unsigned: false,
        }
    }

    fn integer(bytes: Option<u8>) -> TypeInfo {
        TypeInfo {
            integer_bytes: bytes,
            ..TypeInfo::of(TypeFamily::Integer)
        }
    }

    /// Adds what the family takes from the type's arguments: a string's length, a decimal's
    /// precision and scale.
    fn with_args(mut self, args: &[u32]) -> TypeInfo {
        match self.family {
            TypeFamily::String => self.length = args.first().copied(),
            TypeFamily::Decimal => {
                self.precision = args.first().and_then(|&p| u8::try_from(p).ok());
                self.scale = args.get(1).and_then(|&s| u8::try_from(s).ok());
                // `numeric(8)` has scale 0.
                if self.precision.is_some() && self.scale.is_none() {
                    self.scale = Some(0);
                }
            }
            _ => {}
        }
        self
    }
}

/// A type's spelling taken apart: `decimal(8,2) unsigned` is the words `decimal unsigned` and
/// the arguments 8 and 2. Arguments that are not all numbers (`enum('a','b')`) are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TypeName {
    /// The words outside the parentheses, single-spaced.
    words: String,
    args: Vec<u32>,
}

impl TypeName {
    fn parse(data_type: &str) -> TypeName {
        let (outside, inside) = match data_type.find('(') {
            Some(open) => match closing_paren(data_type, open) {
                Some(close) => (
                    format!("{} {}", &data_type[..open], &data_type[close + 1..]),
                    &data_type[open + 1..close],
                ),
                None => (data_type.to_owned(), ""),
            },
            None => (data_type.to_owned(), ""),
        };
        let args: Option<Vec<u32>> = inside
            .split(',')
            .map(|arg| arg.trim().parse().ok())
            .collect();
        TypeName {
            words: outside.split_whitespace().collect::<Vec<_>>().join(" "),
            args: args.unwrap_or_default(),
        }
    }
}

/// Lowercases SQL text outside its string literals, which keep their case (`enum('A','B')`).
fn lowercase_outside_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        out.push(if quoted { c } else { c.to_ascii_lowercase() });
    }
    out
}

// --------------------------------------------------------------------------------- defaults

/// The normalised form of a default's SQL text, shared by every database: trimmed, one level
/// of enclosing parentheses removed (SQLite and the builder's raw defaults write `(expr)`),
/// `NULL` as no default, and the current-time keywords in one spelling (MariaDB reports
/// `current_timestamp()`).
pub(crate) fn normalize_default(text: &str) -> Option<String> {
    let text = strip_enclosing_parens(text.trim()).trim();
    if text.is_empty() || text.eq_ignore_ascii_case("null") {
        return None;
    }
    Some(current_time_keyword(text).unwrap_or_else(|| text.to_owned()))
}

/// `(expr)` as `expr` when the parentheses enclose the whole text.
fn strip_enclosing_parens(text: &str) -> &str {
    if text.starts_with('(') && closing_paren(text, 0) == Some(text.len() - 1) {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

/// Where the parenthesis opened at `open` closes, skipping string literals and quoted
/// identifiers.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut quote: Option<u8> = None;
    for (at, &byte) in text.as_bytes().iter().enumerate().skip(open) {
        match (quote, byte) {
            // A doubled quote closes and reopens: the same state after two bytes.
            (Some(q), _) if byte == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"' | b'`') => quote = Some(byte),
            (None, b'(') => depth += 1,
            (None, b')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// `current_timestamp`, `CURRENT_TIMESTAMP()` or `current_timestamp(6)` in upper case, without
/// empty parentheses.
fn current_time_keyword(text: &str) -> Option<String> {
    const KEYWORDS: [&str; 5] = [
        "CURRENT_TIMESTAMP",
        "CURRENT_DATE",
        "CURRENT_TIME",
        "LOCALTIMESTAMP",
        "LOCALTIME",
    ];
    let (head, tail) = match text.find('(') {
        Some(open) => text.split_at(open),
        None => (text, ""),
    };
    let keyword = KEYWORDS
        .into_iter()
        .find(|k| head.trim_end().eq_ignore_ascii_case(k))?;
    if tail.is_empty() {
        return Some(keyword.to_owned());
    }
    let precision = tail.strip_prefix('(')?.strip_suffix(')')?.trim();
    if precision.is_empty() {
        Some(keyword.to_owned())
    } else if precision.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{keyword}({precision})"))
    } else {
        None
    }
}

/// The end (exclusive) of the single-quoted literal at the start of `text`, with `''` escapes.
fn quoted_literal_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'\'') {
        return None;
    }
    let mut at = 1;
    while at < bytes.len() {
        if bytes[at] == b'\'' {
            if bytes.get(at + 1) == Some(&b'\'') {
                at += 2;
                continue;
            }
            return Some(at + 1);
        }
        at += 1;
    }
    None
}

/// Whether `text` is a plain numeric literal: `-1`, `0.5`, `1e3`.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits.parse::<f64>().is_ok()
}

/// The action a catalog spells out (`CASCADE`, `SET NULL`…). `SET DEFAULT` has no
/// [`ForeignKeyAction`] and reads as `NoAction`.
fn action_named(rule: &str) -> ForeignKeyAction {
    match rule.trim().to_ascii_uppercase().as_str() {
        "CASCADE" => ForeignKeyAction::Cascade,
        "RESTRICT" => ForeignKeyAction::Restrict,
        "SET NULL" => ForeignKeyAction::SetNull,
        _ => ForeignKeyAction::NoAction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_transaction_sees_its_own_uncommitted_tables() {
        let driver = Driver::connect("sqlite::memory:").await.unwrap();
        let mut connection = driver.acquire().await.unwrap();
        let mut transaction = connection.begin().await.unwrap();
        let mut target = Target::Transaction(&mut transaction);
        crate::driver::execute(target.reborrow(), "CREATE TABLE t (x INTEGER NOT NULL)")
            .await
            .unwrap();
        let inside = snapshot(target.reborrow(), Dialect::Sqlite).await.unwrap();
        assert!(inside.table("t").is_some());
        let one = table(target, Dialect::Sqlite, "t").await.unwrap();
        assert_eq!(one.as_ref(), inside.table("t"));
        transaction.rollback().await.unwrap();

        let mut target = Target::Connection(&mut connection);
        assert_eq!(
            snapshot(target.reborrow(), Dialect::Sqlite).await.unwrap(),
            SchemaSnapshot::default()
        );
        // A dialect that is not the connection's is refused, not misread.
        let error = snapshot(target, Dialect::Postgres).await.unwrap_err();
        assert!(matches!(error, sqlx::Error::InvalidArgument(_)), "{error}");
    }

    #[test]
    fn defaults_lose_parentheses_null_and_spelling_differences() {
        assert_eq!(normalize_default("  'draft' "), Some("'draft'".to_owned()));
        assert_eq!(
            normalize_default("(CURRENT_DATE)"),
            Some("CURRENT_DATE".to_owned())
        );
        assert_eq!(normalize_default("(1 + 2)"), Some("1 + 2".to_owned()));
        // Only one level, and only when the parentheses enclose the whole text.
        assert_eq!(normalize_default("((1))"), Some("(1)".to_owned()));
        assert_eq!(normalize_default("(1) + (2)"), Some("(1) + (2)".to_owned()));
        assert_eq!(normalize_default("('(')"), Some("'('".to_owned()));
        assert_eq!(normalize_default("NULL"), None);
        assert_eq!(normalize_default("null"), None);
        assert_eq!(normalize_default(""), None);
        assert_eq!(normalize_default("-1"), Some("-1".to_owned()));
        assert_eq!(normalize_default("true"), Some("true".to_owned()));
    }

    #[test]
    fn current_time_is_spelled_one_way() {
        for text in [
            "current_timestamp()",
            "CURRENT_TIMESTAMP",
            "current_timestamp",
        ] {
            assert_eq!(
                normalize_default(text),
                Some("CURRENT_TIMESTAMP".to_owned())
            );
        }
        assert_eq!(
            normalize_default("current_timestamp(6)"),
            Some("CURRENT_TIMESTAMP(6)".to_owned())
        );
        assert_eq!(normalize_default("now()"), Some("now()".to_owned()));
        assert_eq!(
            normalize_default("current_timestamp() + 1"),
            Some("current_timestamp() + 1".to_owned())
        );
    }

    #[test]
    fn postgres_casts_of_literals_are_removed() {
        let pg = postgres::normalize_default;
        assert_eq!(pg("'draft'::character varying"), Some("'draft'".to_owned()));
        assert_eq!(pg("'it''s'::text"), Some("'it''s'".to_owned()));
        assert_eq!(pg("'0'::numeric"), Some("0".to_owned()));
        assert_eq!(pg("'-1'::integer"), Some("-1".to_owned()));
        assert_eq!(pg("'-1.5'::numeric"), Some("-1.5".to_owned()));
        // A number in a string column stays a string.
        assert_eq!(pg("'5'::character varying"), Some("'5'".to_owned()));
        assert_eq!(pg("'{}'::jsonb"), Some("'{}'".to_owned()));
        assert_eq!(pg("'a'::\"char\""), Some("'a'".to_owned()));
        assert_eq!(pg("NULL::character varying"), None);
        assert_eq!(pg("true"), Some("true".to_owned()));
        assert_eq!(
            pg("CURRENT_TIMESTAMP"),
            Some("CURRENT_TIMESTAMP".to_owned())
        );
        // Casts inside expressions are part of the expression.
        assert_eq!(
            pg("(now() + '1 day'::interval)"),
            Some("now() + '1 day'::interval".to_owned())
        );
        assert_eq!(
            pg("'a'::text || 'b'::text"),
            Some("'a'::text || 'b'::text".to_owned())
        );
    }

    #[test]
    fn mysql_defaults_read_alike_on_mariadb_and_mysql() {
        use mysql::{Server, normalize_default as my};
        let text = TypeInfo::of(TypeFamily::String);
        let int = TypeInfo::integer(Some(4));
        // MariaDB quotes literals and writes NULL for "no default" of a nullable column.
        assert_eq!(
            my(Server::MariaDb, "'draft'", text, ""),
            Some("'draft'".to_owned())
        );
        assert_eq!(my(Server::MariaDb, "NULL", text, ""), None);
        assert_eq!(
            my(Server::MariaDb, "current_timestamp()", text, ""),
            Some("CURRENT_TIMESTAMP".to_owned())
        );
        // MySQL 8 gives the bare value, and marks expressions DEFAULT_GENERATED.
        assert_eq!(
            my(Server::MySql, "draft", text, ""),
            Some("'draft'".to_owned())
        );
        assert_eq!(
            my(Server::MySql, "it's", text, ""),
            Some("'it''s'".to_owned())
        );
        assert_eq!(
            my(Server::MySql, r"C:\temp", text, ""),
            Some(r"'C:\\temp'".to_owned())
        );
        assert_eq!(my(Server::MySql, "-1", int, ""), Some("-1".to_owned()));
        assert_eq!(
            my(
                Server::MySql,
                "CURRENT_TIMESTAMP",
                text,
                "DEFAULT_GENERATED"
            ),
            Some("CURRENT_TIMESTAMP".to_owned())
        );
        assert_eq!(
            my(Server::MySql, "curdate()", text, "DEFAULT_GENERATED"),
            Some("curdate()".to_owned())
        );
    }

    #[test]
    fn type_names_come_apart_into_words_and_arguments() {
        let parsed = TypeName::parse("timestamp(0) without time zone");
        assert_eq!(parsed.words, "timestamp without time zone");
        assert_eq!(parsed.args, [0]);
        let parsed = TypeName::parse("decimal(8,2) unsigned");
        assert_eq!(
            (parsed.words.as_str(), parsed.args),
            ("decimal unsigned", vec![8, 2])
        );
        let parsed = TypeName::parse("numeric(8, 2)");
        assert_eq!(parsed.args, [8, 2]);
        let parsed = TypeName::parse("enum('a','b)')");
        assert_eq!((parsed.words.as_str(), parsed.args), ("enum", vec![]));
        assert_eq!(TypeName::parse("integer").args, Vec::<u32>::new());
        assert_eq!(lowercase_outside_quotes("ENUM('A','b')"), "enum('A','b')");
    }

    #[test]
    fn mysql_integer_display_widths_are_removed() {
        use mysql::normalize_type as ty;
        assert_eq!(ty("bigint(20) unsigned"), "bigint unsigned");
        assert_eq!(ty("int(11)"), "int");
        assert_eq!(ty("tinyint(1)"), "tinyint(1)");
        assert_eq!(ty("tinyint(4)"), "tinyint");
        assert_eq!(ty("decimal(8,2)"), "decimal(8,2)");
        assert_eq!(ty("varchar(100)"), "varchar(100)");
        assert_eq!(ty("bigint unsigned"), "bigint unsigned");
    }

    #[test]
    fn sqlite_foreign_key_names_are_read_from_the_create_text() {
        let sql = r#"CREATE TABLE "posts" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
            "status" VARCHAR(100) NOT NULL DEFAULT 'CONSTRAINT x FOREIGN KEY (status)',
            "parent_id" INTEGER NOT NULL, -- CONSTRAINT y FOREIGN KEY ("id")
            `author` INTEGER CONSTRAINT [posts_author_foreign] REFERENCES users (id),
            a INT, b INT,
            /* CONSTRAINT z */ CONSTRAINT "posts_parent_id_foreign" FOREIGN KEY ("parent_id")
                REFERENCES "parents" ("id") ON DELETE CASCADE,
            CONSTRAINT pair FOREIGN KEY (a, "B") REFERENCES pairs (x, y),
            FOREIGN KEY (b) REFERENCES others (id),
            CONSTRAINT "posts_status_check" CHECK (status <> '')
        )"#;
        let names = sqlite::foreign_key_names(sql);
        let expected = [
            ("posts_author_foreign", vec!["author"], "users"),
            ("posts_parent_id_foreign", vec!["parent_id"], "parents"),
            ("pair", vec!["a", "B"], "pairs"),
        ];
        assert_eq!(names.len(), expected.len(), "{names:?}");
        for (named, (name, columns, table)) in names.iter().zip(expected) {
            assert_eq!(named.name, name);
            assert_eq!(named.columns, columns);
            assert_eq!(named.referenced_table, table);
        }
        assert!(sqlite::foreign_key_names("CREATE TABLE t (x INTEGER)").is_empty());
        // Text the reader cannot follow yields no names, never a panic.
        assert!(sqlite::foreign_key_names("CREATE TABLE t (x CONSTRAINT").is_empty());
        assert!(sqlite::foreign_key_names("CREATE TABLE t AS SELECT 1").is_empty());
    }

    #[test]
    fn sqlite_types_map_to_families() {
        use sqlite::type_info as ty;
        assert_eq!(ty("integer"), TypeInfo::integer(None));
        assert_eq!(ty("bigint"), TypeInfo::integer(Some(8)));
        assert_eq!(ty("smallint"), TypeInfo::integer(Some(2)));
        assert_eq!(ty("boolean").family, TypeFamily::Boolean);
        let varchar = ty("varchar(100)");
        assert_eq!(
            (varchar.family, varchar.length),
            (TypeFamily::String, Some(100))
        );
        let decimal = ty("numeric(8, 2)");
        assert_eq!(
            (decimal.family, decimal.precision, decimal.scale),
            (TypeFamily::Decimal, Some(8), Some(2))
        );
        assert_eq!(ty("datetime").family, TypeFamily::Timestamp);
        assert_eq!(ty("real").family, TypeFamily::Float);
        assert_eq!(ty("blob").family, TypeFamily::Binary);
        assert_eq!(ty("text").family, TypeFamily::Text);
        assert_eq!(ty("").family, TypeFamily::Other);
    }
}
