// An app writing Auth.js v5's cookies: no `secret:` (v5's `AUTH_SECRET`, `AUTH_SECRET_1..3`
// are read), and next-auth v4's session cookie read too while users move over.
use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
    cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn main() {
    let vars = |name: &str| match name {
        "AUTH_SECRET" => Some("0123456789abcdef0123456789abcdef".to_owned()),
        _ => None,
    };
    let _ = auth::config_from(&vars);
}
