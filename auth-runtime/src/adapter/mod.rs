//! Database sessions and stored users: the [`Adapter`] trait (NextAuth v4's adapter
//! operations), its records, and the stores shipped with the crate.
//!
//! | store | feature | for |
//! | --- | --- | --- |
//! | [`MemoryAdapter`] | always | tests and demos in one process |
//! | `SqliteAdapter` | `sqlite` (default) | an embedded database file, migrated at start-up |
//! | `PostgresAdapter` | `postgres` | the tables of the official `@auth/pg-adapter`, so a Next.js app and this server can share one database |
//!
//! Any other store (diesel, sea-orm, Redis, an HTTP API) plugs in by implementing [`Adapter`]:
//! sixteen required methods (the rest have defaults) that each return a boxed future, so the runtime can hold an
//! `Arc<dyn Adapter>`. [`MemoryAdapter`]'s source is a complete implementation to start from,
//! and `tests/adapter_conformance.rs` is the suite every implementation must pass.
//!
//! The adapter stores; the runtime decides. Expiry (of sessions and of verification tokens),
//! email normalisation, token hashing and the account-linking policy are the runtime's job:
//! an adapter returns what it holds, expired or not.
//!
//! ```
//! use auth_runtime::adapter::{Adapter, AdapterSession, MemoryAdapter, NewUser};
//! use time::{Duration, OffsetDateTime};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), auth_runtime::adapter::AdapterError> {
//! let adapter = MemoryAdapter::new();
//! let user = adapter.create_user(NewUser::default().email("alice@example.com")).await?;
//! let expires = OffsetDateTime::now_utc() + Duration::days(30);
//! adapter
//!     .create_session(AdapterSession::new("token-1", &user.id, expires))
//!     .await?;
//! let found = adapter.get_session_and_user("token-1").await?;
//! assert_eq!(found.map(|s| s.user), Some(user));
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use time::OffsetDateTime;

use crate::user::{Account, User};

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod readers;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_reads;

pub use memory::MemoryAdapter;
#[cfg(feature = "postgres")]
pub use postgres::PostgresAdapter;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteAdapter;

/// The `sqlx` the SQL adapters are built on, to name its pools and options without a
/// dependency of your own (and without a second copy of `sqlx` at another version).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sqlx;

/// The future an [`Adapter`] method returns: boxed, so that the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The result of an [`Adapter`] operation.
pub type AdapterResult<T> = Result<T, AdapterError>;

