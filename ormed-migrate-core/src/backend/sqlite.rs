//! SQLite: dynamic typing with affinities; `INTEGER PRIMARY KEY AUTOINCREMENT` for ids;
//! transactional DDL; `VACUUM` refused inside a transaction; no schemas, no column comments.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;

use super::{
    Backend, Capabilities, ColumnChange, LedgerTypes, TimesInText, common_type, database_code,
};
use crate::dialect::Dialect;
use crate::error::{LockError, MigrationError};
use crate::lock::Wait;
use crate::schema::{ColumnDefinition, ColumnType, DefaultValue};
use crate::sql::lexer::{BeginBody, Lexicon, SqlText, Statement as Words};
use crate::wipe::ObjectKind;

pub(crate) struct Sqlite;

impl Backend for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            transactional_ddl: true,
            schemas: false,
            column_comments: false,
            case_insensitive_identifiers: true,
        }
    }

    fn quote_char(&self) -> char {
        '"'
    }

    fn schema_objects_query(&self) -> &'static str {
        // Virtual tables first: dropping one drops its shadow tables, listed here too.
        "SELECT CASE type WHEN 'view' THEN 'view' ELSE 'table' END, name FROM sqlite_master \
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY type = 'table', coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%', rowid"
    }

    fn drop_objects(&self, kind: ObjectKind, names: &[String]) -> Vec<String> {
        // SQLite drops one object per statement.
        names
            .iter()
            .map(|name| format!("DROP {} IF EXISTS {name}", kind.keyword()))
            .collect()
    }

    fn foreign_key_checks(&self) -> Option<(&'static str, &'static str)> {
        Some(("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"))
    }

    fn column_type(&self, column: &ColumnDefinition) -> String {
        if let Some(common) = common_type(column.column_type) {
            return common;
        }
        match column.column_type {
            ColumnType::Increments
            | ColumnType::BigIncrements
            | ColumnType::Integer
            | ColumnType::BigInteger
            | ColumnType::SmallInteger => "INTEGER",
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Decimal(precision, scale) => {
                return format!("NUMERIC({precision}, {scale})");
            }
            ColumnType::Float | ColumnType::Double => "REAL",
            ColumnType::Time => "TIME",
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME",
            ColumnType::Json => "TEXT",
            ColumnType::Uuid => "VARCHAR(36)",
            ColumnType::Binary => "BLOB",
            ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text | ColumnType::Date => {
                unreachable!("handled by common_type")
            }
        }
        .to_owned()
    }

    fn auto_increment(&self, _column: &ColumnDefinition) -> String {
        // Only `INTEGER PRIMARY KEY` aliases the rowid; AUTOINCREMENT forbids id reuse.
        "INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_owned()
    }

    fn boolean(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }

    fn change_column(&self, _change: &ColumnChange<'_>) -> Option<Vec<String>> {
        None
    }

    fn adds_in_place(&self, column: &ColumnDefinition) -> bool {
        // ALTER TABLE ADD COLUMN takes neither a key nor a non-constant default, and a NOT NULL
        // column needs a default for the rows already there; a rebuild does the rest (and,
        // like PostgreSQL, fails only when rows lack a value).
        let constant = match &column.default {
            None => column.nullable,
            Some(DefaultValue::Null) => column.nullable,
            Some(DefaultValue::CurrentTimestamp | DefaultValue::Raw(_)) => false,
            Some(_) => true,
        };
        !column.column_type.is_auto_increment() && constant
    }

    fn drop_column(&self, _table: &str, _column: &str) -> Option<String> {
        // In place only when no index, key or foreign key uses it: the live table decides.
        None
    }

    fn add_foreign(&self, _table: &str, _constraint: &str) -> Option<String> {
        None
    }

    fn drop_index(&self, _table: &str, index: &str) -> String {
        format!("DROP INDEX {index}")
    }

    fn rename_index(&self, _table: &str, _from: &str, _to: &str) -> Option<String> {
        // No ALTER INDEX: dropped and created again from its definition in the live schema.
        None
    }

    fn drop_foreign(&self, _table: &str, _name: &str) -> Option<String> {
        None
    }

    fn add_primary(&self, _table: &str, _name: &str, _columns: &str) -> Option<String> {
        None
    }

    fn drop_primary(&self, _table: &str, _name: &str) -> Option<String> {
        None
    }

    fn lexicon(&self) -> Lexicon {
        Lexicon {
            hash_comments: false,
            dash_comments_need_space: false,
            carriage_return_ends_comment: false,
            nested_block_comments: false,
            executable_comments: false,
            backslash_escapes: false,
            backtick_identifiers: true,
            bracket_identifiers: true,
            dollar_quotes: false,
            literal_prefixes: &["X"],
            escape_string_prefix: None,
            unicode_prefix: false,
            charset_introducers: false,
            routine_kinds: &["TRIGGER"],
            begin_body: BeginBody::AfterHeader,
            begin_atomic_body: false,
            begin_not_atomic_block: false,
        }
    }

    fn refuses_in_transaction(&self, statement: &Words) -> bool {
        // PRAGMA foreign_keys is a silent no-op inside a transaction: refused there, so that a
        // migration never believes it switched keys off.
        statement.first_word() == Some("VACUUM")
            || (statement.first_word() == Some("PRAGMA") && statement.has_word("FOREIGN_KEYS"))
    }

    fn raw_failure_changes_nothing(&self, text: &SqlText) -> bool {
        // One statement fails as a whole; several run one by one and may stop half way.
        text.is_single_statement() && !text.is_unterminated()
    }

    fn ledger_types(&self) -> LedgerTypes {
        LedgerTypes {
            // RFC 3339 text in UTC: SQLite has no date type.
            timestamp: "TEXT",
            big_integer: "INTEGER",
        }
    }

    fn placeholder(&self, _n: usize) -> String {
        "?".to_owned()
    }

    fn ledger_times_in_text(&self, started: DateTime<Utc>) -> Option<TimesInText> {
        // SQLite's `'now'` is this process's clock, to the millisecond; the time is RFC 3339
        // text in UTC, as sqlx binds a `DateTime<Utc>`.
        let since = started.format("%Y-%m-%dT%H:%M:%S%.3fZ");
        Some(TimesInText {
            applied_at: "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')".to_owned(),
            execution_ms: format!(
                "MAX(0, CAST(ROUND((julianday('now') - julianday('{since}')) * 86400000) AS \
                 INTEGER))"
            ),
        })
    }

    fn table_exists_query(&self) -> &'static str {
        "SELECT COUNT(*) FROM sqlite_master WHERE ?1 IS NULL AND type = 'table' AND name = ?2"
    }

    fn column_names_query(&self) -> &'static str {
        "SELECT name FROM pragma_table_info(?2) WHERE ?1 IS NULL ORDER BY cid"
    }

    fn lock_timeout_statements(&self, timeout: Duration, _local: bool) -> Vec<String> {
        // The busy timeout bounds every wait for another connection's write lock.
        vec![format!(
            "PRAGMA busy_timeout = {}",
            timeout.as_millis().max(1)
        )]
    }

    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool {
        // SQLITE_BUSY or SQLITE_LOCKED after the busy timeout, in any extended form.
        database_code(error)
            .and_then(|code| code.parse::<u32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6))
    }

    fn session_id_query(&self) -> Option<&'static str> {
        None
    }

    fn namespace_query(&self) -> Option<&'static str> {
        None
    }

    fn return_to_namespace(&self, _namespace: &str) -> Option<String> {
        None
    }

    fn cancel_statement(&self, _id: i64) -> Option<String> {
        // Cancelled in process, through the connection's progress handler.
        None
    }
}

