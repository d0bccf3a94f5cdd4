//! The migration CLI that `run!()` puts in an application's `main`.
//!
//! Laravel's command names: `migrate`, `migrate:rollback`, `migrate:reset`, `migrate:refresh`,
//! `migrate:fresh`, `migrate:up`, `migrate:down`, `migrate:install`, `migrate:status`,
//! `migrate:check`, `migrate:repair`, `make:migration`. Results go to stdout, progress notices
//! and errors to stderr, and the exit code is 0 on success, 1 on an error or a problem found
//! (`migrate:check`, `migrate:status --pending`), 2 on a usage error (clap's) and 130/143 when
//! interrupted by SIGINT/SIGTERM, so scripts can rely on it. Passwords in URLs are never
//! printed.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use ormed_migrate_core::error::{PlanError, RunError};
use ormed_migrate_core::redact::Secrets;
use ormed_migrate_core::{
    Apply, Driver, Interrupt, MigrationAction, MigrationError, MigrationId, MigrationRunner,
    Repair, Rollback, SqlMigrationLedger,
};

mod args;
mod check;
mod connection;
mod count;
mod guard;
mod hint;
mod json;
mod make;
mod many;
mod output;
mod signal;

pub use args::{Cli, Command, Force, ManyDatabases};
pub use check::render_check;
pub use hint::{error_text, hint_lines};
pub use json::render_status_json;
#[cfg(feature = "testing")]
pub(crate) use make::migrations_in;
pub use make::{MigrationFile, TableHint, new_migration_file};
pub use output::{
    Palette, action_line, render_drops, render_repair_needed, render_report, render_status,
    render_summary, running_line,
};

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
    /// The package directory.
    pub manifest_dir: &'static str,
    /// Where `make:migration` writes: the binary's own `src/migrations/`, or with
    /// `run!(app_migrations)` that crate's.
    pub migrations_dir: &'static str,
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
        let cli = Cli::from_arg_matches(&matches).map_err(|error| error.format(&mut command))?;
        match cli.conflict() {
            Some(message) => {
                let error = clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, message);
                // With the usage lines of `migrate`, where the flags are, as clap's own conflicts.
                Err(match command.find_subcommand_mut("migrate") {
                    Some(migrate) => error.format(migrate),
                    None => error.format(&mut command),
                })
            }
            None => Ok(cli),
        }
    }

    /// The description, or a line naming the application when its `Cargo.toml` has none.
    fn about(self) -> String {
        match self.description.trim() {
            "" => format!("Database migrations for {}", self.name),
            description => description.to_owned(),
        }
    }
}

/// What a command printed, and whether it found problems (exit code 1 without an error).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Its results, for stdout.
    pub stdout: String,
    /// True when it found something wrong (`migrate:check`, `migrate:status --pending`, a
    /// database of `migrate --all-connections` or `--databases-from` that failed).
    pub problems: bool,
    /// The signal that stopped a run over many databases after it printed its table (exit
    /// code 130 or 143 without an error); a single run returns the interruption as its error.
    pub signal: Option<Interrupt>,
}

impl From<String> for Outcome {
    fn from(stdout: String) -> Outcome {
        Outcome {
            stdout,
            ..Outcome::default()
        }
    }
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
    let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let chosen = match &cli.command {
        Command::MakeMigration { .. } => None,
        // Each database names its own; their passwords are masked where they are printed.
        command if command.many_databases() => None,
        _ => match connection::choose(&cli, app.name, &dir) {
            Ok(chosen) => Some(chosen),
            Err(error) => return failed(&error, &Secrets::of_url("")),
        },
    };
    // The library masks passwords where it reports a URL; this is the last line of defence
    // for anything else that might echo one (a server message about a malformed URL).
    let secrets = Secrets::of_url(chosen.as_ref().map_or("", |chosen| chosen.url.as_str()));
    match runtime.block_on(execute_on(cli, app, chosen)) {
        Ok(outcome) => {
            print!("{}", secrets.mask(&outcome.stdout));
            match (outcome.signal, outcome.problems) {
                (Some(signal), _) => ExitCode::from(signal::exit_code(signal)),
                (None, true) => ExitCode::FAILURE,
                (None, false) => ExitCode::SUCCESS,
            }
        }
        Err(error) => failed(&error, &secrets),
    }
}

