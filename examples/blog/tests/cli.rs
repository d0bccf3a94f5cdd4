//! The blog's CLI as a process: `migrate`, `migrate:status`, `migrate:rollback` on SQLite always,
//! and on PostgreSQL and MariaDB when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set.

mod common;

use std::path::Path;
use std::process::Command;

use common::{TOTAL, blog, stderr, stdout, succeeded};
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};

/// migrate, status, rollback, status: the whole cycle against `url`.
fn migrate_status_rollback(url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = ["--database", url];
    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate", "--pretend"][..], &database].concat(),
    ));
    assert!(out.contains("CREATE TABLE"), "{out}");
    assert!(
        out.contains(&format!("Pretend: {TOTAL} migrations, nothing was run.")),
        "{out}"
    );

    let out = succeeded(&blog(dir.path(), &[&["migrate"][..], &database].concat()));
    assert!(
        out.contains("m_20241201000000_create_users_table ....") && out.contains(" ms DONE\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("Applied {TOTAL} migrations in")),
        "{out}"
    );

    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate:status"][..], &database].concat(),
    ));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("Applied ")).count(),
        TOTAL,
        "{out}"
    );
    assert!(
        out.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{out}"
    );

    let out = succeeded(&blog(dir.path(), &[&["migrate"][..], &database].concat()));
    assert!(out.contains("Nothing to migrate."), "{out}");

    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate:rollback"][..], &database].concat(),
    ));
    assert!(
        out.contains(&format!("Rolled back {TOTAL} migrations in")),
        "{out}"
    );
    let first = out.find("seed_admin_user").expect("seed rolled back");
    let last = out.find("create_users_table").expect("users rolled back");
    assert!(first < last, "reverse order: {out}");

    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate:status"][..], &database].concat(),
    ));
    assert!(
        out.contains(&format!("0 applied, {TOTAL} pending.")),
        "{out}"
    );

    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate", "--limit", "1"][..], &database].concat(),
    ));
    assert!(out.contains("Applied 1 migration in"), "{out}");
    let out = succeeded(&blog(
        dir.path(),
        &[&["migrate:rollback", "--step", "1"][..], &database].concat(),
    ));
    assert!(out.contains("Rolled back 1 migration in"), "{out}");
    reset_refresh_install(dir.path(), &database);
}

/// `migrate:install`, `migrate:refresh [--step N]` and `migrate:reset [--pretend]` on an empty
/// database (the ledger table may be there already).
fn reset_refresh_install(dir: &Path, database: &[&str]) {
    let run = |args: &[&str]| succeeded(&blog(dir, &[args, database].concat()));
    let status = || run(&["migrate:status"]);
    assert!(
        run(&["migrate:install"]).contains("The migration ledger table orm_migrations is ready.")
    );
    assert!(status().contains(&format!("0 applied, {TOTAL} pending.")));

    run(&["migrate", "--limit", "3"]);
    run(&["migrate"]);
    // The last batch (all but the first three) rolled back and applied again.
    let out = run(&["migrate:refresh", "--step", "1"]);
    let again = TOTAL - 3;
    assert!(
        out.contains(&format!("Rolled back {again} migrations in"))
            && out.contains(&format!("Applied {again} migrations in")),
        "{out}"
    );
    let out = run(&["migrate:refresh"]);
    assert!(
        out.contains(&format!("Rolled back {TOTAL} migrations in"))
            && out.contains(&format!("Applied {TOTAL} migrations in")),
        "{out}"
    );
    assert!(status().contains(&format!("{TOTAL} applied, 0 pending.")));

    let out = run(&["migrate:reset", "--pretend"]);
    assert!(
        out.contains("DROP TABLE")
            && out.contains(&format!("Pretend: {TOTAL} migrations, nothing was run.")),
        "{out}"
    );
    assert!(
        status().contains(&format!("{TOTAL} applied, 0 pending.")),
        "pretend ran nothing"
    );
    let out = run(&["migrate:reset"]);
    assert!(
        out.contains(&format!("Rolled back {TOTAL} migrations in")),
        "{out}"
    );
    assert!(status().contains(&format!("0 applied, {TOTAL} pending.")));
    assert!(run(&["migrate:reset"]).contains("Nothing to roll back."));
    up_and_down(dir, database);
}

