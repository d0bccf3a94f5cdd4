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

pub mod checksum;

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
        let timestamp = MigrationTimestamp::from_digits(digits.as_str()).map_err(fail)?;
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
fn split_timestamp(input: &str) -> Result<(Digits, &str), String> {
    if let Some(rest) = input.strip_prefix("m_") {
        let (digits, slug) = rest
            .split_once('_')
            .ok_or_else(|| "there is no `_slug` after the timestamp".to_owned())?;
        if digits.len() != 14 || !all_digits(digits) {
            return Err(format!(
                "`{digits}` is not a 14-digit timestamp (YYYYMMDDHHMMSS)"
            ));
        }
        let mut found = Digits::default();
        found.push(digits);
        return Ok((found, slug));
    }
    split_legacy(input)
}

/// `YYYY_MM_DD_HHMMSS_slug`, the form Laravel writes.
fn split_legacy(input: &str) -> Result<(Digits, &str), String> {
    let mut parts = input.splitn(5, '_');
    let widths = [4, 2, 2, 6];
    let mut digits = Digits::default();
    for width in widths {
        match parts.next() {
            Some(part) if part.len() == width && all_digits(part) => digits.push(part),
            _ => return Err("it does not start with `m_` and a 14-digit timestamp".to_owned()),
        }
    }
    match parts.next() {
        Some(slug) => Ok((digits, slug)),
        None => Err("there is no `_slug` after the timestamp".to_owned()),
    }
}

/// The 14 digits of a timestamp, gathered without an allocation: the ledger's ids are parsed
/// by the thousand on every status.
#[derive(Default)]
struct Digits {
    bytes: [u8; 14],
    len: usize,
}

impl Digits {
    /// Appends `digits`, ASCII digits that fit (the callers checked both).
    fn push(&mut self, digits: &str) {
        let end = self.len + digits.len();
        self.bytes[self.len..end].copy_from_slice(digits.as_bytes());
        self.len = end;
    }

    fn as_str(&self) -> &str {
        // ASCII digits only, so always UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
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

    /// Property tests: the parser on arbitrary and near-miss input, and round trips of every
    /// valid shape.
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any year, with centuries and leap years often: that is where calendars go wrong.
        fn year() -> impl Strategy<Value = u16> {
            prop_oneof![
                0u16..=9999,
                (0u16..100).prop_map(|century| century * 100),
                (0u16..2500).prop_map(|leap| leap * 4),
            ]
        }

        /// The calendar, written apart from the code under test so that the tests do not
        /// share its mistakes.
        fn month_length(year: u16, month: u8) -> u8 {
            let leap =
                year.is_multiple_of(400) || (year.is_multiple_of(4) && !year.is_multiple_of(100));
            let lengths = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            lengths[usize::from(month) - 1]
        }

        /// A valid timestamp's fields: year, month, day (within the month, often its last),
        /// hour, minute, second.
        fn valid_fields() -> impl Strategy<Value = (u16, u8, u8, u8, u8, u8)> {
            (year(), 1u8..=12)
                .prop_flat_map(|(year, month)| {
                    let last = month_length(year, month);
                    (
                        Just(year),
                        Just(month),
                        prop_oneof![1..=last, Just(last)],
                        0u8..24,
                        0u8..60,
                        0u8..60,
                    )
                })
                .boxed()
        }

        /// A snake_case slug: lowercase letters and digits in words joined by single `_`.
        fn valid_slug() -> impl Strategy<Value = String> {
            "[a-z0-9]{1,8}(_[a-z0-9]{1,8}){0,4}"
        }

        fn digits_of((y, mo, d, h, mi, s): (u16, u8, u8, u8, u8, u8)) -> String {
            format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
        }

        fn legacy_of((y, mo, d, h, mi, s): (u16, u8, u8, u8, u8, u8), slug: &str) -> String {
            format!("{y:04}_{mo:02}_{d:02}_{h:02}{mi:02}{s:02}_{slug}")
        }

        /// Strings near the id shape: digit runs of about the right length, `_` in and out of
        /// place, and a few non-ASCII and control characters.
        fn near_ids() -> impl Strategy<Value = String> {
            prop_oneof![
                "m_[0-9]{12,16}_[a-z0-9_]{0,8}",
                "m_[0-9_]{10,20}[a-zA-Z0-9_é\u{0}-]{0,6}",
                "[0-9]{3,5}_[0-9]{1,3}_[0-9]{1,3}_[0-9]{5,7}(_[a-z0-9_]{0,6})?",
                "(m_)?[0-9０-９٣_]{0,24}\\PC{0,4}",
                "\\PC{0,40}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn parse_never_panics_and_errors_quote_the_input(input in any::<String>()) {
                if let Err(error) = MigrationId::parse(&input) {
                    prop_assert_eq!(error.input(), input.as_str());
                    let shown = format!("invalid migration id `{input}`: ");
                    prop_assert!(error.to_string().starts_with(&shown));
                }
            }

            #[test]
            fn near_ids_never_panic_and_what_parses_round_trips(input in near_ids()) {
                if let Ok(id) = MigrationId::parse(&input) {
                    prop_assert_eq!(MigrationId::parse(&id.to_string()), Ok(id));
                }
            }

            #[test]
            fn valid_ids_parse_display_back_and_equal_their_legacy_spelling(
                fields in valid_fields(),
                slug in valid_slug(),
            ) {
                let canonical = format!("m_{}_{slug}", digits_of(fields));
                let id = MigrationId::parse(&canonical)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(id.to_string(), canonical.clone());
                prop_assert_eq!(id.slug(), slug.as_str());
                prop_assert_eq!(id.timestamp().digits(), digits_of(fields));
                let legacy = MigrationId::parse(&legacy_of(fields, &slug))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&legacy, &id);
                prop_assert_eq!(legacy.to_string(), canonical);
                let (year, month, day, hour, minute, second) = fields;
                let built = MigrationTimestamp::new(year, month, day, hour, minute, second)
                    .map_err(TestCaseError::fail)?;
                prop_assert_eq!(MigrationId::new(built, &slug), Ok(id));
            }

            #[test]
            fn ids_order_by_timestamp_digits_then_slug(
                a in (valid_fields(), valid_slug()),
                b in (valid_fields(), valid_slug()),
                same_time in any::<bool>(),
            ) {
                // Half the pairs share a timestamp, so the slug decides often enough.
                let b_fields = if same_time { a.0 } else { b.0 };
                let (a_digits, b_digits) = (digits_of(a.0), digits_of(b_fields));
                let a_id = MigrationId::parse(&format!("m_{a_digits}_{}", a.1))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let b_id = MigrationId::parse(&legacy_of(b_fields, &b.1))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(
                    a_id.cmp(&b_id),
                    (a_digits.as_str(), a.1.as_str()).cmp(&(b_digits.as_str(), b.1.as_str()))
                );
            }

            #[test]
            fn impossible_dates_and_times_are_rejected_naming_the_field(
                fields in valid_fields(),
                field in 0usize..5,
                pick in any::<u8>(),
                slug in valid_slug(),
                legacy in any::<bool>(),
            ) {
                let (bad_fields, expected) = impossible(fields, field, pick);
                let input = match legacy {
                    true => legacy_of(bad_fields, &slug),
                    false => format!("m_{}_{slug}", digits_of(bad_fields)),
                };
                let error = match MigrationId::parse(&input) {
                    Ok(id) => return Err(TestCaseError::fail(format!("{input} parsed as {id}"))),
                    Err(error) => error,
                };
                prop_assert!(error.problem().contains(&expected), "{}: {}", expected, error);
                prop_assert!(error.to_string().contains(&format!("`{input}`")), "{}", error);
            }
        }

