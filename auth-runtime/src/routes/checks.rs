//! The OAuth check cookies (state, PKCE verifier, nonce): sealed as next-auth v4 does, in a
//! JWE under a key salted with the cookie's name, carrying the value and the provider id.
//!
//! A cookie is only good for the provider that made it (advisory GHSA-x445-f3h2-j279), a
//! missing or unreadable one fails the callback (GHSA-7r7x-4c4q-c4qf), and no other token
//! decrypts as one (GHSA-v64w-49xw-qq89).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::cookies::{Jar, SetCookie};
use crate::session::expiry;
use crate::token::{self, TokenKeys};

/// How long a sign-in may take: 15 minutes, as next-auth.
pub(crate) const CHECK_MAX_AGE: u64 = 15 * 60;

/// Seals `value` for `provider` as a check cookie's value.
pub(crate) fn seal(keys: &TokenKeys, value: &str, provider: &str, now: OffsetDateTime) -> String {
    let mut claims = Map::new();
    claims.insert("value".to_owned(), Value::String(value.to_owned()));
    claims.insert("provider".to_owned(), Value::String(provider.to_owned()));
    token::encode(
        keys,
        &claims,
        CHECK_MAX_AGE,
        now.unix_timestamp().max(0) as u64,
    )
}

/// The value sealed in cookie `name`, when it exists, decrypts, has not expired and was made
/// for `provider`.
pub(crate) fn open(jar: &Jar, name: &str, keys: &TokenKeys, provider: &str) -> Option<String> {
    let sealed = jar.get(name)?;
    let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let claims = token::decode(keys, sealed, now).ok()?;
    let made_for = claims.get("provider").and_then(Value::as_str)?;
    if made_for != provider {
        return None;
    }
    claims
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The Set-Cookie for a check cookie: 15 minutes, with `Max-Age` unless next-auth writes
/// `Expires` alone (the nonce).
pub(crate) fn cookie(
    name: &'static str,
    sealed: String,
    secure: bool,
    with_max_age: bool,
    now: OffsetDateTime,
) -> SetCookie {
    let cookie = SetCookie::new(name, sealed, secure).expires(expiry(now, CHECK_MAX_AGE));
    if with_max_age {
        cookie.max_age(CHECK_MAX_AGE as i64)
    } else {
        cookie
    }
}
