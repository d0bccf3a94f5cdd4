//! What a SQLite rebuild takes from the table's own `CREATE TABLE` text because the model does
//! not hold it: CHECK constraints (a column's and the table's), a column's collation, and the
//! table options `WITHOUT ROWID` and `STRICT`.
//!
//! The text is cut at its tokens (the lexer skips strings, quoted identifiers and comments), so
//! a comma or parenthesis inside a literal never splits a clause, and a clause is carried over
//! exactly as it was written.

use crate::dialect::Dialect;
use crate::sql::lexer::{Spanned, Token, tokens};

/// The parts of a `CREATE TABLE` text a rebuild carries over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableText {
    columns: Vec<ColumnText>,
    checks: Vec<Check>,
    /// `WITHOUT ROWID` after the definitions.
    pub(crate) without_rowid: bool,
    /// `STRICT` after the definitions.
    pub(crate) strict: bool,
    /// A `COLLATE` inside a `PRIMARY KEY` or `UNIQUE` table constraint, which the model (a
    /// list of column names) cannot carry.
    pub(crate) keyed_collation: bool,
}

/// The clauses of one column definition a rebuild carries over.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ColumnText {
    name: String,
    /// `COLLATE <name>` as written.
    collation: Option<String>,
    checks: Vec<Check>,
}

/// A CHECK constraint as written (with its `CONSTRAINT <name>` if it has one), and every name
/// it may mean (lowercased; a superset of the columns it reads).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Check {
    sql: String,
    names: Vec<String>,
}

impl TableText {
    /// Reads the definitions of `create_sql`; an empty text (a table the run has not created
    /// yet) has none.
    pub(crate) fn parse(create_sql: &str) -> TableText {
        let all = tokens(create_sql, Dialect::Sqlite);
        let Some(open) = all.iter().position(|t| t.token == Token::Open) else {
            return TableText::default();
        };
        let (items, options) = split_definitions(create_sql, &all[open + 1..]);
        let mut text = TableText::default();
        for item in items {
            text.read_item(create_sql, item);
        }
        let words: Vec<&str> = options.iter().filter_map(word).collect();
        text.without_rowid = words.windows(2).any(|w| w == ["WITHOUT", "ROWID"]);
        text.strict = words.contains(&"STRICT");
        text
    }

    fn read_item(&mut self, sql: &str, item: &[Spanned]) {
        let Some(first) = item.first() else { return };
        let constraint = matches!(
            word(first),
            Some("CONSTRAINT" | "PRIMARY" | "UNIQUE" | "CHECK" | "FOREIGN")
        );
        if !constraint {
            self.columns.push(ColumnText::read(sql, item));
        } else if kind_after_name(item) == Some("CHECK") {
            self.checks.push(Check::read(sql, item));
        } else if item.iter().any(|t| word(t) == Some("COLLATE")) {
            self.keyed_collation |= matches!(kind_after_name(item), Some("PRIMARY" | "UNIQUE"));
        }
    }

    /// The clauses to write after column `name`'s definition in the new table.
    pub(crate) fn column_clauses(&self, name: &str) -> Vec<&str> {
        let Some(column) = self.column(name) else {
            return Vec::new();
        };
        column
            .collation
            .iter()
            .map(String::as_str)
            .chain(column.checks.iter().map(|c| c.sql.as_str()))
            .collect()
    }

    /// The table's CHECK constraints, as written.
    pub(crate) fn table_checks(&self) -> impl Iterator<Item = &str> {
        self.checks.iter().map(|c| c.sql.as_str())
    }

    /// Forgets column `name`'s clauses, as dropping it does. Refused, with the constraint, when
    /// a CHECK other than the column's own names it: SQLite's own `DROP COLUMN` refuses that
    /// too, and a rebuild would otherwise create a table whose CHECK reads a missing column.
    pub(crate) fn drop_column(&mut self, name: &str) -> Result<(), String> {
        let others = self
            .columns
            .iter()
            .filter(|c| !c.name.eq_ignore_ascii_case(name))
            .flat_map(|c| &c.checks);
        if let Some(check) = self
            .checks
            .iter()
            .chain(others)
            .find(|c| may_read(&c.sql, name))
        {
            return Err(check.sql.clone());
        }
        self.forget_column(name);
        Ok(())
    }

    /// Forgets column `name`'s clauses, whatever other CHECKs read it (they stay: the drop is
    /// refused where it runs).
    pub(crate) fn forget_column(&mut self, name: &str) {
        self.columns.retain(|c| !c.name.eq_ignore_ascii_case(name));
    }

