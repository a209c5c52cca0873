// A misspelled provider field is reported once, not also as a missing `authorize`, and
// code naming the provider's variant still compiles.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorise: authorize,
        },
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Credentials.as_str();
}
