//! GHSA-x445-f3h2-j279 / CVE-2026-73419 (docs/REST.md §9 #14): the state, nonce and PKCE cookies
//! did not say which provider made them, so a sign-in started with provider A could be
//! finished at provider B's callback (cross-provider account-linking confusion). Fixed in
//! 4.24.15 / 5.0.0-beta.32 / @auth/core 0.41.3 (the sealed payload carries `provider`).
//!
//! Our guarantee: every check cookie seals its provider id and the state value is bound to
//! the provider, so A's state and cookies at `/callback/B` are `error?error=OAuthCallback`.
//! The second test shows it is the binding itself that refuses: B's own flow, with nothing
//! changed but the `provider` sealed in one cookie, fails, and re-sealed unchanged succeeds.

use serde_json::Value;

use crate::support::{ORIGIN, seal, unseal};
use auth_test_support::oauth_app::{
    BASE, assert_oauth_callback_error, client, path_of, provider, start,
};

#[tokio::test]
async fn a_state_from_another_providers_sign_in_fails() {
    // Provider A's state and cookies at B's callback, both ways and across provider kinds.
    for (a, b) in [
        ("oidc", "oidc_post"),
        ("oidc_post", "oidc"),
        ("oidc", "plain"),
        ("plain", "oidc"),
    ] {
        let mut client = client();
        let url = start(&mut client, a).await;
        let callback = path_of(&provider().login(&url, "eve").await);
        let crossed = callback.replacen(&format!("/callback/{a}?"), &format!("/callback/{b}?"), 1);
        assert_ne!(crossed, callback);
        assert_oauth_callback_error(&client.get(&crossed).await);
        assert_eq!(
            client.get(&format!("{BASE}/session")).await.body,
            "{}",
            "{a} -> {b}"
        );
    }
}

#[tokio::test]
async fn a_check_cookie_sealed_for_another_provider_fails_at_an_otherwise_valid_callback() {
    for (name, provider_id, expect_success) in [
        ("next-auth.state", "oidc_post", false),
        ("next-auth.pkce.code_verifier", "oidc_post", false),
        ("next-auth.nonce", "oidc_post", false),
        // The control: the same re-sealing, provider unchanged, signs in.
        ("next-auth.state", "oidc", true),
    ] {
        let mut client = client();
        let url = start(&mut client, "oidc").await;
        let callback = path_of(&provider().login(&url, "eve").await);
        let mut claims = unseal(client.cookie(name).unwrap(), name);
        assert_eq!(claims["provider"], "oidc", "{name}");
        claims.insert("provider".to_owned(), Value::String(provider_id.to_owned()));
        client.set_cookie(name, &seal(&claims, name));
        let answer = client.get(&callback).await;
        if expect_success {
            assert_eq!(answer.location(), format!("{ORIGIN}/home"), "{name}");
        } else {
            assert_oauth_callback_error(&answer);
        }
    }
}
