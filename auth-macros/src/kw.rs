//! The DSL's vocabulary: every word `auth!` gives a meaning to, one table per place it may appear.
//! The parser takes any identifier where these go, so an unknown word reaches validation, which
//! collects it with the others and suggests the closest entry of the table (`did you mean`).
//! Validation looks every word up through these constants; a word is spelled once, here.

/// `module: auth`, the generated module's name.
pub const MODULE: &str = "module";
/// `crate: ::auth_runtime`, the runtime's path under a renamed dependency.
pub const CRATE: &str = "crate";
/// `base_path: "/api/auth"`, where the routes are.
pub const BASE_PATH: &str = "base_path";
/// `secret: env("NEXTAUTH_SECRET")`, the signing key or a list of them.
pub const SECRET: &str = "secret";
/// `session: jwt { … }`; also the callback and the event of `/session`.
pub const SESSION: &str = "session";
/// `session_data: crate::Claims`, the application's data carried in the session.
pub const SESSION_DATA: &str = "session_data";
/// `roles: { admin, member }`, the roles a user may have.
pub const ROLES: &str = "roles";
/// `providers: { … }`.
pub const PROVIDERS: &str = "providers";
/// `callbacks: { … }`.
pub const CALLBACKS: &str = "callbacks";
/// `events: { … }`.
pub const EVENTS: &str = "events";
/// `pages: { … }`.
pub const PAGES: &str = "pages";
/// `throttle: { … }`.
pub const THROTTLE: &str = "throttle";
/// `cookies: { … }`, the session cookie formats written and read.
pub const COOKIES: &str = "cookies";

/// Top-level keys, in the order the documentation lists them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    MODULE,
    CRATE,
    BASE_PATH,
    SECRET,
    SESSION,
    SESSION_DATA,
    ROLES,
    PROVIDERS,
    CALLBACKS,
    EVENTS,
    PAGES,
    THROTTLE,
    COOKIES,
];

/// The attribute of doc comments, allowed on any entry.
pub const DOC: &str = "doc";

/// The call that names an environment variable: `env("NEXTAUTH_SECRET")`.
pub const ENV: &str = "env";

/// The call that names a variable with a default, for display names and settings:
/// `env_or("OIDC_NAME", "OpenID Connect")`, `env_or("DATABASE_URL", "sqlite://auth.db")`.
pub const ENV_OR: &str = "env_or";

/// The calls a setting read at start-up may use.
pub const ENV_CALLS: &[&str] = &[ENV, ENV_OR];

/// Sessions in a signed cookie; also the callback shaping that token.
pub const JWT: &str = "jwt";
/// Sessions kept by an adapter.
pub const DATABASE: &str = "database";

/// Session strategies: `session: jwt { … }` or `session: database { adapter: … }`.
pub const SESSION_STRATEGIES: &[&str] = &[JWT, DATABASE];

/// `adapter:`, where database sessions are kept.
pub const ADAPTER: &str = "adapter";
/// `max_age:`, how long a session (or an email link) lives.
pub const MAX_AGE: &str = "max_age";
/// `confirm:` of an email provider: the link opens a page whose button signs in.
pub const CONFIRM: &str = "confirm";
/// `update_age:`, how often a session is extended.
pub const UPDATE_AGE: &str = "update_age";

/// The fields of a `jwt { … }` session.
pub const JWT_SESSION_FIELDS: &[&str] = &[MAX_AGE, UPDATE_AGE, ADAPTER];

/// The fields of a `database { … }` session.
pub const DATABASE_SESSION_FIELDS: &[&str] = &[ADAPTER, MAX_AGE, UPDATE_AGE, CACHE];

/// `cache:` of `session: database { … }`: how long a sealed copy of the session in a cookie
/// spares the database.
pub const CACHE: &str = "cache";

/// Duration units and their length in seconds: `days(30)`.
pub const DURATION_UNITS: &[(&str, u64)] = &[
    ("seconds", 1),
    ("minutes", 60),
    ("hours", 60 * 60),
    ("days", 24 * 60 * 60),
];

/// The callback, event and page of signing in.
pub const SIGN_IN: &str = "sign_in";
/// The event and page of signing out.
pub const SIGN_OUT: &str = "sign_out";
/// `create_user:`, the event of a user's creation.
pub const CREATE_USER: &str = "create_user";
/// `update_user:`, the event of a user's update (an email address proved).
pub const UPDATE_USER: &str = "update_user";
/// `link_account:`, the event of an account linked to a user.
pub const LINK_ACCOUNT: &str = "link_account";
/// `refresh:`, the event of a provider's access token refreshed (or its refresh failed).
pub const REFRESH: &str = "refresh";
/// The callback choosing where to go after signing in or out.
pub const REDIRECT: &str = "redirect";
/// The error page, and the event of a request that ended on it.
pub const ERROR: &str = "error";
/// The "check your email" page.
pub const VERIFY_REQUEST: &str = "verify_request";
/// The page new users land on.
pub const NEW_USER: &str = "new_user";

// The keys of `callbacks: { … }`, `events: { … }` and `pages: { … }` are tables in
// `validate/hooks.rs`, beside the model kind each name stands for.

