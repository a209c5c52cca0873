//! `axum_login_peer`: what a Rust user would otherwise pick, axum-login 0.18 on tower-sessions
//! 0.14, serving the demo's `/me` for `cargo xtask bench` (issue 16).
//!
//! ```text
//! PORT=3000 PEER_STORE=memory cargo run --release --manifest-path bench-peers/Cargo.toml
//! PORT=3000 PEER_STORE=sqlite DATABASE_URL='sqlite:///tmp/peer.db?mode=rwc' cargo run …
//! ```
//!
//! - `POST /login` with the form `username`, `password`: `demo` / `demo` (or `guest` /
//!   `guest`) logs the user in through axum-login (`AuthSession::authenticate`, then `login`,
//!   which cycles the session id) and tower-sessions sets its `id` cookie; anything else 401.
//! - `GET /me`, behind `login_required!`: the user axum-login loaded for the request, as the
//!   same JSON bytes the demo's `/me` answers for demo/demo signed in with credentials.
//!
//! Sessions live where `PEER_STORE` says: `memory` (the default, tower-sessions'
//! `MemoryStore`) or `sqlite` (tower-sessions-sqlx-store's `SqliteStore` on `DATABASE_URL`,
//! migrated at start-up). Either way every request goes through axum-login's normal path: the
//! session layer reads the cookie, axum-login's layer loads the session record from the store
//! (a `SELECT` on SQLite) and the user from the backend. Users are an in-memory map, as the
//! demo's `authorize` is. tower-sessions' defaults otherwise: a session is written only when it
//! changes, so `/me` reads and never writes (no rolling cookie, unlike the demo's JWT).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::Form;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, login_required};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;
use tower_sessions_sqlx_store::sqlx::SqlitePool;

/// An account: the demo's two, with what its `/me` shows.
#[derive(Clone, Debug)]
struct User {
    id: &'static str,
    username: &'static str,
    password: &'static str,
    name: &'static str,
    email: &'static str,
    roles: &'static [&'static str],
    /// What axum-login keeps in the session to tell that the credentials did not change
    /// since sign-in (a password hash in a real app; fixed bytes here).
    auth_hash: [u8; 32],
}

impl AuthUser for User {
    type Id = String;

    fn id(&self) -> String {
        self.id.to_owned()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

const USERS: [User; 2] = [
    User {
        id: "1",
        username: "demo",
        password: "demo",
        name: "Demo User",
        email: "demo@example.com",
        roles: &["admin"],
        auth_hash: [1; 32],
    },
    User {
        id: "2",
        username: "guest",
        password: "guest",
        name: "Guest User",
        email: "guest@example.com",
        roles: &["member"],
        auth_hash: [2; 32],
    },
];

/// The sign-in form, as the demo's credentials provider takes it.
#[derive(Clone, Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// The user backend: an in-memory map by id (the lookup axum-login makes on every request).
#[derive(Clone)]
struct Users(Arc<HashMap<String, User>>);

impl Users {
    fn new() -> Self {
        Users(Arc::new(
            USERS.iter().map(|u| (u.id.to_owned(), u.clone())).collect(),
        ))
    }
}

impl AuthnBackend for Users {
    type User = User;
    type Credentials = Credentials;
    type Error = Infallible;

    async fn authenticate(&self, form: Credentials) -> Result<Option<User>, Infallible> {
        Ok(self
            .0
            .values()
            .find(|u| u.username == form.username && u.password == form.password)
            .cloned())
    }

    async fn get_user(&self, id: &String) -> Result<Option<User>, Infallible> {
        Ok(self.0.get(id).cloned())
    }
}

type Session = AuthSession<Users>;

async fn login(mut session: Session, Form(form): Form<Credentials>) -> StatusCode {
    match session.authenticate(form).await {
        Ok(Some(user)) => match session.login(&user).await {
            Ok(()) => StatusCode::OK,
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
        },
        _ => StatusCode::UNAUTHORIZED,
    }
}

/// The demo's `/me` answer, its keys in the demo's order.
#[derive(Serialize)]
struct Me {
    id: &'static str,
    name: &'static str,
    email: &'static str,
    roles: &'static [&'static str],
    /// Always `credentials`: the only way in here.
    provider: &'static str,
}

async fn me(session: Session) -> Result<Json<Me>, StatusCode> {
    // `login_required!` has let only signed-in requests through.
    let user = session.user.ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(Json(Me {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
        provider: "credentials",
    }))
}

fn app<S: SessionStore + Clone>(store: S) -> Router {
    // The cookie as axum-login's examples set it up: plain HTTP on loopback, 30 days like the
    // demo's session.
    let sessions = SessionManagerLayer::new(store)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(Duration::days(30)));
    let auth = AuthManagerLayerBuilder::new(Users::new(), sessions).build();
    Router::new()
        .route("/me", get(me))
        .route_layer(login_required!(Users))
        .route("/login", post(login))
        .layer(auth)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let store = std::env::var("PEER_STORE").unwrap_or_else(|_| "memory".to_owned());
    let app = match store.as_str() {
        "memory" => app(MemoryStore::default()),
        "sqlite" => {
            let url = std::env::var("DATABASE_URL")
                .map_err(|_| "PEER_STORE=sqlite needs DATABASE_URL (sqlite://…?mode=rwc)")?;
            let store = SqliteStore::new(SqlitePool::connect(&url).await?);
            store.migrate().await?;
            app(store)
        }
        other => return Err(format!("PEER_STORE is `memory` or `sqlite`, not `{other}`").into()),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
