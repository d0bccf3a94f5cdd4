//! The pre-flight check on real databases (SQLite always, PostgreSQL and MariaDB/MySQL when
//! their URLs are set): each case is a plan that would fail part way, refused before anything
//! runs with the migration and the operation named — no table created, no ledger row written.

mod support;

use ormed_migrate::{Driver, ForeignKeyAction};
use support::*;

/// A second migration and what its refusal says.
type Case = (fn(&mut Schema), &'static str);
/// A first migration and a case that follows it.
type AfterCase = (fn(&mut Schema), Case);

const FIRST: &str = "m_20250101000000_first";
const SECOND: &str = "m_20250101000100_second";

fn two(first: fn(&mut Schema), second: fn(&mut Schema)) -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(FIRST, Steps(first, |s| s.irreversible())),
        entry(SECOND, Steps(second, |s| s.irreversible())),
    ])
    .expect("descriptors")
}

/// A table `teams` with its id alone, for keys to reference.
fn teams(schema: &mut Schema) {
    schema.create("teams", |t| {
        t.id();
    });
}

fn users(schema: &mut Schema) {
    schema.create("users", |t| {
        t.id();
        t.string("email");
    });
}

/// The refusal of `apply_all`, checked to leave nothing behind: no table, no ledger row.
async fn refused(db: &TestDatabase, migrations: Vec<MigrationDescriptor>) -> String {
    let runner = runner(db, migrations);
    let error = runner.apply_all().await.expect_err("refused");
    assert!(
        matches!(&error, MigrationError::Plan(PlanError::Preflight { .. })),
        "{error:?}"
    );
    let pretend = runner
        .apply_all()
        .pretend()
        .await
        .expect_err("pretend checks too");
    assert_eq!(pretend.to_string(), error.to_string());
    assert_nothing_recorded(&runner).await;
    for table in ["users", "posts", "teams"] {
        assert!(!table_exists(db, table).await, "{table} was created");
    }
    error.to_string()
}

mod cases {
    use super::*;

