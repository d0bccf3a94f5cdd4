//! Drift detection: the live schema against the schema the applied migrations produce (their
//! plans replayed, in id order, on an empty model). Someone changed the production schema by
//! hand.
//!
//! Both sides are normalised before they are compared, to what every database reports the same
//! way: a column's name, portable type family, string length, integer width (not on SQLite,
//! whose integers have none), signedness (MySQL) and nullability; a primary key's columns;
//! indexes by name, columns and uniqueness (MySQL's own index on a foreign key's columns, named
//! after the key, is left out on both sides); foreign keys by name, columns, referenced table
//! and columns and actions; defaults, as introspection normalises them (keywords in one case).
//! Comments and type spellings are not compared: the databases spell them too differently to
//! tell an edit from a dialect. Tables named by raw SQL
//! are unverifiable, never drift; tables no migration mentions are left out unless asked for.

use std::collections::BTreeSet;

use super::MigrationRunner;
use crate::descriptor::Direction;
use crate::dialect::Dialect;
use crate::error::MigrationError;
use crate::introspect::{
    SchemaDifference, SchemaSnapshot, TableSnapshot, TypeFamily, normalize_default,
};
use crate::preflight::Model;
use crate::render::generated_name;
use crate::schema::{Operation, TableCommand};

/// What [`MigrationRunner::drift`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drift {
    /// How the live schema differs from what the applied migrations made: `+` only the
    /// database has it, `-` only the migrations, `~` both, differently.
    pub differences: Vec<SchemaDifference>,
    /// Tables the check cannot verify: named by raw SQL in a migration.
    pub unverifiable: Vec<String>,
    /// Why nothing was compared, when nothing was: an applied migration is missing from this
    /// binary or failed part way, so what the migrations made is not known.
    pub not_checked: Option<String>,
}

impl Drift {
    /// True when the live schema is what the migrations made (as far as it can be verified).
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

impl MigrationRunner {
    /// Compares the live schema with the one the applied migrations produce; with
    /// `all_tables`, tables that no migration mentions count too (the ledger's never do).
    ///
    /// ```no_run
    /// # async fn demo(runner: ormed_migrate_core::MigrationRunner) -> Result<(), ormed_migrate_core::MigrationError> {
    /// let drift = runner.drift(false).await?;
    /// for difference in &drift.differences {
    ///     println!("{difference}"); // + users: column nickname string(255) NULL
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn drift(&self, all_tables: bool) -> Result<Drift, MigrationError> {
        let dialect = self.driver.dialect();
        let mut session = self.reading_session().await?;
        let applied = self.read_ledger(&mut session, false).await?;
        let live = crate::introspect::snapshot(session.target(), dialect)
            .await
            .map_err(|e| MigrationError::database("could not read the schema to compare", e))?;
        let live = self.without_ledger(live);
        let known: BTreeSet<_> = self.migrations.iter().map(|d| &d.id).collect();
        let unknown = applied.iter().find(|row| !known.contains(&row.id));
        let failed = applied.iter().find(|row| row.failed.is_some());
        if let Some(row) = unknown.or(failed) {
            let why = match row.failed {
                Some(_) => "failed part way",
                None => "is applied but missing from this binary",
            };
            return Ok(Drift {
                not_checked: Some(format!("migration {} {why}", row.id)),
                ..Drift::default()
            });
        }
        let mut replay = Replay::new(dialect);
        let applied_ids: BTreeSet<_> = applied.iter().map(|row| &row.id).collect();
        let replayed = self
            .migrations
            .iter()
            .filter(|d| applied_ids.contains(&d.id));
        for descriptor in replayed {
            for operation in &descriptor.plan(Direction::Up).operations {
                replay.apply(operation);
            }
        }
        Ok(replay.compare(&live, all_tables))
    }

    fn without_ledger(&self, mut live: SchemaSnapshot) -> SchemaSnapshot {
        for name in [self.ledger.table(), self.ledger.meta_table()] {
            let unqualified = name.rsplit('.').next().unwrap_or(name);
            live.tables.remove(unqualified);
        }
        live
    }
}

/// The applied migrations' plans, replayed on an empty model.
struct Replay {
    dialect: Dialect,
    model: Model,
    /// Every table an operation names.
    mentioned: BTreeSet<String>,
    /// `(table, name)` of every foreign key the migrations add: on MySQL an index of that name
    /// may come with it, and stays when the key is dropped.
    foreign_keys: BTreeSet<(String, String)>,
}

impl Replay {
    fn new(dialect: Dialect) -> Replay {
        Replay {
            dialect,
            model: Model::new(dialect, SchemaSnapshot::default()),
            mentioned: BTreeSet::new(),
            foreign_keys: BTreeSet::new(),
        }
    }

