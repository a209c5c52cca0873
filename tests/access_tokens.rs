//! Provider access tokens (README, "Access tokens") through `/me/access-token` of the demo
//! (JWT sessions) and of the database example (two servers on one SQLite file or PostgreSQL
//! database), against the real OpenID provider with short-lived access tokens and rotating refresh tokens
//! (a spent refresh token presented again revokes the whole grant there, as at real
//! providers). The provider counts the refresh grants it answers.

#![allow(clippy::unwrap_used)]

use crate::demo_example as demo;

use crate::database_example as database;

use std::time::{Duration, Instant};

use auth_runtime::auth;
use auth_test_support::proxy::{Mode, Proxy};

use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::oidc::{self, OidcProvider};
use axum::http::StatusCode;

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
/// Access tokens live 64 s: valid for the demo's 60 s margin for the first 3 s (expiries are
/// whole seconds), due for a refresh after 5.
const ACCESS_TOKEN_TTL: u64 = 64;

fn provider() -> OidcProvider {
    OidcProvider::start_with_access_token_ttl(
        &[format!("{ORIGIN}{BASE}/callback/oidc")],
        ACCESS_TOKEN_TTL,
    )
}

fn demo_client(op: &OidcProvider) -> Client {
    let auth = demo::auth::config_from(&vars(&[
        (
            "NEXTAUTH_SECRET",
            "access-token-secret-7c1e5a9d3b0f2e4c6a8d",
        ),
        ("NEXTAUTH_URL", ORIGIN),
        ("OIDC_ISSUER", &op.issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
    ]))
    .unwrap();
    Client::new(demo::app(auth))
}

/// A server of the database example on `database_url`, one of several on the same database.
fn database_client(op: &OidcProvider, database_url: &str) -> Client {
    let auth = database::auth::config_from(&vars(&[
        (
            "NEXTAUTH_SECRET",
            "access-token-secret-7c1e5a9d3b0f2e4c6a8d",
        ),
        ("NEXTAUTH_URL", ORIGIN),
        ("DATABASE_URL", database_url),
        ("OIDC_ISSUER", &op.issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
    ]))
    .unwrap();
    Client::new(database::app(auth))
}

/// Signs `login` in through the app's provider `id`, which asks for offline access.
async fn sign_in(client: &mut Client, op: &OidcProvider, id: &str, login: &str) {
    let url = auth_test_support::oauth_app::start(client, id).await;
    let query: Vec<(String, String)> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(
        query.contains(&("scope".into(), "openid email profile offline_access".into()))
            && query.contains(&("prompt".into(), "consent".into())),
        "the provider is asked for offline access: {url}"
    );
    let callback = op.login(&url, login).await;
    let answer = client.get(callback.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.location(), format!("{ORIGIN}/home"));
}

/// `GET /me/access-token` on each of `servers`, `each` times at once, with the same cookies.
async fn at_once(servers: &[&Client], each: usize) -> Vec<Answer> {
    let mut parallel = tokio::task::JoinSet::new();
    for server in servers {
        for _ in 0..each {
            let mut browser_tab = copy(server);
            parallel.spawn(async move { browser_tab.get("/me/access-token").await });
        }
    }
    parallel.join_all().await
}

/// Every answer has the same token, a new one, and the provider answered one refresh.
async fn one_refresh_gave_all_a_new_token(
    op: &OidcProvider,
    answers: &[Answer],
    original: &str,
) -> String {
    let tokens: Vec<String> = answers.iter().map(token_of).collect();
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "all get the same token"
    );
    assert_ne!(tokens[0], original, "a new token");
    assert_eq!(
        op.refreshes().await,
        (1, 0),
        "exactly one refresh at the provider"
    );
    tokens[0].clone()
}

/// A copy of `client` (the same cookies), for one of many parallel requests.
fn copy(client: &Client) -> Client {
    Client {
        app: client.app.clone(),
        cookies: client.cookies.clone(),
    }
}

fn token_of(answer: &Answer) -> String {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["provider"], "oidc");
    json["access_token"].as_str().unwrap().to_owned()
}

