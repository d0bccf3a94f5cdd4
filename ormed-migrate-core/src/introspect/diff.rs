//! Differences between two snapshots, one line each: what the reversibility check reports when
//! a `down` leaves something behind, and what drift detection reports when the live schema is
//! not what the migrations made.

use std::fmt;

use super::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, SchemaSnapshot,
    TableSnapshot,
};

/// How one thing differs between an expected schema and an actual one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Only the actual schema has it.
    Added,
    /// Only the expected schema has it.
    Removed,
    /// Both have it, differently.
    Changed,
}

/// One difference: a table, or a column, index, key or foreign key of one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaDifference {
    /// The table.
    pub table: String,
    /// What differs in it: `table`, `column avatar`, `index users_name_index`, `primary key`,
    /// `foreign key posts_user_id_foreign`.
    pub subject: String,
    /// How.
    pub change: Change,
    /// The expected one, described (`varchar(255) NULL`), when there is one.
    pub expected: Option<String>,
    /// The actual one, described, when there is one.
    pub actual: Option<String>,
}

impl fmt::Display for SchemaDifference {
    /// `+ users: column avatar varchar(255) NULL`, `- users: index users_name_index (name)`,
    /// `~ posts: column title: expected varchar(200) NOT NULL, found text NOT NULL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (table, subject) = (&self.table, &self.subject);
        let described = |side: &Option<String>| match side.as_deref() {
            Some(text) if !text.is_empty() => format!(" {text}"),
            _ => String::new(),
        };
        match self.change {
            Change::Added => write!(f, "+ {table}: {subject}{}", described(&self.actual)),
            Change::Removed => write!(f, "- {table}: {subject}{}", described(&self.expected)),
            Change::Changed => write!(
                f,
                "~ {table}: {subject}: expected{}, found{}",
                described(&self.expected),
                described(&self.actual)
            ),
        }
    }
}

impl SchemaSnapshot {
    /// What differs from `expected` in this (actual) schema, table by table in name order.
    ///
    /// ```
    /// use ormed_migrate_core::SchemaSnapshot;
    ///
    /// let empty = SchemaSnapshot::default();
    /// assert!(empty.differences_from(&empty).is_empty());
    /// ```
    pub fn differences_from(&self, expected: &SchemaSnapshot) -> Vec<SchemaDifference> {
        let mut out = Vec::new();
        for (name, table) in &expected.tables {
            match self.tables.get(name) {
                None => out.push(whole_table(table, Change::Removed)),
                Some(actual) => table_differences(table, actual, &mut out),
            }
        }
        for (name, table) in &self.tables {
            if !expected.tables.contains_key(name) {
                out.push(whole_table(table, Change::Added));
            }
        }
        out
    }
}

fn whole_table(table: &TableSnapshot, change: Change) -> SchemaDifference {
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let described = Some(format!("({})", columns.join(", ")));
    let (expected, actual) = match change {
        Change::Removed => (described, None),
        _ => (None, described),
    };
    SchemaDifference {
        table: table.name.clone(),
        subject: "table".to_owned(),
        change,
        expected,
        actual,
    }
}

/// The differences of one table that both schemas have.
fn table_differences(
    expected: &TableSnapshot,
    actual: &TableSnapshot,
    out: &mut Vec<SchemaDifference>,
) {
    let table = &expected.name;
    compare(
        table,
        &expected.columns,
        &actual.columns,
        |c| format!("column {}", c.name),
        describe_column,
        out,
    );
    if expected.primary_key != actual.primary_key {
        let describe = |key: &Option<PrimaryKeySnapshot>| {
            key.as_ref()
                .map(|key| format!("({})", key.columns.join(", ")))
        };
        let change = match (&expected.primary_key, &actual.primary_key) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Changed,
        };
        out.push(SchemaDifference {
            table: table.clone(),
            subject: "primary key".to_owned(),
            change,
            expected: describe(&expected.primary_key),
            actual: describe(&actual.primary_key),
        });
    }
    compare(
        table,
        &expected.indexes,
        &actual.indexes,
        |i| format!("index {}", i.name),
        describe_index,
        out,
    );
    compare(
        table,
        &expected.foreign_keys,
        &actual.foreign_keys,
        foreign_key_subject,
        describe_foreign_key,
        out,
    );
}

