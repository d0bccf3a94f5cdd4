//! `Schema`: what a migration's `up` and `down` receive.

use super::{Operation, Plan, Table};
use crate::dialect::Dialect;

/// Records the schema changes of one direction of a migration.
///
/// ```
/// use ormed_migrate_core::{Dialect, Schema};
///
/// let mut schema = Schema::new();
/// schema.create("users", |t| {
///     t.id();
///     t.string("email").unique();
/// });
/// schema.raw("INSERT INTO users (email) VALUES ('admin@example.com')");
/// schema.raw_for(Dialect::Postgres, "CREATE EXTENSION IF NOT EXISTS citext");
/// let sql = Dialect::Sqlite.render(schema.plan()).unwrap();
/// assert_eq!(sql.len(), 3); // table, unique index, insert; the PostgreSQL line is skipped
/// ```
#[derive(Debug, Default)]
pub struct Schema {
    plan: Plan,
}

impl Schema {
    /// An empty recording.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// Creates `table` with the columns the closure defines.
    pub fn create(&mut self, table: &str, define: impl FnOnce(&mut Table)) {
        let mut blueprint = Table::new(table);
        define(&mut blueprint);
        self.push(Operation::CreateTable(blueprint.into_create()));
    }

    /// Changes the existing `table`: adds, changes, drops and renames columns, indexes and keys,
    /// in the order written (see [`Table`]).
    ///
    /// ```
    /// use ormed_migrate_core::{ForeignKeyAction, Schema};
    ///
    /// let mut schema = Schema::new();
    /// schema.table("users", |t| {
    ///     t.string("avatar").nullable();
    ///     t.string("name").length(100).nullable().change();
    ///     t.drop_column("legacy");
    ///     t.rename_column("email", "email_address");
    ///     t.index(["name"]);
    ///     t.foreign(["team_id"]).references(["id"]).on("teams").on_delete(ForeignKeyAction::Cascade);
    ///     t.foreign_id("owner_id").constrained("users");
    /// });
    /// ```
    pub fn table(&mut self, table: &str, change: impl FnOnce(&mut Table)) {
        let mut blueprint = Table::new(table);
        change(&mut blueprint);
        self.push(Operation::AlterTable(blueprint.into_alter()));
    }

    /// Drops `table`.
    pub fn drop(&mut self, table: &str) {
        self.push(Operation::DropTable {
            table: table.to_owned(),
            if_exists: false,
        });
    }

    /// Drops `table` if it exists.
    pub fn drop_if_exists(&mut self, table: &str) {
        self.push(Operation::DropTable {
            table: table.to_owned(),
            if_exists: true,
        });
    }

    /// Renames table `from` to `to`.
    pub fn rename(&mut self, from: &str, to: &str) {
        self.push(Operation::RenameTable {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }

    /// Runs one SQL statement as written, on every database: data changes, or anything the
    /// builder does not cover.
    pub fn raw(&mut self, sql: &str) {
        self.push(Operation::Raw {
            sql: sql.to_owned(),
            dialect: None,
        });
    }

    /// Runs one SQL statement only on `dialect`; other databases skip it.
    pub fn raw_for(&mut self, dialect: Dialect, sql: &str) {
        self.push(Operation::Raw {
            sql: sql.to_owned(),
            dialect: Some(dialect),
        });
    }

    /// Marks this direction as impossible: rolling the migration back is refused before anything
    /// runs. Call it in a `down` to refuse a rollback that a derived down would otherwise make.
    pub fn irreversible(&mut self) {
        self.plan.irreversible = true;
    }

    /// What the default `Migration::down` records: no `down` was written. On its own the plan is
    /// irreversible; the down that runs is derived from the up
    /// ([`MigrationDescriptor::down_plan`](crate::MigrationDescriptor::down_plan)).
    pub(crate) fn not_written(&mut self) {
        self.plan.not_written = true;
        self.plan.irreversible = true;
    }

    /// Appends an operation (for extensions that build operations themselves).
    pub fn push(&mut self, operation: Operation) {
        self.plan.operations.push(operation);
    }

    /// The plan recorded so far.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Ends the recording.
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}
