//! The blog's CLI as a process, for the workflow commands: `migrate:fresh`, `migrate:check`,
//! `migrate:status --json / --pending`, the production guard, where the database URL comes
//! from (`.env`, `ormed.toml`, `--connection`), `--quiet` and colour. SQLite always; PostgreSQL
//! and MariaDB when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set.

mod common;

use std::path::Path;

use common::{TOTAL, blog, blog_with, exited, stderr, succeeded};
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use ormed_migrate::{Dialect, SchemaSnapshot};
use serde_json::Value;

const USERS: &str = "m_20241201000000_create_users_table";
const SLUGS: &str = "m_20241201001200_backfill_post_slugs";

/// Objects no migration creates, for `migrate:fresh` to drop: a view everywhere; on PostgreSQL
/// also a type, a loose sequence and a materialized view, and a table in another schema that
/// must survive.
fn extra_objects(dialect: Dialect) -> Vec<&'static str> {
    let mut sql = vec!["CREATE VIEW admins AS SELECT id, email FROM users WHERE is_admin"];
    if dialect == Dialect::Postgres {
        sql.extend([
            "CREATE TYPE mood AS ENUM ('happy', 'sad')",
            "CREATE SEQUENCE loose_numbers",
            "CREATE MATERIALIZED VIEW post_counts AS SELECT count(*) AS n FROM posts",
            "CREATE SCHEMA elsewhere",
            "CREATE TABLE elsewhere.keep_me (id integer)",
        ]);
    }
    sql
}

/// How many of `names` exist as relations or types in the connection's schema (PostgreSQL), or
/// as tables and views (the others).
async fn count_objects(db: &TestDatabase, names: &[&str]) -> i64 {
    let list = names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match db.dialect() {
        Dialect::Sqlite => format!("SELECT count(*) FROM sqlite_master WHERE name IN ({list})"),
        Dialect::Postgres => format!(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relname IN ({list})) + (SELECT count(*) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = \
             current_schema() AND t.typrelid = 0 AND t.typname IN ({list}))"
        ),
        _ => format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() \
             AND table_name IN ({list})"
        ),
    };
    scalar(db, &sql).await
}

async fn scalar(db: &TestDatabase, sql: &str) -> i64 {
    db.fetch_i64(sql).await.expect(sql)
}

/// `migrate:fresh` drops what migrations did not create (and keeps other schemas), applies
/// every migration as batch 1, and leaves exactly what `migrate` makes on an empty database.
async fn fresh_leaves_only_what_migrate_creates(db: &TestDatabase, reference: &TestDatabase) {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |url: &str, args: &[&str]| blog(dir.path(), &[args, &["--database", url]].concat());
    succeeded(&run(db.url(), &["migrate", "--limit", "4"]));
    succeeded(&run(db.url(), &["migrate"]));
    let extra = extra_objects(db.dialect());
    for sql in &extra {
        db.driver().execute(sql).await.expect(sql);
    }
    let names = ["admins", "mood", "loose_numbers", "post_counts"];
    let before = count_objects(db, &names).await;
    assert_eq!(before, extra.len().min(4) as i64);

    let out = succeeded(&run(db.url(), &["migrate:fresh", "--pretend"]));
    assert!(
        out.contains("Drop every object of the schema:") && out.contains("admins"),
        "{out}"
    );
    assert!(
        out.contains(&format!("Pretend: {TOTAL} migrations, nothing was run.")),
        "every migration, as on an empty schema: {out}"
    );
    assert_eq!(
        count_objects(db, &names).await,
        before,
        "pretend drops nothing"
    );

    let out = succeeded(&run(db.url(), &["migrate:fresh"]));
    assert!(
        out.contains("Dropped ") && out.contains(" objects of the schema: "),
        "{out}"
    );
    assert!(
        out.contains(&format!("Applied {TOTAL} migrations in")) && out.contains("(batch 1)."),
        "{out}"
    );
    assert_eq!(count_objects(db, &names).await, 0, "{out}");
    if db.dialect() == Dialect::Postgres {
        let kept = scalar(
            db,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'elsewhere' AND tablename = 'keep_me'",
        )
        .await;
        assert_eq!(kept, 1, "other schemas are never touched");
    }
    succeeded(&run(reference.url(), &["migrate"]));
    let fresh: SchemaSnapshot = db.driver().introspect().await.expect("introspect");
    let migrated = reference.driver().introspect().await.expect("introspect");
    assert_eq!(fresh, migrated, "fresh leaves what migrate creates");
    let status = succeeded(&run(db.url(), &["migrate:status"]));
    assert!(
        status.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{status}"
    );
}

