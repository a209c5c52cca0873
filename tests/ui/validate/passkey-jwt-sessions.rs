// Passkeys, their users and each ceremony's state live in the store: a passkey provider needs
// database sessions.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        passkey: Passkey { relying_party: "Example" },
    },
}

fn main() {}
