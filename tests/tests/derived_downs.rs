//! Derived downs on real databases (SQLite always, PostgreSQL and MariaDB/MySQL when their URLs
//! are set): a migration without `down` is rolled back by the inverse of its `up`, and the
//! introspected schema after the rollback equals the one before the up — on MySQL too, where
//! adding a foreign key makes an index that dropping the key leaves behind. A migration whose up
//! cannot be undone from the plan alone is refused before anything runs, naming the operation.

mod support;

use ormed_migrate::schema::IrreversibleReason;
use support::*;

/// A migration without `down`.
struct UpOnly(fn(&mut Schema));

impl Migration for UpOnly {
    fn up(&self, schema: &mut Schema) {
        (self.0)(schema)
    }
}

const CREATE: &str = "m_20250101000000_create_teams_and_users";
const CHANGE: &str = "m_20250101000100_change_without_down";

fn create_teams_and_users(schema: &mut Schema) {
    schema.create("teams", |t| {
        t.id();
        t.string("name");
    });
    schema.create("users", |t| {
        t.id();
        t.string("email").unique();
        t.string("name").nullable();
        t.string("legacy").nullable();
        // No foreign key yet: the next migration adds it (on MySQL, with the index it makes).
        t.foreign_id("team_id").nullable();
        // Indexed already: MySQL makes no index for a foreign key on it.
        t.foreign_id("manager_id").nullable().index();
        t.foreign_id("division_id").nullable();
    });
}

fn drop_teams_and_users(schema: &mut Schema) {
    schema.drop("users");
    schema.drop("teams");
}

/// Every operation a derived down can undo.
fn invertible(schema: &mut Schema) {
    schema.create("divisions", |t| {
        t.id();
    });
    schema.create("projects", |t| {
        t.id();
        t.string("title");
        t.foreign_id("team_id").constrained("teams");
    });
    schema.create("labels", |t| {
        t.id();
        t.string("name").unique();
    });
    schema.table("users", |t| {
        t.string("avatar").nullable();
        t.index(["name"]);
        t.string("slug").nullable().unique();
        t.foreign(["team_id"]).on("teams");
        t.foreign(["manager_id"]).on("users");
        // A key to a table of this up: the down drops the key before the table.
        t.foreign(["division_id"]).on("divisions");
        t.foreign_id("owner_id").nullable().constrained("users");
        t.rename_column("email", "email_address");
        t.rename_index("users_name_index", "users_display_name_index");
    });
    schema.rename("labels", "tags");
}

fn migrations(change: fn(&mut Schema)) -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(CREATE, Steps(create_teams_and_users, drop_teams_and_users)),
        entry(CHANGE, UpOnly(change)),
    ])
    .expect("descriptors")
}

mod cases {
    use super::*;

    pub async fn a_migration_without_down_rolls_back_to_the_schema_before_it(db: &TestDatabase) {
        let runner = runner(db, migrations(invertible));
        assert!(runner.migrations()[1].is_reversible());
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute("INSERT INTO teams (name) VALUES ('core')")
            .await
            .expect("team");
        db.driver()
            .execute("INSERT INTO users (email, team_id) VALUES ('a@x.io', 1)")
            .await
            .expect("user");
        let before = schema_of(db).await;

        runner.apply_all().await.expect("up");
        let after = schema_of(db).await;
        let names: Vec<&str> = after.tables.keys().map(String::as_str).collect();
        assert_eq!(names, ["divisions", "projects", "tags", "teams", "users"]);
        let users = after.table("users").expect("users");
        for column in ["avatar", "slug", "owner_id", "email_address"] {
            assert!(users.column(column).is_some(), "{column}: {users:?}");
        }
        assert!(users.index("users_display_name_index").is_some());
        assert!(users.index("users_slug_unique").is_some());
        for key in [
            "users_team_id_foreign",
            "users_manager_id_foreign",
            "users_owner_id_foreign",
            "users_division_id_foreign",
        ] {
            assert!(users.foreign_key(key).is_some(), "{key}");
        }
        if db.dialect() == Dialect::MySql {
            // The indexes MySQL made for the keys whose columns had none, named like the keys.
            assert!(users.index("users_team_id_foreign").is_some());
            assert!(users.index("users_owner_id_foreign").is_some());
            assert!(users.index("users_manager_id_foreign").is_none());
        }

        let pretend = runner.rollback().pretend().await.expect("pretend");
        let statements = &pretend.actions[0].statements;
        if db.dialect() == Dialect::MySql {
            assert!(
                statements.iter().any(|s| s
                    == "DROP INDEX `users_team_id_foreign` ON `users` -- when MySQL made it for \
                        the foreign key"),
                "{statements:#?}"
            );
        }
        assert_same_schema(&after, &schema_of(db).await);

        let report = runner.rollback().await.expect("derived down");
        assert_eq!(ids(&report), [CHANGE]);
        assert_same_schema(&before, &schema_of(db).await);
        assert_eq!(
            strings(db, "SELECT email FROM users").await,
            ["a@x.io"],
            "the row is still there"
        );

        runner.apply_all().await.expect("up again");
        assert_same_schema(&after, &schema_of(db).await);
        runner.rollback().await.expect("derived down again");
        assert_same_schema(&before, &schema_of(db).await);
    }

    pub async fn a_migration_without_down_whose_up_drops_is_refused(db: &TestDatabase) {
        fn drops_a_column(schema: &mut Schema) {
            schema.table("users", |t| {
                t.string("avatar").nullable();
                t.drop_column("legacy");
            });
        }
        let runner = runner(db, migrations(drops_a_column));
        assert!(!runner.migrations()[1].is_reversible());
        runner.apply_all().await.expect("up");
        let before = schema_of(db).await;
        let error = runner.rollback().await.expect_err("refused");
        let MigrationError::Plan(PlanError::Irreversible {
            reason: IrreversibleReason::NotInvertible(operation),
            ..
        }) = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(operation.what, "drops column `legacy` of `users`");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "Migration {CHANGE} cannot be rolled back: it has no down(), and its up drops \
                 column `legacy` of `users`, which cannot be undone from the plan alone ("
            )),
            "{message}"
        );
        assert!(
            message.ends_with(
                "Write its down(), or undo it with a new migration. Nothing was rolled back."
            ),
            "{message}"
        );
        assert_eq!(error.hint(), Some(Hint::NewMigration));
        assert_same_schema(&before, &schema_of(db).await);
        let states = states(&runner).await;
        assert_eq!(states[1].0, CHANGE);
        assert_eq!(
            states[1].1,
            MigrationState::Applied,
            "the ledger row is there"
        );
    }

    pub async fn a_written_down_that_calls_irreversible_is_refused(db: &TestDatabase) {
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(CREATE, Steps(create_teams_and_users, drop_teams_and_users)),
                entry(CHANGE, Steps(invertible, |s| s.irreversible())),
            ])
            .expect("descriptors"),
        );
        runner.apply_all().await.expect("up");
        let before = schema_of(db).await;
        let error = runner.rollback().await.expect_err("refused");
        assert!(matches!(
            error,
            MigrationError::Plan(PlanError::Irreversible {
                reason: IrreversibleReason::Declared,
                ..
            })
        ));
        assert!(
            error
                .to_string()
                .contains("cannot be rolled back: its down() calls schema.irreversible() ("),
            "{error}"
        );
        assert_same_schema(&before, &schema_of(db).await);
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            2
        );
    }
}

support::suite! {
    a_migration_without_down_rolls_back_to_the_schema_before_it,
    a_migration_without_down_whose_up_drops_is_refused,
    a_written_down_that_calls_irreversible_is_refused,
}