    pub async fn a_foreign_key_to_a_table_created_later_is_refused(db: &TestDatabase) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
            });
        }
        let message = refused(db, two(posts, users)).await;
        assert_eq!(
            message,
            format!(
                "migration {FIRST} (up) would fail at foreign key posts_user_id_foreign of \
                 `posts`: it references table `users`, which does not exist at this point; \
                 create `users` in an earlier migration (or earlier in this one) than `posts`. \
                 Nothing was run."
            )
        );
    }

    pub async fn a_foreign_key_to_a_missing_column_is_refused(db: &TestDatabase) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id")
                    .constrained("users")
                    .references(["uid"]);
            });
        }
        let message = refused(db, two(users, posts)).await;
        assert!(
            message.contains("it references column `users.uid`, which does not exist"),
            "{message}"
        );
        assert!(
            message.starts_with(&format!("migration {SECOND} (up)")),
            "{message}"
        );
    }

    pub async fn a_foreign_key_between_different_types_is_refused(db: &TestDatabase) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.string("user_id");
                t.foreign(["user_id"]).on("users");
            });
        }
        // Refused on SQLite too, which would accept it: it would fail on the other two.
        let message = refused(db, two(users, posts)).await;
        assert!(
            message.contains("`posts.user_id` is varchar(255) but `users.id` is"),
            "{message}"
        );
        assert!(
            message.contains("a foreign key needs the same type on both sides"),
            "{message}"
        );
    }

    pub async fn a_foreign_key_to_a_column_that_is_not_unique_is_refused(db: &TestDatabase) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.string("author_email");
                t.foreign(["author_email"])
                    .references(["email"])
                    .on("users");
            });
        }
        // PostgreSQL and MySQL refuse the key; SQLite would fail every write to `posts`.
        let message = refused(db, two(users, posts)).await;
        assert!(
            message.contains(&format!(
                "migration {SECOND} (up) would fail at foreign key posts_author_email_foreign of \
                 `posts`: it references (email) of `users`, which is neither its primary key \
                 nor unique"
            )),
            "{message}"
        );
    }

    pub async fn a_change_that_no_longer_fits_a_foreign_key_is_refused(db: &TestDatabase) {
        fn tables(schema: &mut Schema) {
            users(schema);
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
            });
        }
        fn change(schema: &mut Schema) {
            schema.table("posts", |t| {
                t.string("user_id").change();
            });
        }
        let message = refused(db, two(tables, change)).await;
        assert!(
            message.contains(&format!(
                "migration {SECOND} (up) would fail at change column user_id of `posts` \
                 (foreign key posts_user_id_foreign)"
            )),
            "{message}"
        );
    }

    pub async fn changing_an_auto_increment_key_is_refused(db: &TestDatabase) {
        fn change(schema: &mut Schema) {
            schema.table("users", |t| {
                t.big_integer("id").change();
            });
        }
        let message = refused(db, two(users, change)).await;
        assert!(
            message.contains(
                "column `id` of `users` is auto-incrementing, which change() would take away"
            ),
            "{message}"
        );
    }

    pub async fn a_column_with_its_own_foreign_key_is_dropped_with_it_except_on_mysql(
        db: &TestDatabase,
    ) {
        fn tables(schema: &mut Schema) {
            teams(schema);
            schema.create("users", |t| {
                t.id();
                t.foreign_id("team_id").nullable().constrained("teams");
            });
        }
        fn drop(schema: &mut Schema) {
            schema.table("users", |t| {
                t.drop_column("team_id");
            });
        }
        if db.dialect() == Dialect::MySql {
            let message = refused(db, two(tables, drop)).await;
            assert!(
                message.contains(
                    "MySQL cannot drop column `team_id` while foreign key users_team_id_foreign \
                     of `users` uses it; drop the key first"
                ),
                "{message}"
            );
            return;
        }
        runner(db, two(tables, drop))
            .apply_all()
            .await
            .expect("applied");
        let users = schema_of(db).await.tables.remove("users").expect("users");
        assert!(users.column("team_id").is_none() && users.foreign_keys.is_empty());
    }

    pub async fn a_unique_index_a_foreign_key_uses_is_not_dropped(db: &TestDatabase) {
        fn tables(schema: &mut Schema) {
            schema.create("teams", |t| {
                t.id();
                t.string("code").length(10).unique();
            });
            schema.create("users", |t| {
                t.id();
                t.string("team_code").length(10);
                t.foreign(["team_code"]).references(["code"]).on("teams");
            });
        }
        fn drop(schema: &mut Schema) {
            schema.table("teams", |t| {
                t.drop_unique(["code"]);
            });
        }
        let message = refused(db, two(tables, drop)).await;
        assert!(
            message.contains(&format!(
                "migration {SECOND} (up) would fail at drop unique `teams_code_unique` of `teams`: \
                 unique index `teams_code_unique` of `teams` backs foreign key \
                 users_team_code_foreign of `users`"
            )),
            "{message}"
        );
    }

    pub async fn set_null_on_a_required_column_is_refused_on_mysql_and_warned_elsewhere(
        db: &TestDatabase,
    ) {
        fn tables(schema: &mut Schema) {
            teams(schema);
            schema.create("users", |t| {
                t.id();
                t.foreign_id("team_id")
                    .constrained("teams")
                    .on_delete(ForeignKeyAction::SetNull);
            });
        }
        fn nothing(_: &mut Schema) {}
        let said = "sets `users.team_id` to NULL, but the column is NOT NULL";
        if db.dialect() == Dialect::MySql {
            let message = refused(db, two(tables, nothing)).await;
            assert!(message.contains(said), "{message}");
            return;
        }
        let report = runner(db, two(tables, nothing))
            .apply_all()
            .await
            .expect("applied");
        assert!(
            report.warnings.iter().any(|w| w.contains(said)),
            "{:?}",
            report.warnings
        );
        assert!(table_exists(db, "users").await);
    }

    pub async fn a_foreign_key_between_varchar_and_text_passes_except_on_mysql(db: &TestDatabase) {
        fn tags(schema: &mut Schema) {
            schema.create("tags", |t| {
                t.id();
                t.string("code").unique();
            });
        }
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.text("tag_code");
                t.foreign(["tag_code"]).references(["code"]).on("tags");
            });
        }
        // MySQL cannot index a TEXT column without a length, so it refuses the key: refused
        // before anything runs, not at the CREATE TABLE.
        if db.dialect() == Dialect::MySql {
            let error = refused(db, two(tags, posts)).await;
            assert!(
                error.contains("`posts.tag_code` is text but `tags.code` is varchar(255)")
                    && error.contains("MySQL cannot make a foreign key on a TEXT column"),
                "{error}"
            );
            return;
        }
        let report = runner(db, two(tags, posts))
            .apply_all()
            .await
            .expect("apply");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    pub async fn a_table_block_key_may_reference_its_own_new_column(db: &TestDatabase) {
        fn create(schema: &mut Schema) {
            schema.create("categories", |t| {
                t.id();
            });
        }
        fn tree(schema: &mut Schema) {
            schema.table("categories", |t| {
                t.string("slug").unique();
                t.string("parent_slug").nullable();
                t.foreign(["parent_slug"])
                    .references(["slug"])
                    .on("categories");
            });
        }
        let report = runner(db, two(create, tree))
            .apply_all()
            .await
            .expect("apply");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    pub async fn column_names_in_another_case_are_found_where_case_does_not_matter(
        db: &TestDatabase,
    ) {
        // PostgreSQL folds the unquoted name to `email`; SQLite and MySQL keep `Email` and
        // match it whatever the case.
        db.driver()
            .execute("CREATE TABLE users (id BIGINT PRIMARY KEY, Email VARCHAR(255))")
            .await
            .expect("raw table");
        fn index(schema: &mut Schema) {
            schema.table("users", |t| {
                t.unique(["email"]);
            });
        }
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.string("author_email");
                t.foreign(["author_email"])
                    .references(["email"])
                    .on("users");
            });
        }
        let report = runner(db, two(index, posts))
            .apply_all()
            .await
            .expect("apply");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    pub async fn tables_elsewhere_on_the_postgres_search_path_are_not_missing(db: &TestDatabase) {
        if db.dialect() != Dialect::Postgres {
            return;
        }
        let name = strings(db, "SELECT current_database()::text")
            .await
            .remove(0);
        for sql in [
            "CREATE SCHEMA app".to_owned(),
            "CREATE TABLE public.users (id BIGINT PRIMARY KEY, email VARCHAR(255))".to_owned(),
            format!("ALTER DATABASE \"{name}\" SET search_path = app, public"),
        ] {
            db.driver().execute(&sql).await.expect("setup");
        }
        // A new connection, so that the database's search path applies.
        let driver = Driver::connect(db.url()).await.expect("connect");
        fn index(schema: &mut Schema) {
            schema.table("users", |t| {
                t.index(["email"]);
            });
        }
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
            });
        }
        let ledger = SqlMigrationLedger::new(driver.clone(), "orm_migrations").expect("ledger");
        let runner = MigrationRunner::new(driver.clone(), ledger, two(index, posts));
        let applied = runner.apply_all().await;
        driver.close().await;
        let report = applied.expect("users is on the search path");
        assert_eq!(report.ids().len(), 2);
        let schemas = strings(
            db,
            "SELECT schemaname::text FROM pg_tables WHERE tablename = 'posts'",
        )
        .await;
        assert_eq!(schemas, ["app"]);
    }

    pub async fn integer_width_or_sign_differences_are_refused_on_mysql_and_warned_elsewhere(
        db: &TestDatabase,
    ) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.integer("user_id");
                t.foreign(["user_id"]).on("users");
            });
        }
        let runner = runner(db, two(users, posts));
        match db.dialect() {
            Dialect::MySql => {
                let message = runner.apply_all().await.expect_err("refused").to_string();
                assert!(
                    message.contains("MySQL refuses a foreign key between integers"),
                    "{message}"
                );
                assert!(!table_exists(db, "users").await);
            }
            Dialect::Postgres => {
                let report = runner.apply_all().await.expect("applied with a warning");
                assert!(
                    report
                        .warnings
                        .iter()
                        .any(|w| w.contains("ids beyond the smaller type")),
                    "{:?}",
                    report.warnings
                );
            }
            // SQLite stores every integer alike: nothing to say.
            Dialect::Sqlite => {
                let report = runner.apply_all().await.expect("applied");
                assert!(report.warnings.is_empty(), "{:?}", report.warnings);
            }
        }
    }

    pub async fn dropping_a_table_that_is_still_referenced_is_refused(db: &TestDatabase) {
        fn create(schema: &mut Schema) {
            users(schema);
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
            });
        }
        fn drop_parent_first(schema: &mut Schema) {
            schema.drop("users");
            schema.drop("posts");
        }
        let runner = runner(
            db,
            MigrationEntry::build_descriptors(vec![entry(FIRST, Steps(create, drop_parent_first))])
                .expect("descriptors"),
        );
        runner.apply_all().await.expect("apply");
        let error = runner.rollback().await.expect_err("refused");
        assert_eq!(
            error.to_string(),
            format!(
                "migration {FIRST} (down) would fail at drop table `users`: table `users` is \
                 still referenced by `posts` (posts_user_id_foreign); drop those tables or \
                 their foreign keys first (in a down, drop the child tables before their \
                 parents). Nothing was run."
            )
        );
        assert!(table_exists(db, "users").await && table_exists(db, "posts").await);
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            1
        );

        // A referenced column dropped: refused the same way, before anything runs.
        fn drop_referenced_column(schema: &mut Schema) {
            schema.table("users", |t| t.drop_column("id"));
        }
        let runner = self::runner(
            db,
            MigrationEntry::build_descriptors(vec![
                entry(FIRST, Steps(create, drop_parent_first)),
                entry(SECOND, Steps(drop_referenced_column, |s| s.irreversible())),
            ])
            .expect("descriptors"),
        );
        let error = runner.apply_all().await.expect_err("refused");
        assert!(
            error.to_string().contains(
                "column `users.id` is referenced by foreign key posts_user_id_foreign of `posts`; \
                 drop that foreign key first"
            ),
            "{error}"
        );
        assert_eq!(
            runner.ledger().read_applied().await.expect("ledger").len(),
            1,
            "only the first migration, from before"
        );
    }

    pub async fn changes_naming_missing_columns_indexes_or_keys_are_refused(db: &TestDatabase) {
        let cases: [Case; 8] = [
            (
                |s| s.table("users", |t| t.drop_column("nickname")),
                "table `users` has no column `nickname` at this point",
            ),
            (
                |s| {
                    s.table("users", |t| {
                        t.string("nickname").change();
                    })
                },
                "table `users` has no column `nickname` at this point",
            ),
            (
                |s| s.table("users", |t| t.rename_column("nickname", "nick")),
                "table `users` has no column `nickname` at this point",
            ),
            (
                |s| {
                    s.table("users", |t| {
                        t.index(["nickname"]);
                    })
                },
                "table `users` has no column `nickname` at this point",
            ),
            (
                |s| s.table("users", |t| t.drop_index("users_nickname_index")),
                "table `users` has no index `users_nickname_index` (its indexes: none)",
            ),
            (
                |s| s.table("users", |t| t.drop_foreign(["team_id"])),
                "table `users` has no foreign key `users_team_id_foreign` (its foreign keys: none)",
            ),
            (
                |s| s.table("users", |t| t.drop_unique(["email"])),
                "table `users` has no index `users_email_unique` (its indexes: none)",
            ),
            (
                |s| {
                    s.table("users", |t| {
                        t.rename_index("users_email_index", "users_mail_index")
                    })
                },
                "table `users` has no index `users_email_index` (its indexes: none)",
            ),
        ];
        for (second, expected) in cases {
            let message = refused(db, two(users, second)).await;
            assert!(message.contains(expected), "{message}");
            assert!(message.starts_with(&format!("migration {SECOND} (up) would fail at")));
        }
    }

    /// Keys and indexes: a primary key where there is one, none to drop, an index that exists.
    pub async fn keys_and_indexes_that_exist_or_not_are_refused(db: &TestDatabase) {
        fn users_indexed(schema: &mut Schema) {
            schema.create("users", |t| {
                t.id();
                t.string("email");
                t.index(["email"]);
            });
        }
        fn keyless(schema: &mut Schema) {
            schema.create("users", |t| {
                t.string("email");
            });
        }
        let cases: [AfterCase; 3] = [
            (
                users_indexed,
                (
                    |s| {
                        s.table("users", |t| {
                            t.index(["email"]);
                        })
                    },
                    "table `users` already has an index `users_email_index`",
                ),
            ),
            (
                users,
                (
                    |s| {
                        s.table("users", |t| {
                            t.primary(["email"]);
                        })
                    },
                    "table `users` already has a primary key; drop it first with t.drop_primary()",
                ),
            ),
            (
                keyless,
                (
                    |s| s.table("users", |t| t.drop_primary()),
                    "table `users` has no primary key",
                ),
            ),
        ];
        for (first, (second, expected)) in cases {
            let message = refused(db, two(first, second)).await;
            assert!(message.contains(expected), "{message}");
        }
    }

    pub async fn creating_what_exists_is_refused(db: &TestDatabase) {
        let message = refused(db, two(users, users)).await;
        assert!(
            message.contains("table `users` already exists"),
            "{message}"
        );
        fn add_email(schema: &mut Schema) {
            schema.table("users", |t| {
                t.string("email").nullable();
            });
        }
        let message = refused(db, two(users, add_email)).await;
        assert!(
            message.contains("table `users` already has a column `email`; use .change()"),
            "{message}"
        );
    }

    pub async fn raw_sql_never_causes_a_false_alarm(db: &TestDatabase) {
        fn raw_parent(schema: &mut Schema) {
            schema.raw("CREATE TABLE teams (id BIGINT PRIMARY KEY)");
            schema.raw("ALTER TABLE teams ADD COLUMN code VARCHAR(10)");
        }
        fn child(schema: &mut Schema) {
            schema.create("members", |t| {
                t.id();
                t.big_integer("team_id");
                t.foreign(["team_id"]).on("teams");
                t.index(["team_id"]);
            });
            schema.table("teams", |t| {
                t.index(["code"]);
            });
        }
        let runner = runner(db, two(raw_parent, child));
        runner
            .apply_all()
            .await
            .expect("raw tables are unknown, not missing");
        assert!(table_exists(db, "members").await);
    }

    pub async fn a_plan_in_the_right_order_passes(db: &TestDatabase) {
        fn posts(schema: &mut Schema) {
            schema.create("posts", |t| {
                t.id();
                t.foreign_id("user_id").constrained("users");
                t.foreign_id("parent_id").nullable().constrained("posts");
            });
            schema.table("users", |t| {
                t.rename_column("email", "address");
                t.index(["address"]);
            });
        }
        let runner = runner(db, two(users, posts));
        let report = runner.apply_all().await.expect("apply");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }
}

