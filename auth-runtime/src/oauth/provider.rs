//! One configured OAuth 2.0 / OpenID Connect provider: its client credentials, endpoints (or
//! issuer to discover them from), scope, parameters, checks and profile mapping. Built once at
//! start-up without any network; [`super::OAuthClient`] runs the flows with it.

use std::fmt;
use std::sync::Arc;

use url::Url;

pub(crate) use super::client_secret::ClientSecret;
use super::discovery::Resolved;
use super::error::OAuthConfigError;
use super::presets::{Definition, Preset, PresetParams, generic};
use crate::user::User;

/// Maps a provider's raw profile (ID token claims and/or userinfo, as JSON) to a [`User`].
/// `None` means the profile is unusable. The email is lower-cased afterwards.
pub type ProfileFn = Arc<dyn Fn(&serde_json::Value) -> Option<User> + Send + Sync>;

/// Where a provider's endpoints come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoints {
    /// OpenID Connect discovery: fetched (and cached) from the issuer's well-known document.
    /// Such a provider is an OpenID Connect provider: its ID tokens are verified.
    Discovery {
        /// The issuer, e.g. `https://accounts.google.com`.
        issuer: String,
        /// The discovery document's URL when it is not `<issuer>/.well-known/openid-configuration`.
        well_known: Option<String>,
    },
    /// Endpoints given one by one. With both `issuer` and `jwks_uri` the provider is an
    /// OpenID Connect provider (its ID tokens are verified); otherwise it is plain OAuth 2.0 and
    /// the profile comes from `userinfo`.
    Manual {
        /// The authorization endpoint; a query in it is kept.
        authorization: String,
        /// The token endpoint.
        token: String,
        /// The userinfo (profile) endpoint.
        userinfo: Option<String>,
        /// The issuer identifier, checked against the callback's `iss` and the ID token's `iss`.
        issuer: Option<String>,
        /// The JWKS that signs the ID tokens.
        jwks_uri: Option<String>,
    },
}

impl Endpoints {
    /// Discovery from `issuer` at the default well-known location.
    pub fn discovery(issuer: impl Into<String>) -> Endpoints {
        Endpoints::Discovery {
            issuer: issuer.into(),
            well_known: None,
        }
    }

    /// Plain OAuth 2.0 endpoints, without issuer or JWKS.
    pub fn oauth(
        authorization: impl Into<String>,
        token: impl Into<String>,
        userinfo: impl Into<String>,
    ) -> Endpoints {
        Endpoints::Manual {
            authorization: authorization.into(),
            token: token.into(),
            userinfo: Some(userinfo.into()),
            issuer: None,
            jwks_uri: None,
        }
    }

    /// Whether these endpoints make an OpenID Connect provider.
    pub fn is_oidc(&self) -> bool {
        match self {
            Endpoints::Discovery { .. } => true,
            Endpoints::Manual {
                issuer, jwks_uri, ..
            } => issuer.is_some() && jwks_uri.is_some(),
        }
    }

    /// Checks every URL: absolute `http`/`https`, no fragment; an issuer has no query either.
    fn validate(&self) -> Result<(), OAuthConfigError> {
        match self {
            Endpoints::Discovery { issuer, well_known } => {
                check_issuer(issuer)?;
                if let Some(url) = well_known {
                    check_url("well_known", url)?;
                }
            }
            Endpoints::Manual {
                authorization,
                token,
                userinfo,
                issuer,
                jwks_uri,
            } => {
                check_url("authorization", authorization)?;
                check_url("token", token)?;
                if let Some(url) = userinfo {
                    check_url("userinfo", url)?;
                }
                if let Some(issuer) = issuer {
                    check_issuer(issuer)?;
                }
                if let Some(url) = jwks_uri {
                    check_url("jwks_uri", url)?;
                }
            }
        }
        Ok(())
    }
}

/// An absolute `http`/`https` URL without fragment (RFC 6749 §3.1, §3.2).
pub(crate) fn check_url(what: &'static str, url: &str) -> Result<Url, OAuthConfigError> {
    let invalid = |reason: String| OAuthConfigError::InvalidUrl { what, reason };
    let parsed = Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme is `{}`; expected `https` or `http`",
            parsed.scheme()
        )));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("it has a `#fragment`".to_owned()));
    }
    Ok(parsed)
}

