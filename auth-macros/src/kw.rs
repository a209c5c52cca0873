//! The DSL's vocabulary: every word `auth!` gives a meaning to, one table per place it may appear.
//! The parser takes any identifier where these go, so an unknown word reaches validation, which
//! collects it with the others and suggests the closest entry of the table (`did you mean`).

/// Top-level keys, in the order the documentation lists them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "module",
    "crate",
    "base_path",
    "secret",
    "session",
    "session_data",
    "providers",
    "callbacks",
    "events",
    "pages",
    "throttle",
];

/// The call that names an environment variable: `env("NEXTAUTH_SECRET")`.
pub const ENV: &str = "env";

/// The call that names a variable with a default, for display names and settings:
/// `env_or("OIDC_NAME", "OpenID Connect")`, `env_or("DATABASE_URL", "sqlite://auth.db")`.
pub const ENV_OR: &str = "env_or";

/// The calls a setting read at start-up may use.
pub const ENV_CALLS: &[&str] = &[ENV, ENV_OR];

/// Session strategies: `session: jwt { … }` or `session: database { adapter: … }`.
pub const SESSION_STRATEGIES: &[&str] = &["jwt", "database"];

/// The fields of a `jwt { … }` session.
pub const JWT_SESSION_FIELDS: &[&str] = &["max_age", "update_age"];

/// The fields of a `database { … }` session.
pub const DATABASE_SESSION_FIELDS: &[&str] = &["adapter", "max_age", "update_age"];

/// How a literal database URL starts: the adapters the runtime has (`postgresql://` is
/// libpq's other spelling of `postgres://`; messages name only the first).
pub const DATABASE_URL_PREFIXES: &[&str] = &["sqlite:", "postgres://", "postgresql://"];

/// The schemes of a literal mail server URL (`server: "smtp://localhost:25"`).
pub const SMTP_SCHEMES: &[&str] = &["smtp", "smtps", "smtp+starttls"];

/// Duration units and their length in seconds: `days(30)`.
pub const DURATION_UNITS: &[(&str, u64)] = &[
    ("seconds", 1),
    ("minutes", 60),
    ("hours", 60 * 60),
    ("days", 24 * 60 * 60),
];

/// `callbacks: { … }` keys.
pub const CALLBACKS: &[&str] = &["sign_in", "redirect", "jwt", "session"];

/// `events: { … }` keys.
pub const EVENTS: &[&str] = &["sign_in", "sign_out", "session"];

/// `pages: { … }` keys.
pub const PAGES: &[&str] = &["sign_in", "sign_out", "error", "verify_request", "new_user"];

/// Credentials form field kinds, which are also the HTML input types: `text("Username")`.
pub const FIELD_KINDS: &[&str] = &["text", "password", "email"];

/// The attribute a provider may carry: `#[optional]`.
pub const OPTIONAL: &str = "optional";

/// Form fields NextAuth's sign-in form posts itself; a credentials field must not reuse them.
pub const RESERVED_FORM_FIELDS: &[&str] = &["csrfToken", "callbackUrl", "json"];

/// OAuth provider parameters that are URLs or a tenant, in the order they are emitted.
pub const PRESET_PARAMS: &[&str] = &["issuer", "tenant", "authorization", "token", "userinfo"];

/// `token_auth:` values, the token endpoint authentication methods of RFC 7591 §2.
pub const TOKEN_AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post"];

/// `checks: [ … ]` items, next-auth v4's names.
pub const CHECKS: &[&str] = &["state", "pkce", "nonce"];

/// Authorization request parameters the OAuth flow sets itself; `params:` must not set them.
pub const RESERVED_AUTHORIZATION_PARAMS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
];

/// The fields of `throttle: { … }`.
pub const THROTTLE_FIELDS: &[&str] = &["per_address", "per_identifier", "store", "client_address"];

/// The call that writes a throttle limit: `limit(5, minutes(15))`.
pub const LIMIT: &str = "limit";

/// The throttle store in the server's memory, the default: `store: memory`.
pub const MEMORY_STORE: &str = "memory";

/// How a literal throttle store URL starts: PostgreSQL, the store shared by several instances
/// (`postgresql://` is libpq's other spelling; messages name only the first).
pub const THROTTLE_STORE_URL_PREFIXES: &[&str] = &["postgres://", "postgresql://"];

/// `client_address:` values: the TCP peer, or the right-most `X-Forwarded-For` entry.
pub const CLIENT_ADDRESS_SOURCES: &[&str] = &["peer", "x_forwarded_for"];
