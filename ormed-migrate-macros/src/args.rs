//! The attribute's arguments: `#[migration("<id>")]` or `#[migration("<id>", no_transaction)]`.

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
        let mut no_transaction = false;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break; // a trailing comma
            }
            let option: Ident = input.parse()?;
            match option.to_string().as_str() {
                "no_transaction" => no_transaction = true,
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
        }
        Ok(MigrationArgs {
            literal,
            id,
            no_transaction,
        })
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
        assert!(args.no_transaction);
        let plain = MigrationArgs::from_tokens(quote!("2024_12_01_000000_x")).unwrap();
        assert!(!plain.no_transaction);
        assert_eq!(plain.id.to_string(), "m_20241201000000_x");
    }

    #[test]
    fn reports_each_misuse() {
        assert!(error(quote!()).contains("needs the migration id"));
        assert!(error(quote!(create_users)).contains("string literal"));
        assert!(error(quote!("users")).contains("invalid migration id `users`"));
        assert!(
            error(quote!("m_20241201000000_x", fast))
                .contains("unknown #[migration] option `fast`")
        );
    }
}
