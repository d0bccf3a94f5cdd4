use super::Severity;
use super::checks;
use super::model::Model;
use crate::dialect::Dialect;
use crate::introspect::SchemaSnapshot;
use crate::schema::{Operation, Schema};

/// The problems of each operation of `build`'s plan, in order, on an empty database.
fn problems(dialect: Dialect, build: impl FnOnce(&mut Schema)) -> Vec<(Severity, String)> {
    checked(&mut Model::new(dialect, SchemaSnapshot::default()), build)
}

/// The problems of each operation of `build`'s plan, in order, against `model`, which follows
/// the plan.
fn checked(model: &mut Model, build: impl FnOnce(&mut Schema)) -> Vec<(Severity, String)> {
    let mut schema = Schema::new();
    build(&mut schema);
    let mut found = Vec::new();
    for operation in &schema.plan().operations {
        found.extend(
            checks::operation(model, operation)
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

/// Only errors, for plans that may warn.
fn errors(found: &[(Severity, String)]) -> Vec<&String> {
    found
        .iter()
        .filter(|(severity, _)| *severity == Severity::Error)
        .map(|(_, problem)| problem)
        .collect()
}

fn categories(s: &mut Schema) {
    s.create("categories", |t| {
        t.id();
    });
    s.table("categories", |t| {
        t.string("slug").unique();
        t.string("parent_slug").nullable();
        t.foreign(["parent_slug"])
            .references(["slug"])
            .on("categories");
    });
}

#[test]
fn a_key_added_to_a_table_may_reference_the_block_s_own_new_columns() {
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql] {
        let found = problems(dialect, categories);
        assert!(found.is_empty(), "{dialect:?}: {found:?}");
    }
    // A column the block does not make is still missing.
    let found = problems(Dialect::Postgres, |s| {
        s.create("categories", |t| {
            t.id();
        });
        s.table("categories", |t| {
            t.string("parent_slug").nullable();
            t.foreign(["parent_slug"])
                .references(["slug"])
                .on("categories");
        });
    });
    assert_eq!(errors(&found).len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("`categories.slug`, which does not exist")
    );
}

#[test]
fn a_key_dropped_earlier_no_longer_protects_its_column() {
    // In one block of the table that references itself.
    let found = problems(Dialect::Postgres, |s| {
        categories(s);
        s.table("categories", |t| {
            t.drop_foreign(["parent_slug"]);
            t.drop_column("slug");
        });
    });
    assert!(found.is_empty(), "{found:?}");
    let found = problems(Dialect::Postgres, |s| {
        categories(s);
        s.table("categories", |t| t.drop_column("slug"));
    });
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("referenced by foreign key categories_parent_slug_foreign of `categories`"),
        "{found:?}"
    );
    // Across tables, in order.
    let found = problems(Dialect::MySql, |s| {
        s.create("users", |t| {
            t.id();
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
        s.table("posts", |t| t.drop_foreign(["user_id"]));
        s.table("users", |t| t.drop_column("id"));
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_renamed_postgres_table_stays_in_its_schema() {
    let mut model = Model::new(Dialect::Postgres, SchemaSnapshot::default());
    let found = checked(&mut model, |s| {
        s.create("app.sessions", |t| {
            t.id();
        });
        s.create("sessions_old", |t| {
            t.id();
        });
        s.rename("app.sessions", "sessions_old");
    });
    assert!(found.is_empty(), "{found:?}");
    assert!(model.table("app.sessions_old").is_some());
    let found = problems(Dialect::Postgres, |s| {
        s.create("app.sessions", |t| {
            t.id();
        });
        s.create("app.sessions_old", |t| {
            t.id();
        });
        s.rename("app.sessions", "sessions_old");
    });
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "table `app.sessions_old` already exists");
}

#[test]
fn tables_marked_unknown_are_not_missing() {
    let mut model = Model::new(Dialect::Postgres, SchemaSnapshot::default());
    model.mark_unknown(["Users".to_owned()]);
    assert!(!model.knows("users"));
    let found = checked(&mut model, |s| {
        s.table("users", |t| {
            t.index(["email"]);
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
    });
    assert!(found.is_empty(), "{found:?}");
    assert!(model.knows("posts"));
}

#[test]
fn column_and_index_names_ignore_case_where_the_database_does() {
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, |s| {
            s.create("users", |t| {
                t.id();
                t.string("Email");
                t.index(["Email"]).name("Users_Email");
            });
            s.table("users", |t| {
                t.index(["email"]);
                t.drop_index("users_email");
                t.string("EMAIL").change();
                // A key references a unique column.
                t.unique(["EMAIL"]);
            });
            s.create("posts", |t| {
                t.id();
                t.string("author_email");
                t.foreign(["author_email"])
                    .references(["email"])
                    .on("users");
            });
        });
        if dialect == Dialect::Postgres {
            assert!(!found.is_empty(), "PostgreSQL names are exact");
            assert!(found[0].1.contains("has no column `email`"), "{found:?}");
        } else {
            assert!(found.is_empty(), "{dialect:?}: {found:?}");
        }
    }
    // A rename that changes only the case clashes with nothing.
    let found = problems(Dialect::MySql, |s| {
        s.create("users", |t| {
            t.id();
            t.string("email");
        });
        s.table("users", |t| t.rename_column("email", "Email"));
    });
    assert!(found.is_empty(), "{found:?}");
    // The model follows a drop spelled in another case.
    let found = problems(Dialect::MySql, |s| {
        s.create("users", |t| {
            t.id();
            t.string("Email");
        });
        s.table("users", |t| t.drop_column("email"));
        s.table("users", |t| {
            t.string("email");
        });
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn raw_sql_that_hides_its_targets_makes_every_table_unknown() {
    for raw in [
        "DO $$ BEGIN ALTER TABLE users ADD COLUMN x int; END $$",
        "CALL add_x()",
        "select add_x()",
        "EXECUTE add_x",
        "PREPARE s FROM 'ALTER TABLE users ADD COLUMN x int'",
    ] {
        let mut model = Model::new(Dialect::Postgres, SchemaSnapshot::default());
        let found = checked(&mut model, |s| {
            s.create("users", |t| {
                t.id();
            });
            s.raw(raw);
            s.table("users", |t| {
                t.index(["x"]);
            });
        });
        assert!(found.is_empty(), "{raw}: {found:?}");
        assert!(!model.knows("anything"), "{raw}");
    }
    // Other raw SQL makes only the names it holds unknown.
    let found = problems(Dialect::Postgres, |s| {
        s.create("users", |t| {
            t.id();
        });
        s.raw("CREATE INDEX teams_x ON teams (x)");
        s.table("users", |t| {
            t.index(["x"]);
        });
    });
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn varchar_and_text_fit_except_on_mysql_and_sqlite_only_warns_about_types() {
    let plan = |text: bool| {
        move |s: &mut Schema| {
            s.create("tags", |t| {
                t.string("code").primary();
            });
            s.create("posts", |t| {
                t.id();
                if text {
                    t.text("tag_code");
                } else {
                    t.big_integer("tag_code");
                }
                t.foreign(["tag_code"]).references(["code"]).on("tags");
            });
        }
    };
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let found = problems(dialect, plan(true));
        assert!(found.is_empty(), "{dialect:?}: {found:?}");
    }
    // MySQL cannot index TEXT without a length, so it refuses a key on one.
    let found = problems(Dialect::MySql, plan(true));
    assert_eq!(errors(&found).len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("MySQL cannot make a foreign key on a TEXT column"),
        "{found:?}"
    );
    // A string referencing an integer is refused everywhere, SQLite included (which would
    // accept it), so that what passes on SQLite does not fail on PostgreSQL or MySQL.
    for dialect in Dialect::ALL {
        let found = problems(dialect, plan(false));
        assert_eq!(errors(&found).len(), 1, "{dialect:?}: {found:?}");
        assert!(
            found[0]
                .1
                .contains("a foreign key needs the same type on both sides")
        );
    }
}

#[test]
fn a_renamed_referenced_column_stays_referenced() {
    let mut model = Model::new(Dialect::Postgres, SchemaSnapshot::default());
    let found = checked(&mut model, |s| {
        s.create("users", |t| {
            t.id();
            t.foreign_id("invited_by").nullable().constrained("users");
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
        s.table("users", |t| t.rename_column("id", "uid"));
    });
    assert!(found.is_empty(), "{found:?}");
    for table in ["users", "posts"] {
        let keys = &model.table(table).expect("table").foreign_keys;
        assert_eq!(keys[0].referenced_columns, ["uid"], "{table}");
    }
    let found = checked(&mut model, |s| s.table("users", |t| t.drop_column("uid")));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("column `users.uid` is referenced"),
        "{found:?}"
    );
    // Renamed and dropped in one block.
    let found = problems(Dialect::Sqlite, |s| {
        s.create("users", |t| {
            t.id();
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
        });
        s.table("users", |t| {
            t.rename_column("id", "uid");
            t.drop_column("uid");
        });
    });
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn mysql_keeps_the_rest_of_an_index_when_one_of_its_columns_goes() {
    let plan = |s: &mut Schema| {
        s.create("events", |t| {
            t.id();
            t.integer("a");
            t.integer("b");
            t.index(["a", "b"]);
        });
        s.table("events", |t| t.drop_column("b"));
        s.table("events", |t| t.drop_index("events_a_b_index"));
    };
    let found = problems(Dialect::MySql, plan);
    assert!(found.is_empty(), "{found:?}");
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let found = problems(dialect, plan);
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert!(found[0].1.contains("has no index `events_a_b_index`"));
    }
}

#[test]
fn a_key_needs_as_many_referenced_columns_as_columns() {
    let found = problems(Dialect::Postgres, |s| {
        s.create("p", |t| {
            t.id();
        });
        s.create("c", |t| {
            t.id();
            t.integer("a");
            t.integer("b");
            t.foreign(["a", "b"]).on("p");
        });
    });
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].1,
        "it has 2 column(s) (a, b) but references 1 (id); give .references(..) one column for \
         each column of the key"
    );
}

#[test]
fn a_foreign_key_needs_a_unique_or_primary_referenced_column() {
    let plan = |indexed: bool| {
        move |s: &mut Schema| {
            s.create("users", |t| {
                t.id();
                let email = t.string("email");
                if indexed {
                    email.index();
                }
            });
            s.create("posts", |t| {
                t.id();
                t.string("author_email");
                t.foreign(["author_email"])
                    .references(["email"])
                    .on("users");
            });
        }
    };
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, plan(false));
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert_eq!(found[0].0, Severity::Error);
        assert!(
            found[0].1.contains(
                "it references (email) of `users`, which is neither its primary key nor unique"
            ),
            "{found:?}"
        );
        let found = problems(dialect, plan(true));
        let expected = match dialect {
            Dialect::MySql => Severity::Warning,
            _ => Severity::Error,
        };
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert_eq!(found[0].0, expected, "{dialect:?}: {found:?}");
    }
    let unique = problems(Dialect::Postgres, |s| {
        s.create("users", |t| {
            t.id();
            t.string("email").unique();
        });
        s.create("posts", |t| {
            t.id();
            t.string("author_email");
            t.foreign(["author_email"])
                .references(["email"])
                .on("users");
        });
    });
    assert!(unique.is_empty(), "{unique:?}");
}

#[test]
fn a_change_must_keep_fitting_the_foreign_keys_of_its_column() {
    let tables = |s: &mut Schema| {
        s.create("users", |t| {
            t.id();
            t.string("code").length(10).unique();
        });
        s.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
            t.string("user_code").length(10);
            t.foreign(["user_code"]).references(["code"]).on("users");
        });
    };
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        // Either side to another family.
        let child = problems(dialect, |s| {
            tables(s);
            s.table("posts", |t| {
                t.string("user_id").change();
            });
        });
        let parent = problems(dialect, |s| {
            tables(s);
            s.table("users", |t| {
                t.integer("code").change();
            });
        });
        for found in [child, parent] {
            assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
            assert_eq!(found[0].0, Severity::Error, "{found:?}");
        }
        // A wider string on both sides: fine but on MySQL, which refuses any type change of
        // a key's column.
        let widened = problems(dialect, |s| {
            tables(s);
            s.table("users", |t| {
                t.string("code").length(20).change();
            });
        });
        match dialect {
            Dialect::MySql => {
                assert_eq!(widened.len(), 1, "{widened:?}");
                assert!(widened[0].1.contains("MySQL cannot change the type of column `users.code` while foreign key posts_user_code_foreign uses it"), "{widened:?}");
            }
            _ => assert!(widened.is_empty(), "{dialect:?}: {widened:?}"),
        }
        // Nullability alone changes no type.
        let nullable = problems(dialect, |s| {
            tables(s);
            s.table("posts", |t| {
                t.string("user_code").length(10).nullable().change();
            });
        });
        assert!(nullable.is_empty(), "{dialect:?}: {nullable:?}");
    }
}

#[test]
fn an_auto_increment_key_cannot_be_changed_and_mysql_drops_keys_before_columns() {
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, |s| {
            s.create("users", |t| {
                t.id();
            });
            s.table("users", |t| {
                t.big_integer("id").unsigned().change();
            });
        });
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert!(
            found[0]
                .1
                .contains("is auto-incrementing, which change() would take away"),
            "{found:?}"
        );
        let found = problems(dialect, |s| {
            teams(s);
            s.create("users", |t| {
                t.id();
                t.foreign_id("team_id").nullable().constrained("teams");
            });
            s.table("users", |t| {
                t.drop_column("team_id");
            });
        });
        match dialect {
            Dialect::MySql => {
                assert_eq!(found.len(), 1, "{found:?}");
                assert!(found[0].1.contains("MySQL cannot drop column `team_id` while foreign key users_team_id_foreign of `users` uses it"), "{found:?}");
            }
            _ => assert!(found.is_empty(), "{dialect:?}: {found:?}"),
        }
        let dropped_first = problems(dialect, |s| {
            teams(s);
            s.create("users", |t| {
                t.id();
                t.foreign_id("team_id").nullable().constrained("teams");
            });
            s.table("users", |t| {
                t.drop_constrained_foreign_id("team_id");
            });
        });
        assert!(dropped_first.is_empty(), "{dialect:?}: {dropped_first:?}");
    }
}

