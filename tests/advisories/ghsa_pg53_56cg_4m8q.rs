//! GHSA-pg53-56cg-4m8q / CVE-2021-21310 (docs/REST.md §9 #1): the community Prisma adapter looked a
//! verification token up without its identifier, so the link mailed to `a` signed in anyone
//! who put another address beside a's token. Fixed in next-auth 3.3.0.
//!
//! Our guarantee: a token is used only together with the exact (normalised) address it was
//! mailed to: the adapter's `use_verification_token(identifier, hash)` matches both, on
//! SQLite and PostgreSQL. A's token with b's address is `error?error=Verification`, starts
//! no session for anyone, and does not use a's token up.

use axum::http::StatusCode;

use crate::support::{BASE, MailSite, ORIGIN, query_param, stores, unique};

#[tokio::test]
async fn a_token_mailed_to_a_does_not_sign_in_b() {
    for store in stores() {
        let site = MailSite::start(&store);
        let a = format!("{}@example.com", unique("a"));
        let b = format!("{}@example.com", unique("b"));
        let mut victim = site.client();
        MailSite::request_link_ok(&mut victim, &a).await;
        MailSite::request_link_ok(&mut victim, &b).await;
        let link_a = site.link_for(&a);
        let token_a = query_param(&link_a, "token").unwrap();
        let b_encoded = auth_runtime::__private::cookies::encode_uri_component(&b);

        let mut attacker = site.client();
        // By query (the link's form) and by form body: the route takes both.
        let by_query = attacker
            .get(&format!(
                "{BASE}/callback/email?email={b_encoded}&token={token_a}"
            ))
            .await;
        let by_body = attacker
            .post_form(
                &format!("{BASE}/callback/email"),
                &format!("email={b_encoded}&token={token_a}"),
            )
            .await;
        for answer in [by_query, by_body] {
            assert_eq!(answer.status, StatusCode::FOUND, "{store}");
            assert_eq!(
                answer.location(),
                format!("{ORIGIN}{BASE}/error?error=Verification"),
                "{store}"
            );
            assert!(answer.set_cookie("next-auth.session-token").is_none());
        }
        // b stays signed out.
        assert!(attacker.cookie("next-auth.session-token").is_none());
        assert_eq!(attacker.get(&format!("{BASE}/session")).await.body, "{}");

        // A's own link still works and signs in a, not b: the attempts did not use it up.
        let answer = victim.get(link_a.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(answer.location(), format!("{ORIGIN}/welcome"), "{store}");
        let session = victim.session(BASE).await;
        assert_eq!(session["user"]["email"], a.as_str(), "{store}");
    }
}
