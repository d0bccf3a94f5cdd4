//! The registry without a registry file: `#[migration]` submits a [`Registration`] to
//! `inventory`, and [`build_migrations`] collects whatever the binary links.

use std::sync::Arc;

use ormed_migrate_core::{
    Migration, MigrationDescriptor, MigrationError, MigrationId, SourceLocation,
};

/// What `#[migration]` records about a migration at compile time. Not for direct use.
#[derive(Debug)]
pub struct Registration {
    id: &'static str,
    checksum: &'static str,
    file: &'static str,
    line: u32,
    no_transaction: bool,
    construct: fn() -> Arc<dyn Migration>,
}

inventory::collect!(Registration);

impl Registration {
    #[doc(hidden)]
    pub const fn new(
        id: &'static str,
        checksum: &'static str,
        file: &'static str,
        line: u32,
        no_transaction: bool,
        construct: fn() -> Arc<dyn Migration>,
    ) -> Registration {
        Registration {
            id,
            checksum,
            file,
            line,
            no_transaction,
            construct,
        }
    }

    fn descriptor(&self) -> Result<MigrationDescriptor, MigrationError> {
        Ok(MigrationDescriptor::new(
            MigrationId::parse(self.id)?,
            self.checksum.to_owned(),
            SourceLocation {
                file: self.file,
                line: self.line,
            },
            self.no_transaction,
            (self.construct)(),
        ))
    }
}

/// Builds a migration value through `Default`; named by the `#[migration]` expansion.
#[doc(hidden)]
pub fn construct<T: Migration + Default>() -> Arc<dyn Migration> {
    Arc::new(T::default())
}

/// Every `#[migration]` linked into this binary, sorted by id.
///
/// Duplicate ids are an error naming both source locations. An empty registry is
/// [`MigrationError::NoMigrations`], whose message says how to link migrations: a binary only
/// contains the migrations of crates it names (see `run!`).
///
/// ```no_run
/// # fn main() -> Result<(), ormed_migrate::MigrationError> {
/// for migration in ormed_migrate::build_migrations()? {
///     println!("{} {} ({})", migration.id, migration.checksum, migration.source);
/// }
/// # Ok(()) }
/// ```
pub fn build_migrations() -> Result<Vec<MigrationDescriptor>, MigrationError> {
    let descriptors = inventory::iter::<Registration>
        .into_iter()
        .map(Registration::descriptor)
        .collect::<Result<Vec<_>, _>>()?;
    if descriptors.is_empty() {
        return Err(MigrationError::NoMigrations);
    }
    MigrationDescriptor::sorted(descriptors)
}
