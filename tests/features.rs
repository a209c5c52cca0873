//! Features beyond the demo, each through its own `auth!` block: `POST /session` updates,
//! chunked cookies, secret rotation, the `sign_in` and `session` callbacks, events, and
//! custom pages.

#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use auth_runtime::callbacks::{
    Credentials, JwtParams, JwtTrigger, SessionParams, SignInEvent, SignInParams, SignOutEvent,
};
use auth_runtime::{User, auth};
use auth_test_support::client::{Answer, Client, vars};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

const BASE: &str = "/api/auth";

/// Custom data: a nickname that `update()` may change, and a blob to grow the token.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    blob: String,
}

/// Every call of every event, in order, for the assertions below.
static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn events_for(user: &str) -> Vec<String> {
    EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.ends_with(user))
        .cloned()
        .collect()
}

auth! {
    module: features,
    secret: [env("NEW_SECRET"), env("OLD_SECRET")],
    session: jwt { max_age: hours(1) },
    session_data: crate::features::Profile,
    providers: {
        credentials: Credentials {
            name: "Password",
            fields: { username: text("Name"), password: password("Password"), size: text("Blob size") },
            authorize: crate::features::authorize,
        },
    },
    callbacks: {
        sign_in: crate::features::sign_in,
        jwt: crate::features::jwt,
        session: crate::features::session,
    },
    events: {
        sign_in: crate::features::on_sign_in,
        sign_out: crate::features::on_sign_out,
    },
}

/// Any user whose password is `pw`; `size` makes the token that many bytes bigger.
async fn authorize(credentials: Credentials) -> Result<Option<User>, String> {
    match (credentials.get("username"), credentials.get("password")) {
        (Some("broken"), _) => Err("BackendDown".to_owned()),
        (Some(name), Some("pw")) => Ok(Some(User::new(name).name(name))),
        _ => Ok(None),
    }
}

async fn sign_in(params: SignInParams) -> bool {
    params.user.id != "banned"
}

