//! W7 many databases: `ormed_migrate::many::migrate_many` over N fresh databases (SQLite files,
//! or databases on one server), each getting the same migrations, `--jobs 8` against one
//! database after another (`jobs 1`, the baseline). The databases are made before the clock
//! starts and dropped after it stops.

use std::time::{Duration, Instant};

use ormed_migrate::MigrationDescriptor;
use ormed_migrate::many::{Target, migrate_many};
use ormed_migrate::testing::TestDatabase;

use super::measure::Figures;
use super::workloads::{Result, descriptors, fresh, settle, turns};

/// How many migrations each database gets: W1's table and index, ten times.
pub const MIGRATIONS: usize = 10;

/// The concurrency measured against one at a time.
const JOBS: usize = 8;

/// Both sides, `reps` times each, on `count` databases of `server` (`None`: SQLite files).
pub async fn run(server: Option<&str>, count: usize, reps: usize) -> Result<Vec<Figures>> {
    let mut one_by_one = Figures::new("W7 many databases", "one by one (jobs 1)", true);
    let mut concurrent = Figures::new("W7 many databases", "--jobs 8", false);
    let migrations = descriptors(MIGRATIONS)?;
    for rep in 0..reps {
        for side in turns(2, rep) {
            match side {
                0 => one_by_one
                    .times
                    .push(time_side(server, count, 1, &migrations).await?),
                _ => concurrent
                    .times
                    .push(time_side(server, count, JOBS, &migrations).await?),
            }
        }
    }
    Ok(vec![one_by_one, concurrent])
}

/// One timed `migrate_many` over `count` fresh databases, `jobs` at a time; an error if any
/// database failed or did not get every migration.
async fn time_side(
    server: Option<&str>,
    count: usize,
    jobs: usize,
    migrations: &[MigrationDescriptor],
) -> Result<Duration> {
    let databases = fresh_databases(server, count).await?;
    let targets = databases
        .iter()
        .enumerate()
        .map(|(n, db)| Target::new(format!("db{n}"), db.url()))
        .collect();
    let started = Instant::now();
    let outcomes = migrate_many(targets, jobs, migrations.to_vec()).await;
    let elapsed = started.elapsed();
    for db in databases {
        db.cleanup().await?;
    }
    for outcome in &outcomes {
        if let Err(error) = &outcome.result {
            return Err(format!("{}: {error}", outcome.target.name).into());
        }
        if outcome.applied != migrations.len() {
            let name = &outcome.target.name;
            return Err(format!("{name}: {} applied", outcome.applied).into());
        }
    }
    Ok(elapsed)
}

/// `count` new databases, their setup connections closed so that the timed side opens its
/// own as the CLI does; on PostgreSQL after a checkpoint, as every other timed side.
async fn fresh_databases(server: Option<&str>, count: usize) -> Result<Vec<TestDatabase>> {
    let mut databases = Vec::with_capacity(count);
    for _ in 0..count {
        databases.push(fresh(server).await?);
    }
    if let Some(first) = databases.first() {
        settle(server, first).await;
    }
    for db in &databases {
        db.driver().close().await;
    }
    Ok(databases)
}
