//! Database sessions: the demo's providers plus email sign-in, with sessions, users and
//! accounts in SQLite (a file beside the working directory) or PostgreSQL.
//!
//! ```text
//! cargo run --example database                                   # SQLite: ./auth-demo.db
//! DATABASE_URL=postgres://user:pass@127.0.0.1/auth cargo run --example database
//! EMAIL_SERVER=smtp://127.0.0.1:2525 EMAIL_FROM=auth@example.com cargo run --example database
//! NEXTAUTH_URL=http://localhost:3000 cargo run --example database  # passkeys on (a name, not an IP)
//! ```
//!
//! `PORT` (default 3000), `NEXTAUTH_URL`, `NEXTAUTH_SECRET` as in the demo; the `oidc`,
//! `github` and `email` providers are enabled by their variables, `passkey` by a `NEXTAUTH_URL`
//! whose host is a name. `/me` answers the signed-in user as JSON and `/me/access-token` the
//! `oidc` provider's access token, as the demo's do.

use auth_runtime::callbacks::SignInEvent;
use auth_runtime::{User, auth};
use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Router};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database {
        adapter: env_or("DATABASE_URL", "sqlite://auth-demo.db?mode=rwc"),
        max_age: days(30),
        update_age: days(1),
    },
    providers: {
        credentials: Credentials {
            name: "Credentials",
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
        #[optional]
        oidc: Oidc {
            name: env_or("OIDC_NAME", "OpenID Connect"),
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            // A refresh token, for `/me/access-token`: offline access needs the consent prompt.
            scope: "openid email profile offline_access",
            params: { prompt: "consent" },
        },
        #[optional]
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        #[optional]
        email: Email { server: env("EMAIL_SERVER"), from: env("EMAIL_FROM") },
        // On when NEXTAUTH_URL's host is a name (`http://localhost:3000`): browsers make no
        // passkeys for an IP address such as 127.0.0.1, and then it is off, with a warning.
        #[optional]
        passkey: Passkey { relying_party: "auth-runtime database example" },
    },
    events: { sign_in: on_sign_in },
}

/// `demo` / `demo` is the only password account; it is stored like any other user.
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    let valid = form.username == "demo" && form.password == "demo";
    valid.then(|| User::new("1").name("Demo User").email("demo@example.com"))
}

async fn on_sign_in(event: SignInEvent) {
    tracing::info!(user = %event.user.id, provider = %event.account.provider, new = event.is_new_user, "signed in");
}

async fn home(
    Extension(auth): Extension<auth::Auth>,
    session: Option<auth::Session>,
) -> Html<String> {
    let base = auth.base_url();
    let body = match session {
        Some(session) => format!(
            "<p>Signed in as <strong>{}</strong> ({}), user id <code>{}</code>.</p>\
             <p><a href=\"{}\">Sign out</a></p>",
            escape(session.name().unwrap_or("unknown")),
            escape(session.email().unwrap_or("no email")),
            escape(session.user_id().unwrap_or("?")),
            escape(&base.url("signout")),
        ),
        None => format!(
            "<p>You are not signed in.</p><p><a href=\"{}\">Sign in</a> (demo / demo)</p>",
            escape(&base.url("signin")),
        ),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"UTF-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\
         <title>auth-runtime database example</title></head>\
         <body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem\">\
         <h1>auth-runtime with database sessions</h1>{body}</body></html>"
    ))
}

/// The demo's `/me` in the same shape, read from the session row. This example has no roles and
/// keeps no provider in its sessions, so `roles` is empty and `provider` absent (`cargo xtask
/// bench` loads it beside the demo's `/me` and axum-login's).
async fn me(session: auth::Session) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "id": session.user_id(),
        "name": session.name(),
        "email": session.email(),
        "roles": session.roles(),
    }))
}

/// The `oidc` provider's access token, as in the demo: here it lives in the `accounts` row,
/// and of several servers on one database exactly one refreshes it.
async fn access_token(
    session: auth::Session,
) -> Result<axum::Json<serde_json::Value>, auth_runtime::AccessTokenError> {
    let token = session.access_token(auth::ProviderId::Oidc).await?;
    Ok(axum::Json(serde_json::json!({
        "provider": token.provider,
        "access_token": token.access_token,
        "expires_at": token.expires_at,
    })))
}

/// The example's routes: the home page, `/me`, `/me/access-token` and the auth routes.
pub fn app(auth: auth::Auth) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .route("/me/access-token", get(access_token))
        .merge(auth::router(auth.clone()))
        .layer(auth.layer())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let default_url = format!("http://127.0.0.1:{port}");
    let random_secret = std::env::var("NEXTAUTH_SECRET").is_err().then(|| {
        tracing::warn!("NEXTAUTH_SECRET is unset: using a random secret (example only; sessions end on restart)");
        auth_runtime::random_secret()
    });
    let auth = auth::config_from(&|name| match name {
        "NEXTAUTH_SECRET" if random_secret.is_some() => random_secret.clone(),
        "NEXTAUTH_URL" => std::env::var(name)
            .ok()
            .or_else(|| Some(default_url.clone())),
        _ => std::env::var(name).ok(),
    })
    .unwrap_or_else(|error| {
        // The message names the variable and the rule, never a value that could be secret.
        eprintln!("configuration error: {error}");
        std::process::exit(1)
    });
    // Connect and migrate now, so a bad DATABASE_URL stops start-up instead of the first request.
    if let Err(error) = auth.connect().await {
        eprintln!("cannot connect to the database: {error}");
        std::process::exit(1);
    }

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("database example listening on http://127.0.0.1:{port}");
    // Deadlines for slow clients and a connection cap, which `axum::serve` lacks.
    auth_runtime::serve(listener, app(auth)).await?;
    Ok(())
}
