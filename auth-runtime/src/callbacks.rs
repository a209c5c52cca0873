//! User callbacks and events: the typed argument structs they take, what they return, and
//! the boxed forms the runtime stores. `auth!` checks each signature against these types.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

use crate::user::{Account, DefaultSession, SessionData, Token, User};

/// A boxed future, as the runtime stores user callbacks.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The fields a credentials form posted, as `authorize` receives them.
///
/// Like NextAuth, this is the whole form body, so it also holds `csrfToken`, `callbackUrl`
/// and `json`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    fields: HashMap<String, String>,
}

impl Credentials {
    /// Credentials from the posted fields.
    pub fn new(fields: HashMap<String, String>) -> Self {
        Credentials { fields }
    }

    /// The value of a field, if it was posted.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

// Credentials hold passwords: Debug lists the field names only.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.fields.keys().collect();
        keys.sort();
        f.debug_struct("Credentials")
            .field("fields", &keys)
            .finish()
    }
}

/// What an `authorize` function may return: `Option<User>`, or a `Result` of it whose error
/// message is shown as the sign-in error (`error?error=<message>`).
#[diagnostic::on_unimplemented(
    message = "`authorize` must return `Option<User>` or `Result<Option<User>, E>`, not `{Self}`",
    label = "the future of this function returns `{Self}`"
)]
pub trait AuthorizeOutput {
    /// The user, no user, or an error message.
    fn into_result(self) -> Result<Option<User>, String>;
}

impl AuthorizeOutput for Option<User> {
    fn into_result(self) -> Result<Option<User>, String> {
        Ok(self)
    }
}

impl<E: fmt::Display> AuthorizeOutput for Result<Option<User>, E> {
    fn into_result(self) -> Result<Option<User>, String> {
        self.map_err(|e| e.to_string())
    }
}

/// What `authorize` takes: the untyped [`Credentials`], or the form struct `auth!` generates
/// for the provider (`auth::forms::<Provider>`, one `String` field per declared field).
///
/// A request missing a declared field never reaches a typed `authorize`: it is answered as a
/// wrong password (`CredentialsSignin`).
#[diagnostic::on_unimplemented(
    message = "`authorize` takes `{Self}`, which is not a credentials form",
    note = "take `auth_runtime::callbacks::Credentials`, or the form `auth!` generates: `auth::forms::<Provider>`"
)]
pub trait AuthorizeInput: Sized + Send + 'static {
    /// The input from the posted fields; `None` when a declared field is missing.
    fn from_credentials(credentials: &Credentials) -> Option<Self>;
}

impl AuthorizeInput for Credentials {
    fn from_credentials(credentials: &Credentials) -> Option<Self> {
        Some(credentials.clone())
    }
}

/// The `sign_in` callback's argument.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInParams {
    /// The user about to sign in.
    pub user: User,
    /// The account they signed in through.
    pub account: Account,
    /// The posted form, for credentials sign-in.
    pub credentials: Option<Credentials>,
    /// The provider's raw profile (ID token claims and userinfo), for OAuth sign-in.
    pub profile: Option<serde_json::Value>,
}

/// What the `sign_in` callback decides. `true` and `false` convert into it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInDecision {
    /// Let the user in.
    Allow,
    /// Refuse: `error?error=AccessDenied` (403 in JSON mode).
    Deny,
    /// Refuse with a message: `error?error=<message>`.
    Error(String),
}

impl From<bool> for SignInDecision {
    fn from(allow: bool) -> Self {
        if allow {
            SignInDecision::Allow
        } else {
            SignInDecision::Deny
        }
    }
}

impl<T: Into<SignInDecision>, E: fmt::Display> From<Result<T, E>> for SignInDecision {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(decision) => decision.into(),
            Err(e) => SignInDecision::Error(e.to_string()),
        }
    }
}

/// The `redirect` callback's argument: the requested URL and the site's origin.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RedirectParams {
    /// The callbackUrl asked for (body, query or cookie; already pre-validated).
    pub url: String,
    /// The site's origin, e.g. `http://localhost:3000`.
    pub base_url: String,
}

