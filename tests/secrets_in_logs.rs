//! No secret reaches a log line, at any level, from any crate (docs/REST.md §9, GHSA-p6mm-27gq-9v3p):
//! one process-global `tracing` subscriber at TRACE (`log` records included, through
//! tracing-log's `LogTracer`) captures every line while every flow runs through the routes
//! against real peers, and then the capture is searched for every secret the test can know.
//!
//! Its own test binary, because the subscriber is global; the one flow test owns it, and the
//! scanner's own test logs nothing.

#![allow(clippy::unwrap_used)]

// The harness has helpers this test does not call.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use auth_runtime::__private::cookies::encode_uri_component;
use auth_runtime::callbacks::Credentials;
use auth_runtime::jwt::{self, TokenKeys};
use auth_runtime::{User, auth};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::{now, require_postgres, unique};
use auth_test_support::{oidc, smtp};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use tracing_subscriber::field::MakeExt as _;
use tracing_subscriber::fmt::format::FmtSpan;

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";

/// The JWT app's signing secret and the one it still verifies (a rotation list).
const SECRET: &str = "logs-current-secret-4b1d9e7a2c6f0e8b";
const OLD_SECRET: &str = "logs-previous-secret-7c20af3e9d1b5a6c";
/// A secret retired before the rotation: the old sessions were made under `OLD_SECRET` with it.
const RETIRED_SECRET: &str = "logs-retired-secret-0d9b31f6a2e8c4d7";
/// The database app's secret.
const DB_SECRET: &str = "logs-database-secret-e5a37f9c1b4d8e2a";
/// The only password `authorize` accepts, and a wrong guess (also a secret: a typo'd password).
const PASSWORD: &str = "correct-horse-battery-3141";
const WRONG_PASSWORD: &str = "wrong-guess-password-2718";
/// A client secret the OpenID provider refuses at its token endpoint.
const WRONG_CLIENT_SECRET: &str = "wrong-client-secret-5f2a9c";
/// The password in the URL of an SMTP server that does not listen.
const SMTP_PASSWORD: &str = "SmtpRelayPassw0rd";
/// The password in the URL of a database that does not listen.
const UNREACHABLE_DB_PASSWORD: &str = "SuperSecretPw";

auth! {
    module: jwt_app,
    secret: [env("NEXTAUTH_SECRET"), env("NEXTAUTH_SECRET_OLD")],
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: crate::authorize,
        },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            scope: "openid email profile offline_access",
            params: { prompt: "consent" },
        },
    },
}

auth! {
    module: db_app,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: crate::authorize,
        },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            scope: "openid email profile offline_access",
            params: { prompt: "consent" },
        },
        email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
    },
}

/// Any name with [`PASSWORD`]; the email is `<name>@example.com`.
async fn authorize(credentials: Credentials) -> Option<User> {
    let name = credentials.get("username")?;
    (credentials.get("password") == Some(PASSWORD)).then(|| {
        User::new(name)
            .name(name)
            .email(format!("{name}@example.com"))
    })
}

// ---------------------------------------------------------------------------------------------
// The capture.

/// A `tracing` writer that keeps everything written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs the process-wide subscriber: TRACE for every target, every field by its `Debug`,
/// spans shown when they open and close, and (through `try_init`, tracing-subscriber's
/// `tracing-log` feature) a `LogTracer` so that `log` users (reqwest, rustls, sqlx) land here too.
fn capture_everything() -> Captured {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_target(true)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .fmt_fields(
            tracing_subscriber::fmt::format::debug_fn(|w, field, value| {
                write!(w, "{field}={value:?}")
            })
            .delimited(" "),
        )
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the global subscriber and the LogTracer install once");
    captured
}

// ---------------------------------------------------------------------------------------------
// The secrets, and the search for them.

