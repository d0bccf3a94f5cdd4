//! Stepping through migrations in a test: migrate to just before one, seed rows, apply it,
//! assert on the data, roll it back.

use super::TestDatabase;
use crate::descriptor::MigrationDescriptor;
use crate::error::{MigrationError, PlanError};
use crate::id::MigrationId;
use crate::runner::{MigrationReport, MigrationRunner};

/// A runner over a [`TestDatabase`] that applies and rolls back one migration at a time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), ormed_migrate_core::MigrationError> {
/// use ormed_migrate_core::testing::TestDatabase;
/// # let migrations: Vec<ormed_migrate_core::MigrationDescriptor> = Vec::new();
///
/// let db = TestDatabase::sqlite().await?;
/// let steps = db.steps(migrations)?;
/// # if false {
/// steps.migrate_to_before("m_20241201001200_backfill_post_slugs").await?;
/// db.driver().execute("INSERT INTO posts (title) VALUES ('Hello')").await.expect("seed");
/// steps.apply("m_20241201001200_backfill_post_slugs").await?;
/// // … assert on the rows …
/// steps.rollback("m_20241201001200_backfill_post_slugs").await?;
/// # }
/// db.cleanup().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Steps {
    runner: MigrationRunner,
}

impl TestDatabase {
    /// Steps through `migrations` on this database.
    pub fn steps(&self, migrations: Vec<MigrationDescriptor>) -> Result<Steps, MigrationError> {
        Ok(Steps {
            runner: self.runner(migrations)?,
        })
    }
}

impl Steps {
    /// Applies every pending migration older than `id`, each as its own batch; `id` itself
    /// stays pending.
    pub async fn migrate_to_before(&self, id: &str) -> Result<MigrationReport, MigrationError> {
        let id = self.known(id)?;
        let statuses = self.runner.status().await?;
        let older = statuses
            .iter()
            .filter(|status| status.is_pending() && status.id < id)
            .count();
        if older == 0 {
            return Ok(MigrationReport::default());
        }
        self.runner.apply_all().limit(older).step().await
    }

    /// Applies the pending migration `id`, as a new batch.
    pub async fn apply(&self, id: &str) -> Result<MigrationReport, MigrationError> {
        self.runner.apply_one(&self.known(id)?).await
    }

    /// Rolls back the applied migration `id`.
    pub async fn rollback(&self, id: &str) -> Result<MigrationReport, MigrationError> {
        self.runner.rollback_one(&self.known(id)?).await
    }

    /// Applies everything still pending, as one batch.
    pub async fn migrate_all(&self) -> Result<MigrationReport, MigrationError> {
        self.runner.apply_all().await
    }

    /// The runner, for anything else (status, rollback by batch, pretend).
    pub fn runner(&self) -> &MigrationRunner {
        &self.runner
    }

    /// `id`, parsed, when it is one of the migrations.
    fn known(&self, id: &str) -> Result<MigrationId, MigrationError> {
        let id = MigrationId::parse(id)?;
        match self.runner.migrations().iter().any(|d| d.id == id) {
            true => Ok(id),
            false => Err(PlanError::UnknownMigration { id }.into()),
        }
    }
}
