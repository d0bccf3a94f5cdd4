//! Keeping passwords out of everything printed or returned.
//!
//! A URL's password can reach a message by many roads: the URL itself, a database name that a
//! malformed URL made out of `user:password@host` (`postgres:/u:pw@h/db` has no authority, so
//! the whole rest is the database name), or a server that echoes either back. Masking therefore
//! does not rely on the URL being well formed: [`Secrets::of_url`] collects every text that may
//! be a password, and [`Secrets::mask`] replaces each of them wherever it appears.

use std::borrow::Cow;

/// The replacement for a password.
const MASK: &str = "***";

/// Query or connection-string keys whose value is a password.
const PASSWORD_KEYS: &[&str] = &["password", "pwd"];

/// Every text of a URL that may be a password, longest first.
///
/// ```
/// # use ormed_migrate_core::redact::Secrets;
/// let secrets = Secrets::of_url("postgres:/root:hunter2@127.0.0.1:5432/test");
/// assert_eq!(
///     secrets.mask("database \"root:hunter2@127.0.0.1:5432/test\" does not exist"),
///     "database \"root:***@127.0.0.1:5432/test\" does not exist"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    texts: Vec<String>,
}

impl Secrets {
    /// The password candidates of `url`, whatever its shape: the text between the user name
    /// and each `@` (a password may itself contain `@`, `/`, `?` or `#`, so every `@` counts),
    /// every `password=` / `pwd=` value, and the percent-decoded form of each.
    pub fn of_url(url: &str) -> Secrets {
        let mut texts: Vec<String> = userinfo_passwords(url)
            .chain(parameter_passwords(url))
            .flat_map(|text| [percent_decoded(text).into_owned(), text.to_owned()])
            .filter(|text| !text.is_empty())
            .collect();
        // Longest first, so that a candidate containing another is masked whole.
        texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        texts.dedup();
        Secrets { texts }
    }

    /// Whether the URL had anything that looks like a password.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// `text` with every candidate replaced by `***`. A candidate is masked where it stands as
    /// a whole word, as a password does in a URL or a quoted message, so that a password such as
    /// `items` does not also mask a migration named `…_create_items`.
    pub fn mask(&self, text: &str) -> String {
        self.texts.iter().fold(text.to_owned(), |masked, secret| {
            mask_whole(&masked, secret)
        })
    }
}

