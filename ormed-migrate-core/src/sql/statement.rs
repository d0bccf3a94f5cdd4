//! `Statement`: one rendered statement with what the renderer knows about how it may run.
//!
//! The runner decides from these fields, never by re-reading the SQL: whether a statement may run
//! inside the migration's transaction, and whether a failure of it, outside a transaction, left
//! nothing behind (so a failure mark set before it may be taken back). A statement the SQLite
//! table rebuild renders against the live table will be a further kind; `pretend` prints its
//! SQL as rendered from the plan.

use crate::backend::Backend;
use crate::schema::AlterTable;
use crate::sql::lexer::{SqlText, Statement as Words};

/// Where a statement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Rendered by the schema builder from a plan operation.
    Builder,
    /// `schema.raw(..)` or `schema.raw_for(..)`, run as written.
    Raw,
}

/// One statement of a migration, rendered for one database.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Statement {
    /// The SQL, exactly as it runs and as `pretend` prints it.
    pub sql: String,
    /// Where it came from.
    pub origin: Origin,
    /// Whether the database accepts it inside a transaction block.
    pub transactional: bool,
    /// Whether, when it fails on its own outside a transaction, it is known to have changed
    /// nothing (a single DDL statement fails as a whole).
    pub atomic: bool,
    /// Whether it is one statement (raw SQL may hold several): one that gave up waiting for a
    /// lock never started, so it changed nothing even where a failure otherwise could have.
    pub single: bool,
    /// Whether it begins, ends or marks a transaction itself (`BEGIN`, `COMMIT`, `ROLLBACK`,
    /// `SAVEPOINT`, …): only a `no_transaction` migration may.
    pub controls_transaction: bool,
    /// Whether it must be split to run at all: several statements in one call, one of which
    /// cannot run in a transaction, where the database runs one call as one transaction.
    pub needs_split: bool,
    /// A SQLite table change rendered against the live table when it runs, because what it
    /// takes (in place, or a rebuild of the table) depends on the table as it is then; `sql`
    /// describes it until then. Rebuilds run with foreign keys off, switched before the
    /// migration's transaction begins.
    pub deferred: Option<AlterTable>,
}

impl Statement {
    /// A statement the builder rendered: one DDL statement, transactional where the database's
    /// DDL is, failing as a whole.
    pub(crate) fn builder(sql: String) -> Statement {
        Statement {
            sql,
            origin: Origin::Builder,
            transactional: true,
            atomic: true,
            single: true,
            controls_transaction: false,
            needs_split: false,
            deferred: None,
        }
    }

    /// A SQLite table change that runs as statements rendered against the live table.
    pub(crate) fn deferred(alter: AlterTable, description: String) -> Statement {
        Statement {
            deferred: Some(alter),
            ..Statement::builder(description)
        }
    }

    /// Raw SQL, classified once by the lexer: what the database refuses in a transaction, and
    /// whether a failure of it is known to change nothing.
    pub(crate) fn raw(sql: &str, backend: &dyn Backend) -> Statement {
        let text = SqlText::lex(sql, backend.dialect());
        let transactional = !text
            .statements()
            .iter()
            .any(|statement| backend.refuses_in_transaction(statement));
        let single = text.is_single_statement() && !text.is_unterminated();
        Statement {
            sql: sql.to_owned(),
            origin: Origin::Raw,
            transactional,
            atomic: backend.raw_failure_changes_nothing(&text),
            single,
            controls_transaction: text.statements().iter().any(controls_transaction),
            needs_split: !single && !transactional && backend.one_call_is_one_transaction(),
            deferred: None,
        }
    }
}

/// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `SAVEPOINT`, `RELEASE`:
/// statements whose first word is one of these (a routine's `BEGIN … END` body starts with
/// `CREATE`, so it is not one).
fn controls_transaction(statement: &Words) -> bool {
    matches!(
        statement.first_word(),
        Some("BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE")
    ) || statement.starts_with(&["START", "TRANSACTION"])
}
