//! The checksums the real compiler computes through `#[migration]` for fixed migrations. The same
//! values are pinned in ormed-migrate-macros' unit tests, computed there by proc-macro2's
//! fallback: the two must agree, and must not change when the toolchain changes, or every applied
//! migration would suddenly look edited.

#[path = "../fixtures/checksum/pinned.rs"]
mod pinned;

#[path = "../fixtures/checksum/migrations/m_20240101000100_pinned_file_checksum.rs"]
mod pinned_file;

/// Outside a `migrations/` folder: the impl block alone.
const PINNED_CHECKSUM: &str =
    "sha256:9834c6269c4cc63081d69d6466e078147e37f1021cd5f4f43985752590d17aa3";

/// In a `migrations/` folder: the whole file but its `use` lines and `#[cfg(test)]` module.
const PINNED_FILE_CHECKSUM: &str =
    "sha256:c8d8260e700a0f225e5689521828b84747271736a2e28a8a9a0490b9e67898e3";

fn registered(id: &str) -> ormed_migrate::MigrationDescriptor {
    ormed_migrate::build_migrations()
        .expect("the fixtures are registered")
        .into_iter()
        .find(|m| m.id.to_string() == id)
        .unwrap_or_else(|| panic!("fixture {id} is registered"))
}

#[test]
fn the_compiler_computes_the_pinned_checksum() {
    let pinned = registered("m_20240101000000_pinned_checksum");
    assert_eq!(pinned.checksum, PINNED_CHECKSUM);
    assert!(pinned.source.file.ends_with("fixtures/checksum/pinned.rs"));
    assert_eq!(pinned.source.line, 11);
}

#[test]
fn the_compiler_computes_the_pinned_whole_file_checksum() {
    let pinned = registered("m_20240101000100_pinned_file_checksum");
    assert_eq!(pinned.checksum, PINNED_FILE_CHECKSUM);
    assert!(
        pinned
            .source
            .file
            .ends_with("fixtures/checksum/migrations/m_20240101000100_pinned_file_checksum.rs")
    );
    assert_eq!(pinned.source.line, 26);
}
