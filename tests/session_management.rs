//! Roles and session management (beyond NextAuth), on SQLite and on the machine's PostgreSQL
//! for everything kept in a store: `roles:` and `require(role)` under both session strategies,
//! `GET /sessions` and `POST /sessions/revoke` with two browsers of one user on two server
//! instances, and the Rust API (`set_roles`, `sessions`, `revoke_session`).

#![allow(clippy::unwrap_used)]

use auth_runtime::callbacks::{JwtParams, JwtTrigger};
use auth_runtime::{RoleName, User, auth};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::{require_postgres, unique};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
const SECRET: &str = "session-management-secret-5c1e9a7d3b";

auth! {
    module: db,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL"), max_age: days(1), update_age: seconds(1) },
    roles: { admin, member },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize_db,
        },
    },
}

auth! {
    module: jwt,
    secret: env("NEXTAUTH_SECRET"),
    roles: { admin, member },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize_jwt,
        },
    },
    callbacks: { jwt: demote_on_update },
}

auth! {
    module: jwt_store,
    secret: env("NEXTAUTH_SECRET"),
    session: jwt { adapter: env("TEST_DATABASE_URL"), max_age: days(1), update_age: seconds(1) },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize_plain,
        },
    },
}

/// Password `pw`; a name starting with `admin` is an admin, any other a member.
fn user<R: RoleName>(name: &str, password: &str, admin: R, member: R) -> Option<User> {
    (password == "pw").then(|| {
        let user = User::new(name).name(name);
        user.role(if name.starts_with("admin") {
            admin
        } else {
            member
        })
    })
}

async fn authorize_db(form: db::forms::Credentials) -> Option<User> {
    user(
        &form.username,
        &form.password,
        db::Role::Admin,
        db::Role::Member,
    )
}

async fn authorize_plain(form: jwt_store::forms::Credentials) -> Option<User> {
    (form.password == "pw").then(|| User::new(form.username.clone()).name(form.username))
}

async fn authorize_jwt(form: jwt::forms::Credentials) -> Option<User> {
    user(
        &form.username,
        &form.password,
        jwt::Role::Admin,
        jwt::Role::Member,
    )
}

/// `update()` from the client (`POST /session`) takes the admin role away: a role change
/// under JWT sessions reaches the cookie when the token is issued again.
async fn demote_on_update(mut params: JwtParams<jwt::SessionData>) -> jwt::Token {
    if params.trigger == Some(JwtTrigger::Update) {
        params.token.set_roles([jwt::Role::Member]);
    }
    params.token
}

/// A fresh SQLite file (shared by the test's instances) and PostgreSQL.
fn stores() -> Vec<String> {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", unique("roles")));
    vec![
        format!("sqlite://{}?mode=rwc", file.display()),
        require_postgres(),
    ]
}

/// One server instance over `store`, with `/me` (any session) and `/admin` (the admin role).
fn db_instance(store: &str) -> (db::Auth, Client) {
    let auth = db::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", store),
    ]))
    .unwrap();
    let app =
        axum::Router::new()
            .route(
                "/me",
                get(|session: db::Session| async move { session.roles().join(",") }),
            )
            .route(
                "/id",
                get(|session: db::Session| async move {
                    session.user_id().unwrap_or_default().to_owned()
                }),
            )
            .route(
                "/admin",
                get(|| async { "admin area" }).route_layer(db::require(db::Role::Admin)),
            )
            .merge(db::router(auth.clone()))
            .layer(auth.layer());
    (auth, Client::new(app))
}

/// One instance with JWT sessions recorded in `store`, with `/me` (any session).
fn jwt_store_instance(store: &str) -> (jwt_store::Auth, Client) {
    let auth = jwt_store::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", store),
    ]))
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/me",
            get(|session: jwt_store::Session| async move {
                session.name().unwrap_or_default().to_owned()
            }),
        )
        .merge(jwt_store::router(auth.clone()))
        .layer(auth.layer());
    (auth, Client::new(app))
}

fn jwt_instance() -> Client {
    let auth = jwt::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/admin",
            get(|| async { "admin area" }).route_layer(jwt::require(jwt::Role::Admin)),
        )
        .merge(jwt::router(auth.clone()))
        .layer(auth.layer());
    Client::new(app)
}

