//! The SQL every schema-builder operation renders to, on SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! Each case is one named snapshot in `tests/snapshots/` holding the three renderings side by
//! side:
//!
//! ```text
//! -- sqlite
//! CREATE TABLE …;
//!
//! -- postgres
//! …
//! ```
//!
//! A plan a dialect refuses shows `-- error: <message>` in its section. `tests/dialect_execute.rs`
//! runs the statements of these very snapshot files against real databases, so every case only
//! relies on the tables that test creates first: `users` (an `id`), `to_drop`,
//! `to_drop_if_exists`, `to_rename`, and on PostgreSQL the schema `app`. Each case creates
//! tables (and explicitly named indexes) under names no other case uses.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p ormed-migrate-core --test dialect_snapshots` and review the
//! diff.

use ormed_migrate_core::render::{MAX_IDENTIFIER_LEN, generated_name};
use ormed_migrate_core::schema::DefaultValue;
use ormed_migrate_core::{ColumnType, Dialect, ForeignKeyAction, Schema, Table};

mod common;

use common::{DIALECTS, render_all};

/// Records a plan with `build` and compares its three renderings with snapshot `name`.
fn check(name: &str, build: impl FnOnce(&mut Schema)) {
    let mut schema = Schema::new();
    build(&mut schema);
    insta::assert_snapshot!(name, render_all(&schema));
}

/// A case that creates one table named like the case.
fn check_table(name: &str, define: impl FnOnce(&mut Table)) {
    check(name, |schema| schema.create(name, define));
}

