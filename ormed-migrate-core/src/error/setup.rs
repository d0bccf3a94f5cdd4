//! Errors before any database work: ids, registrations, how the runner was put together, and
//! migration files.

use crate::backend::IdentifierError;
use crate::descriptor::SourceLocation;
use crate::id::{MigrationId, MigrationIdError};

/// Something is wrong before a database is involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// A string is not a migration id.
    #[error(transparent)]
    InvalidId(#[from] MigrationIdError),

    /// Two migrations share one id.
    #[error(
        "migration id {id} is defined twice: at {first} and at {second}; give one of them a new \
         id"
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
         `ormed_migrate::run!(my_migrations)` (or `use my_migrations as _;`). No migration \
         written yet? `make:migration <name>` writes the first"
    )]
    NoMigrations,

    /// A ledger table name that is not a valid identifier.
    #[error("invalid migration ledger table name: {0}")]
    InvalidTableName(#[source] IdentifierError),

    /// `SqlMigrationLedger::managed` was given a connection name the manager does not have.
    #[error("no connection named `{name}` is registered; registered: {registered}")]
    UnknownConnection {
        /// The requested name.
        name: String,
        /// The names that exist.
        registered: String,
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

    /// A new migration file could not be written.
    #[error("could not write the migration file {path}: {source}")]
    MigrationFile {
        /// The file or folder.
        path: String,
        /// The file system's reason.
        source: std::io::Error,
    },

    /// A migration with this name exists already.
    #[error("a migration named {name} already exists: {existing}; choose another name")]
    NameTaken {
        /// The name (slug).
        name: String,
        /// The existing files, comma-separated.
        existing: String,
    },

    /// The table a new migration is to create is not a valid name.
    #[error("the table of the new migration is not a valid table name: {0}")]
    InvalidCreateTable(#[source] IdentifierError),

    /// The clock gives a time that is not a migration timestamp.
    #[error("the clock gives an unusable timestamp: {problem}")]
    Clock {
        /// What is wrong with it.
        problem: String,
    },

    /// The connection settings (`ormed.toml`, `.env`) cannot be used.
    #[error("{path}: {problem}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong, and what to write instead.
        problem: String,
    },

    /// `APP_ENV` or `ORMED_ENV` says production, and a command that destroys data was not
    /// confirmed.
    #[error(
        "refusing to run {command} in production ({variable}={value}) without confirmation: \
         it {effect}. Run it again with --force if that is what you want{terminal}"
    )]
    ProductionRefused {
        /// The command.
        command: String,
        /// What it would destroy.
        effect: String,
        /// `APP_ENV` or `ORMED_ENV`.
        variable: String,
        /// Its value.
        value: String,
        /// Extra advice when there was no terminal to ask on.
        terminal: String,
    },

    /// A test database could not be prepared.
    #[error("{context}: {source}")]
    TestDatabase {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
