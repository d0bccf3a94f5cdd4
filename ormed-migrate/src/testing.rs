//! Helpers for an application's own tests (the `testing` feature): a fresh database per test,
//! the reversibility check, stepping through migrations, and a check that every migration
//! file is linked into the test binary.
//!
//! ```no_run
//! // tests/migrations.rs of the crate that holds the migrations
//! use ormed_migrate::testing::{TestDatabase, assert_migrations_linked, assert_reversible};
//!
//! #[tokio::test]
//! async fn every_down_undoes_its_up() {
//!     assert_migrations_linked();
//!     let migrations = ormed_migrate::build_migrations().expect("migrations");
//!     let db = TestDatabase::sqlite().await.expect("a database");
//!     assert_reversible(&db, &migrations).await;
//!     db.cleanup().await.expect("cleanup");
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

pub use ormed_migrate_core::testing::*;

use crate::MigrationDescriptor;

/// Migration files that are not registered in this binary: found by [`check_migrations_linked`].
#[derive(Debug)]
pub struct NotLinked {
    /// The folder that was read.
    pub folder: PathBuf,
    /// Its migration files whose ids no registered migration has.
    pub unregistered: Vec<PathBuf>,
}

impl fmt::Display for NotLinked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} migration file(s) in {} are not registered in this binary:",
            self.unregistered.len(),
            self.folder.display()
        )?;
        for file in &self.unregistered {
            writeln!(f, "    {}", file.display())?;
        }
        write!(
            f,
            "Either the crate that holds them is not linked: name it in the test (`use \
             my_migrations as _;`) or in `run!(my_migrations)`, and check that its build.rs calls \
             `ormed_migrate_build::compile_migrations()` and its lib.rs \
             `ormed_migrate::migrations!();`. Or a file's `impl Migration` lacks its \
             `#[migration(\"<id>\")]` attribute."
        )
    }
}

impl std::error::Error for NotLinked {}

/// Checks that every migration file in `folder` (`<id>.rs`, canonical or legacy id) has a
/// migration among `registered`. Registered migrations without a file here are fine: they come
/// from other crates.
pub fn check_migrations_linked(
    folder: &Path,
    registered: &[MigrationDescriptor],
) -> Result<(), NotLinked> {
    let mut unregistered: Vec<PathBuf> = crate::cli::migrations_in(folder)
        .into_iter()
        .filter(|(id, _)| !registered.iter().any(|d| &d.id == id))
        .map(|(_, path)| path)
        .collect();
    unregistered.sort();
    match unregistered.is_empty() {
        true => Ok(()),
        false => Err(NotLinked {
            folder: folder.to_owned(),
            unregistered,
        }),
    }
}

/// Checks that the migration files of the package under test (`src/migrations/` beside its
/// `Cargo.toml`, found through `CARGO_MANIFEST_DIR`, which `cargo test` sets) are all in
/// `build_migrations()`: a test binary that does not link the crate holding them would check
/// nothing.
///
/// # Panics
///
/// When a file is not registered (naming each), or when `build_migrations()` fails.
pub fn assert_migrations_linked() {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        panic!("CARGO_MANIFEST_DIR is not set: run this under `cargo test`");
    };
    let folder = Path::new(&dir).join("src/migrations");
    let registered = match crate::build_migrations() {
        Ok(registered) => registered,
        Err(error) => panic!("{error}"),
    };
    if let Err(error) = check_migrations_linked(&folder, &registered) {
        panic!("{error}");
    }
}
