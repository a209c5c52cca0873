//! JWT sessions: reading the session cookie (or a Bearer token), issuing it again, and the
//! [`Session`] extractor for the application's own handlers.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::access::{self, AccessToken, AccessTokenError, WriteBack};
use crate::config::{Auth, Inner, Strategy, TokenCookie};
use crate::cookies::{self, Jar, SetCookie, push_digits};
use crate::jwe;
use crate::spec::ProviderName;
use crate::user::{NoData, SessionData, Token};

/// What the session cookie held.
// A return value that is matched at once, never stored: boxing the token would only add an
// allocation to every `/session`.
#[allow(clippy::large_enum_variant)]
pub(crate) enum TokenRead<D> {
    /// No session cookie.
    Absent,
    /// A cookie that does not decrypt, has expired, or does not fit the session data type.
    Invalid,
    /// A valid token.
    Valid(Token<D>),
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// The instant `secs` seconds from now, for cookie `Expires` and `/session`'s `expires`.
pub(crate) fn expiry(now: OffsetDateTime, secs: u64) -> OffsetDateTime {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    now.checked_add(time::Duration::seconds(secs))
        .unwrap_or(OffsetDateTime::new_utc(
            time::Date::MAX,
            time::Time::MIDNIGHT,
        ))
}

/// JavaScript's `Date.toISOString()`: `2026-12-28T18:26:17.573Z`.
pub(crate) fn iso_string(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let Ok(year @ 0..=9999) = u32::try_from(at.year()) else {
        // Only with `time`'s large-dates feature (JavaScript writes `+010000-…` there).
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        );
    };
    let mut out = String::with_capacity(24);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, u32::from(u8::from(at.month())), 2);
    out.push('-');
    push_digits(&mut out, u32::from(at.day()), 2);
    out.push('T');
    push_digits(&mut out, u32::from(at.hour()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(at.minute()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(at.second()), 2);
    out.push('.');
    push_digits(&mut out, u32::from(at.millisecond()), 3);
    out.push('Z');
    out
}

/// A token as it is sealed: its own claims with fresh `iat`, `exp` and `jti`, borrowed rather
/// than cloned. Serialises exactly as [`Token`] does (same fields, same order).
#[derive(serde::Serialize)]
#[serde(bound = "D: SessionData")]
struct Sealed<'a, D> {
    name: &'a Option<String>,
    email: &'a Option<String>,
    picture: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: &'a Option<String>,
    iat: u64,
    exp: u64,
    jti: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chk: &'a Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    roles: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    account: &'a Option<crate::access::ProviderTokens>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: &'a Option<String>,
    #[serde(flatten)]
    data: &'a D,
}

/// The default client-safe session of `token` as JSON text, exactly as
/// [`DefaultSession`](crate::user::DefaultSession) serialises, without cloning the token's
/// strings into one first (the `/session` hot path).
pub(crate) fn client_session_json<D>(token: &Token<D>, expires: &str) -> Option<String> {
    #[derive(serde::Serialize)]
    struct ClientSession<'a> {
        user: ClientUser<'a>,
        expires: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: &'a Option<String>,
    }
    #[derive(serde::Serialize)]
    struct ClientUser<'a> {
        name: &'a Option<String>,
        email: &'a Option<String>,
        image: &'a Option<String>,
    }
    let length = |field: &Option<String>| field.as_ref().map_or(0, String::len);
    let mut body = Vec::with_capacity(
        64 + length(&token.name) + length(&token.email) + length(&token.picture) + expires.len(),
    );
    let session = ClientSession {
        user: ClientUser {
            name: &token.name,
            email: &token.email,
            image: &token.picture,
        },
        expires,
        error: &token.error,
    };
    serde_json::to_writer(&mut body, &session).ok()?;
    String::from_utf8(body).ok()
}

