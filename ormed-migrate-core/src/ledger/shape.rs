//! Telling a ledger from another table of the same name.
//!
//! `CREATE TABLE IF NOT EXISTS` leaves an existing table alone, so a Laravel `migrations` table
//! (or any table) named as the ledger survives creation and only fails when read. Then, and only
//! then, the table's columns are compared with a ledger's, so the error says that the table is
//! not a ledger and which columns differ, instead of "no such column: checksum".

use sqlx::AssertSqlSafe;

use super::SqlMigrationLedger;
use super::row::COLUMNS;
use crate::driver::{Target, with_executor};
use crate::error::{LedgerError, MigrationError};

impl SqlMigrationLedger {
    /// The column names of the ledger table, in table order (empty when it does not exist).
    async fn column_names(&self, target: Target<'_, '_>) -> Result<Vec<String>, sqlx::Error> {
        let (schema, table) = self.schema_and_table();
        let sql = self.backend().column_names_query();
        with_executor!(target, executor => {
            sqlx::query_scalar(AssertSqlSafe(sql)).bind(schema).bind(table).fetch_all(executor).await
        })
    }

    /// After reading the ledger failed: a [`LedgerError::NotALedger`] when the table is not
    /// shaped like a ledger, else the original failure.
    pub(super) async fn explain_read_failure(
        &self,
        target: Target<'_, '_>,
        failure: MigrationError,
    ) -> MigrationError {
        match self.column_names(target).await {
            Ok(columns) => match differences(&columns) {
                Some(differences) => LedgerError::NotALedger {
                    table: self.table.clone(),
                    differences,
                }
                .into(),
                None => failure,
            },
            Err(_) => failure,
        }
    }
}

/// How `columns` differ from a ledger's, or `None` when they have every ledger column.
fn differences(columns: &[String]) -> Option<String> {
    let has = |name: &str| columns.iter().any(|c| c.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !has(c)).collect();
    if missing.is_empty() {
        return None;
    }
    let extra: Vec<&str> = columns
        .iter()
        .map(String::as_str)
        .filter(|c| !COLUMNS.iter().any(|l| l.eq_ignore_ascii_case(c)))
        .collect();
    let mut text = format!("it has no column {}", listed(&missing));
    if !extra.is_empty() {
        text.push_str(&format!(
            ", and has {} that a ledger does not",
            listed(&extra)
        ));
    }
    text.push_str(&format!(" (a ledger has exactly {})", listed(&COLUMNS)));
    Some(text)
}

fn listed(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_laravel_migrations_table_is_described() {
        let text = differences(&owned(&["id", "migration", "batch"])).expect("differs");
        assert_eq!(
            text,
            "it has no column `checksum`, `applied_at`, `execution_ms`, `status`, and has \
             `migration` that a ledger does not (a ledger has exactly `id`, `checksum`, `batch`, \
             `applied_at`, `execution_ms`, `status`)"
        );
    }

    #[test]
    fn a_ledger_or_a_ledger_with_extra_columns_is_a_ledger() {
        assert_eq!(differences(&owned(&COLUMNS)), None);
        let mut more = owned(&COLUMNS);
        more.push("note".to_owned());
        assert_eq!(differences(&more), None);
    }
}
