//! The app the OAuth tests drive: an `auth!` block with an OpenID provider by each token
//! auth method, one with a typed `profile:` mapping, and a plain OAuth provider, all pointing
//! at the test's `oidc-provider`.

// A test helper reports a failure by panicking, with the detail.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use auth_runtime::{User, auth, profiles};
use axum::http::StatusCode;

use crate::client::{Answer, Client, vars};
use crate::oidc::{self, OidcProvider};

/// Where the app serves its auth routes.
pub const BASE: &str = "/api/auth";
/// The app's `NEXTAUTH_SECRET`, which seals its sessions and check cookies.
pub const NEXTAUTH_SECRET: &str = "oauth-flow-secret-3e9d7c1b5a2f8e4d";
/// The app's `NEXTAUTH_URL`, which the provider redirects back to.
pub const ORIGIN: &str = "http://127.0.0.1:3000";

auth! {
    module: app,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        oidc: Oidc {
            name: "Test OP",
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
        },
        oidc_post: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_POST_ID"),
            client_secret: env("OIDC_POST_SECRET"),
            token_auth: client_secret_post,
        },
        typed: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            profile: typed_user,
        },
        plain: OAuth {
            authorization: env("PLAIN_AUTHORIZATION"),
            token: env("PLAIN_TOKEN"),
            userinfo: env("PLAIN_USERINFO"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            scope: "openid email profile",
        },
    },
}

/// The `typed` provider's mapping, over the peer's claims as [`profiles::Oidc`]: each field
/// it reads shows in the session (`sub` in the image URL), and only a verified email is kept.
pub fn typed_user(claims: &profiles::Oidc) -> Option<User> {
    let name = claims.name.as_deref()?;
    let username = claims.preferred_username.as_deref()?;
    let user = User::new(&claims.sub)
        .name(format!("{name} ({username})"))
        .image(format!("https://avatars.example/{}", claims.sub));
    Some(match (&claims.email, claims.email_verified) {
        (Some(email), Some(true)) => user.email(email),
        _ => user,
    })
}

/// One provider for the whole test binary; it exits with the process (its stdin closes).
pub fn provider() -> &'static OidcProvider {
    static PROVIDER: OnceLock<OidcProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        let uris: Vec<String> = ["oidc", "oidc_post", "typed", "plain"]
            .iter()
            .map(|id| format!("{ORIGIN}{BASE}/callback/{id}"))
            .collect();
        OidcProvider::start(&uris)
    })
}

/// The app's variables for a provider at `issuer`, the basic client authenticating with `basic_secret` (a wrong one makes the token request fail).
pub fn env_for(issuer: &str, basic_secret: &str) -> Vec<(String, String)> {
    [
        ("NEXTAUTH_SECRET", NEXTAUTH_SECRET),
        ("NEXTAUTH_URL", ORIGIN),
        ("OIDC_ISSUER", issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", basic_secret),
        ("OIDC_POST_ID", oidc::POST_CLIENT_ID),
        ("OIDC_POST_SECRET", oidc::POST_CLIENT_SECRET),
        ("PLAIN_AUTHORIZATION", &format!("{issuer}/auth")),
        ("PLAIN_TOKEN", &format!("{issuer}/token")),
        ("PLAIN_USERINFO", &format!("{issuer}/me")),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A client of the app configured from `env`.
pub fn client_with(env: Vec<(String, String)>) -> Client {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let auth = app::config_from(&vars(&pairs)).expect("config");
    Client::new(app::router(auth.clone()).layer(auth.layer()))
}

/// A client of the app on the binary's [`provider`].
pub fn client() -> Client {
    client_with(env_for(&provider().issuer, oidc::BASIC_CLIENT_SECRET))
}

/// `POST /signin/<id>` in JSON mode: the provider's authorization URL.
pub async fn start(client: &mut Client, id: &str) -> String {
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signin/{id}"),
            &format!("csrfToken={token}&callbackUrl=%2Fhome&json=true"),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["url"].as_str().unwrap().to_owned()
}

/// The app-relative part of the provider's redirect back to us.
pub fn path_of(callback: &str) -> String {
    callback.strip_prefix(ORIGIN).unwrap().to_owned()
}

/// Replaces (or removes, with `None`) one query parameter of a callback path.
pub fn with_param(path: &str, key: &str, value: Option<&str>) -> String {
    let mut url = url::Url::parse(&format!("{ORIGIN}{path}")).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        if let Some(value) = value {
            query.append_pair(key, value);
        }
    }
    path_of(url.as_str())
}

/// `answer` is the redirect to `error?error=OAuthCallback`, without a session cookie.
pub fn assert_oauth_callback_error(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/error?error=OAuthCallback")
    );
    assert!(answer.set_cookie("next-auth.session-token").is_none());
}
