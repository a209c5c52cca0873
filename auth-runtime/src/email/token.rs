//! Verification tokens: the secret that travels in the link, and the hash that is stored
//! (docs/REST.md §2.9: `sha256_hex(token + secret)`, the construction the CSRF cookie uses).

use std::time::Duration;

use rand::Rng as _;

/// How long a sign-in link stays valid unless the provider says otherwise (next-auth's
/// `maxAge` default, 24 hours).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// A fresh verification token: 32 random bytes as 64 lowercase hex characters.
///
/// It goes into the link only; the adapter stores [`hash_token`] of it.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a verification token: lowercase hex SHA-256 of `token` and `secret`
/// concatenated (the provider's secret, else the auth secret).
///
/// Without the secret a leaked table of hashes cannot be turned back into working links.
/// On `GET /callback/email` the route hashes the query's `token` again and looks the hash
/// up together with the identifier; the lookup is by value, so no constant-time comparison
/// is involved here.
pub fn hash_token(token: &str, secret: &str) -> String {
    crate::csrf::hash(token, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_is_64_lowercase_hex_and_fresh_each_time() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{token}"
        );
        assert_ne!(new_token(), token);
    }

    #[test]
    fn the_hash_is_sha256_of_token_then_secret() {
        // docs/REST.md's vector for the same construction (docs/REST.md §3).
        assert_eq!(
            hash_token(&"0".repeat(64), "secret"),
            "fa5790049a353d9796744fa82b1af7f283ee25b2da46e646ece34e4ac7b187cb"
        );
        // Order matters: `token + secret`, not `secret + token`.
        assert_ne!(hash_token("ab", "cd"), hash_token("cd", "ab"));
        assert_ne!(hash_token("t", "secret-a"), hash_token("t", "secret-b"));
    }

    #[test]
    fn the_default_max_age_is_a_day() {
        assert_eq!(DEFAULT_MAX_AGE.as_secs(), 86_400);
    }
}