/// A store of users, their linked accounts, database sessions and email verification tokens
/// (NextAuth v4's `Adapter`).
///
/// Every method returns a [`BoxFuture`]; implement one as `Box::pin(async move { … })`.
/// Ids are strings whatever the store uses (the SQL adapters' ids are integers written in
/// decimal); an id the store could never have issued, such as `"abc"` for an integer key,
/// is simply not found.
///
/// The contract, checked by `tests/adapter_conformance.rs`:
/// - a user's email is unique (several users may have none); lookups are exact: the runtime
///   normalises emails before it calls the adapter;
/// - a user id is never reused, even after the user is deleted (a session or token naming
///   the old id must not find a new user);
/// - `(provider, provider_account_id)` links to at most one user;
/// - deleting a user deletes its accounts and sessions;
/// - a verification token is found by identifier *and* token together, and at most once,
///   even under concurrent use (GHSA-pg53-56cg-4m8q, GHSA-4rxr-27mm-mxq9);
/// - timestamps come back as stored, to the microsecond;
/// - errors never carry a token (see [`AdapterError`]).
///
/// # Implementing it
///
/// A wrapper that counts sign-ins and delegates everything to another adapter:
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// use auth_runtime::adapter::{
///     Adapter, AdapterAccount, AdapterResult, AdapterSession, AdapterUser, BoxFuture,
///     MemoryAdapter, NewUser, SessionAndUser, VerificationToken,
/// };
/// use time::OffsetDateTime;
///
/// struct Counted<A> {
///     inner: A,
///     sessions_created: AtomicU64,
/// }
///
/// impl<A: Adapter> Adapter for Counted<A> {
///     fn create_session(&self, session: AdapterSession) -> BoxFuture<'_, AdapterResult<()>> {
///         Box::pin(async move {
///             self.inner.create_session(session).await?;
///             self.sessions_created.fetch_add(1, Ordering::Relaxed);
///             Ok(())
///         })
///     }
///
///     fn create_user(&self, user: NewUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
///         self.inner.create_user(user)
///     }
///     fn get_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
///         self.inner.get_user(id)
///     }
///     fn get_user_by_email<'a>(
///         &'a self,
///         email: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
///         self.inner.get_user_by_email(email)
///     }
///     fn get_user_by_account<'a>(
///         &'a self,
///         provider: &'a str,
///         provider_account_id: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
///         self.inner.get_user_by_account(provider, provider_account_id)
///     }
///     fn update_user(&self, user: AdapterUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
///         self.inner.update_user(user)
///     }
///     fn delete_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
///         self.inner.delete_user(id)
///     }
///     fn link_account(&self, account: AdapterAccount) -> BoxFuture<'_, AdapterResult<()>> {
///         self.inner.link_account(account)
///     }
///     fn unlink_account<'a>(
///         &'a self,
///         provider: &'a str,
///         provider_account_id: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<bool>> {
///         self.inner.unlink_account(provider, provider_account_id)
///     }
///     fn get_accounts<'a>(
///         &'a self,
///         user_id: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAccount>>> {
///         self.inner.get_accounts(user_id)
///     }
///     fn get_session_and_user<'a>(
///         &'a self,
///         session_token: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<Option<SessionAndUser>>> {
///         self.inner.get_session_and_user(session_token)
///     }
///     fn update_session<'a>(
///         &'a self,
///         session_token: &'a str,
///         expires: OffsetDateTime,
///     ) -> BoxFuture<'a, AdapterResult<Option<AdapterSession>>> {
///         self.inner.update_session(session_token, expires)
///     }
///     fn delete_session<'a>(&'a self, session_token: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
///         self.inner.delete_session(session_token)
///     }
///     fn delete_sessions<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, AdapterResult<u64>> {
///         self.inner.delete_sessions(user_id)
///     }
///     fn create_verification_token(
///         &self,
///         token: VerificationToken,
///     ) -> BoxFuture<'_, AdapterResult<()>> {
///         self.inner.create_verification_token(token)
///     }
///     fn use_verification_token<'a>(
///         &'a self,
///         identifier: &'a str,
///         token: &'a str,
///     ) -> BoxFuture<'a, AdapterResult<Option<VerificationToken>>> {
///         self.inner.use_verification_token(identifier, token)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> AdapterResult<()> {
/// let adapter: std::sync::Arc<dyn Adapter> = std::sync::Arc::new(Counted {
///     inner: MemoryAdapter::new(),
///     sessions_created: AtomicU64::new(0),
/// });
/// let user = adapter.create_user(NewUser::default()).await?;
/// let expires = OffsetDateTime::now_utc();
/// adapter.create_session(AdapterSession::new("t", &user.id, expires)).await?;
/// # Ok(())
/// # }
/// ```
pub trait Adapter: Send + Sync {
    /// Creates a user and returns it with the id the store gave it (`createUser`).
    ///
    /// Fails with [`AdapterError::Conflict`] when another user has the same email.
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, AdapterResult<AdapterUser>>;

