// A `database { }` session takes `adapter`, `max_age` and `update_age`; pool settings belong
// in the URL or the adapter fn.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL"), max_connections: 5 },
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