    fn apply(&mut self, operation: &Operation) {
        let (table, commands) = match operation {
            Operation::CreateTable(create) => (create.table.as_str(), create.commands.as_slice()),
            Operation::AlterTable(alter) => (alter.table.as_str(), alter.commands.as_slice()),
            _ => ("", &[][..]),
        };
        for command in commands {
            if let TableCommand::AddForeign(key) = command {
                let name = key
                    .name
                    .clone()
                    .unwrap_or_else(|| generated_name(table, &key.columns, "foreign"));
                self.foreign_keys.insert((table.to_owned(), name));
            }
        }
        self.mentioned.extend(tables_named(operation));
        self.model.apply(operation);
    }

    /// The drift between the replayed model and `live`.
    fn compare(&self, live: &SchemaSnapshot, all_tables: bool) -> Drift {
        let model = &self.model;
        let mut unverifiable = BTreeSet::new();
        let mut expected = SchemaSnapshot::default();
        for (name, table) in &model.tables {
            match model.knows(name) {
                true => {
                    expected.tables.insert(name.clone(), self.normalized(table));
                }
                false => {
                    unverifiable.insert(name.clone());
                }
            }
        }
        let mut actual = SchemaSnapshot::default();
        for (name, table) in &live.tables {
            let counted =
                expected.tables.contains_key(name) || self.mentioned.contains(name) || all_tables;
            if !model.knows(name) {
                unverifiable.insert(name.clone());
            } else if counted {
                actual.tables.insert(name.clone(), self.normalized(table));
            }
        }
        Drift {
            differences: actual.differences_from(&expected),
            unverifiable: unverifiable.into_iter().collect(),
            not_checked: None,
        }
    }

    /// `table` with only what every database reports alike; on MySQL without the indexes it
    /// makes for foreign keys (named after a key the migrations added).
    fn normalized(&self, table: &TableSnapshot) -> TableSnapshot {
        let mut table = normalized(self.dialect, table);
        if self.dialect == Dialect::MySql {
            let name = table.name.clone();
            let for_a_key = |index: &str| {
                self.foreign_keys
                    .contains(&(name.clone(), index.to_owned()))
            };
            table
                .indexes
                .retain(|index| index.unique || !for_a_key(&index.name));
        }
        table
    }
}

/// The tables an operation names (raw SQL's are the model's business).
fn tables_named(operation: &Operation) -> Vec<String> {
    match operation {
        Operation::CreateTable(create) => vec![create.table.clone()],
        Operation::AlterTable(alter) => vec![alter.table.clone()],
        Operation::DropTable { table, .. } => vec![table.clone()],
        Operation::RenameTable { from, to } => vec![from.clone(), to.clone()],
        _ => Vec::new(),
    }
}

/// `table` with only what every database reports alike (see the module).
fn normalized(dialect: Dialect, table: &TableSnapshot) -> TableSnapshot {
    let mut table = table.clone();
    for column in &mut table.columns {
        let length = column
            .length
            .filter(|_| column.family == TypeFamily::String);
        let bytes = column.integer_bytes.filter(|_| dialect != Dialect::Sqlite);
        column.data_type = match (length, bytes) {
            (Some(n), _) => format!("{}({n})", family_name(column.family)),
            (_, Some(n)) => format!("{}({n} bytes)", family_name(column.family)),
            _ => family_name(column.family).to_owned(),
        };
        column.length = length;
        column.integer_bytes = bytes;
        column.precision = None;
        column.scale = None;
        column.default = column
            .default
            .as_deref()
            .and_then(normalize_default)
            .map(|text| {
                // Keywords in one case (PostgreSQL reports `true`, the builder writes `TRUE`);
                // string literals as they are.
                match text.contains('\'') {
                    true => text,
                    false => text.to_lowercase(),
                }
            });
        column.comment = None;
        column.auto_increment = false;
        column.unsigned = column.unsigned && dialect == Dialect::MySql;
    }
    if let Some(key) = &mut table.primary_key {
        key.name = None;
    }
    if dialect == Dialect::MySql {
        let keys: Vec<String> = table
            .foreign_keys
            .iter()
            .filter_map(|k| k.name.clone())
            .collect();
        table
            .indexes
            .retain(|index| index.unique || !keys.contains(&index.name));
    }
    table
}

fn family_name(family: TypeFamily) -> &'static str {
    match family {
        TypeFamily::Integer => "integer",
        TypeFamily::Boolean => "boolean",
        TypeFamily::String => "string",
        TypeFamily::Text => "text",
        TypeFamily::Decimal => "decimal",
        TypeFamily::Float => "float",
        TypeFamily::Date => "date",
        TypeFamily::Time => "time",
        TypeFamily::Timestamp => "timestamp",
        TypeFamily::TimestampTz => "timestamp with time zone",
        TypeFamily::Json => "json",
        TypeFamily::Uuid => "uuid",
        TypeFamily::Binary => "binary",
        _ => "other",
    }
}
