//! [`Auth`], the configured runtime, and how it is built at start-up: the base URL from
//! `NEXTAUTH_URL`, secrets and provider settings from the environment, derived keys.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use auth_shared::literals::{self, Origin};
use auth_shared::presets::ParamValue;
use serde::Serialize;

use crate::authjs::AuthJsKeys;
use crate::callbacks::{
    self, AuthorizeFn, AuthorizeOutput, Callbacks, CreateUserEvent, ErrorEvent, Events, JwtParams,
    LinkAccountEvent, RedirectParams, SessionEvent, SessionParams, SignInDecision, SignInEvent,
    SignInParams, SignOutEvent, UpdateUserEvent,
};
use crate::cookies::{CookieFormat, CookieNames, SetCookie};
use crate::jwe::TokenKeys;
use crate::oauth::{
    OAuthClient, OAuthConfigError, OAuthProvider, PRIVATE_KEY_PROBLEM, PresetParams,
};
use crate::session_cache::SessionCache;
use crate::spec::{
    EmailSettings, EmailTransport, OAuthSettings, ProviderKind, ProviderSpec, Setting,
};
use crate::store::{AdapterSource, LazyAdapter};
use crate::throttle::{MemoryStore, StoreSetting, Throttle, ThrottleSettings, ThrottleStore};
use crate::user::{NoData, SessionData, Token};

/// The default base path, used when `NEXTAUTH_URL` has none.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";
/// The origin used when `NEXTAUTH_URL` is unset, as NextAuth does.
pub const DEFAULT_ORIGIN: &str = "http://localhost:3000";
/// The shortest secret accepted at start-up, in bytes. Every session and check cookie key is
/// derived from the secret alone (HKDF, no other input), so a short or guessable one can be
/// found offline from a single cookie. 32 bytes is the 256-bit key the session token uses;
/// `openssl rand -base64 32` (next-auth's documentation) prints 44 and
/// [`crate::random_secret`] 64.
pub const MIN_SECRET_BYTES: usize = 32;

/// Why the configuration could not be built at start-up.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required environment variables are unset or empty.
    #[error("missing environment variable{}: {}", if .0.len() == 1 { "" } else { "s" }, .0.join(", "))]
    MissingVariables(Vec<String>),
    /// Secrets shorter than 32 bytes; the variables are named, never their values.
    #[error(
        "{} {} shorter than {} bytes; make one with `openssl rand -hex 32`",
        .0.join(", "),
        if .0.len() == 1 { "is" } else { "are" },
        MIN_SECRET_BYTES
    )]
    ShortSecrets(Vec<String>),
    /// `NEXTAUTH_URL` is not an absolute http(s) URL.
    #[error("NEXTAUTH_URL is not an absolute http(s) URL without query or fragment: {0}")]
    InvalidUrl(String),
    /// A provider's settings do not make a working provider (a bad URL, say).
    #[error("provider `{provider}`: {reason}")]
    InvalidProvider {
        /// The provider id.
        provider: String,
        /// What is wrong, without any secret.
        reason: String,
    },
    /// A variable's value breaks the rule its setting follows: the same rule the `auth!`
    /// macro applies to a literal (a plain-http issuer to another machine, say).
    #[error("{variable}: {reason}")]
    InvalidVariable {
        /// The environment variable.
        variable: String,
        /// What is wrong, without the value when it could be a secret.
        reason: String,
    },
    /// The `throttle:` settings do not make a working throttle (a store URL that is not
    /// PostgreSQL's, say, or a build without the `postgres` feature).
    #[error("throttle: {0}")]
    InvalidThrottle(String),
}

/// Where the auth routes live: the site's origin and the base path, from `NEXTAUTH_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    origin: String,
    path: String,
}

impl BaseUrl {
    /// Parses `NEXTAUTH_URL` as NextAuth does: no scheme means https, a trailing slash is
    /// dropped, and an empty path means `default_path`.
    pub fn parse(value: &str, default_path: &str) -> Result<BaseUrl, ConfigError> {
        let trimmed = value.trim();
        let invalid = || ConfigError::InvalidUrl(value.to_owned());
        let with_scheme = if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            trimmed.to_owned()
        } else if trimmed.contains("://") {
            // Another scheme; NextAuth would prepend https:// and produce nonsense.
            return Err(invalid());
        } else {
            format!("https://{trimmed}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(invalid());
        }
        let origin = url.origin().ascii_serialization();
        let path = url.path().trim_end_matches('/');
        let path = if path.is_empty() { default_path } else { path };
        Ok(BaseUrl {
            origin,
            path: path.to_owned(),
        })
    }

    /// The origin, e.g. `http://localhost:3000` (NextAuth's `baseUrl`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The base path, e.g. `/api/auth`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the site is served over https (secure cookies).
    pub fn is_secure(&self) -> bool {
        self.origin.starts_with("https://")
    }

    /// The absolute URL of an action, e.g. `url("signin")`.
    pub fn url(&self, action: &str) -> String {
        let mut url = String::with_capacity(self.origin.len() + self.path.len() + 1 + action.len());
        url.push_str(&self.origin);
        url.push_str(&self.path);
        url.push('/');
        url.push_str(action);
        url
    }
}

/// Session strategy and lifetimes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// How long a session lives without activity, in seconds.
    pub max_age: u64,
    /// How often the stored expiry is refreshed, in seconds (database sessions; JWT ignores it).
    pub update_age: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_age: 30 * 24 * 60 * 60,
            update_age: 24 * 60 * 60,
        }
    }
}

/// A provider enabled at start-up: its declaration plus what it does.
pub(crate) struct Provider {
    pub(crate) spec: &'static ProviderSpec,
    /// The display name (the declared one, or read from the environment).
    pub(crate) name: String,
    pub(crate) behaviour: ProviderBehaviour,
}

pub(crate) enum ProviderBehaviour {
    Credentials {
        authorize: AuthorizeFn,
    },
    OAuth {
        provider: Arc<OAuthProvider>,
        /// Link by verified email to an existing user (database sessions).
        email_account_linking: bool,
    },
    Email {
        mailer: Arc<dyn crate::email::Mailer>,
        from: String,
        /// How long a link stays valid, in seconds.
        max_age: u64,
        /// The link's GET shows a page whose CSRF-checked POST signs in.
        confirm: bool,
    },
    /// Passkeys (`passkey: Passkey { … }`).
    #[cfg(feature = "passkeys")]
    Passkey {
        /// The relying party: made by [`Builder::build`], which knows `NEXTAUTH_URL`, so
        /// never `None` once built.
        relying_party: Option<Arc<crate::passkey::Passkeys>>,
        /// The name browsers show in their passkey prompts.
        rp_name: String,
    },
}

