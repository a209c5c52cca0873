//! The `auth!` procedural macro. Depend on `auth-runtime`, which re-exports it.
//!
//! The macro runs `parse` -> `validate` (errors into a `ctxt::Ctxt`) -> `expand`, over the
//! model in `model`; the DSL's words are in `kw`. Only the macro is public.

mod ctxt;
mod expand;
mod kw;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// Declares the authentication of an axum app: NextAuth.js's REST API, checked at compile time.
///
/// ```ignore
/// auth_runtime::auth! {
///     module: auth,                              // optional; default `auth`
///     crate: ::auth_runtime,                     // optional; the runtime under a renamed dependency
///     base_path: "/api/auth",                    // optional; default "/api/auth"
///     secret: env("NEXTAUTH_SECRET"),            // required; or [env("NEW"), env("OLD")] to rotate
///     session: jwt { max_age: days(30) },   // optional
///     session_data: crate::Claims,               // optional
///     providers: {                               // required, at least one
///         #[optional]
///         credentials: Credentials {
///             name: "Credentials",
///             fields: { username: text("Username"), password: password("Password") },
///             authorize: crate::users::check_password,
///         },
///         github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
///         #[optional]
///         oidc: Oidc {
///             name: env_or("OIDC_NAME", "OpenID Connect"),
///             issuer: env("OIDC_ISSUER"),
///             client_id: env("OIDC_CLIENT_ID"),
///             client_secret: env("OIDC_CLIENT_SECRET"),
///             checks: [state, pkce, nonce],
///         },
///     },
///     callbacks: { sign_in: crate::policy::sign_in, redirect: crate::policy::redirect,
///                  jwt: crate::policy::jwt, session: crate::policy::session },
///     events: { sign_in: crate::audit::sign_in, sign_out: crate::audit::sign_out,
///               session: crate::audit::session },
///     pages: { sign_in: "/login", sign_out: "/logout", error: "/oops",
///              verify_request: "/check-email", new_user: "/welcome" },
/// }
/// ```
///
/// A block with every key is compiled and run by the trybuild case `tests/ui/pass/full-block.rs`.
///
/// With database sessions, email sign-in ("magic links") is available too
/// (`tests/ui/pass/database-email.rs`):
///
/// ```ignore
/// auth_runtime::auth! {
///     secret: env("NEXTAUTH_SECRET"),
///     session: database {
///         adapter: env_or("DATABASE_URL", "sqlite://auth-demo.db?mode=rwc"),  // or crate::db::connect
///         max_age: days(30),
///         update_age: days(1),
///     },
///     providers: {
///         #[optional]
///         email: Email {
///             server: env("EMAIL_SERVER"),           // or mailer: crate::mail::mailer
///             from: env("EMAIL_FROM"),
///             max_age: hours(24),
///         },
///     },
/// }
/// ```
///
/// # Grammar
///
/// The block is comma-separated `key: value` entries (trailing commas allowed); each key
/// appears at most once, and an unknown key is an error that names the closest known one.
///
/// | key | value | default |
/// | --- | --- | --- |
/// | `module` | an identifier: the name of the generated module | `auth` |
/// | `crate` | a path to the runtime crate | `::auth_runtime` |
/// | `base_path` | a string: an absolute path without a trailing `/`, `?`, `#` or whitespace | `"/api/auth"` |
/// | `secret` | `env("VAR")`, or a non-empty list `[env("NEW"), env("OLD")]` (the first signs, any verifies); **required**, never a literal | |
/// | `session` | `jwt`, or `jwt { max_age: D }` (the token is re-issued on every session read, so `update_age` is refused there); or `database { adapter: …, max_age: D, update_age: D }` (`adapter` **required**; `update_age <= max_age`) | `jwt`, `max_age: days(30)`; `database`'s `update_age: days(1)` |
/// | `session_data` | a type path, with `jwt` sessions only (it rides in the token); the type must be `Serialize + DeserializeOwned + Clone + Send + Sync + 'static` | no data |
/// | `providers` | `{ id: Kind { … }, … }`, at least one; **required** | |
/// | `callbacks` | `{ sign_in: f, redirect: f, jwt: f, session: f }`, each a path to an async fn | NextAuth's |
/// | `events` | `{ sign_in: f, sign_out: f, session: f, create_user: f, update_user: f, link_account: f, error: f }`, each a path to an async fn (`create_user`, `update_user` and `link_account` fire with database sessions, once the write and the session are stored; `error` when a request ends on the error page) | none |
/// | `pages` | `{ sign_in, sign_out, error, verify_request, new_user }`, each an absolute path `"/…"` (`new_user`, shown on a user's first sign-in, with database sessions only) | the built-in pages |
/// | `throttle` | `{ per_address: limit(n, D), per_identifier: limit(n, D), store: …, client_address: … }`, at least one limit | no throttling, as NextAuth |
///
/// A duration `D` is `seconds(n)`, `minutes(n)`, `hours(n)` or `days(n)` with an integer `n > 0`.
///
/// `throttle: { … }` limits sign-in attempts (`tests/ui/pass/throttle-full-block.rs`):
///
/// | field | value |
/// | --- | --- |
/// | `per_address` | `limit(n, D)`: at most `n` (an integer `> 0`) credentials or email sign-in attempts per client address in each window `D` |
/// | `per_identifier` | `limit(n, D)`, per account identifier: the first credentials field that is not a `password`, or the email address; trimmed and lower-cased |
/// | `store` | `memory` (default, one process); or PostgreSQL, shared by several instances: `env("THROTTLE_DATABASE_URL")`, `env_or("VAR", "postgres://…")` or a literal `postgres://` URL without a password (the runtime's `postgres` feature) |
/// | `client_address` | `peer` (default: axum's `ConnectInfo<SocketAddr>`) or `x_forwarded_for` (the right-most `X-Forwarded-For` entry, behind one trusted proxy) |
///
/// Every CSRF-verified attempt counts, before `authorize` or any mail; over a limit the answer
/// is 429 with `Retry-After` (`error=TooManyRequests`). While a PostgreSQL store cannot be
/// reached or does not answer, each process counts attempts itself with the same limits (a
/// warning is logged), so the limit never lifts.
///
/// The `adapter` of `database { … }` is a database URL for the runtime's adapters,
/// `env("DATABASE_URL")`, `env_or("DATABASE_URL", "sqlite://auth-demo.db?mode=rwc")` (the default
/// is used when the variable is unset) or a literal, starting with `sqlite:` or `postgres://`
/// (`postgresql://` too) and without a password (a literal one is refused, as a literal secret
/// is); or a path to the application's `async fn() -> Result<T, E>` with
/// `T: auth_runtime::adapter::Adapter` and `E: Display`.
///
/// A provider is `id: Kind { fields }`. The id is URL-safe (`[a-z0-9_-]`, starting with a letter
/// or digit; write it as a string, `"azure-ad": …`, when it is not an identifier), unique even
/// ignoring case, and becomes the `ProviderId` variant in UpperCamelCase. `#[optional]` before
/// a provider enables it only when its environment variables are set. Every kind takes `name`
/// (the display name). Kinds:
///
/// - `Credentials { name, fields, authorize }`: `fields` (required) is `{ key: text("Label"),
///   … }` with `text`, `password` or `email`; `authorize` (required) is a path to
///   `async fn(Credentials) -> Option<User>` (or `Result<Option<User>, E>`).
/// - `Email { name, server, mailer, from, max_age }`: sign-in links sent by email; needs
///   `session: database { … }` (with JWT sessions it is an error on `Email`). Several email
///   providers may coexist under different ids.
///
///   | field | value |
///   | --- | --- |
///   | `name` | a string; default `"Email"` |
///   | `server` | the SMTP server: `env("EMAIL_SERVER")`, `env_or("VAR", "smtp://…")` or a literal `smtp://`, `smtps://` or `smtp+starttls://` URL without a password; exactly one of `server` and `mailer` is **required** |
///   | `mailer` | a path to `fn() -> M` with `M: auth_runtime::email::Mailer`, sending the links itself |
///   | `from` | the sender: `env("EMAIL_FROM")`, `env_or("VAR", "NextAuth <no-reply@example.com>")` or a literal address, optionally `Name <address>`; **required** |
///   | `max_age` | a duration `D`: how long a link is valid; default `hours(24)` |
///   | `confirm` | `true` or `false` (default): the link's `GET` shows a page whose CSRF-checked `POST` signs in, so mail scanners do not spend links |
///
///   With `#[optional]`, the provider is disabled when any of its `env(…)` variables is unset
///   (the variable of `env_or` has a default, so it never disables one).
/// - OAuth 2.0 and OpenID Connect: the runtime's presets, named as `auth_runtime::oauth::Preset`.
///
///   | kind | default `name` | protocol | kind-specific fields |
///   | --- | --- | --- | --- |
///   | `GitHub` | GitHub | OAuth 2.0 | |
///   | `Google` | Google | OpenID Connect | |
///   | `GitLab` | GitLab | OAuth 2.0 | |
///   | `Discord` | Discord | OAuth 2.0 | |
///   | `Auth0` | Auth0 | OpenID Connect | `issuer` (**required**) |
///   | `Keycloak` | Keycloak | OpenID Connect | `issuer` (**required**, the realm URL) |
///   | `Okta` | Okta | OpenID Connect | `issuer` (**required**) |
///   | `AzureAd` | Azure Active Directory | OpenID Connect | `tenant` (default `common`) |
///   | `Twitch` | Twitch | OpenID Connect | |
///   | `Slack` | Slack | OpenID Connect | |
///   | `Spotify` | Spotify | OAuth 2.0 | |
///   | `LinkedIn` | LinkedIn | OpenID Connect | |
///   | `Facebook` | Facebook | OAuth 2.0 | |
///   | `Oidc` | OpenID Connect | OpenID Connect, discovered from `issuer` | `issuer` (**required**) |
///   | `OAuth` | OAuth | OAuth 2.0 | `authorization`, `token`, `userinfo` (all **required**) |
///
///   A kind-specific field on another kind is an unknown field. Every OAuth kind takes:
///
///   | field | value |
///   | --- | --- |
///   | `name` | a string, or `env_or("VAR", "Default")`: read at start-up, the default when unset |
///   | `client_id` | `env("VAR")` or a string; **required** |
///   | `client_secret` | `env("VAR")`, never a literal; **required** |
///   | `issuer`, `authorization`, `token`, `userinfo` | `env("VAR")`, checked at start-up, or a literal absolute `https://` URL (`http://` only to `localhost`, `127.0.0.1` or `[::1]`; no `#fragment`; an issuer has no `?query`) |
///   | `tenant` | `env("VAR")` or a string: a tenant id, a domain, `common`, `organizations` or `consumers` |
///   | `scope` | a non-empty string replacing the preset's, e.g. `"openid email"` |
///   | `params` | `{ key: "value", … }`: extra authorization request parameters (keys are identifiers or strings), never one the flow sets: `client_id`, `response_type`, `redirect_uri`, `state`, `nonce`, `code_challenge`, `code_challenge_method`, `scope` |
///   | `token_auth` | `client_secret_basic` or `client_secret_post`, replacing the preset's |
///   | `checks` | a list of `state`, `pkce` and `nonce`, each once, with `state` or `pkce`; `nonce` only on OpenID Connect kinds; replaces the preset's |
///   | `profile` | a path to `fn(&auth_runtime::profiles::<Kind>) -> Option<User>`, replacing the preset's profile mapping: the fn takes the kind's typed profile, named as the kind (`&profiles::GitHub`; `&profiles::Oidc` for the OpenID Connect kinds without claims of their own, as `Oidc`, `Keycloak` or `Okta`; `&serde_json::Value` for the generic `OAuth`); a profile that does not deserialize into it sends the user back to the sign-in page, as `None` does |
///   | `allow_dangerous_email_account_linking` | `true` or `false` (default): with database sessions, link a sign-in whose *verified* email (`email_verified: true` in the profile) belongs to an existing user to that user; a compile error on presets whose profile never says (`GitHub`, `GitLab`, `Discord`, `Spotify`, `Facebook`, generic `OAuth`) |
///
///   With `#[optional]`, the provider is disabled when any of its `env(…)` variables is unset
///   (the variable of `env_or` has a default, so it never disables one).
///
/// Paths are resolved from the module that invokes `auth!` (`crate::…`, `super::…`, imported
/// names and extern crates all work); invoke it at module level.
///
/// # Expansion
///
/// A documented `pub mod <module>` holding, in order: `SessionData`, `Auth`, `Session` and
/// `Token` (types tied to the session data), `enum ProviderId` (with `ALL`, `as_str`, `spec`,
/// `FromStr`, `Display`), `static PROVIDERS`, `fn config_from_env()`, `fn config_from(vars)` and
/// `fn router(auth)`. User functions are checked against the runtime's signatures where they
/// are passed, so a wrong signature is a type error on the path written in the block. An
/// OAuth provider expands to data (`OAuthSettings`), an email provider to `EmailSettings` and
/// a database adapter to an `AdapterSource`, which the runtime resolves at start-up; nothing
/// is fetched or connected at compile time.
///
/// # Errors
///
/// Every mistake in the block is reported at once, each on its token. While there are errors
/// the module still exists with the same items (its functions panic), so code using it does
/// not add errors of its own.
#[proc_macro]
pub fn auth(input: TokenStream) -> TokenStream {
    expand::auth(input.into()).into()
}