/// `migrate:up <id>` and `migrate:down <id>`: one migration each, `--pretend` running nothing,
/// and the refusals that name the migration.
fn up_and_down(dir: &Path, database: &[&str]) {
    const USERS: &str = "m_20241201000000_create_users_table";
    let run = |args: &[&str]| blog(dir, &[args, database].concat());
    let out = succeeded(&run(&["migrate:up", USERS, "--pretend"]));
    assert!(
        out.contains("CREATE TABLE") && out.contains("users"),
        "{out}"
    );
    let out = succeeded(&run(&["migrate:up", USERS]));
    assert!(out.contains("Applied 1 migration in"), "{out}");
    let status = succeeded(&run(&["migrate:status"]));
    assert!(has_line(&status, "Applied", USERS), "{status}");
    assert!(
        status.contains(&format!("1 applied, {} pending.", TOTAL - 1)),
        "{status}"
    );

    let again = run(&["migrate:up", USERS]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("has already been applied"),
        "{}",
        stderr(&again)
    );
    let unknown = run(&["migrate:up", "m_20991231000000_nothing_here"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", stderr(&unknown));

    let out = succeeded(&run(&["migrate:down", USERS, "--pretend"]));
    assert!(out.contains("DROP TABLE"), "{out}");
    let out = succeeded(&run(&["migrate:down", USERS]));
    assert!(out.contains("Rolled back 1 migration in"), "{out}");
    let status = succeeded(&run(&["migrate:status"]));
    assert!(
        status.contains(&format!("0 applied, {TOTAL} pending.")),
        "{status}"
    );
    let not_applied = run(&["migrate:down", USERS]);
    assert_eq!(
        not_applied.status.code(),
        Some(1),
        "{}",
        stderr(&not_applied)
    );
}

/// Several processes race `migrate` on one database: the lock lets exactly one apply the
/// migrations; the others wait, re-read the ledger and find nothing to do.
fn racing_processes_migrate_once(url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_blog"))
                .args(["migrate", "--database", url])
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|child| succeeded(&child.wait_with_output().expect("wait")))
        .collect();
    let applied = outputs
        .iter()
        .filter(|o| o.contains(&format!("Applied {TOTAL} migrations")))
        .count();
    let idle = outputs
        .iter()
        .filter(|o| o.contains("Nothing to migrate."))
        .count();
    assert_eq!((applied, idle), (1, 3), "{outputs:#?}");
    let out = succeeded(&blog(dir.path(), &["migrate:status", "--database", url]));
    assert!(
        out.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{out}"
    );
}

const SEED: &str = "m_20241201000200_seed_admin_user";

/// A status table line for `id` in `state`.
fn has_line(status: &str, state: &str, id: &str) -> bool {
    status
        .lines()
        .any(|line| line.starts_with(state) && line.contains(id))
}

/// Blocks writes to `users` from another session until dropped, so that the seed migration
/// hangs inside its transaction and can be killed there.
async fn block_users(db: &TestDatabase) -> Blocker {
    let driver = db.driver();
    if let Some(pool) = driver.postgres_pool() {
        let mut tx = pool.begin().await.expect("begin");
        sqlx::raw_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .expect("lock users");
        Blocker::Postgres(tx)
    } else if let Some(pool) = driver.mysql_pool() {
        let mut connection = pool.acquire().await.expect("connection");
        sqlx::raw_sql("LOCK TABLES users WRITE")
            .execute(&mut *connection)
            .await
            .expect("lock users");
        Blocker::MySql(connection)
    } else {
        let pool = driver.sqlite_pool().expect("sqlite");
        let mut connection = pool.acquire().await.expect("connection");
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut *connection)
            .await
            .expect("write lock");
        Blocker::Sqlite(connection)
    }
}

