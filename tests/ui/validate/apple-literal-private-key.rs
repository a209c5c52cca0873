// The key that signs Apple's client secret is a secret: a literal would ship inside the binary.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        apple: Apple {
            client_id: "com.example.web",
            team_id: "ABCDE12345",
            key_id: "KEY1234567",
            private_key: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----",
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Apple.as_str();
}
