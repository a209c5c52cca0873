//! next-auth v4's session token, for a Rust service beside a Next.js app: the same
//! `NEXTAUTH_SECRET` gives the same keys, so either side reads what the other wrote.
//!
//! The token is a compact JWE (`dir` + `A256GCM`) under a key derived with HKDF-SHA256 from
//! the secret, exactly as next-auth's `encode` and `decode` (from `next-auth/jwt`) make it.
//! To read the session of a request, use [`Auth::session_from_headers`](crate::Auth::session_from_headers)
//! or the `Session` extractor; [`Auth::token_from_headers`](crate::Auth::token_from_headers)
//! is next-auth's `getToken` (the cookie, chunks reassembled, else `Authorization: Bearer`).
//!
//! ```
//! use auth_runtime::jwt::{self, TokenKeys};
//!
//! let keys = TokenKeys::derive(&["a secret of at least thirty-two bytes".to_owned()], "")
//!     .expect("one secret");
//! let now = 1_800_000_000;
//! let mut claims = serde_json::Map::new();
//! claims.insert("sub".to_owned(), "42".into());
//! let token = jwt::encode(&keys, &claims, 3600, now);
//! assert_eq!(jwt::decode(&keys, &token, now).expect("valid")["sub"], "42");
//! ```

pub use crate::jwe::{TokenError, TokenKey, TokenKeys, decode, encode};

/// Auth.js v5's session token (`@auth/core`'s `encode` and `decode`): `dir` + `A256CBC-HS512`
/// under a key derived from the secret and the cookie's name, named by `kid`.
///
/// ```
/// use auth_runtime::jwt::authjs::{self, AuthJsKeys};
///
/// let secrets = ["a secret of at least thirty-two bytes".to_owned()];
/// let keys = AuthJsKeys::derive(&secrets, "authjs.session-token").expect("one secret");
/// let now = 1_800_000_000;
/// let mut claims = serde_json::Map::new();
/// claims.insert("sub".to_owned(), "42".into());
/// let token = authjs::encode(&keys, &claims, 3600, now);
/// assert_eq!(authjs::decode(&keys, &token, now).expect("valid")["sub"], "42");
/// ```
pub mod authjs {
    pub use crate::authjs::{AuthJsKeys, decode, encode};
}
