//! Where database sessions are stored: the adapter, connected on first use (and again after a
//! failure, so a database that comes back is picked up without a restart), behind a short
//! pause after the database could not be reached, so an outage does not hold every request.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::adapter::{
    Adapter, AdapterAccount, AdapterAuthenticator, AdapterError, AdapterResult, AdapterSession,
    AdapterUser, BoxFuture, JwtSessionRecord, ListedSession, NewUser, SessionAndUser,
    SessionDetails, VerificationToken, WebAuthnChallenge,
};
use crate::spec::Setting;

/// How long connecting to the database may take before the request is answered without it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// After the database could not be reached, how long requests are answered without trying it.
const RETRY_AFTER: Duration = Duration::from_secs(1);

type Connect =
    Arc<dyn Fn() -> BoxFuture<'static, Result<Arc<dyn Adapter>, AdapterError>> + Send + Sync>;

/// Where the adapter of `session: database { adapter: … }` comes from.
#[derive(Clone)]
pub struct AdapterSource {
    kind: SourceKind,
}

#[derive(Clone)]
enum SourceKind {
    /// A database URL setting, read at start-up, with a default for an unset variable.
    Url {
        url: Setting,
        default: Option<&'static str>,
    },
    /// A connection function.
    Connect {
        connect: Connect,
        /// What to say in logs: the URL's scheme, never its credentials.
        label: String,
    },
}

impl fmt::Debug for AdapterSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match &self.kind {
            SourceKind::Url { .. } => "url",
            SourceKind::Connect { label, .. } => label,
        };
        f.debug_struct("AdapterSource")
            .field("kind", &label)
            .finish_non_exhaustive()
    }
}

impl AdapterSource {
    /// A database URL (`sqlite:…` with feature `sqlite`, `postgres://…` with feature
    /// `postgres`) from a setting, with a default used when its variable is unset.
    pub fn url(url: Setting, default: Option<&'static str>) -> Self {
        AdapterSource {
            kind: SourceKind::Url { url, default },
        }
    }

    /// The setting to read at start-up, for a URL source.
    pub(crate) fn url_setting(&self) -> Option<(Setting, Option<&'static str>)> {
        match &self.kind {
            SourceKind::Url { url, default } => Some((*url, *default)),
            SourceKind::Connect { .. } => None,
        }
    }

    /// A source that connects to this URL.
    pub(crate) fn from_url(url: String) -> Self {
        let label = url.split(':').next().unwrap_or_default().to_owned();
        let connect: Connect = Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { connect_url(&url).await })
        });
        AdapterSource {
            kind: SourceKind::Connect { connect, label },
        }
    }

    /// An adapter made by the application's `async fn() -> Result<A, E>`.
    pub fn custom<F, Fut, A, E>(make: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<A, E>> + Send + 'static,
        A: Adapter + 'static,
        E: fmt::Display,
    {
        let make = Arc::new(make);
        let connect: Connect = Arc::new(move || {
            let fut = make();
            Box::pin(async move {
                match fut.await {
                    Ok(adapter) => Ok(Arc::new(adapter) as Arc<dyn Adapter>),
                    Err(e) => Err(AdapterError::store("connect", e.to_string())),
                }
            })
        });
        AdapterSource {
            kind: SourceKind::Connect {
                connect,
                label: "custom".to_owned(),
            },
        }
    }
}

