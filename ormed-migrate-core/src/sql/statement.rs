//! `Statement`: one rendered statement with what the renderer knows about how it may run.
//!
//! The runner decides from these fields, never by re-reading the SQL: whether a statement may run
//! inside the migration's transaction, and whether a failure of it, outside a transaction, left
//! nothing behind (so a failure mark set before it may be taken back). A statement that depends
//! on the table as it is when it runs is [`Deferred`]: the runner renders it then, and `pretend`
//! prints what it describes.

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
    /// A statement rendered against the live table when it runs, because what it takes depends
    /// on the table as it is then; `sql` describes it until then.
    pub deferred: Option<Deferred>,
}

/// What a deferred statement does, decided against the live table when it runs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Deferred {
    /// A SQLite table change: in place where SQLite can, else a rebuild of the table. Rebuilds
    /// run with foreign keys off, switched before the migration's transaction begins.
    SqliteTableChange(AlterTable),
    /// MySQL/MariaDB: drop index `name` of `table` if there is one over exactly `columns`, the
    /// index the database made for a foreign key of that name when it was added (dropping the
    /// key leaves it behind); nothing when the key used an index that was there before.
    DropIndexIfPresent {
        /// The table.
        table: String,
        /// The index, named like the foreign key.
        name: String,
        /// The foreign key's columns, in order.
        columns: Vec<String>,
    },
}

impl Deferred {
    /// The SQLite table change, if this is one.
    pub fn table_change(&self) -> Option<&AlterTable> {
        match self {
            Deferred::SqliteTableChange(alter) => Some(alter),
            Deferred::DropIndexIfPresent { .. } => None,
        }
    }
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

    /// A statement rendered against the live table when it runs; `description` says what it
    /// will do.
    pub(crate) fn deferred(deferred: Deferred, description: String) -> Statement {
        Statement {
            deferred: Some(deferred),
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