enum Blocker {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
}

impl Blocker {
    async fn release(self) {
        match self {
            Blocker::Postgres(tx) => tx.rollback().await.expect("unlock"),
            Blocker::MySql(mut connection) => {
                // The killed runner's INSERT is still queued on the server behind the table
                // lock; end it as an operator would, so it cannot run once the lock is gone.
                let waiting: Vec<i64> = sqlx::query_scalar(
                    "SELECT id FROM information_schema.processlist \
                     WHERE db = DATABASE() AND info LIKE 'INSERT INTO users%'",
                )
                .fetch_all(&mut *connection)
                .await
                .expect("processlist");
                for id in waiting {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("KILL {id}")))
                        .execute(&mut *connection)
                        .await;
                }
                sqlx::raw_sql("UNLOCK TABLES")
                    .execute(&mut *connection)
                    .await
                    .expect("unlock");
            }
            Blocker::Sqlite(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut *connection)
                    .await
                    .expect("unlock");
            }
        }
    }
}

/// A runner killed in the middle of a migration: the ledger and the schema still agree, and
/// the lock does not outlive the process. On SQLite and PostgreSQL the migration's transaction
/// dies with it; on MySQL the ledger's failure mark, set before the statements ran, says so.
fn killed_runner_leaves_a_consistent_database(
    db: &TestDatabase,
    runtime: &tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = db.url();
    succeeded(&blog(
        dir.path(),
        &["migrate", "--limit", "2", "--database", url],
    ));
    let blocker = runtime.block_on(block_users(db));
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog"))
        .args(["migrate", "--database", url])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the seed migration is blocked"
    );
    child.kill().expect("kill");
    child.wait().expect("reap");
    runtime.block_on(blocker.release());

    let status = status_once_the_server_buried_the_runner(dir.path(), url);
    if url.starts_with("mysql:") {
        assert!(has_line(&status, "Failed", SEED), "{status}");
        let refused = blog(dir.path(), &["migrate", "--database", url]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            stderr(&refused).contains("failed part way"),
            "{}",
            stderr(&refused)
        );
        succeeded(&blog(
            dir.path(),
            &["migrate:repair", SEED, "--rolled-back", "--database", url],
        ));
    } else {
        assert!(has_line(&status, "Pending", SEED), "{status}");
    }
    // The lock died with the process: the next run gets it at once and finishes the job.
    let out = succeeded(&blog(dir.path(), &["migrate", "--database", url]));
    assert!(
        out.contains(&format!("Applied {} migrations in", TOTAL - 2)),
        "{out}"
    );
    let status = succeeded(&blog(dir.path(), &["migrate:status", "--database", url]));
    assert!(
        status.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{status}"
    );
}

/// `migrate:status` once the server has noticed that the killed runner's connections are
/// gone. MySQL frees a dead client's `GET_LOCK` only when its thread reads the closed socket,
/// a moment after the kill; until then status truthfully reports a running migration.
fn status_once_the_server_buried_the_runner(dir: &Path, url: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let status = succeeded(&blog(dir, &["migrate:status", "--database", url]));
        if !status.contains("Running (") || std::time::Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("{var} is not set: skipping this server-backed test");
            None
        }
    }
}

fn on_server(var: &str) {
    let Some(server) = server_url(var) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime
        .block_on(TestDatabase::on_server(&server))
        .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"));
    migrate_status_rollback(db.url());
    runtime.block_on(db.cleanup()).expect("cleanup");
    let db = runtime
        .block_on(TestDatabase::on_server(&server))
        .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"));
    racing_processes_migrate_once(db.url());
    runtime.block_on(db.cleanup()).expect("cleanup");
    let db = runtime
        .block_on(TestDatabase::on_server(&server))
        .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}"));
    killed_runner_leaves_a_consistent_database(&db, &runtime);
    runtime.block_on(db.cleanup()).expect("cleanup");
}

