//! Provider access tokens for the application's own calls to a provider's API (README,
//! "Access tokens"): kept from the sign-in, handed out by [`Session::access_token`] valid for
//! at least a margin, and refreshed first when they are about to expire.
//!
//! A refresh token is spent once. Providers that rotate refresh tokens treat a second use of a
//! spent one as theft and revoke the whole grant, signing the user out everywhere; so in a
//! process every request that would spend the same refresh token shares one refresh (single
//! flight), and a request that still carries it shortly after (a browser's parallel requests
//! with the previous cookie) gets that refresh's result for [`REUSE_WINDOW`] instead of
//! spending it again. The refresh runs in its own task: a client that goes away mid-refresh
//! does not cancel it halfway.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::adapter::{Adapter, AdapterAccount, AdapterError};
use crate::cookies::SetCookie;
use crate::oauth::{OAuthClient, OAuthError, OAuthProvider, TokenSet};

/// How long an access token must stay valid when handed out, unless the caller asks for
/// another margin.
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(60);

/// How long a refresh's result is handed to requests that still carry the refresh token it
/// spent.
pub const REUSE_WINDOW: Duration = Duration::from_secs(60);

/// The error a failed refresh leaves on the session: `error` in `/session`'s answer, the name
/// Auth.js's refresh guide uses.
pub const REFRESH_ERROR: &str = "RefreshAccessTokenError";

/// A provider's tokens as a session keeps them: in the `account` claim of a JWT session (sealed
/// with the rest of the token), or in the `accounts` row of a database session (the columns
/// `@auth/pg-adapter` uses). `Debug` shows none of the tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTokens {
    /// The provider id (`oidc`, `github`).
    pub provider: String,
    /// The access token.
    pub access_token: String,
    /// The refresh token, when the provider gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, in seconds since the epoch; `None` when the provider
    /// did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The token type, usually `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The ID token verified at sign-in (OpenID Connect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ProviderTokens {
    /// The tokens of a token endpoint answer, for `provider`.
    pub(crate) fn new(provider: &str, set: &TokenSet) -> ProviderTokens {
        ProviderTokens {
            provider: provider.to_owned(),
            access_token: set.access_token.clone(),
            refresh_token: set.refresh_token.clone(),
            expires_at: set.expires_at,
            token_type: set.token_type.clone(),
            scope: set.scope.clone(),
            id_token: set.id_token.clone(),
        }
    }

    /// The tokens of a stored account row; `None` without an access token.
    pub(crate) fn from_row(row: &AdapterAccount) -> Option<ProviderTokens> {
        Some(ProviderTokens {
            provider: row.provider.clone(),
            access_token: row.access_token.clone()?,
            refresh_token: row.refresh_token.clone(),
            expires_at: row.expires_at.and_then(|at| u64::try_from(at).ok()),
            token_type: row.token_type.clone(),
            scope: row.scope.clone(),
            id_token: row.id_token.clone(),
        })
    }

    /// `row` with these tokens, for [`Adapter::update_account_tokens`]; the ID token stays the
    /// stored one (a refresh keeps the one verified at sign-in).
    fn onto_row(&self, row: AdapterAccount) -> AdapterAccount {
        AdapterAccount {
            access_token: Some(self.access_token.clone()),
            refresh_token: self.refresh_token.clone(),
            expires_at: self.expires_at.and_then(|at| i64::try_from(at).ok()),
            token_type: self.token_type.clone(),
            scope: self.scope.clone(),
            id_token: None,
            ..row
        }
    }

    fn token_set(&self) -> TokenSet {
        TokenSet {
            access_token: self.access_token.clone(),
            token_type: self.token_type.clone(),
            id_token: self.id_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_at: self.expires_at,
            scope: self.scope.clone(),
            extra: serde_json::Map::new(),
        }
    }

    /// Whether the access token stays valid `margin` from `now` (one without a known expiry
    /// always does).
    pub(crate) fn valid_for(&self, margin: Duration, now: u64) -> bool {
        self.expires_at
            .is_none_or(|at| at >= now.saturating_add(margin.as_secs()))
    }
}

