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
}