async fn jwt(mut params: JwtParams<Profile>) -> features::Token {
    match params.trigger {
        Some(JwtTrigger::SignIn) => {
            let size = params
                .user
                .as_ref()
                .and_then(|u| u.name.as_deref())
                .and_then(|n| n.strip_prefix("big"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            params.token.data.blob = "x".repeat(size);
            params.token.data.nickname = "new".to_owned();
        }
        Some(JwtTrigger::Update) => {
            if let Some(nickname) = params
                .session
                .as_ref()
                .and_then(|s| s.get("nickname"))
                .and_then(|n| n.as_str())
            {
                params.token.data.nickname = nickname.to_owned();
            }
        }
        _ => {}
    }
    params.token
}

async fn session(params: SessionParams<Profile>) -> serde_json::Value {
    serde_json::json!({
        "user": params.session.user,
        "expires": params.session.expires,
        "nickname": params.token.data.nickname,
    })
}

async fn on_sign_in(event: SignInEvent) {
    EVENTS
        .lock()
        .unwrap()
        .push(format!("sign_in {}", event.user.id));
}

async fn on_sign_out(event: SignOutEvent<Profile>) {
    let who = event.token.and_then(|t| t.sub).unwrap_or_default();
    EVENTS.lock().unwrap().push(format!("sign_out {who}"));
}

fn client_with(new: &str, old: &str) -> Client {
    let auth = features::config_from(&vars(&[
        ("NEW_SECRET", new),
        ("OLD_SECRET", old),
        ("NEXTAUTH_URL", "http://localhost:3000"),
    ]))
    .expect("config");
    Client::new(features::router(auth.clone()).layer(auth.layer()))
}

fn client() -> Client {
    client_with(
        "new-secret-6f2a9d4c1e8b7a3f5d0c1e",
        "old-secret-2d8f4b0e6a1c9e7f3b5a4d",
    )
}

async fn sign_in_as(client: &mut Client, name: &str) -> Answer {
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password=pw&csrfToken={token}&json=true"),
        )
        .await
}

#[tokio::test]
async fn post_session_without_the_csrf_token_is_400_and_changes_nothing() {
    let mut client = client();
    sign_in_as(&mut client, "ann").await;
    let answer = client
        .post_json(
            &format!("{BASE}/session"),
            serde_json::json!({"data": {"nickname": "hacked"}}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body, "{}");
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["nickname"], "new");
}

#[tokio::test]
async fn post_session_passes_the_data_to_the_jwt_callback_as_an_update() {
    let mut client = client();
    sign_in_as(&mut client, "bob").await;
    let token = client.csrf(BASE).await;
    let answer = client
        .post_json(
            &format!("{BASE}/session"),
            serde_json::json!({"csrfToken": token, "data": {"nickname": "bobby"}}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["nickname"], "bobby");
    assert!(answer.headers.get("cache-control").is_none());
    // The updated token is what later reads see.
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["nickname"], "bobby");
    assert_eq!(session.json()["user"]["name"], "bob");
}

#[tokio::test]
async fn large_tokens_are_chunked_and_read_back_whole() {
    let mut client = client();
    let answer = sign_in_as(&mut client, "big9000").await;
    let names: Vec<String> = answer
        .set_cookies()
        .into_iter()
        .map(|c| c.split('=').next().unwrap().to_owned())
        .filter(|n| n.starts_with("next-auth.session-token"))
        .collect();
    assert_eq!(
        names,
        [
            "next-auth.session-token.0",
            "next-auth.session-token.1",
            "next-auth.session-token.2",
            "next-auth.session-token.3"
        ]
    );
    for cookie in answer.set_cookies() {
        assert!(cookie.len() < 4096, "a cookie of {} bytes", cookie.len());
    }
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["user"]["name"], "big9000");
    // Signing out clears every chunk.
    let token = client.csrf(BASE).await;
    let out = client
        .post_form(&format!("{BASE}/signout"), &format!("csrfToken={token}"))
        .await;
    let cleared: Vec<String> = out
        .set_cookies()
        .into_iter()
        .filter(|c| c.contains("Max-Age=0"))
        .collect();
    assert_eq!(cleared.len(), 5, "{cleared:?}");
    assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
}

#[tokio::test]
async fn sessions_made_under_the_old_secret_survive_a_rotation() {
    let mut before = client_with(
        "old-secret-2d8f4b0e6a1c9e7f3b5a4d",
        "older-secret-9c3a7e1f5b8d2a6e0c4f",
    );
    sign_in_as(&mut before, "cat").await;
    let cookie = before.cookie("next-auth.session-token").unwrap().to_owned();

    let mut after = client_with(
        "new-secret-6f2a9d4c1e8b7a3f5d0c1e",
        "old-secret-2d8f4b0e6a1c9e7f3b5a4d",
    );
    after.set_cookie("next-auth.session-token", &cookie);
    let session = after.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["user"]["name"], "cat");

    let mut retired = client_with(
        "new-secret-6f2a9d4c1e8b7a3f5d0c1e",
        "newer-secret-4b0e8c2a6f9d1e3a7c5b",
    );
    retired.set_cookie("next-auth.session-token", &cookie);
    assert_eq!(retired.get(&format!("{BASE}/session")).await.body, "{}");
}

#[tokio::test]
async fn the_sign_in_callback_can_deny_with_access_denied() {
    let mut client = client();
    let answer = sign_in_as(&mut client, "banned").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.json()["url"],
        "http://localhost:3000/api/auth/error?error=AccessDenied"
    );
    assert!(client.cookie("next-auth.session-token").is_none());
}

#[tokio::test]
async fn an_authorize_error_becomes_the_error_code() {
    let mut client = client();
    let answer = sign_in_as(&mut client, "broken").await;
    assert_eq!(
        answer.json()["url"],
        "http://localhost:3000/api/auth/error?error=BackendDown"
    );
}