/// Prints `error` (passwords masked) and gives its exit code: 130/143 for an interrupt, else 1.
fn failed(error: &MigrationError, secrets: &Secrets) -> ExitCode {
    eprint!("{}", secrets.mask(&error_text(error)));
    match error {
        MigrationError::Run(RunError::Interrupted { signal, .. }) => {
            ExitCode::from(signal::exit_code(*signal))
        }
        _ => ExitCode::FAILURE,
    }
}

/// What a run prints besides its results.
#[derive(Clone, Copy, Debug)]
struct Display {
    quiet: bool,
    palette: Palette,
}

impl Display {
    /// A progress line on stdout, at once, so it survives a later failure.
    fn progress(self, line: &str) {
        if !self.quiet {
            print_now(line);
        }
    }

    /// On a terminal, `<id> …… RUNNING` while a migration runs; its DONE line replaces it.
    fn running(self, id: &MigrationId) {
        if !self.quiet && self.palette.is_terminal() {
            print_now(&running_line(id, self.palette));
        }
    }

    /// A migration's DONE line, over its RUNNING line on a terminal.
    fn done(self, action: &MigrationAction) {
        let line = action_line(action, self.palette);
        match self.palette.is_terminal() {
            true => self.progress(&format!("\r\x1b[2K{line}")),
            false => self.progress(&line),
        }
    }

    /// A closing summary: dropped with `--quiet`.
    fn summary(self, text: String) -> String {
        if self.quiet { String::new() } else { text }
    }
}

/// Runs one parsed command and returns what it prints; the database is chosen as `main`
/// chooses it, from the working directory.
pub async fn execute(cli: Cli, app: App) -> Result<Outcome, MigrationError> {
    let chosen = match &cli.command {
        Command::MakeMigration { .. } => None,
        command if command.many_databases() => None,
        _ => {
            let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
            Some(connection::choose(&cli, app.name, &dir)?)
        }
    };
    execute_on(cli, app, chosen).await
}

/// [`execute`] against `chosen` (the database; `None` only for `make:migration`).
async fn execute_on(
    cli: Cli,
    app: App,
    chosen: Option<connection::Chosen>,
) -> Result<Outcome, MigrationError> {
    if let Command::MakeMigration {
        name,
        create,
        alter,
        path,
        force,
    } = &cli.command
    {
        let dir = path
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(app.migrations_dir));
        let hint = match (create, alter) {
            (Some(table), _) => TableHint::Create(table),
            (None, Some(table)) => TableHint::Change(table),
            (None, None) => TableHint::Guess,
        };
        let file = new_migration_file(name, hint, &dir, chrono::Utc::now(), *force)?;
        return Ok(created_line(name, &file).into());
    }
    let display = Display {
        quiet: cli.quiet,
        palette: Palette::for_stdout(cli.no_color),
    };
    if let Command::Migrate {
        limit,
        step,
        grouped,
        pretend,
        strict_order,
        refuse_ahead,
        many: flags,
    } = &cli.command
        && flags.is_set()
    {
        let each = many::PerDatabase {
            limit: *limit,
            step: *step,
            grouped: *grouped,
            pretend: *pretend,
            strict_order: *strict_order,
            refuse_ahead: *refuse_ahead,
        };
        let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
        return many::run(&cli, flags, each, display, &dir).await;
    }
    let chosen = match chosen {
        Some(chosen) => chosen,
        None => {
            let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
            connection::choose(&cli, app.name, &dir)?
        }
    };
    if !cli.quiet {
        eprintln!("{chosen}");
    }
    guard::confirm(&cli.command)?;
    let migrations = crate::build_migrations()?;
    let driver = if cli.command.writes() {
        Driver::connect(&chosen.url).await?
    } else {
        Driver::connect_without_creating(&chosen.url).await?
    };
    let ledger = SqlMigrationLedger::new(driver.clone(), &chosen.table)?;
    let runner = MigrationRunner::new(driver.clone(), ledger, migrations)
        .lock_timeout(cli.lock_timeout)
        .migration_lock_timeout(cli.migration_lock_timeout);
    let output = run_command(&runner, cli.command, display).await;
    driver.close().await;
    output
}

