//! Compiles every file in src/migrations/ (see ormed-migrate-build).

fn main() {
    // Creating a file in src/migrations/ is the only step to add a migration.
    ormed_migrate_build::compile_migrations();
}
