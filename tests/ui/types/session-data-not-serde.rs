// The session data is stored in the token, so it must be serde-serializable: one missing
// derive is one error, on the `session_data:` type, not one more per generated function.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

#[derive(Clone, Default, serde::Deserialize)]
pub struct Claims {
    pub role: String,
}

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session_data: crate::Claims,
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

fn main() {}
