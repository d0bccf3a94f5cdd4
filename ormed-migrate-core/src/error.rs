//! `MigrationError`: every way a migration run can fail, each message naming the migration, the
//! statement and the database's own words where there are some, and what to do next.

use crate::backend::IdentifierError;
use crate::descriptor::{Direction, SourceLocation};
use crate::dialect::Dialect;
use crate::id::{MigrationId, MigrationIdError};

/// The error type of every fallible operation in `ormed-migrate`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// A string is not a migration id.
    #[error(transparent)]
    InvalidId(#[from] MigrationIdError),

    /// Two migrations share one id.
    #[error(
        "migration id {id} is defined twice: at {first} and at {second}; give one of them a new \
         id (`make:migration <name>` writes a file with a fresh timestamp)"
    )]
    DuplicateId {
        /// The shared id.
        id: MigrationId,
        /// One definition.
        first: SourceLocation,
        /// The other.
        second: SourceLocation,
    },

    /// `build_migrations()` found nothing registered.
    #[error(
        "no migrations are linked into this binary. Migrations in this crate's src/migrations/ \
         need `ormed_migrate_build::compile_migrations()` in build.rs; migrations in another \
         crate are only linked when the binary names that crate: write \
         `ormed_migrate::run!(my_migrations)` (or `use my_migrations as _;`)"
    )]
    NoMigrations,

    /// A URL whose scheme is not a supported database.
    #[error(
        "unsupported database URL `{url}`: use sqlite://path.db, sqlite::memory:, \
         postgres://user@host/db or mysql://user@host/db (mariadb:// works too)"
    )]
    UnsupportedUrl {
        /// The URL with any password masked.
        url: String,
    },

    /// The database could not be reached or opened.
    #[error("could not connect to {url}: {reason}; {advice}")]
    Connect {
        /// The URL with any password masked.
        url: String,
        /// What went wrong, in the database's or the driver's words (any password masked).
        reason: String,
        /// What to check, for this kind of failure.
        advice: String,
    },

    /// A query of the runner's own (ledger, introspection) failed.
    #[error(
        "{context}: {}{}",
        database_message(source),
        environment_advice(source)
    )]
    Database {
        /// What was being done.
        context: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A ledger table name that is not a valid identifier.
    #[error("invalid migration ledger table name: {0}")]
    InvalidTableName(IdentifierError),

    /// `SqlMigrationLedger::managed` was given a connection name the manager does not have.
    #[error("no connection named `{name}` is registered; registered: {registered}")]
    UnknownConnection {
        /// The requested name.
        name: String,
        /// The names that exist.
        registered: String,
    },

    /// A migration's plan cannot be turned into SQL.
    #[error("migration {id} ({direction}) cannot be rendered for {dialect}: {message}")]
    Render {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The target database.
        dialect: Dialect,
        /// What is wrong.
        message: String,
    },

    /// A statement of a migration failed.
    #[error(
        "migration {id} failed ({direction}) at statement {number} of {total}:\n    {statement}\n\
         {dialect} said: {}\n{outcome}",
        database_message(source)
    )]
    StatementFailed {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The statement that failed.
        statement: String,
        /// Its position, from 1.
        number: usize,
        /// How many statements the migration has.
        total: usize,
        /// The database.
        dialect: Dialect,
        /// What state the database is left in and what to do next.
        outcome: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// An applied migration's code changed.
    #[error(
        "Migration {id} checksum doesn't match recorded value: recorded {recorded}, code has \
         {current} ({source_location}). The migration was edited after it was applied. Either \
         revert the changes to the migration, or put the changes in a new migration \
         (`make:migration <name>`); if the edit is intended and the schema already matches, \
         accept it after review with `migrate:repair {id} --applied`. Nothing was run."
    )]
    ChecksumMismatch {
        /// The migration.
        id: MigrationId,
        /// The checksum in the ledger.
        recorded: String,
        /// The checksum of the code.
        current: String,
        /// Where the migration is defined.
        source_location: SourceLocation,
    },

    /// The ledger lists migrations that this binary does not contain.
    #[error(
        "the database has applied migrations that this binary does not contain: {}. Deploy \
         a build that includes them (or link the crate that defines them). Nothing was run.",
        join(ids)
    )]
    MissingFromCode {
        /// The missing ids.
        ids: Vec<MigrationId>,
    },

    /// A pending migration is older than the newest applied one and strict order is on.
    #[error(
        "migration {id} is pending but older than the newest applied migration {newest}; strict \
         order is on, so nothing was run. Give it a newer id, or run without strict order"
    )]
    OutOfOrder {
        /// The pending migration.
        id: MigrationId,
        /// The newest applied migration.
        newest: MigrationId,
    },

    /// `apply_one` on a migration that is applied.
    #[error(
        "Migration {id} has already been applied. Use `migrate:status` to check applied \
         migrations; roll it back first if you need to re-run it"
    )]
    AlreadyApplied {
        /// The migration.
        id: MigrationId,
    },

    /// `rollback_one` on a migration that is not applied.
    #[error("Migration {id} has not been applied, so there is nothing to roll back")]
    NotApplied {
        /// The migration.
        id: MigrationId,
    },

    /// An id that neither the code nor the ledger knows.
    #[error("Migration {id} is not defined in this binary; `migrate:status` lists the known ones")]
    UnknownMigration {
        /// The requested id.
        id: MigrationId,
    },

    /// Rolling back a migration without a `down`.
    #[error(
        "Migration {id} cannot be rolled back: it has no down() ({source_location}). Write its \
         down(), or undo it with a new migration. Nothing was rolled back."
    )]
    Irreversible {
        /// The migration.
        id: MigrationId,
        /// Where it is defined.
        source_location: SourceLocation,
    },

    /// Rolling back a migration that is applied but not in the code.
    #[error(
        "Migration {id} is applied but not defined in this binary, so its down() is unknown; \
         deploy a build that contains it to roll it back. Nothing was rolled back."
    )]
    RollbackMissing {
        /// The migration.
        id: MigrationId,
    },

    /// The ledger records a migration that failed part way and could not be undone.
    #[error(
        "Migration {id} failed part way on an earlier run ({direction}) and {dialect} could not \
         undo its partial changes, so nothing runs until that is resolved. Inspect the schema, \
         then {}",
        repair_advice(id, *direction)
    )]
    PartiallyApplied {
        /// The migration.
        id: MigrationId,
        /// Which way it was running.
        direction: Direction,
        /// The database.
        dialect: Dialect,
    },

    /// A row of the ledger that cannot be read: an id that is not a migration id, a NULL, a
    /// value of the wrong kind.
    #[error(
        "the migration ledger table {table} has a row that cannot be read: the row with id \
         {stored_id:?}, column `{column}`: {problem}. {}",
        bad_row_advice(stored_id, column)
    )]
    LedgerRow {
        /// The ledger table.
        table: String,
        /// The row's id exactly as stored (`"?"` when even the id cannot be read).
        stored_id: String,
        /// The column whose value is wrong.
        column: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    /// Two rows of the ledger record the same migration (its canonical and its legacy spelling).
    #[error(
        "the migration ledger table {table} has two rows for migration {id}: {first:?} and \
         {second:?}. Leave one: `migrate:repair {id} --applied` keeps a single applied row if \
         its changes are in the schema, `migrate:repair {id} --rolled-back` removes both if not."
    )]
    DuplicateLedgerRows {
        /// The ledger table.
        table: String,
        /// The migration.
        id: MigrationId,
        /// One stored id.
        first: String,
        /// The other.
        second: String,
    },

    /// A table with the ledger's name that is not a ledger (another tool's `migrations` table).
    #[error(
        "the table {table} is not an ormed-migrate migration ledger: {differences}. It may \
         belong to another tool (Laravel keeps a `migrations` table, Rails \
         `schema_migrations`). Leave it alone and give ormed-migrate a ledger of its own with \
         `--table <name>` (the default is orm_migrations). Nothing was changed."
    )]
    LedgerShape {
        /// The table.
        table: String,
        /// Which columns are missing or extra.
        differences: String,
    },

    /// The ledger was written by a newer version, in a format this one does not know.
    #[error(
        "the migration ledger table {table} was written by a newer version of ormed-migrate \
         (ledger format {format}; this version knows formats up to {supported}), so it is not \
         read, rather than misread. Run the newer version, or upgrade ormed-migrate in this \
         application. Nothing was changed."
    )]
    NewerLedger {
        /// The ledger table.
        table: String,
        /// The format it records.
        format: u32,
        /// The newest format this version knows.
        supported: u32,
    },

    /// A ledger row to forget, given exactly as stored, that the ledger does not have.
    #[error("the migration ledger table {table} has no row with id {stored_id:?}")]
    NoLedgerRow {
        /// The ledger table.
        table: String,
        /// The id as given.
        stored_id: String,
    },

    /// `migrate:repair <id>` without saying how the migration was resolved.
    #[error(
        "say how migration {id} was resolved: `migrate:repair {id} --applied` if its changes are \
         in the schema, `migrate:repair {id} --rolled-back` if they are not"
    )]
    RepairNeedsChoice {
        /// The migration.
        id: MigrationId,
    },

    /// `migrate:repair <id> --rolled-back` on a migration that is applied and matches its code.
    #[error(
        "Migration {id} is applied and matches its code, so there is nothing to repair; to undo \
         it, roll it back (`migrate:rollback`), which runs its down()"
    )]
    RepairNotNeeded {
        /// The migration.
        id: MigrationId,
    },

    /// A new migration file could not be written.
    #[error("could not write the migration file {path}: {message}")]
    MigrationFile {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },

    /// `rollback().batch(n)` for a batch the ledger does not have.
    #[error("there is no batch {batch} in the ledger; its batches are: {batches:?}")]
    UnknownBatch {
        /// The requested batch.
        batch: i64,
        /// The batches that exist.
        batches: Vec<i64>,
    },

    /// The runner's driver and its ledger's driver point at different databases.
    #[error(
        "the runner migrates {runner} but its ledger is on {ledger}; give both the same driver \
         (the ledger must live in the database it describes)"
    )]
    LedgerElsewhere {
        /// The runner's database (password masked).
        runner: String,
        /// The ledger's database (password masked).
        ledger: String,
    },

    /// Another runner held the migration lock for longer than the timeout.
    #[error(
        "another migration run holds the migration lock of this database; waited {waited:?}. \
         Let it finish, then run again (a runner that died releases the lock by itself)"
    )]
    LockTimeout {
        /// How long this runner waited.
        waited: std::time::Duration,
    },

    /// A statement that cannot run inside a transaction, in a transactional migration.
    #[error(
        "migration {id} uses `{statement}`, which {dialect} cannot run inside a transaction; add \
         the option: #[migration(\"{id}\", no_transaction)]"
    )]
    NeedsNoTransaction {
        /// The migration.
        id: MigrationId,
        /// The statement.
        statement: String,
        /// The database.
        dialect: Dialect,
    },
}

