//! Value parsers for the count flags (`--limit N`, `migrate:rollback --step N`, `--batch N`)
//! and the timeouts (`--lock-timeout`, `--migration-lock-timeout`).
//!
//! Each count takes a whole number of at least 1. Zero used to be accepted and silently did nothing
//! ("Nothing to migrate." with migrations pending), and a negative number was reported by clap
//! as an unknown argument; both are usage errors now, with a message about the flag.

use std::str::FromStr;
use std::time::Duration;

/// `migrate --limit N`: how many migrations to apply.
pub(super) fn migration_limit(text: &str) -> Result<usize, String> {
    at_least_one(text)
        .ok_or_else(|| "--limit takes a whole number of migrations, at least 1".to_owned())
}

/// `migrate:rollback --step N`: how many batches to roll back.
pub(super) fn batch_steps(text: &str) -> Result<usize, String> {
    at_least_one(text)
        .ok_or_else(|| "--step takes a whole number of batches, at least 1".to_owned())
}

/// `migrate:rollback --batch N`: the batch to roll back; batches are numbered from 1.
pub(super) fn batch_number(text: &str) -> Result<i64, String> {
    at_least_one(text)
        .ok_or_else(|| "--batch takes a batch number: a whole number, at least 1".to_owned())
}

/// `--lock-timeout` and `--migration-lock-timeout`: positive seconds, fractions allowed.
pub(super) fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| "takes a number of seconds greater than 0 (fractions allowed: 2.5)".into())
}

/// `text` as a whole number of at least 1, or `None` (not a number, out of range, 0, negative).
fn at_least_one<T: FromStr + PartialOrd + From<u8>>(text: &str) -> Option<T> {
    text.parse::<T>().ok().filter(|n| *n >= T::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_take_positive_seconds() {
        assert_eq!(seconds("3"), Ok(Duration::from_secs(3)));
        assert_eq!(seconds("2.5"), Ok(Duration::from_millis(2500)));
        for bad in ["0", "-1", "nan", "inf", "soon", ""] {
            assert!(seconds(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accepts_whole_numbers_from_one() {
        assert_eq!(migration_limit("1"), Ok(1));
        assert_eq!(migration_limit("40"), Ok(40));
        assert_eq!(batch_steps("2"), Ok(2));
        assert_eq!(batch_number("7"), Ok(7));
    }

    #[test]
    fn refuses_zero_negatives_and_non_numbers_naming_the_flag() {
        for bad in [
            "0",
            "-1",
            "-0",
            "1.5",
            "many",
            "",
            " 1",
            "99999999999999999999999",
        ] {
            assert_eq!(
                migration_limit(bad),
                Err("--limit takes a whole number of migrations, at least 1".to_owned()),
                "{bad:?}"
            );
            assert_eq!(
                batch_steps(bad),
                Err("--step takes a whole number of batches, at least 1".to_owned()),
                "{bad:?}"
            );
            assert_eq!(
                batch_number(bad),
                Err("--batch takes a batch number: a whole number, at least 1".to_owned()),
                "{bad:?}"
            );
        }
    }
}
