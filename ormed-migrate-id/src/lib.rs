//! Migration ids for `ormed-migrate`.
//!
//! This crate has no dependencies so that the `#[migration]` attribute, the build-script helper and
//! the runtime all validate ids with the *same* code: an id the compiler accepted is an id the
//! runner accepts. Applications use it through `ormed_migrate::MigrationId`.
//!
//! ```
//! use ormed_migrate_id::MigrationId;
//!
//! let id = MigrationId::parse("m_20241201000000_create_users_table").unwrap();
//! assert_eq!(id.slug(), "create_users_table");
//! assert_eq!(id.timestamp().to_string(), "2024-12-01 00:00:00 UTC");
//!
//! // The legacy Laravel-style spelling is accepted and displays canonically.
//! let legacy = MigrationId::parse("2024_12_01_000000_create_users_table").unwrap();
//! assert_eq!(legacy, id);
//! assert_eq!(legacy.to_string(), "m_20241201000000_create_users_table");
//! ```

use std::fmt;
use std::str::FromStr;

/// The expected forms, quoted in every parse error.
pub const EXPECTED_FORMS: &str = "m_YYYYMMDDHHMMSS_slug (for example m_20241201000000_create_users_table) \
     or the legacy YYYY_MM_DD_HHMMSS_slug; the slug is snake_case: lowercase letters, digits and single underscores";

/// A migration's identity: a UTC timestamp and a snake_case slug.
///
/// Ordering is by timestamp, then slug, which is the order migrations are applied in.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MigrationId {
    timestamp: MigrationTimestamp,
    slug: String,
}

/// The UTC timestamp at the front of a [`MigrationId`], validated to be a real date and time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct MigrationTimestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Why a string is not a [`MigrationId`]. Its message shows the input and the expected form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationIdError {
    input: String,
    problem: String,
}

impl MigrationId {
    /// Parses the canonical `m_YYYYMMDDHHMMSS_slug` or the legacy `YYYY_MM_DD_HHMMSS_slug` form.
    ///
    /// ```
    /// # use ormed_migrate_id::MigrationId;
    /// let err = MigrationId::parse("m_20241301000000_users").unwrap_err();
    /// assert!(err.to_string().contains("month 13"));
    /// ```
    pub fn parse(input: &str) -> Result<MigrationId, MigrationIdError> {
        let fail = |problem: String| MigrationIdError {
            input: input.to_owned(),
            problem,
        };
        let (digits, slug) = split_timestamp(input).map_err(fail)?;
        let timestamp = MigrationTimestamp::from_digits(&digits).map_err(fail)?;
        validate_slug(slug).map_err(fail)?;
        Ok(MigrationId {
            timestamp,
            slug: slug.to_owned(),
        })
    }

    /// Builds an id from a timestamp and a slug, validating the slug.
    pub fn new(timestamp: MigrationTimestamp, slug: &str) -> Result<MigrationId, MigrationIdError> {
        validate_slug(slug).map_err(|problem| MigrationIdError {
            input: format!("m_{}_{slug}", timestamp.digits()),
            problem,
        })?;
        Ok(MigrationId {
            timestamp,
            slug: slug.to_owned(),
        })
    }

    /// The UTC timestamp.
    pub fn timestamp(&self) -> MigrationTimestamp {
        self.timestamp
    }

    /// The snake_case description after the timestamp.
    pub fn slug(&self) -> &str {
        &self.slug
    }
}

/// Splits either accepted form into its 14 timestamp digits and the slug.
fn split_timestamp(input: &str) -> Result<(String, &str), String> {
    if let Some(rest) = input.strip_prefix("m_") {
        let (digits, slug) = rest
            .split_once('_')
            .ok_or_else(|| "there is no `_slug` after the timestamp".to_owned())?;
        if digits.len() != 14 || !all_digits(digits) {
            return Err(format!(
                "`{digits}` is not a 14-digit timestamp (YYYYMMDDHHMMSS)"
            ));
        }
        return Ok((digits.to_owned(), slug));
    }
    split_legacy(input)
}

