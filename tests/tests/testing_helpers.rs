//! `ormed_migrate::testing` as an application uses it from `cargo test`, on SQLite always and
//! on PostgreSQL and MariaDB when their URLs are set: the reversibility check passes on correct
//! migrations and names the migration and the difference on a broken down; stepping applies
//! up to just before a migration so a test can seed, apply, assert and roll back; the linking
//! check names files that are not registered.

mod support;

use ormed_migrate::MigrationReport;
use ormed_migrate::introspect::Change;
use ormed_migrate::testing::{
    NotReversible, assert_reversible, check_migrations_linked, check_reversible,
};
use support::*;

const TAGS: &str = "m_20250101000000_create_tags";
const BROKEN: &str = "m_20250101000100_add_nickname_forgets_it";
const TWO: &str = "m_20250101000200_create_two_tables";

fn create_tags(schema: &mut Schema) {
    schema.create("tags", |t| {
        t.id();
        t.string("name").unique();
    });
}

fn drop_tags(schema: &mut Schema) {
    schema.drop("tags");
}

/// Adds a column and an index; the down drops the index but forgets the column.
fn add_nickname(schema: &mut Schema) {
    schema.table("users", |t| {
        t.string("nickname").nullable();
        t.index(["nickname"]);
    });
}

fn forget_nickname(schema: &mut Schema) {
    schema.table("users", |t| {
        t.drop_index("users_nickname_index");
    });
}

fn create_two(schema: &mut Schema) {
    schema.create("drafts", |t| {
        t.id();
    });
    schema.create("archives", |t| {
        t.id();
    });
}

/// Drops one of the two tables its up created.
fn drop_one(schema: &mut Schema) {
    schema.drop("drafts");
}

fn fails_on_the_way_down(schema: &mut Schema) {
    schema.raw("DROP TABLE no_such_table_at_all");
}

fn descriptors(entries: Vec<MigrationEntry>) -> Vec<MigrationDescriptor> {
    MigrationEntry::build_descriptors(entries).expect("descriptors")
}

mod cases {
    use super::*;

    /// Correct migrations pass, whatever they hold (tables, keys, seed rows), and are all
    /// applied afterwards.
    pub async fn correct_migrations_are_reversible(db: &TestDatabase) {
        let mut migrations = blog();
        migrations.extend(descriptors(vec![entry(
            TAGS,
            Steps(create_tags, drop_tags),
        )]));
        assert_reversible(db, &migrations).await;
        let statuses = db
            .runner(migrations)
            .expect("runner")
            .status()
            .await
            .expect("status");
        assert!(statuses.iter().all(|s| s.is_applied()), "{statuses:?}");
    }

    /// A down that forgets a column is caught, naming the migration and the column, and the
    /// migrations before it were checked and applied.
    pub async fn a_down_that_leaves_a_column_behind_is_named(db: &TestDatabase) {
        let mut migrations = blog();
        migrations.extend(descriptors(vec![
            entry(TAGS, Steps(create_tags, drop_tags)),
            entry(BROKEN, Steps(add_nickname, forget_nickname)),
        ]));
        let error = check_reversible(db, &migrations).await.expect_err("broken");
        let NotReversible::LeftBehind { id, differences } = &error else {
            panic!("{error}");
        };
        assert_eq!(id.to_string(), BROKEN);
        let nickname = differences
            .iter()
            .find(|d| d.table == "users" && d.subject == "column nickname")
            .unwrap_or_else(|| panic!("{error}"));
        assert_eq!(nickname.change, Change::Added, "{error}");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("migration {BROKEN} is not reversible: "))
                && message.contains("\n    + users: column nickname ")
                && message.contains("NULL"),
            "{message}"
        );
    }

    /// A down that leaves a whole table: `+ archives: table (id)`.
    pub async fn a_down_that_leaves_a_table_behind_is_named(db: &TestDatabase) {
        let migrations = descriptors(vec![entry(TWO, Steps(create_two, drop_one))]);
        let error = check_reversible(db, &migrations).await.expect_err("broken");
        let message = error.to_string();
        assert!(
            message.contains("\n    + archives: table (id)\n"),
            "{message}"
        );
        // assert_reversible panics with the same message (on a new database: this one has
        // the migration applied now).
        let panicked = tokio::spawn(async move {
            let other = TestDatabase::sqlite().await.expect("sqlite");
            assert_reversible(&other, &migrations).await;
        })
        .await
        .expect_err("assert_reversible panics");
        let payload = panicked.into_panic();
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            text.contains(&format!("migration {TWO} is not reversible")),
            "{text}"
        );
    }

    /// A down that fails says which step of which migration, with the database's message.
    pub async fn a_failing_down_names_the_step(db: &TestDatabase) {
        let migrations = descriptors(vec![entry(TAGS, Steps(create_tags, fails_on_the_way_down))]);
        let error = check_reversible(db, &migrations).await.expect_err("fails");
        let message = error.to_string();
        assert!(
            matches!(&error, NotReversible::Failed { step: "down", .. })
                && message.starts_with(&format!("migration {TAGS}: its down failed: "))
                && message.contains("no_such_table_at_all"),
            "{message}"
        );
    }

    /// Migrate to just before a data migration, seed, apply it, look at the data, roll back.
    pub async fn stepping_stops_before_a_migration(db: &TestDatabase) {
        let steps = db.steps(blog()).expect("steps");
        let report: MigrationReport = steps.migrate_to_before(SEED).await.expect("to before");
        let applied: Vec<String> = report.ids().iter().map(|id| id.to_string()).collect();
        assert_eq!(applied, [USERS, POSTS]);
        db.driver()
            .execute("INSERT INTO users (email) VALUES ('first@example.com')")
            .await
            .expect("seed");
        steps.apply(SEED).await.expect("apply");
        assert_eq!(count_rows(db, "SELECT COUNT(*) FROM users").await, 2);
        steps.rollback(SEED).await.expect("rollback");
        assert_eq!(count_rows(db, "SELECT COUNT(*) FROM users").await, 1);
        let unknown = steps
            .apply("m_20991231000000_nothing")
            .await
            .expect_err("unknown");
        assert!(
            unknown
                .to_string()
                .contains("m_20991231000000_nothing is not defined"),
            "{unknown}"
        );
        assert!(
            steps
                .migrate_to_before(USERS)
                .await
                .expect("nothing")
                .is_empty()
        );
    }
}

