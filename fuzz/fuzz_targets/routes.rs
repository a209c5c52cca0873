//! The POST routes' form, JSON and query decoding through a real app: an `auth!` block with a
//! credentials provider and JWT sessions, built once, answering `tower::ServiceExt::oneshot`
//! on a current-thread runtime. Any body, query or provider segment gives no panic, no 5xx but
//! the documented one (`GET /callback/credentials`), and no redirect off the app's origin.
//!
//! Input: `[route, flags, query \0 body \0 provider]`. `flags` adds a valid CSRF cookie (bit 0),
//! `Content-Type: application/json` (bit 1), a valid session cookie (bit 2) and a
//! callback-url cookie (bit 3). The CSRF token is fixed, so a seed can send the matching
//! `csrfToken` and reach the credentials check.

#![no_main]

use std::sync::LazyLock;

use auth_runtime::callbacks::Credentials;
use auth_runtime::__private::cookies::CookieNames;
use auth_runtime::{__fuzz, User, auth};
use auth_runtime::__private::csrf;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;
use url::Url;

auth! {
    module: app,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: crate::authorize,
        },
    },
}

async fn authorize(credentials: Credentials) -> Option<User> {
    (credentials.get("username") == Some("demo") && credentials.get("password") == Some("demo"))
        .then(|| User::new("1").name("Demo User").email("demo@example.com"))
}

const SECRET: &str = "fuzz-secret-5f0c7d1e9a3b6e2f8c4d";
const ORIGIN: &str = "http://localhost:3000";
const BASE: &str = "/api/auth";
/// The CSRF token the cookie of flag bit 0 carries (what a seed sends as `csrfToken`).
const CSRF_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const COOKIES: CookieNames = CookieNames::new(false);

struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: Router,
    origin: Url,
    csrf_cookie: String,
    session_cookie: String,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let vars = |name: &str| match name {
        "NEXTAUTH_SECRET" => Some(SECRET.to_owned()),
        "NEXTAUTH_URL" => Some(format!("{ORIGIN}{BASE}")),
        _ => None,
    };
    let config = app::config_from(&vars).unwrap_or_else(|e| panic!("config: {e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let csrf_value = format!("{CSRF_TOKEN}|{}", csrf::hash(CSRF_TOKEN, SECRET));
    let mut claims = Map::new();
    claims.insert("name".into(), json!("Demo User"));
    claims.insert("email".into(), json!("demo@example.com"));
    claims.insert("sub".into(), json!("1"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // A day is far longer than any fuzzing run.
    let token = __fuzz::encode_session_token(&__fuzz::session_keys(SECRET), &claims, 86_400, now);
    Fixture {
        runtime,
        app: app::router(config),
        origin: Url::parse(ORIGIN).unwrap_or_else(|e| panic!("{e}")),
        csrf_cookie: format!(
            "{}={}",
            COOKIES.csrf_token,
            auth_runtime::__private::cookies::encode_uri_component(&csrf_value)
        ),
        session_cookie: format!("{}={token}", COOKIES.session_token),
    }
});

/// Bytes a URI query may not hold as they are; `%`, `&`, `=` and `+` stay, so the form
/// decoder sees the fuzzer's structure.
const QUERY_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn encode_query(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, QUERY_ESCAPES)
        .to_string()
        .replace(|c: char| !c.is_ascii(), "")
}

fn encode_segment(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, NON_ALPHANUMERIC).to_string()
}

fn assert_on_origin(url: &str, what: &str, origin: &Url) {
    let parsed = Url::parse(url).unwrap_or_else(|e| panic!("{what} {url:?} is not a URL: {e}"));
    assert_eq!(
        parsed.origin(),
        origin.origin(),
        "{what} {url:?} leaves the origin"
    );
}

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let [route, flags, rest @ ..] = data else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let query = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default().to_vec();
    let provider = encode_segment(parts.next().unwrap_or_default());
    let (method, path) = match route % 7 {
        0 => (Method::POST, "signin/credentials".to_owned()),
        1 => (Method::POST, format!("signin/{provider}")),
        2 => (Method::POST, "callback/credentials".to_owned()),
        3 => (Method::POST, "signout".to_owned()),
        4 => (Method::POST, "session".to_owned()),
        5 => (Method::GET, format!("callback/{provider}")),
        _ => (Method::GET, "session".to_owned()),
    };
    let uri = if query.is_empty() {
        format!("{BASE}/{path}")
    } else {
        format!("{BASE}/{path}?{}", encode_query(query))
    };
    let mut request = Request::builder().method(method.clone()).uri(&uri);
    let mut cookies = Vec::new();
    if flags & 1 != 0 {
        cookies.push(fixture.csrf_cookie.clone());
    }
    if flags & 2 != 0 {
        request = request.header(header::CONTENT_TYPE, "application/json");
    } else {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if flags & 4 != 0 {
        cookies.push(fixture.session_cookie.clone());
    }
    if flags & 8 != 0 {
        cookies.push(format!(
            "{}={}",
            COOKIES.callback_url,
            utf8_percent_encode(&format!("{ORIGIN}/dashboard"), NON_ALPHANUMERIC)
        ));
    }
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    let Ok(request) = request.body(Body::from(body)) else {
        return; // not a request hyper would pass on
    };

    let (status, headers, body) = fixture.runtime.block_on(async {
        let response = fixture
            .app
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {});
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .unwrap_or_else(|e| panic!("response body: {e}"))
            .to_bytes();
        (parts.status, parts.headers, bytes)
    });

    let documented_500 = method == Method::GET
        && path == "callback/credentials"
        && status == StatusCode::INTERNAL_SERVER_ERROR
        && body.as_ref() == b"Error: Callback for provider type credentials not supported";
    assert!(
        !status.is_server_error() || documented_500,
        "{method} {uri}: {status}"
    );
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains(SECRET), "the secret reached a response body");
    if let Some(location) = headers.get(header::LOCATION) {
        let location = location
            .to_str()
            .unwrap_or_else(|e| panic!("Location: {e}"));
        assert_on_origin(location, "Location", &fixture.origin);
    }
    if let Ok(Value::Object(json)) = serde_json::from_slice::<Value>(&body)
        && let Some(url) = json.get("url").and_then(Value::as_str)
    {
        assert_on_origin(url, "JSON url", &fixture.origin);
    }
});