/// Signs `client` in as `name`, from a browser whose `User-Agent` is `agent`.
async fn sign_in(client: &mut Client, name: &str, agent: &str) {
    let token = client.csrf(BASE).await;
    let request = Request::post(format!("{BASE}/callback/credentials"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, agent)
        .header(header::COOKIE, client.cookie_header())
        .body(Body::from(format!(
            "username={name}&password=pw&csrfToken={token}&json=true"
        )))
        .unwrap();
    let answer = client.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(client.cookie("next-auth.session-token").is_some());
}

/// The laptop's `GET /sessions` after the laptop and the phone signed in: exactly two
/// sessions, the laptop's the current one; the answer, the list, and the phone's entry.
async fn laptop_and_phone(
    laptop: &mut Client,
    store: &str,
) -> (Answer, Vec<serde_json::Value>, serde_json::Value) {
    let listed = laptop.get(&format!("{BASE}/sessions")).await;
    assert_eq!(listed.status, StatusCode::OK, "{store}: {}", listed.body);
    let serde_json::Value::Array(sessions) = listed.json() else {
        panic!("{store}: not a list: {}", listed.body);
    };
    assert_eq!(sessions.len(), 2, "{store}: {sessions:?}");
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "{store}: exactly one current");
    assert_eq!(current[0]["userAgent"], "Laptop Browser/1.0", "{store}");
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .cloned()
        .unwrap();
    assert_eq!(other["userAgent"], "Phone Browser/2.0", "{store}");
    (listed, sessions, other)
}

async fn get_as(client: &mut Client, uri: &str, accept: &str) -> Answer {
    let request = Request::get(uri)
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .unwrap();
    client.send(request).await
}

async fn revoke(client: &mut Client, which: &str) -> Answer {
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/sessions/revoke"),
            &format!("{which}&csrfToken={token}"),
        )
        .await
}

async fn signed_in(client: &mut Client) -> bool {
    let session = client.session(BASE).await;
    session.get("user").is_some()
}

#[tokio::test]
async fn two_browsers_of_one_user_are_listed_and_revoked_one_by_one_across_instances() {
    for store in stores() {
        let name = unique("member");
        let (_, mut laptop) = db_instance(&store);
        let (_, mut phone) = db_instance(&store);
        sign_in(&mut laptop, &name, "Laptop Browser/1.0").await;
        sign_in(&mut phone, &name, "Phone Browser/2.0").await;

        let (listed, sessions, other) = laptop_and_phone(&mut laptop, &store).await;
        for session in &sessions {
            for field in ["id", "created", "lastSeen", "expires"] {
                assert!(session[field].is_string(), "{store}: {field} in {session}");
            }
        }
        // The id names the session without giving it away.
        let phone_token = phone.cookie("next-auth.session-token").unwrap().to_owned();
        assert!(
            !listed.body.contains(&phone_token),
            "{store}: a token in the list"
        );

        // Revoking the phone's session on the laptop's instance signs the phone out on its
        // own instance at its next request; the laptop stays signed in.
        let id = other["id"].as_str().unwrap();
        let answer = revoke(&mut laptop, &format!("id={id}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        assert_eq!(answer.json()["revoked"], 1, "{store}");
        assert!(!signed_in(&mut phone).await, "{store}: the revoked phone");
        assert!(signed_in(&mut laptop).await, "{store}: the laptop");
        let again = revoke(&mut laptop, &format!("id={id}")).await;
        assert_eq!(
            again.status,
            StatusCode::NOT_FOUND,
            "{store}: {}",
            again.body
        );

        // `others=true` keeps the current session; `all=true` ends both.
        sign_in(&mut phone, &name, "Phone Browser/2.0").await;
        let answer = revoke(&mut laptop, "others=true").await;
        assert_eq!(answer.json()["revoked"], 1, "{store}: {}", answer.body);
        assert!(!signed_in(&mut phone).await, "{store}");
        assert!(signed_in(&mut laptop).await, "{store}");

        sign_in(&mut phone, &name, "Phone Browser/2.0").await;
        let answer = revoke(&mut phone, "all=true").await;
        assert_eq!(answer.json()["revoked"], 2, "{store}: {}", answer.body);
        assert!(
            answer
                .set_cookies()
                .iter()
                .any(|c| c.starts_with("next-auth.session-token=;")),
            "{store}: the asking browser's cookie is cleared"
        );
        assert!(!signed_in(&mut phone).await, "{store}");
        assert!(!signed_in(&mut laptop).await, "{store}");
    }
}

#[tokio::test]
async fn session_routes_need_csrf_a_session_and_one_choice() {
    let store = stores().remove(0);
    let (_, mut client) = db_instance(&store);
    let listed = client.get(&format!("{BASE}/sessions")).await;
    assert_eq!(listed.status, StatusCode::UNAUTHORIZED, "{}", listed.body);
    let signed_out = revoke(&mut client, "all=true").await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);

    sign_in(&mut client, &unique("member"), "Browser").await;
    let no_csrf = client
        .post_form(&format!("{BASE}/sessions/revoke"), "all=true")
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.body);
    for which in ["", "all=true&others=true", "id=x&all=true", "all=yes"] {
        let answer = revoke(&mut client, which).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{which}: {}",
            answer.body
        );
    }
    assert!(signed_in(&mut client).await, "nothing was revoked");
}

