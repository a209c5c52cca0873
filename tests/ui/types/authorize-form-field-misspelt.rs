// `authorize` may take the typed form; a field the block does not declare is rustc's error on
// the user's line.
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: crate::authorize,
        },
    },
}

async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    (form.usrname == "demo").then(|| User::new("1"))
}

fn main() {}
