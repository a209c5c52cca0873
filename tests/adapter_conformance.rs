//! One conformance suite for every `Adapter`: the in-memory store, SQLite in memory and in a
//! file, and PostgreSQL (at `DATABASE_URL_POSTGRES`, or the default in `auth_test_support`).
//! PostgreSQL must be running: these tests fail, saying how to start it, when it is not.

#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::adapter::{
    Adapter, AdapterAccount, AdapterAuthenticator, AdapterError, AdapterSession, AdapterUser,
    JwtSessionRecord, MemoryAdapter, NewUser, PostgresAdapter, SessionAndUser, SessionDetails,
    SqliteAdapter, VerificationToken, WebAuthnChallenge,
};
use time::{Duration, OffsetDateTime, UtcOffset};

use auth_test_support::schema::TestSchema;

/// An instant with milliseconds, as NextAuth's JavaScript `Date`s have.
fn at(unix_seconds: i64, millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix_seconds).expect("a valid timestamp")
        + Duration::milliseconds(millis)
}

fn account(user_id: &str, provider: &str, provider_account_id: &str) -> AdapterAccount {
    AdapterAccount {
        user_id: user_id.to_owned(),
        kind: "oauth".to_owned(),
        provider: provider.to_owned(),
        provider_account_id: provider_account_id.to_owned(),
        refresh_token: Some("refresh-secret".to_owned()),
        access_token: Some("access-secret".to_owned()),
        expires_at: Some(1_900_000_000),
        token_type: Some("bearer".to_owned()),
        scope: Some("openid email".to_owned()),
        id_token: Some("a.b.c".to_owned()),
        session_state: Some("state-1".to_owned()),
    }
}

/// A passkey of `user_id` whose provider account (Auth.js's pairing) is its credential id.
fn passkey(credential_id: &str, user_id: &str, created: OffsetDateTime) -> AdapterAuthenticator {
    AdapterAuthenticator {
        credential_id: credential_id.to_owned(),
        user_id: user_id.to_owned(),
        provider_account_id: credential_id.to_owned(),
        credential_public_key: "pQECAyYgASFYIBqU7sbwM0U5jQ6f7rqUXNd0u0kT+Q==".to_owned(),
        counter: 0,
        credential_device_type: "multiDevice".to_owned(),
        credential_backed_up: false,
        transports: Some("internal,hybrid".to_owned()),
        credential: format!(r#"{{"cred_id":"{credential_id}","counter":0}}"#),
        name: None,
        created,
        last_used: None,
    }
}

/// The passkey provider's account Auth.js links with a passkey.
fn webauthn_account(user_id: &str, provider: &str, provider_account_id: &str) -> AdapterAccount {
    AdapterAccount {
        user_id: user_id.to_owned(),
        kind: "webauthn".to_owned(),
        provider: provider.to_owned(),
        provider_account_id: provider_account_id.to_owned(),
        ..AdapterAccount::default()
    }
}

/// Everything an error says: its message, its sources' messages, and its `Debug`.
fn everything_said(error: &AdapterError) -> String {
    let mut said = format!("{error} {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        said.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    said
}

/// The suite. `name` says which adapter failed.
async fn conformance(name: &str, adapter: Arc<dyn Adapter>) {
    let users = users(name, adapter.as_ref()).await;
    accounts(name, adapter.as_ref(), &users).await;
    users_with_accounts(name, adapter.as_ref()).await;
    sessions(name, adapter.as_ref(), &users).await;
    verification_tokens(name, adapter.as_ref()).await;
    concurrent_use_of_one_verification_token(name, adapter.clone()).await;
    deleting_a_user_deletes_its_accounts_and_sessions(name, adapter.as_ref()).await;
    roles_and_session_details(name, adapter.as_ref()).await;
    jwt_session_records(name, adapter.as_ref()).await;
    account_token_refreshes(name, adapter.as_ref()).await;
    passkeys(name, adapter.as_ref()).await;
    deleting_a_user_deletes_its_passkeys(name, adapter.as_ref()).await;
    webauthn_challenges(name, adapter.as_ref()).await;
    concurrent_use_of_one_webauthn_challenge(name, adapter.clone()).await;
}

struct Users {
    alice: AdapterUser,
    bob: AdapterUser,
}

async fn users(name: &str, adapter: &dyn Adapter) -> Users {
    let alice = adapter
        .create_user(
            NewUser::default()
                .name("Alice")
                .email("alice@example.com")
                .image("https://example.com/alice.png"),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: create_user: {e}"));
    assert!(!alice.id.is_empty(), "{name}: a created user has an id");
    assert_eq!(alice.name.as_deref(), Some("Alice"), "{name}");
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"), "{name}");
    assert_eq!(alice.email_verified, None, "{name}");
    assert_eq!(
        alice.image.as_deref(),
        Some("https://example.com/alice.png"),
        "{name}"
    );

    let verified = at(1_800_000_000, 123);
    let bob = adapter
        .create_user(
            NewUser::default()
                .email("bob@example.com")
                .email_verified(verified),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: create_user: {e}"));
    assert_ne!(bob.id, alice.id, "{name}: ids are distinct");
    assert_eq!(bob.email_verified, Some(verified), "{name}");
    assert_eq!(bob.name, None, "{name}");

    assert_eq!(
        adapter.get_user(&alice.id).await.unwrap(),
        Some(alice.clone()),
        "{name}: get_user"
    );
    assert_eq!(
        adapter.get_user_by_email("bob@example.com").await.unwrap(),
        Some(bob.clone()),
        "{name}: get_user_by_email returns the stored email_verified"
    );
    assert_eq!(
        adapter.get_user_by_email("BOB@example.com").await.unwrap(),
        None,
        "{name}: emails are matched exactly (the runtime normalises them)"
    );
    for unknown in ["999999", "abc", "", "01", &format!("{}0", alice.id)] {
        assert_eq!(
            adapter.get_user(unknown).await.unwrap(),
            None,
            "{name}: get_user({unknown:?})"
        );
    }

    let duplicate = adapter
        .create_user(NewUser::default().email("alice@example.com"))
        .await;
    assert!(
        matches!(duplicate, Err(AdapterError::Conflict(_))),
        "{name}: a second user with alice's email: {duplicate:?}"
    );
    // Users without an email are not each other's duplicates.
    let first = adapter.create_user(NewUser::default().name("anon")).await;
    let second = adapter.create_user(NewUser::default().name("anon")).await;
    assert!(
        first.is_ok() && second.is_ok(),
        "{name}: {first:?} {second:?}"
    );

    // update_user writes every field, and returns the user as stored.
    let verified_at = at(1_800_000_500, 999);
    let changed = AdapterUser {
        name: Some("Alice A.".to_owned()),
        email_verified: Some(verified_at.to_offset(UtcOffset::from_hms(2, 0, 0).unwrap())),
        image: None,
        ..alice.clone()
    };
    let updated = adapter
        .update_user(changed.clone())
        .await
        .unwrap_or_else(|e| panic!("{name}: update_user: {e}"));
    assert_eq!(updated, changed, "{name}: update_user's answer");
    let stored = adapter.get_user(&alice.id).await.unwrap().unwrap();
    assert_eq!(stored, changed, "{name}: update_user is stored");
    assert_eq!(
        stored.email_verified,
        Some(verified_at),
        "{name}: the same instant"
    );
    let alice = stored;

    let taken = adapter
        .update_user(AdapterUser {
            email: Some("alice@example.com".to_owned()),
            ..bob.clone()
        })
        .await;
    assert!(
        matches!(taken, Err(AdapterError::Conflict(_))),
        "{name}: bob taking alice's email: {taken:?}"
    );
    for id in ["999999", "abc"] {
        let missing = adapter
            .update_user(AdapterUser {
                id: id.to_owned(),
                ..bob.clone()
            })
            .await;
        assert!(
            matches!(missing, Err(AdapterError::NotFound(_))),
            "{name}: update_user({id:?}): {missing:?}"
        );
    }
    assert_eq!(
        adapter.get_user(&bob.id).await.unwrap(),
        Some(bob.clone()),
        "{name}: a refused update changes nothing"
    );
    Users { alice, bob }
}

async fn accounts(name: &str, adapter: &dyn Adapter, users: &Users) {
    let Users { alice, bob } = users;
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-alice")
            .await
            .unwrap(),
        None,
        "{name}: nothing linked yet"
    );
    adapter
        .link_account(account(&alice.id, "github", "gh-alice"))
        .await
        .unwrap_or_else(|e| panic!("{name}: link_account: {e}"));
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-alice")
            .await
            .unwrap(),
        Some(alice.clone()),
        "{name}: get_user_by_account after link"
    );
    assert_eq!(
        adapter
            .get_user_by_account("gitlab", "gh-alice")
            .await
            .unwrap(),
        None,
        "{name}: the provider is part of the key"
    );
    // The same id at another provider is another account.
    adapter
        .link_account(account(&bob.id, "gitlab", "gh-alice"))
        .await
        .unwrap_or_else(|e| panic!("{name}: link_account: {e}"));
    assert_eq!(
        adapter
            .get_user_by_account("gitlab", "gh-alice")
            .await
            .unwrap(),
        Some(bob.clone()),
        "{name}"
    );

    for owner in [&bob.id, &alice.id] {
        let again = adapter
            .link_account(account(owner, "github", "gh-alice"))
            .await;
        assert!(
            matches!(again, Err(AdapterError::Conflict(_))),
            "{name}: (provider, provider_account_id) links to one user: {again:?}"
        );
    }
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-alice")
            .await
            .unwrap(),
        Some(alice.clone()),
        "{name}: a refused link changes nothing"
    );
    for user_id in ["999999", "abc"] {
        let orphan = adapter
            .link_account(account(user_id, "github", "gh-nobody"))
            .await;
        assert!(
            matches!(orphan, Err(AdapterError::NotFound(_))),
            "{name}: link_account to user {user_id:?}: {orphan:?}"
        );
    }
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-nobody")
            .await
            .unwrap(),
        None,
        "{name}"
    );

    assert!(
        adapter.unlink_account("github", "gh-alice").await.unwrap(),
        "{name}: unlink_account finds the link"
    );
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-alice")
            .await
            .unwrap(),
        None,
        "{name}: get_user_by_account after unlink"
    );
    assert!(
        !adapter.unlink_account("github", "gh-alice").await.unwrap(),
        "{name}: a second unlink finds nothing"
    );
    assert_eq!(
        adapter.get_user(&alice.id).await.unwrap().as_ref(),
        Some(alice),
        "{name}: unlinking keeps the user"
    );
    // Once unlinked, the provider account can be linked again, to anyone.
    adapter
        .link_account(account(&bob.id, "github", "gh-alice"))
        .await
        .unwrap_or_else(|e| panic!("{name}: link after unlink: {e}"));

    // `get_accounts`: every link of one user, whole, and nobody else's.
    let listed = adapter.get_accounts(&bob.id).await.unwrap();
    let mut keys: Vec<_> = listed
        .iter()
        .map(|a| (a.provider.as_str(), a.provider_account_id.as_str()))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [("github", "gh-alice"), ("gitlab", "gh-alice")],
        "{name}: get_accounts lists the user's links"
    );
    assert!(
        listed.contains(&account(&bob.id, "github", "gh-alice")),
        "{name}: get_accounts returns the stored row whole: {listed:?}"
    );
    assert_eq!(
        adapter.get_accounts(&alice.id).await.unwrap(),
        [],
        "{name}: another user's links are not listed"
    );
    for user_id in ["999999", "abc"] {
        assert_eq!(
            adapter.get_accounts(user_id).await.unwrap(),
            [],
            "{name}: get_accounts of user {user_id:?}"
        );
    }
    assert!(adapter.unlink_account("github", "gh-alice").await.unwrap());
}

