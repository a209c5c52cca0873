//! The REST API of the demo, endpoint by endpoint, against NextAuth v3's behaviour
//! (docs/REST.md §1–§3, §5, §10), through `tower::ServiceExt::oneshot`.
//! The advisories of docs/REST.md §9 are in `tests/advisories/`.

#![allow(clippy::unwrap_used)]

use crate::demo_example as demo;

use auth_runtime::__private::csrf;
use auth_runtime::jwt;
use auth_test_support::client::{Answer, Client, SECRET, vars};
use auth_test_support::now;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";

fn client_for(url: &str) -> Client {
    let auth =
        demo::auth::config_from(&vars(&[("NEXTAUTH_SECRET", SECRET), ("NEXTAUTH_URL", url)]))
            .expect("demo config");
    Client::new(demo::app(auth))
}

fn client() -> Client {
    client_for(ORIGIN)
}

/// Signs in as demo/demo through the JSON-mode credentials callback.
async fn signed_in() -> Client {
    signed_in_as("demo").await
}

/// Signed in as `name` (`demo`, the admin, or `guest`, a member; the password is the name).
async fn signed_in_as(name: &str) -> Client {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password={name}&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(client.cookie("next-auth.session-token").is_some());
    client
}

#[tokio::test]
async fn csrf_returns_a_64_hex_token_and_a_signed_double_submit_cookie() {
    let mut client = client();
    let answer = client.get(&format!("{BASE}/csrf")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), "application/json; charset=utf-8");
    assert_eq!(
        answer.headers["cache-control"],
        "private, no-cache, no-store"
    );
    let token = answer.json()["csrfToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let cookie = answer.set_cookie("next-auth.csrf-token").unwrap();
    assert_eq!(
        cookie,
        format!(
            "next-auth.csrf-token={token}%7C{}; Path=/; HttpOnly; SameSite=Lax",
            csrf::hash(&token, SECRET)
        )
    );
}

#[tokio::test]
async fn a_valid_csrf_cookie_is_kept_and_a_tampered_one_replaced() {
    let mut client = client();
    let first = client.csrf(BASE).await;
    let again = client.get(&format!("{BASE}/csrf")).await;
    assert_eq!(again.json()["csrfToken"], first.as_str());
    assert!(again.set_cookie("next-auth.csrf-token").is_none());

    client.set_cookie(
        "next-auth.csrf-token",
        &format!("{first}%7C{}", "0".repeat(64)),
    );
    let tampered = client.get(&format!("{BASE}/csrf")).await;
    assert_ne!(tampered.json()["csrfToken"], first.as_str());
    assert!(tampered.set_cookie("next-auth.csrf-token").is_some());
}

#[tokio::test]
async fn the_first_visit_sets_the_callback_url_cookie_to_the_origin() {
    let mut client = client();
    let answer = client.get(&format!("{BASE}/csrf")).await;
    assert_eq!(
        answer.set_cookie("next-auth.callback-url").unwrap(),
        "next-auth.callback-url=http%3A%2F%2F127.0.0.1%3A3000; Path=/; HttpOnly; SameSite=Lax"
    );
    let second = client.get(&format!("{BASE}/csrf")).await;
    assert!(second.set_cookie("next-auth.callback-url").is_none());
}

#[tokio::test]
async fn providers_lists_ids_names_types_and_absolute_urls_in_order() {
    let mut client = client();
    let answer = client.get(&format!("{BASE}/providers")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.body,
        r#"{"credentials":{"id":"credentials","name":"Credentials","type":"credentials","signinUrl":"http://127.0.0.1:3000/api/auth/signin/credentials","callbackUrl":"http://127.0.0.1:3000/api/auth/callback/credentials"}}"#
    );
}

#[tokio::test]
async fn session_without_a_cookie_is_an_empty_object() {
    let mut client = client();
    let answer = client.get(&format!("{BASE}/session")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "{}");
    assert!(answer.set_cookie("next-auth.session-token").is_none());
}

