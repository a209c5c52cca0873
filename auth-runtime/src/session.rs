//! JWT sessions: reading the session cookie (or a Bearer token), issuing it again, and the
//! [`Session`] extractor for the application's own handlers.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use crate::config::{Auth, Inner, Strategy};
use crate::cookies::{self, Jar, SetCookie};
use crate::token;
use crate::user::{NoData, SessionData, Token};

/// What the session cookie held.
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
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

impl<D: SessionData> Inner<D> {
    /// Decodes a session token string into typed claims.
    pub(crate) fn decode_token(&self, value: &str, now: u64) -> Option<Token<D>> {
        // Straight from the payload bytes into the typed token: no intermediate JSON tree.
        let payload = token::open(&self.session_keys, value)
            .and_then(|payload| token::check_payload(&payload, now).map(|()| payload));
        let payload = match payload {
            Ok(payload) => payload,
            Err(e) => {
                tracing::warn!(error = %e, "JWT_SESSION_ERROR");
                return None;
            }
        };
        match serde_json::from_slice(&payload) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::warn!(error = %e, "JWT_SESSION_ERROR: claims do not fit the session data");
                None
            }
        }
    }

    /// Reads the (possibly chunked) session cookie.
    pub(crate) fn read_session_cookie(&self, jar: &Jar, now: u64) -> TokenRead<D> {
        match jar.chunked(self.cookies.session_token) {
            None => TokenRead::Absent,
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
        // `iat`, `exp` and a fresh `jti` replace the token's own, as `token::encode` does.
        let sealed = Token {
            iat: Some(now_secs),
            exp: Some(now_secs.saturating_add(self.session.max_age)),
            jti: Some(token::random_uuid_v4()),
            ..token.clone()
        };
        let value = match serde_json::to_vec(&sealed) {
            Ok(payload) if payload.first() == Some(&b'{') => {
                token::seal(&self.session_keys, &payload)
            }
            Ok(_) | Err(_) => {
                tracing::error!("JWT_SESSION_ERROR: the token does not serialize to an object");
                return cookies::clear_chunked(
                    self.cookies.session_token,
                    self.base.is_secure(),
                    jar,
                );
            }
        };
        cookies::chunked_set_cookies(
            self.cookies.session_token,
            &value,
            Some(expiry(now, self.session.max_age)),
            self.base.is_secure(),
            jar,
        )
    }

    /// Clears the session cookie and all its chunks.
    pub(crate) fn clear_session_cookies(&self, jar: &Jar) -> Vec<SetCookie> {
        cookies::clear_chunked(self.cookies.session_token, self.base.is_secure(), jar)
    }
}

impl<D: SessionData> Auth<D> {
    /// The session token of a request, as next-auth's `getToken` reads it: the session cookie
    /// (chunks reassembled), else `Authorization: Bearer <percent-encoded token>`. JWT
    /// sessions only: with database sessions use [`Auth::session_from_headers`].
    ///
    /// Anything that does not decode is `None`, never an error.
    pub fn token_from_headers(&self, headers: &HeaderMap) -> Option<Token<D>> {
        let now = now_secs();
        let jar = Jar::from_headers(headers);
        if let Some(value) = jar.chunked(self.inner.cookies.session_token) {
            return self.inner.decode_token(&value, now);
        }
        let bearer = bearer_token(headers)?;
        self.inner.decode_token(&bearer, now)
    }

    /// The session of a request (NextAuth's `getServerSession`), or `None`: the decoded
    /// token with JWT sessions, the stored session and user with database sessions (an
    /// expired one is deleted; a store that fails means no session, logged).
    pub async fn session_from_headers(&self, headers: &HeaderMap) -> Option<Session<D>> {
        let Strategy::Database(lazy) = &self.inner.strategy else {
            return self
                .token_from_headers(headers)
                .map(|token| Session { token });
        };
        let jar = Jar::from_headers(headers);
        let token = jar.get(self.inner.cookies.session_token)?;
        let adapter = lazy.get().await.ok()?;
        let now = OffsetDateTime::now_utc();
        let found = match adapter.get_session_and_user(token).await {
            Ok(found) => found?,
            Err(e) => {
                tracing::error!(error = %e, "SESSION_ERROR");
                return None;
            }
        };
        if found.session.expires <= now {
            return None;
        }
        let mut token = Token::for_user(&crate::user::User::from(found.user));
        token.exp = Some(found.session.expires.unix_timestamp().max(0) as u64);
        Some(Session { token })
    }

    /// The layer that lets [`Session`] extract in the application's handlers.
    pub fn layer(&self) -> axum::Extension<Auth<D>> {
        axum::Extension(self.clone())
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
#[derive(Clone, Debug)]
pub struct Session<D = NoData> {
    /// The decoded session token.
    pub token: Token<D>,
}

impl<D> Session<D> {
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
}

/// Why [`Session`] could not be extracted.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No valid session: 401.
    #[error("no valid session")]
    Unauthenticated,
    /// The router lacks `auth.layer()`: a programming error, 500.
    #[error("the `Session` extractor needs `.layer(auth.layer())` on the router")]
    MissingLayer,
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "Unauthorized",
            )
                .into_response(),
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
        <Session<D> as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await?
            .ok_or(SessionRejection::Unauthenticated)
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
        Ok(auth.session_from_headers(&parts.headers).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_string_matches_javascript() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_798_482_377_573_000_000).unwrap();
        assert_eq!(iso_string(at), "2026-12-28T18:26:17.573Z");
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
