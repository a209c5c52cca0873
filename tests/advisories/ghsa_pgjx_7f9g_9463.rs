//! GHSA-pgjx-7f9g-9463 / CVE-2022-31127 (docs/REST.md §9 #6): the recipient string was rendered
//! into the sign-in email's HTML, so `victim@x.io, <a href="http://attacker.com">…</a>`
//! put the attacker's link into a real message from the site. Fixed in 3.29.8 / 4.9.0 (the
//! address is no longer rendered).
//!
//! Our guarantee: the address is normalised first (a `"` is refused with `EmailSignin`;
//! markup without quotes is cut to the one address before the comma), the message is sent
//! to that one address, and neither body ever renders the address or anything after it.

use axum::http::StatusCode;
use std::time::Duration;

use auth_runtime::__private::email::{self, DEFAULT_FROM, InvalidEmail, Mailer, SmtpMailer};
use auth_runtime::BaseUrl;

use crate::support::{
    BASE, MailSite, ORIGIN, WAIT, assert_refused_before_any_mail_is_sent,
    assert_route_refuses_and_mails_nothing, sqlite_store, unique,
};
use auth_test_support::smtp::SmtpSink;

#[tokio::test]
async fn markup_with_quotes_is_refused_before_any_mail_is_sent() {
    assert_refused_before_any_mail_is_sent(&[(
        r#"victim@x.io, <a href="http://attacker.com">Click</a>"#,
        InvalidEmail::Quote,
    )])
    .await;
}

#[tokio::test]
async fn markup_with_quotes_at_the_route_is_email_signin_and_mails_nothing() {
    assert_route_refuses_and_mails_nothing(&[
        r#"{m}@x.io, <a href="http://attacker.com">Click</a>"#,
        r#"{m}@x.io <a href="http://attacker.com">Click</a>"#,
    ])
    .await;
}

#[tokio::test]
async fn markup_without_quotes_is_cut_to_one_recipient_and_never_rendered() {
    let sink = SmtpSink::start();
    let to = email::normalize_identifier("Victim@X.io, <a href=http://attacker.com>Click</a>")
        .expect("one address before the comma");
    assert_eq!(to, "victim@x.io");
    let base = BaseUrl::parse("http://localhost:3000", "/api/auth").expect("a valid base URL");
    let url = email::sign_in_url(
        &base,
        "email",
        "http://localhost:3000/dashboard",
        &email::new_token(),
        &to,
    );
    let message = email::sign_in_email(&url, email::site_host(&base), DEFAULT_FROM, &to);

    SmtpMailer::new(&sink.url())
        .expect("the sink's URL is valid")
        .send(&message)
        .await
        .expect("the sink accepts the message");
    let received = sink.wait_for(1, WAIT);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["victim@x.io"]);
    for body in [&received[0].text, &received[0].html] {
        let body = body.as_deref().expect("both parts");
        assert!(!body.contains("attacker.com"), "{body}");
    }
    assert!(!received[0].raw.contains("attacker.com"));
}

#[tokio::test]
async fn markup_without_quotes_at_the_route_mails_one_address_and_no_attacker_link() {
    let site = MailSite::start(&sqlite_store());
    let victim = format!("{}@x.io", unique("victim"));
    let hostile = format!("{victim}, <a href=http://attacker.com>Click</a>");
    let mut client = site.client();
    let answer = MailSite::request_link(&mut client, &hostile).await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/verify-request?provider=email&type=email")
    );
    let mail = site.mail_to(&victim);
    // Give a second message, should there be one, time to arrive.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(site.sink.messages().len(), 1);
    assert_eq!(mail.rcpt_tos, [victim.as_str()]);
    assert_eq!(mail.to, victim);
    let html = mail.html.as_deref().expect("an HTML part");
    assert!(!html.contains(r#"<a href="http://attacker.com""#), "{html}");
    assert!(!mail.raw.contains("attacker.com"), "{}", mail.raw);
    assert!(
        !html.contains(&victim),
        "the address is not rendered: {html}"
    );
    // The link signs in exactly that one address.
    let link = mail.sign_in_link().unwrap();
    let answer = client.get(link.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(answer.location(), format!("{ORIGIN}/welcome"));
    let session = client.session(BASE).await;
    assert_eq!(session["user"]["email"], victim.as_str());
}