/// A secret the test knows, and what it is (printed when it leaks; the value never is).
#[derive(Clone, Debug)]
struct Known {
    kind: String,
    value: String,
    /// The value is also an ordinary word of non-secret text (`postgres` is the scheme, the
    /// user and the password of the test database): only a password-shaped occurrence of it
    /// counts, `:<value>@` in a URL or within a few characters after `pass`/`pwd`.
    common_word: bool,
}

/// Every secret seen so far in this process.
static SECRETS: Mutex<Vec<Known>> = Mutex::new(Vec::new());

/// Remembers `value` as a secret of `kind`; a value shorter than 8 characters cannot be
/// searched for without false alarms, so none is accepted.
fn keep(kind: &str, value: &str) {
    keep_known(kind, value, false);
}

fn keep_known(kind: &str, value: &str, common_word: bool) {
    assert!(
        value.len() >= 8,
        "a {kind} of {} characters: too short to search the logs for",
        value.len()
    );
    let mut secrets = SECRETS.lock().unwrap();
    if !secrets.iter().any(|k| k.value == value) {
        secrets.push(Known {
            kind: kind.to_owned(),
            value: value.to_owned(),
            common_word,
        });
    }
}

/// The forms in which `value` may sit in a log line: as is, percent-encoded (URI component
/// and form encoding), and base64/base64url at each of the three byte alignments (the part
/// of the encoding that depends on `value` alone), so a secret inside an encoded blob, such
/// as `Basic base64(id:secret)`, is found too.
fn encodings(value: &str) -> Vec<(&'static str, String)> {
    let mut forms = vec![
        ("as is", value.to_owned()),
        ("percent-encoded", encode_uri_component(value)),
        (
            "form-encoded",
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        ),
    ];
    for (name, engine) in [("base64", &STANDARD), ("base64url", &URL_SAFE)] {
        for offset in 0..3 {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(value.as_bytes());
            let encoded = engine.encode(&bytes);
            // Characters 4k..4k+4 encode bytes 3k..3k+3: skip the group that holds the
            // padding bytes in front, and the last group, which depends on what follows.
            let start = if offset == 0 { 0 } else { 4 };
            let end = 4 * (bytes.len() / 3);
            if end >= start + 8 {
                forms.push((name, encoded[start..end].to_owned()));
            }
        }
    }
    let mut unique: Vec<(&'static str, String)> = Vec::new();
    for (name, form) in forms {
        if !unique.iter().any(|(_, f)| *f == form) {
            unique.push((name, form));
        }
    }
    unique
}

/// Whether the occurrence of a common-word secret at `at..at + len` in `text` is shaped like
/// a password: `:<value>@` (URL userinfo, also percent-encoded) or shortly after `pass`/`pwd`.
fn password_shaped(text: &str, at: usize, len: usize) -> bool {
    let before = &text[..at];
    let after = &text[at + len..];
    let userinfo = (before.ends_with(':') && after.starts_with('@'))
        || (before.to_ascii_lowercase().ends_with("%3a")
            && after.to_ascii_lowercase().starts_with("%40"));
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut from = at.saturating_sub(32).max(line_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let near = text[from..at].to_ascii_lowercase();
    userinfo || near.contains("pass") || near.contains("pwd")
}

/// The line of `text` around byte `at`.
fn line_around(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// `line` with every form of every secret replaced by `<redacted>`, fit to be printed.
fn redact(line: &str, secrets: &[Known]) -> String {
    let mut forms: Vec<String> = secrets
        .iter()
        .filter(|k| !k.common_word)
        .flat_map(|k| encodings(&k.value).into_iter().map(|(_, f)| f))
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let mut line = line.to_owned();
    for form in forms {
        line = line.replace(&form, "<redacted>");
    }
    for known in secrets.iter().filter(|k| k.common_word) {
        let shaped: Vec<usize> = line
            .match_indices(known.value.as_str())
            .map(|(at, _)| at)
            .filter(|&at| password_shaped(&line, at, known.value.len()))
            .collect();
        for at in shaped.into_iter().rev() {
            line.replace_range(at..at + known.value.len(), "<redacted>");
        }
    }
    let mut out = String::new();
    let mut rest = line.as_str();
    // JWT/JWE-shaped values are hidden too (see `jwt_shaped`).
    while let Some(at) = rest.find("eyJ") {
        let len = rest[at..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        out.push_str(&rest[..at]);
        out.push_str(if len >= 20 {
            "<redacted>"
        } else {
            &rest[at..at + len]
        });
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// Where a JWT or JWE (a session token, an ID token, a check cookie) sits in `text`: `eyJ`
/// (base64url of `{"`) followed by at least 20 more token characters. It catches tokens the
/// test never sees, such as the provider's ID token.
fn jwt_shaped(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("eyJ") {
        let at = from + i;
        let len = text[at + 3..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            .count();
        if len >= 20 {
            found.push(at);
        }
        from = at + 3 + len;
    }
    found
}

/// Every leak in `logs`: which secret, in which form, and its line with the secrets redacted.
fn leaks(logs: &str, secrets: &[Known]) -> Vec<String> {
    let mut found = Vec::new();
    for known in secrets {
        for (form, encoded) in encodings(&known.value) {
            if known.common_word && form != "as is" {
                continue;
            }
            for (at, _) in logs.match_indices(encoded.as_str()) {
                if known.common_word && !password_shaped(logs, at, encoded.len()) {
                    continue;
                }
                found.push(format!(
                    "{} ({form}) in: {}",
                    known.kind,
                    redact(line_around(logs, at), secrets)
                ));
            }
        }
    }
    for at in jwt_shaped(logs) {
        found.push(format!(
            "a JWT/JWE-shaped value in: {}",
            redact(line_around(logs, at), secrets)
        ));
    }
    found.dedup();
    found
}

// ---------------------------------------------------------------------------------------------
// The peers and the apps.

fn provider() -> &'static oidc::OidcProvider {
    static PROVIDER: OnceLock<oidc::OidcProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| oidc::OidcProvider::start(&[format!("{ORIGIN}{BASE}/callback/oidc")]))
}

fn sink() -> &'static smtp::SmtpSink {
    static SINK: OnceLock<smtp::SmtpSink> = OnceLock::new();
    SINK.get_or_init(smtp::SmtpSink::start)
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A browser: the app, its cookie jar, and the app's secrets, so that the sealed check cookies
/// can be opened. Every cookie it is given and every CSRF token it reads is kept as a secret.
struct Browser {
    client: Client,
    secrets: Vec<String>,
}

impl Browser {
    fn new(app: Router, secrets: &[&str]) -> Browser {
        Browser {
            client: Client::new(app),
            secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn keep_cookies(&self, answer: &Answer) {
        for line in answer.set_cookies() {
            if line.contains("Max-Age=0") {
                continue;
            }
            let pair = line.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap();
            if name.ends_with("callback-url") {
                continue; // where to go after sign-in: not a secret
            }
            keep(&format!("`{name}` cookie value"), value);
            if let Some(decoded) = auth_runtime::__private::cookies::decode_uri_component(value) {
                // The CSRF cookie is `token|sha256(token + secret)`.
                for part in decoded.split('|') {
                    keep(&format!("part of the `{name}` cookie"), part);
                }
            }
            if name.starts_with("next-auth.session-token")
                && let Some(keys) = TokenKeys::derive(&self.secrets, "")
                && let Ok(claims) = jwt::decode(&keys, value, now())
            {
                for token in ["access_token", "refresh_token", "id_token"] {
                    let sealed = claims.get("account").and_then(|a| a.get(token));
                    if let Some(sealed) = sealed.and_then(|t| t.as_str()) {
                        keep(&format!("provider {token} sealed in the session"), sealed);
                    }
                }
            }
            if name.contains(".state") || name.contains(".pkce.") || name.contains(".nonce") {
                let keys = TokenKeys::derive(&self.secrets, name).unwrap();
                let claims = jwt::decode(&keys, value, now()).unwrap();
                keep(
                    &format!("value sealed in the `{name}` cookie"),
                    claims["value"].as_str().unwrap(),
                );
            }
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Answer {
        let answer = self.client.send(request).await;
        self.keep_cookies(&answer);
        answer
    }

    async fn get(&mut self, uri: &str) -> Answer {
        let answer = self.client.get(uri).await;
        self.keep_cookies(&answer);
        answer
    }

    async fn post_form(&mut self, uri: &str, form: &str) -> Answer {
        let answer = self.client.post_form(uri, form).await;
        self.keep_cookies(&answer);
        answer
    }

    async fn post_json(&mut self, uri: &str, json: serde_json::Value) -> Answer {
        let answer = self.client.post_json(uri, json).await;
        self.keep_cookies(&answer);
        answer
    }

    async fn csrf(&mut self) -> String {
        let answer = self.get(&format!("{BASE}/csrf")).await;
        let token = answer.json()["csrfToken"].as_str().unwrap().to_owned();
        keep("CSRF token", &token);
        token
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.client.cookie(name).map(str::to_owned)
    }

    async fn session(&mut self) -> serde_json::Value {
        self.get(&format!("{BASE}/session")).await.json()
    }

    async fn sign_in_with_password(&mut self, name: &str, password: &str) -> Answer {
        let token = self.csrf().await;
        self.post_form(
            &format!("{BASE}/callback/credentials"),
            &format!(
                "username={name}&password={}&csrfToken={token}&json=true",
                encode_uri_component(password)
            ),
        )
        .await
    }

    async fn sign_out(&mut self) -> Answer {
        let token = self.csrf().await;
        self.post_form(&format!("{BASE}/signout"), &format!("csrfToken={token}"))
            .await
    }

    /// `POST /signin/oidc`, then the provider's login: the callback path, with `code` kept.
    async fn oidc_until_callback(&mut self, login: &str) -> String {
        let token = self.csrf().await;
        let answer = self
            .post_form(
                &format!("{BASE}/signin/oidc"),
                &format!("csrfToken={token}&callbackUrl=%2Fhome&json=true"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let url = answer.json()["url"].as_str().unwrap().to_owned();
        let authorization = url::Url::parse(&url).unwrap();
        for (name, value) in authorization.query_pairs() {
            if name == "state" || name == "nonce" {
                keep(&format!("`{name}` of the authorization URL"), &value);
            }
        }
        let callback = provider().login(&url, login).await;
        let callback = url::Url::parse(&callback).unwrap();
        for (name, value) in callback.query_pairs() {
            if name == "code" || name == "state" {
                keep(&format!("`{name}` of the provider's redirect"), &value);
            }
        }
        callback.as_str().strip_prefix(ORIGIN).unwrap().to_owned()
    }
}

/// The JWT app with a `/me` route behind its `Session` extractor.
fn jwt_browser(secrets: [&str; 2], client_secret: &str) -> Browser {
    let auth = jwt_app::config_from(&vars(&[
        ("NEXTAUTH_SECRET", secrets[0]),
        ("NEXTAUTH_SECRET_OLD", secrets[1]),
        ("NEXTAUTH_URL", ORIGIN),
        ("OIDC_ISSUER", &provider().issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", client_secret),
    ]))
    .unwrap();
    let app = Router::new()
        .route(
            "/me",
            axum::routing::get(|session: jwt_app::Session| async move {
                session.name().unwrap_or_default().to_owned()
            }),
        )
        .route(
            "/token",
            axum::routing::get(|session: jwt_app::Session| async move {
                access_token(session.access_token_valid_for("oidc", REFRESH_MARGIN).await)
            }),
        )
        .merge(jwt_app::router(auth.clone()))
        .layer(auth.layer());
    Browser::new(app, &secrets)
}

/// The database app on `database_url`, mailing through `email_server`.
fn db_browser(database_url: &str, email_server: &str) -> Browser {
    let auth = db_app::config_from(&vars(&[
        ("NEXTAUTH_SECRET", DB_SECRET),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", database_url),
        ("OIDC_ISSUER", &provider().issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ("EMAIL_SERVER", email_server),
    ]))
    .unwrap();
    let app = Router::new()
        .route(
            "/token",
            axum::routing::get(|session: db_app::Session| async move {
                access_token(session.access_token_valid_for("oidc", REFRESH_MARGIN).await)
            }),
        )
        .merge(db_app::router(auth.clone()))
        .layer(auth.layer());
    Browser::new(app, &[DB_SECRET])
}

/// A margin longer than the provider's access tokens live (an hour): every `/token` refreshes.
const REFRESH_MARGIN: Duration = Duration::from_secs(2 * 60 * 60);

/// `/token`'s answer: the access token (kept as a secret), or the error's response.
fn access_token(
    token: Result<auth_runtime::AccessToken, auth_runtime::AccessTokenError>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match token {
        Ok(token) => {
            keep("provider access token", &token.access_token);
            token.access_token.into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn assert_redirect(answer: &Answer, to: &str) {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.location(), format!("{ORIGIN}{to}"));
}

// ---------------------------------------------------------------------------------------------
// The flows.

async fn jwt_credentials_flows() {
    let mut browser = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);

    let wrong = browser.sign_in_with_password("ann", WRONG_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    let right = browser.sign_in_with_password("ann", PASSWORD).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert_eq!(browser.session().await["user"]["name"], "ann");

    let token = browser.csrf().await;
    let update = browser
        .post_json(
            &format!("{BASE}/session"),
            serde_json::json!({"csrfToken": token, "data": {"nickname": "annie"}}),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.body);

    // The session token as a Bearer token, read by the `Session` extractor.
    let session_token = browser.cookie("next-auth.session-token").unwrap();
    let mut api = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    let me = api
        .send(
            Request::get("/me")
                .header(header::AUTHORIZATION, format!("Bearer {session_token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "ann"));

    // A tampered token, as a cookie and as a Bearer token: no session.
    let mut tampered = session_token.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let mut forger = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    forger
        .client
        .set_cookie("next-auth.session-token", &tampered);
    assert_eq!(forger.get(&format!("{BASE}/session")).await.body, "{}");
    let me = forger
        .send(
            Request::get("/me")
                .header(header::AUTHORIZATION, format!("Bearer {tampered}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    // A sign-out with a wrong CSRF token keeps the session.
    browser.csrf().await;
    let forged = browser
        .post_form(
            &format!("{BASE}/signout"),
            "csrfToken=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_redirect(&forged, &format!("{BASE}/signout?csrf=true"));
    assert_eq!(browser.session().await["user"]["name"], "ann");

    let out = browser.sign_out().await;
    assert_eq!(out.status, StatusCode::FOUND, "{}", out.body);
    assert_eq!(browser.get(&format!("{BASE}/session")).await.body, "{}");

    // A session made under the previous secret still reads after the rotation.
    let mut before = jwt_browser([OLD_SECRET, RETIRED_SECRET], oidc::BASIC_CLIENT_SECRET);
    before.sign_in_with_password("bob", PASSWORD).await;
    let old_token = before.cookie("next-auth.session-token").unwrap();
    let mut after = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    after
        .client
        .set_cookie("next-auth.session-token", &old_token);
    assert_eq!(after.session().await["user"]["name"], "bob");
}

async fn jwt_oauth_flows() {
    // Success; the check cookies before the callback are kept for the replay below.
    let mut browser = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    let callback = browser.oidc_until_callback("oscar").await;
    let cookies_before = browser.client.cookies.clone();
    assert_redirect(&browser.get(&callback).await, "/home");
    assert_eq!(
        browser.session().await["user"]["email"],
        "oscar@example.com"
    );

    // The same code again, with the same check cookies: the provider refuses it.
    let mut replay = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    replay.client.cookies = cookies_before;
    let answer = replay.get(&callback).await;
    assert_redirect(&answer, &format!("{BASE}/error?error=OAuthCallback"));

    // A forged state.
    let mut browser = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    let callback = browser.oidc_until_callback("olga").await;
    let mut forged = url::Url::parse(&format!("{ORIGIN}{callback}")).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged-state-value-00000000".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let forged = forged.as_str().strip_prefix(ORIGIN).unwrap().to_owned();
    let answer = browser.get(&forged).await;
    assert_redirect(&answer, &format!("{BASE}/error?error=OAuthCallback"));

    // A wrong client secret: the token exchange fails.
    keep("client secret (wrong)", WRONG_CLIENT_SECRET);
    let mut browser = jwt_browser([SECRET, OLD_SECRET], WRONG_CLIENT_SECRET);
    let callback = browser.oidc_until_callback("wendy").await;
    let answer = browser.get(&callback).await;
    assert_redirect(&answer, &format!("{BASE}/error?error=OAuthCallback"));
    assert!(browser.cookie("next-auth.session-token").is_none());
}

/// Provider access tokens refreshed (README, "Access tokens"), and a refresh the provider
/// refuses: a second server without the first's reuse window presents the spent refresh
/// token of the old cookie, and the provider revokes the grant.
async fn refresh_flows(database_url: &str) {
    let mut browser = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    let callback = browser.oidc_until_callback("rita").await;
    assert_redirect(&browser.get(&callback).await, "/home");
    let old_cookies = browser.client.cookies.clone();
    let refreshed = browser.get("/token").await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    let mut elsewhere = jwt_browser([SECRET, OLD_SECRET], oidc::BASIC_CLIENT_SECRET);
    elsewhere.client.cookies = old_cookies;
    let refused = elsewhere.get("/token").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(
        elsewhere.session().await["error"],
        "RefreshAccessTokenError"
    );

    let mut browser = db_browser(database_url, "smtp://127.0.0.1:9");
    let callback = browser.oidc_until_callback("ruth").await;
    assert_redirect(&browser.get(&callback).await, "/home");
    let refreshed = browser.get("/token").await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
}

/// The link mailed to `to`, its token kept.
fn link_for(to: &str) -> String {
    for _ in 0..50 {
        if let Some(mail) = sink()
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_tos.iter().any(|r| r == to))
        {
            let link = mail.sign_in_link().expect("a link in the mail");
            let token = url::Url::parse(&link)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == "token")
                .unwrap()
                .1
                .into_owned();
            keep("verification token of the email link", &token);
            return link.strip_prefix(ORIGIN).unwrap().to_owned();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no mail for {to}: {}", sink().stderr_tail());
}

async fn request_link(browser: &mut Browser, email: &str) -> Answer {
    let token = browser.csrf().await;
    browser
        .post_form(
            &format!("{BASE}/signin/email"),
            &format!(
                "csrfToken={token}&email={}&callbackUrl=%2Fwelcome",
                encode_uri_component(email)
            ),
        )
        .await
}

async fn database_flows(store: &str) {
    // Credentials, wrong then right; the session row read and deleted.
    let mut browser = db_browser(store, &sink().url());
    let name = unique("cred");
    let wrong = browser.sign_in_with_password(&name, WRONG_PASSWORD).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "{store}: {}",
        wrong.body
    );
    let right = browser.sign_in_with_password(&name, PASSWORD).await;
    assert_eq!(right.status, StatusCode::OK, "{store}: {}", right.body);
    assert_eq!(browser.session().await["user"]["name"], name.as_str());
    browser.sign_out().await;
    assert_eq!(browser.get(&format!("{BASE}/session")).await.body, "{}");

    // OAuth: the account row holds the provider's tokens.
    let mut browser = db_browser(store, &sink().url());
    let login = unique("oa");
    let callback = browser.oidc_until_callback(&login).await;
    assert_redirect(&browser.get(&callback).await, "/home");
    assert_eq!(
        browser.session().await["user"]["email"],
        format!("{login}@example.com")
    );

    // Email: the link requested, used, and used again.
    let address = format!("{}@example.com", unique("mail"));
    let mut browser = db_browser(store, &sink().url());
    let answer = request_link(&mut browser, &address).await;
    assert_redirect(
        &answer,
        &format!("{BASE}/verify-request?provider=email&type=email"),
    );
    let link = link_for(&address);
    assert_redirect(&browser.get(&link).await, "/welcome");
    assert_eq!(browser.session().await["user"]["email"], address.as_str());
    let mut replay = db_browser(store, &sink().url());
    let again = replay.get(&link).await;
    assert_redirect(&again, &format!("{BASE}/error?error=Verification"));

    // An SMTP server that does not listen, reached with a password.
    let smtp_url = format!("smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{}", closed_port());
    let mut browser = db_browser(store, &smtp_url);
    let answer = request_link(&mut browser, &format!("{}@example.com", unique("nosmtp"))).await;
    assert_redirect(&answer, &format!("{BASE}/error?error=EmailSignin"));
}

async fn unreachable_database_flows() {
    let port = closed_port();
    for url in [
        format!("postgres://postgres:{UNREACHABLE_DB_PASSWORD}@127.0.0.1:{port}/x"),
        // Also a URL the driver refuses to read.
        format!("postgres://postgres:{UNREACHABLE_DB_PASSWORD}@127.0.0.1:{port}/x?sslmode=bogus"),
    ] {
        let mut browser = db_browser(&url, &sink().url());
        browser.client.set_cookie(
            "next-auth.session-token",
            "00000000-0000-4000-8000-000000000000",
        );
        let session = browser.get(&format!("{BASE}/session")).await;
        assert_eq!(
            (session.status, session.body.as_str()),
            (StatusCode::OK, "{}")
        );
        let answer = browser.sign_in_with_password("nobody", PASSWORD).await;
        assert_eq!(
            answer.json()["url"],
            format!("{ORIGIN}{BASE}/error?error=Callback")
        );
    }
}

#[tokio::test]
async fn no_flow_logs_a_secret_at_any_level() {
    let captured = capture_everything();
    for (kind, value) in [
        ("NEXTAUTH_SECRET", SECRET),
        ("old NEXTAUTH_SECRET of the rotation list", OLD_SECRET),
        ("retired NEXTAUTH_SECRET", RETIRED_SECRET),
        ("NEXTAUTH_SECRET of the database app", DB_SECRET),
        ("user's password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("client secret", oidc::BASIC_CLIENT_SECRET),
        ("SMTP password", SMTP_PASSWORD),
        (
            "database password (unreachable database)",
            UNREACHABLE_DB_PASSWORD,
        ),
    ] {
        keep(kind, value);
    }
    let postgres = require_postgres();
    if let Some(password) = url::Url::parse(&postgres).unwrap().password() {
        let mut shown = url::Url::parse(&postgres).unwrap();
        shown.set_password(None).unwrap();
        // `postgres` is also the scheme, the user and part of sqlx's targets.
        keep_known(
            "database password (PostgreSQL)",
            password,
            shown.as_str().contains(password),
        );
    }

    jwt_credentials_flows().await;
    jwt_oauth_flows().await;
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{}.db", unique("logs"))).display()
    );
    for store in [sqlite.as_str(), postgres.as_str()] {
        database_flows(store).await;
    }
    refresh_flows(&sqlite).await;
    unreachable_database_flows().await;

    let logs = captured.text();
    let secrets = SECRETS.lock().unwrap().clone();
    // The capture works: each flow's own error events are there, and so are lines from the
    // dependencies, through `tracing` (sqlx, hyper-util) and through `log` (reqwest).
    for (expected, why) in [
        (
            "OAUTH_CALLBACK_ERROR",
            "the wrong client secret, replayed code and forged state",
        ),
        ("JWT_SESSION_ERROR", "the tampered session cookie"),
        (
            "REFRESH_ACCESS_TOKEN_ERROR",
            "the refresh with a spent refresh token",
        ),
        (
            "SEND_VERIFICATION_EMAIL_ERROR",
            "the SMTP server that does not listen",
        ),
        ("ADAPTER_ERROR", "the database that does not listen"),
        (" sqlx::query: ", "sqlx's statements, at DEBUG"),
        (
            " reqwest::connect: ",
            "reqwest's connections, through `log`",
        ),
        (" TRACE ", "anything at TRACE"),
    ] {
        assert!(
            logs.contains(expected),
            "no `{expected}` line ({why}) in {} captured lines",
            logs.lines().count()
        );
    }
    for kind in [
        "provider access token",
        "provider refresh_token sealed in the session",
    ] {
        assert!(
            secrets.iter().any(|k| k.kind == kind),
            "the refresh flows kept no {kind}"
        );
    }
    assert!(
        secrets.len() >= 25,
        "only {} secrets collected",
        secrets.len()
    );

    let found = leaks(&logs, &secrets);
    assert!(
        found.is_empty(),
        "{} secret(s) reached the logs ({} lines captured, {} secrets searched):\n{}",
        found.len(),
        logs.lines().count(),
        secrets.len(),
        found.join("\n")
    );
    println!(
        "{} log lines captured, {} secrets searched for, none found",
        logs.lines().count(),
        secrets.len()
    );
}

#[test]
fn the_search_finds_every_form_of_a_secret_and_never_prints_it() {
    // Logs nothing: the flow test owns the global subscriber.
    let secret = "s3cret/value+with=signs";
    let known = vec![
        Known {
            kind: "test secret".to_owned(),
            value: secret.to_owned(),
            common_word: false,
        },
        Known {
            kind: "word password".to_owned(),
            value: "postgres".to_owned(),
            common_word: true,
        },
    ];
    let id_and_secret = STANDARD.encode(format!("client:{secret}"));
    for line in [
        format!("x=\"{secret}\""),
        format!("url=https://h/?k={}", encode_uri_component(secret)),
        format!(
            "body=k={}",
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
        ),
        format!("authorization=Basic {id_and_secret}"),
        format!("blob={}", URL_SAFE.encode(format!("ab{secret}cd"))),
        "url=postgres://postgres:postgres@127.0.0.1/x".to_owned(),
        "options=PgConnectOptions { password: Some(\"postgres\") }".to_owned(),
        "token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..abc".to_owned(),
    ] {
        let logs = format!("INFO target: before\nWARN target: {line} after\nINFO end\n");
        let found = leaks(&logs, &known);
        assert_eq!(found.len(), 1, "{line}: {found:?}");
        assert!(found[0].contains("<redacted"), "{}", found[0]);
        assert!(
            found[0].contains(" after"),
            "the line is shown: {}",
            found[0]
        );
        assert!(!found[0].contains(secret), "{}", found[0]);
        assert!(!found[0].contains(":postgres@"), "{}", found[0]);
        assert!(!found[0].contains("eyJhbGciOiJkaXIi"), "{}", found[0]);
    }
    // The word alone, as the scheme, the user, a target or a label, is no leak.
    let clean =
        "DEBUG sqlx::postgres::notice: x\nERROR adapter=postgres url=postgres://postgres@h/db\n";
    assert_eq!(leaks(clean, &known), Vec::<String>::new());
}
