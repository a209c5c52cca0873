//! Sign-in throttling (`throttle:`) through the routes: per account identifier and per client
//! address, the 429 answers in JSON and HTML mode, credentials and email sign-in (a real SMTP
//! sink), `ConnectInfo` and `X-Forwarded-For` addresses, window expiry, and the PostgreSQL
//! store shared by two instances, counting in each process when it cannot be reached or
//! does not answer in time.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::schema::TestSchema;
use auth_test_support::smtp;
use auth_test_support::{require_postgres, unique};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use sha2::{Digest as _, Sha256};

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
const THROTTLED_URL: &str = "http://127.0.0.1:3000/api/auth/error?error=TooManyRequests";

// The password field comes first: the identifier is the first field that is not a password.
auth! {
    module: by_identifier,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { password: password("Password"), username: text("Username") },
            authorize: authorize,
        },
    },
    throttle: { per_identifier: limit(3, minutes(15)) },
}

auth! {
    module: by_address,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: { per_address: limit(2, minutes(15)), store: memory, client_address: peer },
}

auth! {
    module: forwarded,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: { per_address: limit(1, minutes(15)), client_address: x_forwarded_for },
}

auth! {
    module: short_window,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: { per_identifier: limit(2, seconds(2)) },
}

auth! {
    module: by_email,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
    },
    throttle: { per_identifier: limit(2, minutes(15)) },
}

auth! {
    module: shared,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: { per_identifier: limit(3, minutes(15)), store: env("THROTTLE_DATABASE_URL") },
}

auth! {
    module: shared_one,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: { per_identifier: limit(1, minutes(15)), store: env("THROTTLE_DATABASE_URL") },
}

/// How often `authorize` ran, per user name (tests use names of their own).
fn authorize_calls() -> &'static Mutex<HashMap<String, usize>> {
    static CALLS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    CALLS.get_or_init(Mutex::default)
}

fn calls_for(name: &str) -> usize {
    authorize_calls()
        .lock()
        .unwrap()
        .get(name)
        .copied()
        .unwrap_or_default()
}

/// Users whose name starts with `user` exist, with password `pw`; nobody else does.
async fn authorize(credentials: Credentials) -> Option<User> {
    let name = credentials.get("username").unwrap_or_default().to_owned();
    *authorize_calls()
        .lock()
        .unwrap()
        .entry(name.clone())
        .or_default() += 1;
    (name.starts_with("user") && credentials.get("password") == Some("pw"))
        .then(|| User::new(&name).name(&name))
}

fn settings() -> Vec<(&'static str, String)> {
    vec![
        (
            "NEXTAUTH_SECRET",
            "throttle-secret-3c8e1a7f5d2b9e4a6c".to_owned(),
        ),
        ("NEXTAUTH_URL", ORIGIN.to_owned()),
    ]
}

fn lookup(pairs: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars(&pairs)
}

fn sink() -> &'static smtp::SmtpSink {
    static SINK: OnceLock<smtp::SmtpSink> = OnceLock::new();
    SINK.get_or_init(smtp::SmtpSink::start)
}

