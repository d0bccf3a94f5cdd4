//! The registry without a registry file: `#[migration]` submits a [`Registration`] to
//! `inventory`, and [`build_migrations`] collects whatever the binary links.

use std::sync::Arc;

use ormed_migrate_core::error::SetupError;
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
    options: RegistrationOptions,
    construct: fn() -> Arc<dyn Migration>,
}

inventory::collect!(Registration);

/// The options of one `#[migration]`, as its expansion writes them. Not for direct use.
///
/// The expansion names only the options that are set, then `..RegistrationOptions::DEFAULT`
/// (or writes `DEFAULT` alone), so a field added here changes nothing for migrations that
/// don't use it. It cannot be `#[non_exhaustive]`: that forbids the struct literal outside this
/// crate.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationOptions {
    /// `no_transaction`: run statement by statement, outside a transaction.
    pub no_transaction: bool,
}

impl RegistrationOptions {
    /// No option given.
    pub const DEFAULT: RegistrationOptions = RegistrationOptions {
        no_transaction: false,
    };
}

impl Registration {
    #[doc(hidden)]
    pub const fn new(
        id: &'static str,
        checksum: &'static str,
        file: &'static str,
        line: u32,
        options: RegistrationOptions,
        construct: fn() -> Arc<dyn Migration>,
    ) -> Registration {
        Registration {
            id,
            checksum,
            file,
            line,
            options,
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
            self.options.no_transaction,
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
/// [`SetupError::NoMigrations`], whose message says how to link migrations: a binary only
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
        return Err(SetupError::NoMigrations.into());
    }
    MigrationDescriptor::sorted(descriptors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ormed_migrate_core::Schema;

    #[derive(Default)]
    struct Noop;

    impl Migration for Noop {
        fn up(&self, _: &mut Schema) {}
    }

    /// Built as the expansion builds it, in a `static`: everything here must stay `const`. The
    /// `..DEFAULT` is needless while `no_transaction` is the only option, but it is what the
    /// expansion writes (clippy does not lint inside it: an attribute macro's expansion is
    /// external to the user's crate).
    #[allow(clippy::needless_update)]
    static NO_TRANSACTION: Registration = Registration::new(
        "m_20241201000000_noop",
        "sha256:0",
        "src/migrations/m_20241201000000_noop.rs",
        7,
        RegistrationOptions {
            no_transaction: true,
            ..RegistrationOptions::DEFAULT
        },
        construct::<Noop>,
    );

    #[test]
    fn the_options_reach_the_descriptor() {
        let descriptor = NO_TRANSACTION.descriptor().expect("a valid id");
        assert!(descriptor.no_transaction);
        assert_eq!(descriptor.source.line, 7);
        let plain = Registration::new(
            "m_20241201000000_noop",
            "sha256:0",
            "src/lib.rs",
            1,
            RegistrationOptions::DEFAULT,
            construct::<Noop>,
        );
        assert!(!plain.descriptor().expect("a valid id").no_transaction);
    }
}
