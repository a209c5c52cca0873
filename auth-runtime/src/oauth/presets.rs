//! The built-in providers (spec §8, next-auth v4 column) as data: endpoints, scope, checks,
//! token authentication, quirks and the profile → [`User`] mapping of each, plus the generic
//! OpenID Connect and OAuth 2.0 ones. [`Preset::params`] lists what each needs at start-up.

use serde_json::Value;

use super::error::OAuthConfigError;
use super::provider::{Checks, Endpoints, Quirks, TokenAuthMethod, check_url};
use crate::user::User;

/// A built-in provider definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// GitHub (OAuth 2.0; the email falls back to `/user/emails`).
    GitHub,
    /// Google (OpenID Connect, `https://accounts.google.com`).
    Google,
    /// GitLab.com (OAuth 2.0).
    GitLab,
    /// Discord (OAuth 2.0).
    Discord,
    /// Auth0 (OpenID Connect; `issuer` parameter).
    Auth0,
    /// Keycloak (OpenID Connect; `issuer` parameter, the realm URL).
    Keycloak,
    /// Okta (OpenID Connect; `issuer` parameter).
    Okta,
    /// Azure AD / Microsoft Entra ID (OpenID Connect; `tenant` parameter, default `common`).
    AzureAd,
    /// Twitch (OpenID Connect, `https://id.twitch.tv/oauth2`).
    Twitch,
    /// Slack (OpenID Connect, `https://slack.com`).
    Slack,
    /// Spotify (OAuth 2.0).
    Spotify,
    /// LinkedIn (OpenID Connect, `https://www.linkedin.com/oauth`).
    LinkedIn,
    /// Facebook (OAuth 2.0, Graph API v11).
    Facebook,
    /// Any OpenID Connect provider, discovered from its `issuer`.
    Oidc,
    /// Any OAuth 2.0 provider, from its `authorization`, `token` and `userinfo` URLs.
    OAuth,
}

/// A parameter a preset takes at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetParam {
    /// Its name, as in [`PresetParams`] and the `auth!` block.
    pub name: &'static str,
    /// Whether the preset cannot do without it.
    pub required: bool,
}

const ISSUER: &[PresetParam] = &[PresetParam {
    name: "issuer",
    required: true,
}];
const TENANT: &[PresetParam] = &[PresetParam {
    name: "tenant",
    required: false,
}];
const OAUTH_URLS: &[PresetParam] = &[
    PresetParam {
        name: "authorization",
        required: true,
    },
    PresetParam {
        name: "token",
        required: true,
    },
    PresetParam {
        name: "userinfo",
        required: true,
    },
];

/// The start-up parameters of a preset (`issuer`, `tenant`, or the generic OAuth URLs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresetParams {
    /// The issuer URL (Auth0, Keycloak, Okta, generic OpenID Connect).
    pub issuer: Option<String>,
    /// The Azure AD tenant: a tenant id, a domain, `common`, `organizations` or `consumers`.
    pub tenant: Option<String>,
    /// The authorization endpoint (generic OAuth).
    pub authorization: Option<String>,
    /// The token endpoint (generic OAuth).
    pub token: Option<String>,
    /// The userinfo endpoint (generic OAuth).
    pub userinfo: Option<String>,
}

impl PresetParams {
    /// No parameters.
    pub fn new() -> PresetParams {
        PresetParams::default()
    }

    /// Sets `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> PresetParams {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets `tenant`.
    pub fn tenant(mut self, tenant: impl Into<String>) -> PresetParams {
        self.tenant = Some(tenant.into());
        self
    }

    /// Sets `authorization`.
    pub fn authorization(mut self, url: impl Into<String>) -> PresetParams {
        self.authorization = Some(url.into());
        self
    }

    /// Sets `token`.
    pub fn token(mut self, url: impl Into<String>) -> PresetParams {
        self.token = Some(url.into());
        self
    }

    /// Sets `userinfo`.
    pub fn userinfo(mut self, url: impl Into<String>) -> PresetParams {
        self.userinfo = Some(url.into());
        self
    }

