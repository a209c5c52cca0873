//! [`SmtpMailer`]: sign-in emails through an SMTP server with lettre (tokio, rustls), configured
//! by one URL such as `smtp+starttls://user:pass@smtp.example.com:587`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use url::{Host, Url};

use super::{BoxFuture, MailError, Mailer, SignInEmail};

/// How long [`SmtpMailer::new`] lets each network step, and a whole send, take.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(10);

const URL_FORMS: &str = "expected `smtp://host:port` (plain, local relays only), \
                         `smtps://host:port` (implicit TLS) or `smtp+starttls://host:port`, \
                         with an optional `user:password@`";

/// Sends sign-in emails through an SMTP server, one connection per email; cheap to clone.
///
/// The URL's scheme picks the transport security:
///
/// | URL | security | default port |
/// | --- | --- | --- |
/// | `smtp://host:port` | none: for a relay on this machine or a test sink | 25 |
/// | `smtps://host:port` | TLS from the first byte | 465 |
/// | `smtp+starttls://host:port` | `STARTTLS`, required | 587 |
///
/// `user:password@` (percent-encoded) logs in; over plain `smtp://` that is only allowed to a
/// loopback host, so a password never crosses a network in clear text. TLS uses rustls with
/// the platform's certificate verifier.
///
/// ```no_run
/// use std::sync::Arc;
/// use auth_runtime::email::{Mailer, SmtpMailer};
///
/// # fn main() -> Result<(), auth_runtime::email::MailError> {
/// let mailer: Arc<dyn Mailer> =
///     Arc::new(SmtpMailer::new("smtp+starttls://apikey:s3cr3t@smtp.example.com")?);
/// # let _ = mailer;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
    /// `scheme://host:port`, for `Debug`: never the credentials.
    endpoint: String,
    /// The credentials in every form a server might echo back, scrubbed from error messages.
    secrets: Arc<[String]>,
}

impl SmtpMailer {
    /// A mailer for `url` with [`DEFAULT_SMTP_TIMEOUT`].
    ///
    /// Nothing is connected yet (so it can be built outside a tokio runtime); an unreachable
    /// server shows on the first [`Mailer::send`].
    pub fn new(url: &str) -> Result<SmtpMailer, MailError> {
        SmtpMailer::with_timeout(url, DEFAULT_SMTP_TIMEOUT)
    }

    /// A mailer for `url` whose connection, each SMTP step, and each whole send are bounded
    /// by `timeout`.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<SmtpMailer, MailError> {
        // `url::ParseError` never repeats its input, so a password cannot leak from here.
        let url = Url::parse(url)
            .map_err(|e| MailError::Config(format!("not a URL ({e}); {URL_FORMS}")))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (Security::Plain, 25),
            "smtps" => (Security::Implicit, 465),
            "smtp+starttls" => (Security::StartTls, 587),
            other => {
                return Err(MailError::Config(format!(
                    "unknown scheme `{other}`; {URL_FORMS}"
                )));
            }
        };
        if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
            // lettre's own `?tls=required` is `smtp+starttls://` here.
            return Err(MailError::Config(format!(
                "unexpected path, query or fragment; {URL_FORMS}"
            )));
        }
        let (host, loopback) = match url.host() {
            // `smtp` is not a WHATWG special scheme, so an IPv4 address arrives as a name.
            Some(Host::Domain(name)) if !name.is_empty() => (
                name.to_owned(),
                name.parse::<IpAddr>().map_or_else(
                    |_| {
                        let name = name.to_ascii_lowercase();
                        name == "localhost" || name.ends_with(".localhost")
                    },
                    |ip| ip.is_loopback(),
                ),
            ),
            Some(Host::Ipv4(ip)) => (ip.to_string(), ip.is_loopback()),
            Some(Host::Ipv6(ip)) => (ip.to_string(), ip.is_loopback()),
            _ => return Err(MailError::Config(format!("no host; {URL_FORMS}"))),
        };
        let port = url.port().unwrap_or(default_port);

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
            .port(port)
            .timeout(Some(timeout));
        builder = match security {
            Security::Plain => builder.tls(Tls::None),
            Security::Implicit => builder.tls(Tls::Wrapper(tls_parameters(&host)?)),
            Security::StartTls => builder.tls(Tls::Required(tls_parameters(&host)?)),
        };

        let mut secrets = Vec::new();
        if !url.username().is_empty() || url.password().is_some() {
            let decode = |part: &str, name: &str| {
                percent_encoding::percent_decode_str(part)
                    .decode_utf8()
                    .map(|s| s.into_owned())
                    .map_err(|_| MailError::Config(format!("the {name} is not UTF-8")))
            };
            let user = decode(url.username(), "user name")?;
            let password = decode(url.password().unwrap_or_default(), "password")?;
            if user.is_empty() || password.is_empty() {
                return Err(MailError::Config(
                    "credentials need both a user name and a password".to_owned(),
                ));
            }
            if security == Security::Plain && !loopback {
                return Err(MailError::Config(
                    "credentials over plain `smtp://` are only sent to a loopback host; \
                     use `smtps://` or `smtp+starttls://`"
                        .to_owned(),
                ));
            }
            secrets = credential_forms(&user, &password);
            // As typed in the URL, percent-encoding included.
            secrets.push(url.username().to_owned());
            secrets.extend(url.password().map(str::to_owned));
            builder = builder.credentials(Credentials::new(user, password));
        }
        // Longest first, so a secret containing another is scrubbed whole.
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();

        Ok(SmtpMailer {
            transport: builder.build(),
            timeout,
            endpoint: format!(
                "{}://{}:{port}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            ),
            secrets: secrets.into(),
        })
    }

    async fn deliver(&self, email: &SignInEmail) -> Result<(), MailError> {
        let from: Mailbox = email
            .from
            .parse()
            .map_err(|_| MailError::Address { field: "from" })?;
        // The recipient is a bare address: a display name could smuggle a second one.
        let to: Address = email
            .to
            .parse()
            .map_err(|_| MailError::Address { field: "to" })?;
        let message = Message::builder()
            .from(from)
            .to(Mailbox::new(None, to))
            .subject(email.subject.as_str())
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| MailError::Other(Box::new(e)))?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_elapsed) => Err(MailError::Timeout(self.timeout)),
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(e)) if e.is_timeout() => Err(MailError::Timeout(self.timeout)),
            Ok(Err(e)) if e.is_permanent() || e.is_transient() => {
                Err(MailError::Rejected(self.scrub(e.to_string())))
            }
            Ok(Err(e)) => Err(MailError::Unreachable(self.scrub(e.to_string()))),
        }
    }

    fn scrub(&self, mut message: String) -> String {
        for secret in self.secrets.iter() {
            if message.contains(secret.as_str()) {
                message = message.replace(secret.as_str(), "[redacted]");
            }
        }
        message
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a SignInEmail) -> BoxFuture<'a, Result<(), MailError>> {
        Box::pin(self.deliver(email))
    }
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("endpoint", &self.endpoint)
            .field("login", &!self.secrets.is_empty())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    Implicit,
    StartTls,
}

