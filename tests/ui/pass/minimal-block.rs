//! The smallest block: a secret and one provider. Everything else takes NextAuth's defaults.
//! The generated items are documented and warning-free, even where the user denies both.
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
}

async fn authorize(credentials: Credentials) -> Option<User> {
    (credentials.get("username") == Some("demo")).then(|| User::new("1"))
}

fn main() {
    assert_eq!(auth::ProviderId::ALL, [auth::ProviderId::Credentials]);
    assert_eq!(auth::ProviderId::Credentials.as_str(), "credentials");
    assert_eq!("credentials".parse(), Ok(auth::ProviderId::Credentials));
    assert!("github".parse::<auth::ProviderId>().is_err());
    let spec = auth::ProviderId::Credentials.spec();
    assert_eq!(
        (spec.id, spec.name, spec.optional),
        ("credentials", "Credentials", false)
    );
    let fields: Vec<_> = spec
        .fields
        .iter()
        .map(|f| (f.key, f.label, f.input_type))
        .collect();
    assert_eq!(
        fields,
        [
            ("username", "Username", "text"),
            ("password", "Password", "password")
        ]
    );

    let missing = auth::config_from(&|_| None).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "missing environment variable: NEXTAUTH_SECRET"
    );

    let auth =
        auth::config_from(&|name| (name == "NEXTAUTH_SECRET").then(|| "s".repeat(32))).unwrap();
    assert_eq!(auth.base_url().path(), "/api/auth");
    assert_eq!(auth.session_config().max_age, 30 * 24 * 60 * 60);
    assert_eq!(auth.provider_ids().collect::<Vec<_>>(), ["credentials"]);
    let _router: axum::Router = auth::router(auth);
}
