//! Errors while migrations run: a statement failed, or the run's own work (transactions, the
//! session) did.

use std::fmt;
use std::time::Duration;

use super::words::{database_message, environment_advice, environment_problem, resolution};
use crate::descriptor::Direction;
use crate::dialect::Dialect;
use crate::id::MigrationId;
use crate::runner::{Interrupt, Repair};
use crate::waits::LockWait;

/// A migration was running when this happened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A statement of a migration failed.
    #[error(
        "migration {id} failed ({direction}) at statement {number} of {total}:\n    {statement}\n\
         {dialect} said: {}\n{}",
        database_message(source),
        Outcome { state: *state, direction: *direction, number: *number, dialect: *dialect, source }
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
        /// What state the failure left the migration in.
        state: FailureState,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A statement gave up waiting for a lock another session holds, at the lock timeout.
    #[error(
        "migration {id} ({direction}) gave up at statement {number} of {total} after waiting \
         {} for {}:\n    {statement}\n{}{dialect} said: {}\n{}",
        seconds(*waited),
        lock.as_deref().map_or_else(|| "a lock another session holds".to_owned(), LockWait::subject),
        held_by(lock.as_deref()),
        database_message(source),
        LockOutcome { state: *state, direction: *direction, number: *number, dialect: *dialect }
    )]
    LockWaitTimedOut {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The statement that waited.
        statement: String,
        /// Its position, from 1.
        number: usize,
        /// How many statements the migration has.
        total: usize,
        /// The database.
        dialect: Dialect,
        /// How long it waited.
        waited: Duration,
        /// What it waited for, as last seen while it waited.
        lock: Option<Box<LockWait>>,
        /// What state the failure left the migration in.
        state: FailureState,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// The run was asked to stop (Ctrl-C, SIGTERM, the application).
    #[error(
        "interrupted by {}: {}",
        signal.name(),
        InterruptOutcome { running: running.as_deref(), done, rolled_back }
    )]
    Interrupted {
        /// What asked it to stop.
        signal: Interrupt,
        /// The migration that was running, and what its interruption left.
        running: Option<Box<Interrupted>>,
        /// The migrations that finished (and stay) before, in order.
        done: Vec<MigrationId>,
        /// In a grouped batch: the migrations of the batch that had run before, rolled back
        /// with it, in order.
        rolled_back: Vec<MigrationId>,
    },

    /// A SQLite table change found, against the live table, that it cannot be made as written
    /// (a column or index that is not there, something a rebuild cannot carry over): the
    /// migration's transaction was rolled back before the table was touched.
    #[error(
        "migration {id} ({direction}) stopped before changing table `{table}` on SQLite: \
         {message}. {} Fix the migration and run again.",
        RolledBack { state: *state, id }
    )]
    TableChangeRefused {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The table.
        table: String,
        /// What is wrong.
        message: String,
        /// What was rolled back: the migration's transaction, or its grouped batch's.
        state: FailureState,
    },

    /// A statement of a SQLite table rebuild (written by the tool, not the migration) failed
    /// on the table's rows: the migration's transaction was rolled back.
    #[error(
        "migration {id} ({direction}) could not rebuild table `{table}` on SQLite: the \
         rebuild's statement\n    {statement}\nfailed: {}\n{}{}",
        database_message(source),
        rebuild_hint(source),
        RolledBack { state: *state, id }
    )]
    RebuildFailed {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The rebuilt table.
        table: String,
        /// The rebuild's statement that failed.
        statement: String,
        /// What was rolled back: the migration's transaction, or its grouped batch's.
        state: FailureState,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A SQLite table rebuild found rows the change does not fit (the tool's check, where
    /// SQLite itself would accept them): the migration's transaction was rolled back.
    #[error(
        "migration {id} ({direction}) rebuilt table `{table}` on SQLite, but {message}. {}",
        RolledBack { state: *state, id }
    )]
    RebuildRefusedRows {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The rebuilt table.
        table: String,
        /// What the rows hold.
        message: String,
        /// What was rolled back: the migration's transaction, or its grouped batch's.
        state: FailureState,
    },

    /// A SQLite table rebuild would leave rows that point at no row: it was rolled back.
    #[error(
        "migration {id} ({direction}) rebuilt table `{table}` on SQLite, but the foreign-key \
         check found rows that would point at no row: {}. {} Fix those rows first (an earlier \
         migration or a schema.raw(..) before the change can update or delete them), then run \
         again.",
        violations.join("; "),
        RolledBack { state: *state, id }
    )]
    ForeignKeyCheckFailed {
        /// The migration.
        id: MigrationId,
        /// Up or down.
        direction: Direction,
        /// The rebuilt table.
        table: String,
        /// The first violations, as `child rowid 3 → parent`.
        violations: Vec<String>,
        /// What was rolled back: the migration's transaction, or its grouped batch's.
        state: FailureState,
    },

    /// Every statement ran, but the ledger could not record it.
    #[error(
        "every statement of migration {id} ran, but {context}: {}; record it as {}",
        database_message(source),
        truth_words(*truth)
    )]
    RecordedLate {
        /// The migration.
        id: MigrationId,
        /// What is true now.
        truth: Repair,
        /// What could not be done.
        context: String,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// The migration's commit failed: whether it was applied is unknown.
    #[error(
        "could not commit migration {id}: {}; whether it was applied is unknown, so check the \
         status before running again",
        database_message(source)
    )]
    CommitUnknown {
        /// The migration.
        id: MigrationId,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// The commit of a grouped batch failed: whether its migrations were applied is unknown.
    #[error(
        "could not commit the grouped batch of {count} migrations ({first} … {last}): {}; \
         whether they were applied is unknown (all of them or none), so check the status \
         before running again",
        database_message(source)
    )]
    BatchCommitUnknown {
        /// How many migrations the batch holds.
        count: usize,
        /// Its first migration.
        first: MigrationId,
        /// Its last migration.
        last: MigrationId,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },

    /// A query of the run's own failed (a connection, a transaction, the session reset).
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

    /// `migrate:fresh` could not drop an object of the schema; no migration ran.
    #[error(
        "migrate:fresh could not empty the schema:\n    {statement}\n{dialect} said: {}\n{}\
         Something outside the schema may depend on it (a view or foreign key in another schema \
         or database): drop or change that, then run migrate:fresh again.",
        database_message(source),
        if *dropped_nothing {
            "Nothing was dropped: the drops ran in one transaction.\n"
        } else {
            "The objects before it in the list are dropped; the rest are not.\n"
        }
    )]
    WipeFailed {
        /// The drop that failed.
        statement: String,
        /// The database.
        dialect: Dialect,
        /// True when the drops ran in one transaction that rolled back.
        dropped_nothing: bool,
        /// The driver's error.
        source: Box<sqlx::Error>,
    },
}

