// `authorize` returns `Option<User>` (or a `Result` of it), not a user id.
use auth_runtime::auth;
use auth_runtime::callbacks::Credentials;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
}

async fn authorize(credentials: Credentials) -> Option<String> {
    credentials.get("username").map(str::to_owned)
}

fn main() {}
