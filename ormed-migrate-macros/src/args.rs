//! The attribute's arguments: `#[migration("<id>")]` or `#[migration("<id>", no_transaction)]`.
//!
//! Parsing yields one [`MigrationArgs`]: the id and a [`MigrationOptions`], each option given at
//! most once. The expansion turns the options into one `RegistrationOptions` value, so adding an
//! option changes neither `Registration::new` nor the expansion of migrations that don't use it.

use ormed_migrate_id::MigrationId;
use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Ident, LitStr, Token};

/// Options a migration can carry after its id.
pub const KNOWN_OPTIONS: &[&str] = &["no_transaction"];

/// Parsed and validated attribute arguments.
#[derive(Debug)]
pub struct MigrationArgs {
    /// The id literal as written, kept for error spans.
    pub literal: LitStr,
    /// The id, validated by the same parser the runtime uses.
    pub id: MigrationId,
    /// The options after the id.
    pub options: MigrationOptions,
}

/// The options after the id; a field per entry of [`KNOWN_OPTIONS`], at its default when the
/// option is not given.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MigrationOptions {
    /// Run statement by statement, outside a transaction.
    pub no_transaction: bool,
}

impl MigrationArgs {
    /// Parses the tokens inside `#[migration(…)]`.
    pub fn from_tokens(args: TokenStream) -> syn::Result<MigrationArgs> {
        if args.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "#[migration] needs the migration id: #[migration(\"m_YYYYMMDDHHMMSS_slug\")], \
                 for example #[migration(\"m_20241201000000_create_users_table\")]",
            ));
        }
        MigrationArgs::parse.parse2(args)
    }
}

impl Parse for MigrationArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<MigrationArgs> {
        let literal: LitStr = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the migration id as a string literal, \
                 for example #[migration(\"m_20241201000000_create_users_table\")]",
            )
        })?;
        let id = MigrationId::parse(&literal.value())
            .map_err(|error| syn::Error::new(literal.span(), error))?;
        let options = MigrationOptions::parse_after_id(input)?;
        Ok(MigrationArgs {
            literal,
            id,
            options,
        })
    }
}

impl MigrationOptions {
    /// Parses `, option, option…` after the id, a trailing comma allowed. An option given twice
    /// is an error at its second occurrence: with options that take values, which one wins would
    /// otherwise be a guess, so even a harmless repeated flag is refused.
    fn parse_after_id(input: ParseStream<'_>) -> syn::Result<MigrationOptions> {
        let mut options = MigrationOptions::default();
        let mut given: Vec<String> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break; // a trailing comma
            }
            let option: Ident = input.parse()?;
            let name = option.to_string();
            if given.contains(&name) {
                return Err(syn::Error::new(
                    option.span(),
                    format!("`{name}` is given twice; write it once"),
                ));
            }
            options.set(&option)?;
            given.push(name);
        }
        Ok(options)
    }

    /// Sets the option `option` names, or says which options there are.
    fn set(&mut self, option: &Ident) -> syn::Result<()> {
        match option.to_string().as_str() {
            "no_transaction" => self.no_transaction = true,
            other => {
                return Err(syn::Error::new(
                    option.span(),
                    format!(
                        "unknown #[migration] option `{other}`; the options are: {}",
                        KNOWN_OPTIONS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn error(args: TokenStream) -> String {
        MigrationArgs::from_tokens(args).unwrap_err().to_string()
    }

    #[test]
    fn parses_id_and_options() {
        let args =
            MigrationArgs::from_tokens(quote!("m_20241201000000_x", no_transaction,)).unwrap();
        assert_eq!(args.id.to_string(), "m_20241201000000_x");
        assert_eq!(
            args.options,
            MigrationOptions {
                no_transaction: true
            }
        );
        let plain = MigrationArgs::from_tokens(quote!("2024_12_01_000000_x")).unwrap();
        assert_eq!(plain.options, MigrationOptions::default());
        assert_eq!(plain.id.to_string(), "m_20241201000000_x");
    }

    #[test]
    fn reports_each_misuse() {
        assert!(error(quote!()).contains("needs the migration id"));
        assert!(error(quote!(create_users)).contains("string literal"));
        assert!(error(quote!("users")).contains("invalid migration id `users`"));
        assert!(
            error(quote!("m_20241201000000_x", fast))
                .contains("unknown #[migration] option `fast`; the options are: no_transaction")
        );
    }

    #[test]
    fn an_option_given_twice_is_refused() {
        for args in [
            quote!("m_20241201000000_x", no_transaction, no_transaction),
            quote!("m_20241201000000_x", no_transaction, no_transaction,),
        ] {
            assert_eq!(
                error(args),
                "`no_transaction` is given twice; write it once"
            );
        }
        // An unknown option is reported as unknown, even when repeated.
        assert!(error(quote!("m_20241201000000_x", fast, fast)).contains("unknown"));
    }
}
