//! `migrate --all-connections` and `migrate --databases-from FILE`: the same migrations on many
//! databases, `--jobs N` at a time, through [`crate::many`]. One progress line per database as
//! it finishes, an error on stderr for each that failed (naming it), a table at the end; exit 1
//! when any failed.

use std::fmt::Write as _;
use std::path::Path;

use ormed_migrate_core::driver::redact_url;
use ormed_migrate_core::error::RunError;
use ormed_migrate_core::redact::Secrets;
use ormed_migrate_core::{Interrupt, MigrationError};

use super::args::{Cli, ManyDatabases};
use super::{Display, Outcome, error_text, render_report, signal};
use crate::config::{CONFIG_FILE, Config};
use crate::many::{DatabaseOutcome, MigrateMany, Target};

/// How many databases are migrated at a time without `--jobs`.
pub(super) const DEFAULT_JOBS: usize = 4;

/// How wide a progress line is, dots included (as wide as a migration's line).
const LINE_WIDTH: usize = 80;

/// `--jobs N`: a whole number of at least 1.
pub(super) fn jobs(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| "--jobs takes a whole number of databases at a time, at least 1".to_owned())
}

/// The flags of `migrate` that apply to each database.
#[derive(Clone, Copy, Debug)]
pub(super) struct PerDatabase {
    pub(super) limit: Option<usize>,
    pub(super) step: bool,
    pub(super) grouped: bool,
    pub(super) pretend: bool,
    pub(super) strict_order: bool,
    pub(super) refuse_ahead: bool,
}

/// Migrates every database `flags` names, reading `ormed.toml` and the databases file from
/// `dir`; what it prints, each database's lines masked with its own password.
pub(super) async fn run(
    cli: &Cli,
    flags: &ManyDatabases,
    each: PerDatabase,
    display: Display,
    dir: &Path,
) -> Result<Outcome, MigrationError> {
    let (targets, source) = targets(cli, flags, dir)?;
    let jobs = flags.jobs.unwrap_or(DEFAULT_JOBS);
    if !cli.quiet {
        eprintln!("Databases: {source}, {jobs} at a time");
    }
    let secrets: Vec<Secrets> = targets.iter().map(|t| Secrets::of_url(&t.url)).collect();
    let total = targets.len();
    let mut finished = 0;
    let mut many = MigrateMany::new(targets, crate::build_migrations()?)
        .jobs(jobs)
        .strict_order(each.strict_order)
        .refuse_ahead(each.refuse_ahead)
        .lock_timeout(cli.lock_timeout)
        .migration_lock_timeout(cli.migration_lock_timeout)
        .on_done(move |outcome| {
            finished += usize::from(outcome.started);
            report_done(outcome, (finished, total), each.pretend, display);
        });
    if let Some(limit) = each.limit {
        many = many.limit(limit);
    }
    if each.step {
        many = many.step();
    }
    if each.grouped {
        many = many.grouped();
    }
    many = match each.pretend {
        true => many.pretend(),
        false => many.interrupt_on(signal::listen()),
    };
    let outcomes = many.run().await;
    let stdout = secrets
        .iter()
        .fold(render(&outcomes, each.pretend), |text, secrets| {
            secrets.mask(&text)
        });
    Ok(Outcome {
        stdout,
        problems: outcomes.iter().any(|outcome| !outcome.is_ok()),
        signal: outcomes.iter().find_map(interrupted_by),
    })
}

/// The databases to migrate, and where they came from (for the `Databases:` line).
fn targets(
    cli: &Cli,
    flags: &ManyDatabases,
    dir: &Path,
) -> Result<(Vec<Target>, String), MigrationError> {
    let config = Config::load(dir)?;
    let table_or = |configured: Option<&str>| super::connection::ledger_table(cli, configured);
    let Some(file) = &flags.databases_from else {
        let config = config.filter(|config| !config.connections.is_empty());
        let Some(config) = config else {
            return Err(config_problem(
                &dir.join(CONFIG_FILE),
                "--all-connections needs this file, with a [connections.NAME] table for each \
                 database"
                    .to_owned(),
            ));
        };
        let targets: Vec<Target> = config
            .connections
            .iter()
            .map(|(name, connection)| {
                Target::new(name, &connection.url).table(table_or(config.table_of(connection)))
            })
            .collect();
        let source = format!("{} connections of {CONFIG_FILE}", targets.len());
        return Ok((targets, source));
    };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| config_problem(&path, format!("cannot be read: {error}")))?;
    let urls = database_urls(&text).map_err(|problem| config_problem(&path, problem))?;
    let table = table_or(config.as_ref().and_then(|config| config.table.as_deref()));
    let targets: Vec<Target> = urls
        .into_iter()
        .map(|url| Target::new(redact_url(&url), url).table(&table))
        .collect();
    let source = format!("{} from {}", targets.len(), file.display());
    Ok((targets, source))
}

