//! The REST API under the base path: one catch-all route that reads the request once
//! (cookies, CSRF, callbackUrl, body) and dispatches on NextAuth's `[action, provider]`.
//!
//! Dispatch lives here rather than in per-provider generated handlers because NextAuth
//! answers unknown providers and methods in specific ways (`csrf=true` redirects, 400s) and
//! writes the CSRF and callback-url cookies before routing; one place keeps that exact.

mod accounts;
mod callback;
mod checks;
mod database;
mod email_link;
mod pages;
#[cfg(feature = "passkeys")]
mod passkey;
mod session;
mod sessions;
mod signin;
mod signout;

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use crate::callback_url;
use crate::callbacks::{ErrorEvent, RedirectParams};
use crate::config::{Auth, Inner};
use crate::cookies::{Jar, SetCookie};
use crate::csrf;
use crate::serve::BodyReadTimeout;
use crate::spec::ProviderSpec;
use crate::user::SessionData;

/// Bodies larger than this are refused with 413: no NextAuth form comes close.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;

/// How long a POST body may take to arrive once its headers have: NextAuth's forms are a few
/// hundred bytes that any client sends at once, so ten seconds is only reached by a client
/// trickling its body to hold the request (and its connection) open. Such a client gets 408
/// and the connection is closed. `serve(…).body_read_timeout(…)` sets another deadline.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The REST API's routes, as the `router` that `auth!` generates lays them out: NextAuth's
/// actions (`new`), then each provider's sign-in and callback routes, answered with the
/// provider fixed (`provider`), then every other path under the base path, which gets
/// NextAuth's answers for unknown actions and providers (`into_router`).
pub struct Routes<D, S> {
    auth: Auth<D>,
    router: Router<S>,
}

impl<D: SessionData, S: Clone + Send + Sync + 'static> Routes<D, S> {
    /// NextAuth's actions under the base path: `/session`, `/csrf`, `/providers` (static
    /// routes: the ones every page load hits capture no path parameter), and the base path
    /// itself. OpenID discovery starts in the background.
    pub fn new(auth: Auth<D>) -> Self {
        warm_up_discovery(&auth);
        let mut routes = Routes {
            router: Router::new(),
            auth,
        };
        let base = routes.auth.inner.base.path().to_owned();
        for path in [
            format!("{base}/session"),
            format!("{base}/csrf"),
            format!("{base}/providers"),
            base.clone(),
            format!("{base}/"),
        ] {
            routes = routes.route(&path, None);
        }
        routes
    }

    /// `POST <base>/signin/<id>` and `GET|POST <base>/callback/<id>` of one provider, each
    /// answered with the provider fixed rather than looked up from the path. A provider that
    /// is off (an `#[optional]` one without its variables) answers as an unknown one.
    pub fn provider(self, spec: &'static ProviderSpec) -> Self {
        let base = self.auth.inner.base.path().to_owned();
        let id = spec.id;
        self.route(&format!("{base}/signin/{id}"), Some(id))
            .route(&format!("{base}/callback/{id}"), Some(id))
    }

    /// The routes, with every other path under the base path answered as NextAuth does.
    pub fn into_router(self) -> Router<S> {
        let base = self.auth.inner.base.path().to_owned();
        self.route(&format!("{base}/{{*rest}}"), None).router
    }

    /// `path`, answered by the REST API; `provider` fixes the route's provider.
    fn route(mut self, path: &str, provider: Option<&'static str>) -> Self {
        let auth = self.auth.clone();
        let handler = move |request: Request| {
            let auth = auth.clone();
            async move { handle(&auth.inner, request, provider).await }
        };
        self.router = self.router.route(path, any(handler));
        self
    }
}

/// Fetches every OpenID provider's discovery document in the background at start-up, so the
/// first sign-in does not wait for it; a failure is logged and retried at sign-in.
fn warm_up_discovery<D: SessionData>(auth: &Auth<D>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let Some(client) = auth.inner.oauth.clone() else {
        return;
    };
    for provider in &auth.inner.providers {
        if let crate::config::ProviderBehaviour::OAuth {
            provider: oauth, ..
        } = &provider.behaviour
        {
            let (client, oauth, id) = (client.clone(), oauth.clone(), provider.spec.id);
            runtime.spawn(async move {
                if let Err(e) = client.discover(&oauth).await {
                    tracing::warn!(provider = id, error = %e, "OIDC discovery failed at start-up; retried at sign-in");
                }
            });
        }
    }
}

