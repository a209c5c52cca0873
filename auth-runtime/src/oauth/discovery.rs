//! OpenID Connect discovery and the endpoints a flow uses: [`Resolved`] comes either from the
//! provider's manual endpoints or from its well-known document, cached per issuer (a failure
//! is not cached, so the next sign-in fetches again; an expired entry is kept as a fallback).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::ACCEPT;
use serde_json::Value;
use url::Url;

use super::error::{Endpoint, OAuthError, Stage};
use super::http::Http;
use super::provider::Endpoints;

/// The endpoints and issuer facts one flow needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The issuer identifier, compared with `iss` (callback parameter and ID token claim).
    /// May contain Azure AD's `{tenantid}` placeholder.
    pub(crate) issuer: Option<String>,
    pub(crate) authorization: Url,
    pub(crate) token: String,
    pub(crate) userinfo: Option<String>,
    pub(crate) jwks_uri: Option<String>,
    /// RFC 9207: the provider always sends `iss` on the authorization response.
    pub(crate) iss_param_supported: bool,
}

impl Resolved {
    /// The resolved form of manual endpoints (already validated), or `None` for discovery.
    pub(crate) fn manual(endpoints: &Endpoints) -> Option<Resolved> {
        match endpoints {
            Endpoints::Discovery { .. } => None,
            Endpoints::Manual {
                authorization,
                token,
                userinfo,
                issuer,
                jwks_uri,
            } => Some(Resolved {
                issuer: issuer.clone(),
                authorization: Url::parse(authorization).ok()?,
                token: token.clone(),
                userinfo: userinfo.clone(),
                jwks_uri: jwks_uri.clone(),
                iss_param_supported: false,
            }),
        }
    }
}

/// `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery §4).
pub(crate) fn well_known_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

struct Cached {
    resolved: Arc<Resolved>,
    fetched_at: Instant,
}

/// Discovered configurations by issuer and document URL.
pub(crate) struct DiscoveryCache {
    entries: Mutex<HashMap<String, Cached>>,
    ttl: Duration,
}

