//! The blog's migrations, one file each in `src/migrations/` (compiled by `build.rs`, no `mod`
//! list). The blog's binary links them with `ormed_migrate::run!(blog_migrations)`; the tests in
//! `tests/` check them with `ormed_migrate::testing`.

ormed_migrate::migrations!();
