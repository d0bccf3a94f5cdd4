//! Compiles the trial application's migrations in src/migrations/ (see ormed-migrate-build).

fn main() {
    ormed_migrate_build::compile_migrations();
}
