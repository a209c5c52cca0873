//! The validated configuration: what an `auth!` block means, in domain nouns. Expansion reads
//! only this, never raw syntax; values keep the spans their errors and assertions point at.

use proc_macro2::Span;
use syn::{Ident, Path};

/// A whole `auth!` block.
pub struct Config {
    /// The generated module's name (`module:`, default `auth`).
    pub module: Ident,
    /// The path of the runtime crate (`crate:`, default `::auth_runtime`).
    pub krate: Path,
    /// The base path of the routes (`base_path:`, default `/api/auth`).
    pub base_path: String,
    /// The variables holding the secrets, newest first. Empty when `secret:` is left out of a
    /// block writing Auth.js v5's cookies: the secrets are then v5's (`AUTH_SECRET`, `_1..3`).
    pub secrets: Vec<EnvVar>,
    /// How sessions are kept.
    pub session: SessionStrategy,
    /// The custom data carried in the session, when declared.
    pub session_data: Option<Path>,
    /// The declared roles (`roles:`), in declaration order; empty when none.
    pub roles: Vec<Role>,
    /// The providers, in declaration order.
    pub providers: Vec<Provider>,
    /// The names of every provider whose id is valid, in declaration order. With errors in a
    /// provider's body it is missing from `providers` but not from here, so the stub's
    /// `ProviderId` keeps its variant and code naming it does not fail too.
    pub provider_names: Vec<ProviderName>,
    /// The callbacks, in declaration order.
    pub callbacks: Vec<Callback>,
    /// The events, in declaration order.
    pub events: Vec<Event>,
    /// The replaced pages, in declaration order.
    pub pages: Vec<PageOverride>,
    /// Sign-in throttling, when `throttle:` is given.
    pub throttle: Option<Throttle>,
    /// The cookies written and read (`cookies: { write: …, read: [...] }`).
    pub cookies: Cookies,
}

/// `cookies: { write: …, read: [...] }`: whose cookies the app writes, and whether it reads
/// the other format's session cookie too.
#[derive(Clone, Copy, Default)]
pub struct Cookies {
    /// The format written; next-auth v4's by default.
    pub write: CookieFormat,
    /// Whether the other format's session cookie is read too (a migration).
    pub read_other: bool,
}

/// A cookie format of `cookies:`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub enum CookieFormat {
    /// `next_auth_v4`: `next-auth.*` cookies, next-auth v4's token.
    #[default]
    NextAuthV4,
    /// `authjs_v5`: `authjs.*` cookies, Auth.js v5's token.
    AuthJsV5,
}

/// A role of `roles: { … }`.
pub struct Role {
    /// The name as declared and stored, e.g. `admin`.
    pub name: String,
    /// The `Role` variant, the UpperCamelCase of the name, spanned on the declaration.
    pub variant: Ident,
}

/// An environment variable named in the block: `env("NEXTAUTH_SECRET")`.
#[derive(Clone)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// The span of the string literal.
    pub span: Span,
}

/// How sessions are kept.
pub enum SessionStrategy {
    /// Sessions are encrypted tokens in a cookie.
    Jwt {
        /// How long a session lives without activity.
        max_age: Duration,
        /// With a store: how often a token is checked against it.
        update_age: Duration,
        /// Where sessions are recorded so they can be listed and revoked (`adapter:`).
        store: Option<AdapterSource>,
    },
    /// Sessions are rows in a database; the cookie holds the session token.
    Database {
        /// Where the adapter comes from.
        adapter: AdapterSource,
        /// How long a session lives without activity.
        max_age: Duration,
        /// How often the stored expiry is refreshed.
        update_age: Duration,
        /// How long a cached copy of the session spares the database (`cache:`), if at all.
        cache: Option<Duration>,
    },
}

/// The database adapter of `session: database { adapter: … }`.
pub enum AdapterSource {
    /// A `sqlite:` or `postgres://` URL, read at start-up or written in the block; the
    /// runtime connects its own adapter.
    Url(Setting),
    /// The user's `async fn() -> Result<A, E>` that builds an adapter.
    Custom(Path),
}

impl Default for SessionStrategy {
    /// NextAuth's default: JWT sessions of 30 days, refreshed daily.
    fn default() -> Self {
        SessionStrategy::Jwt {
            max_age: Duration::DEFAULT_MAX_AGE,
            update_age: Duration::DEFAULT_UPDATE_AGE,
            store: None,
        }
    }
}

