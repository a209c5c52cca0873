//! Micro-benchmarks of the work every request does: session tokens, CSRF, `callbackUrl`, cookie
//! parsing, and a whole `GET /api/auth/session` through the router (docs/PERFORMANCE.md).

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use auth_runtime::__private::cookies::{self, CookieNames, Jar};
use auth_runtime::__private::{callback_url, csrf};
use auth_runtime::callbacks::Credentials;
use auth_runtime::jwt::{self, TokenKeys};
use auth_runtime::{User, auth};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt as _;
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

const SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef";
const OLD_SECRET: &str = "bench-secret-rotated-out-fedcba9876543210";
const ORIGIN: &str = "http://127.0.0.1:3000";
const THIRTY_DAYS: u64 = 30 * 24 * 60 * 60;
/// Plain-HTTP names (`next-auth.…`), as the app below uses on `http://127.0.0.1:3000`.
const NAMES: CookieNames = CookieNames::new(false);

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: jwt { max_age: days(30) },
    providers: {
        credentials: Credentials {
            name: "Credentials",
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
}

/// `demo` / `demo`, the demo's account.
async fn authorize(credentials: Credentials) -> Option<User> {
    let valid =
        credentials.get("username") == Some("demo") && credentials.get("password") == Some("demo");
    valid.then(|| User::new("1").name("Demo User").email("demo@example.com"))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the claims are written as JSON objects"),
    }
}

/// What next-auth puts in a session token for a user signed in with an OAuth provider.
fn demo_claims() -> Map<String, Value> {
    object(json!({
        "name": "Demo User",
        "email": "demo@example.com",
        "picture": "https://avatars.githubusercontent.com/u/1234567?v=4",
        "sub": "1",
    }))
}

/// The demo claims plus about `data_bytes` of app data as JSON (a role and group names), as a
/// `session_data` type would add.
fn claims_with_data(data_bytes: usize) -> Map<String, Value> {
    let mut claims = demo_claims();
    // Each group is 29 bytes of JSON: 26 characters, two quotes and a comma.
    let groups: Vec<String> = (0..data_bytes / 29)
        .map(|i| format!("org-{i:04}/team-platform-eng"))
        .collect();
    let data = json!({ "role": "admin", "tenant": "acme-corp", "groups": groups });
    let size = data.to_string().len();
    assert!(
        size.abs_diff(data_bytes) < 64,
        "{size} bytes of data, not about {data_bytes}"
    );
    claims.insert("data".to_owned(), data);
    claims
}

fn bench_token(c: &mut Criterion) {
    let keys = TokenKeys::derive(&[SECRET.to_owned()], "").expect("one secret");
    let now = now_secs();
    let mut group = c.benchmark_group("token");
    for (label, claims) in [
        ("demo_claims", demo_claims()),
        ("2kb_data", claims_with_data(2048)),
    ] {
        let sealed = jwt::encode(&keys, &claims, THIRTY_DAYS, now);
        let opened = jwt::decode(&keys, &sealed, now).expect("the token decodes");
        assert_eq!(opened.get("email"), claims.get("email"));
        group.bench_with_input(BenchmarkId::new("encode", label), &claims, |b, claims| {
            b.iter(|| jwt::encode(&keys, black_box(claims), THIRTY_DAYS, now))
        });
        group.bench_with_input(BenchmarkId::new("decode", label), &sealed, |b, sealed| {
            b.iter(|| jwt::decode(&keys, black_box(sealed), now))
        });
    }
    group.finish();
}

fn bench_csrf(c: &mut Criterion) {
    let one = vec![SECRET.to_owned()];
    let two = vec![SECRET.to_owned(), OLD_SECRET.to_owned()];
    // During a rotation a browser still holds a cookie signed with the old secret.
    let (token, cookie) = csrf::mint(OLD_SECRET);
    assert_eq!(csrf::trusted_token(&cookie, &two), Some(token));
    let (token, current) = csrf::mint(SECRET);
    assert_eq!(csrf::trusted_token(&current, &one), Some(token));

    let mut group = c.benchmark_group("csrf");
    group.bench_function("mint", |b| b.iter(|| csrf::mint(black_box(SECRET))));
    group.bench_function("trusted_token/one_secret", |b| {
        b.iter(|| csrf::trusted_token(black_box(&current), &one))
    });
    group.bench_function("trusted_token/two_secrets", |b| {
        b.iter(|| csrf::trusted_token(black_box(&cookie), &two))
    });
    group.finish();
}

fn bench_callback_url(c: &mut Criterion) {
    let base = "https://app.example.com";
    let cases = [
        ("origin", base, base),
        (
            "path",
            "/dashboard?tab=security",
            "https://app.example.com/dashboard?tab=security",
        ),
        (
            "same_origin_url",
            "https://app.example.com/settings/profile#avatar",
            "https://app.example.com/settings/profile#avatar",
        ),
        (
            "hostile",
            "https://app.example.com.evil.example/phish?u=1",
            base,
        ),
    ];
    let mut group = c.benchmark_group("callback_url");
    for (label, value, expected) in cases {
        assert!(callback_url::is_acceptable(value, base), "{label}");
        assert_eq!(callback_url::default_redirect(value, base), expected);
        group.bench_with_input(BenchmarkId::new("is_acceptable", label), value, |b, v| {
            b.iter(|| callback_url::is_acceptable(black_box(v), base))
        });
        group.bench_with_input(
            BenchmarkId::new("default_redirect", label),
            value,
            |b, v| b.iter(|| callback_url::default_redirect(black_box(v), base)),
        );
    }
    group.finish();
}

