//! Passkeys over HTTP with a software authenticator (webauthn-authenticator-rs's
//! `softpasskey`), on SQLite and the machine's PostgreSQL: a signed-in user adds passkeys,
//! signs out and back in with one; a new user registers with one; a replayed assertion, a
//! reused challenge and a counter that goes back are refused; the options route's rules.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use auth_runtime::adapter::{Adapter, BoxFuture};
use auth_runtime::email::{MailError, Mailer, SignInEmail};
use auth_runtime::{User, auth};
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::{require_postgres, unique};
use axum::http::StatusCode;
use serde_json::Value;
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RequestChallengeResponse, ResidentKeyRequirement,
};

const BASE: &str = "/api/auth";
/// A domain (`localhost`): browsers refuse passkeys for IP addresses, and so does the runtime.
const ORIGIN: &str = "http://localhost:3000";
const SECRET: &str = "passkeys-test-secret-6e1f9c3a7b2d8e4f";

auth! {
    session: database { adapter: env("TEST_DATABASE_URL") },
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
        passkey: Passkey { relying_party: "Passkey tests" },
    },
}

mod with_email {
    use auth_runtime::auth;

    auth! {
        session: database { adapter: env("TEST_DATABASE_URL") },
        secret: env("NEXTAUTH_SECRET"),
        providers: {
            email: Email { mailer: super::mailer, from: "auth@example.com" },
            passkey: Passkey {},
        },
    }
}

/// Password `pw`; the user's id and name are the username.
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    (form.password == "pw").then(|| {
        User::new(&form.username)
            .name(&form.username)
            .email(format!("{}@example.com", form.username))
    })
}

/// A mailer that sends nothing (the email provider is only declared here).
struct Nowhere;

impl Mailer for Nowhere {
    fn send<'a>(&'a self, _: &'a SignInEmail) -> BoxFuture<'a, Result<(), MailError>> {
        Box::pin(async { Ok(()) })
    }
}

fn mailer() -> Nowhere {
    Nowhere
}

/// A fresh SQLite file and PostgreSQL.
fn stores() -> Vec<String> {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", unique("passkeys")));
    vec![
        format!("sqlite://{}?mode=rwc", file.display()),
        require_postgres(),
    ]
}

fn env(store: &str) -> impl Fn(&str) -> Option<String> + use<> {
    vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", store),
    ])
}

fn app(store: &str) -> (auth::Auth, Client) {
    let auth = auth::config_from(&env(store)).unwrap();
    let client = Client::new(auth::router(auth.clone()).layer(auth.layer()));
    (auth, client)
}

async fn sign_in_with_password(client: &mut Client, name: &str) {
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password=pw&csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(user_name(client).await.as_deref(), Some(name));
}

async fn user_name(client: &mut Client) -> Option<String> {
    let session = client.session(BASE).await;
    session["user"]["name"].as_str().map(str::to_owned)
}

async fn user_email(client: &mut Client) -> Option<String> {
    let session = client.session(BASE).await;
    session["user"]["email"].as_str().map(str::to_owned)
}

async fn options(client: &mut Client, query: &str) -> Answer {
    client
        .get(&format!("{BASE}/webauthn-options/passkey{query}"))
        .await
}

/// Posts a ceremony's answer as the sign-in page and Auth.js v5's client do.
async fn finish(client: &mut Client, action: &str, data: &str) -> Answer {
    let token = client.csrf(BASE).await;
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("action", action)
        .append_pair("data", data)
        .append_pair("csrfToken", &token)
        .append_pair("callbackUrl", "/home")
        .append_pair("json", "true")
        .finish();
    client
        .post_form(&format!("{BASE}/callback/passkey"), &form)
        .await
}

/// Asks for options (`query`), expects a registration, and answers with `authenticator`.
async fn register(client: &mut Client, authenticator: &mut SoftPasskey, query: &str) -> Answer {
    let answer = options(client, query).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["action"], "register", "{body}");
    let options = &body["options"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["rp"]["name"], "Passkey tests");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    let mut options: PublicKeyCredentialCreationOptions =
        serde_json::from_value(options.clone()).unwrap();
    // The software authenticator keeps no resident keys; the server cannot tell.
    if let Some(selection) = &mut options.authenticator_selection {
        selection.require_resident_key = false;
        selection.resident_key = Some(ResidentKeyRequirement::Discouraged);
    }
    let credential = authenticator
        .do_registration(
            Url::parse(ORIGIN).unwrap(),
            CreationChallengeResponse {
                public_key: options,
            },
        )
        .unwrap();
    finish(
        client,
        "register",
        &serde_json::to_string(&credential).unwrap(),
    )
    .await
}

