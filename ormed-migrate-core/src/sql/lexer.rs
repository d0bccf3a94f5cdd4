//! A small SQL lexer that classifies raw SQL once.
//!
//! The runner decides how a raw migration may run from its keywords: `CREATE INDEX
//! CONCURRENTLY` and `VACUUM` refuse a transaction block, a single statement fails as a whole.
//! Those keywords must never be found by scanning the text (DESIGN.md §9): strings, quoted
//! identifiers and comments hold words too, and `COMMENT ON TABLE t IS 'updated concurrently'`
//! is not a concurrent statement. This lexer reads the text the way the database will, skips
//! everything that cannot be a keyword, and keeps the bare words of each statement.
//!
//! Skipped, per dialect:
//!
//! * all: `'…'` strings (`''` doubled), `"…"` quoted identifiers (`""` doubled), `--` line
//!   comments, `/* … */` block comments, and numbers;
//! * PostgreSQL: nested block comments, `$$…$$` and `$tag$…$tag$` dollar quotes, `E'…'` escape
//!   strings (`\'` escapes a quote), `U&'…'` and `U&"…"`, `B'…'`, `X'…'`, `N'…'`, and `$1`
//!   parameters. `standard_conforming_strings` is assumed on (the default since 9.1), so a
//!   backslash escapes nothing in a plain `'…'`;
//! * MySQL and MariaDB: backslash escapes in `'…'` and `"…"` (the default `sql_mode`, without
//!   `NO_BACKSLASH_ESCAPES`; `"…"` is a string unless `ANSI_QUOTES`, skipped either way),
//!   `` `…` `` identifiers (doubled backticks), `#` line comments, `-- ` only before whitespace
//!   or a control character (`--x` is two minus signs), non-nesting block comments, `X'…'`,
//!   `B'…'`, `N'…'` and `_charset'…'`;
//! * SQLite: `[…]` and `` `…` `` identifiers, `X'…'` blobs, non-nesting block comments.
//!
//! MySQL runs the text of an executable comment, `/*! … */` (MariaDB also `/*M! … */`), when the
//! server is at least the optional 5- or 6-digit version after the marker. Its content is lexed
//! as SQL whatever the version says: seeing words a server might skip is the safe side.
//!
//! A statement ends at a `;` outside parentheses (PostgreSQL's `CREATE RULE … DO (a; b)`) and
//! outside the `BEGIN … END` body of a routine or trigger (SQLite `CREATE TRIGGER … BEGIN a; b;
//! END`, PostgreSQL `CREATE FUNCTION … BEGIN ATOMIC a; b; END`, MySQL `CREATE PROCEDURE … BEGIN
//! … END`), the way `psql` and `sqlite3_complete` find the end of a statement.

//! What differs per database is a [`Lexicon`], which each backend states in full, so that the
//! lexer never compares dialects and a new database cannot silently read SQL like another.

use crate::backend;
use crate::dialect::Dialect;

/// How one database spells what the lexer must skip or follow. Every backend states every rule
/// (there is no default), so a new database cannot silently inherit another's reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lexicon {
    /// `#` starts a line comment (MySQL).
    pub(crate) hash_comments: bool,
    /// `--` starts a comment only before whitespace or a control character (MySQL: `1--1`).
    pub(crate) dash_comments_need_space: bool,
    /// A carriage return ends a `--` comment, as a line feed does (PostgreSQL).
    pub(crate) carriage_return_ends_comment: bool,
    /// Block comments nest (PostgreSQL).
    pub(crate) nested_block_comments: bool,
    /// `/*! … */` and `/*M! … */` hold SQL (MySQL, MariaDB).
    pub(crate) executable_comments: bool,
    /// `\` escapes inside `'…'` and `"…"` (MySQL's default `sql_mode`).
    pub(crate) backslash_escapes: bool,
    /// `` `…` `` quotes identifiers (MySQL, SQLite).
    pub(crate) backtick_identifiers: bool,
    /// `[…]` quotes identifiers (SQLite).
    pub(crate) bracket_identifiers: bool,
    /// `$$…$$` and `$tag$…$tag$` quote strings, `$1` is a parameter (PostgreSQL).
    pub(crate) dollar_quotes: bool,
    /// Prefixes glued to `'…'` that make it one literal: `X'…'`, `B'…'`, `N'…'`.
    pub(crate) literal_prefixes: &'static [&'static str],
    /// The prefix of an escape string, in which `\` escapes (PostgreSQL `E'…'`).
    pub(crate) escape_string_prefix: Option<&'static str>,
    /// `U&'…'` and `U&"…"` (PostgreSQL).
    pub(crate) unicode_prefix: bool,
    /// `_charset'…'` introducers (MySQL).
    pub(crate) charset_introducers: bool,
    /// The objects whose definitions hold a body of statements (`TRIGGER`, `FUNCTION`, …).
    pub(crate) routine_kinds: &'static [&'static str],
    /// Where a `BEGIN` opens a body.
    pub(crate) begin_body: BeginBody,
    /// `CREATE FUNCTION … BEGIN ATOMIC … END` (PostgreSQL).
    pub(crate) begin_atomic_body: bool,
    /// A `BEGIN NOT ATOMIC … END` block (MariaDB).
    pub(crate) begin_not_atomic_block: bool,
}

/// Where `BEGIN` opens the body of a routine or trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BeginBody {
    /// Never: `BEGIN` is only a transaction (PostgreSQL, whose bodies are `BEGIN ATOMIC`).
    Never,
    /// After a routine's header, one level only (SQLite triggers).
    AfterHeader,
    /// After a routine's header, and nested inside a body (MySQL compound statements).
    AfterHeaderAndNested,
}

/// The words of a SQL text that decide how it may run, statement by statement: the text split
/// at top-level `;`, each statement's bare words (keywords and unquoted identifiers) in upper
/// case. String literals, quoted identifiers and comments are skipped, so a keyword inside them
/// never counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SqlText {
    statements: Vec<Statement>,
    unterminated: bool,
}

impl SqlText {
    /// Lexes `sql` as `dialect` spells it.
    pub(crate) fn lex(sql: &str, dialect: Dialect) -> SqlText {
        SqlText::lex_with(sql, backend::of(dialect).lexicon())
    }

