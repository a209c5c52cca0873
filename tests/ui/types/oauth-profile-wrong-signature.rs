// `profile` on a preset takes the kind's typed profile; a fn over the raw JSON (the generic
// `OAuth` kind's type) does not fit `GitHub`.
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

fn github_profile(profile: &serde_json::Value) -> Option<User> {
    Some(User::new(profile.get("id")?.to_string()))
}

fn main() {}
