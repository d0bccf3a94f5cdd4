//! `make:migration`: a new file in `src/migrations/`, named after a fresh UTC timestamp id, with
//! a template guessed from the name.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use ormed_migrate_core::error::SetupError;
use ormed_migrate_core::{Dialect, MigrationError, MigrationId, MigrationTimestamp};

/// A migration file written by [`new_migration_file`].
#[derive(Clone, Debug)]
pub struct MigrationFile {
    /// Its id.
    pub id: MigrationId,
    /// Where it was written.
    pub path: PathBuf,
}

/// Writes `<dir>/m_<now>_<slug>.rs`, where the slug is `name` in snake_case: `CreatePostsTable`,
/// `create-posts-table` and `Create Posts Table` all become `create_posts_table`. A name like
/// `create_posts_table` (or `--create posts`) gets a `schema.create` template; any other name an
/// empty `up` and `down`.
///
/// Unless `force`, a slug that a migration in `dir` already has (under any timestamp, in the
/// canonical or the legacy file name) is refused with an error that names that file: a second
/// migration of one name is almost always the command run twice, or a name reused by accident.
///
/// The timestamp moves on by a second while it would collide with a file already in `dir`, so
/// ids stay unique and ordered even when several files are made in one second.
pub fn new_migration_file(
    name: &str,
    table: TableHint<'_>,
    dir: &Path,
    now: DateTime<Utc>,
    force: bool,
) -> Result<MigrationFile, MigrationError> {
    let slug = snake_case(name);
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let existing = migrations_in(dir);
    let mut at = now;
    while existing
        .iter()
        .any(|(id, _)| id.timestamp().digits() == digits(at))
    {
        at += Duration::seconds(1);
    }
    let id = MigrationId::new(timestamp(at)?, &slug)?;
    let path = dir.join(format!("{id}.rs"));
    if let TableHint::Create(table) | TableHint::Change(table) = table {
        Dialect::Postgres
            .quote_table(table)
            .map_err(SetupError::InvalidCreateTable)?;
    }
    if !force {
        refuse_duplicate(&slug, &existing)?;
    }
    let source = match Template::of(&slug, table) {
        Template::Create(table) => create_template(&id, &slug, &table),
        Template::AddColumn { table, column } => add_column_template(&id, &slug, &table, &column),
        Template::Change(table) => change_template(&id, &slug, &table),
        Template::Blank => blank_template(&id, &slug),
    };
    std::fs::write(&path, source).map_err(|e| file_error(&path, e))?;
    Ok(MigrationFile { id, path })
}

fn file_error(path: &Path, source: std::io::Error) -> MigrationError {
    SetupError::MigrationFile {
        path: path.display().to_string(),
        source,
    }
    .into()
}

/// `CreatePostsTable`, `create-posts-table`, `Create Posts Table` → `create_posts_table`.
///
/// Words are split at `-`, `_` and whitespace, and before a capital that follows a lowercase
/// letter or a digit or that ends an acronym (`HTTPLogs` → `http_logs`); empty words are dropped.
/// Other characters are kept as they are, so a name that still is not a slug gets the id
/// parser's error, which shows what the name became.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut words = vec![String::new()];
    for (at, &c) in chars.iter().enumerate() {
        if c == '-' || c == '_' || c.is_whitespace() {
            words.push(String::new());
            continue;
        }
        if c.is_ascii_uppercase() && starts_word(&chars, at) {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut() {
            word.push(c.to_ascii_lowercase());
        }
    }
    words.retain(|word| !word.is_empty());
    words.join("_")
}

/// Whether the capital at `chars[at]` begins a new word.
fn starts_word(chars: &[char], at: usize) -> bool {
    let Some(&before) = at.checked_sub(1).and_then(|i| chars.get(i)) else {
        return false;
    };
    let lower_after = chars.get(at + 1).is_some_and(char::is_ascii_lowercase);
    before.is_ascii_lowercase()
        || before.is_ascii_digit()
        || (before.is_ascii_uppercase() && lower_after)
}

/// The error for a slug that `existing` already has, naming every file that has it.
fn refuse_duplicate(slug: &str, existing: &[(MigrationId, PathBuf)]) -> Result<(), MigrationError> {
    let same: Vec<String> = existing
        .iter()
        .filter(|(id, _)| id.slug() == slug)
        .map(|(_, file)| file.display().to_string())
        .collect();
    if same.is_empty() {
        return Ok(());
    }
    Err(SetupError::NameTaken {
        name: slug.to_owned(),
        existing: same.join(", "),
    }
    .into())
}

