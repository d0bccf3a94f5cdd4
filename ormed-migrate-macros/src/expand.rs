//! The `#[migration]` pipeline as plain Rust: parse, validate, expand.
//!
//! Nothing here touches `proc_macro`, so unit tests call [`expand`] directly. On any error the
//! original item is emitted unchanged next to exactly one `compile_error!`, so the user sees the
//! real problem and not a cascade of "no method `up`" errors.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Item, ItemImpl};

use crate::args::MigrationArgs;
use crate::checksum::checksum;

/// Expands `#[migration(args)] item`. `source_file` is the file the attribute is in, when known.
pub fn expand(args: TokenStream, item: TokenStream, source_file: Option<&Path>) -> TokenStream {
    match registration(args, &item, source_file) {
        Ok(registration) => quote!(#item #registration),
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#item #error)
        }
    }
}

/// The `inventory` submission for a valid use, or the first thing wrong with it.
fn registration(
    args: TokenStream,
    item: &TokenStream,
    source_file: Option<&Path>,
) -> syn::Result<TokenStream> {
    let args = MigrationArgs::from_tokens(args)?;
    let migration_impl = migration_impl(syn::parse2(item.clone())?)?;
    check_file_name(&args, source_file)?;

    let id = args.id.to_string();
    let checksum = checksum(item);
    let no_transaction = args.no_transaction;
    let self_ty = &migration_impl.self_ty;
    Ok(quote! {
        const _: () = {
            ::ormed_migrate::__private::inventory::submit! {
                ::ormed_migrate::__private::Registration::new(
                    #id,
                    #checksum,
                    ::core::file!(),
                    ::core::line!(),
                    #no_transaction,
                    ::ormed_migrate::__private::construct::<#self_ty>,
                )
            }
        };
    })
}

/// Accepts only `impl Migration for ConcreteType { … }`.
fn migration_impl(item: Item) -> syn::Result<ItemImpl> {
    let misplaced = |what: &str, tokens: &dyn ToTokens| {
        syn::Error::new_spanned(
            tokens,
            format!(
                "#[migration] goes on the `impl Migration for YourType` block, not on {what}; \
                 move the attribute to the impl"
            ),
        )
    };
    let migration_impl = match item {
        Item::Impl(migration_impl) => migration_impl,
        Item::Struct(s) => return Err(misplaced("a struct", &s.ident)),
        Item::Enum(e) => return Err(misplaced("an enum", &e.ident)),
        Item::Fn(f) => return Err(misplaced("a function", &f.sig.ident)),
        other => return Err(misplaced("this item", &other)),
    };
    let Some((negative, trait_path, _)) = &migration_impl.trait_ else {
        return Err(syn::Error::new_spanned(
            &migration_impl.self_ty,
            "#[migration] goes on `impl Migration for YourType`, not on an inherent impl; \
             implement the Migration trait",
        ));
    };
    let is_migration = trait_path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "Migration");
    if negative.is_some() || !is_migration {
        return Err(syn::Error::new_spanned(
            trait_path,
            "#[migration] goes on an impl of the `Migration` trait",
        ));
    }
    if !migration_impl.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &migration_impl.generics,
            "a registered migration must be one concrete type; remove the generic parameters",
        ));
    }
    Ok(migration_impl)
}

