//! Host-header trust (docs/REST.md §9 #16; 4.24.15 release notes, no separate GHSA found): with
//! `VERCEL` or `AUTH_TRUST_HOST` set, `X-Forwarded-Host` overrode an explicit
//! `NEXTAUTH_URL`, so an attacker's host could end up in redirect URIs, email links and
//! the redirect callback's `baseUrl`.
//!
//! Our guarantee: every absolute URL comes from `NEXTAUTH_URL`; `Host`, `X-Forwarded-Host`
//! and `X-Forwarded-Proto` are never read. Sent as `evil.com`, they change nothing in
//! `/providers`, the sign-in page, the OAuth `redirect_uri`, the email link and subject, the
//! callback-url cookie, or the `baseUrl` the redirect callback is given.

use std::sync::Mutex;

use auth_runtime::auth;
use auth_runtime::callbacks::{Credentials, RedirectParams};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::{BASE, MailSite, ORIGIN, demo_client, sqlite_store, unique};
use auth_test_support::client::{Client, vars};
use auth_test_support::oauth_app::client;

/// The headers an attacker (or a misconfigured proxy) sends.
fn hostile(builder: axum::http::request::Builder) -> axum::http::request::Builder {
    builder
        .header(header::HOST, "evil.com")
        .header("x-forwarded-host", "evil.com")
        .header("x-forwarded-proto", "https")
}

#[tokio::test]
async fn the_host_header_never_changes_the_redirect_uri() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .send(
            hostile(Request::post(format!("{BASE}/signin/oidc")))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, client.cookie_header())
                .body(Body::from(format!("csrfToken={token}&json=true")))
                .unwrap(),
        )
        .await;
    let url = answer.json()["url"].as_str().unwrap().to_owned();
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fapi%2Fauth%2Fcallback%2Foidc"),
        "{url}"
    );
    assert!(!url.contains("evil.com"));
    let providers = client
        .send(
            hostile(Request::get(format!("{BASE}/providers")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!providers.body.contains("evil.com"));
}

#[tokio::test]
async fn providers_the_sign_in_page_and_the_callback_url_cookie_use_the_configured_origin() {
    let mut client = demo_client();
    let providers = client
        .send(
            hostile(Request::get(format!("{BASE}/providers")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        providers.json()["credentials"]["signinUrl"],
        format!("{ORIGIN}{BASE}/signin/credentials")
    );
    assert_eq!(
        providers.json()["credentials"]["callbackUrl"],
        format!("{ORIGIN}{BASE}/callback/credentials")
    );
    let page = client
        .send(
            hostile(Request::get(format!("{BASE}/signin")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!(r#"action="{ORIGIN}{BASE}/callback/credentials""#))
    );
    assert!(!page.body.contains("evil.com"), "{}", page.body);
    assert_eq!(
        client.cookie("next-auth.callback-url"),
        Some("http%3A%2F%2F127.0.0.1%3A3000")
    );

    // A relative callbackUrl is completed with the configured origin, not the Host.
    let token = client.csrf(BASE).await;
    let answer = client
        .send(
            hostile(Request::post(format!("{BASE}/callback/credentials")))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, client.cookie_header())
                .body(Body::from(format!(
                    "username=demo&password=demo&csrfToken={token}&callbackUrl=%2Fdash"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.location(), format!("{ORIGIN}/dash"));
}

#[tokio::test]
async fn the_email_link_and_subject_use_the_configured_origin() {
    let site = MailSite::start(&sqlite_store());
    let address = format!("{}@example.com", unique("host"));
    let mut client = site.client();
    let token = client.csrf(BASE).await;
    let answer = client
        .send(
            hostile(Request::post(format!("{BASE}/signin/email")))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, client.cookie_header())
                .body(Body::from(format!(
                    "csrfToken={token}&email={}&callbackUrl=%2Fwelcome",
                    auth_runtime::__private::cookies::encode_uri_component(&address)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email")
    );
    let mail = site.mail_to(&address);
    let link = mail.sign_in_link().unwrap();
    assert!(
        link.starts_with(&format!(
            "{ORIGIN}{BASE}/callback/email?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fwelcome"
        )),
        "{link}"
    );
    assert_eq!(mail.subject, "Sign in to 127.0.0.1:3000");
    assert!(!mail.raw.contains("evil.com"), "{}", mail.raw);
}

/// Every `baseUrl` the redirect callback below was given.
static REDIRECT_BASE_URLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records `baseUrl`, then keeps same-origin URLs as the default does.
async fn record_redirect(params: RedirectParams) -> String {
    REDIRECT_BASE_URLS
        .lock()
        .unwrap()
        .push(params.base_url.clone());
    if params.url.starts_with('/') {
        format!("{}{}", params.base_url, params.url)
    } else {
        params.base_url
    }
}

async fn anyone(_: Credentials) -> Option<auth_runtime::User> {
    Some(auth_runtime::User::new("1").name("Anyone"))
}

auth! {
    module: recorded,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: anyone,
        },
    },
    callbacks: { redirect: record_redirect },
}

#[tokio::test]
async fn the_redirect_callback_is_given_the_configured_origin_as_base_url() {
    let auth = recorded::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "host-header-secret-2b7e9f4c1a6d8e3b0f"),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    let mut client = Client::new(recorded::router(auth.clone()).layer(auth.layer()));
    let token = client.csrf(BASE).await;
    let answer = client
        .send(
            hostile(Request::post(format!("{BASE}/callback/credentials")))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, client.cookie_header())
                .body(Body::from(format!(
                    "username=x&csrfToken={token}&callbackUrl=%2Fdash&json=true"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["url"], format!("{ORIGIN}/dash"));
    let seen = REDIRECT_BASE_URLS.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|base| base == ORIGIN), "{seen:?}");
}
