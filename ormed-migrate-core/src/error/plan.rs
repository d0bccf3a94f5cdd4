//! Refusals before anything runs: the plan cannot be rendered, or the code and the ledger say
//! the run must not start.

use super::words::resolution;
use crate::descriptor::{Direction, SourceLocation};
use crate::dialect::Dialect;
use crate::id::MigrationId;
use crate::render::RenderError;

/// Nothing ran: the migrations or the ledger say the run must not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A migration's plan cannot be turned into SQL.
    #[error("migration {id} ({direction}) cannot be rendered for {dialect}: {source}")]
    Render {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The target database.
        dialect: Dialect,
        /// What is wrong.
        source: RenderError,
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

    /// Raw SQL that begins or ends a transaction, in a migration that already runs in one: it
    /// would commit the migration's work early (and its ledger row separately) or roll it back
    /// behind the runner's back.
    #[error(
        "migration {id} uses `{statement}`, which controls the transaction the migration already \
         runs in; nothing was run. Remove it: each migration runs in its own transaction on \
         {dialect}. To manage transactions yourself, add the option: \
         #[migration(\"{id}\", no_transaction)]"
    )]
    TransactionControl {
        /// The migration.
        id: MigrationId,
        /// The statement.
        statement: String,
        /// The database.
        dialect: Dialect,
    },

    /// Several statements in one `schema.raw(..)`, one of which cannot run in a transaction: the
    /// database runs one call's statements as one implicit transaction (PostgreSQL's simple
    /// protocol), so it would refuse it even in a `no_transaction` migration.
    #[error(
        "migration {id} runs `{statement}` as one call, which {dialect} runs as one implicit \
         transaction, and a statement in it cannot run inside a transaction; nothing was run. \
         Give each statement its own schema.raw(..)"
    )]
    SplitRaw {
        /// The migration.
        id: MigrationId,
        /// The raw SQL.
        statement: String,
        /// The database.
        dialect: Dialect,
    },

    /// An applied migration's code changed.
    #[error(
        "Migration {id} checksum doesn't match recorded value: recorded {recorded}, code has \
         {current} ({source_location}). The migration was edited after it was applied. Either \
         revert the changes to the migration, or put the changes in a new migration; if the \
         edit is intended and the schema already matches, accept it after review by recording \
         it as applied. Nothing was run."
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

    /// The database is ahead of this binary (applied migrations newer than every one it
    /// contains: a newer release migrated it), and the run was told to refuse that
    /// ([`MigrationRunner::refuse_ahead`](crate::MigrationRunner::refuse_ahead)).
    #[error(
        "the database is ahead of this binary: {} {} applied but newer than {newest_known}, the \
         newest migration this binary contains, so a newer release has migrated it. Refusing to \
         start, as asked (refuse_ahead); nothing was run. Deploy the newer release (the build \
         that contains {}), or run without refuse_ahead to start this one anyway.",
        if ids.len() == 1 { "migration" } else { "migrations" },
        join(ids) + if ids.len() == 1 { " is" } else { " are" },
        if ids.len() == 1 { "it" } else { "them" }
    )]
    DatabaseAhead {
        /// The applied migrations this binary does not contain, newest last.
        ids: Vec<MigrationId>,
        /// The newest migration this binary contains.
        newest_known: MigrationId,
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
        "Migration {id} has already been applied. Check the applied migrations in the status; \
         roll it back first if you need to re-run it"
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
    #[error("Migration {id} is not defined in this binary; the status lists the known ones")]
    UnknownMigration {
        /// The requested id.
        id: MigrationId,
    },

    /// A SQLite table change that may rebuild the table, in a `no_transaction` migration: a
    /// rebuild copies, drops and renames the table, which is only safe as one transaction.
    #[error(
        "migration {id} changes table `{table}` in a way SQLite makes by rebuilding the table, \
         which must run in a transaction, but the migration is no_transaction; nothing was run. \
         Move the change to a migration without no_transaction."
    )]
    RebuildNeedsTransaction {
        /// The migration.
        id: MigrationId,
        /// The table.
        table: String,
    },

    /// A grouped apply on a database whose DDL is not transactional (MySQL/MariaDB commit
    /// each DDL statement on its own, so a batch cannot be one transaction).
    #[error(
        "grouped mode applies a whole batch in one transaction, which {dialect} cannot do: it \
         commits every DDL statement on its own. Nothing was run; apply without grouped mode \
         (migrate without --grouped)."
    )]
    GroupedNeedsTransactionalDdl {
        /// The database.
        dialect: Dialect,
    },

    /// A grouped apply whose batch holds a `no_transaction` migration.
    #[error(
        "migration {id} is no_transaction, so it cannot run inside the one transaction of a \
         grouped batch. Nothing was run; apply without grouped mode, or apply the migrations \
         before it grouped (--limit) and the rest without."
    )]
    GroupedNoTransaction {
        /// The migration.
        id: MigrationId,
    },

    /// `grouped()` with `step()`: one batch in one transaction, or one batch per migration.
    #[error(
        "grouped mode and step contradict each other: grouped applies one batch in one \
         transaction, step gives each migration a batch of its own. Nothing was run; choose one."
    )]
    GroupedWithStep,

    /// A grouped batch on PostgreSQL that needs more locks than the server's lock table holds:
    /// every table and index it creates or changes stays locked until the one commit.
    #[error(
        "the grouped batch of {migrations} migrations takes about {needed} locks until it \
         commits, more than the server's lock table holds: max_locks_per_transaction \
         ({max_locks_per_transaction}) × (max_connections ({max_connections}) + \
         max_prepared_transactions ({max_prepared_transactions})) = {capacity}. Nothing was \
         run. Raise max_locks_per_transaction to at least {enough} (postgresql.conf, then \
         restart the server), or apply fewer migrations per grouped batch (--limit), or apply \
         without grouped mode."
    )]
    GroupedTooManyLocks {
        /// How many migrations the batch holds.
        migrations: usize,
        /// About how many locks they take.
        needed: u64,
        /// How many the lock table holds.
        capacity: u64,
        /// The server's `max_locks_per_transaction`.
        max_locks_per_transaction: u64,
        /// The server's `max_connections`.
        max_connections: u64,
        /// The server's `max_prepared_transactions`.
        max_prepared_transactions: u64,
        /// A `max_locks_per_transaction` that would hold the batch.
        enough: u64,
    },

    /// The pre-flight check found an operation that would fail (or that the database would
    /// refuse) against the schema as it will be at that point of the run.
    #[error("migration {id} ({direction}) would fail at {operation}: {problem}. Nothing was run.")]
    Preflight {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The operation, as the builder call that records it.
        operation: String,
        /// What is wrong and what to change.
        problem: String,
    },

    /// Rolling back a migration whose down cannot run: its written `down` calls
    /// `schema.irreversible()`, or it has no `down` and an operation of its `up` cannot be
    /// undone from the plan alone.
    #[error(
        "Migration {id} cannot be rolled back: {reason} ({source_location}). {} Nothing was \
         rolled back.",
        reason.advice()
    )]
    Irreversible {
        /// The migration.
        id: MigrationId,
        /// Where it is defined.
        source_location: SourceLocation,
        /// Why.
        reason: crate::schema::IrreversibleReason,
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

    /// `rollback().batch(n)` for a batch the ledger does not have.
    #[error("there is no batch {batch} in the ledger; its batches are: {batches:?}")]
    UnknownBatch {
        /// The requested batch.
        batch: i64,
        /// The batches that exist.
        batches: Vec<i64>,
    },

    /// The ledger records a migration that failed part way and could not be undone.
    #[error(
        "Migration {id} failed part way on an earlier run ({direction}) and {dialect} could not \
         undo its partial changes, so nothing runs until that is resolved. Inspect the schema, \
         then {}.",
        resolution(*direction)
    )]
    PartiallyApplied {
        /// The migration.
        id: MigrationId,
        /// Which way it was running.
        direction: Direction,
        /// The database.
        dialect: Dialect,
    },

    /// A repair without saying how the migration was resolved.
    #[error(
        "say how migration {id} was resolved: applied if its changes are in the schema, rolled \
         back if they are not"
    )]
    RepairNeedsChoice {
        /// The migration.
        id: MigrationId,
    },

    /// Repairing as rolled back a migration that is applied and matches its code.
    #[error(
        "Migration {id} is applied and matches its code, so there is nothing to repair; to undo \
         it, roll it back, which runs its down()"
    )]
    RepairNotNeeded {
        /// The migration.
        id: MigrationId,
    },
}

fn join(ids: &[MigrationId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
