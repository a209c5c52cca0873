//! Email ("magic link") sign-in, as far as an application meets it: the [`Mailer`] that
//! delivers the message ([`SmtpMailer`], or your own for an HTTP mail API, named with
//! `mailer:` in `auth!`), the [`SignInEmail`] it is given, and [`normalize_identifier`], the
//! address rule sign-in applies (next-auth 4.24.15's), for code that must agree with it.
//!
//! The routes do the rest (docs/REST.md §2.9): normalise the posted `email` (a failure is
//! `EmailSignin`, and nothing is sent), make a token for the link and store only its hash,
//! build the link and the message, then [`Mailer::send`].
//!
//! ```
//! use auth_runtime::email::normalize_identifier;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! assert_eq!(normalize_identifier(" Alice@Example.COM ")?, "alice@example.com");
//! assert!(normalize_identifier("a@b@example.com").is_err()); // exactly one `@`
//! # Ok(())
//! # }
//! ```

pub(crate) mod link;
mod mailer;
pub(crate) mod message;
mod normalize;
#[cfg(feature = "smtp")]
mod smtp;
pub(crate) mod token;

pub(crate) use link::{sign_in_url, site_host};
pub use mailer::{BoxFuture, MailError, Mailer};
pub use message::SignInEmail;
pub(crate) use message::sign_in_email;
pub use normalize::{InvalidEmail, normalize_identifier};
#[cfg(feature = "smtp")]
pub use smtp::{DEFAULT_SMTP_TIMEOUT, SmtpMailer};
pub(crate) use token::{DEFAULT_MAX_AGE, hash_token, new_token};