    /// The value of a parameter by name, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "issuer" => self.issuer.as_deref(),
            "tenant" => self.tenant.as_deref(),
            "authorization" => self.authorization.as_deref(),
            "token" => self.token.as_deref(),
            "userinfo" => self.userinfo.as_deref(),
            _ => None,
        }
    }

    fn given(&self) -> impl Iterator<Item = &'static str> + '_ {
        ["issuer", "tenant", "authorization", "token", "userinfo"]
            .into_iter()
            .filter(|name| self.get(name).is_some())
    }
}

/// Everything a preset fixes, before the application's overrides.
pub(crate) struct Definition {
    pub(crate) endpoints: Endpoints,
    pub(crate) scope: Option<&'static str>,
    pub(crate) params: &'static [(&'static str, &'static str)],
    pub(crate) token_auth: TokenAuthMethod,
    pub(crate) checks: Checks,
    pub(crate) profile: fn(&Value) -> Option<User>,
    pub(crate) fetch_userinfo: bool,
    pub(crate) quirks: Quirks,
}

impl Definition {
    fn oauth(
        endpoints: Endpoints,
        scope: &'static str,
        profile: fn(&Value) -> Option<User>,
    ) -> Self {
        Definition {
            endpoints,
            scope: Some(scope),
            params: &[],
            token_auth: TokenAuthMethod::ClientSecretBasic,
            checks: Checks::STATE,
            profile,
            fetch_userinfo: true,
            quirks: Quirks::default(),
        }
    }

    /// An OpenID Connect preset: the profile is the ID token's claims, as in next-auth v4.
    fn oidc(issuer: String, scope: &'static str, profile: fn(&Value) -> Option<User>) -> Self {
        Definition {
            endpoints: Endpoints::discovery(issuer),
            scope: Some(scope),
            params: &[],
            token_auth: TokenAuthMethod::ClientSecretBasic,
            checks: Checks::STATE,
            profile,
            fetch_userinfo: false,
            quirks: Quirks::default(),
        }
    }
}

/// Twitch returns the email, picture and login in the ID token only when asked by `claims`.
const TWITCH_CLAIMS: &str =
    r#"{"id_token":{"email":null,"picture":null,"preferred_username":null}}"#;