fn tls_parameters(host: &str) -> Result<TlsParameters, MailError> {
    TlsParameters::new(host.to_owned())
        .map_err(|e| MailError::Config(format!("cannot set up TLS: {e}")))
}

/// The credentials as typed and as SMTP `AUTH PLAIN` / `AUTH LOGIN` put them on the wire.
fn credential_forms(user: &str, password: &str) -> Vec<String> {
    vec![
        user.to_owned(),
        password.to_owned(),
        BASE64.encode(format!("\0{user}\0{password}")),
        BASE64.encode(user),
        BASE64.encode(password),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(url: &str) -> String {
        match SmtpMailer::new(url) {
            Err(MailError::Config(message)) => message,
            Err(other) => panic!("{url}: not a config error: {other}"),
            Ok(mailer) => panic!("{url}: accepted as {mailer:?}"),
        }
    }

    #[test]
    fn each_scheme_has_its_default_port() {
        for (url, endpoint) in [
            ("smtp://127.0.0.1", "smtp://127.0.0.1:25"),
            ("smtps://mail.example.com", "smtps://mail.example.com:465"),
            (
                "smtp+starttls://mail.example.com/",
                "smtp+starttls://mail.example.com:587",
            ),
            ("smtp://[::1]:2525", "smtp://[::1]:2525"),
        ] {
            let mailer = SmtpMailer::new(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(mailer.endpoint, endpoint);
        }
    }

    #[test]
    fn unusable_urls_are_refused_with_the_accepted_forms() {
        for url in [
            "mail.example.com:25",
            "http://mail.example.com",
            "smtp://mail.example.com?tls=required",
            "smtp://mail.example.com/helo-name",
            "smtp://",
        ] {
            let message = config_error(url);
            assert!(message.contains("smtp+starttls://"), "{url}: {message}");
        }
    }

    #[test]
    fn credentials_are_never_echoed() {
        for url in [
            "smtp://user:hunter2@mail.example.com:25",
            "smtp://user:hunter2@[::1",
            "smtps://user@mail.example.com",
            "ftp://user:hunter2@mail.example.com",
        ] {
            let message = config_error(url);
            assert!(!message.contains("hunter2"), "{url}: {message}");
        }
        let mailer = SmtpMailer::new("smtps://user:hunter2@mail.example.com")
            .unwrap_or_else(|e| panic!("{e}"));
        let debug = format!("{mailer:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("user"),
            "{debug}"
        );
    }

    #[test]
    fn plain_smtp_logs_in_only_on_loopback() {
        assert!(SmtpMailer::new("smtp://u:p@localhost:2525").is_ok());
        assert!(SmtpMailer::new("smtp://u:p@127.0.0.1:2525").is_ok());
        assert!(SmtpMailer::new("smtp://u:p@[::1]:2525").is_ok());
        assert!(SmtpMailer::new("smtp://u:p@mail.localhost:2525").is_ok());
        for url in [
            "smtp://u:p@mail.example.com:2525",
            "smtp://u:p@10.0.0.1:2525",
            "smtp://u:p@127.0.0.1.example.com:2525",
        ] {
            let message = config_error(url);
            assert!(message.contains("loopback"), "{url}: {message}");
        }
    }

    #[test]
    fn percent_encoded_credentials_are_scrubbed_in_every_form() {
        let mailer = SmtpMailer::new("smtps://me%40x.io:p%40ss%3Aword@mail.example.com")
            .unwrap_or_else(|e| panic!("{e}"));
        let plain = BASE64.encode("\0me@x.io\0p@ss:word");
        let echoed =
            format!("535 bad AUTH PLAIN {plain}; user me@x.io pw p@ss:word raw p%40ss%3Aword");
        let scrubbed = mailer.scrub(echoed);
        for leaked in ["me@x.io", "p@ss:word", "p%40ss%3Aword", plain.as_str()] {
            assert!(!scrubbed.contains(leaked), "{scrubbed}");
        }
    }
}
