//! Backends: everything that differs between databases, one module per database.
//!
//! A [`Backend`] knows how its database spells SQL (quoting, types, auto-increment, comments,
//! renames), what it can do (transactional DDL, schemas), which statements it refuses inside a
//! transaction and which fail without leaving anything behind, the ledger's column types, and
//! the SQL of its test databases. Generic code asks the backend and matches dialects
//! exhaustively (only in [`of`]), so a new database cannot silently inherit another's behaviour:
//! adding one means a module here, a [`Dialect`] variant and the arms the compiler then asks for.
//!
//! What needs a live connection (catalog queries, the migration lock) is in each module too,
//! next to the knowledge it uses.

pub(crate) mod identifier;
pub(crate) mod mysql;
pub(crate) mod postgres;
pub(crate) mod sqlite;

pub use identifier::{IdentifierError, MAX_IDENTIFIER_LEN};

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::dialect::Dialect;
use crate::schema::{ColumnDefinition, ColumnType};
use crate::sql::lexer::{Lexicon, SqlText, Statement as Words};
use crate::wipe::ObjectKind;

/// What a database can do, as far as migrations care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// DDL runs inside transactions (a migration and its ledger row commit together).
    pub transactional_ddl: bool,
    /// Table names may be qualified with a schema (`app.users`).
    pub schemas: bool,
    /// Column comments are stored (elsewhere `.comment(..)` is a documented no-op).
    pub column_comments: bool,
    /// Column and index names match whatever their case (SQLite, MySQL/MariaDB); elsewhere
    /// the builder quotes identifiers, so names match exactly.
    pub case_insensitive_identifiers: bool,
}

/// The `applied_at` and `execution_ms` values of a ledger row written as SQL text, after the
/// statements it records: when they finished, and how long since they began.
pub(crate) struct TimesInText {
    /// An expression of the ledger's timestamp type.
    pub(crate) applied_at: String,
    /// An expression of the milliseconds since the migration began.
    pub(crate) execution_ms: String,
}

/// The column types of the ledger table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LedgerTypes {
    /// `applied_at`: a UTC instant that reads back the same on every server setting.
    pub(crate) timestamp: &'static str,
    /// `batch` and `execution_ms`.
    pub(crate) big_integer: &'static str,
}

/// A column change for [`Backend::change_column`], its parts rendered and quoted.
pub(crate) struct ColumnChange<'a> {
    /// The quoted table.
    pub(crate) table: &'a str,
    /// The quoted column.
    pub(crate) column: &'a str,
    /// The whole column definition as `CREATE TABLE` would write it.
    pub(crate) full: &'a str,
    /// The column's type.
    pub(crate) sql_type: &'a str,
    /// Accepts `NULL`.
    pub(crate) nullable: bool,
    /// The default's SQL, if it has one.
    pub(crate) default: Option<&'a str>,
    /// The comment, if it has one.
    pub(crate) comment: Option<&'a str>,
}

/// One database's SQL and behaviour. Implemented once per database, in its own module.
pub(crate) trait Backend: Sync {
    /// The dialect tag.
    fn dialect(&self) -> Dialect;

    /// What the database can do.
    fn capabilities(&self) -> Capabilities;

    // ------------------------------------------------------------------------------ rendering

    /// The character that quotes identifiers.
    fn quote_char(&self) -> char;

    /// A column's type, as the database spells it.
    fn column_type(&self, column: &ColumnDefinition) -> String;

    /// The full definition of an auto-incrementing primary key column, after its quoted name.
    fn auto_increment(&self, column: &ColumnDefinition) -> String;

    /// A boolean literal.
    fn boolean(&self, value: bool) -> &'static str;

    /// A string literal, quoted and escaped.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// A comment inside the column definition (MySQL); `None` where comments are separate.
    fn inline_comment(&self, _comment: &str) -> Option<String> {
        None
    }

    /// The statement that stores a column comment after the table exists (PostgreSQL), for the
    /// quoted table and column.
    fn comment_statement(&self, _table: &str, _column: &str, _comment: &str) -> Option<String> {
        None
    }