impl Preset {
    /// Every preset, in documentation order.
    pub const ALL: &'static [Preset] = &[
        Preset::GitHub,
        Preset::Google,
        Preset::GitLab,
        Preset::Discord,
        Preset::Auth0,
        Preset::Keycloak,
        Preset::Okta,
        Preset::AzureAd,
        Preset::Twitch,
        Preset::Slack,
        Preset::Spotify,
        Preset::LinkedIn,
        Preset::Facebook,
        Preset::Oidc,
        Preset::OAuth,
    ];

    /// NextAuth's provider id, also the default id in `/signin/:id` (`github`, `azure-ad`...).
    pub const fn id(self) -> &'static str {
        match self {
            Preset::GitHub => "github",
            Preset::Google => "google",
            Preset::GitLab => "gitlab",
            Preset::Discord => "discord",
            Preset::Auth0 => "auth0",
            Preset::Keycloak => "keycloak",
            Preset::Okta => "okta",
            Preset::AzureAd => "azure-ad",
            Preset::Twitch => "twitch",
            Preset::Slack => "slack",
            Preset::Spotify => "spotify",
            Preset::LinkedIn => "linkedin",
            Preset::Facebook => "facebook",
            Preset::Oidc => "oidc",
            Preset::OAuth => "oauth",
        }
    }

    /// NextAuth's display name (`GitHub`, `Azure Active Directory`...).
    pub const fn name(self) -> &'static str {
        match self {
            Preset::GitHub => "GitHub",
            Preset::Google => "Google",
            Preset::GitLab => "GitLab",
            Preset::Discord => "Discord",
            Preset::Auth0 => "Auth0",
            Preset::Keycloak => "Keycloak",
            Preset::Okta => "Okta",
            Preset::AzureAd => "Azure Active Directory",
            Preset::Twitch => "Twitch",
            Preset::Slack => "Slack",
            Preset::Spotify => "Spotify",
            Preset::LinkedIn => "LinkedIn",
            Preset::Facebook => "Facebook",
            Preset::Oidc => "OpenID Connect",
            Preset::OAuth => "OAuth",
        }
    }

    /// The preset whose [`Preset::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Preset> {
        Preset::ALL.iter().copied().find(|preset| preset.id() == id)
    }

    /// The parameters the preset takes; any other is refused.
    pub const fn params(self) -> &'static [PresetParam] {
        match self {
            Preset::Auth0 | Preset::Keycloak | Preset::Okta | Preset::Oidc => ISSUER,
            Preset::AzureAd => TENANT,
            Preset::OAuth => OAUTH_URLS,
            _ => &[],
        }
    }

    /// The names of the parameters the preset cannot do without.
    pub const fn required_params(self) -> &'static [&'static str] {
        match self {
            Preset::Auth0 | Preset::Keycloak | Preset::Okta | Preset::Oidc => &["issuer"],
            Preset::OAuth => &["authorization", "token", "userinfo"],
            _ => &[],
        }
    }

    /// Whether the preset is an OpenID Connect provider (its ID tokens are verified).
    pub const fn is_oidc(self) -> bool {
        !matches!(
            self,
            Preset::GitHub
                | Preset::GitLab
                | Preset::Discord
                | Preset::Spotify
                | Preset::Facebook
                | Preset::OAuth
        )
    }

    /// The preset's own profile mapping.
    pub(crate) fn profile_mapping(self) -> fn(&Value) -> Option<User> {
        match self {
            Preset::GitHub => github_profile,
            Preset::GitLab => gitlab_profile,
            Preset::Discord => discord_profile,
            Preset::Auth0 => auth0_profile,
            Preset::Keycloak | Preset::Okta | Preset::Oidc => oidc_profile,
            Preset::AzureAd => azure_ad_profile,
            Preset::Twitch => twitch_profile,
            Preset::Google | Preset::Slack | Preset::LinkedIn => sub_name_picture_profile,
            Preset::Spotify => spotify_profile,
            Preset::Facebook => facebook_profile,
            Preset::OAuth => oauth_profile,
        }
    }

    /// The definition for these parameters, after checking them.
    pub(crate) fn definition(
        self,
        client_id: &str,
        params: &PresetParams,
    ) -> Result<Definition, OAuthConfigError> {
        self.check_params(params)?;
        let required = |name: &'static str| {
            params
                .get(name)
                .map(str::to_owned)
                .ok_or(OAuthConfigError::MissingParam {
                    preset: self.id(),
                    param: name,
                })
        };
        let profile = self.profile_mapping();
        Ok(match self {
            Preset::GitHub => {
                let mut d = Definition::oauth(
                    Endpoints::Manual {
                        authorization: "https://github.com/login/oauth/authorize".into(),
                        token: "https://github.com/login/oauth/access_token".into(),
                        userinfo: Some("https://api.github.com/user".into()),
                        issuer: Some("https://github.com/login/oauth".into()),
                        jwks_uri: None,
                    },
                    "read:user user:email",
                    profile,
                );
                d.quirks.emails_endpoint = Some("https://api.github.com/user/emails".into());
                d
            }
            Preset::Google => {
                let mut d = Definition::oidc(
                    "https://accounts.google.com".into(),
                    "openid email profile",
                    profile,
                );
                d.checks = Checks::PKCE_STATE;
                d
            }
            Preset::GitLab => {
                let mut d = Definition::oauth(
                    Endpoints::oauth(
                        "https://gitlab.com/oauth/authorize",
                        "https://gitlab.com/oauth/token",
                        "https://gitlab.com/api/v4/user",
                    ),
                    "read_user",
                    profile,
                );
                d.checks = Checks::PKCE_STATE;
                d
            }
            Preset::Discord => Definition::oauth(
                Endpoints::oauth(
                    "https://discord.com/api/oauth2/authorize",
                    "https://discord.com/api/oauth2/token",
                    "https://discord.com/api/users/@me",
                ),
                "identify email",
                profile,
            ),
            Preset::Auth0 | Preset::Keycloak => {
                let mut d = Definition::oidc(required("issuer")?, "openid email profile", profile);
                d.checks = Checks::PKCE_STATE;
                d
            }
            Preset::Okta => Definition::oidc(required("issuer")?, "openid email profile", profile),
            Preset::AzureAd => {
                let tenant = params.tenant.as_deref().unwrap_or("common");
                check_tenant(tenant)?;
                let issuer = format!("https://login.microsoftonline.com/{tenant}/v2.0");
                let appid: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
                let mut d = Definition::oidc(issuer.clone(), "openid profile email", profile);
                d.endpoints = Endpoints::Discovery {
                    well_known: Some(format!(
                        "{issuer}/.well-known/openid-configuration?appid={appid}"
                    )),
                    issuer,
                };
                d.quirks.trust_discovered_issuer = true;
                d
            }
            Preset::Twitch => {
                let mut d = Definition::oidc(
                    "https://id.twitch.tv/oauth2".into(),
                    "openid user:read:email",
                    profile,
                );
                d.params = &[("claims", TWITCH_CLAIMS)];
                // Twitch's token endpoint takes the credentials in the body only.
                d.token_auth = TokenAuthMethod::ClientSecretPost;
                d.quirks.client_id_header = true;
                d.quirks.unwrap_data = true;
                d
            }
            Preset::Slack => {
                Definition::oidc("https://slack.com".into(), "openid profile email", profile)
            }
            Preset::Spotify => Definition::oauth(
                Endpoints::oauth(
                    "https://accounts.spotify.com/authorize",
                    "https://accounts.spotify.com/api/token",
                    "https://api.spotify.com/v1/me",
                ),
                "user-read-email",
                profile,
            ),
            Preset::LinkedIn => {
                let mut d = Definition::oidc(
                    "https://www.linkedin.com/oauth".into(),
                    "openid profile email",
                    profile,
                );
                d.token_auth = TokenAuthMethod::ClientSecretPost;
                d
            }
            Preset::Facebook => Definition::oauth(
                Endpoints::oauth(
                    "https://www.facebook.com/v11.0/dialog/oauth",
                    "https://graph.facebook.com/oauth/access_token",
                    "https://graph.facebook.com/me?fields=id,name,email,picture",
                ),
                "email",
                profile,
            ),
            Preset::Oidc => generic(Endpoints::discovery(required("issuer")?)),
            Preset::OAuth => generic(Endpoints::oauth(
                required("authorization")?,
                required("token")?,
                required("userinfo")?,
            )),
        })
    }

    /// Refuses parameters the preset does not take; missing ones are found by `definition`.
    fn check_params(self, params: &PresetParams) -> Result<(), OAuthConfigError> {
        let accepted = self.params();
        for name in params.given() {
            if !accepted.iter().any(|param| param.name == name) {
                let expected = if accepted.is_empty() {
                    "none".to_owned()
                } else {
                    accepted
                        .iter()
                        .map(|param| format!("`{}`", param.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return Err(OAuthConfigError::UnexpectedParam {
                    preset: self.id(),
                    param: name,
                    expected,
                });
            }
        }
        Ok(())
    }
}

/// The generic providers: OpenID Connect gets every check and merges userinfo over the ID
/// token; plain OAuth gets `state` and PKCE, and no scope unless the application sets one.
pub(crate) fn generic(endpoints: Endpoints) -> Definition {
    if endpoints.is_oidc() {
        Definition {
            endpoints,
            scope: Some("openid email profile"),
            params: &[],
            token_auth: TokenAuthMethod::ClientSecretBasic,
            checks: Checks::ALL,
            profile: oidc_profile,
            fetch_userinfo: true,
            quirks: Quirks::default(),
        }
    } else {
        Definition {
            endpoints,
            scope: None,
            params: &[],
            token_auth: TokenAuthMethod::ClientSecretBasic,
            checks: Checks::PKCE_STATE,
            profile: oauth_profile,
            fetch_userinfo: true,
            quirks: Quirks::default(),
        }
    }
}

/// A tenant goes into a URL path: one segment of letters, digits, `.`, `-` and `_`.
fn check_tenant(tenant: &str) -> Result<(), OAuthConfigError> {
    let ok = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        // Also a valid URL once in place.
        check_url(
            "tenant",
            &format!("https://login.microsoftonline.com/{tenant}/v2.0"),
        )?;
        Ok(())
    } else {
        Err(OAuthConfigError::InvalidUrl {
            what: "tenant",
            reason: "expected a tenant id, a domain, `common`, `organizations` or `consumers`"
                .to_owned(),
        })
    }
}

// Profile mappings. JavaScript's `a || b` treats "" as missing, so empty strings are too.

/// A non-empty string field.
fn text(profile: &Value, pointer: &str) -> Option<String> {
    profile
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// An id: a non-empty string, or a number written as NextAuth's `String(id)` would.
fn id(profile: &Value, pointer: &str) -> Option<String> {
    match profile.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn user(
    id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    image: Option<String>,
) -> Option<User> {
    Some(User {
        id: id?,
        name,
        email,
        image,
    })
}

fn github_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/id"),
        text(p, "/name").or_else(|| text(p, "/login")),
        text(p, "/email"),
        text(p, "/avatar_url"),
    )
}

fn gitlab_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/id"),
        text(p, "/name").or_else(|| text(p, "/username")),
        text(p, "/email"),
        text(p, "/avatar_url"),
    )
}