    /// Creates a user together with the account it signed in with, as one write
    /// (`createUser` then `linkAccount`), and returns the user.
    ///
    /// When the account cannot be linked, no user is left behind: a user without the account
    /// it signed in with could never sign in with that account again (its email would belong
    /// to "another" user, `OAuthAccountNotLinked`). `account.user_id` is ignored.
    ///
    /// The default runs [`create_user`](Self::create_user), then
    /// [`link_account`](Self::link_account), and deletes the user again when linking fails.
    /// The SQL adapters use one transaction instead, which also holds when the connection is
    /// lost half-way; a store with transactions should override it likewise.
    fn create_user_with_account(
        &self,
        user: NewUser,
        account: AdapterAccount,
    ) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        Box::pin(async move {
            let created = self.create_user(user).await?;
            let account = AdapterAccount {
                user_id: created.id.clone(),
                ..account
            };
            if let Err(error) = self.link_account(account).await {
                if let Err(undo) = self.delete_user(&created.id).await {
                    tracing::error!(
                        error = %undo,
                        "ADAPTER_ERROR: cannot delete the user whose account could not be linked"
                    );
                }
                return Err(error);
            }
            Ok(created)
        })
    }

    /// The user with this id (`getUser`).
    fn get_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>>;

    /// The user with exactly this email (`getUserByEmail`).
    fn get_user_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>>;

    /// The user a provider account is linked to (`getUserByAccount`).
    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>>;

    /// Replaces every field of the user with `user.id` and returns it as stored (`updateUser`).
    ///
    /// To change one field, read the user, change the field, write it back. Fails with
    /// [`AdapterError::NotFound`] when there is no such user and with
    /// [`AdapterError::Conflict`] when the new email is another user's.
    fn update_user(&self, user: AdapterUser) -> BoxFuture<'_, AdapterResult<AdapterUser>>;

    /// Deletes a user with its accounts and sessions (`deleteUser`); `false` when there was
    /// no such user.
    fn delete_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<bool>>;

    /// Links a provider account to `account.user_id` (`linkAccount`).
    ///
    /// Fails with [`AdapterError::Conflict`] when the provider account is already linked
    /// (to this user or another) and with [`AdapterError::NotFound`] when there is no such
    /// user.
    fn link_account(&self, account: AdapterAccount) -> BoxFuture<'_, AdapterResult<()>>;

    /// Removes a provider account's link (`unlinkAccount`); `false` when it was not linked.
    fn unlink_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>>;

    /// Every provider account linked to the user `user_id`, oldest link first (Auth.js's
    /// `getAccounts`-style read; next-auth v4 has none): the account rules need to know
    /// which providers a user already signs in with.
    fn get_accounts<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAccount>>>;

    /// Stores a new session (`createSession`).
    ///
    /// Fails with [`AdapterError::Conflict`] when the token is already a session's and with
    /// [`AdapterError::NotFound`] when there is no such user.
    fn create_session(&self, session: AdapterSession) -> BoxFuture<'_, AdapterResult<()>>;

    /// The session with this token and its user (`getSessionAndUser`), even when the session
    /// has expired: the runtime checks `expires`, deletes an expired session and treats it
    /// as absent.
    fn get_session_and_user<'a>(
        &'a self,
        session_token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<SessionAndUser>>>;

    /// Sets a session's expiry and returns the session as stored (`updateSession`); `None`
    /// when there is no such session.
    fn update_session<'a>(
        &'a self,
        session_token: &'a str,
        expires: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterSession>>>;

    /// Deletes a session (`deleteSession`, at sign-out); `false` when there was none.
    fn delete_session<'a>(&'a self, session_token: &'a str) -> BoxFuture<'a, AdapterResult<bool>>;

    /// Deletes every session of the user `user_id` (sign out everywhere) and returns how many
    /// there were.
    fn delete_sessions<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, AdapterResult<u64>>;

    /// Stores an email sign-in token (`createVerificationToken`); the token is already hashed.
    ///
    /// Fails with [`AdapterError::Conflict`] when the same (identifier, token) pair is stored.
    fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> BoxFuture<'_, AdapterResult<()>>;

    /// Takes the verification token stored for exactly this identifier *and* this (hashed)
    /// token, deleting it in the same step (`useVerificationToken`).
    ///
    /// A right token with the wrong identifier finds nothing and leaves the token in place.
    /// Two concurrent calls for one token: exactly one gets it. An expired token is returned
    /// (and deleted) like any other: the runtime refuses it.
    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<VerificationToken>>>;

    /// Replaces the roles of the user `user_id` (names declared in `roles:`); an empty list
    /// removes them. [`get_session_and_user`](Adapter::get_session_and_user) returns them.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn set_roles<'a>(
        &'a self,
        user_id: &'a str,
        roles: &'a [String],
    ) -> BoxFuture<'a, AdapterResult<()>> {
        let _ = (user_id, roles);
        Box::pin(async { Err(AdapterError::Unsupported("roles")) })
    }

    /// Stores what the session list shows of the session `session_token` beside the row
    /// NextAuth's contract keeps (when it started, the browser, the client's address).
    ///
    /// Beyond NextAuth's contract: the default keeps nothing, and the list shows only the
    /// expiry.
    fn save_session_details<'a>(
        &'a self,
        session_token: &'a str,
        details: SessionDetails,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        let _ = (session_token, details);
        Box::pin(async { Ok(()) })
    }

    /// Every session of the user `user_id` with its details, oldest first, expired ones
    /// included (the runtime leaves them out).
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn list_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<ListedSession>>> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("a list of sessions")) })
    }
    /// Records a JWT session (`session: jwt { adapter: … }`), so it can be listed and revoked.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn create_jwt_session(&self, record: JwtSessionRecord) -> BoxFuture<'_, AdapterResult<()>> {
        let _ = record;
        Box::pin(async { Err(AdapterError::Unsupported("JWT sessions")) })
    }

    /// Whether the JWT session `sid` is still recorded (not revoked); when it is, its expiry
    /// and last use become `expires` and `seen`.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn touch_jwt_session<'a>(
        &'a self,
        sid: &'a str,
        seen: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        let _ = (sid, seen, expires);
        Box::pin(async { Err(AdapterError::Unsupported("JWT sessions")) })
    }

    /// The recorded JWT sessions of the user `user_id`, oldest first, expired ones included.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn list_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<JwtSessionRecord>>> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("JWT sessions")) })
    }

    /// Revokes the user's JWT session `sid`, or all of them (`None`); how many there were.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn delete_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
        sid: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<u64>> {
        let _ = (user_id, sid);
        Box::pin(async { Err(AdapterError::Unsupported("JWT sessions")) })
    }

    /// Replaces the provider's tokens of the account `account.provider` /
    /// `account.provider_account_id` with `account`'s (access and refresh token, expiry, type,
    /// scope, ID token). With `replaces`, only while the stored refresh token is still that
    /// one (compare-and-set): `Ok(false)` when another refresh replaced it first, or when there
    /// is no such account.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn update_account_tokens<'a>(
        &'a self,
        account: AdapterAccount,
        replaces: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        let _ = (account, replaces);
        Box::pin(async { Err(AdapterError::Unsupported("token updates")) })
    }

    /// Claims, until `until`, the refresh of the provider account's tokens that spends the
    /// refresh token whose hash is `refresh_hash`: `Ok(true)` for exactly one caller across
    /// every server on the store (others get `false` until the claim expires or is released),
    /// so a refresh token is spent once.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn claim_refresh<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
        refresh_hash: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        let _ = (provider, provider_account_id, refresh_hash, until);
        Box::pin(async { Err(AdapterError::Unsupported("refresh claims")) })
    }

    /// Releases the provider account's refresh claim (its refresh failed), so another caller
    /// may claim it at once.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn release_refresh<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        let _ = (provider, provider_account_id);
        Box::pin(async { Err(AdapterError::Unsupported("refresh claims")) })
    }

    /// Stores a passkey of `authenticator.user_id` (Auth.js's `createAuthenticator`).
    ///
    /// Fails with [`AdapterError::Conflict`] when the credential id is already stored and with
    /// [`AdapterError::NotFound`] when there is no such user. Beyond NextAuth v4's contract:
    /// the default fails with [`AdapterError::Unsupported`].
    fn create_authenticator(
        &self,
        authenticator: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        let _ = authenticator;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// The passkey with this credential id (Auth.js's `getAuthenticator`).
    ///
    /// Beyond NextAuth v4's contract: the default fails with [`AdapterError::Unsupported`].
    fn get_authenticator<'a>(
        &'a self,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterAuthenticator>>> {
        let _ = credential_id;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// The passkeys of the user `user_id`, oldest first (Auth.js's
    /// `listAuthenticatorsByUserId`).
    ///
    /// Beyond NextAuth v4's contract: the default fails with [`AdapterError::Unsupported`].
    fn list_authenticators<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAuthenticator>>> {
        let _ = user_id;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Records a sign-in with the passkey `used.credential_id`: its `counter`,
    /// `credential_backed_up`, `credential` and `last_used` become `used`'s (Auth.js's
    /// `updateAuthenticatorCounter`, and more), only while the stored counter is not above
    /// `used.counter` (an assertion replayed or cloned elsewhere cannot move it back).
    /// `Ok(false)` when there is no such passkey or its counter is ahead.
    ///
    /// Beyond NextAuth v4's contract: the default fails with [`AdapterError::Unsupported`].
    fn update_authenticator_use(
        &self,
        used: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<bool>> {
        let _ = used;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Gives the user's passkey `credential_id` the name `name`; `false` when the user has
    /// no such passkey.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn rename_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        let _ = (user_id, credential_id, name);
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Deletes the user's passkey `credential_id` and the passkey provider's account that
    /// Auth.js pairs with it (`provider_account_id`); `false` when the user has no such passkey.
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn delete_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        let _ = (user_id, credential_id);
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Keeps a WebAuthn ceremony's server state (`state`, opaque JSON) under the random `id`
    /// until `expires`.
    ///
    /// Beyond NextAuth's contract (Auth.js keeps it in a cookie): the default fails with
    /// [`AdapterError::Unsupported`].
    fn create_webauthn_challenge(
        &self,
        challenge: WebAuthnChallenge,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        let _ = challenge;
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }

    /// Takes the ceremony state stored under `id` and deletes it, so it is used once: `None`
    /// when there is none, or it has expired by `now` (an expired one is deleted too).
    ///
    /// Beyond NextAuth's contract: the default fails with [`AdapterError::Unsupported`].
    fn use_webauthn_challenge<'a>(
        &'a self,
        id: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<WebAuthnChallenge>>> {
        let _ = (id, now);
        Box::pin(async { Err(AdapterError::Unsupported("passkeys")) })
    }
}

/// A passkey (WebAuthn credential), shaped like Auth.js's `Authenticator` model so the rows
/// mean the same to an Auth.js app on the same database, plus what this crate's verifier
/// keeps and shows. Binary values are base64 (standard alphabet, padded), as Auth.js writes
/// them.
///
/// `Debug` leaves out the verifier's state and the public key (long, and of no use in a log).
#[derive(Clone, PartialEq, Eq)]
pub struct AdapterAuthenticator {
    /// The credential id (`credentialID`), base64; unique.
    pub credential_id: String,
    /// The user it signs in (`userId`).
    pub user_id: String,
    /// The passkey provider account it belongs to (`providerAccountId`): Auth.js links each
    /// passkey to an account of the passkey provider whose id is the credential id.
    pub provider_account_id: String,
    /// The COSE public key (`credentialPublicKey`), base64.
    pub credential_public_key: String,
    /// The signature counter last seen (`counter`); 0 for authenticators that keep none.
    pub counter: u32,
    /// `"singleDevice"` or `"multiDevice"` (`credentialDeviceType`): whether it may be synced.
    pub credential_device_type: String,
    /// Whether it is backed up (synced) now (`credentialBackedUp`).
    pub credential_backed_up: bool,
    /// The transports the browser reported, comma-separated (`transports`), e.g.
    /// `"internal,hybrid"`.
    pub transports: Option<String>,
    /// The verifier's state of the credential (JSON), which checks its assertions.
    pub credential: String,
    /// A name the user gave it.
    pub name: Option<String>,
    /// When it was registered.
    pub created: OffsetDateTime,
    /// When it last signed in.
    pub last_used: Option<OffsetDateTime>,
}

impl fmt::Debug for AdapterAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterAuthenticator")
            .field("credential_id", &self.credential_id)
            .field("user_id", &self.user_id)
            .field("counter", &self.counter)
            .field("credential_device_type", &self.credential_device_type)
            .field("credential_backed_up", &self.credential_backed_up)
            .field("transports", &self.transports)
            .field("name", &self.name)
            .field("created", &self.created)
            .field("last_used", &self.last_used)
            .finish_non_exhaustive()
    }
}

/// A WebAuthn ceremony in progress: the server's state between the options it sent and the
/// browser's answer (challenges are used once and expire). `Debug` shows only the expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct WebAuthnChallenge {
    /// A random id, kept by the browser in the challenge cookie.
    pub id: String,
    /// The ceremony's state, opaque JSON.
    pub state: String,
    /// When it can no longer be used.
    pub expires: OffsetDateTime,
}

