//! What a run did: one action per migration, with its duration and statements.

use std::time::Duration;

use crate::descriptor::Direction;
use crate::id::MigrationId;
use crate::wipe::SchemaObject;

/// One migration applied or rolled back (or, with `pretend`, that would be).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationAction {
    /// The migration.
    pub id: MigrationId,
    /// Up or down.
    pub direction: Direction,
    /// The batch it was applied in, or is being rolled back from.
    pub batch: i64,
    /// How long it took (zero with `pretend`).
    pub duration: Duration,
    /// The exact SQL, in order: with `pretend`, what would run (a SQLite table change rendered
    /// against the table as the run's model has it); after a real run, what ran (a SQLite
    /// table change as the statements it became against the live table).
    pub statements: Vec<String>,
}

/// The result of `apply_all`, `rollback`, `apply_one` or `rollback_one`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationReport {
    /// The actions, in the order they ran.
    pub actions: Vec<MigrationAction>,
    /// True when nothing ran: the statements are what *would* run.
    pub pretend: bool,
    /// Things worth telling the user that did not stop the run: out-of-order migrations, a
    /// database ahead of this binary, foreign-key type mismatches the database accepts.
    pub warnings: Vec<String>,
    /// What [`Apply::fresh`](crate::Apply::fresh) dropped (or, with `pretend`, would drop).
    pub dropped: Vec<SchemaObject>,
    /// The statements that dropped them, in order.
    pub drop_statements: Vec<String>,
}

impl MigrationReport {
    /// True when there was nothing to do.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The ids acted on, in order.
    pub fn ids(&self) -> Vec<&MigrationId> {
        self.actions.iter().map(|action| &action.id).collect()
    }

    /// Every statement, in order: the drops of a fresh run first.
    pub fn statements(&self) -> Vec<&str> {
        let drops = self.drop_statements.iter().map(String::as_str);
        drops
            .chain(
                self.actions
                    .iter()
                    .flat_map(|action| action.statements.iter().map(String::as_str)),
            )
            .collect()
    }
}