    /// Lexes `sql` by the rules of `lexicon`.
    pub(crate) fn lex_with(sql: &str, lexicon: Lexicon) -> SqlText {
        let mut lexer = Lexer::new(sql, lexicon);
        let mut splitter = Splitter::new(lexicon);
        while let Some(token) = lexer.next_token() {
            splitter.push(token);
        }
        SqlText {
            statements: splitter.finish(),
            unterminated: lexer.is_unterminated(),
        }
    }

    /// The statements that hold at least one token: a word, a literal, a quoted identifier, a
    /// number or a sign (a trailing `;` or an empty `;;` adds none). A statement without words
    /// still counts, so that `DELETE FROM t; 'x'` is two statements, the second a failing one.
    pub(crate) fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// True when the text is one statement (possibly followed by `;` and whitespace/comments).
    pub(crate) fn is_single_statement(&self) -> bool {
        self.statements.len() == 1
    }

    /// True when the text ends inside a string, quoted identifier or block comment
    /// (unterminated): the caller treats such text as opaque. SQLite would accept a block
    /// comment left open at the end; it is flagged all the same.
    pub(crate) fn is_unterminated(&self) -> bool {
        self.unterminated
    }
}

/// One statement of a [`SqlText`]: its bare words, and every name it may mean (bare words and
/// quoted identifiers, lowercased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement {
    words: Vec<String>,
    names: Vec<String>,
}

impl Statement {
    /// Bare words in upper case, in order.
    #[cfg(test)]
    pub(crate) fn words(&self) -> &[String] {
        &self.words
    }

    /// The first word (`CREATE`, `VACUUM`, …), if any.
    pub(crate) fn first_word(&self) -> Option<&str> {
        self.words.first().map(String::as_str)
    }

    /// Whether `word` (upper case) is one of the bare words.
    pub(crate) fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }

    /// Whether the bare words hold `phrase` (upper case), its words next to each other:
    /// `["SET", "DEFAULT"]`.
    pub(crate) fn has_phrase(&self, phrase: &[&str]) -> bool {
        self.count_phrase(phrase) > 0
    }

    /// Every bare word and quoted identifier, lowercased: a superset of the tables the
    /// statement names (`app.users` gives `app` and `users`), for checks that must stay silent
    /// about what raw SQL may have touched.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// How many times the bare words hold `phrase` (upper case), its words next to each other.
    pub(crate) fn count_phrase(&self, phrase: &[&str]) -> usize {
        if phrase.is_empty() {
            return 0;
        }
        self.words
            .windows(phrase.len())
            .filter(|window| window.iter().zip(phrase).all(|(w, p)| w == p))
            .count()
    }

    /// Whether the words start with `prefix` (`["CREATE", "DATABASE"]`).
    pub(crate) fn starts_with(&self, prefix: &[&str]) -> bool {
        self.words.len() >= prefix.len() && self.words.iter().zip(prefix).all(|(w, p)| w == p)
    }
}

/// A token of a text and the byte range it covers, for code that must cut the text at its
/// tokens (a SQLite rebuild takes clauses out of a table's `CREATE TABLE` text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned {
    /// The token.
    pub(crate) token: Token,
    /// Where it is in the text.
    pub(crate) span: std::ops::Range<usize>,
}

/// Every token of `sql` as `dialect` reads it, with its place; whitespace and comments skipped.
pub(crate) fn tokens(sql: &str, dialect: Dialect) -> Vec<Spanned> {
    let mut lexer = Lexer::new(sql, backend::of(dialect).lexicon());
    let mut tokens = Vec::new();
    loop {
        while lexer.skip_trivia() {}
        let start = lexer.pos;
        let Some(token) = lexer.next_token() else {
            return tokens;
        };
        tokens.push(Spanned {
            token,
            span: start..lexer.pos.min(sql.len()),
        });
    }
}

/// What the splitter needs to know of one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A keyword or unquoted identifier, in ASCII upper case.
    Word(String),
    /// `;`
    Semicolon,
    /// `(`
    Open,
    /// `)`
    Close,
    /// A quoted identifier (or a double-quoted text where the database reads it as a string),
    /// its text without quotes.
    Quoted(String),
    /// A literal, number, parameter or sign: part of a statement, not a word.
    Other,
}

/// Reads tokens from the text, skipping whitespace and comments.
///
/// It works on bytes: every delimiter is ASCII and UTF-8 never hides an ASCII byte inside a
/// character, and a word ends only at an ASCII byte or the end, so it always starts and ends on
/// a character boundary.
#[derive(Debug)]
struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    lexicon: Lexicon,
    /// Inside a MySQL `/*! … */`, whose `*/` closes it.
    in_executable_comment: bool,
    unterminated: bool,
}

