// A literal database URL names one of the runtime's adapters: SQLite or PostgreSQL.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: "mysql://localhost/auth" },
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
