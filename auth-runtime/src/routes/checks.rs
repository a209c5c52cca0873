//! The OAuth check cookies (state, PKCE verifier, nonce): sealed as next-auth v4 does, in a
//! JWE under a key salted with the cookie's name, carrying the value and the provider id.
//!
//! A cookie is only good for the provider that made it (advisory GHSA-x445-f3h2-j279), a
//! missing or unreadable one fails the callback (GHSA-7r7x-4c4q-c4qf), and no other token
//! decrypts as one (GHSA-v64w-49xw-qq89).
//!
//! The state cookie carries more than a value: the random part of this flow's `state` (so the
//! state differs per sign-in while still derived from the CSRF token), and, for a flow started
//! by `POST /accounts/link`, the id of the user the account is to be linked to. Only a flow
//! started that way links an account (docs/BEHAVIOUR.md, "Account linking").

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::cookies::{Jar, SetCookie};
use crate::extract::expiry;
use crate::jwe::{self, TokenKeys};

/// How long a sign-in may take: 15 minutes, as next-auth.
pub(crate) const CHECK_MAX_AGE: u64 = 15 * 60;

/// Seals `value` for `provider` as a check cookie's value.
pub(crate) fn seal(keys: &TokenKeys, value: &str, provider: &str, now: OffsetDateTime) -> String {
    seal_claims(keys, value, provider, None, now)
}

/// What the state cookie of one flow holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct StateCookie {
    /// The random part of the flow's `state` (see `signin::oauth_state`).
    pub(crate) random: String,
    /// The user the account is to be linked to, for a flow started by `POST /accounts/link`.
    pub(crate) link_user: Option<String>,
}

/// Seals a flow's state cookie for `provider`.
pub(crate) fn seal_state(
    keys: &TokenKeys,
    state: &StateCookie,
    provider: &str,
    now: OffsetDateTime,
) -> String {
    seal_claims(
        keys,
        &state.random,
        provider,
        state.link_user.as_deref(),
        now,
    )
}

/// The state cookie `name`, when it exists, decrypts, has not expired and was made for
/// `provider`.
pub(crate) fn open_state(
    jar: &Jar,
    name: &str,
    keys: &TokenKeys,
    provider: &str,
) -> Option<StateCookie> {
    let claims = open_claims(jar, name, keys, provider)?;
    let random = value_of(&claims)?;
    let link_user = claims
        .get(LINK_CLAIM)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    Some(StateCookie { random, link_user })
}

/// The claim that names the user a flow links to.
const LINK_CLAIM: &str = "link";

fn seal_claims(
    keys: &TokenKeys,
    value: &str,
    provider: &str,
    link_user: Option<&str>,
    now: OffsetDateTime,
) -> String {
    let mut claims = Map::new();
    claims.insert("value".to_owned(), Value::String(value.to_owned()));
    claims.insert("provider".to_owned(), Value::String(provider.to_owned()));
    if let Some(user) = link_user {
        claims.insert(LINK_CLAIM.to_owned(), Value::String(user.to_owned()));
    }
    jwe::encode(
        keys,
        &claims,
        CHECK_MAX_AGE,
        now.unix_timestamp().max(0) as u64,
    )
}

/// The value sealed in cookie `name`, when it exists, decrypts, has not expired and was made
/// for `provider`.
pub(crate) fn open(jar: &Jar, name: &str, keys: &TokenKeys, provider: &str) -> Option<String> {
    value_of(&open_claims(jar, name, keys, provider)?)
}

fn open_claims(
    jar: &Jar,
    name: &str,
    keys: &TokenKeys,
    provider: &str,
) -> Option<Map<String, Value>> {
    let sealed = jar.get(name)?;
    let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let claims = jwe::decode(keys, sealed, now).ok()?;
    let made_for = claims.get("provider").and_then(Value::as_str)?;
    (made_for == provider).then_some(claims)
}