/// Discord's avatar: the uploaded one (`a_` hashes are animated GIFs), else the default
/// avatar numbered by the discriminator modulo 5, as next-auth v4 computes it.
fn discord_profile(p: &Value) -> Option<User> {
    let user_id = id(p, "/id")?;
    let image = match text(p, "/avatar") {
        Some(avatar) => {
            let format = if avatar.starts_with("a_") {
                "gif"
            } else {
                "png"
            };
            format!("https://cdn.discordapp.com/avatars/{user_id}/{avatar}.{format}")
        }
        None => {
            let discriminator = p
                .get("discriminator")
                .and_then(Value::as_str)
                .and_then(|d| d.parse::<u64>().ok())
                .unwrap_or(0);
            format!(
                "https://cdn.discordapp.com/embed/avatars/{}.png",
                discriminator % 5
            )
        }
    };
    user(
        Some(user_id),
        text(p, "/username"),
        text(p, "/email"),
        Some(image),
    )
}

fn auth0_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/sub"),
        text(p, "/nickname"),
        text(p, "/email"),
        text(p, "/picture"),
    )
}

fn oidc_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/sub"),
        text(p, "/name").or_else(|| text(p, "/preferred_username")),
        text(p, "/email"),
        text(p, "/picture"),
    )
}

/// next-auth v4 fetches a Graph photo for the image; this runtime does not (image `null`).
fn azure_ad_profile(p: &Value) -> Option<User> {
    user(id(p, "/sub"), text(p, "/name"), text(p, "/email"), None)
}

