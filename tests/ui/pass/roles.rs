// Roles from the block: given in `authorize`, checked on the session, guarding a route.
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    roles: { admin, content_editor },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: crate::authorize,
        },
    },
}

async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    Some(User::new(form.username).role(auth::Role::ContentEditor))
}

async fn edit(session: auth::Session) -> &'static str {
    if session.has_role(auth::Role::ContentEditor) { "yes" } else { "no" }
}

fn main() {
    assert_eq!(auth::Role::ALL.len(), 2);
    assert_eq!(auth::Role::ContentEditor.as_str(), "content_editor");
    let _app: axum::Router = axum::Router::new()
        .route("/edit", axum::routing::get(edit))
        .route_layer(auth::require(auth::Role::Admin));
}
