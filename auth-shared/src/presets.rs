//! The built-in OAuth 2.0 and OpenID Connect providers as data, one [`Preset`] row each:
//! the kind written in `auth!`, NextAuth's id and display name, the protocol, what each takes
//! at start-up, its endpoints, scope, checks and token-endpoint authentication, whether its
//! profile vouches for the email address, and its quirks.
//!
//! The macro reads the table to check a block (which kinds exist, which fields each takes);
//! the runtime reads it to build the provider. The profile mapping of each kind lives in the
//! runtime, matched exhaustively on [`PresetKind`], so a row without a mapping does not
//! compile; so does the shape of its profile, `auth_runtime::profiles::<kind_name>`, the type
//! a `profile:` mapping takes.

/// A built-in provider, as written in `auth!` (`github: GitHub { … }`).
///
/// Exhaustive on purpose: the runtime matches on it for each kind's profile mapping, so a
/// new row without a mapping fails to compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresetKind {
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
    /// Facebook (OAuth 2.0, Graph API v23.0).
    Facebook,
    /// Sign in with Apple (OpenID Connect, `https://appleid.apple.com`; the client secret is an
    /// ES256 JWT signed with the `private_key` parameter).
    Apple,
    /// Atlassian (OAuth 2.0, `api.atlassian.com`).
    Atlassian,
    /// authentik (OpenID Connect; `issuer` parameter).
    Authentik,
    /// Bitbucket Cloud (OAuth 2.0).
    Bitbucket,
    /// Box (OAuth 2.0).
    Box,
    /// Amazon Cognito (OpenID Connect; `issuer` parameter, the user pool's URL).
    Cognito,
    /// Dropbox (OAuth 2.0; the profile is asked for with a POST).
    Dropbox,
    /// FusionAuth (OpenID Connect; `issuer` parameter).
    FusionAuth,
    /// Kakao (OAuth 2.0).
    Kakao,
    /// LINE (OpenID Connect, `https://access.line.me`; ID tokens signed with the secret).
    Line,
    /// Mailchimp (OAuth 2.0).
    Mailchimp,
    /// Naver (OAuth 2.0).
    Naver,
    /// Notion (OAuth 2.0; a JSON token request, the profile is the integration's owner).
    Notion,
    /// OneLogin (OpenID Connect; `issuer` parameter).
    OneLogin,
    /// osu! (OAuth 2.0).
    Osu,
    /// Patreon (OAuth 2.0, API v2).
    Patreon,
    /// Pinterest (OAuth 2.0, API v5).
    Pinterest,
    /// Reddit (OAuth 2.0).
    Reddit,
    /// Salesforce (OAuth 2.0, `login.salesforce.com`).
    Salesforce,
    /// Strava (OAuth 2.0).
    Strava,
    /// Twitter / X (OAuth 2.0 with PKCE).
    Twitter,
    /// VK (OAuth 2.0, API 5.131; the email comes with the token).
    Vk,
    /// Wikimedia (OAuth 2.0, `meta.wikimedia.org`).
    Wikimedia,
    /// Yandex (OAuth 2.0).
    Yandex,
    /// ZITADEL (OpenID Connect; `issuer` parameter).
    Zitadel,
    /// Zoho (OAuth 2.0, `accounts.zoho.com`).
    Zoho,
    /// Zoom (OAuth 2.0).
    Zoom,
    /// Any OpenID Connect provider, discovered from its `issuer`.
    Oidc,
    /// Any OAuth 2.0 provider, from its `authorization`, `token` and `userinfo` URLs.
    OAuth,
}

/// OAuth 2.0 with a userinfo endpoint, or OpenID Connect (ID tokens verified).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Plain OAuth 2.0: the profile comes from the userinfo endpoint.
    OAuth2,
    /// OpenID Connect: the profile is the verified ID token's claims.
    OpenIdConnect,
}

/// A parameter a preset takes at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name, as written in the `auth!` block.
    pub name: &'static str,
    /// Whether the preset cannot do without it.
    pub required: bool,
    /// What the value is: a URL, an Azure AD tenant, or what signs a client secret.
    pub value: ParamValue,
}