#[test]
fn cycle_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("blog.db").display());
    migrate_status_rollback(&url);
}

#[test]
fn killed_runner_on_sqlite() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime.block_on(TestDatabase::sqlite()).expect("sqlite");
    killed_runner_leaves_a_consistent_database(&db, &runtime);
    runtime.block_on(db.cleanup()).expect("cleanup");
}

#[test]
fn racing_processes_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    racing_processes_migrate_once(&format!(
        "sqlite://{}",
        dir.path().join("race.db").display()
    ));
}

/// `migrate --grouped`: every migration in one batch and one transaction, the progress lines
/// printed after the commit; with `--step` a usage error.
#[test]
fn grouped_migrate_commits_one_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("blog.db").display());
    let out = succeeded(&blog(
        dir.path(),
        &["migrate", "--grouped", "--database", &url],
    ));
    assert!(
        out.contains(&format!("Applied {TOTAL} migrations in"))
            && out.contains("committed together, in one transaction"),
        "{out}"
    );
    let status = succeeded(&blog(dir.path(), &["migrate:status", "--database", &url]));
    let batches: Vec<&str> = status
        .lines()
        .filter(|line| line.starts_with("Applied"))
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    assert_eq!(batches, vec!["1"; TOTAL], "{status}");
    let usage = blog(dir.path(), &["migrate", "--grouped", "--step"]);
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
}

/// MySQL commits each DDL statement on its own: `--grouped` is refused there, exit 1, before
/// anything is written.
#[test]
fn grouped_migrate_is_refused_on_mysql() {
    let Some(server) = server_url(MYSQL_URL_VAR) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime
        .block_on(TestDatabase::on_server(&server))
        .expect("a MySQL test database");
    let dir = tempfile::tempdir().expect("temp dir");
    let refused = blog(
        dir.path(),
        &["migrate", "--grouped", "--database", db.url()],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("without --grouped"),
        "{}",
        stderr(&refused)
    );
    let status = succeeded(&blog(
        dir.path(),
        &["migrate:status", "--database", db.url()],
    ));
    assert!(
        status.contains(&format!("0 applied, {TOTAL} pending.")),
        "{status}"
    );
    runtime.block_on(db.cleanup()).expect("cleanup");
}

#[test]
fn cycle_on_postgres() {
    on_server(POSTGRES_URL_VAR);
}

#[test]
fn cycle_on_mysql() {
    on_server(MYSQL_URL_VAR);
}

#[test]
fn default_database_is_app_name_db_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = succeeded(&blog(dir.path(), &["migrate"]));
    assert!(
        out.contains(&format!("Applied {TOTAL} migrations")),
        "{out}"
    );
    assert!(dir.path().join("blog.db").exists());
}

#[test]
fn database_url_comes_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("env.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_blog"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    assert!(succeeded(&output).contains(&format!("Applied {TOTAL} migrations")));
    assert!(dir.path().join("env.db").exists());
    assert!(!dir.path().join("blog.db").exists());
}

#[test]
fn errors_exit_non_zero_and_hide_passwords() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = blog(
        dir.path(),
        &["migrate", "--database", "oracle://scott:tiger@db/x"],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("unsupported database URL `oracle://scott:***@db/x`"),
        "{err}"
    );
    assert!(!err.contains("tiger"));

    let output = blog(
        dir.path(),
        &[
            "migrate",
            "--database",
            "postgres://u:hunter2@127.0.0.1:1/x",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("could not connect to postgres://u:***@127.0.0.1:1/x"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));

    let output = blog(dir.path(), &["migrate:rollback", "--step", "many"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "usage errors exit 2 as clap does"
    );
}

#[test]
fn read_only_commands_never_create_the_database_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = succeeded(&blog(dir.path(), &["migrate:status"]));
    assert!(
        out.contains(&format!("0 applied, {TOTAL} pending.")),
        "{out}"
    );
    let out = succeeded(&blog(dir.path(), &["migrate", "--pretend"]));
    assert!(out.contains("CREATE TABLE"), "{out}");
    succeeded(&blog(dir.path(), &["migrate:repair"]));
    assert!(!dir.path().join("blog.db").exists());
}

