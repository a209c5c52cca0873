//! GHSA-g5fm-jp9v-2432 / CVE-2022-31093 (docs/REST.md §9 #5): a malformed `callbackUrl` made
//! `new URL()` throw outside any handler, so the request hung (a denial of service). Fixed
//! in 3.29.5 / 4.5.0 by pre-validating the query value and the cookie; a POST body value
//! still hangs 3.29.10.
//!
//! Our guarantee: every request answers at once. A malformed query value or callback-url
//! cookie answers v3's `302 …/error?error=Configuration` (and the bad cookie is cleared, so
//! the error page renders instead of looping); a malformed body value counts as the origin
//! (a deliberate, safer difference from 3.29.10, which never answers). The app keeps serving.

use std::time::Duration;

use axum::http::StatusCode;

use crate::support::{BASE, ORIGIN, demo_client, demo_signed_in};
use auth_test_support::client::{Answer, Client};

const MALFORMED: [&str; 3] = ["foo", "http://[", "javascript:alert(1)"];

/// `request` answers within a second (NextAuth's bug was never answering).
async fn promptly(request: impl Future<Output = Answer>) -> Answer {
    tokio::time::timeout(Duration::from_secs(1), request)
        .await
        .expect("answered within a second")
}

#[tokio::test]
async fn malformed_callback_urls_answer_configuration_promptly() {
    // Query values and the cookie.
    for bad in MALFORMED {
        let mut client = demo_client();
        let encoded = auth_runtime::__private::cookies::encode_uri_component(bad);
        let answer = promptly(client.get(&format!("{BASE}/session?callbackUrl={encoded}"))).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{bad}");
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/api/auth/error?error=Configuration"
        );
    }
    let mut client = demo_client();
    client.set_cookie("next-auth.callback-url", "foo");
    let answer = promptly(client.get(&format!("{BASE}/providers"))).await;
    assert_eq!(
        answer.location(),
        "http://127.0.0.1:3000/api/auth/error?error=Configuration"
    );
    // The bad cookie is dropped, so the error page itself renders instead of looping.
    assert!(client.cookie("next-auth.callback-url").is_none());
    let page = client
        .get(&format!("{BASE}/error?error=Configuration"))
        .await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Server error"));
}

#[tokio::test]
async fn a_malformed_callback_url_cookie_on_session_answers_configuration_and_is_cleared() {
    for bad in MALFORMED {
        let mut client = demo_client();
        client.set_cookie(
            "next-auth.callback-url",
            &auth_runtime::__private::cookies::encode_uri_component(bad),
        );
        let answer = promptly(client.get(&format!("{BASE}/session"))).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{bad}");
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/error?error=Configuration"),
            "{bad}"
        );
        let cleared = answer.set_cookie("next-auth.callback-url").unwrap();
        assert!(cleared.contains("Max-Age=0"), "{bad}: {cleared}");
        // The app keeps serving this browser.
        let again = promptly(client.get(&format!("{BASE}/session"))).await;
        assert_eq!(again.status, StatusCode::OK, "{bad}");
        assert_eq!(again.body, "{}");
    }
}

#[tokio::test]
async fn a_malformed_body_callback_url_counts_as_the_origin() {
    // NextAuth 3.29.10 never answers this request (docs/REST.md §4.4); we answer with the origin.
    let mut client = demo_signed_in().await;
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signout"),
            &format!("csrfToken={token}&callbackUrl=foo&json=true"),
        )
        .await;
    assert_eq!(answer.json(), serde_json::json!({"url": ORIGIN}));
}

#[tokio::test]
async fn every_malformed_body_callback_url_at_signout_is_answered_and_the_app_stays_up() {
    for bad in MALFORMED {
        let mut client: Client = demo_signed_in().await;
        let token = client.csrf(BASE).await;
        let encoded = auth_runtime::__private::cookies::encode_uri_component(bad);
        let answer = promptly(client.post_form(
            &format!("{BASE}/signout"),
            &format!("csrfToken={token}&callbackUrl={encoded}"),
        ))
        .await;
        assert_eq!(answer.status, StatusCode::FOUND, "{bad}");
        assert_eq!(answer.location(), ORIGIN, "{bad}");
        assert!(
            answer
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0"),
            "{bad}: signed out"
        );
        let next = promptly(client.get(&format!("{BASE}/csrf"))).await;
        assert_eq!(next.status, StatusCode::OK, "{bad}");
    }
}
