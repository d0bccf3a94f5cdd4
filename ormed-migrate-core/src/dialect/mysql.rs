//! MySQL and MariaDB: backtick quoting, `UNSIGNED`, `AUTO_INCREMENT`, inline comments, and
//! backslash escapes in string literals.

use super::{DialectSql, common_type};
use crate::schema::{ColumnDefinition, ColumnType};

pub(super) struct MySql;

impl DialectSql for MySql {
    fn quote_char(&self) -> char {
        '`'
    }

    fn column_type(&self, column: &ColumnDefinition) -> String {
        if let Some(common) = common_type(column.column_type) {
            return common;
        }
        let base = match column.column_type {
            ColumnType::Increments | ColumnType::Integer => "INT",
            ColumnType::BigIncrements | ColumnType::BigInteger => "BIGINT",
            ColumnType::SmallInteger => "SMALLINT",
            ColumnType::Boolean => "TINYINT(1)",
            ColumnType::Decimal(precision, scale) => {
                return format!("DECIMAL({precision}, {scale})");
            }
            ColumnType::Float => "FLOAT",
            ColumnType::Double => "DOUBLE",
            ColumnType::Time => "TIME",
            // DATETIME, not TIMESTAMP: no implicit defaults, no time-zone conversion, no 2038 limit.
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME",
            ColumnType::Json => "JSON",
            ColumnType::Uuid => "CHAR(36)",
            ColumnType::Binary => "BLOB",
            ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text | ColumnType::Date => {
                unreachable!("handled by common_type")
            }
        };
        let integer = matches!(
            column.column_type,
            ColumnType::Increments
                | ColumnType::BigIncrements
                | ColumnType::Integer
                | ColumnType::BigInteger
                | ColumnType::SmallInteger
        );
        if integer && (column.unsigned || column.column_type.is_auto_increment()) {
            format!("{base} UNSIGNED")
        } else {
            base.to_owned()
        }
    }

    fn auto_increment(&self, column: &ColumnDefinition) -> String {
        let mut sql = format!(
            "{} NOT NULL AUTO_INCREMENT PRIMARY KEY",
            self.column_type(column)
        );
        // The shared column renderer adds inline comments to other columns only.
        if let Some(comment) = column
            .comment
            .as_deref()
            .and_then(|c| self.inline_comment(c))
        {
            sql.push(' ');
            sql.push_str(&comment);
        }
        sql
    }

    fn boolean(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }

    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn inline_comment(&self, comment: &str) -> Option<String> {
        Some(format!("COMMENT {}", self.string_literal(comment)))
    }

    fn rename_table(&self, from: &str, to: &str) -> String {
        format!("RENAME TABLE {from} TO {to}")
    }
}