#[test]
fn rolling_back_an_unapplied_database_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = succeeded(&blog(dir.path(), &["migrate:rollback"]));
    assert!(out.contains("Nothing to roll back."), "{out}");
}

#[test]
fn make_migration_writes_a_file_named_after_a_fresh_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("migrations");
    let folder_arg = folder.display().to_string();
    let out = succeeded(&blog(
        dir.path(),
        &[
            "make:migration",
            "create_comments_table",
            "--path",
            &folder_arg,
        ],
    ));
    assert!(out.starts_with("Created migration "), "{out}");
    let files: Vec<String> = std::fs::read_dir(&folder)
        .expect("folder created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1);
    let name = &files[0];
    assert!(
        name.starts_with("m_") && name.ends_with("_create_comments_table.rs"),
        "{name}"
    );
    let source = std::fs::read_to_string(folder.join(name)).expect("read");
    let id = name.trim_end_matches(".rs");
    assert!(
        source.contains(&format!("#[migration(\"{id}\")]")),
        "{source}"
    );
    assert!(source.contains("schema.create(\"comments\""), "{source}");

    // "Bad Name" is converted to bad_name now; a dot still makes no slug.
    let output = blog(
        dir.path(),
        &["make:migration", "Bad.Name", "--path", &folder_arg],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("invalid migration id")
            && stderr(&output).contains("the slug `bad.name` contains '.'"),
        "{}",
        stderr(&output)
    );
}

/// The one migration file in `folder` whose name ends with `_<slug>.rs` and is not `except`.
fn new_file(folder: &Path, slug: &str, except: &[&Path]) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(folder)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(&format!("_{slug}.rs")))
        .filter(|p| !except.contains(&p.as_path()))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn make_migration_converts_camel_case_kebab_case_and_spaces() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("migrations");
    let folder_arg = folder.display().to_string();
    let mut written: Vec<std::path::PathBuf> = Vec::new();
    for (name, slug) in [
        ("CreateCommentsTable", "create_comments_table"),
        ("add-tags-to-posts", "add_tags_to_posts"),
        ("Backfill Post Slugs", "backfill_post_slugs"),
    ] {
        let out = succeeded(&blog(
            dir.path(),
            &["make:migration", name, "--path", &folder_arg],
        ));
        let except: Vec<&Path> = written.iter().map(|p| p.as_path()).collect();
        let file = new_file(&folder, slug, &except);
        assert_eq!(
            out,
            format!(
                "Created migration {} (named {slug}, from `{name}`)\n",
                file.display()
            )
        );
        written.push(file);
    }
    let source = std::fs::read_to_string(&written[0]).expect("read");
    assert!(
        source.contains("pub struct CreateCommentsTable;"),
        "{source}"
    );
    assert!(source.contains("schema.create(\"comments\""), "{source}");
}

