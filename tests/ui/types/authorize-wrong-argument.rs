// `authorize` receives the posted `Credentials`, not a username.
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
}

async fn authorize(username: String) -> Option<User> {
    Some(User::new(username))
}

fn main() {}