/// The typed token of a decrypted payload whose time claims are current.
fn token_of_payload<D: SessionData>(payload: &[u8], now: u64) -> Option<Token<D>> {
    let token: Token<D> = match serde_json::from_slice(payload) {
        Ok(token) => token,
        Err(_) if payload.trim_ascii_start().first() != Some(&b'{') => {
            tracing::warn!(error = %jwe::TokenError::NotAnObject, "JWT_SESSION_ERROR");
            return None;
        }
        Err(e) => {
            tracing::warn!(error = %e, "JWT_SESSION_ERROR: claims do not fit the session data");
            return None;
        }
    };
    match jwe::check_decoded_times(payload, token.iat, token.exp, now) {
        Ok(()) => Some(token),
        Err(e) => {
            tracing::warn!(error = %e, "JWT_SESSION_ERROR");
            None
        }
    }
}

/// Decodes a session token sealed the way of `cookie` into typed claims.
fn decode_sealed<D: SessionData>(cookie: &TokenCookie, value: &str, now: u64) -> Option<Token<D>> {
    // Straight from the payload bytes into the typed token: no intermediate JSON tree, and
    // the time claims checked on the typed values (the payload is parsed once).
    match cookie.sealing.open(value) {
        Ok(payload) => token_of_payload(&payload, now),
        Err(e) => {
            tracing::warn!(error = %e, cookie = cookie.name, "JWT_SESSION_ERROR");
            None
        }
    }
}

impl<D: SessionData> Inner<D> {
    /// Decodes a session token string of the written format into typed claims; a value
    /// opened before comes from memory while its time checks hold (`opened.rs`).
    pub(crate) fn decode_token(&self, value: &str, now: u64) -> Option<Token<D>> {
        if let Some(token) = self.opened.get(value, now) {
            return Some(token);
        }
        let token = decode_sealed(&self.token_cookie, value, now)?;
        // A token without `exp` has no end to its window: it is opened every time.
        if let Some(exp) = token.exp {
            self.opened.put(value, &token, now, exp);
        }
        Some(token)
    }

    /// The other format's session cookie of `jar`, when it is read, and its sealing.
    fn other_cookie<'j>(&self, jar: &'j Jar) -> Option<(&TokenCookie, Cow<'j, str>)> {
        let other = self.other_token_cookie.as_ref()?;
        Some((other, jar.chunked_value(other.name)?))
    }

    /// Reads the (possibly chunked) session cookie; without one, the other format's cookie when
    /// that is read (one that does not open is no session, and is left alone: it may be another
    /// app's).
    pub(crate) fn read_session_cookie(&self, jar: &Jar, now: u64) -> TokenRead<D> {
        match jar.chunked_value(self.cookies.session_token) {
            None => match self.other_cookie(jar) {
                Some((other, value)) => {
                    decode_sealed(other, &value, now).map_or(TokenRead::Absent, TokenRead::Valid)
                }
                None => TokenRead::Absent,
            },
            Some(value) => match self.decode_token(&value, now) {
                Some(token) => TokenRead::Valid(token),
                None => TokenRead::Invalid,
            },
        }
    }

    /// Encodes `token` with fresh `iat`, `exp` and `jti`, as session cookies (chunked when long).
    pub(crate) fn session_cookies(
        &self,
        token: &Token<D>,
        jar: &Jar,
        now: OffsetDateTime,
    ) -> Vec<SetCookie> {
        let now_secs = now.unix_timestamp().max(0) as u64;
        // `iat`, `exp` and a fresh `jti` replace the token's own, as `jwe::encode` does.
        let jti = jwe::random_uuid_v4();
        let sealed = Sealed {
            name: &token.name,
            email: &token.email,
            picture: &token.picture,
            sub: &token.sub,
            iat: now_secs,
            exp: now_secs.saturating_add(self.session.max_age),
            jti: &jti,
            sid: &token.sid,
            chk: &token.chk,
            roles: &token.roles,
            account: &token.account,
            error: &token.error,
            data: &token.data,
        };
        // Room for the claims' strings and the fixed keys, so serialising rarely regrows it.
        let strings = [&token.name, &token.email, &token.picture, &token.sub]
            .into_iter()
            .map(|field| field.as_ref().map_or(0, String::len))
            .sum::<usize>();
        let mut payload = Vec::with_capacity(256 + strings);
        let value = match serde_json::to_writer(&mut payload, &sealed) {
            Ok(()) if payload.first() == Some(&b'{') => self.token_cookie.sealing.seal(payload),
            Ok(_) | Err(_) => {
                tracing::error!("JWT_SESSION_ERROR: the token does not serialize to an object");
                return cookies::clear_chunked(
                    self.cookies.session_token,
                    self.base.is_secure(),
                    jar,
                );
            }
        };
        cookies::chunked_set_cookies_owned(
            self.cookies.session_token.into(),
            value,
            self.cookies.format.chunk_size(),
            Some(expiry(now, self.session.max_age)),
            self.base.is_secure(),
            jar,
        )
    }

    /// `/session`'s answer without a session: next-auth's `{}`, or Auth.js v5's `null` when
    /// writing its cookies (its client takes `{}` for a session: "authenticated", no user).
    pub(crate) fn no_session(&self) -> serde_json::Value {
        match self.cookies.format {
            cookies::CookieFormat::NextAuthV4 => serde_json::json!({}),
            cookies::CookieFormat::AuthJsV5 => serde_json::Value::Null,
        }
    }

    /// Clears the session cookie and all its chunks, and the other format's session cookie
    /// when it is read and was sent (else it would sign the browser in again).
    pub(crate) fn clear_session_cookies(&self, jar: &Jar) -> Vec<SetCookie> {
        let secure = self.base.is_secure();
        let mut clears = cookies::clear_chunked(self.cookies.session_token, secure, jar);
        if let Some((other, _)) = self.other_cookie(jar) {
            clears.extend(cookies::clear_chunked(other.name, secure, jar));
        }
        if let Some(cache) = &self.session_cache
            && jar.get(cache.cookie_name()).is_some()
        {
            clears.push(SetCookie::clear(cache.cookie_name(), secure));
        }
        clears
    }
}