/// The migration a run was running when it was interrupted.
#[derive(Debug)]
#[non_exhaustive]
pub struct Interrupted {
    /// The migration.
    pub id: MigrationId,
    /// Up or down.
    pub direction: Direction,
    /// The statement that was cancelled.
    pub statement: String,
    /// What its cancelled statement left behind.
    pub state: FailureState,
    /// The database's report of the cancelled statement.
    pub source: sqlx::Error,
}

/// What an interrupt left: the migration that was running, and those done before it.
struct InterruptOutcome<'a> {
    running: Option<&'a Interrupted>,
    done: &'a [MigrationId],
    rolled_back: &'a [MigrationId],
}

impl fmt::Display for InterruptOutcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.running {
            None => f.write_str("nothing was running")?,
            Some(running) => {
                let id = &running.id;
                let direction = running.direction;
                match (running.state, direction) {
                    (FailureState::RolledBack | FailureState::BatchRolledBack, Direction::Up) => {
                        write!(
                            f,
                            "migration {id} was cancelled and rolled back; it is still pending"
                        )?;
                    }
                    (FailureState::RolledBack | FailureState::BatchRolledBack, Direction::Down) => {
                        write!(
                            f,
                            "the rollback of migration {id} was cancelled and undone; it is still applied"
                        )?;
                    }
                    (FailureState::NothingChanged, _) => {
                        write!(
                            f,
                            "migration {id} ({direction}) was cancelled before it changed anything"
                        )?;
                    }
                    (FailureState::MarkedFailed, _) => write!(
                        f,
                        "migration {id} ({direction}) was cancelled part way and the ledger marks \
                         it as failed; inspect the schema, then {}",
                        resolution(direction)
                    )?,
                }
            }
        }
        match (self.done, self.rolled_back) {
            (_, [one]) => write!(
                f,
                ". Its grouped batch was rolled back as a whole: {one}, which had run before it \
                 in the batch, is still pending too."
            ),
            (_, [_, ..]) => write!(
                f,
                ". Its grouped batch was rolled back as a whole: the {} migrations that had run \
                 before it in the batch ({}) are still pending too.",
                self.rolled_back.len(),
                join(self.rolled_back)
            ),
            ([], []) => f.write_str(". Nothing else ran."),
            ([one], []) => write!(f, ". Done before it: {one}."),
            (many, []) => write!(f, ". Done before it ({}): {}.", many.len(), join(many)),
        }
    }
}

/// The sentence that says what a refused SQLite table change rolled back.
struct RolledBack<'a> {
    state: FailureState,
    id: &'a MigrationId,
}

impl fmt::Display for RolledBack<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match self.state {
            FailureState::BatchRolledBack => write!(
                f,
                "Its grouped batch was rolled back as a whole: neither migration {id} nor any \
                 other migration of the batch was applied."
            ),
            _ => write!(
                f,
                "Nothing of migration {id} was applied (its transaction was rolled back); \
                 migrations before it in this run stay applied."
            ),
        }
    }
}

