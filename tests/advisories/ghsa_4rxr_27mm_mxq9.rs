//! GHSA-4rxr-27mm-mxq9 / CVE-2022-39263 (docs/REST.md §9 #2): `@next-auth/upstash-redis-adapter`
//! before 3.0.2 looked the verification token up by its identifier alone, so any token (or
//! none) signed in as a known address. Fixed in the adapter's 3.0.2.
//!
//! Our guarantee: the stored row is `sha256(token + secret)` for one identifier, and the
//! callback signs in only when both the address and the hash match (SQLite and PostgreSQL):
//! a random token, an altered one, or a token without its address is `Verification`.

use axum::http::StatusCode;

use crate::support::{BASE, MailSite, ORIGIN, query_param, stores, unique};

#[tokio::test]
async fn a_right_address_with_a_random_or_altered_token_signs_nobody_in() {
    for store in stores() {
        let site = MailSite::start(&store);
        let a = format!("{}@example.com", unique("a"));
        let mut victim = site.client();
        MailSite::request_link_ok(&mut victim, &a).await;
        let link_a = site.link_for(&a);
        let token_a = query_param(&link_a, "token").unwrap();
        let a_encoded = auth_runtime::__private::cookies::encode_uri_component(&a);
        // The real token with its last character changed: right length, right alphabet.
        let last = token_a.chars().last().unwrap();
        let altered = format!(
            "{}{}",
            &token_a[..token_a.len() - 1],
            if last == '0' { '1' } else { '0' }
        );

        let mut attacker = site.client();
        for query in [
            format!("email={a_encoded}&token=0123456789abcdef"),
            format!("email={a_encoded}&token={}", "f".repeat(token_a.len())),
            format!("email={a_encoded}&token={altered}"),
            // The token without any address.
            format!("token={token_a}"),
        ] {
            let answer = attacker
                .get(&format!("{BASE}/callback/email?{query}"))
                .await;
            assert_eq!(answer.status, StatusCode::FOUND, "{store}: {query}");
            assert_eq!(
                answer.location(),
                format!("{ORIGIN}{BASE}/error?error=Verification"),
                "{store}: {query}"
            );
            assert!(answer.set_cookie("next-auth.session-token").is_none());
        }
        assert_eq!(attacker.get(&format!("{BASE}/session")).await.body, "{}");

        // The real link still works once: the failed attempts did not use it up.
        let answer = victim.get(link_a.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(answer.location(), format!("{ORIGIN}/welcome"), "{store}");
        let session = victim.session(BASE).await;
        assert_eq!(session["user"]["email"], a.as_str(), "{store}");
    }
}
