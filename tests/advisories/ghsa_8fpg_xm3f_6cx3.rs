//! GHSA-8fpg-xm3f-6cx3 / CVE-2026-73421 (docs/REST.md §9 #15; v5 only, fixed in 5.0.0-beta.32): on
//! configuration errors the `auth()` helper returned a truthy error object, so
//! `if (req.auth)` guards let everyone through.
//!
//! We have no `auth()` helper; our "current session" helpers are the `Session` extractor,
//! `Option<Session>`, `Auth::session_from_headers` (`getServerSession`) and
//! `Auth::token_from_headers` (`getToken`). Our guarantee for a broken configuration: a
//! missing or empty secret is a start-up error, so no `Auth` (and no helper) exists; with a
//! provider that cannot work (its issuer down), a store that cannot be reached, or a
//! router missing `auth.layer()`, every helper yields no session or denies (never an
//! error that passes for a session), and `/session` answers `{}`.

use auth_runtime::ConfigError;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use crate::demo;
use crate::support::{
    BASE, MailSite, ORIGIN, assert_no_session_anywhere, oauth_app_with_helpers, oauth_auth, seal,
};
use auth_test_support::client::{Client, SECRET, vars};
use auth_test_support::oauth_app::{app, env_for};

#[tokio::test]
async fn a_missing_or_empty_secret_is_a_start_up_error() {
    for secret in [None, Some("")] {
        let mut pairs = vec![("NEXTAUTH_URL", ORIGIN)];
        if let Some(secret) = secret {
            pairs.push(("NEXTAUTH_SECRET", secret));
        }
        match demo::auth::config_from(&vars(&pairs)) {
            Ok(_) => panic!("{secret:?}: a config without a secret was built"),
            Err(err) => {
                assert!(
                    matches!(err, ConfigError::MissingVariables(ref vars) if vars.iter().any(|v| v == "NEXTAUTH_SECRET")),
                    "{secret:?}: {err}"
                );
            }
        }
    }
}

/// The OAuth app with its issuer on a port where nothing listens.
fn broken_provider_auth() -> app::Auth {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    oauth_auth(&env_for(&issuer, "s"))
}

#[tokio::test]
async fn with_a_provider_that_is_down_every_session_helper_says_no_session() {
    let auth = broken_provider_auth();
    let mut client = oauth_app_with_helpers(&auth);
    assert_no_session_anywhere(&auth, &mut client, &[], "no cookie").await;

    // Sign-in attempts fail, and leave nothing that passes for a session.
    let token = client.csrf(BASE).await;
    let signin = client
        .post_form(
            &format!("{BASE}/signin/oidc"),
            &format!("csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(
        signin.json()["url"],
        format!("{ORIGIN}{BASE}/error?error=OAuthSignin")
    );
    let callback = client
        .get(&format!("{BASE}/callback/oidc?code=x&state=y"))
        .await;
    assert_eq!(callback.status, StatusCode::FOUND);
    assert!(callback.set_cookie("next-auth.session-token").is_none());
    assert_no_session_anywhere(&auth, &mut client, &[], "after failed sign-ins").await;

    for (case, cookie) in [
        ("garbage cookie", "garbage".to_owned()),
        ("empty cookie", String::new()),
        (
            "a token under another secret",
            auth_runtime::jwt::encode(
                &auth_runtime::jwt::TokenKeys::derive(&["another".to_owned()], "").unwrap(),
                serde_json::json!({"sub": "1"}).as_object().unwrap(),
                900,
                crate::support::now(),
            ),
        ),
    ] {
        let mut client = oauth_app_with_helpers(&auth);
        client.set_cookie("next-auth.session-token", &cookie);
        assert_no_session_anywhere(&auth, &mut client, &[], case).await;
        let mut bare = oauth_app_with_helpers(&auth);
        let bearer = format!("Bearer {cookie}");
        assert_no_session_anywhere(&auth, &mut bare, &[("authorization", &bearer)], case).await;
    }

    // The control: the broken provider does not stop a valid session from being one.
    let claims = serde_json::json!({"sub": "1", "email": "control@example.com"});
    let mut signed_in = oauth_app_with_helpers(&auth);
    signed_in.set_cookie(
        "next-auth.session-token",
        &seal(claims.as_object().unwrap(), ""),
    );
    assert_eq!(signed_in.get("/me").await.body, "control@example.com");
}

#[tokio::test]
async fn with_an_unreachable_store_every_session_helper_says_no_session() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let store = format!(
        "postgres://postgres:postgres@{}/nowhere",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let site = MailSite::start(&store);
    let app = Router::new()
        .route(
            "/me",
            get(|_: crate::support::mail::Session| async { "signed in" }),
        )
        .route(
            "/maybe",
            get(|s: Option<crate::support::mail::Session>| async move {
                if s.is_some() { "some" } else { "none" }
            }),
        )
        .merge(crate::support::mail::router(site.auth.clone()))
        .layer(site.auth.layer());
    let mut client = Client::new(app);
    client.set_cookie(
        "next-auth.session-token",
        "00000000-0000-4000-8000-000000000000",
    );
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body, "{}");
    assert_eq!(client.get("/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(client.get("/maybe").await.body, "none");
    let headers = crate::support::cookie_headers(&client);
    assert!(site.auth.session_from_headers(&headers).await.is_none());
    assert!(site.auth.token_from_headers(&headers).is_none());
}

#[tokio::test]
async fn without_the_layer_the_extractors_deny_instead_of_letting_through() {
    // A router that forgot `.layer(auth.layer())`: a configuration error of ours.
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    let app = Router::new()
        .route("/me", get(|_: demo::auth::Session| async { "signed in" }))
        .route(
            "/maybe",
            get(|s: Option<demo::auth::Session>| async move {
                if s.is_some() { "some" } else { "none" }
            }),
        )
        .merge(demo::auth::router(auth.clone()));
    let mut client = Client::new(app);
    // Signed in for real: even a valid session must not make an unconfigured guard pass.
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=demo&password=demo&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    for path in ["/me", "/maybe"] {
        let answer = client.get(path).await;
        assert_eq!(
            answer.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {}",
            answer.body
        );
        assert!(!answer.body.contains("signed in") && !answer.body.contains("some"));
    }
}