/// Waits until the access token has less than the 60 s margin left.
async fn until_due() {
    tokio::time::sleep(Duration::from_millis(5_100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_parallel_requests_after_expiry_cause_one_refresh_and_share_its_token() {
    let op = provider();
    let mut client = demo_client(&op);
    sign_in(&mut client, &op, "oidc", "alice").await;

    let first = client.get("/me/access-token").await;
    let original = token_of(&first);
    let expires_at = first.json()["expires_at"].as_u64().unwrap();
    assert!(expires_at >= auth_test_support::now() + 60, "{expires_at}");
    assert_eq!(
        op.refreshes().await,
        (0, 0),
        "a fresh token is handed out as it is"
    );

    until_due().await;
    let answers = at_once(&[&client], 32).await;
    let fresh = one_refresh_gave_all_a_new_token(&op, &answers, &original).await;
    // Each answer rewrites the session cookie with the new tokens.
    assert!(
        answers
            .iter()
            .all(|a| a.set_cookie("next-auth.session-token").is_some())
    );

    // A request still carrying the old cookie (a browser's parallel request) gets the same
    // result, without spending the spent refresh token again.
    let late = copy(&client).get("/me/access-token").await;
    assert_eq!(token_of(&late), fresh);
    // The new cookie holds the new tokens: no refresh either.
    let mut renewed = copy(&client);
    keep_cookies(&mut renewed, &answers[0]);
    assert_eq!(token_of(&renewed.get("/me/access-token").await), fresh);
    assert_eq!(op.refreshes().await, (1, 0));
    let session = renewed.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], "alice@example.com");
    assert!(session.get("error").is_none(), "{session}");
}

#[tokio::test]
async fn a_revoked_grant_marks_the_session_and_answers_401_never_500() {
    let op = provider();
    let mut client = demo_client(&op);
    sign_in(&mut client, &op, "oidc", "bob").await;
    // The refresh token is spent elsewhere first (as by a second device holding a copy of
    // the cookie on another instance): the app's refresh then presents a spent one, and the
    // provider revokes the grant.
    let headers = {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            client.cookie_header().parse().unwrap(),
        );
        headers
    };
    let auth = demo::auth::config_from(&vars(&[
        (
            "NEXTAUTH_SECRET",
            "access-token-secret-7c1e5a9d3b0f2e4c6a8d",
        ),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    let token = auth.token_from_headers(&headers).unwrap();
    let refresh_token = token.account.unwrap().refresh_token.unwrap();
    let spent = reqwest::Client::new()
        .post(format!("{}/token", op.issuer))
        .basic_auth(oidc::BASIC_CLIENT_ID, Some(oidc::BASIC_CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), reqwest::StatusCode::OK);

    until_due().await;
    let answer = client.get("/me/access-token").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert_eq!(answer.json()["error"], "RefreshAccessTokenError");
    assert_eq!(op.refreshes().await, (1, 1), "ours was refused");
    // Still signed in, with the session marked.
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], "bob@example.com");
    assert_eq!(session["error"], "RefreshAccessTokenError");
    let me = client.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn credentials_sessions_have_no_provider_token() {
    let op = provider();
    let mut client = demo_client(&op);
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("csrfToken={token}&username=demo&password=demo"),
        )
        .await;
    let answer = client.get("/me/access-token").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"], "AccessTokenUnavailable");
    // Signed out: the `Session` extractor's 401.
    let mut anonymous = demo_client(&op);
    assert_eq!(
        anonymous.get("/me/access-token").await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Two servers on one database, one browser signed in on the first: 32 requests to each at
/// once, after the access token is due, cause one refresh at the provider, and all 64 get
/// its token.
async fn two_servers_refresh_once(database_url: &str) {
    let op = provider();
    let mut first = database_client(&op, database_url);
    sign_in(&mut first, &op, "oidc", "carol").await;
    let mut second = database_client(&op, database_url);
    second.cookies = first.cookies.clone();
    let original = token_of(&second.get("/me/access-token").await);
    assert_eq!(op.refreshes().await, (0, 0));

    until_due().await;
    let answers = at_once(&[&first, &second], 32).await;
    assert_eq!(answers.len(), 64);
    let fresh = one_refresh_gave_all_a_new_token(&op, &answers, &original).await;
    // The row holds it: both servers hand it out without refreshing again.
    assert_eq!(token_of(&first.get("/me/access-token").await), fresh);
    assert_eq!(token_of(&second.get("/me/access-token").await), fresh);
    assert_eq!(op.refreshes().await, (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_database_refresh_once() {
    let schema = auth_test_support::database::Schema::create().await;
    two_servers_refresh_once(&schema.url_via(schema.server().port())).await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_sqlite_file_refresh_once() {
    let file = std::env::temp_dir().join(auth_test_support::unique("access-tokens-") + ".db");
    two_servers_refresh_once(&format!("sqlite://{}?mode=rwc", file.display())).await;
    let _ = std::fs::remove_file(&file);
}

auth! {
    module: plain,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        // Endpoints as given: the token endpoint goes through the test's proxy.
        plain: OAuth {
            authorization: env("PLAIN_AUTHORIZATION"),
            token: env("PLAIN_TOKEN"),
            userinfo: env("PLAIN_USERINFO"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            scope: "openid email profile offline_access",
            params: { prompt: "consent" },
        },
    },
    events: { refresh: crate::access_tokens::on_refresh },
}

/// Every `refresh` event of the `plain` app: (user id, provider, expires_at, error).
type Refreshed = (Option<String>, String, Option<u64>, Option<String>);
static REFRESHES: std::sync::Mutex<Vec<Refreshed>> = std::sync::Mutex::new(Vec::new());

async fn on_refresh(event: auth_runtime::callbacks::RefreshEvent) {
    REFRESHES
        .lock()
        .unwrap()
        .push((event.user_id, event.provider, event.expires_at, event.error));
}

#[tokio::test]
async fn proxy_before_a_token_endpoint_that_hangs_gives_503_within_the_http_timeout_then_recovers()
{
    let op = OidcProvider::start_with_access_token_ttl(
        &[format!("{ORIGIN}{BASE}/callback/plain")],
        ACCESS_TOKEN_TTL,
    );
    let target = op.issuer.strip_prefix("http://").unwrap();
    let proxy = Proxy::start(target.parse().unwrap());
    // Two servers of the app with one secret: the first signs in talking to the provider
    // directly, the second refreshes through the proxy on connections of its own (a
    // connection kept from the sign-in could carry the refresh to the provider and lose
    // the answer when the proxy switches, spending the refresh token).
    let server = |token_endpoint: String| {
        let auth = plain::config_from(&vars(&[
            (
                "NEXTAUTH_SECRET",
                "access-token-secret-7c1e5a9d3b0f2e4c6a8d",
            ),
            ("NEXTAUTH_URL", ORIGIN),
            ("PLAIN_AUTHORIZATION", &format!("{}/auth", op.issuer)),
            ("PLAIN_TOKEN", &token_endpoint),
            ("PLAIN_USERINFO", &format!("{}/me", op.issuer)),
            ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ]))
        .unwrap();
        axum::Router::new()
            .route(
                "/token",
                axum::routing::get(|session: plain::Session| async move {
                    session
                        .access_token(plain::ProviderId::Plain)
                        .await
                        .map(|token| token.access_token)
                }),
            )
            .merge(plain::router(auth.clone()))
            .layer(auth.layer())
    };
    let mut signing_in = Client::new(server(format!("{}/token", op.issuer)));
    sign_in(&mut signing_in, &op, "plain", "dana").await;
    let mut client = Client::new(server(format!("http://{}/token", proxy.addr())));
    client.cookies = signing_in.cookies.clone();

    until_due().await;
    proxy.set(Mode::Hang);
    let started = Instant::now();
    let hung = client.get("/token").await;
    let waited = started.elapsed();
    assert_eq!(
        hung.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        hung.body
    );
    assert_eq!(hung.json()["error"], "RefreshAccessTokenError");
    assert_eq!(hung.headers["retry-after"], "5");
    // It hung, and the OAuth client gave up at its 10 s timeout.
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(12)).contains(&waited),
        "{waited:?}"
    );
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["error"], "RefreshAccessTokenError");

    proxy.set(Mode::Pass);
    let recovered = client.get("/token").await;
    assert_eq!(recovered.status, StatusCode::OK, "{}", recovered.body);
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert!(
        session.get("error").is_none(),
        "a refresh clears the mark: {session}"
    );
    assert_eq!(session["user"]["email"], "dana@example.com");

    // One event per refresh: the failure, then the success; no token in either.
    let events = REFRESHES.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].0.as_deref(), Some("dana"));
    assert_eq!(events[0].1, "plain");
    assert!(events[0].2.is_none() && events[0].3.is_some(), "{events:?}");
    assert!(events[1].2.is_some() && events[1].3.is_none(), "{events:?}");
}

/// Keeps the cookies `answer` set, as a browser would.
fn keep_cookies(client: &mut Client, answer: &Answer) {
    for line in answer.set_cookies() {
        let pair = line.split(';').next().unwrap_or_default();
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        client.set_cookie(name, value);
    }
}
