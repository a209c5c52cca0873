// The app writes next-auth v4's cookies; reading only Auth.js v5's would let none of its own
// sessions in.
use auth_runtime::auth;
use auth_runtime::callbacks::Credentials;
use auth_runtime::User;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
    cookies: { read: [authjs_v5] },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {}
