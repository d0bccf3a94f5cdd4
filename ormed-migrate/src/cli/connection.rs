//! Which database the CLI migrates, and with which ledger table: `--database`, else
//! `--connection` (from `ormed.toml`), else `DATABASE_URL` (the environment, then `.env`), else
//! the default connection of `ormed.toml`, else `sqlite://<package>.db`.

use std::fmt;
use std::path::Path;

use ormed_migrate_core::driver::redact_url;
use ormed_migrate_core::{DEFAULT_LEDGER_TABLE, MigrationError};

use super::args::Cli;
use crate::config::{self, CONFIG_FILE, Config};

/// The chosen database.
pub(super) struct Chosen {
    /// Its URL (print it with [`Chosen`]'s `Display`, which masks the password).
    pub(super) url: String,
    /// The ledger table.
    pub(super) table: String,
    /// Where the URL came from.
    source: String,
}

impl fmt::Display for Chosen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Database: {} (from {})",
            redact_url(&self.url),
            self.source
        )
    }
}

/// Chooses the database for `cli`, reading `.env` and `ormed.toml` from `dir`.
pub(super) fn choose(cli: &Cli, app_name: &str, dir: &Path) -> Result<Chosen, MigrationError> {
    let config = Config::load(dir)?;
    let (url, from_config, source) = match (&cli.database, &cli.connection) {
        (Some(url), _) => (url.clone(), None, "--database".to_owned()),
        (None, Some(name)) => {
            let Some(config) = &config else {
                return Err(config::problem(
                    dir.join(CONFIG_FILE).display(),
                    format!(
                        "--connection {name} needs this file, with a [connections.{name}] table"
                    ),
                ));
            };
            let connection = config.connection(name)?;
            let source = format!("{CONFIG_FILE}, connection {name}");
            (connection.url.clone(), Some(connection), source)
        }
        (None, None) => match database_url_variable(dir)? {
            Some((url, source)) => (url, None, source.to_owned()),
            None => match config.as_ref().and_then(Config::default_connection) {
                Some((name, connection)) => {
                    let source = format!("{CONFIG_FILE}, connection {name}");
                    (connection.url.clone(), Some(connection), source)
                }
                None => (
                    format!("sqlite://{app_name}.db"),
                    None,
                    "the default".to_owned(),
                ),
            },
        },
    };
    let configured = config.as_ref().and_then(|config| match from_config {
        Some(connection) => config.table_of(connection),
        None => config.table.as_deref(),
    });
    let table = ledger_table(cli, configured);
    Ok(Chosen { url, table, source })
}

/// The ledger table: `--table`, else what ormed.toml says for the database, else the default.
pub(super) fn ledger_table(cli: &Cli, configured: Option<&str>) -> String {
    cli.table
        .as_deref()
        .or(configured)
        .unwrap_or(DEFAULT_LEDGER_TABLE)
        .to_owned()
}

/// `DATABASE_URL` from the environment, else from `dir/.env`; empty counts as unset.
fn database_url_variable(dir: &Path) -> Result<Option<(String, &'static str)>, MigrationError> {
    if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        return Ok(Some((url, "DATABASE_URL")));
    }
    let path = dir.join(".env");
    let entries = match dotenvy::from_path_iter(&path) {
        Ok(entries) => entries,
        Err(error) if error.not_found() => return Ok(None),
        Err(error) => return Err(env_file_error(&path, &error)),
    };
    for entry in entries {
        let (key, value) = entry.map_err(|error| env_file_error(&path, &error))?;
        if key == "DATABASE_URL" && !value.is_empty() {
            return Ok(Some((value, "DATABASE_URL in .env")));
        }
    }
    Ok(None)
}

/// The problem with `.env`, never quoting its lines: they hold passwords.
fn env_file_error(path: &Path, error: &dotenvy::Error) -> MigrationError {
    let problem = match error {
        dotenvy::Error::LineParse(_, at) => {
            format!("cannot be parsed at character {at}: write each line as NAME=value")
        }
        dotenvy::Error::Io(error) => format!("cannot be read: {error}"),
        _ => "cannot be read: a variable in it is not valid text".to_owned(),
    };
    config::problem(path.display(), problem)
}