/// `create_user_with_account`, the first OAuth sign-in's write: the user and its account
/// together, or neither (checked after each refused write, so nothing is left half-written).
async fn users_with_accounts(name: &str, adapter: &dyn Adapter) {
    let erin = adapter
        .create_user_with_account(
            NewUser::default().name("Erin").email("erin@example.com"),
            // The runtime cannot know the new user's id yet: the adapter fills it in.
            account("", "oidc", "erin-1"),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: create_user_with_account: {e}"));
    assert_eq!(erin.name.as_deref(), Some("Erin"), "{name}");
    assert_eq!(
        adapter.get_user_by_account("oidc", "erin-1").await.unwrap(),
        Some(erin.clone()),
        "{name}: the account belongs to the new user"
    );
    assert_eq!(
        adapter.get_user(&erin.id).await.unwrap(),
        Some(erin.clone()),
        "{name}"
    );

    // The account is taken: the write fails and the second user is not left behind.
    let taken_account = adapter
        .create_user_with_account(
            NewUser::default().email("erin.two@example.com"),
            account("", "oidc", "erin-1"),
        )
        .await;
    assert!(
        matches!(taken_account, Err(AdapterError::Conflict(_))),
        "{name}: a second user for a linked account: {taken_account:?}"
    );
    assert_eq!(
        adapter
            .get_user_by_email("erin.two@example.com")
            .await
            .unwrap(),
        None,
        "{name}: no user is left without its account"
    );
    assert_eq!(
        adapter.get_user_by_account("oidc", "erin-1").await.unwrap(),
        Some(erin.clone()),
        "{name}: the account still belongs to erin"
    );

    // The email is taken: no user, and the account is not linked to anyone.
    let taken_email = adapter
        .create_user_with_account(
            NewUser::default().email("erin@example.com"),
            account("", "oidc", "erin-2"),
        )
        .await;
    assert!(
        matches!(taken_email, Err(AdapterError::Conflict(_))),
        "{name}: a second user with erin's email: {taken_email:?}"
    );
    assert_eq!(
        adapter.get_user_by_account("oidc", "erin-2").await.unwrap(),
        None,
        "{name}: no account is linked for a user that was not created"
    );
    assert_eq!(
        adapter.get_user_by_email("erin@example.com").await.unwrap(),
        Some(erin),
        "{name}"
    );
}

async fn sessions(name: &str, adapter: &dyn Adapter, users: &Users) {
    let Users { alice, bob } = users;
    let token = "5f0c8a7e-6a55-4bd5-9a8e-0cbb2a5b1d11";
    let expires = at(1_900_000_000, 456);
    adapter
        .create_session(AdapterSession::new(token, &alice.id, expires))
        .await
        .unwrap_or_else(|e| panic!("{name}: create_session: {e}"));
    let found = adapter.get_session_and_user(token).await.unwrap();
    assert_eq!(
        found,
        Some(SessionAndUser {
            session: AdapterSession::new(token, &alice.id, expires),
            user: alice.clone(),
            roles: Vec::new(),
        }),
        "{name}: get_session_and_user returns the stored session and its user"
    );
    assert_eq!(
        adapter
            .get_session_and_user("5f0c8a7e-6a55-4bd5-9a8e-0cbb2a5b1d12")
            .await
            .unwrap(),
        None,
        "{name}: an unknown token"
    );

    // Expiry is the runtime's job: an expired session comes back as stored.
    let expired_token = "expired-session";
    let past = at(1_000_000_000, 1);
    adapter
        .create_session(AdapterSession::new(expired_token, &bob.id, past))
        .await
        .unwrap();
    let expired = adapter.get_session_and_user(expired_token).await.unwrap();
    assert_eq!(
        expired.map(|s| (s.session.expires, s.user)),
        Some((past, bob.clone())),
        "{name}: an expired session is returned with its stored expiry"
    );

    let later = at(1_900_086_400, 789);
    assert_eq!(
        adapter.update_session(token, later).await.unwrap(),
        Some(AdapterSession::new(token, &alice.id, later)),
        "{name}: update_session's answer"
    );
    assert_eq!(
        adapter
            .get_session_and_user(token)
            .await
            .unwrap()
            .map(|s| s.session.expires),
        Some(later),
        "{name}: update_session is stored"
    );
    assert_eq!(
        adapter
            .update_session("no-such-session", later)
            .await
            .unwrap(),
        None,
        "{name}: update_session of an unknown token"
    );

    let duplicate = adapter
        .create_session(AdapterSession::new(token, &bob.id, expires))
        .await;
    match &duplicate {
        Err(error @ AdapterError::Conflict(_)) => assert!(
            !everything_said(error).contains(token),
            "{name}: the error names the token: {}",
            everything_said(error)
        ),
        other => panic!("{name}: a second session with one token: {other:?}"),
    }
    assert_eq!(
        adapter
            .get_session_and_user(token)
            .await
            .unwrap()
            .map(|s| s.user),
        Some(alice.clone()),
        "{name}: a refused session changes nothing"
    );
    for user_id in ["999999", "abc"] {
        let orphan = adapter
            .create_session(AdapterSession::new("orphan-session", user_id, expires))
            .await;
        assert!(
            matches!(orphan, Err(AdapterError::NotFound(_))),
            "{name}: a session for user {user_id:?}: {orphan:?}"
        );
    }

    assert!(adapter.delete_session(token).await.unwrap(), "{name}");
    assert_eq!(
        adapter.get_session_and_user(token).await.unwrap(),
        None,
        "{name}: a deleted session is gone"
    );
    assert!(
        !adapter.delete_session(token).await.unwrap(),
        "{name}: a second delete finds nothing"
    );
    assert!(
        adapter
            .get_session_and_user(expired_token)
            .await
            .unwrap()
            .is_some(),
        "{name}: deleting one session keeps the others"
    );
    assert!(adapter.delete_session(expired_token).await.unwrap());

    // `delete_sessions`: every session of one user, and only theirs.
    for token in ["alice-1", "alice-2"] {
        adapter
            .create_session(AdapterSession::new(token, &alice.id, expires))
            .await
            .unwrap_or_else(|e| panic!("{name}: create_session: {e}"));
    }
    adapter
        .create_session(AdapterSession::new("bob-1", &bob.id, expires))
        .await
        .unwrap_or_else(|e| panic!("{name}: create_session: {e}"));
    assert_eq!(
        adapter.delete_sessions(&alice.id).await.unwrap(),
        2,
        "{name}: delete_sessions counts what it deleted"
    );
    for token in ["alice-1", "alice-2"] {
        assert_eq!(
            adapter.get_session_and_user(token).await.unwrap(),
            None,
            "{name}: {token} is gone"
        );
    }
    assert!(
        adapter
            .get_session_and_user("bob-1")
            .await
            .unwrap()
            .is_some(),
        "{name}: another user's session stays"
    );
    assert_eq!(
        adapter.delete_sessions(&alice.id).await.unwrap(),
        0,
        "{name}"
    );
    assert_eq!(adapter.delete_sessions("abc").await.unwrap(), 0, "{name}");
    assert!(adapter.delete_session("bob-1").await.unwrap());
}

async fn verification_tokens(name: &str, adapter: &dyn Adapter) {
    let expires = at(1_900_000_000, 42);
    let hash_a = "a3f1c9e2".repeat(8);
    let hash_b = "b7d2e4f6".repeat(8);
    adapter
        .create_verification_token(VerificationToken::new("a@x.io", &hash_a, expires))
        .await
        .unwrap_or_else(|e| panic!("{name}: create_verification_token: {e}"));
    adapter
        .create_verification_token(VerificationToken::new("b@x.io", &hash_b, expires))
        .await
        .unwrap();

    // GHSA-pg53-56cg-4m8q: a's token with b's address signs nobody in...
    assert_eq!(
        adapter
            .use_verification_token("b@x.io", &hash_a)
            .await
            .unwrap(),
        None,
        "{name}: a right token with the wrong identifier"
    );
    // ...and GHSA-4rxr-27mm-mxq9: nor does a right address with a random token.
    assert_eq!(
        adapter
            .use_verification_token("a@x.io", &"0".repeat(64))
            .await
            .unwrap(),
        None,
        "{name}: a right identifier with a wrong token"
    );

    let duplicate = adapter
        .create_verification_token(VerificationToken::new("a@x.io", &hash_a, expires))
        .await;
    match &duplicate {
        Err(error @ AdapterError::Conflict(_)) => assert!(
            !everything_said(error).contains(&hash_a),
            "{name}: the error names the token: {}",
            everything_said(error)
        ),
        other => panic!("{name}: the same verification token twice: {other:?}"),
    }

    assert_eq!(
        adapter
            .use_verification_token("a@x.io", &hash_a)
            .await
            .unwrap(),
        Some(VerificationToken::new("a@x.io", &hash_a, expires)),
        "{name}: the failed attempts left a's token in place, with its expiry"
    );
    assert_eq!(
        adapter
            .use_verification_token("a@x.io", &hash_a)
            .await
            .unwrap(),
        None,
        "{name}: a verification token is used once"
    );

    // An expired token is handed over (and deleted) all the same: the runtime refuses it.
    let past = at(1_000_000_000, 0);
    adapter
        .create_verification_token(VerificationToken::new("c@x.io", "expired-hash", past))
        .await
        .unwrap();
    assert_eq!(
        adapter
            .use_verification_token("c@x.io", "expired-hash")
            .await
            .unwrap()
            .map(|t| t.expires),
        Some(past),
        "{name}: an expired token comes back with its expiry"
    );
    assert_eq!(
        adapter
            .use_verification_token("b@x.io", &hash_b)
            .await
            .unwrap()
            .map(|t| t.identifier),
        Some("b@x.io".to_owned()),
        "{name}: b's token was untouched"
    );
}

async fn concurrent_use_of_one_verification_token(name: &str, adapter: Arc<dyn Adapter>) {
    let hash = "c0ffee00".repeat(8);
    for round in 0..5 {
        let identifier = format!("race-{round}@x.io");
        adapter
            .create_verification_token(VerificationToken::new(
                &identifier,
                &hash,
                at(1_900_000_000, 0),
            ))
            .await
            .unwrap();
        let barrier = Arc::new(tokio::sync::Barrier::new(16));
        let attempts: Vec<_> = (0..16)
            .map(|_| {
                let (adapter, barrier) = (adapter.clone(), barrier.clone());
                let (identifier, hash) = (identifier.clone(), hash.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    adapter.use_verification_token(&identifier, &hash).await
                })
            })
            .collect();
        let mut winners = 0;
        for attempt in attempts {
            match attempt.await.expect("the task ran") {
                Ok(Some(_)) => winners += 1,
                Ok(None) => {}
                Err(e) => panic!("{name}: use_verification_token under contention: {e}"),
            }
        }
        assert_eq!(
            winners, 1,
            "{name}: 16 concurrent uses of one token, round {round}"
        );
    }
}

