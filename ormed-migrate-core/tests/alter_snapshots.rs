//! The SQL every `schema.table(..)` change renders to, on SQLite, PostgreSQL and MySQL/MariaDB,
//! one named snapshot per case in `tests/snapshots/alter_snapshots__*.snap`, the three
//! renderings side by side. On SQLite a change that cannot be made in place shows the deferred
//! statement's description: it is rendered against the live table when it runs
//! (`sqlite_rebuild_snapshots.rs` holds what it renders to against a real table; the runner's
//! rebuild tests run it). The statements run against real databases in the test suite's
//! `schema_changes` tests, whose results are checked by introspection.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p ormed-migrate-core --test alter_snapshots` and review the
//! diff.

use ormed_migrate_core::{Dialect, ForeignKeyAction, Schema, Table};

mod common;

use common::render_all;

/// `schema.table("users", change)` rendered for the three dialects, compared with snapshot
/// `name`.
fn check(name: &str, change: impl FnOnce(&mut Table)) {
    let mut schema = Schema::new();
    schema.table("users", change);
    insta::assert_snapshot!(name, render_all(&schema));
}

#[test]
fn add_nullable_column() {
    check("add_nullable_column", |t| {
        t.string("avatar").nullable();
    });
}

#[test]
fn add_column_with_default_and_comment() {
    check("add_column_with_default_and_comment", |t| {
        t.integer("score").default(0).comment("points");
    });
}

#[test]
fn add_not_null_column_without_default() {
    // SQLite cannot add it in place; a rebuild does, and fails (as PostgreSQL does) only when
    // rows lack a value.
    check("add_not_null_column_without_default", |t| {
        t.string("nickname");
    });
}

#[test]
fn add_column_with_unique_index() {
    check("add_column_with_unique_index", |t| {
        t.string("slug").nullable().unique();
    });
}

#[test]
fn add_timestamp_using_current() {
    check("add_timestamp_using_current", |t| {
        t.timestamp("seen_at").use_current();
    });
}

#[test]
fn change_column_type_length_nullability() {
    check("change_column_type_length_nullability", |t| {
        t.string("name").length(100).nullable().change();
    });
}

#[test]
fn change_column_drops_what_is_not_restated() {
    check("change_column_drops_what_is_not_restated", |t| {
        t.string("name").change();
    });
}

#[test]
fn change_column_with_default_and_comment() {
    check("change_column_with_default_and_comment", |t| {
        t.integer("score").default(10).comment("points").change();
    });
}

#[test]
fn drop_column() {
    check("drop_column", |t| {
        t.drop_column("legacy");
    });
}

#[test]
fn drop_several_columns() {
    check("drop_several_columns", |t| {
        t.drop_column(["a", "b"]);
        t.drop_timestamps();
    });
}

#[test]
fn rename_column() {
    check("rename_column", |t| {
        t.rename_column("email", "email_address");
    });
}

#[test]
fn add_and_drop_index() {
    check("add_and_drop_index", |t| {
        t.index(["name"]);
        t.drop_index("users_old_index");
        t.drop_index(["email", "name"]);
    });
}

#[test]
fn add_and_drop_unique() {
    check("add_and_drop_unique", |t| {
        t.unique(["slug"]);
        t.drop_unique("users_slug_unique");
    });
}

#[test]
fn rename_index() {
    check("rename_index", |t| {
        t.rename_index("users_name_index", "users_display_name_index");
    });
}

#[test]
fn add_foreign_key() {
    check("add_foreign_key", |t| {
        t.foreign(["team_id"])
            .references(["id"])
            .on("teams")
            .on_delete(ForeignKeyAction::Cascade);
    });
}

#[test]
fn foreign_id_constrained() {
    check("foreign_id_constrained", |t| {
        t.foreign_id("owner_id")
            .nullable()
            .constrained("users")
            .on_delete(ForeignKeyAction::SetNull);
    });
}

#[test]
fn drop_foreign_key() {
    check("drop_foreign_key", |t| {
        t.drop_foreign("users_team_id_foreign");
        t.drop_foreign(["owner_id"]);
    });
}

#[test]
fn drop_constrained_foreign_id() {
    check("drop_constrained_foreign_id", |t| {
        t.drop_constrained_foreign_id("owner_id");
    });
}

#[test]
fn add_and_drop_primary_key() {
    check("add_and_drop_primary_key", |t| {
        t.drop_primary();
        t.primary(["a", "b"]);
    });
}

#[test]
fn the_changes_of_one_block_run_in_the_order_written() {
    check("block_in_order", |t| {
        t.string("avatar").nullable();
        t.rename_column("email", "email_address");
        t.index(["avatar"]);
        t.string("name").length(100).nullable().change();
    });
}

#[test]
fn schema_qualified_table_on_postgres() {
    let mut schema = Schema::new();
    schema.table("app.users", |t| {
        t.drop_index("users_name_index");
        t.rename_index("users_a_index", "users_b_index");
        t.drop_primary();
    });
    let sql = Dialect::Postgres.render(schema.plan()).unwrap();
    assert_eq!(
        sql,
        [
            r#"DROP INDEX "app"."users_name_index""#,
            r#"ALTER INDEX "app"."users_a_index" RENAME TO "users_b_index""#,
            r#"ALTER TABLE "app"."users" DROP CONSTRAINT "users_pkey""#,
        ]
    );
}

#[test]
fn change_cannot_make_a_column_auto_incrementing() {
    let mut schema = Schema::new();
    schema.table("users", |t| {
        t.id().change();
    });
    for dialect in Dialect::ALL {
        let error = dialect.render(schema.plan()).unwrap_err().to_string();
        assert!(
            error.contains("change() cannot make a column auto-incrementing"),
            "{error}"
        );
    }
}

#[test]
fn create_refuses_commands_that_change_a_table() {
    let mut schema = Schema::new();
    schema.create("users", |t| {
        t.id();
        t.drop_column("legacy");
    });
    let error = Dialect::Postgres.render(schema.plan()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "schema.create(\"users\", ..) cannot drop column `legacy`: it changes an existing \
         table; use schema.table(\"users\", ..) after creating it"
    );
}

#[test]
fn bad_identifiers_are_refused_before_anything_renders() {
    let mut schema = Schema::new();
    schema.table("users", |t| {
        t.rename_column("email", "email; DROP TABLE users");
    });
    for dialect in Dialect::ALL {
        assert!(dialect.render(schema.plan()).is_err(), "{dialect}");
    }
}

/// What a derived down renders for `t.foreign(..)` and `t.foreign_id(..).constrained(..)`:
/// the key dropped, then on MySQL the index the database made for it (if it made one, decided
/// against the live table when it runs), then the column.
#[test]
fn derived_down_of_foreign_keys() {
    let mut up = Schema::new();
    up.table("users", |t| {
        t.foreign(["team_id"]).on("teams");
        t.foreign_id("owner_id").nullable().constrained("users");
    });
    let down = ormed_migrate_core::schema::invert(up.plan()).expect("invertible");
    let mut schema = Schema::new();
    for operation in down.operations {
        schema.push(operation);
    }
    insta::assert_snapshot!("derived_down_of_foreign_keys", render_all(&schema));
}