/// `migrate:check` and `migrate:status --json / --pending` as the ledger goes from empty to
/// applied to tampered with.
async fn check_and_json(db: &TestDatabase) {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| blog(dir.path(), &[args, &["--database", db.url()]].concat());
    let (out, _) = exited(&run(&["migrate:check"]), 1);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("pending  m_")).count(),
        TOTAL,
        "{out}"
    );
    assert!(
        out.ends_with(&format!("{TOTAL} problems found.\n")),
        "{out}"
    );
    let (json, _) = exited(&run(&["migrate:status", "--json", "--pending"]), 1);
    let items = parse(&json);
    assert_eq!(items.len(), TOTAL);
    assert_eq!(items[0]["id"], USERS);
    assert_eq!(items[0]["state"], "pending");
    assert!(items[0]["batch"].is_null() && items[0]["applied_at"].is_null());
    assert!(
        items[0]["checksum"]
            .as_str()
            .unwrap_or("")
            .starts_with("sha256:")
    );

    succeeded(&run(&["migrate"]));
    let (out, _) = exited(&run(&["migrate:check"]), 0);
    assert_eq!(
        out,
        format!(
            "Not checked for drift (named by raw SQL in a migration): posts, users.\n\
             No problems: {TOTAL} migrations applied, none pending.\n"
        ),
        "no false drift after the blog's changes, renames and dropped keys"
    );
    let (json, _) = exited(&run(&["migrate:status", "--json", "--pending"]), 0);
    for item in parse(&json) {
        assert_eq!(item["state"], "applied", "{item}");
        assert_eq!(item["batch"], 1, "{item}");
        let at = item["applied_at"].as_str().expect("applied_at");
        assert!(
            at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(at).is_ok(),
            "{at}"
        );
        assert!(item.get("recorded_checksum").is_none(), "{item}");
    }

    // A column added by hand is drift; a table no migration mentions is only with --all-tables.
    for sql in [
        "ALTER TABLE tags ADD COLUMN colour VARCHAR(20)",
        "CREATE TABLE notes_by_hand (id INTEGER PRIMARY KEY)",
    ] {
        db.driver().execute(sql).await.expect(sql);
    }
    let (out, _) = exited(&run(&["migrate:check"]), 1);
    assert!(
        out.contains("drift    + tags: column colour string(20) NULL\n")
            && !out.contains("notes_by_hand")
            && out.ends_with("1 problem found.\n"),
        "{out}"
    );
    let (out, _) = exited(&run(&["migrate:check", "--all-tables"]), 1);
    assert!(
        out.contains("drift    + notes_by_hand: table (id)\n")
            && out.ends_with("2 problems found.\n"),
        "{out}"
    );
    // Someone edited a migration after it ran, and a row names a migration this binary lacks.
    let tamper = [
        format!(
            "UPDATE orm_migrations SET checksum = 'sha256:{}' WHERE id = '{SLUGS}'",
            "0".repeat(64)
        ),
        "INSERT INTO orm_migrations (id, checksum, batch, applied_at, execution_ms) SELECT \
         'm_20991231000000_from_the_future', checksum, batch, applied_at, execution_ms FROM orm_migrations \
         WHERE id = 'm_20241201000000_create_users_table'"
            .to_owned(),
    ];
    for sql in &tamper {
        db.driver().execute(sql).await.expect(sql);
    }
    let (out, _) = exited(&run(&["migrate:check"]), 1);
    assert!(
        out.contains(&format!(
            "changed  {SLUGS}: its code changed since it was applied"
        )) && out.contains("missing  m_20991231000000_from_the_future: applied, but this binary")
            && out.contains(
                "Drift not checked: migration m_20991231000000_from_the_future is \
                             applied but missing from this binary."
            )
            && out.ends_with("2 problems found.\n"),
        "{out}"
    );
    let (json, _) = exited(&run(&["migrate:status", "--json"]), 0);
    let items = parse(&json);
    let changed = items.iter().find(|i| i["id"] == SLUGS).expect("changed");
    assert_eq!(changed["state"], "changed");
    assert_eq!(
        changed["recorded_checksum"],
        format!("sha256:{}", "0".repeat(64))
    );
    assert_ne!(changed["checksum"], changed["recorded_checksum"]);
    let missing = items.last().expect("missing");
    assert_eq!(missing["state"], "missing");
    assert_eq!(
        missing["checksum"], items[0]["checksum"],
        "the recorded one"
    );
}

