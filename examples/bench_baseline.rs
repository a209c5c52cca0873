//! Bare axum for `cargo xtask bench`: the demo's auth routes answered with the demo's own
//! bytes and no work at all, the ceiling auth-runtime is measured against (issue 7).
//!
//! ```text
//! PORT=3000 cargo run --release --example bench_baseline
//! ```
//!
//! Every body and header below is the release demo's answer copied (captured with curl from
//! `cargo run --example demo` signed in as demo/demo, with `NEXTAUTH_SECRET` set); only the
//! origin is this server's, so lengths match when the ports have as many digits. Random
//! values (CSRF tokens, the rolling session token, dates) are frozen: the same length, no work.
//! `/session` answers signed in when the request carries a `session-token` cookie, like the
//! demo's, and `{}` otherwise. `/me` answers the demo's `/me` for demo/demo whatever the request
//! carries (the limit for the demo's `/me`, the database example's and axum-login's).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, EXPIRES, PRAGMA, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// A CSRF token and its double-submit cookie, frozen (the demo makes a fresh pair per visit).
const CSRF_TOKEN: &str = "6c3eaa6771b71b019a7262d7c8d6ff1dc2b2fb369b3710f7557712b3d5c4f471";
const CSRF_COOKIE: &str = "next-auth.csrf-token=6c3eaa6771b71b019a7262d7c8d6ff1dc2b2fb369b3710f7557712b3d5c4f471%7C96b28945d1a3ff8849431f80757e0efba41148cd525e3792dd98830f2141c304; Path=/; HttpOnly; SameSite=Lax";
/// The demo's rolling session cookie (a 301-character JWE), frozen.
const SESSION_COOKIE: &str = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..Db4VanpPPsd7PVLT.eB8itep_Yep7A9aDEjeoY0Ou01gSIJIHARScAZQwN49KiOU7yXomTeGP6IUgSLG3wbfPt58MM7iP9lDwIHDyv3smlTvPYh1-1_e8n1xd4d-wSa_dvl3DhZaRu_VQINvDE6KEyhcVNcRuAb6IfKurNmufjYsJi4qQNWc9-noZYUrplqCtFLr2CXimHhs4PtbGy_92ooUuOePiCTJNTHApYXmaMrmj.xpORfoA0v_OApfksoB67Mg; Path=/; Expires=Mon, 28 Dec 2026 20:53:37 GMT; HttpOnly; SameSite=Lax";
const SESSION_BODY: &str = r#"{"user":{"name":"Demo User","email":"demo@example.com","image":null},"expires":"2026-12-28T20:53:37.684Z"}"#;
/// The demo's `/me` for demo/demo signed in with credentials (`application/json`, no cookie).
const ME_BODY: &str = r#"{"id":"1","name":"Demo User","email":"demo@example.com","roles":["admin"],"provider":"credentials"}"#;
const PROVIDERS_BODY: &str = r#"{"credentials":{"id":"credentials","name":"Credentials","type":"credentials","signinUrl":"{origin}/api/auth/signin/credentials","callbackUrl":"{origin}/api/auth/callback/credentials"}}"#;
/// The demo's built-in sign-in page for its credentials provider.
const SIGNIN_PAGE: &str = r##"<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width, initial-scale=1.0"><style>:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1f2328;--muted:#656d76;--line:#d0d7de;--field:#fff;--field-line:#8c959f;--btn:#24292f;--btn-text:#fff;--focus:#0969da;--err-bg:#fdecea;--err-text:#a4271b;--err-line:#f3b8b0}@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#8d96a0;--line:#30363d;--field:#0d1117;--field-line:#6e7681;--btn:#e6edf3;--btn-text:#0d1117;--focus:#4493f8;--err-bg:#3b1d1a;--err-text:#ffb4a8;--err-line:#7d2d24}}*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-text-size-adjust:100%;text-size-adjust:100%}.page{display:flex;justify-content:center;align-items:center;min-height:100vh;padding:2rem 1rem}.page>div{width:100%;max-width:24rem;margin-bottom:8vh}.card{padding:2rem 1.5rem;background:var(--card);border:1px solid var(--line);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.06),0 8px 24px rgba(0,0,0,.06);overflow-wrap:anywhere}h1{margin:0 0 1rem;font-size:1.375rem;line-height:1.3;text-align:center}p{margin:0 0 1rem}.message,.verify-request p,.signout h1{text-align:center}.signout h1{margin-bottom:1.5rem}form{margin:0}label{display:block;margin:0 0 .375rem;font-size:.875rem;font-weight:600}input{display:block;width:100%;margin:0 0 1rem;padding:.625rem .75rem;font:inherit;color:var(--text);background:var(--field);border:1px solid var(--field-line);border-radius:8px}input[type=hidden]{display:none}.button{display:block;width:100%;margin:0 0 .75rem;padding:.6875rem 1rem;font:inherit;font-weight:600;line-height:1.5;text-align:center;text-decoration:none;color:var(--btn-text);background:var(--btn);border:0;border-radius:8px;cursor:pointer}.button:hover{opacity:.88}input:focus-visible,.button:focus-visible,a:focus-visible{outline:2px solid var(--focus);outline-offset:2px}input+.button{margin-top:1.25rem}.card>:last-child,.card>:last-child>:last-child,.card>:last-child>:last-child>:last-child{margin-bottom:0}hr{height:0;margin:1.5rem 0;overflow:visible;text-align:center;border:0;border-top:1px solid var(--line)}hr::before{content:"or";position:relative;top:-.75em;padding:0 .75rem;font-size:.875rem;color:var(--muted);background:var(--card)}.card .error{margin:0 0 1.25rem;padding:.75rem 1rem;text-align:center;color:var(--err-text);background:var(--err-bg);border:1px solid var(--err-line);border-radius:8px}.card .error p{margin:0}a.site{color:inherit;font-weight:600;text-underline-offset:.2em}</style><title>Sign In</title></head><body class="__next-auth-theme-auto"><div class="page"><div class="signin"><div class="card"><div class="provider"><form action="{origin}/api/auth/callback/credentials" method="POST"><input type="hidden" name="csrfToken" value="{csrf_token}"><label class="section-header" for="input-username-for-credentials-provider">Username</label><input name="username" id="input-username-for-credentials-provider" type="text"><label class="section-header" for="input-password-for-credentials-provider">Password</label><input name="password" id="input-password-for-credentials-provider" type="password"><button type="submit" class="button">Sign in with Credentials</button></form></div></div></div></div></body></html>"##;

