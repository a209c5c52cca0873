// A database session cookie holds a session id, not a token: reading the other format's
// cookie as well is offered with `jwt` sessions only.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] },
}

fn main() {}
