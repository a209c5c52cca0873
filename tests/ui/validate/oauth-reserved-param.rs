// The flow sets `state` itself; a fixed one in `params` would defeat the CSRF check.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            params: { allow_signup: "false", state: "fixed" },
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Github.as_str();
}
