// Each `profile:` mapping takes its kind's typed profile: `GitHub`'s own struct, the shared
// OpenID Connect claims for `Oidc` and `Keycloak`, and the raw JSON for the generic `OAuth`.
use auth_runtime::{User, auth, profiles};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub {
            client_id: env("GITHUB_ID"),
            client_secret: env("GITHUB_SECRET"),
            profile: crate::map,
        },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            profile: crate::claims,
        },
        keycloak: Keycloak {
            issuer: env("KEYCLOAK_ISSUER"),
            client_id: env("KEYCLOAK_ID"),
            client_secret: env("KEYCLOAK_SECRET"),
            profile: crate::claims,
        },
        custom: OAuth {
            authorization: "https://idp.example.com/authorize",
            token: "https://idp.example.com/token",
            userinfo: "https://idp.example.com/userinfo",
            client_id: env("CUSTOM_ID"),
            client_secret: env("CUSTOM_SECRET"),
            profile: crate::raw,
        },
    },
}

fn map(profile: &auth_runtime::profiles::GitHub) -> Option<User> {
    Some(User::new(&profile.id).name(&profile.login))
}

fn claims(profile: &profiles::Oidc) -> Option<User> {
    let user = User::new(&profile.sub);
    Some(match &profile.preferred_username {
        Some(name) => user.name(name),
        None => user,
    })
}

fn raw(profile: &serde_json::Value) -> Option<User> {
    Some(User::new(profile.get("uid")?.as_str()?))
}

fn main() {
    let ids: Vec<&str> = auth::PROVIDERS.iter().map(|p| p.id).collect();
    assert_eq!(ids, ["github", "oidc", "keycloak", "custom"]);
}
