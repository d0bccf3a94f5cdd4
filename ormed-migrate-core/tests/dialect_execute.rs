//! Runs the SQL of every dialect snapshot against a real database, to prove it is valid there.
//!
//! The statements come from the snapshot files written by `tests/dialect_snapshots.rs`
//! (`tests/snapshots/dialect_snapshots__*.snap`), so what a reviewer approved there is exactly
//! what runs here. Every case runs on the same scratch database after a small prelude (the
//! tables the cases refer to); a failing statement is reported with its case, its dialect and
//! the database's error, and the rest of that case is skipped.
//!
//! - SQLite always runs, in memory.
//! - PostgreSQL runs when `ORMED_TEST_POSTGRES_URL` is set (for example
//!   `postgres://root@127.0.0.1:5432/test`), in a scratch database it creates and drops.
//! - MySQL/MariaDB runs when `ORMED_TEST_MYSQL_URL` is set (for example
//!   `mysql://root@127.0.0.1:3306/test`), in a scratch database it creates and drops.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use ormed_migrate_core::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use ormed_migrate_core::{Dialect, Schema};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor};

/// The fewest snapshot cases expected; guards against silently running nothing.
const MIN_CASES: usize = 50;

/// One snapshot: its case name and the statements of each dialect's section.
#[derive(Debug)]
struct Case {
    name: String,
    sqlite: Vec<String>,
    postgres: Vec<String>,
    mysql: Vec<String>,
}

impl Case {
    fn statements(&self, dialect: Dialect) -> &[String] {
        match dialect {
            Dialect::Sqlite => &self.sqlite,
            Dialect::Postgres => &self.postgres,
            Dialect::MySql => &self.mysql,
        }
    }
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Every `dialect_snapshots__*.snap`, sorted by name.
fn load_cases() -> Vec<Case> {
    let dir = snapshot_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| {
                    name.starts_with("dialect_snapshots__") && name.ends_with(".snap")
                })
        })
        .collect();
    paths.sort();
    let cases: Vec<Case> = paths.iter().map(|path| parse_snapshot(path)).collect();
    assert!(
        cases.len() >= MIN_CASES,
        "only {} snapshot cases in {}; run the dialect_snapshots test first",
        cases.len(),
        dir.display()
    );
    cases
}

/// Splits a snapshot into its `-- sqlite`, `-- postgres` and `-- mysql` sections. Other lines
/// starting with `--` (`-- error: …`, `-- (no statements)`) are comments; a statement ends with
/// the line that ends with `;`.
fn parse_snapshot(path: &Path) -> Case {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let name = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .and_then(|stem| stem.strip_prefix("dialect_snapshots__"))
        .expect("snapshot file name")
        .to_owned();
    // The insta header is the block between the first two `---` lines.
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("{}: no insta header", path.display()));

    let mut case = Case {
        name,
        sqlite: Vec::new(),
        postgres: Vec::new(),
        mysql: Vec::new(),
    };
    let mut section: Option<Dialect> = None;
    let mut pending = String::new();
    for line in body.lines() {
        let header = match line {
            "-- sqlite" => Some(Dialect::Sqlite),
            "-- postgres" => Some(Dialect::Postgres),
            "-- mysql" => Some(Dialect::MySql),
            _ => None,
        };
        if let Some(dialect) = header {
            assert!(pending.is_empty(), "{}: unterminated statement", case.name);
            section = Some(dialect);
            continue;
        }
        if pending.is_empty() && (line.trim().is_empty() || line.starts_with("--")) {
            continue;
        }
        let dialect =
            section.unwrap_or_else(|| panic!("{}: SQL before a section header", case.name));
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line);
        if let Some(statement) = pending.strip_suffix(';') {
            let statement = statement.to_owned();
            pending.clear();
            match dialect {
                Dialect::Sqlite => case.sqlite.push(statement),
                Dialect::Postgres => case.postgres.push(statement),
                Dialect::MySql => case.mysql.push(statement),
            }
        }
    }
    assert!(pending.is_empty(), "{}: unterminated statement", case.name);
    case
}

