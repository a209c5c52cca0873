// A `profile:` mapping reads the kind's typed profile; a field it does not have is rustc's
// error on the user's line.
use auth_runtime::{User, auth, profiles};

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

fn github_profile(profile: &profiles::GitHub) -> Option<User> {
    Some(User::new(&profile.id).name(&profile.logn))
}

fn main() {}
