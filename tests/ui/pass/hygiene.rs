// The expansion uses absolute paths only: it compiles without the prelude, and the
// invoking module's own `Token`, `router`, `Result` and `profiles` neither break it nor are
// shadowed.
mod app {
    #![no_implicit_prelude]

    pub struct Token;
    pub struct Result;
    pub mod profiles {}
    pub fn router() -> u8 {
        7
    }

    ::auth_runtime::auth! {
        secret: env("NEXTAUTH_SECRET"),
        providers: {
            credentials: Credentials {
                fields: { username: text("Username") },
                authorize: crate::authorize,
            },
            github: GitHub {
                client_id: env("GITHUB_ID"),
                client_secret: env("GITHUB_SECRET"),
                profile: crate::github_user,
            },
        },
    }

    pub fn own_router() -> u8 {
        router()
    }
}

async fn authorize(_: auth_runtime::callbacks::Credentials) -> Option<auth_runtime::User> {
    None
}

fn github_user(profile: &auth_runtime::profiles::GitHub) -> Option<auth_runtime::User> {
    Some(auth_runtime::User::new(&profile.id))
}

fn main() {
    let _: app::Token = app::Token;
    assert_eq!(app::own_router(), 7);
    assert_eq!(app::auth::ProviderId::Credentials.as_str(), "credentials");
    assert!(app::auth::config_from_env().is_err() || std::env::var("NEXTAUTH_SECRET").is_ok());
}