/// One frozen answer: headers and body, cloned per request (reference counts, no copies).
#[derive(Clone)]
struct Canned {
    headers: HeaderMap,
    body: Bytes,
}

impl IntoResponse for Canned {
    fn into_response(self) -> Response {
        (self.headers, self.body).into_response()
    }
}

struct Answers {
    session: Canned,
    anonymous: Canned,
    csrf: Canned,
    providers: Canned,
    signin: Canned,
    me: Canned,
}

fn canned(headers: &[(HeaderName, &str)], body: String) -> Canned {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            name.clone(),
            HeaderValue::from_str(value).expect("a valid header value"),
        );
    }
    Canned {
        headers: map,
        body: Bytes::from(body),
    }
}

/// `first` then `rest`.
fn with<'a>(
    first: &[(HeaderName, &'a str)],
    rest: &[(HeaderName, &'a str)],
) -> Vec<(HeaderName, &'a str)> {
    first.iter().chain(rest).cloned().collect()
}

fn answers(origin: &str) -> Answers {
    let json = (CONTENT_TYPE, "application/json; charset=utf-8");
    let no_store = [
        (CACHE_CONTROL, "private, no-cache, no-store"),
        (PRAGMA, "no-cache"),
        (EXPIRES, "0"),
    ];
    let callback = format!(
        "next-auth.callback-url={}; Path=/; HttpOnly; SameSite=Lax",
        origin.replace(':', "%3A").replace('/', "%2F")
    );
    let visit = [(SET_COOKIE, CSRF_COOKIE), (SET_COOKIE, callback.as_str())];
    Answers {
        session: canned(
            &with(
                std::slice::from_ref(&json),
                &with(&no_store, &[(SET_COOKIE, SESSION_COOKIE)]),
            ),
            SESSION_BODY.to_owned(),
        ),
        anonymous: canned(
            &with(std::slice::from_ref(&json), &with(&no_store, &visit)),
            "{}".to_owned(),
        ),
        csrf: canned(
            &with(std::slice::from_ref(&json), &with(&no_store, &visit)),
            format!(r#"{{"csrfToken":"{CSRF_TOKEN}"}}"#),
        ),
        providers: canned(
            &with(std::slice::from_ref(&json), &visit),
            PROVIDERS_BODY.replace("{origin}", origin),
        ),
        signin: canned(
            &with(&[(CONTENT_TYPE, "text/html")], &visit),
            SIGNIN_PAGE
                .replace("{origin}", origin)
                .replace("{csrf_token}", CSRF_TOKEN),
        ),
        me: canned(&[(CONTENT_TYPE, "application/json")], ME_BODY.to_owned()),
    }
}

type Shared = State<Arc<Answers>>;

async fn session(State(answers): Shared, headers: HeaderMap) -> Canned {
    let signed_in = headers
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("session-token="));
    if signed_in {
        answers.session.clone()
    } else {
        answers.anonymous.clone()
    }
}

async fn csrf(State(answers): Shared) -> Canned {
    answers.csrf.clone()
}

async fn providers(State(answers): Shared) -> Canned {
    answers.providers.clone()
}

async fn signin(State(answers): Shared) -> Canned {
    answers.signin.clone()
}

async fn me(State(answers): Shared) -> Canned {
    answers.me.clone()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let answers = Arc::new(answers(&format!("http://127.0.0.1:{port}")));
    let app = Router::new()
        .route("/api/auth/session", get(session))
        .route("/api/auth/csrf", get(csrf))
        .route("/api/auth/providers", get(providers))
        .route("/api/auth/signin", get(signin))
        .route("/me", get(me))
        .with_state(answers);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
