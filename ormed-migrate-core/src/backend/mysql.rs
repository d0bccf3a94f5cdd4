//! MySQL and MariaDB: backtick quoting, `UNSIGNED`, `AUTO_INCREMENT`, inline comments,
//! backslash escapes in string literals, and DDL that commits on its own (no transactional DDL).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::mysql::MySqlPool;
use sqlx::{Connection, MySqlConnection};

use super::{Backend, Capabilities, ColumnChange, LedgerTypes, TimesInText, common_type};
use crate::checksum::sha256_hex;
use crate::dialect::Dialect;
use crate::error::MigrationError;
use crate::lock::{Wait, lock_error, lock_name};
use crate::schema::{ColumnDefinition, ColumnType};
use crate::sql::lexer::{BeginBody, Lexicon, SqlText, Statement as Words};
use crate::waits::{LockWait, blocker, lock_wait_of};

pub(crate) struct MySql;

impl Backend for MySql {
    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            transactional_ddl: false,
            schemas: false,
            column_comments: true,
            case_insensitive_identifiers: true,
        }
    }

    fn drop_column_narrows_indexes(&self) -> bool {
        true
    }

    fn refuses_foreign_keys_between_integer_widths(&self) -> bool {
        true
    }

    fn refuses_foreign_keys_on_text(&self) -> bool {
        true
    }

    fn schema_objects_query(&self) -> &'static str {
        "SELECT CASE table_type WHEN 'VIEW' THEN 'view' WHEN 'SEQUENCE' THEN 'sequence' \
         ELSE 'table' END, CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = DATABASE() ORDER BY table_name"
    }

    fn foreign_key_checks(&self) -> Option<(&'static str, &'static str)> {
        Some(("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"))
    }

    fn quote_char(&self) -> char {
        '`'
    }

    fn column_type(&self, column: &ColumnDefinition) -> String {
        if let Some(common) = common_type(column.column_type) {
            return common;
        }
        let base = match column.column_type {
            ColumnType::Increments | ColumnType::Integer => "INT",
            ColumnType::BigIncrements | ColumnType::BigInteger => "BIGINT",
            ColumnType::SmallInteger => "SMALLINT",
            ColumnType::Boolean => "TINYINT(1)",
            ColumnType::Decimal(precision, scale) => {
                return format!("DECIMAL({precision}, {scale})");
            }
            ColumnType::Float => "FLOAT",
            ColumnType::Double => "DOUBLE",
            ColumnType::Time => "TIME",
            // DATETIME, not TIMESTAMP: no implicit defaults, no time-zone conversion, no 2038 limit.
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME",
            ColumnType::Json => "JSON",
            ColumnType::Uuid => "CHAR(36)",
            ColumnType::Binary => "BLOB",
            ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text | ColumnType::Date => {
                unreachable!("handled by common_type")
            }
        };
        let integer = matches!(
            column.column_type,
            ColumnType::Increments
                | ColumnType::BigIncrements
                | ColumnType::Integer
                | ColumnType::BigInteger
                | ColumnType::SmallInteger
        );
        if integer && (column.unsigned || column.column_type.is_auto_increment()) {
            format!("{base} UNSIGNED")
        } else {
            base.to_owned()
        }
    }

    fn auto_increment(&self, column: &ColumnDefinition) -> String {
        let mut sql = format!(
            "{} NOT NULL AUTO_INCREMENT PRIMARY KEY",
            self.column_type(column)
        );
        // The shared column renderer adds inline comments to other columns only.
        if let Some(comment) = column
            .comment
            .as_deref()
            .and_then(|c| self.inline_comment(c))
        {
            sql.push(' ');
            sql.push_str(&comment);
        }
        sql
    }

    fn boolean(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }

    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn inline_comment(&self, comment: &str) -> Option<String> {
        Some(format!("COMMENT {}", self.string_literal(comment)))
    }

    fn rename_table(&self, from: &str, to: &str) -> String {
        format!("RENAME TABLE {from} TO {to}")
    }

    fn change_column(&self, change: &ColumnChange<'_>) -> Option<Vec<String>> {
        // MODIFY states the whole column, so what is not restated is removed.
        Some(vec![format!(
            "ALTER TABLE {} MODIFY COLUMN {}",
            change.table, change.full
        )])
    }

    fn drop_index(&self, table: &str, index: &str) -> String {
        format!("DROP INDEX {index} ON {table}")
    }

    fn rename_index(&self, table: &str, from: &str, to: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} RENAME INDEX {from} TO {to}"))
    }

    fn drop_foreign(&self, table: &str, name: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} DROP FOREIGN KEY {name}"))
    }

    fn foreign_key_leaves_index(&self) -> bool {
        true
    }

    fn add_primary(&self, table: &str, _name: &str, columns: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} ADD PRIMARY KEY ({columns})"))
    }

    fn drop_primary(&self, table: &str, _name: &str) -> Option<String> {
        Some(format!("ALTER TABLE {table} DROP PRIMARY KEY"))
    }

    fn lexicon(&self) -> Lexicon {
        Lexicon {
            hash_comments: true,
            dash_comments_need_space: true,
            carriage_return_ends_comment: false,
            nested_block_comments: false,
            executable_comments: true,
            // The default `sql_mode`, without NO_BACKSLASH_ESCAPES.
            backslash_escapes: true,
            backtick_identifiers: true,
            bracket_identifiers: false,
            dollar_quotes: false,
            literal_prefixes: &["X", "B", "N"],
            escape_string_prefix: None,
            unicode_prefix: false,
            charset_introducers: true,
            routine_kinds: &["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"],
            begin_body: BeginBody::AfterHeaderAndNested,
            begin_atomic_body: false,
            begin_not_atomic_block: true,
        }
    }

    fn refuses_in_transaction(&self, _statement: &Words) -> bool {
        // Nothing is refused: DDL commits the open transaction implicitly instead.
        false
    }

    fn raw_failure_changes_nothing(&self, _text: &SqlText) -> bool {
        // A raw statement may hold several statements that MySQL runs one by one, or stop half
        // way (`DROP TABLE a, b` drops `a` when `b` is missing): never assume nothing changed.
        false
    }

    fn ledger_types(&self) -> LedgerTypes {
        LedgerTypes {
            // DATETIME(6) holds the UTC value as written: no session time-zone conversion.
            timestamp: "DATETIME(6)",
            big_integer: "BIGINT",
        }
    }

    fn placeholder(&self, _n: usize) -> String {
        "?".to_owned()
    }

    fn fits_in_text(&self, statement: &Words) -> bool {
        // A procedure answers with a result per `SELECT` it runs, besides its own.
        !matches!(statement.first_word(), Some("CALL" | "EXECUTE"))
    }

    fn ledger_times_in_text(&self, _started: DateTime<Utc>) -> Option<TimesInText> {
        // The failure mark is written on its own before the statements, and cleared with the
        // duration measured here.
        None
    }

    fn table_exists_query(&self) -> &'static str {
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?"
    }

    fn column_names_query(&self) -> &'static str {
        "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
         WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? \
         ORDER BY ordinal_position"
    }

    fn lock_timeout_statements(&self, timeout: Duration, _local: bool) -> Vec<String> {
        // Both count whole seconds (at least 1); round up so the wait is never shorter.
        let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        let seconds = seconds.max(1);
        vec![format!(
            "SET SESSION lock_wait_timeout = {seconds}, innodb_lock_wait_timeout = {seconds}"
        )]
    }

    fn is_lock_timeout(&self, error: &sqlx::Error) -> bool {
        // ER_LOCK_WAIT_TIMEOUT, for row locks (innodb_lock_wait_timeout) and metadata locks
        // (lock_wait_timeout) alike.
        error
            .as_database_error()
            .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
            .is_some_and(|mysql| mysql.number() == 1205)
    }

    fn session_id_query(&self) -> Option<&'static str> {
        Some("SELECT CAST(CONNECTION_ID() AS SIGNED)")
    }

    fn namespace_query(&self) -> Option<&'static str> {
        Some("SELECT DATABASE()")
    }

    fn return_to_namespace(&self, namespace: &str) -> Option<String> {
        Some(format!(
            "USE {}",
            Dialect::MySql.quote_identifier(namespace).ok()?
        ))
    }

    fn cancel_statement(&self, id: i64) -> Option<String> {
        Some(format!("KILL QUERY {id}"))
    }
}