    /// Renames a table; both names are quoted already.
    fn rename_table(&self, from: &str, to: &str) -> String {
        format!("ALTER TABLE {from} RENAME TO {to}")
    }

    // ------------------------------------------------------------------ changing a table
    //
    // Names are quoted already; an index name is qualified with the table's schema where the
    // database scopes index names by schema. `None` means the database cannot do it in place:
    // the table is rebuilt instead (SQLite).

    /// Changes a column to exactly `column` (`full` is its whole definition, `sql_type` its
    /// type, `default` its default's SQL).
    fn change_column(&self, change: &ColumnChange<'_>) -> Option<Vec<String>>;

    /// Whether `column` can be added in place (SQLite cannot add a key, a NOT NULL column
    /// without a constant default, or a non-constant default).
    fn adds_in_place(&self, _column: &ColumnDefinition) -> bool {
        true
    }

    /// Drops column `column` of `table`, or `None` where that depends on the live table.
    fn drop_column(&self, table: &str, column: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} DROP COLUMN {column}"))
    }

    /// Adds foreign key `constraint` (`CONSTRAINT … FOREIGN KEY …`) to `table`.
    fn add_foreign(&self, table: &str, constraint: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} ADD {constraint}"))
    }

    /// Drops index `index` of `table`.
    fn drop_index(&self, table: &str, index: &str) -> String;

    /// Renames index `from` of `table` to `to` (`to` unqualified).
    fn rename_index(&self, table: &str, from: &str, to: &str) -> Option<String>;

    /// Drops foreign key `name` of `table`.
    fn drop_foreign(&self, table: &str, name: &str) -> Option<String>;

    /// Adding a foreign key makes an index on its columns, named like the key, when no index
    /// starts with them, and dropping the key leaves that index (MySQL/MariaDB).
    fn foreign_key_leaves_index(&self) -> bool {
        false
    }

    /// Dropping one column of a multi-column index keeps the index over the remaining columns
    /// (MySQL/MariaDB); elsewhere the whole index goes with the column.
    fn drop_column_narrows_indexes(&self) -> bool {
        false
    }

    // ---------------------------------------------------------------- the pre-flight check

    /// Whether a foreign key on a TEXT column is refused (MySQL cannot index TEXT without a
    /// prefix length, and a key needs an index).
    fn refuses_foreign_keys_on_text(&self) -> bool {
        false
    }

    /// A foreign key between integers of different size or signedness is refused (MySQL);
    /// elsewhere the pre-flight check only warns.
    fn refuses_foreign_keys_between_integer_widths(&self) -> bool {
        false
    }

    /// The names of the tables an unqualified name may mean although they are outside the
    /// schema that is introspected (PostgreSQL: tables of the other schemas on the search
    /// path); `None` where there are none.
    fn shadowed_tables_query(&self) -> Option<&'static str> {
        None
    }

    /// Adds the primary key over `columns` (a quoted list), named `name` where the database
    /// names primary keys.
    fn add_primary(&self, table: &str, name: &str, columns: &str) -> Option<String>;

    /// Drops the primary key, named `name` where the database names primary keys.
    fn drop_primary(&self, table: &str, name: &str) -> Option<String>;

    /// The name of a table's primary key where the database names them (PostgreSQL's own
    /// `<table>_pkey`, so that `drop_primary` finds a key made by `CREATE TABLE` too).
    fn primary_key_name(&self, table: &str, given: Option<&str>) -> String {
        given.map_or_else(|| format!("{table}_pkey"), str::to_owned)
    }

    // ------------------------------------------------------------- how raw statements may run

    /// How the database spells strings, quoted identifiers, comments and routine bodies, for
    /// the lexer that classifies raw SQL.
    fn lexicon(&self) -> Lexicon;

    /// Whether the database refuses `statement` inside a transaction block (it then needs a
    /// `no_transaction` migration).
    fn refuses_in_transaction(&self, statement: &Words) -> bool;

    /// Whether a raw SQL text that fails, run on its own outside a transaction, is known to
    /// have changed nothing, so a failure mark set before it may be taken back.
    fn raw_failure_changes_nothing(&self, text: &SqlText) -> bool;

    // ------------------------------------------------------------------------------- the ledger

    /// The column types of the ledger table.
    fn ledger_types(&self) -> LedgerTypes;

    /// The `n`th bind parameter (from 1).
    fn placeholder(&self, n: usize) -> String;

    /// The `applied_at` and `execution_ms` of a ledger row sent as text in one round trip with
    /// the statements of its migration, begun at `started` by this process's clock: when they
    /// finished, as the driver binds a time, and the duration, measured by the database. `None` where the ledger row is not sent with
    /// the statements (MySQL, whose DDL commits itself, writes its failure mark first).
    fn ledger_times_in_text(&self, started: DateTime<Utc>) -> Option<TimesInText>;

    /// Whether the database parses a text of several statements as a whole before running any
    /// of it (PostgreSQL): a failure with none finished may then be in any statement, and
    /// nothing ran.
    fn parses_a_text_first(&self) -> bool {
        false
    }

    /// Whether raw `statement` may go in a text with others, which is sent in one round trip
    /// and answered with one result per statement: not a statement that answers with several
    /// (MySQL's `CALL`), nor one that changes how the statements after it are read where the
    /// whole text is read first (PostgreSQL's `SET`).
    fn fits_in_text(&self, _statement: &Words) -> bool {
        true
    }

    /// Counts the tables named by its two binds: the schema (NULL for the connection's own) and
    /// the table.
    fn table_exists_query(&self) -> &'static str;

    /// The column names, in table order, of the table named by its two binds (schema or NULL,
    /// table); no rows when there is no such table.
    fn column_names_query(&self) -> &'static str;

    // ----------------------------------------------------------------- sessions and lock waits

    /// The statement that puts a run's session back to its defaults between migrations, so
    /// that a `SET` in one migration's raw SQL does not reach the next; `None` where the
    /// database has none (there, the guide says to scope settings to the migration).
    fn session_reset(&self) -> Option<&'static str> {
        None
    }

    /// Statements that bound how long each following statement waits for table, metadata and
    /// row locks held by other sessions; empty where a connection option does it (SQLite's busy
    /// timeout, set per session). `local` scopes them to the current transaction where the
    /// database can.
    fn lock_timeout_statements(&self, timeout: Duration, local: bool) -> Vec<String>;

    /// Whether `error` is a statement giving up its wait for a lock another session holds (at
    /// the lock timeout).
    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool;

    /// The query that tells a session's id, to cancel its statement from another connection.
    fn session_id_query(&self) -> Option<&'static str>;

    /// The query for the schema (PostgreSQL) or database (MySQL) that an unqualified table name
    /// means in this session right now, or `None` where raw SQL cannot change it (SQLite).
    /// A run pins its ledger there, so that a migration's `SET search_path` or `USE` cannot
    /// send the ledger's writes elsewhere.
    fn namespace_query(&self) -> Option<&'static str>;

    /// Whether the statements of one call run as one implicit transaction (PostgreSQL's simple
    /// query protocol), so that one refused in a transaction fails even outside a migration's.
    fn one_call_is_one_transaction(&self) -> bool {
        false
    }

    /// The statement that makes `namespace` the session's own again after raw SQL may have
    /// changed it, where resetting the session does not (MySQL's `USE`).
    fn return_to_namespace(&self, namespace: &str) -> Option<String>;

    /// The statement that, run from another connection, cancels what session `id` is running.
    fn cancel_statement(&self, id: i64) -> Option<String>;

    // ------------------------------------------------------------------------- migrate:fresh

    /// Lists `(kind, name)` of every object of the connection's schema that `migrate:fresh`
    /// drops (kinds as [`crate::wipe::ObjectKind`] reads them), none that an extension owns.
    fn schema_objects_query(&self) -> &'static str;

    /// Drops the quoted `names`, all of `kind`, that exist.
    fn drop_objects(&self, kind: ObjectKind, names: &[String]) -> Vec<String> {
        vec![format!(
            "DROP {} IF EXISTS {}",
            kind.keyword(),
            names.join(", ")
        )]
    }

    /// What to run on the session before and after dropping every table, so that tables that
    /// reference each other can go in any order (outside any transaction).
    fn foreign_key_checks(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    // ------------------------------------------------------------------------- test databases

    /// The statement that drops a test database (quoted name), closing what still uses it.
    // Used by the testing helpers, which are behind the `testing` feature.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    fn drop_database(&self, quoted: &str) -> String {
        format!("DROP DATABASE IF EXISTS {quoted}")
    }
}