/// A migration in a `migrations/` folder must live in the file named after its id, so that the
/// file list and the ledger always agree.
fn check_file_name(args: &MigrationArgs, source_file: Option<&Path>) -> syn::Result<()> {
    let Some(file) = source_file else {
        return Ok(());
    };
    let in_migrations_dir = file
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|dir| dir == "migrations");
    let stem = file
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("");
    if !in_migrations_dir
        || ormed_migrate_id::MigrationId::parse(stem).ok() == Some(args.id.clone())
    {
        return Ok(());
    }
    Err(syn::Error::new(
        args.literal.span(),
        format!(
            "this migration's id is `{id}` but its file is `{file}`; a migration file is named \
             after its id: rename the file to `{id}.rs` or correct the id",
            id = args.id,
            file = file
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn pretty(tokens: TokenStream) -> String {
        tokens.to_string()
    }

    fn users_impl() -> TokenStream {
        quote! {
            impl Migration for CreateUsersTable {
                fn up(&self, schema: &mut Schema) { schema.create("users", |t| { t.id(); }); }
                fn down(&self, schema: &mut Schema) { schema.drop("users"); }
            }
        }
    }

    fn compile_errors(output: &TokenStream) -> usize {
        output.to_string().matches("compile_error").count()
    }

    #[test]
    fn expansion_keeps_the_impl_and_submits_a_registration() {
        let output = expand(
            quote!("m_20241201000000_create_users_table"),
            users_impl(),
            None,
        );
        let text = pretty(output.clone());
        assert!(text.starts_with(&users_impl().to_string()), "{text}");
        let sum = checksum(&users_impl());
        let expected = quote! {
            const _: () = {
                ::ormed_migrate::__private::inventory::submit! {
                    ::ormed_migrate::__private::Registration::new(
                        "m_20241201000000_create_users_table",
                        #sum,
                        ::core::file!(),
                        ::core::line!(),
                        false,
                        ::ormed_migrate::__private::construct::<CreateUsersTable>,
                    )
                }
            };
        };
        assert!(text.ends_with(&expected.to_string()), "{text}");
        assert_eq!(compile_errors(&output), 0);
    }

    /// The whole expansion, pretty-printed, as a reviewer would read it.
    #[test]
    fn expansion_snapshot() {
        let output = expand(
            quote!("m_20241201000000_create_users_table", no_transaction),
            users_impl(),
            None,
        );
        let file: syn::File = syn::parse2(output).expect("the expansion is valid Rust");
        let pretty = prettyplease::unparse(&file);
        let checksum = checksum(&users_impl());
        insta::assert_snapshot!(pretty.replace(&checksum, "sha256:<checksum of the impl>"));
    }

    #[test]
    fn legacy_ids_are_registered_canonically_and_options_pass_through() {
        let output = expand(
            quote!("2024_12_01_000000_create_users_table", no_transaction),
            users_impl(),
            None,
        );
        let text = pretty(output);
        assert!(text.contains("\"m_20241201000000_create_users_table\""));
        assert!(text.contains("true ,"));
    }

    #[test]
    fn every_misuse_emits_the_item_and_exactly_one_error() {
        let strukt = quote!(
            struct CreateUsersTable;
        );
        let inherent = quote!(impl CreateUsersTable { fn up(&self) {} });
        let other_trait =
            quote!(impl Default for CreateUsersTable { fn default() -> Self { Self } });
        let generic = quote!(
            impl<T> Migration for Wrapper<T> {}
        );
        let cases = [
            (quote!(), users_impl(), "needs the migration id"),
            (quote!("create_users"), users_impl(), "invalid migration id"),
            (
                quote!("m_20241201000000_x", nope),
                users_impl(),
                "unknown #[migration] option",
            ),
            (quote!("m_20241201000000_x"), strukt, "not on a struct"),
            (
                quote!("m_20241201000000_x"),
                inherent,
                "not on an inherent impl",
            ),
            (
                quote!("m_20241201000000_x"),
                other_trait,
                "impl of the `Migration` trait",
            ),
            (quote!("m_20241201000000_x"), generic, "one concrete type"),
        ];
        for (args, item, message) in cases {
            let output = expand(args, item.clone(), None);
            let text = output.to_string();
            assert!(text.starts_with(&item.to_string()), "item kept: {text}");
            assert_eq!(compile_errors(&output), 1, "{text}");
            assert!(text.contains(message), "{message:?} in {text}");
            assert!(
                !text.contains("inventory"),
                "no registration on error: {text}"
            );
        }
    }

    #[test]
    fn file_in_migrations_dir_must_be_named_after_its_id() {
        let id = quote!("m_20241201000000_create_users_table");
        let good = Path::new("/app/src/migrations/m_20241201000000_create_users_table.rs");
        let legacy_name = Path::new("/app/src/migrations/2024_12_01_000000_create_users_table.rs");
        let bad = Path::new("/app/src/migrations/m_20241201000000_users.rs");
        let elsewhere = Path::new("/app/src/main.rs");
        for ok in [good, legacy_name, elsewhere] {
            assert_eq!(
                compile_errors(&expand(id.clone(), users_impl(), Some(ok))),
                0
            );
        }
        let output = expand(id, users_impl(), Some(bad)).to_string();
        assert!(output.contains("rename the file to `m_20241201000000_create_users_table.rs`"));
    }

    #[test]
    fn the_checksum_covers_the_whole_impl() {
        let a = expand(quote!("m_20241201000000_x"), users_impl(), None).to_string();
        let edited = quote! {
            impl Migration for CreateUsersTable {
                fn up(&self, schema: &mut Schema) { schema.create("people", |t| { t.id(); }); }
                fn down(&self, schema: &mut Schema) { schema.drop("users"); }
            }
        };
        let b = expand(quote!("m_20241201000000_x"), edited, None).to_string();
        let sum = |text: &str| text.split("sha256:").nth(1).map(|s| s[..64].to_owned());
        assert!(sum(&a).is_some());
        assert_ne!(sum(&a), sum(&b));
    }
}