#[test]
fn mysql_needs_the_keys_column_order_and_counts_a_primary_key_as_an_index() {
    let reordered = |s: &mut Schema| {
        s.create("parents", |t| {
            t.id();
            t.integer("a");
            t.integer("b");
            t.unique(["b", "a"]);
        });
        s.create("kids", |t| {
            t.id();
            t.integer("a");
            t.integer("b");
            t.foreign(["a", "b"]).references(["a", "b"]).on("parents");
        });
    };
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, reordered);
        match dialect {
            Dialect::MySql => {
                assert_eq!(found.len(), 1, "{found:?}");
                assert!(found[0].1.contains("in this order"), "{found:?}");
            }
            _ => assert!(found.is_empty(), "{dialect:?}: {found:?}"),
        }
    }
    let leading = problems(Dialect::MySql, |s| {
        s.create("parents", |t| {
            t.integer("a");
            t.integer("b");
            t.primary(["a", "b"]);
        });
        s.create("kids", |t| {
            t.id();
            t.integer("a");
            t.foreign(["a"]).references(["a"]).on("parents");
        });
    });
    assert_eq!(leading.len(), 1, "{leading:?}");
    assert_eq!(leading[0].0, Severity::Warning, "{leading:?}");
}

#[test]
fn a_key_to_its_own_table_in_create_table_uses_the_primary_key_but_on_sqlite() {
    let plan = |s: &mut Schema| {
        s.create("nodes", |t| {
            t.id();
            t.string("code").length(10).unique();
            t.string("pcode").length(10).nullable();
            t.foreign(["pcode"]).references(["code"]).on("nodes");
            t.foreign_id("parent_id").nullable().constrained("nodes");
        });
    };
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, plan);
        match dialect {
            Dialect::Sqlite => assert!(found.is_empty(), "{found:?}"),
            _ => {
                let errors: Vec<_> = found.iter().filter(|p| p.0 == Severity::Error).collect();
                assert_eq!(errors.len(), 1, "{dialect:?}: {found:?}");
                assert!(
                    errors[0].1.contains("it references (code) of `nodes`"),
                    "{found:?}"
                );
            }
        }
    }
}

