use super::Severity;
use super::checks;
use super::model::Model;
use crate::dialect::Dialect;
use crate::introspect::SchemaSnapshot;
use crate::schema::{Operation, Schema};

/// The problems of each operation of `build`'s plan, in order, on an empty database.
fn problems(dialect: Dialect, build: impl FnOnce(&mut Schema)) -> Vec<(Severity, String)> {
    let mut schema = Schema::new();
    build(&mut schema);
    let mut model = Model::new(dialect, SchemaSnapshot::default());
    let mut found = Vec::new();
    for operation in &schema.plan().operations {
        found.extend(
            checks::operation(&model, operation)
                .into_iter()
                .map(|p| (p.severity, p.problem)),
        );
        model.apply(operation);
    }
    found
}

#[test]
fn a_table_named_by_raw_sql_is_unknown_from_there_on() {
    let mut model = Model::new(Dialect::Postgres, SchemaSnapshot::default());
    assert!(model.knows("teams"));
    model.apply(&Operation::Raw {
        sql: r#"CREATE TABLE "Teams" (id int); -- users"#.to_owned(),
        dialect: None,
    });
    assert!(!model.knows("teams"), "quoted identifiers count");
    assert!(model.knows("users"), "comments do not");
    // Raw SQL for another database changes nothing here.
    model.apply(&Operation::Raw {
        sql: "CREATE TABLE users (id int)".to_owned(),
        dialect: Some(Dialect::MySql),
    });
    assert!(model.knows("users"));
}

#[test]
fn a_table_that_references_itself_is_fine() {
    let found = problems(Dialect::MySql, |s| {
        s.create("nodes", |t| {
            t.id();
            t.foreign_id("parent_id").nullable().constrained("nodes");
        });
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn renamed_tables_and_columns_are_followed() {
    let found = problems(Dialect::Sqlite, |s| {
        s.create("people", |t| {
            t.id();
            t.string("mail");
        });
        s.rename("people", "users");
        s.table("users", |t| {
            t.rename_column("mail", "email");
            t.index(["email"]);
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
        s.drop("posts");
        s.drop("users");
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_column_another_table_references_cannot_be_dropped() {
    let found = problems(Dialect::Postgres, |s| {
        s.create("users", |t| {
            t.id();
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
        s.table("users", |t| t.drop_column("id"));
    });
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Error);
    assert!(
        found[0].1.contains(
            "column `users.id` is referenced by foreign key posts_user_id_foreign of `posts`"
        ),
        "{found:?}"
    );
}

#[test]
fn mysql_keeps_the_last_index_a_foreign_key_needs() {
    let plan = |replace_first: bool| {
        move |s: &mut Schema| {
            s.create("users", |t| {
                t.id();
            });
            s.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
                t.boolean("published");
                t.index(["user_id", "published"]);
            });
            s.table("posts", |t| {
                if replace_first {
                    t.index(["user_id"]);
                }
                t.drop_index(["user_id", "published"]);
            });
        }
    };
    let found = problems(Dialect::MySql, plan(false));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.starts_with(
            "MySQL needs index `posts_user_id_published_index` for foreign key posts_user_id_foreign"
        ),
        "{found:?}"
    );
    assert!(problems(Dialect::MySql, plan(true)).is_empty());
    // PostgreSQL and SQLite need no index for a foreign key.
    assert!(problems(Dialect::Postgres, plan(false)).is_empty());
}