/// A POST body: urlencoded form fields, or a JSON object (next-auth v4's `fetchData`).
pub(crate) enum Fields {
    Form(Vec<(String, String)>),
    Json(serde_json::Map<String, Value>),
}

impl Fields {
    /// A field's string value; a JSON non-string is no value (so `"json": true` is not JSON mode).
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        match self {
            Fields::Form(pairs) => pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            Fields::Json(map) => map.get(key).and_then(Value::as_str),
        }
    }

    /// The fields of a form-encoded body, in order; `None` for a JSON one.
    pub(crate) fn form_pairs(&self) -> Option<&[(String, String)]> {
        match self {
            Fields::Form(pairs) => Some(pairs),
            Fields::Json(_) => None,
        }
    }

    fn from_bytes(headers: &HeaderMap, bytes: &[u8]) -> Fields {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        if is_json {
            match serde_json::from_slice(bytes) {
                Ok(Value::Object(map)) => Fields::Json(map),
                _ => Fields::Json(serde_json::Map::new()),
            }
        } else {
            Fields::Form(form_urlencoded::parse(bytes).into_owned().collect())
        }
    }
}

/// What one request carries, read once before dispatch.
pub(crate) struct Ctx<'a, D> {
    pub(crate) auth: &'a Inner<D>,
    pub(crate) method: Method,
    pub(crate) jar: Jar,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Fields,
    /// The trusted CSRF token (from a valid cookie, or newly minted).
    pub(crate) csrf_token: String,
    /// Whether the cookie's token was already valid (only then can a POST be verified).
    pub(crate) csrf_from_cookie: bool,
    /// The validated callbackUrl (docs/REST.md §4.4).
    pub(crate) callback_url: String,
    /// JSON mode: the body's `json` field is the string `"true"`, or Auth.js v5's header.
    pub(crate) json: bool,
    /// Auth.js v5's client (`X-Auth-Return-Redirect: 1`): `{url}` always comes with 200, as
    /// `@auth/core` answers it, and a refused credentials sign-in goes to the sign-in page.
    pub(crate) authjs_client: bool,
    pub(crate) set_cookies: SetCookies,
    /// The client's address bucket for `throttle:` (empty without it).
    pub(crate) client_address: String,
    /// The client's address, for the session list (callbacks with a session store only).
    pub(crate) client_ip: Option<std::net::IpAddr>,
    /// The `User-Agent` header, for the session list (callbacks with a session store only).
    pub(crate) user_agent: Option<axum::http::HeaderValue>,
    /// The first error code this request sent the browser to (`error_url`), for the
    /// `error` event.
    pub(crate) error_code: std::sync::OnceLock<String>,
}

impl<D: SessionData> Ctx<'_, D> {
    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// CSRF-verified: a POST whose valid cookie token equals the body's `csrfToken` (docs/REST.md §3).
    pub(crate) fn csrf_verified(&self) -> bool {
        self.method == Method::POST
            && self.csrf_from_cookie
            && self
                .body
                .get("csrfToken")
                .is_some_and(|sent| csrf::tokens_match(&self.csrf_token, sent))
    }

    /// `<base>/<action>`.
    pub(crate) fn url(&self, action: &str) -> String {
        self.auth.base.url(action)
    }

    /// Counts a sign-in attempt for `throttle:` (before any `authorize`, mail or database
    /// work, so the answer does not depend on the account); the 429 answer when over a limit.
    pub(crate) async fn throttled(&self, identifier: Option<&str>) -> Option<Reply> {
        let throttle = self.auth.throttle.as_ref()?;
        let retry_after = throttle.attempt(&self.client_address, identifier).await?;
        let code = crate::throttle::TOO_MANY_REQUESTS;
        let (_, page) = crate::html::error(code, self.auth.base.origin(), &self.url("signin"));
        Some(Reply::TooManyRequests {
            retry_after,
            url: self.error_url(code),
            page,
        })
    }

    /// Where Auth.js v5 sends a refused credentials sign-in: the sign-in page (`pages.sign_in`
    /// when declared) with `error=CredentialsSignin&code=credentials`.
    pub(crate) fn authjs_credentials_error_url(&self) -> String {
        let code = "CredentialsSignin";
        let _ = self.error_code.set(code.to_owned());
        let query = format!("error={code}&code=credentials");
        match &self.auth.pages.sign_in {
            Some(page) => format!("{page}{}{query}", query_joiner(page)),
            None => format!("{}?{query}", self.url("signin")),
        }
    }

    /// The error page URL for `code`: `pages.error` or `<base>/error`.
    pub(crate) fn error_url(&self, code: &str) -> String {
        let _ = self.error_code.set(code.to_owned());
        let code = encode_component(code);
        match &self.auth.pages.error {
            Some(page) => format!("{page}{}error={code}", query_joiner(page)),
            None => format!("{}?error={code}", self.url("error")),
        }
    }
}

