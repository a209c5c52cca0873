//! A throttle block with every field: both limits, the PostgreSQL store read from the
//! environment, and the client address from a trusted proxy's `X-Forwarded-For`. The store's
//! variable is required at start-up like the others; nothing is connected until a sign-in.
#![deny(missing_docs, warnings)]

use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
    throttle: {
        per_address: limit(20, minutes(1)),
        per_identifier: limit(5, minutes(15)),
        store: env("THROTTLE_DATABASE_URL"),
        client_address: x_forwarded_for,
    },
}

async fn authorize(credentials: Credentials) -> Option<User> {
    (credentials.get("username") == Some("demo")).then(|| User::new("1"))
}

fn main() {
    let missing = auth::config_from(&|_| None).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "missing environment variables: THROTTLE_DATABASE_URL, NEXTAUTH_SECRET"
    );

    let not_postgres = auth::config_from(&|name| match name {
        "NEXTAUTH_SECRET" => Some("s".repeat(32)),
        "THROTTLE_DATABASE_URL" => Some("mysql://u:hunter2@db/app".to_owned()),
        _ => None,
    })
    .unwrap_err();
    // The rule the macro holds a literal to, naming the variable.
    assert_eq!(
        not_postgres.to_string(),
        "THROTTLE_DATABASE_URL: expected a `postgres://` URL"
    );
    assert!(!not_postgres.to_string().contains("hunter2"), "{not_postgres}");

    let auth = auth::config_from(&|name| match name {
        "NEXTAUTH_SECRET" => Some("s".repeat(32)),
        "THROTTLE_DATABASE_URL" => Some("postgres://127.0.0.1:1/unreachable".to_owned()),
        _ => None,
    })
    .unwrap();
    let _router: axum::Router = auth::router(auth);
}
