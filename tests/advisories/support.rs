//! What the advisory modules share: the demo (JWT sessions), the OAuth app's config with
//! routes for every session helper, and an email site (database sessions, a real SMTP sink).

use std::sync::Mutex;
use std::time::Duration;

use auth_runtime::__private::email::{self, DEFAULT_FROM, InvalidEmail, Mailer, SmtpMailer};
use auth_runtime::callbacks::SignInParams;
use auth_runtime::jwt::{self, TokenKeys};
use auth_runtime::{BaseUrl, auth};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;

use crate::demo;
use auth_test_support::client::{Answer, Client, SECRET, vars};
use auth_test_support::oauth_app::app;
use auth_test_support::smtp::{ReceivedMail, SmtpSink};

pub const BASE: &str = "/api/auth";
pub const ORIGIN: &str = "http://127.0.0.1:3000";
/// The OAuth app's `NEXTAUTH_SECRET` (`auth_test_support::oauth_app`), which seals its check cookies.
pub const OAUTH_SECRET: &str = auth_test_support::oauth_app::NEXTAUTH_SECRET;
/// How long a peer may take to deliver a message we wait for.
pub const WAIT: Duration = Duration::from_secs(10);

pub use auth_test_support::{now, unique};

/// The value of query parameter `key` of an absolute URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The claims sealed in the OAuth app's check cookie `name` (its key is salted with the name).
pub fn unseal(sealed: &str, name: &str) -> serde_json::Map<String, serde_json::Value> {
    let keys = TokenKeys::derive(&[OAUTH_SECRET.to_owned()], name).unwrap();
    jwt::decode(&keys, sealed, now()).unwrap()
}

/// Seals `claims` (less `iat`, `exp`, `jti`, which encoding sets afresh) as a NextAuth token
/// under the OAuth app's secret and the key for `salt`: a check cookie's name, or `""` for
/// the session token.
pub fn seal(claims: &serde_json::Map<String, serde_json::Value>, salt: &str) -> String {
    let keys = TokenKeys::derive(&[OAUTH_SECRET.to_owned()], salt).unwrap();
    let mut claims = claims.clone();
    for claim in ["iat", "exp", "jti"] {
        claims.remove(claim);
    }
    jwt::encode(&keys, &claims, 900, now())
}

// ---- the demo: JWT sessions, credentials demo/demo, `/` takes `Option<Session>`, `/me` `Session`

pub fn demo_auth(url: &str) -> demo::auth::Auth {
    demo::auth::config_from(&vars(&[("NEXTAUTH_SECRET", SECRET), ("NEXTAUTH_URL", url)]))
        .expect("demo config")
}

pub fn demo_client_for(url: &str) -> Client {
    Client::new(demo::app(demo_auth(url)))
}

pub fn demo_client() -> Client {
    demo_client_for(ORIGIN)
}

/// Signs in as demo/demo through the JSON-mode credentials callback.
pub async fn demo_signed_in() -> Client {
    let mut client = demo_client();
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username=demo&password=demo&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(client.cookie("next-auth.session-token").is_some());
    client
}

// ---- the OAuth app of auth_test_support::oauth_app, with a route per session helper

/// `/me` takes `Session` (401 without one), `/maybe` takes `Option<Session>` and answers
/// `some` or `none`, beside the auth routes.
pub fn oauth_app_with_helpers(auth: &app::Auth) -> Client {
    let routes = Router::new()
        .route(
            "/me",
            get(|session: app::Session| async move {
                session.email().unwrap_or("signed in").to_owned()
            }),
        )
        .route(
            "/maybe",
            get(|session: Option<app::Session>| async move {
                if session.is_some() { "some" } else { "none" }
            }),
        );
    Client::new(routes.merge(app::router(auth.clone())).layer(auth.layer()))
}

pub fn oauth_auth(env: &[(String, String)]) -> app::Auth {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app::config_from(&vars(&pairs)).expect("config")
}

/// The request headers a browser with `client`'s cookies would send.
pub fn cookie_headers(client: &Client) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if !client.cookies.is_empty() {
        headers.insert(
            axum::http::header::COOKIE,
            client.cookie_header().parse().unwrap(),
        );
    }
    headers
}

