//! The reversibility check: every migration's `down` undoes its `up`.

use std::fmt;

use super::TestDatabase;
use crate::descriptor::MigrationDescriptor;
use crate::error::MigrationError;
use crate::id::MigrationId;
use crate::introspect::{SchemaDifference, SchemaSnapshot};

/// Why [`check_reversible`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotReversible {
    /// After the migration's up and down the schema differs from before its up.
    LeftBehind {
        /// The migration.
        id: MigrationId,
        /// What differs, as the schema after the down compares with the schema before the up:
        /// `+` is left behind by the down, `-` was removed and not restored, `~` is changed.
        differences: Vec<SchemaDifference>,
    },
    /// A step failed: applying, rolling back or applying again.
    Failed {
        /// The migration.
        id: MigrationId,
        /// `up`, `down`, or `up again`.
        step: &'static str,
        /// What went wrong.
        error: MigrationError,
    },
    /// The runner could not be put together.
    Setup(MigrationError),
}

impl fmt::Display for NotReversible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotReversible::LeftBehind { id, differences } => {
                writeln!(
                    f,
                    "migration {id} is not reversible: after its up and its down the schema \
                     differs from before its up (+ left behind by down, - not restored, ~ changed):"
                )?;
                for difference in differences {
                    writeln!(f, "    {difference}")?;
                }
                write!(
                    f,
                    "Make its down undo exactly what its up does (or leave down out to have it \
                     derived)."
                )
            }
            NotReversible::Failed { id, step, error } => {
                write!(f, "migration {id}: its {step} failed: {error}")
            }
            NotReversible::Setup(error) => write!(f, "the reversibility check: {error}"),
        }
    }
}

impl std::error::Error for NotReversible {}

/// Applies each migration in id order, rolls it back, compares the introspected schema with the
/// one before it was applied, and applies it again before the next; the first migration whose
/// down leaves the schema different (or whose up or down fails) is the error, with a readable
/// diff. `db` must have none of `migrations` applied (a fresh [`TestDatabase`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use ormed_migrate_core::testing::{TestDatabase, check_reversible};
/// # let migrations: Vec<ormed_migrate_core::MigrationDescriptor> = Vec::new();
///
/// let db = TestDatabase::sqlite().await?;
/// check_reversible(&db, &migrations).await?;
/// db.cleanup().await?;
/// # Ok(()) }
/// ```
pub async fn check_reversible(
    db: &TestDatabase,
    migrations: &[MigrationDescriptor],
) -> Result<(), NotReversible> {
    let runner = db
        .runner(migrations.to_vec())
        .map_err(NotReversible::Setup)?;
    // The ledger's tables exist in every snapshot, so they are never a difference.
    let ledger = runner.ledger();
    ledger
        .ensure_initialized()
        .await
        .map_err(NotReversible::Setup)?;
    let mut ids: Vec<MigrationId> = migrations.iter().map(|d| d.id.clone()).collect();
    ids.sort();
    for id in ids {
        let failed = |step, error| NotReversible::Failed {
            id: id.clone(),
            step,
            error,
        };
        let before = snapshot(db).await.map_err(|e| failed("up", e))?;
        runner.apply_one(&id).await.map_err(|e| failed("up", e))?;
        runner
            .rollback_one(&id)
            .await
            .map_err(|e| failed("down", e))?;
        let after = snapshot(db).await.map_err(|e| failed("down", e))?;
        let differences = after.differences_from(&before);
        if !differences.is_empty() {
            return Err(NotReversible::LeftBehind { id, differences });
        }
        runner
            .apply_one(&id)
            .await
            .map_err(|e| failed("up again", e))?;
    }
    Ok(())
}

/// [`check_reversible`], panicking with its message: for `#[test]`s.
///
/// # Panics
///
/// When a migration is not reversible, naming it and showing the difference.
pub async fn assert_reversible(db: &TestDatabase, migrations: &[MigrationDescriptor]) {
    if let Err(error) = check_reversible(db, migrations).await {
        panic!("{error}");
    }
}

async fn snapshot(db: &TestDatabase) -> Result<SchemaSnapshot, MigrationError> {
    db.driver().introspect().await
}
