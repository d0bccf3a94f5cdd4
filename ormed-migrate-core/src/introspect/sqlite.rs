//! SQLite: `sqlite_master` of the `main` database and the table-valued pragmas
//! (`pragma_table_xinfo`, `pragma_index_list`, `pragma_index_info`, `pragma_foreign_key_list`),
//! joined so that each is one query for all tables.
//!
//! Two things only the `CREATE TABLE` text says: whether the rowid alias is `AUTOINCREMENT`,
//! and the names of foreign keys, which the pragmas do not report.

use std::collections::{BTreeMap, HashMap};

use super::{
    ColumnSnapshot, ForeignKeyColumn, SchemaSnapshot, SnapshotBuilder, TableFilter, TableSnapshot,
    TypeFamily, TypeInfo, TypeName, action_named, binds, lowercase_outside_quotes, on_database,
};
use crate::dialect::Dialect;
use crate::driver::Target;
use crate::sql::lexer::SqlText;

// `?1` is the one table to read, NULL for all; `sqlite_…` tables are SQLite's own.
const TABLES: &str = "SELECT name, sql FROM main.sqlite_master \
     WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND (?1 IS NULL OR name = ?1) ORDER BY name";

/// Table, column, declared type, not null, default, position in the primary key (0 when not
/// in it), hidden (1 hidden, 2 and 3 generated).
type ColumnRow = (
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    i64,
    i64,
);

const COLUMNS: &str = "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden \
     FROM main.sqlite_master m JOIN pragma_table_xinfo(m.name, 'main') p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND (?1 IS NULL OR m.name = ?1) ORDER BY m.name, p.cid";

/// Table, index, unique, column (NULL for an expression).
type IndexRow = (String, String, bool, Option<String>);

// The primary key's own index (`origin = 'pk'`) is the primary key, not an index.
const INDEXES: &str = "SELECT m.name, il.name, il.\"unique\", ii.name \
     FROM main.sqlite_master m JOIN pragma_index_list(m.name, 'main') il \
     JOIN pragma_index_info(il.name, 'main') ii \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND (?1 IS NULL OR m.name = ?1) AND il.origin <> 'pk' \
     ORDER BY m.name, il.name, ii.seqno";

/// Table, key id, referenced table, column, referenced column, on update, on delete.
type ForeignKeyRow = (String, i64, String, String, Option<String>, String, String);

// A key written `REFERENCES parents` has no `to` column: it means the parent's primary key.
const FOREIGN_KEYS: &str = "SELECT m.name, f.id, f.\"table\", f.\"from\", \
     COALESCE(f.\"to\", (SELECT p.name FROM pragma_table_info(f.\"table\", 'main') p \
         WHERE p.pk = f.seq + 1)), \
     f.on_update, f.on_delete \
     FROM main.sqlite_master m JOIN pragma_foreign_key_list(m.name, 'main') f \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND (?1 IS NULL OR m.name = ?1) ORDER BY m.name, f.id, f.seq";

pub(super) async fn read(
    mut target: Target<'_, '_>,
    filter: Option<TableFilter<'_>>,
) -> Result<SchemaSnapshot, sqlx::Error> {
    let (_, table) = binds(filter);
    let tables: Vec<(String, Option<String>)> = on_database!(target.reborrow(), Sqlite, e => {
        sqlx::query_as(TABLES).bind(table).fetch_all(e).await
    })?;
    let columns: Vec<ColumnRow> = on_database!(target.reborrow(), Sqlite, e => {
        sqlx::query_as(COLUMNS).bind(table).fetch_all(e).await
    })?;
    let indexes: Vec<IndexRow> = on_database!(target.reborrow(), Sqlite, e => {
        sqlx::query_as(INDEXES).bind(table).fetch_all(e).await
    })?;
    let foreign_keys: Vec<ForeignKeyRow> = on_database!(target, Sqlite, e => {
        sqlx::query_as(FOREIGN_KEYS).bind(table).fetch_all(e).await
    })?;

    let sql: HashMap<String, String> = tables
        .into_iter()
        .map(|(name, sql)| (name, sql.unwrap_or_default()))
        .collect();
    let mut builder = SnapshotBuilder::default();
    add_columns(&mut builder, columns, &sql);
    for (table, index, unique, column) in indexes {
        builder.index_column(&table, &index, unique, column.unwrap_or_default());
    }
    for (table, id, referenced_table, column, referenced, on_update, on_delete) in foreign_keys {
        let row = ForeignKeyColumn {
            key: id.to_string(),
            name: None,
            referenced_table,
            column,
            referenced_column: referenced,
            on_delete: action_named(&on_delete),
            on_update: action_named(&on_update),
        };
        builder.foreign_key_column(&table, row);
    }
    for (name, table) in &mut builder.tables {
        name_foreign_keys(table, sql.get(name).map_or("", String::as_str));
    }
    Ok(builder.finish())
}

