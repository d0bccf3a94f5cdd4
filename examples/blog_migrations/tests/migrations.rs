//! The blog's migrations checked the way an application checks its own, with
//! `ormed_migrate::testing`: every file is linked, every down undoes its up, and the slug
//! backfill does what it says to rows that exist before it runs. On SQLite always, and on
//! PostgreSQL and MariaDB when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set.

use ormed_migrate::prelude::*;
use ormed_migrate::testing::{
    NotReversible, TestDatabase, assert_migrations_linked, assert_reversible, check_reversible,
};
use ormed_migrate::{MigrationDescriptor, MigrationEntry, MigrationId};

// Names the crate, so its migrations are linked into this test binary.
use blog_migrations as _;

const BACKFILL: &str = "m_20241201001200_backfill_post_slugs";

/// A fresh database on every configured server: SQLite always.
async fn databases() -> Vec<TestDatabase> {
    let mut databases = vec![TestDatabase::sqlite().await.expect("sqlite")];
    databases.extend(
        TestDatabase::postgres()
            .await
            .expect("ORMED_TEST_POSTGRES_URL usable"),
    );
    databases.extend(
        TestDatabase::mysql()
            .await
            .expect("ORMED_TEST_MYSQL_URL usable"),
    );
    databases
}

fn migrations() -> Vec<MigrationDescriptor> {
    ormed_migrate::build_migrations().expect("the blog's migrations")
}

#[test]
fn every_migration_file_is_linked() {
    assert_migrations_linked();
    assert_eq!(migrations().len(), 13);
}

#[tokio::test]
async fn every_down_undoes_its_up() {
    for db in databases().await {
        assert_reversible(&db, &migrations()).await;
        db.cleanup().await.expect("cleanup");
    }
}

/// A migration added to the blog whose down forgets the column its up adds.
struct AddSummaryForgetsIt;

impl Migration for AddSummaryForgetsIt {
    fn up(&self, schema: &mut Schema) {
        schema.table("posts", |t| {
            t.text("summary").nullable();
        });
    }
    fn down(&self, _schema: &mut Schema) {}
}

#[tokio::test]
async fn a_down_that_forgets_a_column_fails_the_check() {
    let id = MigrationId::parse("m_20241201001300_add_summary_to_posts").expect("id");
    let broken = MigrationEntry::build_descriptors(vec![MigrationEntry::new(
        id.clone(),
        AddSummaryForgetsIt,
    )])
    .expect("descriptor");
    for db in databases().await {
        let all = [migrations(), broken.clone()].concat();
        let error = check_reversible(&db, &all).await.expect_err("broken down");
        match &error {
            NotReversible::LeftBehind { id: at, .. } => assert_eq!(at, &id, "{error}"),
            other => panic!("{other}"),
        }
        assert!(
            error.to_string().contains("+ posts: column summary "),
            "{error}"
        );
        db.cleanup().await.expect("cleanup");
    }
}

/// Posts written before the backfill get a slug from their id; rolling it back clears them.
#[tokio::test]
async fn the_backfill_gives_existing_posts_a_slug() {
    for db in databases().await {
        let steps = db.steps(migrations()).expect("steps");
        steps.migrate_to_before(BACKFILL).await.expect("to before");
        db.driver()
            .execute(
                "INSERT INTO posts (user_id, title, body, published) \
                 SELECT id, 'Second Post', 'Body', FALSE FROM users",
            )
            .await
            .expect("seed");
        steps.apply(BACKFILL).await.expect("backfill");
        let slugs = slugs(&db).await;
        assert_eq!(
            slugs.len(),
            2,
            "the seed migration's post and ours: {slugs:?}"
        );
        assert_eq!(
            slugs,
            [Some("post-1".to_owned()), Some("post-2".to_owned())]
        );
        steps.rollback(BACKFILL).await.expect("rollback");
        assert!(
            slugs_after_rollback(&db).await,
            "{:?}",
            self::slugs(&db).await
        );
        db.cleanup().await.expect("cleanup");
    }
}

async fn slugs(db: &TestDatabase) -> Vec<Option<String>> {
    let sql = "SELECT slug FROM posts ORDER BY id";
    let driver = db.driver();
    if let Some(pool) = driver.sqlite_pool() {
        sqlx::query_scalar(sql)
            .fetch_all(pool)
            .await
            .expect("slugs")
    } else if let Some(pool) = driver.postgres_pool() {
        sqlx::query_scalar(sql)
            .fetch_all(pool)
            .await
            .expect("slugs")
    } else {
        let pool = driver.mysql_pool().expect("a pool");
        sqlx::query_scalar(sql)
            .fetch_all(pool)
            .await
            .expect("slugs")
    }
}

/// What the backfill's down leaves: every slug cleared again.
async fn slugs_after_rollback(db: &TestDatabase) -> bool {
    slugs(db).await.iter().all(Option::is_none)
}
