//! The built-in providers (spec §8, next-auth v4 column) as data: endpoints, scope, checks,
//! token authentication, quirks and the profile → [`User`] mapping of each, plus the generic
//! OpenID Connect and OAuth 2.0 ones. [`Preset::params`] lists what each needs at start-up.

use serde_json::Value;

use super::error::OAuthConfigError;
use super::provider::{Checks, Endpoints, Quirks, TokenAuthMethod, check_url};
use crate::user::User;

/// A built-in provider: the kind written in `auth!` (`GitHub`, `Oidc`…). Its data (endpoints,
/// scope, checks…) is one row of the table that the `auth!` macro checks blocks against, so
/// the two always agree; its profile mapping is [`profile_mapping`] below.
pub use auth_shared::presets::PresetKind as Preset;

/// A parameter a preset takes at start-up (`issuer`, `tenant`, or the generic OAuth URLs).
pub use auth_shared::presets::Param as PresetParam;

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
        auth_shared::presets::PARAM_NAMES
            .iter()
            .copied()
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

/// The definition of `preset` for these parameters, after checking them.
pub(crate) fn definition(
    preset: Preset,
    client_id: &str,
    params: &PresetParams,
) -> Result<Definition, OAuthConfigError> {
    use auth_shared::presets::{Endpoints as Row, TokenAuth};

    let row = preset.preset();
    check_params(row, params)?;
    let required = |name: &'static str| {
        params
            .get(name)
            .map(str::to_owned)
            .ok_or(OAuthConfigError::MissingParam {
                preset: row.id,
                param: name,
            })
    };
    let mut trust_discovered_issuer = false;
    let endpoints = match row.endpoints {
        Row::Fixed {
            authorization,
            token,
            userinfo,
            issuer,
        } => Endpoints::Manual {
            authorization: authorization.into(),
            token: token.into(),
            userinfo: userinfo.map(Into::into),
            issuer: issuer.map(Into::into),
            jwks_uri: None,
        },
        Row::Discovery { issuer } => Endpoints::discovery(issuer),
        Row::DiscoveryFromIssuerParam => Endpoints::discovery(required("issuer")?),
        Row::DiscoveryPerTenant {
            issuer,
            default_tenant,
        } => {
            let tenant = params.tenant.as_deref().unwrap_or(default_tenant);
            check_tenant(tenant)?;
            let issuer = issuer.replace("{tenant}", tenant);
            let appid: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
            // The `common` tenant announces a `{tenantid}` template as its issuer.
            trust_discovered_issuer = true;
            Endpoints::Discovery {
                well_known: Some(format!(
                    "{issuer}/.well-known/openid-configuration?appid={appid}"
                )),
                issuer,
            }
        }
        Row::FromParams => Endpoints::oauth(
            required("authorization")?,
            required("token")?,
            required("userinfo")?,
        ),
    };
    Ok(Definition {
        endpoints,
        scope: row.scope,
        params: row.authorization_params,
        token_auth: match row.token_auth {
            TokenAuth::ClientSecretBasic => TokenAuthMethod::ClientSecretBasic,
            TokenAuth::ClientSecretPost => TokenAuthMethod::ClientSecretPost,
        },
        checks: row.checks,
        profile: profile_mapping(preset),
        fetch_userinfo: row.fetch_userinfo,
        quirks: Quirks {
            row: row.quirks,
            emails_endpoint: row.quirks.emails_endpoint.map(Into::into),
            trust_discovered_issuer,
        },
    })
}

/// Refuses parameters the preset does not take; missing ones are found by `definition`.
fn check_params(
    row: &auth_shared::presets::Preset,
    params: &PresetParams,
) -> Result<(), OAuthConfigError> {
    for name in params.given() {
        if row.param(name).is_none() {
            let expected = if row.params.is_empty() {
                "none".to_owned()
            } else {
                row.params
                    .iter()
                    .map(|param| format!("`{}`", param.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(OAuthConfigError::UnexpectedParam {
                preset: row.id,
                param: name,
                expected,
            });
        }
    }
    Ok(())
}

/// The preset's own profile mapping: one per kind, matched exhaustively so a preset cannot be
/// added to the table without one.
pub(crate) fn profile_mapping(preset: Preset) -> fn(&Value) -> Option<User> {
    match preset {
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

/// A tenant goes into a URL path: the shared rule, then the URL it makes.
fn check_tenant(tenant: &str) -> Result<(), OAuthConfigError> {
    if let Some(reason) = auth_shared::literals::tenant_problem(tenant) {
        return Err(OAuthConfigError::InvalidUrl {
            what: "tenant",
            reason,
        });
    }
    check_url(
        "tenant",
        &format!("https://login.microsoftonline.com/{tenant}/v2.0"),
    )?;
    Ok(())
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

    fn all_presets() -> impl Iterator<Item = Preset> {
        auth_shared::presets::PRESETS.iter().map(|row| row.kind)
    }

    fn preset_by_id(id: &str) -> Option<Preset> {
        auth_shared::presets::Preset::by_id(id).map(|row| row.kind)
    }

    fn map(preset: Preset, profile: Value) -> Option<User> {
        profile_mapping(preset)(&profile)
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
        for preset in all_presets() {
            assert_eq!(
                map(preset, json!({"name": "Ann", "id": null, "sub": ""})),
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
        for preset in all_presets() {
            assert_eq!(preset_by_id(preset.id()), Some(preset));
        }
    }

    #[test]
    fn every_preset_builds_with_its_parameters() {
        for preset in all_presets() {
            let mut params = PresetParams::new();
            for param in preset.preset().params {
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
            let provider = OAuthProvider::preset(preset, "client id", "secret", &params)
                .unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            assert_eq!(provider.is_oidc(), preset.preset().is_oidc(), "{preset:?}");
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