/// A sign-in answer from `authenticator` for the discoverable options the server sends, the
/// credential named (the software authenticator has no resident keys to discover).
async fn assertion(
    client: &mut Client,
    authenticator: &mut SoftPasskey,
    credential_id: &[u8],
) -> String {
    let answer = options(client, "?action=authenticate").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["action"], "authenticate");
    let mut options: PublicKeyCredentialRequestOptions =
        serde_json::from_value(body["options"].clone()).unwrap();
    assert!(options.allow_credentials.is_empty(), "discoverable");
    options.allow_credentials = vec![AllowCredentials {
        type_: "public-key".into(),
        id: credential_id.to_vec(),
        transports: None,
    }];
    let credential = authenticator
        .do_authentication(
            Url::parse(ORIGIN).unwrap(),
            RequestChallengeResponse {
                public_key: options,
                mediation: None,
            },
        )
        .unwrap();
    serde_json::to_string(&credential).unwrap()
}

fn url_of(answer: &Answer) -> String {
    answer.json()["url"].as_str().unwrap_or_default().to_owned()
}

fn refused(answer: &Answer) -> bool {
    url_of(answer).contains("error=WebAuthnVerificationError")
}

async fn sign_out(client: &mut Client) {
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/signout"),
            &format!("csrfToken={token}&json=true"),
        )
        .await;
    assert_eq!(user_name(client).await, None);
}

/// The stored passkeys' credential ids (raw bytes) of the user with `email`.
async fn credential_ids(store: &str, email: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let adapter = adapter(store).await;
    let user = adapter.get_user_by_email(email).await.unwrap().unwrap();
    adapter
        .list_authenticators(&user.id)
        .await
        .unwrap()
        .iter()
        .map(|a| {
            base64::engine::general_purpose::STANDARD
                .decode(&a.credential_id)
                .unwrap()
        })
        .collect()
}

async fn adapter(store: &str) -> Arc<dyn Adapter> {
    if store.starts_with("sqlite:") {
        Arc::new(
            auth_runtime::adapter::SqliteAdapter::connect(store)
                .await
                .unwrap(),
        )
    } else {
        Arc::new(
            auth_runtime::adapter::PostgresAdapter::connect(store)
                .await
                .unwrap(),
        )
    }
}

#[tokio::test]
async fn a_signed_in_user_adds_passkeys_signs_out_and_signs_back_in_with_one() {
    for store in stores() {
        let (_, mut browser) = app(&store);
        let name = unique("ann");
        sign_in_with_password(&mut browser, &name).await;
        let mut laptop = SoftPasskey::new(true);
        let answer = register(&mut browser, &mut laptop, "?action=register").await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        assert_eq!(url_of(&answer), format!("{ORIGIN}/home"), "{store}");
        // A second passkey for the same user (Auth.js keeps an account per passkey).
        let mut phone = SoftPasskey::new(true);
        let answer = register(&mut browser, &mut phone, "?action=register").await;
        assert_eq!(
            url_of(&answer),
            format!("{ORIGIN}/home"),
            "{store}: {}",
            answer.body
        );
        assert_eq!(
            user_name(&mut browser).await.as_deref(),
            Some(name.as_str())
        );
        let ids = credential_ids(&store, &format!("{name}@example.com")).await;
        assert_eq!(ids.len(), 2, "{store}");

        sign_out(&mut browser).await;
        let data = assertion(&mut browser, &mut laptop, &ids[0]).await;
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert_eq!(
            url_of(&answer),
            format!("{ORIGIN}/home"),
            "{store}: {}",
            answer.body
        );
        assert_eq!(
            user_name(&mut browser).await.as_deref(),
            Some(name.as_str()),
            "{store}"
        );

        // The other passkey signs in too, in another browser.
        let mut other = Client::new(browser.app.clone());
        let data = assertion(&mut other, &mut phone, &ids[1]).await;
        finish(&mut other, "authenticate", &data).await;
        assert_eq!(
            user_name(&mut other).await.as_deref(),
            Some(name.as_str()),
            "{store}"
        );
    }
}