/// Where sessions live.
pub(crate) enum Strategy {
    /// In the encrypted session cookie; with a store (`jwt { adapter: … }`) each session is
    /// also recorded there, so it can be listed and revoked.
    Jwt(Option<LazyAdapter>),
    /// In the adapter's store; the cookie holds a random session token.
    Database(LazyAdapter),
}

/// A page that `pages:` in `auth!` can replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Page {
    /// `GET /signin` redirects here.
    SignIn,
    /// `GET /signout` redirects here.
    SignOut,
    /// `GET /error` redirects here.
    Error,
    /// `GET /verify-request` redirects here.
    VerifyRequest,
    /// New users land here after their first sign-in.
    NewUser,
}

/// Custom page paths (`pages:` in `auth!`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pages {
    pub(crate) sign_in: Option<String>,
    pub(crate) sign_out: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) verify_request: Option<String>,
    pub(crate) new_user: Option<String>,
}

/// The configured auth runtime: cheap to clone, shared by the routes and the extractors.
///
/// Built by the `config_from_env` function that `auth!` generates.
pub struct Auth<D = NoData> {
    pub(crate) inner: Arc<Inner<D>>,
}

impl<D> Clone for Auth<D> {
    fn clone(&self) -> Self {
        Auth {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<D> fmt::Debug for Auth<D> {
    // Never prints secrets or keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("base_url", &self.inner.base)
            .field(
                "providers",
                &self
                    .inner
                    .providers
                    .iter()
                    .map(|p| p.spec.id)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner<D> {
    pub(crate) base: BaseUrl,
    /// Secrets, newest first: the first signs, any verifies.
    pub(crate) secrets: Vec<String>,
    /// The session cookie written, and how its token is sealed.
    pub(crate) token_cookie: TokenCookie,
    /// The other format's session cookie, read when the written one is absent (`cookies:
    /// { read: [a, b] }`); a token read from it is re-issued in the written format.
    pub(crate) other_token_cookie: Option<TokenCookie>,
    /// Keys of the OAuth check cookies: the salt is each cookie's name (advisory GHSA-v64w-49xw-qq89).
    pub(crate) check_keys: CheckKeys,
    /// The HTTP client of the OAuth flows; present when an OAuth provider is enabled.
    pub(crate) oauth: Option<OAuthClient>,
    pub(crate) cookies: CookieNames,
    pub(crate) session: SessionConfig,
    pub(crate) strategy: Strategy,
    pub(crate) providers: Vec<Provider>,
    /// `GET /providers`' answer, written once (it only depends on the configuration).
    pub(crate) providers_json: axum::body::Bytes,
    /// The `Set-Cookie` of the callback-url cookie holding the origin, which a first visit to
    /// any page gets: written once.
    pub(crate) origin_callback_url_cookie: axum::http::HeaderValue,
    pub(crate) callbacks: Callbacks<D>,
    pub(crate) events: Events<D>,
    pub(crate) pages: Pages,
    /// Sign-in throttling, when `throttle:` is declared.
    pub(crate) throttle: Option<Throttle>,
    /// The session cache of database sessions, when declared.
    pub(crate) session_cache: Option<SessionCache>,
    /// The refreshes of provider access tokens in the air or just done.
    pub(crate) refresher: crate::access::Refresher,
    /// Session tokens opened recently, by cookie value (`opened.rs`).
    pub(crate) opened: crate::opened::Opened<crate::user::Token<D>>,
}

/// A session cookie of one format: its name and how the token in it is sealed.
pub(crate) struct TokenCookie {
    pub(crate) name: &'static str,
    pub(crate) sealing: Sealing,
}

/// How a session token is sealed: next-auth v4's JWE (keys from the secrets alone) or Auth.js
/// v5's (keys salted with the cookie's name, chosen by `kid`).
// One or two live in each `Inner`, behind its `Arc`: v4's keys stay inline (no pointer to
// follow on every request) whatever the size of the enum.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Sealing {
    NextAuthV4(TokenKeys),
    AuthJsV5(AuthJsKeys),
}

impl Sealing {
    /// The keys of `format` for the session cookie `name`.
    fn derive(format: CookieFormat, secrets: &[String], name: &str) -> Option<Sealing> {
        Some(match format {
            CookieFormat::NextAuthV4 => Sealing::NextAuthV4(TokenKeys::derive(secrets, "")?),
            CookieFormat::AuthJsV5 => Sealing::AuthJsV5(AuthJsKeys::derive(secrets, name)?),
        })
    }

    /// The payload of a token sealed this way, checked but not parsed.
    pub(crate) fn open(&self, token: &str) -> Result<Vec<u8>, crate::jwe::TokenError> {
        match self {
            Sealing::NextAuthV4(keys) => crate::jwe::open(keys, token),
            Sealing::AuthJsV5(keys) => crate::authjs::open(keys, token),
        }
    }

    /// Seals a payload (a JSON object with its time claims) as a token.
    pub(crate) fn seal(&self, payload: Vec<u8>) -> String {
        match self {
            Sealing::NextAuthV4(keys) => crate::jwe::seal_owned(keys, payload),
            Sealing::AuthJsV5(keys) => crate::authjs::seal(keys, &payload),
        }
    }
}

/// The keys of the three OAuth check cookies.
pub(crate) struct CheckKeys {
    pub(crate) state: TokenKeys,
    pub(crate) pkce: TokenKeys,
    pub(crate) nonce: TokenKeys,
}

impl<D> Inner<D> {
    pub(crate) fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.spec.id == id)
    }

    /// The OAuth client and the OAuth or OpenID Connect provider with this id: what refreshes
    /// its tokens. `None` when no such provider is configured (any more).
    pub(crate) fn refreshing(&self, id: &str) -> Option<(&OAuthClient, &Arc<OAuthProvider>)> {
        match &self.provider(id)?.behaviour {
            ProviderBehaviour::OAuth { provider, .. } => Some((self.oauth.as_ref()?, provider)),
            _ => None,
        }
    }

    /// Whether `/session`'s answer is seen as a JSON tree (a `session` callback or event);
    /// when not, it is serialised once, straight to text.
    pub(crate) fn session_needs_tree(&self) -> bool {
        self.callbacks.session.is_some() || self.events.session.is_some()
    }
}

impl<D: SessionData> Auth<D> {
    /// The base URL and path the routes are served under.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    /// The ids of the enabled providers, in declaration order.
    pub fn provider_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.inner.providers.iter().map(|p| p.spec.id)
    }

    /// The session settings.
    pub fn session_config(&self) -> SessionConfig {
        self.inner.session
    }

    /// Connects the database adapter now (and applies its migrations), rather than at the
    /// first request that needs it; nothing to do with JWT sessions without a store.
    pub async fn connect(&self) -> Result<(), crate::adapter::AdapterError> {
        match &self.inner.strategy {
            Strategy::Jwt(None) => Ok(()),
            Strategy::Jwt(Some(lazy)) | Strategy::Database(lazy) => lazy.get().await.map(drop),
        }
    }
}

/// Reads the environment for a generated `config_from_env` and collects every missing
/// variable, so start-up reports them all at once.
pub(crate) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    missing: Vec<String>,
}

