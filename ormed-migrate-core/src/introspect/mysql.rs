//! MySQL and MariaDB: `information_schema` of one database (`COLUMNS`, `STATISTICS`,
//! `KEY_COLUMN_USAGE` with `REFERENTIAL_CONSTRAINTS`), in three queries for all its tables,
//! and on MariaDB a fourth for the checks that make a `longtext` a JSON column.
//!
//! The two servers describe the same table differently; this module makes them agree:
//! MariaDB's integer display widths (`bigint(20) unsigned`) go, its quoted string defaults are
//! what MySQL 8's bare ones become, and its `NULL` text for "no default" is no default.

use std::collections::HashSet;

use super::{
    ColumnSnapshot, NamedForeignKeyRow, SchemaSnapshot, SnapshotBuilder, TableFilter, TypeFamily,
    TypeInfo, TypeName, action_named, binds, current_time_keyword, lowercase_outside_quotes,
    on_database,
};
use crate::dialect::Dialect;
use crate::driver::Target;
use crate::schema::ForeignKeyAction;

/// Which server answered: they spell defaults differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Server {
    MariaDb,
    MySql,
}

/// Table, column, `COLUMN_TYPE`, `IS_NULLABLE`, `COLUMN_DEFAULT`, `EXTRA`, `COLUMN_COMMENT`,
/// generation expression (empty when not generated), server version.
type ColumnRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

// Every text is cast to CHAR: MySQL 8 gives some `information_schema` columns binary types,
// which do not decode as strings. The binds are the database (NULL for `DATABASE()`) and the
// one table to read, twice (NULL for all).
const COLUMNS: &str = "SELECT CAST(c.TABLE_NAME AS CHAR), CAST(c.COLUMN_NAME AS CHAR), \
     CAST(c.COLUMN_TYPE AS CHAR), CAST(c.IS_NULLABLE AS CHAR), CAST(c.COLUMN_DEFAULT AS CHAR), \
     CAST(c.EXTRA AS CHAR), CAST(c.COLUMN_COMMENT AS CHAR), \
     CAST(COALESCE(c.GENERATION_EXPRESSION, '') AS CHAR), CAST(VERSION() AS CHAR) \
     FROM information_schema.COLUMNS c \
     JOIN information_schema.TABLES t \
         ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
     WHERE c.TABLE_SCHEMA = COALESCE(?, DATABASE()) \
     AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') \
     AND (? IS NULL OR c.TABLE_NAME = ?) \
     ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION";

/// MariaDB's `JSON` is `longtext` with a `json_valid(col)` check: table, check clause.
const JSON_CHECKS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR) \
     FROM information_schema.CHECK_CONSTRAINTS \
     WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND LEFT(CHECK_CLAUSE, 11) = 'json_valid(' \
     AND (? IS NULL OR TABLE_NAME = ?)";

/// Table, index, column (NULL for a MySQL 8 functional key part), non-unique.
type IndexRow = (String, String, Option<String>, i64);

const INDEXES: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), \
     CAST(COLUMN_NAME AS CHAR), CAST(NON_UNIQUE AS SIGNED) \
     FROM information_schema.STATISTICS \
     WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND (? IS NULL OR TABLE_NAME = ?) \
     ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

/// Rows of table, constraint, referenced table (qualified when in another database), update and delete
/// rules, column, referenced column, one row per key column.
const FOREIGN_KEYS: &str = "SELECT CAST(k.TABLE_NAME AS CHAR), CAST(k.CONSTRAINT_NAME AS CHAR), \
     CAST(CASE WHEN k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA THEN k.REFERENCED_TABLE_NAME \
         ELSE CONCAT(k.REFERENCED_TABLE_SCHEMA, '.', k.REFERENCED_TABLE_NAME) END AS CHAR), \
     CAST(r.UPDATE_RULE AS CHAR), CAST(r.DELETE_RULE AS CHAR), CAST(k.COLUMN_NAME AS CHAR), \
     CAST(k.REFERENCED_COLUMN_NAME AS CHAR) \
     FROM information_schema.KEY_COLUMN_USAGE k \
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME \
         AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
     WHERE k.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND k.REFERENCED_TABLE_NAME IS NOT NULL \
     AND (? IS NULL OR k.TABLE_NAME = ?) \
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