/// The columns of every table, then each table's primary key in key order.
fn add_columns(builder: &mut SnapshotBuilder, rows: Vec<ColumnRow>, sql: &HashMap<String, String>) {
    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    let mut rowid_aliases: HashMap<String, String> = HashMap::new();
    for (table, name, declared, _, _, pk, hidden) in &rows {
        // A lone `INTEGER PRIMARY KEY` is the rowid (a hidden column belongs to a virtual
        // table and is never a key).
        if *pk > 0 && *hidden == 0 {
            keys.entry(table.clone())
                .or_default()
                .push((*pk, name.clone()));
            if declared
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case("integer"))
            {
                rowid_aliases.insert(table.clone(), name.clone());
            }
        }
    }
    rowid_aliases.retain(|table, _| keys.get(table).is_some_and(|key| key.len() == 1));
    for (table, name, declared, not_null, default, _, hidden) in rows {
        if hidden == 1 {
            continue;
        }
        let rowid = rowid_aliases.get(&table) == Some(&name);
        let autoincrement = rowid && declares_autoincrement(sql.get(&table));
        let data_type = lowercase_outside_quotes(declared.unwrap_or_default().trim());
        let info = type_info(&data_type);
        builder.column(
            &table,
            ColumnSnapshot {
                // SQLite has no unsigned integers, whatever the declared type says.
                unsigned: false,
                // The rowid is never NULL, whether or not the column says NOT NULL.
                nullable: not_null == 0 && !rowid,
                // Generated columns have an expression, not a default.
                default: if hidden == 0 {
                    default.as_deref().and_then(super::normalize_default)
                } else {
                    None
                },
                auto_increment: autoincrement,
                ..ColumnSnapshot::typed(name, data_type, info)
            },
        );
    }
    for (table, mut key) in keys {
        key.sort();
        for (_, column) in key {
            builder.primary_key_column(&table, None, column);
        }
    }
}

/// Whether the table's `CREATE TABLE` text says `AUTOINCREMENT` (only a rowid alias may). The
/// crate's lexer reads it, so the word in a string or comment does not count.
fn declares_autoincrement(sql: Option<&String>) -> bool {
    sql.is_some_and(|sql| {
        SqlText::lex(sql, Dialect::Sqlite)
            .statements()
            .iter()
            .any(|statement| statement.has_word("AUTOINCREMENT"))
    })
}