impl<'a> Env<'a> {
    /// An environment read through `lookup` (`std::env::var` in production, a map in tests).
    pub(crate) fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Env {
            lookup,
            missing: Vec::new(),
        }
    }

    /// A variable's value when set and non-empty.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.is_empty())
    }

    /// A required variable; a missing one is recorded and reported by [`Builder::build`].
    pub(crate) fn required(&mut self, name: &str) -> String {
        match self.get(name) {
            Some(value) => value,
            None => {
                if !self.missing.iter().any(|m| m == name) {
                    self.missing.push(name.to_owned());
                }
                String::new()
            }
        }
    }
}

/// The SMTP mailer for a server URL (feature `smtp`).
fn smtp_mailer(server: &str) -> Result<Arc<dyn crate::email::Mailer>, String> {
    #[cfg(feature = "smtp")]
    return crate::email::SmtpMailer::new(server)
        .map(|mailer| Arc::new(mailer) as Arc<dyn crate::email::Mailer>)
        .map_err(|e| e.to_string());
    #[cfg(not(feature = "smtp"))]
    {
        let _ = server;
        Err("sending through an SMTP server needs the `smtp` feature".to_owned())
    }
}

/// The throttle's store: in memory, or PostgreSQL at `url` (feature `postgres`).
fn throttle_store(
    store: StoreSetting,
    url: Option<String>,
) -> Result<Arc<dyn ThrottleStore>, ConfigError> {
    match store {
        StoreSetting::Memory => Ok(Arc::new(MemoryStore::new())),
        StoreSetting::Postgres(_) => {
            #[cfg(feature = "postgres")]
            return crate::throttle::PostgresStore::new(&url.unwrap_or_default())
                .map(|store| Arc::new(store) as Arc<dyn ThrottleStore>)
                .map_err(|e| ConfigError::InvalidThrottle(e.to_string()));
            #[cfg(not(feature = "postgres"))]
            {
                let _ = url;
                Err(ConfigError::InvalidThrottle(
                    "a PostgreSQL store needs the runtime's `postgres` feature".to_owned(),
                ))
            }
        }
    }
}

/// Assembles an [`Auth`] from what `auth!` declared; generated code drives it.
pub struct Builder<'a, D> {
    env: Env<'a>,
    secret_vars: Vec<String>,
    base_path: String,
    session: SessionConfig,
    adapter: Option<AdapterSource>,
    /// Where JWT sessions are recorded for revocation (`jwt { adapter: … }`).
    jwt_store: Option<AdapterSource>,
    providers: Vec<Provider>,
    callbacks: Callbacks<D>,
    events: Events<D>,
    pages: Pages,
    throttle: Option<ThrottleSettings>,
    /// The PostgreSQL throttle store's URL, read with the other variables.
    throttle_url: Option<String>,
    /// The cookies written (`cookies: { write: … }`), next-auth v4's by default.
    write_format: CookieFormat,
    /// Whether the other format's session cookie is read too (`cookies: { read: [a, b] }`).
    read_other_format: bool,
    /// Secrets the Auth.js v5 way: `AUTH_SECRET` behind `AUTH_SECRET_3`, `_2`, `_1`.
    authjs_secrets: bool,
    /// How long a database session's cached copy is good for, in seconds.
    session_cache: Option<u64>,
    invalid: Vec<ConfigError>,
}

