//! A block writing Auth.js v5's cookies (`cookies: { write: authjs_v5, read: [authjs_v5,
//! next_auth_v4] }`, no `secret:`: `AUTH_SECRET` and `AUTH_URL` are read the v5 way) against
//! the real Auth.js v5 client, next-auth@5.0.0-beta.32's `next-auth/react`
//! (`tests/interop/clients/v5/client.test.mjs`, run by Node against this binary's server on
//! a free port), and by plain HTTP: the cookie names, the session token `@auth/core` seals,
//! secret rotation with `AUTH_SECRET_1`, a next-auth v4 cookie moved over to a v5 one, and
//! v5's chunking of a long token (docs/REST.md §5.6).

#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use auth_runtime::jwt::authjs::{self, AuthJsKeys};
use auth_runtime::jwt::{self, TokenError, TokenKeys};
use auth_runtime::{User, auth};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::{now, require_node, workspace_root};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

auth! {
    session: jwt { max_age: days(30) },
    providers: {
        credentials: Credentials {
            name: "Credentials",
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] },
}

/// `demo` / `demo` is user "1"; `long` / `long` a user whose name makes the token longer than
/// one cookie holds (only the Rust-side chunking test signs it in); anyone else is refused.
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    match (form.username.as_str(), form.password.as_str()) {
        ("demo", "demo") => Some(User::new("1").name("Demo User").email("demo@example.com")),
        ("long", "long") => Some(
            User::new("2")
                .name(LONG_NAME.as_str())
                .email("long@example.com"),
        ),
        _ => None,
    }
}

/// A name of 4,000 characters: the token is over 3,936 characters, under 7,872 (two chunks).
static LONG_NAME: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| "Long Name ".repeat(400));

const SECRET: &str = "authjs-client-secret-7c2e9a4f1b8d3e6a0c5f";
const NEW_SECRET: &str = "authjs-client-new-secret-2b9f6d1e8a4c7e3f";
const AUTH_URL: &str = "http://127.0.0.1:3000/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
const BASE: &str = "/api/auth";
const SESSION: &str = "authjs.session-token";
const CSRF: &str = "authjs.csrf-token";
const V4_SESSION: &str = "next-auth.session-token";
/// Auth.js v5's chunk size: 4096 bytes less 160 for the cookie's name and attributes.
const CHUNK_SIZE: usize = 3936;

/// The app with `AUTH_URL` and the given secret variables, driven in process.
fn client(secrets: &[(&str, &str)]) -> Client {
    let mut pairs = vec![("AUTH_URL", AUTH_URL)];
    pairs.extend_from_slice(secrets);
    let auth = auth::config_from(&vars(&pairs)).expect("config");
    Client::new(auth::router(auth.clone()).layer(auth.layer()))
}

/// The keys of v5 session tokens for `secrets` (newest first) on http.
fn keys(secrets: &[&str]) -> AuthJsKeys {
    let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    AuthJsKeys::derive(&secrets, SESSION).unwrap()
}

/// The `kid` of a token's protected header.
fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "dir", "{header}");
    assert_eq!(header["enc"], "A256CBC-HS512", "{header}");
    header["kid"].as_str().unwrap().to_owned()
}

/// The value a `Set-Cookie` line sets.
fn value_of(line: &str) -> &str {
    let pair = line.split(';').next().unwrap();
    pair.split_once('=').unwrap().1
}

/// Whether a `Set-Cookie` line clears its cookie.
fn clears(line: &str) -> bool {
    value_of(line).is_empty() && line.contains("Max-Age=0")
}

