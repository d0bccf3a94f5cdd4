//! Connection settings: `ormed.toml` with named connections, and where the CLI finds its URL.
//!
//! ```toml
//! # ormed.toml, in the directory the application runs in
//! default = "primary"          # the connection used without --connection
//! table = "orm_migrations"     # the ledger table, unless a connection names its own
//!
//! [connections.primary]
//! url = "postgres://app@db.internal/app"
//!
//! [connections.reporting]
//! url = "mysql://app@reports.internal/reports"
//! table = "schema_migrations"
//! ```
//!
//! The CLI picks its database from `--database URL`, else `--connection NAME` (a connection of
//! this file), else `DATABASE_URL` (from the environment, or from `.env` in the working
//! directory), else the file's `default` connection, else `sqlite://<package>.db`.
//! [`Config::connection_manager`] connects every connection of the file, for
//! [`SqlMigrationLedger::managed`](crate::SqlMigrationLedger::managed).
//!
//! ```
//! use ormed_migrate::config::Config;
//!
//! let config = Config::parse(
//!     "default = \"main\"\n[connections.main]\nurl = \"sqlite://app.db\"\n",
//!     "ormed.toml",
//! )?;
//! let (name, main) = config.default_connection().expect("a default");
//! assert_eq!((name, main.url.as_str()), ("main", "sqlite://app.db"));
//! # Ok::<(), ormed_migrate::MigrationError>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use ormed_migrate_core::error::SetupError;
use ormed_migrate_core::{ConnectionManager, Driver, MigrationError};

/// The file the CLI reads from the working directory.
pub const CONFIG_FILE: &str = "ormed.toml";

/// `ormed.toml`, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The connection used when none is named.
    pub default: Option<String>,
    /// The ledger table of every connection that does not name its own.
    pub table: Option<String>,
    /// The connections by name.
    pub connections: BTreeMap<String, ConnectionConfig>,
}

/// One connection of `ormed.toml`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// Its database URL.
    pub url: String,
    /// Its ledger table, if it has its own.
    pub table: Option<String>,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("url", &ormed_migrate_core::driver::redact_url(&self.url))
            .field("table", &self.table)
            .finish()
    }
}

impl Config {
    /// Reads `dir/ormed.toml`; `None` when there is no such file.
    pub fn load(dir: &Path) -> Result<Option<Config>, MigrationError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path.display().to_string()).map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(problem(path.display(), error.to_string())),
        }
    }

    /// Parses the text of an `ormed.toml`; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Config, MigrationError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            problem(path, format!("not valid TOML: {}", e.message()))
        })?;
        let mut config = Config::default();
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("default", toml::Value::String(name)) => config.default = Some(name.clone()),
                ("table", toml::Value::String(name)) => config.table = Some(name.clone()),
                ("connections", toml::Value::Table(connections)) => {
                    for (name, value) in connections {
                        let connection = connection(path, name, value)?;
                        config.connections.insert(name.clone(), connection);
                    }
                }
                _ => {
                    return Err(problem(
                        path,
                        format!(
                            "unexpected `{key}`; the file holds `default = \"name\"`, `table = \
                             \"ledger\"` and [connections.NAME] tables with `url` and `table`"
                        ),
                    ));
                }
            }
        }
        if let Some(name) = &config.default
            && !config.connections.contains_key(name)
        {
            return Err(config.unknown(path, name));
        }
        Ok(config)
    }

    /// The default connection: the one `default` names, or the only one.
    pub fn default_connection(&self) -> Option<(&str, &ConnectionConfig)> {
        match &self.default {
            Some(name) => self
                .connections
                .get_key_value(name)
                .map(|(name, c)| (name.as_str(), c)),
            None if self.connections.len() == 1 => self
                .connections
                .iter()
                .next()
                .map(|(name, c)| (name.as_str(), c)),
            None => None,
        }
    }

    /// The connection called `name`, or an error that lists the names there are.
    pub fn connection(&self, name: &str) -> Result<&ConnectionConfig, MigrationError> {
        self.connections
            .get(name)
            .ok_or_else(|| self.unknown(CONFIG_FILE, name))
    }

    /// The ledger table of `connection`: its own, else the file's, else `None` (the default).
    pub fn table_of<'a>(&'a self, connection: &'a ConnectionConfig) -> Option<&'a str> {
        connection.table.as_deref().or(self.table.as_deref())
    }

    /// Connects every connection, registered under its name.
    pub async fn connection_manager(&self) -> Result<ConnectionManager, MigrationError> {
        let mut manager = ConnectionManager::new();
        for (name, connection) in &self.connections {
            manager.register(name, Driver::connect(&connection.url).await?);
        }
        Ok(manager)
    }

    fn unknown(&self, path: &str, name: &str) -> MigrationError {
        let names: Vec<&str> = self.connections.keys().map(String::as_str).collect();
        let known = match names.is_empty() {
            true => "it has none".to_owned(),
            false => format!("it has {}", names.join(", ")),
        };
        problem(path, format!("no connection named `{name}`: {known}"))
    }
}

fn connection(
    path: &str,
    name: &str,
    value: &toml::Value,
) -> Result<ConnectionConfig, MigrationError> {
    let shape = || {
        problem(
            path,
            format!(
                "[connections.{name}] needs `url = \"…\"` (a database URL) and may have `table = \
                 \"…\"`"
            ),
        )
    };
    let toml::Value::Table(fields) = value else {
        return Err(shape());
    };
    let mut url = None;
    let mut table = None;
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("url", toml::Value::String(text)) => url = Some(text.clone()),
            ("table", toml::Value::String(text)) => table = Some(text.clone()),
            _ => return Err(shape()),
        }
    }
    Ok(ConnectionConfig {
        url: url.ok_or_else(shape)?,
        table,
    })
}

/// A problem with a settings file (`ormed.toml`, `.env`, a databases file), naming the file.
pub(crate) fn problem(path: impl std::fmt::Display, problem: String) -> MigrationError {
    SetupError::Config {
        path: path.to_string(),
        problem,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_connections_a_default_and_ledger_tables() {
        let config = Config::parse(
            "default = \"a\"\ntable = \"ledger\"\n[connections.a]\nurl = \"sqlite://a.db\"\n\
             [connections.b]\nurl = \"postgres://u:secret@h/b\"\ntable = \"b_ledger\"\n",
            "ormed.toml",
        )
        .unwrap();
        let (name, a) = config.default_connection().unwrap();
        assert_eq!(name, "a");
        assert_eq!(config.table_of(a), Some("ledger"));
        let b = config.connection("b").unwrap();
        assert_eq!(config.table_of(b), Some("b_ledger"));
        assert!(!format!("{b:?}").contains("secret"), "{b:?}");
    }

    #[test]
    fn says_what_is_wrong_and_what_the_file_holds() {
        for (text, expected) in [
            ("default = ", "ormed.toml: not valid TOML"),
            ("urls = 1", "unexpected `urls`"),
            (
                "[connections.a]\nhost = \"x\"",
                "[connections.a] needs `url",
            ),
            (
                "default = \"x\"\n[connections.a]\nurl = \"sqlite://a.db\"",
                "no connection named `x`: it has a",
            ),
        ] {
            let error = Config::parse(text, "ormed.toml").unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let config = Config::parse("", "ormed.toml").unwrap();
        assert!(config.default_connection().is_none());
        let error = config.connection("main").unwrap_err().to_string();
        assert!(
            error.contains("no connection named `main`: it has none"),
            "{error}"
        );
    }
}