impl fmt::Debug for WebAuthnChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebAuthnChallenge")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// A JWT session as the store records it (`session: jwt { adapter: … }`): the token itself
/// stays in the cookie; the record lets the session be listed, and deleting it revokes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtSessionRecord {
    /// The token's `sid` claim: a random id, not a credential.
    pub sid: String,
    /// The token's `sub`.
    pub user_id: String,
    /// When the session ends unless it is used.
    pub expires: OffsetDateTime,
    /// What else is known of it.
    pub details: SessionDetails,
}

/// What the session list shows of a session besides its token and expiry. Every field may be
/// unknown: a session another server created (e.g. a Next.js app on the same tables) has none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionDetails {
    /// When the session started.
    pub created: Option<OffsetDateTime>,
    /// When the session was last extended (at most `update_age` ago while it is in use).
    pub last_seen: Option<OffsetDateTime>,
    /// The browser's `User-Agent` at sign-in.
    pub user_agent: Option<String>,
    /// The client's address at sign-in.
    pub address: Option<String>,
}

/// One session of a user, as [`Adapter::list_sessions`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedSession {
    /// The session row.
    pub session: AdapterSession,
    /// What else is known of it.
    pub details: SessionDetails,
}

/// A stored user (NextAuth's `AdapterUser`): [`User`] plus when the email was verified.
///
/// A type of its own rather than a field on [`User`], because only stored users have a
/// verified email; `From` converts either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterUser {
    /// The store's id for the user, e.g. `"42"`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Email address (normalised by the runtime), unique among users.
    pub email: Option<String>,
    /// When the user proved they own the email (an email sign-in), if ever.
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
}