/// Beyond NextAuth's contract: roles read back with the session, and the details the session
/// list shows, kept per session and dropped with it.
async fn roles_and_session_details(name: &str, adapter: &dyn Adapter) {
    let erin = adapter
        .create_user(NewUser::default().email("erin-roles@example.com"))
        .await
        .unwrap();
    let expires = at(1_900_000_000, 0);
    for token in ["erin-laptop", "erin-phone"] {
        adapter
            .create_session(AdapterSession::new(token, &erin.id, expires))
            .await
            .unwrap();
    }
    let roles = vec!["admin".to_owned(), "member".to_owned()];
    adapter.set_roles(&erin.id, &roles).await.unwrap();
    let found = adapter.get_session_and_user("erin-laptop").await.unwrap();
    assert_eq!(
        found.unwrap().roles,
        roles,
        "{name}: roles come with the session"
    );
    adapter.set_roles(&erin.id, &roles[1..]).await.unwrap();
    let found = adapter.get_session_and_user("erin-phone").await.unwrap();
    assert_eq!(
        found.unwrap().roles,
        ["member"],
        "{name}: roles are replaced"
    );
    assert!(
        matches!(
            adapter.set_roles("999999", &roles).await,
            Err(AdapterError::NotFound("user"))
        ),
        "{name}: no roles for a user that does not exist"
    );

    let details = SessionDetails {
        created: Some(at(1_700_000_000, 250)),
        last_seen: Some(at(1_700_000_100, 0)),
        user_agent: Some("Laptop Browser/1.0".to_owned()),
        address: Some("192.0.2.7".to_owned()),
    };
    adapter
        .save_session_details("erin-laptop", details.clone())
        .await
        .unwrap();
    // Details of a session that does not exist are not kept.
    adapter
        .save_session_details("no-such-session", details.clone())
        .await
        .unwrap();
    let listed = adapter.list_sessions(&erin.id).await.unwrap();
    assert_eq!(listed.len(), 2, "{name}: {listed:?}");
    let laptop = listed
        .iter()
        .find(|l| l.session.session_token == "erin-laptop")
        .unwrap();
    assert_eq!(
        laptop.details, details,
        "{name}: details read back as saved"
    );
    assert_eq!(laptop.session.expires, expires, "{name}");
    let phone = listed
        .iter()
        .find(|l| l.session.session_token == "erin-phone")
        .unwrap();
    assert_eq!(
        phone.details,
        SessionDetails::default(),
        "{name}: none known"
    );

    // Extending a session records when it was last seen.
    adapter
        .update_session("erin-laptop", at(1_900_000_500, 0))
        .await
        .unwrap();
    let listed = adapter.list_sessions(&erin.id).await.unwrap();
    let laptop = listed
        .iter()
        .find(|l| l.session.session_token == "erin-laptop")
        .unwrap();
    assert!(
        laptop.details.last_seen > details.last_seen,
        "{name}: last seen moves on: {laptop:?}"
    );

    adapter.delete_session("erin-laptop").await.unwrap();
    let listed = adapter.list_sessions(&erin.id).await.unwrap();
    assert_eq!(listed.len(), 1, "{name}: a deleted session is not listed");
    adapter.delete_sessions(&erin.id).await.unwrap();
    assert!(
        adapter.list_sessions(&erin.id).await.unwrap().is_empty(),
        "{name}"
    );
    assert!(adapter.delete_user(&erin.id).await.unwrap());
}

