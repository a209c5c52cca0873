//! OAuth 2.0 and OpenID Connect sign-in through the routes, against a real OpenID provider
//! (npm `oidc-provider`, started from `tests/peers/`), logging in by HTTP alone.
//!
//! docs/REST.md §2.5, §2.6, §4. The advisories of §9 that concern the flow (#7, #9, #10, #14, #16)
//! are in `tests/advisories/`, one module each.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use auth_test_support::oauth_app::*;
use auth_test_support::oidc;
use axum::http::StatusCode;

#[tokio::test]
async fn oidc_sign_in_with_client_secret_basic_pkce_and_nonce() {
    let mut client = client();
    let url = start(&mut client, "oidc").await;
    let query: Vec<(String, String)> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let param = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(param("code_challenge_method"), Some("S256"));
    assert!(param("nonce").is_some() && param("state").is_some());
    assert_eq!(
        param("redirect_uri"),
        Some("http://127.0.0.1:3000/api/auth/callback/oidc")
    );
    for name in [
        "next-auth.state",
        "next-auth.pkce.code_verifier",
        "next-auth.nonce",
    ] {
        assert!(client.cookie(name).is_some(), "{name} cookie");
    }

    let callback = provider().login(&url, "alice").await;
    let answer = client.get(&path_of(&callback)).await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
    assert!(answer.set_cookie("next-auth.session-token").is_some());
    for name in [
        "next-auth.state",
        "next-auth.pkce.code_verifier",
        "next-auth.nonce",
    ] {
        assert!(
            answer.set_cookie(name).unwrap().contains("Max-Age=0"),
            "{name} cleared"
        );
    }
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(
        session["user"],
        serde_json::json!({"name": "User alice", "email": "alice@example.com", "image": null})
    );
}

#[tokio::test]
async fn oidc_sign_in_with_client_secret_post() {
    let mut client = client();
    let url = start(&mut client, "oidc_post").await;
    let callback = provider().login(&url, "bob").await;
    let answer = client.get(&path_of(&callback)).await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], "bob@example.com");
}

#[tokio::test]
async fn plain_oauth_sign_in_uses_state_and_pkce_and_the_userinfo_endpoint() {
    let mut client = client();
    let url = start(&mut client, "plain").await;
    assert!(!url.contains("nonce="));
    assert!(client.cookie("next-auth.nonce").is_none());
    let callback = provider().login(&url, "carol").await;
    let answer = client.get(&path_of(&callback)).await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["name"], "User carol");
}

#[tokio::test]
async fn a_typed_profile_mapping_reads_the_providers_claims() {
    let mut client = client();
    let url = start(&mut client, "typed").await;
    let callback = provider().login(&url, "dave").await;
    let answer = client.get(&path_of(&callback)).await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(
        session["user"],
        serde_json::json!({"name": "User dave (dave)", "email": "dave@example.com",
            "image": "https://avatars.example/dave"})
    );
}

#[tokio::test]
async fn the_providers_and_the_sign_in_page_list_oauth_providers() {
    let mut client = client();
    let providers = client.get(&format!("{BASE}/providers")).await.json();
    assert_eq!(providers["oidc"]["type"], "oauth");
    assert_eq!(providers["oidc"]["name"], "Test OP");
    assert_eq!(providers["oidc_post"]["name"], "OpenID Connect");
    let page = client.get(&format!("{BASE}/signin")).await;
    assert!(page.body.contains("Sign in with Test OP"));
    assert!(
        page.body
            .contains(r#"action="http://127.0.0.1:3000/api/auth/signin/oidc""#)
    );
}

#[tokio::test]
async fn the_query_string_of_signin_is_passed_to_the_provider() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signin/oidc?login_hint=dave&prompt=login&state=evil"),
            &format!("csrfToken={token}&json=true"),
        )
        .await;
    let url = url::Url::parse(answer.json()["url"].as_str().unwrap()).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("login_hint".into(), "dave".into())));
    assert!(pairs.contains(&("prompt".into(), "login".into())));
    // The flow's own parameters cannot be replaced from the query.
    assert!(!pairs.contains(&("state".into(), "evil".into())));
}

#[tokio::test]
async fn signin_without_the_csrf_token_never_reaches_the_provider() {
    let mut client = client();
    client.csrf(BASE).await;
    let answer = client
        .post_form(&format!("{BASE}/signin/oidc"), "json=true")
        .await;
    assert_eq!(
        answer.json()["url"],
        "http://127.0.0.1:3000/api/auth/signin?csrf=true"
    );
    assert!(client.cookie("next-auth.state").is_none());
}

#[tokio::test]
async fn a_provider_stopped_mid_flow_gives_oauth_callback_promptly() {
    let uris = [format!("{ORIGIN}{BASE}/callback/oidc")];
    let op = oidc::OidcProvider::start(&uris);
    let mut client = client_with(env_for(&op.issuer, oidc::BASIC_CLIENT_SECRET));
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&op.login(&url, "ivan").await);
    drop(op);
    let started = Instant::now();
    assert_oauth_callback_error(&client.get(&callback).await);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server stays up and answers the next request.
    assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
}

#[tokio::test]
async fn a_replayed_code_fails() {
    let mut client = client();
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&provider().login(&url, "frank").await);
    let cookies_before = client.cookies.clone();
    let first = client.get(&callback).await;
    assert_eq!(first.location(), "http://127.0.0.1:3000/home");
    // The same callback, with the check cookies restored, in a fresh browser.
    let mut replay = self::client();
    replay.cookies = cookies_before;
    assert_oauth_callback_error(&replay.get(&callback).await);
}