/// A column without a declared type (SQLite allows it) cannot be placed in a type family: a
/// foreign key to it is the database's to judge, so the check warns and the run goes on.
#[tokio::test]
async fn a_foreign_key_to_an_untyped_sqlite_column_warns_and_runs() {
    fn posts(schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.string("account_code");
            t.foreign(["account_code"])
                .references(["code"])
                .on("accounts");
        });
    }
    let db = TestDatabase::sqlite().await.expect("sqlite");
    let sql = "CREATE TABLE accounts (code PRIMARY KEY)";
    db.driver().execute(sql).await.expect(sql);
    let migrations = MigrationEntry::build_descriptors(vec![entry(FIRST, Steps(posts, |_| {}))])
        .expect("descriptors");
    let report = runner(&db, migrations).apply_all().await.expect("applied");
    assert!(
        report.warnings.iter().any(|w| w.contains(
            "`posts.account_code` is varchar(255) but `accounts.code` is other: check that the \
             types match"
        )),
        "{:?}",
        report.warnings
    );
    assert!(table_exists(&db, "posts").await);
    db.cleanup().await.expect("cleanup");
}

/// PostgreSQL's quoted names are exact: a change of `teams` where only `"Teams"` exists is
/// refused before anything runs (it used to pass the check and fail at run time).
#[tokio::test]
async fn a_table_named_in_another_case_is_missing_on_postgres() {
    support::run(
        Some(support::POSTGRES_URL_VAR),
        async |db: &TestDatabase| {
            db.driver()
                .execute("CREATE TABLE \"Teams\" (id BIGINT PRIMARY KEY)")
                .await
                .expect("raw table");
            fn change(schema: &mut Schema) {
                schema.table("teams", |t| {
                    t.string("name").nullable();
                });
            }
            let message = refused(db, two(users, change)).await;
            assert!(
                message.contains(&format!("migration {SECOND} (up) would fail at")),
                "{message}"
            );
            assert!(message.contains("`teams`"), "{message}");
        },
    )
    .await;
}

