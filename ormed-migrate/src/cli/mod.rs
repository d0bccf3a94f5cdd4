//! The migration CLI that `run!()` puts in an application's `main`.
//!
//! Laravel's command names: `migrate`, `migrate:rollback`, `migrate:reset`, `migrate:refresh`,
//! `migrate:up`, `migrate:down`, `migrate:install`, `migrate:status`, `migrate:repair`,
//! `make:migration`. Output goes to
//! stdout, errors to stderr, and the exit code is 0 on success, 1 on any error and 2 on a usage
//! error (clap's), so scripts can rely on it. Passwords in URLs are never printed.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use ormed_migrate_core::driver::redact_url;
use ormed_migrate_core::error::{PlanError, RunError};
use ormed_migrate_core::redact::Secrets;
use ormed_migrate_core::{
    Apply, DEFAULT_LEDGER_TABLE, Driver, MigrationError, MigrationId, MigrationRunner, Repair,
    Rollback, SqlMigrationLedger,
};

mod count;
mod hint;
mod make;
mod output;
mod signal;

pub use hint::{error_text, hint_lines};
pub use make::{MigrationFile, new_migration_file};
pub use output::{action_line, render_repair_needed, render_report, render_status, render_summary};

/// What `run!()` knows about the application at compile time (from its `Cargo.toml`).
#[derive(Clone, Copy, Debug)]
pub struct App {
    /// The package name: the default database is `sqlite://<name>.db`, and `--help` and
    /// `--version` start with it.
    pub name: &'static str,
    /// The package version, shown by `--help` and `--version`.
    pub version: &'static str,
    /// The package description, shown by `--help`; empty when the package has none.
    pub description: &'static str,
    /// The package directory: `make:migration` writes to its `src/migrations/`.
    pub manifest_dir: &'static str,
}

/// The top-level help names the application first: it is the application's binary, not the
/// framework, that the user is running.
const APP_HELP_TEMPLATE: &str = "\
{name} {version}
{about-with-newline}
{usage-heading} {usage}

{all-args}{after-help}";

impl App {
    /// The clap command: the migration commands under the application's name, version and
    /// description. Usage lines use the name the binary was started with.
    pub fn command(self) -> clap::Command {
        Cli::command()
            .name(self.name)
            .version(self.version)
            .about(self.about())
            .long_about(None)
            .help_template(APP_HELP_TEMPLATE)
    }

    /// Parses `args` (the first is the binary) with [`App::command`]. Help, `--version` and
    /// usage errors come back as the `clap::Error` to print (`Error::exit` does so).
    pub fn try_parse_from<I, T>(self, args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = self.command();
        let matches = command.try_get_matches_from_mut(args)?;
        // Formatting against the command gives the error the same usage lines as clap's own.
        Cli::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
    }

    /// The description, or a line naming the application when its `Cargo.toml` has none.
    fn about(self) -> String {
        match self.description.trim() {
            "" => format!("Database migrations for {}", self.name),
            description => description.to_owned(),
        }
    }
}

