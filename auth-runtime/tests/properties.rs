//! Property tests of the request-facing rules: session tokens, chunked session cookies, the
//! CSRF double-submit cookie, the callbackUrl check and email normalisation.

#![allow(clippy::unwrap_used)]

use auth_runtime::__private::cookies::{self, CHUNK_SIZE, Jar, MAX_COOKIE_HEADER_BYTES};
use auth_runtime::__private::{callback_url, csrf};
use auth_runtime::email::normalize_identifier;
use auth_runtime::jwt::{self, TokenKeys};
use axum::http::{HeaderMap, HeaderValue, header};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};
use url::Url;

const NOW: u64 = 1_700_000_000;
const DAY: u64 = 86_400;
const SESSION: &str = "next-auth.session-token";
const BASES: [&str; 4] = [
    "http://localhost:3000",
    "https://app.example.com",
    "https://app.example.com:8443",
    "http://[::1]:3000",
];

fn keys(secret: &str) -> TokenKeys {
    TokenKeys::derive(&[secret.to_owned()], "").unwrap()
}

/// Any JSON value, nested a few levels, floats included.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Session claims: anything but `nbf`, which would decide validity on its own.
fn claims() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        any::<String>().prop_filter("not nbf", |k| k != "nbf"),
        json_value(),
        0..8,
    )
    .prop_map(|map| map.into_iter().collect())
}

fn without_stamps(mut claims: Map<String, Value>) -> Map<String, Value> {
    for stamp in ["iat", "exp", "jti"] {
        claims.remove(stamp);
    }
    claims
}

/// The cookies a browser sends back after `set_cookies`: every non-clear `name=value` pair,
/// as written on the wire, in `order`.
fn cookie_header(set_cookies: &[cookies::SetCookie], order: &[Index]) -> HeaderMap {
    let mut pairs: Vec<String> = set_cookies
        .iter()
        .filter(|c| c.max_age != Some(0))
        .map(|c| c.to_string().split(';').next().unwrap().to_owned())
        .collect();
    for (i, index) in order.iter().enumerate() {
        let len = pairs.len();
        if len > 0 {
            pairs.swap(i % len, index.index(len));
        }
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&pairs.join("; ")).unwrap(),
    );
    headers
}

/// `s` with the character at `at` replaced by `with` (which differs from it).
fn replace_char(s: &str, at: Index, with: char) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let i = at.index(chars.len());
    if chars[i] == with {
        return None;
    }
    let mut out = chars;
    out[i] = with;
    Some(out.into_iter().collect())
}

