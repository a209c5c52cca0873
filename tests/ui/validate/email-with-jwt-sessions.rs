// Email sign-in keeps its tokens and users in the adapter: with JWT sessions (the default)
// the error is on the `Email` kind.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        email: Email {
            server: env("EMAIL_SERVER"),
            from: env("EMAIL_FROM"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
