//! `#[optional]` OAuth providers are enabled only when their variables are set; the name
//! variable of `env_or` has a default, so it is not one of them.
#![deny(missing_docs, warnings)]

use auth_runtime::callbacks::Credentials;
use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        credentials: Credentials {
            fields: { username: text("Username") },
            authorize: authorize,
        },
        #[optional]
        oidc: Oidc {
            name: env_or("OIDC_NAME", "OpenID Connect"),
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            checks: [state, pkce, nonce],
        },
        #[optional]
        github: GitHub {
            name: "GitHub",
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            scope: "read:user user:email",
            params: { allow_signup: "false" },
            token_auth: client_secret_post,
            checks: [state],
            profile: github_profile,
            allow_dangerous_email_account_linking: false,
        },
    },
}

async fn authorize(_: Credentials) -> Option<User> {
    None
}

fn github_profile(profile: &auth_runtime::profiles::GitHub) -> Option<User> {
    Some(User::new(&profile.id))
}

fn main() {
    let optional: Vec<(&str, &str, bool)> = auth::PROVIDERS
        .iter()
        .map(|p| (p.id, p.name, p.optional))
        .collect();
    assert_eq!(
        optional,
        [
            ("credentials", "Credentials", false),
            ("oidc", "OpenID Connect", true),
            ("github", "GitHub", true),
        ]
    );

    let secret = "s".repeat(32);
    let only_secret = |name: &str| (name == "NEXTAUTH_SECRET").then(|| secret.clone());
    let auth = match auth::config_from(&only_secret) {
        Ok(auth) => auth,
        Err(e) => panic!("unset optional providers are disabled, not errors: {e}"),
    };
    assert_eq!(auth.provider_ids().collect::<Vec<_>>(), ["credentials"]);

    let github_set = |name: &str| match name {
        "GITHUB_ID" | "GITHUB_SECRET" => Some("x".to_owned()),
        // One of the OpenID Connect provider's variables is still unset.
        "OIDC_ISSUER" | "OIDC_CLIENT_ID" => Some("https://idp.example.com".to_owned()),
        _ => only_secret(name),
    };
    let auth = match auth::config_from(&github_set) {
        Ok(auth) => auth,
        Err(e) => panic!("github is enabled: {e}"),
    };
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["credentials", "github"]
    );

    let all_set = |name: &str| match name {
        "OIDC_CLIENT_SECRET" => Some("x".to_owned()),
        _ => github_set(name),
    };
    let auth = match auth::config_from(&all_set) {
        Ok(auth) => auth,
        Err(e) => panic!("every provider is enabled: {e}"),
    };
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["credentials", "oidc", "github"]
    );
}
