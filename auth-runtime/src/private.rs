//! The one surface generated code reaches through (`::auth_runtime::__private`).
//! Not a public API: it changes with the macro, in lockstep, without notice.

pub use axum;

// Not a public API: the mechanisms behind the routes, here so the crate's tests, benches and
// fuzz targets can reach them.
#[path = "callback_url.rs"]
pub mod callback_url;
#[path = "cookies.rs"]
pub mod cookies;
#[path = "csrf.rs"]
pub mod csrf;
#[path = "html.rs"]
pub mod html;
#[path = "oauth/mod.rs"]
pub mod oauth;

/// Email sign-in's pieces that the routes put together (link, token, message), beside the
/// public ones of `crate::email`, for the tests that compose a message by hand.
pub mod email {
    pub use crate::email::link::{sign_in_url, site_host};
    pub use crate::email::message::{DEFAULT_FROM, sign_in_email};
    pub use crate::email::token::{DEFAULT_MAX_AGE, hash_token, new_token};
    pub use crate::email::*;
}

pub use crate::callbacks::{AuthorizeInput, Credentials};
pub use crate::config::{Auth, Builder, ConfigError, Page};
pub use crate::cookies::CookieFormat;
pub use crate::durations::{Duration, days, hours, minutes, seconds};
pub use crate::oauth::{Checks, Preset, TokenAuthMethod};
pub use crate::routes::Routes;
pub use crate::spec::{
    CredentialField, EmailSettings, OAuthSettings, ProviderKind, ProviderSpec, Setting,
};
pub use crate::store::AdapterSource;
pub use crate::throttle::{ClientAddress, ThrottleSettings};
pub use crate::user::{NoData, SessionData};
/// The rules a setting's value follows, shared with the `auth!` macro.
pub use auth_shared::literals as literal_rules;

/// Reads a variable from the process environment.
pub fn std_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Spanned on the `session_data:` type, so a type that cannot be carried errors there.
pub const fn assert_session_data<T: SessionData>() {}

pub use crate::spec::UnknownProvider;

/// What a `passkey: Passkey { … }` declaration passes to [`Builder::passkey`]: it implements
/// [`PasskeysEnabled`] only when auth-runtime's `passkeys` feature is on, so without it the
/// block fails to compile with a message saying what to enable, on the declaration.
#[derive(Clone, Copy, Debug)]
pub struct PasskeysFeature;

/// Implemented by [`PasskeysFeature`] when the `passkeys` feature is on.
#[diagnostic::on_unimplemented(
    message = "passkeys need auth-runtime's `passkeys` feature",
    label = "declared here",
    note = "enable it in Cargo.toml: auth-runtime = {{ version = \"…\", features = [\"passkeys\"] }}"
)]
pub trait PasskeysEnabled {}

#[cfg(feature = "passkeys")]
impl PasskeysEnabled for PasskeysFeature {}