/// What a [`Param`]'s value must be (its rule in [`crate::literals`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamValue {
    /// An issuer URL (`literals::UrlRole::Issuer`).
    Issuer,
    /// An endpoint URL (`literals::UrlRole::Endpoint`).
    Endpoint,
    /// An Azure AD tenant (`literals::tenant_problem`).
    Tenant,
    /// An Apple team id, the signed client secret's `iss` (`literals::apple_id_problem`).
    TeamId,
    /// An Apple key id, the signed client secret's `kid` (`literals::apple_id_problem`).
    KeyId,
    /// The private key signing the client secret: a secret, so only ever read from the
    /// environment; the runtime parses it at start-up (a PKCS#8 P-256 key in PEM).
    PrivateKey,
}

/// Where a preset's endpoints come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoints {
    /// Written here, one by one.
    Fixed {
        /// The authorization endpoint.
        authorization: &'static str,
        /// The token endpoint.
        token: &'static str,
        /// The userinfo endpoint.
        userinfo: Option<&'static str>,
        /// The issuer, compared with the callback's `iss`.
        issuer: Option<&'static str>,
    },
    /// OpenID Connect discovery from this issuer.
    Discovery {
        /// The issuer URL.
        issuer: &'static str,
    },
    /// OpenID Connect discovery from the `issuer` parameter.
    DiscoveryFromIssuerParam,
    /// OpenID Connect discovery from an issuer with `{tenant}` in it, filled with the `tenant`
    /// parameter or `default_tenant`; the discovery document is asked for with the client id
    /// as `appid` and its announced issuer is taken as it is (Azure AD's `common` tenant
    /// announces a `{tenantid}` template).
    DiscoveryPerTenant {
        /// The issuer, with `{tenant}`.
        issuer: &'static str,
        /// The tenant when none is given.
        default_tenant: &'static str,
    },
    /// The `authorization`, `token` and `userinfo` parameters.
    FromParams,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAuth {
    /// HTTP Basic with the form-urlencoded client id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

/// Where the client secret sent to the token endpoint comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientSecret {
    /// The `client_secret` the provider issued, read at start-up.
    Issued,
    /// A JWT the client signs ES256 for each token request with its `private_key` parameter
    /// (Sign in with Apple): header `kid` the `key_id` parameter; claims `iss` the `team_id`
    /// parameter, `sub` the client id, `aud` this audience, `iat` now and `exp` now plus
    /// `lifetime_secs`. The preset takes no `client_secret`.
    SignedJwt {
        /// The `aud` claim.
        audience: &'static str,
        /// How long a signed secret is valid, in seconds.
        lifetime_secs: u64,
    },
}

/// The checks of a preset's flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Checks {
    /// `state`: the callback must come back to the browser that started the flow.
    pub state: bool,
    /// PKCE with S256: the challenge goes out, the verifier goes to the token endpoint.
    pub pkce: bool,
    /// `nonce`, compared with the ID token's claim (OpenID Connect only).
    pub nonce: bool,
}

impl Checks {
    /// `state` only: next-auth v4's default.
    pub const STATE: Checks = Checks {
        state: true,
        pkce: false,
        nonce: false,
    };
    /// `state` and PKCE.
    pub const PKCE_STATE: Checks = Checks {
        state: true,
        pkce: true,
        nonce: false,
    };
    /// Every check.
    pub const ALL: Checks = Checks {
        state: true,
        pkce: true,
        nonce: true,
    };
}

/// What a provider does differently from the protocol. Each quirk is data, applied in one
/// place by the runtime's client; all are off by default ([`Quirks::NONE`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quirks {
    /// When the profile's `email` is null, ask this URL for the primary verified one (GitHub).
    pub emails_endpoint: Option<&'static str>,
    /// Send `Client-ID: <client id>` to the userinfo endpoint (Twitch).
    pub client_id_header: bool,
    /// The profile is at this JSON pointer of the userinfo answer when the answer has it
    /// (`/data/0`: Twitch's Helix API; its OpenID userinfo is not wrapped). Only where NextAuth
    /// also unwraps it, so that a `profile` function written for NextAuth sees the same object.
    pub profile_pointer: Option<&'static str>,
    /// Ask the userinfo endpoint with a POST without body rather than a GET (Dropbox's RPC
    /// API answers a GET with 400).
    pub userinfo_post: bool,
    /// More headers for the userinfo request (Notion wants its API version in each request).
    pub userinfo_headers: &'static [(&'static str, &'static str)],
    /// The scheme of the access token in the userinfo request's `Authorization` header, when
    /// the provider documents another than `Bearer` (Yandex's `OAuth <token>`).
    pub userinfo_auth_scheme: Option<&'static str>,
    /// Fields of the token response copied into the profile when it lacks them (VK sends the
    /// email with the token, never in the profile).
    pub token_profile_fields: &'static [&'static str],
    /// The token request's body is JSON rather than form-encoded (Notion documents JSON).
    pub token_request_json: bool,
    /// An ID token may also be signed HS256 with the client secret as the key (OpenID Connect
    /// Core §10.1): LINE signs web-login ID tokens so, and never lists the key in its JWKS.
    pub id_token_hs256: bool,
}

