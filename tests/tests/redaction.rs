//! No password in any output: random URL shapes and random passwords, connected for real (to
//! the PostgreSQL and MariaDB servers when their URLs are set, else to a closed port), and the
//! error's text and `Debug`, or the driver's `Debug` and URL, searched for the password.

use ormed_migrate::Driver;
use ormed_migrate::testing::{MYSQL_URL_VAR, POSTGRES_URL_VAR};
use proptest::prelude::*;

/// `(scheme, host:port/database)` of each server to try.
fn servers() -> Vec<(String, String)> {
    let mut servers = Vec::new();
    for (var, scheme, closed) in [
        (POSTGRES_URL_VAR, "postgres", "127.0.0.1:1/test"),
        (MYSQL_URL_VAR, "mysql", "127.0.0.1:2/test"),
    ] {
        let host = std::env::var(var)
            .ok()
            .and_then(|url| {
                let rest = url.split_once("://")?.1;
                Some(
                    rest.rsplit_once('@')
                        .map_or(rest, |(_, host)| host)
                        .to_owned(),
                )
            })
            .unwrap_or_else(|| closed.to_owned());
        servers.push((scheme.to_owned(), host));
    }
    servers
}

fn password() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9@:/?#%&=;+.!*'()_~-]{4,20}").expect("regex")
}

/// How a user might (mis)spell a URL around `user:password@host`.
fn shape() -> impl Strategy<Value = usize> {
    0..6usize
}

fn url(scheme: &str, host: &str, user: &str, password: &str, shape: usize) -> String {
    let encoded =
        percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC);
    match shape {
        0 => format!("{scheme}://{user}:{password}@{host}"),
        1 => format!("{scheme}:/{user}:{password}@{host}"),
        2 => format!("{scheme}:{user}:{password}@{host}"),
        3 => format!("{scheme}:///{user}:{password}@{host}"),
        4 => format!("{scheme}://{user}@{host}?password={encoded}"),
        _ => format!("{scheme}://{user}:{encoded}@{host}?sslmode=bogus&ssl-mode=bogus"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn no_connection_outcome_shows_the_password(
        server in 0..2usize,
        shape in shape(),
        user in prop::sample::select(vec!["root", "app", ""]),
        password in password(),
    ) {
        let (scheme, host) = &servers()[server];
        let url = url(scheme, host, user, &password, shape);
        let encoded = percent_encoding::utf8_percent_encode(
            &password,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let shown = runtime.block_on(async {
            match Driver::connect(&url).await {
                Ok(driver) => {
                    let shown = format!("{driver:?} {}", driver.redacted_url());
                    driver.close().await;
                    shown
                }
                Err(error) => format!("{error} {error:?}"),
            }
        });
        prop_assert!(!shown.contains(&password), "{url}: {shown}");
        prop_assert!(!shown.contains(&encoded), "{url}: {shown}");
    }
}
