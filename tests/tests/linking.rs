//! Which migrations a binary contains, end to end: real Cargo builds of the scratch crates in
//! `tests/fixtures/` (`app_migrations`, a library with migrations, and `app`, a binary crate with
//! migrations of its own that depends on it).
//!
//! The fixtures are copied to a temporary directory with their `ormed-migrate` paths made
//! absolute, and built with `CARGO_TARGET_DIR=<workspace>/target/scratch` so that the
//! dependencies compile once and are reused by later runs. Building is the slow part, so one
//! test walks through every step in order on one copy.
//!
//! `app` has four binaries:
//! - `app` (`src/main.rs`): `ormed_migrate::run!(self, app_migrations)`, the migration CLI;
//! - `list`: `migrations!()` plus `use app_migrations as _;`, prints `<id> <checksum> <source>`;
//! - `own_only`: `migrations!()` but never names `app_migrations`;
//! - `unlinked`: neither, although the package depends on `app_migrations`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// The ormed-migrate workspace: the parent of `tests/`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create fixture directory");
    for entry in fs::read_dir(from).expect("read fixture directory") {
        let entry = entry.expect("read fixture entry");
        let name = entry.file_name();
        if name == "target" || name == "Cargo.lock" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

fn describe(output: &Output) -> String {
    format!(
        "exit status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of the fixtures in a temporary directory.
struct Scratch {
    _dir: tempfile::TempDir,
    /// Canonical path of the directory holding `app/` and `app_migrations/`.
    root: PathBuf,
    target_dir: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let workspace = workspace_root();
        let dir = tempfile::Builder::new()
            .prefix("ormed-linking-")
            .tempdir()
            .expect("create temporary directory");
        // The build script canonicalizes the paths it hands to `#[path]`, so `file!()` is
        // canonical: compare against a canonical root.
        let root = dir.path().canonicalize().expect("canonical temp dir");
        for krate in ["app_migrations", "app"] {
            let to = root.join(krate);
            copy_dir(&workspace.join("tests/fixtures").join(krate), &to);
            let manifest = to.join("Cargo.toml");
            let text = fs::read_to_string(&manifest).expect("read fixture manifest");
            let absolute = format!("{}/", workspace.display());
            let rewritten = text.replace("../../../", &absolute);
            assert_ne!(
                text, rewritten,
                "{krate}/Cargo.toml names ormed-migrate by path"
            );
            fs::write(&manifest, rewritten).expect("write fixture manifest");
        }
        // The workspace's lock file pins the same versions the workspace builds with, so an
        // offline build finds them all in the local registry cache.
        fs::copy(workspace.join("Cargo.lock"), root.join("app/Cargo.lock"))
            .expect("copy Cargo.lock");
        Scratch {
            _dir: dir,
            root,
            target_dir: workspace.join("target").join("scratch"),
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn write(&self, relative: &str, contents: &str) {
        fs::write(self.path(relative), contents).expect("write scratch file");
    }

    fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("read scratch file")
    }

    fn remove(&self, relative: &str) {
        fs::remove_file(self.path(relative)).expect("remove scratch file");
    }

    /// `cargo <args>` in `app/`, with the shared target directory.
    fn cargo(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO"))
            .args(args)
            .args(["--offline", "--color", "never"])
            .current_dir(self.path("app"))
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("CARGO_MAKEFLAGS")
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .output()
            .expect("run cargo")
    }

    /// Every test run builds `app` and `app_migrations` from a new path, which Cargo treats as
    /// new packages; remove the artifacts of earlier copies so the shared directory stays small.
    fn remove_earlier_copies(&self) {
        let output = self.cargo(&["clean", "-p", "app", "-p", "app_migrations"]);
        assert!(
            output.status.success(),
            "cargo clean:\n{}",
            describe(&output)
        );
    }

    /// `cargo build --bins` of `app` (and so of `app_migrations`).
    fn build(&self) -> Output {
        let started = Instant::now();
        let output = self.cargo(&["build", "--bins"]);
        eprintln!(
            "cargo build in {} took {:.1?}",
            self.root.display(),
            started.elapsed()
        );
        output
    }

    fn build_ok(&self) {
        let output = self.build();
        assert!(
            output.status.success(),
            "build failed:\n{}",
            describe(&output)
        );
    }

    /// Runs one of `app`'s binaries from the shared target directory.
    fn run(&self, binary: &str, args: &[&str]) -> Output {
        Command::new(self.target_dir.join("debug").join(binary))
            .args(args)
            .current_dir(&self.root)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap_or_else(|error| panic!("run {binary}: {error}"))
    }

    fn run_ok(&self, binary: &str, args: &[&str]) -> String {
        let output = self.run(binary, args);
        assert!(
            output.status.success(),
            "{binary} {args:?} failed:\n{}",
            describe(&output)
        );
        stdout(&output)
    }

    /// `list`'s output: one entry per migration, in the order printed.
    fn list(&self) -> Vec<Listed> {
        self.run_ok("list", &[])
            .lines()
            .map(|line| {
                let mut parts = line.splitn(3, ' ');
                let mut next = || parts.next().expect("id checksum source").to_owned();
                Listed {
                    id: next(),
                    checksum: next(),
                    source: next(),
                }
            })
            .collect()
    }

    /// `file:line` where `#[migration]` stands in the given migration file.
    fn location(&self, relative: &str) -> String {
        let line = self
            .read(relative)
            .lines()
            .position(|line| line.trim_start().starts_with("#[migration("))
            .expect("the file has a #[migration] attribute")
            + 1;
        format!("{}:{line}", self.path(relative).display())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Listed {
    id: String,
    checksum: String,
    source: String,
}

fn ids(listed: &[Listed]) -> Vec<&str> {
    listed.iter().map(|m| m.id.as_str()).collect()
}

fn checksums(listed: &[Listed]) -> BTreeMap<String, String> {
    listed
        .iter()
        .map(|m| (m.id.clone(), m.checksum.clone()))
        .collect()
}

const USERS: &str = "m_20241201000000_create_users_table";
const PROFILES: &str = "m_20241201000100_create_profiles_table";
const AVATARS: &str = "m_20241201000150_add_avatar_to_profiles";
const POSTS: &str = "m_20241201000200_create_posts_table";
const COMMENTS: &str = "m_20241201000300_create_comments_table";

const USERS_FILE: &str = "app_migrations/src/migrations/m_20241201000000_create_users_table.rs";

fn file_of(id: &str) -> String {
    let krate = if id == USERS || id == POSTS {
        "app_migrations"
    } else {
        "app"
    };
    format!("{krate}/src/migrations/{id}.rs")
}

#[test]
fn migrations_of_two_crates_link_into_the_binaries_that_name_them() {
    let scratch = Scratch::new();
    let database = format!("sqlite://{}", scratch.path("app.db").display());
    let db = ["--database", database.as_str()];
    scratch.remove_earlier_copies();
    scratch.build_ok();

    // (a) Both crates' migrations, interleaved by id, each with its checksum and location.
    let listed = scratch.list();
    assert_eq!(ids(&listed), [USERS, PROFILES, POSTS, COMMENTS]);
    for migration in &listed {
        let hex = migration
            .checksum
            .strip_prefix("sha256:")
            .unwrap_or_else(|| panic!("checksum of {migration:?}"));
        assert_eq!(hex.len(), 64, "{migration:?}");
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{migration:?}"
        );
        assert_eq!(
            migration.source,
            scratch.location(&file_of(&migration.id)),
            "source of {}",
            migration.id
        );
    }
    assert_eq!(
        checksums(&listed)
            .values()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "four different migrations have four different checksums: {listed:#?}"
    );

    // The `run!(self, app_migrations)` CLI sees the same four and applies them.
    let status = scratch.run_ok("app", &["migrate:status", db[0], db[1]]);
    let pending: Vec<&str> = status
        .lines()
        .filter_map(|line| line.strip_prefix("Pending"))
        .map(str::trim)
        .collect();
    assert_eq!(pending, [USERS, PROFILES, POSTS, COMMENTS], "{status}");
    assert!(status.ends_with("0 applied, 4 pending.\n"), "{status}");
    let migrated = scratch.run_ok("app", &["migrate", db[0], db[1]]);
    assert!(migrated.contains("Applied 4 migrations"), "{migrated}");
    let status = scratch.run_ok("app", &["migrate:status", db[0], db[1]]);
    assert!(status.ends_with("4 applied, 0 pending.\n"), "{status}");

    // (f) A binary only contains the migrations of the crates it names: `own_only` gets its own
    // package's two, and `unlinked`, which has none of its own, gets none from `app_migrations`
    // although the package depends on it.
    let own_only: Vec<String> = scratch
        .run_ok("own_only", &[])
        .lines()
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = listed
        .iter()
        .filter(|m| m.id == PROFILES || m.id == COMMENTS)
        .map(|m| format!("{} {}", m.id, m.checksum))
        .collect();
    assert_eq!(own_only, expected);
    let unlinked = scratch.run("unlinked", &[]);
    assert_eq!(unlinked.status.code(), Some(1), "{}", describe(&unlinked));
    assert_eq!(stdout(&unlinked), "", "{}", describe(&unlinked));
    assert!(
        stderr(&unlinked).contains("error: no migrations are linked into this binary"),
        "{}",
        describe(&unlinked)
    );

    // (c) A new file in src/migrations/ is compiled by the next build, with no other change.
    scratch.write(
        &file_of(AVATARS),
        r#"use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct AddAvatarToProfiles;

#[migration("m_20241201000150_add_avatar_to_profiles")]
impl Migration for AddAvatarToProfiles {
    fn up(&self, schema: &mut Schema) {
        schema.raw("ALTER TABLE profiles ADD COLUMN avatar_url TEXT");
    }
}
"#,
    );
    scratch.build_ok();
    let with_new = scratch.list();
    assert_eq!(ids(&with_new), [USERS, PROFILES, AVATARS, POSTS, COMMENTS]);
    assert_eq!(with_new[2].source, scratch.location(&file_of(AVATARS)));
    let mut expected = checksums(&listed);
    expected.insert(AVATARS.to_owned(), with_new[2].checksum.clone());
    assert_eq!(checksums(&with_new), expected, "older checksums unchanged");
    let status = scratch.run_ok("app", &["migrate:status", db[0], db[1]]);
    let pending: Vec<&str> = status
        .lines()
        .filter_map(|line| line.strip_prefix("Pending"))
        .map(str::trim)
        .collect();
    assert_eq!(pending, [AVATARS], "{status}");
    assert!(status.ends_with("4 applied, 1 pending.\n"), "{status}");

    // (b) Checksums follow the code, not its formatting: re-indenting the users migration,
    // adding comments (which moves its attribute down), a `use` line and a `#[cfg(test)]` module
    // keeps every checksum...
    let original = scratch.read(USERS_FILE);
    let mut reformatted =
        String::from("// Reformatted by hand.\n/* A block comment\n   over two lines. */\n");
    for line in original.lines() {
        if line.trim_start().starts_with("#[migration(") {
            reformatted.push_str("/// Creates the users table.\n");
        }
        if line.contains("fn down") {
            reformatted.push_str("        // Undo it.\n");
        }
        if !line.is_empty() {
            reformatted.push_str("        "); // re-indented
        }
        reformatted.push_str(&line.replace(
            "(&self, schema: &mut Schema)",
            "( &self , schema : &mut Schema )",
        ));
        reformatted.push('\n');
    }
    reformatted.push_str(
        "\nuse std::fmt::Write as _;\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn users() {}\n}\n",
    );
    assert_ne!(reformatted, original);
    scratch.write(USERS_FILE, &reformatted);
    scratch.build_ok();
    let reformatted_list = scratch.list();
    assert_eq!(ids(&reformatted_list), ids(&with_new));
    assert_eq!(
        reformatted_list[0].source,
        scratch.location(USERS_FILE),
        "the rebuild saw the edited file"
    );
    assert_ne!(reformatted_list[0].source, with_new[0].source);
    assert_eq!(checksums(&reformatted_list), checksums(&with_new));

    // ... while changing one string in it changes its checksum, and only its checksum.
    assert!(reformatted.contains("t.string(\"email\")"));
    scratch.write(
        USERS_FILE,
        &reformatted.replace("t.string(\"email\")", "t.string(\"email_address\")"),
    );
    scratch.build_ok();
    let edited = scratch.list();
    assert_eq!(ids(&edited), ids(&with_new));
    assert_ne!(edited[0].checksum, with_new[0].checksum);
    assert!(edited[0].checksum.starts_with("sha256:"));
    assert_eq!(edited[1..], reformatted_list[1..]);

    // ... and so does a constant beside the impl: the whole migration file is checksummed.
    scratch.write(
        USERS_FILE,
        &format!("{reformatted}\nconst _TABLE_COMMENT: &str = \"people who sign in\";\n"),
    );
    scratch.build_ok();
    let with_const = scratch.list();
    assert_eq!(ids(&with_const), ids(&with_new));
    assert_ne!(with_const[0].checksum, reformatted_list[0].checksum);
    assert_ne!(with_const[0].checksum, edited[0].checksum);
    assert_eq!(with_const[1..], reformatted_list[1..]);

    // (d) A file whose name disagrees with the id inside it fails the build, naming both.
    let misnamed = "app/src/migrations/m_20241201000400_add_tags.rs";
    scratch.write(
        misnamed,
        r#"use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct AddTags;

#[migration("m_20241201000400_create_tags_table")]
impl Migration for AddTags {
    fn up(&self, schema: &mut Schema) {
        schema.create("tags", |t| {
            t.id();
        });
    }
}
"#,
    );
    let failed = scratch.build();
    assert!(!failed.status.success(), "{}", describe(&failed));
    let message = stderr(&failed);
    assert!(
        message.contains(
            "this migration's id is `m_20241201000400_create_tags_table` but its file is \
             `m_20241201000400_add_tags.rs`; a migration file is named after its id: rename the \
             file to `m_20241201000400_create_tags_table.rs` or correct the id"
        ),
        "{message}"
    );
    assert!(
        message.contains(&format!("{}:6:13", scratch.path(misnamed).display())),
        "the error points at the id literal: {message}"
    );
    assert_eq!(
        message.matches("error: this migration's id").count(),
        1,
        "{message}"
    );
    scratch.remove(misnamed);

    // A file in the folder whose name is no id at all is refused by the build script.
    scratch.write("app/src/migrations/helpers.rs", "pub fn helper() {}\n");
    let failed = scratch.build();
    assert!(!failed.status.success(), "{}", describe(&failed));
    assert!(
        stderr(&failed)
            .contains("helpers.rs is in the migrations folder but its name is not a migration id"),
        "{}",
        describe(&failed)
    );
    scratch.remove("app/src/migrations/helpers.rs");

    // (e) The same id in both crates builds (each crate is fine on its own), but
    // build_migrations() refuses it, naming both definitions.
    let duplicate = format!("app/src/migrations/{USERS}.rs");
    scratch.write(
        &duplicate,
        r#"use ormed_migrate::prelude::*;

#[derive(Default)]
pub struct CreateUsersAgain;

// The same id as app_migrations' first migration.
#[migration("m_20241201000000_create_users_table")]
impl Migration for CreateUsersAgain {
    fn up(&self, schema: &mut Schema) {
        schema.create("accounts", |t| {
            t.id();
        });
    }
}
"#,
    );
    scratch.build_ok();
    let ours = scratch.location(&duplicate);
    let theirs = scratch.location(USERS_FILE);
    assert!(
        ours.ends_with(":7") && theirs.ends_with(":10"),
        "{ours} {theirs}"
    );
    for binary in ["list", "app"] {
        let args: &[&str] = if binary == "app" {
            &["migrate:status", db[0], db[1]]
        } else {
            &[]
        };
        let output = scratch.run(binary, args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{binary}: {}",
            describe(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains(&format!("migration id {USERS} is defined twice: at ")),
            "{binary}: {message}"
        );
        // Both locations, in a stable order (by path, then line).
        let (first, second) = if ours <= theirs {
            (&ours, &theirs)
        } else {
            (&theirs, &ours)
        };
        assert!(
            message.contains(&format!("at {first} and at {second};")),
            "{binary}: {message}"
        );
    }
    // `own_only` does not link app_migrations, so it has no duplicate.
    let own_only = scratch.run_ok("own_only", &[]);
    let own_ids: Vec<&str> = own_only
        .lines()
        .map(|line| line.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(own_ids, [USERS, PROFILES, AVATARS, COMMENTS], "{own_only}");
    scratch.remove(&duplicate);
    scratch.build_ok();

    // (g) make:migration writes files that the next build compiles and migrate applies with
    // no other edit: a table it creates, then a column added to it; both downs derived. On a
    // database of its own (an earlier step edited an applied migration), where the fixtures'
    // migrations are one batch before.
    let made = format!("sqlite://{}", scratch.path("made.db").display());
    let db = ["--database", made.as_str()];
    scratch.run_ok("app", &["migrate", db[0], db[1]]);
    let made = scratch.run_ok("app", &["make:migration", "create_widgets_table"]);
    assert!(made.starts_with("Created migration "), "{made}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let made = scratch.run_ok("app", &["make:migration", "add_colour_to_widgets"]);
    assert!(made.contains("add_colour_to_widgets.rs"), "{made}");
    scratch.build_ok();
    let migrated = scratch.run_ok("app", &["migrate", db[0], db[1]]);
    assert!(
        migrated.contains("_create_widgets_table ")
            && migrated.contains("_add_colour_to_widgets ")
            && migrated.contains("Applied 2 migrations"),
        "{migrated}"
    );
    let rolled_back = scratch.run_ok("app", &["migrate:rollback", db[0], db[1]]);
    let (colour, widgets) = (
        rolled_back.find("_add_colour_to_widgets "),
        rolled_back.find("_create_widgets_table "),
    );
    assert!(
        matches!((colour, widgets), (Some(c), Some(w)) if c < w),
        "derived downs, newest first: {rolled_back}"
    );
}