/// Runs database migrations.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Database URL (sqlite://app.db, postgres://…, mysql://…). Default: $DATABASE_URL, then
    /// sqlite://PACKAGE.db (the application's package name) in the working directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// The ledger table that records applied migrations.
    #[arg(long, global = true, value_name = "NAME", default_value = DEFAULT_LEDGER_TABLE)]
    pub table: String,

    /// How long one migration statement may wait for a lock another session holds (table,
    /// metadata or row locks), in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "10",
          value_parser = count::seconds)]
    pub lock_timeout: Duration,

    /// How long to wait for another runner's migration lock, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "60",
          value_parser = count::seconds)]
    pub migration_lock_timeout: Duration,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Command {
    /// Whether the command may write to the database (read-only ones never create a SQLite file).
    fn writes(&self) -> bool {
        match self {
            Command::Migrate { pretend, .. }
            | Command::Rollback { pretend, .. }
            | Command::Reset { pretend }
            | Command::Up { pretend, .. }
            | Command::Down { pretend, .. } => !pretend,
            Command::Refresh { .. } | Command::Install => true,
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
        /// Apply at most N migrations (N ≥ 1).
        #[arg(long, value_name = "N", value_parser = count::migration_limit,
              allow_negative_numbers = true)]
        limit: Option<usize>,
        /// Give each migration its own batch.
        #[arg(long)]
        step: bool,
        /// Apply the whole batch in one transaction, all or nothing (SQLite, PostgreSQL):
        /// faster on fresh databases, in CI and for fixtures. Refused on MySQL/MariaDB and for
        /// no_transaction migrations.
        #[arg(long, conflicts_with = "step")]
        grouped: bool,
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
        /// Roll back the last N batches (N ≥ 1).
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = count::batch_steps,
              allow_negative_numbers = true)]
        step: usize,
        /// Roll back exactly batch N (N ≥ 1, as migrate:status shows it).
        #[arg(long, value_name = "N", conflicts_with = "step", value_parser = count::batch_number,
              allow_negative_numbers = true)]
        batch: Option<i64>,
        /// Print the SQL that would run; run nothing.
        #[arg(long)]
        pretend: bool,
    },
    /// Roll back every batch, newest first.
    #[command(
        name = "migrate:reset",
        after_help = "Example: app migrate:reset --pretend"
    )]
    Reset {
        /// Print the SQL that would run; run nothing.
        #[arg(long)]
        pretend: bool,
    },
    /// Roll back every batch (or the last N), then migrate again.
    #[command(
        name = "migrate:refresh",
        after_help = "Example: app migrate:refresh --step 2"
    )]
    Refresh {
        /// Roll back and re-apply only the last N batches (N ≥ 1).
        #[arg(long, value_name = "N", value_parser = count::batch_steps,
              allow_negative_numbers = true)]
        step: Option<usize>,
    },
    /// Create the ledger table, if it is not there.
    #[command(name = "migrate:install")]
    Install,
    /// Apply one pending migration, as a new batch.
    #[command(
        name = "migrate:up",
        after_help = "Example: app migrate:up m_20241201000000_create_users_table"
    )]
    Up {
        /// The migration's id.
        id: String,
        /// Print the SQL that would run; run nothing.
        #[arg(long)]
        pretend: bool,
    },
    /// Roll back one applied migration.
    #[command(
        name = "migrate:down",
        after_help = "Example: app migrate:down m_20241201000000_create_users_table"
    )]
    Down {
        /// The migration's id.
        id: String,
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
        /// The migration's name in snake_case, for example create_posts_table (CamelCase,
        /// kebab-case and spaced names are converted).
        name: String,
        /// The table it creates (guessed from names like create_posts_table).
        #[arg(long, value_name = "TABLE")]
        create: Option<String>,
        /// The folder to write to (default: src/migrations of this application).
        #[arg(long, value_name = "DIR")]
        path: Option<std::path::PathBuf>,
        /// Write it even when a migration with the same name already exists.
        #[arg(long)]
        force: bool,
    },
}

