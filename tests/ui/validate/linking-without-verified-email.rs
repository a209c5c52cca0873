// GitHub's profile never says whether its email is verified, so linking by email could never
// happen there.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        github: GitHub {
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            allow_dangerous_email_account_linking: true,
        },
    },
}

fn main() {}
