//! A blog: its migrations live in their own crate, `blog_migrations` (one file each in its
//! `src/migrations/`), which this binary names to link them.
//!
//! ```text
//! cargo run -p blog -- migrate          # creates blog.db and applies everything
//! cargo run -p blog -- migrate:status
//! cargo run -p blog -- migrate:rollback
//! ```

ormed_migrate::run!(blog_migrations);
