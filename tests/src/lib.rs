//! End-to-end tests live in tests/. This crate also builds `trial` (src/bin/trial.rs), an
//! application whose migrations in src/migrations/ the process tests drive.