/// A duration written as `days(30)`, in seconds.
#[derive(Clone, Copy)]
pub struct Duration {
    /// The length in seconds.
    pub secs: u64,
}

impl Duration {
    /// The default `max_age`: 30 days, as NextAuth.
    pub const DEFAULT_MAX_AGE: Duration = Duration {
        secs: 30 * 24 * 60 * 60,
    };
    /// The default `update_age`: 1 day, as NextAuth.
    pub const DEFAULT_UPDATE_AGE: Duration = Duration { secs: 24 * 60 * 60 };
    /// How long an email sign-in link is valid by default: 24 hours, as NextAuth.
    pub const DEFAULT_EMAIL_MAX_AGE: Duration = Duration { secs: 24 * 60 * 60 };
}

/// How a provider is named.
#[derive(Clone)]
pub struct ProviderName {
    /// The URL-safe id, e.g. `credentials`.
    pub id: String,
    /// The `ProviderId` variant, the UpperCamelCase of the id.
    pub variant: Ident,
    /// The display name.
    pub name: String,
}

/// One provider of `providers: { … }`.
pub struct Provider {
    /// The URL-safe id, e.g. `credentials`.
    pub id: String,
    /// The `ProviderId` variant, the UpperCamelCase of the id.
    pub variant: Ident,
    /// The display name.
    pub name: String,
    /// Whether `#[optional]` was given.
    pub optional: bool,
    /// What the provider is, with its kind's settings.
    pub kind: ProviderKind,
}

/// A provider's kind and the settings that kind takes.
pub enum ProviderKind {
    /// A form checked by a user function.
    Credentials {
        /// The form's fields, in order.
        fields: Vec<CredentialField>,
        /// The user's `authorize` function.
        authorize: Path,
    },
    /// An OAuth 2.0 or OpenID Connect provider: a runtime preset and its settings.
    OAuth(OAuthProvider),
    /// Sign-in links sent by email ("magic links"); needs database sessions.
    Email(EmailProvider),
    /// Passkeys (WebAuthn); needs database sessions and the runtime's `passkeys` feature.
    Passkey {
        /// The name browsers show in their prompts; the site's host when `None`.
        relying_party: Option<String>,
        /// The kind as written, where a missing `passkeys` feature is reported.
        kind_span: proc_macro2::Span,
    },
}

/// The settings of an email provider, as the runtime's `EmailSettings` takes them.
pub struct EmailProvider {
    /// How the links are sent.
    pub transport: EmailTransport,
    /// The sender address, e.g. `NextAuth <no-reply@example.com>`.
    pub from: Setting,
    /// How long a link is valid.
    pub max_age: Duration,
    /// The link's GET shows a page whose CSRF-checked POST signs in (`confirm: true`).
    pub confirm: bool,
}

/// How an email provider sends its links.
pub enum EmailTransport {
    /// Through an SMTP server: `server: env("EMAIL_SERVER")`, an `smtp://…` URL.
    Smtp(Setting),
    /// Through the user's `fn() -> M` where `M: Mailer`.
    Mailer(Path),
}

/// The settings of an OAuth 2.0 or OpenID Connect provider, as the runtime's `OAuthSettings`
/// takes them. Everything read from the environment is resolved by the runtime at start-up.
pub struct OAuthProvider {
    /// The runtime's `Preset` variant, spelled as the kind in the block (`GitHub`, `Oidc`).
    pub preset: Ident,
    /// The client id.
    pub client_id: Setting,
    /// The variable holding the client secret (never a literal); none for a preset that signs
    /// its own (`Apple`, with `private_key`).
    pub client_secret: Option<EnvVar>,
    /// The display name read from a variable, when given as `env_or("VAR", "Default")`; the
    /// default is then the provider's `name`.
    pub name_from_env: Option<EnvVar>,
    /// The preset's parameters (`issuer`, `tenant`, `authorization`, `token`, `userinfo`,
    /// `team_id`, `key_id`, `private_key`), in that order.
    pub params: Vec<(&'static str, Setting)>,
    /// The scope replacing the preset's.
    pub scope: Option<String>,
    /// Extra authorization request parameters, in declaration order.
    pub authorization_params: Vec<(String, String)>,
    /// How the client authenticates at the token endpoint, when not the preset's.
    pub token_auth: Option<TokenAuthMethod>,
    /// The checks of the flow, when not the preset's.
    pub checks: Option<Checks>,
    /// The user's profile mapping, replacing the preset's.
    pub profile: Option<Path>,
    /// `allow_dangerous_email_account_linking: true`: with database sessions, a sign-in whose
    /// verified email belongs to an existing user links to that user.
    pub email_account_linking: bool,
}

/// A provider setting: `env("VAR")` or `env_or("VAR", "default")`, read at start-up, or a
/// literal written in the block.
pub enum Setting {
    /// Read from this variable at start-up.
    Env(EnvVar),
    /// Read from this variable at start-up, with this value when it is unset.
    EnvOr(EnvVar, String),
    /// Written in the block.
    Literal(String),
}

/// How an OAuth client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenAuthMethod {
    /// HTTP Basic: `client_secret_basic`.
    ClientSecretBasic,
    /// In the form body: `client_secret_post`.
    ClientSecretPost,
}

