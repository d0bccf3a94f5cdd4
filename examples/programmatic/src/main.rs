//! The seed page's "Running Migrations" in Rust, line by line: a `MigrationEntry` list, a
//! `SqlMigrationLedger`, a `MigrationRunner`, `apply_all`, `limit`, `rollback`, `steps`,
//! `status`, then the ledger API (`next_batch_number`, `log_applied`) and a managed ledger
//! from a `ConnectionManager`.
//!
//! ```text
//! cargo run -p programmatic                          # an in-memory SQLite database
//! cargo run -p programmatic -- postgres://…/app      # any database URL
//! ```
//!
//! Each step prints what it did, and the program checks it (exit 1 when a step did not do what
//! the page says), so CI running it is a test of the page.

use ormed_migrate::prelude::*;
use ormed_migrate::{
    ConnectionManager, Driver, MigrationEntry, MigrationError, MigrationId, MigrationRunner,
    SqlMigrationLedger,
};

struct CreateUsersTable;

impl Migration for CreateUsersTable {
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

struct CreatePostsTable;

impl Migration for CreatePostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.foreign_id("user_id").constrained("users");
            t.string("title");
        });
    }
    // No down: it is derived from up (drop the table).
}

/// One more, for the ledger API: recorded by hand with `log_applied`.
struct CreateTagsTable;

impl Migration for CreateTagsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("tags", |t| {
            t.id();
        });
    }
}

fn entries() -> Result<Vec<MigrationEntry>, MigrationError> {
    Ok(vec![
        MigrationEntry::new(
            MigrationId::parse("m_20241201000000_create_users_table")?,
            CreateUsersTable,
        ),
        MigrationEntry::new(
            MigrationId::parse("m_20241201000100_create_posts_table")?,
            CreatePostsTable,
        ),
    ])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite::memory:".to_owned());
    match run(&url).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let driver = Driver::connect(url).await?;
    println!("Connected to {}", driver.redacted_url());

    // Build descriptors (sorted by timestamp)
    let descriptors = MigrationEntry::build_descriptors(entries()?)?;

    // Create ledger to track applied migrations
    let ledger = SqlMigrationLedger::new(driver.clone(), "_orm_migrations")?;
    ledger.ensure_initialized().await?;

    // Create runner
    let runner = MigrationRunner::new(driver.clone(), ledger.clone(), descriptors.clone());

    // Apply all pending migrations
    let report = runner.apply_all().await?;
    check("apply_all applies both", report.actions.len() == 2)?;

    // Rollback last batch
    let report = runner.rollback().await?;
    check("rollback undoes the batch", report.actions.len() == 2)?;

    // Or apply with a limit
    let report = runner.apply_all().limit(1).await?;
    check("limit(1) applies one", report.actions.len() == 1)?;
    runner.apply_all().await?;

    // Rollback multiple batches
    let report = runner.rollback().steps(3).await?;
    check("steps(3) undoes both batches", report.actions.len() == 2)?;
    runner.apply_all().await?;

    // Check status
    let statuses = runner.status().await?;
    for status in &statuses {
        let state = if status.is_applied() {
            "Applied"
        } else {
            "Pending"
        };
        println!("{}: {state}", status.id);
    }
    check("both applied", statuses.iter().all(|s| s.is_applied()))?;

    ledger_api(&driver, &descriptors).await?;
    managed_ledger(driver).await
}

/// The page's "Ledger API": the next batch number, and a migration recorded by hand.
async fn ledger_api(
    driver: &Driver,
    descriptors: &[ormed_migrate::MigrationDescriptor],
) -> Result<(), Box<dyn std::error::Error>> {
    let ledger = SqlMigrationLedger::new(driver.clone(), "orm_migrations")?;
    ledger.ensure_initialized().await?;

    // Get next batch number
    let batch = ledger.next_batch_number().await?;
    check("a new ledger starts at batch 1", batch == 1)?;

    // Log applied migration
    let tags = MigrationEntry::build_descriptors(vec![MigrationEntry::new(
        MigrationId::parse("m_20241201000200_create_tags_table")?,
        CreateTagsTable,
    )])?;
    ledger
        .log_applied(&tags[0], chrono::Utc::now(), batch)
        .await?;
    let applied = ledger.read_applied().await?;
    check(
        "log_applied records it",
        applied.len() == 1 && applied[0].batch == 1,
    )?;
    println!(
        "Recorded {} by hand in batch {batch}; next batch {}",
        tags[0].id,
        ledger.next_batch_number().await?
    );
    check("the other ledger is separate", descriptors.len() == 2)?;
    Ok(())
}

/// The page's managed ledger: a named connection of a `ConnectionManager`.
async fn managed_ledger(driver: Driver) -> Result<(), Box<dyn std::error::Error>> {
    let mut connections = ConnectionManager::new();
    connections.register("primary", driver);

    // Using ConnectionManager
    let managed = SqlMigrationLedger::managed(&connections, "primary", "orm_migrations")?;
    managed.ensure_initialized().await?;
    let batch = managed.next_batch_number().await?;
    check("the managed ledger is the same table", batch == 2)?;
    println!("Managed ledger on `primary`: next batch {batch}");
    Ok(())
}

/// Fails the program when a step did not do what the page says.
fn check(what: &str, held: bool) -> Result<(), Box<dyn std::error::Error>> {
    match held {
        true => {
            println!("ok: {what}");
            Ok(())
        }
        false => Err(format!("{what}: not so").into()),
    }
}