impl<D: SessionData> Auth<D> {
    /// The session token of a request, as next-auth's `getToken` reads it: the session cookie
    /// (chunks reassembled), else `Authorization: Bearer <percent-encoded token>`. JWT
    /// sessions only: with database sessions use [`Auth::session_from_headers`].
    ///
    /// Anything that does not decode is `None`, never an error. It does not ask a session
    /// store whether the session was revoked: [`Auth::session_from_headers`] does.
    pub fn token_from_headers(&self, headers: &HeaderMap) -> Option<Token<D>> {
        let now = now_secs();
        // Only the session cookies (and their chunks) are decoded: not the CSRF, callback-URL
        // and other cookies a browser sends along.
        let session = self.inner.cookies.session_token;
        let jar = match &self.inner.other_token_cookie {
            Some(other) => Jar::from_headers_named(headers, &[session, other.name]),
            None => Jar::from_headers_named(headers, &[session]),
        };
        if let Some(value) = jar.chunked_value(self.inner.cookies.session_token) {
            return self.inner.decode_token(&value, now);
        }
        if let Some((other, value)) = self.inner.other_cookie(&jar) {
            return decode_sealed(other, &value, now);
        }
        let bearer = bearer_token(headers)?;
        self.inner.decode_token(&bearer, now)
    }

