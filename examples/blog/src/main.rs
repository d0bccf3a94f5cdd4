//! A blog whose migrations live in `src/migrations/`, one file each.
//!
//! ```text
//! cargo run -p blog -- migrate          # creates blog.db and applies everything
//! cargo run -p blog -- migrate:status
//! cargo run -p blog -- migrate:rollback
//! ```

ormed_migrate::run!();
