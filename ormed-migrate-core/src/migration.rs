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

    /// Records how to undo it.
    ///
    /// Without it, the down is derived from `up`: each operation undone, in reverse order, when
    /// every one can be undone from the plan alone. Creating a table, adding a column, an index,
    /// a unique index, a primary key or a foreign key, and renaming a table, a column or an
    /// index can (on MySQL/MariaDB the derived down also drops the index the database made for
    /// a foreign key). Every drop, `change()`, `raw` and `raw_for` cannot: then the migration is
    /// irreversible, and a rollback is refused before anything runs, naming that operation.
    /// Write `down` for those, or call [`Schema::irreversible`] in it to refuse rollbacks of a
    /// migration whose up could be undone.
    ///
    /// ```
    /// use ormed_migrate_core::{Migration, MigrationEntry, MigrationId, Schema};
    ///
    /// #[derive(Default)]
    /// struct AddAvatar;
    ///
    /// impl Migration for AddAvatar {
    ///     fn up(&self, schema: &mut Schema) {
    ///         schema.table("users", |t| {
    ///             t.string("avatar").nullable();
    ///             t.index(["avatar"]);
    ///         });
    ///     }
    ///     // No down: it drops the index `users_avatar_index`, then the column.
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let id = MigrationId::parse("m_20241201000000_add_avatar")?;
    /// let descriptors = MigrationEntry::build_descriptors(vec![MigrationEntry::new(id, AddAvatar)])?;
    /// assert!(descriptors[0].is_reversible());
    /// # Ok(()) }
    /// ```
    fn down(&self, schema: &mut Schema) {
        schema.not_written();
    }
}