async fn run_command(
    runner: &MigrationRunner,
    command: Command,
    display: Display,
) -> Result<Outcome, MigrationError> {
    Ok(match command {
        Command::Migrate {
            limit,
            step,
            grouped,
            pretend,
            strict_order,
            refuse_ahead,
            many: _,
        } => {
            let mut apply = runner
                .apply_all()
                .strict_order(strict_order)
                .refuse_ahead(refuse_ahead);
            if let Some(limit) = limit {
                apply = apply.limit(limit);
            }
            if step {
                apply = apply.step();
            }
            if grouped {
                apply = apply.grouped();
            }
            migrate(apply, pretend, grouped, display).await?.into()
        }
        Command::Rollback {
            step,
            batch,
            pretend,
            force: _,
        } => {
            let mut rollback = runner.rollback().steps(step);
            if let Some(batch) = batch {
                rollback = rollback.batch(batch);
            }
            roll_back(rollback, pretend, display).await?.into()
        }
        Command::Reset { pretend, force: _ } => {
            roll_back(runner.rollback().all(), pretend, display)
                .await?
                .into()
        }
        Command::Refresh {
            step,
            pretend,
            force: _,
        } => refresh(runner, step, pretend, display).await?.into(),
        Command::Fresh { pretend, force: _ } => {
            migrate(runner.apply_all().fresh(), pretend, false, display)
                .await?
                .into()
        }
        Command::Up { id, pretend } => {
            let apply = runner.apply_one(&MigrationId::parse(&id)?);
            migrate(apply, pretend, false, display).await?.into()
        }
        Command::Down {
            id,
            pretend,
            force: _,
        } => {
            let rollback = runner.rollback_one(&MigrationId::parse(&id)?);
            roll_back(rollback, pretend, display).await?.into()
        }
        Command::Install => {
            runner.ledger().ensure_initialized().await?;
            display
                .summary(format!(
                    "The migration ledger table {} is ready.\n",
                    runner.ledger().table()
                ))
                .into()
        }
        Command::Status { json, pending } => {
            let statuses = runner.status().await?;
            let stdout = match json {
                true => render_status_json(&statuses),
                false => render_status(&statuses, display.palette),
            };
            Outcome {
                stdout,
                problems: pending && statuses.iter().any(|status| status.is_pending()),
                ..Outcome::default()
            }
        }
        Command::Check { all_tables } => {
            let statuses = runner.status().await?;
            let drift = runner.drift(all_tables).await?;
            let (stdout, problems) = render_check(&statuses, &drift);
            Outcome {
                stdout,
                problems,
                ..Outcome::default()
            }
        }
        Command::Repair {
            id: None,
            applied: _,
            rolled_back: _,
        } => render_repair_needed(&runner.repair_needed().await?).into(),
        Command::Repair {
            id: Some(id),
            applied,
            rolled_back,
        } => repair(runner, &id, applied, rolled_back).await?.into(),
        Command::MakeMigration { .. } => unreachable!("handled before connecting"),
    })
}

/// `migrate:refresh`: roll back everything (or the last `step` batches), then migrate; with
/// `pretend`, the rollback's SQL (what migrate would run depends on what the rollback leaves).
async fn refresh(
    runner: &MigrationRunner,
    step: Option<usize>,
    pretend: bool,
    display: Display,
) -> Result<String, MigrationError> {
    let rollback = match step {
        Some(step) => runner.rollback().steps(step),
        None => runner.rollback().all(),
    };
    let rolled_back = roll_back(rollback, pretend, display).await?;
    if pretend {
        return Ok(rolled_back + "Then every migration that is pending afterwards is applied.\n");
    }
    Ok(rolled_back + &migrate(runner.apply_all(), false, false, display).await?)
}

/// Runs `rollback` (or prints its SQL), with progress lines as each migration is rolled back.
async fn roll_back(
    rollback: Rollback<'_>,
    pretend: bool,
    display: Display,
) -> Result<String, MigrationError> {
    let (nothing, verb) = ("Nothing to roll back.", "Rolled back");
    if pretend {
        return Ok(render_report(&rollback.pretend().await?, nothing, verb));
    }
    let report = rollback
        .on_warning(|warning| eprintln!("warning: {warning}"))
        .on_wait(|notice| eprintln!("{notice}"))
        .interrupt_on(signal::listen())
        .on_start(|id, _| display.running(id))
        .on_each(|action| display.done(action))
        .await?;
    Ok(display.summary(render_summary(&report, nothing, verb)))
}