/// What `make:migration` knows of the table: `--create T`, `--table T`, or neither (then the
/// name is the guide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableHint<'a> {
    /// Guess from the name: `create_posts_table` creates `posts`, `add_slug_to_posts` changes it.
    Guess,
    /// The migration creates this table.
    Create(&'a str),
    /// The migration changes this table.
    Change(&'a str),
}

/// The body a new migration file gets.
#[derive(Debug, PartialEq, Eq)]
enum Template {
    Create(String),
    AddColumn { table: String, column: String },
    Change(String),
    Blank,
}

impl Template {
    fn of(slug: &str, hint: TableHint<'_>) -> Template {
        let added = added_column(slug);
        match hint {
            TableHint::Create(table) => Template::Create(table.to_owned()),
            TableHint::Change(table) => match added {
                Some((column, _)) => Template::AddColumn {
                    table: table.to_owned(),
                    column,
                },
                None => Template::Change(table.to_owned()),
            },
            TableHint::Guess => match (created_table(slug), added, changed_table(slug)) {
                (Some(table), _, _) => Template::Create(table),
                (None, Some((column, table)), _) => Template::AddColumn { table, column },
                (None, None, Some(table)) => Template::Change(table),
                (None, None, None) => Template::Blank,
            },
        }
    }
}

/// `create_posts_table` and `create_posts` create `posts`.
fn created_table(name: &str) -> Option<String> {
    let rest = name.strip_prefix("create_")?;
    identifier(rest.strip_suffix("_table").unwrap_or(rest))
}

/// `add_avatar_to_users` and `add_avatar_url_to_users_table`: the column and the table.
fn added_column(name: &str) -> Option<(String, String)> {
    let (column, table) = name.strip_prefix("add_")?.rsplit_once("_to_")?;
    let table = table.strip_suffix("_table").unwrap_or(table);
    Some((identifier(column)?, identifier(table)?))
}

/// Laravel's guess for other changes: `…_to_posts`, `…_from_posts`, `…_in_posts` (with or
/// without `_table`) change `posts`.
fn changed_table(name: &str) -> Option<String> {
    let name = name.strip_suffix("_table").unwrap_or(name);
    ["_to_", "_from_", "_in_"]
        .iter()
        .filter_map(|word| name.rsplit_once(word))
        .filter(|(before, _)| !before.is_empty())
        .map(|(_, table)| table)
        .min_by_key(|table| table.len())
        .and_then(identifier)
}

/// `name` when it is a valid identifier (`2fa` is not): only such names are guessed.
fn identifier(name: &str) -> Option<String> {
    Dialect::Sqlite
        .quote_identifier(name)
        .is_ok()
        .then(|| name.to_owned())
}

/// The migration files in `dir` (`<id>.rs`, canonical or legacy id), in id order.
pub(crate) fn migrations_in(dir: &Path) -> Vec<(MigrationId, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(MigrationId, PathBuf)> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let stem = path.file_name()?.to_str()?.strip_suffix(".rs")?;
            Some((MigrationId::parse(stem).ok()?, path))
        })
        .collect();
    files.sort();
    files
}

fn digits(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d%H%M%S").to_string()
}

fn timestamp(at: DateTime<Utc>) -> Result<MigrationTimestamp, MigrationError> {
    let narrow = |value: u32| u8::try_from(value).unwrap_or(u8::MAX);
    let year = u16::try_from(at.year()).unwrap_or(u16::MAX);
    MigrationTimestamp::new(
        year,
        narrow(at.month()),
        narrow(at.day()),
        narrow(at.hour()),
        narrow(at.minute()),
        narrow(at.second()),
    )
    .map_err(|problem| {
        SetupError::Clock {
            problem: problem.to_string(),
        }
        .into()
    })
}

/// `create_posts_table` → `CreatePostsTable`.
fn type_name(slug: &str) -> String {
    let name: String = slug
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    // A type name cannot start with a digit (`2fa_columns`), nor be the keyword `Self`.
    if name.starts_with(|c: char| c.is_ascii_digit()) || name == "Self" {
        format!("M{name}")
    } else {
        name
    }
}

fn create_template(id: &MigrationId, name: &str, table: &str) -> String {
    let up = format!(
        "    fn up(&self, schema: &mut Schema) {{\n        schema.create(\"{table}\", |t| {{\n            \
         t.id();\n            t.timestamps();\n        }});\n    }}\n"
    );
    template(id, name, &up, DERIVED_DOWN)
}

fn add_column_template(id: &MigrationId, name: &str, table: &str, column: &str) -> String {
    let up = format!(
        "    fn up(&self, schema: &mut Schema) {{\n        schema.table(\"{table}\", |t| {{\n            \
         // A placeholder: give the column its type and modifiers.\n            \
         t.string(\"{column}\").nullable();\n        }});\n    }}\n"
    );
    template(id, name, &up, DERIVED_DOWN)
}

