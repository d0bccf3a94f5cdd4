//! SQLite: dynamic typing with affinities; `INTEGER PRIMARY KEY AUTOINCREMENT` for ids.

use super::{DialectSql, common_type};
use crate::schema::{ColumnDefinition, ColumnType};

pub(super) struct Sqlite;

impl DialectSql for Sqlite {
    fn quote_char(&self) -> char {
        '"'
    }

    fn column_type(&self, column: &ColumnDefinition) -> String {
        if let Some(common) = common_type(column.column_type) {
            return common;
        }
        match column.column_type {
            ColumnType::Increments
            | ColumnType::BigIncrements
            | ColumnType::Integer
            | ColumnType::BigInteger
            | ColumnType::SmallInteger => "INTEGER",
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Decimal(precision, scale) => {
                return format!("NUMERIC({precision}, {scale})");
            }
            ColumnType::Float | ColumnType::Double => "REAL",
            ColumnType::Time => "TIME",
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME",
            ColumnType::Json => "TEXT",
            ColumnType::Uuid => "VARCHAR(36)",
            ColumnType::Binary => "BLOB",
            ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text | ColumnType::Date => {
                unreachable!("handled by common_type")
            }
        }
        .to_owned()
    }

    fn auto_increment(&self, _column: &ColumnDefinition) -> String {
        // Only `INTEGER PRIMARY KEY` aliases the rowid; AUTOINCREMENT forbids id reuse.
        "INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_owned()
    }

    fn boolean(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }
}
