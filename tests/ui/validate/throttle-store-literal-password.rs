// A literal password would ship inside the binary; the URL comes from the environment.
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
        per_identifier: limit(5, minutes(15)),
        store: "postgres://throttle:hunter2@db.internal/app",
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let _ = auth::config_from_env();
}