/// Beyond NextAuth's contract: JWT sessions recorded by `sid` for a user id that is the
/// token's `sub` (any string, no user row), touched while used, deleted to revoke.
/// What `Session::access_token` relies on under database sessions: new tokens are written
/// only over the refresh token they replace, and one caller at a time holds a refresh's claim.
async fn account_token_refreshes(name: &str, adapter: &dyn Adapter) {
    let owner = adapter
        .create_user(NewUser::default().email("refresh@example.com"))
        .await
        .unwrap();
    adapter
        .link_account(account(&owner.id, "idp", "refresh-1"))
        .await
        .unwrap();
    let mut fresh = account(&owner.id, "idp", "refresh-1");
    fresh.access_token = Some("access-2".to_owned());
    fresh.refresh_token = Some("refresh-2".to_owned());
    fresh.expires_at = Some(1_900_000_060);
    fresh.id_token = None;
    let stored = || async {
        let accounts = adapter.get_accounts(&owner.id).await.unwrap();
        let row = accounts
            .into_iter()
            .find(|a| a.provider_account_id == "refresh-1");
        row.unwrap()
    };
    // Compare-and-set: a stale refresh token writes nothing.
    let stale = adapter
        .update_account_tokens(fresh.clone(), Some("not-the-stored-one"))
        .await
        .unwrap();
    assert!(!stale, "{name}: a stale refresh token must not win");
    assert_eq!(
        stored().await.access_token.as_deref(),
        Some("access-secret"),
        "{name}"
    );
    let won = adapter
        .update_account_tokens(fresh.clone(), Some("refresh-secret"))
        .await
        .unwrap();
    assert!(won, "{name}: the current refresh token wins");
    let row = stored().await;
    assert_eq!(row.access_token.as_deref(), Some("access-2"), "{name}");
    assert_eq!(row.refresh_token.as_deref(), Some("refresh-2"), "{name}");
    assert_eq!(row.expires_at, Some(1_900_000_060), "{name}");
    assert_eq!(
        row.id_token.as_deref(),
        Some("a.b.c"),
        "{name}: no new ID token keeps the old"
    );
    let again = adapter
        .update_account_tokens(fresh.clone(), Some("refresh-secret"))
        .await
        .unwrap();
    assert!(!again, "{name}: a spent refresh token cannot write twice");
    // A sign-in's tokens replace whatever is stored.
    let mut signed_in = fresh.clone();
    signed_in.access_token = Some("access-3".to_owned());
    assert!(
        adapter
            .update_account_tokens(signed_in, None)
            .await
            .unwrap(),
        "{name}"
    );
    assert_eq!(
        stored().await.access_token.as_deref(),
        Some("access-3"),
        "{name}"
    );
    let mut unknown = fresh.clone();
    unknown.provider_account_id = "nobody".to_owned();
    assert!(
        !adapter.update_account_tokens(unknown, None).await.unwrap(),
        "{name}"
    );

    // Claims: one holder per refresh token until it lapses or is released.
    let later = OffsetDateTime::now_utc() + Duration::seconds(30);
    let claim = |hash: &'static str, until: OffsetDateTime| {
        adapter.claim_refresh("idp", "refresh-1", hash, until)
    };
    assert!(
        claim("hash-a", later).await.unwrap(),
        "{name}: the first claim"
    );
    assert!(
        !claim("hash-a", later).await.unwrap(),
        "{name}: a second claim waits"
    );
    assert!(
        claim("hash-b", later).await.unwrap(),
        "{name}: another refresh token's claim"
    );
    adapter.release_refresh("idp", "refresh-1").await.unwrap();
    assert!(
        claim("hash-b", later).await.unwrap(),
        "{name}: released, claimed again"
    );
    let lapsed = OffsetDateTime::now_utc() - Duration::seconds(1);
    assert!(claim("hash-c", lapsed).await.unwrap(), "{name}");
    assert!(
        claim("hash-c", later).await.unwrap(),
        "{name}: a lapsed claim is taken over"
    );
    assert!(
        adapter
            .claim_refresh("idp", "refresh-2", "hash-c", later)
            .await
            .unwrap(),
        "{name}: claims are per provider account"
    );
}