/// The URLs of a databases file: one per line, surrounding spaces trimmed; blank lines and lines
/// starting with `#` skipped. A file with none, or with one URL twice (it would be migrated
/// twice), is refused; the problem never quotes a line, which may hold a password.
pub(super) fn database_urls(text: &str) -> Result<Vec<String>, String> {
    let mut urls: Vec<(usize, &str)> = Vec::new();
    for (number, line) in (1..).zip(text.lines()) {
        let url = line.trim();
        if url.is_empty() || url.starts_with('#') {
            continue;
        }
        if let Some((first, _)) = urls.iter().find(|(_, seen)| *seen == url) {
            return Err(format!(
                "line {number} lists the database of line {first} again; list each database once"
            ));
        }
        urls.push((number, url));
    }
    if urls.is_empty() {
        return Err("lists no database: write one database URL per line".to_owned());
    }
    Ok(urls.into_iter().map(|(_, url)| url.to_owned()).collect())
}

fn config_problem(path: &Path, problem: String) -> MigrationError {
    crate::config::problem(path.display(), problem)
}

/// As a database finishes: its progress line on stdout (not with `--quiet`), and its error or
/// warnings on stderr, naming it, with its password masked. One that an interrupt kept from
/// starting only has its row in the table.
fn report_done(
    outcome: &DatabaseOutcome,
    (done, total): (usize, usize),
    pretend: bool,
    display: Display,
) {
    if !outcome.started {
        return;
    }
    let secrets = Secrets::of_url(&outcome.target.url);
    display.progress(&secrets.mask(&progress_line(outcome, done, total, pretend)));
    match &outcome.result {
        Ok(report) => {
            for warning in &report.warnings {
                let named = named(&outcome.target, warning);
                eprintln!("{}", secrets.mask(&format!("warning: {named}")));
            }
        }
        Err(error) => {
            let text = error_text(error);
            let message = text.strip_prefix("error: ").unwrap_or(&text);
            let named = named(&outcome.target, message);
            eprint!("{}", secrets.mask(&format!("error: {named}")));
        }
    }
}

/// `message` after the database's name and masked URL, unless it names them already (a
/// connection error names the URL).
fn named(target: &Target, message: &str) -> String {
    let url = target.redacted_url();
    match (target.name == url, message.contains(&url)) {
        (true, true) => message.to_owned(),
        (true, false) => format!("{url}: {message}"),
        (false, true) => format!("{}: {message}", target.name),
        (false, false) => format!("{} ({url}): {message}", target.name),
    }
}

/// `[2/5] tenant_b ........................................ 13 applied, 84 ms DONE`.
fn progress_line(outcome: &DatabaseOutcome, done: usize, total: usize, pretend: bool) -> String {
    let head = format!("[{done}/{total}] {}", outcome.target.name);
    let ms = outcome.duration.as_millis();
    let tail = match (&outcome.result, pretend) {
        (Ok(_), false) => format!("{} applied, {ms} ms DONE", outcome.applied),
        (Ok(_), true) => format!("{} to apply, {ms} ms DONE", outcome.applied),
        (Err(_), _) => format!("{} applied, {ms} ms FAILED", outcome.applied),
    };
    let dots = LINE_WIDTH
        .saturating_sub(head.len() + tail.len() + 2)
        .max(3);
    format!("{head} {} {tail}\n", ".".repeat(dots))
}

/// With `pretend`, each database's SQL; then the table of every database and a closing line.
fn render(outcomes: &[DatabaseOutcome], pretend: bool) -> String {
    let mut out = String::new();
    if pretend {
        for outcome in outcomes {
            if let Ok(report) = &outcome.result {
                let sql = render_report(report, "Nothing to migrate.", "Applied");
                let _ = write!(out, "{}:\n{sql}\n", outcome.target.name);
            }
        }
    }
    out + &summary_table(outcomes, pretend)
}

/// `Database  Result  Applied  Duration`, a row per database in the order given, and a count.
fn summary_table(outcomes: &[DatabaseOutcome], pretend: bool) -> String {
    let width = outcomes
        .iter()
        .map(|outcome| outcome.target.name.chars().count())
        .chain(["Database".len()])
        .max()
        .unwrap_or_default();
    let applied = if pretend { "To apply" } else { "Applied" };
    let mut out = format!(
        "{:<width$}  Result   {applied:>8}  {:>10}\n",
        "Database", "Duration"
    );
    for outcome in outcomes {
        let result = match (outcome.started, outcome.is_ok()) {
            (false, _) => "skipped",
            (true, true) => "ok",
            (true, false) => "failed",
        };
        let ms = format!("{} ms", outcome.duration.as_millis());
        let _ = writeln!(
            out,
            "{:<width$}  {result:<7}  {:>8}  {ms:>10}",
            outcome.target.name, outcome.applied
        );
    }
    out + &closing_line(outcomes, pretend)
}