/// `name:`, a provider's display name; every kind takes it.
pub const NAME: &str = "name";
/// `fields:`, the credentials form.
pub const FIELDS: &str = "fields";
/// `authorize:`, the fn checking credentials.
pub const AUTHORIZE: &str = "authorize";
/// `server:`, the SMTP server of an email provider.
pub const SERVER: &str = "server";
/// `relying_party:` of a passkey provider: the name browsers show in their passkey prompts.
pub const RELYING_PARTY: &str = "relying_party";
/// `mailer:`, the user's fn building a mailer, instead of `server`.
pub const MAILER: &str = "mailer";
/// `from:`, the sender of sign-in links.
pub const FROM: &str = "from";
/// `client_id:` of an OAuth provider.
pub const CLIENT_ID: &str = "client_id";
/// `client_secret:` of an OAuth provider.
pub const CLIENT_SECRET: &str = "client_secret";
/// `issuer:`, where an OpenID Connect provider is discovered.
pub const ISSUER: &str = "issuer";
/// `tenant:` of `AzureAd`.
pub const TENANT: &str = "tenant";
/// `authorization:`, the authorization endpoint of generic `OAuth`.
pub const AUTHORIZATION: &str = "authorization";
/// `token:`, the token endpoint of generic `OAuth`.
pub const TOKEN: &str = "token";
/// `userinfo:`, the userinfo endpoint of generic `OAuth`.
pub const USERINFO: &str = "userinfo";
/// `team_id:` of `Apple`, the signed client secret's issuer.
pub const TEAM_ID: &str = "team_id";
/// `key_id:` of `Apple`, the id of the key signing the client secret.
pub const KEY_ID: &str = "key_id";
/// `private_key:` of `Apple`, the key signing the client secret.
pub const PRIVATE_KEY: &str = "private_key";
/// `scope:`, replacing the preset's; also the authorization parameter it becomes.
pub const SCOPE: &str = "scope";
/// `params:`, extra authorization request parameters.
pub const PARAMS: &str = "params";
/// `token_auth:`, how the client authenticates at the token endpoint.
pub const TOKEN_AUTH: &str = "token_auth";
/// `checks:`, the values binding the callback to the browser.
pub const CHECKS: &str = "checks";
/// `profile:`, the user's profile mapping.
pub const PROFILE: &str = "profile";
/// `allow_dangerous_email_account_linking:`, linking a sign-in to a user by verified email.
pub const ALLOW_DANGEROUS_EMAIL_ACCOUNT_LINKING: &str = "allow_dangerous_email_account_linking";

/// Credentials form field kinds, which are also the HTML input types: `text("Username")`.
pub const FIELD_KINDS: &[&str] = &["text", "password", "email"];

/// The attribute a provider may carry: `#[optional]`.
pub const OPTIONAL: &str = "optional";

/// OAuth provider parameters: URLs, a tenant, or what signs a client secret, in the order they
/// are emitted (the preset table's `PARAM_NAMES`).
pub const PRESET_PARAMS: &[&str] = &[
    ISSUER,
    TENANT,
    AUTHORIZATION,
    TOKEN,
    USERINFO,
    TEAM_ID,
    KEY_ID,
    PRIVATE_KEY,
];

/// HTTP Basic authentication at the token endpoint.
pub const CLIENT_SECRET_BASIC: &str = "client_secret_basic";
/// The client's credentials in the token request's form body.
pub const CLIENT_SECRET_POST: &str = "client_secret_post";

/// `token_auth:` values, the token endpoint authentication methods of RFC 7591 §2.
pub const TOKEN_AUTH_METHODS: &[&str] = &[CLIENT_SECRET_BASIC, CLIENT_SECRET_POST];

/// The `state` check, bound to the CSRF token.
pub const STATE: &str = "state";
/// The PKCE check (S256).
pub const PKCE: &str = "pkce";
/// The `nonce` check, compared with the ID token's.
pub const NONCE: &str = "nonce";

/// `checks: [ … ]` items, next-auth v4's names.
pub const OAUTH_CHECKS: &[&str] = &[STATE, PKCE, NONCE];

/// `per_address:`, the limit per client address.
pub const PER_ADDRESS: &str = "per_address";
/// `per_identifier:`, the limit per account identifier.
pub const PER_IDENTIFIER: &str = "per_identifier";
/// `store:`, where attempts are counted.
pub const STORE: &str = "store";
/// `client_address:`, where the client address comes from.
pub const CLIENT_ADDRESS: &str = "client_address";

/// The fields of `throttle: { … }`.
pub const THROTTLE_FIELDS: &[&str] = &[PER_ADDRESS, PER_IDENTIFIER, STORE, CLIENT_ADDRESS];

/// The call that writes a throttle limit: `limit(5, minutes(15))`.
pub const LIMIT: &str = "limit";

/// The throttle store in the server's memory, the default: `store: memory`.
pub const MEMORY_STORE: &str = "memory";

/// The client address is the TCP peer.
pub const PEER: &str = "peer";
/// The client address is the right-most `X-Forwarded-For` entry.
pub const X_FORWARDED_FOR: &str = "x_forwarded_for";

/// `client_address:` values: the TCP peer, or the right-most `X-Forwarded-For` entry.
pub const CLIENT_ADDRESS_SOURCES: &[&str] = &[PEER, X_FORWARDED_FOR];

/// `write:` of `cookies:`, the format the app writes.
pub const WRITE: &str = "write";
/// `read:` of `cookies:`, the formats the app reads.
pub const READ: &str = "read";

/// The fields of `cookies: { … }`.
pub const COOKIES_FIELDS: &[&str] = &[WRITE, READ];

/// next-auth v4's cookies (`next-auth.session-token`, v4's token): the default.
pub const NEXT_AUTH_V4: &str = "next_auth_v4";
/// Auth.js v5's cookies (`authjs.session-token`, `@auth/core`'s token).
pub const AUTHJS_V5: &str = "authjs_v5";

/// Session cookie formats.
pub const COOKIE_FORMATS: &[&str] = &[NEXT_AUTH_V4, AUTHJS_V5];
