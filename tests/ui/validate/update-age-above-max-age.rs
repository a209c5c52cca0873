// `update_age` longer than `max_age` would never refresh.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL"), max_age: hours(1), update_age: days(1) },
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
