//! Checksums: `sha256:<hex>`.
//!
//! Migrations registered with `#[migration]` carry a checksum of their code, computed at compile
//! time by the macro. Entries registered in code (`MigrationEntry::new`) have no tokens to hash,
//! so they are checksummed from what they record: their up and down plans.

use sha2::{Digest, Sha256};

use crate::schema::Plan;

/// The prefix naming the algorithm, stored with every checksum.
pub const ALGORITHM_PREFIX: &str = "sha256:";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The checksum of a migration known only by its plans.
///
/// The plans' `Debug` form is hashed: it lists every operation, name, type and value, and it is
/// defined by this crate's own types, so it changes exactly when what the migration does changes.
pub fn plan_checksum(up: &Plan, down: &Plan) -> String {
    let payload = format!("up:{up:?}\ndown:{down:?}");
    format!("{ALGORITHM_PREFIX}{}", sha256_hex(payload.as_bytes()))
}

/// True for `sha256:` followed by 64 lowercase hex digits.
pub fn is_well_formed(checksum: &str) -> bool {
    checksum.strip_prefix(ALGORITHM_PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schema;

    fn plan(table: &str) -> Plan {
        let mut schema = Schema::new();
        schema.create(table, |t| {
            t.id();
        });
        schema.into_plan()
    }

    #[test]
    fn plan_checksum_is_stable_and_sensitive() {
        let empty = Plan::default();
        let a = plan_checksum(&plan("users"), &empty);
        assert_eq!(a, plan_checksum(&plan("users"), &empty));
        assert_ne!(a, plan_checksum(&plan("people"), &empty));
        assert_ne!(a, plan_checksum(&empty, &plan("users")));
        assert!(is_well_formed(&a));
    }

    #[test]
    fn well_formed_means_prefix_and_64_lowercase_hex() {
        assert!(is_well_formed(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_well_formed(&format!("sha256:{}", "A".repeat(64))));
        assert!(!is_well_formed(&format!("sha1:{}", "a".repeat(64))));
        assert!(!is_well_formed("sha256:abc"));
    }
}