#[test]
fn a_unique_index_or_primary_key_a_foreign_key_uses_cannot_be_dropped() {
    let tables = |s: &mut Schema| {
        s.create("teams", |t| {
            t.id();
            t.string("code").length(10).unique();
        });
        s.create("users", |t| {
            t.id();
            t.string("team_code").length(10);
            t.foreign(["team_code"]).references(["code"]).on("teams");
        });
    };
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, |s| {
            tables(s);
            s.table("teams", |t| {
                t.drop_unique(["code"]);
            });
        });
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert!(
            found[0].1.contains("unique index `teams_code_unique` of `teams` backs foreign key users_team_code_foreign of `users`"),
            "{found:?}"
        );
        let dropped_key_first = problems(dialect, |s| {
            tables(s);
            s.table("users", |t| {
                t.drop_foreign(["team_code"]);
            });
            s.table("teams", |t| {
                t.drop_unique(["code"]);
            });
        });
        assert!(
            dropped_key_first.is_empty(),
            "{dialect:?}: {dropped_key_first:?}"
        );
    }
}

#[test]
fn set_null_needs_a_nullable_column() {
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, |s| {
            teams(s);
            s.create("users", |t| {
                t.id();
                t.foreign_id("team_id")
                    .constrained("teams")
                    .on_delete(crate::schema::ForeignKeyAction::SetNull);
            });
        });
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        let expected = match dialect {
            Dialect::MySql => Severity::Error,
            _ => Severity::Warning,
        };
        assert_eq!(found[0].0, expected, "{dialect:?}: {found:?}");
        assert!(
            found[0].1.contains("sets `users.team_id` to NULL"),
            "{found:?}"
        );
    }
}

#[test]
fn a_change_of_a_column_its_own_table_references_is_checked() {
    for dialect in [Dialect::Sqlite, Dialect::MySql, Dialect::Postgres] {
        let found = problems(dialect, |s| {
            s.create("cats", |t| {
                t.id();
                t.string("code").length(10).unique();
                t.string("parent_code").length(10).nullable();
            });
            s.table("cats", |t| {
                t.foreign(["parent_code"]).references(["code"]).on("cats");
            });
            s.table("cats", |t| {
                t.integer("code").change();
            });
        });
        assert_eq!(found.len(), 1, "{dialect:?}: {found:?}");
        assert_eq!(found[0].0, Severity::Error, "{found:?}");
    }
}

/// A table `teams` with its id alone, for keys to reference.
fn teams(s: &mut Schema) {
    s.create("teams", |t| {
        t.id();
    });
}
