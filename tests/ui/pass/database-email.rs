//! Database sessions with email sign-in: a literal in-memory SQLite URL, an SMTP provider and
//! one sending through the application's mailer, side by side.
#![deny(missing_docs, warnings)]

use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database {
        adapter: "sqlite::memory:",
        max_age: days(7),
        update_age: hours(12),
    },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
        #[optional]
        email: Email {
            server: env("EMAIL_SERVER"),
            from: env_or("EMAIL_FROM", "NextAuth <no-reply@example.com>"),
        },
        "magic-link": Email {
            name: "Magic link",
            mailer: outbox::mailer,
            from: "Links <links@example.com>",
            max_age: minutes(15),
        },
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

mod outbox {
    use auth_runtime::email::{BoxFuture, MailError, Mailer, SignInEmail};

    /// Keeps nothing: the case only needs a `Mailer`.
    pub struct Outbox;

    impl Mailer for Outbox {
        fn send<'a>(&'a self, _: &'a SignInEmail) -> BoxFuture<'a, Result<(), MailError>> {
            Box::pin(async { Ok(()) })
        }
    }

    pub fn mailer() -> Outbox {
        Outbox
    }
}

fn main() {
    let specs: Vec<(&str, &str, &str, bool)> = auth::PROVIDERS
        .iter()
        .map(|p| (p.id, p.name, p.kind.as_str(), p.optional))
        .collect();
    assert_eq!(
        specs,
        [
            ("credentials", "Credentials", "credentials", false),
            ("email", "Email", "email", true),
            ("magic-link", "Magic link", "email", false),
        ]
    );
    assert_eq!(auth::ProviderId::MagicLink.as_str(), "magic-link");

    let secret = "s".repeat(32);
    let only_secret = |name: &str| (name == "NEXTAUTH_SECRET").then(|| secret.clone());
    let auth = match auth::config_from(&only_secret) {
        Ok(auth) => auth,
        Err(e) => panic!("an unset optional email provider is disabled, not an error: {e}"),
    };
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["credentials", "magic-link"]
    );
    let session = auth.session_config();
    assert_eq!(
        (session.max_age, session.update_age),
        (7 * 24 * 60 * 60, 12 * 60 * 60)
    );

    let with_server = |name: &str| match name {
        "EMAIL_SERVER" => Some("smtp://127.0.0.1:2525".to_owned()),
        _ => only_secret(name),
    };
    let auth = match auth::config_from(&with_server) {
        Ok(auth) => auth,
        Err(e) => panic!("every provider is enabled: {e}"),
    };
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["credentials", "email", "magic-link"]
    );
    let _router: axum::Router = auth::router(auth);
}
