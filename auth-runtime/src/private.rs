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
#[path = "pages.rs"]
pub mod pages;

pub use crate::callbacks::{AuthorizeInput, Credentials};
pub use crate::config::{Auth, Builder, ConfigError, Page};
pub use crate::database::AdapterSource;
pub use crate::durations::{Duration, days, hours, minutes, seconds};
pub use crate::oauth::{Checks, Preset, TokenAuthMethod};
pub use crate::provider::{
    CredentialField, EmailSettings, OAuthSettings, ProviderKind, ProviderSpec, Setting,
};
pub use crate::routes::Routes;
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

pub use crate::provider::UnknownProvider;
