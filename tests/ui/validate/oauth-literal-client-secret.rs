// A literal client secret would ship inside the binary; a literal client id is fine.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_id: "Iv1.0123456789abcdef",
            client_secret: "0123456789abcdef0123456789abcdef01234567",
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Github.as_str();
}
