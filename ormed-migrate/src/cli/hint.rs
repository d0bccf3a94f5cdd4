//! The CLI's words for the core's [`Hint`]s: each way out as the command that takes it.

use ormed_migrate_core::error::{Hint, shell_quoted};
use ormed_migrate_core::{Direction, Repair};

/// The lines `hint: …` printed after an error, one per way out.
pub fn hint_lines(hint: &Hint) -> Vec<String> {
    match hint {
        Hint::NewMigration => vec![
            "`make:migration <name>` writes a new migration file with a fresh timestamp".into(),
        ],
        Hint::SecondMigrationOfName => vec!["pass --force to write a second one".into()],
        Hint::ChangedMigration { id } => vec![
            "revert the edit, or put the change in a new migration: `make:migration <name>`".into(),
            format!("to accept the edit after review: `migrate:repair {id} --applied`"),
        ],
        Hint::Status => vec!["`migrate:status` lists the migrations and their states".into()],
        Hint::Rollback => {
            vec!["`migrate:rollback` undoes the last batch, running its down()".into()]
        }
        Hint::ResolvePartial { id, direction } => resolve_partial(&id.to_string(), *direction),
        Hint::RepairChoice { id } => vec![
            format!("its changes are in the schema: `migrate:repair {id} --applied`"),
            format!("they are not: `migrate:repair {id} --rolled-back`"),
        ],
        Hint::Record { id, repair } => vec![format!(
            "record it with `migrate:repair {id} {}`",
            flag(*repair)
        )],
        Hint::ForgetRow { stored_id } => vec![format!(
            "`migrate:repair {} --rolled-back` removes that ledger row and runs nothing",
            shell_quoted(stored_id)
        )],
        Hint::EditRowBySql { table } => vec![format!(
            "its id cannot be read, so `migrate:repair` cannot name it: inspect the schema, then \
             fix or delete the row with SQL in {table}"
        )],
        Hint::RewriteRows { stored_id } => {
            let id = shell_quoted(stored_id);
            vec![
                format!(
                    "the migration's changes are in the schema: `migrate:repair {id} --applied`"
                ),
                format!("they are not: `migrate:repair {id} --rolled-back`"),
            ]
        }
        Hint::OtherLedgerTable => vec![
            "`--table <name>` gives ormed-migrate a ledger table of its own (the default is \
             orm_migrations)"
                .into(),
        ],
        Hint::LongerLockTimeout => vec![
            "`--lock-timeout <seconds>` lets a statement wait longer for a lock (10 by default)"
                .into(),
        ],
        Hint::LongerMigrationLockTimeout => vec![
            "`--migration-lock-timeout <seconds>` waits longer for another runner (60 by \
             default)"
                .into(),
        ],
        Hint::RunAgain {
            direction: Direction::Up,
        } => vec!["`migrate` again applies the rest".into()],
        Hint::RunAgain {
            direction: Direction::Down,
        } => vec!["`migrate:rollback` again rolls back the rest".into()],
        _ => Vec::new(),
    }
}

/// After a failure part way: what to run for each way it was resolved, in the words of its
/// direction (after a failed `down`, finishing by hand means it is rolled back).
fn resolve_partial(id: &str, direction: Direction) -> Vec<String> {
    match direction {
        Direction::Up => vec![
            format!(
                "if you finished its changes by hand: `migrate:repair {id} --applied` (it is \
                 recorded as applied)"
            ),
            format!(
                "if you undid what it changed: `migrate:repair {id} --rolled-back` (it is \
                 pending again)"
            ),
        ],
        Direction::Down => vec![
            format!(
                "if you finished the rollback by hand: `migrate:repair {id} --rolled-back` (it \
                 is pending again)"
            ),
            format!(
                "if you restored what its down() removed: `migrate:repair {id} --applied` (it \
                 stays applied)"
            ),
        ],
    }
}

fn flag(repair: Repair) -> &'static str {
    match repair {
        Repair::Applied => "--applied",
        Repair::RolledBack => "--rolled-back",
    }
}

/// An error as the CLI prints it: `error: …`, then a `hint: …` line per way out.
pub fn error_text(error: &ormed_migrate_core::MigrationError) -> String {
    let mut text = format!("error: {error}\n");
    for line in error.hint().iter().flat_map(hint_lines) {
        text.push_str("hint: ");
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use ormed_migrate_core::MigrationError;
    use ormed_migrate_core::error::LedgerError;

    use super::*;

    fn unreadable(stored_id: &str) -> MigrationError {
        LedgerError::UnreadableRow {
            table: "orm_migrations".into(),
            stored_id: stored_id.into(),
            column: "id",
            problem: "not a migration id".into(),
        }
        .into()
    }

    #[test]
    fn a_row_named_by_its_stored_id_can_be_forgotten_one_without_a_readable_id_cannot() {
        let named = error_text(&unreadable("bad id"));
        assert!(
            named.contains("hint: `migrate:repair 'bad id' --rolled-back`"),
            "{named}"
        );
        let nameless = error_text(&unreadable("?"));
        assert!(!nameless.contains("migrate:repair '?'"), "{nameless}");
        assert!(
            nameless.contains("fix or delete the row with SQL in orm_migrations"),
            "{nameless}"
        );
    }
}
