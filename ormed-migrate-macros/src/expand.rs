//! The `#[migration]` pipeline as plain Rust: parse, validate, expand.
//!
//! Nothing here needs `proc_macro` (`file` only asks whether it is there), so unit tests call
//! [`expand`] directly. On any error the original item is emitted unchanged next to exactly one
//! `compile_error!`, so the user sees the real problem and not a cascade of "no method `up`"
//! errors.

use std::io;
use std::path::Path;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Item, ItemImpl};

use crate::args::{MigrationArgs, MigrationOptions};
use crate::checksum::checksum;
use crate::file::covered_tokens;

/// Reads a migration file's source text; [`expand_with`] takes one so tests need no files.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> io::Result<String>;

/// Expands `#[migration(args)] item`. `source_file` is the file the attribute is in, when known.
pub fn expand(args: TokenStream, item: TokenStream, source_file: Option<&Path>) -> TokenStream {
    expand_with(args, item, source_file, &|path| {
        std::fs::read_to_string(path)
    })
}

/// [`expand`], reading the migration file (if it is one) with `read`.
pub fn expand_with(
    args: TokenStream,
    item: TokenStream,
    source_file: Option<&Path>,
    read: ReadFile<'_>,
) -> TokenStream {
    match registration(args, &item, source_file, read) {
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
    read: ReadFile<'_>,
) -> syn::Result<TokenStream> {
    let args = MigrationArgs::from_tokens(args)?;
    let self_ty = match plain_migration_impl(item) {
        Some(self_ty) => self_ty,
        None => migration_impl(syn::parse2(item.clone())?)?
            .self_ty
            .into_token_stream(),
    };
    check_file_name(&args, source_file)?;

    let id = args.id.to_string();
    let checksum = match source_file.filter(|file| in_migrations_dir(file)) {
        Some(file) => file_checksum(file, read)
            .map_err(|problem| syn::Error::new(args.literal.span(), problem))?,
        None => checksum(item),
    };
    let options = registration_options(&args.options);
    Ok(quote! {
        const _: () = {
            ::ormed_migrate::__private::inventory::submit! {
                ::ormed_migrate::__private::Registration::new(
                    #id,
                    #checksum,
                    ::core::file!(),
                    ::core::line!(),
                    #options,
                    ::ormed_migrate::__private::construct::<#self_ty>,
                )
            }
        };
    })
}

/// The `RegistrationOptions` value for `options`: the options that are set, then
/// `..RegistrationOptions::DEFAULT`, so an option added later leaves the expansion of every
/// migration that doesn't use it unchanged. With none set, `RegistrationOptions::DEFAULT` itself.
fn registration_options(options: &MigrationOptions) -> TokenStream {
    let default = quote!(::ormed_migrate::__private::RegistrationOptions::DEFAULT);
    // No `..` in the pattern: a new option does not compile until it is expanded here too.
    let MigrationOptions { no_transaction } = options;
    let mut set = Vec::new();
    if *no_transaction {
        set.push(quote!(no_transaction: true));
    }
    if set.is_empty() {
        return default;
    }
    quote!(::ormed_migrate::__private::RegistrationOptions { #(#set,)* ..#default })
}

/// The checksum of a whole migration file (see the `file` module for what it covers). A file
/// that cannot be read or parsed is an error, never a fallback to the impl alone: the checksum
/// would then depend on the machine that built it.
fn file_checksum(file: &Path, read: ReadFile<'_>) -> Result<String, String> {
    let unusable = |what: &str, problem: &dyn std::fmt::Display| {
        format!(
            "#[migration] checksums the whole migration file it is in, but could not {what} `{}`: \
             {problem}",
            file.display()
        )
    };
    let source = read(file).map_err(|error| unusable("read", &error))?;
    let covered = covered_tokens(&source).map_err(|error| unusable("parse", &error))?;
    Ok(checksum(&covered))
}

/// The self type of an item that is exactly `impl <path> for <path> { … }` (outer attributes
/// allowed before it) whose trait path ends in `Migration`, each path only identifiers and `::`.
/// Such an impl passes every check of [`migration_impl`], so its type is read from its top-level
/// tokens, sparing a parse of its whole body (a third of the macro's time in a debug build, where
/// syn is not optimized: BENCHMARKS.md, W4). Anything else (generics, `where`, `unsafe`, `!`,
/// another trait, not an impl) is `None` and takes the full parse, with its errors.
fn plain_migration_impl(item: &TokenStream) -> Option<TokenStream> {
    let mut tokens = item.clone().into_iter().peekable();
    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        tokens.next();
        match tokens.next()? {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {}
            _ => return None,
        }
    }
    fn is_word(token: Option<&TokenTree>, word: &str) -> bool {
        matches!(token, Some(TokenTree::Ident(ident)) if ident == word)
    }
    if !is_word(tokens.next().as_ref(), "impl") {
        return None;
    }
    let trait_path = simple_path(&mut tokens)?;
    if !is_word(trait_path.last(), "Migration") || !is_word(tokens.next().as_ref(), "for") {
        return None;
    }
    let self_ty = simple_path(&mut tokens)?;
    match tokens.next()? {
        TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {}
        _ => return None,
    }
    tokens
        .next()
        .is_none()
        .then(|| self_ty.into_iter().collect())
}

/// `a`, `a::b` or `::a::b` at the start of `tokens`, as its tokens; `None` when what starts there
/// is not one.
fn simple_path(
    tokens: &mut std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
) -> Option<Vec<TokenTree>> {
    let mut path = Vec::new();
    loop {
        // `::` before the first segment, or between two.
        match tokens.peek() {
            Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint => {
                path.extend(tokens.next());
                match tokens.next()? {
                    TokenTree::Punct(p) if p.as_char() == ':' => path.push(TokenTree::Punct(p)),
                    _ => return None,
                }
            }
            _ if path.is_empty() => {}
            _ => return Some(path),
        }
        match tokens.next()? {
            ident @ TokenTree::Ident(_) => path.push(ident),
            _ => return None,
        }
    }
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
    let stem = file
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("");
    if !in_migrations_dir(file)
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

/// Whether `file` is a migration file: one whose folder is named `migrations`.
fn in_migrations_dir(file: &Path) -> bool {
    file.parent()
        .and_then(Path::file_name)
        .is_some_and(|dir| dir == "migrations")
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

    /// `users_impl()` in the file it would be in, with its attribute.
    fn users_file() -> String {
        format!(
            "use ormed_migrate::prelude::*;\n\
             #[migration(\"m_20241201000000_create_users_table\")]\n{}",
            users_impl()
        )
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
                        ::ormed_migrate::__private::RegistrationOptions::DEFAULT,
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
    fn plain_impls_skip_the_full_parse_and_agree_with_it() {
        let plain = [
            users_impl(),
            quote!(
                #[doc = " Docs."]
                #[allow(dead_code)]
                impl ormed_migrate::prelude::Migration for self::CreateUsersTable {}
            ),
            quote!(impl ::ormed_migrate::Migration for crate::a::B { fn up(&self, s: &mut Schema) {} }),
        ];
        for item in plain {
            let self_ty = plain_migration_impl(&item).expect("a plain impl");
            let parsed = migration_impl(syn::parse2(item.clone()).expect("parses")).expect("valid");
            assert_eq!(
                self_ty.to_string(),
                parsed.self_ty.to_token_stream().to_string(),
                "{item}"
            );
        }
        let full_parse = [
            quote!(
                impl<T> Migration for W<T> {}
            ),
            quote!(impl Migration for W<u8> {}),
            quote!(impl Migration for A where A: Sized {}),
            quote!(
                unsafe impl Migration for A {}
            ),
            quote!(impl !Migration for A {}),
            quote!(impl Default for A {}),
            quote!(impl Migration<u8> for A {}),
            quote!(impl A {}),
            quote!(impl Migration for &A {}),
            quote!(impl Migration for A::<> {}),
            quote!(impl Migration for A {} fn extra() {}),
            quote!(
                struct A;
            ),
        ];
        for item in full_parse {
            assert!(plain_migration_impl(&item).is_none(), "{item}");
        }
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
        let options = registration_options(&MigrationOptions {
            no_transaction: true,
        });
        assert!(text.contains(&options.to_string()), "{text}");
    }

    #[test]
    fn options_are_one_value_naming_only_those_set() {
        let none = registration_options(&MigrationOptions::default());
        assert_eq!(
            none.to_string(),
            quote!(::ormed_migrate::__private::RegistrationOptions::DEFAULT).to_string()
        );
        let no_transaction = registration_options(&MigrationOptions {
            no_transaction: true,
        });
        let expected = quote! {
            ::ormed_migrate::__private::RegistrationOptions {
                no_transaction: true,
                ..::ormed_migrate::__private::RegistrationOptions::DEFAULT
            }
        };
        assert_eq!(no_transaction.to_string(), expected.to_string());
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
            (
                quote!("m_20241201000000_x", no_transaction, no_transaction),
                users_impl(),
                "`no_transaction` is given twice; write it once",
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
        let read = |_: &Path| Ok(users_file());
        for ok in [good, legacy_name, elsewhere] {
            assert_eq!(
                compile_errors(&expand_with(id.clone(), users_impl(), Some(ok), &read)),
                0
            );
        }
        let output = expand_with(id, users_impl(), Some(bad), &read).to_string();
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

    /// The tests below start from the pinned fixture and edit its text.
    const FIXTURE_PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/checksum/migrations/m_20240101000100_pinned_file_checksum.rs"
    );
    const FIXTURE: &str = include_str!(
        "../../tests/fixtures/checksum/migrations/m_20240101000100_pinned_file_checksum.rs"
    );
    const FIXTURE_ID: &str = "m_20240101000100_pinned_file_checksum";

    /// The impl block of a migration file as the compiler hands it to the attribute: without
    /// the `#[migration]` attribute itself.
    fn impl_of(source: &str) -> TokenStream {
        let file = syn::parse_file(source).expect("the migration file parses");
        let mut migration_impl = file
            .items
            .into_iter()
            .find_map(|item| match item {
                Item::Impl(migration_impl) => Some(migration_impl),
                _ => None,
            })
            .expect("the file has an impl");
        migration_impl
            .attrs
            .retain(|attr| !attr.path().is_ident("migration"));
        migration_impl.into_token_stream()
    }

    /// The checksum a successful expansion registers.
    fn registered_checksum(output: &TokenStream) -> String {
        assert_eq!(compile_errors(output), 0, "{output}");
        let text = output.to_string();
        let hex = text
            .split("\"sha256:")
            .nth(1)
            .map(|rest| &rest[..64])
            .expect("a checksum");
        format!("sha256:{hex}")
    }

    /// The checksum of `source` as the fixture's file, in `migrations/`.
    fn file_sum(source: &str) -> String {
        let read = |_: &Path| Ok(source.to_owned());
        let path = Path::new("/app/src/migrations/m_20240101000100_pinned_file_checksum.rs");
        registered_checksum(&expand_with(
            quote!(#FIXTURE_ID),
            impl_of(source),
            Some(path),
            &read,
        ))
    }

    /// Also pinned in tests/tests/checksum.rs, where the real compiler computes it through
    /// `#[migration]` from the same file: proc-macro2's fallback here and the compiler must
    /// agree, today and after toolchain and syn upgrades.
    #[test]
    fn pinned_file_fixture_checksum() {
        let output = expand(
            quote!(#FIXTURE_ID),
            impl_of(FIXTURE),
            Some(Path::new(FIXTURE_PATH)),
        );
        assert_eq!(registered_checksum(&output), PINNED_FILE_CHECKSUM);
        assert_eq!(file_sum(FIXTURE), PINNED_FILE_CHECKSUM);
    }

    const PINNED_FILE_CHECKSUM: &str =
        "sha256:c8d8260e700a0f225e5689521828b84747271736a2e28a8a9a0490b9e67898e3";

    /// Replaces `from` (which must occur) in the fixture.
    fn edited(from: &str, to: &str) -> String {
        assert!(FIXTURE.contains(from), "{from:?} is in the fixture");
        FIXTURE.replacen(from, to, 1)
    }

    #[test]
    fn code_outside_the_impl_is_covered() {
        for (from, to) in [
            ("FROM pinned_file\"", "FROM pinned_files\""),
            ("<= {MAX_NAME}", "< {MAX_NAME}"),
            ("MAX_NAME: u32 = 1_000", "MAX_NAME: u32 = 255"),
            ("#[derive(Default)]", "#[derive(Default, Debug)]"),
            (
                "(\"m_20240101000100_pinned_file_checksum\")",
                "(\"m_20240101000100_pinned_file_checksum\", no_transaction)",
            ),
            ("}\n\n#[cfg(test)]", "}\n\nfn unused() {}\n\n#[cfg(test)]"),
        ] {
            assert_ne!(
                file_sum(&edited(from, to)),
                PINNED_FILE_CHECKSUM,
                "{from:?} -> {to:?}"
            );
        }
    }

    #[test]
    fn use_lines_test_modules_and_formatting_are_not() {
        let imports = "use std::fmt::Write as _;\n\nuse ormed_migrate::prelude::*;\n";
        let reindented: String = FIXTURE
            .lines()
            .map(|line| format!("\t{}\n\n", line.trim_start()))
            .collect();
        for variant in [
            edited(
                imports,
                "use ormed_migrate::prelude::*;\nuse std::fmt::Write as _;\n",
            ),
            edited(
                imports,
                "use ormed_migrate::prelude::{Migration, Schema, migration};\nuse std::collections::HashMap;\nuse std::fmt::{self, Write as _};\n",
            ),
            edited(
                "assert!(super::create_view_sql().ends_with(\"<= 1000\"));",
                "assert_eq!(1 + 1, 2);",
            ),
            edited(
                "mod tests {",
                "mod tests {\n    use super::*;\n    const EXTRA: u8 = 1;",
            ),
            edited(
                "/// The longest name",
                "// A comment.\n/** Block docs. */\n/// The longest name",
            ),
            edited(
                "    fn down",
                "    /* a block\n       comment */\n\n\n    fn down",
            ),
            edited("t.id();\n", "t.id(); // the primary key\n"),
            edited(
                "(&self, schema: &mut Schema)",
                "( & self , schema : & mut Schema , )",
            ),
            reindented,
        ] {
            assert_eq!(file_sum(&variant), PINNED_FILE_CHECKSUM, "{variant}");
        }
    }

    #[test]
    fn outside_a_migrations_folder_only_the_impl_counts() {
        let never_read = |path: &Path| -> io::Result<String> {
            panic!(
                "{} is not a migration file and must not be read",
                path.display()
            )
        };
        for path in [
            None,
            Some(Path::new("/app/src/main.rs")),
            Some(Path::new("/app/src/migrations.rs")),
        ] {
            let output = expand_with(quote!(#FIXTURE_ID), impl_of(FIXTURE), path, &never_read);
            assert_eq!(registered_checksum(&output), checksum(&impl_of(FIXTURE)));
        }
        assert_ne!(checksum(&impl_of(FIXTURE)), PINNED_FILE_CHECKSUM);
    }

    #[test]
    fn an_unreadable_or_unparsable_file_is_one_error_and_no_fallback() {
        let path = Path::new("/app/src/migrations/m_20240101000100_pinned_file_checksum.rs");
        let missing = |_: &Path| Err(io::Error::new(io::ErrorKind::NotFound, "no such file"));
        let garbage = |_: &Path| Ok(String::from("fn ("));
        // The error is made at the id literal's span, like the file-name error, whose position
        // tests/tests/linking.rs checks in a real build; proc-macro2's fallback has no positions.
        let cases: [(ReadFile<'_>, &str); 2] =
            [(&missing, "could not read"), (&garbage, "could not parse")];
        for (read, problem) in cases {
            let output = expand_with(quote!(#FIXTURE_ID), impl_of(FIXTURE), Some(path), read);
            let text = output.to_string();
            assert!(
                text.starts_with(&impl_of(FIXTURE).to_string()),
                "item kept: {text}"
            );
            assert_eq!(compile_errors(&output), 1, "{text}");
            assert!(
                text.contains(&format!(
                    "#[migration] checksums the whole migration file it is in, but {problem} `{}`",
                    path.display()
                )),
                "{text}"
            );
            assert!(!text.contains("inventory"), "no registration: {text}");
        }
        // The real reader, on a file that is not there.
        let gone = Path::new("/nonexistent/migrations/m_20240101000100_pinned_file_checksum.rs");
        let output = expand(quote!(#FIXTURE_ID), impl_of(FIXTURE), Some(gone));
        assert_eq!(compile_errors(&output), 1, "{output}");
    }
}
