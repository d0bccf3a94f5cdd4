//! Property tests of the checksum walk on generated Rust-like source: identifiers, keywords,
//! lifetimes, punctuation, literals of every kind and nested groups, laid out and spelled in
//! different ways.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::checksum;

/// Words spelled one way only: identifiers, keywords, lifetimes, punctuation and the literals
/// whose spelling the properties do not vary.
const WORDS: &[&str] = &[
    "a",
    "users",
    "t",
    "schema",
    "Schema",
    "self",
    "Self",
    "fn",
    "impl",
    "let",
    "mut",
    "_",
    "true",
    "false",
    "doc",
    "r#type",
    "r#match",
    "é",
    "'a",
    "'static",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "!",
    "&",
    "|",
    "&&",
    "||",
    "<<",
    ">>",
    "+=",
    "==",
    "!=",
    "<=",
    ">=",
    "=>",
    "->",
    "::",
    "..",
    "..=",
    "...",
    ",",
    ";",
    ":",
    "#",
    "$",
    "?",
    "~",
    "@",
    ".",
    "=",
    "<",
    ">",
    "1.5",
    "2.0e10",
    "1e3f64",
    "3.25f32",
    "1_000.5",
    "'x'",
    "'\\n'",
    "'\\''",
    "'\\u{1F600}'",
    "b'x'",
    "b'\\xff'",
    "b\"bytes\\n\"",
    "br#\"raw \" bytes\"#",
    "c\"c string\"",
    "cr\"raw c\"",
    "\"with suffix\"sfx",
];

/// What may stand between two tokens without changing them. Comments start after a space, so
/// that a `/` token before one never turns it into a different comment.
const SEPARATORS: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "\n\n    ",
    " /* a comment */ ",
    " /* nested /* comments */ too */",
    " // a line comment\n",
    " // ends the line\r\n\t",
];

const INT_SUFFIXES: &[&str] = &["", "u8", "i32", "u64", "usize", "i128"];

/// Characters of generated strings: quotes, escapes, braces, non-ASCII. No `#`, so a raw
/// string `r##"…"##` can hold any of them; no carriage return, which raw strings refuse.
const STRING_CHARS: &[char] = &[
    'a', 'Z', ' ', '"', '\\', '\n', '\t', 'é', '\'', '{', '}', '0',
];

#[derive(Clone, Debug)]
enum Tok {
    Word(&'static str),
    /// An integer literal; `spelling` picks decimal, `_`-separated, hex, octal or binary.
    Int {
        value: u64,
        suffix: &'static str,
        spelling: u8,
    },
    /// A string literal, spelled escaped or raw.
    Str {
        value: String,
        raw: bool,
    },
    Group(Delimiter, Vec<Tok>),
}

/// How a token sequence is written out.
struct Layout<'a> {
    /// Cycled through, one before each token and each closing delimiter.
    separators: &'a [&'a str],
    /// Whether integer and string literals take their generated spelling or the plain one.
    respell: bool,
}

impl Layout<'_> {
    const PLAIN: Layout<'static> = Layout {
        separators: &[" "],
        respell: false,
    };

    fn render(&self, tokens: &[Tok]) -> String {
        let mut out = String::new();
        self.write(tokens, &mut out, &mut 0);
        out
    }

    fn write(&self, tokens: &[Tok], out: &mut String, position: &mut usize) {
        for token in tokens {
            self.separate(out, position);
            match token {
                Tok::Word(word) => out.push_str(word),
                Tok::Int {
                    value,
                    suffix,
                    spelling,
                } => {
                    let spelling = if self.respell { *spelling } else { 0 };
                    out.push_str(&int_spelling(*value, spelling));
                    out.push_str(suffix);
                }
                Tok::Str { value, raw } => {
                    out.push_str(&if self.respell && *raw {
                        format!("r##\"{value}\"##")
                    } else {
                        escaped(value)
                    });
                }
                Tok::Group(delimiter, body) => {
                    let (open, close) = match delimiter {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        _ => ("{", "}"),
                    };
                    out.push_str(open);
                    self.write(body, out, position);
                    self.separate(out, position);
                    out.push_str(close);
                }
            }
        }
    }

    fn separate(&self, out: &mut String, position: &mut usize) {
        out.push_str(self.separators[*position % self.separators.len()]);
        *position += 1;
    }
}

fn int_spelling(value: u64, spelling: u8) -> String {
    match spelling % 6 {
        0 => value.to_string(),
        1 => {
            // `1_000_000`: `_` every three digits from the right.
            let digits = value.to_string();
            let mut out = String::new();
            for (index, digit) in digits.chars().enumerate() {
                if index > 0 && (digits.len() - index).is_multiple_of(3) {
                    out.push('_');
                }
                out.push(digit);
            }
            out
        }
        2 => format!("{value:#x}"),
        3 => format!("0x{value:X}"),
        4 => format!("{value:#o}"),
        _ => format!("{value:#b}"),
    }
}

