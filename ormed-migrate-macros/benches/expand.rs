//! What the whole-file checksum costs per migration: `expand()` on a typical migration file in
//! `migrations/` (read the file, lex it, find its items, walk them) against the same impl
//! checksummed alone, as outside a `migrations/` folder.
//!
//! Run with `cargo bench -p ormed-migrate-macros --bench expand`. A proc-macro crate exports no
//! functions, so the pipeline's modules are compiled into this binary by path. Outside rustc,
//! proc-macro2 lexes with its own fallback lexer (as in the unit tests); inside rustc the lexing
//! goes through the compiler's, so these figures give the order of magnitude of a build's cost.

// `file` asks `proc_macro::is_available()` (false here: the fallback lexer is used, as in the
// unit tests).
extern crate proc_macro;

// Each module has items only its unit tests use. `cargo bench` also compiles the modules'
// `#[cfg(test)]` parts, but without the test harness, which strips their `#[test]` functions and
// leaves the imports those functions use unused.
#[allow(dead_code, unused_imports)]
#[path = "../src/args.rs"]
mod args;
#[allow(dead_code, unused_imports)]
#[path = "../src/checksum.rs"]
mod checksum;
#[allow(dead_code, unused_imports)]
#[path = "../src/expand.rs"]
mod expand;
#[allow(dead_code, unused_imports)]
#[path = "../src/file.rs"]
mod file;

use std::hint::black_box;
use std::time::Instant;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// A typical migration file: an import, a type, a constant and a helper beside the impl.
const TYPICAL: &str = r#"use ormed_migrate::prelude::*;

/// The longest title a post may have.
const TITLE_LENGTH: u32 = 200;

/// Posts are found by author and state far more often than by anything else.
fn published_index_sql() -> &'static str {
    "CREATE INDEX posts_published_at ON posts (published_at) WHERE published"
}

#[derive(Default)]
pub struct CreatePostsTable;

#[migration("m_20241201000100_create_posts_table")]
impl Migration for CreatePostsTable {
    fn up(&self, schema: &mut Schema) {
        schema.create("posts", |t| {
            t.id();
            t.foreign_id("user_id")
                .constrained("users")
                .on_delete(ForeignKeyAction::Cascade);
            t.string("title").length(TITLE_LENGTH);
            t.text("body");
            t.boolean("published").default(false);
            t.timestamp("published_at").nullable();
            t.index(["user_id", "published"]);
            t.timestamps();
        });
        schema.raw(published_index_sql());
    }

    fn down(&self, schema: &mut Schema) {
        schema.drop("posts");
    }
}
"#;

/// Expansions per sample; the figure reported is a sample's time divided by this.
const EXPANSIONS_PER_SAMPLE: u32 = 200;
/// Samples of each kind, taken alternately so that both see the same machine load.
const SAMPLES: usize = 15;

fn main() {
    let dir = std::env::temp_dir().join(format!("ormed-bench-expand-{}", std::process::id()));
    let path = dir
        .join("migrations")
        .join("m_20241201000100_create_posts_table.rs");
    std::fs::create_dir_all(dir.join("migrations")).expect("create the scratch folder");
    std::fs::write(&path, TYPICAL).expect("write the migration file");

    let args = quote!("m_20241201000100_create_posts_table");
    let item = impl_of(TYPICAL);
    let whole_file = || expand::expand(args.clone(), item.clone(), Some(&path));
    let impl_alone = || expand::expand(args.clone(), item.clone(), None);
    check(&whole_file(), &impl_alone());

    let (mut file_times, mut impl_times) = (Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        file_times.push(micros_per_expansion(whole_file));
        impl_times.push(micros_per_expansion(impl_alone));
    }
    std::fs::remove_dir_all(&dir).expect("remove the scratch folder");

    println!(
        "expand() per migration ({} lines, {} bytes), {SAMPLES} samples of \
         {EXPANSIONS_PER_SAMPLE} expansions each, interleaved:",
        TYPICAL.lines().count(),
        TYPICAL.len()
    );
    let file_median = report("whole file (migrations/<id>.rs)", &mut file_times);
    let impl_median = report("impl block alone", &mut impl_times);
    let extra = file_median - impl_median;
    println!(
        "  ratio of medians: {:.2}x; the file walk adds {extra:.1} µs per migration, \
         {extra:.1} ms per 1000 migrations",
        file_median / impl_median
    );
}

/// The impl as the compiler hands it to the attribute: without `#[migration]` itself.
fn impl_of(source: &str) -> TokenStream {
    let file = syn::parse_file(source).expect("the migration file parses");
    let mut migration_impl = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Impl(migration_impl) => Some(migration_impl),
            _ => None,
        })
        .expect("the file has an impl");
    migration_impl
        .attrs
        .retain(|attr| !attr.path().is_ident("migration"));
    migration_impl.into_token_stream()
}

/// Both expansions register a migration, with different checksums: the bench measures the
/// real work, not an error path.
fn check(whole_file: &TokenStream, impl_alone: &TokenStream) {
    let checksum = |output: &TokenStream| {
        let text = output.to_string();
        assert!(!text.contains("compile_error"), "{text}");
        text.split("\"sha256:")
            .nth(1)
            .map(|rest| rest[..64].to_owned())
            .expect("a registered checksum")
    };
    assert_ne!(checksum(whole_file), checksum(impl_alone));
}

fn micros_per_expansion(expand: impl Fn() -> TokenStream) -> f64 {
    let started = Instant::now();
    for _ in 0..EXPANSIONS_PER_SAMPLE {
        black_box(expand());
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(EXPANSIONS_PER_SAMPLE)
}

/// Prints the median and spread of `times`, and returns the median.
fn report(label: &str, times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "  {label:<32} median {median:7.1} µs  (min {:.1}, max {:.1}, spread {:.1} µs)",
        times[0],
        times[times.len() - 1],
        times[times.len() - 1] - times[0]
    );
    median
}
