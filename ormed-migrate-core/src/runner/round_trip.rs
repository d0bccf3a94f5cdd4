//! A migration sent in one round trip: its statements, with its transaction and its ledger write
//! where they can go with them, as one text of several statements.
//!
//! Sending each statement on its own costs a round trip per statement; the database runs one
//! text statement by statement just the same, stops at the first that fails, and runs none after
//! it. What finished before the failure is counted from the results, so the failing statement
//! is still named, its lock waits still watched and its failure still undone with its migration.
//!
//! Only statements that are one statement each and rendered before the run go in a text (never
//! a SQLite table change, a statement rendered against the live table, raw SQL of several
//! statements or one that controls the transaction); a migration with any other runs statement
//! by statement as before.

use super::Rendered;
use super::watch::Failure;
use crate::backend::Backend;
use crate::dialect::Dialect;
use crate::sql::lexer::{Token, tokens};
use crate::sql::{Origin, Statement};

/// Between two statements of a text. Each statement ends at its last token (a raw statement's
/// trailing comment is cut), so no comment can swallow the `;`, and SQLite's schema keeps each
/// `CREATE` text exactly as rendered.
const SEPARATOR: &str = ";\n";

/// What a statement of a [`RoundTrip`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// The `BEGIN` of the migration's transaction.
    Begin,
    /// The migration's statement at this index.
    Statement(usize),
    /// The migration's ledger write.
    Ledger,
    /// The `COMMIT` of the migration's transaction.
    Commit,
}

/// The statements of one migration (and its transaction and ledger write) as one text.
#[derive(Debug, Default)]
pub(super) struct RoundTrip {
    text: String,
    /// Each part, with the character (from 0) of the text where it starts.
    parts: Vec<(Part, usize)>,
    chars: usize,
}

impl RoundTrip {
    /// `BEGIN`, the statements, the ledger write, `COMMIT`: a transactional migration and its
    /// ledger row in one round trip. `None` when a statement or the ledger write cannot go in
    /// a text.
    pub(super) fn transactional(
        migration: &Rendered<'_>,
        dialect: Dialect,
        ledger_write: Option<String>,
    ) -> Option<RoundTrip> {
        let mut trip = RoundTrip::default();
        trip.push(Part::Begin, "BEGIN");
        trip.push_statements(migration, dialect)?;
        trip.push(Part::Ledger, &ledger_write?);
        trip.push(Part::Commit, "COMMIT");
        Some(trip)
    }

    /// The statements and the ledger write, inside a transaction already open (a grouped
    /// batch's). `None` when a statement or the ledger write cannot go in a text.
    pub(super) fn in_open_transaction(
        migration: &Rendered<'_>,
        dialect: Dialect,
        ledger_write: Option<String>,
    ) -> Option<RoundTrip> {
        let mut trip = RoundTrip::default();
        trip.push_statements(migration, dialect)?;
        trip.push(Part::Ledger, &ledger_write?);
        Some(trip)
    }

    /// The statements, then `ledger_write` when given: a migration outside a transaction
    /// (MySQL, whose failure mark is written on its own before it). `None` for a migration
    /// without statements here, too: MySQL refuses an empty text.
    pub(super) fn outside_transaction(
        migration: &Rendered<'_>,
        dialect: Dialect,
        ledger_write: Option<String>,
    ) -> Option<RoundTrip> {
        if migration.statements.is_empty() {
            return None;
        }
        let mut trip = RoundTrip::default();
        trip.push_statements(migration, dialect)?;
        if let Some(write) = ledger_write {
            trip.push(Part::Ledger, &write);
        }
        Some(trip)
    }

    /// The text to send.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// The part that failed: the one after those that finished or, where the database refused
    /// the whole text before running any of it, the one its error points at.
    pub(super) fn failed_part(&self, failure: &Failure, backend: &dyn Backend) -> Part {
        let pointed = (failure.completed == 0)
            .then(|| backend.error_position(&failure.source))
            .flatten()
            .and_then(|position| self.part_at(position.saturating_sub(1)));
        let counted = self.parts.get(failure.completed).or(self.parts.last());
        pointed
            .or(counted.map(|&(part, _)| part))
            .unwrap_or(Part::Commit)
    }