        /// `fields` with one field made impossible (0 month, month 13+, day 0 or past the end of
        /// the month, hour 24+, minute 60+, second 60+), and the words the error must contain.
        fn impossible(
            (year, month, day, hour, minute, second): (u16, u8, u8, u8, u8, u8),
            field: usize,
            pick: u8,
        ) -> ((u16, u8, u8, u8, u8, u8), String) {
            let above = |first: u8| first + pick % (100 - first);
            match field {
                0 => {
                    let month = if pick.is_multiple_of(8) { 0 } else { above(13) };
                    (
                        (year, month, day, hour, minute, second),
                        format!("month {month} "),
                    )
                }
                1 => {
                    let last = month_length(year, month);
                    // The day after the last (Feb 29 of 1900, Apr 31) most often.
                    let day = match pick % 4 {
                        0 => 0,
                        1 => above(last + 1),
                        _ => last + 1,
                    };
                    (
                        (year, month, day, hour, minute, second),
                        format!("day {day} "),
                    )
                }
                2 => {
                    let hour = above(24);
                    (
                        (year, month, day, hour, minute, second),
                        format!("hour {hour} "),
                    )
                }
                3 => {
                    let minute = above(60);
                    (
                        (year, month, day, hour, minute, second),
                        format!("minute {minute} "),
                    )
                }
                _ => {
                    let second = above(60);
                    (
                        (year, month, day, hour, minute, second),
                        format!("second {second} "),
                    )
                }
            }
        }

        #[test]
        fn named_impossible_dates_are_rejected_with_the_input() {
            for (input, expected) in [
                ("m_20241301000000_x", "month 13 "),
                ("m_20240230000000_x", "day 30 does not exist in 2024-02"),
                ("2023_02_29_000000_x", "day 29 does not exist in 2023-02"),
                ("m_20240431000000_x", "day 31 does not exist in 2024-04"),
                ("m_20241201240000_x", "hour 24 "),
                ("2024_12_01_006000_x", "minute 60 "),
                ("m_20241201000099_x", "second 99 "),
                ("m_19000229000000_x", "day 29 does not exist in 1900-02"),
                ("m_21000229000000_x", "day 29 does not exist in 2100-02"),
            ] {
                let error = MigrationId::parse(input).unwrap_err();
                assert!(error.problem().contains(expected), "{input}: {error}");
                assert!(error.to_string().contains(&format!("`{input}`")), "{error}");
            }
        }
    }
}
