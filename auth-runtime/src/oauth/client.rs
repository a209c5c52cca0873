//! [`OAuthClient`]: the two halves of an authorization-code sign-in. `authorization_url` for
//! `POST /signin/:provider`; `callback` for `/callback/:provider` (issuer check, code
//! exchange, ID token, userinfo, provider quirks, profile → [`User`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::Algorithm;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::{Map, Value};

use super::authorize::{self, AuthorizationRequest};
use super::discovery::{DiscoveryCache, Resolved};
use super::error::{
    Endpoint, HttpFailure, IdTokenError, OAuthConfigError, OAuthError, Stage, sanitize,
};
use super::http::Http;
use super::id_token::{self, Expected};
use super::jwks::JwksCache;
use super::provider::{Endpoints, OAuthProvider, TokenAuthMethod};
use super::tokens::{TokenSet, parse_token_response};
use crate::user::User;

/// The values the provider sent back to `/callback/:provider`, and those stored at sign-in.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CallbackRequest<'a> {
    /// The same `redirect_uri` the authorization request carried.
    pub redirect_uri: &'a str,
    /// The `code` parameter.
    pub code: &'a str,
    /// The PKCE verifier stored at sign-in (required when the provider has the PKCE check).
    pub code_verifier: Option<&'a str>,
    /// The nonce stored at sign-in (required when the provider has the nonce check).
    pub nonce: Option<&'a str>,
    /// The callback's `iss` parameter (RFC 9207), if any.
    pub iss: Option<&'a str>,
    /// The `user` field of a `form_post` callback: JSON that Sign in with Apple sends on a
    /// user's first sign-in only (`{"name":{"firstName":…,"lastName":…},"email":…}`). Not
    /// signed by anyone: see [`OAuthClient::callback`] for where it goes.
    pub user: Option<&'a str>,
}

impl<'a> CallbackRequest<'a> {
    /// A callback with its redirect URI and code.
    pub fn new(redirect_uri: &'a str, code: &'a str) -> CallbackRequest<'a> {
        CallbackRequest {
            redirect_uri,
            code,
            code_verifier: None,
            nonce: None,
            iss: None,
            user: None,
        }
    }

    /// Sets the PKCE verifier.
    pub fn code_verifier(mut self, verifier: &'a str) -> Self {
        self.code_verifier = Some(verifier);
        self
    }

    /// Sets the expected nonce.
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Sets the received `iss` parameter.
    pub fn iss(mut self, iss: Option<&'a str>) -> Self {
        self.iss = iss;
        self
    }

    /// Sets the `user` field of a callback that came as a form POST.
    pub fn user(mut self, user: Option<&'a str>) -> Self {
        self.user = user;
        self
    }
}

/// The longest `user` field read; Apple's holds two names and an address.
const MAX_USER_FIELD_BYTES: usize = 4 * 1024;

/// A successful sign-in at the provider.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInResult {
    /// The user, from the profile mapping; `id` non-empty, `email` lower-cased.
    pub user: User,
    /// The raw profile the mapping saw: the verified ID token claims (merged with userinfo
    /// when asked), or the userinfo answer.
    pub profile: Value,
    /// The tokens (`Debug` hides them).
    pub tokens: TokenSet,
}

/// Limits and cache settings of an [`OAuthClient`].
#[derive(Clone, Debug)]
pub struct OAuthClientBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    jwks_refresh_interval: Duration,
    discovery_ttl: Duration,
}

impl Default for OAuthClientBuilder {
    fn default() -> Self {
        OAuthClientBuilder {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            jwks_refresh_interval: Duration::from_secs(10),
            discovery_ttl: Duration::from_secs(3600),
        }
    }
}

impl OAuthClientBuilder {
    /// Time allowed to connect (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, body included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest answer body read (default 1 MiB).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Shortest time between two JWKS fetches caused by unknown key ids (default 10 s).
    pub fn jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.jwks_refresh_interval = interval;
        self
    }

    /// How long a discovered configuration is used before it is fetched again (default 1 h).
    pub fn discovery_ttl(mut self, ttl: Duration) -> Self {
        self.discovery_ttl = ttl;
        self
    }

    /// The client. Fails only when the TLS back-end cannot start.
    pub fn build(self) -> Result<OAuthClient, OAuthConfigError> {
        let user_agent = concat!("auth-runtime/", env!("CARGO_PKG_VERSION"));
        let http = Http::new(
            self.connect_timeout,
            self.timeout,
            self.max_body_bytes,
            user_agent,
        )
        .map_err(|e| OAuthConfigError::HttpClient(e.to_string()))?;
        Ok(OAuthClient {
            inner: Arc::new(Inner {
                http,
                discovery: DiscoveryCache::new(self.discovery_ttl),
                jwks: JwksCache::new(self.jwks_refresh_interval),
            }),
        })
    }
}