impl From<AdapterUser> for User {
    fn from(user: AdapterUser) -> Self {
        User {
            id: user.id,
            name: user.name,
            email: user.email,
            image: user.image,
            roles: Vec::new(),
        }
    }
}

impl From<User> for AdapterUser {
    /// The user with no verified email.
    fn from(user: User) -> Self {
        AdapterUser {
            id: user.id,
            name: user.name,
            email: user.email,
            email_verified: None,
            image: user.image,
        }
    }
}

/// A user to create: an [`AdapterUser`] without the id the store will give it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewUser {
    /// Display name.
    pub name: Option<String>,
    /// Email address (normalised by the runtime).
    pub email: Option<String>,
    /// When the email was verified; NextAuth sets it for email sign-ins only.
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
}

impl NewUser {
    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets when the email was verified.
    pub fn email_verified(mut self, at: OffsetDateTime) -> Self {
        self.email_verified = Some(at);
        self
    }

    /// Sets the avatar URL.
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }
}

impl From<User> for NewUser {
    /// A provider's profile as a user to create (the profile's id is the account's, not the
    /// user's, so it is dropped); the email is not verified.
    fn from(user: User) -> Self {
        NewUser {
            name: user.name,
            email: user.email,
            email_verified: None,
            image: user.image,
        }
    }
}

