//! The words errors share: the database's own message, a configuration error said once, the
//! environment problems that are not the statement's fault, and the ways out worded for a
//! library caller (the CLI words them as its commands, from [`Hint`](super::Hint)s).

use crate::descriptor::Direction;

/// The database's own message where there is one (with PostgreSQL's detail and hint), else the
/// driver's description.
pub fn database_message(error: &sqlx::Error) -> String {
    let Some(db) = error.as_database_error() else {
        return match error {
            sqlx::Error::Configuration(_) => configuration_message(error),
            _ => error.to_string(),
        };
    };
    let mut message = db.message().to_owned();
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        for extra in [pg.detail(), pg.hint()].into_iter().flatten() {
            message.push_str(". ");
            message.push_str(extra);
        }
    }
    match db.code() {
        Some(code) => format!("{message} (code {code})"),
        None => message,
    }
}

/// A configuration error said once: sqlx wraps one configuration error in another, and each
/// layer's message starts with "error with configuration:".
pub fn configuration_message(error: &sqlx::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let text = innermost.to_string();
    let mut rest = text.as_str();
    while let Some(stripped) = rest.strip_prefix("error with configuration: ") {
        rest = stripped;
    }
    rest.to_owned()
}

/// The way out of a migration that stopped part way where the database could not undo it,
/// worded for its direction: after a failed `down`, "finished" means rolled back.
pub fn resolution(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => {
            "either finish its changes by hand and record it as applied, or undo what it changed \
             and record it as rolled back (pending again)"
        }
        Direction::Down => {
            "either finish the rollback by hand (remove what its down() had still to remove) and \
             record it as rolled back (pending again), or restore what its down() removed and \
             record it as applied"
        }
    }
}

/// `text` as one shell word: bare when it is safe, else in single quotes.
pub fn shell_quoted(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@".contains(c));
    if safe {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// When a statement failed because of where it ran rather than what it says (a read-only
/// SQLite file, a write lock held past the busy timeout, a read-only server), the fix.
pub fn environment_problem(error: &sqlx::Error) -> Option<String> {
    let db = error.as_database_error()?;
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        let code: u32 = db.code()?.parse().ok()?;
        return sqlite_environment_problem(code);
    }
    // PostgreSQL: out_of_memory, which a transaction past the lock table reports ("out of
    // shared memory"); a grouped batch is the likely one.
    if db.code().as_deref() == Some("53200") && db.message().contains("shared memory") {
        return Some(
            "The server's lock table is full: one transaction (a grouped batch, say) locked \
             more tables and indexes than max_locks_per_transaction × (max_connections + \
             max_prepared_transactions) allows. Apply fewer migrations per grouped batch \
             (--limit N), or without grouped mode, or raise max_locks_per_transaction and \
             restart the server."
                .to_owned(),
        );
    }
    let read_only_server = match db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_OPTION_PREVENTS_STATEMENT (--read-only), ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION.
        Some(mysql) => matches!(mysql.number(), 1290 | 1792),
        // PostgreSQL: read_only_sql_transaction (a hot standby, or default_transaction_read_only).
        None => db.code().as_deref() == Some("25006"),
    };
    read_only_server.then(|| {
        "The server accepts no writes (a read-only replica, or read-only mode): connect to the \
         primary, or lift read-only mode, and run again."
            .to_owned()
    })
}

fn sqlite_environment_problem(code: u32) -> Option<String> {
    // Primary result codes are the low byte of the extended code.
    match code & 0xff {
        // SQLITE_READONLY and its extended forms.
        8 => Some(
            "SQLite cannot write to the database: the file or its directory is read-only for \
             this process, or the URL opens it read-only (mode=ro, immutable=1). Make both the \
             file and its directory writable, then run again."
                .to_owned(),
        ),
        // SQLITE_BUSY, SQLITE_LOCKED.
        5 | 6 => Some(
            "The database is locked: another connection held a write lock on it for longer than \
             the lock timeout. Find what keeps a write transaction open on this file (an \
             application, a sqlite3 shell), let it finish, then run again."
                .to_owned(),
        ),
        // SQLITE_FULL.
        13 => Some(
            "The disk holding the database is full: free some space, then run again.".to_owned(),
        ),
        // SQLITE_CANTOPEN: usually the journal file beside the database cannot be created.
        14 => Some(
            "SQLite cannot create its journal file beside the database: make the database's \
             directory writable, then run again."
                .to_owned(),
        ),
        _ => None,
    }
}

/// [`environment_problem`] as a sentence to append to a message (empty when there is none).
pub(super) fn environment_advice(error: &sqlx::Error) -> String {
    environment_problem(error).map_or_else(String::new, |problem| format!(". {problem}"))
}
