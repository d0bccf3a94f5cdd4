//! The posts, read with the driver's own sqlx pool.

use ormed_migrate::Driver;
use serde_json::{Value, json};

/// Every column the migrations gave `posts`, in order of creation.
const SELECT: &str = "SELECT title, body, author FROM posts ORDER BY id";

type Row = (String, String, Option<String>);

/// Every post, oldest first, as JSON objects.
pub async fn all(driver: &Driver) -> Result<Vec<Value>, sqlx::Error> {
    let rows = rows(driver).await?;
    let posts = rows
        .into_iter()
        .map(|(title, body, author)| json!({ "title": title, "body": body, "author": author }));
    Ok(posts.collect())
}

async fn rows(driver: &Driver) -> Result<Vec<Row>, sqlx::Error> {
    if let Some(pool) = driver.sqlite_pool() {
        return sqlx::query_as(SELECT).fetch_all(pool).await;
    }
    if let Some(pool) = driver.postgres_pool() {
        return sqlx::query_as(SELECT).fetch_all(pool).await;
    }
    if let Some(pool) = driver.mysql_pool() {
        return sqlx::query_as(SELECT).fetch_all(pool).await;
    }
    Err(sqlx::Error::Configuration(
        format!("no pool for {}", driver.redacted_url()).into(),
    ))
}
