//! Faults one level up from `tests/faults.rs`: a part fails while the server is busy, not
//! between two requests. For each: no 5xx at any time, the server serves again by itself once
//! the part is back, and the store holds nothing half-written afterwards.
//!
//! - PostgreSQL restarting under sustained load (16 tasks reading sessions, signing in and
//!   out for 7 s). A restart, as the app sees it, is a window of about 2 s in which every
//!   connection is cut and new ones are refused; the test makes that window with the TCP proxy
//!   (`auth_test_support::proxy`) in front of the real PostgreSQL, not with `pg_ctlcluster
//!   restart`, because the other test binaries share the cluster and run in parallel.
//! - The real SMTP sink answering slowly, through the proxy holding each chunk: the sign-in
//!   gives up at the mailer's timeout (`SmtpMailer::with_timeout`, set through the `mailer:`
//!   key) with `EmailSignin`, `/csrf` is answered meanwhile, and the link is mailed once the
//!   server is quick again.
//! - The database example (`examples/database.rs`, its debug binary) killed with SIGKILL in
//!   the middle of credentials sign-ins and sign-outs on SQLite: the file passes
//!   `PRAGMA integrity_check`, holds no orphan and no user without its account, every session
//!   handed out before the kill is served by the restarted example and every sign-out answered
//!   before it stays signed out. The example has one password account (`demo`), so the load
//!   writes sessions; the user and its account are written by the first sign-in.
//!
//! The tests named `proxy_…` use the proxy to stand in for the failure. Each prints its
//! figures (answers by status and outcome, timings); `--nocapture` shows them.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use auth_runtime::adapter::sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::auth;
use auth_runtime::email::SmtpMailer;
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::database::{HALF_WRITTEN, Schema, authorize, request_link};
use auth_test_support::proxy::{Mode, Proxy};
use auth_test_support::smtp;
use auth_test_support::{peer, unique, workspace_root};
use axum::http::StatusCode;

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
const SESSION_COOKIE: &str = "next-auth.session-token";

fn error_url(code: &str) -> String {
    format!("{ORIGIN}{BASE}/error?error={code}")
}

