//! Each part the server depends on fails, through the routes: the OpenID provider, PostgreSQL
//! and the SMTP server. For each: NextAuth's error code comes back promptly, the server keeps
//! answering (`/csrf` and `/providers`), it recovers by itself when the part comes back (the
//! same app, no restart), and nothing half-written is left in the database.
//!
//! Real parts wherever they can fail so: the real `oidc-provider` stopped and started again on
//! the same port, the real PostgreSQL behind a TCP proxy the test cuts (`auth_test_support::proxy`)
//! or refusing a write through a trigger on the test's own schema, the real SMTP sink stopped
//! and started again on the same port. A real provider cannot be made to hang past the
//! timeout or to answer 500 or garbage, so for those the tests named `proxy_…` put the proxy
//! in front of the real provider (token and userinfo endpoints) or in its place on its port
//! (discovery: the issuer is the provider's own address, so a proxy cannot sit in front of
//! discovery without changing the issuer); the proxy then gives the port back and the real
//! provider signs the user in.
//!
//! What the runtime does for this: after the database could not be reached it answers
//! without it for a second instead of letting every request wait out the 5 s timeouts
//! (`auth-runtime/src/store.rs`); a new user is stored with its account in one transaction
//! and deleted again when its session cannot be stored, so a failed sign-in never leaves a
//! user whose account is missing (which would answer `OAuthAccountNotLinked` for ever).
//!
//! Covered elsewhere, not repeated here: a fake provider's hanging or garbage token endpoint,
//! broken discovery, `alg: none`, unpublished keys and key rotation (`tests/oauth_faults.rs`);
//! a provider that is down at sign-in or stopped mid-flow, without the recovery
//! (`tests/oauth_flow.rs`); a database URL nothing listens on (`tests/database_sessions.rs`,
//! `an_unreachable_database_answers_empty_and_never_500`); a closed SMTP port and a server that
//! never greets (`tests/email_core.rs`).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::auth;
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::database::{Schema, authorize, request_link};
use auth_test_support::oauth_app::{BASE, ORIGIN, path_of, start};
use auth_test_support::proxy::{Mode, Proxy};
use auth_test_support::{oauth_app, oidc, smtp, unique};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

/// How long a failing part may hold a request: generous, the point is "not forever". The
/// OAuth client gives up after 10 s, the database after 5 s.
const PROMPTLY: Duration = Duration::from_secs(15);

/// The redirect URIs every provider started here registers (the OAuth app's).
fn redirect_uris() -> Vec<String> {
    ["oidc", "oidc_post", "typed", "plain"]
        .iter()
        .map(|id| format!("{ORIGIN}{BASE}/callback/{id}"))
        .collect()
}

