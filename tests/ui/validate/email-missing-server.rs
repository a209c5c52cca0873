// Without `server` or `mailer` no link can be sent: the error is on the kind, with the
// provider's variable in the example.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email { from: env("EMAIL_FROM") },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
