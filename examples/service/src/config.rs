//! Where to listen and which database: flags first, then the environment, then defaults.

/// The service's settings.
#[derive(Debug)]
pub struct Config {
    /// The address to listen on; port 0 picks a free one.
    pub bind: String,
    /// The database URL.
    pub database: String,
}

const USAGE: &str = "usage: service [--bind ADDR] [--database URL]";

impl Config {
    /// From `args` (without the program name), `SERVICE_BIND` and `DATABASE_URL`.
    pub fn from_env(args: impl Iterator<Item = String>) -> Result<Config, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let mut config = Config {
            bind: env("SERVICE_BIND").unwrap_or_else(|| "127.0.0.1:3000".to_owned()),
            database: env("DATABASE_URL").unwrap_or_else(|| "sqlite://service.db".to_owned()),
        };
        config.apply(args)?;
        Ok(config)
    }

    fn apply(&mut self, mut args: impl Iterator<Item = String>) -> Result<(), String> {
        while let Some(arg) = args.next() {
            let slot = match arg.as_str() {
                "--bind" => &mut self.bind,
                "--database" => &mut self.database,
                other => return Err(format!("unknown argument `{other}`; {USAGE}")),
            };
            *slot = args
                .next()
                .ok_or_else(|| format!("{arg} needs a value; {USAGE}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Config, String> {
        let mut config = Config {
            bind: "default".into(),
            database: "default".into(),
        };
        config.apply(args.iter().map(|arg| arg.to_string()))?;
        Ok(config)
    }

    #[test]
    fn flags_set_the_address_and_the_database() {
        let config = parsed(&["--bind", "0.0.0.0:0", "--database", "sqlite://x.db"]).unwrap();
        assert_eq!(
            (config.bind.as_str(), config.database.as_str()),
            ("0.0.0.0:0", "sqlite://x.db")
        );
        assert_eq!(parsed(&[]).unwrap().bind, "default");
    }

    #[test]
    fn a_missing_value_or_an_unknown_flag_says_how_to_call_it() {
        assert_eq!(
            parsed(&["--bind"]).unwrap_err(),
            format!("--bind needs a value; {USAGE}")
        );
        assert_eq!(
            parsed(&["--port", "1"]).unwrap_err(),
            format!("unknown argument `--port`; {USAGE}")
        );
    }
}
