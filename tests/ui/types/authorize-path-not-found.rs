// A path that names nothing is rustc's own error, on the path in the block.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::users::check_password,
        },
    },
}

mod users {}

fn main() {}
