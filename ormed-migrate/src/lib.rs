//! # ormed-migrate
//!
//! Database migrations as Rust types, for SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! A migration is a type with an `impl Migration` block marked `#[migration("<id>")]`, one per
//! file in `src/migrations/`. The attribute checks the id at compile time, checksums the code,
//! and registers the type: there is no registry file and no list to maintain.
//!
//! ```standalone_crate
//! use ormed_migrate::prelude::*;
//!
//! #[derive(Default)]
//! pub struct CreateUsersTable;
//!
//! #[migration("m_20241201000000_create_users_table")]
//! impl Migration for CreateUsersTable {
//!     fn up(&self, schema: &mut Schema) {
//!         schema.create("users", |t| {
//!             t.id();
//!             t.string("email").unique();
//!             t.string("name").nullable();
//!             t.timestamps();
//!         });
//!     }
//!
//!     fn down(&self, schema: &mut Schema) {
//!         schema.drop("users");
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ormed_migrate::MigrationError> {
//! use ormed_migrate::{Driver, MigrationRunner, SqlMigrationLedger};
//!
//! let migrations = ormed_migrate::build_migrations()?;
//! assert_eq!(migrations[0].id.to_string(), "m_20241201000000_create_users_table");
//!
//! let driver = Driver::connect("sqlite::memory:").await?;
//! let ledger = SqlMigrationLedger::new(driver.clone(), "orm_migrations")?;
//! let runner = MigrationRunner::new(driver, ledger, migrations);
//! let report = runner.apply_all().await?;
//! assert_eq!(report.actions.len(), 1);
//! assert!(runner.status().await?[0].is_applied());
//! # Ok(()) }
//! ```
//!
//! An application gets a migration CLI (`migrate`, `migrate:rollback`, `migrate:status`) by
//! writing `ormed_migrate::run!();` in `main.rs`; see [`run!`].

pub mod cli;
pub mod config;
pub mod many;
mod registry;

/// The introspected schema: what tables, columns, keys and indexes a database holds.
pub use ormed_migrate_core::introspect::{
    ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, PrimaryKeySnapshot, SchemaSnapshot,
    TableSnapshot, TypeFamily,
};
#[cfg(feature = "testing")]
pub mod testing;
/// What `runner.migrate_on_startup()` returns: see [`guide::startup`].
pub use ormed_migrate_core::runner::Startup;
pub use ormed_migrate_core::{
    AppliedMigration, Apply, Blocker, Capabilities, ColumnType, ConnectionManager,
    DEFAULT_LEDGER_TABLE, DEFAULT_LOCK_TIMEOUT, DEFAULT_MIGRATION_LOCK_TIMEOUT, Dialect, Direction,
    Drift, Driver, ForeignKeyAction, Interrupt, LEDGER_FORMAT, LockWait, Migration,
    MigrationAction, MigrationDescriptor, MigrationEntry, MigrationError, MigrationId,
    MigrationIdError, MigrationLock, MigrationReport, MigrationRunner, MigrationState,
    MigrationStatus, MigrationTimestamp, Repair, RepairNeeded, Rollback, Schema, SourceLocation,
    SqlMigrationLedger, Statement, Table, WaitNotice,
};
/// Errors by stage with their hints, the schema builder's plan types (operations, table
/// commands, columns, indexes, keys), introspection, and the rendering of plans to SQL.
pub use ormed_migrate_core::{error, introspect, render, schema, wipe};
pub use ormed_migrate_macros::migration;
pub use registry::build_migrations;

/// What a migration file needs: `use ormed_migrate::prelude::*;`.
pub mod prelude {
    pub use ormed_migrate_core::{Dialect, ForeignKeyAction, Migration, Schema, Table};
    pub use ormed_migrate_macros::migration;
}

/// Used by the code `#[migration]` and `run!` generate. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{Registration, RegistrationOptions, construct};
    pub use inventory;
}

