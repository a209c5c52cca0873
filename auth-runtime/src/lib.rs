//! NextAuth.js's REST API for axum.
pub use auth_macros::auth;
