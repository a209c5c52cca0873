//! The REST dispatch driven through the router with `oneshot`: body reading, the CSRF check,
//! callbackUrl resolution, which handler each action reaches, and how replies are written.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::HttpBody;
use axum::http::Request;
use axum::http::header::AsHeaderName;
use hyper::body::Frame;
use tower::ServiceExt as _;

use super::*;
use crate::NoData;
use crate::adapter::MemoryAdapter;
use crate::callbacks::Credentials;
use crate::config::{Builder, Page};
use crate::spec::{CredentialField, OAuthSettings, Setting};
use crate::store::AdapterSource;
use crate::throttle::{ClientAddress, ThrottleSettings};
use crate::user::User;

/// A body whose client never sends another byte.
struct Stalled;

impl HttpBody for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_body_not_received_by_the_deadline_gets_408_and_closes_the_connection() {
    let secret = crate::random_secret();
    let lookup = move |name: &str| (name == "NEXTAUTH_SECRET").then(|| secret.clone());
    let mut builder = Builder::<NoData>::new(&lookup);
    builder.secrets(&["NEXTAUTH_SECRET"]);
    let app: Router = Routes::new(builder.build().unwrap()).into_router();
    let request = Request::post("/api/auth/_log")
        .extension(BodyReadTimeout(Duration::from_millis(50)))
        .body(Body::new(Stalled))
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), app.oneshot(request))
        .await
        .expect("the route waited past its deadline")
        .unwrap();
    assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.headers()[header::CONNECTION], "close");
}

const SECRET: &str = "routes-unit-tests-secret-0123456789abcdef";
const ORIGIN: &str = "http://localhost:3000";
const FORM: &str = "application/x-www-form-urlencoded";
const CSRF_COOKIE: &str = "next-auth.csrf-token";
const CALLBACK_COOKIE: &str = "next-auth.callback-url";
const SESSION_COOKIE: &str = "next-auth.session-token";
const NOT_SUPPORTED_GET: &str = "Error: This action with HTTP GET is not supported by NextAuth.js";
const NOT_SUPPORTED_POST: &str =
    "Error: This action with HTTP POST is not supported by NextAuth.js";

/// The credentials provider every test app has: `alice` / `secret` signs in, `broken` makes
/// `authorize` fail with a message, anything else is a wrong password.
static PASSWORD: ProviderSpec = ProviderSpec::credentials(
    "password",
    "Password",
    &[
        CredentialField::new("username", "Username", "text"),
        CredentialField::new("password", "Password", "password"),
    ],
);

static GITHUB: ProviderSpec = ProviderSpec::oauth("github", "GitHub");

async fn authorize(credentials: Credentials) -> Result<Option<User>, String> {
    match (credentials.get("username"), credentials.get("password")) {
        (Some("alice"), Some("secret")) => Ok(Some(User::new("user-alice"))),
        (Some("broken"), _) => Err("the directory is down".to_owned()),
        _ => Ok(None),
    }
}

fn lookup(name: &str) -> Option<String> {
    (name == "NEXTAUTH_SECRET").then(|| SECRET.to_owned())
}

/// The runtime with the `password` provider, plus whatever `configure` declares.
fn auth_with(configure: impl FnOnce(&mut Builder<'_, NoData>)) -> Auth<NoData> {
    let mut builder = Builder::<NoData>::new(&lookup);
    builder.secrets(&["NEXTAUTH_SECRET"]);
    builder.credentials(&PASSWORD, authorize);
    configure(&mut builder);
    builder.build().expect("the test configuration builds")
}

fn router(auth: &Auth<NoData>) -> Router {
    Routes::new(auth.clone()).provider(&PASSWORD).into_router()
}

fn app() -> Router {
    router(&auth_with(|_| {}))
}

/// A valid CSRF cookie: its token, and the `Cookie` pair carrying it.
fn csrf_cookie() -> (String, String) {
    let (token, value) = csrf::mint(SECRET);
    let pair = format!("{CSRF_COOKIE}={}", value.replace('|', "%7C"));
    (token, pair)
}

fn request(method: Method, uri: &str, cookies: &[&str]) -> axum::http::request::Builder {
    let mut request = Request::builder().method(method).uri(uri);
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    request
}

fn get(uri: &str, cookies: &[&str]) -> Request<Body> {
    request(Method::GET, uri, cookies)
        .body(Body::empty())
        .unwrap()
}

fn post(uri: &str, cookies: &[&str], content_type: &str, body: impl Into<Body>) -> Request<Body> {
    request(Method::POST, uri, cookies)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

fn post_form(uri: &str, cookies: &[&str], body: &str) -> Request<Body> {
    post(uri, cookies, FORM, body.to_owned())
}

/// What the router answered, its body read.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn location(&self) -> Option<&str> {
        self.header(header::LOCATION)
    }

    fn content_type(&self) -> Option<&str> {
        self.header(header::CONTENT_TYPE)
    }

    /// The `Set-Cookie` of the cookie `name`, if one was sent.
    fn set_cookie(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}=");
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&prefix))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Asserts the NextAuth answer for an action and method no route serves.
fn assert_not_supported(answer: &Answer, expected: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body, expected);
}

