//! The provider table as data: what each provider declared in `auth!` is.
//! The macro emits one [`ProviderSpec`] per provider; behaviour is attached at start-up.

use std::fmt;

/// The kind of a provider, as `/providers` reports it in `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderKind {
    /// OAuth 2.0 or OpenID Connect.
    OAuth,
    /// Email magic links.
    Email,
    /// A form checked by a user function.
    Credentials,
    /// Passkeys (WebAuthn; Auth.js v5's `webauthn` type): feature `passkeys`.
    WebAuthn,
}

impl ProviderKind {
    /// NextAuth's name for the kind: `oauth`, `email`, `credentials` or (Auth.js v5's)
    /// `webauthn`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OAuth => "oauth",
            ProviderKind::Email => "email",
            ProviderKind::Credentials => "credentials",
            ProviderKind::WebAuthn => "webauthn",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One input of a credentials form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialField {
    /// The form field name, e.g. `username`.
    pub key: &'static str,
    /// The label shown on the sign-in page.
    pub label: &'static str,
    /// The HTML input type: `text`, `password` or `email`.
    pub input_type: &'static str,
}

impl CredentialField {
    /// A field with its key, label and HTML input type.
    pub const fn new(key: &'static str, label: &'static str, input_type: &'static str) -> Self {
        CredentialField {
            key,
            label,
            input_type,
        }
    }
}

/// A provider as declared: id, display name, kind and the static parts of its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderSpec {
    /// The URL-safe id used in `/signin/:id` and `/callback/:id`.
    pub id: &'static str,
    /// The display name, e.g. `GitHub`.
    pub name: &'static str,
    /// The provider's kind.
    pub kind: ProviderKind,
    /// Whether the provider is enabled only when its variables are set.
    pub optional: bool,
    /// The credentials form's fields, in declaration order (empty for other kinds).
    pub fields: &'static [CredentialField],
}

impl ProviderSpec {
    /// A credentials provider with its form fields.
    pub const fn credentials(
        id: &'static str,
        name: &'static str,
        fields: &'static [CredentialField],
    ) -> Self {
        ProviderSpec {
            id,
            name,
            kind: ProviderKind::Credentials,
            optional: false,
            fields,
        }
    }

    /// The same provider, enabled only when its environment variables are set.
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

impl ProviderSpec {
    /// An email (magic link) provider.
    pub const fn email(id: &'static str, name: &'static str) -> Self {
        ProviderSpec {
            id,
            name,
            kind: ProviderKind::Email,
            optional: false,
            fields: &[],
        }
    }

    /// A passkey (WebAuthn) provider.
    pub const fn webauthn(id: &'static str, name: &'static str) -> Self {
        ProviderSpec {
            id,
            name,
            kind: ProviderKind::WebAuthn,
            optional: false,
            fields: &[],
        }
    }