#[tokio::test]
async fn credentials_sign_in_sets_a_v4_session_token_and_session_shows_the_user() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=demo&password=demo&csrfToken={token}&callbackUrl=%2Fdash&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        serde_json::json!({"url": "http://127.0.0.1:3000/dash"})
    );
    let cookie = answer.set_cookie("next-auth.session-token").unwrap();
    assert!(cookie.contains("; Path=/; Expires="), "{cookie}");
    assert!(cookie.ends_with("; HttpOnly; SameSite=Lax"), "{cookie}");

    // The cookie is a next-auth v4 JWE under the HKDF key of the secret.
    let value = client.cookie("next-auth.session-token").unwrap().to_owned();
    assert!(value.starts_with("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.."));
    let keys = jwt::TokenKeys::derive(&[SECRET.to_owned()], "").unwrap();
    let now = now();
    let claims = jwt::decode(&keys, &value, now).unwrap();
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["name"], "Demo User");
    assert_eq!(
        claims["provider"], "credentials",
        "the jwt callback's typed claim"
    );
    assert_eq!(
        claims["roles"],
        serde_json::json!(["admin"]),
        "the declared role, by name"
    );

    let session = client.get(&format!("{BASE}/session")).await;
    let body = session.json();
    assert_eq!(
        body["user"],
        serde_json::json!({"name": "Demo User", "email": "demo@example.com", "image": null})
    );
    let expires = time::OffsetDateTime::parse(
        body["expires"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "expires {days} days out");
    // Rolling: every read re-issues the cookie.
    assert!(session.set_cookie("next-auth.session-token").is_some());
}

#[tokio::test]
async fn a_wrong_password_is_401_credentials_signin_in_json_mode() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=demo&password=nope&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.json(),
        serde_json::json!({"url": "http://127.0.0.1:3000/api/auth/error?error=CredentialsSignin&provider=credentials"})
    );
    assert!(answer.set_cookie("next-auth.session-token").is_none());
}

#[tokio::test]
async fn a_wrong_password_redirects_to_the_error_page_without_json_mode() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=x&password=y&csrfToken={token}"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.location(),
        "http://127.0.0.1:3000/api/auth/error?error=CredentialsSignin&provider=credentials"
    );
    let error = client
        .get(&format!("{BASE}/error?error=CredentialsSignin"))
        .await;
    assert_eq!(
        error.location(),
        "http://127.0.0.1:3000/api/auth/signin?error=CredentialsSignin"
    );
    let page = client
        .get(&format!("{BASE}/signin?error=CredentialsSignin"))
        .await;
    assert!(
        page.body
            .contains("Sign in failed. Check the details you provided are correct.")
    );
}

#[tokio::test]
async fn json_true_as_a_json_boolean_is_not_json_mode() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_json(
            &format!("{BASE}/callback/credentials"),
            serde_json::json!({"username": "demo", "password": "demo", "csrfToken": token, "json": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(answer.location(), ORIGIN);
}

#[tokio::test]
async fn credentials_without_the_csrf_token_redirect_to_signin_csrf_true() {
    let mut client = client();
    client.csrf(BASE).await;
    for form in [
        "username=demo&password=demo".to_owned(),
        format!("username=demo&password=demo&csrfToken={}", "a".repeat(64)),
    ] {
        let answer = client
            .post_form(&format!("{BASE}/callback/credentials"), &form)
            .await;
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/api/auth/signin?csrf=true"
        );
        assert!(answer.set_cookie("next-auth.session-token").is_none());
    }
    // A token without its cookie proves nothing either.
    let mut fresh = self::client();
    let token = fresh.csrf(BASE).await;
    fresh.remove_cookie("next-auth.csrf-token");
    let answer = fresh
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=demo&password=demo&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(
        answer.json()["url"],
        "http://127.0.0.1:3000/api/auth/signin?csrf=true"
    );
}

#[tokio::test]
async fn credentials_callback_by_get_is_method_not_allowed() {
    // NextAuth answers 500; a client's mistake is a 4xx here (docs/BEHAVIOUR.md).
    let mut client = client();
    let answer = client.get(&format!("{BASE}/callback/credentials")).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers["allow"], "POST");
    assert_eq!(
        answer.body,
        "Error: Callback for provider type credentials not supported: sign in with POST"
    );
}

#[tokio::test]
async fn signout_without_the_csrf_token_keeps_the_session() {
    let mut client = signed_in().await;
    let answer = client
        .post_form(&format!("{BASE}/signout"), "callbackUrl=%2F")
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.location(),
        "http://127.0.0.1:3000/api/auth/signout?csrf=true"
    );
    assert!(answer.set_cookie("next-auth.session-token").is_none());
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["user"]["name"], "Demo User");
}