// ---------------------------------------------------------------------------- the migration lock

/// Takes `GET_LOCK` for `ledger_table` on a connection of its own: the lock belongs to the
/// connection, so it must never go back to a pool.
pub(crate) async fn lock(
    pool: &MySqlPool,
    ledger_table: &str,
    wait: &mut Wait<'_>,
) -> Result<(MySqlConnection, String), MigrationError> {
    let mut connection = MySqlConnection::connect_with(&pool.connect_options())
        .await
        .map_err(|e| lock_error("could not open a connection for the migration lock", e))?;
    let name = lock_name_of(&mut connection, ledger_table).await?;
    // First up to the notice, then the rest: the wait is announced in between.
    if get_lock(&mut connection, &name, wait.until_notice()).await? {
        return Ok((connection, name));
    }
    if wait.remaining().is_zero() {
        return Err(wait.timed_out());
    }
    wait.announce_now();
    if get_lock(&mut connection, &name, wait.remaining()).await? {
        return Ok((connection, name));
    }
    Err(wait.timed_out())
}

/// `GET_LOCK(name, seconds)`: whether it was taken within `timeout`.
async fn get_lock(
    connection: &mut MySqlConnection,
    name: &str,
    timeout: std::time::Duration,
) -> Result<bool, MigrationError> {
    // GET_LOCK counts seconds, fractions allowed since MariaDB 10.0 and MySQL 5.7.
    let acquired: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
        .bind(name)
        .bind(timeout.as_secs_f64())
        .fetch_one(connection)
        .await
        .map_err(|e| lock_error("could not take the migration lock", e))?;
    match acquired {
        Some(taken) => Ok(taken == 1),
        // NULL: the server could not take the lock at all (out of memory, killed thread).
        None => Err(lock_error(
            "could not take the migration lock",
            sqlx::Error::Protocol("GET_LOCK returned NULL".into()),
        )),
    }
}

