// `session_data` rides in the session token, which database sessions do not have.
use auth_runtime::auth;

#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct Claims {
    role: String,
}

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    session_data: Claims,
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
}

fn main() {}
