//! Emptying the connection's schema for `migrate:fresh`: every table, view, materialized view,
//! sequence and type in it, none that an extension owns, nothing in other schemas or databases.
//!
//! The objects are read from the catalog (each backend's query lists them in an order that can
//! be dropped) and dropped without `CASCADE`, so an object in another schema that depends on one
//! of them makes the drop fail with the database's own message instead of vanishing with it. On
//! PostgreSQL and SQLite the drops run in one transaction: a failure leaves everything in place.

use sqlx::{AssertSqlSafe, Row as _};

use crate::backend;
use crate::dialect::Dialect;
use crate::driver::{Target, with_executor};

/// What kind of object [`SchemaObject`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A view.
    View,
    /// A PostgreSQL materialized view.
    MaterializedView,
    /// A table (SQLite virtual tables and PostgreSQL foreign tables included).
    Table,
    /// A sequence that no column owns (owned ones go with their table).
    Sequence,
    /// A PostgreSQL enum, composite, domain or range type.
    Type,
}

impl ObjectKind {
    fn from_catalog(kind: &str) -> Option<ObjectKind> {
        Some(match kind {
            "view" => ObjectKind::View,
            "materialized view" => ObjectKind::MaterializedView,
            "table" => ObjectKind::Table,
            "sequence" => ObjectKind::Sequence,
            "type" => ObjectKind::Type,
            _ => return None,
        })
    }

    /// The SQL keyword after `DROP`.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            ObjectKind::View => "VIEW",
            ObjectKind::MaterializedView => "MATERIALIZED VIEW",
            ObjectKind::Table => "TABLE",
            ObjectKind::Sequence => "SEQUENCE",
            ObjectKind::Type => "TYPE",
        }
    }
}

/// One object of the connection's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaObject {
    /// Its kind.
    pub kind: ObjectKind,
    /// Its name, as the catalog spells it.
    pub name: String,
}

/// The objects `migrate:fresh` drops, in the order they can be dropped.
pub(crate) async fn objects(
    target: Target<'_, '_>,
    dialect: Dialect,
) -> Result<Vec<SchemaObject>, sqlx::Error> {
    let sql = backend::of(dialect).schema_objects_query();
    let rows = with_executor!(target, executor => {
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all(executor)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    let mut objects: Vec<SchemaObject> = rows
        .into_iter()
        .filter_map(|(kind, name)| {
            ObjectKind::from_catalog(&kind).map(|kind| SchemaObject { kind, name })
        })
        .collect();
    // Stable: within a kind the catalog's order (SQLite's virtual tables first) is kept.
    objects.sort_by_key(|object| object.kind);
    Ok(objects)
}

/// The statements that drop `objects`: one per kind where the database drops several objects
/// of a kind at once (dependencies among them then do not matter), wrapped in what the
/// database needs to drop tables that reference each other.
pub(crate) fn drop_statements(dialect: Dialect, objects: &[SchemaObject]) -> Vec<String> {
    let backend = backend::of(dialect);
    let mut statements = Vec::new();
    let mut kinds: Vec<ObjectKind> = objects.iter().map(|o| o.kind).collect();
    kinds.dedup();
    for kind in kinds {
        let names: Vec<String> = objects
            .iter()
            .filter(|o| o.kind == kind)
            .map(|o| backend::identifier::quote_existing(backend.quote_char(), &o.name))
            .collect();
        statements.extend(backend.drop_objects(kind, &names));
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: ObjectKind, name: &str) -> SchemaObject {
        SchemaObject {
            kind,
            name: name.to_owned(),
        }
    }

    #[test]
    fn drops_each_kind_in_one_statement_where_the_database_can() {
        let objects = [
            object(ObjectKind::View, "active_users"),
            object(ObjectKind::Table, "users"),
            object(ObjectKind::Table, "odd \"name\""),
            object(ObjectKind::Type, "mood"),
        ];
        assert_eq!(
            drop_statements(Dialect::Postgres, &objects),
            [
                r#"DROP VIEW IF EXISTS "active_users""#,
                r#"DROP TABLE IF EXISTS "users", "odd ""name""""#,
                r#"DROP TYPE IF EXISTS "mood""#,
            ]
        );
        assert_eq!(
            drop_statements(Dialect::MySql, &objects[..3]),
            [
                "DROP VIEW IF EXISTS `active_users`",
                "DROP TABLE IF EXISTS `users`, `odd \"name\"`",
            ]
        );
        assert_eq!(
            drop_statements(Dialect::Sqlite, &objects[..3]),
            [
                r#"DROP VIEW IF EXISTS "active_users""#,
                r#"DROP TABLE IF EXISTS "users""#,
                r#"DROP TABLE IF EXISTS "odd ""name""""#,
            ]
        );
    }
}
