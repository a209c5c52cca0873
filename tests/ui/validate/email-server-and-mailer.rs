// An email provider sends through one transport; with both, the error is on the later one.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email {
            server: env("EMAIL_SERVER"),
            mailer: crate::mailer,
            from: env("EMAIL_FROM"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