#[tokio::test]
async fn sign_in_and_sign_out_events_fire_with_the_user() {
    let mut client = client();
    sign_in_as(&mut client, "dan").await;
    let token = client.csrf(BASE).await;
    client
        .post_form(&format!("{BASE}/signout"), &format!("csrfToken={token}"))
        .await;
    assert_eq!(events_for("dan"), ["sign_in dan", "sign_out dan"]);
}

#[tokio::test]
async fn the_sign_in_page_shows_the_declared_name_and_fields() {
    let mut client = client();
    let page = client.get(&format!("{BASE}/signin")).await;
    assert!(page.body.contains("Sign in with Password"));
    assert!(page.body.contains(r#"name="size""#));
    let providers = client.get(&format!("{BASE}/providers")).await;
    assert_eq!(providers.json()["credentials"]["name"], "Password");
}

mod custom_pages {
    use super::*;

    auth! {
        module: paged,
        secret: env("NEXTAUTH_SECRET"),
        providers: {
            credentials: Credentials {
                fields: { username: text("Username") },
                authorize: crate::features::authorize,
            },
        },
        pages: { sign_in: "/login", sign_out: "/bye", error: "/oops?from=auth", verify_request: "/check-mail" },
    }

    fn client() -> Client {
        let auth = paged::config_from(&vars(&[(
            "NEXTAUTH_SECRET",
            "paged-secret-1e7c3a9f5d2b8e4a6c0f",
        )]))
        .unwrap();
        Client::new(paged::router(auth))
    }

    #[tokio::test]
    async fn a_router_behind_require_session_sends_pages_to_the_custom_sign_in_page() {
        let auth = paged::config_from(&vars(&[(
            "NEXTAUTH_SECRET",
            "paged-secret-1e7c3a9f5d2b8e4a6c0f",
        )]))
        .unwrap();
        let app = axum::Router::new()
            .route("/dash", axum::routing::get(|| async { "dashboard" }))
            .route("/dash/keys", axum::routing::post(|| async { "created" }))
            .route_layer(auth.require_session())
            .merge(paged::router(auth.clone()))
            .layer(auth.layer());
        let mut client = Client::new(app);
        let send = |method: &str, path: &str, accept: &str| {
            axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header(axum::http::header::ACCEPT, accept)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let page = client.send(send("GET", "/dash", "text/html")).await;
        assert_eq!(page.status, StatusCode::FOUND);
        assert_eq!(
            page.location(),
            "/login?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fdash"
        );
        let api = client
            .send(send("POST", "/dash/keys", "application/json"))
            .await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.body, r#"{"error":"Unauthorized"}"#);
        // The auth routes themselves stay open.
        let csrf = client
            .send(send("GET", &format!("{BASE}/csrf"), "*/*"))
            .await;
        assert_eq!(csrf.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn custom_pages_receive_nextauths_redirects() {
        let mut client = client();
        let signin = client
            .get(&format!(
                "{BASE}/signin?callbackUrl=%2Fdash&error=OAuthSignin"
            ))
            .await;
        assert_eq!(
            signin.location(),
            "/login?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fdash&error=OAuthSignin"
        );
        assert_eq!(
            client.get(&format!("{BASE}/signout")).await.location(),
            "/bye"
        );
        assert_eq!(
            client
                .get(&format!("{BASE}/error?error=Verification"))
                .await
                .location(),
            "/oops?from=auth&error=Verification"
        );
        assert_eq!(
            client
                .get(&format!("{BASE}/verify-request"))
                .await
                .location(),
            "/check-mail"
        );
    }

    #[tokio::test]
    async fn credentials_fields_default_to_the_provider_name() {
        let mut client = client();
        let providers = client.get(&format!("{BASE}/providers")).await;
        assert_eq!(providers.json()["credentials"]["name"], "Credentials");
    }
}