/// `YYYY_MM_DD_HHMMSS_slug`, the form Laravel writes.
fn split_legacy(input: &str) -> Result<(String, &str), String> {
    let mut parts = input.splitn(5, '_');
    let widths = [4, 2, 2, 6];
    let mut digits = String::with_capacity(14);
    for width in widths {
        match parts.next() {
            Some(part) if part.len() == width && all_digits(part) => digits.push_str(part),
            _ => return Err("it does not start with `m_` and a 14-digit timestamp".to_owned()),
        }
    }
    match parts.next() {
        Some(slug) => Ok((digits, slug)),
        None => Err("there is no `_slug` after the timestamp".to_owned()),
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn validate_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("the slug after the timestamp is empty".to_owned());
    }
    if let Some(bad) = slug
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "the slug `{slug}` contains {bad:?}; only lowercase letters, digits and `_` are allowed"
        ));
    }
    if slug.starts_with('_') || slug.ends_with('_') || slug.contains("__") {
        return Err(format!(
            "the slug `{slug}` is not snake_case: no leading, trailing or double underscores"
        ));
    }
    Ok(())
}

impl MigrationTimestamp {
    /// A timestamp from its parts, rejecting impossible dates and times.
    ///
    /// ```
    /// # use ormed_migrate_id::MigrationTimestamp;
    /// assert!(MigrationTimestamp::new(2024, 2, 29, 12, 0, 0).is_ok());
    /// assert!(MigrationTimestamp::new(2023, 2, 29, 12, 0, 0).is_err());
    /// ```
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<MigrationTimestamp, String> {
        if year > 9999 {
            return Err(format!("year {year} has more than four digits"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist (01 to 12)"));
        }
        let last_day = days_in_month(year, month);
        if day == 0 || day > last_day {
            return Err(format!(
                "day {day} does not exist in {year}-{month:02} (it has {last_day} days)"
            ));
        }
        if hour > 23 {
            return Err(format!("hour {hour} does not exist (00 to 23)"));
        }
        if minute > 59 {
            return Err(format!("minute {minute} does not exist (00 to 59)"));
        }
        if second > 59 {
            return Err(format!("second {second} does not exist (00 to 59)"));
        }
        Ok(MigrationTimestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Parses exactly 14 ASCII digits, `YYYYMMDDHHMMSS`.
    fn from_digits(digits: &str) -> Result<MigrationTimestamp, String> {
        let field = |range: std::ops::Range<usize>| -> u16 {
            digits[range]
                .bytes()
                .fold(0, |n, b| n * 10 + u16::from(b - b'0'))
        };
        let small = |range| field(range) as u8; // two digits always fit
        MigrationTimestamp::new(
            field(0..4),
            small(4..6),
            small(6..8),
            small(8..10),
            small(10..12),
            small(12..14),
        )
    }

    /// The 14 digits `YYYYMMDDHHMMSS` used in ids and file names.
    pub fn digits(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Calendar year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, 0 to 59.
    pub fn second(&self) -> u8 {
        self.second
    }

    /// The timestamp as a `chrono` UTC date-time.
    #[cfg(feature = "chrono")]
    pub fn to_datetime(&self) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        // Every field was range-checked in `new`, so this single mapping always exists.
        chrono::Utc
            .with_ymd_and_hms(
                i32::from(self.year),
                u32::from(self.month),
                u32::from(self.day),
                u32::from(self.hour),
                u32::from(self.minute),
                u32::from(self.second),
            )
            .single()
            .unwrap_or_default()
    }
}

#[cfg(feature = "chrono")]
impl From<MigrationTimestamp> for chrono::DateTime<chrono::Utc> {
    fn from(timestamp: MigrationTimestamp) -> Self {
        timestamp.to_datetime()
    }
}

#[cfg(feature = "chrono")]
impl PartialEq<chrono::DateTime<chrono::Utc>> for MigrationTimestamp {
    fn eq(&self, other: &chrono::DateTime<chrono::Utc>) -> bool {
        self.to_datetime() == *other
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

impl fmt::Display for MigrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m_{}_{}", self.timestamp.digits(), self.slug)
    }
}

impl fmt::Debug for MigrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MigrationId({self})")
    }
}

impl fmt::Display for MigrationTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl FromStr for MigrationId {
    type Err = MigrationIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MigrationId::parse(s)
    }
}

impl TryFrom<&str> for MigrationId {
    type Error = MigrationIdError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        MigrationId::parse(value)
    }
}

impl MigrationIdError {
    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it, without the input and the expected form.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for MigrationIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid migration id `{}`: {}; expected {EXPECTED_FORMS}",
            self.input, self.problem
        )
    }
}