/// The backend of `dialect`: the one place that matches on every database.
pub(crate) fn of(dialect: Dialect) -> &'static dyn Backend {
    match dialect {
        Dialect::Sqlite => &sqlite::Sqlite,
        Dialect::Postgres => &postgres::Postgres,
        Dialect::MySql => &mysql::MySql,
    }
}

/// The database's error code of `error`, if it is a database error with one.
pub(crate) fn database_code(error: &sqlx::Error) -> Option<String> {
    error
        .as_database_error()
        .and_then(|db| db.code().map(|code| code.into_owned()))
}

/// Shared by the backends: `VARCHAR(n)`, `CHAR(n)`, `TEXT` and `DATE`, which all three spell the
/// same way.
pub(crate) fn common_type(column_type: ColumnType) -> Option<String> {
    Some(match column_type {
        ColumnType::String(len) => format!("VARCHAR({len})"),
        ColumnType::Char(len) => format!("CHAR({len})"),
        ColumnType::Text => "TEXT".to_owned(),
        ColumnType::Date => "DATE".to_owned(),
        _ => return None,
    })
}

impl Dialect {
    /// What the database can do.
    pub fn capabilities(self) -> Capabilities {
        of(self).capabilities()
    }

    /// Whether DDL runs inside transactions (PostgreSQL, SQLite) or commits on its own (MySQL).
    pub fn has_transactional_ddl(self) -> bool {
        self.capabilities().transactional_ddl
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
        let quote = of(self).quote_char();
        Ok(format!("{quote}{name}{quote}"))
    }

