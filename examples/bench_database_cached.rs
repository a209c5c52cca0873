//! The database example's sessions with the session cache on, for `cargo xtask bench` only:
//! `session: database { cache: minutes(5) }`, so a signed-in `/session` that carries the
//! cache cookie is answered without the database (README, "Database sessions").
//!
//! ```text
//! DATABASE_URL=sqlite://bench.db?mode=rwc NEXTAUTH_SECRET=… PORT=3000 \
//!     cargo run --release --example bench_database_cached
//! ```

use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    session: database {
        adapter: env("DATABASE_URL"),
        max_age: days(30),
        update_age: days(1),
        cache: minutes(5),
    },
    providers: {
        credentials: Credentials {
            name: "Credentials",
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
    },
}

/// `demo` / `demo`, as in the database example.
async fn authorize(form: auth::forms::Credentials) -> Option<User> {
    let valid = form.username == "demo" && form.password == "demo";
    valid.then(|| User::new("1").name("Demo User").email("demo@example.com"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let auth = auth::config_from_env()?;
    auth.connect().await?;
    let app = auth::router(auth.clone()).layer(auth.layer());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    auth_runtime::serve(listener, app).await?;
    Ok(())
}