fn parse(json: &str) -> Vec<Value> {
    match serde_json::from_str(json) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON array: {other:?}\n{json}"),
    }
}

async fn workflow_on(db: TestDatabase, reference: TestDatabase, again: TestDatabase) {
    fresh_leaves_only_what_migrate_creates(&db, &reference).await;
    check_and_json(&again).await;
    for db in [db, reference, again] {
        db.cleanup().await.expect("cleanup");
    }
}

#[tokio::test]
async fn workflow_on_sqlite() {
    let open = || async { TestDatabase::sqlite().await.expect("sqlite") };
    workflow_on(open().await, open().await, open().await).await;
}

async fn workflow_on_server(var: &str) {
    let Ok(server) = std::env::var(var) else {
        eprintln!("{var} is not set: skipping this server-backed test");
        return;
    };
    let open = || async {
        TestDatabase::on_server(&server)
            .await
            .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"))
    };
    workflow_on(open().await, open().await, open().await).await;
}

#[tokio::test]
async fn workflow_on_postgres() {
    workflow_on_server(POSTGRES_URL_VAR).await;
}

#[tokio::test]
async fn workflow_on_mysql() {
    workflow_on_server(MYSQL_URL_VAR).await;
}

#[test]
fn a_connection_error_is_a_failure_that_says_so_and_hides_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = "postgres://app:hunter2@127.0.0.1:1/nowhere";
    let (_, err) = exited(&blog(dir.path(), &["migrate:check", "--database", url]), 1);
    assert!(
        err.contains("could not connect") || err.contains("connect"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("postgres://app:***@127.0.0.1:1/nowhere"),
        "{err}"
    );
}

/// In production, destructive commands need `--force` (there is no terminal to ask on here),
/// and change nothing without it; others run as usual.
#[test]
fn production_needs_force_for_what_destroys_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("prod.db").display());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        blog_with(
            dir.path(),
            &[args, &["--database", &database]].concat(),
            env,
        )
    };
    let production = [("APP_ENV", "production")];
    succeeded(&run(&["migrate"], &production));
    for args in [
        &["migrate:rollback"][..],
        &["migrate:reset"],
        &["migrate:refresh"],
        &["migrate:fresh"],
        &["migrate:down", USERS],
    ] {
        for env in [&production[..], &[("ORMED_ENV", "Production")]] {
            let (out, err) = exited(&run(args, env), 1);
            assert_eq!(out, "", "{args:?}");
            assert!(
                err.contains(&format!("refusing to run {} in production", args[0]))
                    && err.contains("--force")
                    && err.contains("there is no terminal to ask on"),
                "{args:?}: {err}"
            );
        }
    }
    let status = succeeded(&run(&["migrate:status"], &production));
    assert!(
        status.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{status}"
    );
    succeeded(&run(&["migrate:rollback", "--pretend"], &production));
    let out = succeeded(&run(&["migrate:reset", "--force"], &production));
    assert!(
        out.contains(&format!("Rolled back {TOTAL} migrations")),
        "{out}"
    );
    succeeded(&run(&["migrate:reset"], &[("APP_ENV", "staging")]));
}

