//! The ledger's rows: reading them back truthfully, and the rows the runner writes.
//!
//! A row is read column by column, so that whatever is wrong with it (an id that is not a
//! migration id, a NULL, a value of the wrong kind, an unknown status) is reported with the row
//! and the column. Each row keeps its id exactly as stored: an old row in the legacy spelling
//! (`2026_11_26_040855_create_orders_table`) reads as the canonical id, but every write must
//! still find it by what is stored.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::descriptor::{Direction, MigrationDescriptor};
use crate::error::{LedgerError, MigrationError};
use crate::id::MigrationId;

pub(super) const STATUS_APPLIED: &str = "applied";
const STATUS_FAILED_UP: &str = "failed_up";
const STATUS_FAILED_DOWN: &str = "failed_down";

/// The columns every ledger has, in the order they are selected.
pub(super) const COLUMNS: [&str; 6] = [
    "id",
    "checksum",
    "batch",
    "applied_at",
    "execution_ms",
    "status",
];

/// A row of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedMigration {
    /// The migration.
    pub id: MigrationId,
    /// The id exactly as the ledger stores it: the canonical form, or the legacy
    /// `YYYY_MM_DD_HHMMSS_slug` form of an older row. Writes find the row by it.
    pub stored_id: String,
    /// Its checksum when it was applied.
    pub checksum: String,
    /// The batch it was applied in.
    pub batch: i64,
    /// When it finished (UTC).
    pub applied_at: DateTime<Utc>,
    /// How long it took.
    pub execution_ms: i64,
    /// `Some(direction)` when it failed part way and the database could not undo it.
    pub failed: Option<Direction>,
}

/// Both spellings of `id` a ledger row may carry: canonical and legacy.
pub(super) fn spellings(id: &MigrationId) -> [String; 2] {
    let digits = id.timestamp().digits();
    let legacy = format!(
        "{}_{}_{}_{}_{}",
        &digits[..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..],
        id.slug()
    );
    [id.to_string(), legacy]
}

/// Decodes one row of `table`, naming the row and the column of whatever is wrong. Each value's
/// type is checked when `check` says so: on the first row of a result only, where every row has
/// the same column types (status decodes thousands), on every row where values carry their own
/// (SQLite).
pub(super) fn decode<'r, R>(
    table: &str,
    row: &'r R,
    check: bool,
) -> Result<AppliedMigration, MigrationError>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let mut reader = Reader {
        table,
        row,
        check,
        stored_id: crate::error::UNREADABLE_ID,
    };
    let stored_id: &str = reader.get(0)?;
    reader.stored_id = stored_id;
    let id = MigrationId::parse(stored_id)
        .map_err(|e| reader.bad(0, format!("not a migration id ({})", e.problem())))?;
    let checksum = reader.get(1)?;
    let batch = reader.get(2)?;
    let applied_at = reader.get(3)?;
    let execution_ms = reader.get(4)?;
    let status: &str = reader.get(5)?;
    let failed = match status {
        STATUS_APPLIED => None,
        STATUS_FAILED_UP => Some(Direction::Up),
        STATUS_FAILED_DOWN => Some(Direction::Down),
        other => {
            return Err(reader.bad(
                5,
                format!(
                    "unknown status {other:?} (a ledger row is {STATUS_APPLIED:?}, \
                     {STATUS_FAILED_UP:?} or {STATUS_FAILED_DOWN:?})"
                ),
            ));
        }
    };
    Ok(AppliedMigration {
        id,
        stored_id: stored_id.to_owned(),
        checksum,
        batch,
        applied_at,
        execution_ms,
        failed,
    })
}

struct Reader<'t, 'r, R> {
    table: &'t str,
    row: &'r R,
    /// Whether to check each value's type.
    check: bool,
    stored_id: &'r str,
}

impl<'r, R> Reader<'_, 'r, R>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
{
    /// Column `index`, which must hold a value of type `T`.
    fn get<T>(&self, index: usize) -> Result<T, MigrationError>
    where
        T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let value = if self.check {
            self.row.try_get::<Option<T>, _>(index)
        } else {
            self.row.try_get_unchecked::<Option<T>, _>(index)
        };
        match value {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(self.bad(index, "is NULL".to_owned())),
            Err(error) => Err(self.bad(index, format!("cannot be read: {error}"))),
        }
    }

    fn bad(&self, index: usize, problem: String) -> MigrationError {
        LedgerError::UnreadableRow {
            table: self.table.to_owned(),
            stored_id: self.stored_id.to_owned(),
            column: COLUMNS[index],
            problem,
        }
        .into()
    }
}

/// The first pair of rows that record one migration under its two spellings.
pub(super) fn find_duplicate(table: &str, rows: &[AppliedMigration]) -> Result<(), MigrationError> {
    let mut sorted: Vec<&AppliedMigration> = rows.iter().collect();
    // The canonical spelling (`m_…`) before the legacy one (which starts with the year), so the
    // message reads the same on every database. Compared in place: status reads every row
    // through here, and a key built per comparison made it the slowest step.
    let legacy = |row: &AppliedMigration| !row.stored_id.starts_with("m_");
    sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id).then_with(|| legacy(a).cmp(&legacy(b))));
    match sorted.windows(2).find(|pair| pair[0].id == pair[1].id) {
        Some(pair) => Err(LedgerError::DuplicateRows {
            table: table.to_owned(),
            id: pair[0].id.clone(),
            first: pair[0].stored_id.clone(),
            second: pair[1].stored_id.clone(),
        }
        .into()),
        None => Ok(()),
    }
}

pub(super) fn failed_status(direction: Direction) -> &'static str {
    match direction {
        Direction::Up => STATUS_FAILED_UP,
        Direction::Down => STATUS_FAILED_DOWN,
    }
}

/// A row to insert.
pub(crate) struct NewRow {
    pub(crate) id: String,
    pub(crate) checksum: String,
    pub(crate) batch: i64,
    pub(crate) applied_at: DateTime<Utc>,
    pub(crate) execution_ms: i64,
    pub(crate) status: &'static str,
}

impl NewRow {
    pub(crate) fn applied(
        descriptor: &MigrationDescriptor,
        applied_at: DateTime<Utc>,
        batch: i64,
        execution_ms: i64,
    ) -> NewRow {
        NewRow {
            id: descriptor.id.to_string(),
            checksum: descriptor.checksum.clone(),
            batch,
            applied_at,
            execution_ms,
            status: STATUS_APPLIED,
        }
    }

    /// A row written before a non-transactional run, cleared on success.
    pub(crate) fn failed(descriptor: &MigrationDescriptor, batch: i64) -> NewRow {
        NewRow {
            status: failed_status(Direction::Up),
            ..NewRow::applied(descriptor, Utc::now(), batch, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_has_a_canonical_and_a_legacy_spelling() {
        let id = MigrationId::parse("2026_11_26_040855_create_orders_table").expect("legacy id");
        assert_eq!(
            spellings(&id),
            [
                "m_20261126040855_create_orders_table".to_owned(),
                "2026_11_26_040855_create_orders_table".to_owned()
            ]
        );
        for spelling in spellings(&id) {
            assert_eq!(MigrationId::parse(&spelling).expect("parses"), id);
        }
    }
}