/// The family of a declared type: the usual names first, then SQLite's own affinity rules
/// (a type containing `INT` is an integer, `CHAR`/`CLOB`/`TEXT` text, and so on).
pub(super) fn type_info(data_type: &str) -> TypeInfo {
    let name = TypeName::parse(&data_type.to_ascii_lowercase());
    let words = name.words.as_str();
    let info = match words {
        "bigint" | "int8" | "unsigned big int" => TypeInfo::integer(Some(8)),
        "smallint" | "int2" => TypeInfo::integer(Some(2)),
        "tinyint" => TypeInfo::integer(Some(1)),
        "mediumint" => TypeInfo::integer(Some(3)),
        "boolean" | "bool" => TypeInfo::of(TypeFamily::Boolean),
        "numeric" | "decimal" => TypeInfo::of(TypeFamily::Decimal),
        "real" | "double" | "double precision" | "float" => TypeInfo::of(TypeFamily::Float),
        "text" | "clob" => TypeInfo::of(TypeFamily::Text),
        "date" => TypeInfo::of(TypeFamily::Date),
        "time" => TypeInfo::of(TypeFamily::Time),
        "datetime" | "timestamp" => TypeInfo::of(TypeFamily::Timestamp),
        "timestamptz" | "timestamp with time zone" => TypeInfo::of(TypeFamily::TimestampTz),
        "json" | "jsonb" => TypeInfo::of(TypeFamily::Json),
        "uuid" => TypeInfo::of(TypeFamily::Uuid),
        "blob" => TypeInfo::of(TypeFamily::Binary),
        // INTEGER may hold up to 8 bytes: SQLite cannot say how many the column needs.
        _ if words.contains("int") => TypeInfo::integer(None),
        _ if words.contains("char") => TypeInfo::of(TypeFamily::String),
        _ if words.contains("clob") || words.contains("text") => TypeInfo::of(TypeFamily::Text),
        _ if words.contains("blob") => TypeInfo::of(TypeFamily::Binary),
        _ if ["real", "floa", "doub"].iter().any(|w| words.contains(w)) => {
            TypeInfo::of(TypeFamily::Float)
        }
        _ => TypeInfo::of(TypeFamily::Other),
    };
    info.with_args(&name.args)
}

// ------------------------------------------------------------------- foreign-key names

/// Gives each foreign key the name its `CONSTRAINT` clause gave it, matched by columns and
/// referenced table (SQLite compares names without regard to ASCII case).
fn name_foreign_keys(table: &mut TableSnapshot, sql: &str) {
    let mut named = foreign_key_names(sql);
    for key in &mut table.foreign_keys {
        let found = named.iter().position(|n| {
            n.referenced_table
                .eq_ignore_ascii_case(&key.referenced_table)
                && n.columns.len() == key.columns.len()
                && n.columns
                    .iter()
                    .zip(&key.columns)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        });
        if let Some(at) = found {
            key.name = Some(named.remove(at).name);
        }
    }
}

/// A foreign key that the `CREATE TABLE` text names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NamedForeignKey {
    pub(super) name: String,
    pub(super) columns: Vec<String>,
    pub(super) referenced_table: String,
}

/// The named foreign keys of a `CREATE TABLE` text: table constraints `CONSTRAINT n FOREIGN
/// KEY (cols) REFERENCES t` and column constraints `col … CONSTRAINT n REFERENCES t`. Text it
/// cannot follow gives none.
///
/// The crate's lexer keeps only bare words, and names are mostly quoted, so this reads tokens
/// of its own, skipping strings and comments the same way.
pub(super) fn foreign_key_names(sql: &str) -> Vec<NamedForeignKey> {
    let tokens = tokens(sql);
    let Some(open) = tokens.iter().position(|t| *t == Token::Open) else {
        return Vec::new();
    };
    // `CREATE TABLE t AS SELECT …` has no definitions.
    if tokens[..open].iter().any(|t| t.is_word("AS")) {
        return Vec::new();
    }
    definitions(&tokens[open + 1..])
        .into_iter()
        .flat_map(named_keys)
        .collect()
}

/// A token of SQLite's SQL, as far as definitions need it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// A bare word, as written.
    Word(String),
    /// A quoted identifier (`"…"`, `` `…` ``, `[…]`) or string literal, unquoted.
    Quoted(String),
    Open,
    Close,
    Comma,
    Other,
}

impl Token {
    fn is_word(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    /// The identifier this token spells.
    fn name(&self) -> Option<&str> {
        match self {
            Token::Word(name) | Token::Quoted(name) => Some(name),
            _ => None,
        }
    }
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut reader = Reader { rest: sql };
    std::iter::from_fn(|| reader.token()).collect()
}

/// Reads tokens from the front of `rest`.
struct Reader<'a> {
    rest: &'a str,
}

