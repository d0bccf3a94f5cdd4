//! `MigrationError`: every way a migration run can fail, each message naming the migration, the
//! statement and the database's own words where there are some, and what to do next.

use crate::descriptor::{Direction, SourceLocation};
use crate::dialect::{Dialect, IdentifierError};
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
    #[error(
        "could not connect to {url}: {}; check that the server is running and that the URL, \
         user and database are right",
        database_message(source)
    )]
    Connect {
        /// The URL with any password masked.
        url: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A query of the runner's own (ledger, introspection) failed.
    #[error("{context}: {}", database_message(source))]
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
         finish or undo the migration's changes by hand, then mark it resolved with \
         `migrate:repair {id} --applied` (finished) or `migrate:repair {id} --rolled-back` \
         (undone)."
    )]
    PartiallyApplied {
        /// The migration.
        id: MigrationId,
        /// Which way it was running.
        direction: Direction,
        /// The database.
        dialect: Dialect,
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
        return error.to_string();
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

impl MigrationError {
    /// A [`MigrationError::Database`]: `context` says what was being done.
    pub fn database(context: impl Into<String>, source: sqlx::Error) -> MigrationError {
        MigrationError::Database {
            context: context.into(),
            source: Box::new(source),
        }
    }
}
