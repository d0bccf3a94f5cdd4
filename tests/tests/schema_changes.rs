//! `schema.table(..)` run through the runner on real databases (SQLite always, PostgreSQL and
//! MariaDB/MySQL when their URLs are set), each result checked by introspection: what the
//! table holds after the up, and that the schema after the down equals the one before the up.
//! The SQLite cases check the table rebuild: rows, child rows, indexes, triggers, views,
//! foreign keys and the AUTOINCREMENT sequence survive it, and a rebuild that would orphan rows
//! fails and changes nothing.

mod support;

use ormed_migrate::ForeignKeyAction;
use support::*;

const CREATE: &str = "m_20250101000000_create_teams_and_users";
const ALTER: &str = "m_20250101000100_alter_users";

fn create_teams_and_users(schema: &mut Schema) {
    schema.create("teams", |t| {
        t.id();
        t.string("name");
    });
    schema.create("users", |t| {
        t.id();
        t.string("email").unique();
        t.string("name").nullable().default("anon");
        t.string("legacy").nullable();
        t.foreign_id("team_id").nullable();
    });
}

fn drop_teams_and_users(schema: &mut Schema) {
    schema.drop("users");
    schema.drop("teams");
}

/// Every kind of change in one block, in the order written.
fn alter_users(schema: &mut Schema) {
    schema.table("users", |t| {
        t.string("avatar").nullable();
        t.string("name").length(100).change();
        t.drop_column("legacy");
        t.rename_column("email", "email_address");
        t.index(["name"]);
        t.foreign(["team_id"])
            .references(["id"])
            .on("teams")
            .on_delete(ForeignKeyAction::Cascade);
        t.foreign_id("owner_id")
            .nullable()
            .constrained("users")
            .on_delete(ForeignKeyAction::SetNull);
    });
}

/// The way back, written by hand (MySQL keeps the index it made for a foreign key when the key
/// is dropped, so the down drops it too).
fn unalter_users(schema: &mut Schema) {
    schema.table("users", |t| {
        t.drop_constrained_foreign_id("owner_id");
        t.drop_foreign(["team_id"]);
    });
    schema.raw_for(Dialect::MySql, "DROP INDEX users_team_id_foreign ON users");
    schema.table("users", |t| {
        t.drop_index(["name"]);
        t.rename_column("email_address", "email");
        t.string("legacy").nullable();
        t.string("name").nullable().default("anon").change();
        t.drop_column("avatar");
    });
}

fn migrations() -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(CREATE, Steps(create_teams_and_users, drop_teams_and_users)),
        entry(ALTER, Steps(alter_users, unalter_users)),
    ])
    .expect("descriptors")
}

mod cases {
    use super::*;

    pub async fn every_change_applies_and_its_down_restores_the_schema(db: &TestDatabase) {
        let runner = runner(db, migrations());
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute("INSERT INTO teams (name) VALUES ('core')")
            .await
            .expect("team");
        db.driver()
            .execute("INSERT INTO users (email, name, team_id) VALUES ('a@x.io', 'Ann', 1)")
            .await
            .expect("user");
        let before = schema_of(db).await;

        runner.apply_all().await.expect("alter");
        let after = schema_of(db).await;
        let users = after.table("users").expect("users");
        let columns: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            columns,
            [
                "id",
                "email_address",
                "name",
                "team_id",
                "avatar",
                "owner_id"
            ]
        );
        let name = users.column("name").expect("name");
        assert_eq!((name.length, name.nullable), (Some(100), false));
        assert_eq!(
            name.default, None,
            "change() removes the default it does not restate"
        );
        assert!(users.column("avatar").expect("avatar").nullable);
        let index = users.index("users_name_index").expect("name index");
        assert_eq!(
            (index.columns.as_slice(), index.unique),
            (&["name".to_owned()][..], false)
        );
        assert!(
            users.index("users_email_unique").is_some(),
            "the unique index follows the renamed column: {:?}",
            users.indexes
        );
        let team = users
            .foreign_key("users_team_id_foreign")
            .expect("team key");
        assert_eq!(
            (team.referenced_table.as_str(), team.on_delete),
            ("teams", ForeignKeyAction::Cascade)
        );
        let owner = users
            .foreign_key("users_owner_id_foreign")
            .expect("owner key");
        assert_eq!(
            (owner.referenced_table.as_str(), owner.on_delete),
            ("users", ForeignKeyAction::SetNull)
        );
        let kept = strings(db, "SELECT email_address FROM users").await;
        assert_eq!(kept, ["a@x.io"], "the row is still there");

        runner.rollback().await.expect("down");
        assert_same_schema(&before, &schema_of(db).await);
        assert_eq!(strings(db, "SELECT email FROM users").await, ["a@x.io"]);
        runner.apply_all().await.expect("again");
        let again = schema_of(db).await;
        assert_same_schema(&after, &again);
    }

    pub async fn a_change_naming_a_missing_column_fails_and_applies_nothing(db: &TestDatabase) {
        fn change_missing(schema: &mut Schema) {
            schema.table("users", |t| {
                t.string("nickname").nullable();
                t.string("no_such_column").length(10).change();
            });
        }
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(CREATE, Steps(create_teams_and_users, drop_teams_and_users)),
                entry(ALTER, Steps(change_missing, |_| {})),
            ])
            .expect("descriptors"),
        );
        runner.apply_all().limit(1).await.expect("create");
        let before = schema_of(db).await;
        let error = runner.apply_all().await.expect_err("refused");
        let message = error.to_string();
        // The pre-flight check finds it before anything runs, on every database (MySQL would
        // otherwise have committed the first column).
        assert_eq!(
            message,
            format!(
                "migration {ALTER} (up) would fail at change column `no_such_column` of `users`: \
                 table `users` has no column `no_such_column` at this point; check the name (an \
                 earlier change may have renamed or dropped it). Nothing was run."
            )
        );
        assert_same_schema(&before, &schema_of(db).await);
        assert_eq!(states(&runner).await[1].1, MigrationState::Pending);
    }

    pub async fn keys_unique_indexes_and_index_renames_apply_and_revert(db: &TestDatabase) {
        fn create(schema: &mut Schema) {
            schema.create("memberships", |t| {
                t.big_integer("team_id");
                t.big_integer("user_id");
                t.string("role");
                t.index(["role"]);
                t.unique(["user_id", "team_id"]);
                t.timestamps();
            });
        }
        fn change(schema: &mut Schema) {
            schema.table("memberships", |t| {
                t.primary(["team_id", "user_id"]);
                t.rename_index("memberships_role_index", "memberships_by_role");
                t.drop_unique(["user_id", "team_id"]);
                t.drop_timestamps();
            });
        }
        fn change_back(schema: &mut Schema) {
            schema.table("memberships", |t| {
                t.timestamps();
                t.unique(["user_id", "team_id"]);
                t.rename_index("memberships_by_role", "memberships_role_index");
                t.drop_primary();
            });
        }
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(CREATE, Steps(create, |s| s.drop("memberships"))),
                entry(ALTER, Steps(change, change_back)),
            ])
            .expect("descriptors"),
        );
        runner.apply_all().limit(1).await.expect("create");
        db.driver()
            .execute("INSERT INTO memberships (team_id, user_id, role) VALUES (1, 2, 'owner')")
            .await
            .expect("a row");
        let before = schema_of(db).await;
        runner.apply_all().await.expect("change");
        let after = schema_of(db).await;
        let table = after.table("memberships").expect("memberships");
        let key = table.primary_key.as_ref().expect("a primary key");
        assert_eq!(key.columns, ["team_id", "user_id"]);
        let names: Vec<&str> = table.indexes.iter().map(|i| i.name.as_str()).collect();
        assert!(names.contains(&"memberships_by_role"), "{names:?}");
        assert!(!names.contains(&"memberships_role_index"), "{names:?}");
        assert!(
            !names.contains(&"memberships_user_id_team_id_unique"),
            "{names:?}"
        );
        assert!(table.column("created_at").is_none() && table.column("updated_at").is_none());
        assert_eq!(strings(db, "SELECT role FROM memberships").await, ["owner"]);
        runner.rollback().await.expect("change back");
        assert_same_schema(&before, &schema_of(db).await);
        assert_eq!(strings(db, "SELECT role FROM memberships").await, ["owner"]);
    }
}

