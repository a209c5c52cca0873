//! ID token verification (OpenID Connect Core §3.1.3.7): the compact JWS is parsed, its `alg`
//! checked against an allow-list before any key is touched (never `none`; HMAC only for a
//! provider that signs with the client secret, and then only with it), the signature verified
//! with the provider's JWKS, then `iss`, `aud`, `azp`, `exp`, `iat`, `nbf`, `nonce` and
//! `at_hash` checked with a 10 s clock tolerance.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq as _;

use super::error::{IdTokenError, sanitize};
use super::jwks::VerifyingKey;

/// openid-client's clock tolerance as next-auth v4 configures it.
pub(crate) const CLOCK_TOLERANCE_SECS: u64 = 10;

/// Longest ID token looked at; real ones are a few KiB.
const MAX_ID_TOKEN_LEN: usize = 64 * 1024;

/// The accepted signature algorithm named `name`, or `None` (`none`, `HS*`, unknown).
pub(crate) fn algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

/// A parsed, not yet verified, ID token.
#[derive(Debug)]
pub(crate) struct Jws<'a> {
    /// `header.payload`, what the signature covers.
    signing_input: &'a str,
    signature: Vec<u8>,
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) claims: Map<String, Value>,
}

/// Splits and decodes a compact JWS; refuses an algorithm outside the allow-list and any
/// `crit` header. `HS256` is on the list only with `client_secret_hs256` (the provider signs
/// with the client secret: [`verify_client_secret_signature`]). Nothing is verified yet.
pub(crate) fn parse(token: &str, client_secret_hs256: bool) -> Result<Jws<'_>, IdTokenError> {
    if token.len() > MAX_ID_TOKEN_LEN {
        return Err(IdTokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::Malformed);
    };
    let header: Map<String, Value> = decode_json(header_b64)?;
    let alg = match header.get("alg") {
        Some(Value::String(name)) if client_secret_hs256 && name == "HS256" => Algorithm::HS256,
        Some(Value::String(name)) => {
            algorithm(name).ok_or_else(|| IdTokenError::UnsupportedAlgorithm {
                alg: sanitize(name, 32),
            })?
        }
        _ => return Err(IdTokenError::Malformed),
    };
    if header.contains_key("crit") {
        return Err(IdTokenError::CriticalHeader);
    }
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(IdTokenError::Malformed),
    };
    let claims: Map<String, Value> = decode_json(payload_b64)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| IdTokenError::Malformed)?;
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    Ok(Jws {
        signing_input,
        signature,
        alg,
        kid,
        claims,
    })
}

fn decode_json(segment: &str) -> Result<Map<String, Value>, IdTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| IdTokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| IdTokenError::Malformed)
}

/// Verifies the signature with the first fitting key that accepts it.
/// [`IdTokenError::NoMatchingKey`] when no key fits (the caller may refresh the JWKS),
/// [`IdTokenError::InvalidSignature`] when keys fit but none verifies.
pub(crate) fn verify_signature(jws: &Jws<'_>, keys: &[VerifyingKey]) -> Result<(), IdTokenError> {
    let mut fitting = keys
        .iter()
        .filter(|key| key.fits(jws.alg, jws.kid.as_deref()))
        .peekable();
    if fitting.peek().is_none() {
        return Err(IdTokenError::NoMatchingKey {
            kid: jws.kid.as_deref().map(|kid| sanitize(kid, 64)),
        });
    }
    let verified =
        fitting.any(|key| key.verify(jws.alg, jws.signing_input.as_bytes(), &jws.signature));
    if verified {
        Ok(())
    } else {
        Err(IdTokenError::InvalidSignature)
    }
}

/// Verifies an HS256 signature keyed by the client secret (OpenID Connect Core §10.1), as
/// LINE signs its web-login ID tokens. Never with a JWKS key: those are public. An empty
/// secret proves nothing, so it verifies nothing.
pub(crate) fn verify_client_secret_signature(
    jws: &Jws<'_>,
    client_secret: &str,
) -> Result<(), IdTokenError> {
    if jws.alg != Algorithm::HS256 || client_secret.is_empty() {
        return Err(IdTokenError::InvalidSignature);
    }
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    let Ok(key) = DecodingKey::from_secret(client_secret.as_bytes()) else {
        return Err(IdTokenError::InvalidSignature);
    };
    // aws-lc-rs compares the MAC in constant time.
    let verified = (provider.verifier_factory)(&Algorithm::HS256, &key).is_ok_and(|verifier| {
        verifier
            .verify(jws.signing_input.as_bytes(), &jws.signature)
            .is_ok()
    });
    if verified {
        Ok(())
    } else {
        Err(IdTokenError::InvalidSignature)
    }
}