async fn jwt_session_records(name: &str, adapter: &dyn Adapter) {
    let record = |sid: &str, user_id: &str| JwtSessionRecord {
        sid: sid.to_owned(),
        user_id: user_id.to_owned(),
        expires: at(1_900_000_000, 0),
        details: SessionDetails {
            created: Some(at(1_700_000_000, 0)),
            last_seen: Some(at(1_700_000_000, 0)),
            user_agent: Some("Browser/1.0".to_owned()),
            address: None,
        },
    };
    for (sid, user) in [("sid-a", "ann@idp"), ("sid-b", "ann@idp"), ("sid-c", "bo")] {
        adapter.create_jwt_session(record(sid, user)).await.unwrap();
    }
    assert!(
        matches!(
            adapter.create_jwt_session(record("sid-a", "bo")).await,
            Err(AdapterError::Conflict(_))
        ),
        "{name}: a sid is recorded once"
    );
    let listed = adapter.list_jwt_sessions("ann@idp").await.unwrap();
    assert_eq!(
        listed,
        [record("sid-a", "ann@idp"), record("sid-b", "ann@idp")],
        "{name}"
    );

    let (seen, expires) = (at(1_800_000_000, 0), at(1_950_000_000, 0));
    assert!(
        adapter
            .touch_jwt_session("sid-a", seen, expires)
            .await
            .unwrap()
    );
    assert!(
        !adapter
            .touch_jwt_session("sid-x", seen, expires)
            .await
            .unwrap()
    );
    let touched = &adapter.list_jwt_sessions("ann@idp").await.unwrap()[0];
    assert_eq!(
        (touched.details.last_seen, touched.expires),
        (Some(seen), expires)
    );

    // Revoking names the user: another user's sid is not theirs to end.
    assert_eq!(
        adapter
            .delete_jwt_sessions("bo", Some("sid-a"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        adapter
            .delete_jwt_sessions("ann@idp", Some("sid-a"))
            .await
            .unwrap(),
        1
    );
    assert!(
        !adapter
            .touch_jwt_session("sid-a", seen, expires)
            .await
            .unwrap(),
        "{name}"
    );
    assert_eq!(
        adapter.delete_jwt_sessions("ann@idp", None).await.unwrap(),
        1
    );
    assert!(
        adapter
            .list_jwt_sessions("ann@idp")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        adapter.list_jwt_sessions("bo").await.unwrap().len(),
        1,
        "{name}"
    );
    adapter.delete_jwt_sessions("bo", None).await.unwrap();
}

async fn deleting_a_user_deletes_its_accounts_and_sessions(name: &str, adapter: &dyn Adapter) {
    let carol = adapter
        .create_user(NewUser::default().email("carol@example.com"))
        .await
        .unwrap();
    let dave = adapter
        .create_user(NewUser::default().email("dave@example.com"))
        .await
        .unwrap();
    let expires = at(1_900_000_000, 0);
    for (user, provider_account_id, token) in [
        (&carol, "gh-carol", "carol-session"),
        (&dave, "gh-dave", "dave-session"),
    ] {
        adapter
            .link_account(account(&user.id, "github", provider_account_id))
            .await
            .unwrap();
        adapter
            .create_session(AdapterSession::new(token, &user.id, expires))
            .await
            .unwrap();
    }

    assert!(
        adapter.delete_user(&carol.id).await.unwrap(),
        "{name}: delete_user"
    );
    assert_eq!(adapter.get_user(&carol.id).await.unwrap(), None, "{name}");
    assert_eq!(
        adapter
            .get_user_by_email("carol@example.com")
            .await
            .unwrap(),
        None,
        "{name}"
    );
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-carol")
            .await
            .unwrap(),
        None,
        "{name}: the user's accounts are deleted"
    );
    assert_eq!(
        adapter.get_session_and_user("carol-session").await.unwrap(),
        None,
        "{name}: the user's sessions are deleted"
    );
    // The accounts are really gone, not just unreachable: the provider account links afresh.
    adapter
        .link_account(account(&dave.id, "github", "gh-carol"))
        .await
        .unwrap_or_else(|e| panic!("{name}: the deleted user's account is still linked: {e}"));
    assert!(
        !adapter.delete_user(&carol.id).await.unwrap(),
        "{name}: a second delete finds nothing"
    );
    assert!(!adapter.delete_user("abc").await.unwrap(), "{name}");

    // Others are untouched.
    assert_eq!(
        adapter
            .get_session_and_user("dave-session")
            .await
            .unwrap()
            .map(|s| s.user),
        Some(dave.clone()),
        "{name}: another user's session survives"
    );
    assert_eq!(
        adapter
            .get_user_by_account("github", "gh-dave")
            .await
            .unwrap(),
        Some(dave.clone()),
        "{name}"
    );

    // A deleted user's id is never given again: a session or token naming it finds nobody.
    let erin = adapter
        .create_user(NewUser::default().email("carol@example.com"))
        .await
        .unwrap_or_else(|e| panic!("{name}: the deleted user's email is free again: {e}"));
    assert_ne!(erin.id, carol.id, "{name}: a user id is never reused");
}

/// Beyond NextAuth v4's contract: passkeys, shaped like Auth.js's `Authenticator` model.
async fn passkeys(name: &str, adapter: &dyn Adapter) {
    let ann = adapter
        .create_user(NewUser::default().email("pk-ann@example.com"))
        .await
        .unwrap();
    let ben = adapter
        .create_user(NewUser::default().email("pk-ben@example.com"))
        .await
        .unwrap();

    // Registered out of order, and within one second (SQLite keeps RFC 3339 text, whose
    // fraction has no fixed width: "…:20Z" sorts after "…:20.5Z" as text).
    let newest = passkey("pk-new", &ann.id, at(1_700_000_100, 0));
    let oldest = passkey("pk-old", &ann.id, at(1_700_000_000, 0));
    let middle = AdapterAuthenticator {
        name: Some("Laptop".to_owned()),
        transports: None,
        credential_backed_up: true,
        credential_device_type: "singleDevice".to_owned(),
        counter: 7,
        last_used: Some(at(1_700_000_050, 999)),
        ..passkey("pk-mid", &ann.id, at(1_700_000_000, 500))
    };
    for created in [&newest, &oldest, &middle] {
        adapter
            .create_authenticator(created.clone())
            .await
            .unwrap_or_else(|e| panic!("{name}: create_authenticator: {e}"));
    }
    let bens = passkey("pk-ben", &ben.id, at(1_700_000_000, 0));
    adapter.create_authenticator(bens.clone()).await.unwrap();

    assert_eq!(
        adapter.get_authenticator("pk-mid").await.unwrap(),
        Some(middle.clone()),
        "{name}: every field reads back as stored"
    );
    assert_eq!(
        adapter.get_authenticator("pk-none").await.unwrap(),
        None,
        "{name}"
    );
    assert_eq!(
        adapter.list_authenticators(&ann.id).await.unwrap(),
        [oldest.clone(), middle.clone(), newest.clone()],
        "{name}: a user's passkeys, oldest first"
    );
    assert_eq!(
        adapter.list_authenticators(&ben.id).await.unwrap(),
        std::slice::from_ref(&bens),
        "{name}"
    );
    for nobody in ["999999", "abc"] {
        assert!(
            adapter
                .list_authenticators(nobody)
                .await
                .unwrap()
                .is_empty(),
            "{name}: list_authenticators({nobody:?})"
        );
    }

    // A credential id is stored once, whoever registers it again.
    for owner in [&ann.id, &ben.id] {
        let duplicate = adapter
            .create_authenticator(passkey("pk-old", owner, at(1_700_000_200, 0)))
            .await;
        assert!(
            matches!(duplicate, Err(AdapterError::Conflict(_))),
            "{name}: the same credential id again: {duplicate:?}"
        );
    }
    assert_eq!(
        adapter.get_authenticator("pk-old").await.unwrap(),
        Some(oldest.clone()),
        "{name}: a refused duplicate changes nothing"
    );
    for nobody in ["999999", "abc"] {
        let orphan = adapter
            .create_authenticator(passkey("pk-orphan", nobody, at(1_700_000_000, 0)))
            .await;
        assert!(
            matches!(orphan, Err(AdapterError::NotFound(_))),
            "{name}: a passkey of user {nobody:?}: {orphan:?}"
        );
    }
    assert_eq!(
        adapter.get_authenticator("pk-orphan").await.unwrap(),
        None,
        "{name}"
    );

    // A sign-in: counter, backed-up flag, verifier state and last use are written...
    let used = |counter: u32, seconds: i64| AdapterAuthenticator {
        counter,
        credential_backed_up: true,
        credential: format!(r#"{{"counter":{counter}}}"#),
        last_used: Some(at(1_800_000_000 + seconds, 250)),
        ..oldest.clone()
    };
    assert!(
        adapter.update_authenticator_use(used(0, 0)).await.unwrap(),
        "{name}: a counter of 0 (an authenticator without one) stays 0"
    );
    assert_eq!(
        adapter.get_authenticator("pk-old").await.unwrap(),
        Some(used(0, 0)),
        "{name}"
    );
    assert!(
        adapter.update_authenticator_use(used(5, 1)).await.unwrap(),
        "{name}"
    );
    assert!(
        adapter.update_authenticator_use(used(5, 2)).await.unwrap(),
        "{name}: an equal counter is not behind"
    );
    // ...but the counter never goes back (a replayed or cloned assertion).
    assert!(
        !adapter.update_authenticator_use(used(4, 3)).await.unwrap(),
        "{name}: a counter behind the stored one"
    );
    assert_eq!(
        adapter.get_authenticator("pk-old").await.unwrap(),
        Some(used(5, 2)),
        "{name}: a refused use writes nothing"
    );
    assert!(
        !adapter.update_authenticator_use(used(0, 4)).await.unwrap(),
        "{name}: back to 0"
    );
    let unknown = AdapterAuthenticator {
        credential_id: "pk-none".to_owned(),
        ..used(9, 5)
    };
    assert!(
        !adapter.update_authenticator_use(unknown).await.unwrap(),
        "{name}"
    );
    // Only the use's fields are written: the name, key and registration stay.
    let middle_used = AdapterAuthenticator {
        counter: 8,
        credential: "{}".to_owned(),
        last_used: Some(at(1_800_000_010, 0)),
        credential_backed_up: false,
        // What the use cannot change.
        name: None,
        credential_public_key: "changed".to_owned(),
        created: at(1_600_000_000, 0),
        ..middle.clone()
    };
    assert!(adapter.update_authenticator_use(middle_used).await.unwrap());
    let stored = adapter.get_authenticator("pk-mid").await.unwrap().unwrap();
    assert_eq!(
        (
            stored.counter,
            stored.credential_backed_up,
            stored.credential.as_str(),
            stored.last_used
        ),
        (8, false, "{}", Some(at(1_800_000_010, 0))),
        "{name}"
    );
    assert_eq!(
        (
            stored.name.as_deref(),
            stored.credential_public_key.as_str(),
            stored.created
        ),
        (
            Some("Laptop"),
            middle.credential_public_key.as_str(),
            middle.created
        ),
        "{name}: a use writes only the use's fields"
    );

    // Renaming and deleting name the user: another user's passkey is not theirs.
    assert!(
        !adapter
            .rename_authenticator(&ben.id, "pk-old", "Stolen")
            .await
            .unwrap(),
        "{name}: renaming another user's passkey"
    );
    assert!(
        adapter
            .rename_authenticator(&ann.id, "pk-old", "Phone")
            .await
            .unwrap(),
        "{name}"
    );
    assert!(
        !adapter
            .rename_authenticator(&ann.id, "pk-none", "Phone")
            .await
            .unwrap(),
        "{name}"
    );
    assert!(
        !adapter
            .rename_authenticator("abc", "pk-old", "Phone")
            .await
            .unwrap(),
        "{name}"
    );
    assert_eq!(
        adapter
            .get_authenticator("pk-old")
            .await
            .unwrap()
            .and_then(|p| p.name),
        Some("Phone".to_owned()),
        "{name}"
    );

    // Deleting a passkey deletes the passkey provider's account Auth.js pairs with it, and
    // no other: not another passkey's, not another type's with the same id, not another
    // user's.
    for linked in [
        webauthn_account(&ann.id, "passkey", "pk-old"),
        webauthn_account(&ann.id, "passkey", "pk-new"),
        account(&ann.id, "github", "pk-old"),
        webauthn_account(&ben.id, "other-passkeys", "pk-old"),
    ] {
        adapter.link_account(linked).await.unwrap();
    }
    assert!(
        !adapter
            .delete_authenticator(&ben.id, "pk-old")
            .await
            .unwrap(),
        "{name}: deleting another user's passkey"
    );
    assert_eq!(
        adapter
            .get_authenticator("pk-old")
            .await
            .unwrap()
            .map(|p| p.user_id),
        Some(ann.id.clone()),
        "{name}: another user's delete leaves it"
    );
    assert_eq!(
        adapter
            .get_user_by_account("passkey", "pk-old")
            .await
            .unwrap(),
        Some(ann.clone()),
        "{name}: and its account"
    );
    assert!(
        adapter
            .delete_authenticator(&ann.id, "pk-old")
            .await
            .unwrap(),
        "{name}: delete_authenticator"
    );
    assert_eq!(
        adapter.get_authenticator("pk-old").await.unwrap(),
        None,
        "{name}"
    );
    assert_eq!(
        adapter
            .get_user_by_account("passkey", "pk-old")
            .await
            .unwrap(),
        None,
        "{name}: the paired webauthn account is deleted"
    );
    let mut left: Vec<(String, String)> = adapter
        .get_accounts(&ann.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.provider, a.provider_account_id))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ("github".to_owned(), "pk-old".to_owned()),
            ("passkey".to_owned(), "pk-new".to_owned())
        ],
        "{name}: the user's other accounts stay"
    );
    assert_eq!(
        adapter
            .get_user_by_account("other-passkeys", "pk-old")
            .await
            .unwrap(),
        Some(ben.clone()),
        "{name}: another user's account with the same id stays"
    );
    assert!(
        !adapter
            .delete_authenticator(&ann.id, "pk-old")
            .await
            .unwrap(),
        "{name}: a second delete finds nothing"
    );
    assert!(
        !adapter.delete_authenticator("abc", "pk-new").await.unwrap(),
        "{name}"
    );
    assert_eq!(
        adapter
            .list_authenticators(&ann.id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.credential_id.as_str())
            .collect::<Vec<_>>(),
        ["pk-mid", "pk-new"],
        "{name}"
    );

    for user in [&ann, &ben] {
        assert!(adapter.delete_user(&user.id).await.unwrap(), "{name}");
    }
}

