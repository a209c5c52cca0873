// The `sign_in` callback takes `SignInParams`, not the user.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
    callbacks: { sign_in: crate::policy::sign_in },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

mod policy {
    pub async fn sign_in(user: auth_runtime::User) -> bool {
        !user.id.is_empty()
    }
}

fn main() {}