impl<'a> Lexer<'a> {
    fn new(sql: &'a str, lexicon: Lexicon) -> Lexer<'a> {
        Lexer {
            bytes: sql.as_bytes(),
            pos: 0,
            lexicon,
            in_executable_comment: false,
            unterminated: false,
        }
    }

    /// The next token, or `None` at the end of the text.
    fn next_token(&mut self) -> Option<Token> {
        while self.skip_trivia() {}
        let byte = self.peek(0)?;
        Some(self.token(byte))
    }

    /// Whether the text ended inside a literal, quoted identifier or comment.
    fn is_unterminated(&self) -> bool {
        self.unterminated || self.in_executable_comment
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn advance(&mut self, count: usize) {
        self.pos = (self.pos + count).min(self.bytes.len());
    }

    /// Skips one whitespace byte or one comment; false when a token (or the end) is next.
    fn skip_trivia(&mut self) -> bool {
        match (self.peek(0), self.peek(1)) {
            (Some(byte), _) if is_space(byte) => self.advance(1),
            (Some(b'-'), Some(b'-')) if self.dashes_open_comment() => self.skip_line(),
            (Some(b'#'), _) if self.lexicon.hash_comments => self.skip_line(),
            (Some(b'/'), Some(b'*')) => self.skip_block_comment(),
            (Some(b'*'), Some(b'/')) if self.in_executable_comment => {
                self.in_executable_comment = false;
                self.advance(2);
            }
            _ => return false,
        }
        true
    }

    /// MySQL reads `--` as a comment only before whitespace or a control character, so that
    /// `1--1` stays arithmetic; the end of the text counts as one (the server sees its `\0`).
    fn dashes_open_comment(&self) -> bool {
        !self.lexicon.dash_comments_need_space
            || self.peek(2).is_none_or(|b| b <= b' ' || b == 0x7f)
    }

    /// Skips a line comment. PostgreSQL ends it at `\n` or `\r`, SQLite and MySQL at `\n`.
    fn skip_line(&mut self) {
        let carriage_return_ends = self.lexicon.carriage_return_ends_comment;
        let ends_line = move |b: u8| b == b'\n' || (b == b'\r' && carriage_return_ends);
        while self.peek(0).is_some_and(|b| !ends_line(b)) {
            self.advance(1);
        }
    }

    /// Skips a `/* … */` comment; only PostgreSQL nests them.
    fn skip_block_comment(&mut self) {
        if self.enters_executable_comment() {
            return;
        }
        self.advance(2);
        let nests = self.lexicon.nested_block_comments;
        let mut depth = 1_usize;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => {
                    self.unterminated = true;
                    return;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.advance(2);
                }
                (Some(b'/'), Some(b'*')) if nests => {
                    depth += 1;
                    self.advance(2);
                }
                _ => self.advance(1),
            }
        }
    }

    /// At a MySQL `/*!` or `/*M!`, steps over the marker and its version so that the content
    /// is lexed as SQL; the content ends at the next `*/` outside a literal.
    fn enters_executable_comment(&mut self) -> bool {
        if !self.lexicon.executable_comments || self.in_executable_comment {
            return false;
        }
        let marker = match (self.peek(2), self.peek(3)) {
            (Some(b'!'), _) => 3,
            (Some(b'M'), Some(b'!')) => 4,
            _ => return false,
        };
        self.advance(marker);
        self.skip_comment_version();
        self.in_executable_comment = true;
        true
    }

    /// The server reads exactly 5 or 6 digits as a version (`/*!50110KEY_BLOCK_SIZE=1024*/`),
    /// fewer as content.
    fn skip_comment_version(&mut self) {
        let digits = (0..6)
            .take_while(|&i| self.peek(i).is_some_and(|b| b.is_ascii_digit()))
            .count();
        if digits >= 5 {
            self.advance(digits);
        }
    }

    /// Reads the token that starts with `byte`.
    fn token(&mut self, byte: u8) -> Token {
        let backslash = self.lexicon.backslash_escapes;
        match byte {
            b';' => return self.sign(Token::Semicolon),
            b'(' => return self.sign(Token::Open),
            b')' => return self.sign(Token::Close),
            b'\'' => self.skip_quoted(byte, backslash),
            b'"' => return self.quoted(|lexer| lexer.skip_quoted(byte, backslash)),
            b'`' if self.lexicon.backtick_identifiers => {
                return self.quoted(|lexer| lexer.skip_quoted(byte, false));
            }
            b'[' if self.lexicon.bracket_identifiers => return self.quoted(Lexer::skip_bracketed),
            b'$' if self.lexicon.dollar_quotes => self.skip_dollar(),
            b'0'..=b'9' => self.skip_number(),
            _ if starts_word(byte) => return self.word(),
            _ => self.advance(1),
        }
        Token::Other
    }

    /// A quoted identifier skipped by `skip`, with its text (the quotes off, doubled quotes
    /// left as they are: the text only needs to match names).
    fn quoted(&mut self, skip: impl FnOnce(&mut Self)) -> Token {
        let start = self.pos;
        skip(self);
        let end = self.pos;
        let inner = self
            .bytes
            .get(start + 1..end.saturating_sub(1))
            .unwrap_or_default();
        Token::Quoted(String::from_utf8_lossy(inner).into_owned())
    }

    fn sign(&mut self, token: Token) -> Token {
        self.advance(1);
        token
    }

    /// Skips a literal or identifier quoted by `quote`, which is doubled inside it; with
    /// `backslash`, `\` also escapes the byte after it.
    fn skip_quoted(&mut self, quote: u8, backslash: bool) {
        self.advance(1);
        while let Some(byte) = self.peek(0) {
            self.advance(1);
            if backslash && byte == b'\\' {
                self.advance(1);
            } else if byte == quote {
                if self.peek(0) != Some(quote) {
                    return;
                }
                self.advance(1);
            }
        }
        self.unterminated = true;
    }

    /// Skips a SQLite `[…]` identifier, which has no escapes.
    fn skip_bracketed(&mut self) {
        match self.bytes[self.pos..].iter().position(|&b| b == b']') {
            Some(at) => self.advance(at + 1),
            None => self.skip_to_unterminated_end(),
        }
    }

    /// Skips what a PostgreSQL `$` starts: a `$1` parameter, a dollar-quoted string, or a lone
    /// sign.
    fn skip_dollar(&mut self) {
        if self.peek(1).is_some_and(|b| b.is_ascii_digit()) {
            self.advance(1);
            self.skip_number();
        } else if let Some(delimiter) = self.dollar_delimiter_len() {
            self.skip_dollar_quoted(delimiter);
        } else {
            self.advance(1);
        }
    }

    /// The length of the `$tag$` (or `$$`) at the cursor: the tag is an identifier without `$`
    /// that does not start with a digit.
    fn dollar_delimiter_len(&self) -> Option<usize> {
        let mut len = 1;
        if self.peek(len).is_some_and(starts_tag) {
            len += 1;
            while self.peek(len).is_some_and(continues_tag) {
                len += 1;
            }
        }
        (self.peek(len) == Some(b'$')).then_some(len + 1)
    }

    /// Skips a dollar-quoted string: no escapes, up to the same delimiter (tags are case
    /// sensitive).
    fn skip_dollar_quoted(&mut self, delimiter_len: usize) {
        let bytes = self.bytes;
        let delimiter = &bytes[self.pos..self.pos + delimiter_len];
        let body = self.pos + delimiter_len;
        match bytes[body..]
            .windows(delimiter_len)
            .position(|w| w == delimiter)
        {
            Some(at) => self.pos = body + at + delimiter_len,
            None => self.skip_to_unterminated_end(),
        }
    }

