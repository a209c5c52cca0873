//! The provider's signing keys: JWKs turned into verifying keys (RSA, P-256, P-384, Ed25519;
//! symmetric and encryption keys are skipped), cached per `jwks_uri`, refreshed at most once
//! per interval when a token names a key the cache does not know (key rotation).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use reqwest::header::ACCEPT;
use serde_json::Value;

use super::error::{Endpoint, HttpFailure, OAuthError};
use super::http::Http;
use super::id_token::algorithm;

/// The kind of a verifying key, which decides the algorithms it may verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// One public key of the provider's JWKS.
#[derive(Clone, Debug)]
pub(crate) struct VerifyingKey {
    kid: Option<String>,
    alg: Option<Algorithm>,
    kind: KeyKind,
    key: DecodingKey,
}

impl VerifyingKey {
    /// The verifying key of a JWK, or `None` for a key that cannot verify our ID tokens: not a
    /// signature key (`use`/`key_ops`), an algorithm outside the allow-list, a symmetric
    /// (`oct`) key, another curve, or malformed parameters.
    pub(crate) fn from_jwk(jwk: &Value) -> Option<VerifyingKey> {
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        if text("use").is_some_and(|u| u != "sig") {
            return None;
        }
        if let Some(ops) = jwk.get("key_ops") {
            let verifies = ops
                .as_array()
                .is_some_and(|ops| ops.iter().any(|op| op == "verify"));
            if !verifies {
                return None;
            }
        }
        let alg = match text("alg") {
            Some(name) => Some(algorithm(name)?),
            None => None,
        };
        let decoded_len = |name: &str| {
            text(name)
                .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
                .map(|v| v.len())
        };
        let (kind, key) = match (text("kty")?, text("crv")) {
            ("RSA", _) => (
                KeyKind::Rsa,
                DecodingKey::from_rsa_components(text("n")?, text("e")?).ok()?,
            ),
            ("EC", Some("P-256")) if decoded_len("x")? == 32 && decoded_len("y")? == 32 => (
                KeyKind::P256,
                DecodingKey::from_ec_components(text("x")?, text("y")?).ok()?,
            ),
            ("EC", Some("P-384")) if decoded_len("x")? == 48 && decoded_len("y")? == 48 => (
                KeyKind::P384,
                DecodingKey::from_ec_components(text("x")?, text("y")?).ok()?,
            ),
            ("OKP", Some("Ed25519")) if decoded_len("x")? == 32 => (
                KeyKind::Ed25519,
                DecodingKey::from_ed_components(text("x")?).ok()?,
            ),
            _ => return None,
        };
        let key = VerifyingKey {
            kid: text("kid").map(str::to_owned),
            alg,
            kind,
            key,
        };
        // A key announcing an algorithm of another family is inconsistent: not used.
        key.alg
            .is_none_or(|alg| key.kind_allows(alg))
            .then_some(key)
    }

    fn kind_allows(&self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self.kind {
            KeyKind::Rsa => matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512),
            KeyKind::P256 => alg == ES256,
            KeyKind::P384 => alg == ES384,
            KeyKind::Ed25519 => alg == EdDSA,
        }
    }

    /// Whether this key may verify a token with header `alg` and `kid`. A token without `kid`
    /// may be verified by any key of the right kind.
    pub(crate) fn fits(&self, alg: Algorithm, kid: Option<&str>) -> bool {
        self.kind_allows(alg)
            && self.alg.is_none_or(|own| own == alg)
            && kid.is_none_or(|kid| self.kid.as_deref() == Some(kid))
    }

    /// Verifies `signature` over `message` with `alg`. Uses aws-lc-rs through jsonwebtoken's
    /// provider directly, never the process-wide default (which panics when a dependency
    /// enables both of jsonwebtoken's crypto back-ends).
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        if !self.fits(alg, None) {
            return false;
        }
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        match (provider.verifier_factory)(&alg, &self.key) {
            Ok(verifier) => verifier.verify(message, &signature.to_vec()).is_ok(),
            Err(_) => false,
        }
    }
}

/// The usable keys of a JWKS document (`{"keys": [...]}`); `None` when it is not one.
pub(crate) fn parse_jwks(document: &Value) -> Option<Vec<VerifyingKey>> {
    let keys = document.get("keys")?.as_array()?;
    Some(keys.iter().filter_map(VerifyingKey::from_jwk).collect())
}

