//! NextAuth's double-submit CSRF token: the `token|sha256(token + secret)` cookie and its checks.
//! Also owns v3's OAuth `state`, which is derived from the CSRF token (docs/REST.md §3, §4.1).

use axum::http::HeaderValue;
use rand::Rng as _;
use sha2::{Digest as _, Sha256};
use subtle::{Choice, ConstantTimeEq as _};

/// Mints a new CSRF token for `secret`.
///
/// Returns `(token, cookie_value)`: `token` is 32 random bytes as 64 lowercase hex (what
/// `GET /csrf` returns), `cookie_value` is `"<token>|<hash(token, secret)>"`, not yet
/// percent-encoded (on the wire the `|` is `%7C`).
pub fn mint(secret: &str) -> (String, String) {
    let (token, hash) = fresh(secret);
    let token = hex_str(&token);
    let mut cookie_value = String::with_capacity(129);
    cookie_value.push_str(token);
    cookie_value.push('|');
    cookie_value.push_str(hex_str(&hash));
    (token.to_owned(), cookie_value)
}

/// [`mint`] for a response: the token, and the `Set-Cookie` header of the CSRF cookie `name`
/// that holds it, written without an intermediate cookie value.
pub(crate) fn mint_cookie(name: &'static str, secret: &str, secure: bool) -> (String, HeaderValue) {
    let (token, hash) = fresh(secret);
    let token = hex_str(&token);
    let header = crate::cookies::csrf_set_cookie(name, token, hex_str(&hash), secure);
    (token.to_owned(), header)
}

/// 32 random bytes as 64 lowercase hex, and their hash for `secret`.
fn fresh(secret: &str) -> ([u8; 64], [u8; 64]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut token = [0u8; 64];
    // Cannot fail: the output is exactly twice the 32 bytes.
    let _ = hex::encode_to_slice(bytes, &mut token);
    let hash = hash_hex(hex_str(&token), secret);
    (token, hash)
}

/// Hex digits as text (ASCII: never empty for a non-empty input).
fn hex_str(hex: &[u8; 64]) -> &str {
    std::str::from_utf8(hex).unwrap_or_default()
}

/// The cookie's integrity hash: lowercase hex SHA-256 of `token` and `secret` concatenated.
pub fn hash(token: &str, secret: &str) -> String {
    String::from_utf8_lossy(&hash_hex(token, secret)).into_owned()
}

/// [`hash`] on the stack: checking a cookie, on every request, allocates nothing.
fn hash_hex(token: &str, secret: &str) -> [u8; 64] {
    let digest = Sha256::new()
        .chain_update(token)
        .chain_update(secret)
        .finalize();
    let mut hex = [0u8; 64];
    // Cannot fail: the output is exactly twice the digest's 32 bytes.
    let _ = hex::encode_to_slice(digest, &mut hex);
    hex
}

/// Returns the cookie's token when its hash matches one of `secrets` (several while a
/// secret is being rotated), compared in constant time.
///
/// `cookie_value` is the percent-decoded cookie. It is split at the first `|`. Like NextAuth,
/// any non-empty token is accepted; an empty token, a missing `|` or a bad hash gives `None`,
/// and the caller then mints a new token.
pub fn trusted_token(cookie_value: &str, secrets: &[String]) -> Option<String> {
    let (token, cookie_hash) = crate::text::split_once(cookie_value, b'|')?;
    if token.is_empty() {
        return None;
    }
    // Check every secret, so the timing does not tell which one matched.
    let matched = secrets.iter().fold(Choice::from(0), |matched, secret| {
        matched | hash_hex(token, secret).ct_eq(cookie_hash.as_bytes())
    });
    bool::from(matched).then(|| token.to_owned())
}

/// Whether the body's `csrfToken` equals the trusted cookie token, in constant time.
///
/// Different lengths never match, nor does an empty token, so a missing field and a missing
/// cookie can never agree.
pub fn tokens_match(cookie_token: &str, body_token: &str) -> bool {
    !cookie_token.is_empty() && bool::from(cookie_token.as_bytes().ct_eq(body_token.as_bytes()))
}

