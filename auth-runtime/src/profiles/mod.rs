//! The profile of each provider kind as a typed struct, named as the kind in `auth!`
//! (`profiles::GitHub`, `profiles::AzureAd`…): what a `profile:` mapping takes.
//!
//! Each struct has the fields its provider documents that a mapping reads (ids, names, emails,
//! `email_verified` where sent, avatars); optional ones are `Option`, other fields are
//! ignored (the OpenID Connect structs keep them in `other_claims`), and an id sent as a
//! number reads as its decimal digits. A struct deserializes from
//! the profile the preset's built-in mapping sees: the verified ID token claims for the OpenID
//! Connect kinds, the userinfo answer for the others, wrappers included (Twitter's `data`,
//! Naver's `response`). The OpenID Connect kinds without claims of their own share [`Oidc`];
//! the generic `OAuth` kind takes the answer as it is, a [`serde_json::Value`].
//!
//! ```no_run
//! use auth_runtime::{User, auth, profiles};
//!
//! auth! {
//!     secret: env("NEXTAUTH_SECRET"),
//!     providers: {
//!         github: GitHub {
//!             client_id: env("GITHUB_ID"),
//!             client_secret: env("GITHUB_SECRET"),
//!             profile: crate::github_user,
//!         },
//!     },
//! }
//!
//! // A misspelt field is a compile error; a profile that does not deserialize into the
//! // struct sends the user back to the sign-in page, as a mapping returning `None` does.
//! fn github_user(profile: &profiles::GitHub) -> Option<User> {
//!     let user = User::new(&profile.id).name(profile.name.as_deref().unwrap_or(&profile.login));
//!     Some(match &profile.email {
//!         Some(email) => user.email(email),
//!         None => user,
//!     })
//! }
//! # fn main() {}
//! ```

mod oauth2;
mod openid;

pub use oauth2::*;
pub use openid::*;

/// The generic `OAuth` kind's profile: the userinfo answer as JSON, whatever its shape.
pub type OAuth = serde_json::Value;

/// Whether a raw profile, of any provider, says its email address is verified: the OpenID
/// claim `email_verified`, a boolean or a string that is true when it is `"true"` (Google's
/// and Apple's ID tokens may send a string), as the structs' `email_verified` reads it; `None`
/// when the profile does not say. Linking by email reads this.
pub(crate) fn email_verified(profile: &serde_json::Value) -> Option<bool> {
    match profile.get("email_verified")? {
        serde_json::Value::Bool(verified) => Some(*verified),
        serde_json::Value::String(verified) => Some(verified == "true"),
        _ => None,
    }
}

/// The `deserialize_with` helpers the structs share.
mod de {
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{Deserializer, Error, Visitor};

    /// An id: a string as it is, an integer as its decimal digits (NextAuth's `String(id)`).
    pub(super) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        struct Id;
        impl Visitor<'_> for Id {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
        }
        deserializer.deserialize_any(Id)
    }

    /// `email_verified`: a boolean, or a string that is true when it is `"true"` (some
    /// providers send a string), as linking by email reads it; `null` is `None`.
    pub(super) fn email_verified<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<bool>, D::Error> {
        struct Verified;
        impl<'de> Visitor<'de> for Verified {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or a string")
            }
            fn visit_bool<E: Error>(self, v: bool) -> Result<Option<bool>, E> {
                Ok(Some(v))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Option<bool>, E> {
                Ok(Some(v == "true"))
            }
            fn visit_unit<E: Error>(self) -> Result<Option<bool>, E> {
                Ok(None)
            }
            fn visit_none<E: Error>(self) -> Result<Option<bool>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<bool>, D::Error> {
                d.deserialize_any(self)
            }
        }
        deserializer.deserialize_any(Verified)
    }

    /// A string, or `None` for any other value: for a claim a provider sends in another shape
    /// than the standard's.
    pub(super) fn string_or_none<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
