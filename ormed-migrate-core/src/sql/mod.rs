//! SQL as the runner handles it: typed statements, and the lexer that classifies raw SQL once.

pub(crate) mod lexer;
mod statement;

pub use statement::{Deferred, Origin, Statement};
