//! The migration CLI that `run!()` puts in an application's `main`.
//!
//! Laravel's command names: `migrate`, `migrate:rollback`, `migrate:status`. Output goes to
//! stdout, errors to stderr, and the exit code is 0 on success and 1 on any error, so scripts
//! can rely on it. Passwords in URLs are never printed.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ormed_migrate_core::{
    DEFAULT_LEDGER_TABLE, Driver, MigrationError, MigrationReport, MigrationRunner,
    MigrationStatus, SqlMigrationLedger,
};

/// Runs database migrations.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Database URL (sqlite://app.db, postgres://…, mysql://…). Default: $DATABASE_URL, then
    /// sqlite://<app name>.db in the working directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// The ledger table that records applied migrations.
    #[arg(long, global = true, value_name = "NAME", default_value = DEFAULT_LEDGER_TABLE)]
    pub table: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply every pending migration as one new batch.
    #[command(name = "migrate")]
    Migrate {
        /// Apply at most N migrations.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Give each migration its own batch.
        #[arg(long)]
        step: bool,
        /// Print the SQL that would run; run nothing.
        #[arg(long)]
        pretend: bool,
        /// Refuse pending migrations older than the newest applied one.
        #[arg(long)]
        strict_order: bool,
    },
    /// Roll back the last batch (or the last N batches).
    #[command(name = "migrate:rollback")]
    Rollback {
        /// Roll back the last N batches.
        #[arg(long, value_name = "N", default_value_t = 1)]
        step: usize,
        /// Roll back exactly batch N.
        #[arg(long, value_name = "N", conflicts_with = "step")]
        batch: Option<i64>,
        /// Print the SQL that would run; run nothing.
        #[arg(long)]
        pretend: bool,
    },
    /// Show every migration and whether it is applied.
    #[command(name = "migrate:status")]
    Status,
}

/// Parses the process arguments and runs the command; `app_name` names the default SQLite file.
pub fn main(app_name: &str) -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli, app_name)) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command and returns what it prints.
pub async fn execute(cli: Cli, app_name: &str) -> Result<String, MigrationError> {
    let migrations = crate::build_migrations()?;
    let url = database_url(cli.database, app_name);
    let driver = Driver::connect(&url).await?;
    let ledger = SqlMigrationLedger::new(driver.clone(), &cli.table)?;
    let runner = MigrationRunner::new(driver.clone(), ledger, migrations);
    let output = match cli.command {
        Command::Migrate {
            limit,
            step,
            pretend,
            strict_order,
        } => {
            let runner = runner.strict_order(strict_order);
            let mut apply = runner.apply_all();
            if let Some(limit) = limit {
                apply = apply.limit(limit);
            }
            if step {
                apply = apply.step();
            }
            if pretend {
                apply = apply.pretend();
            }
            render_report(&apply.await?, "Nothing to migrate.", "Applied")
        }
        Command::Rollback {
            step,
            batch,
            pretend,
        } => {
            let mut rollback = runner.rollback().steps(step);
            if let Some(batch) = batch {
                rollback = rollback.batch(batch);
            }
            if pretend {
                rollback = rollback.pretend();
            }
            render_report(&rollback.await?, "Nothing to roll back.", "Rolled back")
        }
        Command::Status => render_status(&runner.status().await?),
    };
    driver.close().await;
    Ok(output)
}

/// Flag, then `DATABASE_URL`, then `sqlite://<app>.db` beside the working directory.
fn database_url(flag: Option<String>, app_name: &str) -> String {
    flag.or_else(|| {
        std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
    })
    .unwrap_or_else(|| format!("sqlite://{app_name}.db"))
}

/// One line per migration with its duration, then a summary; with `pretend`, the SQL instead.
pub fn render_report(report: &MigrationReport, nothing: &str, verb: &str) -> String {
    let mut out = String::new();
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    if report.is_empty() {
        let _ = writeln!(out, "{nothing}");
        return out;
    }
    for action in &report.actions {
        if report.pretend {
            let _ = writeln!(
                out,
                "{} ({}, batch {}):",
                action.id, action.direction, action.batch
            );
            for statement in &action.statements {
                let _ = writeln!(out, "    {statement};");
            }
        } else {
            let _ = writeln!(
                out,
                "{verb:<12} {} ({} ms, batch {})",
                action.id,
                action.duration.as_millis(),
                action.batch
            );
        }
    }
    let total: u128 = report.actions.iter().map(|a| a.duration.as_millis()).sum();
    let count = report.actions.len();
    let noun = if count == 1 {
        "migration"
    } else {
        "migrations"
    };
    if report.pretend {
        let _ = writeln!(out, "Pretend: {count} {noun}, nothing was run.");
    } else {
        let _ = writeln!(out, "{verb} {count} {noun} in {total} ms.");
    }
    out
}

/// A table: state, batch, id, applied at; then counts.
pub fn render_status(statuses: &[MigrationStatus]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:>5}  {:<60} Applied at (UTC)",
        "Status", "Batch", "Migration"
    );
    for status in statuses {
        let batch = status.batch.map(|b| b.to_string()).unwrap_or_default();
        let applied_at = status
            .applied_at
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<8} {batch:>5}  {:<60} {applied_at}",
            status.state.label(),
            status.id.to_string()
        );
    }
    let applied = statuses.iter().filter(|s| s.is_applied()).count();
    let pending = statuses.iter().filter(|s| s.is_pending()).count();
    let _ = writeln!(out, "{applied} applied, {pending} pending.");
    out
}
