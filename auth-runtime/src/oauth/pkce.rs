//! The check values of an authorization request (docs/REST.md §4.2): random `state`, `nonce` and PKCE
//! verifier, the S256 challenge, and the constant-time comparison of a returned `state`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// A fresh check value: 32 random bytes as base64url without padding (43 characters), as
/// next-auth v4 makes `state`, `nonce` and the PKCE `code_verifier`.
pub fn random_check_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE S256 `code_challenge` of a verifier: `base64url(sha256(verifier))` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether the `state` the provider sent back equals the one stored at sign-in, compared in
/// constant time. An empty or missing value never matches.
pub fn state_matches(expected: &str, received: Option<&str>) -> bool {
    match received {
        Some(received) if !expected.is_empty() => {
            bool::from(expected.as_bytes().ct_eq(received.as_bytes()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        // RFC 7636 appendix B: these 32 octets, as base64url, are the verifier.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn check_values_are_43_url_safe_characters_and_differ() {
        let a = random_check_value();
        let b = random_check_value();
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            "{a}"
        );
        assert_ne!(a, b);
    }

    #[test]
    fn state_matches_only_the_same_non_empty_value() {
        assert!(state_matches("abc", Some("abc")));
        assert!(!state_matches("abc", Some("abd")));
        assert!(!state_matches("abc", Some("ab")));
        assert!(!state_matches("abc", None));
        assert!(!state_matches("", Some("")));
    }
}
