//! Derived downs: the inverse of an `up`, computed from its plan alone (Rails' reversible
//! `change`).
//!
//! A migration that does not write `down` gets the inverse of its `up`: each operation undone,
//! in reverse order. Creating a table, adding a column, an index, a unique index, a primary key
//! or a foreign key, and renaming a table, a column or an index can be undone from the plan
//! alone. Every drop, `change()` and raw SQL cannot: the plan does not say what was there
//! before. The first such operation makes the derived down irreversible, and is named when a
//! rollback is refused.
//!
//! ```
//! use ormed_migrate_core::Schema;
//! use ormed_migrate_core::schema::{Operation, TableCommand, invert};
//!
//! let mut up = Schema::new();
//! up.create("teams", |t| {
//!     t.id();
//! });
//! up.table("users", |t| {
//!     t.string("avatar").nullable();
//!     t.rename_column("email", "email_address");
//! });
//! let down = invert(up.plan()).unwrap();
//! assert!(matches!(&down.operations[1], Operation::DropTable { table, .. } if table == "teams"));
//! let Operation::AlterTable(alter) = &down.operations[0] else { panic!() };
//! assert!(matches!(&alter.commands[0], TableCommand::RenameColumn { from, .. } if from == "email_address"));
//! assert!(matches!(&alter.commands[1], TableCommand::DropColumn(name) if name == "avatar"));
//!
//! let mut up = Schema::new();
//! up.table("users", |t| t.drop_column("legacy"));
//! let refused = invert(up.plan()).unwrap_err();
//! assert_eq!(
//!     refused.to_string(),
//!     "its up drops column `legacy` of `users`, which cannot be undone from the plan alone"
//! );
//! ```

use std::fmt;

use super::{AlterTable, IndexKind, Operation, Plan, TableCommand};
use crate::dialect::Dialect;
use crate::render::generated_name;

/// The operation of an `up` that has no inverse: the first one, in the order written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotInvertible {
    /// Its position in the up's plan, from 0.
    pub operation: usize,
    /// What it does, as a phrase: ``drops column `legacy` of `users` ``.
    pub what: String,
}

impl fmt::Display for NotInvertible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "its up {}, which cannot be undone from the plan alone",
            self.what
        )
    }
}

impl std::error::Error for NotInvertible {}

/// Why a migration cannot be rolled back.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IrreversibleReason {
    /// Its written `down` calls `schema.irreversible()`.
    Declared,
    /// It has no `down`, and the one derived from its `up` stops at this operation.
    NotInvertible(NotInvertible),
}

impl IrreversibleReason {
    /// What to do instead of rolling it back.
    pub fn advice(&self) -> &'static str {
        match self {
            IrreversibleReason::Declared => {
                "Undo it with a new migration, or make its down() undo it instead of calling \
                 schema.irreversible()."
            }
            IrreversibleReason::NotInvertible(_) => {
                "Write its down(), or undo it with a new migration."
            }
        }
    }
}

impl fmt::Display for IrreversibleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IrreversibleReason::Declared => f.write_str("its down() calls schema.irreversible()"),
            IrreversibleReason::NotInvertible(reason) => {
                write!(f, "it has no down(), and {reason}")
            }
        }
    }
}

/// The inverse of `up`: each operation undone, in reverse order, or the first operation that
/// cannot be undone from the plan alone.
pub fn invert(up: &Plan) -> Result<Plan, NotInvertible> {
    let mut operations = Vec::with_capacity(up.operations.len());
    for (position, operation) in up.operations.iter().enumerate() {
        let refused = |what: String| NotInvertible {
            operation: position,
            what,
        };
        operations.push(invert_operation(operation).map_err(refused)?);
    }
    operations.reverse();
    Ok(Plan {
        operations,
        ..Plan::default()
    })
}

/// The down of a migration that does not write one: the inverse of `up`, marked as not written
/// (checksums encode that, never the derived operations), or, when `up` cannot be inverted, an
/// irreversible plan that names the operation in [`Plan::not_invertible`].
pub fn derived_down(up: &Plan) -> Plan {
    match invert(up) {
        Ok(inverse) => Plan {
            not_written: true,
            ..inverse
        },
        Err(reason) => Plan {
            irreversible: true,
            not_written: true,
            not_invertible: Some(reason),
            ..Plan::default()
        },
    }
}

