// The `new_user` page is for a user's first sign-in, which JWT sessions cannot tell.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    pages: { new_user: "/welcome" },
}

fn main() {}