/// The keys of one `jwks_uri`, behind an async lock so that concurrent refreshes wait for
/// the first rather than each fetching.
#[derive(Default)]
struct Slot {
    keys: Option<Arc<[VerifyingKey]>>,
    fetched_at: Option<Instant>,
}

/// JWKS documents by URI.
pub(crate) struct JwksCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
    min_refresh: Duration,
}

impl JwksCache {
    pub(crate) fn new(min_refresh: Duration) -> JwksCache {
        JwksCache {
            slots: Mutex::new(HashMap::new()),
            min_refresh,
        }
    }

    /// The keys of `uri`. With `stale` (the keys a token found no key in), the document is
    /// fetched again, unless another task already did so, or the last fetch is younger than
    /// the refresh interval; then the current keys are returned as they are.
    pub(crate) async fn keys(
        &self,
        http: &Http,
        uri: &str,
        stale: Option<&Arc<[VerifyingKey]>>,
    ) -> Result<Arc<[VerifyingKey]>, OAuthError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(slots.entry(uri.to_owned()).or_default())
        };
        let mut slot = slot.lock().await;
        if let (Some(keys), Some(fetched_at)) = (&slot.keys, slot.fetched_at) {
            let refresh = match stale {
                None => false,
                Some(stale) => Arc::ptr_eq(stale, keys) && fetched_at.elapsed() >= self.min_refresh,
            };
            if !refresh {
                return Ok(Arc::clone(keys));
            }
            tracing::debug!(
                jwks_uri = uri,
                "OAUTH_JWKS_REFRESH: unknown key id, fetching the JWKS again"
            );
        }
        let keys: Arc<[VerifyingKey]> = fetch(http, uri).await?.into();
        slot.keys = Some(Arc::clone(&keys));
        slot.fetched_at = Some(Instant::now());
        Ok(keys)
    }
}

async fn fetch(http: &Http, uri: &str) -> Result<Vec<VerifyingKey>, OAuthError> {
    let request = http
        .client()
        .get(uri)
        .header(ACCEPT, "application/json, application/jwk-set+json");
    let reply = http.send(request, Endpoint::Jwks).await?;
    if !reply.status.is_success() {
        return Err(OAuthError::Http {
            endpoint: Endpoint::Jwks,
            failure: HttpFailure::Status(reply.status.as_u16()),
        });
    }
    reply
        .json()
        .as_ref()
        .and_then(parse_jwks)
        .ok_or(OAuthError::InvalidResponse {
            endpoint: Endpoint::Jwks,
            reason: "not a JWK set",
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    #[test]
    fn signature_keys_of_each_kind_are_kept() {
        let jwks = json!({"keys": [
            {"kty": "RSA", "n": N, "e": "AQAB", "kid": "r", "use": "sig", "alg": "RS256"},
            {"kty": "EC", "crv": "P-256", "kid": "e",
             "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "o", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
        ]});
        let keys = parse_jwks(&jwks).unwrap();
        assert_eq!(keys.len(), 3);
        assert!(keys[0].fits(Algorithm::RS256, Some("r")));
        assert!(
            !keys[0].fits(Algorithm::PS256, Some("r")),
            "alg pinned to RS256"
        );
        assert!(!keys[0].fits(Algorithm::RS256, Some("other")));
        assert!(keys[1].fits(Algorithm::ES256, None));
        assert!(!keys[1].fits(Algorithm::ES384, None));
        assert!(keys[2].fits(Algorithm::EdDSA, Some("o")));
    }

    #[test]
    fn symmetric_encryption_and_odd_keys_are_skipped() {
        let jwks = json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "h"},
            {"kty": "RSA", "n": N, "e": "AQAB", "use": "enc"},
            {"kty": "RSA", "n": N, "e": "AQAB", "alg": "RSA-OAEP"},
            {"kty": "RSA", "n": N, "e": "AQAB", "alg": "HS256"},
            {"kty": "RSA", "n": N, "e": "AQAB", "alg": "ES256"},
            {"kty": "RSA", "n": N, "e": "AQAB", "key_ops": ["encrypt"]},
            {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
            {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "OKP", "crv": "X25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            {"n": N, "e": "AQAB"},
            "not an object"
        ]});
        assert_eq!(parse_jwks(&jwks).unwrap().len(), 0);
        assert!(parse_jwks(&json!({"keys": {}})).is_none());
        assert!(parse_jwks(&json!([1])).is_none());
    }
}