/// The tables (and PostgreSQL schema) the cases rely on, rendered by the builder itself.
fn prelude(dialect: Dialect) -> Vec<String> {
    let mut schema = Schema::new();
    schema.raw_for(Dialect::Postgres, "CREATE SCHEMA app");
    for table in ["users", "to_drop", "to_drop_if_exists", "to_rename"] {
        schema.create(table, |t| {
            t.id();
        });
    }
    dialect.render(schema.plan()).expect("the prelude renders")
}

/// Runs the prelude and then every case; returns one report line per failing case.
async fn run_all<DB>(dialect: Dialect, pool: &sqlx::Pool<DB>) -> Vec<String>
where
    DB: sqlx::Database,
    for<'a> &'a sqlx::Pool<DB>: Executor<'a, Database = DB>,
{
    for statement in prelude(dialect) {
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(statement.as_str()))
            .execute(pool)
            .await
        {
            return vec![format!(
                "{dialect}: prelude failed\n  statement: {statement}\n  error: {error}"
            )];
        }
    }
    let mut failures = Vec::new();
    let mut executed = 0;
    let cases = load_cases();
    let case_count = cases.len();
    for case in cases {
        for statement in case.statements(dialect) {
            match sqlx::raw_sql(AssertSqlSafe(statement.as_str()))
                .execute(pool)
                .await
            {
                Ok(_) => executed += 1,
                Err(error) => {
                    failures.push(format!(
                        "case `{}` on {dialect}\n  statement: {statement}\n  error: {error}",
                        case.name
                    ));
                    break;
                }
            }
        }
    }
    assert!(executed > 0, "{dialect}: no statement ran");
    eprintln!("{dialect}: {executed} statements of {case_count} snapshot cases ran");
    failures
}

fn report(dialect: Dialect, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} statement(s) failed on {dialect}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Inserts a row into `modifier_default_str` relying on the defaults, and the query reading
/// back the three defaults whose escaping differs between databases.
fn default_round_trip_sql(dialect: Dialect) -> (String, String) {
    let q = |name: &str| dialect.quote_identifier(name).expect("valid identifier");
    let table = q("modifier_default_str");
    (
        format!("INSERT INTO {table} ({}) VALUES ('x')", q("status")),
        format!(
            "SELECT {}, {}, {} FROM {table}",
            q("quoted"),
            q("path"),
            q("both")
        ),
    )
}

/// What `modifier_default_str` declares for `quoted`, `path` and `both`.
fn expected_defaults() -> (String, String, String) {
    (
        "it's".to_owned(),
        r"C:\temp".to_owned(),
        r"O'Brien\n".to_owned(),
    )
}

/// The comments `modifier_comment` declares, by column.
const EXPECTED_COMMENTS: [(&str, &str); 3] = [
    ("id", "surrogate key"),
    ("email", "the login's e-mail"),
    ("notes", r"free text, may contain \ and '"),
];