async fn connect_url(url: &str) -> Result<Arc<dyn Adapter>, AdapterError> {
    if url.starts_with("sqlite:") {
        #[cfg(feature = "sqlite")]
        return Ok(Arc::new(crate::adapter::SqliteAdapter::connect(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Arc::new(
            crate::adapter::PostgresAdapter::connect(url).await?,
        ));
    }
    Err(AdapterError::store(
        "connect",
        format!(
            "no adapter for `{}:` URLs in this build (features `sqlite`, `postgres`)",
            url.split(':').next().unwrap_or_default()
        ),
    ))
}

/// The adapter, connected on first use; a failed connection is tried again next time, but
/// not before [`RETRY_AFTER`] has passed (see [`Breaker`]).
pub(crate) struct LazyAdapter {
    source: AdapterSource,
    adapter: OnceCell<Arc<dyn Adapter>>,
    breaker: Arc<Breaker>,
}

impl LazyAdapter {
    pub(crate) fn new(source: AdapterSource) -> Self {
        Self::with_pause(source, RETRY_AFTER)
    }

    fn with_pause(source: AdapterSource, pause: Duration) -> Self {
        LazyAdapter {
            source,
            adapter: OnceCell::new(),
            breaker: Arc::new(Breaker::new(pause)),
        }
    }

    /// The connected adapter, as one request uses it (see [`RequestAdapter`]): call it once
    /// per request.
    pub(crate) async fn get(&self) -> Result<Arc<dyn Adapter>, AdapterError> {
        let SourceKind::Connect { connect, label } = &self.source.kind else {
            // `Builder::build` turns every URL source into a connecting one.
            return Err(AdapterError::store(
                "connect",
                "the database URL was never read",
            ));
        };
        self.adapter
            .get_or_try_init(|| async {
                // Requests queued behind a connection that just failed do not try again.
                if !self.breaker.admit() {
                    return Err(paused());
                }
                // A database that does not answer must not hold the request for long.
                let connected = match tokio::time::timeout(CONNECT_TIMEOUT, connect()).await {
                    Ok(connected) => connected,
                    Err(_) => Err(AdapterError::store("connect", "timed out")),
                };
                self.breaker.record(connected.is_err());
                connected.inspect_err(|e| {
                    tracing::error!(adapter = %label, error = %e, "ADAPTER_ERROR: cannot connect");
                })
            })
            .await
            .map(|connected| {
                Arc::new(RequestAdapter {
                    inner: Arc::clone(connected),
                    breaker: Arc::clone(&self.breaker),
                    created_user: Mutex::new(None),
                }) as Arc<dyn Adapter>
            })
    }
}

/// The error of a request answered without trying the database.
fn paused() -> AdapterError {
    AdapterError::store(
        "reach the database",
        "it could not be reached a moment ago; it is tried again shortly",
    )
}

/// Whether an adapter error says the database could not be reached (rather than that it
/// refused a statement): the connection failed, broke, or none became free in time.
fn is_unreachable(error: &AdapterError) -> bool {
    let AdapterError::Store { source, .. } = error else {
        return false;
    };
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    if let Some(error) = source.downcast_ref::<sqlx::Error>() {
        return matches!(
            error,
            sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
        );
    }
    let _ = source;
    false
}

/// A database that could not be reached is not tried again for a short pause: without it,
/// every request during an outage would wait out the connect (or pool) timeout, 5 s each.
/// When the pause is over, one request tries; the others keep being answered at once until
/// it knows.
struct Breaker {
    pause: Duration,
    /// Until when requests are answered without the database; `None` while it answers.
    closed_until: Mutex<Option<Instant>>,
}

impl Breaker {
    fn new(pause: Duration) -> Self {
        Breaker {
            pause,
            closed_until: Mutex::new(None),
        }
    }

    /// Whether this request may use the database now.
    fn admit(&self) -> bool {
        let mut closed_until = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        match *closed_until {
            None => true,
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                // This request is the one that tries; the others wait for its answer no
                // longer than the database may take to fail.
                *closed_until = Some(Instant::now() + self.pause + CONNECT_TIMEOUT);
                true
            }
        }
    }

    /// What a use of the database found: out of reach, or answering.
    fn record(&self, unreachable: bool) {
        let mut closed_until = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        *closed_until = unreachable.then(|| Instant::now() + self.pause);
    }

    /// Runs one adapter operation unless the database is paused, and records what it found.
    fn run<'a, T: Send + 'a>(
        &'a self,
        operation: BoxFuture<'a, AdapterResult<T>>,
    ) -> BoxFuture<'a, AdapterResult<T>> {
        Box::pin(async move {
            if !self.admit() {
                return Err(paused());
            }
            let result = operation.await;
            self.record(matches!(&result, Err(e) if is_unreachable(e)));
            result
        })
    }
}