    fn skip_to_unterminated_end(&mut self) {
        self.pos = self.bytes.len();
        self.unterminated = true;
    }

    /// Skips a number (`42`, `1.5e3`, `0x1F`). A MySQL identifier may start with a digit too
    /// (`1st`); no keyword does, so it is dropped with the numbers.
    fn skip_number(&mut self) {
        while self
            .peek(0)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            self.advance(1);
        }
    }

    /// Reads a word, or the literal it is the prefix of (`E'…'`).
    fn word(&mut self) -> Token {
        let start = self.pos;
        while self.peek(0).is_some_and(continues_word) {
            self.advance(1);
        }
        // Non-ASCII letters are kept as written: the databases fold only ASCII letters.
        let word = String::from_utf8_lossy(&self.bytes[start..self.pos]).to_ascii_uppercase();
        if self.skips_prefixed_literal(&word) {
            return Token::Other;
        }
        Token::Word(word)
    }

    /// A prefix glued to a quote belongs to the literal, not to the words: PostgreSQL `E'…'`
    /// (with backslash escapes), `B'…'`, `X'…'`, `N'…'`, `U&'…'`, `U&"…"`; MySQL `X'…'`,
    /// `B'…'`, `N'…'`, `_utf8mb4'…'`; SQLite `X'…'`.
    fn skips_prefixed_literal(&mut self, word: &str) -> bool {
        let lexicon = self.lexicon;
        let quote = self.peek(0) == Some(b'\'');
        if quote && lexicon.escape_string_prefix == Some(word) {
            self.skip_quoted(b'\'', true);
        } else if quote
            && (lexicon.literal_prefixes.contains(&word)
                || (lexicon.charset_introducers && word.starts_with('_')))
        {
            self.skip_quoted(b'\'', lexicon.backslash_escapes);
        } else if lexicon.unicode_prefix && word == "U" {
            match (self.peek(0), self.peek(1)) {
                (Some(b'&'), Some(q @ (b'\'' | b'"'))) => {
                    self.advance(1);
                    self.skip_quoted(q, false);
                }
                _ => return false,
            }
        } else {
            return false;
        }
        true
    }
}

/// ASCII whitespace as the three scanners read it, vertical tab included.
fn is_space(byte: u8) -> bool {
    byte.is_ascii_whitespace() || byte == 0x0b
}

/// Whether `byte` starts a word: a letter, `_`, or any non-ASCII byte (PostgreSQL and SQLite
/// take every byte above 0x7F as an identifier character, MySQL nearly all). A `$` starts a
/// word in MySQL and SQLite (`$name`); in PostgreSQL it is handled before this is asked.
fn starts_word(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte == b'$' || !byte.is_ascii()
}

/// Whether `byte` continues a word: a word start or a digit (all three take `$` inside names).
fn continues_word(byte: u8) -> bool {
    starts_word(byte) || byte.is_ascii_digit()
}

/// Whether `byte` starts a dollar-quote tag: a word start other than `$`.
fn starts_tag(byte: u8) -> bool {
    byte != b'$' && starts_word(byte)
}

/// Whether `byte` continues a dollar-quote tag: a word byte other than `$`.
fn continues_tag(byte: u8) -> bool {
    byte != b'$' && continues_word(byte)
}

/// Groups tokens into statements.
#[derive(Debug)]
struct Splitter {
    nesting: Nesting,
    statements: Vec<Statement>,
    words: Vec<String>,
    names: Vec<String>,
    has_tokens: bool,
}

impl Splitter {
    fn new(lexicon: Lexicon) -> Splitter {
        Splitter {
            nesting: Nesting::new(lexicon),
            statements: Vec::new(),
            words: Vec::new(),
            names: Vec::new(),
            has_tokens: false,
        }
    }

    fn push(&mut self, token: Token) {
        self.nesting.track(&token, &self.words);
        match token {
            Token::Semicolon if self.nesting.is_top_level() => self.end_statement(),
            Token::Word(word) => {
                self.names.push(word.to_lowercase());
                self.words.push(word);
                self.has_tokens = true;
            }
            Token::Quoted(name) => {
                self.names.push(name.to_lowercase());
                self.has_tokens = true;
            }
            _ => self.has_tokens = true,
        }
    }

    fn end_statement(&mut self) {
        if std::mem::take(&mut self.has_tokens) {
            let words = std::mem::take(&mut self.words);
            let names = std::mem::take(&mut self.names);
            self.statements.push(Statement { words, names });
        }
    }

    fn finish(mut self) -> Vec<Statement> {
        self.end_statement();
        self.statements
    }
}

/// Where the splitter is: inside parentheses, or inside the `BEGIN … END` body of a routine or
/// trigger, a `;` does not end the statement. Like `psql`, `BEGIN`, `CASE` and `END` count
/// only outside parentheses, and `CASE` only inside a body (it closes with `END` too).
#[derive(Debug)]
struct Nesting {
    lexicon: Lexicon,
    parens: usize,
    blocks: usize,
    /// An `END` inside a body, read with the word after it: MySQL's `END IF` closes a block
    /// that was never counted.
    end_pending: bool,
}

impl Nesting {
    fn new(lexicon: Lexicon) -> Nesting {
        Nesting {
            lexicon,
            parens: 0,
            blocks: 0,
            end_pending: false,
        }
    }

    fn is_top_level(&self) -> bool {
        self.parens == 0 && self.blocks == 0
    }

    /// Follows `token`; `before` holds the statement's words before it.
    fn track(&mut self, token: &Token, before: &[String]) {
        if self.closes_pending_end(token) {
            return;
        }
        match token {
            Token::Open => self.parens += 1,
            Token::Close => self.parens = self.parens.saturating_sub(1),
            Token::Word(word) if self.parens == 0 => self.track_word(word, before),
            _ => {}
        }
    }