#[test]
fn make_migration_refuses_a_name_that_exists_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("migrations");
    std::fs::create_dir(&folder).expect("folder");
    let folder_arg = folder.display().to_string();
    let canonical = folder.join("m_20241201000100_create_posts_table.rs");
    let legacy = folder.join("2024_11_01_000000_add_tags.rs");
    std::fs::write(&canonical, "").expect("write");
    std::fs::write(&legacy, "").expect("write");
    for (name, slug, existing) in [
        ("create_posts_table", "create_posts_table", &canonical),
        ("CreatePostsTable", "create_posts_table", &canonical),
        ("add-tags", "add_tags", &legacy),
    ] {
        let output = blog(dir.path(), &["make:migration", name, "--path", &folder_arg]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let err = stderr(&output);
        assert_eq!(
            err,
            format!(
                "error: a migration named {slug} already exists: {}; choose another name\n\
                 hint: pass --force to write a second one\n",
                existing.display()
            ),
            "{name}"
        );
    }
    assert_eq!(
        std::fs::read_dir(&folder).expect("folder").count(),
        2,
        "nothing written"
    );

    let out = succeeded(&blog(
        dir.path(),
        &[
            "make:migration",
            "create_posts_table",
            "--force",
            "--path",
            &folder_arg,
        ],
    ));
    let second = new_file(&folder, "create_posts_table", &[&canonical]);
    assert_eq!(out, format!("Created migration {}\n", second.display()));
}

#[test]
fn count_flags_take_whole_numbers_from_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limit = "--limit takes a whole number of migrations, at least 1";
    let step = "--step takes a whole number of batches, at least 1";
    let batch = "--batch takes a batch number: a whole number, at least 1";
    for (command, flag, message) in [
        ("migrate", "--limit", limit),
        ("migrate:rollback", "--step", step),
        ("migrate:rollback", "--batch", batch),
    ] {
        for value in ["0", "-1", "many"] {
            let output = blog(dir.path(), &[command, flag, value]);
            assert_eq!(output.status.code(), Some(2), "{command} {flag} {value}");
            assert_eq!(
                stderr(&output),
                format!(
                    "error: invalid value '{value}' for '{flag} <N>': {message}\n\n\
                     For more information, try '--help'.\n"
                )
            );
            assert_eq!(stdout(&output), "");
        }
    }
    assert!(!dir.path().join("blog.db").exists(), "nothing ran");
}

#[test]
fn help_and_version_name_the_application() {
    let dir = tempfile::tempdir().expect("temp dir");
    let version = env!("CARGO_PKG_VERSION");
    let help = succeeded(&blog(dir.path(), &["--help"]));
    assert!(
        help.starts_with(&format!(
            "blog {version}\n\
             Example application: a blog whose migrations live in src/migrations\n\n\
             Usage: blog [OPTIONS] <COMMAND>\n\n\
             Commands:\n  migrate           Apply every pending migration as one new batch\n"
        )),
        "{help}"
    );
    assert!(help.contains("\n  make:migration    "), "{help}");
    let out = succeeded(&blog(dir.path(), &["--version"]));
    assert_eq!(out, format!("blog {version}\n"));
    let help = succeeded(&blog(dir.path(), &["migrate:rollback", "--help"]));
    assert!(
        help.contains("Usage: blog migrate:rollback [OPTIONS]"),
        "{help}"
    );
}

#[test]
fn repair_lists_nothing_on_a_healthy_database_and_asks_how_to_resolve() {
    let dir = tempfile::tempdir().expect("temp dir");
    succeeded(&blog(dir.path(), &["migrate"]));
    let out = succeeded(&blog(dir.path(), &["migrate:repair"]));
    assert_eq!(out, "Nothing to repair.\n");
    let id = "m_20241201000200_seed_admin_user";
    let output = blog(dir.path(), &["migrate:repair", id]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(&format!("migrate:repair {id} --applied")));
    // A healthy migration has nothing to repair: forgetting it would make the ledger lie.
    let output = blog(dir.path(), &["migrate:repair", id, "--rolled-back"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("nothing to repair"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("migrate:rollback"),
        "{}",
        stderr(&output)
    );
    let out = succeeded(&blog(dir.path(), &["migrate:repair", id, "--applied"]));
    assert!(out.contains("is recorded as applied"), "{out}");
    let out = succeeded(&blog(dir.path(), &["migrate:status"]));
    assert!(
        out.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{out}"
    );
}