impl<'a, D: SessionData> Builder<'a, D> {
    /// A builder reading variables through `lookup`.
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Builder {
            env: Env::new(lookup),
            secret_vars: Vec::new(),
            base_path: DEFAULT_BASE_PATH.to_owned(),
            session: SessionConfig::default(),
            adapter: None,
            jwt_store: None,
            providers: Vec::new(),
            callbacks: Callbacks::default(),
            events: Events::default(),
            pages: Pages::default(),
            throttle: None,
            throttle_url: None,
            write_format: CookieFormat::NextAuthV4,
            read_other_format: false,
            authjs_secrets: false,
            session_cache: None,
            invalid: Vec::new(),
        }
    }

    /// The variables holding the secrets, newest first (rotation: the first signs, any verifies).
    pub fn secrets(&mut self, vars: &[&str]) {
        self.secret_vars = vars.iter().map(|v| (*v).to_owned()).collect();
    }

    /// The secrets the way Auth.js v5 reads them: `AUTH_SECRET` (required) behind the optional
    /// `AUTH_SECRET_3`, `AUTH_SECRET_2` and `AUTH_SECRET_1`, in that order: the first one set
    /// signs, any verifies.
    pub fn authjs_secrets(&mut self) {
        self.authjs_secrets = true;
    }

    /// The base path used when `NEXTAUTH_URL` has no path.
    pub fn base_path(&mut self, path: &str) {
        self.base_path = path.to_owned();
    }

    /// JWT sessions with these lifetimes.
    pub fn jwt_session(&mut self, max_age: Duration, update_age: Duration) {
        self.session = SessionConfig {
            max_age: max_age.as_secs(),
            update_age: update_age.as_secs(),
        };
    }

    /// Database sessions with these lifetimes, stored through `adapter`.
    pub fn database_session(
        &mut self,
        max_age: Duration,
        update_age: Duration,
        adapter: AdapterSource,
    ) {
        self.session = SessionConfig {
            max_age: max_age.as_secs(),
            update_age: update_age.as_secs(),
        };
        self.adapter = Some(self.read_adapter(adapter));
    }

    /// Keeps a sealed copy of each database session in a cookie for `ttl`, so that reads within
    /// it skip the database (`database { cache: … }`; `crate::session_cache`).
    pub fn session_cache(&mut self, ttl: Duration) {
        self.session_cache = Some(ttl.as_secs());
    }

    /// Records JWT sessions in the store of `adapter` (`jwt { adapter: … }`), so they can be
    /// listed and revoked; `update_age` is then how often a token is checked against it.
    pub fn jwt_session_store(&mut self, adapter: AdapterSource) {
        self.jwt_store = Some(self.read_adapter(adapter));
    }

    /// The adapter source with its URL read now, with the other variables, so a missing one
    /// is reported at start-up.
    fn read_adapter(&mut self, adapter: AdapterSource) -> AdapterSource {
        match adapter.url_setting() {
            Some((Setting::Env(var), Some(default))) => {
                let value = self.env.get(var).unwrap_or_else(|| default.to_owned());
                self.check_variable(Setting::Env(var), &value, |url| {
                    literals::database_url_problem(url, Origin::Environment)
                });
                AdapterSource::from_url(value)
            }
            Some((url, _)) => {
                let value = self.resolve(url);
                self.check_variable(url, &value, |url| {
                    literals::database_url_problem(url, Origin::Environment)
                });
                AdapterSource::from_url(value)
            }
            None => adapter,
        }
    }

    /// A setting's value; a missing required variable is recorded for `build`.
    fn resolve(&mut self, setting: Setting) -> String {
        match setting {
            Setting::Env(var) => self.env.required(var),
            Setting::Literal(value) => value.to_owned(),
            Setting::EnvOr(var, default) => self.env.get(var).unwrap_or_else(|| default.to_owned()),
        }
    }

    /// Holds a value read from the environment to `rule`, the rule the macro holds a literal
    /// to; a value that breaks it is reported with its variable (literals were checked when
    /// the block compiled, and an unset variable is reported as missing).
    fn check_variable(
        &mut self,
        setting: Setting,
        value: &str,
        rule: impl FnOnce(&str) -> Option<String>,
    ) {
        let (Setting::Env(variable) | Setting::EnvOr(variable, _)) = setting else {
            return;
        };
        if value.is_empty() || self.env.get(variable).is_none() {
            return;
        }
        if let Some(reason) = rule(value) {
            self.invalid.push(ConfigError::InvalidVariable {
                variable: variable.to_owned(),
                reason,
            });
        }
    }

    /// Whether an `#[optional]` provider must stay off because one of its variables is unset
    /// (logged); a provider that is not optional is always on.
    fn optional_provider_is_off(&self, spec: &ProviderSpec, settings: &[Setting]) -> bool {
        if !spec.optional {
            return false;
        }
        let unset: Vec<&str> = settings
            .iter()
            .filter_map(|s| s.required_var())
            .filter(|v| self.env.get(v).is_none())
            .collect();
        if unset.is_empty() {
            return false;
        }
        tracing::info!(provider = spec.id, unset = ?unset, "optional provider disabled: variables unset");
        true
    }

    /// Enables the passkey provider (`passkey: Passkey { … }`), named `rp_name` in the
    /// browser's prompts; its relying party is `NEXTAUTH_URL`'s host. `feature` is
    /// [`PasskeysFeature`](crate::__private::PasskeysFeature): without auth-runtime's
    /// `passkeys` feature it names what to enable.
    pub fn passkey(
        &mut self,
        feature: impl crate::__private::PasskeysEnabled,
        spec: &'static ProviderSpec,
        rp_name: &str,
    ) {
        let _ = feature;
        #[cfg(feature = "passkeys")]
        self.providers.push(Provider {
            spec,
            name: spec.name.to_owned(),
            behaviour: ProviderBehaviour::Passkey {
                relying_party: None,
                rp_name: rp_name.to_owned(),
            },
        });
        #[cfg(not(feature = "passkeys"))]
        let _ = (spec, rp_name);
    }

    /// Enables an email (magic link) provider.
    pub fn email(&mut self, spec: &'static ProviderSpec, settings: EmailSettings) {
        let mut vars = vec![settings.from];
        if let EmailTransport::Smtp(server) = &settings.transport {
            vars.push(*server);
        }
        if self.optional_provider_is_off(spec, &vars) {
            return;
        }
        let from = self.resolve(settings.from);
        self.check_variable(settings.from, &from, literals::sender_problem);
        let mailer: Arc<dyn crate::email::Mailer> = match settings.transport {
            EmailTransport::Mailer(mailer) => mailer,
            EmailTransport::Smtp(server) => {
                let missing_before = self.env.missing.len();
                let server_setting = server;
                let server = self.resolve(server);
                if self.env.missing.len() > missing_before {
                    return; // reported by `build`
                }
                self.check_variable(server_setting, &server, |url| {
                    literals::smtp_url_problem(url, Origin::Environment, "")
                });
                match smtp_mailer(&server) {
                    Ok(mailer) => mailer,
                    Err(reason) => {
                        self.invalid.push(ConfigError::InvalidProvider {
                            provider: spec.id.to_owned(),
                            reason,
                        });
                        return;
                    }
                }
            }
        };
        self.providers.push(Provider {
            spec,
            name: spec.name.to_owned(),
            behaviour: ProviderBehaviour::Email {
                mailer,
                from,
                max_age: settings.max_age,
                confirm: settings.confirm,
            },
        });
    }

    /// Enables a credentials provider checked by `authorize`.
    pub fn credentials<F, I, Fut>(&mut self, spec: &'static ProviderSpec, authorize: F)
    where
        F: Fn(I) -> Fut + Send + Sync + 'static,
        I: callbacks::AuthorizeInput,
        Fut: Future + Send + 'static,
        Fut::Output: AuthorizeOutput,
    {
        self.providers.push(Provider {
            spec,
            name: spec.name.to_owned(),
            behaviour: ProviderBehaviour::Credentials {
                authorize: callbacks::authorize(authorize),
            },
        });
    }

    /// Enables an OAuth or OpenID Connect provider. Its variables are read here; an
    /// `#[optional]` provider with any of them unset is left out (and logged).
    pub fn oauth(&mut self, spec: &'static ProviderSpec, settings: OAuthSettings) {
        let mut vars = vec![settings.client_id];
        vars.extend(settings.client_secret);
        vars.extend(settings.params.given());
        if self.optional_provider_is_off(spec, &vars) {
            return;
        }
        let missing_before = self.env.missing.len();
        let client_id = self.resolve(settings.client_id);
        let client_secret = settings
            .client_secret
            .map(|secret| self.resolve(secret))
            .unwrap_or_default();
        // Each value from the environment is held to the rule the macro holds a literal to.
        let declared = settings.params;
        let mut read = |setting: Option<Setting>, value: ParamValue| {
            setting.map(|setting| {
                let read = self.resolve(setting);
                self.check_variable(setting, &read, |read| param_problem(value, read));
                read
            })
        };
        let mut params = PresetParams::new();
        params.issuer = read(declared.issuer, ParamValue::Issuer);
        params.tenant = read(declared.tenant, ParamValue::Tenant);
        params.authorization = read(declared.authorization, ParamValue::Endpoint);
        params.token = read(declared.token, ParamValue::Endpoint);
        params.userinfo = read(declared.userinfo, ParamValue::Endpoint);
        params.team_id = read(declared.team_id, ParamValue::TeamId);
        params.key_id = read(declared.key_id, ParamValue::KeyId);
        params.private_key = read(declared.private_key, ParamValue::PrivateKey);
        if self.env.missing.len() > missing_before {
            return; // reported by `build`
        }
        let name = match settings.name {
            Some((Setting::Env(var) | Setting::EnvOr(var, _), default)) => {
                self.env.get(var).unwrap_or_else(|| default.to_owned())
            }
            Some((Setting::Literal(name), _)) => name.to_owned(),
            None => spec.name.to_owned(),
        };
        let provider =
            match OAuthProvider::preset(settings.preset, client_id, client_secret, &params) {
                Ok(provider) => provider,
                Err(e) => {
                    self.invalid.push(match (&e, declared.private_key) {
                        // The key is read once, here; its variable is named, never its value.
                        (
                            OAuthConfigError::InvalidPrivateKey { .. },
                            Some(Setting::Env(variable) | Setting::EnvOr(variable, _)),
                        ) => ConfigError::InvalidVariable {
                            variable: variable.to_owned(),
                            reason: PRIVATE_KEY_PROBLEM.to_owned(),
                        },
                        _ => ConfigError::InvalidProvider {
                            provider: spec.id.to_owned(),
                            reason: e.to_string(),
                        },
                    });
                    return;
                }
            };
        let mut provider = provider.params(settings.authorization_params.iter().copied());
        if let Some(scope) = settings.scope {
            provider = provider.scope(scope);
        }
        if let Some(method) = settings.token_auth {
            provider = provider.token_auth_method(method);
        }
        if let Some(checks) = settings.checks {
            provider = provider.checks(checks);
        }
        if let Some(profile) = settings.profile {
            provider = provider.profile(profile);
        }
        self.providers.push(Provider {
            spec,
            name,
            behaviour: ProviderBehaviour::OAuth {
                provider: Arc::new(provider),
                email_account_linking: settings.email_account_linking,
            },
        });
    }

    /// The `sign_in` callback.
    pub fn sign_in_callback<F, Fut>(&mut self, f: F)
    where
        F: Fn(SignInParams) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Into<SignInDecision>,
    {
        self.callbacks.sign_in = Some(callbacks::sign_in(f));
    }

    /// The `redirect` callback.
    pub fn redirect_callback<F, Fut>(&mut self, f: F)
    where
        F: Fn(RedirectParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = String> + Send + 'static,
    {
        self.callbacks.redirect = Some(callbacks::redirect(f));
    }

    /// The `jwt` callback.
    pub fn jwt_callback<F, Fut>(&mut self, f: F)
    where
        F: Fn(JwtParams<D>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Token<D>> + Send + 'static,
    {
        self.callbacks.jwt = Some(callbacks::jwt(f));
    }

    /// The `session` callback.
    pub fn session_callback<F, Fut>(&mut self, f: F)
    where
        F: Fn(SessionParams<D>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Serialize,
    {
        self.callbacks.session = Some(callbacks::session(f));
    }

    /// The `sign_in` event.
    pub fn sign_in_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(SignInEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.sign_in = Some(callbacks::event(f));
    }

    /// The `sign_out` event.
    pub fn sign_out_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(SignOutEvent<D>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.sign_out = Some(callbacks::event(f));
    }

    /// The `create_user` event.
    pub fn create_user_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(CreateUserEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.create_user = Some(callbacks::event(f));
    }

    /// The `update_user` event.
    pub fn update_user_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(UpdateUserEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.update_user = Some(callbacks::event(f));
    }

    /// The cookies the app writes (`cookies: { write: … }`); with `read_other`, the other
    /// format's session cookie signs in too when the written one is absent, and the next
    /// rolling answer re-issues it in `write`'s format (`cookies: { read: [a, b] }`).
    pub fn cookies(&mut self, write: CookieFormat, read_other: bool) {
        self.write_format = write;
        self.read_other_format = read_other;
    }

    /// The `refresh` event.
    pub fn refresh_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(callbacks::RefreshEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.refresh = Some(callbacks::event(f));
    }

    /// The `link_account` event.
    pub fn link_account_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(LinkAccountEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.link_account = Some(callbacks::event(f));
    }

    /// The `error` event.
    pub fn error_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(ErrorEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.error = Some(callbacks::event(f));
    }

    /// The `session` event.
    pub fn session_event<F, Fut>(&mut self, f: F)
    where
        F: Fn(SessionEvent<D>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.events.session = Some(callbacks::event(f));
    }

    /// A custom page path (`pages:` in `auth!`).
    pub fn page(&mut self, page: Page, path: &str) {
        let slot = match page {
            Page::SignIn => &mut self.pages.sign_in,
            Page::SignOut => &mut self.pages.sign_out,
            Page::Error => &mut self.pages.error,
            Page::VerifyRequest => &mut self.pages.verify_request,
            Page::NewUser => &mut self.pages.new_user,
        };
        *slot = Some(path.to_owned());
    }

    /// Sign-in throttling (`throttle:` in `auth!`); a PostgreSQL store's URL is read now, so a
    /// missing variable is reported with the others. Nothing is connected until the first
    /// attempt.
    pub fn throttle(&mut self, settings: ThrottleSettings) {
        if let StoreSetting::Postgres(url) = settings.store {
            let value = self.resolve(url);
            self.check_variable(url, &value, |url| {
                literals::throttle_store_url_problem(url, Origin::Environment)
            });
            self.throttle_url = Some(value);
        }
        self.throttle = Some(settings);
    }

    /// Reads `NEXTAUTH_URL` and the secrets, derives the keys, and reports every missing variable.
    pub fn build(mut self) -> Result<Auth<D>, ConfigError> {
        let mut secret_vars = std::mem::take(&mut self.secret_vars);
        let mut secrets: Vec<String> = secret_vars.iter().map(|v| self.env.required(v)).collect();
        if self.authjs_secrets {
            // `[AUTH_SECRET_3, AUTH_SECRET_2, AUTH_SECRET_1, AUTH_SECRET]`, as @auth/core's
            // `setEnvDefaults` builds it: each numbered one that is set goes in front.
            for var in ["AUTH_SECRET_1", "AUTH_SECRET_2", "AUTH_SECRET_3"] {
                if let Some(secret) = self.env.get(var) {
                    secret_vars.insert(0, var.to_owned());
                    secrets.insert(0, secret);
                }
            }
            secret_vars.push("AUTH_SECRET".to_owned());
            secrets.push(self.env.required("AUTH_SECRET"));
        }
        if !self.env.missing.is_empty() {
            return Err(ConfigError::MissingVariables(self.env.missing));
        }
        // Every secret of a rotation list opens sessions, so an old one must be as strong.
        let short: Vec<String> = secret_vars
            .iter()
            .zip(&secrets)
            .filter(|(_, secret)| secret.len() < MIN_SECRET_BYTES)
            .map(|(var, _)| var.clone())
            .collect();
        if !short.is_empty() {
            return Err(ConfigError::ShortSecrets(short));
        }
        if let Some(invalid) = self.invalid.into_iter().next() {
            return Err(invalid);
        }
        let throttle = match &self.throttle {
            Some(settings) => {
                let store = throttle_store(settings.store, self.throttle_url.take())?;
                Some(Throttle::new(settings, store))
            }
            None => None,
        };
        if self.adapter.is_none()
            && let Some(email) = self
                .providers
                .iter()
                .find(|p| p.spec.kind == ProviderKind::Email)
        {
            return Err(ConfigError::InvalidProvider {
                provider: email.spec.id.to_owned(),
                reason: "email sign-in needs database sessions".to_owned(),
            });
        }
        // Auth.js v5 reads `AUTH_URL` before `NEXTAUTH_URL`; next-auth v4 only the latter.
        let url = match self.write_format {
            CookieFormat::AuthJsV5 => self.env.get("AUTH_URL"),
            CookieFormat::NextAuthV4 => None,
        };
        let base = match url.or_else(|| self.env.get("NEXTAUTH_URL")) {
            Some(url) => BaseUrl::parse(&url, &self.base_path)?,
            None => {
                tracing::warn!("NEXTAUTH_URL is unset; using {DEFAULT_ORIGIN}");
                BaseUrl::parse(DEFAULT_ORIGIN, &self.base_path)?
            }
        };
        // Passkeys need `NEXTAUTH_URL` for their relying party. One that cannot have one (an IP
        // address) stops start-up, unless it is `#[optional]`: then it is off, with a warning.
        #[cfg(feature = "passkeys")]
        {
            let mut kept = Vec::with_capacity(self.providers.len());
            for mut provider in std::mem::take(&mut self.providers) {
                if let ProviderBehaviour::Passkey {
                    relying_party,
                    rp_name,
                } = &mut provider.behaviour
                {
                    let id = provider.spec.id;
                    if self.adapter.is_none() {
                        return Err(ConfigError::InvalidProvider {
                            provider: id.to_owned(),
                            reason: "passkeys need database sessions".to_owned(),
                        });
                    }
                    match crate::passkey::Passkeys::new(&base, rp_name) {
                        Ok(passkeys) => *relying_party = Some(Arc::new(passkeys)),
                        Err(reason) if provider.spec.optional => {
                            tracing::warn!(
                                provider = id,
                                "{reason}; the #[optional] provider is off"
                            );
                            continue;
                        }
                        Err(reason) => {
                            return Err(ConfigError::InvalidProvider {
                                provider: id.to_owned(),
                                reason,
                            });
                        }
                    }
                }
                kept.push(provider);
            }
            self.providers = kept;
        }
        // Each purpose gets its own key: the salt is the cookie name (advisory GHSA-v64w-49xw-qq89).
        let cookies = CookieNames::of(self.write_format, base.is_secure());
        let no_secret = || ConfigError::MissingVariables(vec!["NEXTAUTH_SECRET".to_owned()]);
        let derive = |salt: &str| TokenKeys::derive(&secrets, salt).ok_or_else(no_secret);
        let token_cookie = |format: CookieFormat| {
            let name = CookieNames::of(format, base.is_secure()).session_token;
            Sealing::derive(format, &secrets, name)
                .map(|sealing| TokenCookie { name, sealing })
                .ok_or_else(no_secret)
        };
        let other_token_cookie = match (self.read_other_format, self.write_format) {
            (false, _) => None,
            (true, CookieFormat::NextAuthV4) => Some(token_cookie(CookieFormat::AuthJsV5)?),
            (true, CookieFormat::AuthJsV5) => Some(token_cookie(CookieFormat::NextAuthV4)?),
        };
        let token_cookie = token_cookie(self.write_format)?;
        let session_cache = match (self.session_cache, &self.adapter) {
            (Some(ttl), Some(_)) => {
                Some(SessionCache::new(ttl, cookies.session_data, &secrets).ok_or_else(no_secret)?)
            }
            _ => None,
        };
        let check_keys = CheckKeys {
            state: derive(cookies.state)?,
            pkce: derive(cookies.pkce_code_verifier)?,
            nonce: derive(cookies.nonce)?,
        };
        let oauth = if self
            .providers
            .iter()
            .any(|p| p.spec.kind == ProviderKind::OAuth)
        {
            Some(
                OAuthClient::builder()
                    .build()
                    .map_err(|e| ConfigError::InvalidProvider {
                        provider: "oauth".to_owned(),
                        reason: e.to_string(),
                    })?,
            )
        } else {
            None
        };
        let providers_json = crate::routes::providers_json(&base, &self.providers);
        let origin_callback_url_cookie = SetCookie::new(
            cookies.callback_url,
            base.origin().to_owned(),
            base.is_secure(),
        )
        .to_header_value();
        Ok(Auth {
            inner: Arc::new(Inner {
                providers_json,
                origin_callback_url_cookie,
                base,
                secrets,
                token_cookie,
                other_token_cookie,
                check_keys,
                oauth,
                cookies,
                session: self.session,
                strategy: match (self.adapter, self.jwt_store) {
                    (Some(source), _) => Strategy::Database(LazyAdapter::new(source)),
                    (None, store) => Strategy::Jwt(store.map(LazyAdapter::new)),
                },
                providers: self.providers,
                callbacks: self.callbacks,
                events: self.events,
                pages: self.pages,
                throttle,
                session_cache,
                refresher: crate::access::Refresher::default(),
                opened: crate::opened::Opened::default(),
            }),
        })
    }
}

/// The shared rule for a preset parameter's value: an issuer or endpoint URL, or a tenant.
fn param_problem(value: ParamValue, read: &str) -> Option<String> {
    use literals::{UrlRole, tenant_problem, url_problem};
    match value {
        ParamValue::Issuer => url_problem(read, UrlRole::Issuer),
        ParamValue::Endpoint => url_problem(read, UrlRole::Endpoint),
        ParamValue::Tenant => tenant_problem(read),
        ParamValue::TeamId => literals::apple_id_problem(read, "team id"),
        ParamValue::KeyId => literals::apple_id_problem(read, "key id"),
        // Read when the provider is built, once (`OAuthConfigError::InvalidPrivateKey`).
        ParamValue::PrivateKey => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextauth_url_without_a_path_uses_the_default_base_path() {
        let base = BaseUrl::parse("http://127.0.0.1:3000", "/api/auth").unwrap();
        assert_eq!(base.origin(), "http://127.0.0.1:3000");
        assert_eq!(base.path(), "/api/auth");
        assert_eq!(base.url("signin"), "http://127.0.0.1:3000/api/auth/signin");
    }

    #[test]
    fn nextauth_url_path_overrides_the_base_path() {
        let base = BaseUrl::parse(
            "http://127.0.0.1:3102/myapp/api/authentication/",
            "/api/auth",
        )
        .unwrap();
        assert_eq!(base.origin(), "http://127.0.0.1:3102");
        assert_eq!(base.path(), "/myapp/api/authentication");
    }

    #[test]
    fn nextauth_url_without_a_scheme_is_https() {
        let base = BaseUrl::parse("example.com", "/api/auth").unwrap();
        assert_eq!(base.origin(), "https://example.com");
        assert!(base.is_secure());
    }

    #[test]
    fn nextauth_url_that_is_not_a_url_is_rejected() {
        for bad in [
            "http://",
            "http://a b",
            "ftp://x.io",
            "http://x.io/?q=1",
            "http://u:p@x.io",
        ] {
            assert!(BaseUrl::parse(bad, "/api/auth").is_err(), "{bad}");
        }
    }

    #[test]
    fn every_missing_variable_is_reported_at_once() {
        let lookup = |_: &str| None;
        let mut b = Builder::<NoData>::new(&lookup);
        b.secrets(&["A_SECRET", "B_SECRET"]);
        assert_eq!(
            b.build().unwrap_err(),
            ConfigError::MissingVariables(vec!["A_SECRET".into(), "B_SECRET".into()])
        );
    }

    /// A builder writing Auth.js v5's cookies, its secrets read the v5 way from `vars`.
    fn build_authjs(vars: &[(&str, &str)]) -> Result<Auth<NoData>, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut b = Builder::<NoData>::new(&lookup);
        b.authjs_secrets();
        b.cookies(CookieFormat::AuthJsV5, false);
        b.build()
    }

    #[test]
    fn auth_js_v5_secrets_are_auth_secret_behind_the_numbered_ones_newest_first() {
        let (s, s1, s3) = ("s".repeat(32), "1".repeat(32), "3".repeat(32));
        let auth = build_authjs(&[
            ("AUTH_SECRET", &s),
            ("AUTH_SECRET_1", &s1),
            ("AUTH_SECRET_3", &s3),
        ])
        .unwrap();
        assert_eq!(auth.inner.secrets, [s3.clone(), s1, s.clone()]);
        let alone = build_authjs(&[("AUTH_SECRET", &s)]).unwrap();
        assert_eq!(alone.inner.secrets, std::slice::from_ref(&s));
        assert_eq!(
            build_authjs(&[("AUTH_SECRET_1", &s3)]).unwrap_err(),
            ConfigError::MissingVariables(vec!["AUTH_SECRET".into()])
        );
        assert_eq!(
            build_authjs(&[("AUTH_SECRET", &s), ("AUTH_SECRET_2", "short")]).unwrap_err(),
            ConfigError::ShortSecrets(vec!["AUTH_SECRET_2".into()])
        );
    }

    #[test]
    fn auth_js_v5_reads_auth_url_before_nextauth_url_and_names_its_cookies() {
        let secret = "s".repeat(32);
        let auth = build_authjs(&[
            ("AUTH_SECRET", &secret),
            ("AUTH_URL", "https://v5.example/app/auth"),
            ("NEXTAUTH_URL", "http://v4.example"),
        ])
        .unwrap();
        assert_eq!(auth.inner.base.origin(), "https://v5.example");
        assert_eq!(auth.inner.base.path(), "/app/auth");
        assert_eq!(
            auth.inner.cookies,
            CookieNames::of(CookieFormat::AuthJsV5, true)
        );
        assert_eq!(
            auth.inner.token_cookie.name,
            "__Secure-authjs.session-token"
        );
        assert!(matches!(
            auth.inner.token_cookie.sealing,
            Sealing::AuthJsV5(_)
        ));
        assert!(auth.inner.other_token_cookie.is_none());
        let fallback = build_authjs(&[
            ("AUTH_SECRET", &secret),
            ("NEXTAUTH_URL", "http://v4.example"),
        ])
        .unwrap();
        assert_eq!(fallback.inner.base.origin(), "http://v4.example");
        assert_eq!(fallback.inner.token_cookie.name, "authjs.session-token");
        // next-auth v4's cookies never read `AUTH_URL`.
        let lookup = |name: &str| match name {
            "NEXTAUTH_SECRET" => Some("s".repeat(32)),
            "AUTH_URL" => Some("https://v5.example".to_owned()),
            _ => None,
        };
        let mut b = Builder::<NoData>::new(&lookup);
        b.secrets(&["NEXTAUTH_SECRET"]);
        b.cookies(CookieFormat::NextAuthV4, true);
        let v4 = b.build().unwrap();
        assert_eq!(v4.inner.base.origin(), DEFAULT_ORIGIN);
        assert_eq!(v4.inner.token_cookie.name, "next-auth.session-token");
        assert!(matches!(
            v4.inner.token_cookie.sealing,
            Sealing::NextAuthV4(_)
        ));
        let other = v4.inner.other_token_cookie.as_ref().unwrap();
        assert_eq!(other.name, "authjs.session-token");
        assert!(matches!(other.sealing, Sealing::AuthJsV5(_)));
    }

    /// Builds a config whose only secret, in `NEXTAUTH_SECRET`, is `secret`.
    fn build_with_secret(secret: &str) -> Result<Auth<NoData>, ConfigError> {
        let secret = secret.to_owned();
        let lookup = move |name: &str| (name == "NEXTAUTH_SECRET").then(|| secret.clone());
        let mut b = Builder::<NoData>::new(&lookup);
        b.secrets(&["NEXTAUTH_SECRET"]);
        b.build()
    }

    #[test]
    fn a_31_byte_secret_is_refused_naming_its_variable_and_32_bytes_are_accepted() {
        let short = "s".repeat(MIN_SECRET_BYTES - 1);
        let err = build_with_secret(&short).unwrap_err();
        assert_eq!(
            err,
            ConfigError::ShortSecrets(vec!["NEXTAUTH_SECRET".into()])
        );
        let message = err.to_string();
        assert!(
            message.starts_with("NEXTAUTH_SECRET is shorter than 32 bytes"),
            "{message}"
        );
        assert!(!message.contains(&short), "{message}");
        assert!(build_with_secret(&"s".repeat(MIN_SECRET_BYTES)).is_ok());
        // Bytes, not characters: 16 two-byte characters are long enough.
        assert!(build_with_secret(&"é".repeat(MIN_SECRET_BYTES / 2)).is_ok());
        assert!(build_with_secret(&crate::random_secret()).is_ok());
    }

    /// A config with one provider, Apple, its four variables read from `vars`.
    fn build_apple(vars: &[(&str, &str)]) -> Result<Auth<NoData>, ConfigError> {
        static APPLE: ProviderSpec = ProviderSpec::oauth("apple", "Apple");
        let mut vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        vars.push(("NEXTAUTH_SECRET".to_owned(), "s".repeat(MIN_SECRET_BYTES)));
        let lookup = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut b = Builder::<NoData>::new(&lookup);
        b.secrets(&["NEXTAUTH_SECRET"]);
        let settings = OAuthSettings::signing_its_secret(
            crate::oauth::Preset::Apple,
            Setting::Env("APPLE_ID"),
        )
        .team_id(Setting::Env("APPLE_TEAM_ID"))
        .key_id(Setting::Env("APPLE_KEY_ID"))
        .private_key(Setting::Env("APPLE_PRIVATE_KEY"));
        b.oauth(&APPLE, settings);
        b.build()
    }

    #[test]
    fn apples_private_key_is_read_at_start_up_with_newlines_written_as_backslash_n() {
        let one_line = crate::oauth::TEST_ONLY_P256_PRIVATE_KEY_PEM.replace('\n', "\\n");
        let vars = [
            ("APPLE_ID", "com.example.web"),
            ("APPLE_TEAM_ID", "TEAM123456"),
            ("APPLE_KEY_ID", "KEY1234567"),
            ("APPLE_PRIVATE_KEY", one_line.as_str()),
        ];
        let auth = build_apple(&vars).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(auth.provider_ids().collect::<Vec<_>>(), ["apple"]);
    }

    #[test]
    fn a_malformed_private_key_stops_the_start_naming_its_variable_never_its_value() {
        let key = crate::oauth::TEST_ONLY_P256_PRIVATE_KEY_PEM;
        // Cut short, a key of the wrong kind, a public key, or not PEM at all.
        let cut = &key[..key.len() / 2];
        let sec1 = key.replace("PRIVATE KEY", "EC PRIVATE KEY");
        let base64_only: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
        for malformed in [
            cut,
            sec1.as_str(),
            base64_only.as_str(),
            "hunter2-not-a-key",
        ] {
            let vars = [
                ("APPLE_ID", "com.example.web"),
                ("APPLE_TEAM_ID", "TEAM123456"),
                ("APPLE_KEY_ID", "KEY1234567"),
                ("APPLE_PRIVATE_KEY", malformed),
            ];
            let err = build_apple(&vars).expect_err("refused");
            assert_eq!(
                err,
                ConfigError::InvalidVariable {
                    variable: "APPLE_PRIVATE_KEY".to_owned(),
                    reason: crate::oauth::PRIVATE_KEY_PROBLEM.to_owned(),
                }
            );
            let shown = format!("{err} {err:?}");
            assert!(
                shown.starts_with("APPLE_PRIVATE_KEY: not a PKCS#8 P-256 private key"),
                "{shown}"
            );
            for line in malformed
                .lines()
                .filter(|l| l.len() > 8 && !l.starts_with("-----"))
            {
                assert!(!shown.contains(line), "{shown}");
            }
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }

    #[test]
    fn a_team_id_from_the_environment_is_held_to_the_rule_a_literal_is() {
        let vars = [
            ("APPLE_ID", "com.example.web"),
            ("APPLE_TEAM_ID", "team-12345"),
            ("APPLE_KEY_ID", "KEY1234567"),
            (
                "APPLE_PRIVATE_KEY",
                crate::oauth::TEST_ONLY_P256_PRIVATE_KEY_PEM,
            ),
        ];
        let err = build_apple(&vars).expect_err("refused");
        // The macro refuses the same value written as a literal with the same words (its test
        // `a_literal_team_or_key_id_follows_the_shared_rule`).
        let rule = literals::apple_id_problem("team-12345", "team id").expect("refused");
        assert_eq!(err.to_string(), format!("APPLE_TEAM_ID: {rule}"));
    }

    #[test]
    fn every_short_secret_of_a_rotation_list_is_named() {
        let strong = "k".repeat(MIN_SECRET_BYTES);
        let lookup = move |name: &str| match name {
            "NEW" => Some(strong.clone()),
            "OLD" | "OLDER" => Some("short".to_owned()),
            _ => None,
        };
        let mut b = Builder::<NoData>::new(&lookup);
        b.secrets(&["NEW", "OLD", "OLDER"]);
        let err = b.build().unwrap_err();
        assert_eq!(
            err,
            ConfigError::ShortSecrets(vec!["OLD".into(), "OLDER".into()])
        );
        assert!(
            err.to_string().starts_with("OLD, OLDER are shorter"),
            "{err}"
        );
    }
}
