//! GHSA-xmf8-cvqr-rfgj / CVE-2026-73418 (docs/REST.md §9 #13): `getToken()` percent-decoded
//! `Authorization: Bearer %` with `decodeURIComponent`, which threw (a denial of service).
//! Fixed in 4.24.15 / 5.0.0-beta.32 / @auth/core 0.41.3.
//!
//! Our guarantee: a Bearer value that does not percent-decode, or is empty, is simply no
//! token. The `Session` extractor answers 401, `Option<Session>` is `None`,
//! `token_from_headers` and `session_from_headers` are `None`, `/session` is `{}`, and no
//! endpoint answers 500, on JWT and on database sessions. A valid Bearer token still works.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};

use crate::support::{BASE, MailSite, demo_auth, demo_client, demo_signed_in, sqlite_store};

const MALFORMED: [&str; 6] = [
    "Bearer %",
    "Bearer %zz",
    "Bearer",
    "Bearer ",
    "Bearer %E0%A4%A",
    "bearer %",
];

fn bearer(path: &str, value: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, value)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn malformed_bearer_tokens_are_no_session() {
    for value in MALFORMED {
        let mut client = demo_client();
        let answer = client.send(bearer("/me", value)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{value}");
        let session = client.send(bearer(&format!("{BASE}/session"), value)).await;
        assert_eq!(session.body, "{}", "{value}");
    }
}

#[tokio::test]
async fn malformed_bearer_tokens_are_no_session_for_every_helper_and_never_a_500() {
    let auth = demo_auth("http://127.0.0.1:3000");
    for value in MALFORMED {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        assert!(auth.token_from_headers(&headers).is_none(), "{value}");
        assert!(
            auth.session_from_headers(&headers).await.is_none(),
            "{value}"
        );

        let mut client = demo_client();
        // `/` takes `Option<Session>`: the signed-out page.
        let home = client.send(bearer("/", value)).await;
        assert_eq!(home.status, StatusCode::OK, "{value}");
        assert!(home.body.contains("You are not signed in."), "{value}");
        for path in [
            "/me",
            "/api/auth/session",
            "/api/auth/csrf",
            "/api/auth/providers",
            "/api/auth/signin",
            "/api/auth/signout",
            "/api/auth/error",
            "/api/auth/verify-request",
        ] {
            let answer = client.send(bearer(path, value)).await;
            assert!(
                answer.status != StatusCode::INTERNAL_SERVER_ERROR,
                "{value} {path}: {}",
                answer.status
            );
        }
    }
    // The control: a valid token as Bearer is a session for every helper.
    let signed_in = demo_signed_in().await;
    let token = signed_in.cookie("next-auth.session-token").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    assert!(auth.token_from_headers(&headers).is_some());
    assert!(auth.session_from_headers(&headers).await.is_some());
    let me = demo_client()
        .send(bearer("/me", &format!("Bearer {token}")))
        .await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_bearer_tokens_are_no_session_with_database_sessions() {
    let site = MailSite::start(&sqlite_store());
    for value in MALFORMED {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        assert!(site.auth.token_from_headers(&headers).is_none(), "{value}");
        assert!(
            site.auth.session_from_headers(&headers).await.is_none(),
            "{value}"
        );
        let mut client = site.client();
        let session = client.send(bearer(&format!("{BASE}/session"), value)).await;
        assert_eq!(session.status, StatusCode::OK, "{value}");
        assert_eq!(session.body, "{}", "{value}");
    }
}