impl fmt::Debug for ProviderTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderTokens")
            .field("provider", &self.provider)
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// An access token for a provider's API, valid for at least the margin it was asked with
/// (unless the provider gave no expiry). `Debug` does not show the token.
#[derive(Clone)]
pub struct AccessToken {
    /// The provider id.
    pub provider: String,
    /// The token, for `Authorization: Bearer …`.
    pub access_token: String,
    /// When it expires, in seconds since the epoch; `None` when the provider did not say.
    pub expires_at: Option<u64>,
    /// The granted scope.
    pub scope: Option<String>,
}

impl AccessToken {
    pub(crate) fn new(tokens: &ProviderTokens) -> AccessToken {
        AccessToken {
            provider: tokens.provider.clone(),
            access_token: tokens.access_token.clone(),
            expires_at: tokens.expires_at,
            scope: tokens.scope.clone(),
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("provider", &self.provider)
            .field("access_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Why [`Session::access_token`](crate::Session::access_token) gave no token. As a response:
/// `401` with `{"error": …}` when the user has to sign in (again) with the provider, `503`
/// with `Retry-After` when the provider could not be reached; never a 500.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessTokenError {
    /// The session did not sign in with this provider (or it keeps no tokens for it).
    #[error("the session holds no tokens of provider `{provider}`")]
    NotSignedIn {
        /// The provider asked for.
        provider: String,
    },
    /// The access token is about to expire and the provider gave no refresh token.
    #[error("the access token of `{provider}` has expired and there is no refresh token")]
    Expired {
        /// The provider asked for.
        provider: String,
    },
    /// The provider refused the refresh token (`invalid_grant`: revoked, expired or spent):
    /// the user has to sign in again. The session carries `error: "RefreshAccessTokenError"`.
    #[error("the provider `{provider}` refused the refresh token ({error})")]
    Refused {
        /// The provider asked for.
        provider: String,
        /// The OAuth error code (`invalid_grant`).
        error: String,
    },
    /// The token endpoint could not be reached or answered unusably; the session carries
    /// `error: "RefreshAccessTokenError"` until a later refresh succeeds.
    #[error("refreshing the access token of `{provider}` failed: {reason}")]
    Unavailable {
        /// The provider asked for.
        provider: String,
        /// What went wrong (no token in it).
        reason: String,
    },
}

impl AccessTokenError {
    /// The session's `error` after this failure, if it marks the session.
    pub(crate) fn marks_session(&self) -> bool {
        matches!(
            self,
            AccessTokenError::Refused { .. } | AccessTokenError::Unavailable { .. }
        )
    }
}

impl IntoResponse for AccessTokenError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            AccessTokenError::NotSignedIn { .. } | AccessTokenError::Expired { .. } => {
                (StatusCode::UNAUTHORIZED, "AccessTokenUnavailable")
            }
            AccessTokenError::Refused { .. } => (StatusCode::UNAUTHORIZED, REFRESH_ERROR),
            AccessTokenError::Unavailable { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, REFRESH_ERROR)
            }
        };
        let body = serde_json::json!({ "error": code }).to_string();
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// What a refresh gives: the new tokens, or why there are none.
type Outcome = Result<ProviderTokens, AccessTokenError>;

/// One refresh, shared by every request spending the same refresh token: when it started and
/// its outcome once there.
struct Flight {
    started: Instant,
    outcome: watch::Receiver<Option<Outcome>>,
}

/// The process's refreshes, by the refresh token they spend (its SHA-256: the map never holds
/// a token).
#[derive(Default)]
pub(crate) struct Refresher {
    flights: Mutex<HashMap<[u8; 32], Flight>>,
}

impl Refresher {
    /// `tokens` with a fresh access token, spending `tokens.refresh_token` with `spend` (which
    /// gets it): run once however many requests ask at once, or the result of a run within
    /// [`REUSE_WINDOW`]. The run is a task of its own, started with the flight: requests
    /// dropped while it runs (the first one included) neither cancel it nor start another.
    pub(crate) async fn refresh<F>(
        &self,
        tokens: &ProviderTokens,
        spend: impl FnOnce(String) -> F,
    ) -> Outcome
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        let id = tokens.provider.clone();
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Err(AccessTokenError::Expired { provider: id });
        };
        let key = flight_key(&id, &refresh_token);
        let mut outcome = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            flights.retain(|_, flight| {
                flight.outcome.borrow().is_none()
                    || now.duration_since(flight.started) < REUSE_WINDOW
            });
            match flights.get(&key) {
                Some(flight) => flight.outcome.clone(),
                None => {
                    let (done, outcome) = watch::channel(None);
                    let run = spend(refresh_token);
                    tokio::spawn(async move {
                        let _ = done.send(Some(run.await));
                    });
                    flights.insert(
                        key,
                        Flight {
                            started: now,
                            outcome: outcome.clone(),
                        },
                    );
                    outcome
                }
            }
        };
        let result = match outcome.wait_for(Option::is_some).await {
            Ok(done) => done.clone().unwrap_or_else(|| unreachable_outcome(&id)),
            Err(_) => unreachable_outcome(&id),
        };
        if let Err(e) = &result {
            tracing::warn!(error = %e, "REFRESH_ACCESS_TOKEN_ERROR");
            // A failure is not replayed: the next request tries again.
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            if flights
                .get(&key)
                .is_some_and(|f| f.outcome.same_channel(&outcome))
            {
                flights.remove(&key);
            }
        }
        result
    }
}