/// Signs `username` in the way the v5 client does: `X-Auth-Return-Redirect: 1`, no
/// `json=true`, an empty query.
async fn sign_in(client: &mut Client, username: &str, password: &str) -> Answer {
    let csrf = client.csrf(BASE).await;
    let request = Request::post(format!("{BASE}/callback/credentials?"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-auth-return-redirect", "1")
        .body(Body::from(format!(
            "username={username}&password={password}&csrfToken={csrf}&callbackUrl=%2Fdashboard"
        )))
        .unwrap();
    let answer = client.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json(), json!({"url": format!("{ORIGIN}/dashboard")}));
    answer
}

#[tokio::test(flavor = "multi_thread")]
async fn the_auth_js_v5_client_signs_in_reads_updates_and_signs_out() {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let dir = workspace_root().join("tests/interop/clients/v5");
    require_node(&INSTALLED, &dir, "the Auth.js v5 client tests");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let auth_url = format!("{origin}/api/auth");
    let auth = auth::config_from(&vars(&[("AUTH_SECRET", SECRET), ("AUTH_URL", &auth_url)]))
        .expect("config");
    let router = auth::router(auth.clone()).layer(auth.layer());
    tokio::spawn(async move { auth_runtime::serve(listener, router).await });

    let mut node = Command::new("node");
    node.arg("--test")
        .current_dir(&dir)
        .env("DEMO_URL", &origin)
        .env("AUTH_URL", &auth_url)
        .env("AUTH_SECRET", SECRET)
        // The suite sets the one the client reads itself; none may leak in from outside.
        .env_remove("NEXTAUTH_URL")
        .env_remove("NEXTAUTH_URL_INTERNAL")
        .env_remove("VERCEL_URL");
    let (status, stdout, stderr) =
        tokio::task::spawn_blocking(move || run_with_deadline(node, NODE_DEADLINE))
            .await
            .unwrap();
    assert!(
        status.is_some_and(|s| s.success()),
        "the Auth.js v5 client suite failed ({}):\n{stdout}\n{stderr}",
        status.map_or_else(
            || format!("killed after {NODE_DEADLINE:?}"),
            |s| s.to_string()
        ),
    );
}

/// How long the Node suite may take (it needs a few seconds): a hang fails the test instead
/// of holding up the run.
const NODE_DEADLINE: Duration = Duration::from_secs(180);

/// Runs `command` in a process group of its own and returns its status (`None` when it was
/// killed at the deadline, with the whole group: `node --test` runs each file in a child) and
/// what it printed.
fn run_with_deadline(
    mut command: Command,
    deadline: Duration,
) -> (Option<ExitStatus>, String, String) {
    let mut child = command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > deadline {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}

#[tokio::test]
async fn the_cookies_are_auth_js_v5_ones_and_the_token_opens_with_the_auth_secret() {
    let mut client = client(&[("AUTH_SECRET", SECRET)]);
    // Auth.js v5's answer without a session: its client takes next-auth's `{}` for one.
    let none = self::client(&[("AUTH_SECRET", SECRET)])
        .get(&format!("{BASE}/session"))
        .await;
    assert_eq!((none.status, none.body.as_str()), (StatusCode::OK, "null"));
    let csrf = client.get(&format!("{BASE}/csrf")).await;
    assert_eq!(csrf.status, StatusCode::OK);
    let line = csrf.set_cookie(CSRF).expect("an authjs.csrf-token cookie");
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(!line.contains("Secure"), "no Secure on http: {line}");
    assert!(csrf.set_cookie("authjs.callback-url").is_some());
    for line in csrf.set_cookies() {
        assert!(line.starts_with("authjs."), "only Auth.js v5 names: {line}");
    }

    let answer = sign_in(&mut client, "demo", "demo").await;
    let line = answer.set_cookie(SESSION).expect("an authjs.session-token");
    assert!(line.contains("Path=/"), "{line}");
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Lax"), "{line}");
    assert!(!line.contains("Secure"), "{line}");
    assert!(answer.set_cookie(V4_SESSION).is_none(), "no v4 cookie");
    let token = value_of(&line);
    kid(token);
    let claims = authjs::decode(&keys(&[SECRET]), token, now()).unwrap();
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["name"], "Demo User");
    assert_eq!(claims["email"], "demo@example.com");
    // The salt is the cookie's name: the https name is another key, and it is no v4 token.
    let secure = AuthJsKeys::derive(&[SECRET.to_owned()], "__Secure-authjs.session-token");
    assert_eq!(
        authjs::decode(&secure.unwrap(), token, now()),
        Err(TokenError::Undecryptable)
    );
    let v4 = TokenKeys::derive(&[SECRET.to_owned()], "").unwrap();
    assert!(jwt::decode(&v4, token, now()).is_err());

    let session = client.session(BASE).await;
    assert_eq!(session["user"]["name"], "Demo User", "{session}");
    assert_eq!(session["user"]["email"], "demo@example.com");
}

#[tokio::test]
async fn a_token_of_the_old_secret_signs_in_and_is_resealed_with_auth_secret_1() {
    // Before the rotation: AUTH_SECRET alone.
    let mut before = client(&[("AUTH_SECRET", SECRET)]);
    let answer = sign_in(&mut before, "demo", "demo").await;
    let old = value_of(&answer.set_cookie(SESSION).unwrap()).to_owned();
    let old_kid = kid(&old);

    // After: AUTH_SECRET_1 is the new secret and seals; AUTH_SECRET, the old one, still opens.
    let rotated = [("AUTH_SECRET", SECRET), ("AUTH_SECRET_1", NEW_SECRET)];
    let mut after = client(&rotated);
    after.set_cookie(SESSION, &old);
    let answer = after.get(&format!("{BASE}/session")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.json()["user"]["name"],
        "Demo User",
        "{}",
        answer.body
    );
    let line = answer.set_cookie(SESSION).expect("the token is re-issued");
    let fresh = value_of(&line);
    let new_kid = kid(&authjs::encode(
        &keys(&[NEW_SECRET]),
        &Map::new(),
        60,
        now(),
    ));
    assert_eq!(kid(fresh), new_kid, "sealed with AUTH_SECRET_1");
    assert_ne!(new_kid, old_kid);
    assert_eq!(
        authjs::decode(&keys(&[NEW_SECRET]), fresh, now()).unwrap()["sub"],
        "1"
    );
    assert!(authjs::decode(&keys(&[SECRET]), fresh, now()).is_err());

    // A sign-in after the rotation seals with the new secret too.
    let mut signing_in = client(&rotated);
    let answer = sign_in(&mut signing_in, "demo", "demo").await;
    assert_eq!(kid(value_of(&answer.set_cookie(SESSION).unwrap())), new_kid);
    // Without AUTH_SECRET the old token is no session.
    let mut forgotten = client(&[("AUTH_SECRET", NEW_SECRET)]);
    forgotten.set_cookie(SESSION, &old);
    let answer = forgotten.get(&format!("{BASE}/session")).await;
    assert!(
        answer.json().get("user").is_none(),
        "no session: {}",
        answer.body
    );
}

#[tokio::test]
async fn a_next_auth_v4_cookie_gets_an_authjs_cookie_back_and_sign_out_clears_both() {
    let mut client = client(&[("AUTH_SECRET", SECRET)]);
    let v4_keys = TokenKeys::derive(&[SECRET.to_owned()], "").unwrap();
    let Value::Object(claims) = json!({"sub": "9", "name": "Vee Four", "email": "v4@example.com"})
    else {
        unreachable!()
    };
    let v4 = jwt::encode(&v4_keys, &claims, 3600, now());
    client.set_cookie(V4_SESSION, &v4);

    let answer = client.get(&format!("{BASE}/session")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let session = answer.json();
    assert_eq!(session["user"]["name"], "Vee Four", "{session}");
    assert_eq!(session["user"]["email"], "v4@example.com");
    let line = answer.set_cookie(SESSION).expect("an authjs.session-token");
    let moved = authjs::decode(&keys(&[SECRET]), value_of(&line), now()).unwrap();
    assert_eq!(moved["sub"], "9");
    assert_eq!(moved["name"], "Vee Four");
    assert!(
        answer.set_cookie(V4_SESSION).is_none_or(|l| clears(&l)),
        "the v4 cookie is never written: {:?}",
        answer.set_cookies()
    );
    // Both cookies are sent from now on, as a browser that had the v4 one would.
    client.set_cookie(V4_SESSION, &v4);

    let csrf = client.csrf(BASE).await;
    let request = Request::post(format!("{BASE}/signout"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-auth-return-redirect", "1")
        .body(Body::from(format!("csrfToken={csrf}&callbackUrl=%2F")))
        .unwrap();
    let answer = client.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json(), json!({"url": format!("{ORIGIN}/")}));
    for name in [SESSION, V4_SESSION] {
        let line = answer
            .set_cookie(name)
            .unwrap_or_else(|| panic!("{name} is cleared: {:?}", answer.set_cookies()));
        assert!(clears(&line), "{line}");
        assert!(line.contains("Path=/"), "{line}");
    }
    assert!(client.cookie(SESSION).is_none() && client.cookie(V4_SESSION).is_none());
    let after = client.session(BASE).await;
    assert!(after.get("user").is_none(), "signed out: {after}");
}

#[tokio::test]
async fn a_long_token_is_chunked_at_3936_characters_as_auth_js_does() {
    let mut client = client(&[("AUTH_SECRET", SECRET)]);
    let answer = sign_in(&mut client, "long", "long").await;
    let lines = answer.set_cookies();
    let chunk = |i: usize| {
        answer
            .set_cookie(&format!("{SESSION}.{i}"))
            .unwrap_or_else(|| panic!("chunk {i}: {lines:?}"))
    };
    let (first, second) = (chunk(0), chunk(1));
    assert!(answer.set_cookie(&format!("{SESSION}.2")).is_none());
    assert!(
        answer.set_cookie(SESSION).is_none_or(|l| clears(&l)),
        "no unchunked cookie: {lines:?}"
    );
    for line in [&first, &second] {
        assert!(
            line.contains("HttpOnly") && line.contains("Path=/"),
            "{line}"
        );
    }
    // `@auth/core` cuts `value.substr(i * 3936, 3936)`: full chunks, then the rest.
    assert_eq!(value_of(&first).len(), CHUNK_SIZE);
    assert!(value_of(&second).len() <= CHUNK_SIZE);
    let token = format!("{}{}", value_of(&first), value_of(&second));
    assert!(token.len() > CHUNK_SIZE);
    let claims = authjs::decode(&keys(&[SECRET]), &token, now()).unwrap();
    assert_eq!(claims["name"], LONG_NAME.as_str());

    // The chunks are read back together, and re-issued chunked.
    let answer = client.get(&format!("{BASE}/session")).await;
    assert_eq!(answer.json()["user"]["name"], LONG_NAME.as_str());
    assert!(answer.set_cookie(&format!("{SESSION}.0")).is_some());
    assert!(answer.set_cookie(&format!("{SESSION}.1")).is_some());

    // A short token afterwards is one cookie, and the stale chunks are cleared.
    let answer = sign_in(&mut client, "demo", "demo").await;
    assert!(answer.set_cookie(SESSION).is_some_and(|l| !clears(&l)));
    for i in 0..2 {
        let line = answer.set_cookie(&format!("{SESSION}.{i}")).unwrap();
        assert!(clears(&line), "{line}");
    }
    assert_eq!(client.session(BASE).await["user"]["name"], "Demo User");
}

#[tokio::test]
async fn auth_url_comes_before_nextauth_url() {
    let auth = auth::config_from(&vars(&[
        ("AUTH_SECRET", SECRET),
        ("AUTH_URL", "http://127.0.0.1:4000/auth"),
        ("NEXTAUTH_URL", "http://127.0.0.1:5000/api/auth"),
    ]))
    .expect("config");
    let mut client = Client::new(auth::router(auth.clone()).layer(auth.layer()));
    let providers = client.get("/auth/providers").await.json();
    assert_eq!(
        providers["credentials"]["signinUrl"],
        "http://127.0.0.1:4000/auth/signin/credentials"
    );
    // Without AUTH_SECRET there is no secret at all: NEXTAUTH_SECRET is not v5's name.
    let missing = auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("AUTH_URL", AUTH_URL),
    ]));
    let Err(error) = missing else {
        panic!("AUTH_SECRET is required")
    };
    assert!(error.to_string().contains("AUTH_SECRET"), "{error}");
}
