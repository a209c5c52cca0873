// Database sessions keep no token, so a `jwt` callback would never run.
use auth_runtime::callbacks::JwtParams;
use auth_runtime::{NoData, Token, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    callbacks: { jwt: crate::jwt },
}

async fn jwt(params: JwtParams<NoData>) -> Token<NoData> {
    params.token
}

fn main() {}