/// Every "current session" helper of the OAuth app says "no session" for `client`'s cookies
/// (and `extra` headers): `/session` is `{}`, `Session` is 401, `Option<Session>` is `None`,
/// and `session_from_headers`/`token_from_headers` are `None`.
pub async fn assert_no_session_anywhere(
    auth: &app::Auth,
    client: &mut Client,
    extra: &[(&str, &str)],
    case: &str,
) {
    let mut headers = cookie_headers(client);
    for (name, value) in extra {
        headers.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let get = |path: &str| {
        let mut request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap();
        *request.headers_mut() = headers.clone();
        request
    };
    let session = client.send(get(&format!("{BASE}/session"))).await;
    assert_eq!(session.status, StatusCode::OK, "{case}");
    assert_eq!(session.body, "{}", "{case}");
    let me = client.send(get("/me")).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{case}: {}", me.body);
    let maybe = client.send(get("/maybe")).await;
    assert_eq!(maybe.status, StatusCode::OK, "{case}");
    assert_eq!(maybe.body, "none", "{case}");
    assert!(
        auth.session_from_headers(&headers).await.is_none(),
        "{case}"
    );
    assert!(auth.token_from_headers(&headers).is_none(), "{case}");
}

// ---- the email site: database sessions, an email provider, its own SMTP sink

/// Every `sign_in` callback call of the email site: (the user's email, the account id).
static SIGN_IN_CALLBACK_SAW: Mutex<Vec<(Option<String>, String)>> = Mutex::new(Vec::new());

async fn record_sign_in(params: SignInParams) -> bool {
    SIGN_IN_CALLBACK_SAW
        .lock()
        .unwrap()
        .push((params.user.email, params.account.provider_account_id));
    true
}

/// What the email site's `sign_in` callback was called with so far.
pub fn sign_in_callback_saw() -> Vec<(Option<String>, String)> {
    SIGN_IN_CALLBACK_SAW.lock().unwrap().clone()
}

auth! {
    module: mail,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL") },
    providers: {
        email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
    },
    callbacks: { sign_in: record_sign_in },
}

/// A fresh SQLite file (shared by a test's clients, as an in-memory database would not be).
pub fn sqlite_store() -> String {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", unique("advisory")));
    format!("sqlite://{}?mode=rwc", file.display())
}

/// Both stores an email advisory runs on.
pub fn stores() -> Vec<String> {
    vec![sqlite_store(), auth_test_support::require_postgres()]
}

/// An app on database sessions with an email provider, mailing to its own SMTP sink, so
/// that "no email was sent" can be asserted exactly.
pub struct MailSite {
    pub sink: SmtpSink,
    pub auth: mail::Auth,
}

impl MailSite {
    pub fn start(store: &str) -> MailSite {
        let sink = SmtpSink::start();
        let auth = mail::config_from(&vars(&[
            ("NEXTAUTH_SECRET", "advisory-mail-secret-8f2a6c4e0b9d7f1a"),
            ("NEXTAUTH_URL", ORIGIN),
            ("TEST_DATABASE_URL", store),
            ("EMAIL_SERVER", &sink.url()),
        ]))
        .expect("mail site config");
        MailSite { sink, auth }
    }

    /// A browser of the site.
    pub fn client(&self) -> Client {
        Client::new(mail::router(self.auth.clone()).layer(self.auth.layer()))
    }

    /// `POST /signin/email` for `email`, CSRF token included, callbackUrl `/welcome`.
    pub async fn request_link(client: &mut Client, email: &str) -> Answer {
        let token = client.csrf(BASE).await;
        let email = auth_runtime::__private::cookies::encode_uri_component(email);
        client
            .post_form(
                &format!("{BASE}/signin/email"),
                &format!("csrfToken={token}&email={email}&callbackUrl=%2Fwelcome"),
            )
            .await
    }

    /// Asks for a link for `email` and checks the answer is the verify-request page.
    pub async fn request_link_ok(client: &mut Client, email: &str) {
        let answer = Self::request_link(client, email).await;
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email"),
            "{email}"
        );
    }

    /// The message mailed to `to` (waits for it).
    pub fn mail_to(&self, to: &str) -> ReceivedMail {
        for _ in 0..100 {
            if let Some(mail) = self
                .sink
                .messages()
                .into_iter()
                .find(|m| m.rcpt_tos.iter().any(|r| r == to))
            {
                return mail;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no mail for {to}: {}", self.sink.stderr_tail());
    }

    /// The sign-in link mailed to `to`.
    pub fn link_for(&self, to: &str) -> String {
        self.mail_to(to).sign_in_link().expect("a link in the mail")
    }

    /// Proves nothing was mailed so far: a link for a control address is then the only
    /// message the sink ever received (the route awaits the SMTP transaction before it
    /// answers, so an earlier message would already be there).
    pub async fn assert_only_the_control_is_mailed(&self) {
        let control = format!("{}@example.com", unique("control"));
        let mut client = self.client();
        Self::request_link_ok(&mut client, &control).await;
        let received = self.sink.wait_for(1, WAIT);
        let recipients: Vec<&[String]> = received.iter().map(|m| m.rcpt_tos.as_slice()).collect();
        assert_eq!(recipients, [[control.clone()]], "{received:?}");
    }
}

/// The email core's part of the email advisories: the normaliser refuses each input with the
/// given reason, so the route has nothing to mail; a real SMTP sink then proves nothing was
/// sent by receiving only a control message.
pub async fn assert_refused_before_any_mail_is_sent(inputs: &[(&str, InvalidEmail)]) {
    let sink = SmtpSink::start();
    let mailer = SmtpMailer::new(&sink.url()).expect("the sink's URL is valid");
    let base = BaseUrl::parse("http://localhost:3000", "/api/auth").expect("a valid base URL");
    let message_for = |to: &str| {
        let url = email::sign_in_url(
            &base,
            "email",
            "http://localhost:3000/dashboard",
            &email::new_token(),
            to,
        );
        email::sign_in_email(&url, email::site_host(&base), DEFAULT_FROM, to)
    };
    for (input, why) in inputs {
        // What the route does: normalise, and mail only what comes out.
        match email::normalize_identifier(input) {
            Ok(to) => {
                let _ = mailer.send(&message_for(&to)).await;
                panic!("{input:?} was accepted as {to:?}");
            }
            Err(err) => assert_eq!(&err, why, "{input:?}"),
        }
    }
    mailer
        .send(&message_for("control@example.com"))
        .await
        .expect("the sink accepts the control");
    let received = sink.wait_for(1, WAIT);
    let recipients: Vec<&[String]> = received.iter().map(|m| m.rcpt_tos.as_slice()).collect();
    assert_eq!(recipients, [["control@example.com".to_owned()]]);
}

/// The email route's part: each input (`{m}` in it replaced by a fresh marker) answers
/// `error?error=EmailSignin`, the `sign_in` callback never sees it, no session starts, and
/// nothing is mailed.
pub async fn assert_route_refuses_and_mails_nothing(templates: &[&str]) {
    let site = MailSite::start(&sqlite_store());
    let mut client = site.client();
    for template in templates {
        let marker = unique("m");
        let input = template.replace("{m}", &marker);
        let answer = MailSite::request_link(&mut client, &input).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{input}");
        assert_eq!(
            answer.location(),
            format!("{ORIGIN}{BASE}/error?error=EmailSignin"),
            "{input}"
        );
        assert!(answer.set_cookie("next-auth.session-token").is_none());
        if template.contains("{m}") {
            let saw = sign_in_callback_saw();
            assert!(
                !saw.iter().any(|(email, id)| id.contains(&marker)
                    || email.as_deref().is_some_and(|e| e.contains(&marker))),
                "{input}: the sign_in callback saw it: {saw:?}"
            );
        }
    }
    assert_eq!(client.get(&format!("{BASE}/session")).await.body, "{}");
    site.assert_only_the_control_is_mailed().await;
}