pub(super) async fn read(
    mut target: Target<'_, '_>,
    filter: Option<TableFilter<'_>>,
) -> Result<SchemaSnapshot, sqlx::Error> {
    let (schema, table) = binds(filter);
    let columns: Vec<ColumnRow> = on_database!(target.reborrow(), MySql, executor => {
        sqlx::query_as(COLUMNS).bind(schema).bind(table).bind(table).fetch_all(executor).await
    })?;
    let server = match columns.first() {
        Some(row) if row.8.to_ascii_lowercase().contains("mariadb") => Server::MariaDb,
        _ => Server::MySql,
    };
    let has_longtext = columns
        .iter()
        .any(|row| row.2.eq_ignore_ascii_case("longtext"));
    let json_checks: HashSet<(String, String)> = if server == Server::MariaDb && has_longtext {
        let rows: Vec<(String, String)> = on_database!(target.reborrow(), MySql, executor => {
            sqlx::query_as(JSON_CHECKS).bind(schema).bind(table).bind(table)
                .fetch_all(executor).await
        })?;
        rows.into_iter().collect()
    } else {
        HashSet::new()
    };
    let indexes: Vec<IndexRow> = on_database!(target.reborrow(), MySql, executor => {
        sqlx::query_as(INDEXES).bind(schema).bind(table).bind(table).fetch_all(executor).await
    })?;
    let foreign_keys: Vec<NamedForeignKeyRow> = on_database!(target, MySql, executor => {
        sqlx::query_as(FOREIGN_KEYS).bind(schema).bind(table).bind(table)
            .fetch_all(executor).await
    })?;

    let mut builder = SnapshotBuilder::default();
    for row in columns {
        let json = json_checks.contains(&(row.0.clone(), format!("json_valid(`{}`)", row.1)));
        add_column(&mut builder, server, row, json);
    }
    for (table, index, column, non_unique) in indexes {
        let column = column.unwrap_or_default();
        // The primary key is always the index `PRIMARY`.
        if index == "PRIMARY" {
            builder.primary_key_column(&table, None, column);
        } else {
            builder.index_column(&table, &index, non_unique == 0, column);
        }
    }
    builder.named_foreign_keys(foreign_keys, action);
    Ok(builder.finish())
}

/// One column; `json` when MariaDB checks it with `json_valid`.
fn add_column(builder: &mut SnapshotBuilder, server: Server, row: ColumnRow, json: bool) {
    let (table, name, column_type, nullable, default, extra, comment, generation, _) = row;
    let data_type = normalize_type(&column_type);
    let mut info = type_info(&data_type);
    if json && info.family == TypeFamily::Text {
        info.family = TypeFamily::Json;
    }
    let auto_increment = extra.to_ascii_lowercase().contains("auto_increment");
    let default = match default {
        // A generated column's expression is not a default.
        Some(text) if !auto_increment && generation.is_empty() => {
            normalize_default(server, &text, info, &extra)
        }
        _ => None,
    };
    builder.column(
        &table,
        ColumnSnapshot {
            nullable: nullable.eq_ignore_ascii_case("YES"),
            default,
            auto_increment,
            comment: Some(comment).filter(|c| !c.is_empty()),
            ..ColumnSnapshot::typed(name, data_type, info)
        },
    );
}