#[tokio::test]
async fn the_session_list_is_refused_under_jwt_sessions_without_a_store_with_the_reason() {
    let mut client = jwt_instance();
    let listed = client.get(&format!("{BASE}/sessions")).await;
    assert_eq!(listed.status, StatusCode::BAD_REQUEST);
    assert!(
        listed.json()["error"]
            .as_str()
            .unwrap()
            .contains("a JWT session without a store lives in its cookie"),
        "{}",
        listed.body
    );
}

#[tokio::test]
async fn a_role_guard_answers_each_visitor_under_database_sessions() {
    for store in stores() {
        let (auth, mut client) = db_instance(&store);
        let admin = get_as(&mut client, "/admin", "application/json").await;
        assert_eq!(
            admin.status,
            StatusCode::UNAUTHORIZED,
            "{store}: signed out"
        );
        let page = get_as(&mut client, "/admin", "text/html").await;
        assert_eq!(page.status, StatusCode::FOUND, "{store}");
        assert_eq!(
            page.location(),
            "http://127.0.0.1:3000/api/auth/signin?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fadmin"
        );

        let name = unique("admin");
        sign_in(&mut client, &name, "Browser").await;
        assert_eq!(client.get("/me").await.body, "admin", "{store}");
        let allowed = get_as(&mut client, "/admin", "application/json").await;
        assert_eq!(allowed.status, StatusCode::OK, "{store}: {}", allowed.body);

        // The application changes the roles: the guard sees it at the user's next request.
        let user_id = client.get("/id").await.body;
        auth.set_roles(&user_id, [db::Role::Member]).await.unwrap();
        assert_eq!(client.get("/me").await.body, "member", "{store}");
        let refused = get_as(&mut client, "/admin", "application/json").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{store}");
        assert_eq!(refused.json()["error"], "Forbidden");
        let page = get_as(&mut client, "/admin", "text/html").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{store}");
        assert!(
            page.body.contains("Access Denied"),
            "{store}: {}",
            page.body
        );

        // A sign-in that gives roles replaces the stored ones.
        sign_in(&mut client, &name, "Browser").await;
        assert_eq!(client.get("/me").await.body, "admin", "{store}");

        // The Rust API lists and ends the same sessions the routes do.
        let sessions = auth.sessions(&user_id).await.unwrap();
        assert_eq!(
            sessions.len(),
            1,
            "{store}: the first sign-in's session ended"
        );
        assert!(
            auth.revoke_session(&user_id, &sessions[0].id)
                .await
                .unwrap()
        );
        assert!(!signed_in(&mut client).await, "{store}");
    }
}

#[tokio::test]
async fn a_role_guard_reads_the_token_under_jwt_sessions_and_sees_a_change_at_reissue() {
    let mut client = jwt_instance();
    sign_in(&mut client, "member-1", "Browser").await;
    let refused = get_as(&mut client, "/admin", "text/html").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Access Denied"));

    let mut client = jwt_instance();
    sign_in(&mut client, "admin-1", "Browser").await;
    assert_eq!(client.get("/admin").await.status, StatusCode::OK);
    let token = client.cookie("next-auth.session-token").unwrap().to_owned();
    // The claim is the role's name, readable by any next-auth `decode`.
    let auth = jwt::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
    ]))
    .unwrap();
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        header::COOKIE,
        format!("next-auth.session-token={token}").parse().unwrap(),
    );
    let decoded = auth.token_from_headers(&headers).unwrap();
    assert_eq!(decoded.roles, ["admin"]);

    // `update()` runs the `jwt` callback, which demotes: the re-issued cookie carries it.
    let csrf = client.csrf(BASE).await;
    let updated = client
        .post_json(
            &format!("{BASE}/session"),
            serde_json::json!({ "csrfToken": csrf, "data": {} }),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(client.get("/admin").await.status, StatusCode::FORBIDDEN);
}

