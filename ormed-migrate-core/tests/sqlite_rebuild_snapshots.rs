//! The SQL of every SQLite table change that needs a rebuild, rendered the way `--pretend`
//! prints it: against a real table (in a SQLite database the test creates) with rows, an
//! AUTOINCREMENT sequence, indexes, a unique constraint, foreign keys in both directions, a
//! view and a trigger. One named snapshot per case in
//! `tests/snapshots/sqlite_rebuild_snapshots__*.snap`. What the statements do to the data is
//! checked by the test suite's `schema_changes` rebuild tests.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p ormed-migrate-core --test sqlite_rebuild_snapshots` and
//! review the diff.

use ormed_migrate_core::testing::TestDatabase;
use ormed_migrate_core::{ForeignKeyAction, Migration, MigrationEntry, MigrationId, Schema, Table};

const FIXTURE: &str = "m_20250101000000_create_fixture";
const CHANGE: &str = "m_20250101000100_change";

/// The tables every case changes: `users` (referenced by `posts`, named by a view and a
/// trigger), `memberships` (a composite primary key) and `prices` (written by hand: CHECK
/// constraints, a collation, `STRICT`).
struct Fixture;

impl Migration for Fixture {
    fn up(&self, schema: &mut Schema) {
        schema.create("teams", |t| {
            t.id();
            t.string("name");
        });
        schema.create("users", |t| {
            t.id();
            t.foreign_id("team_id")
                .constrained("teams")
                .on_delete(ForeignKeyAction::Cascade);
            t.string("name").index();
            t.string("email").unique();
            t.string("legacy").nullable();
            t.integer("score").default(0);
            t.timestamps();
        });
        schema.create("posts", |t| {
            t.id();
            t.foreign_id("user_id")
                .constrained("users")
                .on_delete(ForeignKeyAction::Cascade);
            t.string("title").index();
        });
        schema.create("memberships", |t| {
            t.integer("team_id");
            t.integer("user_id");
            t.string("role");
            t.primary(["team_id", "user_id"]);
        });
        // What only the table's own text holds: CHECKs, a collation, STRICT.
        schema.raw(
            "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL CHECK (amount > 0), \
             code TEXT COLLATE NOCASE, CONSTRAINT below_cap CHECK (amount < 1000)) STRICT",
        );
        schema.raw("CREATE VIEW user_names AS SELECT id, name FROM users");
        schema.raw(
            "CREATE TRIGGER users_scored AFTER UPDATE OF email ON users \
             BEGIN UPDATE users SET score = score + 1 WHERE id = NEW.id; END",
        );
        schema.raw("INSERT INTO teams (name) VALUES ('core')");
        // The sequence (2) stays above the highest id left (1): the rebuild restores it.
        schema.raw("INSERT INTO users (team_id, name, email) VALUES (1, 'Ada', 'a@example.com')");
        schema.raw("INSERT INTO users (team_id, name, email) VALUES (1, 'Grace', 'g@example.com')");
        schema.raw("DELETE FROM users WHERE name = 'Grace'");
    }
}

/// A change of `table`.
struct Change {
    table: &'static str,
    change: fn(&mut Table),
}

impl Migration for Change {
    fn up(&self, schema: &mut Schema) {
        schema.table(self.table, self.change);
    }
}

fn id(text: &str) -> MigrationId {
    MigrationId::parse(text).expect("valid id")
}

/// The statements `pretend` prints for `change` of `table`, after the fixture was applied.
async fn pretend(table: &'static str, change: fn(&mut Table)) -> String {
    let db = TestDatabase::sqlite().await.expect("sqlite");
    let migrations = MigrationEntry::build_descriptors(vec![
        MigrationEntry::new(id(FIXTURE), Fixture),
        MigrationEntry::new(id(CHANGE), Change { table, change }),
    ])
    .expect("descriptors");
    let runner = db.runner(migrations).expect("runner");
    runner.apply_all().limit(1).await.expect("fixture");
    let report = runner.apply_all().pretend().await.expect("pretend");
    let [action] = report.actions.as_slice() else {
        panic!("one pending migration, got {:?}", report.actions);
    };
    let mut out = String::new();
    for statement in &action.statements {
        out.push_str(statement);
        out.push_str(";\n");
    }
    db.cleanup().await.expect("cleanup");
    out
}