/// A provider account linked to a user (NextAuth v4's `AdapterAccount`, one `accounts` row).
///
/// `Debug` hides the three tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AdapterAccount {
    /// The id of the user the account belongs to.
    pub user_id: String,
    /// NextAuth's `type`: `oauth`, `oidc` (written by Auth.js v5), `email`, `credentials` or
    /// `webauthn`. A string, because a shared database may hold any of them.
    pub kind: String,
    /// The provider id, e.g. `github`.
    pub provider: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
    /// The OAuth refresh token.
    pub refresh_token: Option<String>,
    /// The OAuth access token.
    pub access_token: Option<String>,
    /// When the access token expires, in seconds since the Unix epoch.
    pub expires_at: Option<i64>,
    /// The token type, usually `bearer`.
    pub token_type: Option<String>,
    /// The granted scope.
    pub scope: Option<String>,
    /// The OpenID Connect ID token.
    pub id_token: Option<String>,
    /// The OpenID Connect `session_state`.
    pub session_state: Option<String>,
}

impl AdapterAccount {
    /// The row for a sign-in's [`Account`] linked to the user `user_id`, with the provider's
    /// tokens when it has some (`session_state` comes from the token response's extra fields).
    pub fn from_account(user_id: impl Into<String>, account: &Account) -> Self {
        let tokens = account.tokens.as_ref();
        AdapterAccount {
            user_id: user_id.into(),
            kind: account.kind.as_str().to_owned(),
            provider: account.provider.clone(),
            provider_account_id: account.provider_account_id.clone(),
            refresh_token: tokens.and_then(|t| t.refresh_token.clone()),
            access_token: tokens
                .map(|t| t.access_token.clone())
                .filter(|t| !t.is_empty()),
            expires_at: tokens
                .and_then(|t| t.expires_at)
                .and_then(|at| i64::try_from(at).ok()),
            token_type: tokens.and_then(|t| t.token_type.clone()),
            scope: tokens.and_then(|t| t.scope.clone()),
            id_token: tokens.and_then(|t| t.id_token.clone()),
            session_state: tokens.and_then(|t| {
                t.extra
                    .get("session_state")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            }),
        }
    }
}