impl Reader<'_> {
    fn token(&mut self) -> Option<Token> {
        self.skip_space_and_comments();
        let c = self.rest.chars().next()?;
        Some(match c {
            '(' | ')' | ',' => {
                self.rest = &self.rest[1..];
                match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                }
            }
            '\'' | '"' | '`' => Token::Quoted(self.quoted(c, c)),
            '[' => Token::Quoted(self.quoted('[', ']')),
            _ if c.is_alphabetic() || c == '_' || !c.is_ascii() => {
                let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii();
                Token::Word(self.take_while(word))
            }
            _ => {
                self.rest = &self.rest[c.len_utf8()..];
                Token::Other
            }
        })
    }

    fn skip_space_and_comments(&mut self) {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(comment) = self.rest.strip_prefix("--") {
                self.rest = comment.find('\n').map_or("", |end| &comment[end..]);
            } else if let Some(comment) = self.rest.strip_prefix("/*") {
                self.rest = comment.find("*/").map_or("", |end| &comment[end + 2..]);
            } else {
                return;
            }
        }
    }

    /// A quoted token's text; a doubled closing quote stands for itself (not in `[…]`).
    fn quoted(&mut self, open: char, close: char) -> String {
        let rest = self.rest;
        let body = open.len_utf8();
        let mut text = String::new();
        let mut chars = rest[body..].char_indices();
        while let Some((at, c)) = chars.next() {
            if c != close {
                text.push(c);
                continue;
            }
            let after = &rest[body + at + c.len_utf8()..];
            if open != '[' && after.starts_with(close) {
                text.push(close);
                chars.next();
                continue;
            }
            self.rest = after;
            return text;
        }
        // Unterminated: the rest is the token.
        self.rest = "";
        text
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let end = self
            .rest
            .char_indices()
            .find(|&(_, c)| !keep(c))
            .map_or(self.rest.len(), |(at, _)| at);
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word.to_owned()
    }
}

/// The column and constraint definitions between the table's parentheses, split at top-level
/// commas; none when the closing parenthesis is missing.
fn definitions(tokens: &[Token]) -> Vec<&[Token]> {
    let mut definitions = Vec::new();
    let mut depth = 0_usize;
    let mut start = 0;
    for (at, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close if depth == 0 => {
                definitions.push(&tokens[start..at]);
                return definitions;
            }
            Token::Close => depth -= 1,
            Token::Comma if depth == 0 => {
                definitions.push(&tokens[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The named foreign keys of one definition.
fn named_keys(definition: &[Token]) -> Vec<NamedForeignKey> {
    match definition {
        [first, name, rest @ ..] if first.is_word("CONSTRAINT") => {
            table_foreign_key(name, rest).into_iter().collect()
        }
        [first, ..]
            if ["PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
                .iter()
                .any(|k| first.is_word(k)) =>
        {
            Vec::new()
        }
        [column, rest @ ..] => column_foreign_keys(column, rest),
        [] => Vec::new(),
    }
}

/// `CONSTRAINT <name>` followed by `FOREIGN KEY (<columns>) REFERENCES <table>`.
fn table_foreign_key(name: &Token, rest: &[Token]) -> Option<NamedForeignKey> {
    let [foreign, key, Token::Open, rest @ ..] = rest else {
        return None;
    };
    if !foreign.is_word("FOREIGN") || !key.is_word("KEY") {
        return None;
    }
    let close = rest.iter().position(|t| *t == Token::Close)?;
    let columns = rest[..close]
        .iter()
        .filter(|t| **t != Token::Comma)
        .map(|t| t.name().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    let [references, table, ..] = &rest[close + 1..] else {
        return None;
    };
    references.is_word("REFERENCES").then_some(())?;
    Some(NamedForeignKey {
        name: name.name()?.to_owned(),
        columns,
        referenced_table: table.name()?.to_owned(),
    })
}

/// `<column> <type> … CONSTRAINT <name> REFERENCES <table> …`, outside the type's and
/// expressions' parentheses.
fn column_foreign_keys(column: &Token, rest: &[Token]) -> Vec<NamedForeignKey> {
    let Some(column) = column.name() else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let mut depth = 0_usize;
    for (at, token) in rest.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            _ if depth == 0 && token.is_word("CONSTRAINT") => {
                if let [name, references, table, ..] = &rest[at + 1..]
                    && references.is_word("REFERENCES")
                    && let (Some(name), Some(table)) = (name.name(), table.name())
                {
                    keys.push(NamedForeignKey {
                        name: name.to_owned(),
                        columns: vec![column.to_owned()],
                        referenced_table: table.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    keys
}
