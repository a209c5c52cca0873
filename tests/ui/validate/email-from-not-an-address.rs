// A literal sender is an address, optionally with a display name: `Name <local@domain>`.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("DATABASE_URL") },
    providers: {
        email: Email {
            server: env("EMAIL_SERVER"),
            from: "NextAuth",
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Email.as_str();
}
