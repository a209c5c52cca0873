// A password in a literal mail server URL would ship inside the binary.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email {
            server: "smtp://mailer:hunter2@mail.example.com:587",
            from: env("EMAIL_FROM"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