#[tokio::test]
async fn a_new_user_registers_with_a_passkey_and_an_existing_address_signs_in_instead() {
    for store in stores() {
        let (_, mut browser) = app(&store);
        let email = format!("{}@example.com", unique("new"));
        let mut authenticator = SoftPasskey::new(true);
        let answer = register(&mut browser, &mut authenticator, &format!("?email={email}")).await;
        assert_eq!(
            url_of(&answer),
            format!("{ORIGIN}/home"),
            "{store}: {}",
            answer.body
        );
        assert_eq!(
            user_email(&mut browser).await.as_deref(),
            Some(email.as_str())
        );
        let user = adapter(&store)
            .await
            .get_user_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            user.email_verified, None,
            "{store}: a passkey proves no address"
        );
        let ids = credential_ids(&store, &email).await;
        assert_eq!(ids.len(), 1);

        // That address now belongs to a user: without an action the options sign in, and
        // registering it again is refused.
        let mut stranger = Client::new(browser.app.clone());
        let answer = options(&mut stranger, &format!("?email={email}")).await;
        assert_eq!(answer.json()["action"], "authenticate", "{store}");
        let answer = options(&mut stranger, &format!("?action=register&email={email}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{store}");
        // Nor can a passkey claim a password user's address.
        let name = unique("bob");
        sign_in_with_password(&mut stranger, &name).await;
        sign_out(&mut stranger).await;
        let answer = options(
            &mut stranger,
            &format!("?action=register&email={name}@example.com"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{store}");
    }
}

#[tokio::test]
async fn replays_reused_challenges_and_counters_that_go_back_are_refused() {
    for store in stores() {
        let (_, mut browser) = app(&store);
        let name = unique("cy");
        sign_in_with_password(&mut browser, &name).await;
        let mut authenticator = SoftPasskey::new(true);
        register(&mut browser, &mut authenticator, "?action=register").await;
        let id = credential_ids(&store, &format!("{name}@example.com"))
            .await
            .remove(0);
        sign_out(&mut browser).await;

        let data = assertion(&mut browser, &mut authenticator, &id).await;
        let challenge = browser.cookie("next-auth.challenge").unwrap().to_owned();
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert!(!refused(&answer), "{store}: {}", answer.body);
        assert!(
            browser.cookie("next-auth.challenge").is_none(),
            "the cookie is cleared"
        );
        sign_out(&mut browser).await;
        // The same answer with the same challenge cookie: the challenge was used.
        browser.set_cookie("next-auth.challenge", &challenge);
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert!(refused(&answer), "{store}: {}", answer.body);
        assert_eq!(user_name(&mut browser).await, None);
        // The same answer under a new challenge: it signs another challenge.
        options(&mut browser, "?action=authenticate").await;
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert!(refused(&answer), "{store}: {}", answer.body);
        // No challenge cookie at all.
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert!(refused(&answer), "{store}: {}", answer.body);

        // The store has seen a higher counter (a clone signed in elsewhere): refused.
        let adapter = adapter(&store).await;
        let mut stored = adapter
            .get_authenticator(&{
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(&id)
            })
            .await
            .unwrap()
            .unwrap();
        stored.counter = 1000;
        assert!(adapter.update_authenticator_use(stored).await.unwrap());
        let data = assertion(&mut browser, &mut authenticator, &id).await;
        let answer = finish(&mut browser, "authenticate", &data).await;
        assert!(refused(&answer), "{store}: {}", answer.body);
        assert_eq!(user_name(&mut browser).await, None, "{store}");
    }
}

#[tokio::test]
async fn the_options_route_answers_each_mistake() {
    let store = stores().remove(0);
    let (_, mut browser) = app(&store);
    let answer = browser.get(&format!("{BASE}/webauthn-options/nope")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = browser
        .get(&format!("{BASE}/webauthn-options/credentials"))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = options(&mut browser, "?action=delete").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json(),
        serde_json::json!({"error": "Invalid action"})
    );
    // Registering needs a session or a new address.
    let answer = options(&mut browser, "?action=register").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let answer = options(&mut browser, "?email=not-an-address").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // Signed out without an address: a discoverable sign-in.
    let answer = options(&mut browser, "").await;
    assert_eq!(answer.json()["action"], "authenticate");
    assert_eq!(answer.json()["options"]["userVerification"], "required");
    // Signed in, the action must be said.
    sign_in_with_password(&mut browser, &unique("dee")).await;
    let answer = options(&mut browser, "").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // The callback: GET is 405, a POST without the CSRF token goes to the sign-in page.
    let answer = browser.get(&format!("{BASE}/callback/passkey")).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    let answer = browser
        .post_form(
            &format!("{BASE}/callback/passkey"),
            "action=authenticate&data={}",
        )
        .await;
    assert!(
        answer.location().contains("csrf=true"),
        "{}",
        answer.location()
    );
    // The provider is listed with Auth.js v5's type.
    let providers: Value = browser.get(&format!("{BASE}/providers")).await.json();
    assert_eq!(providers["passkey"]["type"], "webauthn");
    assert_eq!(providers["passkey"]["name"], "Passkey");
}

#[tokio::test]
async fn with_an_email_provider_a_new_address_signs_in_by_email_before_adding_a_passkey() {
    let store = stores().remove(0);
    let auth = with_email::auth::config_from(&env(&store)).unwrap();
    let mut browser = Client::new(with_email::auth::router(auth.clone()).layer(auth.layer()));
    let email = format!("{}@example.com", unique("eve"));
    let answer = options(&mut browser, &format!("?email={email}")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.json(),
        serde_json::json!({"error": "sign in with your email first, then add a passkey"})
    );
    // Signing in stays open.
    let answer = options(&mut browser, "?action=authenticate").await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[test]
fn an_ip_address_in_nextauth_url_stops_start_up_with_the_reason() {
    let store = format!(
        "sqlite://{}?mode=rwc",
        std::env::temp_dir()
            .join(format!("{}.db", unique("passkeys-ip")))
            .display()
    );
    let error = auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
        ("TEST_DATABASE_URL", &store),
    ]))
    .err()
    .unwrap()
    .to_string();
    assert!(error.contains("IP address"), "{error}");
    assert!(error.contains("localhost"), "{error}");
}