impl std::error::Error for MigrationIdError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(input: &str) -> String {
        MigrationId::parse(input).unwrap_err().problem().to_owned()
    }

    #[test]
    fn parses_canonical_form() {
        let id = MigrationId::parse("m_20241201000000_create_users_table").unwrap();
        assert_eq!(id.slug(), "create_users_table");
        assert_eq!(id.timestamp().digits(), "20241201000000");
        assert_eq!(id.to_string(), "m_20241201000000_create_users_table");
    }

    #[test]
    fn legacy_form_displays_canonically_and_equals_canonical() {
        let legacy = MigrationId::parse("2024_12_01_000100_create_posts_table").unwrap();
        assert_eq!(legacy.to_string(), "m_20241201000100_create_posts_table");
        assert_eq!(
            legacy,
            MigrationId::parse("m_20241201000100_create_posts_table").unwrap()
        );
    }

    #[test]
    fn orders_by_timestamp_then_slug() {
        let mut ids: Vec<MigrationId> = [
            "m_20241201000100_b",
            "m_20241201000000_z",
            "m_20241201000100_a",
            "2023_01_01_000000_old",
        ]
        .iter()
        .map(|s| MigrationId::parse(s).unwrap())
        .collect();
        ids.sort();
        let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "m_20230101000000_old",
                "m_20241201000000_z",
                "m_20241201000100_a",
                "m_20241201000100_b"
            ]
        );
    }

    #[test]
    fn rejects_impossible_dates_and_times() {
        assert!(problem("m_20241301000000_x").contains("month 13"));
        assert!(problem("m_20240001000000_x").contains("month 0"));
        assert!(problem("m_20240231000000_x").contains("day 31"));
        assert!(problem("m_20230229000000_x").contains("day 29"));
        assert!(problem("m_20241201240000_x").contains("hour 24"));
        assert!(problem("m_20241201006000_x").contains("minute 60"));
        assert!(problem("m_20241201000060_x").contains("second 60"));
        assert!(MigrationId::parse("m_20240229235959_leap_day").is_ok());
        assert!(MigrationId::parse("m_20000229000000_leap_century").is_ok());
        assert!(problem("m_19000229000000_x").contains("day 29"));
    }

    #[test]
    fn rejects_bad_slugs() {
        assert!(problem("m_20241201000000_").contains("empty"));
        assert!(problem("m_20241201000000_CreateUsers").contains("'C'"));
        assert!(problem("m_20241201000000_create-users").contains("'-'"));
        assert!(problem("m_20241201000000_create__users").contains("snake_case"));
        assert!(problem("m_20241201000000_users_").contains("snake_case"));
        assert!(problem("m_20241201000000").contains("no `_slug`"));
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(problem("create_users_table").contains("does not start with"));
        assert!(problem("m_2024120100000_x").contains("14-digit"));
        assert!(problem("m_2024120100000a_x").contains("14-digit"));
        assert!(problem("").contains("does not start with"));
        assert!(problem("2024_12_01_0000_x").contains("does not start with"));
    }

    #[test]
    fn error_message_shows_input_and_expected_form() {
        let message = MigrationId::parse("users").unwrap_err().to_string();
        assert!(message.starts_with("invalid migration id `users`: "));
        assert!(message.contains("m_YYYYMMDDHHMMSS_slug"));
        assert!(message.contains("YYYY_MM_DD_HHMMSS_slug"));
    }

    /// Every one-character change, insertion and deletion of valid ids, with awkward characters:
    /// parsing never panics, and whatever parses displays as an id that parses to itself.
    #[test]
    fn mutated_ids_never_panic_and_round_trip() {
        let awkward = [
            '0',
            '9',
            '_',
            'a',
            'Z',
            '-',
            ' ',
            'é',
            '\u{1F600}',
            '\0',
            'm',
        ];
        for valid in [
            "m_20241201000000_create_users",
            "2024_12_01_000000_create_users",
        ] {
            let chars: Vec<char> = valid.chars().collect();
            for at in 0..=chars.len() {
                for &c in &awkward {
                    let mut replaced = chars.clone();
                    let mut inserted = chars.clone();
                    inserted.insert(at, c);
                    let mut removed = chars.clone();
                    if at < chars.len() {
                        replaced[at] = c;
                        removed.remove(at);
                    }
                    for candidate in [replaced, inserted, removed] {
                        let text: String = candidate.into_iter().collect();
                        if let Ok(id) = MigrationId::parse(&text) {
                            assert_eq!(MigrationId::parse(&id.to_string()), Ok(id));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn non_ascii_input_is_an_error_not_a_panic() {
        assert!(MigrationId::parse("m_２０２４１２０１０００００_x").is_err());
        assert!(MigrationId::parse("m_20241201000000_ü").is_err());
        assert!(MigrationId::parse("é").is_err());
    }
}