// Body reading.

#[tokio::test]
async fn a_body_of_exactly_64_kib_is_read_and_one_byte_more_gets_413() {
    let app = app();
    let at_limit = send(&app, post_form("/api/auth/_log", &[], &"a".repeat(65536))).await;
    assert_eq!(at_limit.status, StatusCode::OK);
    let over = send(&app, post_form("/api/auth/_log", &[], &"a".repeat(65537))).await;
    assert_eq!(over.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(over.body, "Payload Too Large");
}

#[test]
fn fields_get_finds_the_named_field_and_only_a_json_string_is_a_value() {
    let form = Fields::Form(vec![
        ("a".to_owned(), "1".to_owned()),
        ("b".to_owned(), "2".to_owned()),
        ("b".to_owned(), "3".to_owned()),
    ]);
    assert_eq!(form.get("b"), Some("2"));
    assert_eq!(form.get("c"), None);
    let Value::Object(map) = json!({ "json": true, "name": "x" }) else {
        unreachable!()
    };
    let body = Fields::Json(map);
    assert_eq!(body.get("json"), None);
    assert_eq!(body.get("name"), Some("x"));
}

#[tokio::test]
async fn a_json_object_body_is_read_as_fields_whatever_the_case_and_spacing_of_its_content_type() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let body = json!({ "csrfToken": token }).to_string();
    for content_type in ["application/json", "  Application/JSON; charset=utf-8"] {
        let answer = send(
            &app,
            post("/api/auth/signout", &[&cookie], content_type, body.clone()),
        )
        .await;
        assert_eq!(answer.status, StatusCode::FOUND, "{content_type}");
        assert_eq!(answer.location(), Some(ORIGIN), "{content_type}");
    }
    // An array is no object: no fields, so no CSRF token.
    let array = json!(["csrfToken", token]).to_string();
    let answer = send(
        &app,
        post("/api/auth/signout", &[&cookie], "application/json", array),
    )
    .await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/signout?csrf=true")
    );
}