async fn deleting_a_user_deletes_its_passkeys(name: &str, adapter: &dyn Adapter) {
    let fay = adapter
        .create_user(NewUser::default().email("pk-fay@example.com"))
        .await
        .unwrap();
    let gus = adapter
        .create_user(NewUser::default().email("pk-gus@example.com"))
        .await
        .unwrap();
    for (user, credential_id) in [(&fay, "pk-fay-1"), (&fay, "pk-fay-2"), (&gus, "pk-gus")] {
        adapter
            .create_authenticator(passkey(credential_id, &user.id, at(1_700_000_000, 0)))
            .await
            .unwrap();
        adapter
            .link_account(webauthn_account(&user.id, "passkey", credential_id))
            .await
            .unwrap();
    }
    assert!(adapter.delete_user(&fay.id).await.unwrap(), "{name}");
    for credential_id in ["pk-fay-1", "pk-fay-2"] {
        assert_eq!(
            adapter.get_authenticator(credential_id).await.unwrap(),
            None,
            "{name}: the deleted user's passkey {credential_id}"
        );
    }
    assert!(
        adapter
            .list_authenticators(&fay.id)
            .await
            .unwrap()
            .is_empty(),
        "{name}"
    );
    // Really gone: the credential id can be registered again.
    adapter
        .create_authenticator(passkey("pk-fay-1", &gus.id, at(1_700_000_000, 0)))
        .await
        .unwrap_or_else(|e| panic!("{name}: the deleted user's passkey is still stored: {e}"));
    assert_eq!(
        adapter.list_authenticators(&gus.id).await.unwrap().len(),
        2,
        "{name}: another user's passkeys stay"
    );
    assert!(adapter.delete_user(&gus.id).await.unwrap(), "{name}");
}

