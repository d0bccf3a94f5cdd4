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
//! statements or one that controls the transaction), and only raw SQL the backend says fits
//! (`Backend::fits_in_text`: not MySQL's `CALL`, whose
//! results do not count statements, nor PostgreSQL's `SET`, since PostgreSQL reads a whole text
//! before running any of it); a migration with any other runs statement by statement as before.
//! A text PostgreSQL refuses before running any of it ran nothing: that migration then runs
//! statement by statement, which names the statement.

use std::borrow::Cow;

use super::Rendered;
use super::watch::Failure;
use crate::dialect::Dialect;
use crate::sql::lexer::{SqlText, Token, tokens};
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
    parts: Vec<Part>,
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

    /// The part that failed: the one after those that finished.
    pub(super) fn failed_part(&self, failure: &Failure) -> Part {
        self.parts
            .get(failure.completed)
            .or(self.parts.last())
            .copied()
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
            .filter_map(|&part| match part {
                Part::Statement(index) => Some(index),
                Part::Begin | Part::Ledger | Part::Commit => None,
            })
            .collect();
        ran.into_iter()
            .map(|index| migration.statements[index].sql.clone())
    }

    /// Whether `part` was sent in this text.
    pub(super) fn holds(&self, part: Part) -> bool {
        self.parts.contains(&part)
    }

    fn push_statements(&mut self, migration: &Rendered<'_>, dialect: Dialect) -> Option<()> {
        for (index, statement) in migration.statements.iter().enumerate() {
            self.push(Part::Statement(index), &text_of(statement, dialect)?);
        }
        Some(())
    }

    fn push(&mut self, part: Part, sql: &str) {
        if !self.parts.is_empty() {
            self.text.push_str(SEPARATOR);
        }
        self.parts.push(part);
        self.text.push_str(sql);
    }
}

/// The text `statement` adds to a round trip: itself, without a trailing `;`; `None` when it
/// cannot go in one.
fn text_of(statement: &Statement, dialect: Dialect) -> Option<Cow<'_, str>> {
    let fits = statement.deferred.is_none()
        && statement.single
        && !statement.controls_transaction
        && !statement.needs_split;
    if !fits {
        return None;
    }
    if statement.origin == Origin::Builder {
        // The builder renders one statement, no `;`, no comment.
        return Some(Cow::Borrowed(&statement.sql));
    }
    let sql = statement.sql.as_str();
    let backend = crate::backend::of(dialect);
    let text = SqlText::lex(sql, dialect);
    if !text
        .statements()
        .iter()
        .all(|words| backend.fits_in_text(words))
    {
        return None;
    }
    let tokens = tokens(sql, dialect);
    let last = tokens.iter().rposition(|t| t.token != Token::Semicolon)?;
    let end = tokens[last].span.end;
    // Up to the `;` that ends it, if any; what follows that is comments and space.
    let cut = tokens
        .get(last + 1)
        .map_or(sql.len(), |semicolon| semicolon.span.start);
    let statement = sql[..cut].trim_end();
    if statement.len() == end {
        return Some(Cow::Borrowed(statement));
    }
    // A comment after the last token stays as written (MySQL's `/*! … */` holds SQL, and its
    // `*/` is no token), on a line of its own, so that the `;` after it is read.
    Some(Cow::Owned(format!("{statement}\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str) -> Statement {
        Statement::raw(sql, crate::backend::of(Dialect::Postgres))
    }

    #[test]
    fn a_raw_statement_goes_in_without_what_follows_its_semicolon() {
        let raw = statement("UPDATE t SET a = 1; -- done\n");
        assert_eq!(
            text_of(&raw, Dialect::Postgres).as_deref(),
            Some("UPDATE t SET a = 1")
        );
        let block = statement("UPDATE t SET a = 1 /* why */ ; -- done");
        assert_eq!(
            text_of(&block, Dialect::Postgres).as_deref(),
            Some("UPDATE t SET a = 1 /* why */\n")
        );
        let commented = statement("UPDATE t SET a = 1 -- no semicolon");
        assert_eq!(
            text_of(&commented, Dialect::Postgres).as_deref(),
            Some("UPDATE t SET a = 1 -- no semicolon\n")
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
    fn a_trailing_comment_stays_on_a_line_of_its_own() {
        let mysql = |sql: &str| Statement::raw(sql, crate::backend::of(Dialect::MySql));
        let executable = mysql("CREATE TABLE e (x INT) /*!ENGINE=InnoDB*/;");
        assert_eq!(
            text_of(&executable, Dialect::MySql).as_deref(),
            Some("CREATE TABLE e (x INT) /*!ENGINE=InnoDB*/\n")
        );
        let hash = mysql("CREATE TABLE h (x INT) # a note; with a semicolon");
        assert_eq!(
            text_of(&hash, Dialect::MySql).as_deref(),
            Some("CREATE TABLE h (x INT) # a note; with a semicolon\n")
        );
    }

    #[test]
    fn what_changes_how_later_statements_read_or_answers_twice_stays_out() {
        // PostgreSQL parses a whole text under the settings it started with.
        for sql in [
            "SET standard_conforming_strings = off",
            "RESET ALL",
            "SELECT set_config('standard_conforming_strings', 'off', false)",
        ] {
            assert_eq!(text_of(&statement(sql), Dialect::Postgres), None, "{sql}");
        }
        // A MySQL procedure sends a result per SELECT it runs, besides its own.
        let call = Statement::raw("CALL refresh()", crate::backend::of(Dialect::MySql));
        assert_eq!(text_of(&call, Dialect::MySql), None);
        let set = Statement::raw("SET @a = 1", crate::backend::of(Dialect::MySql));
        assert!(
            text_of(&set, Dialect::MySql).is_some(),
            "MySQL reads each statement as it runs"
        );
    }

    #[test]
    fn the_part_after_those_that_finished_failed() {
        let mut trip = RoundTrip::default();
        trip.push(Part::Begin, "BEGIN");
        trip.push(Part::Statement(0), "CREATE TABLE a (x INT)");
        trip.push(Part::Statement(1), "CREATE TABL b (x INT)");
        trip.push(Part::Commit, "COMMIT");
        assert_eq!(
            trip.text(),
            "BEGIN;\nCREATE TABLE a (x INT);\nCREATE TABL b (x INT);\nCOMMIT"
        );
        let failed = |completed| Failure {
            source: sqlx::Error::Protocol("test".into()),
            waited: std::time::Duration::ZERO,
            lock: None,
            interrupt: None,
            completed,
        };
        assert_eq!(trip.failed_part(&failed(2)), Part::Statement(1));
        assert_eq!(trip.failed_part(&failed(0)), Part::Begin);
    }
}
