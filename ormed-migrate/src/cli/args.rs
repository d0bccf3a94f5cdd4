//! The command line: global flags and the commands, as clap parses them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ormed_migrate_core::driver::redact_url;

use super::{count, many};

/// Runs database migrations.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Database URL (sqlite://app.db, postgres://…, mysql://…). Default: $DATABASE_URL (also
    /// read from .env), then the default connection of ormed.toml, then sqlite://PACKAGE.db
    /// (the application's package name) in the working directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// A named connection from ormed.toml.
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "database")]
    pub connection: Option<String>,

    /// The ledger table that records applied migrations. Default: the connection's `table` in
    /// ormed.toml, else orm_migrations.
    #[arg(long, global = true, value_name = "NAME")]
    pub table: Option<String>,

    /// How long one migration statement may wait for a lock another session holds (table,
    /// metadata or row locks), in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "10",
          value_parser = count::seconds)]
    pub lock_timeout: Duration,

    /// How long to wait for another runner's migration lock, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "60",
          value_parser = count::seconds)]
    pub migration_lock_timeout: Duration,

    /// Print only results (the status table, JSON, problems found), warnings and errors: no
    /// progress lines, summaries or the Database line.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Never colour the output (it is coloured only on a terminal, and never when NO_COLOR is
    /// set).
    #[arg(long, global = true)]
    pub no_color: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// A conflict clap cannot see: it checks conflicts within one command, and `--database` or
    /// `--connection` written before `migrate` belongs to the top command.
    pub(super) fn conflict(&self) -> Option<String> {
        let Command::Migrate { many, .. } = &self.command else {
            return None;
        };
        let flag = match (many.all_connections, &many.databases_from) {
            (true, _) => "--all-connections",
            (false, Some(_)) => "--databases-from <FILE>",
            (false, None) => return None,
        };
        let other = match (&self.database, &self.connection) {
            (Some(_), _) => "--database <URL>",
            (None, Some(_)) => "--connection <NAME>",
            (None, None) => return None,
        };
        Some(format!(
            "the argument '{flag}' cannot be used with '{other}'"
        ))
    }
}

impl std::fmt::Debug for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database = self.database.as_deref().map(redact_url);
        f.debug_struct("Cli")
            .field("database", &database)
            .field("connection", &self.connection)
            .field("table", &self.table)
            .field("command", &self.command)
            .finish()
    }
}

/// `--force`: run a destructive command where the environment says production, without asking.
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct Force {
    /// Run without asking even when APP_ENV or ORMED_ENV is production.
    #[arg(long)]
    pub force: bool,
}

/// `migrate --all-connections` and `migrate --databases-from FILE`: the same migrations on
/// many databases, `--jobs N` at a time. Either one excludes the other and `--database` /
/// `--connection`; `--jobs` needs one of them.
#[derive(Args, Clone, Debug, Default)]
pub struct ManyDatabases {
    /// Migrate every connection of ormed.toml, each with its own lock and ledger table.
    #[arg(long, group = "many_databases", conflicts_with_all = ["database", "connection"])]
    pub all_connections: bool,
    /// Migrate every database listed in FILE: one URL per line; blank lines and lines starting
    /// with # are skipped.
    #[arg(long, value_name = "FILE", group = "many_databases",
          conflicts_with_all = ["database", "connection"])]
    pub databases_from: Option<PathBuf>,
    /// How many databases to migrate at a time (N ≥ 1; default 4), with --all-connections or
    /// --databases-from.
    #[arg(long, value_name = "N", requires = "many_databases", value_parser = many::jobs,
          allow_negative_numbers = true)]
    pub jobs: Option<usize>,
}

