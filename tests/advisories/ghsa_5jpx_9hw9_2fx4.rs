//! GHSA-5jpx-9hw9-2fx4 (docs/REST.md §9 #11; no CVE seen): nodemailer's address parser delivered
//! `"e@attacker.com"@victim.com` to `e@attacker.com`, so the victim's sign-in link went to
//! the attacker. Fixed in 4.24.12 / 5.0.0-beta.30 (quotes and a second `@` refused;
//! nodemailer ≥ 7.0.7).
//!
//! Our guarantee: the normaliser refuses more than one `@` and any `"`, so such an address
//! answers `error?error=EmailSignin` and nothing is ever handed to the mailer.

use auth_runtime::email::InvalidEmail;

use crate::support::{
    assert_refused_before_any_mail_is_sent, assert_route_refuses_and_mails_nothing,
};

#[tokio::test]
async fn a_quoted_local_part_is_refused_before_any_mail_is_sent() {
    assert_refused_before_any_mail_is_sent(&[
        (r#""e@attacker.com"@victim.com"#, InvalidEmail::AtSign),
        (r#""e"@victim.com"#, InvalidEmail::Quote),
    ])
    .await;
}

#[tokio::test]
async fn a_quoted_local_part_at_the_route_is_email_signin_and_mails_nothing() {
    assert_route_refuses_and_mails_nothing(&[
        r#""{m}@attacker.com"@victim.com"#,
        r#""{m}"@victim.com"#,
        r#"{m}@attacker.com"@victim.com"#,
    ])
    .await;
}
