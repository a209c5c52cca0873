// A check is listed once; the caret is on the repeat.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        google: Google {
            client_id: env("GOOGLE_ID"),
            client_secret: env("GOOGLE_SECRET"),
            checks: [state, pkce, state],
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Google.as_str();
}