support::suite! {
    a_foreign_key_to_a_table_created_later_is_refused,
    a_foreign_key_to_a_missing_column_is_refused,
    a_foreign_key_between_different_types_is_refused,
    a_foreign_key_between_varchar_and_text_passes_except_on_mysql,
    a_foreign_key_to_a_column_that_is_not_unique_is_refused,
    a_unique_index_a_foreign_key_uses_is_not_dropped,
    set_null_on_a_required_column_is_refused_on_mysql_and_warned_elsewhere,
    a_change_that_no_longer_fits_a_foreign_key_is_refused,
    changing_an_auto_increment_key_is_refused,
    a_column_with_its_own_foreign_key_is_dropped_with_it_except_on_mysql,
    a_table_block_key_may_reference_its_own_new_column,
    column_names_in_another_case_are_found_where_case_does_not_matter,
    tables_elsewhere_on_the_postgres_search_path_are_not_missing,
    integer_width_or_sign_differences_are_refused_on_mysql_and_warned_elsewhere,
    dropping_a_table_that_is_still_referenced_is_refused,
    changes_naming_missing_columns_indexes_or_keys_are_refused,
    creating_what_exists_is_refused,
    keys_and_indexes_that_exist_or_not_are_refused,
    raw_sql_never_causes_a_false_alarm,
    a_plan_in_the_right_order_passes,
}
