//! No request a client can send makes the server answer 5xx: every route of the demo and the
//! database example (SQLite), under every method, with malformed queries, bodies, cookies and
//! headers, signed out and signed in. The one 500 by design is the error page for
//! `Configuration`, which reports a server misconfiguration (docs/REST.md §2.10).

#![allow(clippy::unwrap_used)]

use crate::database_example as database;
use crate::demo_example as demo;

use auth_test_support::client::{Client, vars};
use axum::body::Body;
use axum::http::{Request, header};

const BASE: &str = "/api/auth";

/// Every path the apps answer, and some they do not.
const PATHS: &[&str] = &[
    "/",
    "/me",
    "/api/auth",
    "/api/auth/",
    "/api/auth/csrf",
    "/api/auth/session",
    "/api/auth/providers",
    "/api/auth/signin",
    "/api/auth/signin/credentials",
    "/api/auth/signin/github",
    "/api/auth/signin/nope",
    "/api/auth/callback/credentials",
    "/api/auth/callback/github",
    "/api/auth/callback/oidc",
    "/api/auth/callback/email",
    "/api/auth/callback/nope",
    "/api/auth/signout",
    "/api/auth/error",
    "/api/auth/error/AccessDenied",
    "/api/auth/verify-request",
    "/api/auth/_log",
    "/api/auth/accounts",
    "/api/auth/accounts/link",
    "/api/auth/accounts/unlink",
    "/api/auth/%ff%fe",
    "/api/auth/signin/%00",
    "/api/auth/callback/credentials/extra/segments",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Query strings a client may send.
const QUERIES: &[&str] = &[
    "",
    "?callbackUrl=http://[",
    "?callbackUrl=javascript:alert(1)",
    "?callbackUrl=%2F%2Fevil.com&error=%00%ff",
    "?token=&email=%40",
    "?token=x&email=a%40b.c&callbackUrl=foo",
    "?code=x&state=y&iss=http%3A%2F%2Fevil",
    "?error=Configuration",
    "?json=true&provider=github",
];

/// Bodies, each with its content type.
const BODIES: &[(&str, &str)] = &[
    ("", ""),
    (
        "application/x-www-form-urlencoded",
        "csrfToken=%zz&callbackUrl=foo&json=true",
    ),
    (
        "application/x-www-form-urlencoded",
        "username=demo&password=demo&json=true",
    ),
    (
        "application/x-www-form-urlencoded",
        "email=a%40%40b&provider=oidc&id=1&others=true",
    ),
    ("application/json", "{"),
    (
        "application/json",
        r#"{"csrfToken": 1, "data": {"a": [1, 2]}, "json": true}"#,
    ),
    ("text/plain", "\u{0}\u{1}garbage"),
];

/// Cookie headers and other headers a client may send.
const HEADERS: &[(&str, &str)] = &[
    (
        "cookie",
        "next-auth.session-token=garbage; next-auth.csrf-token=a%7Cb",
    ),
    (
        "cookie",
        "next-auth.session-token.0=x; next-auth.session-token.1=%; next-auth.callback-url=%zz",
    ),
    (
        "cookie",
        "next-auth.state=eyJ; next-auth.pkce.code_verifier=; next-auth.nonce=..",
    ),
    ("authorization", "Bearer %"),
    ("accept", "text/html"),
    ("x-forwarded-for", "not an address"),
];

/// Sends every combination to `app` (a fresh client per path, so cookies do not pile up)
/// and returns the requests that got a 5xx.
async fn server_errors(app: impl Fn() -> Client) -> Vec<String> {
    let mut failures = Vec::new();
    let mut sent = 0;
    for path in PATHS {
        let mut client = app();
        for method in METHODS {
            for query in QUERIES {
                for (content_type, body) in BODIES {
                    for (name, value) in HEADERS {
                        let uri = format!("{path}{query}");
                        let mut request = Request::builder()
                            .method(*method)
                            .uri(&uri)
                            .header(*name, *value);
                        if !content_type.is_empty() {
                            request = request.header(header::CONTENT_TYPE, *content_type);
                        }
                        let answer = client.send(request.body(Body::from(*body)).unwrap()).await;
                        sent += 1;
                        let by_design = answer.status.as_u16() == 500
                            && path.starts_with(&format!("{BASE}/error"))
                            && query.contains("error=Configuration")
                            && *method == "GET";
                        if answer.status.is_server_error() && !by_design {
                            failures.push(format!(
                                "{method} {uri} [{name}: {value}] [{content_type}: {body}] -> {} {}",
                                answer.status,
                                answer.body.chars().take(80).collect::<String>()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(sent > 10_000, "the search sent {sent} requests");
    failures
}

#[tokio::test]
async fn no_request_to_the_demo_gets_a_server_error() {
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "request-space-secret-0123456789abcdef"),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
    ]))
    .unwrap();
    let failures = server_errors(|| Client::new(demo::app(auth.clone()))).await;
    assert!(
        failures.is_empty(),
        "{} 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn no_request_to_the_database_example_gets_a_server_error() {
    let file = std::env::temp_dir().join(format!("request-space-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let auth = database::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "request-space-secret-0123456789abcdef"),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
        ("DATABASE_URL", &url),
    ]))
    .unwrap();
    let failures = server_errors(|| Client::new(database::app(auth.clone()))).await;
    let _ = std::fs::remove_file(&file);
    assert!(
        failures.is_empty(),
        "{} 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