/// The `Set-Cookie` headers of a response, in the order set: each cookie is written when it is
/// added, so one known in advance (the callback URL of the origin) is added already written.
#[derive(Default)]
pub(crate) struct SetCookies {
    headers: Vec<HeaderValue>,
}

impl SetCookies {
    /// Adds `cookie`, written; one that is not a valid header value is left out (unreachable:
    /// names and values are percent-encoded to visible ASCII).
    pub(crate) fn push(&mut self, cookie: SetCookie) {
        if let Ok(header) = HeaderValue::try_from(cookie.serialize()) {
            self.push_header(header);
        }
    }

    pub(crate) fn push_header(&mut self, header: HeaderValue) {
        self.headers.push(header);
    }

    /// Forgets every cookie added so far.
    pub(crate) fn clear(&mut self) {
        self.headers.clear();
    }
}

impl Extend<SetCookie> for SetCookies {
    fn extend<I: IntoIterator<Item = SetCookie>>(&mut self, cookies: I) {
        for cookie in cookies {
            self.push(cookie);
        }
    }
}

/// What an action answers; cookies are added by [`Ctx::respond`].
pub(crate) enum Reply {
    /// 302, or `{"url"}` with `json_status` in JSON mode (docs/REST.md §2.8).
    Redirect {
        url: String,
        json_status: StatusCode,
    },
    Json {
        status: StatusCode,
        body: Value,
        no_cache: bool,
    },
    /// [`Reply::Json`] already serialised (the hot paths skip the JSON tree).
    JsonText {
        status: StatusCode,
        body: Bytes,
        no_cache: bool,
    },
    Html {
        status: StatusCode,
        body: String,
    },
    Text {
        status: StatusCode,
        body: String,
    },
    /// 405 with `Allow`: `Error: <message>` as text, or `{"error": <message>}` in JSON mode.
    MethodNotAllowed {
        allow: &'static str,
        message: &'static str,
    },
    /// A throttled sign-in: 429 with `Retry-After`; `{"url"}` in JSON mode, else the page.
    TooManyRequests {
        retry_after: u64,
        url: String,
        page: String,
    },
    Empty,
}

impl Reply {
    /// A 200 JSON answer serialised straight to text, without a `Value` tree (`{}` should it
    /// not serialise).
    pub(crate) fn json_text(body: &impl serde::Serialize, no_cache: bool) -> Reply {
        let body = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
        Reply::JsonText {
            status: StatusCode::OK,
            body: Bytes::from(body),
            no_cache,
        }
    }

    pub(crate) fn redirect(url: impl Into<String>) -> Reply {
        Reply::Redirect {
            url: url.into(),
            json_status: StatusCode::OK,
        }
    }

    pub(crate) fn redirect_with(url: impl Into<String>, json_status: StatusCode) -> Reply {
        Reply::Redirect {
            url: url.into(),
            json_status,
        }
    }

    pub(crate) fn not_supported(method: &Method) -> Reply {
        Reply::Text {
            status: StatusCode::BAD_REQUEST,
            body: format!("Error: This action with HTTP {method} is not supported by NextAuth.js"),
        }
    }
}

