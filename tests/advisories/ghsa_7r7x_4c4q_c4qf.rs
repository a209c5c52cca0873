//! GHSA-7r7x-4c4q-c4qf / CVE-2023-27490 (docs/REST.md §9 #9): state, nonce and PKCE were not
//! enforced: a missing or unparsable check cookie decoded to `undefined` and meant "no
//! check", so an attacker who could tamper with the authorization URL could strip them.
//! Fixed in 4.20.1 (a missing cookie or value throws).
//!
//! Our guarantee, against the real OpenID provider: every check the provider uses (state,
//! PKCE, and the nonce for OpenID providers) is required. A callback without `state`, with
//! a forged one, without a check cookie, with an unparsable one, or with one replaced by
//! another valid NextAuth token (a session JWE, another purpose's cookie) is
//! `error?error=OAuthCallback`, and no session is started.

use serde_json::{Map, Value};

use crate::support::{ORIGIN, seal, unseal};
use auth_test_support::oauth_app::{
    BASE, assert_oauth_callback_error, client, path_of, provider, start, with_param,
};

const CHECK_COOKIES: [&str; 3] = [
    "next-auth.state",
    "next-auth.pkce.code_verifier",
    "next-auth.nonce",
];

#[tokio::test]
async fn a_callback_without_state_or_with_a_forged_one_fails() {
    for forged in [None, Some("forged"), Some("")] {
        let mut client = client();
        let url = start(&mut client, "oidc").await;
        let callback = path_of(&provider().login(&url, "eve").await);
        let answer = client.get(&with_param(&callback, "state", forged)).await;
        assert_oauth_callback_error(&answer);
    }
}

#[tokio::test]
async fn a_bare_code_after_starting_a_sign_in_fails() {
    // docs/REST.md's literal request: `/callback/<p>?code=x`, the check cookies all present.
    for id in ["oidc", "plain"] {
        let mut client = client();
        start(&mut client, id).await;
        let answer = client.get(&format!("{BASE}/callback/{id}?code=x")).await;
        assert_oauth_callback_error(&answer);
        assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
    }
}

#[tokio::test]
async fn a_callback_without_its_check_cookies_fails() {
    for missing in CHECK_COOKIES {
        let mut client = client();
        let url = start(&mut client, "oidc").await;
        let callback = path_of(&provider().login(&url, "eve").await);
        client.remove_cookie(missing);
        let answer = client.get(&callback).await;
        assert_oauth_callback_error(&answer);
    }
    // The state is tied to the CSRF cookie too: a callback in another browser fails.
    let mut client = client();
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&provider().login(&url, "eve").await);
    client.remove_cookie("next-auth.csrf-token");
    assert_oauth_callback_error(&client.get(&callback).await);
}

/// What a check cookie is replaced with.
#[derive(Debug, Clone, Copy)]
enum Replacement {
    /// Bytes that are no token at all.
    Unparsable,
    /// The same claims (value and provider) sealed as a session token.
    SessionToken,
    /// The same claims sealed under another check cookie's key.
    OtherCheckKey,
    /// The same claims, an empty value.
    EmptyValue,
    /// The same claims re-sealed under the right key: the control, which must sign in.
    ResealedFaithfully,
}

#[tokio::test]
async fn a_check_cookie_replaced_by_another_token_fails() {
    use Replacement::*;
    for name in CHECK_COOKIES {
        for replacement in [
            Unparsable,
            SessionToken,
            OtherCheckKey,
            EmptyValue,
            ResealedFaithfully,
        ] {
            let mut client = client();
            let url = start(&mut client, "oidc").await;
            let callback = path_of(&provider().login(&url, "eve").await);
            let claims: Map<String, Value> = unseal(client.cookie(name).unwrap(), name);
            let other_key = CHECK_COOKIES.iter().find(|n| **n != name).unwrap();
            let forged = match replacement {
                Unparsable => "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC".to_owned(),
                SessionToken => seal(&claims, ""),
                OtherCheckKey => seal(&claims, other_key),
                EmptyValue => {
                    let mut empty = claims.clone();
                    empty.insert("value".to_owned(), Value::String(String::new()));
                    seal(&empty, name)
                }
                ResealedFaithfully => seal(&claims, name),
            };
            client.set_cookie(name, &forged);
            let answer = client.get(&callback).await;
            match replacement {
                ResealedFaithfully => {
                    assert_eq!(answer.location(), format!("{ORIGIN}/home"), "{name}");
                    assert!(answer.set_cookie("next-auth.session-token").is_some());
                }
                _ => {
                    assert_oauth_callback_error(&answer);
                    assert_eq!(
                        client.get(&format!("{BASE}/session")).await.body,
                        "{}",
                        "{name} {replacement:?}"
                    );
                }
            }
        }
    }
}
