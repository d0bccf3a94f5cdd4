//! Compiles every file in src/migrations/ (see ormed-migrate-build).

fn main() {
    // Compiles every file in src/migrations/: creating the file is the only step.
    ormed_migrate_build::compile_migrations();
}
