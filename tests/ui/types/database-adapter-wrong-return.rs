// An adapter fn returns `Result<A, E>` (so a failed connection is reported and retried), not
// the adapter itself: the error is on the path in the block.
use auth_runtime::User;
use auth_runtime::adapter::MemoryAdapter;
use auth_runtime::auth;
use auth_runtime::callbacks::Credentials;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: crate::db::connect },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
    },
}

mod db {
    use super::*;

    pub async fn connect() -> MemoryAdapter {
        MemoryAdapter::new()
    }
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {}