/// The URL comes from `--database`, else `--connection`, else `DATABASE_URL` (environment, then
/// `.env`), else `ormed.toml`'s default connection; stderr says which, password masked.
#[test]
fn the_database_comes_from_flags_env_dotenv_and_ormed_toml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| dir.path().join(name);
    let exists = |name: &str| at(name).exists();
    std::fs::write(
        at("ormed.toml"),
        "default = \"main\"\n[connections.main]\nurl = \"sqlite://main.db\"\n\
         [connections.reports]\nurl = \"sqlite://reports.db\"\ntable = \"report_migrations\"\n\
         [connections.remote]\nurl = \"postgres://app:hunter2@127.0.0.1:1/app\"\n",
    )
    .expect("ormed.toml");
    let (_, err) = exited(&blog(dir.path(), &["migrate"]), 0);
    assert!(
        err.contains("Database: sqlite://main.db (from ormed.toml, connection main)"),
        "{err}"
    );
    assert!(exists("main.db"));

    let (_, err) = exited(
        &blog(dir.path(), &["migrate", "--connection", "reports"]),
        0,
    );
    assert!(
        err.contains("(from ormed.toml, connection reports)"),
        "{err}"
    );
    let tables = succeeded(&blog_with(
        dir.path(),
        &[
            "migrate:status",
            "--connection",
            "reports",
            "--table",
            "report_migrations",
        ],
        &[],
    ));
    assert!(
        tables.contains(&format!("{TOTAL} applied")),
        "its own ledger table: {tables}"
    );
    let default_table = succeeded(&blog(
        dir.path(),
        &[
            "migrate:status",
            "--connection",
            "reports",
            "--table",
            "orm_migrations",
        ],
    ));
    assert!(
        default_table.contains(&format!("0 applied, {TOTAL} pending.")),
        "{default_table}"
    );

    let (_, err) = exited(
        &blog(dir.path(), &["migrate:status", "--connection", "remote"]),
        1,
    );
    assert!(
        err.contains("postgres://app:***@127.0.0.1:1/app") && !err.contains("hunter2"),
        "{err}"
    );
    let (_, err) = exited(&blog(dir.path(), &["migrate", "--connection", "nope"]), 1);
    assert!(
        err.contains("no connection named `nope`: it has main, remote, reports"),
        "{err}"
    );

    std::fs::write(
        at(".env"),
        "# local settings\nDATABASE_URL=sqlite://dotenv.db\n",
    )
    .expect(".env");
    let (_, err) = exited(&blog(dir.path(), &["migrate"]), 0);
    assert!(
        err.contains("Database: sqlite://dotenv.db (from DATABASE_URL in .env)"),
        "{err}"
    );
    assert!(exists("dotenv.db"));
    let (_, err) = exited(
        &blog_with(
            dir.path(),
            &["migrate"],
            &[("DATABASE_URL", "sqlite://env.db")],
        ),
        0,
    );
    assert!(err.contains("(from DATABASE_URL)"), "{err}");
    assert!(exists("env.db"));
    let (_, err) = exited(
        &blog(dir.path(), &["migrate", "--database", "sqlite://flag.db"]),
        0,
    );
    assert!(err.contains("(from --database)"), "{err}");

    std::fs::write(
        at(".env"),
        "DATABASE_URL='sqlite://x.db\nPASSWORD=hunter2\n",
    )
    .expect(".env");
    let (_, err) = exited(&blog(dir.path(), &["migrate:status"]), 1);
    assert!(
        err.contains(".env: cannot be parsed") && !err.contains("hunter2"),
        "{err}"
    );
    std::fs::write(at("ormed.toml"), "default = \"x\"\n").expect("ormed.toml");
    std::fs::remove_file(at(".env")).expect("remove .env");
    let (_, err) = exited(&blog(dir.path(), &["migrate:status"]), 1);
    assert!(
        err.contains("ormed.toml: no connection named `x`: it has none"),
        "{err}"
    );
}