struct Inner {
    http: Http,
    discovery: DiscoveryCache,
    jwks: JwksCache,
}

/// Runs OAuth 2.0 / OpenID Connect sign-ins. Cheap to clone: clones share one HTTP client
/// (no redirects followed, connect 5 s, total 10 s, bodies ≤ 1 MiB by default), one
/// discovery cache and one JWKS cache. Make one at start-up and keep it.
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient").finish_non_exhaustive()
    }
}

impl Default for OAuthClient {
    fn default() -> Self {
        OAuthClient::new()
    }
}

impl OAuthClient {
    /// A client with the default limits.
    ///
    /// # Panics
    ///
    /// When the TLS back-end cannot start, as `reqwest::Client::new` does; use
    /// [`OAuthClient::builder`] to get that as an error.
    pub fn new() -> OAuthClient {
        match OAuthClient::builder().build() {
            Ok(client) => client,
            Err(e) => panic!("{e}"),
        }
    }

    /// A builder to set timeouts, the body cap and cache intervals.
    pub fn builder() -> OAuthClientBuilder {
        OAuthClientBuilder::default()
    }

    /// The URL to send the browser to (`POST /signin/:provider`). Discovers the provider's
    /// configuration first when it has an issuer rather than endpoints.
    ///
    /// Each check the provider has ([`OAuthProvider::active_checks`]) needs its value in
    /// `request` (`state`, `code_challenge`, `nonce`), else [`OAuthError::MissingCheck`].
    /// Errors have the code `OAuthSignin`.
    pub async fn authorization_url(
        &self,
        provider: &OAuthProvider,
        request: &AuthorizationRequest<'_>,
    ) -> Result<String, OAuthError> {
        let checks = provider.active_checks();
        let missing = [
            ("state", checks.state && request.state.is_none()),
            ("pkce", checks.pkce && request.code_challenge.is_none()),
            ("nonce", checks.nonce && request.nonce.is_none()),
        ];
        if let Some((check, _)) = missing.iter().find(|(_, missing)| *missing) {
            return Err(OAuthError::MissingCheck {
                stage: Stage::Signin,
                check,
            });
        }
        let resolved = self.resolve(provider, Stage::Signin).await?;
        Ok(authorize::build(&resolved.authorization, provider, request))
    }

    /// Completes the sign-in from the provider's redirect back (`/callback/:provider`).
    ///
    /// The caller has already compared `state` ([`super::state_matches`]) and turned a
    /// callback `error=` parameter into its own error. In order: the `iss` parameter must be
    /// the issuer (RFC 9207; required when the provider announces it); the code is exchanged
    /// (`client_secret_basic` or `client_secret_post`, with the PKCE verifier); for OpenID
    /// Connect the ID token is verified (JWKS signature, `iss`, `aud`, `azp`, `exp`, `iat`,
    /// `nonce`, `at_hash`); userinfo is fetched with the access token when the profile needs
    /// it; the provider's quirks apply (how userinfo is asked and unwrapped, fields taken from
    /// the token response, GitHub's emails fallback); a `form_post` provider's `user` field
    /// ([`CallbackRequest::user`]), when it is a JSON object of at most 4 KiB, goes under
    /// `user` in the profile unless the provider's own profile has that key (it is what the
    /// browser posted, signed by no one: Apple's built-in mapping takes only the name from
    /// it); the profile is mapped to a [`User`]. Errors have the code `OAuthCallback`.
    pub async fn callback(
        &self,
        provider: &OAuthProvider,
        request: &CallbackRequest<'_>,
    ) -> Result<SignInResult, OAuthError> {
        let checks = provider.active_checks();
        let missing = |check| OAuthError::MissingCheck {
            stage: Stage::Callback,
            check,
        };
        if checks.pkce && request.code_verifier.is_none() {
            return Err(missing("pkce"));
        }
        let nonce = match (checks.nonce, request.nonce) {
            (true, None) => return Err(missing("nonce")),
            (true, nonce) => nonce,
            (false, _) => None,
        };
        let resolved = self.resolve(provider, Stage::Callback).await?;
        check_issuer_parameter(&resolved, request.iss)?;

        let tokens = self.exchange_code(provider, &resolved, request).await?;

        let mut profile = if provider.is_oidc() {
            let id_token = tokens.id_token.as_deref().ok_or(IdTokenError::Missing)?;
            let mut claims = self
                .verify_id_token(provider, &resolved, id_token, nonce, &tokens.access_token)
                .await?;
            if provider.fetch_userinfo
                && let Some(url) = &resolved.userinfo
            {
                let userinfo = self.userinfo(provider, url, &tokens.access_token).await?;
                merge_userinfo(&mut claims, userinfo)?;
            }
            Value::Object(claims)
        } else {
            // Plain OAuth providers always have a userinfo endpoint (checked at start-up).
            let url = resolved
                .userinfo
                .as_deref()
                .ok_or(OAuthError::InvalidResponse {
                    endpoint: Endpoint::Userinfo,
                    reason: "the provider has no userinfo endpoint",
                })?;
            Value::Object(self.userinfo(provider, url, &tokens.access_token).await?)
        };

        if let Value::Object(fields) = &mut profile {
            for &name in provider.quirks.row.token_profile_fields {
                if fields.get(name).is_none_or(Value::is_null)
                    && let Some(value) = tokens.extra.get(name)
                {
                    fields.insert(name.to_owned(), value.clone());
                }
            }
        }

        if let Some(user) = request.user.filter(|_| is_form_post(provider))
            && let Some(user) = user_field(user)
            && let Value::Object(fields) = &mut profile
        {
            fields.entry("user").or_insert(Value::Object(user));
        }

        if let Some(url) = &provider.quirks.emails_endpoint
            && profile.get("email").is_none_or(Value::is_null)
            && let Some(email) = self.primary_email(url, &tokens.access_token).await
            && let Value::Object(fields) = &mut profile
        {
            fields.insert("email".to_owned(), Value::String(email));
        }

        let user = provider
            .profile
            .map(&profile)
            .and_then(normalize)
            .ok_or(OAuthError::Profile)?;
        Ok(SignInResult {
            user,
            profile,
            tokens,
        })
    }

