// A literal mail server is an SMTP URL; a typo in it fails the build, not every sign-in.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email {
            server: "http://mail.example.com:25",
            from: env("EMAIL_FROM"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
