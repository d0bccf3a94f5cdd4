//! The `Migration` trait.

use crate::schema::Schema;

/// A schema change, written as a Rust type.
///
/// `up` and `down` only *record* a plan into the [`Schema`]; they never touch the database, so
/// they can be inspected, rendered for any dialect, and printed by `--pretend`. Register a
/// migration with `#[migration("m_YYYYMMDDHHMMSS_slug")]` on its impl (from the `ormed-migrate`
/// crate), or programmatically with [`MigrationEntry`](crate::MigrationEntry).
///
/// ```
/// use ormed_migrate_core::{Migration, Schema};
///
/// #[derive(Default)]
/// struct CreateUsersTable;
///
/// impl Migration for CreateUsersTable {
///     fn up(&self, schema: &mut Schema) {
///         schema.create("users", |t| {
///             t.id();
///             t.string("email").unique();
///         });
///     }
///
///     fn down(&self, schema: &mut Schema) {
///         schema.drop("users");
///     }
/// }
/// ```
pub trait Migration: Send + Sync + 'static {
    /// Records the change.
    fn up(&self, schema: &mut Schema);

    /// Records how to undo it. The default marks the migration irreversible: rolling it back is
    /// refused before anything runs.
    fn down(&self, schema: &mut Schema) {
        schema.not_written();
    }
}
