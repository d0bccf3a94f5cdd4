//! The blog's whole history, one migration at a time, on SQLite always and on PostgreSQL and
//! MariaDB when `ORMED_TEST_POSTGRES_URL` / `ORMED_TEST_MYSQL_URL` are set: each migration
//! applied as its own batch, then rolled back step by step, the introspected schema after each
//! down equal to the one before its up, then everything applied again.

mod common;

use common::{TOTAL, blog, succeeded};
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR, TestDatabase};
use ormed_migrate::{ColumnSnapshot, SchemaSnapshot};

/// The schema without the ledger, columns sorted by name (a column dropped and added again
/// comes last on every database, which is the same schema).
async fn schema_of(db: &TestDatabase) -> SchemaSnapshot {
    let mut schema = db.driver().introspect().await.expect("introspect");
    schema.tables.remove("orm_migrations");
    schema.tables.remove("orm_migrations_meta");
    for table in schema.tables.values_mut() {
        table
            .columns
            .sort_by(|a: &ColumnSnapshot, b| a.name.cmp(&b.name));
    }
    schema
}

async fn history(db: &TestDatabase) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = ["--database", db.url()];
    let mut schemas = vec![schema_of(db).await];
    for _ in 0..TOTAL {
        let out = succeeded(&blog(
            dir.path(),
            &[&["migrate", "--limit", "1"][..], &url].concat(),
        ));
        assert!(out.contains("Applied 1 migration in"), "{out}");
        schemas.push(schema_of(db).await);
    }
    let posts = schemas[TOTAL].table("posts").expect("posts");
    assert_eq!(posts.column("title").expect("title").length, Some(255));
    assert!(posts.index("posts_slug_unique").is_some());
    let comments = schemas[TOTAL].table("comments").expect("comments");
    assert!(comments.column("content").is_some() && comments.foreign_keys.len() == 1);
    let slugs = succeeded(&blog(dir.path(), &[&["migrate:status"][..], &url].concat()));
    assert!(
        slugs.contains(&format!("{TOTAL} applied, 0 pending.")),
        "{slugs}"
    );

    for step in (1..=TOTAL).rev() {
        let out = succeeded(&blog(
            dir.path(),
            &[&["migrate:rollback"][..], &url].concat(),
        ));
        assert!(out.contains("Rolled back 1 migration in"), "{out}");
        assert_eq!(
            schema_of(db).await,
            schemas[step - 1],
            "the schema after rolling back migration {step} is the one before it:\n{out}"
        );
    }
    let out = succeeded(&blog(dir.path(), &[&["migrate"][..], &url].concat()));
    assert!(
        out.contains(&format!("Applied {TOTAL} migrations in")),
        "{out}"
    );
    assert_eq!(schema_of(db).await, schemas[TOTAL]);
}

async fn on(var: Option<&str>) {
    let db = match var {
        None => TestDatabase::sqlite().await.expect("sqlite"),
        Some(var) => match std::env::var(var) {
            Ok(url) if !url.is_empty() => TestDatabase::on_server(&url)
                .await
                .unwrap_or_else(|e| panic!("{var} is set but the server is not usable: {e}")),
            _ => {
                eprintln!("{var} is not set: skipping this server-backed test");
                return;
            }
        },
    };
    history(&db).await;
    db.cleanup().await.expect("cleanup");
}

#[tokio::test]
async fn history_on_sqlite() {
    on(None).await;
}

#[tokio::test]
async fn history_on_postgres() {
    on(Some(POSTGRES_URL_VAR)).await;
}

#[tokio::test]
async fn history_on_mysql() {
    on(Some(MYSQL_URL_VAR)).await;
}