#[tokio::test]
async fn passkeys_are_listed_renamed_and_deleted_but_never_the_last_way_to_sign_in() {
    for store in stores() {
        let (auth, mut browser) = app(&store);
        // A user who signs in with passkeys alone (registered signed out).
        let email = format!("{}@example.com", unique("fay"));
        let mut first = SoftPasskey::new(true);
        register(&mut browser, &mut first, &format!("?email={email}")).await;
        let mut second = SoftPasskey::new(true);
        register(&mut browser, &mut second, "?action=register").await;

        let listed = browser.get(&format!("{BASE}/passkeys")).await;
        assert_eq!(listed.status, StatusCode::OK, "{store}: {}", listed.body);
        let Value::Array(passkeys) = listed.json() else {
            panic!("{store}: a list: {}", listed.body);
        };
        assert_eq!(passkeys.len(), 2, "{store}");
        let id = passkeys[0]["id"].as_str().unwrap().to_owned();
        assert!(passkeys[0]["created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(passkeys[0]["name"], Value::Null);
        assert!(passkeys[0].get("credential").is_none(), "no verifier state");
        assert!(passkeys[0].get("credentialPublicKey").is_none(), "no key");

        // Renaming: CSRF, a name of 1 to 64 characters, one's own passkey only.
        let form = |extra: &str, token: &str| format!("{extra}&csrfToken={token}");
        let answer = browser
            .post_form(
                &format!("{BASE}/passkeys/rename"),
                &format!("id={}&name=Laptop", enc(&id)),
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{store}");
        let token = browser.csrf(BASE).await;
        let answer = browser
            .post_form(
                &format!("{BASE}/passkeys/rename"),
                &form(&format!("id={}&name=%20%20", enc(&id)), &token),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{store}");
        let answer = browser
            .post_form(
                &format!("{BASE}/passkeys/rename"),
                &form(&format!("id={}&name=Laptop", enc(&id)), &token),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        let user = adapter(&store)
            .await
            .get_user_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        let infos = auth.passkeys(&user.id).await.unwrap();
        assert_eq!(infos[0].name.as_deref(), Some("Laptop"), "{store}");

        // Another user cannot rename or delete it.
        let mut other = Client::new(browser.app.clone());
        sign_in_with_password(&mut other, &unique("gus")).await;
        let token = other.csrf(BASE).await;
        for action in ["rename", "delete"] {
            let answer = other
                .post_form(
                    &format!("{BASE}/passkeys/{action}"),
                    &form(&format!("id={}&name=Mine", enc(&id)), &token),
                )
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{store}: {action}");
        }
        // `/accounts/unlink` does not half-remove a passkey.
        let token = browser.csrf(BASE).await;
        let answer = browser
            .post_form(
                &format!("{BASE}/accounts/unlink"),
                &form("provider=passkey", &token),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{store}");

        // Deleting the first is fine; the second is the last way to sign in.
        let answer = browser
            .post_form(
                &format!("{BASE}/passkeys/delete"),
                &form(&format!("id={}", enc(&id)), &token),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        let infos = auth.passkeys(&user.id).await.unwrap();
        assert_eq!(infos.len(), 1, "{store}");
        let answer = browser
            .post_form(
                &format!("{BASE}/passkeys/delete"),
                &form(&format!("id={}", enc(&infos[0].id)), &token),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CONFLICT,
            "{store}: {}",
            answer.body
        );
        assert_eq!(auth.passkeys(&user.id).await.unwrap().len(), 1, "{store}");
        // Signed out, the list is 401.
        sign_out(&mut browser).await;
        let answer = browser.get(&format!("{BASE}/passkeys")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{store}");
    }
}

/// A form value, percent-encoded (credential ids are base64, with `+`, `/` and `=`).
fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
