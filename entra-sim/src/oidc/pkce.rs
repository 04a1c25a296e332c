//! PKCE (RFC 7636): only S256 is accepted, since `plain` gives no protection against code interception.
use sha2::{Digest, Sha256};

use crate::util::b64url;

/// A challenge is base64url(SHA-256(verifier)): always 43 characters of the URL-safe alphabet.
pub fn challenge_is_well_formed(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
pub fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

pub fn s256(verifier: &str) -> String {
    b64url(Sha256::digest(verifier.as_bytes()))
}

pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    verifier_is_well_formed(verifier) && s256(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifier_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(challenge_is_well_formed(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn a_short_verifier_never_matches() {
        assert!(!verifier_matches("short", &s256("short")));
    }
}