#[test]
fn snapshots_parse_into_three_sections() {
    let cases = load_cases();
    let rename = cases
        .iter()
        .find(|case| case.name == "op_rename")
        .expect("op_rename snapshot");
    assert_eq!(
        rename.sqlite,
        [r#"ALTER TABLE "to_rename" RENAME TO "renamed""#]
    );
    assert_eq!(rename.mysql, ["RENAME TABLE `to_rename` TO `renamed`"]);
    let qualified = cases
        .iter()
        .find(|case| case.name == "schema_qualified_create")
        .expect("schema_qualified_create snapshot");
    assert!(qualified.sqlite.is_empty(), "errors are comments");
    assert!(!qualified.postgres.is_empty());
}

#[tokio::test]
async fn snapshots_execute_on_sqlite() {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .expect("sqlite options")
        .foreign_keys(true);
    // An in-memory database lives on its one connection.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .expect("in-memory SQLite");
    let failures = run_all(Dialect::Sqlite, &pool).await;
    if failures.is_empty() {
        let (insert, select) = default_round_trip_sql(Dialect::Sqlite);
        sqlx::raw_sql(AssertSqlSafe(insert))
            .execute(&pool)
            .await
            .expect("insert");
        let defaults: (String, String, String) = sqlx::query_as(AssertSqlSafe(select))
            .fetch_one(&pool)
            .await
            .expect("select");
        assert_eq!(defaults, expected_defaults(), "string defaults on SQLite");
    }
    pool.close().await;
    report(Dialect::Sqlite, &failures);
}

/// A scratch database on the server named by `var`, or `None` when the variable is not set.
/// Once it is set, a server that cannot be used fails the test instead of skipping it.
async fn scratch_database(var: &str) -> Option<TestDatabase> {
    let url = std::env::var(var).ok().filter(|url| !url.is_empty());
    let Some(url) = url else {
        eprintln!("{var} is not set; skipping");
        return None;
    };
    let database = TestDatabase::on_server(&url).await;
    Some(database.unwrap_or_else(|error| panic!("{var} is set but unusable: {error}")))
}

#[tokio::test]
async fn snapshots_execute_on_postgres() {
    let Some(db) = scratch_database(POSTGRES_URL_VAR).await else {
        return;
    };
    let pool = db.driver().postgres_pool().expect("a PostgreSQL database");
    let mut failures = run_all(Dialect::Postgres, pool).await;
    if failures.is_empty() {
        failures.extend(check_postgres_values(pool).await);
    }
    db.cleanup().await.expect("drop the scratch database");
    report(Dialect::Postgres, &failures);
}

#[tokio::test]
async fn snapshots_execute_on_mysql() {
    let Some(db) = scratch_database(MYSQL_URL_VAR).await else {
        return;
    };
    let pool = db.driver().mysql_pool().expect("a MySQL database");
    let mut failures = run_all(Dialect::MySql, pool).await;
    if failures.is_empty() {
        failures.extend(check_mysql_values(pool).await);
    }
    db.cleanup().await.expect("drop the scratch database");
    report(Dialect::MySql, &failures);
}

async fn check_postgres_values(pool: &sqlx::PgPool) -> Vec<String> {
    let mut failures = Vec::new();
    let (insert, select) = default_round_trip_sql(Dialect::Postgres);
    let defaults = async {
        sqlx::raw_sql(AssertSqlSafe(insert)).execute(pool).await?;
        sqlx::query_as::<_, (String, String, String)>(AssertSqlSafe(select))
            .fetch_one(pool)
            .await
    }
    .await;
    match defaults {
        Ok(defaults) if defaults == expected_defaults() => {}
        other => failures.push(format!("PostgreSQL string defaults read back as {other:?}")),
    }
    for (column, expected) in EXPECTED_COMMENTS {
        let comment: Result<Option<String>, _> = sqlx::query_scalar(
            "SELECT col_description(attrelid, attnum) FROM pg_attribute \
             WHERE attrelid = 'modifier_comment'::regclass AND attname = $1",
        )
        .bind(column)
        .fetch_one(pool)
        .await;
        match comment {
            Ok(Some(comment)) if comment == expected => {}
            other => failures.push(format!(
                "PostgreSQL comment on modifier_comment.{column} read back as {other:?}"
            )),
        }
    }
    failures
}

/// String defaults and comments read back as written (quotes and backslashes intact).
async fn check_mysql_values(pool: &sqlx::MySqlPool) -> Vec<String> {
    let mut failures = Vec::new();
    let (insert, select) = default_round_trip_sql(Dialect::MySql);
    let defaults = async {
        sqlx::raw_sql(AssertSqlSafe(insert)).execute(pool).await?;
        sqlx::query_as::<_, (String, String, String)>(AssertSqlSafe(select))
            .fetch_one(pool)
            .await
    }
    .await;
    match defaults {
        Ok(defaults) if defaults == expected_defaults() => {}
        other => failures.push(format!("MySQL string defaults read back as {other:?}")),
    }
    for (column, expected) in EXPECTED_COMMENTS {
        let comment: Result<String, _> = sqlx::query_scalar(
            "SELECT CAST(COLUMN_COMMENT AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'modifier_comment' \
             AND COLUMN_NAME = ?",
        )
        .bind(column)
        .fetch_one(pool)
        .await;
        match comment {
            Ok(comment) if comment == expected => {}
            other => failures.push(format!(
                "MySQL comment on modifier_comment.{column} read back as {other:?}"
            )),
        }
    }
    failures
}