/// Runs `apply` (or prints its SQL), with progress lines as each migration is applied; a
/// `grouped` run says that its batch committed as one, a fresh run what it dropped.
async fn migrate(
    apply: Apply<'_>,
    pretend: bool,
    grouped: bool,
    display: Display,
) -> Result<String, MigrationError> {
    let (nothing, verb) = ("Nothing to migrate.", "Applied");
    let fresh = apply.is_fresh();
    if pretend {
        let report = apply.pretend().await?;
        let drops = if fresh {
            render_drops(&report)
        } else {
            String::new()
        };
        return Ok(drops + &render_report(&report, nothing, verb));
    }
    let report = apply
        .on_warning(|warning| eprintln!("warning: {warning}"))
        .on_wait(|notice| eprintln!("{notice}"))
        .interrupt_on(signal::listen())
        .on_start(|id, _| display.running(id))
        .on_each(|action| display.done(action))
        .await?;
    let mut summary = render_summary(&report, nothing, verb);
    if fresh {
        summary = render_drops(&report) + &summary;
    }
    if grouped && !report.is_empty() {
        summary.push_str("They were committed together, in one transaction.\n");
    }
    Ok(display.summary(summary))
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

#[cfg(test)]
mod tests {
    use super::*;

    const BLOG: App = App {
        name: "blog",
        version: "1.2.3",
        description: "A blog",
        manifest_dir: "/nowhere",
        migrations_dir: "/nowhere/src/migrations",
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
    fn many_databases_exclude_one_database_and_each_other() {
        let cli = parse(&["migrate", "--databases-from", "dbs.txt", "--jobs", "8"]).unwrap();
        assert!(cli.command.many_databases());
        assert!(matches!(
            cli.command,
            Command::Migrate {
                many: ManyDatabases { jobs: Some(8), .. },
                ..
            }
        ));
        let cli = parse(&["migrate", "--all-connections", "--step", "--pretend"]).unwrap();
        assert!(cli.command.many_databases());
        assert!(!parse(&["migrate"]).unwrap().command.many_databases());
        for (args, message) in [
            (
                &["migrate", "--all-connections", "--databases-from", "f"][..],
                "error: the argument '--all-connections' cannot be used with '--databases-from \
                 <FILE>'",
            ),
            (
                &[
                    "migrate",
                    "--all-connections",
                    "--database",
                    "sqlite://a.db",
                ],
                "error: the argument '--all-connections' cannot be used with '--database <URL>'",
            ),
            (
                &[
                    "--database",
                    "sqlite://a.db",
                    "migrate",
                    "--databases-from",
                    "f",
                ],
                "error: the argument '--databases-from <FILE>' cannot be used with '--database \
                 <URL>'",
            ),
            (
                &["migrate", "--connection", "main", "--all-connections"],
                "error: the argument '--connection <NAME>' cannot be used with \
                 '--all-connections'",
            ),
            (
                &["migrate", "--jobs", "2"],
                "error: the following required arguments were not provided:",
            ),
            (
                &["migrate", "--all-connections", "--jobs", "0"],
                "error: invalid value '0' for '--jobs <N>': --jobs takes a whole number of \
                 databases at a time, at least 1",
            ),
            (
                &["migrate:status", "--all-connections"],
                "error: unexpected argument '--all-connections' found",
            ),
        ] {
            let error = usage_error(args);
            assert!(error.starts_with(message), "{args:?}: {error}");
        }
    }

    #[test]
    fn every_command_has_an_example_in_its_help() {
        let command = BLOG.command();
        let names: Vec<String> = command
            .get_subcommands()
            .map(|sub| sub.get_name().to_owned())
            .collect();
        assert!(names.len() >= 12, "{names:?}");
        for name in names {
            let help = parse(&[&name, "--help"]).expect_err("help").to_string();
            assert!(
                help.contains("Example"),
                "{name} --help has no example:\n{help}"
            );
        }
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
