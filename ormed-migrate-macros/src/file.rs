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
//! syn (or, for a plain impl, a shortcut that agrees with it) only finds where each item starts
//! and ends; the tokens hashed are the lexer's own, never syn's re-printing of them, so a syn
//! upgrade that prints some syntax differently cannot change a checksum.

use proc_macro2::{Delimiter, TokenStream};
use syn::buffer::Cursor;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, Item, Meta};

/// The covered tokens of a migration file's source text: its inner attributes, then its items
/// except `use` declarations and `#[cfg(test)]` items.
pub fn covered_tokens(source: &str) -> syn::Result<TokenStream> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let tokens = lex(without_shebang(source))
        .map_err(|error| syn::Error::new(proc_macro2::Span::call_site(), error))?;
    (|input: ParseStream<'_>| covered_items(input, Walk::Shortcut)).parse2(tokens)
}

/// Whether the walk steps over plain impls at their body (the macro's way) or parses every item
/// (the tests' reference).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    Shortcut,
    #[cfg(test)]
    ParseAll,
}

/// The tokens of `source`. Inside the compiler, its own lexer, called directly: the file is the
/// one the attribute is in, which the compiler has just lexed itself, so proc-macro2's check of
/// the text with its own lexer first (0.2 ms a migration in a debug build, where proc-macro2 is
/// not optimized: BENCHMARKS.md, W4) could only repeat a check that passed. The tokens are the
/// compiler's either way. Outside (unit tests), proc-macro2's lexer.
fn lex(source: &str) -> Result<TokenStream, String> {
    if proc_macro::is_available() {
        return source
            .parse::<proc_macro::TokenStream>()
            .map(TokenStream::from)
            .map_err(|error| error.to_string());
    }
    source
        .parse::<TokenStream>()
        .map_err(|error| error.to_string())
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

fn covered_items(input: ParseStream<'_>, walk: Walk) -> syn::Result<TokenStream> {
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
        let is_use = if walk == Walk::Shortcut && skip_plain_impl(input)? {
            false
        } else {
            matches!(input.parse::<Item>()?, Item::Use(_))
        };
        if !test_only && !is_use {
            covered.extend(tokens_between(begin, input.cursor()));
        }
    }
    Ok(covered)
}

/// Steps over the item at the start of `input` when it is a plain impl (see [`plain_impl_end`])
/// and says whether it did. An impl is most of a migration file, and syn parsing its body only to
/// find where it ends is most of the walk's time in a debug build, where syn is not optimized.
fn skip_plain_impl(input: ParseStream<'_>) -> syn::Result<bool> {
    let fork = input.fork();
    fork.call(Attribute::parse_outer)?;
    let skipped = fork.step(|cursor| match plain_impl_end(*cursor) {
        Some(end) => Ok(((), end)),
        None => Err(cursor.error("not a plain impl")),
    });
    if skipped.is_ok() {
        input.advance_to(&fork);
    }
    Ok(skipped.is_ok())
}

/// Where an item that is `impl` followed by nothing but identifiers and `:` up to a brace group
/// ends: right after that group, its body. (With no `<`, `!` or other group before it, the first
/// brace group after `impl` is the body: nothing else in an impl's header is in braces.) `None`
/// for anything else, which syn parses in full.
fn plain_impl_end(cursor: Cursor<'_>) -> Option<Cursor<'_>> {
    let (keyword, mut cursor) = cursor.ident()?;
    if keyword != "impl" {
        return None;
    }
    loop {
        if let Some((_, _, after)) = cursor.group(Delimiter::Brace) {
            return Some(after);
        }
        if let Some((_, next)) = cursor.ident() {
            cursor = next;
            continue;
        }
        match cursor.punct() {
            Some((punct, next)) if punct.as_char() == ':' => cursor = next,
            _ => return None,
        }
    }
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

    /// The walk without the plain-impl shortcut: every item parsed by syn.
    fn covered_by_syn(source: &str) -> TokenStream {
        (|input: ParseStream<'_>| covered_items(input, Walk::ParseAll))
            .parse2(source.parse().expect("tokenizes"))
            .expect("test source parses")
    }

    #[test]
    fn the_plain_impl_shortcut_ends_items_where_syn_does() {
        let plain = [
            "impl Migration for A { fn up(&self, s: &mut Schema) { s.raw(\"{\"); } }",
            "impl A { const N: u8 = { 1 }; }",
            "impl ormed_migrate::Migration for self::A {} const AFTER: u8 = 1;",
            "/// Docs.\n#[migration(\"m_20241201000000_a\", no_transaction)]\n#[allow(x)] impl Migration for A where A: Sized { fn up(&self) {} }",
            "#[cfg(test)] impl A { fn t() {} } fn kept() {}",
            "impl A {} impl B {} struct S { a: u8 }",
        ];
        let full_parse_only = [
            "impl<T> Migration for A<T> { } fn f() {}",
            "impl Migration for A<{ 1 }> {} fn f() {}",
            "unsafe impl Send for A {} fn f() {}",
            "impl !Send for A {} fn f() {}",
            "impl Migration for [u8; { 3 }] {} fn f() {}",
            "impl Migration for A where A: Into<B> {} fn f() {}",
            "pub(crate) fn f() {} impl A {}",
        ];
        for source in plain.iter().chain(&full_parse_only) {
            assert_eq!(
                covered_tokens(source).expect("parses").to_string(),
                covered_by_syn(source).to_string(),
                "{source}"
            );
        }
        for source in plain {
            assert!(takes_shortcut(source), "the shortcut takes {source}");
        }
        for source in full_parse_only {
            assert!(!takes_shortcut(source), "the shortcut leaves {source}");
        }
    }

    /// Whether the walk steps over the first item of `source` by the shortcut.
    fn takes_shortcut(source: &str) -> bool {
        let first = |input: ParseStream<'_>| -> syn::Result<bool> {
            let taken = skip_plain_impl(input)?;
            input.parse::<TokenStream>()?;
            Ok(taken)
        };
        first
            .parse2(source.parse().expect("tokenizes"))
            .expect("parses")
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
