//! GHSA-q2mx-j4x2-2h74 / CVE-2022-29214 (docs/REST.md §9 #4): the 3.29.2 default `redirect` callback
//! resolved relative callbackUrls with `new URL(url, baseUrl)`, so `//evil.com` became
//! `http://evil.com/`. Fixed in 3.29.3 / 4.3.3 (`baseUrl + url`, string concatenation).
//!
//! Our guarantee: a relative callbackUrl is appended to the origin, never resolved against it,
//! so every resulting URL (redirect, JSON `url`, callback-url cookie) parses to the app's own
//! host and port, whatever slashes, backslashes or encodings it starts with.

use crate::support::{BASE, demo_client, demo_signed_in};

const HOSTILE: [&str; 4] = [
    "//evil.com",
    "/\\evil.com",
    "/%2F%2Fevil.com",
    "///evil.com",
];

fn assert_on_the_app(url: &str, hostile: &str) {
    let parsed = url::Url::parse(url).unwrap();
    assert_eq!(parsed.host_str(), Some("127.0.0.1"), "{hostile} -> {url}");
    assert_eq!(parsed.port(), Some(3000), "{hostile} -> {url}");
}

#[tokio::test]
async fn protocol_relative_callback_urls_stay_on_the_app() {
    for hostile in HOSTILE {
        let mut client = demo_signed_in().await;
        let token = client.csrf(BASE).await;
        let encoded = auth_runtime::__private::cookies::encode_uri_component(hostile);
        let answer = client
            .post_form(
                &format!("{BASE}/signout"),
                &format!("csrfToken={token}&callbackUrl={encoded}"),
            )
            .await;
        assert_on_the_app(answer.location(), hostile);
    }
}

#[tokio::test]
async fn protocol_relative_callback_urls_stay_on_the_app_at_sign_in_and_in_the_cookie() {
    for hostile in HOSTILE {
        let encoded = auth_runtime::__private::cookies::encode_uri_component(hostile);
        let mut client = demo_client();
        let csrf = client
            .get(&format!("{BASE}/csrf?callbackUrl={encoded}"))
            .await;
        let token = csrf.json()["csrfToken"].as_str().unwrap().to_owned();
        let cookie = client.cookie("next-auth.callback-url").unwrap().to_owned();
        assert_on_the_app(
            &auth_runtime::__private::cookies::decode_uri_component(&cookie).unwrap(),
            hostile,
        );

        let json = client
            .post_form(
                &format!("{BASE}/callback/credentials"),
                &format!(
                    "username=demo&password=demo&csrfToken={token}&callbackUrl={encoded}&json=true"
                ),
            )
            .await;
        assert_on_the_app(json.json()["url"].as_str().unwrap(), hostile);

        let mut browser = demo_client();
        let token = browser.csrf(BASE).await;
        let redirect = browser
            .post_form(
                &format!("{BASE}/callback/credentials"),
                &format!("username=demo&password=demo&csrfToken={token}&callbackUrl={encoded}"),
            )
            .await;
        assert_on_the_app(redirect.location(), hostile);
    }
}