    /// The session of a request (NextAuth's `getServerSession`), or `None`: the decoded
    /// token with JWT sessions (with a session store, not revoked: asked at most once per
    /// `update_age` of the token's last check), the stored session and user with database
    /// sessions (an expired one is deleted; a store that fails means no session, logged).
    pub async fn session_from_headers(&self, headers: &HeaderMap) -> Option<Session<D>> {
        let Strategy::Database(lazy) = &self.inner.strategy else {
            let mut token = self.token_from_headers(headers)?;
            return match self.inner.jwt_session_liveness(&mut token).await {
                crate::revocation::Liveness::Live => Some(Session::new(token)),
                _ => None,
            };
        };
        let jar = Jar::from_headers(headers);
        let token = jar.get(self.inner.cookies.session_token)?;
        let now = OffsetDateTime::now_utc();
        let cached = (self.inner.session_cache.as_ref()).and_then(|c| c.get(&jar, token, now));
        let found = match cached {
            Some(found) => found,
            None => match lazy.get().await.ok()?.get_session_and_user(token).await {
                Ok(found) => found?,
                Err(e) => {
                    tracing::error!(error = %e, "SESSION_ERROR");
                    return None;
                }
            },
        };
        if found.session.expires <= now {
            return None;
        }
        let mut token = Token::for_user(&crate::user::User::from(found.user));
        token.exp = Some(found.session.expires.unix_timestamp().max(0) as u64);
        token.roles = found.roles;
        Some(Session::new(token))
    }

    /// The layer that lets [`Session`] extract in the application's handlers.
    pub fn layer(&self) -> AuthLayer<D> {
        AuthLayer { auth: self.clone() }
    }
}

impl<D: SessionData> Auth<D> {
    /// `run`, then the `refresh` event with its outcome (once per refresh: `run` is the one
    /// task every waiting request shares).
    fn reporting_refresh(
        &self,
        user_id: Option<String>,
        provider: &str,
        run: impl Future<Output = Result<access::ProviderTokens, AccessTokenError>> + Send + 'static,
    ) -> impl Future<Output = Result<access::ProviderTokens, AccessTokenError>> + Send + 'static
    {
        let auth = self.clone();
        let provider = provider.to_owned();
        async move {
            let outcome = run.await;
            if let Some(on_refresh) = &auth.inner.events.refresh {
                let (expires_at, error) = match &outcome {
                    Ok(fresh) => (fresh.expires_at, None),
                    Err(AccessTokenError::Refused { error, .. }) => (None, Some(error.clone())),
                    Err(e) => (None, Some(e.to_string())),
                };
                on_refresh(crate::callbacks::RefreshEvent {
                    user_id,
                    provider,
                    expires_at,
                    error,
                })
                .await;
            }
            outcome
        }
    }
}

/// `auth.layer()`: gives the application's handlers the configuration ([`Session`] extracts
/// with it, and `Extension<Auth<D>>` too), and adds to a response the session cookie a
/// refresh of the provider's tokens rewrote during the request.
#[derive(Clone)]
pub struct AuthLayer<D> {
    auth: Auth<D>,
}

impl<D, S> tower_layer::Layer<S> for AuthLayer<D> {
    type Service = AuthService<D, S>;

    fn layer(&self, inner: S) -> Self::Service {
        // A session cookie can only be rewritten with JWT sessions and an OAuth provider.
        let writes_back =
            matches!(self.auth.inner.strategy, Strategy::Jwt(_)) && self.auth.inner.oauth.is_some();
        AuthService {
            auth: self.auth.clone(),
            writes_back,
            inner,
        }
    }
}

/// The service [`AuthLayer`] wraps the application in.
#[derive(Clone)]
pub struct AuthService<D, S> {
    auth: Auth<D>,
    writes_back: bool,
    inner: S,
}

impl<D, S> tower_service::Service<axum::extract::Request> for AuthService<D, S>
where
    D: SessionData,
    S: tower_service::Service<axum::extract::Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AuthFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: axum::extract::Request) -> Self::Future {
        request.extensions_mut().insert(self.auth.clone());
        let write_back = self.writes_back.then(WriteBack::default);
        if let Some(write_back) = &write_back {
            request.extensions_mut().insert(write_back.clone());
        }
        AuthFuture {
            inner: self.inner.call(request),
            write_back,
        }
    }
}

pin_project_lite::pin_project! {
    /// [`AuthService`]'s response: the application's, plus the session cookie a refresh of
    /// the provider's tokens rewrote meanwhile.
    pub struct AuthFuture<F> {
        #[pin]
        inner: F,
        write_back: Option<WriteBack>,
    }
}