/// A credentials sign-in from `peer` (no `ConnectInfo` when `None`, as `oneshot` sends it),
/// with a fresh CSRF token, extra headers and JSON mode as given.
async fn sign_in_from(
    client: &mut Client,
    peer: Option<&str>,
    headers: &[(&str, &str)],
    form: &str,
) -> Answer {
    let token = client.csrf(BASE).await;
    let mut request = Request::post(format!("{BASE}/callback/credentials"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(peer) = peer {
        request = request.extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    }
    client
        .send(
            request
                .body(Body::from(format!("{form}&csrfToken={token}")))
                .unwrap(),
        )
        .await
}

async fn sign_in(client: &mut Client, username: &str, password: &str, json: bool) -> Answer {
    let username = auth_runtime::__private::cookies::encode_uri_component(username);
    let mut form = format!("username={username}&password={password}");
    if json {
        form.push_str("&json=true");
    }
    sign_in_from(client, None, &[], &form).await
}

fn retry_after(answer: &Answer) -> u64 {
    answer.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The answer is the throttled one: 429, `Retry-After` within the window, and the JSON body
/// or the built-in error page.
fn assert_throttled(answer: &Answer, json: bool, window_secs: u64) {
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    let wait = retry_after(answer);
    assert!((1..=window_secs).contains(&wait), "Retry-After: {wait}");
    if json {
        assert_eq!(answer.content_type(), "application/json; charset=utf-8");
        assert_eq!(answer.body, format!(r#"{{"url":"{THROTTLED_URL}"}}"#));
    } else {
        assert_eq!(answer.content_type(), "text/html");
        let (status, page) = auth_runtime::__private::html::error(
            "TooManyRequests",
            ORIGIN,
            &format!("{ORIGIN}{BASE}/signin"),
        );
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.body, page);
        assert!(
            answer
                .body
                .contains("Too many sign-in attempts. Try again later.")
        );
    }
}

fn identifier_client() -> Client {
    let auth = by_identifier::config_from(&lookup(&settings())).unwrap();
    Client::new(by_identifier::router(auth.clone()).layer(auth.layer()))
}

#[tokio::test]
async fn the_identifier_limit_answers_429_before_authorize_runs() {
    let name = unique("user");
    let mut client = identifier_client();
    // Case and surrounding spaces do not make another identifier.
    for (given, json) in [
        (name.clone(), true),
        (name.to_uppercase(), false),
        (format!(" {name} "), true),
    ] {
        let answer = sign_in(&mut client, &given, "wrong", json).await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{given}");
    }
    let asked =
        calls_for(&name) + calls_for(&name.to_uppercase()) + calls_for(&format!(" {name} "));
    assert_eq!(asked, 3);
    // Over the limit the right password does not help, and `authorize` is not asked.
    let before = calls_for(&name);
    let json = sign_in(&mut client, &name, "pw", true).await;
    assert_throttled(&json, true, 15 * 60);
    let html = sign_in(&mut client, &name, "pw", false).await;
    assert_throttled(&html, false, 15 * 60);
    assert_eq!(
        calls_for(&name),
        before,
        "authorize ran for a throttled attempt"
    );
    assert!(client.cookie("next-auth.session-token").is_none());
    // Another identifier from the same client is not affected.
    let other = unique("user");
    let answer = sign_in(&mut client, &other, "pw", true).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test]
async fn an_existing_and_an_unknown_account_get_identical_throttled_answers() {
    let existing = unique("user");
    let unknown = unique("nobody");
    let mut answers = Vec::new();
    for json in [true, false] {
        let mut pair = Vec::new();
        for name in [&existing, &unknown] {
            let mut client = identifier_client();
            for _ in 0..3 {
                sign_in(&mut client, name, "wrong", json).await;
            }
            let password = if name == &existing { "pw" } else { "wrong" };
            pair.push(sign_in(&mut client, name, password, json).await);
        }
        answers.push(pair);
    }
    for pair in &answers {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!((a.status, &a.body), (b.status, &b.body));
        assert_eq!(a.body.as_bytes(), b.body.as_bytes());
        // Every header is the same (Retry-After up to the second the attempt fell in).
        let names = |x: &Answer| {
            let mut names: Vec<String> = x.headers.keys().map(|k| k.to_string()).collect();
            names.sort();
            names
        };
        assert_eq!(names(a), names(b));
        for (name, value) in &a.headers {
            if name != header::RETRY_AFTER {
                assert_eq!(Some(value), b.headers.get(name), "{name}");
            }
        }
        assert!(retry_after(a).abs_diff(retry_after(b)) <= 1);
    }
    // Three attempts each reached `authorize`, the throttled ones did not.
    assert_eq!(calls_for(&existing), 6);
    assert_eq!(calls_for(&unknown), 6);
}

#[tokio::test]
async fn attempts_without_a_valid_csrf_token_are_not_counted() {
    let name = unique("user");
    let mut client = identifier_client();
    client.csrf(BASE).await;
    for _ in 0..5 {
        let answer = client
            .post_form(
                &format!("{BASE}/callback/credentials"),
                &format!("username={name}&password=pw&csrfToken={}", "a".repeat(64)),
            )
            .await;
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/signin?csrf=true")
        );
    }
    for _ in 0..3 {
        let answer = sign_in(&mut client, &name, "wrong", true).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    assert_throttled(
        &sign_in(&mut client, &name, "wrong", true).await,
        true,
        15 * 60,
    );
}

#[tokio::test]
async fn the_address_limit_counts_each_connect_info_peer_on_its_own() {
    let auth = by_address::config_from(&lookup(&settings())).unwrap();
    let mut client = Client::new(by_address::router(auth.clone()).layer(auth.layer()));
    let form = |name: &str| format!("username={name}&password=wrong&json=true");
    let a = "198.51.100.7:40000";
    for port in ["40000", "40001"] {
        // Another source port is the same address.
        let peer = format!("198.51.100.7:{port}");
        let answer = sign_in_from(&mut client, Some(&peer), &[], &form(&unique("n"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    let throttled = sign_in_from(&mut client, Some(a), &[], &form(&unique("n"))).await;
    assert_throttled(&throttled, true, 15 * 60);
    // Another address, and requests without ConnectInfo (one shared bucket), still get in.
    let b = sign_in_from(
        &mut client,
        Some("203.0.113.20:5000"),
        &[],
        &form(&unique("n")),
    )
    .await;
    assert_eq!(b.status, StatusCode::UNAUTHORIZED, "{}", b.body);
    let unknown = sign_in_from(&mut client, None, &[], &form(&unique("n"))).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{}", unknown.body);
    // The peer mode ignores X-Forwarded-For, which any client can write.
    let spoofed = sign_in_from(
        &mut client,
        Some(a),
        &[("x-forwarded-for", "192.0.2.99")],
        &form(&unique("n")),
    )
    .await;
    assert_throttled(&spoofed, true, 15 * 60);
}

#[tokio::test]
async fn x_forwarded_for_mode_counts_the_rightmost_entry() {
    let auth = forwarded::config_from(&lookup(&settings())).unwrap();
    let mut client = Client::new(forwarded::router(auth.clone()).layer(auth.layer()));
    let proxy = Some("10.0.0.1:443");
    let form = || format!("username={}&password=wrong&json=true", unique("n"));
    let xff = |value: &'static str| [("x-forwarded-for", value)];
    let first = sign_in_from(&mut client, proxy, &xff("192.0.2.1, 198.51.100.1"), &form()).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED, "{}", first.body);
    // The same right-most entry behind another left one: the same client.
    let again = sign_in_from(&mut client, proxy, &xff("192.0.2.2, 198.51.100.1"), &form()).await;
    assert_throttled(&again, true, 15 * 60);
    // The same left-most entry (what a client can forge) with another right-most: another.
    let other = sign_in_from(&mut client, proxy, &xff("192.0.2.1, 198.51.100.2"), &form()).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED, "{}", other.body);
    // Without the header, the proxy's own address is the key.
    let direct = sign_in_from(&mut client, proxy, &[], &form()).await;
    assert_eq!(direct.status, StatusCode::UNAUTHORIZED, "{}", direct.body);
    let direct_again = sign_in_from(&mut client, proxy, &[], &form()).await;
    assert_throttled(&direct_again, true, 15 * 60);
}

#[tokio::test]
async fn attempts_get_through_again_once_the_window_has_passed() {
    let auth = short_window::config_from(&lookup(&settings())).unwrap();
    let mut client = Client::new(short_window::router(auth.clone()).layer(auth.layer()));
    let name = unique("user");
    for _ in 0..2 {
        let answer = sign_in(&mut client, &name, "wrong", true).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    let throttled = sign_in(&mut client, &name, "pw", true).await;
    assert_throttled(&throttled, true, 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let answer = sign_in(&mut client, &name, "pw", true).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(client.cookie("next-auth.session-token").is_some());
}

async fn request_link(client: &mut Client, email: &str, json: bool) -> Answer {
    let token = client.csrf(BASE).await;
    let email = auth_runtime::__private::cookies::encode_uri_component(email);
    let json = if json { "&json=true" } else { "" };
    client
        .post_form(
            &format!("{BASE}/signin/email"),
            &format!("csrfToken={token}&email={email}{json}"),
        )
        .await
}

fn mails_to(address: &str) -> usize {
    sink()
        .messages()
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == address))
        .count()
}

#[tokio::test]
async fn email_sign_in_is_throttled_before_any_mail_is_sent() {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{}.db", unique("throttle"))).display()
    );
    let mut pairs = settings();
    pairs.push(("TEST_DATABASE_URL", database));
    pairs.push(("EMAIL_SERVER", sink().url()));
    let auth = by_email::config_from(&lookup(&pairs)).unwrap();
    let mut client = Client::new(by_email::router(auth.clone()).layer(auth.layer()));

    let address = format!("{}@example.com", unique("mail"));
    for given in [address.clone(), format!(" {} ", address.to_uppercase())] {
        let answer = request_link(&mut client, &given, false).await;
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email"),
            "{given}"
        );
    }
    let html = request_link(&mut client, &address, false).await;
    assert_throttled(&html, false, 15 * 60);
    let json = request_link(&mut client, &address, true).await;
    assert_throttled(&json, true, 15 * 60);
    // The mails of the two allowed attempts have arrived; the throttled ones sent none.
    let deadline = Instant::now() + Duration::from_secs(10);
    while mails_to(&address) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(mails_to(&address), 2, "{}", sink().stderr_tail());
}

/// The PostgreSQL store's key for a user name: the SHA-256 hex of `identifier:<name>`.
fn identifier_key(name: &str) -> String {
    Sha256::digest(format!("identifier:{name}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Two app instances on one PostgreSQL store, for the same database URL.
fn shared_clients(store: &str) -> (Client, Client) {
    let mut pairs = settings();
    pairs.push(("THROTTLE_DATABASE_URL", store.to_owned()));
    let make = || {
        let auth = shared::config_from(&lookup(&pairs)).unwrap();
        Client::new(shared::router(auth.clone()).layer(auth.layer()))
    };
    (make(), make())
}

#[tokio::test]
async fn two_instances_share_one_limit_in_postgres_under_hashed_keys() {
    let (one, two) = shared_clients(&require_postgres());
    let mut instances = [one, two];
    let name = unique("user");
    for i in [0, 1, 0] {
        let answer = sign_in(&mut instances[i], &name, "wrong", true).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    let [one, two] = &mut instances;
    assert_throttled(&sign_in(two, &name, "pw", true).await, true, 15 * 60);
    assert_throttled(&sign_in(one, &name, "pw", true).await, true, 15 * 60);
    assert_eq!(calls_for(&name), 3);

    let pool = sqlx::PgPool::connect(&require_postgres()).await.unwrap();
    let row = sqlx::query("SELECT hits FROM auth_throttle WHERE key = $1")
        .bind(identifier_key(&name))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        row.get::<i64, _>(0),
        5,
        "every attempt of both instances counted"
    );
    let raw: i64 = sqlx::query("SELECT count(*) FROM auth_throttle WHERE key LIKE $1")
        .bind(format!("%{name}%"))
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(raw, 0, "a raw identifier is stored");
    let not_hex: i64 =
        sqlx::query("SELECT count(*) FROM auth_throttle WHERE key !~ '^[0-9a-f]{64}$'")
            .fetch_one(&pool)
            .await
            .unwrap()
            .get(0);
    assert_eq!(not_hex, 0);
}

/// Collects what `tracing` writes on this thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Collects this thread's log lines until the guard is dropped.
    fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn an_unreachable_postgres_store_counts_in_each_process_promptly_and_logs_no_identifier() {
    let (logs, _guard) = Logs::capture();
    let (one, two) = shared_clients("postgres://127.0.0.1:1/x");
    let mut instances = [one, two];
    let name = unique("user");
    let started = Instant::now();
    // Each instance counts on its own up to the limit of 3, and no answer is a 5xx.
    for i in [0, 1, 0, 1, 0] {
        let answer = sign_in(&mut instances[i], &name, "wrong", true).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    }
    assert_throttled(
        &sign_in(&mut instances[0], &name, "pw", true).await,
        true,
        15 * 60,
    );
    let answer = sign_in(&mut instances[1], &name, "pw", true).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_throttled(
        &sign_in(&mut instances[1], &name, "pw", true).await,
        true,
        15 * 60,
    );
    assert_eq!(calls_for(&name), 6);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let logs = logs.text();
    assert!(logs.contains("THROTTLE_STORE_ERROR"), "{logs}");
    assert!(!logs.contains(&name), "{logs}");
}

#[tokio::test]
async fn a_postgres_store_that_does_not_answer_in_time_counts_in_the_process_instead() {
    let (logs, _guard) = Logs::capture();
    // A schema of its own: the lock below must not hold up the other tests' stores.
    let schema = TestSchema::create("throttle_timeout").await;
    let mut pairs = settings();
    pairs.push(("THROTTLE_DATABASE_URL", schema.url()));
    let auth = shared_one::config_from(&lookup(&pairs)).unwrap();
    let mut client = Client::new(shared_one::router(auth.clone()).layer(auth.layer()));
    // The store connects and creates its table at its first attempt.
    let first = sign_in(&mut client, &unique("user"), "wrong", true).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED, "{}", first.body);

    // A row for the name inserted in a transaction left open: the store's upsert of the same
    // key waits for that transaction, past the store's time limit, as under a lock or a
    // pool whose connections are all busy.
    let name = unique("user");
    let pool = sqlx::PgPool::connect_with(schema.options.clone())
        .await
        .unwrap();
    let mut holder = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO auth_throttle (key, hits, expires_at) VALUES ($1, 0, now() + interval '1 hour')",
    )
    .bind(identifier_key(&name))
    .execute(&mut *holder)
    .await
    .unwrap();

    let allowed = sign_in(&mut client, &name, "wrong", true).await;
    let over = sign_in(&mut client, &name, "pw", true).await;
    holder.rollback().await.unwrap();
    pool.close().await;
    schema.drop().await;
    assert_eq!(allowed.status, StatusCode::UNAUTHORIZED, "{}", allowed.body);
    assert_throttled(&over, true, 15 * 60);
    assert_eq!(calls_for(&name), 1, "authorize ran past the limit");
    let logs = logs.text();
    assert!(logs.contains("THROTTLE_STORE_ERROR"), "{logs}");
    assert!(logs.contains("timed out"), "{logs}");
    assert!(!logs.contains(&name), "{logs}");
}
