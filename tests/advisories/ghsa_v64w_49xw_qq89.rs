//! GHSA-v64w-49xw-qq89 / CVE-2023-48309 (docs/REST.md §9 #10): the state, PKCE and nonce cookies
//! were JWEs under the session token's key, so one pasted into `next-auth.session-token`
//! decoded as a session of an empty "mock" user that passed `!!token` middleware checks.
//! Fixed in 4.24.5 (per-purpose HKDF salt: the cookie's name).
//!
//! Our guarantee: each purpose has its own key (the salt is the cookie name), so no check
//! cookie, real or forged with user claims, decrypts as a session: `/session` answers `{}`
//! and clears the cookie, and `Session`, `Option<Session>`, `session_from_headers` and
//! `token_from_headers` (`getToken`) all say "no session".

use auth_runtime::jwt;
use axum::http::header;

use crate::demo;
use crate::support::{
    BASE, assert_no_session_anywhere, demo_client, now, oauth_app_with_helpers, oauth_auth,
};
use auth_test_support::client::{SECRET, vars};
use auth_test_support::oauth_app::{env_for, provider, start};

#[tokio::test]
async fn a_check_cookie_token_is_not_a_session_token() {
    // The state cookie's salt makes its key differ, even with a user's claims inside.
    let state_keys = jwt::TokenKeys::derive(&[SECRET.to_owned()], "next-auth.state").unwrap();
    for claims in [
        serde_json::json!({"value": "abc", "provider": "credentials"}),
        serde_json::json!({"sub": "1", "name": "Demo User", "email": "demo@example.com"}),
    ] {
        let state = jwt::encode(&state_keys, claims.as_object().unwrap(), 900, now());
        let mut client = demo_client();
        client.set_cookie("next-auth.session-token", &state);
        let answer = client.get(&format!("{BASE}/session")).await;
        assert_eq!(answer.body, "{}");
        assert!(
            answer
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0")
        );
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("next-auth.session-token={state}").parse().unwrap(),
        );
        let auth = demo::auth::config_from(&vars(&[("NEXTAUTH_SECRET", SECRET)])).unwrap();
        assert!(auth.token_from_headers(&headers).is_none());
        assert!(auth.session_from_headers(&headers).await.is_none());
        // As a Bearer token too.
        let mut bearer = axum::http::HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            format!("Bearer {state}").parse().unwrap(),
        );
        assert!(auth.token_from_headers(&bearer).is_none());
        client.remove_cookie("next-auth.session-token");
        let me = client
            .send(
                axum::http::Request::get("/me")
                    .header(header::COOKIE, format!("next-auth.session-token={state}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(me.status, axum::http::StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_check_cookie_is_not_a_session_token() {
    // With the real cookies of a sign-in started at the real OpenID provider.
    let auth = oauth_auth(&env_for(
        &provider().issuer,
        auth_test_support::oidc::BASIC_CLIENT_SECRET,
    ));
    for name in [
        "next-auth.state",
        "next-auth.pkce.code_verifier",
        "next-auth.nonce",
    ] {
        let mut client = oauth_app_with_helpers(&auth);
        start(&mut client, "oidc").await;
        let check = client.cookie(name).unwrap().to_owned();
        client.set_cookie("next-auth.session-token", &check);
        let answer = client.get(&format!("{BASE}/session")).await;
        assert_eq!(answer.body, "{}", "{name}");
        assert!(
            answer
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0"),
            "{name}"
        );
        client.set_cookie("next-auth.session-token", &check);
        assert_no_session_anywhere(&auth, &mut client, &[], name).await;
        client.remove_cookie("next-auth.session-token");
        let bearer = format!("Bearer {check}");
        assert_no_session_anywhere(&auth, &mut client, &[("authorization", &bearer)], name).await;
    }
    // The same secret does make sessions: a token under the session key is one (control).
    let claims = serde_json::json!({"sub": "1", "email": "control@example.com"});
    let session = crate::support::seal(claims.as_object().unwrap(), "");
    let mut client = oauth_app_with_helpers(&auth);
    client.set_cookie("next-auth.session-token", &session);
    assert_eq!(client.get("/me").await.body, "control@example.com");
}