/// Beyond NextAuth's contract: a WebAuthn ceremony's state, used once, not after it expires.
async fn webauthn_challenges(name: &str, adapter: &dyn Adapter) {
    // Whole seconds: PostgreSQL keeps microseconds.
    let expires = at(OffsetDateTime::now_utc().unix_timestamp() + 300, 0);
    let challenge = |id: &str| WebAuthnChallenge {
        id: id.to_owned(),
        state: format!(r#"{{"ceremony":"{id}","challenge":"c2VjcmV0"}}"#),
        expires,
    };
    let now = OffsetDateTime::now_utc();
    adapter
        .create_webauthn_challenge(challenge("wa-1"))
        .await
        .unwrap_or_else(|e| panic!("{name}: create_webauthn_challenge: {e}"));
    let duplicate = adapter.create_webauthn_challenge(challenge("wa-1")).await;
    assert!(
        matches!(duplicate, Err(AdapterError::Conflict(_))),
        "{name}: a challenge id is stored once: {duplicate:?}"
    );
    // Another ceremony starting leaves one in progress alone.
    adapter
        .create_webauthn_challenge(challenge("wa-2"))
        .await
        .unwrap();
    assert_eq!(
        adapter
            .use_webauthn_challenge("wa-none", now)
            .await
            .unwrap(),
        None,
        "{name}"
    );
    assert_eq!(
        adapter.use_webauthn_challenge("wa-1", now).await.unwrap(),
        Some(challenge("wa-1")),
        "{name}: the state reads back as stored"
    );
    assert_eq!(
        adapter.use_webauthn_challenge("wa-1", now).await.unwrap(),
        None,
        "{name}: a challenge is used once"
    );

    // Expired by `now` (at its expiry, or after): not returned, and deleted.
    assert_eq!(
        adapter
            .use_webauthn_challenge("wa-2", expires)
            .await
            .unwrap(),
        None,
        "{name}: expired at `expires`"
    );
    assert_eq!(
        adapter.use_webauthn_challenge("wa-2", now).await.unwrap(),
        None,
        "{name}: an expired challenge is deleted"
    );
    adapter
        .create_webauthn_challenge(challenge("wa-3"))
        .await
        .unwrap();
    assert!(
        adapter
            .use_webauthn_challenge("wa-3", expires - Duration::milliseconds(1))
            .await
            .unwrap()
            .is_some(),
        "{name}: usable until its expiry"
    );
}

async fn concurrent_use_of_one_webauthn_challenge(name: &str, adapter: Arc<dyn Adapter>) {
    for round in 0..5 {
        let id = format!("wa-race-{round}");
        adapter
            .create_webauthn_challenge(WebAuthnChallenge {
                id: id.clone(),
                state: "{}".to_owned(),
                expires: OffsetDateTime::now_utc() + Duration::minutes(5),
            })
            .await
            .unwrap();
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let attempts: Vec<_> = (0..8)
            .map(|_| {
                let (adapter, barrier, id) = (adapter.clone(), barrier.clone(), id.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    adapter
                        .use_webauthn_challenge(&id, OffsetDateTime::now_utc())
                        .await
                })
            })
            .collect();
        let mut winners = 0;
        for attempt in attempts {
            match attempt.await.expect("the task ran") {
                Ok(Some(_)) => winners += 1,
                Ok(None) => {}
                Err(e) => panic!("{name}: use_webauthn_challenge under contention: {e}"),
            }
        }
        assert_eq!(
            winners, 1,
            "{name}: 8 concurrent uses of one challenge, round {round}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_adapter_conforms() {
    conformance("memory", Arc::new(MemoryAdapter::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_in_memory_adapter_conforms() {
    let adapter = SqliteAdapter::connect("sqlite::memory:").await.unwrap();
    conformance("sqlite::memory:", Arc::new(adapter)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_in_memory_sqlite_adapters_do_not_share_data() {
    let first = SqliteAdapter::connect("sqlite::memory:").await.unwrap();
    let second = SqliteAdapter::connect("sqlite::memory:").await.unwrap();
    first
        .create_user(NewUser::default().email("only-here@example.com"))
        .await
        .unwrap();
    assert_eq!(
        second
            .get_user_by_email("only-here@example.com")
            .await
            .unwrap(),
        None
    );
}

/// A database file in the system's temporary directory, removed (with its WAL files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let path = std::env::temp_dir().join(format!(
            "auth-runtime-{name}-{}-{}.db",
            std::process::id(),
            OffsetDateTime::now_utc().unix_timestamp_nanos()
        ));
        TempDb(path)
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_adapter_conforms() {
    let db = TempDb::new("conformance");
    let adapter = SqliteAdapter::connect(&db.url()).await.unwrap();
    conformance("sqlite file", Arc::new(adapter)).await;
}

/// Sessions of a file database are read on connections of their own, not the pool's: many
/// reads at once, on several threads, while sessions are deleted and extended through the
/// pool, each see the latest committed state the moment the write has returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_session_reads_at_once_see_each_write_that_returned() {
    let db = TempDb::new("readers");
    let adapter = Arc::new(SqliteAdapter::connect(&db.url()).await.unwrap());
    let user = adapter
        .create_user(NewUser::default().email("many@example.com"))
        .await
        .unwrap();
    let expires = at(1_900_000_000, 0);
    let tokens: Vec<String> = (0..16).map(|i| format!("reader-session-{i}")).collect();
    for token in &tokens {
        adapter
            .create_session(AdapterSession::new(token, &user.id, expires))
            .await
            .unwrap();
    }

    // Readers hammer every session while, one by one, odd sessions are deleted and even ones
    // extended; after each write, a read on every reader connection must show it.
    let readers: Vec<_> = (0..32)
        .map(|i| {
            let adapter = Arc::clone(&adapter);
            let tokens = tokens.clone();
            tokio::spawn(async move {
                for round in 0..50 {
                    let token = &tokens[(i + round) % tokens.len()];
                    adapter.get_session_and_user(token).await.unwrap();
                }
            })
        })
        .collect();
    let later = at(1_950_000_000, 0);
    for (i, token) in tokens.iter().enumerate() {
        if i % 2 == 1 {
            assert!(adapter.delete_session(token).await.unwrap());
        } else {
            adapter.update_session(token, later).await.unwrap();
        }
        // More reads than there are reader connections: every one of them answers.
        for _ in 0..16 {
            let read = adapter.get_session_and_user(token).await.unwrap();
            let expected = (i % 2 == 0).then_some(later);
            assert_eq!(
                read.map(|found| found.session.expires),
                expected,
                "session {i} right after its write"
            );
        }
    }
    for reader in readers {
        reader.await.unwrap();
    }
}

/// Many more session reads at once than the adapter has reader connections, so that reads
/// wait and are answered several to a query (`auth-runtime/src/adapter/readers.rs`): each gets
/// its own session, user and roles, or none for a token that has no session. Tokens hold the
/// characters a query's encoding could get wrong (quotes, a backslash, a comma, non-ASCII).
async fn many_reads_at_once_each_get_their_own(name: &str, adapter: Arc<dyn Adapter>) {
    let expires = at(1_900_000_000, 0);
    let mut expected = Vec::new();
    for i in 0..24 {
        let user = adapter
            .create_user(NewUser::default().email(format!("batch-{i}@example.com")))
            .await
            .unwrap();
        let roles = if i % 3 == 0 {
            vec![format!("role-{i}")]
        } else {
            Vec::new()
        };
        adapter.set_roles(&user.id, &roles).await.unwrap();
        let token = format!("batch \"quoted\" back\\slash, é {i}");
        adapter
            .create_session(AdapterSession::new(&token, &user.id, expires))
            .await
            .unwrap();
        let session = AdapterSession::new(&token, &user.id, expires);
        expected.push((
            token,
            Some(SessionAndUser {
                session,
                user,
                roles,
            }),
        ));
        expected.push((format!("batch-missing-{i}"), None));
    }
    let expected = Arc::new(expected);
    let reads: Vec<_> = (0..128)
        .map(|task| {
            let adapter = Arc::clone(&adapter);
            let expected = Arc::clone(&expected);
            tokio::spawn(async move {
                for round in 0..8 {
                    let (token, session) = &expected[(task * 7 + round) % expected.len()];
                    let found = adapter.get_session_and_user(token).await.unwrap();
                    assert_eq!(&found, session, "the answer to {token:?}");
                }
            })
        })
        .collect();
    for read in reads {
        read.await
            .unwrap_or_else(|e| panic!("{name}: a read at once: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_reads_at_once_each_get_their_own_session() {
    let db = TempDb::new("batches");
    let adapter = SqliteAdapter::connect(&db.url()).await.unwrap();
    many_reads_at_once_each_get_their_own("sqlite file", Arc::new(adapter)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_reads_at_once_each_get_their_own_session() {
    let schema = TestSchema::create("batches").await;
    let adapter = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();
    many_reads_at_once_each_get_their_own("postgres", Arc::new(adapter.clone())).await;
    adapter.pool().close().await;
    schema.drop().await;
}

#[tokio::test]
async fn sqlite_file_is_in_wal_mode_with_foreign_keys_and_keeps_its_data_across_restarts() {
    let db = TempDb::new("restart");
    let adapter = SqliteAdapter::connect(&db.url()).await.unwrap();
    let user = adapter
        .create_user(NewUser::default().email("kept@example.com"))
        .await
        .unwrap();
    let pool = adapter.pool();
    let journal: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let foreign_keys: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap();
    assert_eq!(foreign_keys, 1);
    // The crate's migrations are recorded apart from the application's own sqlx migrations.
    let tables: Vec<String> =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
    assert!(
        tables.contains(&"_auth_runtime_migrations".to_owned()),
        "{tables:?}"
    );
    assert!(
        !tables.contains(&"_sqlx_migrations".to_owned()),
        "{tables:?}"
    );
    pool.close().await;

    // Start again on the same file: the migrations are not applied twice, the data is there.
    let reopened = SqliteAdapter::connect(&db.url()).await.unwrap();
    assert_eq!(
        reopened
            .get_user_by_email("kept@example.com")
            .await
            .unwrap(),
        Some(user)
    );
    reopened.pool().close().await;
}

#[tokio::test]
async fn sqlite_adapter_refuses_a_missing_file_without_mode_rwc() {
    let db = TempDb::new("missing");
    let url = format!("sqlite://{}", db.0.display());
    let result = SqliteAdapter::connect(&url).await;
    assert!(
        matches!(result, Err(AdapterError::Store { .. })),
        "{result:?}"
    );
    assert!(!db.0.exists());
}

/// A database file made by an earlier release (migrations 0001 to 0004, recorded in
/// `_auth_runtime_migrations` as that release recorded them) opens: its data is kept and it
/// gains the tables of the later migrations.
#[tokio::test]
async fn sqlite_file_from_an_earlier_release_gains_the_new_tables() {
    use sqlx::SqlSafeStr as _;
    use sqlx::migrate::{Migration, MigrationType, Migrator};

    const EARLIER: [(i64, &str, &str); 4] = [
        (
            1,
            "nextauth schema",
            include_str!("../auth-runtime/migrations/sqlite/0001_nextauth_schema.sql"),
        ),
        (
            2,
            "roles and session details",
            include_str!("../auth-runtime/migrations/sqlite/0002_roles_and_session_details.sql"),
        ),
        (
            3,
            "jwt sessions",
            include_str!("../auth-runtime/migrations/sqlite/0003_jwt_sessions.sql"),
        ),
        (
            4,
            "refresh claims",
            include_str!("../auth-runtime/migrations/sqlite/0004_refresh_claims.sql"),
        ),
    ];
    let db = TempDb::new("earlier-release");
    let pool = sqlx::SqlitePool::connect(&db.url()).await.unwrap();
    let migrations = EARLIER
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut earlier = Migrator::with_migrations(migrations);
    earlier.dangerous_set_table_name("_auth_runtime_migrations");
    earlier.run(&pool).await.unwrap();
    sqlx::raw_sql(
        r#"INSERT INTO users (email) VALUES ('earlier@example.com');
INSERT INTO sessions ("userId", expires, "sessionToken") VALUES (1, '2030-01-01T00:00:00Z', 'earlier-session');"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    let tables = |pool: sqlx::SqlitePool| async move {
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect::<Vec<_>>()
    };
    assert!(
        !tables(pool.clone())
            .await
            .contains(&"authenticators".to_owned())
    );
    pool.close().await;

    let adapter = SqliteAdapter::connect(&db.url()).await.unwrap();
    let found = adapter
        .get_session_and_user("earlier-session")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.email.as_deref(), Some("earlier@example.com"));
    let tables = tables(adapter.pool().clone()).await;
    for table in ["authenticators", "auth_webauthn_challenges"] {
        assert!(tables.contains(&table.to_owned()), "{table}: {tables:?}");
    }
    let versions: Vec<i64> =
        sqlx::query("SELECT version FROM _auth_runtime_migrations ORDER BY version")
            .fetch_all(adapter.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
    assert_eq!(versions, [1, 2, 3, 4, 5]);
    let registered = passkey("pk-earlier", &found.user.id, at(1_700_000_000, 0));
    adapter
        .create_authenticator(registered.clone())
        .await
        .unwrap();
    assert_eq!(
        adapter.list_authenticators(&found.user.id).await.unwrap(),
        [registered]
    );
    adapter.pool().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_adapter_conforms() {
    let schema = TestSchema::create("conformance").await;
    let adapter = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();
    conformance("postgres", Arc::new(adapter.clone())).await;
    adapter.pool().close().await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_adapter_starts_twice_on_one_schema_and_concurrently() {
    let schema = TestSchema::create("startup").await;
    let starts: Vec<_> = (0..4)
        .map(|_| tokio::spawn(PostgresAdapter::connect_with(schema.options.clone())))
        .collect();
    for start in starts {
        let adapter = start.await.expect("the task ran").unwrap_or_else(|e| {
            panic!(
                "concurrent start-up creating the tables: {}",
                everything_said(&e)
            )
        });
        adapter.pool().close().await;
    }
    let again = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();
    let user = again
        .create_user(NewUser::default().email("x@example.com"))
        .await
        .unwrap();
    assert_eq!(again.get_user(&user.id).await.unwrap(), Some(user));
    again.pool().close().await;
    schema.drop().await;
}

/// @auth/pg-adapter's documentation page gives the tables without foreign keys and without
/// the unique keys; an app may have created them so.
const DOCS_PAGE_SCHEMA: &str = r#"
CREATE TABLE verification_token (identifier TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL, token TEXT NOT NULL, PRIMARY KEY (identifier, token));
CREATE TABLE accounts (id SERIAL, "userId" INTEGER NOT NULL, type VARCHAR(255) NOT NULL, provider VARCHAR(255) NOT NULL, "providerAccountId" VARCHAR(255) NOT NULL, refresh_token TEXT, access_token TEXT, expires_at BIGINT, id_token TEXT, scope TEXT, session_state TEXT, token_type TEXT, PRIMARY KEY (id));
CREATE TABLE sessions (id SERIAL, "userId" INTEGER NOT NULL, expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL, PRIMARY KEY (id));
CREATE TABLE users (id SERIAL, name VARCHAR(255), email VARCHAR(255), "emailVerified" TIMESTAMPTZ, image TEXT, PRIMARY KEY (id));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_adapter_works_on_tables_without_foreign_or_unique_keys() {
    let schema = TestSchema::create("docs_schema").await;
    let set_path = format!("SET search_path TO {}; {DOCS_PAGE_SCHEMA}", schema.name);
    sqlx::raw_sql(sqlx::AssertSqlSafe(set_path))
        .execute(schema.admin())
        .await
        .unwrap();
    let adapter = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();

    let user = adapter
        .create_user(NewUser::default().email("docs@example.com"))
        .await
        .unwrap();
    adapter
        .link_account(account(&user.id, "github", "gh-docs"))
        .await
        .unwrap();
    adapter
        .create_session(AdapterSession::new(
            "docs-session",
            &user.id,
            at(1_900_000_000, 0),
        ))
        .await
        .unwrap();
    // Without a foreign key, the adapter itself refuses rows for a user that does not exist.
    let orphan = adapter
        .create_session(AdapterSession::new(
            "orphan",
            "999999",
            at(1_900_000_000, 0),
        ))
        .await;
    assert!(
        matches!(orphan, Err(AdapterError::NotFound(_))),
        "{orphan:?}"
    );
    let orphan = adapter
        .link_account(account("999999", "github", "gh-orphan"))
        .await;
    assert!(
        matches!(orphan, Err(AdapterError::NotFound(_))),
        "{orphan:?}"
    );

    // The passkey tables are created beside these users.
    adapter
        .create_authenticator(passkey("pk-docs", &user.id, at(1_700_000_000, 0)))
        .await
        .unwrap();

    // Without ON DELETE CASCADE, the adapter itself deletes the user's accounts and sessions.
    assert!(adapter.delete_user(&user.id).await.unwrap());
    let left: i64 = sqlx::query(
        r#"SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM authenticators)"#,
    )
    .fetch_one(adapter.pool())
    .await
    .and_then(|row| row.try_get(0))
    .unwrap();
    assert_eq!(
        left, 0,
        "the deleted user's accounts, sessions and passkeys"
    );
    adapter.pool().close().await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_errors_never_quote_a_token() {
    let marker = "SECRET-SESSION-TOKEN-".repeat(16); // longer than VARCHAR(255)

    // PostgreSQL refuses the value.
    let schema = TestSchema::create("errors").await;
    let postgres = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();
    let user = postgres.create_user(NewUser::default()).await.unwrap();
    let refused = postgres
        .create_session(AdapterSession::new(&marker, &user.id, at(1_900_000_000, 0)))
        .await;
    match &refused {
        Err(error @ AdapterError::Store { .. }) => {
            let said = everything_said(error);
            assert!(!said.contains("SECRET"), "{said}");
            // `%error` alone says what failed and why: the SQLSTATE is in the message.
            assert!(error.to_string().contains("22001"), "{error}");
        }
        other => panic!("a 336-character session token: {other:?}"),
    }
    postgres.pool().close().await;
    schema.drop().await;

    // SQLite fails the statement (its table is gone).
    let sqlite = SqliteAdapter::connect("sqlite::memory:").await.unwrap();
    let user = sqlite.create_user(NewUser::default()).await.unwrap();
    sqlx::query("DROP TABLE sessions")
        .execute(sqlite.pool())
        .await
        .unwrap();
    let failed = sqlite
        .create_session(AdapterSession::new(&marker, &user.id, at(1_900_000_000, 0)))
        .await;
    match &failed {
        Err(error @ AdapterError::Store { .. }) => {
            let said = everything_said(error);
            assert!(!said.contains("SECRET"), "{said}");
            let message = error.to_string();
            assert!(
                message.contains("create a session") && message.contains("no such table"),
                "{message}"
            );
        }
        other => panic!("a session in a dropped table: {other:?}"),
    }
}

#[test]
fn debug_output_hides_every_token() {
    let session = AdapterSession::new("SECRET-S", "1", at(0, 0));
    let token = VerificationToken::new("a@x.io", "SECRET-V", at(0, 0));
    let mut linked = account("1", "github", "42");
    linked.access_token = Some("SECRET-A".to_owned());
    linked.refresh_token = Some("SECRET-R".to_owned());
    linked.id_token = Some("SECRET-I".to_owned());
    let said = format!("{session:?} {token:?} {linked:?}");
    assert!(!said.contains("SECRET"), "{said}");
    assert!(said.contains("a@x.io") && said.contains("github"), "{said}");
}