/// The outcome of a refresh task that ended without one (it panicked).
fn unreachable_outcome(provider: &str) -> Outcome {
    Err(AccessTokenError::Unavailable {
        provider: provider.to_owned(),
        reason: "the refresh task ended abnormally".to_owned(),
    })
}

/// The refresh of a JWT session's tokens: the token request alone (the new tokens go into the
/// cookie).
pub(crate) async fn spend_in_token(
    client: OAuthClient,
    provider: Arc<OAuthProvider>,
    tokens: ProviderTokens,
    refresh_token: String,
) -> Result<ProviderTokens, AccessTokenError> {
    match client
        .refresh(&provider, &tokens.token_set(), &refresh_token)
        .await
    {
        Ok(set) => Ok(ProviderTokens::new(&tokens.provider, &set)),
        Err(e) => Err(refresh_error(&tokens.provider, &e)),
    }
}

/// How long a claim on a stored refresh lasts: longer than a token request can take (the
/// OAuth client's 10 s timeout), so it lapses only when its holder died.
const CLAIM: Duration = Duration::from_secs(15);

/// How often a server that did not get the claim looks for the winner's tokens.
const CLAIM_POLL: Duration = Duration::from_millis(100);

/// The refresh of a database session's tokens, the `accounts` row's: exactly one server on
/// the store spends the refresh token (it holds the claim), writes the new tokens only over
/// the ones it replaced (compare-and-set) and releases the claim on failure; every other one
/// waits for the row to change and takes the winner's tokens.
pub(crate) async fn spend_in_store(
    client: OAuthClient,
    provider: Arc<OAuthProvider>,
    store: Arc<dyn Adapter>,
    row: AdapterAccount,
    tokens: ProviderTokens,
    refresh_token: String,
) -> Result<ProviderTokens, AccessTokenError> {
    let id = tokens.provider.clone();
    let unavailable = |reason: String| AccessTokenError::Unavailable {
        provider: id.clone(),
        reason,
    };
    let hash = hex::encode(flight_key(&id, &refresh_token));
    let (account_id, user_id) = (row.provider_account_id.clone(), row.user_id.clone());
    let deadline = Instant::now() + CLAIM;
    loop {
        let until = OffsetDateTime::now_utc() + CLAIM;
        let claimed = match store.claim_refresh(&id, &account_id, &hash, until).await {
            Ok(claimed) => claimed,
            // A store without claims: this process's single flight is all there is.
            Err(AdapterError::Unsupported(_)) => true,
            Err(e) => return Err(unavailable(e.to_string())),
        };
        if claimed {
            let fresh = spend_in_token(client, provider, tokens, refresh_token.clone()).await;
            let fresh = match fresh {
                Ok(fresh) => fresh,
                Err(e) => {
                    let _ = store.release_refresh(&id, &account_id).await;
                    return Err(e);
                }
            };
            match store
                .update_account_tokens(fresh.onto_row(row), Some(&refresh_token))
                .await
            {
                Ok(true) | Err(AdapterError::Unsupported(_)) => {}
                Ok(false) => tracing::warn!(
                    provider = %id,
                    "ACCESS_TOKEN: the account's tokens changed during the refresh; kept theirs"
                ),
                Err(e) => tracing::error!(
                    provider = %id,
                    error = %e,
                    "ACCESS_TOKEN: the refreshed tokens could not be stored"
                ),
            }
            return Ok(fresh);
        }
        // Another server spends it: its tokens appear in the row.
        tokio::time::sleep(CLAIM_POLL).await;
        let accounts = store
            .get_accounts(&user_id)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let current = accounts
            .iter()
            .find(|a| a.provider == id && a.provider_account_id == account_id)
            .and_then(ProviderTokens::from_row);
        match current {
            Some(current) if current.refresh_token.as_deref() != Some(&refresh_token) => {
                return Ok(current);
            }
            None => return Err(AccessTokenError::NotSignedIn { provider: id }),
            Some(_) if Instant::now() > deadline => {
                return Err(unavailable(
                    "another server's refresh did not finish in time".to_owned(),
                ));
            }
            // Still the old tokens: claim again (it lapses, or its holder released it).
            Some(_) => {}
        }
    }
}