pub(crate) async fn unlock(
    connection: &mut MySqlConnection,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT RELEASE_LOCK(?)")
        .bind(name)
        .execute(connection)
        .await
        .map(drop)
}

/// Whether some connection holds the lock of `ledger_table` (`IS_USED_LOCK` names it).
pub(crate) async fn lock_is_held(
    connection: &mut MySqlConnection,
    ledger_table: &str,
) -> Result<bool, MigrationError> {
    let name = lock_name_of(connection, ledger_table).await?;
    let holder: Option<i64> = sqlx::query_scalar("SELECT IS_USED_LOCK(?)")
        .bind(&name)
        .fetch_one(connection)
        .await
        .map_err(|e| lock_error("could not look at the migration lock", e))?;
    Ok(holder.is_some())
}

/// The `GET_LOCK` name of `ledger_table` in the connection's database.
async fn lock_name_of(
    connection: &mut MySqlConnection,
    ledger_table: &str,
) -> Result<String, MigrationError> {
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(connection)
        .await
        .map_err(|e| lock_error("could not read the database name", e))?;
    Ok(bounded(lock_name(
        &database.unwrap_or_default(),
        ledger_table,
    )))
}

/// At most 64 characters, as MySQL requires of lock names.
fn bounded(name: String) -> String {
    if name.len() <= 64 {
        name
    } else {
        format!("ormed-migrate:{}", &sha256_hex(name.as_bytes())[..40])
    }
}

// --------------------------------------------------------------------------- statement lock waits

/// What connection `session` waits for, asked from another connection while it waits. MariaDB
/// and MySQL do not say who holds a metadata lock without extra instrumentation, so the
/// blockers are the other connections with an open transaction (one of them holds it), with
/// what they run.
pub(crate) async fn lock_wait(pool: &MySqlPool, session: i64) -> Result<LockWait, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    let rows: Vec<(u64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT CAST(t.trx_mysql_thread_id AS UNSIGNED), CAST(p.COMMAND AS CHAR), \
         CAST(COALESCE(t.trx_query, p.INFO) AS CHAR) \
         FROM information_schema.INNODB_TRX t \
         LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
         WHERE t.trx_mysql_thread_id <> ? ORDER BY t.trx_started",
    )
    .bind(session)
    .fetch_all(&mut *connection)
    .await?;
    let blockers = rows
        .into_iter()
        .map(|(id, command, query)| {
            let state = command.map(|c| format!("{c}, in a transaction"));
            blocker(i64::try_from(id).unwrap_or(i64::MAX), query, state)
        })
        .collect();
    Ok(lock_wait_of(None, blockers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names_are_stable_and_bounded() {
        assert_eq!(
            bounded(lock_name("app", "orm_migrations")),
            "ormed-migrate:app:orm_migrations"
        );
        assert!(bounded(lock_name(&"d".repeat(60), "orm_migrations")).len() <= 64);
    }
}