support::suite! {
    every_change_applies_and_its_down_restores_the_schema,
    keys_unique_indexes_and_index_renames_apply_and_revert,
    a_change_naming_a_missing_column_fails_and_applies_nothing,
}

/// The SQLite rebuild on a table with 10,000 rows, two child tables that reference it with
/// `ON DELETE CASCADE` and `SET NULL`, an index, a trigger, a view and an AUTOINCREMENT
/// sequence above its highest id.
mod sqlite_rebuild {
    use super::*;

    const PARENT: &str = "m_20250101000000_create_authors";
    const CHANGE: &str = "m_20250101000100_change_authors";
    const ROWS: i64 = 10_000;

    fn create(schema: &mut Schema) {
        schema.create("authors", |t| {
            t.id();
            t.string("name");
            t.text("bio").nullable();
        });
        schema.create("books", |t| {
            t.id();
            t.foreign_id("author_id")
                .constrained("authors")
                .on_delete(ForeignKeyAction::Cascade);
        });
        schema.create("reviews", |t| {
            t.id();
            t.foreign_id("author_id")
                .nullable()
                .constrained("authors")
                .on_delete(ForeignKeyAction::SetNull);
        });
        schema.raw("CREATE INDEX authors_by_name ON authors (name) WHERE bio IS NULL");
        schema.raw("CREATE TABLE audit (author_id INTEGER)");
        schema.raw(
            "CREATE TRIGGER authors_audit AFTER INSERT ON authors \
             BEGIN INSERT INTO audit (author_id) VALUES (new.id); END",
        );
        schema.raw("CREATE VIEW author_names AS SELECT id, name FROM authors");
    }

    fn change(schema: &mut Schema) {
        schema.table("authors", |t| {
            t.string("name").length(100).change();
            t.index(["bio"]);
        });
    }

    fn change_back(schema: &mut Schema) {
        schema.table("authors", |t| {
            t.drop_index(["bio"]);
            t.string("name").change();
        });
    }

