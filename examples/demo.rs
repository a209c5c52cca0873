//! The demo: NextAuth's REST API on axum with JWT sessions, a credentials provider, and
//! optional OpenID Connect and GitHub sign-in.
//!
//! ```text
//! cargo run --example demo        # http://127.0.0.1:3000, sign in with demo / demo
//! ```
//!
//! `PORT` (default 3000), `NEXTAUTH_URL` (default `http://127.0.0.1:$PORT`) and
//! `NEXTAUTH_SECRET` (default: a random one, with a warning; demo only). The `oidc` provider
//! appears when `OIDC_ISSUER`, `OIDC_CLIENT_ID` and `OIDC_CLIENT_SECRET` are set (its name
//! from `OIDC_NAME`), the `github` one when `GITHUB_ID` and `GITHUB_SECRET` are. Sign-in
//! attempts are throttled per client address and per user name.
//!
//! Two accounts: `demo` / `demo` is an `admin`, `guest` / `guest` a `member`. `/me` needs a
//! session (a page request is sent to sign in, an API request gets 401), `/admin` the `admin`
//! role (403 without it). `/me/access-token` answers the `oidc` provider's access token to a
//! user signed in through it, refreshed when it is about to expire.

use auth_runtime::callbacks::{JwtParams, JwtTrigger, SignInEvent};
use auth_runtime::{User, auth};
use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};

/// The typed data the demo keeps in its session token.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Claims {
    /// The provider the user signed in with; `#[serde(default)]` keeps tokens minted
    /// elsewhere readable.
    #[serde(default)]
    pub provider: String,
}

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: jwt { max_age: days(30) },
    session_data: Claims,
    roles: { admin, member },
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
            // A refresh token, for `/me/access-token`: OpenID Connect's offline access,
            // which needs the consent prompt.
            scope: "openid email profile offline_access",
            params: { prompt: "consent" },
        },
        #[optional]
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    },
    callbacks: { jwt: jwt },
    events: { sign_in: on_sign_in },
    // Users signed in to an Auth.js v5 app with the same secret are signed in here too; the
    // demo answers them with its own (next-auth v4) cookie.
    cookies: { write: next_auth_v4, read: [next_auth_v4, authjs_v5] },
    // Generous: a person mistyping never meets them, a password-guessing script soon does.
    throttle: {
        per_address: limit(60, minutes(1)),
        per_identifier: limit(30, minutes(5)),
    },
}

/// `demo` / `demo` (an admin) and `guest` / `guest` (a member).
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    match (form.username.as_str(), form.password.as_str()) {
        ("demo", "demo") => Some(
            User::new("1")
                .name("Demo User")
                .email("demo@example.com")
                .role(auth::Role::Admin),
        ),
        ("guest", "guest") => Some(
            User::new("2")
                .name("Guest User")
                .email("guest@example.com")
                .role(auth::Role::Member),
        ),
        _ => None,
    }
}

/// Records in the token which provider the user signed in with.
async fn jwt(mut params: JwtParams<Claims>) -> auth::Token {
    if params.trigger == Some(JwtTrigger::SignIn)
        && let Some(account) = &params.account
    {
        params.token.data.provider = account.provider.clone();
    }
    params.token
}

async fn on_sign_in(event: SignInEvent) {
    tracing::info!(user = %event.user.id, provider = %event.account.provider, "signed in");
}

async fn home(
    Extension(auth): Extension<auth::Auth>,
    session: Option<auth::Session>,
) -> Html<String> {
    let base = auth.base_url();
    let body = match session {
        Some(session) => format!(
            "<p>Signed in as <strong>{}</strong> ({}), roles <code>{}</code>.</p>\
             <p><a href=\"/me\">/me</a> · <a href=\"/admin\">/admin</a> · <a href=\"{}\">Sign out</a></p>",
            escape(session.name().unwrap_or("unknown")),
            escape(session.email().unwrap_or("no email")),
            escape(&session.roles().join(", ")),
            escape(&base.url("signout")),
        ),
        None => format!(
            "<p>You are not signed in.</p>\
             <p><a href=\"{}\">Sign in</a> (demo / demo, or guest / guest)</p>",
            escape(&base.url("signin")),
        ),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"UTF-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\
         <title>auth-runtime demo</title></head>\
         <body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem\">\
         <h1>auth-runtime demo</h1>{body}</body></html>"
    ))
}

/// A JSON route only signed-in users reach: the `Session` extractor sends a page request to
/// sign in and answers any other 401.
async fn me(session: auth::Session) -> axum::Json<Me> {
    axum::Json(Me {
        id: session.user_id().map(str::to_owned),
        name: session.name().map(str::to_owned),
        email: session.email().map(str::to_owned),
        roles: session.roles().to_vec(),
        provider: session.data().provider.clone(),
    })
}

/// `/me`'s answer.
#[derive(serde::Serialize)]
struct Me {
    id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    roles: Vec<String>,
    provider: String,
}

/// The `oidc` provider's access token, for calling its API: refreshed first when it has less
/// than a minute left, once however many requests ask at the same moment. Signed in another
/// way, or with the grant revoked, the answer is 401 with `{"error": …}`.
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

/// Only admins reach it: `auth::require` answers 403 to anyone else signed in.
async fn admin(session: auth::Session) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "admin": session.name(),
        "isAdmin": session.has_role(auth::Role::Admin),
    }))
}

/// The demo's routes: the home page, `/me`, `/admin`, and the auth routes.
pub fn app(auth: auth::Auth) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .route("/me/access-token", get(access_token))
        .route(
            "/admin",
            get(admin).route_layer(auth::require(auth::Role::Admin)),
        )
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
        tracing::warn!(
            "NEXTAUTH_SECRET is unset: using a random secret (demo only; sessions end on restart)"
        );
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

    let app = app(auth.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(
        "demo listening on http://127.0.0.1:{port}, auth routes at {}{}",
        auth.base_url().origin(),
        auth.base_url().path()
    );
    // Not `axum::serve`, which has no deadline for slow clients and no connection cap; this
    // one also gives handlers the peer's address, what `throttle:` counts attempts per.
    auth_runtime::serve(listener, app).await?;
    Ok(())
}
