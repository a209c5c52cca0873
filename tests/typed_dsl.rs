//! What the `auth!` block gives the user's code as types: the credentials form struct that
//! `authorize` takes (a request missing a declared field never reaches it), and the
//! `ProviderId` that callbacks and events compare providers with.

#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use auth_runtime::callbacks::{ErrorEvent, SignInEvent};
use auth_runtime::{User, auth};
use auth_test_support::client::{Client, vars};
use axum::http::StatusCode;

const BASE: &str = "/api/auth";

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), pin: password("PIN") },
            authorize: crate::typed_dsl::authorize,
        },
    },
    events: { sign_in: crate::typed_dsl::on_sign_in, error: crate::typed_dsl::on_error },
}

/// Every form `authorize` received, in order.
static RECEIVED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
/// Whether each sign-in event's provider compared equal to `ProviderId::Credentials`.
static SIGNED_IN_WITH_CREDENTIALS: Mutex<Vec<bool>> = Mutex::new(Vec::new());

async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    let auth::forms::Credentials { username, pin } = form;
    RECEIVED
        .lock()
        .unwrap()
        .push((username.clone(), pin.clone()));
    (pin == "1234").then(|| User::new(username.clone()).name(username))
}

/// Every `error` event, as `<code> <action> <provider>`.
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn on_error(event: ErrorEvent) {
    let provider = event.provider.unwrap_or_default();
    ERRORS
        .lock()
        .unwrap()
        .push(format!("{} {} {provider}", event.code, event.action));
}

async fn on_sign_in(event: SignInEvent) {
    let matched = event.account.provider == auth::ProviderId::Credentials;
    SIGNED_IN_WITH_CREDENTIALS.lock().unwrap().push(matched);
}

fn client() -> Client {
    let auth = auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "typed-dsl-secret-0123456789abcdef0123"),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
    ]))
    .unwrap();
    Client::new(auth::router(auth.clone()).layer(auth.layer()))
}

// One test: the statics are shared by every request of this binary.
#[tokio::test]
async fn a_typed_authorize_gets_exactly_the_declared_fields_and_events_name_the_provider() {
    let mut client = client();
    let token = client.csrf(BASE).await;
    let url = format!("{BASE}/callback/credentials");

    // Missing `pin`: answered as a wrong password, and `authorize` never runs.
    let missing = client
        .post_form(&url, &format!("csrfToken={token}&username=ann&json=true"))
        .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.json()["url"],
        "http://127.0.0.1:3000/api/auth/error?error=CredentialsSignin&provider=credentials"
    );
    assert!(RECEIVED.lock().unwrap().is_empty());
    assert_eq!(
        *ERRORS.lock().unwrap(),
        ["CredentialsSignin callback credentials"],
        "the error event fires once for the failed sign-in"
    );

    // Every declared field, whatever else the client posts.
    let signed_in = client
        .post_form(
            &url,
            &format!(
                "csrfToken={token}&username=ann&pin=1234&callbackUrl=%2F&redirect=false&json=true"
            ),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(
        *RECEIVED.lock().unwrap(),
        [("ann".to_owned(), "1234".to_owned())]
    );
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["name"], "ann");
    assert_eq!(*SIGNED_IN_WITH_CREDENTIALS.lock().unwrap(), [true]);
    assert_eq!(
        ERRORS.lock().unwrap().len(),
        1,
        "no error event for a sign-in"
    );
    assert_eq!("credentials".to_owned(), auth::ProviderId::Credentials);
    assert_ne!("github".to_owned(), auth::ProviderId::Credentials);
}
