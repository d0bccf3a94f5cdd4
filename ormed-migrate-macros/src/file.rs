//! Which tokens of a migration file (`migrations/<id>.rs`) the checksum covers.
//!
//! One migration per file, so everything in the file is part of the migration: a helper function
//! returning SQL or a constant beside the impl must be checksummed with it. Left out:
//! - `use` declarations: rustfmt sorts them, and a new style edition sorts them differently, so
//!   they move without any change in meaning (and a wrong import is a compile error anyway);
//! - items carrying exactly `#[cfg(test)]`: they are not in the migration that runs.
//!
//! Everything else is kept in file order, as the compiler's lexer produced it: the file's inner
//! attributes (`#![allow(…)]`; `//!` docs are doc attributes, which the walk drops) and every item,
//! the impl with its own `#[migration(…)]` attribute included, so that `no_transaction` is covered.
//!
//! syn only finds where each item starts and ends; the tokens hashed are the lexer's own, never
//! syn's re-printing of them, so a syn upgrade that prints some syntax differently cannot change a
//! checksum.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, Item, Meta};

/// The covered tokens of a migration file's source text: its inner attributes, then its items
/// except `use` declarations and `#[cfg(test)]` items.
pub fn covered_tokens(source: &str) -> syn::Result<TokenStream> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let tokens: TokenStream = without_shebang(source)
        .parse()
        .map_err(|error| syn::Error::new(proc_macro2::Span::call_site(), error))?;
    covered_items.parse2(tokens)
}

/// Like `syn::parse_file`: a first line `#!…` that does not open an inner attribute is a shebang,
/// not Rust.
fn without_shebang(source: &str) -> &str {
    let is_shebang = source
        .strip_prefix("#!")
        .is_some_and(|rest| !rest.trim_start().starts_with('['));
    if !is_shebang {
        return source;
    }
    source.find('\n').map_or("", |newline| &source[newline..])
}

fn covered_items(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut covered = TokenStream::new();
    let begin = input.cursor();
    input.call(Attribute::parse_inner)?;
    covered.extend(tokens_between(begin, input.cursor()));
    while !input.is_empty() {
        let begin = input.cursor();
        let test_only = input
            .fork()
            .call(Attribute::parse_outer)?
            .iter()
            .any(is_cfg_test);
        let item: Item = input.parse()?;
        if !test_only && !matches!(item, Item::Use(_)) {
            covered.extend(tokens_between(begin, input.cursor()));
        }
    }
    Ok(covered)
}

/// The token trees from `begin` up to (not including) `end`, at one nesting level.
fn tokens_between<'a>(
    begin: syn::buffer::Cursor<'a>,
    end: syn::buffer::Cursor<'a>,
) -> Vec<proc_macro2::TokenTree> {
    let mut tokens = Vec::new();
    let mut cursor = begin;
    while cursor != end {
        let Some((token, next)) = cursor.token_tree() else {
            break;
        };
        tokens.push(token);
        cursor = next;
    }
    tokens
}

/// Exactly `#[cfg(test)]`: `#[cfg(any(test, feature = "x"))]` also builds outside tests, so an item
/// carrying it stays covered.
fn is_cfg_test(attribute: &Attribute) -> bool {
    match &attribute.meta {
        Meta::List(list) if list.path.is_ident("cfg") => {
            syn::parse2::<Ident>(list.tokens.clone()).is_ok_and(|ident| ident == "test")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::{canonical_form, checksum};

    fn form(source: &str) -> String {
        canonical_form(&covered_tokens(source).expect("test source parses"))
    }

    #[test]
    fn use_declarations_and_test_items_are_left_out() {
        let source = r#"
            use a::b;
            pub use c::{d, e};
            const X: u8 = 1;
            #[cfg(test)]
            mod tests { fn t() {} }
            #[cfg(test)]
            fn only_in_tests() {}
            fn helper() {}
        "#;
        assert_eq!(form(source), form("const X: u8 = 1; fn helper() {}"));
    }

    #[test]
    fn only_exactly_cfg_test_is_left_out() {
        for kept in [
            "#[cfg(any(test, feature = \"x\"))] fn f() {}",
            "#[cfg(not(test))] fn f() {}",
            "#[cfg(feature = \"test\")] fn f() {}",
            "#[cfg_attr(test, allow(dead_code))] fn f() {}",
        ] {
            assert_eq!(
                form(kept),
                canonical_form(&kept.parse().expect("tokenizes"))
            );
        }
        assert_eq!(form("#[allow(dead_code)] #[cfg(test)] fn f() {}"), "");
    }

    #[test]
    fn inner_attributes_count_and_inner_docs_do_not() {
        assert_ne!(form("#![allow(dead_code)] fn f() {}"), form("fn f() {}"));
        assert_eq!(form("//! Docs.\nfn f() {}"), form("fn f() {}"));
    }

    #[test]
    fn the_tokens_are_the_lexers_not_syns_reprinting() {
        // syn would print `(1 + 2)` back the same way, but the point is that nothing is
        // re-printed at all: the covered stream is the source's own tokens.
        let source = "fn f() -> u32 { (1 + 2) * 3 }";
        assert_eq!(
            covered_tokens(source).expect("parses").to_string(),
            source
                .parse::<TokenStream>()
                .expect("tokenizes")
                .to_string()
        );
    }

    #[test]
    fn a_byte_order_mark_or_shebang_is_not_code() {
        assert_eq!(form("\u{feff}fn f() {}"), form("fn f() {}"));
        assert_eq!(form("#!/usr/bin/env run\nfn f() {}"), form("fn f() {}"));
        assert_eq!(
            form("#![allow(x)]\nfn f() {}"),
            form("#![allow(x)] fn f() {}")
        );
    }

    #[test]
    fn what_is_not_rust_items_is_an_error() {
        for bad in ["fn (", "\"unterminated", "let x = 1;"] {
            assert!(covered_tokens(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            checksum(&covered_tokens("").expect("empty file")),
            checksum(&TokenStream::new())
        );
    }
}
