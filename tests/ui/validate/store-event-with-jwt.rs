// `link_account` reports a write to the store, which JWT sessions do not have.
use auth_runtime::auth;
use auth_runtime::callbacks::LinkAccountEvent;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    events: { link_account: crate::linked },
}

async fn linked(_: LinkAccountEvent) {}

fn main() {}
