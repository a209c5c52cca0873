// The typed form reaches `authorize`, and callbacks and events compare a provider with the
// generated `ProviderId`.
use auth_runtime::callbacks::{SignInEvent, SignInParams};
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: crate::authorize,
        },
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    callbacks: { sign_in: crate::allow },
    events: { sign_in: crate::on_sign_in },
}

async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    let auth::forms::Credentials { username, password } = form;
    (username == "demo" && password == "demo").then(|| User::new("1"))
}

async fn allow(params: SignInParams) -> bool {
    params.account.provider != auth::ProviderId::Github || auth::ProviderId::Github == params.account.provider
}

async fn on_sign_in(event: SignInEvent) {
    if event.account.provider == auth::ProviderId::Github {
        println!("signed in with GitHub");
    }
}

fn main() {}