    /// Follows `ALTER TABLE … RENAME COLUMN`, which rewrites the column's name in every CHECK.
    pub(crate) fn rename_column(&mut self, from: &str, to: &str) {
        for column in &mut self.columns {
            if column.name.eq_ignore_ascii_case(from) {
                column.name = to.to_owned();
            }
        }
        let columns = self.columns.iter_mut().flat_map(|c| &mut c.checks);
        for check in self.checks.iter_mut().chain(columns) {
            check.rename(from, to);
        }
    }

    fn column(&self, name: &str) -> Option<&ColumnText> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

impl ColumnText {
    /// A column definition: its name, then the clauses found at its top level.
    fn read(sql: &str, item: &[Spanned]) -> ColumnText {
        let mut column = ColumnText {
            name: name_of(sql, &item[0]),
            collation: None,
            checks: Vec::new(),
        };
        let mut at = 1;
        let mut named_from = None;
        while at < item.len() {
            match word(&item[at]) {
                Some("CONSTRAINT") => {
                    named_from = Some(at);
                    at += 2;
                    continue;
                }
                Some("COLLATE") if at + 1 < item.len() => {
                    let clause = &sql[item[at].span.start..item[at + 1].span.end];
                    column.collation = Some(clause.to_owned());
                    at += 2;
                }
                Some("CHECK") => {
                    let end = closing(item, at + 1).unwrap_or(item.len() - 1);
                    let start = named_from.unwrap_or(at);
                    column.checks.push(Check::read(sql, &item[start..=end]));
                    at = end + 1;
                }
                _ => at = closing(item, at).map_or(at + 1, |end| end + 1),
            }
            named_from = None;
        }
        column
    }
}

impl Check {
    fn read(sql: &str, clause: &[Spanned]) -> Check {
        let (Some(first), Some(last)) = (clause.first(), clause.last()) else {
            return Check {
                sql: String::new(),
                names: Vec::new(),
            };
        };
        let text = &sql[first.span.start..last.span.end];
        Check {
            sql: text.to_owned(),
            names: column_names(sql, clause),
        }
    }

