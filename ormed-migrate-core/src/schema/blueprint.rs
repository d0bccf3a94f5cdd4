//! `Table`: the blueprint a `schema.create(table, |t| …)` or `schema.table(table, |t| …)`
//! closure fills in.
//!
//! The closure records entries in the order written; when it ends, [`Table::into_commands`]
//! turns them into [`TableCommand`]s: each column becomes an add-column (or, after
//! `.change()`, a change-column) command followed by the commands its modifiers ask for
//! (unique, index, foreign key), and the columns marked `.primary()` become one primary-key
//! command after the last of them.

use super::{
    AlterTable, ColumnBuilder, ColumnType, CreateTable, ForeignKeyDefinition, IndexDefinition,
    IndexKind, PrimaryKeyDefinition, TableCommand,
};
use crate::render::generated_name;

/// Column names for multi-column operations: `"email"`, `["a", "b"]` or a `Vec<String>`.
pub trait Columns {
    /// The names, in order.
    fn into_columns(self) -> Vec<String>;
}

impl Columns for &str {
    fn into_columns(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl<const N: usize> Columns for [&str; N] {
    fn into_columns(self) -> Vec<String> {
        self.iter().map(|c| (*c).to_owned()).collect()
    }
}

impl Columns for &[&str] {
    fn into_columns(self) -> Vec<String> {
        self.iter().map(|c| (*c).to_owned()).collect()
    }
}

impl Columns for Vec<String> {
    fn into_columns(self) -> Vec<String> {
        self
    }
}

/// Which index or key a drop or rename means: its name (`"users_email_unique"`), or its columns
/// (`["email"]`), from which the deterministic name `<table>_<columns>_<kind>` is derived.
pub trait IndexName {
    /// The name, given the table and the kind's suffix (`index`, `unique`, `foreign`).
    fn index_name(self, table: &str, suffix: &str) -> String;
}

impl IndexName for &str {
    fn index_name(self, _table: &str, _suffix: &str) -> String {
        self.to_owned()
    }
}

impl IndexName for String {
    fn index_name(self, _table: &str, _suffix: &str) -> String {
        self
    }
}

impl<const N: usize> IndexName for [&str; N] {
    fn index_name(self, table: &str, suffix: &str) -> String {
        generated_name(table, &self.into_columns(), suffix)
    }
}

/// The columns, indexes and keys of a table being created (`schema.create`) or changed
/// (`schema.table`).
///
/// ```
/// use ormed_migrate_core::Schema;
///
/// let mut schema = Schema::new();
/// schema.create("posts", |t| {
///     t.id();
///     t.foreign_id("user_id").constrained("users").cascade_on_delete();
///     t.string("title").length(200);
///     t.text("body").nullable();
///     t.boolean("published").default(false);
///     t.index(["user_id", "published"]);
///     t.timestamps();
/// });
/// schema.table("users", |t| {
///     t.string("avatar").nullable();                    // add a column
///     t.string("name").length(100).nullable().change(); // change one
///     t.rename_column("email", "email_address");
///     t.drop_index(["name"]);                           // users_name_index
/// });
/// assert_eq!(schema.plan().operations.len(), 2);
/// ```
#[derive(Debug)]
pub struct Table {
    name: String,
    entries: Vec<Entry>,
}

/// What the closure recorded, before columns are expanded into commands.
#[derive(Debug)]
enum Entry {
    Column(ColumnBuilder),
    Command(TableCommand),
}

impl Table {
    pub(crate) fn new(table: &str) -> Table {
        Table {
            name: table.to_owned(),
            entries: Vec::new(),
        }
    }

    /// The recorded columns and keys of a new table.
    pub(crate) fn into_create(self) -> CreateTable {
        let (table, commands) = self.into_commands();
        CreateTable { table, commands }
    }

    /// The recorded changes to an existing table.
    pub(crate) fn into_alter(self) -> AlterTable {
        let (table, commands) = self.into_commands();
        AlterTable { table, commands }
    }

    /// The recorded changes as commands, in the order written.
    fn into_commands(self) -> (String, Vec<TableCommand>) {
        let mut commands = Vec::new();
        let primary: Vec<String> = self
            .entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Column(c) if c.primary && !c.definition.column_type.is_auto_increment() => {
                    Some(c.definition.name.clone())
                }
                _ => None,
            })
            .collect();
        let last_primary = primary.last().cloned();
        for entry in self.entries {
            match entry {
                Entry::Command(command) => commands.push(command),
                Entry::Column(column) => {
                    let name = column.definition.name.clone();
                    commands.extend(implied_commands(column));
                    if last_primary.as_ref() == Some(&name) {
                        commands.push(TableCommand::AddPrimary(PrimaryKeyDefinition::new(
                            primary.clone(),
                        )));
                    }
                }
            }
        }
        (self.name, commands)
    }