/// `--quiet` leaves only results; `--no-color` and `NO_COLOR` keep colour off even on a
/// terminal (a pseudo-terminal from `script`, where it is available).
#[test]
fn quiet_and_colour() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("q.db").display());
    let (out, err) = exited(
        &blog(dir.path(), &["migrate", "-q", "--database", &database]),
        0,
    );
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    let (out, _) = exited(
        &blog(
            dir.path(),
            &["migrate:status", "--quiet", "--database", &database],
        ),
        0,
    );
    assert!(
        out.contains(&format!("{TOTAL} applied")),
        "results stay: {out}"
    );
    assert!(!out.contains('\x1b'), "no colour off a terminal: {out}");

    // `script` runs the command on a pseudo-terminal.
    let on_terminal = |extra: &str, no_color: Option<&str>| {
        let command = format!(
            "{} migrate:status --database {database} {extra}",
            env!("CARGO_BIN_EXE_blog")
        );
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        if let Some(value) = no_color {
            script.env("NO_COLOR", value);
        }
        script
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let Ok(coloured) = on_terminal("", None) else {
        eprintln!("`script` is not available: skipping the terminal half of this test");
        return;
    };
    assert!(coloured.contains("\x1b[32mApplied"), "{coloured:?}");
    let flag = on_terminal("--no-color", None).expect("script");
    assert!(
        flag.contains("Applied") && !flag.contains('\x1b'),
        "{flag:?}"
    );
    let variable = on_terminal("", Some("1")).expect("script");
    assert!(
        variable.contains("Applied") && !variable.contains('\x1b'),
        "{variable:?}"
    );
}

/// `make:migration` guesses the template from the name, or takes `--table`.
#[test]
fn make_migration_writes_change_templates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("m");
    let make = |args: &[&str]| {
        let path = folder.to_str().expect("utf-8 path");
        succeeded(&blog(
            dir.path(),
            &[&["make:migration"], args, &["--path", path]].concat(),
        ))
    };
    let read = |out: &str| {
        let path = out
            .strip_prefix("Created migration ")
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a path");
        std::fs::read_to_string(Path::new(path)).expect("the file")
    };
    let source = read(&make(&["add_avatar_to_users"]));
    assert!(
        source.contains("schema.table(\"users\", |t| {")
            && source.contains("t.string(\"avatar\").nullable();")
            && !source.contains("fn down"),
        "{source}"
    );
    let source = read(&make(&["tune_posts", "--table", "posts"]));
    assert!(source.contains("schema.table(\"posts\", |t| {"), "{source}");
    let source = read(&make(&["create_widgets_table"]));
    assert!(
        source.contains("schema.create(\"widgets\"") && !source.contains("fn down"),
        "{source}"
    );
    let clash = blog(
        dir.path(),
        &["make:migration", "x", "--create", "a", "--table", "b"],
    );
    assert_eq!(clash.status.code(), Some(2), "{}", stderr(&clash));
}