impl fmt::Debug for AdapterAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |token: &Option<String>| token.as_ref().map(|_| "<redacted>");
        f.debug_struct("AdapterAccount")
            .field("user_id", &self.user_id)
            .field("kind", &self.kind)
            .field("provider", &self.provider)
            .field("provider_account_id", &self.provider_account_id)
            .field("refresh_token", &redacted(&self.refresh_token))
            .field("access_token", &redacted(&self.access_token))
            .field("expires_at", &self.expires_at)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("id_token", &redacted(&self.id_token))
            .field("session_state", &self.session_state)
            .finish()
    }
}

/// A database session (NextAuth's `AdapterSession`): the session cookie holds `session_token`.
///
/// `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AdapterSession {
    /// The random token in the session cookie.
    pub session_token: String,
    /// The id of the signed-in user.
    pub user_id: String,
    /// When the session ends.
    pub expires: OffsetDateTime,
}

impl AdapterSession {
    /// A session for `user_id` with this token, ending at `expires`.
    pub fn new(
        session_token: impl Into<String>,
        user_id: impl Into<String>,
        expires: OffsetDateTime,
    ) -> Self {
        AdapterSession {
            session_token: session_token.into(),
            user_id: user_id.into(),
            expires,
        }
    }
}

impl fmt::Debug for AdapterSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterSession")
            .field("session_token", &"<redacted>")
            .field("user_id", &self.user_id)
            .field("expires", &self.expires)
            .finish()
    }
}