/// Parses the process arguments and runs the command.
pub fn main(app: App) -> ExitCode {
    let cli = match app.try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        // Prints help or version (exit 0) or the usage error (exit 2), as clap does.
        Err(error) => error.exit(),
    };
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
    // The library masks passwords where it reports a URL; this is the last line of defence
    // for anything else that might echo one (a server message about a malformed URL).
    let secrets = Secrets::of_url(&database_url(cli.database.clone(), app.name));
    match runtime.block_on(execute(cli, app)) {
        Ok(output) => {
            print!("{}", secrets.mask(&output));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprint!("{}", secrets.mask(&error_text(&error)));
            match &error {
                MigrationError::Run(RunError::Interrupted { signal, .. }) => {
                    ExitCode::from(signal::exit_code(*signal))
                }
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Runs one parsed command and returns what it prints.
pub async fn execute(cli: Cli, app: App) -> Result<String, MigrationError> {
    if let Command::MakeMigration {
        name,
        create,
        path,
        force,
    } = &cli.command
    {
        let dir = path
            .clone()
            .unwrap_or_else(|| std::path::Path::new(app.manifest_dir).join("src/migrations"));
        let file = new_migration_file(name, create.as_deref(), &dir, chrono::Utc::now(), *force)?;
        return Ok(created_line(name, &file));
    }
    let migrations = crate::build_migrations()?;
    let url = database_url(cli.database, app.name);
    let driver = if cli.command.writes() {
        Driver::connect(&url).await?
    } else {
        Driver::connect_without_creating(&url).await?
    };
    let ledger = SqlMigrationLedger::new(driver.clone(), &cli.table)?;
    let runner = MigrationRunner::new(driver.clone(), ledger, migrations)
        .lock_timeout(cli.lock_timeout)
        .migration_lock_timeout(cli.migration_lock_timeout);
    let output = run_command(&runner, cli.command).await;
    driver.close().await;
    output
}

async fn run_command(runner: &MigrationRunner, command: Command) -> Result<String, MigrationError> {
    Ok(match command {
        Command::Migrate {
            limit,
            step,
            grouped,
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
            if grouped {
                apply = apply.grouped();
            }
            migrate(apply, pretend, grouped).await?
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
            roll_back(rollback, pretend).await?
        }
        Command::Reset { pretend } => roll_back(runner.rollback().all(), pretend).await?,
        Command::Refresh { step } => {
            let rollback = match step {
                Some(step) => runner.rollback().steps(step),
                None => runner.rollback().all(),
            };
            let rolled_back = roll_back(rollback, false).await?;
            rolled_back + &migrate(runner.apply_all(), false, false).await?
        }
        Command::Up { id, pretend } => {
            migrate(runner.apply_one(&MigrationId::parse(&id)?), pretend, false).await?
        }
        Command::Down { id, pretend } => {
            roll_back(runner.rollback_one(&MigrationId::parse(&id)?), pretend).await?
        }
        Command::Install => {
            runner.ledger().ensure_initialized().await?;
            format!(
                "The migration ledger table {} is ready.\n",
                runner.ledger().table()
            )
        }
        Command::Status => render_status(&runner.status().await?),
        Command::Repair {
            id: None,
            applied: _,
            rolled_back: _,
        } => render_repair_needed(&runner.repair_needed().await?),
        Command::Repair {
            id: Some(id),
            applied,
            rolled_back,
        } => repair(runner, &id, applied, rolled_back).await?,
        Command::MakeMigration { .. } => unreachable!("handled before connecting"),
    })
}

/// Runs `rollback` (or prints its SQL), with progress lines as each migration is rolled back.
async fn roll_back(rollback: Rollback<'_>, pretend: bool) -> Result<String, MigrationError> {
    let (nothing, verb) = ("Nothing to roll back.", "Rolled back");
    if pretend {
        return Ok(render_report(&rollback.pretend().await?, nothing, verb));
    }
    let report = rollback
        .on_warning(|warning| eprintln!("warning: {warning}"))
        .on_wait(|notice| eprintln!("{notice}"))
        .interrupt_on(signal::listen())
        .on_each(|action| print_now(&action_line(verb, action)))
        .await?;
    Ok(render_summary(&report, nothing, verb))
}

/// Runs `apply` (or prints its SQL), with progress lines as each migration is applied; a
/// `grouped` run says that its batch committed as one.
async fn migrate(apply: Apply<'_>, pretend: bool, grouped: bool) -> Result<String, MigrationError> {
    let (nothing, verb) = ("Nothing to migrate.", "Applied");
    if pretend {
        return Ok(render_report(&apply.pretend().await?, nothing, verb));
    }
    let report = apply
        .on_warning(|warning| eprintln!("warning: {warning}"))
        .on_wait(|notice| eprintln!("{notice}"))
        .interrupt_on(signal::listen())
        .on_each(|action| print_now(&action_line(verb, action)))
        .await?;
    let mut summary = render_summary(&report, nothing, verb);
    if grouped && !report.is_empty() {
        summary.push_str("They were committed together, in one transaction.\n");
    }
    Ok(summary)
}

/// `migrate:repair <id> --applied | --rolled-back`. An id that is not a migration id names a
/// ledger row exactly as stored (added by hand or by another tool): it can only be removed.
async fn repair(
    runner: &MigrationRunner,
    id: &str,
    applied: bool,
    rolled_back: bool,
) -> Result<String, MigrationError> {
    let parsed = MigrationId::parse(id);
    match (parsed, applied, rolled_back) {
        (Ok(id), true, _) => {
            runner.repair(&id, Repair::Applied).await?;
            Ok(format!("Migration {id} is recorded as applied.\n"))
        }
        (Ok(id), _, true) => {
            runner.repair(&id, Repair::RolledBack).await?;
            Ok(format!(
                "Migration {id} is removed from the ledger and pending again.\n"
            ))
        }
        (Ok(id), false, false) => Err(PlanError::RepairNeedsChoice { id }.into()),
        (Err(_), _, true) => {
            runner.forget_ledger_row(id).await?;
            Ok(format!("The ledger row {id:?} is removed.\n"))
        }
        (Err(error), _, _) => Err(error.into()),
    }
}

/// `Created migration <path>`, and the snake_case name when `make:migration` converted it.
fn created_line(name: &str, file: &MigrationFile) -> String {
    let path = file.path.display();
    match file.id.slug() {
        slug if slug == name => format!("Created migration {path}\n"),
        slug => format!("Created migration {path} (named {slug}, from `{name}`)\n"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const BLOG: App = App {
        name: "blog",
        version: "1.2.3",
        description: "A blog",
        manifest_dir: "/nowhere",
    };

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        BLOG.try_parse_from(std::iter::once("blog").chain(args.iter().copied()))
    }

    /// The error clap prints for `args`, which must be a usage error (exit code 2).
    fn usage_error(args: &[&str]) -> String {
        let error = parse(args).expect_err("a usage error");
        assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
        error.to_string()
    }

    #[test]
    fn count_flags_take_whole_numbers_from_one() {
        let limit = "--limit takes a whole number of migrations, at least 1";
        let step = "--step takes a whole number of batches, at least 1";
        let batch = "--batch takes a batch number: a whole number, at least 1";
        for (args, flag, message) in [
            (["migrate", "--limit"], "--limit <N>", limit),
            (["migrate:rollback", "--step"], "--step <N>", step),
            (["migrate:rollback", "--batch"], "--batch <N>", batch),
        ] {
            for value in ["0", "-1", "-20", "many", "1.5"] {
                let error = usage_error(&[args[0], args[1], value]);
                assert!(
                    error.starts_with(&format!(
                        "error: invalid value '{value}' for '{flag}': {message}\n"
                    )),
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn count_flags_parse_and_migrate_step_stays_a_switch() {
        let cli = parse(&["migrate", "--limit", "2", "--step"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Migrate {
                limit: Some(2),
                step: true,
                ..
            }
        ));
        let cli = parse(&["migrate:rollback"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Rollback {
                step: 1,
                batch: None,
                ..
            }
        ));
        let cli = parse(&["migrate:rollback", "--step", "3"]).unwrap();
        assert!(matches!(cli.command, Command::Rollback { step: 3, .. }));
        let cli = parse(&["migrate:rollback", "--batch", "4"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Rollback { batch: Some(4), .. }
        ));
        assert!(usage_error(&["migrate", "--step", "2"]).contains("unexpected argument '2'"));
        let cli = parse(&["migrate", "--grouped", "--limit", "3"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Migrate {
                grouped: true,
                limit: Some(3),
                ..
            }
        ));
        assert!(
            usage_error(&["migrate", "--grouped", "--step"])
                .starts_with("error: the argument '--grouped' cannot be used with '--step'"),
            "{}",
            usage_error(&["migrate", "--grouped", "--step"])
        );
        assert!(
            usage_error(&["migrate:wat"])
                .starts_with("error: unrecognized subcommand 'migrate:wat'"),
            "unknown commands are usage errors"
        );
    }

    #[test]
    fn help_and_version_name_the_application() {
        let help = parse(&["--help"]).expect_err("help").to_string();
        assert!(
            help.starts_with("blog 1.2.3\nA blog\n\nUsage: blog [OPTIONS] <COMMAND>\n"),
            "{help}"
        );
        assert!(help.contains("\n  migrate:rollback  "), "{help}");
        assert!(
            !help.contains("Database migrations as Rust types"),
            "{help}"
        );
        let version = parse(&["--version"]).expect_err("version").to_string();
        assert_eq!(version, "blog 1.2.3\n");
        let sub = parse(&["migrate", "--help"]).expect_err("help").to_string();
        assert!(sub.contains("Usage: blog migrate [OPTIONS]"), "{sub}");
    }

    #[test]
    fn help_without_a_description_says_what_the_binary_is() {
        let app = App {
            description: "",
            ..BLOG
        };
        let help = app
            .try_parse_from(["blog", "--help"])
            .expect_err("help")
            .to_string();
        assert!(
            help.starts_with("blog 1.2.3\nDatabase migrations for blog\n\nUsage: blog "),
            "{help}"
        );
    }

    #[test]
    fn make_migration_takes_force_and_says_how_it_named_the_file() {
        let cli = parse(&["make:migration", "CreatePostsTable", "--force"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::MakeMigration { force: true, .. }
        ));
        let file = MigrationFile {
            id: MigrationId::parse("m_20241201000100_create_posts_table").unwrap(),
            path: "m/m_20241201000100_create_posts_table.rs".into(),
        };
        assert_eq!(
            created_line("CreatePostsTable", &file),
            "Created migration m/m_20241201000100_create_posts_table.rs (named \
             create_posts_table, from `CreatePostsTable`)\n"
        );
        assert_eq!(
            created_line("create_posts_table", &file),
            "Created migration m/m_20241201000100_create_posts_table.rs\n"
        );
    }
}
