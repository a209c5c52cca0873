//! The further v3 weaknesses of docs/REST.md §9 that have no advisory: the id_token decoded without
//! verification; state tied to the CSRF cookie and no PKCE by default; the `signIn`
//! callback's string return used as an unvalidated redirect; an email without `@` hanging
//! the request; a body `callbackUrl` that is not a URL hanging it (#5).
//!
//! Our guarantees: the ID token's nonce and the PKCE verifier are checked against this
//! browser's sign-in (the signature, `iss`, `aud`, `exp` and `alg` checks need a provider
//! that signs badly, which a real one will not: `tests/oauth_faults.rs` covers them with a
//! fake); PKCE S256 is on for every provider by default and fresh per sign-in, with a
//! nonce for OpenID ones; a `sign_in` callback's string is an error code in our own error
//! URL, never a redirect target; and every malformed input is answered at once.

use std::time::Duration;

use auth_runtime::auth;
use auth_runtime::callbacks::{Credentials, SignInParams};
use axum::http::StatusCode;

use crate::support::{BASE, MailSite, ORIGIN, demo_client, query_param, sqlite_store};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::oauth_app::{assert_oauth_callback_error, client, path_of, provider, start};

/// `request` answers within a second.
async fn promptly(request: impl Future<Output = Answer>) -> Answer {
    tokio::time::timeout(Duration::from_secs(1), request)
        .await
        .expect("answered within a second")
}

#[tokio::test]
async fn a_nonce_or_pkce_cookie_from_another_sign_in_fails() {
    for swapped in ["next-auth.nonce", "next-auth.pkce.code_verifier"] {
        let mut client = client();
        start(&mut client, "oidc").await;
        let other = client.cookie(swapped).unwrap().to_owned();
        let url = start(&mut client, "oidc").await;
        let callback = path_of(&provider().login(&url, "eve").await);
        client.set_cookie(swapped, &other);
        assert_oauth_callback_error(&client.get(&callback).await);
    }
}

#[tokio::test]
async fn pkce_and_a_nonce_are_on_by_default_and_fresh_for_every_sign_in() {
    for (id, has_nonce) in [("oidc", true), ("oidc_post", true), ("plain", false)] {
        let mut client = client();
        let first = start(&mut client, id).await;
        let second = start(&mut client, id).await;
        for url in [&first, &second] {
            assert_eq!(
                query_param(url, "code_challenge_method").as_deref(),
                Some("S256"),
                "{id}: {url}"
            );
            assert_eq!(
                query_param(url, "nonce").is_some(),
                has_nonce,
                "{id}: {url}"
            );
        }
        assert_ne!(
            query_param(&first, "code_challenge"),
            query_param(&second, "code_challenge"),
            "{id}"
        );
        if has_nonce {
            assert_ne!(
                query_param(&first, "nonce"),
                query_param(&second, "nonce"),
                "{id}"
            );
        }
    }
}

/// The `reason` field of the credentials form, returned as the sign-in callback's error.
async fn refuse_with_reason(params: SignInParams) -> Result<bool, String> {
    let reason = params
        .credentials
        .as_ref()
        .and_then(|c| c.get("reason"))
        .unwrap_or("no reason")
        .to_owned();
    Err(reason)
}

async fn anyone(_: Credentials) -> Option<auth_runtime::User> {
    Some(auth_runtime::User::new("1").name("Anyone"))
}

auth! {
    module: refusing,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: anyone,
        },
    },
    callbacks: { sign_in: refuse_with_reason },
}

#[tokio::test]
async fn a_sign_in_callback_string_is_an_error_code_never_a_redirect() {
    let auth = refusing::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "v3-weakness-secret-6d1f8a3c9e2b7f5a0c"),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    for reason in [
        "https://evil.com/phish",
        "//evil.com",
        "/\\evil.com",
        "javascript:alert(1)",
    ] {
        let mut client = Client::new(refusing::router(auth.clone()).layer(auth.layer()));
        let token = client.csrf(BASE).await;
        let encoded = auth_runtime::__private::cookies::encode_uri_component(reason);
        for json in [false, true] {
            let answer = client
                .post_form(
                    &format!("{BASE}/callback/credentials"),
                    &format!(
                        "username=x&reason={encoded}&csrfToken={token}{}",
                        if json { "&json=true" } else { "" }
                    ),
                )
                .await;
            let target = if json {
                answer.json()["url"].as_str().unwrap().to_owned()
            } else {
                assert_eq!(answer.status, StatusCode::FOUND, "{reason}");
                answer.location().to_owned()
            };
            let url = url::Url::parse(&target).unwrap();
            assert_eq!(
                url.origin().ascii_serialization(),
                ORIGIN,
                "{reason}: {target}"
            );
            assert_eq!(url.path(), format!("{BASE}/error"), "{reason}: {target}");
            assert_eq!(
                query_param(&target, "error").as_deref(),
                Some(reason),
                "{reason}: {target}"
            );
            assert!(answer.set_cookie("next-auth.session-token").is_none());
        }
    }
}

#[tokio::test]
async fn an_email_without_an_at_sign_is_answered_at_once_and_mails_nothing() {
    let site = MailSite::start(&sqlite_store());
    let mut client = site.client();
    for input in ["no-at-sign", "", "   ", "@", "user@", "@example.com"] {
        let answer = promptly(MailSite::request_link(&mut client, input)).await;
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/error?error=EmailSignin"),
            "{input:?}"
        );
    }
    site.assert_only_the_control_is_mailed().await;
}

#[tokio::test]
async fn a_body_callback_url_that_is_not_a_url_is_answered_on_every_post_route() {
    for bad in ["foo", "http://[", "javascript:alert(1)"] {
        let encoded = auth_runtime::__private::cookies::encode_uri_component(bad);
        let mut client = demo_client();
        let token = client.csrf(BASE).await;
        let signin = promptly(client.post_form(
            &format!("{BASE}/signin/credentials"),
            &format!("csrfToken={token}&callbackUrl={encoded}&json=true"),
        ))
        .await;
        assert_eq!(signin.status, StatusCode::OK, "{bad}");
        let url = signin.json()["url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("{ORIGIN}/")), "{bad}: {url}");

        let callback = promptly(client.post_form(
            &format!("{BASE}/callback/credentials"),
            &format!(
                "username=demo&password=demo&csrfToken={token}&callbackUrl={encoded}&json=true"
            ),
        ))
        .await;
        assert_eq!(callback.status, StatusCode::OK, "{bad}");
        assert_eq!(callback.json()["url"], ORIGIN, "{bad}");
    }
}