/// The connected adapter as one request uses it: each operation runs through the
/// [`Breaker`], and a user created through it whose first session cannot be stored is deleted
/// again (with its account), so a sign-in that fails part-way leaves no user behind. (The
/// routes create a user, then its session, through the same handle.)
struct RequestAdapter {
    inner: Arc<dyn Adapter>,
    breaker: Arc<Breaker>,
    /// The id of the user this request created, if any.
    created_user: Mutex<Option<String>>,
}

impl RequestAdapter {
    fn remember(&self, created: &AdapterResult<AdapterUser>) {
        if let Ok(user) = created {
            *self.created_user.lock().unwrap_or_else(|e| e.into_inner()) = Some(user.id.clone());
        }
    }

    fn created_here(&self, user_id: &str) -> bool {
        self.created_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_deref()
            == Some(user_id)
    }
}

impl Adapter for RequestAdapter {
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        Box::pin(async move {
            let created = self.breaker.run(self.inner.create_user(user)).await;
            self.remember(&created);
            created
        })
    }

    fn create_user_with_account(
        &self,
        user: NewUser,
        account: AdapterAccount,
    ) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        Box::pin(async move {
            let created = self
                .breaker
                .run(self.inner.create_user_with_account(user, account))
                .await;
            self.remember(&created);
            created
        })
    }

    fn get_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        self.breaker.run(self.inner.get_user(id))
    }

    fn get_user_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        self.breaker.run(self.inner.get_user_by_email(email))
    }

    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        self.breaker.run(
            self.inner
                .get_user_by_account(provider, provider_account_id),
        )
    }

    fn update_user(&self, user: AdapterUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        self.breaker.run(self.inner.update_user(user))
    }

    fn delete_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker.run(self.inner.delete_user(id))
    }

    fn link_account(&self, account: AdapterAccount) -> BoxFuture<'_, AdapterResult<()>> {
        self.breaker.run(self.inner.link_account(account))
    }

    fn unlink_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker
            .run(self.inner.unlink_account(provider, provider_account_id))
    }

    fn get_accounts<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAccount>>> {
        self.breaker.run(self.inner.get_accounts(user_id))
    }

    fn create_session(&self, session: AdapterSession) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let user_id = session.user_id.clone();
            let stored = self.breaker.run(self.inner.create_session(session)).await;
            if stored.is_err() && self.created_here(&user_id) {
                // A database that is out of reach cannot be cleaned up now; what stays is a
                // whole user with its account, which the next sign-in finds.
                match self.breaker.run(self.inner.delete_user(&user_id)).await {
                    Ok(_) => *self.created_user.lock().unwrap_or_else(|e| e.into_inner()) = None,
                    Err(e) => tracing::error!(
                        error = %e,
                        "ADAPTER_ERROR: cannot delete the user whose session could not be stored"
                    ),
                }
            }
            stored
        })
    }

    fn get_session_and_user<'a>(
        &'a self,
        session_token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<SessionAndUser>>> {
        self.breaker
            .run(self.inner.get_session_and_user(session_token))
    }

    fn update_session<'a>(
        &'a self,
        session_token: &'a str,
        expires: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterSession>>> {
        self.breaker
            .run(self.inner.update_session(session_token, expires))
    }

    fn delete_session<'a>(&'a self, session_token: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker.run(self.inner.delete_session(session_token))
    }

    fn delete_sessions<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, AdapterResult<u64>> {
        self.breaker.run(self.inner.delete_sessions(user_id))
    }

    fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        self.breaker
            .run(self.inner.create_verification_token(token))
    }

    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<VerificationToken>>> {
        self.breaker
            .run(self.inner.use_verification_token(identifier, token))
    }

    fn set_roles<'a>(
        &'a self,
        user_id: &'a str,
        roles: &'a [String],
    ) -> BoxFuture<'a, AdapterResult<()>> {
        self.breaker.run(self.inner.set_roles(user_id, roles))
    }

    fn save_session_details<'a>(
        &'a self,
        session_token: &'a str,
        details: SessionDetails,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        self.breaker
            .run(self.inner.save_session_details(session_token, details))
    }

    fn list_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<ListedSession>>> {
        self.breaker.run(self.inner.list_sessions(user_id))
    }

    fn create_jwt_session(&self, record: JwtSessionRecord) -> BoxFuture<'_, AdapterResult<()>> {
        self.breaker.run(self.inner.create_jwt_session(record))
    }

    fn touch_jwt_session<'a>(
        &'a self,
        sid: &'a str,
        seen: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker
            .run(self.inner.touch_jwt_session(sid, seen, expires))
    }

    fn list_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<JwtSessionRecord>>> {
        self.breaker.run(self.inner.list_jwt_sessions(user_id))
    }

    fn delete_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
        sid: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<u64>> {
        self.breaker
            .run(self.inner.delete_jwt_sessions(user_id, sid))
    }

    fn update_account_tokens<'a>(
        &'a self,
        account: AdapterAccount,
        replaces: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker
            .run(self.inner.update_account_tokens(account, replaces))
    }

    fn claim_refresh<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
        refresh_hash: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker.run(self.inner.claim_refresh(
            provider,
            provider_account_id,
            refresh_hash,
            until,
        ))
    }

    fn release_refresh<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        self.breaker
            .run(self.inner.release_refresh(provider, provider_account_id))
    }

    fn create_authenticator(
        &self,
        authenticator: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        self.breaker
            .run(self.inner.create_authenticator(authenticator))
    }

    fn get_authenticator<'a>(
        &'a self,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterAuthenticator>>> {
        self.breaker
            .run(self.inner.get_authenticator(credential_id))
    }

    fn list_authenticators<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAuthenticator>>> {
        self.breaker.run(self.inner.list_authenticators(user_id))
    }

    fn update_authenticator_use(
        &self,
        used: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<bool>> {
        self.breaker.run(self.inner.update_authenticator_use(used))
    }

    fn rename_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker.run(
            self.inner
                .rename_authenticator(user_id, credential_id, name),
        )
    }

    fn delete_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        self.breaker
            .run(self.inner.delete_authenticator(user_id, credential_id))
    }

    fn create_webauthn_challenge(
        &self,
        challenge: WebAuthnChallenge,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        self.breaker
            .run(self.inner.create_webauthn_challenge(challenge))
    }

    fn use_webauthn_challenge<'a>(
        &'a self,
        id: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<WebAuthnChallenge>>> {
        self.breaker.run(self.inner.use_webauthn_challenge(id, now))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::adapter::MemoryAdapter;

    /// A source that fails to connect while `down` says so, counting its attempts.
    fn flaky(down: Arc<Mutex<bool>>, attempts: Arc<AtomicUsize>) -> AdapterSource {
        AdapterSource::custom(move || {
            let down = *down.lock().unwrap_or_else(|e| e.into_inner());
            attempts.fetch_add(1, Ordering::SeqCst);
            async move {
                if down {
                    Err("connection refused")
                } else {
                    Ok(MemoryAdapter::new())
                }
            }
        })
    }

    #[tokio::test]
    async fn a_failed_connection_is_not_tried_again_until_the_pause_is_over() {
        let down = Arc::new(Mutex::new(true));
        let attempts = Arc::new(AtomicUsize::new(0));
        let pause = Duration::from_millis(200);
        let lazy = LazyAdapter::with_pause(flaky(Arc::clone(&down), Arc::clone(&attempts)), pause);

        assert!(lazy.get().await.is_err());
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
        // During the pause: answered at once, the database untouched.
        for _ in 0..5 {
            let error = lazy.get().await.err().map(|e| e.to_string());
            assert!(error.is_some_and(|e| e.contains("tried again shortly")));
        }
        assert_eq!(attempts.load(Ordering::SeqCst), 1);

        // After it: tried again, and the database that came back is used.
        *down.lock().unwrap_or_else(|e| e.into_inner()) = false;
        tokio::time::sleep(pause + Duration::from_millis(50)).await;
        assert!(lazy.get().await.is_ok());
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
        assert!(lazy.get().await.is_ok());
        assert_eq!(attempts.load(Ordering::SeqCst), 2, "connected once");
    }

    #[tokio::test]
    async fn a_user_created_by_a_request_whose_session_fails_is_deleted_again() {
        let lazy = LazyAdapter::new(AdapterSource::custom(|| async {
            Ok::<_, AdapterError>(MemoryAdapter::new())
        }));
        let expires = OffsetDateTime::now_utc() + time::Duration::hours(1);
        // Another request's user and session, whose token the next session reuses (so its
        // insert fails as a conflict).
        let earlier = lazy.get().await.unwrap();
        let owner = earlier
            .create_user(NewUser::default().email("owner@example.com"))
            .await
            .unwrap();
        earlier
            .create_session(AdapterSession::new("taken", &owner.id, expires))
            .await
            .unwrap();

        let request = lazy.get().await.unwrap();
        let account = AdapterAccount {
            kind: "oidc".to_owned(),
            provider: "idp".to_owned(),
            provider_account_id: "sub-1".to_owned(),
            ..AdapterAccount::default()
        };
        let created = request
            .create_user_with_account(NewUser::default().email("new@example.com"), account)
            .await
            .unwrap();
        let failed = request
            .create_session(AdapterSession::new("taken", &created.id, expires))
            .await;
        assert!(
            matches!(failed, Err(AdapterError::Conflict(_))),
            "{failed:?}"
        );
        assert_eq!(request.get_user(&created.id).await.unwrap(), None);
        assert_eq!(
            request.get_user_by_account("idp", "sub-1").await.unwrap(),
            None
        );

        // A user this request did not create is never deleted for it.
        let other = lazy.get().await.unwrap();
        assert!(
            other
                .create_session(AdapterSession::new("taken", &owner.id, expires))
                .await
                .is_err()
        );
        assert_eq!(other.get_user(&owner.id).await.unwrap(), Some(owner));
    }

    /// A method with a default that `RequestAdapter` does not forward answers with the default
    /// (`Unsupported`, or nothing kept) although the store implements it: each is called here
    /// through a request's adapter over a `MemoryAdapter`, which implements them all.
    #[tokio::test]
    async fn every_method_with_a_default_is_forwarded_to_the_store() {
        let lazy = LazyAdapter::new(AdapterSource::custom(|| async {
            Ok::<_, AdapterError>(MemoryAdapter::new())
        }));
        let adapter = lazy.get().await.unwrap();
        let now = OffsetDateTime::now_utc();
        let later = now + time::Duration::hours(1);
        let user = adapter.create_user(NewUser::default()).await.unwrap();
        adapter
            .create_session(AdapterSession::new("forwarded", &user.id, later))
            .await
            .unwrap();
        let account = AdapterAccount {
            user_id: user.id.clone(),
            kind: "webauthn".to_owned(),
            provider: "passkey".to_owned(),
            provider_account_id: "cred-1".to_owned(),
            refresh_token: Some("r1".to_owned()),
            ..AdapterAccount::default()
        };
        adapter.link_account(account.clone()).await.unwrap();

        adapter
            .set_roles(&user.id, &["admin".to_owned()])
            .await
            .unwrap();
        let details = SessionDetails {
            user_agent: Some("Browser/1.0".to_owned()),
            ..SessionDetails::default()
        };
        adapter
            .save_session_details("forwarded", details.clone())
            .await
            .unwrap();
        let listed = adapter.list_sessions(&user.id).await.unwrap();
        assert_eq!(listed[0].details, details, "save_session_details");

        let record = JwtSessionRecord {
            sid: "sid-1".to_owned(),
            user_id: user.id.clone(),
            expires: later,
            details: SessionDetails::default(),
        };
        adapter.create_jwt_session(record).await.unwrap();
        assert!(
            adapter
                .touch_jwt_session("sid-1", now, later)
                .await
                .unwrap()
        );
        assert_eq!(adapter.list_jwt_sessions(&user.id).await.unwrap().len(), 1);
        assert_eq!(
            adapter.delete_jwt_sessions(&user.id, None).await.unwrap(),
            1
        );

        assert!(
            adapter
                .update_account_tokens(account, Some("r1"))
                .await
                .unwrap()
        );
        assert!(
            adapter
                .claim_refresh("passkey", "cred-1", "hash", later)
                .await
                .unwrap()
        );
        adapter.release_refresh("passkey", "cred-1").await.unwrap();

        let passkey = AdapterAuthenticator {
            credential_id: "cred-1".to_owned(),
            user_id: user.id.clone(),
            provider_account_id: "cred-1".to_owned(),
            credential_public_key: "pQECAyYgASFYIA==".to_owned(),
            counter: 0,
            credential_device_type: "multiDevice".to_owned(),
            credential_backed_up: true,
            transports: Some("internal,hybrid".to_owned()),
            credential: "{}".to_owned(),
            name: None,
            created: now,
            last_used: None,
        };
        adapter.create_authenticator(passkey.clone()).await.unwrap();
        assert_eq!(
            adapter.get_authenticator("cred-1").await.unwrap(),
            Some(passkey.clone())
        );
        assert_eq!(
            adapter.list_authenticators(&user.id).await.unwrap(),
            std::slice::from_ref(&passkey)
        );
        let used = AdapterAuthenticator {
            counter: 1,
            last_used: Some(now),
            ..passkey
        };
        assert!(adapter.update_authenticator_use(used).await.unwrap());
        assert!(
            adapter
                .rename_authenticator(&user.id, "cred-1", "Phone")
                .await
                .unwrap()
        );
        assert!(
            adapter
                .delete_authenticator(&user.id, "cred-1")
                .await
                .unwrap()
        );
        assert!(adapter.get_accounts(&user.id).await.unwrap().is_empty());

        let challenge = WebAuthnChallenge {
            id: "ceremony-1".to_owned(),
            state: "{}".to_owned(),
            expires: later,
        };
        adapter
            .create_webauthn_challenge(challenge.clone())
            .await
            .unwrap();
        assert_eq!(
            adapter
                .use_webauthn_challenge("ceremony-1", now)
                .await
                .unwrap(),
            Some(challenge)
        );
    }

    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn an_unreachable_database_pauses_operations_and_a_refused_statement_does_not() {
        let breaker = Breaker::new(Duration::from_millis(200));
        let unreachable = || -> BoxFuture<'static, AdapterResult<()>> {
            Box::pin(async { Err(AdapterError::store("read", sqlx::Error::PoolTimedOut)) })
        };
        let refused = || -> BoxFuture<'static, AdapterResult<()>> {
            Box::pin(async { Err(AdapterError::Conflict("a user with this email")) })
        };
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = |ran: &Arc<AtomicUsize>| -> BoxFuture<'static, AdapterResult<()>> {
            let ran = Arc::clone(ran);
            Box::pin(async move {
                ran.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        };

        assert!(matches!(
            breaker.run(refused()).await,
            Err(AdapterError::Conflict(_))
        ));
        assert!(
            breaker.run(counted(&ran)).await.is_ok(),
            "a refusal is an answer"
        );
        assert!(breaker.run(unreachable()).await.is_err());
        assert!(breaker.run(counted(&ran)).await.is_err(), "paused");
        assert_eq!(ran.load(Ordering::SeqCst), 1);

        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(
            breaker.run(counted(&ran)).await.is_ok(),
            "tried after the pause"
        );
        assert!(breaker.run(counted(&ran)).await.is_ok());
        assert_eq!(ran.load(Ordering::SeqCst), 3);
    }
}