    /// Validates and quotes a table name; where the database has schemas (PostgreSQL) it may be
    /// schema-qualified (`app.users`).
    pub fn quote_table(self, name: &str) -> Result<String, IdentifierError> {
        match name.split_once('.') {
            Some((schema, table)) if self.capabilities().schemas => Ok(format!(
                "{}.{}",
                self.quote_identifier(schema)?,
                self.quote_identifier(table)?
            )),
            _ => self.quote_identifier(name),
        }
    }

    /// A string literal, quoted and escaped for this database.
    pub fn string_literal(self, value: &str) -> String {
        of(self).string_literal(value)
    }

    /// The statements that make each following statement of a session give up after waiting
    /// `timeout` for a lock another session holds (PostgreSQL `lock_timeout`, MySQL
    /// `lock_wait_timeout` and `innodb_lock_wait_timeout`, SQLite `busy_timeout`). With `local`,
    /// PostgreSQL scopes the setting to the current transaction.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use ormed_migrate_core::Dialect;
    /// let sql = Dialect::Postgres.lock_timeout_statements(Duration::from_millis(2500), true);
    /// assert_eq!(sql, ["SET LOCAL lock_timeout = '2500ms'"]);
    /// ```
    pub fn lock_timeout_statements(self, timeout: Duration, local: bool) -> Vec<String> {
        of(self).lock_timeout_statements(timeout, local)
    }

    /// The query that returns the current session's id (`pg_backend_pid()`, `CONNECTION_ID()`),
    /// which [`Dialect::cancel_statement`] takes; `None` on SQLite, which cancels in process.
    pub fn session_id_query(self) -> Option<&'static str> {
        of(self).session_id_query()
    }

    /// The statement that, run from another connection, cancels the statement session `id` is
    /// running (`pg_cancel_backend`, `KILL QUERY`); `None` on SQLite.
    pub fn cancel_statement(self, id: i64) -> Option<String> {
        of(self).cancel_statement(id)
    }
}