impl Quirks {
    /// No quirk: the provider follows the protocol.
    pub const NONE: Quirks = Quirks {
        emails_endpoint: None,
        client_id_header: false,
        profile_pointer: None,
        userinfo_post: false,
        userinfo_headers: &[],
        userinfo_auth_scheme: None,
        token_profile_fields: &[],
        token_request_json: false,
        id_token_hs256: false,
    };
}

/// One built-in provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// The kind.
    pub kind: PresetKind,
    /// The kind as written in `auth!`, e.g. `GitHub`.
    pub kind_name: &'static str,
    /// NextAuth's provider id, also the usual id in `/signin/:id` (`github`, `azure-ad`).
    pub id: &'static str,
    /// NextAuth's display name (`GitHub`, `Azure Active Directory`).
    pub name: &'static str,
    /// OAuth 2.0 or OpenID Connect.
    pub protocol: Protocol,
    /// What it takes at start-up; any other parameter is refused.
    pub params: &'static [Param],
    /// Where its endpoints come from.
    pub endpoints: Endpoints,
    /// The scope it asks for, unless the block sets one.
    pub scope: Option<&'static str>,
    /// Authorization parameters it always sends.
    pub authorization_params: &'static [(&'static str, &'static str)],
    /// How the client authenticates at the token endpoint.
    pub token_auth: TokenAuth,
    /// Where its client secret comes from.
    pub client_secret: ClientSecret,
    /// The checks of its flow.
    pub checks: Checks,
    /// Whether its profile says whether the address is verified (`email_verified`): only then
    /// can `allow_dangerous_email_account_linking` ever link.
    pub verified_email: bool,
    /// Whether the userinfo endpoint is asked for the profile (an OpenID Connect preset
    /// otherwise uses the ID token's claims alone).
    pub fetch_userinfo: bool,
    /// Its quirks.
    pub quirks: Quirks,
}

const ISSUER: &[Param] = &[Param {
    name: "issuer",
    required: true,
    value: ParamValue::Issuer,
}];
const TENANT: &[Param] = &[Param {
    name: "tenant",
    required: false,
    value: ParamValue::Tenant,
}];
const OAUTH_URLS: &[Param] = &[
    Param {
        name: "authorization",
        required: true,
        value: ParamValue::Endpoint,
    },
    Param {
        name: "token",
        required: true,
        value: ParamValue::Endpoint,
    },
    Param {
        name: "userinfo",
        required: true,
        value: ParamValue::Endpoint,
    },
];

/// What signs Apple's client secret ([`ClientSecret::SignedJwt`]).
const SIGNED_SECRET: &[Param] = &[
    Param {
        name: "team_id",
        required: true,
        value: ParamValue::TeamId,
    },
    Param {
        name: "key_id",
        required: true,
        value: ParamValue::KeyId,
    },
    Param {
        name: "private_key",
        required: true,
        value: ParamValue::PrivateKey,
    },
];

/// Every parameter name a preset may take, in the order they are read and emitted.
pub const PARAM_NAMES: &[&str] = &[
    "issuer",
    "tenant",
    "authorization",
    "token",
    "userinfo",
    "team_id",
    "key_id",
    "private_key",
];

/// An OAuth 2.0 preset with fixed endpoints: `state`, client_secret_basic, userinfo.
const fn oauth2(
    kind: PresetKind,
    kind_name: &'static str,
    id: &'static str,
    name: &'static str,
    endpoints: Endpoints,
    scope: &'static str,
) -> Preset {
    Preset {
        kind,
        kind_name,
        id,
        name,
        protocol: Protocol::OAuth2,
        params: &[],
        endpoints,
        scope: Some(scope),
        authorization_params: &[],
        token_auth: TokenAuth::ClientSecretBasic,
        client_secret: ClientSecret::Issued,
        checks: Checks::STATE,
        verified_email: false,
        fetch_userinfo: true,
        quirks: Quirks::NONE,
    }
}

