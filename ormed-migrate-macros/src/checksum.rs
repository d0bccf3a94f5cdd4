//! The checksum of a migration's code: SHA-256 over a canonical walk of its tokens (the covered
//! items of its file in a `migrations/` folder, see `file`; its impl block elsewhere).
//!
//! `TokenStream::to_string()` is not used: its spacing differs between compiler versions, with
//! source formatting, and between the compiler and proc-macro2's fallback used in unit tests. The
//! walk below depends only on what the tokens *mean*:
//! - one space between tokens, whatever the source spacing or `Spacing::Joint`;
//! - groups by their delimiters; invisible groups by their contents only, as if they were not
//!   there at all;
//! - literals by their value (`1_000` = `1000` = `0x3e8`, `"x"` = `r#"x"#`), plus any suffix;
//! - `r#ident` as `ident`;
//! - `#[doc]` attributes (doc comments) dropped; plain comments never reach a macro at all;
//! - a trailing comma before a closing delimiter dropped (rustfmt adds it when a call wraps).

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};
use sha2::{Digest, Sha256};

/// `sha256:<64 lowercase hex digits>` of the canonical form of `tokens`.
pub fn checksum(tokens: &TokenStream) -> String {
    let digest = Sha256::digest(canonical_form(tokens).as_bytes());
    // The format every part of ormed-migrate shares, defined once in the id crate.
    ormed_migrate_id::checksum::format_sha256(&digest.into())
}

/// The text that is hashed; public within the crate so tests can show what changed.
pub fn canonical_form(tokens: &TokenStream) -> String {
    let mut out = String::new();
    walk(tokens.clone(), &mut out);
    out
}

fn walk(tokens: TokenStream, out: &mut String) {
    let tokens = flattened(tokens);
    let mut index = 0;
    while index < tokens.len() {
        if let Some(len) = doc_attribute_len(&tokens[index..]) {
            index += len;
            continue;
        }
        if is_trailing_comma(&tokens, index) {
            index += 1;
            continue;
        }
        let after_call_name = index > 0 && is_callee(&tokens[index - 1]);
        write_token(&tokens[index], after_call_name, out);
        index += 1;
    }
}

/// The token trees of `tokens` with each invisible group replaced by its contents, so that what
/// the walk sees around a token (a trailing comma, a call, a 1-tuple) is the same with or without
/// them: `macro_rules!` wraps substituted fragments in invisible groups.
fn flattened(tokens: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for token in tokens {
        match token {
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                out.extend(flattened(group.stream()));
            }
            other => out.push(other),
        }
    }
    out
}

/// A `,` right before a closing delimiter: rustfmt adds and removes these as lines wrap, and
/// they carry no meaning there. (A 1-tuple's comma is kept: see `write_token`.)
fn is_trailing_comma(tokens: &[TokenTree], index: usize) -> bool {
    index + 1 == tokens.len() && is_comma(&tokens[index])
}

fn is_comma(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == ',')
}

/// A token after which `( … )` is an argument list, not a tuple: a name (`f(x,)`), a macro
/// (`m!(x,)`) or a call result (`f()(x,)`).
fn is_callee(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(_) => true,
        TokenTree::Punct(p) => p.as_char() == '!',
        TokenTree::Group(_) => true, // invisible groups are flattened away
        TokenTree::Literal(_) => false,
    }
}

/// `(x,)` outside a call is a 1-tuple, a different value from `(x)`: its comma counts.
fn is_one_tuple(group: &proc_macro2::Group, after_call_name: bool) -> bool {
    if after_call_name || group.delimiter() != Delimiter::Parenthesis {
        return false;
    }
    let tokens = flattened(group.stream());
    let commas = tokens.iter().filter(|t| is_comma(t)).count();
    commas == 1 && tokens.len() > 1 && tokens.last().is_some_and(is_comma)
}