/// An issuer identifier: an absolute URL without query or fragment (OpenID Connect Discovery §2).
fn check_issuer(issuer: &str) -> Result<(), OAuthConfigError> {
    let parsed = check_url("issuer", issuer)?;
    if parsed.query().is_some() {
        return Err(OAuthConfigError::InvalidUrl {
            what: "issuer",
            reason: "it has a `?query`".to_owned(),
        });
    }
    Ok(())
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenAuthMethod {
    /// HTTP Basic with the form-urlencoded client id and secret (openid-client's default).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

impl TokenAuthMethod {
    /// The metadata name: `client_secret_basic` or `client_secret_post`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenAuthMethod::ClientSecretPost => "client_secret_post",
        }
    }
}

/// Which check values the authorization request carries (next-auth v4's `checks`), the type
/// the preset table uses.
///
/// The routes create each enabled value with [`super::random_check_value`], seal it in its
/// cookie, and refuse the callback when the cookie is missing (advisory GHSA-7r7x-4c4q-c4qf).
pub use auth_shared::presets::Checks;

/// Per-provider departures from plain OAuth, all off by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Quirks {
    /// The preset's quirks, as its row has them; [`OAuthClient`](super::OAuthClient) applies
    /// each where it belongs. The row's `emails_endpoint` is not read: the field below is.
    pub(crate) row: auth_shared::presets::Quirks,
    /// GitHub: when the profile's `email` is null, ask this URL for the primary verified one
    /// (the row's, or the one given to [`OAuthProvider::with_emails_endpoint`]).
    pub(crate) emails_endpoint: Option<String>,
    /// Azure AD: the discovered `issuer` differs from the configured one (`common` tenant,
    /// `{tenantid}` templates), so it is taken as announced rather than compared.
    pub(crate) trust_discovered_issuer: bool,
}

/// How the raw profile becomes a [`User`].
#[derive(Clone)]
pub(crate) enum ProfileMapping {
    /// A preset's mapping.
    Builtin(fn(&serde_json::Value) -> Option<User>),
    /// The application's own.
    Custom(ProfileFn),
}

impl ProfileMapping {
    pub(crate) fn map(&self, profile: &serde_json::Value) -> Option<User> {
        match self {
            ProfileMapping::Builtin(map) => map(profile),
            ProfileMapping::Custom(map) => map(profile),
        }
    }
}

/// An OAuth 2.0 or OpenID Connect provider, resolved at start-up (no network).
///
/// Start from [`OAuthProvider::preset`] (GitHub, Google, a generic issuer...) or
/// [`OAuthProvider::new`] (explicit endpoints), then adjust with the builder-style setters.
/// `Debug` never shows the client secret.
#[derive(Clone)]
pub struct OAuthProvider {
    pub(crate) preset: Option<Preset>,
    pub(crate) client_id: String,
    pub(crate) client_secret: ClientSecret,
    pub(crate) endpoints: Endpoints,
    /// `endpoints` resolved, when they are manual (discovery resolves per flow).
    pub(crate) manual: Option<Arc<Resolved>>,
    pub(crate) scope: Option<String>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) token_auth: TokenAuthMethod,
    pub(crate) checks: Checks,
    pub(crate) profile: ProfileMapping,
    pub(crate) fetch_userinfo: bool,
    pub(crate) quirks: Quirks,
}

impl OAuthProvider {
    /// A provider from a preset (docs/REST.md §8, next-auth v4 column): its endpoints, scope, checks,
    /// token authentication and profile mapping. `params` gives what the preset needs
    /// (its row's required `params`); a parameter the preset does not take is an error.
    ///
    /// A preset that signs its client secret ([`Preset::Apple`], from the `team_id`, `key_id`
    /// and `private_key` parameters) takes an empty `client_secret`; its private key is read
    /// here, once, and a new secret is signed for each token request.
    pub fn preset(
        preset: Preset,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        params: &PresetParams,
    ) -> Result<OAuthProvider, OAuthConfigError> {
        let (client_id, client_secret) = (client_id.into(), client_secret.into());
        let mut definition = super::presets::definition(preset, &client_id, params)?;
        let secret = match definition.signed_secret.take() {
            Some(_) if !client_secret.is_empty() => {
                return Err(OAuthConfigError::UnexpectedClientSecret {
                    preset: preset.id(),
                });
            }
            Some(signer) => ClientSecret::Signed(Arc::new(signer)),
            None => ClientSecret::Issued(client_secret),
        };
        OAuthProvider::from_definition(Some(preset), client_id, secret, definition)
    }