/// `COLUMN_TYPE` lowercased, without integer display widths: MariaDB and MySQL 5.7 write
/// `bigint(20) unsigned` where MySQL 8 writes `bigint unsigned`. `tinyint(1)` keeps its width,
/// since both servers use it for booleans.
pub(super) fn normalize_type(column_type: &str) -> String {
    const INTEGERS: [&str; 6] = [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
    ];
    let lower = lowercase_outside_quotes(column_type.trim());
    let Some(open) = lower.find('(') else {
        return lower;
    };
    let base = &lower[..open];
    if !INTEGERS.contains(&base) || lower.starts_with("tinyint(1)") {
        return lower;
    }
    match lower[open..].find(')') {
        Some(close) => format!("{base}{}", &lower[open + close + 1..]),
        None => lower,
    }
}

/// The family of a normalised `COLUMN_TYPE`.
fn type_info(data_type: &str) -> TypeInfo {
    let name = TypeName::parse(data_type);
    let mut words = name.words.split(' ');
    let base = words.next().unwrap_or_default();
    let unsigned = words.any(|w| w == "unsigned");
    let info = match base {
        "tinyint" if name.args == [1] => TypeInfo::of(TypeFamily::Boolean),
        "tinyint" => TypeInfo::integer(Some(1)),
        "smallint" => TypeInfo::integer(Some(2)),
        "mediumint" => TypeInfo::integer(Some(3)),
        "int" | "integer" => TypeInfo::integer(Some(4)),
        "bigint" => TypeInfo::integer(Some(8)),
        "decimal" | "numeric" => TypeInfo::of(TypeFamily::Decimal),
        "float" | "double" | "real" => TypeInfo::of(TypeFamily::Float),
        "char" | "varchar" => TypeInfo::of(TypeFamily::String),
        "tinytext" | "text" | "mediumtext" | "longtext" => TypeInfo::of(TypeFamily::Text),
        "date" => TypeInfo::of(TypeFamily::Date),
        "time" => TypeInfo::of(TypeFamily::Time),
        "datetime" => TypeInfo::of(TypeFamily::Timestamp),
        // Stored in UTC and converted to the session's time zone: an instant.
        "timestamp" => TypeInfo::of(TypeFamily::TimestampTz),
        "json" => TypeInfo::of(TypeFamily::Json),
        "uuid" => TypeInfo::of(TypeFamily::Uuid),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            TypeInfo::of(TypeFamily::Binary)
        }
        _ => TypeInfo::of(TypeFamily::Other),
    };
    TypeInfo {
        unsigned,
        ..info.with_args(&name.args)
    }
}

/// A `COLUMN_DEFAULT` in one form for both servers. MariaDB (10.2.7 and later) writes
/// literals as SQL (`'draft'`, `-1`) and `NULL` for a nullable column without a default;
/// MySQL 8 writes a literal's bare value (`draft`) and marks expressions `DEFAULT_GENERATED`,
/// so its string values are quoted here the way MariaDB quotes them.
pub(super) fn normalize_default(
    server: Server,
    text: &str,
    info: TypeInfo,
    extra: &str,
) -> Option<String> {
    let bare_value = match server {
        Server::MariaDb => false,
        Server::MySql => {
            let expression = extra.to_ascii_uppercase().contains("DEFAULT_GENERATED")
                || current_time_keyword(text.trim()).is_some();
            let number = matches!(
                info.family,
                TypeFamily::Integer | TypeFamily::Boolean | TypeFamily::Decimal | TypeFamily::Float
            );
            !expression && !number
        }
    };
    if bare_value {
        Some(Dialect::MySql.string_literal(text))
    } else {
        super::normalize_default(text)
    }
}

/// A referential rule. InnoDB treats `RESTRICT` and `NO ACTION` alike (both checked at once),
/// and MariaDB reports an action left unsaid as `RESTRICT`, so both read as `NoAction`: the
/// builder's default reads back as written on every server.
fn action(rule: &str) -> ForeignKeyAction {
    match action_named(rule) {
        ForeignKeyAction::Restrict => ForeignKeyAction::NoAction,
        other => other,
    }
}