fn join(ids: &[MigrationId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

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
pub fn repair_advice(id: &MigrationId, direction: Direction) -> String {
    match direction {
        Direction::Up => format!(
            "either finish its changes by hand and run `migrate:repair {id} --applied` (it is \
             recorded as applied), or undo what it changed and run `migrate:repair {id} \
             --rolled-back` (it is pending again)"
        ),
        Direction::Down => format!(
            "either finish the rollback by hand (remove what its down() had still to remove) and \
             run `migrate:repair {id} --rolled-back` (it is pending again), or restore what its \
             down() removed and run `migrate:repair {id} --applied` (it stays applied)"
        ),
    }
}

/// What to do about an unreadable ledger row.
fn bad_row_advice(stored_id: &str, column: &str) -> String {
    let shown = shell_quoted(stored_id);
    if column == "id" {
        return format!(
            "Only ormed-migrate writes this table, so the row was added by hand or by another \
             tool. Remove it with `migrate:repair {shown} --rolled-back` (this deletes that \
             ledger row and runs nothing), or correct its id in the table."
        );
    }
    format!(
        "Correct the value in the table by hand, or rewrite the row: `migrate:repair {shown} \
         --applied` if the migration's changes are in the schema, `migrate:repair {shown} \
         --rolled-back` if they are not."
    )
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
        5 | 6 => Some(format!(
            "The database is locked: another connection held a write lock on it for the whole \
             busy timeout ({} s). Find what keeps a write transaction open on this file (an \
             application, a sqlite3 shell), let it finish, then run again.",
            crate::driver::SQLITE_BUSY_TIMEOUT.as_secs()
        )),
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
fn environment_advice(error: &sqlx::Error) -> String {
    environment_problem(error).map_or_else(String::new, |problem| format!(". {problem}"))
}

impl MigrationError {
    /// A [`MigrationError::Database`]: `context` says what was being done.
    pub fn database(context: impl Into<String>, source: sqlx::Error) -> MigrationError {
        MigrationError::Database {
            context: context.into(),
            source: Box::new(source),
        }
    }
}
