// No `secret`: the error is on the first token of the block.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    base_path: "/api/auth",
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let _ = auth::config_from_env();
}
