//! NextAuth.js's REST API for axum, declared in one compile-checked [`auth!`] block.
//!
//! ```no_run
//! use auth_runtime::{User, auth};
//!
//! auth! {
//!     secret: env("NEXTAUTH_SECRET"),
//!     providers: {
//!         credentials: Credentials {
//!             fields: { username: text("Username"), password: password("Password") },
//!             authorize: authorize,
//!         },
//!     },
//! }
//!
//! // The form `auth!` generates from `fields:`; a misspelt field is a compile error.
//! async fn authorize(form: auth::forms::Credentials) -> Option<User> {
//!     (form.username == "demo" && form.password == "demo").then(|| User::new("1").name("Demo User"))
//! }
//!
//! async fn me(session: auth::Session) -> String {
//!     format!("hello {}", session.name().unwrap_or("there"))
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = auth::config_from_env()?;
//! let app = axum::Router::new()
//!     .route("/me", axum::routing::get(me))
//!     .merge(auth::router(auth.clone()))
//!     .layer(auth.layer());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! // Not `axum::serve`: this one has deadlines for slow clients and a connection cap.
//! auth_runtime::serve(listener, app).await?;
//! # Ok(())
//! # }
//! # fn main() {}
//! ```
//!
//! The block expands to a module `auth` with the provider table, `config_from_env`, the
//! router, and `Session`/`Token` types tied to the session data. The routes answer exactly
//! as NextAuth.js does, so its `next-auth/client` and `next-auth/react` work unchanged.

mod access;
pub mod adapter;
mod authjs;
pub mod callbacks;
mod config;
mod durations;
pub mod email;
mod extract;
mod jwe;
pub mod jwt;
mod manage;
mod opened;
#[cfg(feature = "passkeys")]
mod passkey;
pub mod profiles;
mod revocation;
mod roles;
mod routes;
mod serve;
mod session_cache;
mod spec;
mod store;
mod text;
mod throttle;
mod user;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
// The mechanisms behind the routes live under `__private` (the cookie jar and chunks, the CSRF
// token, the callbackUrl rule, the page HTML, the OAuth client): not a public API, reachable by
// this crate's own tests and benches there; inside the crate they keep their short paths.
use __private::{callback_url, cookies, csrf, html, oauth};

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use access::{AccessToken, AccessTokenError, ProviderTokens};
pub use auth_macros::auth;
pub use config::{Auth, BaseUrl, ConfigError, SessionConfig};
pub use extract::{AuthFuture, AuthLayer, AuthService, Session, SessionRejection};
pub use manage::SessionInfo;
pub use oauth::TokenSet;
#[cfg(feature = "passkeys")]
pub use passkey::PasskeyInfo;
pub use roles::{RequireRole, RequireRoleService, RoleName};
pub use serve::{Serve, serve};
pub use spec::{ProviderKind, ProviderName, ProviderSpec, UnknownProvider};
pub use user::{Account, DefaultSession, NoData, SessionData, SessionUser, Token, User};

/// A random 256-bit secret as 64 hex characters, for demos and tests.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}