/// A port nothing listens on (just now).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The server still answers: `/csrf` and `/providers` are 200, as for a new visitor.
async fn assert_still_serving(app: &axum::Router) {
    for path in ["csrf", "providers"] {
        let response = app
            .clone()
            .oneshot(
                Request::get(format!("{BASE}/{path}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {BASE}/{path}");
    }
}

fn error_url(code: &str) -> String {
    format!("{ORIGIN}{BASE}/error?error={code}")
}

/// `POST /signin/<id>` in JSON mode: where the browser is sent, and how long it took.
async fn post_signin(client: &mut Client, id: &str) -> (String, Duration) {
    let token = client.csrf(BASE).await;
    let started = Instant::now();
    let answer = client
        .post_form(
            &format!("{BASE}/signin/{id}"),
            &format!("csrfToken={token}&callbackUrl=%2Fhome&json=true"),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    (answer.json()["url"].as_str().unwrap().to_owned(), elapsed)
}

/// A whole OAuth sign-in at `op`; the app's answer to the callback.
async fn oauth_sign_in(
    client: &mut Client,
    op: &oidc::OidcProvider,
    id: &str,
    login: &str,
) -> Answer {
    let url = start(client, id).await;
    let callback = path_of(&op.login(&url, login).await);
    client.get(&callback).await
}

/// The sign-in reached the callbackUrl and `/session` shows `login`'s user.
async fn assert_signed_in(client: &mut Client, answer: &Answer, login: &str) {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.location(), format!("{ORIGIN}/home"));
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(
        session["user"]["email"],
        format!("{login}@example.com"),
        "{session}"
    );
}

// ---------------------------------------------------------------------------------------------
// The OpenID provider

#[tokio::test]
async fn a_provider_refusing_at_sign_in_start_gives_oauth_signin_and_its_return_signs_in() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let mut client = oauth_app::client_with(oauth_app::env_for(&issuer, oidc::BASIC_CLIENT_SECRET));

    let (url, elapsed) = post_signin(&mut client, "oidc").await;
    assert_eq!(url, error_url("OAuthSignin"));
    assert!(elapsed < PROMPTLY, "{elapsed:?}");
    assert_still_serving(&client.app).await;

    // The provider comes up on that port: the same app discovers it and signs in.
    let op = oidc::OidcProvider::start_on(port, &redirect_uris());
    assert_eq!(op.issuer, issuer);
    let answer = oauth_sign_in(&mut client, &op, "oidc", "rosa").await;
    assert_signed_in(&mut client, &answer, "rosa").await;
}

#[tokio::test]
async fn a_provider_killed_mid_flow_gives_oauth_callback_and_its_successor_signs_in() {
    let op = oidc::OidcProvider::start(&redirect_uris());
    let port = url::Url::parse(&op.issuer).unwrap().port().unwrap();
    let mut client =
        oauth_app::client_with(oauth_app::env_for(&op.issuer, oidc::BASIC_CLIENT_SECRET));
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&op.login(&url, "sam").await);
    drop(op); // killed between the login and the code exchange: connections are refused

    let started = Instant::now();
    let answer = client.get(&callback).await;
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    oauth_app::assert_oauth_callback_error(&answer);
    assert!(client.cookie("next-auth.session-token").is_none());
    assert_still_serving(&client.app).await;

    // A new provider on the same port (new signing key, new sessions): the same app signs in,
    // fetching the new key set.
    let successor = oidc::OidcProvider::start_on(port, &redirect_uris());
    let answer = oauth_sign_in(&mut client, &successor, "oidc", "sam").await;
    assert_signed_in(&mut client, &answer, "sam").await;
}

#[tokio::test]
async fn proxy_in_place_of_the_provider_hanging_or_answering_500_or_garbage_gives_oauth_signin() {
    // The discovery document must name the issuer the app was given, which is the real
    // provider's own address: the proxy stands on the provider's port instead, then gives
    // it back.
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let stand_in = Proxy::start_on(port, None, Mode::Http500);
    let mut client = oauth_app::client_with(oauth_app::env_for(&issuer, oidc::BASIC_CLIENT_SECRET));

    for mode in [
        Mode::Hang,
        Mode::Http500,
        Mode::Garbage,
        Mode::NotJson,
        Mode::Cut,
    ] {
        stand_in.set(mode);
        let (url, elapsed) = post_signin(&mut client, "oidc").await;
        assert_eq!(url, error_url("OAuthSignin"), "{mode:?}");
        assert!(elapsed < PROMPTLY, "{mode:?}: {elapsed:?}");
        assert!(client.cookie("next-auth.state").is_none(), "{mode:?}");
        assert_still_serving(&client.app).await;
    }

    drop(stand_in);
    let op = oidc::OidcProvider::start_on(port, &redirect_uris());
    let answer = oauth_sign_in(&mut client, &op, "oidc", "tina").await;
    assert_signed_in(&mut client, &answer, "tina").await;
}

#[tokio::test]
async fn proxy_before_the_token_endpoint_hanging_or_answering_500_or_garbage_gives_oauth_callback()
{
    // The generic OAuth provider takes its endpoints as given, so its token and userinfo
    // requests go through the proxy to the real provider (the browser logs in there directly).
    let op = oauth_app::provider();
    let target = op.issuer.strip_prefix("http://").unwrap();
    let proxy = Proxy::start(target.parse().unwrap());
    let via = format!("http://{}", proxy.addr());
    let mut env = oauth_app::env_for(&op.issuer, oidc::BASIC_CLIENT_SECRET);
    for (key, value) in &mut env {
        match key.as_str() {
            "PLAIN_TOKEN" => *value = format!("{via}/token"),
            "PLAIN_USERINFO" => *value = format!("{via}/me"),
            _ => {}
        }
    }
    let mut client = oauth_app::client_with(env);

    for mode in [
        Mode::Hang,
        Mode::Http500,
        Mode::Garbage,
        Mode::NotJson,
        Mode::Cut,
        Mode::Refuse,
    ] {
        proxy.set(Mode::Pass);
        let url = start(&mut client, "plain").await;
        let callback = path_of(&op.login(&url, "uma").await);
        proxy.set(mode);
        let started = Instant::now();
        let answer = client.get(&callback).await;
        assert!(
            started.elapsed() < PROMPTLY,
            "{mode:?}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            answer.status,
            StatusCode::FOUND,
            "{mode:?}: {}",
            answer.body
        );
        assert_eq!(answer.location(), error_url("OAuthCallback"), "{mode:?}");
        assert!(
            client.cookie("next-auth.session-token").is_none(),
            "{mode:?}"
        );
        assert_still_serving(&client.app).await;
    }

    proxy.set(Mode::Pass);
    let answer = oauth_sign_in(&mut client, op, "plain", "uma").await;
    assert_signed_in(&mut client, &answer, "uma").await;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

auth! {
    module: db,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
        },
        email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
    },
}

