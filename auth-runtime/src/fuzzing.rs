//! Thin wrappers over the request-facing internals, for the cargo-fuzz targets in `fuzz/`.
//! Behind the `fuzzing` feature; not an API. Each wrapper runs the real code the routes run.

use axum::http::{HeaderMap, HeaderValue, header};
use serde_json::{Map, Value};

use crate::cookies::{self, Jar, SetCookie};
use crate::jwe::{self, TokenError, TokenKeys};
use crate::{callback_url, csrf, email};

/// The session token's keys for `secret` (empty salt, as the session cookie uses).
pub fn session_keys(secret: &str) -> TokenKeys {
    let secrets = [secret.to_owned()];
    match TokenKeys::derive(&secrets, "") {
        Some(keys) => keys,
        // `derive` returns `None` only for an empty list.
        None => unreachable!("one secret gives keys"),
    }
}

/// Opens a session token as the session routes do.
pub fn decode_session_token(
    keys: &TokenKeys,
    token: &str,
    now_secs: u64,
) -> Result<Map<String, Value>, TokenError> {
    jwe::decode(keys, token, now_secs)
}

/// Seals `claims` as a session token, as a sign-in does.
pub fn encode_session_token(
    keys: &TokenKeys,
    claims: &Map<String, Value>,
    max_age_secs: u64,
    now_secs: u64,
) -> String {
    jwe::encode(keys, claims, max_age_secs, now_secs)
}

/// The cookies of a request whose `Cookie` headers are `values`; values that are not valid
/// header bytes are left out, as hyper would refuse them before the app sees them.
pub fn parse_cookie_headers(values: &[&[u8]]) -> Jar {
    let mut headers = HeaderMap::new();
    for value in values {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(header::COOKIE, value);
        }
    }
    Jar::from_headers(&headers)
}

/// The session cookie's value as the session routes read it: plain, or its chunks reassembled.
pub fn session_cookie_value(jar: &Jar, name: &str) -> Option<String> {
    jar.chunked(name)
}

/// The `Set-Cookie`s that store `value` in the possibly chunked cookie `name`.
pub fn store_chunked(name: &str, value: &str, jar: &Jar) -> Vec<SetCookie> {
    cookies::chunked_set_cookies(name, value, None, false, jar)
}

/// JS `decodeURIComponent`, as cookie values are decoded.
pub fn decode_uri_component(value: &str) -> Option<String> {
    cookies::decode_uri_component(value)
}

/// The double-submit check a POST passes (docs/REST.md §3): the cookie's token is trusted under one of
/// `secrets` and equals the body's `csrfToken`.
pub fn csrf_verified(cookie_value: &str, body_token: &str, secrets: &[String]) -> bool {
    csrf::trusted_token(cookie_value, secrets)
        .is_some_and(|token| csrf::tokens_match(&token, body_token))
}

/// The cookie's trusted token, if its hash matches one of `secrets`.
pub fn csrf_trusted_token(cookie_value: &str, secrets: &[String]) -> Option<String> {
    csrf::trusted_token(cookie_value, secrets)
}

/// The callbackUrl rule of docs/REST.md §4.4 for a query value or cookie: `None` when NextAuth refuses it
/// (`Configuration`), otherwise where the default `redirect` callback sends the user.
pub fn resolve_callback_url(value: &str, base_url: &str) -> Option<String> {
    callback_url::is_acceptable(value, base_url)
        .then(|| callback_url::default_redirect(value, base_url))
}

/// The default `redirect` callback alone.
pub fn default_redirect(value: &str, base_url: &str) -> String {
    callback_url::default_redirect(value, base_url)
}

/// The email sign-in's normalisation of a posted address.
pub fn normalize_email(raw: &str) -> Result<String, email::InvalidEmail> {
    email::normalize_identifier(raw)
}
