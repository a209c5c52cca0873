// The `jwt` callback returns the token to store, not a string.
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
    callbacks: { jwt: jwt },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

async fn jwt(params: JwtParams<auth::SessionData>) -> String {
    params.token.sub.unwrap_or_default()
}

fn main() {}