/// Snapshot `name` of the rebuild `change` of `users`.
async fn check(name: &str, change: fn(&mut Table)) {
    insta::assert_snapshot!(name, pretend("users", change).await);
}

#[tokio::test]
async fn add_not_null_column_without_default() {
    check("add_not_null_column_without_default", |t| {
        t.string("nickname");
    })
    .await;
}

#[tokio::test]
async fn add_timestamp_using_current() {
    check("add_timestamp_using_current", |t| {
        t.timestamp("seen_at").use_current();
    })
    .await;
}

#[tokio::test]
async fn change_column_type_length_nullability() {
    check("change_column_type_length_nullability", |t| {
        t.string("name").length(100).nullable().change();
    })
    .await;
}

#[tokio::test]
async fn change_column_drops_what_is_not_restated() {
    check("change_column_drops_what_is_not_restated", |t| {
        t.integer("score").change();
    })
    .await;
}

#[tokio::test]
async fn change_column_with_default_and_comment() {
    check("change_column_with_default_and_comment", |t| {
        t.integer("score").default(10).comment("points").change();
    })
    .await;
}

#[tokio::test]
async fn drop_columns() {
    check("drop_columns", |t| {
        t.drop_column("legacy");
        t.drop_timestamps();
    })
    .await;
}

#[tokio::test]
async fn drop_indexed_column() {
    // `users.email` is named by the trigger, which refuses its drop: `posts.title` is not.
    let sql = pretend("posts", |t| {
        t.drop_column("title");
    })
    .await;
    insta::assert_snapshot!("drop_indexed_column", sql);
}

#[tokio::test]
async fn add_foreign_key() {
    check("add_foreign_key", |t| {
        t.integer("mentor_id").nullable();
        t.foreign(["mentor_id"])
            .references(["id"])
            .on("users")
            .on_delete(ForeignKeyAction::SetNull);
    })
    .await;
}

#[tokio::test]
async fn foreign_id_constrained() {
    check("foreign_id_constrained", |t| {
        t.foreign_id("home_team_id")
            .nullable()
            .constrained("teams")
            .on_delete(ForeignKeyAction::SetNull);
    })
    .await;
}

#[tokio::test]
async fn drop_foreign_key() {
    check("drop_foreign_key", |t| {
        t.drop_foreign("users_team_id_foreign");
    })
    .await;
}

#[tokio::test]
async fn drop_constrained_foreign_id() {
    check("drop_constrained_foreign_id", |t| {
        t.drop_constrained_foreign_id("team_id");
    })
    .await;
}

#[tokio::test]
async fn rename_index() {
    check("rename_index", |t| {
        t.rename_index("users_name_index", "users_display_name_index");
    })
    .await;
}

#[tokio::test]
async fn the_changes_of_one_block_run_in_the_order_written() {
    check("block_in_order", |t| {
        t.string("avatar").nullable();
        t.rename_column("legacy", "old");
        t.index(["avatar"]);
        t.string("old").length(20).nullable().change();
    })
    .await;
}

#[tokio::test]
async fn drop_and_add_primary_key() {
    let sql = pretend("memberships", |t| {
        t.drop_primary();
        t.primary(["team_id", "user_id", "role"]);
    })
    .await;
    insta::assert_snapshot!("drop_and_add_primary_key", sql);
}

#[tokio::test]
async fn carry_checks_collations_and_strict() {
    let sql = pretend("prices", |t| {
        t.integer("amount").change();
        t.text("memo").nullable();
    })
    .await;
    insta::assert_snapshot!("carry_checks_collations_and_strict", sql);
}