fn write_token(token: &TokenTree, after_call_name: bool, out: &mut String) {
    match token {
        TokenTree::Group(group) => {
            let (open, close) = match group.delimiter() {
                Delimiter::Parenthesis => ("(", ")"),
                Delimiter::Brace => ("{", "}"),
                Delimiter::Bracket => ("[", "]"),
                // Not reached from `walk`, which flattens invisible groups first.
                Delimiter::None => return walk(group.stream(), out),
            };
            push(out, open);
            walk(group.stream(), out);
            if is_one_tuple(group, after_call_name) {
                push(out, ",");
            }
            push(out, close);
        }
        TokenTree::Ident(ident) => {
            let text = ident.to_string();
            push(out, text.strip_prefix("r#").unwrap_or(&text));
        }
        TokenTree::Punct(punct) => push(out, &punct.as_char().to_string()),
        TokenTree::Literal(literal) => push(out, &literal_value(literal)),
    }
}

fn push(out: &mut String, token: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(token);
}

/// Length of a `#[doc …]` or `#![doc …]` attribute at the start of `tokens`, if there is one.
fn doc_attribute_len(tokens: &[TokenTree]) -> Option<usize> {
    let is_punct = |token: Option<&TokenTree>, ch: char| matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == ch);
    if !is_punct(tokens.first(), '#') {
        return None;
    }
    let bracket_at = if is_punct(tokens.get(1), '!') { 2 } else { 1 };
    match tokens.get(bracket_at) {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Bracket => {
            let first = group.stream().into_iter().next();
            matches!(first, Some(TokenTree::Ident(ident)) if ident == "doc")
                .then_some(bracket_at + 1)
        }
        _ => None,
    }
}

/// A literal by kind and value, so that different spellings of one value agree.
fn literal_value(literal: &Literal) -> String {
    use syn::Lit;
    match Lit::new(literal.clone()) {
        Lit::Str(s) => tagged("str", &s.value(), s.suffix()),
        Lit::ByteStr(s) => tagged("bytes", &format!("{:?}", s.value()), s.suffix()),
        Lit::CStr(s) => tagged("cstr", &format!("{:?}", s.value()), s.suffix()),
        Lit::Byte(b) => tagged("byte", &b.value().to_string(), b.suffix()),
        Lit::Char(c) => tagged("char", &c.value().to_string(), c.suffix()),
        Lit::Int(i) => tagged("int", i.base10_digits(), i.suffix()),
        Lit::Float(f) => tagged("float", f.base10_digits(), f.suffix()),
        Lit::Bool(b) => tagged("bool", &b.value.to_string(), ""),
        // Unknown future literal kinds: their source text is the best stable form we have.
        _ => tagged("lit", &literal.to_string(), ""),
    }
}

/// `kind:<len>:value:suffix`; the length keeps a value containing spaces unambiguous.
fn tagged(kind: &str, value: &str, suffix: &str) -> String {
    format!("{kind}:{}:{value}:{suffix}", value.len())
}