/// Longer than the blocks' `update_age` of one second: a recorded JWT session is checked
/// against its store at most that often.
const PAST_UPDATE_AGE: std::time::Duration = std::time::Duration::from_millis(1100);

#[tokio::test]
async fn recorded_jwt_sessions_are_listed_and_a_revoked_one_ends_within_update_age() {
    for store in stores() {
        let name = unique("jwt");
        let (_, mut laptop) = jwt_store_instance(&store);
        let (auth, mut phone) = jwt_store_instance(&store);
        sign_in(&mut laptop, &name, "Laptop Browser/1.0").await;
        sign_in(&mut phone, &name, "Phone Browser/2.0").await;
        // The cookie is still a JWT (next-auth's JWE), not a database session token.
        let cookie = laptop.cookie("next-auth.session-token").unwrap().to_owned();
        assert!(cookie.starts_with("eyJ"), "{store}: {cookie}");

        let (_, _, other) = laptop_and_phone(&mut laptop, &store).await;
        let id = other["id"].as_str().unwrap();

        let answer = revoke(&mut laptop, &format!("id={id}")).await;
        assert_eq!(answer.json()["revoked"], 1, "{store}: {}", answer.body);
        // Within `update_age` of its last check the phone's token still stands; after it, the
        // store is asked and the session has ended, on the phone's own instance: `/session`
        // clears the cookie, and the `Session` extractor refuses the same cookie.
        tokio::time::sleep(PAST_UPDATE_AGE).await;
        let phone_cookie = phone.cookie("next-auth.session-token").unwrap().to_owned();
        let me = get_as(&mut phone, "/me", "application/json").await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{store}: {}", me.body);
        let session = phone.get(&format!("{BASE}/session")).await;
        assert_eq!(session.body, "{}", "{store}");
        assert!(
            session
                .set_cookies()
                .iter()
                .any(|c| c.starts_with("next-auth.session-token=;")),
            "{store}: the revoked token's cookie is cleared"
        );
        assert!(!phone_cookie.is_empty());
        assert!(signed_in(&mut laptop).await, "{store}: the laptop stays");
        assert_eq!(laptop.get("/me").await.body, name, "{store}");

        // Sign-out forgets the record; `all=true` ends every session of the user.
        sign_in(&mut phone, &name, "Phone Browser/2.0").await;
        let csrf = phone.csrf(BASE).await;
        phone
            .post_form(&format!("{BASE}/signout"), &format!("csrfToken={csrf}"))
            .await;
        assert_eq!(auth.sessions(&name).await.unwrap().len(), 1, "{store}");
        sign_in(&mut phone, &name, "Phone Browser/2.0").await;
        let answer = revoke(&mut phone, "all=true").await;
        assert_eq!(answer.json()["revoked"], 2, "{store}: {}", answer.body);
        tokio::time::sleep(PAST_UPDATE_AGE).await;
        assert!(!signed_in(&mut laptop).await, "{store}");
        assert!(!signed_in(&mut phone).await, "{store}");
        assert!(auth.sessions(&name).await.unwrap().is_empty(), "{store}");
    }
}

#[tokio::test]
async fn a_jwt_session_whose_store_cannot_be_reached_is_no_session_and_keeps_its_cookie() {
    let store = stores().remove(0);
    let (_, mut client) = jwt_store_instance(&store);
    sign_in(&mut client, &unique("jwt"), "Browser").await;
    let cookie = client.cookie("next-auth.session-token").unwrap().to_owned();
    // The same secret, a store that refuses connections: the token decrypts, but whether it
    // was revoked cannot be known once its check is due.
    let (_, mut elsewhere) = jwt_store_instance("postgres://postgres:postgres@127.0.0.1:9/none");
    elsewhere.set_cookie("next-auth.session-token", &cookie);
    tokio::time::sleep(PAST_UPDATE_AGE).await;
    let session = elsewhere.get(&format!("{BASE}/session")).await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body, "{}");
    assert!(
        session.set_cookie("next-auth.session-token").is_none(),
        "the cookie is kept for when the store is back"
    );
    assert!(signed_in(&mut client).await, "the instance with its store");
}