impl<F> Future for AuthFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(Ok(mut response)) = this.inner.poll(cx) else {
            return Poll::Pending;
        };
        for cookie in this.write_back.take().map(|w| w.take()).unwrap_or_default() {
            if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// `Authorization: Bearer <token>`, percent-decoded; a malformed encoding is no token
/// (next-auth advisory GHSA-xmf8-cvqr-rfgj).
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    cookies::decode_uri_component(token)
}

/// The signed-in session, extracted in the application's own handlers.
///
/// Needs `auth.layer()` on the router. Without a valid session the request is refused with
/// 401; extract `Option<Session>` to handle signed-out visitors yourself.
#[derive(Clone)]
pub struct Session<D = NoData> {
    /// The decoded session token.
    pub token: Token<D>,
    /// What [`Session::access_token`] needs of the request, when extracted from one.
    context: Option<RequestContext<D>>,
}

/// The configuration and the request's cookies, for refreshing a provider's access token and
/// writing the refreshed tokens back (JWT sessions keep them in the cookie).
#[derive(Clone)]
struct RequestContext<D> {
    auth: Auth<D>,
    /// The request's cookies, to replace every chunk of the session cookie (JWT sessions).
    jar: Option<Jar>,
    /// Where `auth.layer()` picks up the cookies to set (JWT sessions).
    write_back: Option<WriteBack>,
}

impl<D: fmt::Debug> fmt::Debug for Session<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl<D> Session<D> {
    /// A session of `token`, outside any request (it can hand out an unexpired access token,
    /// not refresh one).
    pub fn new(token: Token<D>) -> Self {
        Session {
            token,
            context: None,
        }
    }

    /// The user id (`sub`).
    pub fn user_id(&self) -> Option<&str> {
        self.token.sub.as_deref()
    }

    /// The user's display name.
    pub fn name(&self) -> Option<&str> {
        self.token.name.as_deref()
    }

    /// The user's email address.
    pub fn email(&self) -> Option<&str> {
        self.token.email.as_deref()
    }

    /// The user's avatar URL.
    pub fn image(&self) -> Option<&str> {
        self.token.picture.as_deref()
    }

    /// The typed custom data (`session_data:` in `auth!`).
    pub fn data(&self) -> &D {
        &self.token.data
    }

    /// When the session token expires, in seconds since the epoch.
    pub fn expires_at(&self) -> Option<u64> {
        self.token.exp
    }

    /// Whether the signed-in user has `role`: `session.has_role(auth::Role::Admin)`.
    pub fn has_role(&self, role: impl crate::roles::RoleName) -> bool {
        self.token.has_role(role)
    }

    /// The signed-in user's roles by name.
    pub fn roles(&self) -> &[String] {
        &self.token.roles
    }
}

impl<D: SessionData> Session<D> {
    /// The signed-in user's access token at `provider` (`auth::ProviderId::Github`), valid for
    /// at least a minute ([`access::DEFAULT_MARGIN`]): refreshed first when it is about to
    /// expire, once however many requests ask at the same moment (README, "Access tokens").
    ///
    /// A refresh under JWT sessions writes the new tokens into the session cookie of this
    /// request's response (through `auth.layer()`). A refused or failed refresh leaves the
    /// session usable and marks it: `/session` then shows `"error": "RefreshAccessTokenError"`.
    pub async fn access_token(
        &self,
        provider: impl ProviderName,
    ) -> Result<AccessToken, AccessTokenError> {
        self.access_token_valid_for(provider, access::DEFAULT_MARGIN)
            .await
    }