/// Answers one request; `provider` is the provider a provider route fixes (otherwise it is
/// read from the path, `<action>/<provider>`).
async fn handle<D: SessionData>(
    auth: &Inner<D>,
    request: Request,
    provider: Option<&'static str>,
) -> Response {
    let (parts, body) = request.into_parts();
    let rest = parts
        .uri
        .path()
        .strip_prefix(auth.base.path())
        .unwrap_or_default()
        .trim_start_matches('/');
    // A segment without an escape, as nearly every one is, is taken as it is, not decoded.
    let mut segments = rest.split('/').map(|s| {
        if s.contains('%') {
            percent_encoding::percent_decode_str(s).decode_utf8_lossy()
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    });
    let action = segments.next().unwrap_or_default();
    let argument = match provider {
        Some(id) => Some(std::borrow::Cow::Borrowed(id)),
        None => segments.next(),
    };

    let body = if parts.method == Method::POST {
        let deadline = parts
            .extensions
            .get::<BodyReadTimeout>()
            .map_or(BODY_READ_TIMEOUT, |timeout| timeout.0);
        match tokio::time::timeout(deadline, axum::body::to_bytes(body, BODY_LIMIT)).await {
            Ok(Ok(bytes)) => Fields::from_bytes(&parts.headers, &bytes),
            Ok(Err(_)) => {
                return (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large").into_response();
            }
            Err(_) => return body_too_slow(deadline),
        }
    } else {
        Fields::Form(Vec::new())
    };
    let query = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let jar = Jar::from_headers(&parts.headers);
    let secure = auth.base.is_secure();

    // docs/REST.md §3: a valid CSRF cookie is kept; a missing or tampered one is replaced.
    let mut set_cookies = SetCookies::default();
    let (csrf_token, csrf_from_cookie) = match jar
        .get(auth.cookies.csrf_token)
        .and_then(|value| csrf::trusted_token(value, &auth.secrets))
    {
        Some(token) => (token, true),
        None => {
            let (token, cookie) =
                csrf::mint_cookie(auth.cookies.csrf_token, &auth.secrets[0], secure);
            set_cookies.push_header(cookie);
            (token, false)
        }
    };
    // Auth.js v5's client asks for `{url}` instead of a redirect with a header.
    let authjs_client = parts
        .headers
        .get(&X_AUTH_RETURN_REDIRECT)
        .is_some_and(|v| v.as_bytes() == b"1");
    let json = authjs_client || body.get("json") == Some("true");
    // Only a POST can be a sign-in attempt: other requests never pay for the address.
    let client_address = auth
        .throttle
        .as_ref()
        .filter(|_| parts.method == Method::POST)
        .map(|t| t.client_key(&parts.headers, &parts.extensions))
        .unwrap_or_default();

    // What the session list shows of a new session: read only where a recorded one can start
    // (a callback with a session store), never on the `/session` hot path.
    let starts_stored_session = action == "callback"
        && match &auth.strategy {
            crate::config::Strategy::Database(_) => true,
            crate::config::Strategy::Jwt(store) => store.is_some(),
        };
    let (client_ip, user_agent) = if starts_stored_session {
        (
            crate::throttle::client_ip(auth.throttle.as_ref(), &parts.headers, &parts.extensions),
            parts.headers.get(header::USER_AGENT).cloned(),
        )
    } else {
        (None, None)
    };

    let mut ctx = Ctx {
        auth,
        method: parts.method,
        jar,
        query,
        body,
        csrf_token,
        csrf_from_cookie,
        callback_url: String::new(),
        json,
        authjs_client,
        set_cookies,
        client_address,
        client_ip,
        user_agent,
        error_code: std::sync::OnceLock::new(),
    };

    let reply = match resolve_callback_url(&mut ctx).await {
        Ok(()) => dispatch(&mut ctx, &action, argument.as_deref()).await,
        Err(reply) => reply,
    };
    if let (Some(code), Some(on_error)) = (ctx.error_code.get(), &auth.events.error) {
        on_error(ErrorEvent {
            code: code.clone(),
            action: action.into_owned(),
            provider: argument.map(std::borrow::Cow::into_owned),
        })
        .await;
    }
    ctx.respond(reply)
}

/// Auth.js v5's client header asking for `{url}`: a constant, so that looking it up on every
/// request does not parse the name first.
static X_AUTH_RETURN_REDIRECT: HeaderName = HeaderName::from_static("x-auth-return-redirect");

/// 408 for a body that did not arrive within `deadline`, closing the connection: what is left
/// of the body is never read.
fn body_too_slow(deadline: Duration) -> Response {
    tracing::debug!(?deadline, "request body not received in time: 408");
    let mut response = (StatusCode::REQUEST_TIMEOUT, "Request Timeout").into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// docs/REST.md §4.4 and §1.4: body, then query, then cookie, then the origin; the query value and the
/// cookie must be URLs (else `Configuration`); a body value that is not one is passed over, as
/// if absent (NextAuth 3.29.10 hangs on it: advisory GHSA-g5fm-jp9v-2432).
async fn resolve_callback_url<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Result<(), Reply> {
    let auth = ctx.auth;
    let origin = auth.base.origin();
    let secure = auth.base.is_secure();
    // Borrowed field by field (not through `Ctx`'s methods) so the cookies can be pushed.
    let cookie_value = ctx.jar.get(auth.cookies.callback_url);
    let query_value = ctx
        .query
        .iter()
        .find(|(k, _)| k == "callbackUrl")
        .map(|(_, v)| v.as_str());
    for value in [query_value, cookie_value].into_iter().flatten() {
        // The origin itself (validated at start-up) is the usual cookie: no need to parse it.
        if value != origin && !callback_url::is_acceptable(value, origin) {
            tracing::error!("INVALID_CALLBACK_URL_ERROR");
            // Drop a bad cookie, or every later request (the error page too) would fail again;
            // a good one stays when only the query's value is bad.
            if cookie_value == Some(value) {
                ctx.set_cookies
                    .push(SetCookie::clear(auth.cookies.callback_url, secure));
            }
            return Err(Reply::redirect(ctx.error_url("Configuration")));
        }
    }
    let body_value = ctx
        .body
        .get("callbackUrl")
        .filter(|v| callback_url::is_acceptable(v, origin));
    let requested = body_value
        .or(query_value)
        .or(cookie_value)
        .unwrap_or(origin);
    let resolved = match &auth.callbacks.redirect {
        Some(redirect) => {
            redirect(RedirectParams {
                url: requested.to_owned(),
                base_url: origin.to_owned(),
            })
            .await
        }
        None => callback_url::default_redirect(requested, origin),
    };
    if cookie_value != Some(resolved.as_str()) {
        if resolved == origin {
            ctx.set_cookies
                .push_header(auth.origin_callback_url_cookie.clone());
        } else {
            ctx.set_cookies
                .push(SetCookie::new(auth.cookies.callback_url, &resolved, secure));
        }
    }
    ctx.callback_url = resolved;
    Ok(())
}

async fn dispatch<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    action: &str,
    argument: Option<&str>,
) -> Reply {
    let method = ctx.method.clone();
    match (method, action) {
        (Method::GET, "csrf") => csrf_body(&ctx.csrf_token),
        (Method::GET, "providers") => Reply::JsonText {
            status: StatusCode::OK,
            body: ctx.auth.providers_json.clone(),
            no_cache: false,
        },
        (Method::GET, "session") => session::get(ctx).await,
        (Method::POST, "session") => Box::pin(session::update(ctx)).await,
        (Method::GET, "signin") => pages::signin(ctx, argument),
        (Method::POST, "signin") => Box::pin(signin::post(ctx, argument)).await,
        (Method::GET | Method::POST, "callback") => Box::pin(callback::handle(ctx, argument)).await,
        (Method::GET, "signout") => pages::signout(ctx),
        (Method::POST, "signout") => Box::pin(signout::post(ctx)).await,
        (Method::GET, "error") => pages::error(ctx, argument),
        (Method::GET, "verify-request") => pages::verify_request(ctx),
        (Method::POST, "_log") => Reply::Empty,
        (Method::GET, "accounts") if argument.is_none() => Box::pin(accounts::list(ctx)).await,
        (Method::POST, "accounts") if argument == Some("link") => {
            Box::pin(accounts::link(ctx)).await
        }
        (Method::POST, "accounts") if argument == Some("unlink") => {
            Box::pin(accounts::unlink(ctx)).await
        }
        (Method::GET, "sessions") if argument.is_none() => Box::pin(sessions::list(ctx)).await,
        (Method::POST, "sessions") if argument == Some("revoke") => {
            Box::pin(sessions::revoke(ctx)).await
        }
        #[cfg(feature = "passkeys")]
        (Method::GET, "webauthn-options") => Box::pin(passkey::options(ctx, argument)).await,
        #[cfg(feature = "passkeys")]
        (Method::GET, "passkeys") if argument.is_none() => Box::pin(passkey::list(ctx)).await,
        #[cfg(feature = "passkeys")]
        (Method::POST, "passkeys") if argument == Some("rename") => {
            Box::pin(passkey::rename(ctx)).await
        }
        #[cfg(feature = "passkeys")]
        (Method::POST, "passkeys") if argument == Some("delete") => {
            Box::pin(passkey::delete(ctx)).await
        }
        (method, _) => Reply::not_supported(&method),
    }
}

/// docs/REST.md §2.2: every enabled provider, in declaration order, with absolute URLs. The answer only
/// depends on the configuration, so it is written once at start-up and shared.
pub(crate) fn providers_json(
    base: &crate::config::BaseUrl,
    providers: &[crate::config::Provider],
) -> Bytes {
    let mut body = serde_json::Map::new();
    for provider in providers {
        let id = provider.spec.id;
        body.insert(
            id.to_owned(),
            json!({
                "id": id,
                "name": provider.name,
                "type": provider.spec.kind.as_str(),
                "signinUrl": base.url(&format!("signin/{id}")),
                "callbackUrl": base.url(&format!("callback/{id}")),
            }),
        );
    }
    Bytes::from(Value::Object(body).to_string())
}

impl<D> Ctx<'_, D> {
    fn respond(self, reply: Reply) -> Response {
        let mut response = match reply {
            Reply::Redirect { url, json_status } if self.json => {
                let status = if self.authjs_client {
                    StatusCode::OK
                } else {
                    json_status
                };
                json_response(status, &json!({ "url": url }), false)
            }
            Reply::Redirect { url, .. } => match HeaderValue::from_str(&url) {
                Ok(location) => {
                    let mut response = StatusCode::FOUND.into_response();
                    response.headers_mut().insert(header::LOCATION, location);
                    response
                }
                Err(_) => {
                    tracing::error!("a redirect URL is not a valid header value");
                    (StatusCode::BAD_REQUEST, "Bad Request").into_response()
                }
            },
            Reply::Json {
                status,
                body,
                no_cache,
            } => json_response(status, &body, no_cache),
            Reply::JsonText {
                status,
                body,
                no_cache,
            } => json_text_response(status, body, no_cache),
            Reply::Html { status, body } => (status, Body::from(body)).into_response(),
            Reply::Text { status, body } => (status, Body::from(body)).into_response(),
            Reply::MethodNotAllowed { allow, message } => {
                let status = StatusCode::METHOD_NOT_ALLOWED;
                let mut response = if self.json {
                    json_response(status, &json!({ "error": message }), false)
                } else {
                    (status, Body::from(format!("Error: {message}"))).into_response()
                };
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                response
            }
            Reply::TooManyRequests {
                retry_after,
                url,
                page,
            } => {
                let mut response = if self.json {
                    json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "url": url }), false)
                } else {
                    (StatusCode::TOO_MANY_REQUESTS, Body::from(page)).into_response()
                };
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
            // No body and no type of its own: `text/html` below, as every non-JSON answer.
            Reply::Empty => StatusCode::OK.into_response(),
        };
        let headers = response.headers_mut();
        // v3 sets `text/html` on everything that is not JSON, 302s and 400s included.
        if !headers.contains_key(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        }
        for cookie in self.set_cookies.headers {
            headers.append(header::SET_COOKIE, cookie);
        }
        response
    }
}

