//! What the database-backed test files share: the migrations they apply, helpers to look at
//! the database, and `suite!`, which runs each case on SQLite always and on PostgreSQL and
//! MariaDB/MySQL when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set (CI sets both,
//! and a server that cannot be reached there fails the suite). Each case gets its own database.

// Each test binary uses a part of this module.
#![allow(dead_code, unused_imports)]

pub use ormed_migrate::error::{Hint, LedgerError, LockError, PlanError, RunError, SetupError};
pub use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
pub use ormed_migrate::{
    Dialect, Direction, Migration, MigrationDescriptor, MigrationEntry, MigrationError,
    MigrationId, MigrationRunner, MigrationState, Repair, Schema, SqlMigrationLedger,
};

// ---------------------------------------------------------------- migrations used by the suite

pub struct CreateUsers;
impl Migration for CreateUsers {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
            t.string("email").unique();
        });
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop("users");
    }
}

/// The same id as `CreateUsers`, edited after it was applied.
pub struct CreateUsersEdited;
impl Migration for CreateUsersEdited {
    fn up(&self, schema: &mut Schema) {
        schema.create("users", |t| {
            t.id();
            t.string("email").unique();
            t.string("name").nullable();
        });
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop("users");
    }
}

pub struct CreatePosts;
impl Migration for CreatePosts {
    fn up(&self, schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
            t.string("title");
        });
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop("posts");
    }
}

pub struct SeedUser;
impl Migration for SeedUser {
    fn up(&self, schema: &mut Schema) {
        schema.raw("INSERT INTO users (email) VALUES ('a@example.com')");
    }
    fn down(&self, schema: &mut Schema) {
        schema.raw("DELETE FROM users WHERE email = 'a@example.com'");
    }
}

/// Creates a table, then fails on its second statement.
pub struct FailsHalfway;
impl Migration for FailsHalfway {
    fn up(&self, schema: &mut Schema) {
        schema.create("tags", |t| {
            t.id();
        });
        schema.raw("INSERT INTO no_such_table (x) VALUES (1)");
    }
    fn down(&self, schema: &mut Schema) {
        schema.drop("tags");
    }
}

/// Has no `down`.
pub struct OneWay;
impl Migration for OneWay {
    fn up(&self, schema: &mut Schema) {
        schema.raw("UPDATE users SET email = email");
    }
}

/// A migration made of two functions: `entry(ID, Steps(up, down))`.
pub struct Steps(pub fn(&mut Schema), pub fn(&mut Schema));

impl Migration for Steps {
    fn up(&self, schema: &mut Schema) {
        (self.0)(schema)
    }
    fn down(&self, schema: &mut Schema) {
        (self.1)(schema)
    }
}

pub const USERS: &str = "m_20241201000000_create_users_table";
pub const POSTS: &str = "m_20241201000100_create_posts_table";
pub const SEED: &str = "m_20241201000200_seed_user";
pub const FAILS: &str = "m_20241201000300_fails_halfway";
pub const ONE_WAY: &str = "m_20241201000400_one_way";

pub fn id(text: &str) -> MigrationId {
    MigrationId::parse(text).expect("valid id")
}

pub fn entry(text: &str, migration: impl Migration) -> MigrationEntry {
    MigrationEntry::new(id(text), migration)
}

pub fn blog() -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(vec![
        entry(USERS, CreateUsers),
        entry(POSTS, CreatePosts),
        entry(SEED, SeedUser),
    ])
    .expect("descriptors")
}

pub fn runner(db: &TestDatabase, migrations: Vec<MigrationDescriptor>) -> MigrationRunner {
    let ledger = SqlMigrationLedger::new(db.driver().clone(), "orm_migrations").expect("ledger");
    MigrationRunner::new(db.driver().clone(), ledger, migrations)
}

pub async fn table_exists(db: &TestDatabase, table: &str) -> bool {
    let driver = db.driver();
    let count: i64 = match db.dialect() {
        Dialect::Sqlite => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind(table)
        .fetch_one(driver.sqlite_pool().expect("sqlite"))
        .await
        .expect("query"),
        Dialect::Postgres => sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_one(driver.postgres_pool().expect("postgres"))
        .await
        .expect("query"),
        Dialect::MySql => sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?",
        )
        .bind(table)
        .fetch_one(driver.mysql_pool().expect("mysql"))
        .await
        .expect("query"),
    };
    count > 0
}