    /// [`Session::access_token`] valid for at least `margin` (unless the provider's tokens
    /// live shorter).
    pub async fn access_token_valid_for(
        &self,
        provider: impl ProviderName,
        margin: Duration,
    ) -> Result<AccessToken, AccessTokenError> {
        let id = provider.as_str();
        if let Some(context) = &self.context
            && let Strategy::Database(store) = &context.auth.inner.strategy
        {
            return self.stored_access_token(context, store, id, margin).await;
        }
        let Some(tokens) = self.token.account.as_ref().filter(|t| t.provider == id) else {
            return Err(AccessTokenError::NotSignedIn {
                provider: id.to_owned(),
            });
        };
        if tokens.valid_for(margin, now_secs()) {
            return Ok(AccessToken::new(tokens));
        }
        let expired = || AccessTokenError::Expired {
            provider: id.to_owned(),
        };
        let Some(context) = &self.context else {
            return Err(expired());
        };
        let inner = &context.auth.inner;
        let Some((client, oauth)) = inner.refreshing(id) else {
            // The provider is no longer configured: nothing can refresh its tokens.
            return Err(expired());
        };
        let outcome = inner
            .refresher
            .refresh(tokens, |refresh_token| {
                let run = access::spend_in_token(
                    client.clone(),
                    Arc::clone(oauth),
                    tokens.clone(),
                    refresh_token,
                );
                context
                    .auth
                    .reporting_refresh(self.token.sub.clone(), id, run)
            })
            .await;
        let mut token = self.token.clone();
        let changed = match &outcome {
            Ok(fresh) => {
                token.account = Some(fresh.clone());
                token.error = None;
                true
            }
            Err(e) if e.marks_session() && token.error.is_none() => {
                token.error = Some(access::REFRESH_ERROR.to_owned());
                true
            }
            Err(_) => false,
        };
        if changed {
            match (&context.jar, &context.write_back) {
                (Some(jar), Some(write_back)) => {
                    write_back.set(inner.session_cookies(&token, jar, OffsetDateTime::now_utc()));
                }
                _ => tracing::warn!(
                    provider = id,
                    "ACCESS_TOKEN: refreshed outside `auth.layer()`; the session cookie keeps the previous tokens"
                ),
            }
        }
        outcome.map(|fresh| AccessToken::new(&fresh))
    }

    /// [`Session::access_token_valid_for`] under database sessions: the tokens of the user's
    /// `accounts` row, refreshed there by one server at a time.
    async fn stored_access_token(
        &self,
        context: &RequestContext<D>,
        store: &crate::store::LazyAdapter,
        id: &str,
        margin: Duration,
    ) -> Result<AccessToken, AccessTokenError> {
        let not_signed_in = || AccessTokenError::NotSignedIn {
            provider: id.to_owned(),
        };
        let unavailable = |reason: String| AccessTokenError::Unavailable {
            provider: id.to_owned(),
            reason,
        };
        let user_id = self.token.sub.as_deref().ok_or_else(not_signed_in)?;
        let adapter = store.get().await.map_err(|e| unavailable(e.to_string()))?;
        let accounts = adapter
            .get_accounts(user_id)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let row = accounts
            .into_iter()
            .find(|a| a.provider == id)
            .ok_or_else(not_signed_in)?;
        let tokens = access::ProviderTokens::from_row(&row).ok_or_else(not_signed_in)?;
        if tokens.valid_for(margin, now_secs()) {
            return Ok(AccessToken::new(&tokens));
        }
        let inner = &context.auth.inner;
        let Some((client, oauth)) = inner.refreshing(id) else {
            return Err(AccessTokenError::Expired {
                provider: id.to_owned(),
            });
        };
        inner
            .refresher
            .refresh(&tokens, |refresh_token| {
                let run = access::spend_in_store(
                    client.clone(),
                    Arc::clone(oauth),
                    adapter,
                    row,
                    tokens.clone(),
                    refresh_token,
                );
                context
                    .auth
                    .reporting_refresh(Some(user_id.to_owned()), id, run)
            })
            .await
            .map(|fresh| AccessToken::new(&fresh))
    }
}

