//! The [`Mailer`] trait that delivers a [`SignInEmail`], and its error.
//!
//! The runtime holds an `Arc<dyn Mailer>`, so SMTP (`SmtpMailer`, feature `smtp`) and
//! HTTP mail APIs (Resend, SES, Postmark…) plug in the same way.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::SignInEmail;

/// A boxed, `Send` future: what [`Mailer::send`] returns, so the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Delivers sign-in emails.
///
/// Implement it to send through an HTTP mail API:
///
/// ```
/// use auth_runtime::email::{BoxFuture, MailError, Mailer, SignInEmail};
///
/// struct LogMailer;
///
/// impl Mailer for LogMailer {
///     fn send<'a>(&'a self, email: &'a SignInEmail) -> BoxFuture<'a, Result<(), MailError>> {
///         Box::pin(async move {
///             if email.to.ends_with("@blocked.example") {
///                 return Err(MailError::Rejected("recipient blocked".into()));
///             }
///             println!("to {}: {}", email.to, email.subject);
///             Ok(())
///         })
///     }
/// }
///
/// let mailer: std::sync::Arc<dyn Mailer> = std::sync::Arc::new(LogMailer);
/// # let _ = mailer;
/// ```
pub trait Mailer: Send + Sync {
    /// Sends `email`; an error becomes `error?error=EmailSignin` for the user.
    ///
    /// It should finish in bounded time (the user's `POST /signin/email` waits for it).
    fn send<'a>(&'a self, email: &'a SignInEmail) -> BoxFuture<'a, Result<(), MailError>>;
}

/// Why a sign-in email was not sent.
///
/// No variant carries a password, an API key, or a URL with credentials in it, and the
/// messages never include the email's body (it holds a live token), so the error can be logged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The mailer's configuration cannot work (an unusable SMTP URL, an unknown scheme…).
    #[error("invalid mailer configuration: {0}")]
    Config(String),
    /// The named address (`from` or `to`) is not a single valid mailbox.
    #[error("invalid `{field}` address")]
    Address {
        /// `from` or `to`.
        field: &'static str,
    },
    /// The server could not be reached or the connection failed (refused, DNS, TLS, reset).
    #[error("mail server unreachable: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("mail server did not answer within {0:?}")]
    Timeout(Duration),
    /// The server or API refused the message (SMTP 4xx/5xx, HTTP 4xx/5xx).
    #[error("mail refused: {0}")]
    Rejected(String),
    /// Another failure of a custom mailer.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}