/// An OpenID Connect preset: the profile is the ID token's claims, as in next-auth v4, which
/// carry `email_verified`.
const fn oidc(
    kind: PresetKind,
    kind_name: &'static str,
    id: &'static str,
    name: &'static str,
    endpoints: Endpoints,
    scope: &'static str,
) -> Preset {
    Preset {
        protocol: Protocol::OpenIdConnect,
        verified_email: true,
        fetch_userinfo: false,
        ..oauth2(kind, kind_name, id, name, endpoints, scope)
    }
}

const fn fixed(
    authorization: &'static str,
    token: &'static str,
    userinfo: &'static str,
) -> Endpoints {
    Endpoints::Fixed {
        authorization,
        token,
        userinfo: Some(userinfo),
        issuer: None,
    }
}

/// Twitch returns the email, picture and login in the ID token only when asked by `claims`.
const TWITCH_CLAIMS: &str =
    r#"{"id_token":{"email":null,"picture":null,"preferred_username":null}}"#;

/// Every preset, in documentation order.
pub const PRESETS: &[Preset] = &[
    Preset {
        quirks: Quirks {
            emails_endpoint: Some("https://api.github.com/user/emails"),
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::GitHub,
            "GitHub",
            "github",
            "GitHub",
            Endpoints::Fixed {
                authorization: "https://github.com/login/oauth/authorize",
                token: "https://github.com/login/oauth/access_token",
                userinfo: Some("https://api.github.com/user"),
                issuer: Some("https://github.com/login/oauth"),
            },
            "read:user user:email",
        )
    },
    Preset {
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Google,
            "Google",
            "google",
            "Google",
            Endpoints::Discovery {
                issuer: "https://accounts.google.com",
            },
            "openid email profile",
        )
    },
    Preset {
        checks: Checks::PKCE_STATE,
        ..oauth2(
            PresetKind::GitLab,
            "GitLab",
            "gitlab",
            "GitLab",
            fixed(
                "https://gitlab.com/oauth/authorize",
                "https://gitlab.com/oauth/token",
                "https://gitlab.com/api/v4/user",
            ),
            "read_user",
        )
    },
    oauth2(
        PresetKind::Discord,
        "Discord",
        "discord",
        "Discord",
        fixed(
            "https://discord.com/api/oauth2/authorize",
            "https://discord.com/api/oauth2/token",
            "https://discord.com/api/users/@me",
        ),
        "identify email",
    ),
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Auth0,
            "Auth0",
            "auth0",
            "Auth0",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Keycloak,
            "Keycloak",
            "keycloak",
            "Keycloak",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        params: ISSUER,
        ..oidc(
            PresetKind::Okta,
            "Okta",
            "okta",
            "Okta",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        params: TENANT,
        ..oidc(
            PresetKind::AzureAd,
            "AzureAd",
            "azure-ad",
            "Azure Active Directory",
            Endpoints::DiscoveryPerTenant {
                issuer: "https://login.microsoftonline.com/{tenant}/v2.0",
                default_tenant: "common",
            },
            "openid profile email",
        )
    },
    Preset {
        authorization_params: &[("claims", TWITCH_CLAIMS)],
        // Twitch's token endpoint takes the credentials in the body only.
        token_auth: TokenAuth::ClientSecretPost,
        quirks: Quirks {
            client_id_header: true,
            profile_pointer: Some("/data/0"),
            ..Quirks::NONE
        },
        ..oidc(
            PresetKind::Twitch,
            "Twitch",
            "twitch",
            "Twitch",
            Endpoints::Discovery {
                issuer: "https://id.twitch.tv/oauth2",
            },
            "openid user:read:email",
        )
    },
    oidc(
        PresetKind::Slack,
        "Slack",
        "slack",
        "Slack",
        Endpoints::Discovery {
            issuer: "https://slack.com",
        },
        "openid profile email",
    ),
    oauth2(
        PresetKind::Spotify,
        "Spotify",
        "spotify",
        "Spotify",
        fixed(
            "https://accounts.spotify.com/authorize",
            "https://accounts.spotify.com/api/token",
            "https://api.spotify.com/v1/me",
        ),
        "user-read-email",
    ),
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        ..oidc(
            PresetKind::LinkedIn,
            "LinkedIn",
            "linkedin",
            "LinkedIn",
            Endpoints::Discovery {
                issuer: "https://www.linkedin.com/oauth",
            },
            "openid profile email",
        )
    },
    // The dialog and both Graph calls name one API version; Meta keeps a version for at
    // least two years after its release (v23.0: May 2025).
    oauth2(
        PresetKind::Facebook,
        "Facebook",
        "facebook",
        "Facebook",
        fixed(
            "https://www.facebook.com/v23.0/dialog/oauth",
            "https://graph.facebook.com/v23.0/oauth/access_token",
            "https://graph.facebook.com/v23.0/me?fields=id,name,email,picture",
        ),
        "email",
    ),
    Preset {
        params: SIGNED_SECRET,
        // The name and email scopes need the callback as a form POST.
        authorization_params: &[("response_mode", "form_post")],
        token_auth: TokenAuth::ClientSecretPost,
        // Apple wants its issuer as the secret's audience. It accepts secrets valid for up to
        // six months; one signed for each token request needs minutes.
        client_secret: ClientSecret::SignedJwt {
            audience: "https://appleid.apple.com",
            lifetime_secs: 300,
        },
        // Apple documents `state` and `nonce`, not PKCE.
        checks: Checks {
            state: true,
            pkce: false,
            nonce: true,
        },
        ..oidc(
            PresetKind::Apple,
            "Apple",
            "apple",
            "Apple",
            Endpoints::Discovery {
                issuer: "https://appleid.apple.com",
            },
            "name email",
        )
    },
    Preset {
        authorization_params: &[("audience", "api.atlassian.com"), ("prompt", "consent")],
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Atlassian,
            "Atlassian",
            "atlassian",
            "Atlassian",
            fixed(
                "https://auth.atlassian.com/authorize",
                "https://auth.atlassian.com/oauth/token",
                "https://api.atlassian.com/me",
            ),
            "read:me",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Authentik,
            "Authentik",
            "authentik",
            "Authentik",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    oauth2(
        PresetKind::Bitbucket,
        "Bitbucket",
        "bitbucket",
        "Bitbucket",
        fixed(
            "https://bitbucket.org/site/oauth2/authorize",
            "https://bitbucket.org/site/oauth2/access_token",
            "https://api.bitbucket.org/2.0/user",
        ),
        "account",
    ),
    Preset {
        // Box grants the scopes set on the application.
        scope: None,
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Box,
            "Box",
            "box",
            "Box",
            fixed(
                "https://account.box.com/api/oauth2/authorize",
                "https://api.box.com/oauth2/token",
                "https://api.box.com/2.0/users/me",
            ),
            "",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Cognito,
            "Cognito",
            "cognito",
            "Cognito",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        authorization_params: &[("token_access_type", "offline")],
        checks: Checks::PKCE_STATE,
        verified_email: true,
        quirks: Quirks {
            userinfo_post: true,
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Dropbox,
            "Dropbox",
            "dropbox",
            "Dropbox",
            fixed(
                "https://www.dropbox.com/oauth2/authorize",
                "https://api.dropboxapi.com/oauth2/token",
                "https://api.dropboxapi.com/2/users/get_current_account",
            ),
            "account_info.read",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::FusionAuth,
            "FusionAuth",
            "fusionauth",
            "FusionAuth",
            Endpoints::DiscoveryFromIssuerParam,
            "openid offline_access",
        )
    },
    Preset {
        // Kakao grants the consent items set on the application.
        scope: None,
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Kakao,
            "Kakao",
            "kakao",
            "Kakao",
            fixed(
                "https://kauth.kakao.com/oauth/authorize",
                "https://kauth.kakao.com/oauth/token",
                "https://kapi.kakao.com/v2/user/me",
            ),
            "",
        )
    },
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        checks: Checks::PKCE_STATE,
        // Its ID tokens carry `email` (with the email permission), never `email_verified`.
        verified_email: false,
        quirks: Quirks {
            id_token_hs256: true,
            ..Quirks::NONE
        },
        ..oidc(
            PresetKind::Line,
            "Line",
            "line",
            "LINE",
            Endpoints::Discovery {
                issuer: "https://access.line.me",
            },
            "openid profile",
        )
    },
    Preset {
        // Mailchimp has no scopes.
        scope: None,
        token_auth: TokenAuth::ClientSecretPost,
        quirks: Quirks {
            userinfo_auth_scheme: Some("OAuth"),
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Mailchimp,
            "Mailchimp",
            "mailchimp",
            "Mailchimp",
            fixed(
                "https://login.mailchimp.com/oauth2/authorize",
                "https://login.mailchimp.com/oauth2/token",
                "https://login.mailchimp.com/oauth2/metadata",
            ),
            "",
        )
    },
    Preset {
        // Naver grants the items set on the application.
        scope: None,
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Naver,
            "Naver",
            "naver",
            "Naver",
            fixed(
                "https://nid.naver.com/oauth2.0/authorize",
                "https://nid.naver.com/oauth2.0/token",
                "https://openapi.naver.com/v1/nid/me",
            ),
            "",
        )
    },
    Preset {
        // Notion has no scopes: the capabilities are set on the integration.
        scope: None,
        authorization_params: &[("owner", "user")],
        quirks: Quirks {
            profile_pointer: Some("/bot/owner/user"),
            userinfo_headers: &[("Notion-Version", "2022-06-28")],
            token_request_json: true,
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Notion,
            "Notion",
            "notion",
            "Notion",
            fixed(
                "https://api.notion.com/v1/oauth/authorize",
                "https://api.notion.com/v1/oauth/token",
                "https://api.notion.com/v1/users/me",
            ),
            "",
        )
    },
    Preset {
        params: ISSUER,
        // Its ID tokens carry no `email_verified`.
        verified_email: false,
        ..oidc(
            PresetKind::OneLogin,
            "OneLogin",
            "onelogin",
            "OneLogin",
            Endpoints::DiscoveryFromIssuerParam,
            "openid profile email",
        )
    },
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Osu,
            "Osu",
            "osu",
            "Osu!",
            fixed(
                "https://osu.ppy.sh/oauth/authorize",
                "https://osu.ppy.sh/oauth/token",
                "https://osu.ppy.sh/api/v2/me",
            ),
            "identify",
        )
    },
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Patreon,
            "Patreon",
            "patreon",
            "Patreon",
            fixed(
                "https://www.patreon.com/oauth2/authorize",
                "https://www.patreon.com/api/oauth2/token",
                concat!(
                    "https://www.patreon.com/api/oauth2/v2/identity",
                    "?fields%5Buser%5D=email,full_name,image_url"
                ),
            ),
            "identity identity[email]",
        )
    },
    oauth2(
        PresetKind::Pinterest,
        "Pinterest",
        "pinterest",
        "Pinterest",
        fixed(
            "https://www.pinterest.com/oauth",
            "https://api.pinterest.com/v5/oauth/token",
            "https://api.pinterest.com/v5/user_account",
        ),
        "user_accounts:read",
    ),
    oauth2(
        PresetKind::Reddit,
        "Reddit",
        "reddit",
        "Reddit",
        fixed(
            "https://www.reddit.com/api/v1/authorize",
            "https://www.reddit.com/api/v1/access_token",
            "https://oauth.reddit.com/api/v1/me",
        ),
        "identity",
    ),
    Preset {
        // Salesforce grants the scopes set on the connected app.
        scope: None,
        authorization_params: &[("display", "page")],
        token_auth: TokenAuth::ClientSecretPost,
        checks: Checks::PKCE_STATE,
        verified_email: true,
        ..oauth2(
            PresetKind::Salesforce,
            "Salesforce",
            "salesforce",
            "Salesforce",
            fixed(
                "https://login.salesforce.com/services/oauth2/authorize",
                "https://login.salesforce.com/services/oauth2/token",
                "https://login.salesforce.com/services/oauth2/userinfo",
            ),
            "",
        )
    },
    Preset {
        authorization_params: &[("approval_prompt", "auto")],
        token_auth: TokenAuth::ClientSecretPost,
        ..oauth2(
            PresetKind::Strava,
            "Strava",
            "strava",
            "Strava",
            fixed(
                "https://www.strava.com/api/v3/oauth/authorize",
                "https://www.strava.com/api/v3/oauth/token",
                "https://www.strava.com/api/v3/athlete",
            ),
            "read",
        )
    },
    Preset {
        checks: Checks::PKCE_STATE,
        ..oauth2(
            PresetKind::Twitter,
            "Twitter",
            "twitter",
            "Twitter",
            fixed(
                "https://twitter.com/i/oauth2/authorize",
                "https://api.twitter.com/2/oauth2/token",
                "https://api.twitter.com/2/users/me?user.fields=profile_image_url",
            ),
            "users.read tweet.read offline.access",
        )
    },
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        quirks: Quirks {
            profile_pointer: Some("/response/0"),
            token_profile_fields: &["email"],
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Vk,
            "Vk",
            "vk",
            "VK",
            fixed(
                "https://oauth.vk.com/authorize?v=5.131",
                "https://oauth.vk.com/access_token?v=5.131",
                "https://api.vk.com/method/users.get?fields=photo_100&v=5.131",
            ),
            "email",
        )
    },
    Preset {
        // A Wikimedia consumer's grants are fixed when it is registered.
        scope: None,
        ..oauth2(
            PresetKind::Wikimedia,
            "Wikimedia",
            "wikimedia",
            "Wikimedia",
            fixed(
                "https://meta.wikimedia.org/w/rest.php/oauth2/authorize",
                "https://meta.wikimedia.org/w/rest.php/oauth2/access_token",
                "https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile",
            ),
            "",
        )
    },
    Preset {
        quirks: Quirks {
            userinfo_auth_scheme: Some("OAuth"),
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Yandex,
            "Yandex",
            "yandex",
            "Yandex",
            fixed(
                "https://oauth.yandex.ru/authorize",
                "https://oauth.yandex.ru/token",
                "https://login.yandex.ru/info?format=json",
            ),
            "login:info login:email login:avatar",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::PKCE_STATE,
        ..oidc(
            PresetKind::Zitadel,
            "Zitadel",
            "zitadel",
            "ZITADEL",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        token_auth: TokenAuth::ClientSecretPost,
        quirks: Quirks {
            userinfo_auth_scheme: Some("Zoho-oauthtoken"),
            ..Quirks::NONE
        },
        ..oauth2(
            PresetKind::Zoho,
            "Zoho",
            "zoho",
            "Zoho",
            fixed(
                "https://accounts.zoho.com/oauth/v2/auth",
                "https://accounts.zoho.com/oauth/v2/token",
                "https://accounts.zoho.com/oauth/user/info",
            ),
            "AaaServer.profile.Read",
        )
    },
    Preset {
        // Zoom grants the scopes set on the application.
        scope: None,
        ..oauth2(
            PresetKind::Zoom,
            "Zoom",
            "zoom",
            "Zoom",
            fixed(
                "https://zoom.us/oauth/authorize",
                "https://zoom.us/oauth/token",
                "https://api.zoom.us/v2/users/me",
            ),
            "",
        )
    },
    Preset {
        params: ISSUER,
        checks: Checks::ALL,
        fetch_userinfo: true,
        ..oidc(
            PresetKind::Oidc,
            "Oidc",
            "oidc",
            "OpenID Connect",
            Endpoints::DiscoveryFromIssuerParam,
            "openid email profile",
        )
    },
    Preset {
        params: OAUTH_URLS,
        scope: None,
        checks: Checks::PKCE_STATE,
        ..oauth2(
            PresetKind::OAuth,
            "OAuth",
            "oauth",
            "OAuth",
            Endpoints::FromParams,
            "",
        )
    },
];

impl PresetKind {
    /// The kind's row of [`PRESETS`].
    pub fn preset(self) -> &'static Preset {
        // Every kind has exactly one row (a test says so); the fallback is never taken.
        PRESETS
            .iter()
            .find(|p| p.kind == self)
            .unwrap_or(&PRESETS[0])
    }

    /// NextAuth's provider id (`github`, `azure-ad`).
    pub fn id(self) -> &'static str {
        self.preset().id
    }

    /// NextAuth's display name.
    pub fn name(self) -> &'static str {
        self.preset().name
    }
}