fn change_template(id: &MigrationId, name: &str, table: &str) -> String {
    let up = format!(
        "    fn up(&self, schema: &mut Schema) {{\n        schema.table(\"{table}\", |t| {{\n            \
         // Say what changes, for example:\n            // t.string(\"summary\").nullable();\n            \
         // t.index([\"published_at\"]);\n            let _ = t;\n        }});\n    }}\n"
    );
    template(id, name, &up, DERIVED_DOWN)
}

/// Where `down` would be: a note that it is derived from `up`.
const DERIVED_DOWN: &str = "    // No `down`: it is derived from `up` (drops what up adds, renames back). Write one \
                            when up\n    // drops or changes something, which cannot be undone \
                            from the plan alone.\n";

fn blank_template(id: &MigrationId, name: &str) -> String {
    let up = "    fn up(&self, _schema: &mut Schema) {\n        // Record the change, for example:\n        \
              // schema.raw(\"UPDATE posts SET published = TRUE WHERE published_at IS NOT NULL\");\n    }\n";
    let down = "    fn down(&self, _schema: &mut Schema) {\n        // Record how to undo it, or delete this \
                method to have it derived from up\n        // (raw SQL, drops and change() cannot be: \
                rolling back is then refused).\n    }\n";
    template(id, name, up, down)
}

