// Without `state` or `pkce` the callback is not bound to the browser that started the flow.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        google: Google {
            client_id: env("GOOGLE_ID"),
            client_secret: env("GOOGLE_SECRET"),
            checks: [],
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Google.as_str();
}
