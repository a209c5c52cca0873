//! The OAuth 2.0 / OpenID Connect client behind `POST /signin/:provider` and
//! `/callback/:provider` (docs/REST.md §4): providers, presets, the authorization URL, the callback.
//!
//! Providers are built at start-up without network ([`OAuthProvider::preset`] or
//! [`OAuthProvider::new`]); one shared [`OAuthClient`] runs the flows:
//!
//! ```no_run
//! use auth_runtime::__private::oauth::{
//!     AuthorizationRequest, CallbackRequest, OAuthClient, OAuthProvider, Preset, PresetParams,
//!     pkce_challenge, random_check_value, state_matches,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let google = OAuthProvider::preset(Preset::Google, "client-id", "client-secret", &PresetParams::new())?;
//! let client = OAuthClient::new();
//! let redirect_uri = "https://app.example/api/auth/callback/google";
//!
//! // POST /signin/google: make the check values, seal them in cookies, redirect.
//! let (state, verifier) = (random_check_value(), random_check_value());
//! let challenge = pkce_challenge(&verifier);
//! let request = AuthorizationRequest::new(redirect_uri).state(&state).code_challenge(&challenge);
//! let location = client.authorization_url(&google, &request).await?;
//!
//! // GET /callback/google?code=…&state=…: compare the state, then finish.
//! # let (received_state, code, iss) = (Some(state.as_str()), "code", None);
//! assert!(state_matches(&state, received_state));
//! let request = CallbackRequest::new(redirect_uri, code).code_verifier(&verifier).iss(iss);
//! let signed_in = client.callback(&google, &request).await?;
//! println!("{} ({:?})", signed_in.user.id, signed_in.user.email);
//! # let _ = location;
//! # Ok(())
//! # }
//! ```
//!
//! Every error maps to NextAuth's code with [`OAuthError::code`] (`OAuthSignin` while
//! building the URL, `OAuthCallback` at the callback) and never contains the client secret,
//! the code, a token or the PKCE verifier.

mod authorize;
mod client;
mod client_secret;
mod discovery;
mod error;
mod http;
mod id_token;
mod jwks;
mod pkce;
mod presets;
mod provider;
mod tokens;

pub use authorize::AuthorizationRequest;
pub use client::{CallbackRequest, OAuthClient, OAuthClientBuilder, SignInResult};
pub(crate) use error::PRIVATE_KEY_PROBLEM;
pub use error::{Endpoint, HttpFailure, IdTokenError, OAuthConfigError, OAuthError, Stage};
pub use pkce::{pkce_challenge, random_check_value, state_matches};
pub use presets::{Preset, PresetParam, PresetParams};
pub use provider::{Checks, Endpoints, OAuthProvider, ProfileFn, TokenAuthMethod};
pub use tokens::TokenSet;

#[cfg(test)]
pub(crate) use client_secret::tests::TEST_ONLY_P256_PRIVATE_KEY_PEM;
#[cfg(test)]
mod presets_tests;
#[cfg(test)]
mod tests;