    /// Applies a pending `END`; true when `token` is the rest of it (`END IF`, `END CASE`).
    fn closes_pending_end(&mut self, token: &Token) -> bool {
        if !std::mem::take(&mut self.end_pending) {
            return false;
        }
        let next = match token {
            Token::Word(word) => word.as_str(),
            _ => "",
        };
        // IF, LOOP, WHILE and REPEAT blocks are never counted; CASE is.
        if !matches!(next, "IF" | "LOOP" | "WHILE" | "REPEAT") {
            self.blocks = self.blocks.saturating_sub(1);
        }
        matches!(next, "IF" | "LOOP" | "WHILE" | "REPEAT" | "CASE")
    }

    fn track_word(&mut self, word: &str, before: &[String]) {
        match word {
            "BEGIN" if self.begin_opens_body(before) => self.blocks += 1,
            "ATOMIC" if self.atomic_opens_body(before) => self.blocks += 1,
            "CASE" if self.blocks > 0 => self.blocks += 1,
            "END" if self.blocks > 0 => self.end_pending = true,
            _ => {}
        }
    }

    /// SQLite's trigger body is one block; MySQL's routine bodies nest `BEGIN … END`. A
    /// `BEGIN` right after the kind (`CREATE TRIGGER begin`) is the object's name.
    fn begin_opens_body(&self, before: &[String]) -> bool {
        let kinds = self.lexicon.routine_kinds;
        let names_object = before.last().is_some_and(|w| kinds.contains(&w.as_str()));
        let opens_routine = !names_object && creates(before, kinds);
        match self.lexicon.begin_body {
            BeginBody::Never => false,
            BeginBody::AfterHeader => self.blocks == 0 && opens_routine,
            BeginBody::AfterHeaderAndNested => self.blocks > 0 || opens_routine,
        }
    }

    /// PostgreSQL's `CREATE FUNCTION … BEGIN ATOMIC`, MariaDB's `BEGIN NOT ATOMIC` block.
    fn atomic_opens_body(&self, before: &[String]) -> bool {
        let begin_atomic = self.lexicon.begin_atomic_body
            && match before.split_last() {
                Some((last, header)) => {
                    self.blocks == 0
                        && last == "BEGIN"
                        && creates(header, self.lexicon.routine_kinds)
                }
                None => false,
            };
        let not_atomic = self.lexicon.begin_not_atomic_block && before == ["BEGIN", "NOT"];
        begin_atomic || not_atomic
    }
}