/// The first column of every row `sql` returns, as text.
pub async fn strings(db: &TestDatabase, sql: &str) -> Vec<String> {
    let driver = db.driver();
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db.dialect() {
        Dialect::Sqlite => sqlx::query_scalar(sql)
            .fetch_all(driver.sqlite_pool().expect("sqlite"))
            .await
            .expect("query"),
        Dialect::Postgres => sqlx::query_scalar(sql)
            .fetch_all(driver.postgres_pool().expect("postgres"))
            .await
            .expect("query"),
        Dialect::MySql => sqlx::query_scalar(sql)
            .fetch_all(driver.mysql_pool().expect("mysql"))
            .await
            .expect("query"),
    }
}

/// Asserts the ledger holds no row: a refused run recorded nothing.
pub async fn assert_nothing_recorded(runner: &MigrationRunner) {
    let applied = runner.ledger().read_applied().await.expect("ledger");
    assert!(applied.is_empty(), "nothing recorded: {applied:?}");
}

pub fn ids(report: &ormed_migrate::MigrationReport) -> Vec<String> {
    report.ids().iter().map(ToString::to_string).collect()
}

pub async fn states(runner: &MigrationRunner) -> Vec<(String, MigrationState, Option<i64>)> {
    runner
        .status()
        .await
        .expect("status")
        .into_iter()
        .map(|s| (s.id.to_string(), s.state, s.batch))
        .collect()
}

// ------------------------------------------------------------------------ one module per database

/// The database for one test, or `None` when the server suite is not configured. In CI the
/// variables are set, so an unreachable server fails here instead of skipping.
pub async fn database(var: Option<&str>) -> Option<TestDatabase> {
    let Some(var) = var else {
        return Some(TestDatabase::sqlite().await.expect("sqlite test database"));
    };
    let url = match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!("{var} is not set: skipping this server-backed test");
            return None;
        }
    };
    match TestDatabase::on_server(&url).await {
        Ok(db) => Some(db),
        Err(error) => panic!("{var} is set but the test database could not be created: {error}"),
    }
}

/// One test per case and database: `suite! { case_a, case_b }` for the functions of the
/// calling file's `cases` module.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test]
            async fn $case() { crate::support::run(None, super::cases::$case).await }
        )* }
        mod postgres { $(
            #[tokio::test]
            async fn $case() {
                crate::support::run(Some(crate::support::POSTGRES_URL_VAR), super::cases::$case).await
            }
        )* }
        mod mysql { $(
            #[tokio::test]
            async fn $case() {
                crate::support::run(Some(crate::support::MYSQL_URL_VAR), super::cases::$case).await
            }
        )* }
    };
}
pub(crate) use suite;

pub async fn run(var: Option<&str>, case: impl AsyncFnOnce(&TestDatabase)) {
    let Some(db) = database(var).await else {
        return;
    };
    case(&db).await;
    db.cleanup().await.expect("cleanup");
}

// ------------------------------------------------------------------------- comparing schemas

/// The schema without the ledger's tables.
pub async fn schema_of(db: &TestDatabase) -> ormed_migrate::SchemaSnapshot {
    let mut schema = db.driver().introspect().await.expect("introspect");
    schema.tables.remove("orm_migrations");
    schema.tables.remove("orm_migrations_meta");
    schema
}

/// The same tables, columns, keys and indexes, field by field so that a difference reads as
/// one line. Columns are compared by name: a column dropped and added again comes last on
/// every database (PostgreSQL cannot place it), which is the same schema.
pub fn assert_same_schema(
    before: &ormed_migrate::SchemaSnapshot,
    after: &ormed_migrate::SchemaSnapshot,
) {
    let names = |s: &ormed_migrate::SchemaSnapshot| s.tables.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(before), names(after), "tables");
    let by_name = |columns: &[ormed_migrate::ColumnSnapshot]| {
        let mut columns = columns.to_vec();
        columns.sort_by(|a, b| a.name.cmp(&b.name));
        columns
    };
    for (name, table) in &before.tables {
        let other = &after.tables[name];
        assert_eq!(
            by_name(&table.columns),
            by_name(&other.columns),
            "columns of {name}"
        );
        assert_eq!(
            table.primary_key, other.primary_key,
            "primary key of {name}"
        );
        assert_eq!(table.indexes, other.indexes, "indexes of {name}");
        assert_eq!(
            table.foreign_keys, other.foreign_keys,
            "foreign keys of {name}"
        );
    }
}