/// Why [`Session`] could not be extracted: the answer a route that requires a session gives
/// a request without one.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No valid session, for an API request: `401` with `{"error":"Unauthorized"}`.
    #[error("no valid session")]
    Unauthenticated,
    /// No valid session, for a page request (`Accept` prefers `text/html`): `302` to the
    /// sign-in page (`pages.sign_in`, else `<base>/signin`) with the requested URL as
    /// `callbackUrl`, built from `NEXTAUTH_URL`'s origin, never the `Host` header.
    #[error("no valid session; sign in at {location}")]
    SignInRequired {
        /// The sign-in page's absolute URL, with `callbackUrl`.
        location: String,
    },
    /// The router lacks `auth.layer()`: a programming error, 500.
    #[error("the `Session` extractor needs `.layer(auth.layer())` on the router")]
    MissingLayer,
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                [
                    (header::WWW_AUTHENTICATE, "Bearer"),
                    (header::CONTENT_TYPE, "application/json"),
                ],
                r#"{"error":"Unauthorized"}"#,
            )
                .into_response(),
            SessionRejection::SignInRequired { location } => {
                match axum::http::HeaderValue::try_from(location) {
                    Ok(location) => {
                        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
                    }
                    // Built from configured URLs and an encoded path: cannot happen; still an
                    // answer rather than a panic.
                    Err(_) => SessionRejection::Unauthenticated.into_response(),
                }
            }
            SessionRejection::MissingLayer => {
                tracing::error!("{}", SessionRejection::MissingLayer);
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
            }
        }
    }
}

impl<D: SessionData, S: Send + Sync> FromRequestParts<S> for Session<D> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(session) =
            <Session<D> as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await?
        {
            return Ok(session);
        }
        // `OptionalFromRequestParts` found the layer, so the lookup cannot fail here.
        let auth = parts
            .extensions
            .get::<Auth<D>>()
            .ok_or(SessionRejection::MissingLayer)?;
        if !prefers_html(&parts.headers) {
            return Err(SessionRejection::Unauthenticated);
        }
        Err(SessionRejection::SignInRequired {
            location: auth.sign_in_url(&parts.uri),
        })
    }
}

impl<D: SessionData> Auth<D> {
    /// The sign-in page for a visitor of `requested` (a path and query on this site):
    /// `pages.sign_in`, or `<base>/signin` as an absolute URL, with `callbackUrl` = the
    /// requested URL on the configured origin.
    pub(crate) fn sign_in_url(&self, requested: &axum::http::Uri) -> String {
        let origin = self.inner.base.origin();
        let path_and_query = requested
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str);
        let callback_url = format!("{origin}{path_and_query}");
        // A custom page as written, as `GET /signin` redirects to it (docs/REST.md §2.4).
        let page = match &self.inner.pages.sign_in {
            Some(page) => page.clone(),
            None => self.inner.base.url("signin"),
        };
        let joiner = if page.contains('?') { '&' } else { '?' };
        format!(
            "{page}{joiner}callbackUrl={}",
            cookies::encode_uri_component(&callback_url)
        )
    }

    /// A layer that answers every request of the routes it wraps without a session as
    /// [`Session`] does (a page request is sent to sign in, any other gets 401), so a whole
    /// `Router` is protected at once: `.route_layer(auth.require_session())`, inside
    /// `.layer(auth.layer())`.
    pub fn require_session(&self) -> axum::middleware::FromExtractorLayer<Session<D>, ()> {
        axum::middleware::from_extractor::<Session<D>>()
    }
}

/// Whether a request asks for a page: its `Accept` header rates `text/html` at least as high
/// as `application/json` (browsers send `text/html,…`; `fetch` and curl send `*/*`).
pub(crate) fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let quality = |wanted: &str| -> Option<f32> {
        accept.split(',').find_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim();
            if !media.eq_ignore_ascii_case(wanted) {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some(q)
        })
    };
    match (quality("text/html"), quality("application/json")) {
        (Some(html), Some(json)) => html > 0.0 && html >= json,
        (Some(html), None) => html > 0.0,
        (None, _) => false,
    }
}

