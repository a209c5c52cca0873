// A syntax error: the parse error is the only error, because the module is still emitted.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    module: my_auth,
    secret env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let _ = my_auth::config_from_env();
    let _ = my_auth::ProviderId::ALL;
}