/// A session with its user, as [`Adapter::get_session_and_user`] finds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionAndUser {
    /// The session as stored (its `expires` may be in the past).
    pub session: AdapterSession,
    /// The session's user.
    pub user: AdapterUser,
    /// The user's roles by name ([`Adapter::set_roles`]); empty for an adapter without roles.
    pub roles: Vec<String>,
}

/// An email sign-in token (NextAuth's `VerificationToken`).
///
/// `token` is what the runtime stores: `sha256_hex(token + secret)`, never the token in the
/// emailed link. `Debug` hides it all the same.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationToken {
    /// Whom the token is for: the normalised email address.
    pub identifier: String,
    /// The hashed token.
    pub token: String,
    /// When the token stops being valid.
    pub expires: OffsetDateTime,
}

impl VerificationToken {
    /// A token for `identifier`, ending at `expires`.
    pub fn new(
        identifier: impl Into<String>,
        token: impl Into<String>,
        expires: OffsetDateTime,
    ) -> Self {
        VerificationToken {
            identifier: identifier.into(),
            token: token.into(),
            expires,
        }
    }
}

impl fmt::Debug for VerificationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationToken")
            .field("identifier", &self.identifier)
            .field("token", &"<redacted>")
            .field("expires", &self.expires)
            .finish()
    }
}

/// Why an [`Adapter`] operation failed.
///
/// No message (nor `Debug` output) holds a token, a session token or a user's data: the SQL
/// adapters put no value into their errors, and of a database's error they keep, as the
/// [`source`](std::error::Error::source), only its code and message (PostgreSQL's `detail`,
/// which can quote a row, is dropped). A custom adapter must keep to the same rule.
///
/// A [`Store`](AdapterError::Store) error's message says what the adapter was doing and then
/// why it failed (its source's message), so logging it with `%error` loses nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// A write would break a uniqueness rule; the value names what exists, e.g.
    /// `"a user with this email"`.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A write names a record that does not exist; the value names it, e.g. `"user"`.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The adapter does not keep this kind of data (a method beyond NextAuth's contract that
    /// it does not implement); the value names it, e.g. `"roles"`.
    #[error("this adapter does not store {0}")]
    Unsupported(&'static str),
    /// The store failed (unreachable, timed out, refused the statement, returned data that
    /// cannot be read).
    #[error("the adapter's store failed to {operation}: {source}")]
    Store {
        /// What the adapter was doing, e.g. `"read a session"`.
        operation: &'static str,
        /// The store's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AdapterError {
    /// A store failure while doing `operation` (e.g. `"read a session"`), for adapters
    /// outside this crate.
    pub fn store(
        operation: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        AdapterError::Store {
            operation,
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_user_whose_account_cannot_be_linked_is_not_left_behind() {
        // MemoryAdapter keeps the default `create_user_with_account`.
        let adapter = MemoryAdapter::new();
        let first = adapter.create_user(NewUser::default()).await.unwrap();
        let account = AdapterAccount {
            user_id: first.id.clone(),
            kind: "oauth".to_owned(),
            provider: "github".to_owned(),
            provider_account_id: "42".to_owned(),
            ..AdapterAccount::default()
        };
        adapter.link_account(account.clone()).await.unwrap();

        let refused = adapter
            .create_user_with_account(NewUser::default().email("second@example.com"), account)
            .await;
        assert!(
            matches!(refused, Err(AdapterError::Conflict(_))),
            "{refused:?}"
        );
        assert_eq!(
            adapter
                .get_user_by_email("second@example.com")
                .await
                .unwrap(),
            None
        );

        let linked = AdapterAccount {
            kind: "oauth".to_owned(),
            provider: "github".to_owned(),
            provider_account_id: "43".to_owned(),
            ..AdapterAccount::default()
        };
        let created = adapter
            .create_user_with_account(NewUser::default().email("third@example.com"), linked)
            .await
            .unwrap();
        assert_eq!(
            adapter.get_user_by_account("github", "43").await.unwrap(),
            Some(created)
        );
    }
}