impl Preset {
    /// The preset written `kind_name` in `auth!`.
    pub fn by_kind_name(kind_name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.kind_name == kind_name)
    }

    /// The preset whose NextAuth id is `id`.
    pub fn by_id(id: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.id == id)
    }

    /// The parameter called `name`, if the preset takes it.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether it is an OpenID Connect provider (its ID tokens are verified).
    pub const fn is_oidc(&self) -> bool {
        matches!(self.protocol, Protocol::OpenIdConnect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::literals::{UrlRole, url_problem};

    #[test]
    fn every_row_is_one_kind_with_a_unique_id_and_kind_name() {
        for (i, row) in PRESETS.iter().enumerate() {
            for other in &PRESETS[i + 1..] {
                assert_ne!(row.kind, other.kind);
                assert_ne!(row.id, other.id);
                assert_ne!(row.kind_name, other.kind_name);
            }
            assert_eq!(row.kind.preset(), row, "{}", row.kind_name);
            // The macro names the runtime's variant by the kind as written in the block.
            assert_eq!(format!("{:?}", row.kind), row.kind_name);
            assert_eq!(Preset::by_kind_name(row.kind_name), Some(row));
            assert_eq!(Preset::by_id(row.id), Some(row));
        }
    }

    #[test]
    fn every_fixed_url_follows_the_literal_rules() {
        for row in PRESETS {
            let mut urls = Vec::new();
            match row.endpoints {
                Endpoints::Fixed {
                    authorization,
                    token,
                    userinfo,
                    issuer,
                } => {
                    urls.extend([
                        (authorization, UrlRole::Endpoint),
                        (token, UrlRole::Endpoint),
                    ]);
                    urls.extend(userinfo.map(|u| (u, UrlRole::Endpoint)));
                    urls.extend(issuer.map(|u| (u, UrlRole::Issuer)));
                }
                Endpoints::Discovery { issuer } => urls.push((issuer, UrlRole::Issuer)),
                Endpoints::DiscoveryPerTenant {
                    issuer,
                    default_tenant,
                } => urls.push((
                    // Leaked once per test run: a 'static issuer for the check.
                    String::leak(issuer.replace("{tenant}", default_tenant)),
                    UrlRole::Issuer,
                )),
                Endpoints::DiscoveryFromIssuerParam | Endpoints::FromParams => {}
            }
            urls.extend(row.quirks.emails_endpoint.map(|u| (u, UrlRole::Endpoint)));
            if let ClientSecret::SignedJwt { audience, .. } = row.client_secret {
                urls.push((audience, UrlRole::Issuer));
            }
            for (url, role) in urls {
                assert_eq!(url_problem(url, role), None, "{}: {url}", row.kind_name);
            }
        }
    }

    #[test]
    fn quirks_are_well_formed_and_fit_the_protocol() {
        // RFC 9110 §5.6.2: a header name and an auth scheme are tokens.
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        };
        for row in PRESETS {
            let quirks = row.quirks;
            let name = row.kind_name;
            if let Some(pointer) = quirks.profile_pointer {
                assert!(pointer.starts_with('/'), "{name}: {pointer}");
            }
            for (header, value) in quirks.userinfo_headers {
                assert!(token(header), "{name}: {header}");
                assert!(!header.eq_ignore_ascii_case("authorization"), "{name}");
                assert!(value.bytes().all(|b| (0x20..0x7f).contains(&b)), "{name}");
            }
            if let Some(scheme) = quirks.userinfo_auth_scheme {
                assert!(token(scheme), "{name}: {scheme}");
            }
            for field in quirks.token_profile_fields {
                assert!(!field.is_empty(), "{name}");
            }
            assert!(!quirks.id_token_hs256 || row.is_oidc(), "{name}");
        }
    }

    #[test]
    fn params_are_known_names_and_endpoints_match_them() {
        for row in PRESETS {
            for param in row.params {
                assert!(PARAM_NAMES.contains(&param.name), "{}", row.kind_name);
            }
            let issuer = row.param("issuer").is_some();
            assert_eq!(
                issuer,
                row.endpoints == Endpoints::DiscoveryFromIssuerParam,
                "{}",
                row.kind_name
            );
            let urls = row.param("authorization").is_some();
            assert_eq!(
                urls,
                row.endpoints == Endpoints::FromParams,
                "{}",
                row.kind_name
            );
            assert!(!row.checks.nonce || row.is_oidc(), "{}", row.kind_name);
            // A signed secret takes exactly what signs it, and such a preset takes no other
            // parameter (the macro gives it its own fields by the list).
            let signed = matches!(row.client_secret, ClientSecret::SignedJwt { .. });
            assert_eq!(signed, row.params == SIGNED_SECRET, "{}", row.kind_name);
            for param in row.params {
                let signs = matches!(
                    param.value,
                    ParamValue::TeamId | ParamValue::KeyId | ParamValue::PrivateKey
                );
                assert_eq!(signs, signed, "{}: {}", row.kind_name, param.name);
            }
        }
    }

    #[test]
    fn a_signed_secret_lives_minutes() {
        for row in PRESETS {
            if let ClientSecret::SignedJwt { lifetime_secs, .. } = row.client_secret {
                assert!((60..=600).contains(&lifetime_secs), "{}", row.kind_name);
            }
        }
    }
}
