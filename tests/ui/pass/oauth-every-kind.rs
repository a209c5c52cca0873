//! Every OAuth and OpenID Connect kind once, with its required fields: each is a runtime
//! preset, builds at start-up without network, and is listed under its default name.
#![deny(missing_docs, warnings)]

use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        google: Google { client_id: env("GOOGLE_ID"), client_secret: env("GOOGLE_SECRET") },
        gitlab: GitLab { client_id: env("GITLAB_ID"), client_secret: env("GITLAB_SECRET") },
        discord: Discord { client_id: env("DISCORD_ID"), client_secret: env("DISCORD_SECRET") },
        auth0: Auth0 {
            issuer: env("AUTH0_ISSUER"),
            client_id: env("AUTH0_ID"),
            client_secret: env("AUTH0_SECRET"),
        },
        keycloak: Keycloak {
            issuer: "https://sso.example.com/realms/staff",
            client_id: env("KEYCLOAK_ID"),
            client_secret: env("KEYCLOAK_SECRET"),
        },
        okta: Okta {
            issuer: env("OKTA_ISSUER"),
            client_id: env("OKTA_ID"),
            client_secret: env("OKTA_SECRET"),
        },
        "azure-ad": AzureAd {
            tenant: "contoso.onmicrosoft.com",
            client_id: env("AZURE_AD_ID"),
            client_secret: env("AZURE_AD_SECRET"),
        },
        twitch: Twitch { client_id: env("TWITCH_ID"), client_secret: env("TWITCH_SECRET") },
        slack: Slack { client_id: env("SLACK_ID"), client_secret: env("SLACK_SECRET") },
        spotify: Spotify { client_id: env("SPOTIFY_ID"), client_secret: env("SPOTIFY_SECRET") },
        linkedin: LinkedIn { client_id: env("LINKEDIN_ID"), client_secret: env("LINKEDIN_SECRET") },
        facebook: Facebook { client_id: env("FACEBOOK_ID"), client_secret: env("FACEBOOK_SECRET") },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
        },
        custom: OAuth {
            authorization: "https://idp.example.com/oauth/authorize",
            token: "https://idp.example.com/oauth/token",
            userinfo: env("CUSTOM_USERINFO"),
            client_id: "public-client-id",
            client_secret: env("CUSTOM_SECRET"),
        },
    },
}

fn main() {
    let names: Vec<(&str, &str)> = auth::PROVIDERS.iter().map(|p| (p.id, p.name)).collect();
    assert_eq!(
        names,
        [
            ("github", "GitHub"),
            ("google", "Google"),
            ("gitlab", "GitLab"),
            ("discord", "Discord"),
            ("auth0", "Auth0"),
            ("keycloak", "Keycloak"),
            ("okta", "Okta"),
            ("azure-ad", "Azure Active Directory"),
            ("twitch", "Twitch"),
            ("slack", "Slack"),
            ("spotify", "Spotify"),
            ("linkedin", "LinkedIn"),
            ("facebook", "Facebook"),
            ("oidc", "OpenID Connect"),
            ("custom", "OAuth"),
        ]
    );
    assert!(
        auth::PROVIDERS
            .iter()
            .all(|p| p.kind.as_str() == "oauth" && !p.optional)
    );
    assert_eq!(auth::ProviderId::AzureAd.as_str(), "azure-ad");

    let vars = |name: &str| -> Option<String> {
        Some(match name {
            "NEXTAUTH_SECRET" => "s".repeat(32),
            _ if name.ends_with("_ISSUER") => "https://idp.example.com".to_owned(),
            "CUSTOM_USERINFO" => "https://idp.example.com/oauth/userinfo".to_owned(),
            _ if name.ends_with("_ID") || name.ends_with("_SECRET") => format!("value of {name}"),
            _ => return None,
        })
    };
    let auth = match auth::config_from(&vars) {
        Ok(auth) => auth,
        Err(e) => panic!("every preset builds: {e}"),
    };
    let ids: Vec<&str> = auth.provider_ids().collect();
    let declared: Vec<&str> = auth::ProviderId::ALL.iter().map(|p| p.as_str()).collect();
    assert_eq!(ids, declared);

    // Every variable is required: the error names each one that is missing.
    let missing = match auth::config_from(&|name| {
        (name != "OKTA_ISSUER" && name != "GITHUB_SECRET")
            .then(|| vars(name))
            .flatten()
    }) {
        Ok(_) => panic!("a required variable is unset"),
        Err(e) => e.to_string(),
    };
    assert!(missing.contains("GITHUB_SECRET"), "{missing}");
    assert!(missing.contains("OKTA_ISSUER"), "{missing}");
}