// ---------------------------------------------------------------------------- the migration lock

/// Takes the advisory lock on the file beside the database, polling; the OS releases it when the
/// process dies. One lock per database file: SQLite allows a single writer whatever the ledger.
pub(crate) async fn lock_file(
    pool: &SqlitePool,
    wait: &mut Wait<'_>,
) -> Result<File, MigrationError> {
    let path = lock_path(pool);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_lock_error(&path, e))?;
    loop {
        match file.try_lock() {
            // A note left by an earlier runner is not this one's.
            Ok(()) => {
                return note(&file, "")
                    .map(|()| file)
                    .map_err(|e| io_lock_error(&path, e));
            }
            Err(TryLockError::WouldBlock) => wait.again().await?,
            Err(TryLockError::Error(e)) => return Err(io_lock_error(&path, e)),
        }
    }
}

/// Whether a runner holds the file lock (trying it without waiting, and letting go at once), and
/// what it noted in the file that it is running.
pub(crate) fn file_lock_holder(
    pool: &SqlitePool,
) -> Result<Option<Option<String>>, MigrationError> {
    let path = lock_path(pool);
    let file = match OpenOptions::new().read(true).write(true).open(&path) {
        Ok(file) => file,
        // No lock file: no runner has ever locked this database.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_lock_error(&path, e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(None),
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            // The lock is advisory: reading the file is allowed while another process holds it.
            (&file)
                .read_to_string(&mut text)
                .map_err(|e| io_lock_error(&path, e))?;
            Ok(Some(Some(text).filter(|t| !t.is_empty())))
        }
        Err(TryLockError::Error(e)) => Err(io_lock_error(&path, e)),
    }
}

/// Writes what the runner is running into its lock file, replacing the last note; no sync, since
/// the note only matters while the process that wrote it lives.
pub(crate) fn note(file: &File, note: &str) -> std::io::Result<()> {
    file.set_len(0)?;
    let mut writer = file;
    writer.seek(SeekFrom::Start(0))?;
    writer.write_all(note.as_bytes())
}

/// `<database>.migrate-lock`, from the canonical path so that runners reaching one file through
/// different paths (relative, symlinked) share one lock.
fn lock_path(pool: &SqlitePool) -> PathBuf {
    let database = pool.connect_options().get_filename().to_path_buf();
    let database = database.canonicalize().unwrap_or(database);
    beside(&database)
}

fn beside(database: &Path) -> PathBuf {
    let mut lock = database.as_os_str().to_owned();
    lock.push(".migrate-lock");
    PathBuf::from(lock)
}

fn io_lock_error(path: &Path, error: std::io::Error) -> MigrationError {
    LockError::File {
        path: path.to_owned(),
        source: error,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_sqlite_refuses_or_ignores_in_a_transaction_needs_no_transaction() {
        let refused = |sql: &str| {
            SqlText::lex(sql, Dialect::Sqlite)
                .statements()
                .iter()
                .any(|s| Sqlite.refuses_in_transaction(s))
        };
        assert!(refused("VACUUM"));
        assert!(refused("PRAGMA foreign_keys = OFF"));
        assert!(refused("pragma main.foreign_keys=1"));
        assert!(!refused("PRAGMA foreign_key_check"));
        assert!(!refused("SELECT 'PRAGMA foreign_keys = OFF'"));
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(
            beside(Path::new("/tmp/app.db")),
            PathBuf::from("/tmp/app.db.migrate-lock")
        );
    }
}
