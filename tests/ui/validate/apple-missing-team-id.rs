// Apple's client secret is signed with its team id as the issuer, so `team_id` is required.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        apple: Apple {
            client_id: env("APPLE_ID"),
            key_id: env("APPLE_KEY_ID"),
            private_key: env("APPLE_PRIVATE_KEY"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Apple.as_str();
}
