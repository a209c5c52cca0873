//! The built-in providers (docs/REST.md §8, next-auth v4 column) as data: endpoints, scope, checks,
//! token authentication, quirks and the profile → [`User`] mapping of each, plus the generic
//! OpenID Connect and OAuth 2.0 ones. [`Preset::params`] lists what each needs at start-up.

use serde_json::Value;

use super::client_secret::SecretSigner;
use super::error::OAuthConfigError;
use super::provider::{Checks, Endpoints, Quirks, TokenAuthMethod, check_url};
use crate::user::User;

/// A built-in provider: the kind written in `auth!` (`GitHub`, `Oidc`…). Its data (endpoints,
/// scope, checks…) is one row of the table that the `auth!` macro checks blocks against, so
/// the two always agree; its profile mapping is `profile_mapping` below.
pub use auth_shared::presets::PresetKind as Preset;

/// A parameter a preset takes at start-up (`issuer`, `tenant`, the generic OAuth URLs, or
/// what signs Apple's client secret).
pub use auth_shared::presets::Param as PresetParam;

/// The start-up parameters of a preset (`issuer`, `tenant`, the generic OAuth URLs, or what
/// signs Apple's client secret). `Debug` never shows the private key.
#[derive(Clone, Default, PartialEq, Eq)]
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
    /// The Apple team id: the signed client secret's issuer.
    pub team_id: Option<String>,
    /// The id of the Apple key signing the client secret.
    pub key_id: Option<String>,
    /// The private key signing the client secret: the text of Apple's `.p8` key file, a
    /// PKCS#8 P-256 key in PEM (newlines may be written as the two characters `\n`).
    pub private_key: Option<String>,
}

impl std::fmt::Debug for PresetParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresetParams")
            .field("issuer", &self.issuer)
            .field("tenant", &self.tenant)
            .field("authorization", &self.authorization)
            .field("token", &self.token)
            .field("userinfo", &self.userinfo)
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
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

    /// Sets `team_id`.
    pub fn team_id(mut self, team_id: impl Into<String>) -> PresetParams {
        self.team_id = Some(team_id.into());
        self
    }

    /// Sets `key_id`.
    pub fn key_id(mut self, key_id: impl Into<String>) -> PresetParams {
        self.key_id = Some(key_id.into());
        self
    }

    /// Sets `private_key`.
    pub fn private_key(mut self, pem: impl Into<String>) -> PresetParams {
        self.private_key = Some(pem.into());
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
            "team_id" => self.team_id.as_deref(),
            "key_id" => self.key_id.as_deref(),
            "private_key" => self.private_key.as_deref(),
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
    /// What signs the client secret, for a preset that signs its own.
    pub(crate) signed_secret: Option<SecretSigner>,
}

/// The definition of `preset` for these parameters, after checking them.
pub(crate) fn definition(
    preset: Preset,
    client_id: &str,
    params: &PresetParams,
) -> Result<Definition, OAuthConfigError> {
    use auth_shared::presets::{ClientSecret as SecretRow, Endpoints as Row, TokenAuth};

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
    let signed_secret = match row.client_secret {
        SecretRow::Issued => None,
        SecretRow::SignedJwt {
            audience,
            lifetime_secs,
        } => {
            let team_id = apple_id(row.id, "team_id", required("team_id")?, "team id")?;
            let key_id = apple_id(row.id, "key_id", required("key_id")?, "key id")?;
            let pem = required("private_key")?;
            let signer = SecretSigner::new(&pem, key_id, team_id, audience, lifetime_secs);
            Some(signer.ok_or(OAuthConfigError::InvalidPrivateKey { preset: row.id })?)
        }
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
        signed_secret,
    })
}