/// What the claims must say.
pub(crate) struct Expected<'a> {
    /// The provider's issuer; Azure AD's `{tenantid}` placeholder is filled from `tid`.
    pub(crate) issuer: &'a str,
    pub(crate) client_id: &'a str,
    /// The nonce sent, when the nonce check is on.
    pub(crate) nonce: Option<&'a str>,
    /// The access token of the same response, for `at_hash`.
    pub(crate) access_token: Option<&'a str>,
    /// Seconds since the epoch.
    pub(crate) now: u64,
}

/// Checks the claims of a token whose signature verified.
pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    alg: Algorithm,
    expected: &Expected<'_>,
) -> Result<(), IdTokenError> {
    let string = |name: &'static str| match claims.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(IdTokenError::MissingClaim(name)),
    };
    let number = |name: &'static str| match claims.get(name).and_then(Value::as_f64) {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(IdTokenError::MissingClaim(name)),
    };

    let tid = claims
        .get("tid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !issuer_matches(expected.issuer, string("iss")?, Some(tid)) {
        return Err(IdTokenError::Issuer);
    }
    string("sub")?;

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(list)) => list
            .iter()
            .map(|aud| aud.as_str().ok_or(IdTokenError::MissingClaim("aud")))
            .collect::<Result<_, _>>()?,
        _ => return Err(IdTokenError::MissingClaim("aud")),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    match claims.get("azp") {
        None => {
            if audiences.len() > 1 {
                return Err(IdTokenError::AuthorizedParty);
            }
        }
        Some(Value::String(azp)) if azp == expected.client_id => {}
        Some(_) => return Err(IdTokenError::AuthorizedParty),
    }

    let now = expected.now as f64;
    let tolerance = CLOCK_TOLERANCE_SECS as f64;
    if number("exp")? <= now - tolerance {
        return Err(IdTokenError::Expired);
    }
    if number("iat")? > now + tolerance {
        return Err(IdTokenError::NotYetValid);
    }
    if claims.contains_key("nbf") && number("nbf")? > now + tolerance {
        return Err(IdTokenError::NotYetValid);
    }

    if let Some(nonce) = expected.nonce {
        let claim = string("nonce")?;
        if !bool::from(claim.as_bytes().ct_eq(nonce.as_bytes())) {
            return Err(IdTokenError::NonceMismatch);
        }
    }

    if let (Some(access_token), Some(at_hash)) = (expected.access_token, claims.get("at_hash")) {
        let at_hash = at_hash
            .as_str()
            .ok_or(IdTokenError::MissingClaim("at_hash"))?;
        if !bool::from(
            token_hash(alg, access_token)
                .as_bytes()
                .ct_eq(at_hash.as_bytes()),
        ) {
            return Err(IdTokenError::AccessTokenHash);
        }
    }
    Ok(())
}

/// Whether `iss` is `issuer`. An issuer with Azure AD's `{tenantid}` placeholder
/// (multi-tenant apps) matches when the placeholder is filled by one plausible tenant id:
/// the token's `tid` when `tid` is `Some` (an empty one never matches), any when `None`
/// (the callback's `iss` parameter, which comes before the ID token).
pub(crate) fn issuer_matches(issuer: &str, iss: &str, tid: Option<&str>) -> bool {
    let Some((prefix, suffix)) = issuer.split_once("{tenantid}") else {
        return iss == issuer;
    };
    let Some(tenant) = iss
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
    else {
        return false;
    };
    let plausible = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plausible && tid.is_none_or(|tid| tid == tenant)
}