    /// Fetches and caches the provider's discovery document now, rather than at the first
    /// sign-in; a failure is retried when a sign-in needs the document.
    pub async fn discover(&self, provider: &OAuthProvider) -> Result<(), OAuthError> {
        self.resolve(provider, Stage::Signin).await.map(|_| ())
    }

    async fn resolve(
        &self,
        provider: &OAuthProvider,
        stage: Stage,
    ) -> Result<Arc<Resolved>, OAuthError> {
        match (&provider.endpoints, &provider.manual) {
            (_, Some(resolved)) => Ok(Arc::clone(resolved)),
            (Endpoints::Discovery { issuer, well_known }, None) => {
                self.inner
                    .discovery
                    .resolve(
                        &self.inner.http,
                        issuer,
                        well_known.as_deref(),
                        provider.quirks.trust_discovered_issuer,
                        stage,
                    )
                    .await
            }
            // Manual endpoints are resolved when the provider is built.
            (Endpoints::Manual { authorization, .. }, None) => Err(OAuthError::Discovery {
                stage,
                url: authorization.clone(),
                reason: "the endpoints are not valid URLs".to_owned(),
            }),
        }
    }

    /// Spends `refresh_token` at the token endpoint (RFC 6749 §6) for a new access token.
    /// The answer's refresh token replaces the spent one when the provider rotates them;
    /// otherwise the spent one stays. A new ID token in the answer is not kept: the one
    /// verified at sign-in stays (an unverified one is never stored). Errors have the code
    /// `RefreshAccessTokenError`; `invalid_grant` is [`OAuthError::TokenRefused`].
    pub async fn refresh(
        &self,
        provider: &OAuthProvider,
        current: &TokenSet,
        refresh_token: &str,
    ) -> Result<TokenSet, OAuthError> {
        let resolved = self.resolve(provider, Stage::Refresh).await?;
        let form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        let mut tokens = self.token_request(provider, &resolved, form).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.to_owned());
        }
        tokens.id_token.clone_from(&current.id_token);
        if tokens.scope.is_none() {
            tokens.scope.clone_from(&current.scope);
        }
        Ok(tokens)
    }

    /// The token request (RFC 6749 §4.1.3).
    async fn exchange_code(
        &self,
        provider: &OAuthProvider,
        resolved: &Resolved,
        request: &CallbackRequest<'_>,
    ) -> Result<TokenSet, OAuthError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", request.code),
            ("redirect_uri", request.redirect_uri),
        ];
        if let Some(verifier) = request.code_verifier {
            form.push(("code_verifier", verifier));
        }
        self.token_request(provider, resolved, form).await
    }

    /// A request to the token endpoint with the client's authentication, in the provider's
    /// body format.
    async fn token_request(
        &self,
        provider: &OAuthProvider,
        resolved: &Resolved,
        mut form: Vec<(&str, &str)>,
    ) -> Result<TokenSet, OAuthError> {
        let mut http_request = self
            .inner
            .http
            .client()
            .post(&resolved.token)
            .header(ACCEPT, "application/json");
        let failure = |what: &str| OAuthError::Http {
            endpoint: Endpoint::Token,
            failure: HttpFailure::Other(format!("cannot build {what}")),
        };
        let secret = provider
            .client_secret
            .for_token_request(&provider.client_id, now_secs())
            .ok_or_else(|| failure("the client secret"))?;
        match provider.token_auth {
            TokenAuthMethod::ClientSecretBasic => {
                let header = basic_authorization(&provider.client_id, &secret)
                    .ok_or_else(|| failure("the Authorization header"))?;
                http_request = http_request.header(AUTHORIZATION, header);
            }
            TokenAuthMethod::ClientSecretPost => {
                form.push(("client_id", &provider.client_id));
                form.push(("client_secret", secret.as_ref()));
            }
        }
        let http_request = if provider.quirks.row.token_request_json {
            let body: Map<String, Value> = form
                .iter()
                .map(|(name, value)| ((*name).to_owned(), Value::from(*value)))
                .collect();
            http_request.json(&body)
        } else {
            http_request.form(&form)
        };
        let reply = self.inner.http.send(http_request, Endpoint::Token).await?;
        parse_token_response(&reply, now_secs())
    }

    /// Verifies the ID token; an unknown key id refreshes the JWKS once (rate-limited).
    async fn verify_id_token(
        &self,
        provider: &OAuthProvider,
        resolved: &Resolved,
        id_token: &str,
        nonce: Option<&str>,
        access_token: &str,
    ) -> Result<Map<String, Value>, OAuthError> {
        let jws = id_token::parse(id_token, provider.quirks.row.id_token_hs256)?;
        let (Some(issuer), Some(jwks_uri)) = (&resolved.issuer, &resolved.jwks_uri) else {
            return Err(OAuthError::InvalidResponse {
                endpoint: Endpoint::Discovery,
                reason: "no issuer or JWKS to verify the ID token with",
            });
        };
        if jws.alg == Algorithm::HS256 {
            // Only parsed for a provider that signs with the client secret (LINE).
            id_token::verify_client_secret_signature(&jws, provider.client_secret.issued())?;
        } else {
            let (http, cache) = (&self.inner.http, &self.inner.jwks);
            let keys = cache.keys(http, jwks_uri, None).await?;
            match id_token::verify_signature(&jws, &keys) {
                Err(IdTokenError::NoMatchingKey { .. }) => {
                    let keys = cache.keys(http, jwks_uri, Some(&keys)).await?;
                    id_token::verify_signature(&jws, &keys)?;
                }
                other => other?,
            }
        }
        let expected = Expected {
            issuer,
            client_id: &provider.client_id,
            nonce,
            access_token: Some(access_token),
            now: now_secs(),
        };
        id_token::check_claims(&jws.claims, jws.alg, &expected)?;
        Ok(jws.claims)
    }

    /// The userinfo answer as a JSON object, asked for and unwrapped as the provider's quirks
    /// say (method, `Authorization` scheme, headers, where the profile sits in the answer).
    async fn userinfo(
        &self,
        provider: &OAuthProvider,
        url: &str,
        access_token: &str,
    ) -> Result<Map<String, Value>, OAuthError> {
        let quirks = &provider.quirks.row;
        let client = self.inner.http.client();
        let scheme = quirks.userinfo_auth_scheme.unwrap_or("Bearer");
        let authorization =
            sensitive_header(&format!("{scheme} {access_token}")).ok_or(OAuthError::Http {
                endpoint: Endpoint::Userinfo,
                failure: HttpFailure::Other("cannot build the Authorization header".to_owned()),
            })?;
        let mut request = if quirks.userinfo_post {
            client.post(url)
        } else {
            client.get(url)
        }
        .header(AUTHORIZATION, authorization)
        .header(ACCEPT, "application/json");
        for (name, value) in quirks.userinfo_headers {
            request = request.header(*name, *value);
        }
        if quirks.client_id_header {
            request = request.header("Client-ID", provider.client_id.as_str());
        }
        let reply = self.inner.http.send(request, Endpoint::Userinfo).await?;
        if !reply.status.is_success() {
            return Err(OAuthError::Http {
                endpoint: Endpoint::Userinfo,
                failure: HttpFailure::Status(reply.status.as_u16()),
            });
        }
        let invalid = |reason| OAuthError::InvalidResponse {
            endpoint: Endpoint::Userinfo,
            reason,
        };
        if reply.media_type().as_deref() == Some("application/jwt") {
            return Err(invalid(
                "signed userinfo (application/jwt) is not supported",
            ));
        }
        let mut body = reply.json().ok_or(invalid("the body is not JSON"))?;
        if let Some(pointer) = quirks.profile_pointer
            && let Some(profile) = body.pointer_mut(pointer)
        {
            body = profile.take();
        }
        match body {
            Value::Object(fields) => Ok(fields),
            _ => Err(invalid("the body is not a JSON object")),
        }
    }

    /// GitHub's `/user/emails`: the primary verified address, or `None` (any failure is only
    /// logged: next-auth v4 also signs in without an email then).
    async fn primary_email(&self, url: &str, access_token: &str) -> Option<String> {
        let request = self
            .inner
            .http
            .client()
            .get(url)
            .bearer_auth(access_token)
            .header(ACCEPT, "application/vnd.github+json");
        let reply = match self.inner.http.send(request, Endpoint::Emails).await {
            Ok(reply) if reply.status.is_success() => reply,
            Ok(reply) => {
                tracing::warn!(
                    status = reply.status.as_u16(),
                    "OAUTH_CALLBACK_ERROR: the emails endpoint refused; the email stays empty"
                );
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "OAUTH_CALLBACK_ERROR: the emails endpoint failed; the email stays empty");
                return None;
            }
        };
        let emails = reply.json()?;
        emails.as_array()?.iter().find_map(|entry| {
            let flag = |name| entry.get(name).and_then(Value::as_bool) == Some(true);
            let email = entry.get("email").and_then(Value::as_str)?;
            (flag("primary") && flag("verified") && !email.is_empty()).then(|| email.to_owned())
        })
    }
}

