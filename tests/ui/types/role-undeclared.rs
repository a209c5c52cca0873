// Roles are an enum: naming a role the block does not declare is rustc's error on the user's
// line, in a guard as in a check.
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    roles: { admin, member },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
}

async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    Some(User::new(form.username).role(auth::Role::Member))
}

async fn edit(session: auth::Session) -> &'static str {
    if session.has_role(auth::Role::Editor) { "yes" } else { "no" }
}

fn main() {
    let _guard = auth::require(auth::Role::Admin);
    let _ = edit;
}