/// `migrate:refresh --pretend` prints the rollback's SQL and changes nothing; `migrate
/// --refuse-ahead` refuses a database that a newer release migrated, where plain `migrate`
/// warns and has nothing to do.
#[test]
fn refresh_pretend_and_refuse_ahead() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("r.db").display());
    let run = |args: &[&str]| blog(dir.path(), &[args, &["--database", &database]].concat());
    succeeded(&run(&["migrate"]));
    let out = succeeded(&run(&["migrate:refresh", "--pretend"]));
    assert!(
        out.contains("DROP TABLE")
            && out.contains("Then every migration that is pending afterwards is applied."),
        "{out}"
    );
    let status = succeeded(&run(&["migrate:status"]));
    assert!(
        status.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{status}"
    );

    // A newer release applied a migration this binary does not have.
    let newer = "INSERT INTO orm_migrations (id, checksum, batch, applied_at, execution_ms) \
                 SELECT 'm_20991231000000_from_a_newer_release', checksum, 2, applied_at, 0 \
                 FROM orm_migrations WHERE id = 'm_20241201000000_create_users_table'";
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let driver = ormed_migrate::Driver::connect(&database)
            .await
            .expect("connect");
        driver.execute(newer).await.expect("insert");
        driver.close().await;
    });
    let (out, err) = exited(&run(&["migrate"]), 0);
    assert!(out.contains("Nothing to migrate."), "{out}");
    assert!(
        err.contains("warning: ") && err.contains("m_20991231000000_from_a_newer_release"),
        "{err}"
    );
    let (_, err) = exited(&run(&["migrate", "--refuse-ahead"]), 1);
    assert!(
        err.contains("the database is ahead of this binary"),
        "{err}"
    );
}

/// On a terminal the production guard asks; `y` runs the command, anything else refuses it.
#[test]
fn production_asks_on_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("ask.db").display());
    succeeded(&blog(dir.path(), &["migrate", "--database", &database]));
    let answer = |reply: &str| {
        let command = format!(
            "{} migrate:rollback --database {database}",
            env!("CARGO_BIN_EXE_blog")
        );
        let mut child = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .env("APP_ENV", "production")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .ok()?;
        use std::io::Write as _;
        let mut stdin = child.stdin.take()?;
        // The prompt is read from the pseudo-terminal, which script feeds from our stdin.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let _ = stdin.write_all(reply.as_bytes());
        drop(stdin);
        let output = child.wait_with_output().ok()?;
        Some(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let Some(refused) = answer("n\n") else {
        eprintln!("`script` is not available: skipping this test");
        return;
    };
    assert!(
        refused.contains(
            "APP_ENV is production: migrate:rollback rolls back the last batch. Run it? [y/N]"
        ) && refused.contains("(the answer was not yes)"),
        "{refused:?}"
    );
    let status = succeeded(&blog(
        dir.path(),
        &["migrate:status", "--database", &database],
    ));
    assert!(status.contains(&format!("{TOTAL} applied")), "{status}");
    let confirmed = answer("y\n").expect("script");
    assert!(
        confirmed.contains(&format!("Rolled back {TOTAL} migrations")),
        "{confirmed:?}"
    );
}

/// A migration pending below the newest applied one: `migrate` warns and applies it,
/// `migrate --strict-order` refuses and runs nothing.
#[test]
fn strict_order_refuses_an_older_pending_migration() {
    const AVATAR: &str = "m_20241201000600_add_avatar_to_users_table";
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("o.db").display());
    let run = |args: &[&str]| blog(dir.path(), &[args, &["--database", &database]].concat());
    succeeded(&run(&["migrate"]));
    succeeded(&run(&["migrate:down", AVATAR]));
    let (_, err) = exited(&run(&["migrate", "--strict-order"]), 1);
    assert!(
        err.contains(&format!(
            "migration {AVATAR} is pending but older than the newest applied"
        )) && err.contains("strict order is on, so nothing was run"),
        "{err}"
    );
    let (out, err) = exited(&run(&["migrate"]), 0);
    assert!(err.contains("warning: ") && err.contains(AVATAR), "{err}");
    assert!(
        out.contains(&format!("{AVATAR} ")) && out.contains("Applied 1 migration"),
        "{out}"
    );
}