/// Why the `jwt` callback runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtTrigger {
    /// A sign-in just succeeded.
    SignIn,
    /// `POST /session` (next-auth v4's `update()`) sent new data.
    Update,
}

/// The `jwt` callback's argument. It returns the token to store.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JwtParams<D> {
    /// The current token (on sign-in, the default token for the user).
    pub token: Token<D>,
    /// The user, on sign-in only.
    pub user: Option<User>,
    /// The account, on sign-in only.
    pub account: Option<Account>,
    /// The provider's raw profile, on OAuth sign-in only.
    pub profile: Option<serde_json::Value>,
    /// Why the callback runs; `None` on an ordinary `/session` read.
    pub trigger: Option<JwtTrigger>,
    /// The data sent to `POST /session`, on [`JwtTrigger::Update`].
    pub session: Option<serde_json::Value>,
}

/// The `session` callback's argument. It returns the `/session` body (any `Serialize`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionParams<D> {
    /// NextAuth's default session for the token.
    pub session: DefaultSession,
    /// The token, after the `jwt` callback (with database sessions: the user's claims and
    /// the default session data).
    pub token: Token<D>,
    /// The stored user, with database sessions.
    pub user: Option<User>,
    /// The data sent to `POST /session` (next-auth v4's `update()`), if this is one.
    pub update: Option<serde_json::Value>,
}

/// The `sign_in` event's argument.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInEvent {
    /// The user who signed in.
    pub user: User,
    /// The account they used.
    pub account: Account,
    /// Whether the user was created by this sign-in.
    pub is_new_user: bool,
}

/// The `sign_out` event's argument.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignOutEvent<D> {
    /// The session token being cleared, when it could be decoded.
    pub token: Option<Token<D>>,
}

/// The `create_user` event's argument: a user the store now holds (database sessions).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreateUserEvent {
    /// The user, with the id the store gave it.
    pub user: User,
}

/// The `update_user` event's argument: a stored user whose email address an email sign-in
/// just proved.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UpdateUserEvent {
    /// The user as stored now.
    pub user: User,
}

/// The `link_account` event's argument: an account the store now links to a user (its
/// first sign-in's account, or one linked later).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LinkAccountEvent {
    /// The user the account belongs to.
    pub user: User,
    /// The account.
    pub account: Account,
}

/// The `error` event's argument: a request of the auth routes ended on the error page (a
/// failed sign-in, a refused callback, a throttled attempt…). NextAuth v3 declares the event
/// but never fires it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ErrorEvent {
    /// NextAuth's error code, as in `?error=` (`OAuthCallback`, `CredentialsSignin`…).
    pub code: String,
    /// The action of the request (`callback`, `signin`, `session`…).
    pub action: String,
    /// The provider of the request, for an action that names one.
    pub provider: Option<String>,
}

/// The `refresh` event's argument: a provider's access token was refreshed, or its refresh
/// failed (README, "Access tokens"). Fired once per refresh, however many requests waited for
/// it; it carries no token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RefreshEvent {
    /// The signed-in user's id (`sub`).
    pub user_id: Option<String>,
    /// The provider id.
    pub provider: String,
    /// When the new access token expires (seconds since the epoch), after a refresh.
    pub expires_at: Option<u64>,
    /// Why the refresh failed (the provider's OAuth error, e.g. `invalid_grant`, or why it
    /// could not be reached); `None` after a refresh.
    pub error: Option<String>,
}

/// The `session` event's argument.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionEvent<D> {
    /// The body `/session` answered with.
    pub session: serde_json::Value,
    /// The token behind it.
    pub token: Token<D>,
}

pub(crate) type AuthorizeFn =
    Arc<dyn Fn(Credentials) -> BoxFuture<Result<Option<User>, String>> + Send + Sync>;
