// A team id is Apple's 10 upper-case letters and digits; a typo would fail every sign-in, so
// it fails the build (from `env(…)`, the same rule stops the start-up).
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        apple: Apple {
            client_id: env("APPLE_ID"),
            team_id: "abcde-1234",
            key_id: env("APPLE_KEY_ID"),
            private_key: env("APPLE_PRIVATE_KEY"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Apple.as_str();
}
