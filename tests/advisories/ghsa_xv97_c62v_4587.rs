//! GHSA-xv97-c62v-4587 / CVE-2022-35924 (docs/REST.md §9 #8): `attacker@attacker.com,victim@victim.com`
//! was mailed to both addresses, and the user was created with that odd email, which passed
//! `endsWith("@victim.com")` checks in `signIn` callbacks. Fixed in 3.29.10 / 4.10.3
//! (`normalizeIdentifier`).
//!
//! Our guarantee (next-auth 4.24.15's rule: NFKC, trim, lower-case, exactly one `@`): a list
//! is refused with `error?error=EmailSignin` before the `sign_in` callback, the store or the
//! mailer see it; an accepted address reaches the `sign_in` callback, the mail's recipient,
//! the stored token's identifier and the user as one and the same normalised string.

use auth_runtime::email::InvalidEmail;

use crate::support::{
    BASE, MailSite, ORIGIN, assert_refused_before_any_mail_is_sent,
    assert_route_refuses_and_mails_nothing, query_param, sign_in_callback_saw, stores, unique,
};

#[tokio::test]
async fn a_list_of_two_recipients_is_refused_before_any_mail_is_sent() {
    assert_refused_before_any_mail_is_sent(&[
        (
            "attacker@attacker.com,victim@victim.com",
            InvalidEmail::AtSign,
        ),
        (
            "attacker@attacker.com, victim@victim.com",
            InvalidEmail::AtSign,
        ),
        (
            "attacker@attacker.com;victim@victim.com",
            InvalidEmail::AtSign,
        ),
    ])
    .await;
}

#[tokio::test]
async fn a_list_of_two_recipients_at_the_route_is_email_signin_and_mails_nothing() {
    assert_route_refuses_and_mails_nothing(&[
        "{m}@attacker.com,victim@victim.com",
        "{m}@attacker.com, victim@victim.com",
        "{m}@attacker.com;victim@victim.com",
        "victim@victim.com,{m}@attacker.com",
    ])
    .await;
}

#[tokio::test]
async fn the_callback_the_mail_the_token_and_the_user_see_one_normalised_address() {
    for store in stores() {
        let site = MailSite::start(&store);
        let local = unique("Mixed.Case");
        let raw = format!("  {local}@Example.COM\t");
        let normalised = format!("{}@example.com", local.to_lowercase());
        let mut client = site.client();
        MailSite::request_link_ok(&mut client, &raw).await;

        // The sign_in callback, asked before mailing, saw the normalised address only.
        let saw = sign_in_callback_saw();
        assert!(
            saw.iter()
                .any(|(email, id)| email.as_deref() == Some(normalised.as_str())
                    && *id == normalised),
            "{store}: {saw:?}"
        );
        assert!(
            !saw.iter().any(|(email, id)| id.contains(&local)
                || email.as_deref().is_some_and(|e| e.contains(&local))),
            "{store}: the raw address reached the callback: {saw:?}"
        );

        // One recipient, the normalised one, in the envelope, the header and the link.
        let mail = site.mail_to(&normalised);
        assert_eq!(mail.rcpt_tos, [normalised.as_str()], "{store}");
        assert_eq!(mail.to, normalised, "{store}");
        let link = mail.sign_in_link().unwrap();
        assert_eq!(
            query_param(&link, "email").as_deref(),
            Some(normalised.as_str())
        );
        assert_eq!(site.sink.messages().len(), 1, "{store}");

        // The stored identifier is that address: the link works, and the user has it.
        let answer = client.get(link.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(answer.location(), format!("{ORIGIN}/welcome"), "{store}");
        let session = client.session(BASE).await;
        assert_eq!(session["user"]["email"], normalised.as_str(), "{store}");
    }
}
