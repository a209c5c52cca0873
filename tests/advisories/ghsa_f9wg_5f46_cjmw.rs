//! GHSA-f9wg-5f46-cjmw / CVE-2022-24858 (docs/REST.md §9 #3): the default `redirect` callback
//! accepted any `url.startsWith(baseUrl)`, so `http://localhost:3000.evil.com` and
//! `http://localhost:3000@evil.com` passed as the site's own. Fixed in 3.29.2 / 4.3.2 by
//! comparing origins.
//!
//! Our guarantee: a callbackUrl is kept only when its origin (scheme, host, port) equals the
//! configured one; anything else becomes the origin itself, in the callback-url cookie and in
//! every redirect (`/signout`, `/callback/credentials`), JSON mode or not.

use axum::http::StatusCode;

use crate::support::{BASE, demo_client_for};

#[tokio::test]
async fn hostile_callback_urls_end_on_the_origin() {
    // docs/REST.md's values for https://app.example.com, plus a plain foreign origin.
    for hostile in [
        "https://app.example.com.evil.com/",
        "https://app.example.com@evil.com/",
        "https://evil.com/?https://app.example.com",
        "https://evil.com",
    ] {
        let mut client = demo_client_for("https://app.example.com");
        let encoded = auth_runtime::__private::cookies::encode_uri_component(hostile);
        let csrf = client
            .get(&format!("{BASE}/csrf?callbackUrl={encoded}"))
            .await;
        assert_eq!(csrf.status, StatusCode::OK, "{hostile}: {}", csrf.body);
        let token = csrf.json()["csrfToken"].as_str().unwrap().to_owned();
        assert_eq!(
            client.cookie("__Secure-next-auth.callback-url"),
            Some("https%3A%2F%2Fapp.example.com"),
            "{hostile}"
        );
        let answer = client
            .post_form(
                &format!("{BASE}/signout"),
                &format!("csrfToken={token}&callbackUrl={encoded}&json=true"),
            )
            .await;
        assert_eq!(
            answer.json(),
            serde_json::json!({"url": "https://app.example.com"}),
            "{hostile}"
        );
    }
}

#[tokio::test]
async fn lookalikes_of_localhost_3000_end_on_it_and_same_origin_urls_are_kept() {
    // The advisory's own examples, on the advisory's own base URL, through the query (the
    // callback-url cookie), sign-in and sign-out, JSON mode and redirect.
    let origin = "http://localhost:3000";
    for (asked, expected, is_a_url) in [
        // `3000.evil.com` is no port: not a URL at all, so the query answers
        // `Configuration` as any malformed value does (#5).
        ("http://localhost:3000.evil.com", origin.to_owned(), false),
        (
            "http://localhost:3000.evil.com/dash",
            origin.to_owned(),
            false,
        ),
        ("http://localhost:3000@evil.com", origin.to_owned(), true),
        (
            "http://localhost:3000@evil.com/dash",
            origin.to_owned(),
            true,
        ),
        ("http://localhost:30001/dash", origin.to_owned(), true),
        ("https://localhost:3000/dash", origin.to_owned(), true),
        // The control: the same origin keeps its path.
        ("http://localhost:3000/dash", format!("{origin}/dash"), true),
    ] {
        let encoded = auth_runtime::__private::cookies::encode_uri_component(asked);
        let mut client = demo_client_for(origin);
        let csrf = client
            .get(&format!("{BASE}/csrf?callbackUrl={encoded}"))
            .await;
        if is_a_url {
            assert_eq!(csrf.status, StatusCode::OK, "{asked}: {}", csrf.body);
            let cookie = client.cookie("next-auth.callback-url").unwrap().to_owned();
            assert_eq!(
                auth_runtime::__private::cookies::decode_uri_component(&cookie).unwrap(),
                expected,
                "{asked}: callback-url cookie"
            );
        } else {
            assert_eq!(csrf.status, StatusCode::FOUND, "{asked}");
            assert_eq!(
                csrf.location(),
                format!("{origin}{BASE}/error?error=Configuration"),
                "{asked}"
            );
            assert!(
                client
                    .cookie("next-auth.callback-url")
                    .is_none_or(|c| !c.contains("evil")),
                "{asked}"
            );
        }
        let token = client.csrf(BASE).await;

        let signed_in = client
            .post_form(
                &format!("{BASE}/callback/credentials"),
                &format!(
                    "username=demo&password=demo&csrfToken={token}&callbackUrl={encoded}&json=true"
                ),
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::OK, "{asked}");
        assert_eq!(signed_in.json()["url"], expected.as_str(), "{asked}");

        let signed_out = client
            .post_form(
                &format!("{BASE}/signout"),
                &format!("csrfToken={token}&callbackUrl={encoded}"),
            )
            .await;
        assert_eq!(signed_out.status, StatusCode::FOUND, "{asked}");
        assert_eq!(signed_out.location(), expected, "{asked}");
    }
}