/// RFC 9207: a received `iss` must be the issuer; a provider that announces the parameter
/// must send it. A plain OAuth provider declared without an issuer has nothing to compare
/// with, so its `iss` is ignored, as RFC 9207 §2.4 allows for clients without issuer
/// metadata (oidc-provider sends `iss` on every callback, also to plain OAuth clients).
fn check_issuer_parameter(resolved: &Resolved, iss: Option<&str>) -> Result<(), OAuthError> {
    let Some(expected) = resolved.issuer.as_deref() else {
        return Ok(());
    };
    let mismatch = |received: Option<&str>| OAuthError::IssuerMismatch {
        expected: expected.to_owned(),
        received: received.map(|iss| sanitize(iss, 200)),
    };
    match iss {
        Some(iss) if id_token::issuer_matches(expected, iss, None) => Ok(()),
        Some(iss) => Err(mismatch(Some(iss))),
        None if resolved.iss_param_supported => Err(mismatch(None)),
        None => Ok(()),
    }
}

/// Userinfo claims over the ID token's; the `sub`s must agree (OpenID Connect Core §5.3.2).
fn merge_userinfo(
    claims: &mut Map<String, Value>,
    userinfo: Map<String, Value>,
) -> Result<(), OAuthError> {
    let sub =
        |fields: &Map<String, Value>| fields.get("sub").and_then(Value::as_str).map(str::to_owned);
    if sub(&userinfo).is_none() || sub(&userinfo) != sub(claims) {
        return Err(OAuthError::SubjectMismatch);
    }
    claims.extend(userinfo);
    Ok(())
}

/// Whether the provider's callback comes as a form POST (`response_mode=form_post`).
fn is_form_post(provider: &OAuthProvider) -> bool {
    provider
        .params
        .iter()
        .any(|(name, value)| name == "response_mode" && value == "form_post")
}

/// A callback's `user` field as a JSON object; anything longer than
/// [`MAX_USER_FIELD_BYTES`] or not an object is no field.
fn user_field(raw: &str) -> Option<Map<String, Value>> {
    if raw.len() > MAX_USER_FIELD_BYTES {
        return None;
    }
    match serde_json::from_str(raw) {
        Ok(Value::Object(user)) => Some(user),
        _ => None,
    }
}

/// NextAuth's post-processing: an empty id is no user; the email is lower-cased.
fn normalize(mut user: User) -> Option<User> {
    if user.id.is_empty() {
        return None;
    }
    user.email = user.email.map(|email| email.to_lowercase());
    Some(user)
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_authorization(client_id: &str, secret: &str) -> Option<HeaderValue> {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = STANDARD.encode(format!("{}:{}", encode(client_id), encode(secret)));
    sensitive_header(&format!("Basic {credentials}"))
}

/// A header value marked sensitive, so that no debug output of the request shows it.
fn sensitive_header(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
