//! GHSA-7rqj-j65f-68wh / CVE-2026-73420 (docs/REST.md §9 #12): a homoglyph `@` (U+FF20 FULLWIDTH
//! COMMERCIAL AT, U+FE6B SMALL COMMERCIAL AT) passed the single-`@` check and became a real
//! `@` after NFKC in a later parser, so the mail went to another domain. Fixed in 4.24.15 /
//! 5.0.0-beta.32 / @auth/core 0.41.3 (NFKC before validation).
//!
//! Our guarantee: the address is NFKC-normalised before any check, so a homoglyph counts as
//! a second `@`: `error?error=EmailSignin`, and no email is sent.

use auth_runtime::email::InvalidEmail;

use crate::support::{
    assert_refused_before_any_mail_is_sent, assert_route_refuses_and_mails_nothing,
};

#[tokio::test]
async fn full_width_and_small_at_signs_are_refused_before_any_mail_is_sent() {
    assert_refused_before_any_mail_is_sent(&[
        ("attacker\u{FF20}evil.com@victim.com", InvalidEmail::AtSign),
        ("attacker\u{FE6B}evil.com@victim.com", InvalidEmail::AtSign),
    ])
    .await;
}

#[tokio::test]
async fn full_width_and_small_at_signs_at_the_route_are_email_signin_and_mail_nothing() {
    assert_route_refuses_and_mails_nothing(&[
        "{m}\u{FF20}evil.com@victim.com",
        "{m}\u{FE6B}evil.com@victim.com",
        // After the real `@` as well.
        "{m}@evil.com\u{FF20}victim.com",
    ])
    .await;
}