pub(crate) type SignInFn = Box<dyn Fn(SignInParams) -> BoxFuture<SignInDecision> + Send + Sync>;
pub(crate) type RedirectFn = Box<dyn Fn(RedirectParams) -> BoxFuture<String> + Send + Sync>;
pub(crate) type JwtFn<D> = Box<dyn Fn(JwtParams<D>) -> BoxFuture<Token<D>> + Send + Sync>;
pub(crate) type SessionFn<D> =
    Box<dyn Fn(SessionParams<D>) -> BoxFuture<serde_json::Value> + Send + Sync>;
pub(crate) type EventFn<E> = Box<dyn Fn(E) -> BoxFuture<()> + Send + Sync>;

/// The callbacks an `auth!` block declared; `None` means NextAuth's default.
pub(crate) struct Callbacks<D> {
    pub(crate) sign_in: Option<SignInFn>,
    pub(crate) redirect: Option<RedirectFn>,
    pub(crate) jwt: Option<JwtFn<D>>,
    pub(crate) session: Option<SessionFn<D>>,
}

impl<D> Default for Callbacks<D> {
    fn default() -> Self {
        Callbacks {
            sign_in: None,
            redirect: None,
            jwt: None,
            session: None,
        }
    }
}

/// The events an `auth!` block declared.
pub(crate) struct Events<D> {
    pub(crate) sign_in: Option<EventFn<SignInEvent>>,
    pub(crate) sign_out: Option<EventFn<SignOutEvent<D>>>,
    pub(crate) session: Option<EventFn<SessionEvent<D>>>,
    pub(crate) create_user: Option<EventFn<CreateUserEvent>>,
    pub(crate) update_user: Option<EventFn<UpdateUserEvent>>,
    pub(crate) link_account: Option<EventFn<LinkAccountEvent>>,
    pub(crate) error: Option<EventFn<ErrorEvent>>,
    pub(crate) refresh: Option<EventFn<RefreshEvent>>,
}

impl<D> Default for Events<D> {
    fn default() -> Self {
        Events {
            sign_in: None,
            sign_out: None,
            session: None,
            create_user: None,
            update_user: None,
            link_account: None,
            error: None,
            refresh: None,
        }
    }
}

/// Boxes a user's `authorize` function; the bounds are the signature `auth!` demands.
pub(crate) fn authorize<F, I, Fut>(f: F) -> AuthorizeFn
where
    F: Fn(I) -> Fut + Send + Sync + 'static,
    I: AuthorizeInput,
    Fut: Future + Send + 'static,
    Fut::Output: AuthorizeOutput,
{
    Arc::new(move |credentials| {
        let fut = I::from_credentials(&credentials).map(&f);
        Box::pin(async move {
            match fut {
                Some(fut) => fut.await.into_result(),
                None => Ok(None),
            }
        })
    })
}

pub(crate) fn sign_in<F, Fut>(f: F) -> SignInFn
where
    F: Fn(SignInParams) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Into<SignInDecision>,
{
    Box::new(move |params| {
        let fut = f(params);
        Box::pin(async move { fut.await.into() })
    })
}

pub(crate) fn redirect<F, Fut>(f: F) -> RedirectFn
where
    F: Fn(RedirectParams) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = String> + Send + 'static,
{
    Box::new(move |params| Box::pin(f(params)))
}

pub(crate) fn jwt<D: SessionData, F, Fut>(f: F) -> JwtFn<D>
where
    F: Fn(JwtParams<D>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Token<D>> + Send + 'static,
{
    Box::new(move |params| Box::pin(f(params)))
}

pub(crate) fn session<D: SessionData, F, Fut>(f: F) -> SessionFn<D>
where
    F: Fn(SessionParams<D>) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Serialize,
{
    Box::new(move |params| {
        let fut = f(params);
        Box::pin(async move {
            match serde_json::to_value(fut.await) {
                Ok(value) => value,
                Err(e) => {
                    tracing::error!(error = %e, "SESSION_ERROR: the session callback's value is not JSON");
                    serde_json::Value::Object(serde_json::Map::new())
                }
            }
        })
    })
}

pub(crate) fn event<E: Send + 'static, F, Fut>(f: F) -> EventFn<E>
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Box::new(move |event| Box::pin(f(event)))
}
