//! The trial application: a `run!()` binary whose migrations (in src/migrations/) let the
//! process tests in tests/ fail a migration part way, race runners and feed bad input.

ormed_migrate::run!();
