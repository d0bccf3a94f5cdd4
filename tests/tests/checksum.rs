//! The checksum the real compiler computes through `#[migration]` for a fixed migration. The same
//! value is pinned in ormed-migrate-macros' unit tests, computed there by proc-macro2's fallback:
//! the two must agree, and must not change when the toolchain changes, or every applied
//! migration would suddenly look edited.

#[path = "../fixtures/checksum/pinned.rs"]
mod pinned;

const PINNED_CHECKSUM: &str =
    "sha256:9834c6269c4cc63081d69d6466e078147e37f1021cd5f4f43985752590d17aa3";

#[test]
fn the_compiler_computes_the_pinned_checksum() {
    let migrations = ormed_migrate::build_migrations().expect("the fixture is registered");
    let pinned = migrations
        .iter()
        .find(|m| m.id.to_string() == "m_20240101000000_pinned_checksum")
        .expect("pinned fixture");
    assert_eq!(pinned.checksum, PINNED_CHECKSUM);
    assert!(pinned.source.file.ends_with("fixtures/checksum/pinned.rs"));
    assert_eq!(pinned.source.line, 11);
}