/// A migration file around the bodies of `up` and `down`.
fn template(id: &MigrationId, name: &str, up: &str, down: &str) -> String {
    format!(
        "use ormed_migrate::prelude::*;\n\n#[derive(Default)]\npub struct {ty};\n\n\
         #[migration(\"{id}\")]\nimpl Migration for {ty} {{\n{up}\n{down}}}\n",
        ty = type_name(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn writes_a_create_template_named_after_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let file = new_migration_file(
            "create_posts_table",
            TableHint::Guess,
            dir.path(),
            now,
            false,
        )
        .unwrap();
        assert_eq!(file.id.to_string(), "m_20241201102030_create_posts_table");
        assert_eq!(
            file.path,
            dir.path().join("m_20241201102030_create_posts_table.rs")
        );
        let source = std::fs::read_to_string(&file.path).unwrap();
        assert!(source.contains("pub struct CreatePostsTable;"));
        assert!(source.contains("#[migration(\"m_20241201102030_create_posts_table\")]"));
        assert!(source.contains("schema.create(\"posts\""));
        assert!(!source.contains("fn down"), "derived: {source}");
    }

    #[test]
    fn other_names_get_a_blank_template_and_ids_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let first =
            new_migration_file("backfill_slugs", TableHint::Guess, dir.path(), now, false).unwrap();
        let second =
            new_migration_file("add_2fa", TableHint::Guess, dir.path(), now, false).unwrap();
        assert_eq!(first.id.to_string(), "m_20241201102030_backfill_slugs");
        assert_eq!(second.id.to_string(), "m_20241201102031_add_2fa");
        let source = std::fs::read_to_string(&second.path).unwrap();
        assert!(source.contains("pub struct Add2fa;"));
        assert!(!source.contains("schema.create"));
    }

    #[test]
    fn create_flag_names_the_table_and_bad_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let file = new_migration_file(
            "add_people",
            TableHint::Create("people"),
            dir.path(),
            now,
            false,
        )
        .unwrap();
        assert!(
            std::fs::read_to_string(&file.path)
                .unwrap()
                .contains("schema.create(\"people\"")
        );
        let error = new_migration_file("add_x", TableHint::Create("a\"b"), dir.path(), now, false)
            .unwrap_err();
        assert!(
            error.to_string().starts_with(
                "the table of the new migration is not a valid table name: invalid identifier"
            ),
            "{error}"
        );
        let guarded = new_migration_file("self", TableHint::Guess, dir.path(), now, false).unwrap();
        assert!(
            std::fs::read_to_string(&guarded.path)
                .unwrap()
                .contains("pub struct MSelf;")
        );
        std::fs::remove_file(&guarded.path).unwrap();
        let error =
            new_migration_file("Add.People", TableHint::Guess, dir.path(), now, false).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the slug `add.people` contains '.'"),
            "{error}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "nothing written"
        );
    }

    #[test]
    fn camel_kebab_and_spaced_names_become_snake_case() {
        for (name, slug) in [
            ("create_posts_table", "create_posts_table"),
            ("CreatePostsTable", "create_posts_table"),
            ("createPostsTable", "create_posts_table"),
            ("create-posts-table", "create_posts_table"),
            ("Create Posts Table", "create_posts_table"),
            ("  create  posts-table ", "create_posts_table"),
            ("CREATE_POSTS", "create_posts"),
            ("AddHTTPLogs", "add_http_logs"),
            ("Add2faToUsers", "add2fa_to_users"),
            ("add_2fa", "add_2fa"),
            ("Add.People", "add.people"),
            ("naïve", "naïve"),
            ("", ""),
        ] {
            assert_eq!(snake_case(name), slug, "{name:?}");
        }
    }

    #[test]
    fn a_camel_case_name_writes_the_snake_case_file() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let file = new_migration_file("CreatePostsTable", TableHint::Guess, dir.path(), now, false)
            .unwrap();
        assert_eq!(file.id.to_string(), "m_20241201102030_create_posts_table");
        let source = std::fs::read_to_string(&file.path).unwrap();
        assert!(source.contains("pub struct CreatePostsTable;"), "{source}");
        assert!(source.contains("schema.create(\"posts\""), "{source}");
        let error =
            new_migration_file("naïve", TableHint::Guess, dir.path(), now, false).unwrap_err();
        assert!(
            error.to_string().contains("the slug `naïve` contains 'ï'"),
            "{error}"
        );
        let error = new_migration_file("--", TableHint::Guess, dir.path(), now, false).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the slug after the timestamp is empty"),
            "{error}"
        );
    }

    /// A file under another timestamp, canonical or legacy, holds the name: refused, naming it.
    #[test]
    fn an_existing_name_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-02T10:20:30Z");
        let canonical = dir.path().join("m_20241201000100_create_posts_table.rs");
        let legacy = dir.path().join("2024_11_01_000000_add_tags.rs");
        std::fs::write(&canonical, "").unwrap();
        std::fs::write(&legacy, "").unwrap();
        for (name, slug, existing) in [
            ("create_posts_table", "create_posts_table", &canonical),
            ("CreatePostsTable", "create_posts_table", &canonical),
            ("add_tags", "add_tags", &legacy),
        ] {
            let error =
                new_migration_file(name, TableHint::Guess, dir.path(), now, false).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "a migration named {slug} already exists: {}; choose another name",
                    existing.display()
                )
            );
            assert_eq!(
                error.hint(),
                Some(ormed_migrate_core::error::Hint::SecondMigrationOfName)
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "nothing written"
        );

        let forced = new_migration_file(
            "create_posts_table",
            TableHint::Guess,
            dir.path(),
            now,
            true,
        )
        .unwrap();
        assert_eq!(forced.id.to_string(), "m_20241202102030_create_posts_table");
        let error = new_migration_file(
            "create_posts_table",
            TableHint::Guess,
            dir.path(),
            now,
            false,
        )
        .unwrap_err()
        .to_string();
        let both = format!("{}, {}", canonical.display(), forced.path.display());
        assert!(error.contains(&both), "every file with the name: {error}");
        // A longer name that merely contains the slug is another migration.
        new_migration_file("create_posts", TableHint::Guess, dir.path(), now, false).unwrap();
    }

    #[test]
    fn names_and_flags_choose_the_template() {
        let table = |t: &str| t.to_owned();
        for (slug, hint, expected) in [
            (
                "create_posts_table",
                TableHint::Guess,
                Template::Create(table("posts")),
            ),
            (
                "add_avatar_to_users",
                TableHint::Guess,
                Template::AddColumn {
                    table: table("users"),
                    column: table("avatar"),
                },
            ),
            (
                "add_avatar_url_to_users_table",
                TableHint::Guess,
                Template::AddColumn {
                    table: table("users"),
                    column: table("avatar_url"),
                },
            ),
            (
                "remove_legacy_from_users",
                TableHint::Guess,
                Template::Change(table("users")),
            ),
            (
                "tune_posts",
                TableHint::Change("posts"),
                Template::Change(table("posts")),
            ),
            (
                "add_slug",
                TableHint::Change("posts"),
                Template::Change(table("posts")),
            ),
            (
                "add_slug_to_articles",
                TableHint::Change("posts"),
                Template::AddColumn {
                    table: table("posts"),
                    column: table("slug"),
                },
            ),
            ("backfill_slugs", TableHint::Guess, Template::Blank),
            (
                "add_2fa_to_users",
                TableHint::Guess,
                Template::Change(table("users")),
            ),
        ] {
            assert_eq!(Template::of(slug, hint), expected, "{slug}");
        }
    }

    #[test]
    fn an_add_column_file_changes_the_table_and_derives_its_down() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let file = new_migration_file(
            "add_avatar_to_users",
            TableHint::Guess,
            dir.path(),
            now,
            false,
        )
        .unwrap();
        let source = std::fs::read_to_string(&file.path).unwrap();
        assert!(source.contains("schema.table(\"users\", |t| {"), "{source}");
        assert!(
            source.contains("t.string(\"avatar\").nullable();"),
            "{source}"
        );
        assert!(!source.contains("fn down"), "{source}");
    }
}