/// `at_hash`: base64url of the left half of the access token's hash, the hash being the one
/// of the signature algorithm (SHA-512 for Ed25519).
fn token_hash(alg: Algorithm, access_token: &str) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            Sha384::digest(access_token.as_bytes()).to_vec()
        }
        Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            Sha512::digest(access_token.as_bytes()).to_vec()
        }
        _ => Sha256::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use jsonwebtoken::EncodingKey;
    use rand::Rng as _;
    use serde_json::json;

    use super::*;
    use crate::oauth::jwks::parse_jwks;

    /// An Ed25519 key generated for the test, as a PKCS#8 v1 document and a public JWK.
    pub(crate) struct TestKey {
        pkcs8: Vec<u8>,
        pub(crate) jwk: Value,
    }

    impl TestKey {
        pub(crate) fn generate(kid: &str) -> TestKey {
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            // PKCS#8 v1 (RFC 8410 §7): SEQUENCE { 0, { id-Ed25519 }, OCTET STRING { seed } }.
            let mut pkcs8 = vec![
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20,
            ];
            pkcs8.extend_from_slice(&seed);
            let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
            let public = (provider.key_utils.ed_pub_components_from_private_key)(
                &pkcs8,
                &jsonwebtoken::jwk::EllipticCurve::Ed25519,
            )
            .unwrap();
            let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig",
                "x": URL_SAFE_NO_PAD.encode(public)});
            TestKey { pkcs8, jwk }
        }

        /// A compact JWS of `claims` with `header`, signed by this key.
        pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
            let signer = (provider.signer_factory)(
                &Algorithm::EdDSA,
                &EncodingKey::from_ed_der(&self.pkcs8),
            )
            .unwrap();
            let signature = signer.try_sign(input.as_bytes()).unwrap();
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
        }

        pub(crate) fn header(&self) -> Value {
            json!({"alg": "EdDSA", "kid": self.jwk["kid"], "typ": "JWT"})
        }
    }

    /// A compact JWS of `claims` signed HS256 with `secret`, as LINE signs its ID tokens.
    pub(crate) fn sign_hs256(secret: &str, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        let key = EncodingKey::from_secret(secret.as_bytes()).unwrap();
        let signer = (provider.signer_factory)(&Algorithm::HS256, &key).unwrap();
        let mac = signer.try_sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    pub(crate) fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    pub(crate) fn claims(now: u64) -> Value {
        json!({"iss": "https://idp.example", "sub": "alice", "aud": "client-1",
            "exp": now + 300, "iat": now, "nonce": "n-1", "email": "alice@example.com"})
    }

    fn expected(now: u64) -> Expected<'static> {
        Expected {
            issuer: "https://idp.example",
            client_id: "client-1",
            nonce: Some("n-1"),
            access_token: None,
            now,
        }
    }

    /// Parses, verifies with `keys` and checks the claims, as the client does.
    fn verify(token: &str, keys: &[VerifyingKey], now: u64) -> Result<(), IdTokenError> {
        let jws = parse(token, false)?;
        verify_signature(&jws, keys)?;
        check_claims(&jws.claims, jws.alg, &expected(now))
    }

    fn keys_of(key: &TestKey) -> Vec<VerifyingKey> {
        parse_jwks(&json!({"keys": [key.jwk]})).unwrap()
    }

    #[test]
    fn a_token_signed_by_the_provider_key_is_accepted() {
        let key = TestKey::generate("k1");
        let now = now();
        let token = key.sign(&key.header(), &claims(now));
        assert_eq!(verify(&token, &keys_of(&key), now), Ok(()));
        let jws = parse(&token, false).unwrap();
        assert_eq!(jws.claims["email"], "alice@example.com");
    }

    #[test]
    fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
        let key = TestKey::generate("k1");
        let impostor = TestKey::generate("k1");
        let now = now();
        let token = impostor.sign(&impostor.header(), &claims(now));
        assert_eq!(
            verify(&token, &keys_of(&key), now),
            Err(IdTokenError::InvalidSignature)
        );
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let key = TestKey::generate("k1");
        let now = now();
        let token = key.sign(&key.header(), &claims(now));
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims(now);
        forged["sub"] = json!("mallory");
        let forged = URL_SAFE_NO_PAD.encode(forged.to_string());
        parts[1] = &forged;
        assert_eq!(
            verify(&parts.join("."), &keys_of(&key), now),
            Err(IdTokenError::InvalidSignature)
        );
    }

    #[test]
    fn expired_wrong_audience_and_wrong_issuer_tokens_are_refused() {
        let key = TestKey::generate("k1");
        let keys = keys_of(&key);
        let now = now();
        let with = |name: &str, value: Value| {
            let mut c = claims(now);
            c[name] = value;
            key.sign(&key.header(), &c)
        };
        assert_eq!(
            verify(&with("exp", json!(now - 11)), &keys, now),
            Err(IdTokenError::Expired)
        );
        // Within the 10 s tolerance.
        assert_eq!(verify(&with("exp", json!(now - 5)), &keys, now), Ok(()));
        assert_eq!(
            verify(&with("iat", json!(now + 60)), &keys, now),
            Err(IdTokenError::NotYetValid)
        );
        assert_eq!(
            verify(&with("nbf", json!(now + 60)), &keys, now),
            Err(IdTokenError::NotYetValid)
        );
        assert_eq!(
            verify(&with("aud", json!("client-2")), &keys, now),
            Err(IdTokenError::Audience)
        );
        assert_eq!(
            verify(&with("iss", json!("https://evil.example")), &keys, now),
            Err(IdTokenError::Issuer)
        );
        assert_eq!(
            verify(&with("sub", json!(null)), &keys, now),
            Err(IdTokenError::MissingClaim("sub"))
        );
        assert_eq!(
            verify(&with("exp", json!("tomorrow")), &keys, now),
            Err(IdTokenError::MissingClaim("exp"))
        );
    }

    #[test]
    fn several_audiences_need_an_azp_naming_this_client() {
        let key = TestKey::generate("k1");
        let keys = keys_of(&key);
        let now = now();
        let mut c = claims(now);
        c["aud"] = json!(["client-1", "api"]);
        assert_eq!(
            verify(&key.sign(&key.header(), &c), &keys, now),
            Err(IdTokenError::AuthorizedParty)
        );
        c["azp"] = json!("client-1");
        assert_eq!(verify(&key.sign(&key.header(), &c), &keys, now), Ok(()));
        c["azp"] = json!("api");
        assert_eq!(
            verify(&key.sign(&key.header(), &c), &keys, now),
            Err(IdTokenError::AuthorizedParty)
        );
    }

    #[test]
    fn the_nonce_must_be_present_and_equal() {
        let key = TestKey::generate("k1");
        let keys = keys_of(&key);
        let now = now();
        let mut c = claims(now);
        c["nonce"] = json!("n-2");
        assert_eq!(
            verify(&key.sign(&key.header(), &c), &keys, now),
            Err(IdTokenError::NonceMismatch)
        );
        c.as_object_mut().unwrap().remove("nonce");
        assert_eq!(
            verify(&key.sign(&key.header(), &c), &keys, now),
            Err(IdTokenError::MissingClaim("nonce"))
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let key = TestKey::generate("k1");
        let now = now();
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims(now).to_string())
        );
        assert_eq!(
            verify(&unsigned, &keys_of(&key), now),
            Err(IdTokenError::UnsupportedAlgorithm { alg: "none".into() })
        );
    }

    #[test]
    fn hs256_signed_with_the_public_rsa_modulus_is_refused() {
        // The classic key-confusion attack: the attacker knows the RSA public key (n, e) from
        // the JWKS and signs HS256 with the modulus as the HMAC secret.
        let modulus: Vec<u8> = std::iter::once(0xc1u8)
            .chain((0..255).map(|i| (i * 7 + 3) as u8))
            .collect();
        let n = URL_SAFE_NO_PAD.encode(&modulus);
        let keys =
            parse_jwks(&json!({"keys": [{"kty": "RSA", "kid": "rsa", "n": n, "e": "AQAB"}]}))
                .unwrap();
        assert_eq!(keys.len(), 1);
        let now = now();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "kid": "rsa"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims(now).to_string())
        );
        for secret in [modulus.clone(), n.clone().into_bytes()] {
            let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
            let signer = (provider.signer_factory)(
                &Algorithm::HS256,
                &EncodingKey::from_secret(&secret).unwrap(),
            )
            .unwrap();
            let mac = signer.try_sign(input.as_bytes()).unwrap();
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac));
            assert_eq!(
                verify(&token, &keys, now),
                Err(IdTokenError::UnsupportedAlgorithm {
                    alg: "HS256".into()
                })
            );
        }
    }

    #[test]
    fn hs256_verifies_with_the_client_secret_only_for_a_provider_that_signs_so() {
        let now = now();
        let token = sign_hs256("channel-secret", &claims(now));
        assert_eq!(
            parse(&token, false).unwrap_err(),
            IdTokenError::UnsupportedAlgorithm {
                alg: "HS256".into()
            }
        );
        let jws = parse(&token, true).unwrap();
        assert_eq!(
            verify_client_secret_signature(&jws, "channel-secret"),
            Ok(())
        );
        assert_eq!(check_claims(&jws.claims, jws.alg, &expected(now)), Ok(()));
        for wrong in ["channel-secreT", ""] {
            assert_eq!(
                verify_client_secret_signature(&jws, wrong),
                Err(IdTokenError::InvalidSignature),
                "{wrong:?}"
            );
        }
        // HS384 and HS512 stay refused, and an asymmetric token is no HMAC.
        let mut header = json!({"alg": "HS512"});
        let key = TestKey::generate("k1");
        assert!(matches!(
            parse(&key.sign(&header, &claims(now)), true),
            Err(IdTokenError::UnsupportedAlgorithm { .. })
        ));
        header = key.header();
        let signed = key.sign(&header, &claims(now));
        let jws = parse(&signed, true).unwrap();
        assert_eq!(
            verify_client_secret_signature(&jws, "channel-secret"),
            Err(IdTokenError::InvalidSignature)
        );
    }

    #[test]
    fn a_key_of_another_kind_never_verifies_a_token() {
        // An EdDSA token whose header claims RS256: no RSA key may be tried with EdDSA bytes,
        // and the Ed25519 key is not used for RS256.
        let key = TestKey::generate("k1");
        let now = now();
        let mut header = key.header();
        header["alg"] = json!("RS256");
        let token = key.sign(&header, &claims(now));
        assert_eq!(
            verify(&token, &keys_of(&key), now),
            Err(IdTokenError::NoMatchingKey {
                kid: Some("k1".into())
            })
        );
    }

    #[test]
    fn crit_headers_and_malformed_tokens_are_refused() {
        let key = TestKey::generate("k1");
        let now = now();
        let mut header = key.header();
        header["crit"] = json!(["exp"]);
        assert_eq!(
            verify(&key.sign(&header, &claims(now)), &keys_of(&key), now),
            Err(IdTokenError::CriticalHeader)
        );
        for garbage in ["", "a.b", "a.b.c.d", "!!.??.##", "e30.e30.", "e30.W10.AA"] {
            assert!(
                matches!(parse(garbage, true), Err(IdTokenError::Malformed)),
                "{garbage}"
            );
        }
    }

    #[test]
    fn azure_multi_tenant_issuers_are_filled_from_tid() {
        let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let iss = format!("https://login.microsoftonline.com/{tid}/v2.0");
        assert!(issuer_matches(template, &iss, Some(tid)));
        assert!(!issuer_matches(template, &iss, Some("other")));
        assert!(!issuer_matches(template, &iss, Some("")));
        // The callback's `iss` parameter: any one tenant, but only in the placeholder's place.
        assert!(issuer_matches(template, &iss, None));
        assert!(!issuer_matches(
            template,
            "https://login.microsoftonline.com/a/b/v2.0",
            None
        ));
        assert!(!issuer_matches(
            template,
            "https://evil.example/x/v2.0",
            None
        ));
        assert!(!issuer_matches(
            template,
            "https://login.microsoftonline.com//v2.0",
            None
        ));
        // Without the placeholder, only equality.
        assert!(issuer_matches(
            "https://idp.example",
            "https://idp.example",
            Some("")
        ));
        assert!(!issuer_matches(
            "https://idp.example",
            "https://idp.example/",
            None
        ));
    }

    #[test]
    fn at_hash_matches_a_published_rs256_vector() {
        // Ping Identity's developer guide: access token → at_hash for RS256 (SHA-256).
        assert_eq!(
            token_hash(Algorithm::RS256, "dNZX1hEZ9wBCzNL40Upu646bdzQA"),
            "wfgvmE9VxjAudsl9lc6TqA"
        );
    }

    #[test]
    fn at_hash_uses_the_hash_of_the_signature_algorithm() {
        let half = |digest: Vec<u8>| URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]);
        let token = "access-1";
        let sha256 = half(Sha256::digest(token).to_vec());
        let sha384 = half(Sha384::digest(token).to_vec());
        let sha512 = half(Sha512::digest(token).to_vec());
        for (alg, expected) in [
            (Algorithm::RS256, &sha256),
            (Algorithm::PS256, &sha256),
            (Algorithm::ES256, &sha256),
            (Algorithm::RS384, &sha384),
            (Algorithm::PS384, &sha384),
            (Algorithm::ES384, &sha384),
            (Algorithm::RS512, &sha512),
            (Algorithm::PS512, &sha512),
            (Algorithm::EdDSA, &sha512),
        ] {
            assert_eq!(&token_hash(alg, token), expected, "{alg:?}");
        }
    }

    #[test]
    fn at_hash_is_checked_when_present() {
        let key = TestKey::generate("k1");
        let keys = keys_of(&key);
        let now = now();
        let mut c = claims(now);
        c["at_hash"] = json!(token_hash(Algorithm::EdDSA, "access-1"));
        let token = key.sign(&key.header(), &c);
        let jws = parse(&token, false).unwrap();
        verify_signature(&jws, &keys).unwrap();
        let mut exp = expected(now);
        exp.access_token = Some("access-1");
        assert_eq!(check_claims(&jws.claims, jws.alg, &exp), Ok(()));
        exp.access_token = Some("access-2");
        assert_eq!(
            check_claims(&jws.claims, jws.alg, &exp),
            Err(IdTokenError::AccessTokenHash)
        );
    }

    #[test]
    fn issued_at_and_not_before_are_accepted_up_to_the_clock_tolerance_ahead() {
        let now = now();
        let tolerance = CLOCK_TOLERANCE_SECS;
        for (claim, ahead, accepted) in [
            ("iat", tolerance, true),
            ("iat", tolerance + 1, false),
            ("nbf", tolerance, true),
            ("nbf", tolerance + 1, false),
        ] {
            let mut c = claims(now);
            c[claim] = json!(now + ahead);
            let Value::Object(c) = c else { unreachable!() };
            let verdict = check_claims(&c, Algorithm::EdDSA, &expected(now));
            assert_eq!(
                verdict.is_ok(),
                accepted,
                "{claim} {ahead} s ahead: {verdict:?}"
            );
        }
        let mut c = claims(now);
        c["exp"] = json!(now - tolerance);
        let Value::Object(c) = c else { unreachable!() };
        assert_eq!(
            check_claims(&c, Algorithm::EdDSA, &expected(now)),
            Err(IdTokenError::Expired)
        );
    }

    #[test]
    fn the_allow_list_names_each_asymmetric_algorithm_and_nothing_else() {
        let allowed = [
            ("RS256", Algorithm::RS256),
            ("RS384", Algorithm::RS384),
            ("RS512", Algorithm::RS512),
            ("PS256", Algorithm::PS256),
            ("PS384", Algorithm::PS384),
            ("PS512", Algorithm::PS512),
            ("ES256", Algorithm::ES256),
            ("ES384", Algorithm::ES384),
            ("EdDSA", Algorithm::EdDSA),
        ];
        for (name, alg) in allowed {
            assert_eq!(algorithm(name), Some(alg), "{name}");
        }
        for refused in [
            "none", "HS256", "HS384", "HS512", "ES512", "rs256", "RS256 ", "",
        ] {
            assert_eq!(algorithm(refused), None, "{refused:?}");
        }
    }

    /// A token of exactly `len` characters that parses (its signature is not checked here):
    /// an `EdDSA` header, a payload padded to fit, and a signature of `A`s.
    fn token_of_length(len: usize) -> String {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA"}).to_string());
        // `{"p":"…"}` is the padding and 8 characters; base64 makes 4 of every 3.
        let start = ((len - header.len()) * 3 / 4).saturating_sub(40);
        for pad in start.. {
            let payload = URL_SAFE_NO_PAD.encode(json!({"p": "x".repeat(pad)}).to_string());
            let rest = len
                .checked_sub(header.len() + payload.len() + 2)
                .expect("no padding fits");
            // A signature segment whose length base64 can have, never empty.
            if rest >= 4 && rest.is_multiple_of(4) {
                return format!("{header}.{payload}.{}", "A".repeat(rest));
            }
        }
        unreachable!()
    }

    #[test]
    fn tokens_of_up_to_64_kib_are_read_and_longer_ones_refused_unread() {
        let longest = token_of_length(MAX_ID_TOKEN_LEN);
        assert_eq!(longest.len(), 64 * 1024);
        assert!(parse(&longest, false).is_ok());
        let over = token_of_length(MAX_ID_TOKEN_LEN + 4);
        assert!(matches!(parse(&over, false), Err(IdTokenError::Malformed)));
        assert!(parse(&token_of_length(2000), false).is_ok());
    }
}