fn twitch_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/sub"),
        text(p, "/preferred_username"),
        text(p, "/email"),
        text(p, "/picture"),
    )
}

fn sub_name_picture_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/sub"),
        text(p, "/name"),
        text(p, "/email"),
        text(p, "/picture"),
    )
}

fn spotify_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/id"),
        text(p, "/display_name"),
        text(p, "/email"),
        text(p, "/images/0/url"),
    )
}

fn facebook_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/id"),
        text(p, "/name"),
        text(p, "/email"),
        text(p, "/picture/data/url"),
    )
}

fn oauth_profile(p: &Value) -> Option<User> {
    user(
        id(p, "/id").or_else(|| id(p, "/sub")),
        text(p, "/name"),
        text(p, "/email"),
        text(p, "/image")
            .or_else(|| text(p, "/picture"))
            .or_else(|| text(p, "/avatar_url")),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::oauth::provider::OAuthProvider;

    fn map(preset: Preset, profile: Value) -> Option<User> {
        preset.profile_mapping()(&profile)
    }

    fn expect(id: &str, name: Option<&str>, email: Option<&str>, image: Option<&str>) -> User {
        User {
            id: id.to_owned(),
            name: name.map(str::to_owned),
            email: email.map(str::to_owned),
            image: image.map(str::to_owned),
        }
    }

    #[test]
    fn github_maps_a_numeric_id_and_falls_back_to_the_login() {
        let profile = json!({"id": 583231, "login": "octocat", "name": null,
            "email": "octo@github.com", "avatar_url": "https://avatars.githubusercontent.com/u/583231"});
        assert_eq!(
            map(Preset::GitHub, profile),
            Some(expect(
                "583231",
                Some("octocat"),
                Some("octo@github.com"),
                Some("https://avatars.githubusercontent.com/u/583231")
            ))
        );
        let named = json!({"id": 1, "login": "octocat", "name": "The Octocat"});
        assert_eq!(
            map(Preset::GitHub, named).and_then(|u| u.name),
            Some("The Octocat".to_owned())
        );
    }

    #[test]
    fn google_slack_and_linkedin_map_sub_name_email_picture() {
        for preset in [Preset::Google, Preset::Slack, Preset::LinkedIn] {
            let claims = json!({"sub": "1093", "name": "Ann", "email": "ann@example.com",
                "picture": "https://img.example/ann.png", "email_verified": true});
            assert_eq!(
                map(preset, claims),
                Some(expect(
                    "1093",
                    Some("Ann"),
                    Some("ann@example.com"),
                    Some("https://img.example/ann.png")
                )),
                "{preset:?}"
            );
        }
    }

    #[test]
    fn gitlab_prefers_the_name_over_the_username() {
        let profile = json!({"id": 42, "username": "ann", "name": "", "email": "a@x.io",
            "avatar_url": "https://gitlab.com/a.png"});
        assert_eq!(
            map(Preset::GitLab, profile),
            Some(expect(
                "42",
                Some("ann"),
                Some("a@x.io"),
                Some("https://gitlab.com/a.png")
            ))
        );
    }

    #[test]
    fn discord_builds_the_avatar_url() {
        let animated = json!({"id": "80351110224678912", "username": "Nelly", "avatar": "a_8342729096ea3675442027381ff50dfe", "discriminator": "1337", "email": "nelly@discord.com"});
        assert_eq!(
            map(Preset::Discord, animated).and_then(|u| u.image),
            Some("https://cdn.discordapp.com/avatars/80351110224678912/a_8342729096ea3675442027381ff50dfe.gif".to_owned())
        );
        let still = json!({"id": "8", "username": "N", "avatar": "8342", "discriminator": "0"});
        assert_eq!(
            map(Preset::Discord, still).and_then(|u| u.image),
            Some("https://cdn.discordapp.com/avatars/8/8342.png".to_owned())
        );
        let default = json!({"id": "8", "username": "N", "avatar": null, "discriminator": "1337"});
        let user = map(Preset::Discord, default).unwrap();
        assert_eq!(
            user.image.as_deref(),
            Some("https://cdn.discordapp.com/embed/avatars/2.png")
        );
        assert_eq!(user.name.as_deref(), Some("N"));
    }

    #[test]
    fn auth0_uses_the_nickname() {
        let claims = json!({"sub": "auth0|1", "nickname": "ann", "name": "ann@x.io", "email": "ann@x.io", "picture": "https://s.gravatar.com/a.png"});
        assert_eq!(
            map(Preset::Auth0, claims),
            Some(expect(
                "auth0|1",
                Some("ann"),
                Some("ann@x.io"),
                Some("https://s.gravatar.com/a.png")
            ))
        );
    }

    #[test]
    fn keycloak_okta_and_generic_oidc_fall_back_to_preferred_username() {
        for preset in [Preset::Keycloak, Preset::Okta, Preset::Oidc] {
            let claims = json!({"sub": "f:1", "preferred_username": "ann", "email": "Ann@X.io"});
            assert_eq!(
                map(preset, claims),
                Some(expect("f:1", Some("ann"), Some("Ann@X.io"), None)),
                "{preset:?}"
            );
        }
    }

    #[test]
    fn azure_ad_has_no_image() {
        let claims = json!({"sub": "AAAA", "name": "Ann", "email": "ann@contoso.com", "picture": "https://x/p.png", "tid": "t"});
        assert_eq!(
            map(Preset::AzureAd, claims),
            Some(expect("AAAA", Some("Ann"), Some("ann@contoso.com"), None))
        );
    }

    #[test]
    fn twitch_uses_the_preferred_username() {
        let claims = json!({"sub": "713936733", "preferred_username": "ann_tv", "email": "a@x.io", "picture": "https://static-cdn.jtvnw.net/a.png"});
        assert_eq!(
            map(Preset::Twitch, claims),
            Some(expect(
                "713936733",
                Some("ann_tv"),
                Some("a@x.io"),
                Some("https://static-cdn.jtvnw.net/a.png")
            ))
        );
    }

    #[test]
    fn spotify_takes_the_first_image() {
        let profile = json!({"id": "wizzler", "display_name": "JM Wizzler", "email": "e@x.io",
            "images": [{"url": "https://i.scdn.co/a.jpg", "height": 64}, {"url": "https://i.scdn.co/b.jpg"}]});
        assert_eq!(
            map(Preset::Spotify, profile),
            Some(expect(
                "wizzler",
                Some("JM Wizzler"),
                Some("e@x.io"),
                Some("https://i.scdn.co/a.jpg")
            ))
        );
        let no_images = json!({"id": "w", "images": []});
        assert_eq!(map(Preset::Spotify, no_images).unwrap().image, None);
    }

    #[test]
    fn facebook_takes_the_picture_data_url() {
        let profile = json!({"id": "10158", "name": "Ann", "email": "a@x.io",
            "picture": {"data": {"height": 50, "is_silhouette": false, "url": "https://platform-lookaside.fbsbx.com/a", "width": 50}}});
        assert_eq!(
            map(Preset::Facebook, profile),
            Some(expect(
                "10158",
                Some("Ann"),
                Some("a@x.io"),
                Some("https://platform-lookaside.fbsbx.com/a")
            ))
        );
    }

    #[test]
    fn generic_oauth_takes_id_or_sub_and_any_image_field() {
        let with_id = json!({"id": 7, "name": "Ann", "avatar_url": "https://x/a.png"});
        assert_eq!(
            map(Preset::OAuth, with_id),
            Some(expect("7", Some("Ann"), None, Some("https://x/a.png")))
        );
        let with_sub = json!({"sub": "s-1", "picture": "https://x/p.png", "image": ""});
        assert_eq!(
            map(Preset::OAuth, with_sub),
            Some(expect("s-1", None, None, Some("https://x/p.png")))
        );
    }

    #[test]
    fn a_profile_without_id_maps_to_no_user() {
        for preset in Preset::ALL {
            assert_eq!(
                map(*preset, json!({"name": "Ann", "id": null, "sub": ""})),
                None,
                "{preset:?}"
            );
        }
    }

    #[test]
    fn presets_check_their_parameters() {
        let none = PresetParams::new();
        assert_eq!(
            OAuthProvider::preset(Preset::Keycloak, "c", "s", &none).unwrap_err(),
            OAuthConfigError::MissingParam {
                preset: "keycloak",
                param: "issuer"
            }
        );
        let stray = PresetParams::new().issuer("https://idp.example");
        assert!(matches!(
            OAuthProvider::preset(Preset::GitHub, "c", "s", &stray),
            Err(OAuthConfigError::UnexpectedParam {
                preset: "github",
                param: "issuer",
                ..
            })
        ));
        assert!(
            OAuthProvider::preset(
                Preset::AzureAd,
                "c",
                "s",
                &PresetParams::new().tenant("a/b")
            )
            .is_err()
        );
        for preset in Preset::ALL {
            for name in preset.required_params() {
                assert!(
                    preset
                        .params()
                        .iter()
                        .any(|p| p.name == *name && p.required),
                    "{preset:?} {name}"
                );
            }
            assert_eq!(Preset::from_id(preset.id()), Some(*preset));
        }
    }

    #[test]
    fn every_preset_builds_with_its_parameters() {
        for preset in Preset::ALL {
            let mut params = PresetParams::new();
            for param in preset.params() {
                params = match param.name {
                    "issuer" => params.issuer("https://idp.example/realms/x"),
                    "tenant" => params.tenant("contoso.onmicrosoft.com"),
                    other => match other {
                        "authorization" => params.authorization("https://idp.example/authorize"),
                        "token" => params.token("https://idp.example/token"),
                        _ => params.userinfo("https://idp.example/me"),
                    },
                };
            }
            let provider = OAuthProvider::preset(*preset, "client id", "secret", &params)
                .unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            assert_eq!(provider.is_oidc(), preset.is_oidc(), "{preset:?}");
        }
    }

    #[test]
    fn azure_ad_discovers_from_the_tenant_with_the_app_id() {
        let provider =
            OAuthProvider::preset(Preset::AzureAd, "my app", "s", &PresetParams::new()).unwrap();
        assert_eq!(
            provider.endpoints(),
            &Endpoints::Discovery {
                issuer: "https://login.microsoftonline.com/common/v2.0".into(),
                well_known: Some(
                    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration?appid=my+app"
                        .into()
                ),
            }
        );
    }
}