/// Which check values an OAuth flow carries: `checks: [state, pkce, nonce]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Checks {
    /// `state`, bound to the CSRF token.
    pub state: bool,
    /// PKCE with S256.
    pub pkce: bool,
    /// `nonce`, compared with the ID token's (OpenID Connect only).
    pub nonce: bool,
}

/// One field of a credentials form: `username: text("Username")`.
pub struct CredentialField {
    /// The form field's name.
    pub key: String,
    /// The label shown on the sign-in page.
    pub label: String,
    /// The HTML input type: `text`, `password` or `email`.
    pub input_type: String,
}

/// A user callback: `jwt: crate::policy::jwt`.
pub struct Callback {
    /// Which callback.
    pub kind: CallbackKind,
    /// The user's function.
    pub path: Path,
}

/// The callbacks NextAuth defines.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallbackKind {
    /// `sign_in`: may refuse a sign-in.
    SignIn,
    /// `redirect`: picks where to go after sign-in or sign-out.
    Redirect,
    /// `jwt`: shapes the session token.
    Jwt,
    /// `session`: shapes the `/session` body.
    Session,
}

/// A user event handler: `sign_in: crate::audit::sign_in`.
pub struct Event {
    /// Which event.
    pub kind: EventKind,
    /// The user's function.
    pub path: Path,
}

/// The events the runtime emits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EventKind {
    /// A sign-in succeeded.
    SignIn,
    /// A user signed out.
    SignOut,
    /// `/session` was read.
    Session,
    /// A user was stored (database sessions).
    CreateUser,
    /// A stored user was updated: its email address proved by an email sign-in.
    UpdateUser,
    /// An account was linked to a stored user.
    LinkAccount,
    /// A request ended on the error page.
    Error,
    /// A provider's access token was refreshed, or its refresh failed.
    Refresh,
}

/// A page replaced by the application: `sign_in: "/login"`.
pub struct PageOverride {
    /// Which page.
    pub page: PageKind,
    /// The application's path for it.
    pub path: String,
}

/// The pages `pages:` may replace.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PageKind {
    /// The sign-in page.
    SignIn,
    /// The sign-out page.
    SignOut,
    /// The error page.
    Error,
    /// The "check your email" page.
    VerifyRequest,
    /// Where new users land.
    NewUser,
}

/// Sign-in throttling: `throttle: { per_identifier: limit(5, minutes(15)), … }`.
pub struct Throttle {
    /// Attempts allowed per client address.
    pub per_address: Option<Limit>,
    /// Attempts allowed per account identifier.
    pub per_identifier: Option<Limit>,
    /// Where the attempts are counted.
    pub store: ThrottleStore,
    /// Where the client address comes from.
    pub client_address: ClientAddress,
}

/// `limit(5, minutes(15))`: attempts allowed in a window.
#[derive(Clone, Copy)]
pub struct Limit {
    /// Attempts allowed in a window, at least one.
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

/// Where throttled attempts are counted.
pub enum ThrottleStore {
    /// In the server's memory (`store: memory`, the default).
    Memory,
    /// In PostgreSQL at this URL, shared by several instances.
    Postgres(Setting),
}

/// Where the client address comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientAddress {
    /// The TCP peer (`peer`, the default).
    Peer,
    /// The right-most `X-Forwarded-For` entry, behind a trusted proxy (`x_forwarded_for`).
    XForwardedFor,
}
