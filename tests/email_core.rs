//! The email sign-in core against a real SMTP server (aiosmtpd, `tests/peers/smtp_sink.py`):
//! the message as a mail client decodes it, and a server that is down or silent. The
//! advisory inputs that must never reach a mailer are in `tests/advisories/`.

use std::time::{Duration, Instant};

use auth_runtime::__private::email::{
    self, DEFAULT_FROM, MailError, Mailer, SignInEmail, SmtpMailer,
};
use auth_runtime::BaseUrl;
use auth_test_support::smtp::SmtpSink;

const WAIT: Duration = Duration::from_secs(10);

fn base() -> BaseUrl {
    BaseUrl::parse("http://localhost:3000", "/api/auth").expect("a valid base URL")
}

/// The message the routes would build for `to`, with a fresh token; also returns the link.
fn message_for(to: &str) -> (SignInEmail, String, String) {
    let base = base();
    let token = email::new_token();
    let url = email::sign_in_url(
        &base,
        "email",
        "http://localhost:3000/dashboard",
        &token,
        to,
    );
    let message = email::sign_in_email(&url, email::site_host(&base), DEFAULT_FROM, to);
    (message, url, token)
}

fn mailer(sink: &SmtpSink) -> SmtpMailer {
    SmtpMailer::new(&sink.url()).expect("the sink's URL is valid")
}

#[tokio::test]
async fn a_sign_in_email_arrives_with_its_link_intact() {
    let sink = SmtpSink::start();
    let (message, url, token) = message_for("alice@example.com");

    mailer(&sink)
        .send(&message)
        .await
        .expect("the sink accepts the message");
    let received = sink.wait_for(1, WAIT);
    assert_eq!(received.len(), 1);
    let mail = &received[0];

    assert_eq!(mail.rcpt_tos, ["alice@example.com"]);
    assert_eq!(mail.mail_from, "no-reply@example.com");
    assert_eq!(mail.to, "alice@example.com");
    assert_eq!(mail.from, "NextAuth <no-reply@example.com>");
    assert_eq!(mail.subject, "Sign in to localhost:3000");

    // The link is long enough that lettre sends the bodies quoted-printable: only a real
    // decoder gives it back whole.
    assert!(
        mail.raw
            .contains("Content-Transfer-Encoding: quoted-printable"),
        "{}",
        mail.raw
    );
    let text = mail.text.as_deref().expect("a text/plain part");
    assert_eq!(text, format!("Sign in to localhost:3000\n{url}\n\n"));
    assert!(!text.contains("=3D") && !text.contains("=\n"), "{text}");
    let link = mail.sign_in_link().expect("a link in the text body");
    assert_eq!(link, url);

    let link = url::Url::parse(&link).expect("the link is a URL");
    assert_eq!(link.path(), "/api/auth/callback/email");
    let query: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    let expected = [
        ("callbackUrl", "http://localhost:3000/dashboard"),
        ("token", token.as_str()),
        ("email", "alice@example.com"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(query, expected);

    let html = mail.html.as_deref().expect("a text/html part");
    assert!(
        html.contains(&format!(r#"href="{}""#, url.replace('&', "&amp;"))),
        "{html}"
    );
    assert!(html.contains(">Sign in</a>"), "{html}");
    assert!(!html.contains("=3D"), "{html}");
    assert!(!html.contains("alice@example.com"), "{html}");
}

#[tokio::test]
async fn a_closed_port_is_a_prompt_unreachable_error_without_credentials() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("a local address").port()
    };
    let mailer = SmtpMailer::new(&format!("smtp://mailer:hunter2@127.0.0.1:{port}"))
        .expect("credentials may go to a loopback host in clear text");
    let (message, _, _) = message_for("alice@example.com");

    let started = Instant::now();
    let result = mailer.send(&message).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let Err(err) = result else {
        panic!("sent to a closed port");
    };
    assert!(matches!(err, MailError::Unreachable(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn a_server_that_never_greets_times_out() {
    // The kernel completes the handshake from the backlog; nobody ever writes the greeting.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("a local address").port();
    let mailer = SmtpMailer::with_timeout(
        &format!("smtp://127.0.0.1:{port}"),
        Duration::from_millis(300),
    )
    .expect("a valid URL");
    let (message, _, _) = message_for("alice@example.com");

    let started = Instant::now();
    let result = mailer.send(&message).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(result, Err(MailError::Timeout(d)) if d == Duration::from_millis(300)),
        "{result:?}"
    );
    drop(listener);
}

#[tokio::test]
async fn tls_urls_never_fall_back_to_clear_text() {
    // The sink speaks plain SMTP only and offers no STARTTLS.
    let sink = SmtpSink::start();
    let (message, _, _) = message_for("alice@example.com");
    for scheme in ["smtp+starttls", "smtps"] {
        let mailer = SmtpMailer::with_timeout(
            &format!("{scheme}://127.0.0.1:{}", sink.port),
            Duration::from_secs(3),
        )
        .expect("a valid URL");
        let result = mailer.send(&message).await;
        assert!(result.is_err(), "{scheme}: sent over a plain connection");
    }
    // Nothing was delivered in clear: the control is the only message.
    let (control, _, _) = message_for("control@example.com");
    mailer(&sink)
        .send(&control)
        .await
        .expect("the sink accepts the control");
    let received = sink.wait_for(1, WAIT);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["control@example.com"]);
}

#[tokio::test]
async fn an_address_smtp_cannot_carry_is_refused_by_the_mailer() {
    let sink = SmtpSink::start();
    let mailer = mailer(&sink);
    // next-auth's normaliser lets spaces and angle brackets through; the mailer does not.
    for raw in ["a b@x.io", "a@x.io>\r\nDATA", "a@x.io\u{85}"] {
        let to = email::normalize_identifier(raw).expect("4.24.15 accepts it");
        let (message, _, _) = message_for(&to);
        let result = mailer.send(&message).await;
        assert!(
            matches!(result, Err(MailError::Address { field: "to" })),
            "{raw:?}: {result:?}"
        );
    }
    let (control, _, _) = message_for("control@example.com");
    mailer
        .send(&control)
        .await
        .expect("the sink accepts the control");
    assert_eq!(sink.wait_for(1, WAIT).len(), 1);
}