    /// An OAuth 2.0 or OpenID Connect provider.
    pub const fn oauth(id: &'static str, name: &'static str) -> Self {
        ProviderSpec {
            id,
            name,
            kind: ProviderKind::OAuth,
            optional: false,
            fields: &[],
        }
    }
}

/// Where a provider setting comes from: `env("VAR")` or a literal in the `auth!` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Read from this environment variable at start-up.
    Env(&'static str),
    /// Written in the block (never used for secrets: the macro refuses literal secrets).
    Literal(&'static str),
    /// Read from this environment variable, with a default when it is unset.
    EnvOr(&'static str, &'static str),
}

impl Setting {
    /// The variable this setting must read (none for literals and defaulted variables).
    pub(crate) fn required_var(self) -> Option<&'static str> {
        match self {
            Setting::Env(var) => Some(var),
            Setting::Literal(_) | Setting::EnvOr(..) => None,
        }
    }
}

/// An OAuth provider as declared: its preset and settings, resolved against the environment
/// at start-up by [`crate::__private::Builder::oauth`].
#[derive(Clone)]
pub struct OAuthSettings {
    pub(crate) preset: crate::oauth::Preset,
    pub(crate) client_id: Setting,
    /// None for a preset that signs its own (Apple's, from `private_key`).
    pub(crate) client_secret: Option<Setting>,
    pub(crate) name: Option<(Setting, &'static str)>,
    pub(crate) params: ParamSettings,
    pub(crate) scope: Option<&'static str>,
    pub(crate) authorization_params: Vec<(&'static str, &'static str)>,
    pub(crate) token_auth: Option<crate::oauth::TokenAuthMethod>,
    pub(crate) checks: Option<crate::oauth::Checks>,
    pub(crate) profile: Option<crate::oauth::ProfileFn>,
    pub(crate) email_account_linking: bool,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("preset", &self.preset)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    /// A provider of `preset` with its client id and secret.
    pub fn new(preset: crate::oauth::Preset, client_id: Setting, client_secret: Setting) -> Self {
        OAuthSettings {
            client_secret: Some(client_secret),
            ..OAuthSettings::signing_its_secret(preset, client_id)
        }
    }

    /// A provider of `preset` with its client id, for a preset that signs its client secret
    /// itself (Apple's, with the `team_id`, `key_id` and `private_key` parameters).
    pub fn signing_its_secret(preset: crate::oauth::Preset, client_id: Setting) -> Self {
        OAuthSettings {
            preset,
            client_id,
            client_secret: None,
            name: None,
            params: ParamSettings::default(),
            scope: None,
            authorization_params: Vec::new(),
            token_auth: None,
            checks: None,
            profile: None,
            email_account_linking: false,
        }
    }

    /// With database sessions, a sign-in whose verified email (`email_verified: true` in the
    /// profile) belongs to an existing user links to that user (next-auth's
    /// `allowDangerousEmailAccountLinking`, limited to verified addresses).
    pub fn allow_email_account_linking(mut self) -> Self {
        self.email_account_linking = true;
        self
    }

    /// The display name from a variable, with a default when it is unset.
    pub fn name(mut self, name: Setting, default: &'static str) -> Self {
        self.name = Some((name, default));
        self
    }

    /// The issuer URL (OpenID Connect discovery) of a preset that takes one.
    pub fn issuer(mut self, issuer: Setting) -> Self {
        self.params.issuer = Some(issuer);
        self
    }

    /// The Azure AD tenant.
    pub fn tenant(mut self, tenant: Setting) -> Self {
        self.params.tenant = Some(tenant);
        self
    }

    /// The Apple team id, the signed client secret's issuer.
    pub fn team_id(mut self, team_id: Setting) -> Self {
        self.params.team_id = Some(team_id);
        self
    }

    /// The id of the Apple key signing the client secret.
    pub fn key_id(mut self, key_id: Setting) -> Self {
        self.params.key_id = Some(key_id);
        self
    }

    /// The private key signing the client secret (never a literal: the macro refuses one).
    pub fn private_key(mut self, private_key: Setting) -> Self {
        self.params.private_key = Some(private_key);
        self
    }

    /// The authorization endpoint of a generic OAuth provider.
    pub fn authorization(mut self, url: Setting) -> Self {
        self.params.authorization = Some(url);
        self
    }

    /// The token endpoint of a generic OAuth provider.
    pub fn token(mut self, url: Setting) -> Self {
        self.params.token = Some(url);
        self
    }

    /// The userinfo endpoint of a generic OAuth provider.
    pub fn userinfo(mut self, url: Setting) -> Self {
        self.params.userinfo = Some(url);
        self
    }

    /// Replaces the preset's scope.
    pub fn scope(mut self, scope: &'static str) -> Self {
        self.scope = Some(scope);
        self
    }

    /// An extra authorization request parameter.
    pub fn authorization_param(mut self, name: &'static str, value: &'static str) -> Self {
        self.authorization_params.push((name, value));
        self
    }

    /// How the client authenticates at the token endpoint.
    pub fn token_auth_method(mut self, method: crate::oauth::TokenAuthMethod) -> Self {
        self.token_auth = Some(method);
        self
    }

    /// Which checks the flow uses.
    pub fn checks(mut self, checks: crate::oauth::Checks) -> Self {
        self.checks = Some(checks);
        self
    }

    /// Maps the profile to a user, replacing the preset's mapping: the raw profile is
    /// deserialized into `P` (the kind's [`crate::profiles`] struct, `serde_json::Value` for
    /// the generic `OAuth` kind) before `profile` sees it. A profile that does not deserialize
    /// fails the sign-in as `None` does (`OAUTH_PARSE_PROFILE_ERROR`).
    pub fn profile<P>(
        mut self,
        profile: impl Fn(&P) -> Option<crate::user::User> + Send + Sync + 'static,
    ) -> Self
    where
        P: serde::de::DeserializeOwned + 'static,
    {
        self.profile = Some(std::sync::Arc::new(move |raw: &serde_json::Value| {
            match P::deserialize(raw) {
                Ok(typed) => profile(&typed),
                Err(e) => {
                    // The reason is not in the callback's log line, which only says the
                    // mapping failed.
                    tracing::warn!(error = %e, "OAUTH_PARSE_PROFILE_ERROR: the profile does not fit the `profile:` mapping's type");
                    None
                }
            }
        }));
        self
    }
}

/// A provider's preset parameters as declared, each read at start-up.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ParamSettings {
    pub(crate) issuer: Option<Setting>,
    pub(crate) tenant: Option<Setting>,
    pub(crate) authorization: Option<Setting>,
    pub(crate) token: Option<Setting>,
    pub(crate) userinfo: Option<Setting>,
    pub(crate) team_id: Option<Setting>,
    pub(crate) key_id: Option<Setting>,
    pub(crate) private_key: Option<Setting>,
}

impl ParamSettings {
    /// Every parameter given.
    pub(crate) fn given(&self) -> impl Iterator<Item = Setting> {
        [
            self.issuer,
            self.tenant,
            self.authorization,
            self.token,
            self.userinfo,
            self.team_id,
            self.key_id,
            self.private_key,
        ]
        .into_iter()
        .flatten()
    }
}

/// How an email provider sends its links.
#[derive(Clone)]
pub(crate) enum EmailTransport {
    /// An SMTP server URL: `smtp://host:port`, `smtps://…` or `smtp+starttls://…`.
    Smtp(Setting),
    /// A mailer of the application's (an HTTP mail API, say).
    Mailer(std::sync::Arc<dyn crate::email::Mailer>),
}

/// An email provider as declared: how it sends, from whom, and how long a link lives.
#[derive(Clone)]
pub struct EmailSettings {
    pub(crate) transport: EmailTransport,
    pub(crate) from: Setting,
    pub(crate) max_age: u64,
    pub(crate) confirm: bool,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("from", &self.from)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl EmailSettings {
    /// Links sent through the SMTP server at `server`, from `from`.
    pub fn smtp(server: Setting, from: Setting) -> Self {
        EmailSettings {
            transport: EmailTransport::Smtp(server),
            from,
            max_age: crate::email::DEFAULT_MAX_AGE.as_secs(),
            confirm: false,
        }
    }

    /// Links sent by the application's mailer, made once at start-up by `make`.
    pub fn mailer<F, M>(make: F, from: Setting) -> Self
    where
        F: FnOnce() -> M,
        M: crate::email::Mailer + 'static,
    {
        EmailSettings {
            transport: EmailTransport::Mailer(std::sync::Arc::new(make())),
            from,
            max_age: crate::email::DEFAULT_MAX_AGE.as_secs(),
            confirm: false,
        }
    }

    /// The link opens a page whose button signs in (a CSRF-checked POST), instead of signing
    /// in on the link's GET: mail scanners and link previews no longer spend links.
    pub fn confirm(mut self) -> Self {
        self.confirm = true;
        self
    }

    /// How long a link stays valid.
    pub fn max_age(mut self, max_age: std::time::Duration) -> Self {
        self.max_age = max_age.as_secs();
        self
    }
}

/// A provider of an `auth!` block, by its id; the generated `auth::ProviderId` implements it,
/// and so does a plain `&'static str` id.
pub trait ProviderName: Copy + Send + Sync + 'static {
    /// The provider id, e.g. `"github"`.
    fn as_str(&self) -> &'static str;
}

impl ProviderName for &'static str {
    fn as_str(&self) -> &'static str {
        self
    }
}

/// The error of a generated `ProviderId::from_str`: no provider of the block has this id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownProvider;

impl std::fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unknown provider id")
    }
}

impl std::error::Error for UnknownProvider {}