/// Whether `words` are `CREATE [OR REPLACE] [TEMP] [DEFINER = …] [AGGREGATE] <kind> …` for one
/// of `kinds`.
fn creates(words: &[String], kinds: &[&str]) -> bool {
    let Some(("CREATE", rest)) = words.split_first().map(|(w, rest)| (w.as_str(), rest)) else {
        return false;
    };
    let Some(kind_at) = rest.iter().position(|w| kinds.contains(&w.as_str())) else {
        return false;
    };
    for word in &rest[..kind_at] {
        match word.as_str() {
            "OR" | "REPLACE" | "TEMP" | "TEMPORARY" | "AGGREGATE" => {}
            // MySQL's account (`DEFINER = admin@localhost`) runs up to the kind.
            "DEFINER" => return true,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PG: Dialect = Dialect::Postgres;
    const MY: Dialect = Dialect::MySql;
    const LITE: Dialect = Dialect::Sqlite;

    /// Each statement's words.
    fn words(sql: &str, dialect: Dialect) -> Vec<Vec<String>> {
        SqlText::lex(sql, dialect)
            .statements()
            .iter()
            .map(|s| s.words().to_vec())
            .collect()
    }

    /// Whether any statement has `word`.
    fn has(sql: &str, dialect: Dialect, word: &str) -> bool {
        SqlText::lex(sql, dialect)
            .statements()
            .iter()
            .any(|s| s.has_word(word))
    }

    fn count(sql: &str, dialect: Dialect) -> usize {
        SqlText::lex(sql, dialect).statements().len()
    }

    fn single(sql: &str, dialect: Dialect) -> bool {
        SqlText::lex(sql, dialect).is_single_statement()
    }

    fn unterminated(sql: &str, dialect: Dialect) -> bool {
        SqlText::lex(sql, dialect).is_unterminated()
    }

    #[test]
    fn a_keyword_in_a_string_does_not_count() {
        for dialect in Dialect::ALL {
            let sql = "COMMENT ON TABLE t IS 'rows are updated concurrently'";
            assert_eq!(words(sql, dialect), [["COMMENT", "ON", "TABLE", "T", "IS"]]);
            assert!(single(sql, dialect));
        }
    }

    #[test]
    fn a_bare_keyword_counts_in_any_case() {
        for dialect in Dialect::ALL {
            assert!(has(
                "CREATE INDEX CONCURRENTLY x ON t (a)",
                dialect,
                "CONCURRENTLY"
            ));
            assert!(has(
                "create index concurrently x on t (a)",
                dialect,
                "CONCURRENTLY"
            ));
            assert!(has("Create Index ConCurrently x", dialect, "CONCURRENTLY"));
        }
    }

    #[test]
    fn comments_hide_keywords_in_every_dialect() {
        for dialect in Dialect::ALL {
            let sql = "CREATE INDEX -- CONCURRENTLY ;\n x /* ; CONCURRENTLY */ ON t (a)";
            assert_eq!(
                words(sql, dialect),
                [["CREATE", "INDEX", "X", "ON", "T", "A"]]
            );
            assert!(!has("SELECT 1 -- CONCURRENTLY", dialect, "CONCURRENTLY"));
        }
    }

    #[test]
    fn postgres_block_comments_nest() {
        let sql = "SELECT /* a /* b */ CONCURRENTLY */ 1";
        assert_eq!(words(sql, PG), [["SELECT"]]);
        // SQLite and MySQL end the comment at the first `*/`.
        assert!(has(sql, LITE, "CONCURRENTLY"));
        assert!(has(sql, MY, "CONCURRENTLY"));
        assert!(unterminated("SELECT /* a /* b */ c", PG));
        assert!(!unterminated("SELECT /* a /* b */ c", LITE));
    }

    #[test]
    fn quoted_identifiers_hide_keywords() {
        for dialect in Dialect::ALL {
            assert_eq!(
                words(r#"CREATE INDEX "CONCURRENTLY" ON "t;""x" (a)"#, dialect),
                [["CREATE", "INDEX", "ON", "A"]]
            );
        }
        assert_eq!(
            words("SELECT `CONCURRENTLY`, `a``;b` FROM t", MY),
            [["SELECT", "FROM", "T"]]
        );
        assert_eq!(
            words("SELECT `CONCURRENTLY`, [a;b] FROM t", LITE),
            [["SELECT", "FROM", "T"]]
        );
        // In PostgreSQL a backtick is a sign and `[` subscripts an array.
        assert_eq!(
            words("SELECT a[1] FROM t", PG),
            [["SELECT", "A", "FROM", "T"]]
        );
    }

    #[test]
    fn postgres_dollar_quotes_hide_keywords_and_semicolons() {
        assert_eq!(words("SELECT $$ ; CONCURRENTLY $$", PG), [["SELECT"]]);
        let sql = "DO $fn$ BEGIN PERFORM 1; $$ inner $$; CONCURRENTLY; END $fn$";
        assert_eq!(words(sql, PG), [["DO"]]);
        // Tags are case sensitive; `$é$` is a tag too.
        assert_eq!(words("SELECT $a$ $A$ ; x $a$, $é$;$é$", PG), [["SELECT"]]);
    }

    #[test]
    fn postgres_dollar_that_is_not_a_quote() {
        // `$1` is a parameter, `$` inside a name is part of it (`a$$b` is one identifier).
        assert_eq!(
            words("SELECT $1, $2 FROM t WHERE a = $10", PG),
            [["SELECT", "FROM", "T", "WHERE", "A"]]
        );
        assert_eq!(
            words("SELECT a$$b, c$ FROM t", PG),
            [["SELECT", "A$$B", "C$", "FROM", "T"]]
        );
        assert_eq!(words("SELECT $1a$ x", PG), [["SELECT", "X"]]);
        assert!(!unterminated("SELECT $ x", PG));
    }

    #[test]
    fn postgres_escape_strings_take_backslashes() {
        assert_eq!(
            words(r"SELECT E'\' ; CONCURRENTLY' AS x", PG),
            [["SELECT", "AS", "X"]]
        );
        assert_eq!(
            words(r"SELECT e'it\'s', E'\\' AS x", PG),
            [["SELECT", "AS", "X"]]
        );
        // A plain string does not: `\` is a character and the quote ends the string.
        assert_eq!(words(r"SELECT 'a\' AS x", PG), [["SELECT", "AS", "X"]]);
        assert_eq!(count(r"SELECT '\' ; CONCURRENTLY'", PG), 2);
        assert!(unterminated(r"SELECT '\' ; CONCURRENTLY'", PG));
    }

    #[test]
    fn literal_prefixes_are_not_words() {
        let pg = r#"SELECT U&'d\0061t;a', U&"CONCURRENTLY", B'101', X'1F', N'n' AS x"#;
        assert_eq!(words(pg, PG), [["SELECT", "AS", "X"]]);
        let my = r"SELECT X'1F', B'1', N'it\'s', _utf8mb4'a;b' AS x";
        assert_eq!(words(my, MY), [["SELECT", "AS", "X"]]);
        assert_eq!(words("SELECT X'00' AS x", LITE), [["SELECT", "AS", "X"]]);
        // Without the quote right after it, the letter is a name.
        assert_eq!(words("SELECT e FROM t", PG), [["SELECT", "E", "FROM", "T"]]);
        assert_eq!(words("SELECT ae'x'", PG), [["SELECT", "AE"]]);
    }

    #[test]
    fn mysql_strings_take_backslashes() {
        assert_eq!(
            words(r"SELECT '\' ; CONCURRENTLY' AS x", MY),
            [["SELECT", "AS", "X"]]
        );
        assert_eq!(
            words(r#"SELECT "it\"s ; CONCURRENTLY" AS x"#, MY),
            [["SELECT", "AS", "X"]]
        );
        assert!(!unterminated(r"SELECT '\' ; CONCURRENTLY'", MY));
        // SQLite has no backslash escapes either.
        assert_eq!(count(r"SELECT '\' ; CONCURRENTLY'", LITE), 2);
    }

    #[test]
    fn mysql_line_comments() {
        assert_eq!(words("SELECT 1 # ; CONCURRENTLY\n, 2", MY), [["SELECT"]]);
        assert_eq!(words("SELECT 1 --\tCONCURRENTLY\n", MY), [["SELECT"]]);
        assert_eq!(words("SELECT 1 --", MY), [["SELECT"]]);
        // `--x` is two minus signs in MySQL, a comment elsewhere.
        assert_eq!(words("SELECT 1 --x", MY), [["SELECT", "X"]]);
        assert_eq!(words("SELECT 1 --x", PG), [["SELECT"]]);
        // `#` is a comment only in MySQL.
        assert_eq!(count("SELECT 1 # ; x", PG), 2);
    }

    #[test]
    fn mysql_executable_comments_are_sql() {
        assert!(has(
            "CREATE TABLE t (a INT) /*! ENGINE=InnoDB */",
            MY,
            "ENGINE"
        ));
        assert!(has(
            "CREATE TABLE t (a INT) /*!50110 KEY_BLOCK_SIZE=1 */",
            MY,
            "KEY_BLOCK_SIZE"
        ));
        assert!(has("SELECT /*!50110KEY_BLOCK_SIZE*/", MY, "KEY_BLOCK_SIZE"));
        assert!(has(
            "SELECT /*M!100100 CONCURRENTLY */ 1",
            MY,
            "CONCURRENTLY"
        ));
        assert_eq!(
            words("/*!40101 SET a = 1 */; SELECT '*/'", MY),
            [vec!["SET", "A"], vec!["SELECT"]]
        );
        assert_eq!(words("SELECT /*!'*/'*/ 1", MY), [["SELECT"]]);
        assert!(unterminated("SELECT /*! x", MY));
        // Optimizer hints and other databases' `/*!` are comments.
        assert_eq!(words("SELECT /*+ CONCURRENTLY */ 1", MY), [["SELECT"]]);
        assert_eq!(words("SELECT /*! CONCURRENTLY */ 1", PG), [["SELECT"]]);
    }

    #[test]
    fn numbers_are_not_words() {
        for dialect in Dialect::ALL {
            let sql = "SELECT 1, 2.5e3, 0x1F, 1_000, .5 FROM t";
            assert_eq!(words(sql, dialect), [["SELECT", "FROM", "T"]]);
        }
    }

    #[test]
    fn words_take_underscores_dollars_and_non_ascii_letters() {
        assert_eq!(
            words("CREATE TABLE café_1 (ß int)", PG),
            [["CREATE", "TABLE", "CAFé_1", "ß", "INT"]]
        );
        assert_eq!(words("SELECT $x, a$b", MY), [["SELECT", "$X", "A$B"]]);
        assert_eq!(words("SELECT $x, a$b", LITE), [["SELECT", "$X", "A$B"]]);
    }

    #[test]
    fn names_hold_bare_words_and_quoted_identifiers_but_not_strings() {
        let names = |sql: &str, dialect| -> Vec<String> {
            SqlText::lex(sql, dialect).statements()[0].names().to_vec()
        };
        assert_eq!(
            names(r#"UPDATE "Users" SET x = 'posts' -- comments"#, PG),
            ["update", "users", "set", "x"]
        );
        assert_eq!(
            names("DELETE FROM `app`.`t`", MY),
            ["delete", "from", "app", "t"]
        );
        assert_eq!(names("DROP TABLE [old]", LITE), ["drop", "table", "old"]);
    }

    #[test]
    fn statements_split_at_top_level_semicolons() {
        for dialect in Dialect::ALL {
            assert_eq!(count("a; b;", dialect), 2);
            assert_eq!(count("a;", dialect), 1);
            assert!(single("a;", dialect));
            assert!(single("INSERT INTO t VALUES ('a;b')", dialect));
            assert_eq!(count(";;  ;", dialect), 0);
            assert!(!single(";;  ;", dialect));
            assert_eq!(count("", dialect), 0);
            assert!(single(
                "CREATE TABLE t (a int); -- done ; really\n /* ; */ ",
                dialect
            ));
            assert!(single(";; a ;;", dialect));
        }
    }

    #[test]
    fn a_statement_without_words_still_counts() {
        for dialect in Dialect::ALL {
            assert_eq!(count("DELETE FROM t; 'x'", dialect), 2);
            assert_eq!(count("DELETE FROM t; 1", dialect), 2);
            assert_eq!(
                words("DELETE FROM t; ()", dialect),
                [vec!["DELETE", "FROM", "T"], vec![]]
            );
            assert_eq!(
                SqlText::lex("'x'", dialect).statements()[0].first_word(),
                None
            );
        }
    }

    #[test]
    fn a_postgres_function_body_is_one_statement() {
        let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN UPDATE t SET a = 1; RETURN 1; END
        $$;";
        assert_eq!(count(sql, PG), 1);
        let atomic = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql
            BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3";
        assert_eq!(count(atomic, PG), 2);
        let procedure = "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END";
        assert!(single(procedure, PG));
        // A transaction block is not a body.
        assert_eq!(count("BEGIN; CREATE TABLE t (a int); END;", PG), 3);
    }

    #[test]
    fn semicolons_inside_parentheses_do_not_split() {
        let sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); \
                   INSERT INTO b VALUES (2)); SELECT 1";
        assert_eq!(count(sql, PG), 2);
    }

    #[test]
    fn a_sqlite_trigger_is_one_statement() {
        let sql = "CREATE TRIGGER tr AFTER INSERT ON t WHEN CASE WHEN 1 THEN 1 END BEGIN
            UPDATE t SET a = CASE WHEN a THEN 0 END; INSERT INTO log VALUES (1);
        END; CREATE TABLE x (a); BEGIN; COMMIT;";
        assert_eq!(words(sql, LITE)[1], ["CREATE", "TABLE", "X", "A"]);
        assert_eq!(count(sql, LITE), 4);
        let named = "CREATE TEMP TRIGGER IF NOT EXISTS begin AFTER INSERT ON t BEGIN SELECT 1; \
                     END; SELECT 2";
        assert_eq!(count(named, LITE), 2);
        // A table that happens to be named like a kind is not a routine.
        assert_eq!(count("CREATE TABLE trigger (begin); SELECT 1", LITE), 2);
    }

    #[test]
    fn a_mysql_routine_is_one_statement() {
        let sql = "CREATE DEFINER = admin@localhost PROCEDURE p()
            BEGIN
                DECLARE i INT DEFAULT 0;
                lbl: LOOP SET i = i + 1; IF i > 3 THEN LEAVE lbl; END IF; END LOOP lbl;
                CASE i WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;
                WHILE i > 0 DO SET i = i - 1; END WHILE;
                REPEAT SET i = i + 1; UNTIL i > 3 END REPEAT;
                SET i = IF(i > 1, REPEAT('a', 2), CASE WHEN i THEN 1 END);
            END; SELECT 1";
        assert_eq!(count(sql, MY), 2);
        let trigger = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1; SELECT 1";
        assert_eq!(count(trigger, MY), 2);
        let mariadb = "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END; SELECT 3";
        assert_eq!(count(mariadb, MY), 2);
        assert_eq!(count("BEGIN; SELECT 1; COMMIT", MY), 3);
    }

    #[test]
    fn starts_with_and_first_word() {
        let text = SqlText::lex("/* x */ create database d; VACUUM", PG);
        let [create, vacuum] = text.statements() else {
            panic!("two statements: {text:?}");
        };
        assert!(create.starts_with(&["CREATE", "DATABASE"]));
        assert!(create.starts_with(&[]));
        assert!(!create.starts_with(&["CREATE", "DATABASE", "D", "X"]));
        assert!(!create.starts_with(&["DROP"]));
        assert_eq!(vacuum.first_word(), Some("VACUUM"));
    }

    #[test]
    fn unterminated_text_is_flagged() {
        for dialect in Dialect::ALL {
            assert!(unterminated("SELECT 'abc", dialect));
            assert!(unterminated("SELECT \"abc", dialect));
            assert!(unterminated("SELECT 1 /* abc", dialect));
            assert!(unterminated("SELECT 'it''", dialect));
            assert!(!unterminated("SELECT 'it''s' -- open", dialect));
        }
        assert!(unterminated("SELECT $$ abc", PG));
        assert!(unterminated("SELECT $a$ abc $b$", PG));
        assert!(unterminated(r"SELECT E'abc\'", PG));
        assert!(unterminated(r"SELECT 'abc\'", MY));
        assert!(unterminated(r"SELECT 'abc\", MY));
        assert!(unterminated("SELECT `abc", MY));
        assert!(unterminated("SELECT [abc", LITE));
        assert!(unterminated("SELECT `abc", LITE));
        assert!(!unterminated("SELECT `abc", PG));
    }

    /// Pieces that start or end the constructs the lexer knows, and multi-byte characters right
    /// after them.
    const PIECES: &[&str] = &[
        "'",
        "\"",
        "`",
        "[",
        "]",
        "$",
        "$$",
        "$a$",
        "$é$",
        "$1",
        "\\",
        "--",
        "-- ",
        "#",
        "/*",
        "*/",
        "/*!",
        "/*!50110",
        "/*M!",
        "E'",
        "U&'",
        "U&\"",
        "X'",
        "_utf8mb4'",
        ";",
        "(",
        ")",
        " ",
        "\n",
        "\r",
        "é",
        "😀",
        "\u{a0}",
        "\0",
        "CREATE",
        "TRIGGER",
        "FUNCTION",
        "BEGIN",
        "ATOMIC",
        "NOT",
        "END",
        "CASE",
        "IF",
        "concurrently",
        "0x1F",
        "1.5",
    ];

    fn dialect() -> impl Strategy<Value = Dialect> {
        prop::sample::select(Dialect::ALL.to_vec())
    }

    fn tricky_text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|p| p.concat())
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), tricky_text()]
    }

    /// `text` as a literal or quoted identifier of `dialect`, in every form the dialect has.
    fn quoted_forms(text: &str, dialect: Dialect) -> Vec<String> {
        let doubled = |quote: char| text.replace(quote, &format!("{quote}{quote}"));
        let backslashed = text.replace('\\', r"\\");
        let mut forms = Vec::new();
        match dialect {
            Dialect::MySql => {
                forms.push(format!("'{}'", backslashed.replace('\'', "''")));
                forms.push(format!("\"{}\"", backslashed.replace('"', "\"\"")));
                forms.push(format!("_utf8mb4'{}'", backslashed.replace('\'', r"\'")));
                forms.push(format!("`{}`", doubled('`')));
            }
            Dialect::Postgres => {
                forms.push(format!("'{}'", doubled('\'')));
                forms.push(format!("\"{}\"", doubled('"')));
                forms.push(format!("E'{}'", backslashed.replace('\'', r"\'")));
                forms.push(format!("U&'{}'", doubled('\'')));
                let tag = (0..)
                    .map(|n| format!("$q{n}$"))
                    .find(|tag| format!("{text}{tag}").find(tag.as_str()) == Some(text.len()))
                    .unwrap_or_default();
                forms.push(format!("{tag}{text}{tag}"));
            }
            Dialect::Sqlite => {
                forms.push(format!("'{}'", doubled('\'')));
                forms.push(format!("\"{}\"", doubled('"')));
                forms.push(format!("`{}`", doubled('`')));
                if !text.contains(']') {
                    forms.push(format!("[{text}]"));
                }
            }
        }
        forms
    }

    /// Whitespace and comments of `dialect` that may stand between two words.
    fn separators(dialect: Dialect) -> Vec<&'static str> {
        let mut all = vec![" ", "\n", "\t", "\r\n", "/**/", "/* ; CONCURRENTLY ' \" */"];
        all.extend(["-- ; CONCURRENTLY '\n", " /*+ hint */ "]);
        match dialect {
            Dialect::Postgres => all.extend(["/* a /* ; */ CONCURRENTLY */", "--x\r"]),
            Dialect::MySql => all.extend(["# ; CONCURRENTLY\n", "-- \n", "--\t\n"]),
            Dialect::Sqlite => all.extend(["--x\n", "/* [ ` */"]),
        }
        all
    }

    proptest! {
        #[test]
        fn lexing_never_panics(text in any_text(), dialect in dialect()) {
            let lexed = SqlText::lex(&text, dialect);
            prop_assert_eq!(lexed.is_single_statement(), lexed.statements().len() == 1);
            for word in lexed.statements().iter().flat_map(Statement::words) {
                let first = word.bytes().next().unwrap_or(b'0');
                prop_assert!(starts_word(first) && word.bytes().all(continues_word), "{}", word);
                prop_assert!(text.to_ascii_uppercase().contains(word.as_str()), "{}", word);
            }
        }

        #[test]
        fn a_quoted_text_yields_no_words(text in any_text(), dialect in dialect()) {
            for quoted in quoted_forms(&text, dialect) {
                let sql = format!("SELECT {quoted} AS x; SELECT 1");
                let lexed = SqlText::lex(&sql, dialect);
                prop_assert!(!lexed.is_unterminated(), "{}", sql);
                prop_assert_eq!(words(&sql, dialect), [vec!["SELECT", "AS", "X"], vec!["SELECT"]]);
            }
        }

        #[test]
        fn comments_between_words_change_nothing(
            generated in prop::collection::vec("[A-Za-z_][A-Za-z0-9_]{0,7}", 1..8),
            picks in prop::collection::vec(any::<prop::sample::Index>(), 9),
            dialect in dialect(),
        ) {
            let separators = separators(dialect);
            let pick = |i: usize| separators[picks[i].index(separators.len())];
            let mut sql = pick(8).to_owned();
            for (i, word) in generated.iter().enumerate() {
                sql.push_str(word);
                sql.push_str(pick(i));
            }
            sql.push(';');
            sql.push_str(pick(8));
            let plain = words(&generated.join(" "), dialect);
            let upper: Vec<String> = generated.iter().map(|w| w.to_ascii_uppercase()).collect();
            prop_assert_eq!(&plain, &vec![upper]);
            prop_assert_eq!(words(&sql, dialect), plain, "{}", sql);
            prop_assert!(single(&sql, dialect), "{}", sql);
        }
    }
}