#[tokio::test]
async fn signout_with_the_csrf_token_clears_the_session_cookie() {
    let mut client = signed_in().await;
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signout"),
            &format!("csrfToken={token}&callbackUrl=%2Fbye"),
        )
        .await;
    assert_eq!(answer.location(), "http://127.0.0.1:3000/bye");
    assert_eq!(
        answer.set_cookie("next-auth.session-token").unwrap(),
        "next-auth.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
    );
    assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
}

#[tokio::test]
async fn an_undecryptable_session_cookie_is_signed_out_and_cleared() {
    for garbage in [
        "garbage",
        "a.b.c.d.e",
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC",
        "%E0%A4%A",
        &"x".repeat(5000),
    ] {
        let mut client = client();
        client.set_cookie("next-auth.session-token", garbage);
        let answer = client.get(&format!("{BASE}/session")).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, "{}");
        assert_eq!(
            answer.set_cookie("next-auth.session-token").unwrap(),
            "next-auth.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        );
        let me = client.get("/me").await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_token_under_another_secret_or_expired_is_no_session() {
    let claims = serde_json::json!({"name": "Eve", "sub": "9"});
    let claims = claims.as_object().unwrap();
    let now = now();
    let other = jwt::TokenKeys::derive(&["another-secret".to_owned()], "").unwrap();
    let ours = jwt::TokenKeys::derive(&[SECRET.to_owned()], "").unwrap();
    for value in [
        jwt::encode(&other, claims, 3600, now),
        jwt::encode(&ours, claims, 10, now - 3600),
    ] {
        let mut client = client();
        client.set_cookie("next-auth.session-token", &value);
        assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
    }
}

#[tokio::test]
async fn the_session_extractor_reads_the_cookie_and_bearer_tokens() {
    let mut client = signed_in().await;
    let me = client.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json(),
        serde_json::json!({"id": "1", "name": "Demo User", "email": "demo@example.com",
            "roles": ["admin"], "provider": "credentials"})
    );
    let token = client.cookie("next-auth.session-token").unwrap().to_owned();
    let mut bare = self::client();
    let bearer = bare
        .send(
            Request::get("/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(bearer.status, StatusCode::OK);
}

/// `GET path` with an `Accept` header (and `Host: evil.example`, which must change nothing).
async fn get_accepting(client: &mut Client, path: &str, accept: &str) -> Answer {
    client
        .send(
            Request::get(path)
                .header(header::ACCEPT, accept)
                .header(header::HOST, "evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await
}

#[tokio::test]
async fn a_protected_route_sends_pages_to_sign_in_and_answers_other_requests_401() {
    let mut client = client();
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = get_accepting(&mut client, "/me?tab=keys", browser).await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(
        page.location(),
        "http://127.0.0.1:3000/api/auth/signin?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fme%3Ftab%3Dkeys"
    );
    for accept in [
        "application/json",
        "*/*",
        "text/html;q=0.1, application/json",
    ] {
        let api = get_accepting(&mut client, "/me", accept).await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{accept}");
        assert_eq!(
            api.json(),
            serde_json::json!({"error": "Unauthorized"}),
            "{accept}"
        );
        assert_eq!(api.headers[header::WWW_AUTHENTICATE], "Bearer");
    }
    // Signed in, the same page request is answered.
    let mut signed_in = signed_in().await;
    let me = get_accepting(&mut signed_in, "/me", browser).await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn the_admin_route_is_for_admins_only() {
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let mut anonymous = client();
    let page = get_accepting(&mut anonymous, "/admin", browser).await;
    assert_eq!(
        page.status,
        StatusCode::FOUND,
        "signed out: sent to sign in"
    );
    let api = get_accepting(&mut anonymous, "/admin", "application/json").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);

    let mut guest = signed_in_as("guest").await;
    let me = guest.get("/me").await.json();
    assert_eq!(me["roles"], serde_json::json!(["member"]));
    let api = get_accepting(&mut guest, "/admin", "application/json").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json(), serde_json::json!({"error": "Forbidden"}));
    let page = get_accepting(&mut guest, "/admin", browser).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Access Denied"), "{}", page.body);

    let mut demo = signed_in().await;
    let admin = get_accepting(&mut demo, "/admin", "application/json").await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.body);
    assert_eq!(admin.json()["isAdmin"], true);
}

#[tokio::test]
async fn home_shows_the_signed_in_user_or_a_sign_in_link() {
    let mut anonymous = client();
    let page = anonymous.get("/").await;
    assert!(page.body.contains("http://127.0.0.1:3000/api/auth/signin"));
    let mut client = signed_in().await;
    let page = client.get("/").await;
    assert!(page.body.contains("Demo User"), "{}", page.body);
    assert!(page.body.contains("http://127.0.0.1:3000/api/auth/signout"));
}

#[tokio::test]
async fn the_sign_in_page_lists_the_providers_and_escapes_reflected_values() {
    let mut client = client();
    let page = client
        .get(&format!(
            "{BASE}/signin?callbackUrl=%2F%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&error=%3Cb%3E"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.content_type(), "text/html");
    assert!(page.body.contains("<title>Sign In</title>"));
    assert!(
        page.body
            .contains(r#"action="http://127.0.0.1:3000/api/auth/callback/credentials""#)
    );
    assert!(page.body.contains(r#"name="username""#) && page.body.contains(r#"type="password""#));
    let token = client
        .cookie("next-auth.csrf-token")
        .unwrap()
        .split("%7C")
        .next()
        .unwrap()
        .to_owned();
    assert!(page.body.contains(&format!(r#"value="{token}""#)));
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(!page.body.contains("<b>"));
    assert!(page.body.contains("Unable to sign in."));
}

#[tokio::test]
async fn signin_by_post_checks_csrf_and_the_provider() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let unknown = client
        .post_form(
            &format!("{BASE}/signin/nope"),
            &format!("csrfToken={token}"),
        )
        .await;
    assert_eq!(
        unknown.location(),
        "http://127.0.0.1:3000/api/auth/signin?csrf=true"
    );
    let off = client
        .post_form(
            &format!("{BASE}/signin/github"),
            &format!("csrfToken={token}"),
        )
        .await;
    assert_eq!(
        off.location(),
        "http://127.0.0.1:3000/api/auth/signin?csrf=true",
        "a declared provider that is off is unknown"
    );
    let no_csrf = client
        .post_form(&format!("{BASE}/signin/credentials"), "")
        .await;
    assert_eq!(
        no_csrf.location(),
        "http://127.0.0.1:3000/api/auth/signin?csrf=true"
    );
    let credentials = client
        .post_form(
            &format!("{BASE}/signin/credentials"),
            &format!("csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(
        credentials.json()["url"],
        "http://127.0.0.1:3000/api/auth/signin"
    );
}

#[tokio::test]
async fn the_sign_out_page_posts_the_csrf_token() {
    let mut client = client();
    let page = client.get(&format!("{BASE}/signout")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Are you sure you want to sign out?"));
    assert!(
        page.body
            .contains(r#"action="http://127.0.0.1:3000/api/auth/signout""#)
    );
    assert!(page.body.contains(r#"name="csrfToken""#));
}

#[tokio::test]
async fn error_pages_answer_with_nextauths_status_codes() {
    let mut client = client();
    for (query, status, text) in [
        (
            "error=Configuration",
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server error",
        ),
        (
            "error=configuration",
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server error",
        ),
        ("error=AccessDenied", StatusCode::FORBIDDEN, "Access Denied"),
        (
            "error=Verification",
            StatusCode::FORBIDDEN,
            "The sign in link is no longer valid.",
        ),
        (
            "error=Whatever%3Cscript%3E",
            StatusCode::OK,
            "<title>Error</title>",
        ),
        ("", StatusCode::OK, "<title>Error</title>"),
    ] {
        let page = client.get(&format!("{BASE}/error?{query}")).await;
        assert_eq!(page.status, status, "{query}");
        assert!(page.body.contains(text), "{query}: {}", page.body);
        assert!(!page.body.contains("<script>"));
    }
    let by_path = client.get(&format!("{BASE}/error/AccessDenied")).await;
    assert_eq!(by_path.status, StatusCode::FORBIDDEN);
    for code in [
        "OAuthSignin",
        "OAuthCallback",
        "Callback",
        "EmailSignin",
        "OAuthAccountNotLinked",
    ] {
        let answer = client.get(&format!("{BASE}/error?error={code}")).await;
        assert_eq!(
            answer.location(),
            format!("http://127.0.0.1:3000/api/auth/signin?error={code}")
        );
    }
}

#[tokio::test]
async fn verify_request_and_log_answer() {
    let mut client = client();
    let page = client.get(&format!("{BASE}/verify-request")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Check your email"));
    let log = client
        .post_form(&format!("{BASE}/_log"), "level=error&code=X&message=%5B%5D")
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.body, "");
}

#[tokio::test]
async fn unsupported_actions_and_methods_are_400() {
    let mut client = client();
    for (method, path) in [
        ("GET", "nope"),
        ("PUT", "session"),
        ("DELETE", "signout"),
        ("POST", "csrf"),
        ("GET", ""),
        ("GET", "callback/nope"),
        ("POST", "callback/nope"),
        // Provider routes (`github` is declared but off without its variables) answer as the
        // catch-all does.
        ("GET", "callback/github"),
        ("POST", "callback/github"),
        ("PUT", "signin/credentials"),
        ("DELETE", "callback/credentials"),
    ] {
        let answer = client
            .send(
                Request::builder()
                    .method(method)
                    .uri(format!("{BASE}/{path}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {path}");
        assert_eq!(
            answer.body,
            format!("Error: This action with HTTP {method} is not supported by NextAuth.js")
        );
    }
}

#[tokio::test]
async fn oversized_bodies_and_cookie_headers_get_a_clear_answer() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let big = format!("csrfToken={token}&username={}", "a".repeat(200_000));
    let answer = client
        .post_form(&format!("{BASE}/callback/credentials"), &big)
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);

    let huge_cookie = format!("next-auth.session-token={}", "b".repeat(100_000));
    let answer = client
        .send(
            Request::get(format!("{BASE}/session"))
                .header(header::COOKIE, huge_cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "{}");
}

#[tokio::test]
async fn nextauth_url_with_a_path_moves_every_route_and_url() {
    let mut client = client_for("http://127.0.0.1:3102/myapp/api/authentication");
    let base = "/myapp/api/authentication";
    let providers = client.get(&format!("{base}/providers")).await;
    assert_eq!(
        providers.json()["credentials"]["signinUrl"],
        "http://127.0.0.1:3102/myapp/api/authentication/signin/credentials"
    );
    assert_eq!(
        client.get("/api/auth/providers").await.status,
        StatusCode::NOT_FOUND
    );
    let token = client.csrf(base).await;
    let answer = client
        .post_form(
            &format!("{base}/callback/credentials"),
            &format!("csrfToken={token}&username=demo&password=no&json=true"),
        )
        .await;
    assert_eq!(
        answer.json()["url"],
        "http://127.0.0.1:3102/myapp/api/authentication/error?error=CredentialsSignin&provider=credentials"
    );
    let answer = client
        .post_form(
            &format!("{base}/callback/credentials"),
            &format!("csrfToken={token}&username=demo&password=demo&json=true"),
        )
        .await;
    assert_eq!(answer.json()["url"], "http://127.0.0.1:3102");
    assert_eq!(
        client.get(&format!("{base}/session")).await.json()["user"]["name"],
        "Demo User"
    );
}

#[tokio::test]
async fn https_sites_use_host_and_secure_cookie_prefixes() {
    let mut client = client_for("https://app.example.com");
    let answer = client.get(&format!("{BASE}/csrf")).await;
    let csrf = answer.set_cookie("__Host-next-auth.csrf-token").unwrap();
    assert!(
        csrf.ends_with("; Path=/; HttpOnly; Secure; SameSite=Lax"),
        "{csrf}"
    );
    assert!(
        answer
            .set_cookie("__Secure-next-auth.callback-url")
            .is_some()
    );
    let token = answer.json()["csrfToken"].as_str().unwrap().to_owned();
    let signin = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("csrfToken={token}&username=demo&password=demo"),
        )
        .await;
    let session = signin
        .set_cookie("__Secure-next-auth.session-token")
        .unwrap();
    assert!(session.contains("; Secure; SameSite=Lax"), "{session}");
}
