// The `refresh` event reports refreshes of an OAuth provider's access token: a block without
// one would never fire it.
use auth_runtime::auth;
use auth_runtime::callbacks::{Credentials, RefreshEvent};
use auth_runtime::User;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
    events: { refresh: crate::refreshed },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

async fn refreshed(_: RefreshEvent) {}

fn main() {}