/// `3 databases migrated.`, `2 of 3 databases migrated, 1 failed.`, `… 2 not started.`
fn closing_line(outcomes: &[DatabaseOutcome], pretend: bool) -> String {
    let total = outcomes.len();
    let count = |pick: fn(&DatabaseOutcome) -> bool| outcomes.iter().filter(|o| pick(o)).count();
    let failed = count(|o| o.started && !o.is_ok());
    let skipped = count(|o| !o.started);
    let noun = if total == 1 { "database" } else { "databases" };
    let mut line = match pretend {
        true => format!("Pretend: {total} {noun}"),
        false if failed + skipped == 0 => format!("{total} {noun} migrated"),
        false => format!("{} of {total} {noun} migrated", total - failed - skipped),
    };
    if failed > 0 {
        let _ = write!(line, ", {failed} failed");
    }
    if skipped > 0 {
        let _ = write!(line, ", {skipped} not started (interrupted)");
    }
    if pretend {
        line.push_str(", nothing was run");
    }
    line + ".\n"
}

/// The signal that stopped this database's run, if one did.
fn interrupted_by(outcome: &DatabaseOutcome) -> Option<Interrupt> {
    match &outcome.result {
        Err(MigrationError::Run(RunError::Interrupted { signal, .. })) => Some(*signal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_databases_file_lists_one_url_a_line_without_blanks_and_comments() {
        let text = "# tenants\n\nsqlite://a.db\n  postgres://u:pw@h/b  \r\n\t# old: mysql://h/c\n\
                    mysql://h/d";
        assert_eq!(
            database_urls(text),
            Ok(vec![
                "sqlite://a.db".to_owned(),
                "postgres://u:pw@h/b".to_owned(),
                "mysql://h/d".to_owned(),
            ])
        );
    }

    #[test]
    fn a_databases_file_without_urls_or_with_one_twice_is_refused_without_quoting_it() {
        for text in ["", "\n\n", "# only a comment\n   \n"] {
            assert_eq!(
                database_urls(text),
                Err("lists no database: write one database URL per line".to_owned()),
                "{text:?}"
            );
        }
        let error = database_urls("postgres://u:secret@h/a\n\npostgres://u:secret@h/a\n")
            .expect_err("a repeated URL");
        assert_eq!(
            error,
            "line 3 lists the database of line 1 again; list each database once"
        );
    }

    #[test]
    fn jobs_take_whole_numbers_from_one() {
        assert_eq!(jobs("1"), Ok(1));
        assert_eq!(jobs("16"), Ok(16));
        for bad in ["0", "-1", "1.5", "many", "", "99999999999999999999999"] {
            assert_eq!(
                jobs(bad),
                Err("--jobs takes a whole number of databases at a time, at least 1".to_owned()),
                "{bad:?}"
            );
        }
    }

    fn outcome(name: &str, url: &str, result: Result<usize, MigrationError>) -> DatabaseOutcome {
        let applied = *result.as_ref().unwrap_or(&2);
        DatabaseOutcome {
            target: Target::new(name, url),
            result: result.map(|_| Default::default()),
            applied,
            duration: std::time::Duration::from_millis(7),
            started: true,
        }
    }

    #[test]
    fn the_table_has_a_row_per_database_and_counts_the_failures() {
        let refused = MigrationError::from(ormed_migrate_core::error::SetupError::Config {
            path: "x".into(),
            problem: "no".into(),
        });
        let mut outcomes = vec![
            outcome("tenant_a", "sqlite://a.db", Ok(13)),
            outcome("tenant_bb", "postgres://u:pw@h/b", Err(refused)),
        ];
        assert_eq!(
            summary_table(&outcomes, false),
            "Database   Result    Applied    Duration\n\
             tenant_a   ok             13        7 ms\n\
             tenant_bb  failed          2        7 ms\n\
             1 of 2 databases migrated, 1 failed.\n"
        );
        let mut skipped = outcome("tenant_c", "sqlite://c.db", Ok(0));
        skipped.started = false;
        outcomes.push(skipped);
        assert!(
            summary_table(&outcomes, false).ends_with(
                "tenant_c   skipped         0        7 ms\n\
                 1 of 3 databases migrated, 1 failed, 1 not started (interrupted).\n"
            ),
            "{}",
            summary_table(&outcomes, false)
        );
        assert_eq!(
            closing_line(&outcomes[..1], false),
            "1 database migrated.\n"
        );
        assert_eq!(
            closing_line(&outcomes[..1], true),
            "Pretend: 1 database, nothing was run.\n"
        );
        let line = progress_line(&outcomes[1], 2, 2, false);
        assert!(line.starts_with("[2/2] tenant_bb ..."), "{line}");
        assert!(line.ends_with(" 2 applied, 7 ms FAILED\n"), "{line}");
        assert_eq!(line.len(), LINE_WIDTH + 1, "{line}");
        let tenant = &outcomes[1].target;
        assert_eq!(
            named(tenant, "refused"),
            "tenant_bb (postgres://u:***@h/b): refused"
        );
        assert_eq!(
            named(tenant, "could not connect to postgres://u:***@h/b"),
            "tenant_bb: could not connect to postgres://u:***@h/b"
        );
        let file_entry = Target::new("sqlite://a.db", "sqlite://a.db");
        assert_eq!(named(&file_entry, "refused"), "sqlite://a.db: refused");
        assert_eq!(named(&file_entry, "at sqlite://a.db"), "at sqlite://a.db");
    }
}
