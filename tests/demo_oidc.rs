//! The demo's `oidc` provider against a real OpenID provider: enabled by its variables,
//! listed with the name from `OIDC_NAME`, and signing a user in end to end.

#![allow(clippy::unwrap_used)]

use crate::demo_example as demo;

use auth_test_support::client::{Client, vars};
use auth_test_support::oidc;
use axum::http::StatusCode;

const BASE: &str = "/api/auth";

#[tokio::test]
async fn the_demo_signs_in_through_its_optional_oidc_provider() {
    let op =
        oidc::OidcProvider::start(&["http://127.0.0.1:3000/api/auth/callback/oidc".to_owned()]);
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "demo-oidc-secret-4a8c2e6f0b3d9a7e1c5f"),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
        ("OIDC_NAME", "Company SSO"),
        ("OIDC_ISSUER", &op.issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
    ]))
    .unwrap();
    let mut client = Client::new(demo::app(auth));

    let providers = client.get(&format!("{BASE}/providers")).await.json();
    let ids: Vec<&String> = providers.as_object().unwrap().keys().collect();
    assert_eq!(
        ids,
        ["credentials", "oidc"],
        "github stays off without its variables"
    );
    assert_eq!(providers["oidc"]["name"], "Company SSO");
    let page = client.get(&format!("{BASE}/signin")).await;
    assert!(page.body.contains("Sign in with Company SSO"));

    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signin/oidc"),
            &format!("csrfToken={token}&callbackUrl=%2F&json=true"),
        )
        .await;
    let url = answer.json()["url"].as_str().unwrap().to_owned();
    let callback = op.login(&url, "alice").await;
    let answer = client
        .get(callback.strip_prefix("http://127.0.0.1:3000").unwrap())
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(answer.location(), "http://127.0.0.1:3000/");

    let home = client.get("/").await;
    assert!(home.body.contains("User alice"), "{}", home.body);
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], "alice@example.com");
}

#[test]
fn a_plain_http_issuer_to_another_machine_stops_the_start_naming_its_variable() {
    // The `auth!` macro refuses the same URL as a literal; from `env(…)` it is refused by the
    // same rule at start-up.
    let refused = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "demo-oidc-secret-0123456789abcdef0123"),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
        ("OIDC_ISSUER", "http://idp.example.com"),
        ("OIDC_CLIENT_ID", "client"),
        ("OIDC_CLIENT_SECRET", "secret"),
    ]));
    let error = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        error,
        "OIDC_ISSUER: plain http to a non-loopback host; use https"
    );
    assert_eq!(
        auth_shared_verdict("http://idp.example.com"),
        Some("plain http to a non-loopback host; use https".to_owned()),
        "the shared rule's verdict"
    );
}

/// The rule's verdict, as the macro gets it for a literal issuer.
fn auth_shared_verdict(url: &str) -> Option<String> {
    auth_runtime::__private::literal_rules::url_problem(
        url,
        auth_runtime::__private::literal_rules::UrlRole::Issuer,
    )
}
