// Apple issues no client secret: the runtime signs one for each token request with
// `private_key`, so a `client_secret` would be ignored.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        apple: Apple {
            client_id: env("APPLE_ID"),
            client_secret: env("APPLE_SECRET"),
            team_id: env("APPLE_TEAM_ID"),
            key_id: env("APPLE_KEY_ID"),
            private_key: env("APPLE_PRIVATE_KEY"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Apple.as_str();
}