/// Pairs the items of both sides by subject (their name) and reports the unpaired and the
/// unequal ones.
fn compare<T: PartialEq>(
    table: &str,
    expected: &[T],
    actual: &[T],
    subject: impl Fn(&T) -> String,
    describe: impl Fn(&T) -> String,
    out: &mut Vec<SchemaDifference>,
) {
    let difference =
        |subject: String, change, expected: Option<&T>, actual: Option<&T>| SchemaDifference {
            table: table.to_owned(),
            subject,
            change,
            expected: expected.map(&describe),
            actual: actual.map(&describe),
        };
    for item in expected {
        let name = subject(item);
        match actual.iter().find(|other| subject(other) == name) {
            None => out.push(difference(name, Change::Removed, Some(item), None)),
            Some(other) if other != item => {
                out.push(difference(name, Change::Changed, Some(item), Some(other)));
            }
            Some(_) => {}
        }
    }
    for item in actual {
        let name = subject(item);
        if !expected.iter().any(|other| subject(other) == name) {
            out.push(difference(name, Change::Added, None, Some(item)));
        }
    }
}

/// `varchar(255) NOT NULL DEFAULT 'x'`, with `unsigned`, `auto_increment` and the comment
/// where they apply.
pub(crate) fn describe_column(column: &ColumnSnapshot) -> String {
    let mut text = match column.data_type.as_str() {
        "" => "(no type)".to_owned(),
        data_type => data_type.to_owned(),
    };
    if column.unsigned && !text.contains("unsigned") {
        text.push_str(" unsigned");
    }
    text.push_str(if column.nullable {
        " NULL"
    } else {
        " NOT NULL"
    });
    if let Some(default) = &column.default {
        text.push_str(&format!(" DEFAULT {default}"));
    }
    if column.auto_increment {
        text.push_str(" auto_increment");
    }
    if let Some(comment) = &column.comment {
        text.push_str(&format!(" COMMENT {comment:?}"));
    }
    text
}

fn describe_index(index: &IndexSnapshot) -> String {
    let unique = if index.unique { "unique " } else { "" };
    format!("{unique}({})", index.columns.join(", "))
}

fn foreign_key_subject(key: &ForeignKeySnapshot) -> String {
    match &key.name {
        Some(name) => format!("foreign key {name}"),
        None => format!("foreign key ({})", key.columns.join(", ")),
    }
}

fn describe_foreign_key(key: &ForeignKeySnapshot) -> String {
    format!(
        "({}) references {} ({}) on delete {} on update {}",
        key.columns.join(", "),
        key.referenced_table,
        key.referenced_columns.join(", "),
        key.on_delete.sql(),
        key.on_update.sql()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::introspect::TypeFamily;

    fn column(name: &str, data_type: &str, nullable: bool) -> ColumnSnapshot {
        ColumnSnapshot {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            family: TypeFamily::String,
            integer_bytes: None,
            length: None,
            precision: None,
            scale: None,
            unsigned: false,
            nullable,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }

    fn schema(tables: Vec<TableSnapshot>) -> SchemaSnapshot {
        SchemaSnapshot {
            tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        }
    }

    #[test]
    fn each_difference_is_one_readable_line() {
        let mut users = TableSnapshot::new("users");
        users.columns = vec![column("name", "varchar(100)", false)];
        users.indexes = vec![IndexSnapshot {
            name: "users_name_index".to_owned(),
            columns: vec!["name".to_owned()],
            unique: false,
        }];
        let mut changed = users.clone();
        changed.columns = vec![
            column("name", "text", false),
            column("nickname", "varchar(50)", true),
        ];
        changed.indexes.clear();
        let expected = schema(vec![users]);
        let actual = schema(vec![changed, TableSnapshot::new("notes")]);
        let lines: Vec<String> = actual
            .differences_from(&expected)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "~ users: column name: expected varchar(100) NOT NULL, found text NOT NULL",
                "+ users: column nickname varchar(50) NULL",
                "- users: index users_name_index (name)",
                "+ notes: table ()",
            ]
        );
        assert!(expected.differences_from(&expected).is_empty());
    }
}