// The path is spelled out so that the bench, which includes this file by path, finds it too.
#[cfg(test)]
#[path = "checksum/properties.rs"]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn sum(source: &str) -> String {
        checksum(&source.parse().expect("test source must tokenize"))
    }

    const BASE: &str = r#"
        impl Migration for CreateUsers {
            fn up(&self, schema: &mut Schema) {
                schema.create("users", |t| {
                    t.id();
                    t.string("email").unique();
                    t.decimal("balance", 10, 2).default(1000);
                });
            }
            fn down(&self, schema: &mut Schema) { schema.drop("users"); }
        }
    "#;

    #[test]
    fn has_algorithm_prefix_and_64_hex_digits() {
        let value = sum(BASE);
        let hex = value.strip_prefix("sha256:").unwrap();
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn formatting_comments_and_docs_do_not_change_it() {
        let reformatted = r##"
            /// Creates the users table.
            impl Migration for CreateUsers
            {
                // a comment
                fn up( &self , schema : &mut Schema ) {
                    /* block comment */
                    schema.create( "users" , | t | { t.id() ; t.string( "email" ).unique() ;
                        t.decimal("balance", 10, 2).default(1_000); } );
                }
                #[doc = "Drops it."]
                fn down(&self, schema: &mut Schema) { schema.drop(r#"users"#); }
            }
        "##;
        assert_eq!(sum(BASE), sum(reformatted));
    }

    #[test]
    fn trailing_commas_rustfmt_adds_when_wrapping_do_not_change_it() {
        assert_eq!(sum("f(a, b)"), sum("f(a, b,)"));
        assert_eq!(sum("vec![1, 2]"), sum("vec![1, 2,]"));
        assert_eq!(sum("S { a: 1 }"), sum("S { a: 1, }"));
        assert_ne!(sum("f(a, b)"), sum("f(a b)"), "inner commas still count");
        assert_ne!(
            sum("let t = (a,);"),
            sum("let t = (a);"),
            "a 1-tuple is not a value"
        );
        assert_ne!(sum("let t: (u8,) = x;"), sum("let t: (u8) = x;"));
        assert_eq!(sum("f((a,))"), sum("f((a,),)"));
        assert_eq!(sum("m!(a,)"), sum("m!(a)"));
    }

    #[test]
    fn literal_spellings_of_the_same_value_agree() {
        assert_eq!(sum("f(1000)"), sum("f(1_000)"));
        assert_eq!(sum("f(1000)"), sum("f(0x3e8)"));
        assert_eq!(sum(r#"f("x")"#), sum(r###"f(r#"x"#)"###));
        assert_eq!(sum(r#"f("a\nb")"#), sum("f(\"a\nb\")"));
        assert_eq!(sum("r#type()"), sum("type()"));
    }

    #[test]
    fn any_change_to_code_or_values_changes_it() {
        let base = sum(BASE);
        for (from, to) in [
            ("\"users\", |t|", "\"people\", |t|"),
            ("\"email\"", "\"mail\""),
            ("10, 2", "10, 3"),
            ("default(1000)", "default(1001)"),
            (".unique()", ".index()"),
            ("t.id();", ""),
            ("schema.drop", "schema.drop_if_exists"),
        ] {
            let changed = BASE.replacen(from, to, 1);
            assert_ne!(changed, BASE, "replacement {from:?} must apply");
            assert_ne!(sum(&changed), base, "changing {from:?} to {to:?}");
        }
    }

    #[test]
    fn literal_kinds_do_not_collide() {
        assert_ne!(sum("f(1)"), sum("f(\"1\")"));
        assert_ne!(sum("f(1u8)"), sum("f(1)"));
        assert_ne!(sum("f(1.0)"), sum("f(1)"));
        assert_ne!(sum("f('a')"), sum("f(\"a\")"));
        assert_ne!(sum(r#"f("a b", "c")"#), sum(r#"f("a", "b c")"#));
    }

    #[test]
    fn invisible_groups_count_by_their_contents() {
        let inner: TokenStream = quote!(a + b);
        let grouped = TokenStream::from(TokenTree::Group(proc_macro2::Group::new(
            Delimiter::None,
            inner.clone(),
        )));
        assert_eq!(checksum(&grouped), checksum(&inner));
    }

    #[test]
    fn only_doc_attributes_are_dropped() {
        assert_ne!(sum("#[allow(dead_code)] fn f() {}"), sum("fn f() {}"));
        assert_eq!(sum("#[doc = \"x\"] fn f() {}"), sum("fn f() {}"));
        assert_eq!(sum("fn f() { #![doc = \"x\"] }"), sum("fn f() {}"));
    }

    /// Also pinned in tests/tests/checksum.rs, where the real compiler computes it through
    /// `#[migration]`: the fallback used here and the compiler must agree, today and after
    /// toolchain upgrades.
    #[test]
    fn pinned_fixture_checksum() {
        let source = include_str!("../../tests/fixtures/checksum/pinned.rs");
        let file: syn::File = syn::parse_str(source).expect("fixture parses");
        let mut item = file
            .items
            .into_iter()
            .find_map(|item| match item {
                syn::Item::Impl(item) => Some(item),
                _ => None,
            })
            .expect("fixture has an impl");
        item.attrs.retain(|attr| !attr.path().is_ident("migration"));
        assert_eq!(
            checksum(&quote::ToTokens::to_token_stream(&item)),
            PINNED_CHECKSUM
        );
    }

    const PINNED_CHECKSUM: &str =
        "sha256:9834c6269c4cc63081d69d6466e078147e37f1021cd5f4f43985752590d17aa3";

    #[test]
    fn canonical_form_is_spaced_tokens() {
        let form = canonical_form(&"a::b(1_0, \"x\")".parse().unwrap());
        assert_eq!(form, "a : : b ( int:2:10: , str:1:x: )");
    }
}
