// Role names are stored in tokens and rows as written: lower snake_case, each once.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    roles: { admin, Editor, admin },
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
    let _ = auth::Role::Admin;
}
