//! The checksum format every part of `ormed-migrate` stores and compares: `sha256:` followed by
//! 64 lowercase hex digits. Defined once here, because the `#[migration]` macro, the build helper
//! and the runtime all write or read it and must agree. (Hashing itself is done by each crate
//! with `sha2`; this crate stays dependency-free.)

/// The prefix naming the algorithm.
pub const PREFIX: &str = "sha256:";

/// `sha256:<hex>` of a SHA-256 digest.
///
/// ```
/// let formatted = ormed_migrate_id::checksum::format_sha256(&[0xab; 32]);
/// assert_eq!(formatted, format!("sha256:{}", "ab".repeat(32)));
/// ```
pub fn format_sha256(digest: &[u8; 32]) -> String {
    format!("{PREFIX}{}", hex(digest))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// True for `sha256:` followed by 64 lowercase hex digits.
pub fn is_well_formed(checksum: &str) -> bool {
    checksum.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_means_prefix_and_64_lowercase_hex() {
        assert!(is_well_formed(&format_sha256(&[0x0f; 32])));
        assert!(!is_well_formed(&format!("sha256:{}", "A".repeat(64))));
        assert!(!is_well_formed(&format!("sha1:{}", "a".repeat(64))));
        assert!(!is_well_formed("sha256:abc"));
        assert_eq!(hex(&[0x00, 0x7f, 0xff]), "007fff");
    }
}
