//! PostgreSQL: the system catalogs of one schema (`pg_class`, `pg_attribute`, `pg_attrdef`,
//! `pg_index`, `pg_constraint`), in three queries for all its tables.
//!
//! The catalogs, not `information_schema`: it hides what the current role does not own, spells
//! types without their modifiers and has no index that is not a constraint.

use super::{
    NamedForeignKeyRow, SchemaSnapshot, SnapshotBuilder, TableFilter, TypeFamily, TypeInfo,
    TypeName, binds, is_number, on_database, quoted_literal_end,
};
use crate::driver::Target;
use crate::introspect::ColumnSnapshot;
use crate::schema::ForeignKeyAction;

/// Table, column, `format_type`, not null, identity (`a`, `d` or empty), generated (`s` or
/// empty), default expression, comment; the column fields are NULL for a table without columns.
type ColumnRow = (
    String,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

// `$1` is the schema (NULL for `current_schema()`), `$2` the one table to read (NULL for all).
const COLUMNS: &str = "SELECT c.relname::text, a.attname::text, \
     format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text, \
     a.attgenerated::text, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum) \
     FROM pg_class c \
     LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
     WHERE c.relnamespace = (SELECT oid FROM pg_namespace \
         WHERE nspname = COALESCE($1::text, current_schema())) \
     AND c.relkind IN ('r', 'p') AND ($2::text IS NULL OR c.relname = $2::text) \
     ORDER BY c.relname, a.attnum";

/// Table, index, unique, primary, key column (an expression's text for an expression).
type IndexRow = (String, String, bool, bool, Option<String>);

// Key columns only (`ord <= indnkeyatts`): INCLUDE columns are not part of the key.
const INDEXES: &str = "SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indisprimary, \
     CASE WHEN k.attnum = 0 THEN pg_get_indexdef(ix.indexrelid, k.ord::int, true) \
         ELSE a.attname::text END \
     FROM pg_index ix \
     JOIN pg_class t ON t.oid = ix.indrelid \
     JOIN pg_class i ON i.oid = ix.indexrelid \
     CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
     WHERE t.relnamespace = (SELECT oid FROM pg_namespace \
         WHERE nspname = COALESCE($1::text, current_schema())) \
     AND t.relkind IN ('r', 'p') AND ($2::text IS NULL OR t.relname = $2::text) \
     AND k.ord <= ix.indnkeyatts \
     ORDER BY t.relname, i.relname, k.ord";

/// Rows of table, constraint, referenced table (qualified when in another schema), update and delete
/// action codes, column, referenced column, one row per key column.
const FOREIGN_KEYS: &str = "SELECT t.relname::text, c.conname::text, \
     CASE WHEN rt.relnamespace = t.relnamespace THEN rt.relname::text \
         ELSE rn.nspname::text || '.' || rt.relname::text END, \
     c.confupdtype::text, c.confdeltype::text, a.attname::text, ra.attname::text \
     FROM pg_constraint c \
     JOIN pg_class t ON t.oid = c.conrelid \
     JOIN pg_class rt ON rt.oid = c.confrelid \
     JOIN pg_namespace rn ON rn.oid = rt.relnamespace \
     CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, ord) \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
     JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum \
     WHERE c.contype = 'f' AND t.relnamespace = (SELECT oid FROM pg_namespace \
         WHERE nspname = COALESCE($1::text, current_schema())) \
     AND t.relkind IN ('r', 'p') AND ($2::text IS NULL OR t.relname = $2::text) \
     ORDER BY t.relname, c.conname, k.ord";

pub(super) async fn read(
    mut target: Target<'_, '_>,
    filter: Option<TableFilter<'_>>,
) -> Result<SchemaSnapshot, sqlx::Error> {
    let (schema, table) = binds(filter);
    let columns: Vec<ColumnRow> = on_database!(target.reborrow(), Postgres, executor => {
        sqlx::query_as(COLUMNS).bind(schema).bind(table).fetch_all(executor).await
    })?;
    let indexes: Vec<IndexRow> = on_database!(target.reborrow(), Postgres, executor => {
        sqlx::query_as(INDEXES).bind(schema).bind(table).fetch_all(executor).await
    })?;
    let foreign_keys: Vec<NamedForeignKeyRow> = on_database!(target, Postgres, executor => {
        sqlx::query_as(FOREIGN_KEYS).bind(schema).bind(table).fetch_all(executor).await
    })?;

    let mut builder = SnapshotBuilder::default();
    for row in columns {
        add_column(&mut builder, row);
    }
    for (table, index, unique, primary, column) in indexes {
        let column = column.unwrap_or_default();
        if primary {
            // The primary key's index has the constraint's name.
            builder.primary_key_column(&table, Some(index), column);
        } else {
            builder.index_column(&table, &index, unique, column);
        }
    }
    builder.named_foreign_keys(foreign_keys, action);
    Ok(builder.finish())
}

fn add_column(builder: &mut SnapshotBuilder, row: ColumnRow) {
    let (table, name, data_type, not_null, identity, generated, default, comment) = row;
    let (Some(name), Some(data_type)) = (name, data_type) else {
        // A table without columns (PostgreSQL allows `CREATE TABLE t ()`).
        builder.table(&table);
        return;
    };
    let default = default.unwrap_or_default();
    // `serial` columns default to their sequence; identity columns have no default at all.
    let serial = default.starts_with("nextval(");
    let auto_increment = serial || identity.is_some_and(|i| !i.is_empty());
    // A stored generated column's expression is in `pg_attrdef` too; it is no default.
    let generated = generated.is_some_and(|g| !g.is_empty());
    let default = if auto_increment || generated {
        None
    } else {
        normalize_default(&default)
    };
    let info = type_info(&data_type);
    builder.column(
        &table,
        // `format_type` spells built-in types in lower case already; a user type keeps its
        // (possibly quoted) name.
        ColumnSnapshot {
            nullable: !not_null.unwrap_or(false),
            default,
            auto_increment,
            comment,
            ..ColumnSnapshot::typed(name, data_type, info)
        },
    );
}

/// The family of a `format_type` spelling.
fn type_info(data_type: &str) -> TypeInfo {
    let name = TypeName::parse(data_type);
    let info = match name.words.as_str() {
        "smallint" => TypeInfo::integer(Some(2)),
        "integer" => TypeInfo::integer(Some(4)),
        "bigint" => TypeInfo::integer(Some(8)),
        "boolean" => TypeInfo::of(TypeFamily::Boolean),
        "numeric" => TypeInfo::of(TypeFamily::Decimal),
        "real" | "double precision" => TypeInfo::of(TypeFamily::Float),
        "character varying" | "character" => TypeInfo::of(TypeFamily::String),
        "text" => TypeInfo::of(TypeFamily::Text),
        "date" => TypeInfo::of(TypeFamily::Date),
        "time without time zone" | "time with time zone" => TypeInfo::of(TypeFamily::Time),
        "timestamp without time zone" => TypeInfo::of(TypeFamily::Timestamp),
        "timestamp with time zone" => TypeInfo::of(TypeFamily::TimestampTz),
        "json" | "jsonb" => TypeInfo::of(TypeFamily::Json),
        "uuid" => TypeInfo::of(TypeFamily::Uuid),
        "bytea" => TypeInfo::of(TypeFamily::Binary),
        _ => TypeInfo::of(TypeFamily::Other),
    };
    info.with_args(&name.args)
}

/// `pg_get_expr`'s text of a default, normalised: PostgreSQL writes a literal with a cast to
/// the column type (`'draft'::character varying`, `'-1'::integer`), which goes; a number then
/// loses its quotes, so `-1` reads the same as on the other databases.
pub(super) fn normalize_default(text: &str) -> Option<String> {
    let text = text.trim();
    let uncast = without_literal_cast(text);
    super::normalize_default(uncast.as_deref().unwrap_or(text))
}

/// A single-quoted literal or `NULL` followed by one cast to a type, without the cast; `None`
/// for anything else (casts inside expressions belong to the expression).
fn without_literal_cast(text: &str) -> Option<String> {
    let is_null = text
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("null"));
    let end = if is_null {
        4
    } else {
        quoted_literal_end(text)?
    };
    let (literal, cast) = text.split_at(end);
    let type_name = cast.strip_prefix("::")?.trim();
    let plain_type = |c: char| c.is_ascii_alphanumeric() || " _(),[]\".".contains(c);
    if type_name.is_empty() || !type_name.chars().all(plain_type) {
        return None;
    }
    if is_null {
        return Some(literal.to_owned());
    }
    let inner = &literal[1..literal.len() - 1];
    let numeric = matches!(
        TypeName::parse(type_name).words.as_str(),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision"
    );
    Some(
        if numeric && is_number(inner) {
            inner
        } else {
            literal
        }
        .to_owned(),
    )
}

/// `pg_constraint`'s action codes. `d` (SET DEFAULT) has no [`ForeignKeyAction`] and reads as
/// `NoAction`.
fn action(code: &str) -> ForeignKeyAction {
    match code {
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        _ => ForeignKeyAction::NoAction,
    }
}