/// Answers counted by what was asked and what came back, printed as the test's figures.
#[derive(Default)]
struct Tally(Mutex<BTreeMap<(&'static str, String), u64>>);

impl Tally {
    fn add(&self, what: &'static str, outcome: impl Into<String>) {
        *self
            .0
            .lock()
            .unwrap()
            .entry((what, outcome.into()))
            .or_default() += 1;
    }

    fn get(&self, what: &'static str, outcome: &str) -> u64 {
        let counts = self.0.lock().unwrap();
        counts
            .get(&(what, outcome.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Every count whose outcome starts with `prefix` (a status, say).
    fn with_prefix(&self, prefix: &str) -> u64 {
        let counts = self.0.lock().unwrap();
        counts
            .iter()
            .filter(|((_, outcome), _)| outcome.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    fn print(&self, title: &str) {
        println!("{title}");
        for ((what, outcome), n) in self.0.lock().unwrap().iter() {
            println!("  {what:<24} {outcome:<40} {n:>6}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL restarting under load

auth! {
    module: db,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
}

/// Tasks driving the load, and for how long.
const TASKS: usize = 16;
const LOAD: Duration = Duration::from_secs(7);
/// When the restart window opens (after the load started), and how long it lasts.
const WINDOW_OPENS: Duration = Duration::from_secs(2);
const WINDOW: Duration = Duration::from_secs(2);
/// How soon after the window closes every held session must read as signed in again: the
/// runtime answers without the database for 1 s after a failure, then reconnects.
const RECOVERY: Duration = Duration::from_secs(3);
/// How long a visitor whose sign-in failed waits before trying again.
const RETRY_PAUSE: Duration = Duration::from_millis(50);
/// An answer this slow was held by the outage (they take milliseconds otherwise).
const DELAYED: Duration = Duration::from_secs(1);
/// The longest any one request may take, outage included (the pool's connect timeout is 5 s).
const SLOWEST: Duration = Duration::from_secs(10);

/// When the window opened and closed, as the tasks see it.
#[derive(Default)]
struct Window {
    opened: Option<Instant>,
    closed: Option<Instant>,
}

impl Window {
    /// Whether an answer that arrived at `at` may have met the outage (or its after-effect).
    fn may_fail(&self, at: Instant) -> bool {
        match (self.opened, self.closed) {
            (Some(opened), Some(closed)) => at >= opened && at < closed + RECOVERY,
            (Some(opened), None) => at >= opened,
            _ => false,
        }
    }
}

struct Load {
    app: axum::Router,
    tally: Tally,
    window: Mutex<Window>,
    slowest: Mutex<Duration>,
    /// Answers that took [`DELAYED`] or longer: held while the database was away.
    delayed: AtomicU64,
    /// When a held session last read as `{}`.
    last_empty: Mutex<Option<Instant>>,
    /// Answers that were wrong outside the window (described), which fail the test.
    wrong: Mutex<Vec<String>>,
}

impl Load {
    /// Sends `request` through `client`, counting its status; a 5xx is always wrong.
    async fn send(&self, client: &mut Client, what: &'static str, request: Req<'_>) -> Answer {
        let started = Instant::now();
        let answer = match request {
            Req::Get(uri) => client.get(uri).await,
            Req::Form(uri, form) => client.post_form(uri, form).await,
        };
        let took = started.elapsed();
        {
            let mut slowest = self.slowest.lock().unwrap();
            *slowest = (*slowest).max(took);
        }
        if took >= DELAYED {
            self.delayed.fetch_add(1, Ordering::Relaxed);
        }
        if answer.status.is_server_error() {
            self.wrong
                .lock()
                .unwrap()
                .push(format!("{what}: {} {}", answer.status, answer.body));
        }
        answer
    }

    /// `GET /csrf` (counted), then `POST <BASE>/<path>` of `form` with its token, in JSON
    /// mode; `None` when no token came back.
    async fn post_with_csrf(
        &self,
        client: &mut Client,
        what: &'static str,
        path: &str,
        form: &str,
    ) -> Option<Answer> {
        let csrf = self
            .send(client, "GET /csrf", Req::Get(&format!("{BASE}/csrf")))
            .await;
        self.tally.add("GET /csrf", csrf.status.as_str());
        let token = json_of(&csrf)["csrfToken"].as_str()?.to_owned();
        let form = format!("{form}&csrfToken={token}&json=true");
        let uri = format!("{BASE}/{path}");
        Some(self.send(client, what, Req::Form(&uri, &form)).await)
    }

    fn may_fail_now(&self) -> bool {
        self.window.lock().unwrap().may_fail(Instant::now())
    }

    fn wrong(&self, message: String) {
        self.wrong.lock().unwrap().push(message);
    }
}

enum Req<'a> {
    Get(&'a str),
    Form(&'a str, &'a str),
}

/// One visitor: signs in as one of its two names, reads its session a few times, signs out
/// every third round, until `until`.
/// Returns the client and whom its session cookie (if any) belongs to.
async fn visitor(load: Arc<Load>, task: usize, prefix: String, until: Instant) -> (Client, String) {
    let mut client = Client::new(load.app.clone());
    let mut round = 0usize;
    // Whom the session cookie the client holds belongs to.
    let mut signed_in_as = String::new();
    while Instant::now() < until {
        round += 1;
        let name = format!("{prefix}t{task}n{}", round % 2);
        if client.cookie(SESSION_COOKIE).is_none() {
            let form = format!("username={name}&password=pw");
            let Some(answer) = load
                .post_with_csrf(
                    &mut client,
                    "POST credentials",
                    "callback/credentials",
                    &form,
                )
                .await
            else {
                continue;
            };
            let url = json_of(&answer)["url"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let signed_in = url == ORIGIN && client.cookie(SESSION_COOKIE).is_some();
            let outcome = if signed_in {
                signed_in_as = name;
                "signed in".to_owned()
            } else {
                url.rsplit_once("error=")
                    .map_or(url.clone(), |(_, code)| code.to_owned())
            };
            load.tally.add(
                "POST credentials",
                format!("{} {outcome}", answer.status.as_str()),
            );
            if !signed_in {
                if !load.may_fail_now() {
                    load.wrong(format!("sign-in outside the window: {outcome}"));
                }
                // A person tries again after a moment, not in a tight loop.
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            continue;
        }
        for _ in 0..4 {
            let before = client.cookie(SESSION_COOKIE).map(str::to_owned);
            let answer = load
                .send(
                    &mut client,
                    "GET /session",
                    Req::Get(&format!("{BASE}/session")),
                )
                .await;
            let read = if answer.body == "{}" {
                "{}"
            } else if json_of(&answer)["user"]["name"] == signed_in_as.as_str() {
                "signed in"
            } else {
                "not the visitor's"
            };
            load.tally
                .add("GET /session", format!("{} {read}", answer.status.as_str()));
            if read == "not the visitor's" {
                load.wrong(format!("{signed_in_as}'s session read as {}", answer.body));
            }
            if read == "{}" {
                *load.last_empty.lock().unwrap() = Some(Instant::now());
                // The session still exists: the cookie is kept for when the database is back.
                if client.cookie(SESSION_COOKIE).is_none() {
                    load.wrong(format!("an outage cleared the session cookie {before:?}"));
                    client.set_cookie(SESSION_COOKIE, before.as_deref().unwrap_or_default());
                }
                if !load.may_fail_now() {
                    load.wrong("a held session read `{}` outside the window".to_owned());
                }
            }
        }
        if round.is_multiple_of(3)
            && let Some(answer) = load
                .post_with_csrf(&mut client, "POST /signout", "signout", "")
                .await
        {
            load.tally.add("POST /signout", answer.status.as_str());
        }
    }
    (client, signed_in_as)
}

/// The answer's JSON, or `null` (a 5xx is counted as wrong already).
fn json_of(answer: &Answer) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_cut_as_a_postgres_restart_under_load_never_answers_5xx_and_leaves_nothing_half_written()
 {
    let schema = Schema::create().await;
    let proxy = Proxy::start(schema.server());
    let auth = db::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "faults-load-secret-2b8e4d6f0a1c3e5b7d"),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", &schema.url_via(proxy.port())),
    ]))
    .unwrap();
    let app = db::router(auth.clone()).layer(auth.layer());
    let load = Arc::new(Load {
        app,
        tally: Tally::default(),
        window: Mutex::default(),
        slowest: Mutex::default(),
        delayed: AtomicU64::new(0),
        last_empty: Mutex::default(),
        wrong: Mutex::default(),
    });

    let prefix = unique("load");
    let started = Instant::now();
    let until = started + LOAD;
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(visitor(load.clone(), task, prefix.clone(), until)))
        .collect();

    // The restart: every connection cut and new ones refused for WINDOW, then back.
    tokio::time::sleep(WINDOW_OPENS).await;
    load.window.lock().unwrap().opened = Some(Instant::now());
    let proxy = tokio::task::spawn_blocking(move || {
        proxy.set(Mode::Refuse);
        proxy
    })
    .await
    .unwrap();
    tokio::time::sleep(WINDOW).await;
    proxy.set(Mode::Pass);
    let restored = Instant::now();
    load.window.lock().unwrap().closed = Some(restored);
    let before_restore = load.tally.get("GET /session", "200 signed in");

    let mut clients = Vec::new();
    for task in tasks {
        clients.push(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let delayed = load.delayed.load(Ordering::Relaxed);
    load.tally.print(&format!(
        "{TASKS} tasks for {elapsed:.1?}, PostgreSQL away from {WINDOW_OPENS:?} for {WINDOW:?}; \
         {delayed} answers took {DELAYED:?} or more, the slowest {:.1?}",
        *load.slowest.lock().unwrap()
    ));

    match *load.last_empty.lock().unwrap() {
        Some(at) if at >= restored => println!(
            "the last held session read as `{{}}` {:.2?} after the window closed",
            at - restored
        ),
        Some(_) => println!("the last held session read as `{{}}` inside the window"),
        None => println!("no held session read as `{{}}`"),
    }

    // The outage was met: answered without the database, or held until it was back (the
    // pool retries a refused connection for up to 5 s, so most requests wait the window out).
    let failed = load.tally.get("GET /session", "200 {}")
        + load.tally.with_prefix("200 Callback")
        + load.tally.with_prefix("200 OAuthCreateAccount");
    assert!(failed + delayed > 0, "no request met the outage");
    assert!(
        load.tally.get("GET /session", "200 signed in") > before_restore,
        "no session read as signed in after the window"
    );
    let wrong = load.wrong.lock().unwrap().clone();
    assert!(
        wrong.is_empty(),
        "{} wrong answers: {wrong:#?}",
        wrong.len()
    );
    assert_eq!(load.tally.with_prefix("5"), 0, "a 5xx");
    let slowest = *load.slowest.lock().unwrap();
    assert!(slowest < SLOWEST, "a request took {slowest:?}");

    // Every session a visitor holds reads as signed in (the load may have ended inside the
    // recovery, so this waits for it).
    let mut held = 0;
    for (client, signed_in_as) in &mut clients {
        if client.cookie(SESSION_COOKIE).is_none() {
            continue;
        }
        held += 1;
        let deadline = restored + RECOVERY;
        loop {
            let session = client.session(BASE).await;
            if session != serde_json::json!({}) {
                assert_eq!(session["user"]["name"], signed_in_as.as_str());
                break;
            }
            assert!(
                Instant::now() < deadline,
                "a held session is not served again"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Nothing half-written: every user has its account, no row points to a missing user.
    let half = schema.half_written().await;
    let rows = schema.rows().await;
    println!(
        "after: {held} sessions held by the visitors (the other session rows were left by \
         sign-outs and sign-ins that met the outage); (users, accounts, sessions) = {rows:?}; \
         half-written (users without account, orphan accounts, orphan sessions) = {half:?}"
    );
    assert_eq!(half, (0, 0, 0), "half-written rows");
    assert_eq!(rows.0, rows.1, "one credentials account per user");
    assert!(rows.0 > 0 && rows.0 <= 2 * TASKS as i64, "{rows:?}");
    drop(proxy);
    schema.drop().await;
}

// ---------------------------------------------------------------------------------------------
// A slow SMTP server

/// The mailer's timeout in this test: each SMTP step and the whole send.
const SMTP_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the slow proxy holds each chunk: each step (a round trip) stays under the timeout,
/// the whole exchange (greeting, EHLO, MAIL, RCPT, DATA…) does not.
const SMTP_CHUNK_DELAY: Duration = Duration::from_millis(600);
/// What the answer may take beyond the timeout.
const MARGIN: Duration = Duration::from_millis(1500);

/// The URL `slow_mailer` sends to: the proxy's, set by the test before the app is built.
static MAIL_VIA: OnceLock<String> = OnceLock::new();

/// The `mailer:` of the `mail` app: SMTP with [`SMTP_TIMEOUT`] instead of the default 10 s.
fn slow_mailer() -> SmtpMailer {
    SmtpMailer::with_timeout(MAIL_VIA.get().unwrap(), SMTP_TIMEOUT).unwrap()
}

auth! {
    module: mail,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        email: Email { mailer: crate::faults_under_load::slow_mailer, from: "NextAuth <no-reply@example.com>" },
    },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_slowing_the_smtp_server_gives_email_signin_at_the_timeout_then_mails_the_link() {
    let schema = Schema::create().await;
    let sink = smtp::SmtpSink::start();
    let proxy = Proxy::start(([127, 0, 0, 1], sink.port).into());
    MAIL_VIA
        .set(format!("smtp://127.0.0.1:{}", proxy.port()))
        .unwrap();
    let auth = mail::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "faults-mail-secret-6d0f2b4a8c1e3a5f7b"),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", &schema.url_via(schema.server().port())),
    ]))
    .unwrap();
    let mut client = Client::new(mail::router(auth.clone()).layer(auth.layer()));
    let address = format!("{}@example.com", unique("slow"));

    proxy.set(Mode::Slow(SMTP_CHUNK_DELAY));
    let mut asking = Client::new(client.app.clone());
    let asked = address.clone();
    let signing_in = tokio::spawn(async move { request_link(&mut asking, BASE, &asked).await });
    // Meanwhile the server answers others at once.
    let mut others = Client::new(client.app.clone());
    let mut csrf_slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        others.csrf(BASE).await;
        csrf_slowest = csrf_slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (answer, elapsed) = signing_in.await.unwrap();
    println!(
        "slow SMTP ({SMTP_CHUNK_DELAY:?} a chunk, timeout {SMTP_TIMEOUT:?}): sign-in answered \
         in {elapsed:.2?}, `/csrf` meanwhile in at most {csrf_slowest:.2?}"
    );
    assert_eq!(answer.location(), error_url("EmailSignin"));
    // It waited for the slow server (not a refused connection), and no longer than its
    // timeout.
    assert!(elapsed >= SMTP_TIMEOUT, "{elapsed:?}");
    assert!(elapsed < SMTP_TIMEOUT + MARGIN, "{elapsed:?}");
    assert!(
        csrf_slowest < Duration::from_millis(500),
        "{csrf_slowest:?}"
    );
    assert_eq!(schema.count("verification_token").await, 0);
    assert!(
        sink.messages().is_empty(),
        "the abandoned exchange delivered a message"
    );

    // Quick again: the next request mails a link that signs in.
    proxy.set(Mode::Pass);
    let (answer, _) = request_link(&mut client, BASE, &address).await;
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email")
    );
    let mails = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, std::slice::from_ref(&address));
    let link = mails[0].sign_in_link().unwrap();
    let answer = client.get(link.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(answer.location(), format!("{ORIGIN}/welcome"));
    assert_eq!(
        client.session(BASE).await["user"]["email"],
        address.as_str()
    );
    drop(proxy);
    schema.drop().await;
}

// ---------------------------------------------------------------------------------------------
// SIGKILL in the middle of sign-ins on SQLite

/// How many sign-ins the example answers before it is killed.
const SIGN_INS_BEFORE_THE_KILL: u64 = 100;

/// The database example's debug build (`cargo build --example database`, which `cargo xtask
/// test` runs before the tests; `cargo test` alone builds examples only as test harnesses).
fn database_example() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let binary = target.join("debug/examples/database");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --example database` first",
        binary.display()
    );
    binary
}

/// The database example running on `database_url`; killed (SIGKILL) when dropped.
struct Example {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

const EXAMPLE_SECRET: &str = "faults-sigkill-secret-9c3a5e7b1d0f2a4c6e";

impl Example {
    fn start(database_url: &str) -> Example {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut child = Command::new(database_example())
            .env("PORT", port.to_string())
            .env("NEXTAUTH_SECRET", EXAMPLE_SECRET)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .env_remove("NEXTAUTH_URL")
            .env_remove("EMAIL_SERVER")
            .env_remove("OIDC_ISSUER")
            .env_remove("GITHUB_ID")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        peer::collect_stderr(child.stderr.take().unwrap(), stderr.clone());
        let mut example = Example {
            child,
            port,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = example.child.try_wait() {
                panic!(
                    "the example exited ({status}): {}",
                    peer::tail(&example.stderr)
                );
            }
            assert!(Instant::now() < deadline, "the example does not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        example
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{BASE}{path}", self.port)
    }

    /// SIGKILL, and waits for the process to be gone.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of cookie `name` among an answer's `Set-Cookie` lines, unless it is cleared.
fn set_cookie(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(&format!("{name}=")) && !line.contains("Max-Age=0"))
        .and_then(|line| line.split(';').next())
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
}

/// What the sign-ins against the example achieved before it was killed.
#[derive(Default)]
struct Acknowledged {
    /// Session tokens handed out, whose sign-out was never started.
    sessions: Vec<String>,
    /// Session tokens whose sign-out was answered.
    signed_out: Vec<String>,
}

/// Signs `demo` in and (every other time) out against the example until a request fails
/// (the kill), counting answers in `tally`.
async fn demo_visitor(
    http: reqwest::Client,
    example_url: impl Fn(&str) -> String,
    tally: Arc<Tally>,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    for round in 0usize.. {
        let Ok(csrf) = http.get(example_url("/csrf")).send().await else {
            return;
        };
        let csrf_cookie = set_cookie(&csrf, "next-auth.csrf-token").unwrap_or_default();
        let Ok(body) = csrf.json::<serde_json::Value>().await else {
            return;
        };
        let token = body["csrfToken"].as_str().unwrap_or_default().to_owned();
        let signed_in = http
            .post(example_url("/callback/credentials"))
            .header("cookie", format!("next-auth.csrf-token={csrf_cookie}"))
            .form(&[
                ("username", "demo"),
                ("password", "demo"),
                ("csrfToken", &token),
                ("json", "true"),
            ])
            .send()
            .await;
        let Ok(signed_in) = signed_in else {
            tally.add("POST credentials", "cut by the kill");
            return;
        };
        let status = signed_in.status();
        let session = set_cookie(&signed_in, SESSION_COOKIE);
        let url = match signed_in.json::<serde_json::Value>().await {
            Ok(body) => body["url"].as_str().unwrap_or_default().to_owned(),
            Err(_) => "an unreadable body".to_owned(),
        };
        let outcome = match (&session, url.rsplit_once("error=")) {
            (Some(_), _) => "signed in",
            (None, Some((_, code))) => code,
            (None, None) => url.as_str(),
        };
        tally.add("POST credentials", format!("{} {outcome}", status.as_str()));
        let Some(session) = session else {
            continue;
        };
        if round.is_multiple_of(2) {
            acknowledged.lock().unwrap().sessions.push(session);
            continue;
        }
        let signed_out = http
            .post(example_url("/signout"))
            .header(
                "cookie",
                format!("next-auth.csrf-token={csrf_cookie}; {SESSION_COOKIE}={session}"),
            )
            .form(&[("csrfToken", token.as_str())])
            .send()
            .await;
        match signed_out {
            Ok(answer) => {
                tally.add("POST /signout", answer.status().as_str());
                if answer.status() == StatusCode::FOUND {
                    acknowledged.lock().unwrap().signed_out.push(session);
                }
            }
            Err(_) => {
                tally.add("POST /signout", "cut by the kill");
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_example_killed_mid_sign_ins_leaves_a_sound_sqlite_file_and_its_sessions() {
    let file = std::env::temp_dir().join(format!("{}.db", unique("faults-sigkill-")));
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    let mut example = Example::start(&database_url);
    let port = example.port;
    let example_url = move |path: &str| format!("http://127.0.0.1:{port}{BASE}{path}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // The first sign-in creates the user and its account; the load then writes sessions.
    let tally = Arc::new(Tally::default());
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            tokio::spawn(demo_visitor(
                http.clone(),
                example_url,
                tally.clone(),
                acknowledged.clone(),
            ))
        })
        .collect();
    // Killed once the load is well under way.
    let deadline = Instant::now() + Duration::from_secs(30);
    while tally.get("POST credentials", "200 signed in") < SIGN_INS_BEFORE_THE_KILL {
        assert!(
            Instant::now() < deadline,
            "too few sign-ins: {}",
            peer::tail(&example.stderr)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = tokio::task::spawn_blocking(move || {
        example.kill();
        example
    })
    .await
    .unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    tally.print(&format!(
        "the database example on SQLite, {TASKS} tasks signing demo in and out, SIGKILLed: \
         {} sessions and {} sign-outs acknowledged",
        acknowledged.sessions.len(),
        acknowledged.signed_out.len()
    ));
    assert_eq!(tally.with_prefix("5"), 0, "a 5xx");

    // The file as the next process finds it.
    let options: SqliteConnectOptions = database_url.parse().unwrap();
    let pool = SqlitePool::connect_with(options).await.unwrap();
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap();
    let foreign_key_faults = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap()
        .len();
    let mut half = Vec::new();
    for sql in HALF_WRITTEN {
        let sql = sql.replace("{s}.", "");
        let count: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&pool)
            .await
            .and_then(|row| row.try_get(0))
            .unwrap();
        half.push(count);
    }
    let mut rows = Vec::new();
    for table in ["users", "accounts", "sessions"] {
        let count: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&pool)
            .await
            .and_then(|row| row.try_get(0))
            .unwrap();
        rows.push(count);
    }
    let mut missing = 0;
    for token in &acknowledged.sessions {
        let found: i64 = sqlx::query(r#"SELECT count(*) FROM sessions WHERE "sessionToken" = ?"#)
            .bind(token)
            .fetch_one(&pool)
            .await
            .and_then(|row| row.try_get(0))
            .unwrap();
        missing += usize::from(found == 0);
    }
    pool.close().await;
    println!(
        "after the kill: integrity_check {integrity}, {foreign_key_faults} foreign key faults, \
         (users, accounts, sessions) = {rows:?}, half-written (users without account, orphan \
         accounts, orphan sessions) = {half:?}, {missing} acknowledged sessions missing"
    );
    assert_eq!(integrity, "ok");
    assert_eq!(foreign_key_faults, 0);
    assert_eq!(half, [0, 0, 0], "half-written rows");
    assert_eq!(&rows[..2], [1, 1], "demo and its credentials account, once");
    assert_eq!(missing, 0, "sessions handed out before the kill are lost");

    // The example starts again on the file and serves the sessions, and not the ended ones.
    drop(killed);
    let restarted = Example::start(&database_url);
    let session = |token: String| {
        let http = http.clone();
        let url = restarted.url("/session");
        async move {
            http.get(url)
                .header("cookie", format!("{SESSION_COOKIE}={token}"))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    for token in &acknowledged.sessions {
        let session = session(token.clone()).await;
        assert_eq!(session["user"]["name"], "Demo User", "{session}");
    }
    for token in &acknowledged.signed_out {
        assert_eq!(session(token.clone()).await, serde_json::json!({}));
    }
    drop(restarted);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
