// The stored expiry moves only when a read reaches the database: a cache outliving
// `update_age` would put that off.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL"), update_age: minutes(1), cache: minutes(5) },
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
}

fn main() {}