    /// A provider with explicit endpoints (or discovery) and the defaults of the generic
    /// presets: for OpenID Connect endpoints those of [`Preset::Oidc`] (scope
    /// `openid email profile`, every check, userinfo merged over the ID token), otherwise
    /// those of [`Preset::OAuth`] (no scope, `state` and PKCE).
    pub fn new(
        endpoints: Endpoints,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<OAuthProvider, OAuthConfigError> {
        OAuthProvider::from_definition(
            None,
            client_id.into(),
            ClientSecret::Issued(client_secret.into()),
            generic(endpoints),
        )
    }

    fn from_definition(
        preset: Option<Preset>,
        client_id: String,
        client_secret: ClientSecret,
        definition: Definition,
    ) -> Result<OAuthProvider, OAuthConfigError> {
        OAuthProvider {
            preset,
            client_id,
            client_secret,
            manual: None,
            endpoints: definition.endpoints,
            scope: definition.scope.map(str::to_owned),
            params: definition
                .params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            token_auth: definition.token_auth,
            checks: definition.checks,
            profile: ProfileMapping::Builtin(definition.profile),
            fetch_userinfo: definition.fetch_userinfo,
            quirks: definition.quirks,
        }
        .validated()
    }

    fn validated(mut self) -> Result<OAuthProvider, OAuthConfigError> {
        if self.client_id.is_empty() {
            return Err(OAuthConfigError::EmptyClientId);
        }
        self.endpoints.validate()?;
        if let Some(url) = &self.quirks.emails_endpoint {
            check_url("emails_endpoint", url)?;
        }
        if let Endpoints::Manual { userinfo: None, .. } = &self.endpoints
            && !self.endpoints.is_oidc()
        {
            return Err(OAuthConfigError::NoProfileSource);
        }
        self.manual = Resolved::manual(&self.endpoints).map(Arc::new);
        Ok(self)
    }

    /// Replaces the endpoints (e.g. a GitHub Enterprise host, or a test server).
    pub fn with_endpoints(
        mut self,
        endpoints: Endpoints,
    ) -> Result<OAuthProvider, OAuthConfigError> {
        self.endpoints = endpoints;
        self.validated()
    }

    /// Enables GitHub's email fallback at `url` (GitHub's preset uses
    /// `https://api.github.com/user/emails`): when the profile's `email` is null, the primary
    /// verified address listed there is used.
    pub fn with_emails_endpoint(
        mut self,
        url: impl Into<String>,
    ) -> Result<OAuthProvider, OAuthConfigError> {
        self.quirks.emails_endpoint = Some(url.into());
        self.validated()
    }

    /// Overrides the scope (space-separated).
    pub fn scope(mut self, scope: impl Into<String>) -> OAuthProvider {
        self.scope = Some(scope.into());
        self
    }

    /// Adds an authorization parameter, replacing one of the same name.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> OAuthProvider {
        set_param(&mut self.params, name.into(), value.into());
        self
    }

    /// Adds authorization parameters, in order, each replacing one of the same name.
    pub fn params<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> OAuthProvider {
        for (name, value) in params {
            set_param(&mut self.params, name.into(), value.into());
        }
        self
    }

    /// Sets how the client authenticates at the token endpoint.
    pub fn token_auth_method(mut self, method: TokenAuthMethod) -> OAuthProvider {
        self.token_auth = method;
        self
    }

    /// Sets the checks. `nonce` only takes effect for OpenID Connect providers.
    pub fn checks(mut self, checks: Checks) -> OAuthProvider {
        self.checks = checks;
        self
    }

    /// Replaces the profile mapping with the application's own.
    pub fn profile(mut self, profile: ProfileFn) -> OAuthProvider {
        self.profile = ProfileMapping::Custom(profile);
        self
    }