    fn runner(db: &TestDatabase) -> MigrationRunner {
        support::runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(PARENT, Steps(create, |s| s.irreversible())),
                entry(CHANGE, Steps(change, change_back)),
            ])
            .expect("descriptors"),
        )
    }

    async fn count(db: &TestDatabase, sql: &str) -> i64 {
        let pool = db.driver().sqlite_pool().expect("sqlite");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(pool)
            .await
            .expect(sql)
    }

    async fn seed(db: &TestDatabase) {
        let pool = db.driver().sqlite_pool().expect("sqlite");
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO authors (name) SELECT 'author ' || i FROM n"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .expect("authors");
        for sql in [
            "INSERT INTO books (author_id) SELECT id FROM authors",
            "INSERT INTO reviews (author_id) SELECT id FROM authors",
            // The sequence ends above the highest id: ids 9996..10000 were handed out once.
            "DELETE FROM books WHERE author_id > 9995",
            "DELETE FROM reviews WHERE author_id > 9995",
            "DELETE FROM authors WHERE id > 9995",
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .expect(sql);
        }
    }

    /// Everything the rebuild must keep, with the rows it holds; the next id is `next`.
    async fn assert_everything_kept(db: &TestDatabase, next: i64) {
        assert_eq!(count(db, "SELECT COUNT(*) FROM authors").await, 9_995);
        assert_eq!(count(db, "SELECT COUNT(*) FROM books").await, 9_995);
        let linked = "SELECT COUNT(*) FROM reviews WHERE author_id IS NOT NULL";
        assert_eq!(count(db, linked).await, 9_995, "SET NULL fired on the drop");
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM pragma_foreign_key_check()").await,
            0
        );
        assert_eq!(count(db, "SELECT COUNT(*) FROM author_names").await, 9_995);
        let partial = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'authors_by_name' \
                       AND sql LIKE '%WHERE bio IS NULL%'";
        assert_eq!(
            count(db, partial).await,
            1,
            "the partial index keeps its WHERE"
        );
        let schema = schema_of(db).await;
        for child in ["books", "reviews"] {
            let keys = &schema.table(child).expect(child).foreign_keys;
            assert_eq!(keys.len(), 1, "{child} still references authors");
            assert_eq!(keys[0].referenced_table, "authors");
        }
        // The next id is above every id ever handed out, and the trigger still fires.
        db.driver()
            .execute("INSERT INTO authors (name) VALUES ('new')")
            .await
            .expect("insert");
        assert_eq!(count(db, "SELECT MAX(id) FROM authors").await, next);
        assert_eq!(count(db, "SELECT MAX(author_id) FROM audit").await, next);
        db.driver()
            .execute("DELETE FROM authors WHERE name = 'new'")
            .await
            .expect("delete");
        let foreign_keys_on = "SELECT foreign_keys FROM pragma_foreign_keys()";
        assert_eq!(count(db, foreign_keys_on).await, 1, "keys are back on");
    }

    #[tokio::test]
    async fn a_rebuild_keeps_rows_children_indexes_triggers_views_and_the_sequence() {
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let runner = runner(&db);
        runner.apply_all().limit(1).await.expect("create");
        seed(&db).await;

        let pretend = runner.apply_all().pretend().await.expect("pretend");
        let statements = &pretend.actions[0].statements;
        assert!(
            statements[0].starts_with("DROP VIEW") && statements.iter().any(|s| s
                .starts_with(r#"CREATE TABLE "__ormed_rebuild_authors" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "name" VARCHAR(100) NOT NULL"#)),
            "pretend prints the rebuild rendered against the live table: {statements:#?}"
        );

        runner.apply_all().await.expect("change");
        let authors = schema_of(&db)
            .await
            .tables
            .remove("authors")
            .expect("authors");
        assert_eq!(authors.column("name").expect("name").length, Some(100));
        assert!(authors.index("authors_bio_index").is_some());
        assert_everything_kept(&db, ROWS + 1).await;

        runner.rollback().await.expect("change back");
        let authors = schema_of(&db)
            .await
            .tables
            .remove("authors")
            .expect("authors");
        assert_eq!(authors.column("name").expect("name").length, Some(255));
        assert_everything_kept(&db, ROWS + 2).await;
        db.cleanup().await.expect("cleanup");
    }

    #[tokio::test]
    async fn a_rebuild_that_would_orphan_rows_fails_and_changes_nothing() {
        fn add_key(schema: &mut Schema) {
            schema.table("books", |t| {
                t.foreign(["shelf_id"]).on("shelves");
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        for sql in [
            "CREATE TABLE shelves (id INTEGER PRIMARY KEY)",
            "CREATE TABLE books (id INTEGER PRIMARY KEY, shelf_id INTEGER)",
            "INSERT INTO shelves (id) VALUES (1)",
            "INSERT INTO books (shelf_id) VALUES (1), (2)",
        ] {
            db.driver().execute(sql).await.expect(sql);
        }
        let before = schema_of(&db).await;
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(add_key, |_| {}))])
                .expect("descriptors"),
        );
        let error = runner.apply_all().await.expect_err("orphans");
        assert!(
            matches!(&error, MigrationError::Run(RunError::ForeignKeyCheckFailed { table, .. }) if table == "books"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("`books` rowid 2 → `shelves`"), "{message}");
        assert!(message.contains("Nothing of migration"), "{message}");
        assert_same_schema(&before, &schema_of(&db).await);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM books").await, 2);
        assert_eq!(states(&runner).await[0].1, MigrationState::Pending);
        db.cleanup().await.expect("cleanup");
    }

    /// `pretend` renders a rebuild of a table an earlier migration of the same run creates
    /// against the table as that migration leaves it.
    #[tokio::test]
    async fn pretend_renders_a_rebuild_against_the_runs_own_tables() {
        fn create(schema: &mut Schema) {
            schema.create("notes", |t| {
                t.id();
                t.string("title");
            });
        }
        fn change(schema: &mut Schema) {
            schema.table("notes", |t| {
                t.string("title").length(80).nullable().change();
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![
                entry(PARENT, Steps(create, |s| s.drop("notes"))),
                entry(CHANGE, Steps(change, |_| {})),
            ])
            .expect("descriptors"),
        );
        let report = runner.apply_all().pretend().await.expect("pretend");
        assert_eq!(
            report.actions[1].statements,
            [
                r#"CREATE TABLE "__ormed_rebuild_notes" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "title" VARCHAR(80))"#,
                r#"INSERT INTO "__ormed_rebuild_notes" ("id", "title") SELECT "id", "title" FROM "notes""#,
                r#"DROP TABLE "notes""#,
                r#"ALTER TABLE "__ormed_rebuild_notes" RENAME TO "notes""#,
                r#"SELECT "table", rowid, parent FROM pragma_foreign_key_check() WHERE "table" = 'notes' OR parent = 'notes' LIMIT 5"#,
            ]
        );
        assert!(!table_exists(&db, "notes").await, "pretend ran nothing");
        db.cleanup().await.expect("cleanup");
    }

    /// Several changes to one table in one block are one rebuild (the table copied once); a
    /// column rename splits the block there, as documented, so the changes around it are two.
    #[tokio::test]
    async fn several_changes_in_one_block_are_one_rebuild() {
        fn create(schema: &mut Schema) {
            schema.create("notes", |t| {
                t.id();
                t.string("title");
                t.string("legacy").nullable();
                t.integer("rank");
            });
        }
        fn three_changes(schema: &mut Schema) {
            schema.table("notes", |t| {
                t.string("title").length(80).nullable().change();
                t.drop_column("legacy");
                t.big_integer("rank").change();
            });
        }
        fn around_a_rename(schema: &mut Schema) {
            schema.table("notes", |t| {
                t.string("title").length(80).nullable().change();
                t.rename_column("rank", "position");
                t.big_integer("position").change();
            });
        }
        for (change, rebuilds) in [(three_changes as fn(&mut Schema), 1), (around_a_rename, 2)] {
            let db = TestDatabase::sqlite().await.expect("sqlite");
            let runner = support::runner(
                &db,
                MigrationEntry::build_descriptors(vec![
                    entry(PARENT, Steps(create, |s| s.drop("notes"))),
                    entry(CHANGE, Steps(change, |_| {})),
                ])
                .expect("descriptors"),
            );
            let report = runner.apply_all().pretend().await.expect("pretend");
            let copies = report.actions[1]
                .statements
                .iter()
                .filter(|sql| sql.starts_with(r#"CREATE TABLE "__ormed_rebuild_notes""#))
                .count();
            assert_eq!(copies, rebuilds, "{:#?}", report.actions[1].statements);
            runner.apply_all().await.expect("apply");
            let notes = db.driver().introspect().await.expect("introspect");
            let notes = notes.table("notes").expect("notes");
            assert_eq!(
                notes.column("legacy").is_none(),
                rebuilds == 1,
                "dropped only by the first"
            );
            let rank = notes
                .column("rank")
                .or_else(|| notes.column("position"))
                .expect("rank or position");
            assert_eq!(rank.family, ormed_migrate::TypeFamily::Integer);
            assert_eq!(notes.column("title").expect("title").length, Some(80));
            db.cleanup().await.expect("cleanup");
        }
    }

    /// Raw SQL before a change hides the table from the pre-flight check; the change is then
    /// checked against the live table when it runs, and nothing of the migration stays.
    #[tokio::test]
    async fn a_change_checked_when_it_runs_rolls_its_migration_back() {
        fn change_missing(schema: &mut Schema) {
            schema.raw("INSERT INTO users (email) VALUES ('b@x.io')");
            schema.table("users", |t| {
                t.string("nickname").nullable();
                t.drop_column("no_such_column");
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL)";
        db.driver().execute(sql).await.expect(sql);
        let before = schema_of(&db).await;
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(change_missing, |_| {}))])
                .expect("descriptors"),
        );
        let error = runner.apply_all().await.expect_err("refused");
        assert!(
            matches!(&error, MigrationError::Run(RunError::TableChangeRefused { table, .. }) if table == "users"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("table `users` has no column `no_such_column`"),
            "{message}"
        );
        assert!(message.contains("Nothing of migration"), "{message}");
        assert_same_schema(&before, &schema_of(&db).await);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM users").await,
            0,
            "the insert was rolled back"
        );
        assert_eq!(states(&runner).await[0].1, MigrationState::Pending);
        db.cleanup().await.expect("cleanup");
    }

    #[tokio::test]
    async fn a_rebuild_in_a_no_transaction_migration_is_refused_before_anything_runs() {
        fn change(schema: &mut Schema) {
            schema.table("users", |t| {
                t.string("email").length(100).change();
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL)";
        db.driver().execute(sql).await.expect(sql);
        let before = schema_of(&db).await;
        let migration = entry(CHANGE, Steps(change, |_| {})).no_transaction();
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![migration]).expect("descriptors"),
        );
        let error = runner.apply_all().await.expect_err("refused");
        assert!(
            matches!(&error, MigrationError::Plan(PlanError::RebuildNeedsTransaction { table, .. }) if table == "users"),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("must run in a transaction"),
            "{error}"
        );
        assert_same_schema(&before, &schema_of(&db).await);
        assert_nothing_recorded(&runner).await;
        db.cleanup().await.expect("cleanup");
    }

    #[tokio::test]
    async fn hand_written_defaults_survive_a_rebuild() {
        fn change(schema: &mut Schema) {
            schema.table("settings", |t| {
                t.string("name").length(40).change();
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE settings (id INTEGER PRIMARY KEY, name TEXT NOT NULL, \
                   status TEXT DEFAULT active, label TEXT DEFAULT \"it's\", n INTEGER DEFAULT -1, \
                   ratio REAL DEFAULT (CAST(0 AS REAL)), at TEXT DEFAULT CURRENT_TIMESTAMP)";
        db.driver().execute(sql).await.expect(sql);
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(change, |_| {}))])
                .expect("descriptors"),
        );
        runner.apply_all().await.expect("rebuilt");
        db.driver()
            .execute("INSERT INTO settings (name) VALUES ('x')")
            .await
            .expect("insert");
        let row = strings(
            &db,
            "SELECT status || '|' || label || '|' || n || '|' || ratio || '|' || \
             (at IS NOT NULL) FROM settings",
        )
        .await;
        assert_eq!(row, ["active|it's|-1|0.0|1"]);
        db.cleanup().await.expect("cleanup");
    }

    #[tokio::test]
    async fn a_primary_key_over_nulls_is_refused_and_over_values_made_not_null() {
        fn key(schema: &mut Schema) {
            schema.table("codes", |t| {
                t.primary(["id"]);
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        for sql in [
            "CREATE TABLE codes (id INTEGER, code TEXT)",
            "INSERT INTO codes (id, code) VALUES (7, 'a'), (NULL, 'b')",
        ] {
            db.driver().execute(sql).await.expect(sql);
        }
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(key, |_| {}))])
                .expect("descriptors"),
        );
        let message = runner.apply_all().await.expect_err("NULL ids").to_string();
        assert!(
            message.contains("1 rows of `codes` hold NULL in id"),
            "{message}"
        );
        assert_eq!(
            strings(&db, "SELECT code FROM codes WHERE id IS NULL").await,
            ["b"],
            "the NULL was not turned into a rowid"
        );
        db.driver()
            .execute("DELETE FROM codes WHERE id IS NULL")
            .await
            .expect("delete");
        runner.apply_all().await.expect("keyed");
        let codes = schema_of(&db).await.tables.remove("codes").expect("codes");
        assert_eq!(codes.primary_key.as_ref().expect("key").columns, ["id"]);
        assert!(!codes.column("id").expect("id").nullable);
        db.cleanup().await.expect("cleanup");
    }

    #[tokio::test]
    async fn deferrable_and_set_default_keys_and_generated_columns_are_refused() {
        fn change(schema: &mut Schema) {
            schema.table("orders", |t| {
                t.string("note").length(20).nullable().change();
            });
        }
        for definition in [
            "customer_id INTEGER DEFAULT 0 REFERENCES customers (id) ON DELETE SET DEFAULT",
            "customer_id INTEGER REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED",
            "customer_id INTEGER, twice INTEGER AS (customer_id * 2)",
        ] {
            let db = TestDatabase::sqlite().await.expect("sqlite");
            let create =
                format!("CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT, {definition})");
            for sql in [
                "CREATE TABLE customers (id INTEGER PRIMARY KEY)",
                create.as_str(),
            ] {
                db.driver().execute(sql).await.expect(sql);
            }
            let runner = support::runner(
                &db,
                MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(change, |_| {}))])
                    .expect("descriptors"),
            );
            let message = runner.apply_all().await.expect_err(definition).to_string();
            assert!(
                message.contains("which a SQLite table rebuild cannot carry over"),
                "{message}"
            );
            let kept = "SELECT sql FROM sqlite_master WHERE name = 'orders'";
            assert_eq!(
                strings(&db, kept).await,
                std::slice::from_ref(&create),
                "unchanged"
            );
            db.cleanup().await.expect("cleanup");
        }
    }

    /// Applies `change` (one migration) to a fresh SQLite database holding `sql` and `rows`.
    async fn changed(
        sql: &str,
        rows: &str,
        change: fn(&mut Schema),
    ) -> (
        TestDatabase,
        MigrationRunner,
        Result<ormed_migrate::MigrationReport, String>,
    ) {
        let db = TestDatabase::sqlite().await.expect("sqlite");
        db.driver().execute(sql).await.expect(sql);
        db.driver().execute(rows).await.expect(rows);
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(change, |_| {}))])
                .expect("descriptors"),
        );
        let result = runner.apply_all().await.map_err(|e| e.to_string());
        (db, runner, result)
    }

    async fn fails(db: &TestDatabase, sql: &str) -> String {
        db.driver().execute(sql).await.expect_err(sql).to_string()
    }

    /// CHECK constraints (a column's, named or not, and the table's) and a column's collation
    /// come through a rebuild as written, and still hold: the rebuild is rendered from the
    /// model plus what only the table's `CREATE TABLE` text holds.
    #[tokio::test]
    async fn checks_and_collations_are_carried_through_a_rebuild() {
        fn change(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.integer("amount").change();
                t.string("label").nullable();
                t.index(["code"]);
            });
        }
        let sql = "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL CHECK (amount > 0), \
                   code TEXT COLLATE NOCASE CONSTRAINT code_len CHECK (length(code) <= 5), \
                   note TEXT DEFAULT 'a, (b)' CHECK (note <> 'x)'), \
                   CONSTRAINT below_cap CHECK (amount < 1000))";
        let rows = "INSERT INTO prices (amount, code) VALUES (5, 'abc'), (7, 'XYZ')";
        let (db, _runner, result) = changed(sql, rows, change).await;
        result.expect("applied");
        let created = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
        for clause in [
            "\"amount\" INTEGER NOT NULL CHECK (amount > 0)",
            "COLLATE NOCASE CONSTRAINT code_len CHECK (length(code) <= 5)",
            "DEFAULT 'a, (b)' CHECK (note <> 'x)')",
            "CONSTRAINT below_cap CHECK (amount < 1000)",
        ] {
            assert!(created[0].contains(clause), "{clause} in {created:?}");
        }
        let prices = schema_of(&db)
            .await
            .tables
            .remove("prices")
            .expect("prices");
        assert_eq!(
            prices.column("amount").expect("amount").family,
            ormed_migrate::TypeFamily::Integer,
            "the change ran"
        );
        assert!(prices.column("label").is_some() && prices.index("prices_code_index").is_some());
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM prices").await,
            2,
            "rows kept"
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM prices WHERE code = 'ABC' OR code = 'xyz'"
            )
            .await,
            2,
            "the collation still holds"
        );
        for (insert, constraint) in [
            (
                "INSERT INTO prices (amount) VALUES (-1)",
                "CHECK constraint failed: amount > 0",
            ),
            (
                "INSERT INTO prices (amount) VALUES (5000)",
                "CHECK constraint failed: below_cap",
            ),
            (
                "INSERT INTO prices (amount, code) VALUES (1, 'toolong')",
                "CHECK constraint failed: code_len",
            ),
            (
                "INSERT INTO prices (amount, note) VALUES (1, 'x)')",
                "CHECK constraint failed: note <> 'x)'",
            ),
        ] {
            let message = fails(&db, insert).await;
            assert!(message.contains(constraint), "{insert}: {message}");
        }
        db.cleanup().await.expect("cleanup");
    }

    /// A column a CHECK reads cannot be dropped (SQLite's own DROP COLUMN refuses it too): the
    /// run stops before it starts, naming the constraint; a column whose own CHECK reads only
    /// itself goes with its CHECK.
    #[tokio::test]
    async fn a_column_a_check_reads_is_not_dropped() {
        fn drop_amount(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.drop_column("amount");
            });
        }
        fn drop_amount_and_rebuild(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.drop_column("amount");
                t.integer("id_copy").nullable();
                t.string("code").length(20).nullable().change();
            });
        }
        fn drop_code(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.drop_column("code");
                t.string("label").length(20).nullable().change();
            });
        }
        let sql = "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL, \
                   code TEXT CHECK (length(code) < 9), label TEXT, \
                   CONSTRAINT below_cap CHECK (amount < 1000))";
        let rows = "INSERT INTO prices (amount, code, label) VALUES (5, 'abc', 'l')";
        for change in [drop_amount, drop_amount_and_rebuild] {
            let (db, runner, result) = changed(sql, rows, change).await;
            let message = result.expect_err("refused");
            assert!(
                message.contains(&format!(
                    "migration {CHANGE} (up) would fail at change table `prices`: table `prices` \
                     cannot lose column `amount`: the constraint CONSTRAINT below_cap CHECK \
                     (amount < 1000) reads it"
                )),
                "{message}"
            );
            assert!(message.ends_with("Nothing was run."), "{message}");
            let kept = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
            assert_eq!(kept, [sql], "the table is as it was");
            assert_nothing_recorded(&runner).await;
            db.cleanup().await.expect("cleanup");
        }
        let (db, _runner, result) = changed(sql, rows, drop_code).await;
        result.expect("a column goes with its own CHECK");
        let prices = schema_of(&db)
            .await
            .tables
            .remove("prices")
            .expect("prices");
        assert!(prices.column("code").is_none() && prices.column("amount").is_some());
        let created = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
        assert!(!created[0].contains("length(code)"), "{created:?}");
        assert!(created[0].contains("CONSTRAINT below_cap CHECK (amount < 1000)"));
        assert_eq!(strings(&db, "SELECT label FROM prices").await, ["l"]);
        db.cleanup().await.expect("cleanup");
    }

    /// `WITHOUT ROWID` and `STRICT` stay with the table; a change they cannot hold (a STRICT
    /// table given a type it does not allow, a WITHOUT ROWID table losing its key) is refused
    /// before the run, naming the reason.
    #[tokio::test]
    async fn strict_and_without_rowid_tables_stay_so_through_a_rebuild() {
        fn change(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.integer("amount").nullable().change();
            });
        }
        fn loosen(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.string("amount").change();
            });
        }
        fn unkey(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.drop_primary();
            });
        }
        let strict = "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL) STRICT";
        let keyed = "CREATE TABLE prices (id TEXT NOT NULL PRIMARY KEY, amount REAL) WITHOUT ROWID";
        for sql in [strict, keyed] {
            let rows = "INSERT INTO prices (id, amount) VALUES ('1', 2.0)";
            let (db, _runner, result) = changed(sql, rows, change).await;
            result.expect("applied");
            let created = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
            let option = if sql == strict {
                ") STRICT"
            } else {
                ") WITHOUT ROWID"
            };
            assert!(created[0].ends_with(option), "{created:?}");
            assert!(created[0].contains("\"amount\" INTEGER"), "{created:?}");
            assert_eq!(count(&db, "SELECT amount FROM prices").await, 2, "row kept");
            if sql == strict {
                let message = fails(&db, "INSERT INTO prices (amount) VALUES ('abc')").await;
                assert!(message.contains("cannot store TEXT value"), "{message}");
            } else {
                let message = fails(&db, "SELECT rowid FROM prices").await;
                assert!(message.contains("no such column: rowid"), "{message}");
            }
            db.cleanup().await.expect("cleanup");
        }
        for (sql, change, reason) in [
            (
                strict,
                loosen as fn(&mut Schema),
                "table `prices` is a STRICT table, which does not allow column `amount`'s type \
                 `VARCHAR(255)`",
            ),
            (
                keyed,
                unkey,
                "table `prices` is a WITHOUT ROWID table, which needs a primary key",
            ),
        ] {
            let rows = "INSERT INTO prices (id, amount) VALUES ('1', 2.0)";
            let (db, runner, result) = changed(sql, rows, change).await;
            let message = result.expect_err("refused");
            assert!(message.contains(reason), "{message}");
            assert!(message.ends_with("Nothing was run."), "{message}");
            let kept = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
            assert_eq!(kept, [sql], "the table is as it was");
            assert_nothing_recorded(&runner).await;
            db.cleanup().await.expect("cleanup");
        }
    }

    /// A column may be named like a clause a rebuild refuses: only the clause is refused.
    #[tokio::test]
    async fn columns_named_like_refused_clauses_are_rebuilt() {
        fn change(schema: &mut Schema) {
            schema.table("jobs", |t| {
                t.integer("generated").nullable().change();
            });
        }
        let sql = "CREATE TABLE jobs (id INTEGER PRIMARY KEY, generated TEXT, conflict TEXT, \
                   \"strict\" TEXT, without TEXT)";
        let rows = "INSERT INTO jobs (generated, conflict) VALUES ('1', 'c')";
        let (db, _runner, result) = changed(sql, rows, change).await;
        result.expect("rebuilt");
        let jobs = schema_of(&db).await.tables.remove("jobs").expect("jobs");
        assert_eq!(
            jobs.column("generated").expect("generated").family,
            ormed_migrate::TypeFamily::Integer
        );
        assert_eq!(strings(&db, "SELECT conflict FROM jobs").await, ["c"]);
        let created = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'jobs'").await;
        assert!(
            created[0].ends_with("PRIMARY KEY (\"id\"))"),
            "no table option: {created:?}"
        );
        db.cleanup().await.expect("cleanup");
    }

    /// A column a view or a trigger names cannot be dropped (SQLite's own DROP COLUMN refuses
    /// it): a rebuild would create them again broken, every later write to the table failing.
    #[tokio::test]
    async fn a_column_a_view_or_trigger_names_is_not_dropped() {
        fn drop_b(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("b");
            });
        }
        fn drop_b_and_rebuild(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("b");
                t.big_integer("n").nullable().change();
            });
        }
        let table = "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, n INT)";
        for (object, kind) in [
            (
                "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.b); END",
                "trigger `t_ins`",
            ),
            ("CREATE VIEW v AS SELECT id, b FROM t", "view `v`"),
        ] {
            for change in [drop_b, drop_b_and_rebuild] {
                let setup = format!("{table}; CREATE TABLE log (x TEXT); {object}");
                let (db, runner, result) =
                    changed(&setup, "INSERT INTO t (b, n) VALUES ('x', 1)", change).await;
                let message = result.expect_err("refused");
                assert!(
                    message.contains(&format!(
                        "table `t` cannot lose column `b`: {kind} names it"
                    )),
                    "{message}"
                );
                assert!(message.ends_with("Nothing was run."), "{message}");
                assert_nothing_recorded(&runner).await;
                assert_eq!(strings(&db, "SELECT b FROM t").await, ["x"]);
                db.cleanup().await.expect("cleanup");
            }
        }
    }

    /// What a rebuild must not change: the rowids of a table that has no INTEGER PRIMARY KEY
    /// (an FTS index or an application may store them), and a default that is an expression.
    /// An expression or partial index reading a dropped column goes with it, as a plain one does.
    #[tokio::test]
    async fn hidden_rowids_expression_defaults_and_expression_indexes_through_a_rebuild() {
        fn change(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("b");
                t.big_integer("n").nullable().change();
            });
        }
        let sql = "CREATE TABLE t (a TEXT DEFAULT ('a' || 'b'), b TEXT, n INT); \
                   CREATE INDEX t_lower_b ON t (lower(b)); \
                   CREATE INDEX t_n_where_b ON t (n) WHERE b IS NOT NULL; \
                   CREATE INDEX t_a_index ON t (a)";
        let rows = "INSERT INTO t (rowid, b, n) VALUES (1, 'x', 1), (5, 'y', 2), (10, 'z', 3)";
        let (db, _runner, result) = changed(sql, rows, change).await;
        result.expect("rebuilt");
        assert_eq!(
            strings(
                &db,
                "SELECT CAST(rowid AS TEXT) || ':' || a FROM t ORDER BY rowid"
            )
            .await,
            ["1:ab", "5:ab", "10:ab"],
            "rowids and values kept"
        );
        db.driver()
            .execute("INSERT INTO t (n) VALUES (4)")
            .await
            .expect("insert");
        assert_eq!(
            strings(&db, "SELECT a FROM t WHERE n = 4").await,
            ["ab"],
            "the default is still the expression"
        );
        let t = schema_of(&db).await.tables.remove("t").expect("t");
        let names: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["t_a_index"], "the indexes reading b went with it");
        db.cleanup().await.expect("cleanup");
    }

    /// Names as SQLite matches them: a column in single quotes keeps its clauses, a key that
    /// spells the referenced table or column in another case still counts, a NOT DEFERRABLE
    /// key is no deferrable one, and a CHECK calling a function named like a column does not
    /// read that column.
    #[tokio::test]
    async fn names_are_matched_as_sqlite_matches_them() {
        fn change(schema: &mut Schema) {
            schema.table("p", |t| {
                t.drop_column("length");
                t.string("note").length(20).nullable().change();
            });
        }
        let sql = "CREATE TABLE p (id INTEGER PRIMARY KEY, 'code' TEXT COLLATE NOCASE UNIQUE \
                   CHECK (length(code) < 5), length INT, note TEXT); \
                   CREATE TABLE c (id INTEGER PRIMARY KEY, \
                   code TEXT REFERENCES P (CODE) NOT DEFERRABLE)";
        let rows = "INSERT INTO p (code) VALUES ('abc'); INSERT INTO c (code) VALUES ('abc')";
        let (db, _runner, result) = changed(sql, rows, change).await;
        result.expect("rebuilt");
        let created = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'p'").await;
        assert!(
            created[0].contains("\"code\" TEXT COLLATE NOCASE CHECK (length(code) < 5)"),
            "{created:?}"
        );
        assert!(
            fails(&db, "INSERT INTO p (code) VALUES ('toolong')")
                .await
                .contains("CHECK")
        );
        assert_eq!(strings(&db, "SELECT code FROM c").await, ["abc"]);
        db.cleanup().await.expect("cleanup");
    }

    /// The pre-flight check follows what the run's earlier migrations do to a table's CHECKs:
    /// a column renamed is still the one a CHECK reads (its drop refused before the run), and a
    /// column dropped takes its own CHECK along (no false alarm about it later).
    #[tokio::test]
    async fn the_check_follows_the_runs_renames_and_drops() {
        fn rename(schema: &mut Schema) {
            schema.table("t", |t| {
                t.rename_column("amount", "price");
            });
        }
        fn drop_price(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("price");
                t.string("note").length(20).nullable().change();
            });
        }
        fn drop_c(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("c");
            });
        }
        fn drop_b(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("b");
                t.string("note").length(20).nullable().change();
            });
        }
        let run = |first: fn(&mut Schema), second: fn(&mut Schema)| {
            MigrationEntry::build_descriptors(vec![
                entry(PARENT, Steps(first, |s| s.irreversible())),
                entry(CHANGE, Steps(second, |s| s.irreversible())),
            ])
            .expect("descriptors")
        };
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, amount REAL, note TEXT, \
                   CONSTRAINT cap CHECK (amount < 1000))";
        db.driver().execute(sql).await.expect(sql);
        let runner = support::runner(&db, run(rename, drop_price));
        let message = runner.apply_all().await.expect_err("refused").to_string();
        assert!(
            message.contains(&format!(
                "migration {CHANGE} (up) would fail at change table `t`: table `t` cannot lose \
                 column `price`: the constraint CONSTRAINT cap CHECK (\"price\" < 1000) reads it"
            )),
            "{message}"
        );
        assert_nothing_recorded(&runner).await;
        db.cleanup().await.expect("cleanup");

        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, b INT, c INT CHECK (c > b), note TEXT)";
        db.driver().execute(sql).await.expect(sql);
        let runner = support::runner(&db, run(drop_c, drop_b));
        runner.apply_all().await.expect("no false alarm");
        let t = schema_of(&db).await.tables.remove("t").expect("t");
        assert!(t.column("b").is_none() && t.column("c").is_none());
        db.cleanup().await.expect("cleanup");
    }

    /// What SQLite would accept but the other databases refuse, or what fails on the rows:
    /// text that is not a number in a column changed to a number is refused (SQLite keeps it
    /// as text), and a NOT NULL column added without a default to a table with rows fails with
    /// advice about the column, not about the tool's statement. Each rolls its migration back.
    #[tokio::test]
    async fn a_rebuild_refused_by_the_rows_says_why_and_changes_nothing() {
        fn to_integer(schema: &mut Schema) {
            schema.table("t", |t| {
                t.integer("value").nullable().change();
            });
        }
        fn add_required(schema: &mut Schema) {
            schema.table("t", |t| {
                t.string("name");
            });
        }
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)";
        let rows = "INSERT INTO t (value) VALUES ('12'), ('abc'), ('4.7'), ('x1'), (NULL)";
        let (db, runner, result) = changed(sql, rows, to_integer).await;
        let message = result.expect_err("refused");
        assert!(
            message.contains(&format!(
                "migration {CHANGE} (up) rebuilt table `t` on SQLite, but column `value` would \
                 hold values that are not numbers ('abc', 'x1')"
            )),
            "{message}"
        );
        assert!(message.contains("Nothing of migration"), "{message}");
        assert_nothing_recorded(&runner).await;
        let kept = strings(&db, "SELECT sql FROM sqlite_master WHERE name = 't'").await;
        assert_eq!(kept, [sql]);
        db.cleanup().await.expect("cleanup");

        let (db, runner, result) = changed(sql, rows, add_required).await;
        let message = result.expect_err("refused");
        assert!(
            message.contains(&format!(
                "migration {CHANGE} (up) could not rebuild table `t` on SQLite: the rebuild's \
                 statement"
            )),
            "{message}"
        );
        assert!(
            message.contains("NOT NULL constraint failed")
                && message.contains("give it .default(..) or .nullable()"),
            "{message}"
        );
        assert_nothing_recorded(&runner).await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM t").await, 5);
        db.cleanup().await.expect("cleanup");
    }

    /// SQLite matches table names whatever their case: `schema.table("users", ..)` changes a
    /// table made as `Users`, which keeps its name.
    #[tokio::test]
    async fn a_table_named_in_another_case_is_changed_on_sqlite() {
        fn change(schema: &mut Schema) {
            schema.table("users", |t| {
                t.string("name").length(20).nullable().change();
            });
        }
        let sql = "CREATE TABLE Users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)";
        let (db, _runner, result) =
            changed(sql, "INSERT INTO Users (name) VALUES ('a')", change).await;
        result.expect("changed");
        let users = schema_of(&db)
            .await
            .tables
            .remove("Users")
            .expect("Users kept its name");
        assert!(users.column("name").expect("name").nullable);
        assert_eq!(strings(&db, "SELECT name FROM users").await, ["a"]);
        db.cleanup().await.expect("cleanup");
    }

    /// The view-and-trigger rule without false alarms: raw SQL of the run that drops the view
    /// first (the documented way) lets the drop run; aliases (`AS total`), a CAST's type and a
    /// trigger named like the column are no use of it; a view over a view that passes the
    /// column on is one. An index over `created DESC` is not an index on a column `desc`.
    #[tokio::test]
    async fn views_and_triggers_block_a_drop_only_where_they_use_the_column() {
        fn workaround(schema: &mut Schema) {
            schema.raw("DROP VIEW v");
            schema.table("t", |t| {
                t.drop_column("b");
                t.big_integer("n").nullable().change();
            });
            schema.raw("CREATE VIEW v AS SELECT id, n FROM t");
        }
        let table = "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, n INT, \"desc\" TEXT, \
                     total INT, \"row\" INT, audit INT, created INT); \
                     CREATE TABLE log (x INT); \
                     CREATE INDEX t_created ON t (created DESC)";
        let (db, _runner, result) = changed(
            &format!("{table}; CREATE VIEW v AS SELECT id, b FROM t"),
            "INSERT INTO t (b, n) VALUES ('x', 1)",
            workaround,
        )
        .await;
        result.expect("the raw DROP VIEW comes first");
        assert_eq!(strings(&db, "SELECT CAST(n AS TEXT) FROM v").await, ["1"]);
        db.cleanup().await.expect("cleanup");

        fn drop_the_others(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("desc");
                t.drop_column("total");
                t.drop_column("audit");
                t.big_integer("n").nullable().change();
            });
        }
        let objects = "CREATE VIEW counted AS SELECT count(*) AS total, CAST(n AS TEXT) AS b2 \
                       FROM t; \
                       CREATE TRIGGER audit AFTER INSERT ON t FOR EACH ROW \
                       BEGIN INSERT INTO log VALUES (new.id); END";
        let (db, _runner, result) = changed(
            &format!("{table}; {objects}"),
            "INSERT INTO t (b, n) VALUES ('x', 1)",
            drop_the_others,
        )
        .await;
        result.expect("no false alarm");
        let t = schema_of(&db).await.tables.remove("t").expect("t");
        assert!(t.index("t_created").is_some(), "the DESC index is kept");
        assert!(t.column("desc").is_none() && t.column("audit").is_none());
        db.cleanup().await.expect("cleanup");

        fn drop_b(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("b");
                t.big_integer("n").nullable().change();
            });
        }
        let views = "CREATE VIEW v1 AS SELECT * FROM t; CREATE VIEW v2 AS SELECT b FROM v1";
        let (db, runner, result) = changed(&format!("{table}; {views}"), "SELECT 1", drop_b).await;
        let message = result.expect_err("v2 reads b through v1");
        assert!(
            message.contains("cannot lose column `b`: view `v2` names it"),
            "{message}"
        );
        assert_nothing_recorded(&runner).await;
        db.cleanup().await.expect("cleanup");
    }

    /// Names as SQLite reads them, at every step: a column named in another case, a table
    /// renamed earlier in the run (its CHECK still refuses the drop before the run), a rowid
    /// kept when a column is named `oid`.
    #[tokio::test]
    async fn a_rebuild_follows_names_as_sqlite_reads_them() {
        fn upper(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_column("B");
                t.big_integer("N").nullable().change();
            });
        }
        let sql = "CREATE TABLE t (a INT, b INT, n INT, oid TEXT)";
        let rows = "INSERT INTO t (rowid, a, b, n) VALUES (7, 1, 1, 1), (42, 2, 2, 2)";
        let (db, _runner, result) = changed(sql, rows, upper).await;
        result.expect("B is b");
        let t = schema_of(&db).await.tables.remove("t").expect("t");
        assert!(t.column("b").is_none());
        assert_eq!(
            strings(&db, "SELECT CAST(_rowid_ AS TEXT) FROM t ORDER BY a").await,
            ["7", "42"],
            "rowids kept although a column is named oid"
        );
        db.cleanup().await.expect("cleanup");

        fn rename(schema: &mut Schema) {
            schema.rename("t", "t2");
        }
        fn drop_b(schema: &mut Schema) {
            schema.table("t2", |t| {
                t.drop_column("b");
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b INT, CHECK (a > b))";
        db.driver().execute(sql).await.expect(sql);
        let runner = support::runner(
            &db,
            MigrationEntry::build_descriptors(vec![
                entry(PARENT, Steps(rename, |s| s.irreversible())),
                entry(CHANGE, Steps(drop_b, |s| s.irreversible())),
            ])
            .expect("descriptors"),
        );
        let message = runner.apply_all().await.expect_err("refused").to_string();
        assert!(
            message.contains("cannot lose column `b`: the constraint CHECK (a > b) reads it")
                && message.ends_with("Nothing was run."),
            "{message}"
        );
        assert!(table_exists(&db, "t").await, "the rename did not run");
        db.cleanup().await.expect("cleanup");
    }

    /// A column named like a keyword (`key`, as in a settings table) is still seen where a
    /// CHECK or a view reads it; the report of a real run lists the statements the rebuild ran
    /// (as `pretend` does), not a placeholder; rowids stay when the primary key is dropped.
    #[tokio::test]
    async fn keyword_columns_reports_and_rowids_after_a_dropped_key() {
        fn drop_key(schema: &mut Schema) {
            schema.table("settings", |t| {
                t.drop_column("key");
                t.string("value").length(50).nullable().change();
            });
        }
        for object in [
            "CREATE TABLE other (x INT); CREATE VIEW v AS SELECT key, value FROM settings",
            "CREATE TABLE other (x INT, CHECK (x > 0))",
        ] {
            let checked = object.contains("CHECK");
            let sql = match checked {
                true => "CREATE TABLE settings (id INTEGER PRIMARY KEY, key TEXT, value TEXT, \
                         CHECK (key <> value))"
                    .to_owned(),
                false => format!(
                    "CREATE TABLE settings (id INTEGER PRIMARY KEY, key TEXT, value TEXT); {object}"
                ),
            };
            let (db, runner, result) = changed(&sql, "SELECT 1", drop_key).await;
            let message = result.expect_err("key is read");
            assert!(message.contains("cannot lose column `key`"), "{message}");
            assert_nothing_recorded(&runner).await;
            db.cleanup().await.expect("cleanup");
        }

        fn unkey(schema: &mut Schema) {
            schema.table("t", |t| {
                t.drop_primary();
            });
        }
        let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)";
        let rows = "INSERT INTO t (id, name) VALUES (7, 'a'), (42, 'b')";
        let (db, _runner, result) = changed(sql, rows, unkey).await;
        let report = result.expect("applied");
        assert_eq!(
            strings(&db, "SELECT CAST(rowid AS TEXT) FROM t ORDER BY rowid").await,
            ["7", "42"]
        );
        let ran = &report.actions[0].statements;
        assert!(
            ran.iter()
                .any(|s| s.starts_with("CREATE TABLE \"__ormed_rebuild_t\"")),
            "the report lists what ran: {ran:?}"
        );
        assert!(!ran.iter().any(|s| s.starts_with("--")), "{ran:?}");
        db.cleanup().await.expect("cleanup");
    }

    /// A collation inside a key constraint and an ON CONFLICT clause, which neither the model
    /// nor the clauses taken from the table's text carry: each refused with its name, the table
    /// and the ledger as they were.
    #[tokio::test]
    async fn keyed_collations_and_on_conflict_clauses_are_refused_not_dropped() {
        fn change(schema: &mut Schema) {
            schema.table("prices", |t| {
                t.integer("amount").change();
            });
        }
        for (sql, what) in [
            (
                "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL, code TEXT, \
                 UNIQUE (code COLLATE NOCASE))",
                "a collation inside a PRIMARY KEY or UNIQUE constraint",
            ),
            (
                "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL NOT NULL ON CONFLICT REPLACE)",
                "an ON CONFLICT clause",
            ),
        ] {
            let db = TestDatabase::sqlite().await.expect("sqlite");
            db.driver().execute(sql).await.expect(sql);
            let runner = support::runner(
                &db,
                MigrationEntry::build_descriptors(vec![entry(CHANGE, Steps(change, |_| {}))])
                    .expect("descriptors"),
            );
            let message = runner.apply_all().await.expect_err("refused").to_string();
            assert!(
                message.contains(&format!(
                    "table `prices` has {what}, which a SQLite table rebuild cannot carry over"
                )),
                "{sql}: {message}"
            );
            let kept: Vec<String> =
                strings(&db, "SELECT sql FROM sqlite_master WHERE name = 'prices'").await;
            assert_eq!(kept, [sql], "the table is as it was");
            assert_nothing_recorded(&runner).await;
            db.cleanup().await.expect("cleanup");
        }
    }

    /// A table with a generated column (which a rebuild cannot carry), and a run whose first
    /// migration creates an unrelated table and whose second changes a column of it.
    async fn checked_prices_and_a_run(
        first: fn(&mut Schema),
        change: fn(&mut Schema),
    ) -> (TestDatabase, MigrationRunner) {
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let sql = "CREATE TABLE prices (id INTEGER PRIMARY KEY, amount REAL, doubled REAL AS (amount * 2))";
        db.driver().execute(sql).await.expect(sql);
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(PARENT, Steps(first, |_| {})),
            entry(CHANGE, Steps(change, |_| {})),
        ])
        .expect("descriptors");
        let runner = support::runner(&db, migrations);
        (db, runner)
    }

    fn change_amount(schema: &mut Schema) {
        schema.table("prices", |t| {
            t.integer("amount").change();
        });
    }

    /// The refusal comes from the pre-flight check, before the first migration of the run.
    #[tokio::test]
    async fn a_rebuild_that_would_be_refused_stops_the_run_before_it_starts() {
        fn notes(schema: &mut Schema) {
            schema.create("notes", |t| {
                t.id();
            });
        }
        let (db, runner) = checked_prices_and_a_run(notes, change_amount).await;
        let pretend = runner
            .apply_all()
            .pretend()
            .await
            .expect_err("pretend refused");
        let pretend = pretend.to_string();
        let message = runner.apply_all().await.expect_err("refused").to_string();
        assert_eq!(pretend, message, "--pretend runs the same check");
        assert!(
            message.contains(&format!(
                "migration {CHANGE} (up) would fail at change table `prices`: table `prices` \
                 has a generated column, which a SQLite table rebuild cannot carry over"
            )),
            "{message}"
        );
        assert!(message.ends_with("Nothing was run."), "{message}");
        assert!(
            !table_exists(&db, "notes").await,
            "the first migration did not run"
        );
        assert_nothing_recorded(&runner).await;
        db.cleanup().await.expect("cleanup");
    }

    /// A table the run drops and creates again is the run's own: the generated column of the
    /// table it replaces is no reason to refuse the change.
    #[tokio::test]
    async fn a_table_the_run_creates_again_is_changed_without_a_false_alarm() {
        fn replace(schema: &mut Schema) {
            schema.drop("prices");
            schema.create("prices", |t| {
                t.id();
                t.decimal("amount", 8, 2);
            });
        }
        let (db, runner) = checked_prices_and_a_run(replace, change_amount).await;
        runner.apply_all().await.expect("applied");
        let prices = schema_of(&db)
            .await
            .tables
            .remove("prices")
            .expect("prices");
        assert_eq!(
            prices.column("amount").expect("amount").family,
            ormed_migrate::TypeFamily::Integer
        );
        db.cleanup().await.expect("cleanup");
    }

    /// Raw SQL is opaque: a table it names is not checked before the run, and the run refuses
    /// the rebuild when it meets the table, rolling back that migration only.
    #[tokio::test]
    async fn a_table_raw_sql_changed_is_checked_when_the_change_runs() {
        fn raw(schema: &mut Schema) {
            schema.raw("INSERT INTO prices (amount) VALUES (2.5)");
        }
        let (db, runner) = checked_prices_and_a_run(raw, change_amount).await;
        let message = runner.apply_all().await.expect_err("refused").to_string();
        assert!(
            message.contains(
                "stopped before changing table `prices` on SQLite: table `prices` \
                 has a generated column"
            ),
            "{message}"
        );
        let applied = runner.ledger().read_applied().await.expect("ledger");
        assert_eq!(applied.len(), 1, "the raw migration ran");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM prices").await, 1);
        let text = "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%AS (amount * 2)%'";
        assert_eq!(count(&db, text).await, 1, "the table is as it was");
        db.cleanup().await.expect("cleanup");
    }

    /// A column, an index and a trigger that raw SQL of the same run added are carried over by
    /// the rebuild: it is rendered against the table as it is when it runs.
    #[tokio::test]
    async fn what_raw_sql_of_the_same_run_added_survives_a_rebuild() {
        fn create(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.string("title");
            });
            schema.raw("ALTER TABLE posts ADD COLUMN extra TEXT DEFAULT 'x'");
            schema.raw("CREATE INDEX posts_extra_raw ON posts (extra)");
            schema.raw("INSERT INTO posts (title, extra) VALUES ('a', 'kept')");
            schema.raw("CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; END");
        }
        fn change(schema: &mut Schema) {
            schema.table("posts", |t| {
                t.string("title").length(50).nullable().change();
            });
        }
        let db = TestDatabase::sqlite().await.expect("sqlite");
        let migrations = MigrationEntry::build_descriptors(vec![
            entry(PARENT, Steps(create, |_| {})),
            entry(CHANGE, Steps(change, |_| {})),
        ])
        .expect("descriptors");
        let runner = support::runner(&db, migrations);
        let report = runner.apply_all().await.expect("applied");
        assert_eq!(report.actions.len(), 2);
        let posts = schema_of(&db).await.tables.remove("posts").expect("posts");
        assert!(
            posts.column("title").expect("title").nullable,
            "the change ran"
        );
        assert_eq!(
            posts
                .column("extra")
                .expect("extra kept")
                .default
                .as_deref(),
            Some("'x'")
        );
        assert!(posts.index("posts_extra_raw").is_some(), "{posts:?}");
        assert_eq!(
            strings(&db, "SELECT extra FROM posts").await,
            ["kept"],
            "the row kept its value"
        );
        let trigger = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'posts_touch'";
        assert_eq!(count(&db, trigger).await, 1, "the trigger is back");
        db.cleanup().await.expect("cleanup");
    }
}