fn escaped(value: &str) -> String {
    let mut out = String::from('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

fn token() -> impl Strategy<Value = Tok> {
    let word = select(WORDS).prop_map(Tok::Word);
    let int =
        (any::<u64>(), select(INT_SUFFIXES), any::<u8>()).prop_map(|(value, suffix, spelling)| {
            Tok::Int {
                value,
                suffix,
                spelling,
            }
        });
    let string =
        (vec(select(STRING_CHARS), 0..8), any::<bool>()).prop_map(|(chars, raw)| Tok::Str {
            value: chars.into_iter().collect(),
            raw,
        });
    let leaf = prop_oneof![4 => word, 2 => int, 1 => string];
    leaf.prop_recursive(3, 48, 6, |inner| {
        let delimiter = select(vec![
            Delimiter::Parenthesis,
            Delimiter::Bracket,
            Delimiter::Brace,
        ]);
        (delimiter, vec(inner, 0..6)).prop_map(|(delimiter, body)| Tok::Group(delimiter, body))
    })
}

fn source() -> impl Strategy<Value = Vec<Tok>> {
    vec(token(), 0..24)
}

fn separators() -> impl Strategy<Value = Vec<&'static str>> {
    vec(select(SEPARATORS), 1..12)
}

fn tokenize(text: &str) -> Result<TokenStream, TestCaseError> {
    text.parse().map_err(|error| {
        TestCaseError::fail(format!("generated text must tokenize: {error}\n{text}"))
    })
}

/// `stream` with every group's contents, and the whole, wrapped in an invisible group where
/// `mask` says so (as a `macro_rules!` `$e:expr` fragment would be).
fn wrap_invisible(stream: TokenStream, mask: &mut impl Iterator<Item = bool>) -> TokenStream {
    let trees = stream.into_iter().map(|tree| match tree {
        TokenTree::Group(group) => TokenTree::Group(Group::new(
            group.delimiter(),
            wrap_invisible(group.stream(), mask),
        )),
        other => other,
    });
    let stream: TokenStream = trees.collect();
    if mask.next().unwrap_or(false) {
        TokenTree::Group(Group::new(Delimiter::None, stream)).into()
    } else {
        stream
    }
}

fn is_sha256_hex(value: &str) -> bool {
    value.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

proptest! {
    #[test]
    fn never_panics_and_is_always_sha256_hex(
        tokens in source(),
        separators in separators(),
        respell in any::<bool>(),
    ) {
        let layout = Layout { separators: &separators, respell };
        let value = checksum(&tokenize(&layout.render(&tokens))?);
        prop_assert!(is_sha256_hex(&value), "{value}");
    }

    #[test]
    fn whitespace_newlines_and_comments_do_not_change_it(
        tokens in source(),
        separators in separators(),
    ) {
        let plain = Layout::PLAIN.render(&tokens);
        let laid_out = Layout { separators: &separators, respell: false }.render(&tokens);
        prop_assert_eq!(
            checksum(&tokenize(&plain)?),
            checksum(&tokenize(&laid_out)?),
            "{} versus {}", plain, laid_out
        );
    }

    #[test]
    fn literal_spellings_do_not_change_it(tokens in source()) {
        let plain = Layout::PLAIN.render(&tokens);
        let respelled = Layout { separators: &[" "], respell: true }.render(&tokens);
        prop_assert_eq!(
            checksum(&tokenize(&plain)?),
            checksum(&tokenize(&respelled)?),
            "{} versus {}", plain, respelled
        );
    }

    #[test]
    fn invisible_groups_do_not_change_it(tokens in source(), mask in vec(any::<bool>(), 1..16)) {
        let stream = tokenize(&Layout::PLAIN.render(&tokens))?;
        let mut mask = mask.into_iter().cycle();
        prop_assert_eq!(checksum(&stream), checksum(&wrap_invisible(stream.clone(), &mut mask)));
    }
}

#[test]
fn integer_spellings_are_the_ones_rust_accepts() {
    let spelled: Vec<String> = (0..6)
        .map(|spelling| int_spelling(1000, spelling))
        .collect();
    assert_eq!(
        spelled,
        ["1000", "1_000", "0x3e8", "0x3E8", "0o1750", "0b1111101000"]
    );
    assert_eq!(int_spelling(1_234_567, 1), "1_234_567");
    assert_eq!(int_spelling(7, 1), "7");
}