/// `text` with each whole-word occurrence of `secret` replaced by `***`. Word characters are
/// letters, digits and `_`; an edge of `secret` that is not a word character needs no boundary.
fn mask_whole(text: &str, secret: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let starts_word = secret.chars().next().is_some_and(is_word);
    let ends_word = secret.chars().next_back().is_some_and(is_word);
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in text.match_indices(secret) {
        if at < rest {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        let joined_before = starts_word && before.is_some_and(is_word);
        let joined_after = ends_word && after.is_some_and(is_word);
        let bounded = !joined_before && !joined_after;
        if bounded {
            out.push_str(&text[rest..at]);
            out.push_str(MASK);
            rest = at + secret.len();
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// `url` safe to print: every password candidate masked, and an empty password shown as `***`
/// too, so that the output never tells whether a password was set.
///
/// ```
/// # use ormed_migrate_core::redact::redact_url;
/// assert_eq!(redact_url("postgres://app:s3cret@db/prod"), "postgres://app:***@db/prod");
/// assert_eq!(redact_url("postgres:/app:s3cret@db/prod"), "postgres:/app:***@db/prod");
/// assert_eq!(redact_url("mysql://db/x?password=s3cret&ssl=1"), "mysql://db/x?password=***&ssl=1");
/// assert_eq!(redact_url("host=db password=s3cret"), "host=db password=***");
/// ```
pub fn redact_url(url: &str) -> String {
    mask_empty_password(&Secrets::of_url(url).mask(url))
}

/// Schemes recognised without `//` after them (`mysql:root:pw@h` is still a URL).
const KNOWN_SCHEMES: &[&str] = &["postgres", "postgresql", "mysql", "mariadb", "sqlite"];

/// What follows the scheme and its slashes: `user:password@host/…` in any URL shape. A leading
/// `word:` is a scheme when it is a known one or `/` follows it; otherwise (`root:pw@host`) it
/// is a user name.
fn after_scheme(url: &str) -> &str {
    let rest = match url.split_once(':') {
        Some((scheme, rest))
            if KNOWN_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
                || (!scheme.is_empty() && rest.starts_with('/')) =>
        {
            rest
        }
        _ => url,
    };
    rest.trim_start_matches('/')
}

/// For each `@`, the text between the first `:` and that `@`. Unless the URL starts with a
/// known scheme or `word://`, the text is read both with and without a leading `word:/` as a
/// scheme: `a:/x@h` may be either, and masking more is always safe.
fn userinfo_passwords(url: &str) -> impl Iterator<Item = &str> {
    let rest = after_scheme(url);
    let certain = url.split_once(':').is_some_and(|(scheme, after)| {
        KNOWN_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
            || (!scheme.is_empty() && after.starts_with("//"))
    });
    let readings = if certain { vec![rest] } else { vec![rest, url] };
    readings.into_iter().flat_map(|text| {
        text.match_indices('@').filter_map(move |(at, _)| {
            let userinfo = &text[..at];
            userinfo.split_once(':').map(|(_, password)| password)
        })
    })
}

/// Every `password=<value>` / `pwd=<value>` (any case) at the start of a parameter. In a URL's
/// query (after `?` or `&`) the value ends at the next `&`; in a `key=value` connection string
/// at `;` or white space.
fn parameter_passwords(text: &str) -> impl Iterator<Item = &str> {
    let lower = text.to_ascii_lowercase();
    let mut values = Vec::new();
    for key in PASSWORD_KEYS {
        let pattern = format!("{key}=");
        for (found, _) in lower.match_indices(&pattern) {
            let before = text[..found].chars().next_back();
            let in_query = matches!(before, Some('?' | '&'));
            let in_connection_string = before.is_none_or(|c| c == ';' || c.is_whitespace());
            if !in_query && !in_connection_string {
                continue;
            }
            let start = found + pattern.len();
            let ends = |c: char| match in_query {
                true => c == '&',
                false => c == ';' || c.is_whitespace(),
            };
            let end = text[start..].find(ends).map_or(text.len(), |i| start + i);
            values.push(&text[start..end]);
        }
    }
    values.into_iter()
}

fn percent_decoded(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

/// `user:@host` → `user:***@host`.
fn mask_empty_password(url: &str) -> String {
    let rest = after_scheme(url);
    let offset = url.len() - rest.len();
    match rest.find(":@") {
        Some(at) if !rest[..at].contains(['/', '?', '#']) => {
            format!("{}:{MASK}{}", &url[..offset + at], &url[offset + at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_masked_as_a_word_not_inside_other_words() {
        let secrets = Secrets::of_url("postgres://app:items@db/prod");
        assert_eq!(
            secrets.mask("migration m_20250101000000_create_items failed for app:items@db"),
            "migration m_20250101000000_create_items failed for app:***@db"
        );
        assert_eq!(secrets.mask("'items' items"), "'***' ***");
        let odd = Secrets::of_url("postgres://app:p@ss!@db/prod");
        assert_eq!(
            odd.mask("password p@ss! was wrong"),
            "password *** was wrong"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn passwords_never_survive_redaction() {
        for (url, expected) in [
            (
                "postgres://u:p%40ss@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("mysql://root@127.0.0.1/test", "mysql://root@127.0.0.1/test"),
            (
                "mysql://root:@127.0.0.1/test",
                "mysql://root:***@127.0.0.1/test",
            ),
            ("postgres://u:a@b@h/db", "postgres://u:***@h/db"),
            ("sqlite://app.db", "sqlite://app.db"),
            (
                "postgres://h/db?user=u&Password=x",
                "postgres://h/db?user=u&Password=***",
            ),
            (
                "postgres://u:p/ss@127.0.0.1/db",
                "postgres://u:***@127.0.0.1/db",
            ),
            ("postgres://u:p?s#s@h/db", "postgres://u:***@h/db"),
            (
                "host=db user=u password=s3cret",
                "host=db user=u password=***",
            ),
            (
                "Server=x;Password=s3cret;Db=y",
                "Server=x;Password=***;Db=y",
            ),
            (
                "postgres:/root:hunter2@127.0.0.1:5432/test",
                "postgres:/root:***@127.0.0.1:5432/test",
            ),
            (
                "mysql:root:hunter2@127.0.0.1/test",
                "mysql:root:***@127.0.0.1/test",
            ),
            (
                "postgres:///root:hunter2@127.0.0.1/test",
                "postgres:///root:***@127.0.0.1/test",
            ),
        ] {
            assert_eq!(redact_url(url), expected, "{url}");
        }
    }

    #[test]
    fn a_password_is_masked_in_any_text_also_percent_decoded() {
        let secrets = Secrets::of_url("mysql://root:p%40ssw0rd@h/db");
        assert_eq!(
            secrets.mask("user 'root:p@ssw0rd' and 'p%40ssw0rd'"),
            "user 'root:***' and '***'"
        );
        assert!(Secrets::of_url("postgres://root@h/db").is_empty());
    }

    #[test]
    fn a_url_without_scheme_still_has_its_password_masked() {
        assert_eq!(redact_url("root:hunter2@h/db"), "root:***@h/db");
        assert_eq!(redact_url(":/% =@h/db"), ":***@h/db");
        // An unknown scheme reads as a user name: more is masked, never less.
        assert_eq!(redact_url("file:root:hunter2@h"), "file:***@h");
    }

    #[test]
    fn password_keys_inside_other_words_are_not_parameters() {
        assert_eq!(
            redact_url("postgres://h/db?oldpassword=x"),
            "postgres://h/db?oldpassword=x"
        );
    }

    fn password() -> impl Strategy<Value = String> {
        // Letters, digits and every character that has a meaning in a URL.
        proptest::string::string_regex("[a-zA-Z0-9@:/?#%&=;+. !*'()_~-]{4,24}")
            .expect("valid regex")
    }

    fn url_shape() -> impl Strategy<Value = (String, String, String, String)> {
        let scheme = prop::sample::select(vec![
            "postgres:",
            "postgresql:",
            "mysql:",
            "mariadb:",
            "sqlite:",
            "",
        ]);
        let slashes = prop::sample::select(vec!["", "/", "//", "///"]);
        let user = proptest::string::string_regex("[a-z]{0,8}").expect("valid regex");
        let tail = prop::sample::select(vec![
            "127.0.0.1:5432/test",
            "h/db?sslmode=disable",
            "[::1]:3306/x?user=u",
            "",
        ]);
        (scheme, slashes, user, tail)
            .prop_map(|(s, sl, u, t)| (s.to_owned(), sl.to_owned(), u, t.to_owned()))
    }

    proptest! {
        #[test]
        fn redaction_never_shows_a_password(
            (scheme, slashes, user, tail) in url_shape(),
            password in password(),
            as_parameter in any::<bool>(),
        ) {
            // A query value must be percent-encoded to hold `&`; a password in the userinfo is
            // left raw, as the hostile trial typed it (`/`, `@`, `?` and all).
            let encoded =
                percent_encoding::utf8_percent_encode(&password, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            let url = if as_parameter {
                format!("{scheme}{slashes}{user}@{tail}?password={encoded}")
            } else {
                format!("{scheme}{slashes}{user}:{password}@{tail}")
            };
            let secrets = Secrets::of_url(&url);
            let shown = redact_url(&url);
            prop_assert!(!shown.contains(&password) && !shown.contains(&encoded), "{}", shown);
            // As the URL spells it, and as a server would echo it back decoded.
            let spelled = if as_parameter { &encoded } else { &password };
            let echoed = format!("database \"{url}\" said {password}: {spelled}");
            let masked = secrets.mask(&echoed);
            prop_assert!(!masked.contains(&password) && !masked.contains(spelled), "{}", masked);
        }
    }
}