fn value_of(claims: &Map<String, Value>) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(NOW).unwrap()
    }

    #[test]
    fn a_check_cookie_lives_fifteen_minutes() {
        let with = cookie("next-auth.state", "v".to_owned(), false, true, now()).to_string();
        assert!(with.contains("Max-Age=900"), "{with}");
        // 1_800_000_000 + 900 s is Fri, 15 Jan 2027 08:15:00 GMT.
        assert!(
            with.contains("Expires=Fri, 15 Jan 2027 08:15:00 GMT"),
            "{with}"
        );
        let nonce = cookie("next-auth.nonce", "v".to_owned(), false, false, now()).to_string();
        assert!(!nonce.contains("Max-Age"), "{nonce}");
        assert!(
            nonce.contains("Expires=Fri, 15 Jan 2027 08:15:00 GMT"),
            "{nonce}"
        );
    }

    fn jar_with(name: &str, value: &str) -> Jar {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            format!("{name}={value}").parse().unwrap(),
        );
        Jar::from_headers(&headers)
    }

    fn keys(salt: &str) -> TokenKeys {
        TokenKeys::derive(&["secret".to_owned()], salt).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_provider_cookie_and_secret() {
        let name = "next-auth.pkce.code_verifier";
        let sealed = seal(
            &keys(name),
            "verifier-1",
            "github",
            OffsetDateTime::now_utc(),
        );
        let jar = jar_with(name, &sealed);
        assert_eq!(
            open(&jar, name, &keys(name), "github").as_deref(),
            Some("verifier-1")
        );
        assert_eq!(
            open(&jar, name, &keys(name), "google"),
            None,
            "another provider"
        );
        assert_eq!(
            open(&jar, name, &keys("next-auth.nonce"), "github"),
            None,
            "another key"
        );
        assert_eq!(
            open(&jar_with("other", &sealed), name, &keys(name), "github"),
            None
        );
        let empty = seal(&keys(name), "", "github", OffsetDateTime::now_utc());
        assert_eq!(
            open(&jar_with(name, &empty), name, &keys(name), "github"),
            None
        );
    }

    #[test]
    fn a_check_cookie_older_than_fifteen_minutes_does_not_open() {
        let name = "next-auth.nonce";
        let made = OffsetDateTime::now_utc() - time::Duration::minutes(16);
        let sealed = seal(&keys(name), "nonce-1", "github", made);
        assert_eq!(
            open(&jar_with(name, &sealed), name, &keys(name), "github"),
            None
        );
    }

    #[test]
    fn a_state_cookie_carries_its_random_part_and_the_user_a_link_flow_is_for() {
        let name = "next-auth.state";
        let now = OffsetDateTime::now_utc();
        for link_user in [Some("42"), None, Some("")] {
            let state = StateCookie {
                random: "r-1".to_owned(),
                link_user: link_user.map(str::to_owned),
            };
            let sealed = seal_state(&keys(name), &state, "github", now);
            let opened = open_state(&jar_with(name, &sealed), name, &keys(name), "github");
            let expected = StateCookie {
                random: "r-1".to_owned(),
                // An empty user id is no link.
                link_user: link_user.filter(|u| !u.is_empty()).map(str::to_owned),
            };
            assert_eq!(opened, Some(expected), "{link_user:?}");
            assert_eq!(
                open_state(&jar_with(name, &sealed), name, &keys(name), "gitlab"),
                None
            );
        }
    }

    #[test]
    fn a_sealed_check_value_expires_after_fifteen_minutes() {
        let keys = TokenKeys::derive(&["secret".to_owned()], "next-auth.state").unwrap();
        let sealed = seal(&keys, "value", "github", now());
        let claims = jwe::decode(&keys, &sealed, NOW as u64).unwrap();
        assert_eq!(claims["exp"], NOW + 900);
        assert_eq!(claims["provider"], "github");
        assert_eq!(claims["value"], "value");
    }
}