#[tokio::test]
async fn a_credentials_sign_in_gives_authorize_the_posted_form_fields() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let signed_in = send(
        &app,
        post_form(
            "/api/auth/callback/password",
            &[&cookie],
            &format!("csrfToken={token}&username=alice&password=secret"),
        ),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::FOUND);
    assert_eq!(signed_in.location(), Some(ORIGIN));
    assert!(signed_in.set_cookie(SESSION_COOKIE).is_some());
    let refused = send(
        &app,
        post_form(
            "/api/auth/callback/password",
            &[&cookie],
            &format!("csrfToken={token}&username=alice&password=wrong"),
        ),
    )
    .await;
    assert_eq!(
        refused.location(),
        Some("http://localhost:3000/api/auth/error?error=CredentialsSignin&provider=password")
    );
    assert!(refused.set_cookie(SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn a_form_post_answer_without_its_check_cookies_is_sent_again_with_every_field() {
    let auth = auth_with(|b| {
        b.oauth(
            &GITHUB,
            OAuthSettings::new(
                crate::oauth::Preset::GitHub,
                Setting::Literal("client-id"),
                Setting::Literal("client-secret"),
            ),
        );
    });
    let answer = send(
        &router(&auth),
        post_form("/api/auth/callback/github", &[], "code=c0de&state=st4te"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    for field in [
        r#"name="code" value="c0de""#,
        r#"name="state" value="st4te""#,
        r#"name="formPostAgain" value="1""#,
    ] {
        assert!(answer.body.contains(field), "{field} in {}", answer.body);
    }
}

// JSON mode.

#[tokio::test]
async fn json_true_as_a_form_field_answers_a_redirect_as_url_json_with_the_replys_status() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let answer = send(
        &app,
        post_form(
            "/api/auth/callback/password",
            &[&cookie],
            &format!("csrfToken={token}&username=alice&password=wrong&json=true"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.location(), None);
    assert_eq!(
        answer.content_type(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        answer.json(),
        json!({ "url": "http://localhost:3000/api/auth/error?error=CredentialsSignin&provider=password" })
    );
}

#[tokio::test]
async fn json_given_as_a_json_boolean_is_not_json_mode() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let body = json!({
        "csrfToken": token,
        "username": "alice",
        "password": "wrong",
        "json": true,
    });
    let answer = send(
        &app,
        post(
            "/api/auth/callback/password",
            &[&cookie],
            "application/json",
            body.to_string(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=CredentialsSignin&provider=password")
    );
}

#[tokio::test]
async fn only_x_auth_return_redirect_1_is_the_authjs_client_answered_200_with_the_sign_in_page_url()
{
    let app = app();
    let (token, cookie) = csrf_cookie();
    let attempt = |value: &'static str| {
        request(Method::POST, "/api/auth/callback/password", &[&cookie])
            .header(header::CONTENT_TYPE, FORM)
            .header("x-auth-return-redirect", value)
            .body(Body::from(format!(
                "csrfToken={token}&username=alice&password=wrong"
            )))
            .unwrap()
    };
    let v5 = send(&app, attempt("1")).await;
    assert_eq!(v5.status, StatusCode::OK);
    assert_eq!(
        v5.json(),
        json!({ "url": "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials" })
    );
    let other = send(&app, attempt("true")).await;
    assert_eq!(other.status, StatusCode::FOUND);
    assert_eq!(
        other.location(),
        Some("http://localhost:3000/api/auth/error?error=CredentialsSignin&provider=password")
    );
}

// The CSRF check.

#[tokio::test]
async fn signout_with_the_cookies_token_in_the_body_signs_out() {
    let (token, cookie) = csrf_cookie();
    let answer = send(
        &app(),
        post_form(
            "/api/auth/signout",
            &[&cookie, "next-auth.session-token=stale"],
            &format!("csrfToken={token}"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(answer.location(), Some(ORIGIN));
    let cleared = answer.set_cookie(SESSION_COOKIE).expect("session cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn signout_with_a_valid_cookie_but_no_or_another_body_token_is_refused() {
    let app = app();
    let (_, cookie) = csrf_cookie();
    let (other_token, _) = csrf_cookie();
    for body in [String::new(), format!("csrfToken={other_token}")] {
        let answer = send(&app, post_form("/api/auth/signout", &[&cookie], &body)).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{body}");
        assert_eq!(
            answer.location(),
            Some("http://localhost:3000/api/auth/signout?csrf=true"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn signout_with_the_body_token_but_no_valid_cookie_is_refused_and_gets_a_new_cookie() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    // The hash's last hex digit changed (to another digit whatever it was).
    let last = if cookie.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &cookie[..cookie.len() - 1]);
    for cookies in [vec![], vec![tampered.as_str()]] {
        let answer = send(
            &app,
            post_form("/api/auth/signout", &cookies, &format!("csrfToken={token}")),
        )
        .await;
        assert_eq!(
            answer.location(),
            Some("http://localhost:3000/api/auth/signout?csrf=true"),
            "{cookies:?}"
        );
        assert!(answer.set_cookie(CSRF_COOKIE).is_some(), "{cookies:?}");
    }
}

#[tokio::test]
async fn post_signin_to_a_provider_needs_the_csrf_token() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let refused = send(&app, post_form("/api/auth/signin/password", &[&cookie], "")).await;
    assert_eq!(
        refused.location(),
        Some("http://localhost:3000/api/auth/signin?csrf=true")
    );
    // Credentials sign in through their callback: the verified POST is sent to the page.
    let verified = send(
        &app,
        post_form(
            "/api/auth/signin/password",
            &[&cookie],
            &format!("csrfToken={token}"),
        ),
    )
    .await;
    assert_eq!(
        verified.location(),
        Some("http://localhost:3000/api/auth/signin")
    );
}

// callbackUrl.

#[tokio::test]
async fn a_query_callback_url_that_is_no_url_redirects_to_the_configuration_error() {
    let answer = send(
        &app(),
        get("/api/auth/session?callbackUrl=javascript:alert(1)", &[]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=Configuration")
    );
    // No cookie held it: none to clear, and none is set.
    assert_eq!(answer.set_cookie(CALLBACK_COOKIE), None);
}

#[tokio::test]
async fn a_callback_url_cookie_that_is_no_url_redirects_to_the_configuration_error_and_is_cleared()
{
    let cookie = format!("{CALLBACK_COOKIE}=javascript%3Aalert(1)");
    let answer = send(&app(), get("/api/auth/session", &[&cookie])).await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=Configuration")
    );
    let cleared = answer.set_cookie(CALLBACK_COOKIE).expect("cookie cleared");
    assert!(
        cleared.starts_with(&format!("{CALLBACK_COOKIE}=;")),
        "{cleared}"
    );
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn a_bad_query_callback_url_keeps_a_good_callback_url_cookie() {
    let good = format!("{CALLBACK_COOKIE}=http%3A%2F%2Flocalhost%3A3000%2Fdashboard");
    let answer = send(
        &app(),
        get(
            "/api/auth/session?callbackUrl=javascript:alert(1)",
            &[&good],
        ),
    )
    .await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=Configuration")
    );
    assert_eq!(answer.set_cookie(CALLBACK_COOKIE), None);
}

#[tokio::test]
async fn an_acceptable_query_callback_url_is_resolved_and_remembered_in_its_cookie() {
    let answer = send(&app(), get("/api/auth/session?callbackUrl=/dashboard", &[])).await;
    assert_eq!(answer.status, StatusCode::OK);
    let set = answer.set_cookie(CALLBACK_COOKIE).expect("cookie set");
    assert!(
        set.starts_with(&format!(
            "{CALLBACK_COOKIE}=http%3A%2F%2Flocalhost%3A3000%2Fdashboard;"
        )),
        "{set}"
    );
}

#[tokio::test]
async fn the_callback_url_cookie_is_set_again_only_when_the_resolved_url_changes() {
    let app = app();
    let same = format!("{CALLBACK_COOKIE}=http%3A%2F%2Flocalhost%3A3000");
    let unchanged = send(&app, get("/api/auth/session", &[&same])).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(unchanged.set_cookie(CALLBACK_COOKIE), None);
    let changed = send(&app, get("/api/auth/session?callbackUrl=/next", &[&same])).await;
    assert!(changed.set_cookie(CALLBACK_COOKIE).is_some());
}

#[tokio::test]
async fn the_body_callback_url_wins_and_one_that_is_no_url_counts_as_the_origin() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let from_body = send(
        &app,
        post_form(
            "/api/auth/signout?callbackUrl=/from-query",
            &[&cookie],
            &format!("csrfToken={token}&callbackUrl=%2Ffrom-body"),
        ),
    )
    .await;
    assert_eq!(
        from_body.location(),
        Some("http://localhost:3000/from-body")
    );
    let not_a_url = send(
        &app,
        post_form(
            "/api/auth/signout",
            &[&cookie],
            &format!("csrfToken={token}&callbackUrl=javascript%3Aalert(1)"),
        ),
    )
    .await;
    assert_eq!(not_a_url.location(), Some(ORIGIN));
}

#[tokio::test]
async fn the_redirect_callback_decides_the_callback_url_when_declared() {
    let auth = auth_with(|b| {
        b.redirect_callback(|params: RedirectParams| async move {
            format!("{}/chosen?asked={}", params.base_url, params.url)
        });
    });
    let (token, cookie) = csrf_cookie();
    let answer = send(
        &router(&auth),
        post_form(
            "/api/auth/signout?callbackUrl=/asked",
            &[&cookie],
            &format!("csrfToken={token}"),
        ),
    )
    .await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/chosen?asked=/asked")
    );
}

// Error URLs.

#[tokio::test]
async fn the_error_url_is_pages_error_joined_with_a_question_mark_or_an_ampersand() {
    for (page, expected) in [
        ("/oops", "/oops?error=Configuration"),
        ("/oops?lang=en", "/oops?lang=en&error=Configuration"),
    ] {
        let auth = auth_with(|b| b.page(Page::Error, page));
        let answer = send(
            &router(&auth),
            get("/api/auth/session?callbackUrl=javascript:alert(1)", &[]),
        )
        .await;
        assert_eq!(answer.location(), Some(expected), "{page}");
    }
}

#[tokio::test]
async fn an_error_thrown_by_authorize_is_the_error_code_percent_encoded() {
    let (token, cookie) = csrf_cookie();
    let answer = send(
        &app(),
        post_form(
            "/api/auth/callback/password",
            &[&cookie],
            &format!("csrfToken={token}&username=broken&password=x"),
        ),
    )
    .await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=the%20directory%20is%20down")
    );
}

#[tokio::test]
async fn the_error_page_reads_its_code_from_the_query() {
    let answer = send(
        &app(),
        get("/api/auth/error?from=x&error=Configuration", &[]),
    )
    .await;
    // `Configuration` is the one code answered with 500.
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.body.contains("Server error"), "{}", answer.body);
}

// The throttle.

/// A credentials attempt with a wrong password, in JSON mode when `json`, from `address`
/// (`X-Forwarded-For`) when given.
fn wrong_password(json: bool, address: Option<&str>) -> Request<Body> {
    let (token, cookie) = csrf_cookie();
    let mut body = format!("csrfToken={token}&username=alice&password=wrong");
    if json {
        body.push_str("&json=true");
    }
    let mut request = request(Method::POST, "/api/auth/callback/password", &[&cookie])
        .header(header::CONTENT_TYPE, FORM);
    if let Some(address) = address {
        request = request.header("x-forwarded-for", address);
    }
    request.body(Body::from(body)).unwrap()
}

fn retry_after(answer: &Answer) -> u64 {
    let seconds: u64 = answer
        .header(header::RETRY_AFTER)
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&seconds), "{seconds}");
    seconds
}

#[tokio::test]
async fn a_throttled_sign_in_gets_429_with_retry_after_and_the_url_in_json_mode() {
    let auth = auth_with(|b| b.throttle(ThrottleSettings::new().per_address(1, 60)));
    let app = router(&auth);
    let first = send(&app, wrong_password(true, None)).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    let second = send(&app, wrong_password(true, None)).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    retry_after(&second);
    assert_eq!(
        second.json(),
        json!({ "url": "http://localhost:3000/api/auth/error?error=TooManyRequests" })
    );
}

#[tokio::test]
async fn a_throttled_sign_in_gets_429_with_retry_after_and_the_error_page() {
    let auth = auth_with(|b| b.throttle(ThrottleSettings::new().per_address(1, 60)));
    let app = router(&auth);
    send(&app, wrong_password(false, None)).await;
    let second = send(&app, wrong_password(false, None)).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    retry_after(&second);
    assert_eq!(second.content_type(), Some("text/html"));
    assert!(second.body.contains("Too many requests"), "{}", second.body);
}

#[tokio::test]
async fn the_throttle_counts_each_client_address_on_its_own() {
    let auth = auth_with(|b| {
        b.throttle(
            ThrottleSettings::new()
                .per_address(1, 60)
                .client_address(ClientAddress::XForwardedFor),
        );
    });
    let app = router(&auth);
    let first = send(&app, wrong_password(false, Some("203.0.113.1"))).await;
    assert_eq!(first.status, StatusCode::FOUND);
    let again = send(&app, wrong_password(false, Some("203.0.113.1"))).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let other = send(&app, wrong_password(false, Some("203.0.113.2"))).await;
    assert_eq!(other.status, StatusCode::FOUND);
}

// What a recorded session keeps.

#[tokio::test]
async fn a_sign_in_through_the_callback_records_the_browsers_user_agent() {
    let auth = auth_with(|b| {
        b.jwt_session_store(AdapterSource::custom(|| async {
            Ok::<_, Infallible>(MemoryAdapter::new())
        }));
    });
    let (token, cookie) = csrf_cookie();
    let request = request(Method::POST, "/api/auth/callback/password", &[&cookie])
        .header(header::CONTENT_TYPE, FORM)
        .header(header::USER_AGENT, "UnitTestBrowser/1.0")
        .body(Body::from(format!(
            "csrfToken={token}&username=alice&password=secret"
        )))
        .unwrap();
    let answer = send(&router(&auth), request).await;
    assert_eq!(answer.location(), Some(ORIGIN));
    let sessions = auth.sessions("user-alice").await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0].user_agent.as_deref(),
        Some("UnitTestBrowser/1.0")
    );
}

// Dispatch: each beyond-NextAuth route reaches its own handler (which, without database
// sessions, answers with a JSON error or a redirect), every other path the 400 fallback.

#[tokio::test]
async fn get_accounts_reaches_the_account_list_and_get_accounts_with_a_path_does_not() {
    let app = app();
    let list = send(&app, get("/api/auth/accounts", &[])).await;
    assert_eq!(list.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        list.json(),
        json!({ "error": "accounts are kept with database sessions only" })
    );
    let other = send(&app, get("/api/auth/accounts/x", &[])).await;
    assert_not_supported(&other, NOT_SUPPORTED_GET);
}

#[tokio::test]
async fn post_accounts_link_and_unlink_reach_their_own_handlers_and_other_paths_do_not() {
    let app = app();
    let link = send(&app, post_form("/api/auth/accounts/link", &[], "")).await;
    assert_eq!(
        link.location(),
        Some("http://localhost:3000/api/auth/signin?csrf=true")
    );
    let unlink = send(&app, post_form("/api/auth/accounts/unlink", &[], "")).await;
    assert_eq!(unlink.status, StatusCode::FORBIDDEN);
    assert_eq!(
        unlink.json(),
        json!({ "error": "the CSRF token is missing or wrong" })
    );
    for path in ["/api/auth/accounts", "/api/auth/accounts/other"] {
        let other = send(&app, post_form(path, &[], "")).await;
        assert_not_supported(&other, NOT_SUPPORTED_POST);
    }
}

#[tokio::test]
async fn get_sessions_and_post_sessions_revoke_reach_their_handlers_and_other_paths_do_not() {
    let app = app();
    let list = send(&app, get("/api/auth/sessions", &[])).await;
    assert_eq!(list.status, StatusCode::BAD_REQUEST);
    let error = list.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(
        error.starts_with("sessions are listed and revoked"),
        "{error}"
    );
    let other = send(&app, get("/api/auth/sessions/x", &[])).await;
    assert_not_supported(&other, NOT_SUPPORTED_GET);
    let revoke = send(&app, post_form("/api/auth/sessions/revoke", &[], "")).await;
    assert_eq!(revoke.status, StatusCode::FORBIDDEN);
    assert_eq!(
        revoke.json(),
        json!({ "error": "the CSRF token is missing or wrong" })
    );
    for path in ["/api/auth/sessions", "/api/auth/sessions/other"] {
        let other = send(&app, post_form(path, &[], "")).await;
        assert_not_supported(&other, NOT_SUPPORTED_POST);
    }
}

#[cfg(feature = "passkeys")]
#[tokio::test]
async fn passkey_routes_reach_their_handlers_and_other_paths_do_not() {
    let app = app();
    let list = send(&app, get("/api/auth/passkeys", &[])).await;
    assert_eq!(list.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        list.json(),
        json!({ "error": "passkeys are kept with database sessions only" })
    );
    let other = send(&app, get("/api/auth/passkeys/x", &[])).await;
    assert_not_supported(&other, NOT_SUPPORTED_GET);
    for path in ["/api/auth/passkeys/rename", "/api/auth/passkeys/delete"] {
        let answer = send(&app, post_form(path, &[], "")).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            answer.json(),
            json!({ "error": "the CSRF token is missing or wrong" }),
            "{path}"
        );
    }
    for path in ["/api/auth/passkeys", "/api/auth/passkeys/other"] {
        let other = send(&app, post_form(path, &[], "")).await;
        assert_not_supported(&other, NOT_SUPPORTED_POST);
    }
}

// NextAuth's fixed answers.

#[tokio::test]
async fn get_providers_lists_each_provider_with_its_absolute_urls() {
    let answer = send(&app(), get("/api/auth/providers", &[])).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.content_type(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        answer.json(),
        json!({
            "password": {
                "id": "password",
                "name": "Password",
                "type": "credentials",
                "signinUrl": "http://localhost:3000/api/auth/signin/password",
                "callbackUrl": "http://localhost:3000/api/auth/callback/password",
            }
        })
    );
}

#[tokio::test]
async fn get_csrf_answers_the_trusted_token_and_is_never_cached() {
    let app = app();
    let (token, cookie) = csrf_cookie();
    let kept = send(&app, get("/api/auth/csrf", &[&cookie])).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(kept.json(), json!({ "csrfToken": token }));
    assert_eq!(kept.set_cookie(CSRF_COOKIE), None);
    assert_eq!(kept.content_type(), Some("application/json; charset=utf-8"));
    assert_eq!(
        kept.header(header::CACHE_CONTROL),
        Some("private, no-cache, no-store")
    );
    assert_eq!(kept.header(header::PRAGMA), Some("no-cache"));
    assert_eq!(kept.header(header::EXPIRES), Some("0"));
    // Without a cookie, the answer is the token of the cookie minted with it.
    let minted = send(&app, get("/api/auth/csrf", &[])).await;
    let new_token = minted.json()["csrfToken"].as_str().unwrap().to_owned();
    let set = minted.set_cookie(CSRF_COOKIE).expect("a CSRF cookie");
    assert!(
        set.starts_with(&format!("{CSRF_COOKIE}={new_token}%7C")),
        "{set}"
    );
}

#[tokio::test]
async fn get_csrf_answers_a_cookie_token_that_json_must_escape_escaped() {
    // NextAuth trusts any non-empty token whose hash matches: hex is only what it mints.
    let token = "a\"b\\c</script>é";
    let value = format!("{token}|{}", csrf::hash(token, SECRET));
    let cookie = format!(
        "{CSRF_COOKIE}={}",
        crate::cookies::encode_uri_component(&value)
    );
    let answer = send(&app(), get("/api/auth/csrf", &[&cookie])).await;
    assert_eq!(answer.json(), json!({ "csrfToken": token }));
    assert_eq!(answer.set_cookie(CSRF_COOKIE), None);
}

#[tokio::test]
async fn the_minted_csrf_cookie_and_the_origins_callback_url_cookie_are_written_as_set_cookie_writes_them()
 {
    for origin in ["http://localhost:3000", "https://example.com:8443/app"] {
        let lookup = |name: &str| match name {
            "NEXTAUTH_URL" => Some(origin.to_owned()),
            _ => self::lookup(name),
        };
        let mut builder = Builder::<NoData>::new(&lookup);
        builder.secrets(&["NEXTAUTH_SECRET"]);
        builder.credentials(&PASSWORD, authorize);
        let auth = builder.build().expect("the test configuration builds");
        let secure = origin.starts_with("https:");
        let names = auth.inner.cookies;
        let minted = send(
            &router(&auth),
            get(&format!("{}/csrf", auth.inner.base.path()), &[]),
        )
        .await;
        let token = minted.json()["csrfToken"].as_str().unwrap().to_owned();
        let general = SetCookie::new(
            names.csrf_token,
            format!("{token}|{}", csrf::hash(&token, SECRET)),
            secure,
        );
        assert_eq!(
            minted.set_cookie(names.csrf_token),
            Some(general.serialize().as_str())
        );
        let callback = SetCookie::new(
            names.callback_url,
            auth.inner.base.origin().to_owned(),
            secure,
        );
        assert_eq!(
            minted.set_cookie(names.callback_url),
            Some(callback.serialize().as_str())
        );
    }
}

#[tokio::test]
async fn answers_without_a_content_type_of_their_own_are_text_html_as_in_nextauth_v3() {
    let app = app();
    let redirect = send(
        &app,
        get("/api/auth/session?callbackUrl=javascript:alert(1)", &[]),
    )
    .await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    assert_eq!(redirect.content_type(), Some("text/html"));
    let fallback = send(&app, get("/api/auth/nowhere", &[])).await;
    assert_not_supported(&fallback, NOT_SUPPORTED_GET);
    assert_eq!(fallback.content_type(), Some("text/html"));
    let log = send(&app, post_form("/api/auth/_log", &[], "")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.content_type(), Some("text/html"));
}

#[tokio::test]
async fn a_path_segments_escapes_are_decoded_and_one_without_any_is_taken_as_it_is() {
    let app = app();
    // `%63` is `c`: the action is `csrf` either way.
    for uri in ["/api/auth/csrf", "/api/auth/%63srf"] {
        let answer = send(&app, get(uri, &[])).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert!(answer.json()["csrfToken"].is_string(), "{uri}");
    }
    // A provider's id decoded the same way: `passw%6Frd` is `password`.
    let (token, cookie) = csrf_cookie();
    let form = format!("csrfToken={token}&username=alice&password=wrong");
    let answer = send(
        &app,
        post_form("/api/auth/callback/passw%6Frd", &[&cookie], &form),
    )
    .await;
    assert_eq!(
        answer.location(),
        Some("http://localhost:3000/api/auth/error?error=CredentialsSignin&provider=password")
    );
}
