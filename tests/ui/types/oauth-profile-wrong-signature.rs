// `profile` maps the provider's raw JSON profile; a fn over a typed struct does not fit.
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            profile: crate::github_profile,
        },
    },
}

pub struct GitHubProfile {
    pub id: u64,
}

fn github_profile(profile: GitHubProfile) -> Option<User> {
    Some(User::new(profile.id.to_string()))
}

fn main() {}
