//! The workloads, each side on a fresh database of its own, the sides interleaved within each
//! repetition so that drift of the machine touches them alike.

use std::borrow::Cow;
use std::error::Error;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta, Utc};
use ormed_migrate::testing::TestDatabase;
use ormed_migrate::{
    DEFAULT_LEDGER_TABLE, Driver, Migration, MigrationDescriptor, MigrationEntry, MigrationId,
    MigrationRunner, Schema, SqlMigrationLedger,
};
use sqlx::migrate::{Migration as SqlxMigration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};

use super::Sizes;
use super::measure::Figures;

pub(super) type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Migration `n`: a table of four columns and an index on one of them.
struct BenchTable(usize);

impl BenchTable {
    fn name(&self) -> String {
        format!("bench_{:05}", self.0)
    }
}

impl Migration for BenchTable {
    fn up(&self, schema: &mut Schema) {
        schema.create(&self.name(), |t| {
            t.id();
            t.string("name").length(100);
            t.integer("n");
            t.timestamp("created_at").nullable();
            t.index(["name"]);
        });
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop(&self.name());
    }
}

/// `count` migrations, one second apart from 2025-01-01 00:00:00.
pub(super) fn descriptors(count: usize) -> Result<Vec<MigrationDescriptor>> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or("start date")?;
    let mut entries = Vec::with_capacity(count);
    for n in 0..count {
        let at = start + TimeDelta::seconds(n as i64);
        let id = MigrationId::parse(&format!("m_{}_bench_table_{n}", at.format("%Y%m%d%H%M%S")))?;
        entries.push(MigrationEntry::new(id, BenchTable(n)));
    }
    Ok(MigrationEntry::build_descriptors(entries)?)
}

/// Every workload on one database (`None`: SQLite files), in order.
pub async fn run_all(server: Option<&str>, sizes: Sizes) -> Result<Vec<Figures>> {
    let mut apply_ours = Figures::new("W1 apply", "ours", false);
    let mut apply_floor = Figures::new("W1 apply", "floor (raw SQL)", true);
    let mut apply_sqlx = Figures::new("W1 apply", "sqlx Migrator", false);
    let mut rollback_ours = Figures::new("W2 rollback", "ours", false);
    let mut rollback_floor = Figures::new("W2 rollback", "floor (raw DROPs)", true);
    let mut status_ours = Figures::new("W3 status", "ours", false);
    let mut status_floor = Figures::new("W3 status", "floor (one SELECT)", true);
    let mut grouped_sqlx = Figures::new("W6 fresh database", "sqlx Migrator", true);
    let mut grouped_ours = Figures::new("W6 fresh database", "ours, grouped", false);
    for rep in 0..sizes.reps {
        let ours = fresh(server).await?;
        let floor = fresh(server).await?;
        let sqlx = fresh(server).await?;
        let migrations = descriptors(sizes.migrations_on(ours.dialect()))?;
        let sql = rendered(&ours, &migrations)?;

        // Each repetition starts with another side, so that none always runs first (after
        // the previous repetition's clean-up) or last.
        for side in turns(3, rep) {
            settle(server, &ours).await;
            match side {
                0 => apply_ours
                    .times
                    .push(time(runner(&ours, migrations.clone())?.apply_all()).await?),
                1 => apply_floor
                    .times
                    .push(run_floor(floor.driver(), &sql).await?),
                _ => apply_sqlx.times.push(run_sqlx(sqlx.driver(), &sql).await?),
            }
        }
        sqlx.cleanup().await?;

        let downs = drops(&ours, &migrations)?;
        for side in turns(2, rep) {
            settle(server, &ours).await;
            match side {
                0 => rollback_ours
                    .times
                    .push(time(runner(&ours, migrations.clone())?.rollback()).await?),
                _ => rollback_floor
                    .times
                    .push(run_floor(floor.driver(), &downs).await?),
            }
        }
        ours.cleanup().await?;
        floor.cleanup().await?;

        let db = fresh(server).await?;
        let many = descriptors(sizes.status_rows)?;
        record_applied(&db, &many).await?;
        let reader = runner(&db, many)?;
        for side in turns(2, rep) {
            match side {
                0 => status_ours.times.push(time(reader.status()).await?),
                _ => status_floor.times.push(select_ledger(db.driver()).await?),
            }
        }
        let dialect = db.dialect();
        db.cleanup().await?;

        if let Some(count) = grouped_size(sizes, dialect) {
            let ours = fresh(server).await?;
            let sqlx = fresh(server).await?;
            let migrations = descriptors(count)?;
            let sql = rendered(&ours, &migrations)?;
            for side in turns(2, rep) {
                settle(server, &ours).await;
                match side {
                    0 => grouped_ours.times.push(
                        time(runner(&ours, migrations.clone())?.apply_all().grouped()).await?,
                    ),
                    _ => grouped_sqlx
                        .times
                        .push(run_sqlx(sqlx.driver(), &sql).await?),
                }
            }
            ours.cleanup().await?;
            sqlx.cleanup().await?;
        }
    }
    let mut figures = vec![
        apply_floor,
        apply_ours,
        apply_sqlx,
        rollback_floor,
        rollback_ours,
        status_floor,
        status_ours,
    ];
    if !grouped_ours.times.is_empty() {
        figures.extend([grouped_sqlx, grouped_ours]);
    }
    Ok(figures)
}