impl DiscoveryCache {
    pub(crate) fn new(ttl: Duration) -> DiscoveryCache {
        DiscoveryCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// The configuration of `issuer`: cached if fresh, else fetched. When a refresh fails the
    /// expired entry is still used; without one the error is returned and nothing is cached.
    pub(crate) async fn resolve(
        &self,
        http: &Http,
        issuer: &str,
        well_known: Option<&str>,
        trust_discovered_issuer: bool,
        stage: Stage,
    ) -> Result<Arc<Resolved>, OAuthError> {
        let url = well_known.map_or_else(|| well_known_url(issuer), str::to_owned);
        let key = format!("{issuer} {url}");
        let stale = {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries.get(&key) {
                Some(cached) if cached.fetched_at.elapsed() < self.ttl => {
                    return Ok(Arc::clone(&cached.resolved));
                }
                Some(cached) => Some(Arc::clone(&cached.resolved)),
                None => None,
            }
        };
        match fetch(http, issuer, &url, trust_discovered_issuer).await {
            Ok(resolved) => {
                let resolved = Arc::new(resolved);
                let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
                entries.insert(
                    key,
                    Cached {
                        resolved: Arc::clone(&resolved),
                        fetched_at: Instant::now(),
                    },
                );
                Ok(resolved)
            }
            Err(reason) => match stale {
                Some(resolved) => {
                    tracing::warn!(
                        url = %url,
                        reason = %reason,
                        "OAUTH_DISCOVERY_ERROR: refreshing the provider configuration failed; \
                         the cached one is used"
                    );
                    Ok(resolved)
                }
                None => Err(OAuthError::Discovery { stage, url, reason }),
            },
        }
    }
}

/// Fetches and checks the discovery document; the error is the reason, for the message.
async fn fetch(
    http: &Http,
    issuer: &str,
    url: &str,
    trust_discovered_issuer: bool,
) -> Result<Resolved, String> {
    let request = http.client().get(url).header(ACCEPT, "application/json");
    let reply = match http.send(request, Endpoint::Discovery).await {
        Ok(reply) => reply,
        Err(OAuthError::Http { failure, .. }) => return Err(failure.to_string()),
        Err(other) => return Err(other.to_string()),
    };
    if !reply.status.is_success() {
        return Err(format!("answered HTTP {}", reply.status.as_u16()));
    }
    let document = reply
        .json()
        .ok_or_else(|| "the document is not JSON".to_owned())?;
    parse(&document, issuer, trust_discovered_issuer)
}

/// The configuration in a discovery document, checked: `issuer` equals the configured one
/// (up to a trailing `/`, which Auth0 adds) unless the provider trusts the announced one,
/// and every endpoint is an absolute `http`/`https` URL.
pub(crate) fn parse(
    document: &Value,
    issuer: &str,
    trust_discovered_issuer: bool,
) -> Result<Resolved, String> {
    let field = |name: &str| -> Result<Option<String>, String> {
        match document.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let required = |name: &str| -> Result<String, String> {
        field(name)?.ok_or_else(|| format!("the document has no `{name}`"))
    };
    let endpoint = |name: &str, value: &str| -> Result<Url, String> {
        let url = Url::parse(value).map_err(|e| format!("`{name}` is not a URL ({e})"))?;
        if matches!(url.scheme(), "http" | "https") {
            Ok(url)
        } else {
            Err(format!("`{name}` is not an http(s) URL"))
        }
    };

    let announced = required("issuer")?;
    if !trust_discovered_issuer && announced.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(format!(
            "it announces the issuer `{}`, not `{issuer}`",
            super::error::sanitize(&announced, 200)
        ));
    }
    let authorization = required("authorization_endpoint")?;
    let token = required("token_endpoint")?;
    let jwks_uri = required("jwks_uri")?;
    let userinfo = field("userinfo_endpoint")?;
    let authorization = endpoint("authorization_endpoint", &authorization)?;
    endpoint("token_endpoint", &token)?;
    endpoint("jwks_uri", &jwks_uri)?;
    if let Some(userinfo) = &userinfo {
        endpoint("userinfo_endpoint", userinfo)?;
    }
    Ok(Resolved {
        issuer: Some(announced),
        authorization,
        token,
        userinfo,
        jwks_uri: Some(jwks_uri),
        iss_param_supported: document
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document(issuer: &str) -> Value {
        json!({
            "issuer": issuer,
            "authorization_endpoint": "https://idp.example/authorize?tenant=x",
            "token_endpoint": "https://idp.example/token",
            "userinfo_endpoint": "https://idp.example/userinfo",
            "jwks_uri": "https://idp.example/jwks",
            "authorization_response_iss_parameter_supported": true
        })
    }

    #[test]
    fn a_document_for_the_configured_issuer_is_accepted() {
        let resolved = parse(
            &document("https://idp.example"),
            "https://idp.example",
            false,
        )
        .unwrap();
        assert_eq!(resolved.issuer.as_deref(), Some("https://idp.example"));
        assert_eq!(
            resolved.authorization.as_str(),
            "https://idp.example/authorize?tenant=x"
        );
        assert_eq!(
            resolved.jwks_uri.as_deref(),
            Some("https://idp.example/jwks")
        );
        assert!(resolved.iss_param_supported);
    }

    #[test]
    fn a_trailing_slash_is_tolerated_but_the_announced_issuer_is_kept() {
        let resolved = parse(
            &document("https://tenant.auth0.com/"),
            "https://tenant.auth0.com",
            false,
        )
        .unwrap();
        assert_eq!(
            resolved.issuer.as_deref(),
            Some("https://tenant.auth0.com/")
        );
    }

    #[test]
    fn a_document_for_another_issuer_is_refused_unless_trusted() {
        let doc = document("https://login.microsoftonline.com/{tenantid}/v2.0");
        let configured = "https://login.microsoftonline.com/common/v2.0";
        assert!(parse(&doc, configured, false).is_err());
        let resolved = parse(&doc, configured, true).unwrap();
        assert_eq!(
            resolved.issuer.as_deref(),
            Some("https://login.microsoftonline.com/{tenantid}/v2.0")
        );
    }

    #[test]
    fn missing_or_bad_endpoints_are_refused() {
        let mut doc = document("https://idp.example");
        doc["jwks_uri"] = Value::Null;
        assert!(parse(&doc, "https://idp.example", false).is_err());
        let mut doc = document("https://idp.example");
        doc["token_endpoint"] = json!("javascript:alert(1)");
        assert!(parse(&doc, "https://idp.example", false).is_err());
        let mut doc = document("https://idp.example");
        doc["userinfo_endpoint"] = json!(42);
        assert!(parse(&doc, "https://idp.example", false).is_err());
    }

    #[test]
    fn the_well_known_url_joins_without_a_double_slash() {
        assert_eq!(
            well_known_url("https://tenant.auth0.com/"),
            "https://tenant.auth0.com/.well-known/openid-configuration"
        );
        assert_eq!(
            well_known_url("https://id.twitch.tv/oauth2"),
            "https://id.twitch.tv/oauth2/.well-known/openid-configuration"
        );
    }
}
