//! How the per-request cost grows, for `cargo xtask growth` only: the same JWT-session block
//! with 1, 10 or 40 providers (`GROWTH_PROVIDERS`), and a session token made as large as asked
//! (`GROWTH_TOKEN_BYTES` of custom session data, added at sign-in).
//!
//! ```text
//! GROWTH_PROVIDERS=40 GROWTH_TOKEN_BYTES=0 NEXTAUTH_SECRET=… PORT=3000 \
//!     cargo run --release --example bench_growth
//! ```
//!
//! Every block has the demo's `demo` / `demo` credentials; the 10- and 40-provider blocks add
//! OAuth 2.0 presets with fixed endpoints and generic `OAuth` providers with literal ones, so
//! nothing is fetched at start-up (no OpenID discovery). Their client secrets are all
//! `GROWTH_CLIENT_SECRET`, a fixed placeholder when unset: no sign-in ever reaches a provider.
//! No block declares a throttle, so a thousand sign-ins in a row are all answered.

use auth_runtime::User;
use auth_runtime::callbacks::{Credentials, JwtParams, JwtTrigger};
use axum::Router;
use serde::{Deserialize, Serialize};

/// The custom session data: filler that makes the token, and so the session cookie, larger.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Padding {
    /// `GROWTH_TOKEN_BYTES` characters, set at sign-in; absent from the token when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filler: String,
}

/// `demo` / `demo`, as in the demo (the untyped form: every block shares this function).
async fn authorize(form: Credentials) -> Option<User> {
    let valid = form.get("username") == Some("demo") && form.get("password") == Some("demo");
    valid.then(|| User::new("1").name("Demo User").email("demo@example.com"))
}

/// At sign-in, fills the token's custom data with `GROWTH_TOKEN_BYTES` characters.
async fn jwt(mut params: JwtParams<Padding>) -> auth_runtime::Token<Padding> {
    if params.trigger == Some(JwtTrigger::SignIn) {
        let bytes = std::env::var("GROWTH_TOKEN_BYTES")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        params.token.data.filler = "x".repeat(bytes);
    }
    params.token
}

/// One provider: the credentials alone.
mod p1 {
    auth_runtime::auth! {
        secret: env("NEXTAUTH_SECRET"),
        session: jwt { max_age: days(30) },
        session_data: crate::Padding,
        providers: {
            credentials: Credentials {
                name: "Credentials",
                fields: { username: text("Username"), password: password("Password") },
                authorize: crate::authorize,
            },
        },
        callbacks: { jwt: crate::jwt },
    }
}

