//! Identifier validation: table, column, index and constraint names.
//!
//! Names are always quoted, and validated first, so a name can never smuggle SQL in and never
//! depends on a database's case folding or reserved words.

use std::fmt;

/// The longest name accepted: PostgreSQL's limit (63 bytes), the smallest of the three.
pub const MAX_IDENTIFIER_LEN: usize = 63;

/// A name that is not a valid identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifierError {
    name: String,
    problem: &'static str,
}

impl fmt::Display for IdentifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid identifier `{}`: {}; identifiers start with a letter or `_`, contain only \
             ASCII letters, digits and `_`, and are at most {MAX_IDENTIFIER_LEN} characters",
            self.name.escape_debug(),
            self.problem
        )
    }
}

impl std::error::Error for IdentifierError {}

/// Quotes a name read from the database's catalog, which may hold any character: the quote
/// character is doubled. Only for names the database itself reported, never for user input.
pub(crate) fn quote_existing(quote: char, name: &str) -> String {
    let doubled = format!("{quote}{quote}");
    format!("{quote}{}{quote}", name.replace(quote, &doubled))
}

pub(super) fn validate(name: &str) -> Result<(), IdentifierError> {
    let fail = |problem| {
        Err(IdentifierError {
            name: name.to_owned(),
            problem,
        })
    };
    let Some(first) = name.chars().next() else {
        return fail("it is empty");
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return fail("it does not start with a letter or `_`");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return fail("it contains a character other than letters, digits and `_`");
    }
    if name.len() > MAX_IDENTIFIER_LEN {
        return fail("it is too long");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_rejects_everything_else() {
        for good in ["users", "_x", "User2", "a_b_c"] {
            assert!(validate(good).is_ok(), "{good}");
        }
        for (bad, problem) in [
            ("", "empty"),
            ("1users", "does not start"),
            ("users\"; DROP TABLE x; --", "contains"),
            ("naïve", "contains"),
            ("a-b", "contains"),
            ("schema.table", "contains"),
        ] {
            let error = validate(bad).unwrap_err();
            assert!(error.to_string().contains(problem), "{bad}: {error}");
        }
        assert!(validate(&"x".repeat(63)).is_ok());
        assert!(
            validate(&"x".repeat(64))
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
    }

    /// Property tests: validation never panics, what it accepts cannot break out of the quotes,
    /// and what it refuses is named in the error.
    mod properties {
        use super::*;
        use crate::dialect::Dialect;
        use proptest::prelude::*;

        /// Each dialect with its quote character, written here rather than asked of the code.
        const QUOTES: [(Dialect, char); 3] = [
            (Dialect::Sqlite, '"'),
            (Dialect::Postgres, '"'),
            (Dialect::MySql, '`'),
        ];

        /// Whether `inner` has a quote character that is not doubled (the SQL escape).
        fn has_unescaped_quote(inner: &str, quote: char) -> bool {
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                if c == quote && chars.next_if_eq(&quote).is_none() {
                    return true;
                }
            }
            false
        }

        /// Names that might be accepted: valid ones of every length, near misses, anything.
        fn candidates() -> impl Strategy<Value = String> {
            prop_oneof![
                "[A-Za-z_][A-Za-z0-9_]{0,70}",
                "[A-Za-z0-9_\"`'.; \\-\u{0}é]{0,12}",
                "\\PC{0,20}",
                any::<String>(),
            ]
        }

        /// A character no identifier may hold: quotes, NUL and other controls, white space,
        /// punctuation that means something in SQL, and anything outside ASCII.
        fn forbidden() -> impl Strategy<Value = char> {
            prop_oneof![
                prop::sample::select(vec![
                    '"', '`', '\'', '\0', ' ', '\t', '\n', ';', '.', '-', '\\'
                ]),
                any::<char>().prop_filter("outside ASCII", |c| !c.is_ascii()),
                any::<char>().prop_filter("ASCII control", char::is_ascii_control),
            ]
        }

        /// The error says which identifier, in the escaped form that keeps the terminal safe.
        fn names_it(error: &IdentifierError, name: &str) -> Result<(), TestCaseError> {
            let message = error.to_string();
            let shown = format!("invalid identifier `{}`: ", name.escape_debug());
            prop_assert!(message.starts_with(&shown), "{:?}: {}", name, message);
            prop_assert!(!message.chars().any(char::is_control), "{:?}", message);
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn validation_and_quoting_never_panic(name in any::<String>()) {
                let verdict = validate(&name);
                for (dialect, _) in QUOTES {
                    prop_assert_eq!(dialect.quote_identifier(&name).is_ok(), verdict.is_ok());
                    let _ = dialect.quote_table(&name);
                }
                if let Err(error) = verdict {
                    names_it(&error, &name)?;
                }
            }

            #[test]
            fn accepted_names_stay_inside_their_quotes(name in candidates()) {
                if validate(&name).is_err() {
                    return Ok(());
                }
                prop_assert!(name.len() <= MAX_IDENTIFIER_LEN);
                for (dialect, quote) in QUOTES {
                    let quoted = dialect
                        .quote_identifier(&name)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let inner = quoted
                        .strip_prefix(quote)
                        .and_then(|rest| rest.strip_suffix(quote))
                        .ok_or_else(|| TestCaseError::fail(format!("not quoted: {quoted}")))?;
                    prop_assert_eq!(inner, name.as_str(), "{}", quoted);
                    prop_assert!(!has_unescaped_quote(inner, quote), "{}", quoted);
                    for other in ['"', '`', '\'', '\\', ';', '\0'] {
                        prop_assert!(!inner.contains(other), "{}", quoted);
                    }
                }
            }

            #[test]
            fn qualified_names_quote_each_part_on_postgres_only(
                schema in "[A-Za-z_][A-Za-z0-9_]{0,20}",
                table in "[A-Za-z_][A-Za-z0-9_]{0,20}",
            ) {
                let name = format!("{schema}.{table}");
                prop_assert_eq!(
                    Dialect::Postgres.quote_table(&name),
                    Ok(format!("\"{schema}\".\"{table}\""))
                );
                for dialect in [Dialect::Sqlite, Dialect::MySql] {
                    let error = dialect.quote_table(&name).unwrap_err();
                    names_it(&error, &name)?;
                }
                let three_parts = format!("{name}.x");
                prop_assert!(Dialect::Postgres.quote_table(&three_parts).is_err());
            }

            #[test]
            fn hostile_characters_are_refused_naming_the_identifier(
                before in "[A-Za-z_][A-Za-z0-9_]{0,10}|",
                bad in forbidden(),
                after in "[A-Za-z0-9_]{0,10}",
            ) {
                let name = format!("{before}{bad}{after}");
                let error = validate(&name).unwrap_err();
                names_it(&error, &name)?;
                let problem = if before.is_empty() { "does not start with" } else { "contains" };
                prop_assert!(error.to_string().contains(problem), "{}", error);
                for (dialect, _) in QUOTES {
                    prop_assert_eq!(dialect.quote_identifier(&name), Err(error.clone()));
                }
            }

            #[test]
            fn the_length_limit_is_63_bytes(name in "[A-Za-z_][A-Za-z0-9_]{0,200}") {
                match validate(&name) {
                    Ok(()) => prop_assert!(name.len() <= MAX_IDENTIFIER_LEN, "{}", name),
                    Err(error) => {
                        prop_assert!(name.len() > MAX_IDENTIFIER_LEN, "{}", error);
                        prop_assert!(error.to_string().contains("it is too long"), "{}", error);
                        names_it(&error, &name)?;
                    }
                }
            }
        }
    }
}
