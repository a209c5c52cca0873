//! The session-token decoder (JWE `dir` + `A256GCM`, next-auth v4) on arbitrary text, with a
//! fixed secret: it never panics, and whatever it opens re-seals and opens to the same claims.

#![no_main]

use std::sync::LazyLock;

use auth_runtime::__fuzz;
use auth_runtime::jwt::TokenKeys;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The secret of the token tests' Node-sealed vector, so that vector is a seed.
static KEYS: LazyLock<TokenKeys> = LazyLock::new(|| __fuzz::session_keys("secret"));

/// 2023-11-14: before the seeds' `exp`.
const NOW: u64 = 1_700_000_000;

/// The claims `encode` writes itself; a round trip replaces them.
const STAMPS: [&str; 3] = ["iat", "exp", "jti"];

fn without_stamps(claims: &Map<String, Value>) -> Map<String, Value> {
    let mut claims = claims.clone();
    for name in STAMPS {
        claims.remove(name);
    }
    claims
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // As a token: refused or opened, never a panic.
    if let Ok(claims) = __fuzz::decode_session_token(&KEYS, text, NOW) {
        let resealed = __fuzz::encode_session_token(&KEYS, &claims, 60, NOW);
        let reopened = __fuzz::decode_session_token(&KEYS, &resealed, NOW)
            .unwrap_or_else(|e| panic!("a re-sealed token does not open: {e}"));
        assert_eq!(without_stamps(&reopened), without_stamps(&claims));
    }
    // As claims: any JSON object survives a round trip, and a flipped byte is refused.
    if let Ok(Value::Object(mut claims)) = serde_json::from_str::<Value>(text) {
        // `nbf` decides validity on its own; `encode` writes `iat` and `exp` itself.
        claims.remove("nbf");
        let token = __fuzz::encode_session_token(&KEYS, &claims, 3600, NOW);
        let opened = __fuzz::decode_session_token(&KEYS, &token, NOW)
            .unwrap_or_else(|e| panic!("a fresh token does not open: {e}"));
        assert_eq!(without_stamps(&opened), without_stamps(&claims));
        let mut tampered = token.into_bytes();
        let at = data.len() % tampered.len();
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        if let Ok(tampered) = String::from_utf8(tampered) {
            assert!(
                __fuzz::decode_session_token(&KEYS, &tampered, NOW).is_err(),
                "a tampered token opened (byte {at})"
            );
        }
    }
});