    /// For OpenID Connect providers: whether the userinfo endpoint is also asked and its
    /// claims merged over the ID token's (presets use the ID token alone, as next-auth v4).
    pub fn fetch_userinfo(mut self, fetch: bool) -> OAuthProvider {
        self.fetch_userinfo = fetch;
        self
    }

    /// The preset this provider was made from, if any.
    pub fn preset_kind(&self) -> Option<Preset> {
        self.preset
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The endpoints, or the issuer they are discovered from.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The scope sent in the authorization request, if any.
    pub fn scope_value(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The token endpoint authentication method.
    pub fn token_auth(&self) -> TokenAuthMethod {
        self.token_auth
    }

    /// Whether ID tokens are expected and verified (OpenID Connect).
    pub fn is_oidc(&self) -> bool {
        self.endpoints.is_oidc()
    }

    /// The checks the routes must create values for; `nonce` is dropped for plain OAuth.
    pub fn active_checks(&self) -> Checks {
        Checks {
            nonce: self.checks.nonce && self.is_oidc(),
            ..self.checks
        }
    }
}

impl fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("preset", &self.preset)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("endpoints", &self.endpoints)
            .field("scope", &self.scope)
            .field("params", &self.params)
            .field("token_auth", &self.token_auth)
            .field("checks", &self.checks)
            .field("fetch_userinfo", &self.fetch_userinfo)
            .finish_non_exhaustive()
    }
}

/// Sets `name` in an ordered parameter list: replaced in place when present, else appended.
pub(crate) fn set_param(params: &mut Vec<(String, String)>, name: String, value: String) {
    match params.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = value,
        None => params.push((name, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_client_secret() {
        let provider = OAuthProvider::new(
            Endpoints::oauth(
                "https://idp.example/authorize",
                "https://idp.example/token",
                "https://idp.example/me",
            ),
            "client",
            "s3cr3t-value",
        )
        .unwrap();
        let debug = format!("{provider:?}");
        assert!(!debug.contains("s3cr3t-value"), "{debug}");
        assert!(debug.contains("client"), "{debug}");
    }

    #[test]
    fn endpoints_must_be_http_urls_without_fragment() {
        let bad = |authorization: &str| {
            OAuthProvider::new(
                Endpoints::oauth(
                    authorization,
                    "https://idp.example/t",
                    "https://idp.example/u",
                ),
                "client",
                "secret",
            )
        };
        assert!(matches!(
            bad("ftp://idp.example/a"),
            Err(OAuthConfigError::InvalidUrl {
                what: "authorization",
                ..
            })
        ));
        assert!(bad("https://idp.example/a#x").is_err());
        assert!(bad("/relative").is_err());
        assert!(bad("https://idp.example/a?keep=1").is_ok());
        let issuer_with_query = OAuthProvider::new(
            Endpoints::discovery("https://idp.example/?tenant=x"),
            "client",
            "secret",
        );
        assert!(issuer_with_query.is_err());
    }

    #[test]
    fn nonce_is_only_active_for_openid_connect() {
        let oauth = OAuthProvider::new(
            Endpoints::oauth(
                "https://idp.example/a",
                "https://idp.example/t",
                "https://idp.example/u",
            ),
            "client",
            "secret",
        )
        .unwrap()
        .checks(Checks::ALL);
        assert_eq!(oauth.active_checks(), Checks::PKCE_STATE);
        let oidc = OAuthProvider::new(Endpoints::discovery("https://idp.example"), "c", "s")
            .unwrap()
            .checks(Checks::ALL);
        assert_eq!(oidc.active_checks(), Checks::ALL);
    }

    #[test]
    fn params_replace_in_place() {
        let provider = OAuthProvider::new(Endpoints::discovery("https://idp.example"), "c", "s")
            .unwrap()
            .param("prompt", "login")
            .param("access_type", "offline")
            .params([("prompt", "consent")]);
        assert_eq!(
            provider.params,
            vec![
                ("prompt".to_owned(), "consent".to_owned()),
                ("access_type".to_owned(), "offline".to_owned())
            ]
        );
    }
}
