//! The session cache of database sessions (`session: database { cache: seconds(n) }`), on
//! SQLite and PostgreSQL with two server instances over one store: a copy of the session in a
//! cookie answers `/session` and the `Session` extractor without the store for `n` seconds; what
//! this instance ends (sign-out, revocation, new roles) holds at once, what another instance ends
//! holds within `n` seconds.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use auth_runtime::{User, auth};
use auth_test_support::client::{Client, vars};
use auth_test_support::{require_postgres, unique};
use axum::http::StatusCode;
use axum::routing::get;

const BASE: &str = "/api/auth";
const SECRET: &str = "session-cache-secret-8d3f1b6e2a9c4";
const CACHE_COOKIE: &str = "next-auth.session-data";
/// The block's `cache:`.
const CACHE: Duration = Duration::from_secs(2);

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database {
        adapter: env("TEST_DATABASE_URL"),
        max_age: days(1),
        update_age: minutes(5),
        cache: seconds(2),
    },
    roles: { admin, member },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
}

/// Password `pw`; every user starts as a member.
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    (form.password == "pw").then(|| {
        User::new(&form.username)
            .name(&form.username)
            .email(format!("{}@example.com", form.username))
            .role(auth::Role::Member)
    })
}

/// A fresh SQLite file (shared by the test's instances) and PostgreSQL.
fn stores() -> Vec<String> {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", unique("session-cache")));
    vec![
        format!("sqlite://{}?mode=rwc", file.display()),
        require_postgres(),
    ]
}

/// One server instance over `store`, with `/id` (any session) and `/admin` (the admin role).
fn instance(store: &str) -> (auth::Auth, Client) {
    let auth = auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
        ("TEST_DATABASE_URL", store),
    ]))
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/id",
            get(|session: auth::Session| async move {
                session.user_id().unwrap_or_default().to_owned()
            }),
        )
        .route(
            "/admin",
            get(|| async { "admin area" }).route_layer(auth::require(auth::Role::Admin)),
        )
        .merge(auth::router(auth.clone()))
        .layer(auth.layer());
    (auth, Client::new(app))
}

/// Signs `client` in as `name` (a fresh name per test and store) and reads `/session` once,
/// which stores the session's copy in the cache cookie.
async fn signed_in_and_cached(client: &mut Client, name: &str) {
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password=pw&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        client.cookie(CACHE_COOKIE).is_none(),
        "only a session read caches"
    );
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.json()["user"]["name"], name, "{}", session.body);
    let cached = session.set_cookie(CACHE_COOKIE).expect("the cache cookie");
    assert!(cached.contains("Max-Age=2;"), "{cached}");
    assert!(cached.contains("HttpOnly"), "{cached}");
    assert!(client.cookie(CACHE_COOKIE).is_some());
    // Answered from the copy: byte for byte the store's answer, and no new copy.
    let again = client.get(&format!("{BASE}/session")).await;
    assert_eq!(again.body, session.body);
    assert!(again.set_cookie(CACHE_COOKIE).is_none());
}

/// The browser's `/session` user name, or `None` for `{}`.
async fn name(client: &mut Client) -> Option<String> {
    let session = client.session(BASE).await;
    session["user"]["name"].as_str().map(str::to_owned)
}

/// The same browser without its cache cookie: what the store says.
fn without_cache(client: &Client) -> Client {
    let mut bare = Client::new(client.app.clone());
    bare.set_cookie(
        "next-auth.session-token",
        client.cookie("next-auth.session-token").unwrap(),
    );
    bare
}

#[tokio::test]
async fn a_session_ended_on_another_instance_is_read_from_the_cache_for_at_most_its_lifetime() {
    for store in stores() {
        let (_, mut here) = instance(&store);
        let (elsewhere, _) = instance(&store);
        let user = unique("ann");
        signed_in_and_cached(&mut here, &user).await;
        let id = here.get("/id").await.body;
        assert_eq!(
            elsewhere.revoke_all_sessions(&id).await.unwrap(),
            1,
            "{store}"
        );
        // The store has no session any more; the copy still answers, here and in handlers.
        assert_eq!(name(&mut without_cache(&here)).await, None, "{store}");
        assert_eq!(
            name(&mut here).await.as_deref(),
            Some(user.as_str()),
            "{store}"
        );
        assert_eq!(here.get("/id").await.status, StatusCode::OK, "{store}");
        tokio::time::sleep(CACHE + Duration::from_millis(100)).await;
        let answer = here.get(&format!("{BASE}/session")).await;
        assert_eq!(answer.body, "{}", "{store}: the copy is {CACHE:?} old");
        assert!(
            answer
                .set_cookie(CACHE_COOKIE)
                .unwrap()
                .contains("Max-Age=0"),
            "{store}"
        );
        assert_eq!(
            here.get("/id").await.status,
            StatusCode::UNAUTHORIZED,
            "{store}"
        );
    }
}

#[tokio::test]
async fn what_this_instance_ends_is_refused_from_the_cache_at_once() {
    for store in stores() {
        let (auth, mut laptop) = instance(&store);
        // Revoked through the Rust API.
        let user = unique("bob");
        signed_in_and_cached(&mut laptop, &user).await;
        let id = laptop.get("/id").await.body;
        assert_eq!(auth.revoke_all_sessions(&id).await.unwrap(), 1, "{store}");
        assert_eq!(
            name(&mut laptop).await,
            None,
            "{store}: revoke_all_sessions"
        );

        // Revoked by the user's other browser through `POST /sessions/revoke`.
        let user = unique("cy");
        signed_in_and_cached(&mut laptop, &user).await;
        let mut phone = Client::new(laptop.app.clone());
        signed_in_and_cached(&mut phone, &user).await;
        let token = laptop.csrf(BASE).await;
        let revoked = laptop
            .post_form(
                &format!("{BASE}/sessions/revoke"),
                &format!("others=true&csrfToken={token}"),
            )
            .await;
        assert_eq!(revoked.json()["revoked"], 1, "{store}: {}", revoked.body);
        assert_eq!(name(&mut phone).await, None, "{store}: the phone, revoked");
        assert_eq!(phone.get("/id").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(name(&mut laptop).await.as_deref(), Some(user.as_str()));

        // Signed out, and the old cookies sent again.
        let replay = Client::new(laptop.app.clone());
        let mut replay = replay;
        for cookie in ["next-auth.session-token", CACHE_COOKIE] {
            replay.set_cookie(cookie, laptop.cookie(cookie).unwrap());
        }
        let token = laptop.csrf(BASE).await;
        let out = laptop
            .post_form(&format!("{BASE}/signout"), &format!("csrfToken={token}"))
            .await;
        assert!(
            out.set_cookie(CACHE_COOKIE).unwrap().contains("Max-Age=0"),
            "{store}"
        );
        assert_eq!(
            name(&mut replay).await,
            None,
            "{store}: a replay after sign-out"
        );
    }
}

#[tokio::test]
async fn roles_set_on_this_instance_hold_at_once_despite_the_cache() {
    for store in stores() {
        let (auth, mut browser) = instance(&store);
        let user = unique("dee");
        signed_in_and_cached(&mut browser, &user).await;
        assert_eq!(
            browser.get("/admin").await.status,
            StatusCode::FORBIDDEN,
            "{store}"
        );
        let id = browser.get("/id").await.body;
        auth.set_roles(&id, [auth::Role::Admin]).await.unwrap();
        assert_eq!(
            browser.get("/admin").await.status,
            StatusCode::OK,
            "{store}"
        );
    }
}