fn invert_operation(operation: &Operation) -> Result<Operation, String> {
    match operation {
        Operation::CreateTable(create) => Ok(Operation::DropTable {
            table: create.table.clone(),
            if_exists: false,
        }),
        Operation::AlterTable(alter) => {
            // In the order written, so that the first command that cannot be undone is named.
            let mut inverses = Vec::with_capacity(alter.commands.len());
            for command in &alter.commands {
                inverses.push(invert_command(&alter.table, command)?);
            }
            // Foreign keys go first: MySQL drops the index it made for a key once another
            // index of the block covers the key's columns, and then refuses to drop that other
            // index while the key still needs it. Dropping a key never needs the block's other
            // changes undone first.
            let (keys, others): (Vec<_>, Vec<_>) = inverses
                .into_iter()
                .rev()
                .flatten()
                .partition(|inverse| matches!(inverse, TableCommand::DropForeign(_)));
            let commands = keys.into_iter().chain(others).collect();
            Ok(Operation::AlterTable(AlterTable {
                table: alter.table.clone(),
                commands,
            }))
        }
        Operation::RenameTable { from, to } => Ok(rename_back(from, to)),
        Operation::DropTable { table, if_exists } => Err(if *if_exists {
            format!("drops table `{table}` if it exists")
        } else {
            format!("drops table `{table}`")
        }),
        Operation::Raw { sql, dialect } => Err(match dialect {
            None => format!("runs raw SQL `{}`", excerpt(sql)),
            Some(dialect) => format!(
                "runs raw SQL on {} `{}`",
                dialect_name(*dialect),
                excerpt(sql)
            ),
        }),
    }
}

/// A rename keeps the table in its schema, so `app.a` renamed to `b` is `app.b`: the way back
/// renames `app.b` to `a`.
fn rename_back(from: &str, to: &str) -> Operation {
    let bare = |name: &str| {
        name.rsplit_once('.')
            .map_or(name, |(_, table)| table)
            .to_owned()
    };
    let renamed = match from.rsplit_once('.') {
        Some((schema, _)) => format!("{schema}.{}", bare(to)),
        None => to.to_owned(),
    };
    Operation::RenameTable {
        from: renamed,
        to: bare(from),
    }
}

/// The commands that undo `command`, in the order they run.
fn invert_command(table: &str, command: &TableCommand) -> Result<Vec<TableCommand>, String> {
    Ok(vec![match command {
        TableCommand::AddColumn(column) => TableCommand::DropColumn(column.name.clone()),
        TableCommand::AddIndex(index) => TableCommand::DropIndex {
            name: index
                .name
                .clone()
                .unwrap_or_else(|| generated_name(table, &index.columns, index.kind.suffix())),
            kind: index.kind,
        },
        TableCommand::AddPrimary(key) => match &key.name {
            // `drop_primary()` drops the key by the name the database gives it.
            None => TableCommand::DropPrimary,
            Some(name) => {
                return Err(format!(
                    "adds primary key `{name}` to `{table}` under a name of its own, which \
                     drop_primary() does not know"
                ));
            }
        },
        TableCommand::AddForeign(key) => {
            let name = key
                .name
                .clone()
                .unwrap_or_else(|| generated_name(table, &key.columns, "foreign"));
            // The key, then the index MySQL made for it (if it made one).
            return Ok(vec![
                TableCommand::DropForeign(name.clone()),
                TableCommand::DropForeignKeyIndex {
                    name,
                    columns: key.columns.clone(),
                },
            ]);
        }
        TableCommand::RenameColumn { from, to } => TableCommand::RenameColumn {
            from: to.clone(),
            to: from.clone(),
        },
        TableCommand::RenameIndex { from, to } => TableCommand::RenameIndex {
            from: to.clone(),
            to: from.clone(),
        },
        TableCommand::ChangeColumn(column) => {
            return Err(format!("changes column `{}` of `{table}`", column.name));
        }
        TableCommand::DropColumn(name) => {
            return Err(format!("drops column `{name}` of `{table}`"));
        }
        TableCommand::DropPrimary => return Err(format!("drops the primary key of `{table}`")),
        TableCommand::DropIndex { name, kind } => {
            return Err(match kind {
                IndexKind::Index => format!("drops index `{name}` of `{table}`"),
                IndexKind::Unique => format!("drops unique index `{name}` of `{table}`"),
            });
        }
        TableCommand::DropForeign(name) => {
            return Err(format!("drops foreign key `{name}` of `{table}`"));
        }
        TableCommand::DropForeignKeyIndex { name, .. } => {
            return Err(format!(
                "drops the index MySQL made for foreign key `{name}` of `{table}`"
            ));
        }
    }])
}