impl<D: SessionData, S: Send + Sync> OptionalFromRequestParts<S> for Session<D> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let auth = parts
            .extensions
            .get::<Auth<D>>()
            .ok_or(SessionRejection::MissingLayer)?;
        let Some(mut session) = auth.session_from_headers(&parts.headers).await else {
            return Ok(None);
        };
        // Only a session holding a provider's tokens (database sessions: perhaps, in the
        // store) can refresh them.
        let jwt = matches!(auth.inner.strategy, Strategy::Jwt(_));
        if session.token.account.is_some() || !jwt {
            session.context = Some(RequestContext {
                auth: auth.clone(),
                jar: jwt.then(|| Jar::from_headers(&parts.headers)),
                write_back: parts.extensions.get::<WriteBack>().cloned(),
            });
        }
        Ok(Some(session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_string_matches_javascript() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_798_482_377_573_000_000).unwrap();
        assert_eq!(iso_string(at), "2026-12-28T18:26:17.573Z");
        let padded = OffsetDateTime::new_utc(
            time::Date::from_calendar_date(5, time::Month::January, 2).unwrap(),
            time::Time::from_hms_milli(3, 4, 5, 6).unwrap(),
        );
        assert_eq!(iso_string(padded), "0005-01-02T03:04:05.006Z");
        let last = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT);
        assert_eq!(iso_string(last), "9999-12-31T00:00:00.000Z");
    }

    #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Claims {
        role: String,
    }

    fn token(name: Option<&str>, sub: Option<&str>) -> Token<Claims> {
        Token {
            name: name.map(str::to_owned),
            email: Some("a\"b@example.com".to_owned()),
            picture: None,
            sub: sub.map(str::to_owned),
            iat: Some(1),
            exp: Some(2),
            jti: Some("old".to_owned()),
            sid: Some("s-1".to_owned()),
            chk: Some(5),
            roles: vec!["admin".to_owned()],
            // One case with provider tokens and a refresh error, one without.
            account: sub.map(|_| access::ProviderTokens {
                provider: "oidc".to_owned(),
                access_token: "at".to_owned(),
                refresh_token: Some("rt".to_owned()),
                expires_at: Some(30),
                token_type: None,
                scope: Some("openid".to_owned()),
                id_token: None,
            }),
            error: name.map(|_| access::REFRESH_ERROR.to_owned()),
            data: Claims {
                role: "admin\u{e9}".to_owned(),
            },
        }
    }

    #[test]
    fn a_sealed_token_serialises_as_the_token_with_fresh_times() {
        for original in [token(Some("Ann"), Some("1")), token(None, None)] {
            let sealed = Sealed {
                name: &original.name,
                email: &original.email,
                picture: &original.picture,
                sub: &original.sub,
                iat: 10,
                exp: 20,
                jti: "new",
                sid: &original.sid,
                chk: &original.chk,
                roles: &original.roles,
                account: &original.account,
                error: &original.error,
                data: &original.data,
            };
            let expected = Token {
                iat: Some(10),
                exp: Some(20),
                jti: Some("new".to_owned()),
                ..original.clone()
            };
            assert_eq!(
                serde_json::to_string(&sealed).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
        }
    }

    #[test]
    fn the_client_session_text_is_the_default_session_serialised() {
        for original in [token(Some("Ann \"A\" <x>"), Some("1")), token(None, None)] {
            let expires = "2026-12-28T18:26:17.573Z";
            let default = crate::user::DefaultSession::from_token(&original, expires.to_owned());
            assert_eq!(
                client_session_json(&original, expires).unwrap(),
                serde_json::to_string(&default).unwrap()
            );
        }
    }

    #[test]
    fn bearer_tokens_with_bad_percent_encoding_are_no_token() {
        for value in ["Bearer %", "Bearer %zz", "Bearer", "Bearer ", "Basic abc"] {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer_token(&headers), None, "{value}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer a%2Eb".parse().unwrap());
        assert_eq!(bearer_token(&headers).as_deref(), Some("a.b"));
    }
}