/// The order of `sides` sides in repetition `rep`: each repetition starts with the next one.
pub(super) fn turns(sides: usize, rep: usize) -> impl Iterator<Item = usize> {
    (0..sides).map(move |n| (n + rep) % sides)
}

/// How many migrations W6 applies grouped: all of W1's on SQLite, at most 300 on PostgreSQL
/// (the size; a thousand tables come close to the default lock table); none on MySQL,
/// which refuses grouped mode.
fn grouped_size(sizes: Sizes, dialect: ormed_migrate::Dialect) -> Option<usize> {
    match dialect {
        ormed_migrate::Dialect::Sqlite => Some(sizes.migrations),
        ormed_migrate::Dialect::Postgres => Some(sizes.migrations.min(300)),
        ormed_migrate::Dialect::MySql => None,
    }
}

/// On PostgreSQL, a checkpoint before each timed side: dropping a database forces one, and the
/// side that runs right after it pays for the full-page writes that follow. With a checkpoint
/// of its own before every side, each starts alike. Nothing to do elsewhere.
pub(super) async fn settle(server: Option<&str>, db: &TestDatabase) {
    if server.is_none() {
        return;
    }
    if let Some(pool) = db.driver().postgres_pool()
        && let Err(error) = sqlx::raw_sql("CHECKPOINT").execute(pool).await
    {
        eprintln!("note: CHECKPOINT failed ({error}); the sides may start unevenly");
    }
}

pub(super) async fn fresh(server: Option<&str>) -> Result<TestDatabase> {
    Ok(match server {
        None => TestDatabase::sqlite().await?,
        Some(url) => TestDatabase::on_server(url).await?,
    })
}

fn runner(db: &TestDatabase, migrations: Vec<MigrationDescriptor>) -> Result<MigrationRunner> {
    let ledger = SqlMigrationLedger::new(db.driver().clone(), DEFAULT_LEDGER_TABLE)?;
    Ok(MigrationRunner::new(
        db.driver().clone(),
        ledger,
        migrations,
    ))
}

/// How long `work` took; its error, if it failed.
async fn time<T, E: Error + 'static>(
    work: impl IntoFuture<Output = std::result::Result<T, E>>,
) -> Result<Duration> {
    let started = Instant::now();
    work.await.map_err(|e| Box::new(e) as Box<dyn Error>)?;
    Ok(started.elapsed())
}

/// Each migration's up, as the runner renders it for this database.
fn rendered(db: &TestDatabase, migrations: &[MigrationDescriptor]) -> Result<Vec<Vec<String>>> {
    let dialect = db.dialect();
    migrations
        .iter()
        .map(|m| Ok(dialect.render(&m.up_plan())?))
        .collect()
}

/// Each migration's down, newest first.
fn drops(db: &TestDatabase, migrations: &[MigrationDescriptor]) -> Result<Vec<Vec<String>>> {
    let dialect = db.dialect();
    migrations
        .iter()
        .rev()
        .map(|m| Ok(dialect.render(&m.down_plan())?))
        .collect()
}