/// Ten providers: the credentials, six presets and three generic OAuth providers.
mod p10 {
    auth_runtime::auth! {
        secret: env("NEXTAUTH_SECRET"),
        session: jwt { max_age: days(30) },
        session_data: crate::Padding,
        providers: {
            credentials: Credentials {
                name: "Credentials",
                fields: { username: text("Username"), password: password("Password") },
                authorize: crate::authorize,
            },
            github: GitHub { client_id: "growth-github", client_secret: env("GROWTH_CLIENT_SECRET") },
            gitlab: GitLab { client_id: "growth-gitlab", client_secret: env("GROWTH_CLIENT_SECRET") },
            discord: Discord { client_id: "growth-discord", client_secret: env("GROWTH_CLIENT_SECRET") },
            spotify: Spotify { client_id: "growth-spotify", client_secret: env("GROWTH_CLIENT_SECRET") },
            facebook: Facebook { client_id: "growth-facebook", client_secret: env("GROWTH_CLIENT_SECRET") },
            atlassian: Atlassian { client_id: "growth-atlassian", client_secret: env("GROWTH_CLIENT_SECRET") },
            custom01: OAuth {
                name: "Custom 01",
                authorization: "https://idp01.example.com/authorize",
                token: "https://idp01.example.com/token",
                userinfo: "https://idp01.example.com/userinfo",
                client_id: "growth-custom01",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom02: OAuth {
                name: "Custom 02",
                authorization: "https://idp02.example.com/authorize",
                token: "https://idp02.example.com/token",
                userinfo: "https://idp02.example.com/userinfo",
                client_id: "growth-custom02",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom03: OAuth {
                name: "Custom 03",
                authorization: "https://idp03.example.com/authorize",
                token: "https://idp03.example.com/token",
                userinfo: "https://idp03.example.com/userinfo",
                client_id: "growth-custom03",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
        },
        callbacks: { jwt: crate::jwt },
    }
}

/// Forty providers: the credentials, every preset with fixed endpoints (25) and fourteen
/// generic OAuth providers.
mod p40 {
    auth_runtime::auth! {
        secret: env("NEXTAUTH_SECRET"),
        session: jwt { max_age: days(30) },
        session_data: crate::Padding,
        providers: {
            credentials: Credentials {
                name: "Credentials",
                fields: { username: text("Username"), password: password("Password") },
                authorize: crate::authorize,
            },
            github: GitHub { client_id: "growth-github", client_secret: env("GROWTH_CLIENT_SECRET") },
            gitlab: GitLab { client_id: "growth-gitlab", client_secret: env("GROWTH_CLIENT_SECRET") },
            discord: Discord { client_id: "growth-discord", client_secret: env("GROWTH_CLIENT_SECRET") },
            spotify: Spotify { client_id: "growth-spotify", client_secret: env("GROWTH_CLIENT_SECRET") },
            facebook: Facebook { client_id: "growth-facebook", client_secret: env("GROWTH_CLIENT_SECRET") },
            atlassian: Atlassian { client_id: "growth-atlassian", client_secret: env("GROWTH_CLIENT_SECRET") },
            bitbucket: Bitbucket { client_id: "growth-bitbucket", client_secret: env("GROWTH_CLIENT_SECRET") },
            "box": Box { client_id: "growth-box", client_secret: env("GROWTH_CLIENT_SECRET") },
            dropbox: Dropbox { client_id: "growth-dropbox", client_secret: env("GROWTH_CLIENT_SECRET") },
            kakao: Kakao { client_id: "growth-kakao", client_secret: env("GROWTH_CLIENT_SECRET") },
            mailchimp: Mailchimp { client_id: "growth-mailchimp", client_secret: env("GROWTH_CLIENT_SECRET") },
            naver: Naver { client_id: "growth-naver", client_secret: env("GROWTH_CLIENT_SECRET") },
            notion: Notion { client_id: "growth-notion", client_secret: env("GROWTH_CLIENT_SECRET") },
            osu: Osu { client_id: "growth-osu", client_secret: env("GROWTH_CLIENT_SECRET") },
            patreon: Patreon { client_id: "growth-patreon", client_secret: env("GROWTH_CLIENT_SECRET") },
            pinterest: Pinterest { client_id: "growth-pinterest", client_secret: env("GROWTH_CLIENT_SECRET") },
            reddit: Reddit { client_id: "growth-reddit", client_secret: env("GROWTH_CLIENT_SECRET") },
            salesforce: Salesforce { client_id: "growth-salesforce", client_secret: env("GROWTH_CLIENT_SECRET") },
            strava: Strava { client_id: "growth-strava", client_secret: env("GROWTH_CLIENT_SECRET") },
            twitter: Twitter { client_id: "growth-twitter", client_secret: env("GROWTH_CLIENT_SECRET") },
            vk: Vk { client_id: "growth-vk", client_secret: env("GROWTH_CLIENT_SECRET") },
            wikimedia: Wikimedia { client_id: "growth-wikimedia", client_secret: env("GROWTH_CLIENT_SECRET") },
            yandex: Yandex { client_id: "growth-yandex", client_secret: env("GROWTH_CLIENT_SECRET") },
            zoho: Zoho { client_id: "growth-zoho", client_secret: env("GROWTH_CLIENT_SECRET") },
            zoom: Zoom { client_id: "growth-zoom", client_secret: env("GROWTH_CLIENT_SECRET") },
            custom01: OAuth {
                name: "Custom 01",
                authorization: "https://idp01.example.com/authorize",
                token: "https://idp01.example.com/token",
                userinfo: "https://idp01.example.com/userinfo",
                client_id: "growth-custom01",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom02: OAuth {
                name: "Custom 02",
                authorization: "https://idp02.example.com/authorize",
                token: "https://idp02.example.com/token",
                userinfo: "https://idp02.example.com/userinfo",
                client_id: "growth-custom02",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom03: OAuth {
                name: "Custom 03",
                authorization: "https://idp03.example.com/authorize",
                token: "https://idp03.example.com/token",
                userinfo: "https://idp03.example.com/userinfo",
                client_id: "growth-custom03",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom04: OAuth {
                name: "Custom 04",
                authorization: "https://idp04.example.com/authorize",
                token: "https://idp04.example.com/token",
                userinfo: "https://idp04.example.com/userinfo",
                client_id: "growth-custom04",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom05: OAuth {
                name: "Custom 05",
                authorization: "https://idp05.example.com/authorize",
                token: "https://idp05.example.com/token",
                userinfo: "https://idp05.example.com/userinfo",
                client_id: "growth-custom05",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom06: OAuth {
                name: "Custom 06",
                authorization: "https://idp06.example.com/authorize",
                token: "https://idp06.example.com/token",
                userinfo: "https://idp06.example.com/userinfo",
                client_id: "growth-custom06",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom07: OAuth {
                name: "Custom 07",
                authorization: "https://idp07.example.com/authorize",
                token: "https://idp07.example.com/token",
                userinfo: "https://idp07.example.com/userinfo",
                client_id: "growth-custom07",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom08: OAuth {
                name: "Custom 08",
                authorization: "https://idp08.example.com/authorize",
                token: "https://idp08.example.com/token",
                userinfo: "https://idp08.example.com/userinfo",
                client_id: "growth-custom08",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom09: OAuth {
                name: "Custom 09",
                authorization: "https://idp09.example.com/authorize",
                token: "https://idp09.example.com/token",
                userinfo: "https://idp09.example.com/userinfo",
                client_id: "growth-custom09",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom10: OAuth {
                name: "Custom 10",
                authorization: "https://idp10.example.com/authorize",
                token: "https://idp10.example.com/token",
                userinfo: "https://idp10.example.com/userinfo",
                client_id: "growth-custom10",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom11: OAuth {
                name: "Custom 11",
                authorization: "https://idp11.example.com/authorize",
                token: "https://idp11.example.com/token",
                userinfo: "https://idp11.example.com/userinfo",
                client_id: "growth-custom11",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom12: OAuth {
                name: "Custom 12",
                authorization: "https://idp12.example.com/authorize",
                token: "https://idp12.example.com/token",
                userinfo: "https://idp12.example.com/userinfo",
                client_id: "growth-custom12",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom13: OAuth {
                name: "Custom 13",
                authorization: "https://idp13.example.com/authorize",
                token: "https://idp13.example.com/token",
                userinfo: "https://idp13.example.com/userinfo",
                client_id: "growth-custom13",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
            custom14: OAuth {
                name: "Custom 14",
                authorization: "https://idp14.example.com/authorize",
                token: "https://idp14.example.com/token",
                userinfo: "https://idp14.example.com/userinfo",
                client_id: "growth-custom14",
                client_secret: env("GROWTH_CLIENT_SECRET"),
            },
        },
        callbacks: { jwt: crate::jwt },
    }
}

/// The variables a block reads: the environment's, with defaults for what a benchmark need not
/// set (the provider secrets, `NEXTAUTH_URL` from the port).
fn var(name: &str, port: u16) -> Option<String> {
    match (name, std::env::var(name)) {
        (_, Ok(value)) => Some(value),
        ("GROWTH_CLIENT_SECRET", Err(_)) => Some("growth-client-secret".to_owned()),
        ("NEXTAUTH_URL", Err(_)) => Some(format!("http://127.0.0.1:{port}")),
        _ => None,
    }
}

/// The auth routes of the block with `providers` providers.
fn app(providers: &str, port: u16) -> Result<Router, Box<dyn std::error::Error>> {
    let vars = |name: &str| var(name, port);
    Ok(match providers {
        "1" => {
            let auth = p1::auth::config_from(&vars)?;
            p1::auth::router(auth.clone()).layer(auth.layer())
        }
        "10" => {
            let auth = p10::auth::config_from(&vars)?;
            p10::auth::router(auth.clone()).layer(auth.layer())
        }
        "40" => {
            let auth = p40::auth::config_from(&vars)?;
            p40::auth::router(auth.clone()).layer(auth.layer())
        }
        other => return Err(format!("GROWTH_PROVIDERS is 1, 10 or 40, not {other:?}").into()),
    })
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
    let providers = std::env::var("GROWTH_PROVIDERS").unwrap_or_else(|_| "1".to_owned());
    let app = app(&providers, port)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    auth_runtime::serve(listener, app).await?;
    Ok(())
}