/// The error message of rendering `schema` on `dialect`.
fn render_error(dialect: Dialect, schema: &Schema) -> String {
    match dialect.render(schema.plan()) {
        Ok(statements) => panic!("{dialect} rendered {statements:?}, expected an error"),
        Err(error) => error.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Column types
// ---------------------------------------------------------------------------------------------

#[test]
fn type_id() {
    check_table("type_id", |t| {
        t.id();
    });
}

#[test]
fn type_increments() {
    check_table("type_increments", |t| {
        t.increments("id");
    });
}

#[test]
fn type_big_increments() {
    check_table("type_big_increments", |t| {
        t.big_increments("number");
    });
}

#[test]
fn type_integer() {
    check_table("type_integer", |t| {
        t.integer("votes");
    });
}

#[test]
fn type_big_integer() {
    check_table("type_big_integer", |t| {
        t.big_integer("views");
    });
}

#[test]
fn type_small_integer() {
    check_table("type_small_integer", |t| {
        t.small_integer("rank");
    });
}

#[test]
fn type_boolean() {
    check_table("type_boolean", |t| {
        t.boolean("active");
    });
}

#[test]
fn type_string() {
    check_table("type_string", |t| {
        t.string("name");
        t.string("code").length(32);
    });
}

#[test]
fn type_char() {
    check_table("type_char", |t| {
        t.char("padded");
        t.char("country").length(2);
    });
}

#[test]
fn type_text() {
    check_table("type_text", |t| {
        t.text("body");
    });
}

#[test]
fn type_decimal() {
    check_table("type_decimal", |t| {
        t.decimal("price", 8, 2);
        t.decimal("ratio", 5, 0);
    });
}

#[test]
fn type_float() {
    check_table("type_float", |t| {
        t.float("score");
    });
}

#[test]
fn type_double() {
    check_table("type_double", |t| {
        t.double("latitude");
    });
}

#[test]
fn type_date() {
    check_table("type_date", |t| {
        t.date("birthday");
    });
}

#[test]
fn type_time() {
    check_table("type_time", |t| {
        t.time("opens_at");
    });
}

#[test]
fn type_timestamp() {
    check_table("type_timestamp", |t| {
        t.timestamp("published_at");
    });
}

#[test]
fn type_timestamp_tz() {
    check_table("type_timestamp_tz", |t| {
        t.timestamp_tz("happened_at");
    });
}

#[test]
fn type_json() {
    check_table("type_json", |t| {
        t.json("settings");
    });
}

#[test]
fn type_uuid() {
    check_table("type_uuid", |t| {
        t.uuid("token");
    });
}

#[test]
fn type_binary() {
    check_table("type_binary", |t| {
        t.binary("payload");
    });
}

#[test]
fn type_column_generic() {
    check_table("type_column_generic", |t| {
        t.column("summary", ColumnType::String(80));
        t.column("body", ColumnType::Text).nullable();
    });
}

#[test]
fn type_timestamps() {
    check_table("type_timestamps", |t| {
        t.id();
        t.timestamps();
    });
}

#[test]
fn type_soft_deletes() {
    check_table("type_soft_deletes", |t| {
        t.id();
        t.soft_deletes();
    });
}

#[test]
fn type_foreign_id_constrained() {
    check_table("type_foreign_id_constrained", |t| {
        t.id();
        t.foreign_id("user_id").constrained("users");
    });
}

#[test]
fn type_foreign_id_unconstrained() {
    check_table("type_foreign_id_unconstrained", |t| {
        t.foreign_id("user_id").nullable();
    });
}

// ---------------------------------------------------------------------------------------------
// Column modifiers
// ---------------------------------------------------------------------------------------------

#[test]
fn modifier_nullable() {
    check_table("modifier_nullable", |t| {
        t.string("nickname").nullable();
        t.integer("age").nullable();
        t.string("required");
    });
}

#[test]
fn modifier_default_bool() {
    check_table("modifier_default_bool", |t| {
        t.boolean("active").default(true);
        t.boolean("banned").default(false);
    });
}

#[test]
fn modifier_default_int() {
    check_table("modifier_default_int", |t| {
        t.integer("votes").default(0);
        t.integer("offset").default(-5);
        t.big_integer("quota").default(10_000_000_000_i64);
        t.small_integer("level").default(3_u8);
    });
}

#[test]
fn modifier_default_float() {
    check_table("modifier_default_float", |t| {
        t.double("ratio").default(1.5);
        t.float("weight").default(-0.25_f32);
        t.double("whole").default(2.0);
        t.decimal("price", 8, 2).default(9.99);
    });
}

#[test]
fn modifier_default_str() {
    check_table("modifier_default_str", |t| {
        t.string("status").default("draft");
        t.string("quoted").default("it's");
        t.string("path").default(r"C:\temp");
        t.string("both").default(r"O'Brien\n");
        t.string("empty").default("");
        t.string("owned").default(String::from("owned"));
    });
}

#[test]
fn modifier_default_null() {
    check_table("modifier_default_null", |t| {
        t.string("note").nullable().default(DefaultValue::Null);
    });
}

#[test]
fn modifier_default_raw() {
    check_table("modifier_default_raw", |t| {
        t.date("starts_on").default_raw("CURRENT_DATE");
        t.integer("answer").default_raw("40 + 2");
    });
}

#[test]
fn modifier_use_current() {
    check_table("modifier_use_current", |t| {
        t.timestamp("created_at").use_current();
        t.timestamp_tz("seen_at").nullable().use_current();
    });
}

#[test]
fn modifier_unique() {
    check_table("modifier_unique", |t| {
        t.id();
        t.string("email").unique();
    });
}

#[test]
fn modifier_index() {
    check_table("modifier_index", |t| {
        t.id();
        t.string("slug").index();
        t.string("lookup").unique().index();
    });
}

#[test]
fn modifier_primary() {
    check_table("modifier_primary", |t| {
        t.string("code").length(10).primary();
        t.string("label");
    });
}

#[test]
fn modifier_primary_composite() {
    check_table("modifier_primary_composite", |t| {
        t.integer("post_id").primary();
        t.integer("tag_id").primary();
        t.timestamp("tagged_at").nullable();
    });
}

#[test]
fn modifier_unsigned() {
    check_table("modifier_unsigned", |t| {
        t.integer("count").unsigned();
        t.big_integer("total").unsigned();
        t.small_integer("small").unsigned();
        // Only integers take UNSIGNED; on other types the flag is ignored.
        t.decimal("amount", 10, 2).unsigned();
    });
}

#[test]
fn modifier_comment() {
    check_table("modifier_comment", |t| {
        t.id().comment("surrogate key");
        t.string("email").comment("the login's e-mail");
        t.text("notes")
            .nullable()
            .comment(r"free text, may contain \ and '");
    });
}

#[test]
fn modifier_combined() {
    check_table("modifier_combined", |t| {
        t.string("handle")
            .length(40)
            .nullable()
            .default("anon")
            .unique()
            .index()
            .comment("public handle");
    });
}

// ---------------------------------------------------------------------------------------------
// Table-level indexes
// ---------------------------------------------------------------------------------------------

#[test]
fn index_generated_name() {
    check_table("index_generated_name", |t| {
        t.id();
        t.integer("a");
        t.integer("b");
        t.index("a");
        t.index(["a", "b"]);
    });
}

#[test]
fn index_explicit_name() {
    check_table("index_explicit_name", |t| {
        t.id();
        t.integer("a");
        t.integer("b");
        t.index(["b", "a"]).name("idx_explicit_b_a");
    });
}

#[test]
fn unique_generated_name() {
    check_table("unique_generated_name", |t| {
        t.id();
        t.string("tenant");
        t.string("email");
        t.unique("email");
        t.unique(vec!["tenant".to_owned(), "email".to_owned()]);
    });
}

#[test]
fn unique_explicit_name() {
    check_table("unique_explicit_name", |t| {
        t.id();
        t.string("tenant");
        t.string("slug");
        let columns: &[&str] = &["tenant", "slug"];
        t.unique(columns).name("uq_explicit_tenant_slug");
    });
}

#[test]
fn index_generated_long_name() {
    check_table("index_generated_long_name", |t| {
        t.integer("a_rather_long_column_name");
        t.integer("another_rather_long_column_name");
        t.index([
            "a_rather_long_column_name",
            "another_rather_long_column_name",
        ]);
        t.unique([
            "a_rather_long_column_name",
            "another_rather_long_column_name",
        ]);
    });
}

// ---------------------------------------------------------------------------------------------
// Foreign keys
// ---------------------------------------------------------------------------------------------

#[test]
fn foreign_key_full() {
    check_table("foreign_key_full", |t| {
        t.id();
        t.foreign_id("user_id");
        t.foreign("user_id")
            .references("id")
            .on("users")
            .on_delete(ForeignKeyAction::Cascade)
            .on_update(ForeignKeyAction::Restrict);
    });
}

#[test]
fn foreign_key_defaults() {
    // `.references(..)` defaults to `id`; no actions means the database default (NO ACTION).
    check_table("foreign_key_defaults", |t| {
        t.id();
        t.foreign_id("owner_id");
        t.foreign("owner_id").on("users");
    });
}

#[test]
fn foreign_key_actions() {
    check_table("foreign_key_actions", |t| {
        t.id();
        t.foreign_id("a_id").nullable();
        t.foreign_id("b_id");
        t.foreign_id("c_id");
        t.foreign("a_id")
            .on("users")
            .on_delete(ForeignKeyAction::SetNull)
            .on_update(ForeignKeyAction::Cascade);
        t.foreign("b_id")
            .on("users")
            .on_delete(ForeignKeyAction::Restrict)
            .on_update(ForeignKeyAction::NoAction);
        t.foreign("c_id")
            .on("users")
            .on_delete(ForeignKeyAction::NoAction);
    });
}

#[test]
fn foreign_key_named() {
    check_table("foreign_key_named", |t| {
        t.id();
        t.foreign_id("author_id");
        t.foreign("author_id")
            .references("id")
            .on("users")
            .name("fk_named_author");
    });
}

#[test]
fn foreign_key_constrained_cascade() {
    check_table("foreign_key_constrained_cascade", |t| {
        t.id();
        t.foreign_id("user_id")
            .constrained("users")
            .cascade_on_delete();
        t.foreign_id("editor_id")
            .nullable()
            .constrained("users")
            .on_delete(ForeignKeyAction::SetNull)
            .on_update(ForeignKeyAction::Cascade);
    });
}

#[test]
fn foreign_key_composite() {
    check("foreign_key_composite", |schema| {
        schema.create("fk_parent", |t| {
            t.integer("a");
            t.integer("b");
            t.unique(["a", "b"]);
        });
        schema.create("fk_child", |t| {
            t.id();
            t.integer("parent_a");
            t.integer("parent_b");
            t.foreign(["parent_a", "parent_b"])
                .references(["a", "b"])
                .on("fk_parent")
                .cascade_on_delete();
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Table operations
// ---------------------------------------------------------------------------------------------

#[test]
fn op_drop() {
    check("op_drop", |schema| schema.drop("to_drop"));
}

#[test]
fn op_drop_if_exists() {
    check("op_drop_if_exists", |schema| {
        schema.drop_if_exists("to_drop_if_exists");
        schema.drop_if_exists("never_existed");
    });
}

#[test]
fn op_rename() {
    check("op_rename", |schema| schema.rename("to_rename", "renamed"));
}

#[test]
fn op_raw() {
    check("op_raw", |schema| {
        // Surrounding whitespace is trimmed; the statement is otherwise passed through as is.
        schema.raw("  INSERT INTO users (id) VALUES (1000)  \n");
        schema.raw("UPDATE users SET id = id WHERE id = 1000");
    });
}

#[test]
fn op_raw_for() {
    check("op_raw_for", |schema| {
        schema.raw_for(Dialect::Sqlite, "PRAGMA user_version = 7");
        schema.raw_for(
            Dialect::Postgres,
            "COMMENT ON TABLE users IS 'postgres only'",
        );
        schema.raw_for(Dialect::MySql, "ALTER TABLE users COMMENT = 'mysql only'");
        schema.raw("DELETE FROM users WHERE id = -1");
    });
}

#[test]
fn op_raw_for_only_other_dialect() {
    check("op_raw_for_only_other_dialect", |schema| {
        schema.raw_for(Dialect::Postgres, "ANALYZE users");
    });
}

#[test]
fn op_irreversible_renders_nothing() {
    // Irreversibility is the runner's concern; the plan itself renders no statement.
    let mut schema = Schema::new();
    schema.irreversible();
    for (_, dialect) in DIALECTS {
        assert_eq!(dialect.render(schema.plan()), Ok(Vec::new()));
    }
}

#[test]
fn schema_qualified_create() {
    check("schema_qualified_create", |schema| {
        schema.create("app.accounts", |t| {
            t.id();
            t.string("email").unique();
            t.string("name").comment("display name");
            t.foreign_id("user_id").constrained("users");
            t.index(["name", "email"]);
        });
    });
}

#[test]
fn schema_qualified_rename_drop() {
    check("schema_qualified_rename_drop", |schema| {
        schema.create("app.sessions", |t| {
            t.id();
        });
        schema.rename("app.sessions", "app.old_sessions");
        schema.rename("app.old_sessions", "archived_sessions");
        schema.drop("app.archived_sessions");
        schema.drop_if_exists("app.never_existed");
    });
}

#[test]
fn mixed_plan() {
    // A realistic `up`: operations render in the order they were recorded.
    check("mixed_plan", |schema| {
        schema.create("mixed_authors", |t| {
            t.id();
            t.string("email").unique();
            t.boolean("admin").default(false);
            t.timestamps();
        });
        schema.create("mixed_posts", |t| {
            t.id();
            t.foreign_id("author_id")
                .constrained("mixed_authors")
                .cascade_on_delete();
            t.string("title").length(200);
            t.text("body").nullable();
            t.boolean("published").default(false);
            t.index(["author_id", "published"]);
            t.timestamps();
            t.soft_deletes();
        });
        schema.raw("INSERT INTO mixed_authors (email, admin) VALUES ('root@example.com', 1 = 1)");
    });
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const BAD_IDENTIFIERS: [&str; 6] = [
    "users; DROP TABLE x",
    "",
    "1users",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // 64 characters
    "name\"quote",
    "naïve",
];

/// Every place a name goes, with `bad` in it.
fn plans_naming(bad: &str) -> Vec<(&'static str, Schema)> {
    let mut plans = Vec::new();
    let mut add = |place, build: &dyn Fn(&mut Schema)| {
        let mut schema = Schema::new();
        build(&mut schema);
        plans.push((place, schema));
    };
    add("table", &|s| {
        s.create(bad, |t| {
            t.id();
        })
    });
    add("column", &|s| {
        s.create("ok", |t| {
            t.integer(bad);
        })
    });
    add("auto-increment column", &|s| {
        s.create("ok", |t| {
            t.increments(bad);
        })
    });
    add("index name", &|s| {
        s.create("ok", |t| {
            t.integer("a");
            t.index("a").name(bad);
        })
    });
    add("index column", &|s| {
        s.create("ok", |t| {
            t.integer("a");
            t.index(["a", bad]).name("ok_index");
        })
    });
    add("foreign key name", &|s| {
        s.create("ok", |t| {
            t.integer("a");
            t.foreign("a").on("users").name(bad);
        })
    });
    add("referenced table", &|s| {
        s.create("ok", |t| {
            t.foreign_id("a").constrained(bad);
        })
    });
    add("referenced column", &|s| {
        s.create("ok", |t| {
            t.integer("a");
            t.foreign("a").references(bad).on("users");
        })
    });
    add("dropped table", &|s| s.drop(bad));
    add("drop if exists", &|s| s.drop_if_exists(bad));
    add("rename from", &|s| s.rename(bad, "ok"));
    add("rename to", &|s| s.rename("ok", bad));
    plans
}

#[test]
fn invalid_identifiers_are_rejected_with_their_name() {
    for bad in BAD_IDENTIFIERS {
        let named = format!("invalid identifier `{}`", bad.escape_debug());
        for (place, schema) in plans_naming(bad) {
            for (_, dialect) in DIALECTS {
                let message = render_error(dialect, &schema);
                if bad.is_empty() && place == "referenced table" {
                    // An empty referenced table reads as a missing `.on(..)`.
                    assert!(message.contains("does not say which table"), "{message}");
                    continue;
                }
                assert!(
                    message.contains(&named),
                    "{dialect}, {place}, {bad:?}: {message}"
                );
            }
        }
    }
}

#[test]
fn invalid_column_in_a_generated_index_name_is_reported() {
    // The generated name is checked before the columns, so a bad column may be reported inside
    // the (lowercased) generated name; either way the message shows the bad text.
    let mut schema = Schema::new();
    schema.create("ok", |t| {
        t.integer("a");
        t.index(["a", "users; DROP TABLE x"]);
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(
            message.contains("invalid identifier `ok_a_users; drop table x_index`"),
            "{dialect}: {message}"
        );
    }
}

#[test]
fn invalid_identifier_messages_explain_the_problem() {
    for (bad, problem) in [
        ("users; DROP TABLE x", "contains a character other than"),
        ("", "it is empty"),
        ("1users", "does not start with a letter"),
        (&"x".repeat(64), "too long"),
    ] {
        let mut schema = Schema::new();
        schema.drop(bad);
        for (_, dialect) in DIALECTS {
            let message = render_error(dialect, &schema);
            assert!(message.contains(problem), "{dialect}, {bad:?}: {message}");
            assert!(message.contains("at most 63 characters"), "{message}");
        }
    }
}

#[test]
fn identifiers_of_exactly_63_characters_are_accepted() {
    let name = "t".repeat(MAX_IDENTIFIER_LEN);
    let mut schema = Schema::new();
    schema.create(&name, |t| {
        t.integer(&name);
    });
    for (_, dialect) in DIALECTS {
        let sql = dialect
            .render(schema.plan())
            .expect("63 characters is allowed");
        assert!(sql[0].contains(&name), "{sql:?}");
    }
}

#[test]
fn quote_identifier_validates_and_quotes() {
    assert_eq!(
        Dialect::Sqlite.quote_identifier("users").as_deref(),
        Ok("\"users\"")
    );
    assert_eq!(
        Dialect::Postgres.quote_identifier("users").as_deref(),
        Ok("\"users\"")
    );
    assert_eq!(
        Dialect::MySql.quote_identifier("users").as_deref(),
        Ok("`users`")
    );
    for bad in BAD_IDENTIFIERS {
        for (_, dialect) in DIALECTS {
            let error = dialect
                .quote_identifier(bad)
                .expect_err("invalid identifier accepted");
            assert!(
                error.to_string().contains(&bad.escape_debug().to_string()),
                "{error}"
            );
        }
    }
}

#[test]
fn schema_qualified_names_only_work_on_postgres() {
    assert_eq!(
        Dialect::Postgres.quote_table("app.users").as_deref(),
        Ok("\"app\".\"users\"")
    );
    for dialect in [Dialect::Sqlite, Dialect::MySql] {
        let mut schema = Schema::new();
        schema.create("app.users", |t| {
            t.id();
        });
        let message = render_error(dialect, &schema);
        assert!(
            message.contains("invalid identifier `app.users`"),
            "{dialect}: {message}"
        );
    }
    // Each part is validated on PostgreSQL too.
    for bad in ["app.users; --", ".users", "app.", "a.b.c"] {
        let mut schema = Schema::new();
        schema.drop(bad);
        let message = render_error(Dialect::Postgres, &schema);
        assert!(message.contains("invalid identifier"), "{bad}: {message}");
    }
}

#[test]
fn table_without_columns_is_rejected() {
    let mut schema = Schema::new();
    schema.create("empty_table", |_| {});
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(
            message.contains("table `empty_table` is created without columns"),
            "{message}"
        );
    }
}

#[test]
fn table_with_only_indexes_and_keys_is_still_without_columns() {
    let mut schema = Schema::new();
    schema.create("only_index", |t| {
        t.index("a");
        t.foreign("a").on("users");
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(message.contains("without columns"), "{message}");
    }
}

#[test]
fn duplicate_column_is_rejected() {
    let mut schema = Schema::new();
    schema.create("dupes", |t| {
        t.id();
        t.string("email");
        t.text("email");
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert_eq!(message, "table `dupes` defines column `email` twice");
    }
    // `timestamps()` after a hand-written `created_at` is a duplicate too.
    let mut schema = Schema::new();
    schema.create("dupes", |t| {
        t.timestamp("created_at");
        t.timestamps();
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(message.contains("`created_at` twice"), "{message}");
    }
}

#[test]
fn foreign_key_without_on_is_rejected() {
    let mut schema = Schema::new();
    schema.create("posts", |t| {
        t.foreign_id("user_id");
        t.foreign("user_id").references("id");
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(
            message.contains("the foreign key on `posts` (user_id) does not say which table"),
            "{message}"
        );
        assert!(message.contains(".on(\"table\")"), "{message}");
    }
}

#[test]
fn index_without_columns_is_rejected() {
    let mut schema = Schema::new();
    schema.create("no_index_columns", |t| {
        t.id();
        t.index(Vec::<String>::new()).name("empty_index");
    });
    for (_, dialect) in DIALECTS {
        let message = render_error(dialect, &schema);
        assert!(message.contains("at least one column"), "{message}");
    }
}

#[test]
fn empty_raw_sql_is_rejected() {
    for sql in ["", "   ", "\n\t "] {
        let mut schema = Schema::new();
        schema.raw(sql);
        for (_, dialect) in DIALECTS {
            let message = render_error(dialect, &schema);
            assert_eq!(message, "schema.raw was given an empty SQL statement");
        }
    }
}

#[test]
fn empty_raw_for_is_rejected_only_on_its_dialect() {
    let mut schema = Schema::new();
    schema.raw_for(Dialect::MySql, " ");
    assert!(render_error(Dialect::MySql, &schema).contains("empty SQL statement"));
    assert_eq!(Dialect::Sqlite.render(schema.plan()), Ok(Vec::new()));
    assert_eq!(Dialect::Postgres.render(schema.plan()), Ok(Vec::new()));
}

#[test]
fn first_error_stops_rendering() {
    let mut schema = Schema::new();
    schema.create("fine", |t| {
        t.id();
    });
    schema.drop("not fine");
    schema.drop("also not fine");
    let message = render_error(Dialect::Sqlite, &schema);
    assert!(message.contains("`not fine`"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Generated names
// ---------------------------------------------------------------------------------------------

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn generated_names_follow_table_columns_suffix() {
    assert_eq!(
        generated_name("users", &columns(&["email"]), "unique"),
        "users_email_unique"
    );
    assert_eq!(
        generated_name("posts", &columns(&["user_id", "published"]), "index"),
        "posts_user_id_published_index"
    );
    assert_eq!(
        generated_name("posts", &columns(&["user_id"]), "foreign"),
        "posts_user_id_foreign"
    );
    // Lowercased, and the schema of a qualified table is left out.
    assert_eq!(
        generated_name("app.Users", &columns(&["Email"]), "unique"),
        "users_email_unique"
    );
}

#[test]
fn long_generated_names_are_shortened_deterministically() {
    let long_columns = columns(&[
        "a_rather_long_column_name",
        "another_rather_long_column_name",
    ]);
    let name = generated_name("index_generated_long_name", &long_columns, "index");
    let full =
        "index_generated_long_name_a_rather_long_column_name_another_rather_long_column_name_index";
    assert!(full.len() > MAX_IDENTIFIER_LEN);
    assert_eq!(name.len(), MAX_IDENTIFIER_LEN, "{name}");
    assert!(name.starts_with(&full[..MAX_IDENTIFIER_LEN - 9]), "{name}");
    let hash = &name[MAX_IDENTIFIER_LEN - 8..];
    assert_eq!(&name[MAX_IDENTIFIER_LEN - 9..MAX_IDENTIFIER_LEN - 8], "_");
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{name}"
    );

    // Stable: the same input always gives the same name.
    assert_eq!(
        name,
        generated_name("index_generated_long_name", &long_columns, "index")
    );

    // Distinct: inputs that share the kept prefix still differ, by suffix, column or table.
    let unique = generated_name("index_generated_long_name", &long_columns, "unique");
    let other_column = generated_name(
        "index_generated_long_name",
        &columns(&[
            "a_rather_long_column_name",
            "another_rather_long_column_name_2",
        ]),
        "index",
    );
    let other_table = generated_name("index_generated_long_namf", &long_columns, "index");
    let names = [&name, &unique, &other_column, &other_table];
    for (i, a) in names.iter().enumerate() {
        assert!(a.len() <= MAX_IDENTIFIER_LEN, "{a}");
        for b in &names[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(name[..54], unique[..54], "the same prefix is kept");

    // Every generated name is a valid identifier, so rendering accepts it.
    for generated in names {
        for (_, dialect) in DIALECTS {
            assert!(dialect.quote_identifier(generated).is_ok(), "{generated}");
        }
    }
}

#[test]
fn names_at_the_limit_are_kept_and_one_over_is_shortened() {
    // "t_" + column + "_index": choose the column so the name is exactly 63 and 64 characters.
    let at_limit = "c".repeat(MAX_IDENTIFIER_LEN - "t__index".len());
    let name = generated_name("t", std::slice::from_ref(&at_limit), "index");
    assert_eq!(name, format!("t_{at_limit}_index"));
    assert_eq!(name.len(), MAX_IDENTIFIER_LEN);

    let over = format!("{at_limit}c");
    let name = generated_name("t", &[over], "index");
    assert_eq!(name.len(), MAX_IDENTIFIER_LEN);
    assert!(!name.ends_with("_index"), "{name}");
}

#[test]
fn rendered_long_names_use_the_shortened_name() {
    let mut schema = Schema::new();
    schema.create("a_table_with_a_fairly_long_name", |t| {
        t.foreign_id("a_column_with_an_even_longer_name_for_sure")
            .constrained("users");
        t.index("a_column_with_an_even_longer_name_for_sure");
    });
    let column = columns(&["a_column_with_an_even_longer_name_for_sure"]);
    let index = generated_name("a_table_with_a_fairly_long_name", &column, "index");
    let foreign = generated_name("a_table_with_a_fairly_long_name", &column, "foreign");
    assert_eq!(index.len(), MAX_IDENTIFIER_LEN);
    assert_eq!(foreign.len(), MAX_IDENTIFIER_LEN);
    for (_, dialect) in DIALECTS {
        let sql = dialect.render(schema.plan()).expect("renders").join("\n");
        assert!(sql.contains(&index), "{dialect}: {sql}");
        assert!(sql.contains(&foreign), "{dialect}: {sql}");
    }
}

#[test]
fn auto_increment_key_with_another_primary_column_is_an_error() {
    let mut schema = Schema::new();
    schema.create("codes", |t| {
        t.id();
        t.string("code").primary();
    });
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql] {
        let message = render_error(dialect, &schema);
        assert!(message.contains("table `codes` has an auto-increment primary key and other primary columns (id, code)"), "{message}");
    }
}

#[test]
fn rename_into_another_schema_is_an_error() {
    let mut schema = Schema::new();
    schema.rename("app.sessions", "archive.sessions");
    let message = render_error(Dialect::Postgres, &schema);
    assert!(
        message.contains("a rename keeps the table in its schema"),
        "{message}"
    );
    assert!(message.contains("SET SCHEMA"), "{message}");
}

#[test]
fn f32_defaults_render_their_shortest_decimal() {
    let mut schema = Schema::new();
    schema.create("prices", |t| {
        t.float("ratio").default(0.1_f32);
    });
    let sql = Dialect::Postgres.render(schema.plan()).unwrap().join("\n");
    assert!(
        sql.contains("DEFAULT 0.1,") || sql.contains("DEFAULT 0.1)"),
        "{sql}"
    );
}