fn flight_key(provider: &str, refresh_token: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(provider.as_bytes());
    hash.update([0]);
    hash.update(refresh_token.as_bytes());
    hash.finalize().into()
}

fn refresh_error(provider: &str, error: &OAuthError) -> AccessTokenError {
    match error {
        OAuthError::TokenRefused { error, .. } => AccessTokenError::Refused {
            provider: provider.to_owned(),
            error: error.clone(),
        },
        other => AccessTokenError::Unavailable {
            provider: provider.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// The session cookies a refresh wrote, for `auth.layer()` to add to the response (JWT
/// sessions keep the tokens in the cookie).
#[derive(Clone, Default)]
pub(crate) struct WriteBack(Arc<Mutex<Vec<SetCookie>>>);

impl WriteBack {
    pub(crate) fn set(&self, cookies: Vec<SetCookie>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = cookies;
    }

    pub(crate) fn take(&self) -> Vec<SetCookie> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(expires_at: Option<u64>) -> ProviderTokens {
        ProviderTokens {
            provider: "oidc".into(),
            access_token: "at-secret".into(),
            refresh_token: Some("rt-secret".into()),
            expires_at,
            token_type: Some("Bearer".into()),
            scope: None,
            id_token: None,
        }
    }

    #[test]
    fn a_token_is_valid_for_a_margin_only_up_to_its_expiry() {
        let now = 1_000_000;
        assert!(tokens(Some(now + 61)).valid_for(DEFAULT_MARGIN, now));
        assert!(tokens(Some(now + 60)).valid_for(DEFAULT_MARGIN, now));
        assert!(!tokens(Some(now + 59)).valid_for(DEFAULT_MARGIN, now));
        assert!(!tokens(Some(now - 1)).valid_for(Duration::ZERO, now));
        assert!(tokens(None).valid_for(DEFAULT_MARGIN, now));
    }

    #[test]
    fn debug_never_shows_a_token() {
        let shown = format!("{:?} {:?}", tokens(None), AccessToken::new(&tokens(None)));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("oidc"));
    }

    #[test]
    fn flights_are_per_provider_and_refresh_token() {
        assert_eq!(flight_key("oidc", "a"), flight_key("oidc", "a"));
        assert_ne!(flight_key("oidc", "a"), flight_key("oidc", "b"));
        assert_ne!(flight_key("oidc", "a"), flight_key("other", "a"));
        // The separator keeps `ab`+`c` apart from `a`+`bc`.
        assert_ne!(flight_key("ab", "c"), flight_key("a", "bc"));
    }

    #[test]
    fn failures_mark_the_session_and_answer_401_or_503_never_500() {
        let refused = AccessTokenError::Refused {
            provider: "oidc".into(),
            error: "invalid_grant".into(),
        };
        let down = AccessTokenError::Unavailable {
            provider: "oidc".into(),
            reason: "timed out".into(),
        };
        let absent = AccessTokenError::NotSignedIn {
            provider: "oidc".into(),
        };
        assert!(refused.marks_session() && down.marks_session() && !absent.marks_session());
        assert_eq!(refused.into_response().status(), StatusCode::UNAUTHORIZED);
        let down = down.into_response();
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.headers()[header::RETRY_AFTER], "5");
        assert_eq!(absent.into_response().status(), StatusCode::UNAUTHORIZED);
    }
}