/// A browser's `Cookie` header: analytics cookies, the CSRF cookie, the callback URL, and the
/// session token (one cookie, or its chunks).
fn browser_cookie_header(session: &[(String, String)]) -> HeaderMap {
    let (_, csrf_cookie) = csrf::mint(SECRET);
    let mut pairs = vec![
        "_ga=GA1.1.1234567890.1732800000".to_owned(),
        format!(
            "{}={}",
            NAMES.csrf_token,
            cookies::encode_uri_component(&csrf_cookie)
        ),
        format!(
            "{}={}",
            NAMES.callback_url,
            cookies::encode_uri_component(ORIGIN)
        ),
    ];
    pairs.extend(
        session
            .iter()
            .map(|(name, value)| format!("{name}={value}")),
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::try_from(pairs.join("; ")).expect("visible ASCII"),
    );
    headers
}

fn bench_cookies(c: &mut Criterion) {
    let keys = TokenKeys::derive(&[SECRET.to_owned()], "").expect("one secret");
    let now = now_secs();
    let single = jwt::encode(&keys, &demo_claims(), THIRTY_DAYS, now);
    // 7 KB of data makes a token of about 9.8 KB: three chunks of at most 3,933 characters.
    let large = jwt::encode(&keys, &claims_with_data(7 * 1024), THIRTY_DAYS, now);
    let chunks: Vec<(String, String)> =
        cookies::chunked_set_cookies(NAMES.session_token, &large, None, false, &Jar::default())
            .into_iter()
            .map(|cookie| (cookie.name.into_owned(), cookie.value))
            .collect();
    assert_eq!(chunks.len(), 3, "the large token is sent in three chunks");

    let single_headers = browser_cookie_header(&[(NAMES.session_token.to_owned(), single.clone())]);
    let chunked_headers = browser_cookie_header(&chunks);
    let single_jar = Jar::from_headers(&single_headers);
    let chunked_jar = Jar::from_headers(&chunked_headers);
    assert_eq!(single_jar.chunked(NAMES.session_token), Some(single));
    assert_eq!(chunked_jar.chunked(NAMES.session_token), Some(large));

    let mut group = c.benchmark_group("cookies");
    group.bench_function("from_headers/session", |b| {
        b.iter(|| Jar::from_headers(black_box(&single_headers)))
    });
    group.bench_function("from_headers/chunked_session_3", |b| {
        b.iter(|| Jar::from_headers(black_box(&chunked_headers)))
    });
    group.bench_function("chunked/session", |b| {
        b.iter(|| black_box(&single_jar).chunked(NAMES.session_token))
    });
    group.bench_function("chunked/chunked_session_3", |b| {
        b.iter(|| black_box(&chunked_jar).chunked(NAMES.session_token))
    });
    group.finish();
}

/// An answer's status, `Set-Cookie` lines and body.
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Vec<String>, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(str::to_owned)
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body reads")
        .to_bytes()
        .to_vec();
    (status, set_cookies, body)
}

/// The `name=value` pair of the `Set-Cookie` line for `name`.
fn cookie_pair(set_cookies: &[String], name: &str) -> String {
    set_cookies
        .iter()
        .filter_map(|line| line.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie was set"))
        .to_owned()
}

/// Signs in as demo/demo through the router (`GET /csrf`, then the credentials callback in
/// JSON mode) and returns the `Cookie` header a browser would then send.
async fn sign_in(app: &Router) -> HeaderValue {
    let request = Request::get("/api/auth/csrf")
        .body(Body::empty())
        .expect("a request");
    let (status, set_cookies, body) = send(app, request).await;
    assert_eq!(status, StatusCode::OK);
    let csrf_cookie = cookie_pair(&set_cookies, NAMES.csrf_token);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    let csrf_token = body["csrfToken"].as_str().expect("a csrfToken").to_owned();

    let request = Request::post("/api/auth/callback/credentials")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &csrf_cookie)
        .body(Body::from(format!(
            "username=demo&password=demo&csrfToken={csrf_token}&json=true"
        )))
        .expect("a request");
    let (status, set_cookies, _) = send(app, request).await;
    assert_eq!(status, StatusCode::OK, "the demo user signs in");
    let session_cookie = cookie_pair(&set_cookies, NAMES.session_token);
    let callback_cookie = format!(
        "{}={}",
        NAMES.callback_url,
        cookies::encode_uri_component(ORIGIN)
    );
    HeaderValue::try_from(format!(
        "{csrf_cookie}; {callback_cookie}; {session_cookie}"
    ))
    .expect("visible ASCII")
}

fn bench_router(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let vars = |name: &str| match name {
        "NEXTAUTH_SECRET" => Some(SECRET.to_owned()),
        "NEXTAUTH_URL" => Some(ORIGIN.to_owned()),
        _ => None,
    };
    let app = auth::router(auth::config_from(&vars).expect("the bench's config"));
    let cookie = runtime.block_on(sign_in(&app));
    let session_request = || {
        Request::get("/api/auth/session")
            .header(header::COOKIE, cookie.clone())
            .body(Body::empty())
            .expect("a request")
    };
    // The cookie is a live session: the answer names the user and rolls the cookie.
    let (status, set_cookies, body) = runtime.block_on(send(&app, session_request()));
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["user"]["email"], "demo@example.com");
    cookie_pair(&set_cookies, NAMES.session_token);

    let mut group = c.benchmark_group("router");
    group.bench_function("get_session/signed_in", |b| {
        b.iter(|| runtime.block_on(send(&app, session_request())))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_token,
    bench_csrf,
    bench_callback_url,
    bench_cookies,
    bench_router
);
criterion_main!(benches);