/// What a failed rebuild statement most likely means for the migration's change, from the
/// database's words: the statement is the tool's, so "fix the statement" would not help.
fn rebuild_hint(source: &sqlx::Error) -> &'static str {
    use sqlx::error::ErrorKind;
    match source.as_database_error().map(|e| e.kind()) {
        Some(ErrorKind::NotNullViolation) => {
            "A column that is NOT NULL without a default meets rows that hold no value for it: \
             give it .default(..) or .nullable(), or fill those rows in an earlier migration. "
        }
        Some(ErrorKind::UniqueViolation) => {
            "Rows hold duplicates that a unique index or key of the new table refuses: remove \
             them in an earlier migration, or drop the unique constraint. "
        }
        Some(ErrorKind::CheckViolation) => {
            "Rows break a CHECK constraint the table keeps through the rebuild: fix those rows \
             in an earlier migration. "
        }
        _ => {
            "The rebuild makes the migration's change against the rows as they are: change the \
             migration, or fix those rows in an earlier migration. "
        }
    }
}

fn join(ids: &[MigrationId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a failed statement left behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureState {
    /// The migration's transaction was rolled back: none of its changes remain.
    RolledBack,
    /// The statement failed as a whole before anything else ran: nothing changed.
    NothingChanged,
    /// Statements ran that the database cannot undo: the ledger marks the migration failed.
    MarkedFailed,
    /// The migration ran in a grouped batch, whose one transaction was rolled back: none of the
    /// batch's migrations remain, every one is still pending.
    BatchRolledBack,
}

fn truth_words(truth: Repair) -> &'static str {
    match truth {
        Repair::Applied => "applied",
        Repair::RolledBack => "rolled back",
    }
}

/// `It is held by session 4242 (…): SELECT …` and a line break, or nothing when not known.
fn held_by(lock: Option<&LockWait>) -> String {
    lock.and_then(LockWait::holders)
        .map_or_else(String::new, |holders| format!("It is held by {holders}\n"))
}

/// `3.0 s`.
fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// The sentence after a lock wait gave up: the state it left, and what to do next.
struct LockOutcome {
    state: FailureState,
    direction: Direction,
    number: usize,
    dialect: Dialect,
}

impl fmt::Display for LockOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let next = "Let the blocking session finish (or end it), then run again; a longer lock \
                    timeout waits longer.";
        match (self.state, self.direction) {
            (FailureState::RolledBack, Direction::Up) => write!(
                f,
                "It was rolled back: none of its changes remain, it is still pending, nothing \
                 after it ran. {next}"
            ),
            (FailureState::RolledBack, Direction::Down) => write!(
                f,
                "Its rollback was undone: it is still applied, nothing after it ran. {next}"
            ),
            (FailureState::NothingChanged, _) => {
                write!(
                    f,
                    "Nothing of it took effect, and nothing after it ran. {next}"
                )
            }
            (FailureState::BatchRolledBack, _) => write!(f, "{BATCH_ROLLED_BACK} {next}"),
            (FailureState::MarkedFailed, direction) => write!(
                f,
                "{} of its statements ran before this one; {} cannot undo them, so the ledger \
                 marks the migration as failed ({direction}). Inspect the schema, then {}.",
                self.number - 1,
                self.dialect,
                resolution(direction)
            ),
        }
    }
}

/// What a failure inside a grouped batch left.
const BATCH_ROLLED_BACK: &str = "Its grouped batch was rolled back as a whole: none of the \
                                 batch's migrations remain, every one of them (this one too) \
                                 is still pending.";

/// The sentence after a failed statement: the state it left, and what to do next.
struct Outcome<'a> {
    state: FailureState,
    direction: Direction,
    number: usize,
    dialect: Dialect,
    source: &'a sqlx::Error,
}

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fix = environment_problem(self.source);
        let fix_or = |default: &'static str| fix.clone().unwrap_or_else(|| default.to_owned());
        match (self.state, self.direction) {
            (FailureState::RolledBack, Direction::Up) => write!(
                f,
                "It was rolled back: none of its changes remain, it is still pending, and the \
                 migrations before it stay applied. {}",
                fix_or("Fix the statement and run migrate again.")
            ),
            (FailureState::RolledBack, Direction::Down) => write!(
                f,
                "Its rollback was undone: it is still applied, and nothing else was rolled back \
                 after it. {}",
                fix_or("Fix its down() and run the rollback again.")
            ),
            (FailureState::NothingChanged, _) => write!(
                f,
                "None of its statements took effect, so nothing changed. {}",
                fix_or("Fix the statement and run again.")
            ),
            (FailureState::BatchRolledBack, _) => write!(
                f,
                "{BATCH_ROLLED_BACK} {}",
                fix_or("Fix the statement and run migrate again.")
            ),
            (FailureState::MarkedFailed, direction) => write!(
                f,
                "{} of its statements ran before this one, and this one may have taken effect in \
                 part; {} cannot undo them, so the ledger marks the migration as failed \
                 ({direction}) and nothing runs until that is resolved. Inspect the schema, then \
                 {}.",
                self.number - 1,
                self.dialect,
                resolution(direction)
            ),
        }
    }
}