/// Found by `session_token_round_trip_keeps_arbitrary_claims`: serde_json's default float
/// parser read this back as `-2.5587951224114686e243`, one ulp off, so a float claim changed
/// each time the session token was re-issued (fixed by serde_json's `float_roundtrip`).
#[test]
fn a_float_claim_survives_the_session_token_exactly() {
    let keys = keys("secret");
    let mut claims = Map::new();
    claims.insert(
        "score".to_owned(),
        Value::from(-2.558_795_122_411_468_3e243_f64),
    );
    let opened = jwt::decode(&keys, &jwt::encode(&keys, &claims, DAY, NOW), NOW).unwrap();
    assert_eq!(opened["score"], claims["score"]);
    assert_eq!(opened["score"].as_f64(), Some(-2.558_795_122_411_468_3e243));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn session_token_round_trip_keeps_arbitrary_claims(claims in claims(), secret in ".{1,40}") {
        let keys = keys(&secret);
        let token = jwt::encode(&keys, &claims, 30 * DAY, NOW);
        let opened = jwt::decode(&keys, &token, NOW).unwrap();
        prop_assert_eq!(without_stamps(opened), without_stamps(claims));
    }

    #[test]
    fn a_tampered_session_token_never_opens(
        claims in claims(),
        at in any::<Index>(),
        with in prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %".chars().collect::<Vec<_>>()
        ),
        cut in any::<Index>(),
    ) {
        let keys = keys("secret");
        let token = jwt::encode(&keys, &claims, DAY, NOW);
        if let Some(tampered) = replace_char(&token, at, with) {
            prop_assert!(jwt::decode(&keys, &tampered, NOW).is_err(), "{}", tampered);
        }
        let truncated = &token[..cut.index(token.len())];
        prop_assert!(jwt::decode(&keys, truncated, NOW).is_err());
        let inserted = format!("{}{with}{}", &token[..cut.index(token.len())], &token[cut.index(token.len())..]);
        prop_assert!(jwt::decode(&keys, &inserted, NOW).is_err());
    }

    #[test]
    fn chunked_session_cookie_reassembles_in_any_order(
        value in prop_oneof![
            "[ -~]{0,12000}",
            "[A-Za-z0-9_.-]{3900,12000}",
            ".{0,3000}",
        ],
        order in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let set_cookies = cookies::chunked_set_cookies(SESSION, &value, None, false, &Jar::default());
        let chars = value.chars().count();
        let expected_chunks = if chars <= CHUNK_SIZE { 1 } else { chars.div_ceil(CHUNK_SIZE) };
        prop_assert_eq!(set_cookies.len(), expected_chunks);
        for cookie in &set_cookies {
            prop_assert!(cookie.value.chars().count() <= CHUNK_SIZE);
        }
        let headers = cookie_header(&set_cookies, &order);
        prop_assume!(headers.get(header::COOKIE).unwrap().len() <= MAX_COOKIE_HEADER_BYTES);
        let jar = Jar::from_headers(&headers);
        prop_assert_eq!(jar.chunked(SESSION), Some(value));
    }

    #[test]
    fn minted_csrf_cookie_verifies_and_any_mutation_is_refused(
        secret in ".{1,40}",
        at in any::<Index>(),
        with in any::<char>(),
    ) {
        let secrets = [secret.clone()];
        let (token, cookie) = csrf::mint(&secret);
        prop_assert_eq!(csrf::trusted_token(&cookie, &secrets), Some(token.clone()));
        prop_assert!(csrf::tokens_match(&token, &token));
        if let Some(mutated) = replace_char(&cookie, at, with) {
            prop_assert_eq!(csrf::trusted_token(&mutated, &secrets), None, "{}", mutated);
        }
        if let Some(mutated) = replace_char(&token, at, with) {
            prop_assert!(!csrf::tokens_match(&token, &mutated));
        }
        prop_assert_eq!(csrf::trusted_token(&cookie, &[format!("{secret}x")]), None);
    }

    #[test]
    fn callback_url_never_leaves_the_base_origin(
        value in prop_oneof![
            any::<String>(),
            "[/\\\\]{1,3}[a-z.@:]{0,20}(/[ -~]{0,20})?",
            "(https?|javascript|data|HTTP)[:/\\\\\t ]{1,4}[a-zA-Z0-9.@:\\[\\]%]{0,30}(/[ -~]{0,10})?",
        ],
        base in prop::sample::select(BASES.to_vec()),
    ) {
        let base_url = Url::parse(base).unwrap();
        let redirected = callback_url::default_redirect(&value, base);
        prop_assert!(redirected.is_ascii(), "{:?} -> {:?}", value, redirected);
        let parsed = Url::parse(&redirected).unwrap();
        prop_assert_eq!(parsed.origin(), base_url.origin(), "{:?} -> {:?}", value, redirected);
        // A browser resolves `Location` against the current page: still on the origin.
        prop_assert_eq!(base_url.join(&redirected).unwrap().origin(), base_url.origin());
        if callback_url::is_acceptable(&value, base) {
            prop_assert_eq!(callback_url::default_redirect(&value, base), redirected);
        }
    }

    #[test]
    fn callback_url_keeps_same_origin_paths_and_urls(
        path in "/[a-zA-Z0-9/_.~%!$&'()*+,;=:@-]{0,40}(\\?[a-zA-Z0-9=&/]{0,20})?(#[a-z]{0,8})?",
        base in prop::sample::select(BASES.to_vec()),
    ) {
        let concatenated = format!("{base}{path}");
        prop_assert_eq!(callback_url::default_redirect(&path, base), concatenated.clone());
        prop_assert!(callback_url::is_acceptable(&path, base));
        prop_assert_eq!(callback_url::default_redirect(&concatenated, base), concatenated);
    }

    #[test]
    fn email_normalisation_is_idempotent_with_one_at(
        raw in prop_oneof![
            any::<String>(),
            "[ \t]{0,2}[A-Za-z0-9._+\u{130}\u{212a}-]{1,12}[@\u{ff20}][A-Za-z0-9.\u{212a}-]{1,12}[ \t\u{a0}]{0,2}(,[ a-z@.]{0,8})?[ \t]{0,2}",
        ],
    ) {
        if let Ok(address) = normalize_identifier(&raw) {
            prop_assert_eq!(address.matches('@').count(), 1, "{:?}", address);
            prop_assert_eq!(normalize_identifier(&address), Ok(address.clone()), "{:?}", raw);
        }
    }
}