    /// The constraint with every name `from` in it written as `to`.
    fn rename(&mut self, from: &str, to: &str) {
        let mut renamed = String::new();
        let mut copied = 0;
        let all = tokens(&self.sql, Dialect::Sqlite);
        for (at, token) in all.iter().enumerate() {
            let named = name(&self.sql, token).is_some_and(|n| n.eq_ignore_ascii_case(from));
            if named && reads_a_column(&all, at) {
                renamed.push_str(&self.sql[copied..token.span.start]);
                renamed.push_str(&super::quote(to));
                copied = token.span.end;
            }
        }
        renamed.push_str(&self.sql[copied..]);
        *self = Check::read(&renamed, &tokens(&renamed, Dialect::Sqlite));
    }
}

/// The definitions between the table's parentheses, split at top-level commas, and the tokens
/// after the closing parenthesis (the table options).
fn split_definitions<'a>(
    sql: &str,
    after_open: &'a [Spanned],
) -> (Vec<&'a [Spanned]>, &'a [Spanned]) {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, token) in after_open.iter().enumerate() {
        match &token.token {
            Token::Open => depth += 1,
            Token::Close if depth == 0 => {
                items.push(&after_open[start..at]);
                return (items, &after_open[at + 1..]);
            }
            Token::Close => depth -= 1,
            Token::Other if depth == 0 && &sql[token.span.clone()] == "," => {
                items.push(&after_open[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&after_open[start..]);
    (items, &[])
}

/// The index of the `)` that closes the `(` at `open`, if a `(` is there.
fn closing(tokens: &[Spanned], open: usize) -> Option<usize> {
    if tokens.get(open)?.token != Token::Open {
        return None;
    }
    let mut depth = 0usize;
    for (at, token) in tokens.iter().enumerate().skip(open) {
        match token.token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The constraint's kind: its first word, after `CONSTRAINT <name>` when it is named.
fn kind_after_name(item: &[Spanned]) -> Option<&str> {
    match word(item.first()?) {
        Some("CONSTRAINT") => item.get(2).and_then(word),
        kind => kind,
    }
}

/// The token as a bare word (upper case), if it is one.
fn word(token: &Spanned) -> Option<&str> {
    match &token.token {
        Token::Word(word) => Some(word),
        _ => None,
    }
}

/// The names an index's or a view's or trigger's SQL may read as columns, lowercased: every
/// name from its first parenthesis on (an index's column list, expressions and `WHERE`), or in
/// the whole text with `whole`.
pub(crate) fn names_read(sql: &str, whole: bool) -> Vec<String> {
    let all = tokens(sql, Dialect::Sqlite);
    let start = match whole {
        true => 0,
        false => all
            .iter()
            .position(|t| t.token == Token::Open)
            .unwrap_or(all.len()),
    };
    column_names(sql, &all[start..])
}

/// Whether `sql` (a view's, a trigger's or a CHECK's) may read column `column`: one of its
/// names, or, for a column named like a keyword (`key`, `action`: SQLite takes many as bare
/// names), the bare word itself. Erring towards yes only refuses a change, never loses one.
pub(crate) fn may_read(sql: &str, column: &str) -> bool {
    let column = column.to_ascii_lowercase();
    let all = tokens(sql, Dialect::Sqlite);
    (0..all.len()).any(|at| {
        let spelled = name(sql, &all[at]).is_some_and(|n| n == column);
        spelled && (reads_a_column(&all, at) || is_keyword(&all[at]))
    })
}

/// The names in `clause` that may be columns it reads, lowercased: its bare words and quoted
/// identifiers, except a function's name (`length(code)`) and the constraint's own name.
fn column_names(sql: &str, clause: &[Spanned]) -> Vec<String> {
    (0..clause.len())
        .filter(|&at| reads_a_column(clause, at))
        .filter_map(|at| name(sql, &clause[at]))
        .collect()
}

/// Whether the token at `at` may name a column: not a bare SQLite keyword (`DESC`, `ROW`,
/// `NULL`; a column named like one is found where it is quoted), not followed by `(` (a
/// function), not right after `CONSTRAINT` (the constraint's name) or `AS` (an alias, or the
/// type of a `CAST`).
fn reads_a_column(clause: &[Spanned], at: usize) -> bool {
    let keyword = is_keyword(&clause[at]);
    let called = clause.get(at + 1).is_some_and(|t| t.token == Token::Open);
    let after = |kw: &str| at > 0 && word(&clause[at - 1]) == Some(kw);
    let named = ["CONSTRAINT", "AS", "VIEW", "TRIGGER", "INDEX", "EXISTS"];
    !keyword && !called && !named.iter().any(|kw| after(kw))
}

/// Whether the token is a bare SQLite keyword.
fn is_keyword(token: &Spanned) -> bool {
    word(token).is_some_and(|w| KEYWORDS.binary_search(&w).is_ok())
}

/// SQLite's keywords (<https://www.sqlite.org/lang_keywords.html>), and `TRUE` and `FALSE`,
/// sorted.
const KEYWORDS: [&str; 149] = [
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FALSE",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "TRUE",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
];

/// The token as a name it may mean (a bare word or a quoted identifier), lowercased.
fn name(sql: &str, token: &Spanned) -> Option<String> {
    matches!(token.token, Token::Word(_) | Token::Quoted(_))
        .then(|| name_of(sql, token).to_ascii_lowercase())
}

/// A column's name as its definition spells it, unquoted.
fn name_of(sql: &str, token: &Spanned) -> String {
    let text = &sql[token.span.clone()];
    match (&token.token, text.chars().next()) {
        (Token::Quoted(inner), Some('"')) => inner.replace("\"\"", "\""),
        (Token::Quoted(inner), Some('`')) => inner.replace("``", "`"),
        (Token::Quoted(inner), _) => inner.clone(),
        // SQLite takes a string where a column's name belongs as the name (`'code' TEXT`).
        (Token::Other, Some('\'')) if text.len() >= 2 && text.ends_with('\'') => {
            text[1..text.len() - 1].replace("''", "'")
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::TableText;

    #[test]
    fn carries_checks_and_collations_as_written() {
        let text = TableText::parse(
            "CREATE TABLE \"t\" (id INTEGER PRIMARY KEY, \"name\" TEXT NOT NULL COLLATE NOCASE \
             CONSTRAINT name_len CHECK (length(name) <= 10), n INT CHECK (n > 0) DEFAULT 1, \
             note TEXT DEFAULT 'a, (b' CHECK (note <> 'x)'), CHECK (n < 100), \
             CONSTRAINT both_set CHECK (n IS NOT NULL OR note IS NOT NULL))",
        );
        assert_eq!(
            text.column_clauses("NAME"),
            [
                "COLLATE NOCASE",
                "CONSTRAINT name_len CHECK (length(name) <= 10)"
            ]
        );
        assert_eq!(text.column_clauses("n"), ["CHECK (n > 0)"]);
        assert_eq!(text.column_clauses("note"), ["CHECK (note <> 'x)')"]);
        assert!(text.column_clauses("id").is_empty());
        assert_eq!(
            text.table_checks().collect::<Vec<_>>(),
            [
                "CHECK (n < 100)",
                "CONSTRAINT both_set CHECK (n IS NOT NULL OR note IS NOT NULL)"
            ]
        );
        assert!(!text.without_rowid && !text.strict && !text.keyed_collation);
    }

    #[test]
    fn a_column_a_check_of_another_reads_cannot_be_dropped() {
        let mut text =
            TableText::parse("CREATE TABLE t (a INT CHECK (a > 0), b INT CHECK (b > a), c INT)");
        assert_eq!(text.drop_column("a"), Err("CHECK (b > a)".to_owned()));
        assert_eq!(text.drop_column("b"), Ok(()));
        assert_eq!(text.drop_column("a"), Ok(()));
        assert!(text.column_clauses("a").is_empty());
        let mut text = TableText::parse("CREATE TABLE t (a INT, c INT, CHECK (c <> a))");
        assert_eq!(text.drop_column("c"), Err("CHECK (c <> a)".to_owned()));
    }

    #[test]
    fn a_rename_is_followed_in_every_check() {
        let mut text = TableText::parse(
            "CREATE TABLE t (a INT CHECK (a > 0), b INT, CHECK (\"a\" < b), CHECK (a <> 'a'))",
        );
        text.rename_column("a", "z");
        assert_eq!(text.column_clauses("z"), ["CHECK (\"z\" > 0)"]);
        assert_eq!(
            text.table_checks().collect::<Vec<_>>(),
            ["CHECK (\"z\" < b)", "CHECK (\"z\" <> 'a')"]
        );
        assert_eq!(text.drop_column("a"), Ok(()));
        assert!(text.drop_column("z").is_err());
    }

    #[test]
    fn reads_the_table_options_and_keyed_collations() {
        let text = TableText::parse(
            "CREATE TABLE t (a INT, b TEXT, PRIMARY KEY (a, b COLLATE NOCASE)) WITHOUT ROWID, STRICT",
        );
        assert!(text.without_rowid && text.strict && text.keyed_collation);
        assert!(text.column_clauses("b").is_empty());
        let text = TableText::parse("CREATE TABLE [t] ([strict] INT, \"without\" INT, rowid2 INT)");
        assert!(!text.without_rowid && !text.strict && !text.keyed_collation);
        assert_eq!(TableText::parse(""), TableText::default());
    }

    #[test]
    fn a_column_named_in_single_quotes_keeps_its_clauses() {
        let text = TableText::parse(
            "CREATE TABLE t ('code' TEXT COLLATE NOCASE CHECK (length(code) < 5))",
        );
        assert_eq!(
            text.column_clauses("code"),
            ["COLLATE NOCASE", "CHECK (length(code) < 5)"]
        );
    }

    #[test]
    fn keywords_aliases_and_cast_types_are_not_columns() {
        assert!(super::KEYWORDS.windows(2).all(|w| w[0] < w[1]), "sorted");
        let names = super::names_read(
            "CREATE INDEX i ON t (created DESC, b COLLATE NOCASE)",
            false,
        );
        assert_eq!(names, ["created", "b", "nocase"]);
        let names = super::names_read(
            "CREATE VIEW v AS SELECT count(*) AS total, u.name AS \"author\", CAST(n AS TEXT) \
             FROM t JOIN u ON u.id = t.id ORDER BY \"desc\" DESC",
            true,
        );
        assert_eq!(
            names,
            ["u", "name", "n", "t", "u", "u", "id", "t", "id", "desc"]
        );
    }

    #[test]
    fn function_and_constraint_names_are_not_columns() {
        let mut text = TableText::parse(
            "CREATE TABLE t (length INT, code TEXT CHECK (length(code) < 5), \
             CONSTRAINT length CHECK (code <> ''))",
        );
        assert_eq!(text.clone().drop_column("length"), Ok(()));
        text.rename_column("length", "len");
        assert_eq!(text.column_clauses("code"), ["CHECK (length(code) < 5)"]);
        assert_eq!(
            text.table_checks().collect::<Vec<_>>(),
            ["CONSTRAINT length CHECK (code <> '')"]
        );
        assert!(text.drop_column("code").is_err());
    }
}
