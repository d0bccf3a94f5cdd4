//! The `#[migration]` attribute of `ormed-migrate`. Use it through the `ormed-migrate` crate:
//! the expansion names `::ormed_migrate`, so applications depend on that crate alone.
//!
//! This crate is thin on purpose: [`migration`] hands the tokens to `expand::expand`, plain Rust
//! that unit tests call without a compiler, together with the file the attribute is in: in a
//! `migrations/` folder the checksum covers that whole file (see `file`), which the expansion
//! reads once.

mod args;
mod checksum;
mod expand;
mod file;

use proc_macro::TokenStream;

/// Registers an `impl Migration for T` block as a migration with id `"m_YYYYMMDDHHMMSS_slug"`.
///
/// See the `ormed-migrate` crate for the full documentation and examples.
#[proc_macro_attribute]
pub fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    let source_file = proc_macro::Span::call_site().local_file();
    expand::expand(args.into(), item.into(), source_file.as_deref()).into()
}