/// Compiles every migration file in this crate's `src/migrations/` (listed by
/// `ormed_migrate_build::compile_migrations()` in `build.rs`). Write it once in `lib.rs` of a
/// crate that holds migrations; `run!()` does it for a binary.
#[macro_export]
macro_rules! migrations {
    () => {
        /// Where this crate's migration files are: `make:migration` in a binary that names this
        /// crate (`run!(this_crate)`) writes there.
        #[doc(hidden)]
        #[allow(dead_code)]
        pub const __ORMED_MIGRATIONS_DIR: &str =
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/migrations");
        include!(concat!(
            env!(
                "OUT_DIR",
                "ormed_migrate: this crate has no build script; add build.rs with \
                 `fn main() { ormed_migrate_build::compile_migrations(); }` and \
                 ormed-migrate-build in [build-dependencies]"
            ),
            "/ormed_migrations.rs"
        ));
    };
}

/// Expands to a `main` that runs the migration CLI.
///
/// - `run!()`: the migrations are in this binary's `src/migrations/` (with
///   `ormed_migrate_build::compile_migrations()` in `build.rs`).
/// - `run!(app_migrations)`: the migrations are in the crate `app_migrations`. Naming it is what
///   links it: a binary that only lists a crate in `Cargo.toml` contains none of its migrations.
/// - `run!(self, app_migrations)`: both.
///
/// ```ignore
/// // src/main.rs
/// ormed_migrate::run!();
/// ```
///
/// Commands: `migrate [--limit N] [--step] [--pretend] [--strict-order]`,
/// `migrate:rollback [--step N] [--batch N] [--pretend]` (every `N` a whole number ≥ 1),
/// `migrate:status`, `migrate:repair [<id> --applied | --rolled-back]`,
/// `make:migration <name> [--create TABLE] [--path DIR] [--force]`. `--help` and `--version`
/// show the application's package name, version and description. The database is
/// `--database URL`, else `DATABASE_URL`, else `sqlite://<package name>.db` in the working
/// directory.
#[macro_export]
macro_rules! run {
    () => {
        $crate::migrations!();
        $crate::run!(@main __ORMED_MIGRATIONS_DIR);
    };
    (self $(, $krate:ident)* $(,)?) => {
        $crate::migrations!();
        $( use $krate as _; )*
        $crate::run!(@main __ORMED_MIGRATIONS_DIR);
    };
    (@main $migrations_dir:path) => {
        fn main() -> ::std::process::ExitCode {
            // Expanded in the application, so these are its own package's name, version and
            // description, which `--help` and `--version` show.
            $crate::cli::main($crate::cli::App {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
                description: match option_env!("CARGO_PKG_DESCRIPTION") {
                    Some(description) => description,
                    None => "",
                },
                manifest_dir: env!("CARGO_MANIFEST_DIR"),
                migrations_dir: $migrations_dir,
            })
        }
    };
    // make:migration writes to the first crate's folder.
    ($first:ident $(, $krate:ident)* $(,)?) => {
        use $first as _;
        $( use $krate as _; )*
        $crate::run!(@main $first::__ORMED_MIGRATIONS_DIR);
    };
}

/// The guides in `docs/`; every example in them compiles and runs as a doctest.
pub mod guide {
    #[doc = include_str!("../../docs/getting-started.md")]
    pub mod getting_started {}
    #[doc = include_str!("../../docs/migrations.md")]
    pub mod migrations {}
    #[doc = include_str!("../../docs/checksums.md")]
    pub mod checksums {}
    #[doc = include_str!("../../docs/running-migrations.md")]
    pub mod running_migrations {}
    #[doc = include_str!("../../docs/schema.md")]
    pub mod schema {}
    #[doc = include_str!("../../docs/grouped-mode.md")]
    pub mod grouped_mode {}
    #[doc = include_str!("../../docs/cli.md")]
    pub mod cli {}
    #[doc = include_str!("../../docs/testing.md")]
    pub mod testing {}
    #[doc = include_str!("../../docs/startup.md")]
    pub mod startup {}
    #[doc = include_str!("../../docs/waits-and-interrupts.md")]
    pub mod waits_and_interrupts {}
    #[doc = include_str!("../../docs/concurrency.md")]
    pub mod concurrency {}
    #[doc = include_str!("../../docs/migrating-from.md")]
    pub mod migrating_from {}
    #[doc = include_str!("../../docs/troubleshooting.md")]
    pub mod troubleshooting {}
    #[doc = include_str!("../../docs/architecture.md")]
    pub mod architecture {}
}

/// Every code block of the README compiles and runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