fn db_client(database_url: &str, smtp_url: &str) -> Client {
    let op = oauth_app::provider();
    let auth = db::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "faults-secret-7a3e9c5b1d8f2a6e4c0b"),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", database_url),
        ("OIDC_ISSUER", &op.issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ("EMAIL_SERVER", smtp_url),
    ]))
    .unwrap();
    Client::new(db::router(auth.clone()).layer(auth.layer()))
}

/// An SMTP URL nothing listens on, for the database tests (which send no mail).
fn no_smtp() -> String {
    format!("smtp://127.0.0.1:{}", free_port())
}

/// A credentials sign-in in JSON mode: where the browser is sent, and how long it took.
async fn password_sign_in(client: &mut Client, name: &str) -> (String, Duration) {
    let token = client.csrf(BASE).await;
    let started = Instant::now();
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password=pw&csrfToken={token}&json=true"),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    (answer.json()["url"].as_str().unwrap().to_owned(), elapsed)
}

/// `/session`, and how long it took.
async fn timed_session(client: &mut Client) -> (Answer, Duration) {
    let started = Instant::now();
    let answer = client.get(&format!("{BASE}/session")).await;
    (answer, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cut_mid_flight_gives_empty_sessions_and_callback_errors_then_recovers() {
    let schema = Schema::create().await;
    let proxy = Proxy::start(schema.server());
    let mut client = db_client(&schema.url_via(proxy.port()), &no_smtp());
    let op = oauth_app::provider();

    // Connected and signed in: the pool holds live connections through the proxy.
    let name = unique("cut");
    let (url, _) = password_sign_in(&mut client, &name).await;
    assert_eq!(url, ORIGIN, "the sign-in works before the cut");
    let cookie = client.cookie("next-auth.session-token").unwrap().to_owned();
    let (session, _) = timed_session(&mut client).await;
    assert_eq!(session.json()["user"]["name"], name.as_str());
    assert_eq!(schema.rows().await, (1, 1, 1));

    for mode in [Mode::Refuse, Mode::Cut] {
        proxy.set(mode);
        // (a) `/session` is `{}`, never a 5xx, promptly; the cookie is kept (the session
        // still exists, the database is only out of reach). The first request meets the
        // outage (a refused connection is retried up to the pool's 5 s); the next ones are
        // answered at once for a moment instead of each waiting as long.
        for attempt in 0..3 {
            let (session, elapsed) = timed_session(&mut client).await;
            assert_eq!(session.status, StatusCode::OK, "{mode:?}");
            assert_eq!(session.body, "{}", "{mode:?}");
            assert!(
                session.set_cookie("next-auth.session-token").is_none(),
                "{mode:?}"
            );
            let bound = if attempt == 0 {
                PROMPTLY
            } else {
                Duration::from_millis(500)
            };
            assert!(elapsed < bound, "{mode:?}, request {attempt}: {elapsed:?}");
        }
        assert_eq!(
            client.cookie("next-auth.session-token"),
            Some(cookie.as_str())
        );

        // (b) a credentials and an OAuth sign-in end on NextAuth's `Callback` error, with no
        // session cookie.
        let mut stranger = Client::new(client.app.clone());
        let (url, elapsed) = password_sign_in(&mut stranger, &unique("during")).await;
        assert_eq!(url, error_url("Callback"), "{mode:?}");
        assert!(elapsed < PROMPTLY, "{mode:?}: {elapsed:?}");
        assert!(stranger.cookie("next-auth.session-token").is_none());

        let url = start(&mut stranger, "oidc").await;
        let callback = path_of(&op.login(&url, &unique("during")).await);
        let started = Instant::now();
        let answer = stranger.get(&callback).await;
        let elapsed = started.elapsed();
        assert!(elapsed < PROMPTLY, "{mode:?}: {elapsed:?}");
        assert_eq!(answer.location(), error_url("Callback"), "{mode:?}");
        assert!(stranger.cookie("next-auth.session-token").is_none());
        assert_still_serving(&client.app).await;
        assert_eq!(schema.rows().await, (1, 1, 1), "{mode:?}: nothing written");

        // (c) The database is back: the same app serves the session again by itself.
        proxy.set(Mode::Pass);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (session, _) = timed_session(&mut client).await;
            if session.body != "{}" {
                assert_eq!(session.json()["user"]["name"], name.as_str());
                break;
            }
            assert!(Instant::now() < deadline, "{mode:?}: not served again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // And signs in again, with each provider.
    let mut later = Client::new(client.app.clone());
    let (url, _) = password_sign_in(&mut later, &unique("after")).await;
    assert_eq!(url, ORIGIN);
    let mut other = Client::new(client.app.clone());
    let answer = oauth_sign_in(&mut other, op, "oidc", &unique("oauthafter")).await;
    assert_eq!(answer.location(), format!("{ORIGIN}/home"));
    assert_eq!(schema.rows().await, (3, 3, 3));

    drop(proxy);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_read_after_a_database_restart_is_served_on_a_new_connection() {
    let schema = Schema::create().await;
    let proxy = Proxy::start(schema.server());
    let mut client = db_client(&schema.url_via(proxy.port()), &no_smtp());
    let name = unique("restart");
    password_sign_in(&mut client, &name).await;
    // Reads one after another share one session reader, which is then open.
    for _ in 0..16 {
        let (session, _) = timed_session(&mut client).await;
        assert_eq!(session.json()["user"]["name"], name.as_str());
    }

    // A restart that is over: every open connection was cut, new ones are accepted.
    proxy.set(Mode::Cut);
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.set(Mode::Pass);

    // No read meets the outage: each reader that finds its connection gone opens a new one
    // and reads again.
    for read in 0..16 {
        let (session, _) = timed_session(&mut client).await;
        assert_eq!(
            session.json()["user"]["name"],
            name.as_str(),
            "read {read} after the restart: {}",
            session.body
        );
    }
    drop(proxy);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_whose_session_write_fails_leaves_no_user_or_account_behind() {
    let schema = Schema::create().await;
    // PostgreSQL itself refuses the session row, as a full disk or a lost lock would.
    schema
        .run(
            "CREATE FUNCTION {s}.refuse_write() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'faults test: % refused', TG_TABLE_NAME; END $$; \
             CREATE TRIGGER refuse_sessions BEFORE INSERT ON {s}.sessions \
             FOR EACH ROW EXECUTE FUNCTION {s}.refuse_write();",
        )
        .await;
    let port = schema.server().port();
    let mut client = db_client(&schema.url_via(port), &no_smtp());
    let op = oauth_app::provider();
    let login = unique("half");

    let answer = oauth_sign_in(&mut client, op, "oidc", &login).await;
    assert_eq!(answer.location(), error_url("Callback"));
    assert!(client.cookie("next-auth.session-token").is_none());
    let (url, _) = password_sign_in(&mut client, &unique("halfcred")).await;
    assert_eq!(url, error_url("Callback"));
    assert!(client.cookie("next-auth.session-token").is_none());
    assert_eq!(
        schema.rows().await,
        (0, 0, 0),
        "no user, account or session left"
    );
    assert_still_serving(&client.app).await;

    // Fixed: the same provider account signs in (it was not left as a user without its
    // account, which would answer `OAuthAccountNotLinked` for ever).
    schema
        .run("DROP TRIGGER refuse_sessions ON {s}.sessions")
        .await;
    let answer = oauth_sign_in(&mut client, op, "oidc", &login).await;
    assert_signed_in(&mut client, &answer, &login).await;
    assert_eq!(schema.rows().await, (1, 1, 1));
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cut_while_linking_the_account_leaves_no_user_behind() {
    let schema = Schema::create().await;
    // The account insert takes 2 s, so the test can cut the connection in the middle of it.
    schema
        .run(
            "CREATE FUNCTION {s}.slow_write() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$; \
             CREATE TRIGGER slow_accounts BEFORE INSERT ON {s}.accounts \
             FOR EACH ROW EXECUTE FUNCTION {s}.slow_write();",
        )
        .await;
    let proxy = Proxy::start(schema.server());
    let mut client = db_client(&schema.url_via(proxy.port()), &no_smtp());
    let op = oauth_app::provider();
    let login = unique("torn");

    let url = start(&mut client, "oidc").await;
    let callback = path_of(&op.login(&url, &login).await);
    let request = Request::get(&callback)
        .header(header::COOKIE, client.cookie_header())
        .body(Body::empty())
        .unwrap();
    let app = client.app.clone();
    let signing_in = tokio::spawn(async move { app.oneshot(request).await.unwrap() });

    // Wait until the account insert runs, then cut every connection and refuse new ones.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let inserting: i64 = sqlx::query(
            // Sleeping in the trigger: other tests' quick inserts into their own `accounts`
            // (the server is shared) never match.
            "SELECT count(*) FROM pg_stat_activity \
             WHERE state = 'active' AND query LIKE 'INSERT INTO accounts%' \
             AND wait_event = 'PgSleep'",
        )
        .fetch_one(&schema.admin)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap();
        if inserting > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the account insert never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    proxy.set(Mode::Refuse);
    let response = signing_in.await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    // NextAuth's code for a user that could not be created.
    assert_eq!(
        response.headers()[header::LOCATION].to_str().unwrap(),
        error_url("OAuthCreateAccount")
    );
    // Let PostgreSQL finish the statement whose client is gone (it ends with the sleep).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        schema.rows().await,
        (0, 0, 0),
        "nothing of the failed sign-in is left"
    );

    // Back: the same provider account signs in as a new user.
    schema
        .run("DROP TRIGGER slow_accounts ON {s}.accounts")
        .await;
    proxy.set(Mode::Pass);
    let mut answer = oauth_sign_in(&mut client, op, "oidc", &login).await;
    for _ in 0..20 {
        if answer.location() == format!("{ORIGIN}/home") {
            break;
        }
        // The first request after the outage may still meet the pause after a failure.
        tokio::time::sleep(Duration::from_millis(200)).await;
        answer = oauth_sign_in(&mut client, op, "oidc", &login).await;
    }
    assert_signed_in(&mut client, &answer, &login).await;
    assert_eq!(schema.rows().await, (1, 1, 1));
    drop(proxy);
    schema.drop().await;
}

// ---------------------------------------------------------------------------------------------
// SMTP

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_smtp_server_gives_email_signin_and_its_return_mails_the_link() {
    let schema = Schema::create().await;
    let sink = smtp::SmtpSink::start();
    let port = sink.port;
    let mut client = db_client(&schema.url_via(schema.server().port()), &sink.url());
    drop(sink);

    let address = format!("{}@example.com", unique("mail"));
    let (answer, elapsed) = request_link(&mut client, BASE, &address).await;
    assert_eq!(answer.location(), error_url("EmailSignin"));
    assert!(elapsed < PROMPTLY, "{elapsed:?}");
    assert_still_serving(&client.app).await;

    // The sink is back on its port: the next request mails a link that signs in.
    let sink = smtp::SmtpSink::start_on(port);
    let (answer, _) = request_link(&mut client, BASE, &address).await;
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email")
    );
    let mail = sink.wait_for(1, Duration::from_secs(10)).remove(0);
    assert_eq!(mail.rcpt_tos, std::slice::from_ref(&address));
    let link = mail.sign_in_link().unwrap();
    let answer = client.get(link.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(answer.location(), format!("{ORIGIN}/welcome"));
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], address.as_str());
    schema.drop().await;
}

// `routes/email.rs` stores the token before it mails the link; when mailing fails it deletes
// the row again (next-auth v4 keeps it until it expires: harmless, as nobody has the token,
// but it is a half-written sign-in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_that_could_not_be_mailed_leaves_no_verification_token() {
    let schema = Schema::create().await;
    let mut client = db_client(&schema.url_via(schema.server().port()), &no_smtp());
    let address = format!("{}@example.com", unique("unsent"));
    let (answer, _) = request_link(&mut client, BASE, &address).await;
    assert_eq!(answer.location(), error_url("EmailSignin"));
    assert_eq!(
        schema.count("verification_token").await,
        0,
        "a token nobody was sent stays in the table"
    );
    schema.drop().await;
}
