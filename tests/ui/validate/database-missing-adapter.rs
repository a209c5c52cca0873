// Database sessions need somewhere to live: the error is on `database`, where `adapter` is missing.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { max_age: days(30) },
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
