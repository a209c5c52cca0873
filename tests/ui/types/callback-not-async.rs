// A callback must be async: a plain fn returning the token is not a future.
use auth_runtime::callbacks::{Credentials, JwtParams};
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
    callbacks: { jwt: crate::jwt },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn jwt(params: JwtParams<auth::SessionData>) -> auth::Token {
    params.token
}

fn main() {}