fn json_response(status: StatusCode, body: &Value, no_cache: bool) -> Response {
    // Through `Serialize` rather than `Display`: no `core::fmt` adapter per string piece.
    let text = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    json_text_response(status, Bytes::from(text), no_cache)
}

/// `GET /csrf`: `{"csrfToken":"…"}`, written straight to text.
fn csrf_body(token: &str) -> Reply {
    #[derive(serde::Serialize)]
    struct Csrf<'a> {
        #[serde(rename = "csrfToken")]
        csrf_token: &'a str,
    }
    // A minted token is hex, which JSON writes as it is; a cookie's token may be anything.
    let plain = crate::text::all_bytes(token.as_bytes(), |b| b.is_ascii_alphanumeric());
    if !plain {
        return Reply::json_text(&Csrf { csrf_token: token }, true);
    }
    let mut body = Vec::with_capacity(token.len() + 16);
    body.extend_from_slice(b"{\"csrfToken\":\"");
    body.extend_from_slice(token.as_bytes());
    body.extend_from_slice(b"\"}");
    Reply::JsonText {
        status: StatusCode::OK,
        body: Bytes::from(body),
        no_cache: true,
    }
}

fn json_text_response(status: StatusCode, body: Bytes, no_cache: bool) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if no_cache {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store"),
        );
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    }
    response
}

/// JavaScript's `encodeURIComponent`.
pub(crate) fn encode_component(value: &str) -> String {
    crate::cookies::encode_uri_component(value)
}

/// `?` or `&`, whichever appends a query parameter to `url`.
pub(crate) fn query_joiner(url: &str) -> char {
    if url.contains('?') { '&' } else { '?' }
}

#[cfg(test)]
mod tests;
