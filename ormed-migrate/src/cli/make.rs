//! `make:migration`: a new file in `src/migrations/`, named after a fresh UTC timestamp id, with
//! a template guessed from the name.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use ormed_migrate_core::{Dialect, MigrationError, MigrationId, MigrationTimestamp};

/// A migration file written by [`new_migration_file`].
#[derive(Clone, Debug)]
pub struct MigrationFile {
    /// Its id.
    pub id: MigrationId,
    /// Where it was written.
    pub path: PathBuf,
}

/// Writes `<dir>/m_<now>_<name>.rs`. A name like `create_posts_table` (or `--create posts`) gets
/// a `schema.create` template; any other name an empty `up` and `down`. The timestamp moves on
/// by a second while it would collide with a file already in `dir`, so ids stay unique and
/// ordered even when several files are made in one second.
pub fn new_migration_file(
    name: &str,
    create: Option<&str>,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<MigrationFile, MigrationError> {
    let file_error = |path: &Path, message: String| MigrationError::MigrationFile {
        path: path.display().to_string(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e.to_string()))?;
    let taken = timestamps_in(dir);
    let mut at = now;
    while taken.contains(&digits(at)) {
        at += Duration::seconds(1);
    }
    let id = MigrationId::new(timestamp(at)?, name)?;
    let path = dir.join(format!("{id}.rs"));
    if let Some(table) = create {
        Dialect::Postgres
            .quote_table(table)
            .map_err(|e| file_error(dir, format!("--create: {e}")))?;
    }
    let table = create.map(str::to_owned).or_else(|| created_table(name));
    let source = match &table {
        Some(table) => create_template(&id, name, table),
        None => blank_template(&id, name),
    };
    std::fs::write(&path, source).map_err(|e| file_error(&path, e.to_string()))?;
    Ok(MigrationFile { id, path })
}

/// `create_posts_table` and `create_posts` create `posts`.
fn created_table(name: &str) -> Option<String> {
    let rest = name.strip_prefix("create_")?;
    let table = rest.strip_suffix("_table").unwrap_or(rest);
    // Only a name that is a valid identifier is guessed (`create_2fa_table` is not).
    Dialect::Sqlite
        .quote_identifier(table)
        .is_ok()
        .then(|| table.to_owned())
}

fn timestamps_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let id = MigrationId::parse(name.strip_suffix(".rs")?).ok()?;
            Some(id.timestamp().digits())
        })
        .collect()
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
    .map_err(|problem| MigrationError::MigrationFile {
        path: String::new(),
        message: format!("the clock gives an unusable timestamp: {problem}"),
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
    let down = format!(
        "    fn down(&self, schema: &mut Schema) {{\n        schema.drop(\"{table}\");\n    }}\n"
    );
    template(id, name, &up, &down)
}

fn blank_template(id: &MigrationId, name: &str) -> String {
    let up = "    fn up(&self, _schema: &mut Schema) {\n        // Record the change, for example:\n        \
              // schema.raw(\"UPDATE posts SET published = TRUE WHERE published_at IS NOT NULL\");\n    }\n";
    let down = "    fn down(&self, _schema: &mut Schema) {\n        // Record how to undo it; delete this \
                method if it cannot be undone.\n    }\n";
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
        let file = new_migration_file("create_posts_table", None, dir.path(), now).unwrap();
        assert_eq!(file.id.to_string(), "m_20241201102030_create_posts_table");
        assert_eq!(
            file.path,
            dir.path().join("m_20241201102030_create_posts_table.rs")
        );
        let source = std::fs::read_to_string(&file.path).unwrap();
        assert!(source.contains("pub struct CreatePostsTable;"));
        assert!(source.contains("#[migration(\"m_20241201102030_create_posts_table\")]"));
        assert!(source.contains("schema.create(\"posts\""));
        assert!(source.contains("schema.drop(\"posts\")"));
    }

    #[test]
    fn other_names_get_a_blank_template_and_ids_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2024-12-01T10:20:30Z");
        let first = new_migration_file("backfill_slugs", None, dir.path(), now).unwrap();
        let second = new_migration_file("add_2fa", None, dir.path(), now).unwrap();
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
        let file = new_migration_file("add_people", Some("people"), dir.path(), now).unwrap();
        assert!(
            std::fs::read_to_string(&file.path)
                .unwrap()
                .contains("schema.create(\"people\"")
        );
        let error = new_migration_file("add_x", Some("a\"b"), dir.path(), now).unwrap_err();
        assert!(
            error.to_string().contains("--create: invalid identifier"),
            "{error}"
        );
        let guarded = new_migration_file("self", None, dir.path(), now).unwrap();
        assert!(
            std::fs::read_to_string(&guarded.path)
                .unwrap()
                .contains("pub struct MSelf;")
        );
        std::fs::remove_file(&guarded.path).unwrap();
        let error = new_migration_file("Add People", None, dir.path(), now).unwrap_err();
        assert!(
            error.to_string().contains("the slug `Add People`"),
            "{error}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "nothing written"
        );
    }
}
