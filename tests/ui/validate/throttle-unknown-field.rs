// A misspelled limit would be ignored, leaving sign-in unthrottled; the closest field is named.
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
        per_adress: limit(20, minutes(1)),
        per_identifier: limit(5, minutes(15)),
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let _ = auth::config_from_env();
}
