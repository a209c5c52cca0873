// GitHub's endpoints are fixed: `issuer` is a field of the OpenID Connect kinds only.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            issuer: "https://github.com",
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Github.as_str();
}