/// v3's OAuth `state` parameter: lowercase hex SHA-256 of the raw CSRF token (not the cookie value).
pub fn oauth_state(csrf_token: &str) -> String {
    hex::encode(Sha256::digest(csrf_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    const ZEROS_HASH: &str = "fa5790049a353d9796744fa82b1af7f283ee25b2da46e646ece34e4ac7b187cb";

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn hash_matches_the_spec_vector() {
        assert_eq!(ZEROS.len(), 64);
        assert_eq!(hash(ZEROS, "secret"), ZEROS_HASH);
    }

    #[test]
    fn oauth_state_matches_the_spec_vector() {
        assert_eq!(
            oauth_state(ZEROS),
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
        );
    }

    #[test]
    fn minted_token_is_64_lowercase_hex_and_its_cookie_is_trusted() {
        let (token, cookie) = mint("secret");
        assert_eq!(token.len(), 64);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(cookie, format!("{token}|{}", hash(&token, "secret")));
        assert_eq!(
            trusted_token(&cookie, &secrets(&["secret"])),
            Some(token.clone())
        );
        assert_ne!(mint("secret").0, token, "every mint is fresh");
    }

    #[test]
    fn the_spec_vector_cookie_is_trusted() {
        let cookie = format!("{ZEROS}|{ZEROS_HASH}");
        assert_eq!(
            trusted_token(&cookie, &secrets(&["secret"])).as_deref(),
            Some(ZEROS)
        );
    }

    #[test]
    fn a_cookie_signed_with_another_secret_is_not_trusted() {
        let (_, cookie) = mint("old");
        assert_eq!(trusted_token(&cookie, &secrets(&["new"])), None);
        assert_eq!(trusted_token(&cookie, &[]), None);
    }

    #[test]
    fn rotation_trusts_cookies_from_any_listed_secret() {
        let (old_token, old_cookie) = mint("old");
        let (new_token, new_cookie) = mint("new");
        let rotated = secrets(&["new", "old"]);
        assert_eq!(trusted_token(&old_cookie, &rotated), Some(old_token));
        assert_eq!(trusted_token(&new_cookie, &rotated), Some(new_token));
        // Mid-deploy both variables may hold the same value: two matches are still a match.
        let (token, cookie) = mint("same");
        assert_eq!(
            trusted_token(&cookie, &secrets(&["same", "same"])),
            Some(token)
        );
    }

    #[test]
    fn tampered_cookies_are_not_trusted() {
        let secrets = secrets(&["secret"]);
        let other_token = "1".repeat(64);
        let upper_hash = ZEROS_HASH.to_uppercase();
        let tampered = [
            format!("{other_token}|{ZEROS_HASH}"),
            format!("{ZEROS}|{}", hash(&other_token, "secret")),
            format!("{ZEROS}|{}", &ZEROS_HASH[..63]),
            format!("{ZEROS}|{ZEROS_HASH}0"),
            format!("{ZEROS}|{upper_hash}"),
            format!("{ZEROS}|{ZEROS_HASH}|extra"),
            format!("{ZEROS} |{ZEROS_HASH}"),
            format!("{ZEROS}%7C{ZEROS_HASH}"),
        ];
        for cookie in tampered {
            assert_eq!(trusted_token(&cookie, &secrets), None, "{cookie}");
        }
    }

    #[test]
    fn missing_separator_or_empty_parts_are_not_trusted() {
        let secrets = secrets(&["secret"]);
        let empty_token_hash = hash("", "secret");
        for cookie in [
            "",
            "|",
            ZEROS,
            &format!("{ZEROS}|"),
            &format!("|{ZEROS_HASH}"),
            &format!("|{empty_token_hash}"),
            "é|ü",
        ] {
            assert_eq!(trusted_token(cookie, &secrets), None, "{cookie:?}");
        }
    }

    #[test]
    fn any_non_empty_token_is_trusted_like_next_auth() {
        let cookie = format!("short|{}", hash("short", "secret"));
        assert_eq!(
            trusted_token(&cookie, &secrets(&["secret"])).as_deref(),
            Some("short")
        );
    }

    #[test]
    fn tokens_match_only_equal_non_empty_tokens() {
        assert!(tokens_match(ZEROS, ZEROS));
        assert!(!tokens_match(ZEROS, &"1".repeat(64)));
        assert!(!tokens_match(ZEROS, &ZEROS[..63]));
        assert!(!tokens_match(ZEROS, &format!("{ZEROS}0")));
        assert!(!tokens_match(ZEROS, ""));
        assert!(!tokens_match("", ""));
    }
}