/// The start of a raw statement, on one line, for a message.
fn excerpt(sql: &str) -> String {
    const MAX: usize = 60;
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::MySql => "MySQL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ForeignKeyAction, Schema};

    fn plan(record: impl FnOnce(&mut Schema)) -> Plan {
        let mut schema = Schema::new();
        record(&mut schema);
        schema.into_plan()
    }

    fn commands(plan: &Plan, at: usize) -> &[TableCommand] {
        match &plan.operations[at] {
            Operation::AlterTable(alter) => &alter.commands,
            other => panic!("not an alter: {other:?}"),
        }
    }

    #[test]
    fn foreign_keys_are_dropped_first_in_a_block() {
        let down = invert(&plan(|s| {
            s.table("users", |t| {
                t.foreign_id("team_id").constrained("teams");
                t.index(["team_id"]);
            })
        }))
        .unwrap();
        assert_eq!(
            commands(&down, 0),
            [
                TableCommand::DropForeign("users_team_id_foreign".into()),
                TableCommand::DropIndex {
                    name: "users_team_id_index".into(),
                    kind: crate::schema::IndexKind::Index
                },
                TableCommand::DropForeignKeyIndex {
                    name: "users_team_id_foreign".into(),
                    columns: vec!["team_id".into()]
                },
                TableCommand::DropColumn("team_id".into()),
            ]
        );
    }

    #[test]
    fn create_table_becomes_drop_table() {
        let down = invert(&plan(|s| {
            s.create("users", |t| {
                t.id();
                t.string("email").unique();
                t.foreign_id("team_id").constrained("teams");
            })
        }))
        .unwrap();
        assert_eq!(
            down.operations,
            [Operation::DropTable {
                table: "users".into(),
                if_exists: false
            }]
        );
        assert!(!down.irreversible && !down.not_written);
    }

    #[test]
    fn renames_go_back_and_keep_the_schema() {
        let down = invert(&plan(|s| {
            s.rename("a", "b");
            s.rename("app.c", "d");
            s.rename("app.e", "app.f");
        }))
        .unwrap();
        let renames: Vec<(&str, &str)> = down
            .operations
            .iter()
            .map(|op| match op {
                Operation::RenameTable { from, to } => (from.as_str(), to.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(renames, [("app.f", "e"), ("app.d", "c"), ("b", "a")]);
    }

    #[test]
    fn every_invertible_table_command_is_undone_in_reverse_order() {
        let down = invert(&plan(|s| {
            s.table("app.users", |t| {
                t.string("avatar").nullable().unique();
                t.index(["name"]);
                t.index(["a", "b"]).name("by_ab");
                t.primary(["id"]);
                t.foreign(["team_id"])
                    .on("teams")
                    .on_delete(ForeignKeyAction::Cascade);
                t.foreign(["x"]).on("xs").name("named_fk");
                t.foreign_id("owner_id").constrained("users");
                t.rename_column("email", "email_address");
                t.rename_index("old", "new");
            })
        }))
        .unwrap();
        let drop_index = |name: &str, kind| TableCommand::DropIndex {
            name: name.into(),
            kind,
        };
        let drop_foreign = |name: &str| TableCommand::DropForeign(name.into());
        let drop_key_index = |name: &str, column: &str| TableCommand::DropForeignKeyIndex {
            name: name.into(),
            columns: vec![column.to_owned()],
        };
        // In reverse order, the foreign keys first.
        let expected: Vec<TableCommand> = vec![
            drop_foreign("users_owner_id_foreign"),
            drop_foreign("named_fk"),
            drop_foreign("users_team_id_foreign"),
            TableCommand::RenameIndex {
                from: "new".into(),
                to: "old".into(),
            },
            TableCommand::RenameColumn {
                from: "email_address".into(),
                to: "email".into(),
            },
            drop_key_index("users_owner_id_foreign", "owner_id"),
            TableCommand::DropColumn("owner_id".into()),
            drop_key_index("named_fk", "x"),
            drop_key_index("users_team_id_foreign", "team_id"),
            TableCommand::DropPrimary,
            drop_index("by_ab", IndexKind::Index),
            drop_index("users_name_index", IndexKind::Index),
            drop_index("users_avatar_unique", IndexKind::Unique),
            TableCommand::DropColumn("avatar".into()),
        ];
        assert_eq!(commands(&down, 0), expected);
        match &down.operations[0] {
            Operation::AlterTable(alter) => assert_eq!(alter.table, "app.users"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_are_undone_in_reverse_order() {
        let down = invert(&plan(|s| {
            s.create("teams", |t| {
                t.id();
            });
            s.table("users", |t| {
                t.foreign_id("team_id").nullable().constrained("teams");
            });
            s.rename("users", "members");
        }))
        .unwrap();
        assert_eq!(down.operations.len(), 3);
        assert!(matches!(
            &down.operations[0],
            Operation::RenameTable { from, to } if from == "members" && to == "users"
        ));
        assert!(matches!(&down.operations[1], Operation::AlterTable(a) if a.table == "users"));
        assert!(matches!(
            &down.operations[2],
            Operation::DropTable { table, if_exists: false } if table == "teams"
        ));
    }

    #[test]
    fn an_empty_up_has_an_empty_inverse() {
        let down = invert(&Plan::default()).unwrap();
        assert!(down.is_empty() && !down.irreversible);
    }

    /// Records one operation.
    type Record = Box<dyn Fn(&mut Schema)>;

    /// Each operation that cannot be undone, after an invertible one, and what it is called.
    #[test]
    fn the_first_operation_that_cannot_be_undone_is_named() {
        let cases: Vec<(Record, &str)> = vec![
            (Box::new(|s| s.drop("old")), "drops table `old`"),
            (
                Box::new(|s| s.drop_if_exists("old")),
                "drops table `old` if it exists",
            ),
            (
                Box::new(|s| s.table("users", |t| t.drop_column("legacy"))),
                "drops column `legacy` of `users`",
            ),
            (
                Box::new(|s| {
                    s.table("users", |t| {
                        t.string("name").length(100).change();
                    })
                }),
                "changes column `name` of `users`",
            ),
            (
                Box::new(|s| s.table("users", |t| t.drop_index(["name"]))),
                "drops index `users_name_index` of `users`",
            ),
            (
                Box::new(|s| s.table("users", |t| t.drop_unique(["email"]))),
                "drops unique index `users_email_unique` of `users`",
            ),
            (
                Box::new(|s| s.table("users", |t| t.drop_primary())),
                "drops the primary key of `users`",
            ),
            (
                Box::new(|s| s.table("users", |t| t.drop_foreign(["team_id"]))),
                "drops foreign key `users_team_id_foreign` of `users`",
            ),
            (
                Box::new(|s| {
                    s.table("users", |t| {
                        t.primary(["a"]).name("users_a_key");
                    })
                }),
                "adds primary key `users_a_key` to `users` under a name of its own, which \
                 drop_primary() does not know",
            ),
            (
                Box::new(|s| s.raw("UPDATE users SET active = 1")),
                "runs raw SQL `UPDATE users SET active = 1`",
            ),
            (
                Box::new(|s| s.raw_for(Dialect::Postgres, "CREATE EXTENSION citext")),
                "runs raw SQL on PostgreSQL `CREATE EXTENSION citext`",
            ),
        ];
        for (record, what) in cases {
            let up = plan(|s| {
                s.create("teams", |t| {
                    t.id();
                });
                record(s);
                s.drop("never_reached");
            });
            let refused = invert(&up).unwrap_err();
            assert_eq!(refused.what, what);
            assert_eq!(refused.operation, 1, "{what}");
        }
    }

    #[test]
    fn one_command_that_cannot_be_undone_refuses_its_whole_block() {
        let up = plan(|s| {
            s.table("users", |t| {
                t.string("avatar").nullable();
                t.drop_column("legacy");
                t.drop_column("older");
            })
        });
        let refused = invert(&up).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "its up drops column `legacy` of `users`, which cannot be undone from the plan alone"
        );
    }

    #[test]
    fn long_raw_sql_is_cut_for_the_message() {
        let sql = format!("UPDATE users\n   SET name = '{}'", "x".repeat(100));
        let refused = invert(&plan(|s| s.raw(&sql))).unwrap_err();
        assert!(
            refused
                .what
                .starts_with("runs raw SQL `UPDATE users SET name = 'xxx")
        );
        assert!(refused.what.ends_with("…`"), "{}", refused.what);
    }

    #[test]
    fn a_derived_down_stays_not_written() {
        let up = plan(|s| {
            s.create("users", |t| {
                t.id();
            })
        });
        let down = derived_down(&up);
        assert!(down.not_written && !down.irreversible && down.not_invertible.is_none());
        assert_eq!(down.operations.len(), 1);

        let up = plan(|s| s.raw("DELETE FROM users"));
        let down = derived_down(&up);
        assert!(down.not_written && down.irreversible && down.is_empty());
        assert_eq!(down.not_invertible.expect("reason").operation, 0);
    }

    #[test]
    fn reasons_say_what_to_do() {
        let reason = IrreversibleReason::NotInvertible(NotInvertible {
            operation: 0,
            what: "drops table `x`".into(),
        });
        assert_eq!(
            reason.to_string(),
            "it has no down(), and its up drops table `x`, which cannot be undone from the plan \
             alone"
        );
        assert!(reason.advice().starts_with("Write its down()"));
        assert_eq!(
            IrreversibleReason::Declared.to_string(),
            "its down() calls schema.irreversible()"
        );
    }
}
