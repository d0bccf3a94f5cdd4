//! Build-script helper for `ormed-migrate`: every file in `src/migrations/` is compiled, with no
//! `mod` line and no list to maintain.
//!
//! In the application's `build.rs`:
//!
//! ```no_run
//! fn main() {
//!     ormed_migrate_build::compile_migrations();
//! }
//! ```
//!
//! and once in `main.rs` (through `ormed_migrate::run!()`) or `lib.rs`
//! (`ormed_migrate::migrations!();`). The build script writes a `mod` declaration per migration
//! file into `OUT_DIR` and tells Cargo to rerun when the folder changes, so a file created with
//! `make:migration` (or by hand) is part of the very next `cargo build`.

// The example is a whole build.rs, so its `fn main` is the point.
#![allow(clippy::needless_doctest_main)]

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use ormed_migrate_id::MigrationId;

/// The generated file's name in `OUT_DIR`; `ormed_migrate::migrations!()` includes it.
pub const GENERATED_FILE: &str = "ormed_migrations.rs";

/// A migrations folder that cannot be compiled as is.
#[derive(Debug)]
pub struct BuildError {
    message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// One migration file found in the folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationFile {
    /// The id its name spells.
    pub id: MigrationId,
    /// Its absolute path.
    pub path: PathBuf,
}

/// For `build.rs`: compiles `src/migrations/*.rs` of the crate being built. On a problem it
/// prints the reason and fails the build.
pub fn compile_migrations() {
    if let Err(error) = try_compile_migrations("src/migrations") {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

/// Like [`compile_migrations`] for another folder (relative to the crate), returning the error.
pub fn try_compile_migrations(dir: &str) -> Result<Vec<MigrationFile>, BuildError> {
    let manifest_dir = env_path("CARGO_MANIFEST_DIR")?;
    let out_dir = env_path("OUT_DIR")?;
    let dir = manifest_dir.join(dir);
    // Cargo scans a directory named here for any change: a file added, removed or renamed, and
    // also a file edited (which rustc tracks through `#[path]` anyway), so this reruns on every
    // edit of a migration. That is cheap (a listing and a small file written; W4 in
    // BENCHMARKS.md measures it), and Cargo recompiles the crate after it reruns either way.
    println!("cargo:rerun-if-changed={}", dir.display());
    let files = if dir.exists() {
        scan(&dir)?
    } else {
        Vec::new()
    };
    let generated = out_dir.join(GENERATED_FILE);
    fs::write(&generated, module_declarations(&files)).map_err(|e| BuildError {
        message: format!("could not write {}: {e}", generated.display()),
    })?;
    Ok(files)
}

fn env_path(name: &str) -> Result<PathBuf, BuildError> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| BuildError {
            message: format!("{name} is not set; call ormed_migrate_build from build.rs"),
        })
}

/// Every `*.rs` file in `dir` except `mod.rs`, sorted by id; each name must be a migration id.
pub fn scan(dir: &Path) -> Result<Vec<MigrationFile>, BuildError> {
    let entries = fs::read_dir(dir).map_err(|e| BuildError {
        message: format!("could not read {}: {e}", dir.display()),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| BuildError {
                message: format!("could not read {}: {e}", dir.display()),
            })?
            .path();
        if path.extension().is_none_or(|ext| ext != "rs") || path.ends_with("mod.rs") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let id = MigrationId::parse(stem).map_err(|error| BuildError {
            message: format!(
                "{} is in the migrations folder but its name is not a migration id ({}); name \
                 it after its #[migration] id, e.g. m_20241201000000_create_users_table.rs \
                 (`make:migration <name>` writes one), or move it out of the folder",
                path.display(),
                error.problem()
            ),
        })?;
        let path = path.canonicalize().unwrap_or(path);
        files.push(MigrationFile { id, path });
    }
    files.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = files.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(BuildError {
            message: format!(
                "{} and {} are the same migration id {}; rename one",
                pair[0].path.display(),
                pair[1].path.display(),
                pair[0].id
            ),
        });
    }
    Ok(files)
}

/// `#[path = "…"] mod m_…;` for each file. The module is named after the canonical id, which is
/// always a valid identifier (legacy file names start with a digit and are not).
pub fn module_declarations(files: &[MigrationFile]) -> String {
    let mut out = String::from("// @generated by ormed-migrate-build from src/migrations\n");
    for file in files {
        out.push_str(&format!(
            "#[path = {:?}]\nmod {};\n",
            file.path.display().to_string(),
            file.id
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str) {
        fs::write(dir.join(name), "// migration").unwrap();
    }

    #[test]
    fn scans_sorted_migration_files_and_skips_others() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "m_20241201000100_create_posts.rs");
        touch(dir.path(), "2024_12_01_000000_create_users.rs");
        touch(dir.path(), "mod.rs");
        touch(dir.path(), "README.md");
        let files = scan(dir.path()).unwrap();
        let ids: Vec<String> = files.iter().map(|f| f.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "m_20241201000000_create_users",
                "m_20241201000100_create_posts"
            ]
        );
        let generated = module_declarations(&files);
        assert!(generated.contains("mod m_20241201000000_create_users;"));
        assert!(generated.contains("2024_12_01_000000_create_users.rs\"]"));
    }

    #[test]
    fn a_file_not_named_after_an_id_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "helpers.rs");
        let message = scan(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("helpers.rs is in the migrations folder"),
            "{message}"
        );
        assert!(message.contains("make:migration"));
    }

    #[test]
    fn two_spellings_of_one_id_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "m_20241201000000_users.rs");
        touch(dir.path(), "2024_12_01_000000_users.rs");
        let message = scan(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("same migration id m_20241201000000_users"),
            "{message}"
        );
    }
}