impl ManyDatabases {
    /// Whether the run is over many databases.
    pub fn is_set(&self) -> bool {
        self.all_connections || self.databases_from.is_some()
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply every pending migration as one new batch.
    #[command(
        name = "migrate",
        after_help = "Examples:\n  app migrate --pretend\n  app migrate --all-connections --jobs 8\n  \
                      app migrate --databases-from tenants.txt"
    )]
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
        /// Fail when the database is ahead of this binary (it has applied migrations newer
        /// than every one this binary contains: a newer release migrated it) instead of
        /// warning.
        #[arg(long)]
        refuse_ahead: bool,
        /// Many databases at once.
        #[command(flatten)]
        many: ManyDatabases,
    },
    /// Roll back the last batch (or the last N batches).
    #[command(
        name = "migrate:rollback",
        after_help = "Example: app migrate:rollback --step 2"
    )]
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
        /// Skip the production guard.
        #[command(flatten)]
        force: Force,
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
        /// Skip the production guard.
        #[command(flatten)]
        force: Force,
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
        /// Print the SQL of the rollback that would run; run nothing.
        #[arg(long)]
        pretend: bool,
        /// Skip the production guard.
        #[command(flatten)]
        force: Force,
    },
    /// Drop every table, view, sequence and type of the connection's schema, then migrate.
    #[command(
        name = "migrate:fresh",
        after_help = "Example: app migrate:fresh --database sqlite://dev.db\n\nOnly the \
                      connection's own schema (PostgreSQL) or database (MySQL) is emptied; objects \
                      that belong to an extension are kept."
    )]
    Fresh {
        /// Print what would be dropped; drop and run nothing.
        #[arg(long)]
        pretend: bool,
        /// Skip the production guard.
        #[command(flatten)]
        force: Force,
    },
    /// Create the ledger table, if it is not there.
    #[command(name = "migrate:install", after_help = "Example: app migrate:install")]
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
        /// Skip the production guard.
        #[command(flatten)]
        force: Force,
    },
    /// Show every migration and whether it is applied.
    #[command(
        name = "migrate:status",
        after_help = "Example: app migrate:status --json\n\nWith --json, stdout is an array of \
                      objects: id, state (applied | pending | changed | missing | failed | \
                      running), batch, applied_at (RFC 3339, UTC), checksum, and \
                      recorded_checksum (changed) or direction (failed, running)."
    )]
    Status {
        /// Print the status as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Exit with 1 when any migration is pending.
        #[arg(long)]
        pending: bool,
    },
    /// For CI: list every problem (pending, changed, missing, failed or running migrations, and
    /// drift of the live schema from what the migrations made), exit 1 when there is one.
    #[command(
        name = "migrate:check",
        after_help = "Example: app migrate:check --all-tables\n\nDrift: the live schema compared \
                      with what the applied migrations produce (columns, indexes, keys, tables); \
                      tables named by raw SQL are listed as unverifiable, never as drift."
    )]
    Check {
        /// Count tables no migration mentions as drift too (the ledger's never are).
        #[arg(long)]
        all_tables: bool,
    },
    /// Resolve a migration after fixing the schema by hand: without arguments, list what needs it.
    #[command(
        name = "migrate:repair",
        after_help = "Example: app migrate:repair m_20241201000000_create_users_table --applied"
    )]
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
    #[command(
        name = "make:migration",
        after_help = "Examples:\n  app make:migration create_posts_table\n  app make:migration \
                      add_avatar_to_users\n  app make:migration tune_posts --table posts"
    )]
    MakeMigration {
        /// The migration's name in snake_case, for example create_posts_table (CamelCase,
        /// kebab-case and spaced names are converted).
        name: String,
        /// The table it creates (guessed from names like create_posts_table).
        #[arg(long, value_name = "TABLE", conflicts_with = "table")]
        create: Option<String>,
        /// The table it changes (guessed from names like add_avatar_to_users).
        #[arg(long = "table", value_name = "TABLE", id = "table")]
        alter: Option<String>,
        /// The folder to write to (default: src/migrations of this application).
        #[arg(long, value_name = "DIR")]
        path: Option<std::path::PathBuf>,
        /// Write it even when a migration with the same name already exists.
        #[arg(long)]
        force: bool,
    },
}

impl Command {
    /// Whether it is `migrate` over many databases (`--all-connections`, `--databases-from`).
    pub(super) fn many_databases(&self) -> bool {
        matches!(self, Command::Migrate { many, .. } if many.is_set())
    }

    /// Whether the command may write to the database (read-only ones never create a SQLite file).
    pub(super) fn writes(&self) -> bool {
        match self {
            Command::Migrate { pretend, .. }
            | Command::Rollback { pretend, .. }
            | Command::Reset { pretend, .. }
            | Command::Refresh { pretend, .. }
            | Command::Fresh { pretend, .. }
            | Command::Up { pretend, .. }
            | Command::Down { pretend, .. } => !pretend,
            Command::Install => true,
            Command::Repair { id, .. } => id.is_some(),
            Command::Status { .. } | Command::Check { .. } | Command::MakeMigration { .. } => false,
        }
    }

    /// The command's name and whether it destroys data (and so needs `--force` or a yes in
    /// production): `None` when it does not.
    pub(super) fn destructive(&self) -> Option<(&'static str, Force)> {
        match self {
            Command::Rollback {
                pretend: false,
                force,
                ..
            } => Some(("migrate:rollback", *force)),
            Command::Reset {
                pretend: false,
                force,
            } => Some(("migrate:reset", *force)),
            Command::Refresh {
                pretend: false,
                force,
                ..
            } => Some(("migrate:refresh", *force)),
            Command::Fresh {
                pretend: false,
                force,
            } => Some(("migrate:fresh", *force)),
            Command::Down {
                pretend: false,
                force,
                ..
            } => Some(("migrate:down", *force)),
            _ => None,
        }
    }
}