    /// The migration's statements among the first `completed` parts, in order: what ran.
    pub(super) fn statements_ran<'m>(
        &self,
        completed: usize,
        migration: &'m Rendered<'_>,
    ) -> impl Iterator<Item = String> + 'm {
        let ran: Vec<usize> = self
            .parts
            .iter()
            .take(completed)
            .filter_map(|&(part, _)| match part {
                Part::Statement(index) => Some(index),
                Part::Begin | Part::Ledger | Part::Commit => None,
            })
            .collect();
        ran.into_iter()
            .map(|index| migration.statements[index].sql.clone())
    }

    /// Whether `part` was sent in this text.
    pub(super) fn holds(&self, part: Part) -> bool {
        self.parts.iter().any(|&(p, _)| p == part)
    }

    fn push_statements(&mut self, migration: &Rendered<'_>, dialect: Dialect) -> Option<()> {
        for (index, statement) in migration.statements.iter().enumerate() {
            self.push(Part::Statement(index), text_of(statement, dialect)?);
        }
        Some(())
    }

    fn push(&mut self, part: Part, sql: &str) {
        if !self.parts.is_empty() {
            self.text.push_str(SEPARATOR);
            self.chars += SEPARATOR.len();
        }
        self.parts.push((part, self.chars));
        self.text.push_str(sql);
        self.chars += sql.chars().count();
    }

    /// The part whose text holds the character at `offset` (from 0).
    fn part_at(&self, offset: usize) -> Option<Part> {
        self.parts
            .iter()
            .take_while(|&&(_, start)| start <= offset)
            .last()
            .map(|&(part, _)| part)
    }
}

/// The text `statement` adds to a round trip: itself, without a trailing `;` (raw SQL); `None` when
/// it cannot go in one.
fn text_of(statement: &Statement, dialect: Dialect) -> Option<&str> {
    let fits = statement.deferred.is_none()
        && statement.single
        && !statement.controls_transaction
        && !statement.needs_split;
    if !fits {
        return None;
    }
    if statement.origin == Origin::Builder {
        // The builder renders one statement, no `;`, no comment.
        return Some(&statement.sql);
    }
    let sql = statement.sql.as_str();
    let end = tokens(sql, dialect)
        .iter()
        .rev()
        .find(|spanned| spanned.token != Token::Semicolon)?
        .span
        .end;
    Some(&sql[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str) -> Statement {
        Statement::raw(sql, crate::backend::of(Dialect::Postgres))
    }

    #[test]
    fn a_raw_statement_goes_in_without_its_semicolon_and_trailing_comment() {
        let raw = statement("UPDATE t SET a = 1; -- done\n");
        assert_eq!(text_of(&raw, Dialect::Postgres), Some("UPDATE t SET a = 1"));
        let commented = statement("UPDATE t SET a = 1 -- no semicolon");
        assert_eq!(
            text_of(&commented, Dialect::Postgres),
            Some("UPDATE t SET a = 1")
        );
    }

    #[test]
    fn several_statements_or_transaction_control_stay_out() {
        assert_eq!(
            text_of(&statement("SELECT 1; SELECT 2"), Dialect::Postgres),
            None
        );
        assert_eq!(text_of(&statement("COMMIT"), Dialect::Postgres), None);
        assert_eq!(
            text_of(&statement("-- only a comment"), Dialect::Postgres),
            None
        );
    }

    #[test]
    fn a_position_names_the_part_it_falls_in() {
        let mut trip = RoundTrip::default();
        trip.push(Part::Begin, "BEGIN");
        trip.push(Part::Statement(0), "CREATE TABLE é (x INT)");
        trip.push(Part::Statement(1), "CREATE TABL y (x INT)");
        trip.push(Part::Commit, "COMMIT");
        assert_eq!(
            trip.text(),
            "BEGIN;\nCREATE TABLE é (x INT);\nCREATE TABL y (x INT);\nCOMMIT"
        );
        let second = trip.text().find("CREATE TABL y").unwrap();
        // A character position, past the two-byte `é`.
        let position = trip.text()[..second].chars().count();
        assert_eq!(trip.part_at(position + 7), Some(Part::Statement(1)));
        assert_eq!(trip.part_at(position - 1), Some(Part::Statement(0)));
        assert_eq!(trip.part_at(0), Some(Part::Begin));
    }
}