async fn count_rows(db: &TestDatabase, sql: &str) -> i64 {
    db.fetch_i64(sql).await.expect(sql)
}

suite!(
    correct_migrations_are_reversible,
    a_down_that_leaves_a_column_behind_is_named,
    a_down_that_leaves_a_table_behind_is_named,
    a_failing_down_names_the_step,
    stepping_stops_before_a_migration,
);

#[test]
fn files_that_are_not_registered_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "m_20241201000000_create_users_table.rs",
        "2024_12_01_000100_create_posts_table.rs",
        "m_20250101000000_not_linked.rs",
        "helpers.rs",
    ] {
        std::fs::write(dir.path().join(name), "").expect("file");
    }
    let registered = blog();
    let error = check_migrations_linked(dir.path(), &registered).expect_err("one is not linked");
    assert_eq!(
        error.unregistered,
        [dir.path().join("m_20250101000000_not_linked.rs")]
    );
    let message = error.to_string();
    assert!(
        message.starts_with("1 migration file(s) in ")
            && message.contains("m_20250101000000_not_linked.rs")
            && message.contains("use my_migrations as _;"),
        "{message}"
    );
    std::fs::remove_file(dir.path().join("m_20250101000000_not_linked.rs")).expect("remove");
    check_migrations_linked(dir.path(), &registered).expect("the rest are registered");
}

#[tokio::test]
async fn server_databases_come_from_the_environment() {
    for (variable, open) in [
        (POSTGRES_URL_VAR, TestDatabase::postgres().await),
        (MYSQL_URL_VAR, TestDatabase::mysql().await),
    ] {
        let set = std::env::var(variable).is_ok_and(|url| !url.is_empty());
        let db = open.expect("the server in the variable is usable");
        assert_eq!(db.is_some(), set, "{variable}");
        if let Some(db) = db {
            db.cleanup().await.expect("cleanup");
        }
    }
}

/// A test that panics never reaches `cleanup()`: its database is removed when it is dropped.
#[tokio::test]
async fn a_database_dropped_without_cleanup_is_removed() {
    for (variable, db) in [
        (POSTGRES_URL_VAR, TestDatabase::postgres().await),
        (MYSQL_URL_VAR, TestDatabase::mysql().await),
    ] {
        let Some(db) = db.expect("the server in the variable is usable") else {
            continue;
        };
        let name = db.url().rsplit('/').next().expect("a name").to_owned();
        let dialect = db.dialect();
        drop(db);
        let server = std::env::var(variable).expect("set");
        let admin = ormed_migrate::Driver::connect(&server)
            .await
            .expect("admin");
        let sql = match dialect {
            Dialect::Postgres => {
                format!("SELECT COUNT(*) FROM pg_database WHERE datname = '{name}'")
            }
            _ => format!(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{name}'"
            ),
        };
        let sql = sqlx::AssertSqlSafe(sql);
        let left: i64 = match admin.postgres_pool() {
            Some(pool) => sqlx::query_scalar(sql)
                .fetch_one(pool)
                .await
                .expect("count"),
            None => {
                let pool = admin.mysql_pool().expect("mysql");
                sqlx::query_scalar(sql)
                    .fetch_one(pool)
                    .await
                    .expect("count")
            }
        };
        admin.close().await;
        assert_eq!(left, 0, "{name} is still on the {variable} server");
    }
}
