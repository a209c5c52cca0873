// A misspelled OAuth field names the closest one and is not also reported missing.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_ids: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Github.as_str();
}
