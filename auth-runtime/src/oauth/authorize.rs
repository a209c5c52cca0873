//! The authorization request URL (docs/REST.md §4.2): the endpoint's own query kept, then `client_id`,
//! `scope`, `response_type=code`, `redirect_uri`, the provider's parameters, the request's
//! extra parameters, and the checks. Values are percent-encoded as `encodeURIComponent` does
//! (a space is `%20`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use super::provider::{OAuthProvider, set_param};

/// Everything but RFC 3986's unreserved characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Parameters neither the provider's `params` nor a request's extras may set: the flow's
/// own, which an attacker-chosen query must not override.
const RESERVED: &[&str] = auth_shared::literals::FLOW_AUTHORIZATION_PARAMS;

/// The per-sign-in part of an authorization request.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct AuthorizationRequest<'a> {
    /// `<base>/callback/<provider id>`, from the configured URL (never the Host header).
    pub redirect_uri: &'a str,
    /// The `state` value, when the provider has the state check.
    pub state: Option<&'a str>,
    /// The PKCE S256 challenge ([`super::pkce_challenge`] of the stored verifier).
    pub code_challenge: Option<&'a str>,
    /// The `nonce` value, when the provider has the nonce check.
    pub nonce: Option<&'a str>,
    /// Extra parameters (the sign-in request's query, next-auth's `authorizationParams`);
    /// they replace the provider's of the same name, but never the reserved ones
    /// (`client_id`, `response_type`, `redirect_uri`, `state`, `nonce`, `code_challenge*`).
    pub extra_params: &'a [(String, String)],
}

impl<'a> AuthorizationRequest<'a> {
    /// A request with only the redirect URI.
    pub fn new(redirect_uri: &'a str) -> AuthorizationRequest<'a> {
        AuthorizationRequest {
            redirect_uri,
            state: None,
            code_challenge: None,
            nonce: None,
            extra_params: &[],
        }
    }

    /// Sets the `state` value.
    pub fn state(mut self, state: &'a str) -> Self {
        self.state = Some(state);
        self
    }

    /// Sets the PKCE S256 challenge.
    pub fn code_challenge(mut self, challenge: &'a str) -> Self {
        self.code_challenge = Some(challenge);
        self
    }

    /// Sets the `nonce` value.
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Sets the extra parameters.
    pub fn extra_params(mut self, params: &'a [(String, String)]) -> Self {
        self.extra_params = params;
        self
    }
}

/// The full authorization URL for `provider` at `endpoint`.
pub(crate) fn build(
    endpoint: &Url,
    provider: &OAuthProvider,
    request: &AuthorizationRequest<'_>,
) -> String {
    let mut params: Vec<(String, String)> = endpoint.query_pairs().into_owned().collect();
    let mut set =
        |name: &str, value: &str| set_param(&mut params, name.to_owned(), value.to_owned());
    set("client_id", &provider.client_id);
    if let Some(scope) = &provider.scope {
        set("scope", scope);
    }
    set("response_type", "code");
    set("redirect_uri", request.redirect_uri);
    let chosen = provider.params.iter().chain(request.extra_params);
    for (name, value) in chosen.filter(|(name, _)| !RESERVED.contains(&name.as_str())) {
        set(name, value);
    }
    if let Some(state) = request.state {
        set("state", state);
    }
    if let Some(challenge) = request.code_challenge {
        set("code_challenge", challenge);
        set("code_challenge_method", "S256");
    }
    if let Some(nonce) = request.nonce {
        set("nonce", nonce);
    }

    let query = params
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, COMPONENT),
                utf8_percent_encode(value, COMPONENT)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut url = endpoint.clone();
    url.set_query(Some(&query));
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::provider::{Endpoints, OAuthProvider};

    fn provider(authorization: &str) -> OAuthProvider {
        OAuthProvider::new(
            Endpoints::oauth(
                authorization,
                "https://idp.example/token",
                "https://idp.example/me",
            ),
            "my client",
            "secret",
        )
        .unwrap()
    }

    fn url_for(p: &OAuthProvider, request: &AuthorizationRequest<'_>) -> String {
        let Endpoints::Manual { authorization, .. } = p.endpoints() else {
            unreachable!("manual endpoints")
        };
        build(&Url::parse(authorization).unwrap(), p, request)
    }

    #[test]
    fn parameters_come_in_order_with_spaces_as_percent_20() {
        let p = provider("https://idp.example/authorize")
            .scope("openid email profile")
            .param("prompt", "select_account")
            .param("access_type", "offline");
        let extra = [("login_hint".to_owned(), "a b@x.io".to_owned())];
        let request = AuthorizationRequest::new("https://app.example/api/auth/callback/idp")
            .state("st")
            .code_challenge("ch")
            .nonce("no")
            .extra_params(&extra);
        assert_eq!(
            url_for(&p, &request),
            "https://idp.example/authorize?client_id=my%20client&scope=openid%20email%20profile\
             &response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fapi%2Fauth%2Fcallback%2Fidp\
             &prompt=select_account&access_type=offline&login_hint=a%20b%40x.io&state=st\
             &code_challenge=ch&code_challenge_method=S256&nonce=no"
        );
    }

    #[test]
    fn the_endpoint_query_is_kept_and_overridden_in_place() {
        let p = provider("https://idp.example/authorize?response_type=token&tenant=a+b&scope=x")
            .scope("identify email");
        let url = url_for(&p, &AuthorizationRequest::new("https://app.example/cb"));
        assert_eq!(
            url,
            "https://idp.example/authorize?response_type=code&tenant=a%20b&scope=identify%20email\
             &client_id=my%20client&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
        );
    }

    #[test]
    fn extra_params_replace_the_providers_but_never_the_reserved_ones() {
        let p = provider("https://idp.example/authorize").param("prompt", "none");
        let extra = [
            ("prompt".to_owned(), "login".to_owned()),
            (
                "redirect_uri".to_owned(),
                "https://evil.example/".to_owned(),
            ),
            ("state".to_owned(), "forged".to_owned()),
            ("client_id".to_owned(), "other".to_owned()),
        ];
        let request = AuthorizationRequest::new("https://app.example/cb")
            .state("real")
            .extra_params(&extra);
        let url = Url::parse(&url_for(&p, &request)).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |name: &str| {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("prompt"), ["login"]);
        assert_eq!(get("redirect_uri"), ["https://app.example/cb"]);
        assert_eq!(get("state"), ["real"]);
        assert_eq!(get("client_id"), ["my client"]);
    }

    #[test]
    fn without_scope_no_scope_parameter_is_sent() {
        let p = provider("https://idp.example/authorize");
        let url = url_for(&p, &AuthorizationRequest::new("https://app.example/cb"));
        assert!(!url.contains("scope="), "{url}");
    }
}