/// An Apple team id or key id, by the shared rule.
fn apple_id(
    preset: &'static str,
    param: &'static str,
    value: String,
    what: &str,
) -> Result<String, OAuthConfigError> {
    match auth_shared::literals::apple_id_problem(&value, what) {
        Some(reason) => Err(OAuthConfigError::InvalidParam {
            preset,
            param,
            reason,
        }),
        None => Ok(value),
    }
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
/// added to the table without one. Most say where each field is ([`pick`]), as next-auth's
/// `profile()` of the provider reads it.
pub(crate) fn profile_mapping(preset: Preset) -> fn(&Value) -> Option<User> {
    const ID: &[&str] = &["/id"];
    const SUB: &[&str] = &["/sub"];
    const NAME: &[&str] = &["/name"];
    const EMAIL: &[&str] = &["/email"];
    const PICTURE: &[&str] = &["/picture"];
    const AVATAR_URL: &[&str] = &["/avatar_url"];
    match preset {
        Preset::GitHub => |p| pick(p, ID, &["/name", "/login"], EMAIL, AVATAR_URL),
        Preset::GitLab => |p| pick(p, ID, &["/name", "/username"], EMAIL, AVATAR_URL),
        Preset::Discord => discord_profile,
        Preset::Auth0 => |p| pick(p, SUB, &["/nickname"], EMAIL, PICTURE),
        // next-auth reads `nickname` only, which OneLogin's ID tokens do not carry.
        Preset::OneLogin => |p| pick(p, SUB, &["/nickname", "/name"], EMAIL, PICTURE),
        Preset::Keycloak | Preset::Okta | Preset::Oidc | Preset::Authentik => {
            |p| pick(p, SUB, &["/name", "/preferred_username"], EMAIL, PICTURE)
        }
        // next-auth v4 fetches a Graph photo for the image; this runtime does not.
        Preset::AzureAd => |p| pick(p, SUB, NAME, EMAIL, &[]),
        Preset::Twitch => |p| pick(p, SUB, &["/preferred_username"], EMAIL, PICTURE),
        Preset::Google
        | Preset::Slack
        | Preset::LinkedIn
        | Preset::Cognito
        | Preset::Line
        | Preset::Zitadel => |p| pick(p, SUB, NAME, EMAIL, PICTURE),
        Preset::Spotify => |p| pick(p, ID, &["/display_name"], EMAIL, &["/images/0/url"]),
        Preset::Facebook => |p| pick(p, ID, NAME, EMAIL, &["/picture/data/url"]),
        Preset::Apple => apple_profile,
        Preset::Atlassian => |p| pick(p, &["/account_id"], NAME, EMAIL, PICTURE),
        Preset::Bitbucket => |p| {
            let name = &["/display_name", "/username"];
            pick(p, &["/account_id"], name, &[], &["/links/avatar/href"])
        },
        Preset::Box => |p| pick(p, ID, NAME, &["/login"], AVATAR_URL),
        Preset::Dropbox => |p| {
            let name = &["/name/display_name"];
            pick(p, &["/account_id"], name, EMAIL, &["/profile_photo_url"])
        },
        Preset::FusionAuth => |p| pick(p, SUB, &["/preferred_username"], EMAIL, &[]),
        Preset::Kakao => |p| {
            let name = &["/kakao_account/profile/nickname"];
            let image = &["/kakao_account/profile/profile_image_url"];
            pick(p, ID, name, &["/kakao_account/email"], image)
        },
        Preset::Mailchimp => |p| {
            let (name, email) = (&["/accountname"], &["/login/email"]);
            pick(p, &["/login/login_id"], name, email, &[])
        },
        Preset::Naver => |p| {
            let (id, name) = (&["/response/id"], &["/response/nickname"]);
            let (email, image) = (&["/response/email"], &["/response/profile_image"]);
            pick(p, id, name, email, image)
        },
        Preset::Notion => |p| pick(p, ID, NAME, &["/person/email"], AVATAR_URL),
        Preset::Osu => |p| pick(p, ID, &["/username"], &[], AVATAR_URL),
        Preset::Patreon => |p| {
            let (id, name) = (&["/data/id"], &["/data/attributes/full_name"]);
            let (email, image) = (&["/data/attributes/email"], &["/data/attributes/image_url"]);
            pick(p, id, name, email, image)
        },
        Preset::Pinterest => |p| pick(p, &["/username"], &["/username"], &[], &["/profile_image"]),
        Preset::Reddit => |p| pick(p, ID, NAME, &[], &[]),
        Preset::Salesforce => |p| pick(p, &["/user_id"], NAME, EMAIL, PICTURE),
        Preset::Strava => |p| {
            let user = pick(p, ID, &[], &[], &["/profile"]);
            named(p, "/firstname", "/lastname", user)
        },
        Preset::Twitter => |p| {
            let image = &["/data/profile_image_url"];
            pick(p, &["/data/id"], &["/data/name"], &[], image)
        },
        Preset::Vk => |p| {
            let user = pick(p, ID, &[], EMAIL, &["/photo_100"]);
            named(p, "/first_name", "/last_name", user)
        },
        Preset::Wikimedia => |p| pick(p, SUB, &["/username"], EMAIL, &[]),
        Preset::Yandex => yandex_profile,
        Preset::Zoho => |p| {
            let user = pick(p, &["/ZUID"], &[], &["/Email"], &[]);
            named(p, "/First_Name", "/Last_Name", user)
        },
        Preset::Zoom => |p| {
            let user = pick(p, ID, &[], EMAIL, &["/pic_url"]);
            named(p, "/first_name", "/last_name", user)
        },
        Preset::OAuth => |p| {
            let image = &["/image", "/picture", "/avatar_url"];
            pick(p, &["/id", "/sub"], NAME, EMAIL, image)
        },
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
            profile: profile_mapping(Preset::Oidc),
            fetch_userinfo: true,
            quirks: Quirks::default(),
            signed_secret: None,
        }
    } else {
        Definition {
            endpoints,
            scope: None,
            params: &[],
            token_auth: TokenAuthMethod::ClientSecretBasic,
            checks: Checks::PKCE_STATE,
            profile: profile_mapping(Preset::OAuth),
            fetch_userinfo: true,
            quirks: Quirks::default(),
            signed_secret: None,
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

/// The first of `pointers` that holds a non-empty string.
fn first_text(profile: &Value, pointers: &[&str]) -> Option<String> {
    pointers.iter().find_map(|pointer| text(profile, pointer))
}

/// An id: a non-empty string, or a number written as NextAuth's `String(id)` would.
fn id(profile: &Value, pointer: &str) -> Option<String> {
    match profile.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The user whose fields are at these JSON pointers, each field the first that holds one;
/// no user without an id.
fn pick(
    profile: &Value,
    ids: &[&str],
    names: &[&str],
    emails: &[&str],
    images: &[&str],
) -> Option<User> {
    Some(User {
        id: ids.iter().find_map(|pointer| id(profile, pointer))?,
        name: first_text(profile, names),
        email: first_text(profile, emails),
        image: first_text(profile, images),
        roles: Vec::new(),
    })
}

/// `user` named by a first and a last name, the parts present joined by a space (next-auth
/// writes `${first} ${last}`, which shows `undefined` for a missing part).
fn named(profile: &Value, first: &str, last: &str, user: Option<User>) -> Option<User> {
    let parts: Vec<String> = [first, last]
        .iter()
        .filter_map(|pointer| text(profile, pointer))
        .collect();
    Some(User {
        name: (!parts.is_empty()).then(|| parts.join(" ")),
        ..user?
    })
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
    Some(User {
        image: Some(image),
        ..pick(p, &["/id"], &["/username"], &["/email"], &[])?
    })
}

/// Apple's ID token names nobody: the name comes once, in the first callback's `user` form
/// field (under `user` in the profile), as a first and a last name. A `name` claim, should
/// one ever come, is taken first. Apple has no avatar.
fn apple_profile(p: &Value) -> Option<User> {
    let user = pick(p, &["/sub"], &["/name"], &["/email"], &[])?;
    if user.name.is_some() {
        return Some(user);
    }
    named(p, "/user/name/firstName", "/user/name/lastName", Some(user))
}

/// Yandex's avatar is an id in its avatar service, unless the user has none.
fn yandex_profile(p: &Value) -> Option<User> {
    let empty = p.get("is_avatar_empty").and_then(Value::as_bool) == Some(true);
    let image = text(p, "/default_avatar_id")
        .filter(|_| !empty)
        .map(|avatar| format!("https://avatars.yandex.net/get-yapic/{avatar}/islands-200"));
    let names = &["/display_name", "/real_name", "/first_name"];
    Some(User {
        image,
        ..pick(p, &["/id"], names, &["/default_email", "/emails/0"], &[])?
    })
}
