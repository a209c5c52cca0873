// Every link needs a sender: `from` is required.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email { server: env("EMAIL_SERVER") },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
