//! The email ("magic link") sign-in core: address normalisation, verification tokens, the
//! link, the message, and the [`Mailer`] that delivers it (docs/REST.md §2.9, advisories §9).
//!
//! The routes use it in this order: [`normalize_identifier`] on the posted `email` (a failure
//! is `EmailSignin`, and nothing is sent), [`new_token`] for the link and [`hash_token`] for
//! the stored copy, [`sign_in_url`] and [`sign_in_email`] to build the message, then
//! [`Mailer::send`].
//!
//! ```
//! use auth_runtime::BaseUrl;
//! use auth_runtime::email::{self, DEFAULT_FROM};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let base = BaseUrl::parse("http://localhost:3000", "/api/auth")?;
//! let to = email::normalize_identifier(" Alice@Example.COM ")?;
//! let token = email::new_token();
//! let stored = email::hash_token(&token, "secret"); // what the adapter keeps
//! let url = email::sign_in_url(&base, "email", "http://localhost:3000/", &token, &to);
//! let message = email::sign_in_email(&url, email::site_host(&base), DEFAULT_FROM, &to);
//! assert_eq!(message.subject, "Sign in to localhost:3000");
//! assert!(message.text.contains("&email=alice%40example.com"));
//! # let _ = stored;
//! # Ok(())
//! # }
//! ```

mod link;
mod mailer;
mod message;
mod normalize;
#[cfg(feature = "smtp")]
mod smtp;
mod token;

pub use link::{sign_in_url, site_host};
pub use mailer::{BoxFuture, MailError, Mailer};
pub use message::{DEFAULT_FROM, SignInEmail, sign_in_email};
pub use normalize::{InvalidEmail, normalize_identifier};
#[cfg(feature = "smtp")]
pub use smtp::{DEFAULT_SMTP_TIMEOUT, SmtpMailer};
pub use token::{DEFAULT_MAX_AGE, hash_token, new_token};