    /// Adds a column of any type.
    pub fn column(&mut self, name: &str, column_type: ColumnType) -> &mut ColumnBuilder {
        self.entries
            .push(Entry::Column(ColumnBuilder::new(name, column_type)));
        match self.entries.last_mut() {
            Some(Entry::Column(column)) => column,
            _ => unreachable!("a column was just pushed"),
        }
    }

    /// `id`: an auto-incrementing big integer primary key.
    pub fn id(&mut self) -> &mut ColumnBuilder {
        self.big_increments("id")
    }

    /// An auto-incrementing integer primary key.
    pub fn increments(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Increments)
    }

    /// An auto-incrementing big integer primary key.
    pub fn big_increments(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::BigIncrements)
    }

    /// A 32-bit integer.
    pub fn integer(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Integer)
    }

    /// A 64-bit integer.
    pub fn big_integer(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::BigInteger)
    }

    /// A 16-bit integer.
    pub fn small_integer(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::SmallInteger)
    }

    /// A boolean.
    pub fn boolean(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Boolean)
    }

    /// A `VARCHAR(255)`; change the length with `.length(n)`.
    pub fn string(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::String(255))
    }

    /// A `CHAR(255)`; change the length with `.length(n)`.
    pub fn char(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Char(255))
    }

    /// Unbounded text.
    pub fn text(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Text)
    }

    /// An exact decimal with `precision` digits, `scale` of them after the point.
    pub fn decimal(&mut self, name: &str, precision: u8, scale: u8) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Decimal(precision, scale))
    }

    /// A single-precision float.
    pub fn float(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Float)
    }

    /// A double-precision float.
    pub fn double(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Double)
    }

    /// A date.
    pub fn date(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Date)
    }

    /// A time of day.
    pub fn time(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Time)
    }

    /// A date and time without time zone.
    pub fn timestamp(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Timestamp)
    }

    /// A date and time with time zone.
    pub fn timestamp_tz(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::TimestampTz)
    }

    /// A JSON document.
    pub fn json(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Json)
    }

    /// A UUID.
    pub fn uuid(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Uuid)
    }

    /// Binary data.
    pub fn binary(&mut self, name: &str) -> &mut ColumnBuilder {
        self.column(name, ColumnType::Binary)
    }

    /// Nullable `created_at` and `updated_at` timestamps.
    pub fn timestamps(&mut self) {
        self.timestamp("created_at").nullable();
        self.timestamp("updated_at").nullable();
    }

    /// A nullable `deleted_at` timestamp for soft deletes.
    pub fn soft_deletes(&mut self) -> &mut ColumnBuilder {
        self.timestamp("deleted_at").nullable()
    }

    /// An unsigned big integer meant to reference another table's `id`; add
    /// `.constrained("table")` for the foreign key.
    pub fn foreign_id(&mut self, name: &str) -> &mut ColumnBuilder {
        self.big_integer(name).unsigned()
    }

    /// An index over `columns`, named `<table>_<columns>_index` unless `.name(..)` is given.
    pub fn index(&mut self, columns: impl Columns) -> &mut IndexDefinition {
        self.push_index(columns.into_columns(), IndexKind::Index)
    }

    /// A unique index over `columns`, named `<table>_<columns>_unique` unless named.
    pub fn unique(&mut self, columns: impl Columns) -> &mut IndexDefinition {
        self.push_index(columns.into_columns(), IndexKind::Unique)
    }

    fn push_index(&mut self, columns: Vec<String>, kind: IndexKind) -> &mut IndexDefinition {
        let index = IndexDefinition::new(columns, kind);
        match self.push(TableCommand::AddIndex(index)) {
            TableCommand::AddIndex(index) => index,
            _ => unreachable!("an index was just pushed"),
        }
    }

    /// A foreign key from `columns`: `t.foreign("user_id").references("id").on("users")`.
    pub fn foreign(&mut self, columns: impl Columns) -> &mut ForeignKeyDefinition {
        let key = ForeignKeyDefinition::new(columns.into_columns());
        match self.push(TableCommand::AddForeign(key)) {
            TableCommand::AddForeign(key) => key,
            _ => unreachable!("a foreign key was just pushed"),
        }
    }

    /// The primary key over `columns` (composite keys): `t.primary(["team_id", "user_id"])`.
    pub fn primary(&mut self, columns: impl Columns) -> &mut PrimaryKeyDefinition {
        let key = PrimaryKeyDefinition::new(columns.into_columns());
        match self.push(TableCommand::AddPrimary(key)) {
            TableCommand::AddPrimary(key) => key,
            _ => unreachable!("a primary key was just pushed"),
        }
    }

    /// Drops a column, or several: `t.drop_column("legacy")`, `t.drop_column(["a", "b"])`.
    pub fn drop_column(&mut self, columns: impl Columns) {
        for column in columns.into_columns() {
            self.push(TableCommand::DropColumn(column));
        }
    }

    /// Renames column `from` to `to`.
    pub fn rename_column(&mut self, from: &str, to: &str) {
        self.push(TableCommand::RenameColumn {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }

    /// Drops an index by name (`"users_name_index"`) or by its columns (`["name"]`).
    pub fn drop_index(&mut self, index: impl IndexName) {
        self.push_drop_index(index, IndexKind::Index);
    }

    /// Drops a unique index by name (`"users_slug_unique"`) or by its columns (`["slug"]`).
    pub fn drop_unique(&mut self, index: impl IndexName) {
        self.push_drop_index(index, IndexKind::Unique);
    }

    fn push_drop_index(&mut self, index: impl IndexName, kind: IndexKind) {
        let name = index.index_name(&self.name, kind.suffix());
        self.push(TableCommand::DropIndex { name, kind });
    }

    /// Renames index `from` to `to`.
    pub fn rename_index(&mut self, from: &str, to: &str) {
        self.push(TableCommand::RenameIndex {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }

    /// Drops a foreign key by name (`"posts_user_id_foreign"`) or by its columns (`["user_id"]`).
    pub fn drop_foreign(&mut self, key: impl IndexName) {
        let name = key.index_name(&self.name, "foreign");
        self.push(TableCommand::DropForeign(name));
    }

    /// Drops the foreign key on `column` (named `<table>_<column>_foreign`), then the column:
    /// the way back from `t.foreign_id(column).constrained(..)`.
    pub fn drop_constrained_foreign_id(&mut self, column: &str) {
        self.drop_foreign([column]);
        self.drop_column(column);
    }

    /// Drops the table's primary key.
    pub fn drop_primary(&mut self) {
        self.push(TableCommand::DropPrimary);
    }

    /// Drops `created_at` and `updated_at`.
    pub fn drop_timestamps(&mut self) {
        self.drop_column(["created_at", "updated_at"]);
    }

    /// Drops `deleted_at`.
    pub fn drop_soft_deletes(&mut self) {
        self.drop_column("deleted_at");
    }

    fn push(&mut self, command: TableCommand) -> &mut TableCommand {
        self.entries.push(Entry::Command(command));
        match self.entries.last_mut() {
            Some(Entry::Command(command)) => command,
            _ => unreachable!("a command was just pushed"),
        }
    }
}

/// A column's add-column command and the commands its modifiers ask for, in that order.
fn implied_commands(column: ColumnBuilder) -> Vec<TableCommand> {
    let name = vec![column.definition.name.clone()];
    let mut commands = vec![if column.change {
        TableCommand::ChangeColumn(column.definition)
    } else {
        TableCommand::AddColumn(column.definition)
    }];
    for (asked, kind) in [
        (column.unique, IndexKind::Unique),
        (column.index, IndexKind::Index),
    ] {
        if asked {
            commands.push(TableCommand::AddIndex(IndexDefinition::new(
                name.clone(),
                kind,
            )));
        }
    }
    commands.extend(column.foreign_key.map(TableCommand::AddForeign));
    commands
}
