// `update_age` paces database writes; a JWT is re-issued on every session read.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: jwt { max_age: days(30), update_age: days(1) },
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
}

fn main() {}
