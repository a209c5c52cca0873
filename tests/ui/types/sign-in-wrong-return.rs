// The `sign_in` callback decides (`bool`, `SignInDecision` or a `Result` of one), not a string.
use auth_runtime::callbacks::{Credentials, SignInParams};
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
    callbacks: { sign_in: sign_in },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

async fn sign_in(params: SignInParams) -> String {
    params.user.id
}

fn main() {}
