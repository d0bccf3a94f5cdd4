//! The migration CLI that `run!()` puts in an application's `main`.
//!
//! Laravel's command names: `migrate`, `migrate:rollback`, `migrate:status`, `migrate:repair`,
//! `make:migration`. Output goes to
//! stdout, errors to stderr, and the exit code is 0 on success and 1 on any error, so scripts
//! can rely on it. Passwords in URLs are never printed.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ormed_migrate_core::driver::redact_url;
use ormed_migrate_core::{
    DEFAULT_LEDGER_TABLE, Driver, MigrationError, MigrationId, MigrationRunner, Repair,
    SqlMigrationLedger,
};

mod make;
mod output;

pub use make::{MigrationFile, new_migration_file};
pub use output::{action_line, render_repair_needed, render_report, render_status, render_summary};

/// What `run!()` knows about the application at compile time.
#[derive(Clone, Copy, Debug)]
pub struct App {
    /// The package name: the default database is `sqlite://<name>.db`.
    pub name: &'static str,
    /// The package directory: `make:migration` writes to its `src/migrations/`.
    pub manifest_dir: &'static str,
}

/// Runs database migrations.
#[derive(Parser)]
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

impl Command {
    /// Whether the command may write to the database (read-only ones never create a SQLite file).
    fn writes(&self) -> bool {
        match self {
            Command::Migrate { pretend, .. } | Command::Rollback { pretend, .. } => !pretend,
            Command::Repair { id, .. } => id.is_some(),
            Command::Status | Command::MakeMigration { .. } => false,
        }
    }
}

impl std::fmt::Debug for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database = self.database.as_deref().map(redact_url);
        f.debug_struct("Cli")
            .field("database", &database)
            .field("table", &self.table)
            .field("command", &self.command)
            .finish()
    }
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
    /// Resolve a migration after fixing the schema by hand: without arguments, list what needs it.
    #[command(name = "migrate:repair")]
    Repair {
        /// The migration to resolve.
        id: Option<String>,
        /// Its changes are in the schema: record it as applied with its current checksum.
        #[arg(long, conflicts_with = "rolled_back", requires = "id")]
        applied: bool,
        /// Its changes are not in the schema: remove it from the ledger (pending again).
        #[arg(long, requires = "id")]
        rolled_back: bool,
    },
    /// Write a new migration file with a fresh UTC timestamp id.
    #[command(name = "make:migration")]
    MakeMigration {
        /// The migration's name in snake_case, for example create_posts_table.
        name: String,
        /// The table it creates (guessed from names like create_posts_table).
        #[arg(long, value_name = "TABLE")]
        create: Option<String>,
        /// The folder to write to (default: src/migrations of this application).
        #[arg(long, value_name = "DIR")]
        path: Option<std::path::PathBuf>,
    },
}

/// Parses the process arguments and runs the command.
pub fn main(app: App) -> ExitCode {
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
    match runtime.block_on(execute(cli, app)) {
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
pub async fn execute(cli: Cli, app: App) -> Result<String, MigrationError> {
    if let Command::MakeMigration { name, create, path } = &cli.command {
        let dir = path
            .clone()
            .unwrap_or_else(|| std::path::Path::new(app.manifest_dir).join("src/migrations"));
        let file = new_migration_file(name, create.as_deref(), &dir, chrono::Utc::now())?;
        return Ok(format!("Created migration {}\n", file.path.display()));
    }
    let migrations = crate::build_migrations()?;
    let url = database_url(cli.database, app.name);
    let driver = if cli.command.writes() {
        Driver::connect(&url).await?
    } else {
        Driver::connect_without_creating(&url).await?
    };
    let ledger = SqlMigrationLedger::new(driver.clone(), &cli.table)?;
    let runner = MigrationRunner::new(driver.clone(), ledger, migrations);
    let output = run_command(&runner, cli.command).await;
    driver.close().await;
    output
}

async fn run_command(runner: &MigrationRunner, command: Command) -> Result<String, MigrationError> {
    Ok(match command {
        Command::Migrate {
            limit,
            step,
            pretend,
            strict_order,
        } => {
            let mut apply = runner.apply_all().strict_order(strict_order);
            if let Some(limit) = limit {
                apply = apply.limit(limit);
            }
            if step {
                apply = apply.step();
            }
            if pretend {
                return Ok(render_report(
                    &apply.pretend().await?,
                    "Nothing to migrate.",
                    "Applied",
                ));
            }
            let report = apply
                .on_warning(|warning| eprintln!("warning: {warning}"))
                .on_each(|action| print_now(&action_line("Applied", action)))
                .await?;
            render_summary(&report, "Nothing to migrate.", "Applied")
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
                let report = rollback.pretend().await?;
                return Ok(render_report(
                    &report,
                    "Nothing to roll back.",
                    "Rolled back",
                ));
            }
            let report = rollback
                .on_warning(|warning| eprintln!("warning: {warning}"))
                .on_each(|action| print_now(&action_line("Rolled back", action)))
                .await?;
            render_summary(&report, "Nothing to roll back.", "Rolled back")
        }
        Command::Status => render_status(&runner.status().await?),
        Command::Repair {
            id: None,
            applied: _,
            rolled_back: _,
        } => render_repair_needed(&runner.status().await?),
        Command::Repair {
            id: Some(id),
            applied,
            rolled_back,
        } => {
            let id = MigrationId::parse(&id)?;
            let (repair, done) = match (applied, rolled_back) {
                (true, _) => (Repair::Applied, "is recorded as applied"),
                (_, true) => (
                    Repair::RolledBack,
                    "is removed from the ledger and pending again",
                ),
                _ => return Err(MigrationError::RepairNeedsChoice { id }),
            };
            runner.repair(&id, repair).await?;
            format!("Migration {id} {done}.\n")
        }
        Command::MakeMigration { .. } => unreachable!("handled before connecting"),
    })
}

/// Progress lines go out as each migration finishes, so they survive a later failure.
fn print_now(line: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(line.as_bytes());
    let _ = stdout.flush();
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
