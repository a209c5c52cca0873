// Events observe; they return nothing.
use auth_runtime::callbacks::{Credentials, SignInEvent};
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
    events: { sign_in: on_sign_in },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

async fn on_sign_in(event: SignInEvent) -> bool {
    event.is_new_user
}

fn main() {}