/// Runs `f` with one connection of the driver's pool, whatever the database.
macro_rules! with_connection {
    ($driver:expr, $connection:ident => $body:expr) => {
        if let Some(pool) = $driver.sqlite_pool() {
            let mut $connection = pool.acquire().await?;
            $body
        } else if let Some(pool) = $driver.postgres_pool() {
            let mut $connection = pool.acquire().await?;
            $body
        } else {
            let pool = $driver.mysql_pool().ok_or("no pool")?;
            let mut $connection = pool.acquire().await?;
            $body
        }
    };
}

/// The floor: the same SQL on one connection, one transaction per migration where DDL is
/// transactional (MySQL commits each DDL statement by itself).
async fn run_floor(driver: &Driver, migrations: &[Vec<String>]) -> Result<Duration> {
    let transactional = driver.dialect().has_transactional_ddl();
    with_connection!(driver, connection => {
        let started = Instant::now();
        for statements in migrations {
            if transactional {
                sqlx::raw_sql("BEGIN").execute(&mut *connection).await?;
            }
            for sql in statements {
                sqlx::raw_sql(AssertSqlSafe(sql.clone())).execute(&mut *connection).await?;
            }
            if transactional {
                sqlx::raw_sql("COMMIT").execute(&mut *connection).await?;
            }
        }
        Ok(started.elapsed())
    })
}

/// sqlx's own migrator on the same SQL, one migration per plan.
async fn run_sqlx(driver: &Driver, migrations: &[Vec<String>]) -> Result<Duration> {
    let migrations: Vec<SqlxMigration> = migrations
        .iter()
        .enumerate()
        .map(|(n, statements)| {
            SqlxMigration::new(
                n as i64 + 1,
                Cow::Owned(format!("bench table {n}")),
                MigrationType::Simple,
                AssertSqlSafe(statements.join(";\n")).into_sql_str(),
                false,
            )
        })
        .collect();
    let migrator = Migrator::with_migrations(migrations);
    let started = Instant::now();
    if let Some(pool) = driver.sqlite_pool() {
        migrator.run(pool).await?;
    } else if let Some(pool) = driver.postgres_pool() {
        migrator.run(pool).await?;
    } else {
        migrator.run(driver.mysql_pool().ok_or("no pool")?).await?;
    }
    Ok(started.elapsed())
}

/// The ledger with a row for each of `migrations`, written in one transaction (setup only).
async fn record_applied(db: &TestDatabase, migrations: &[MigrationDescriptor]) -> Result<()> {
    let ledger = SqlMigrationLedger::new(db.driver().clone(), DEFAULT_LEDGER_TABLE)?;
    ledger.ensure_initialized().await?;
    let placeholders = match db.dialect() {
        ormed_migrate::Dialect::Postgres => "($1, $2, 1, $3, 0, 'applied')",
        ormed_migrate::Dialect::Sqlite | ormed_migrate::Dialect::MySql => {
            "(?, ?, 1, ?, 0, 'applied')"
        }
    };
    let sql = format!(
        "INSERT INTO {DEFAULT_LEDGER_TABLE} (id, checksum, batch, applied_at, execution_ms, status) \
         VALUES {placeholders}"
    );
    let now = Utc::now();
    with_connection!(db.driver(), connection => {
        sqlx::raw_sql("BEGIN").execute(&mut *connection).await?;
        for migration in migrations {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(migration.id.to_string())
                .bind(migration.checksum.clone())
                .bind(now)
                .execute(&mut *connection)
                .await?;
        }
        sqlx::raw_sql("COMMIT").execute(&mut *connection).await?;
        Ok(())
    })
}

/// One raw `SELECT` of the whole ledger.
async fn select_ledger(driver: &Driver) -> Result<Duration> {
    let sql = format!(
        "SELECT id, checksum, batch, applied_at, execution_ms, status FROM {DEFAULT_LEDGER_TABLE}"
    );
    with_connection!(driver, connection => {
        let started = Instant::now();
        let rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_all(&mut *connection).await?;
        std::hint::black_box(rows);
        Ok(started.elapsed())
    })
}