#[tokio::test]
async fn an_iss_parameter_from_another_issuer_fails() {
    let mut client = client();
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&provider().login(&url, "gina").await);
    let answer = client
        .get(&with_param(&callback, "iss", Some("https://evil.example")))
        .await;
    assert_oauth_callback_error(&answer);
}

#[tokio::test]
async fn a_provider_error_answer_is_callback() {
    let mut client = client();
    start(&mut client, "oidc").await;
    let answer = client
        .get(&format!(
            "{BASE}/callback/oidc?error=access_denied&error_description=no"
        ))
        .await;
    assert_eq!(
        answer.location(),
        "http://127.0.0.1:3000/api/auth/error?error=Callback"
    );
    let page = client.get(&format!("{BASE}/error?error=Callback")).await;
    assert_eq!(
        page.location(),
        "http://127.0.0.1:3000/api/auth/signin?error=Callback"
    );
}

#[tokio::test]
async fn a_provider_that_is_down_gives_oauth_signin_promptly() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut client = client_with(env_for(&issuer, "s"));
    let token = client.csrf(BASE).await;
    let started = Instant::now();
    let answer = client
        .post_form(
            &format!("{BASE}/signin/oidc"),
            &format!("csrfToken={token}&json=true"),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        answer.json()["url"],
        "http://127.0.0.1:3000/api/auth/error?error=OAuthSignin"
    );
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn discovery_happens_at_start_up_and_is_cached() {
    let uris = [format!("{ORIGIN}{BASE}/callback/oidc")];
    let op = oidc::OidcProvider::start(&uris);
    let issuer = op.issuer.clone();
    let mut client = client_with(env_for(&issuer, oidc::BASIC_CLIENT_SECRET));
    // The router's warm-up task fetches the document; give it a moment, then stop the provider.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if client.get(&format!("{BASE}/providers")).await.status == StatusCode::OK
            && started.elapsed() > Duration::from_millis(500)
        {
            break;
        }
    }
    drop(op);
    let url = start(&mut client, "oidc").await;
    assert!(url.starts_with(&format!("{issuer}/auth?")), "{url}");
}

#[tokio::test]
async fn every_flow_of_one_browser_has_its_own_state_and_an_earlier_one_is_spent() {
    let mut client = client();
    let state_of = |url: &str| {
        url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let first = start(&mut client, "oidc").await;
    let second = start(&mut client, "oidc").await;
    assert_ne!(state_of(&first), state_of(&second), "a state per flow");
    let checks = [
        "next-auth.state",
        "next-auth.pkce.code_verifier",
        "next-auth.nonce",
    ]
    .map(|name| (name, client.cookie(name).unwrap().to_owned()));

    // The browser's current flow, answered with the first flow's state (leaked, say): refused.
    let callback = path_of(&provider().login(&second, "alice").await);
    let leaked = callback.replace(
        &format!("state={}", state_of(&second)),
        &format!("state={}", state_of(&first)),
    );
    assert_ne!(leaked, callback);
    let answer = client.get(&leaked).await;
    assert_eq!(
        answer.location(),
        "http://127.0.0.1:3000/api/auth/error?error=OAuthCallback"
    );
    assert!(answer.set_cookie("next-auth.session-token").is_none());

    // With its own state the same callback signs in.
    for (name, value) in &checks {
        client.set_cookie(name, value);
    }
    let answer = client.get(&callback).await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
}

/// `response_mode=form_post` (docs/BEHAVIOUR.md, "form_post callbacks"): the provider's answer
/// as a POST body, which a browser sends cross-site without the check cookies. Such a POST is
/// answered with a page that sends it again from this site, setting nothing, and only once.
#[tokio::test]
async fn a_form_post_answer_without_check_cookies_is_sent_again_once_and_sets_nothing() {
    let mut client = client();
    let answer = client
        .post_form(
            &format!("{BASE}/callback/oidc"),
            "code=c-1&state=s%22t&iss=http%3A%2F%2Fop",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer.set_cookies().is_empty(),
        "{:?}",
        answer.set_cookies()
    );
    for field in [
        r#"<form id="formPost" action="http://127.0.0.1:3000/api/auth/callback/oidc" method="POST">"#,
        r#"<input type="hidden" name="code" value="c-1">"#,
        r#"<input type="hidden" name="state" value="s&quot;t">"#,
        r#"<input type="hidden" name="iss" value="http://op">"#,
        r#"<input type="hidden" name="formPostAgain" value="1">"#,
    ] {
        assert!(answer.body.contains(field), "{field} in {}", answer.body);
    }
    // Sent again and still without cookies: the callback's usual failure, no second page.
    let again = client
        .post_form(
            &format!("{BASE}/callback/oidc"),
            "code=c-1&state=st&formPostAgain=1",
        )
        .await;
    assert_oauth_callback_error(&again);
}

#[tokio::test]
async fn a_form_post_answer_with_its_check_cookies_signs_in_at_once() {
    let mut client = client();
    let url = start(&mut client, "oidc").await;
    let callback = url::Url::parse(&provider().login(&url, "hana").await).unwrap();
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(callback.query_pairs())
        .finish();
    let answer = client
        .post_form(&format!("{BASE}/callback/oidc"), &body)
        .await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/home");
    assert_eq!(
        client.session(BASE).await["user"]["email"],
        "hana@example.com"
    );
}
