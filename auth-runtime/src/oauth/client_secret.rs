//! The client secret a token request carries: the one the provider issued, or a JWT the client
//! signs for each request with its own private key (the preset table's
//! `ClientSecret::SignedJwt`, Sign in with Apple's). Neither the secret, the key nor a signed
//! JWT ever reaches an error, a log line or a `Debug` output.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

/// The client secret; `Debug` never shows it, and it is never compared.
#[derive(Clone)]
pub(crate) enum ClientSecret {
    /// The secret the provider issued, sent as it is.
    Issued(String),
    /// A JWT signed anew for each token request.
    Signed(Arc<SecretSigner>),
}

impl ClientSecret {
    /// The secret of a token request made at `now` (Unix seconds) by `client_id`: the issued
    /// one, or a JWT signed now. `None` when signing fails.
    pub(crate) fn for_token_request(&self, client_id: &str, now: u64) -> Option<Cow<'_, str>> {
        match self {
            ClientSecret::Issued(secret) => Some(Cow::Borrowed(secret)),
            ClientSecret::Signed(signer) => signer.sign(client_id, now).map(Cow::Owned),
        }
    }

    /// The issued secret, as a key only an issued secret can be (LINE's HS256 ID tokens); empty
    /// for a signed one, and an empty key verifies nothing.
    pub(crate) fn issued(&self) -> &str {
        match self {
            ClientSecret::Issued(secret) => secret,
            ClientSecret::Signed(_) => "",
        }
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientSecret::Issued(_) => f.write_str("ClientSecret(<redacted>)"),
            ClientSecret::Signed(signer) => f.debug_tuple("ClientSecret").field(signer).finish(),
        }
    }
}

/// What signs a client secret: an ES256 JWT with header `{"alg":"ES256","kid":<key id>}` and
/// claims `iss` (the team id), `iat`, `exp`, `aud` and `sub` (the client id).
pub(crate) struct SecretSigner {
    /// The P-256 private key, PKCS#8 DER; checked when the signer is made.
    key: EncodingKey,
    key_id: String,
    team_id: String,
    audience: String,
    lifetime_secs: u64,
}

impl SecretSigner {
    /// A signer with the private key `pem`, the text of the key's file: a PKCS#8 P-256 private
    /// key in PEM (`-----BEGIN PRIVATE KEY-----`), its newlines possibly written as the two
    /// characters `\n`, as hosting dashboards keep a one-line value. The key is read here,
    /// once; `None` when it is not such a key (no reason is kept: it could quote the key).
    pub(crate) fn new(
        pem: &str,
        key_id: impl Into<String>,
        team_id: impl Into<String>,
        audience: impl Into<String>,
        lifetime_secs: u64,
    ) -> Option<SecretSigner> {
        let key = EncodingKey::from_ec_der(&pkcs8_from_pem(pem)?);
        // The signer checks that the document is PKCS#8 and that its curve is P-256.
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        (provider.signer_factory)(&Algorithm::ES256, &key).ok()?;
        Some(SecretSigner {
            key,
            key_id: key_id.into(),
            team_id: team_id.into(),
            audience: audience.into(),
            lifetime_secs,
        })
    }

    /// The client secret of `client_id` at `now` (Unix seconds), valid `lifetime_secs`.
    pub(crate) fn sign(&self, client_id: &str, now: u64) -> Option<String> {
        let header = json!({"alg": "ES256", "kid": self.key_id});
        let claims = json!({
            "iss": self.team_id,
            "iat": now,
            "exp": now.saturating_add(self.lifetime_secs),
            "aud": self.audience,
            "sub": client_id,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        let signer = (provider.signer_factory)(&Algorithm::ES256, &self.key).ok()?;
        // JWS ES256 (RFC 7518 §3.4): the fixed-size `r || s`, which aws-lc-rs signs.
        let signature = signer.try_sign(input.as_bytes()).ok()?;
        Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

impl fmt::Debug for SecretSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the key nor anything signed with it.
        f.debug_struct("SecretSigner")
            .field("key_id", &self.key_id)
            .field("team_id", &self.team_id)
            .field("audience", &self.audience)
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

/// The DER document of a PEM `PRIVATE KEY` (PKCS#8), newlines written `\n` accepted.
fn pkcs8_from_pem(text: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const END: &str = "-----END PRIVATE KEY-----";
    let text = text.replace("\\n", "\n");
    let body = text.trim().strip_prefix(BEGIN)?.strip_suffix(END)?;
    let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(base64).ok().filter(|der| !der.is_empty())
}

#[cfg(test)]
pub(crate) mod tests {
    use jsonwebtoken::DecodingKey;
    use serde_json::Value;

    use super::*;

    /// A P-256 key made for these tests only (`openssl genpkey -algorithm EC -pkeyopt
    /// ec_paramgen_curve:P-256`): it signs nothing anywhere else.
    pub(crate) const TEST_ONLY_P256_PRIVATE_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdmXconpPRGHkOM4n
+SV+IRgcMO0AIU/925wOYZpa6EqhRANCAATQLU939iFbfprR6svZ0P+2PZdizBWI
QP95GNbSywLdvCzlIYY6G/sEIL08x+8tUbFtQ8wAfduh+p9NQtcNT8gj
-----END PRIVATE KEY-----
";

    /// The public half of [`TEST_ONLY_P256_PRIVATE_KEY_PEM`] (`openssl pkey -pubout`).
    pub(crate) const TEST_ONLY_P256_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0C1Pd/YhW36a0erL2dD/tj2XYswV
iED/eRjW0ssC3bws5SGGOhv7BCC9PMfvLVGxbUPMAH3bofqfTULXDU/IIw==
-----END PUBLIC KEY-----
";

    /// A P-384 key made for these tests only: PKCS#8 EC, but not the curve ES256 signs with.
    const TEST_ONLY_P384_PRIVATE_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDoQwX1Dz0MfHYzt0nZ
xQwF+AheNW5YieActtfwg/FRIP9H8awxsF85T//kOQcSQiOhZANiAAQVS5po5Jg7
uZHEYqtu4JsaGObQqcqcVXt4GExkBGWYW7zsEoSsHwdtob59twmw7W4IHJmAMNCY
QyBtbNXfcLae5MjSU56hvSNN13jHt8a8mN79pEeuhsa0e4HyT/Pw04k=
-----END PRIVATE KEY-----
";

    /// An Ed25519 key made for these tests only: PKCS#8, not EC.
    const TEST_ONLY_ED25519_PRIVATE_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIOPJwcT1LkJz6+KIQL/K71yxMAayYJ9q2ib6l4QOF/Ro
-----END PRIVATE KEY-----
";

    /// The claims of a JWT whose ES256 signature verifies with the public key of
    /// [`TEST_ONLY_P256_PUBLIC_KEY_PEM`], and its header; panics otherwise.
    pub(crate) fn verified_with_the_test_public_key(jwt: &str) -> (Value, Value) {
        // A P-256 SubjectPublicKeyInfo is this 26-byte prefix, then the uncompressed point.
        const SPKI_P256_PREFIX: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
        let body: String = TEST_ONLY_P256_PUBLIC_KEY_PEM
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let spki = STANDARD.decode(body).expect("base64");
        let (prefix, point) = spki.split_at(26);
        assert_eq!(hex::encode(prefix), SPKI_P256_PREFIX);
        let key = DecodingKey::from_ec_der(point);
        let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        let verifier = (provider.verifier_factory)(&Algorithm::ES256, &key).expect("an ES256 key");
        let (input, signature) = jwt.rsplit_once('.').expect("a compact JWS");
        let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
        assert!(
            verifier.verify(input.as_bytes(), &signature).is_ok(),
            "the signature verifies with the public key"
        );
        let part = |text: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).expect("base64url")).expect("JSON")
        };
        let (header, claims) = input.split_once('.').expect("header.claims");
        (part(header), part(claims))
    }

    fn signer(pem: &str) -> Option<SecretSigner> {
        SecretSigner::new(
            pem,
            "KEY1234567",
            "TEAM123456",
            "https://appleid.apple.com",
            300,
        )
    }

    #[test]
    fn a_signed_secret_verifies_with_the_public_key_and_carries_its_claims() {
        let secret = signer(TEST_ONLY_P256_PRIVATE_KEY_PEM)
            .expect("the test key")
            .sign("com.example.web", 1_700_000_000)
            .expect("signed");
        let (header, claims) = verified_with_the_test_public_key(&secret);
        assert_eq!(header, json!({"alg": "ES256", "kid": "KEY1234567"}));
        assert_eq!(
            claims,
            json!({"iss": "TEAM123456", "iat": 1_700_000_000, "exp": 1_700_000_300,
                "aud": "https://appleid.apple.com", "sub": "com.example.web"})
        );
    }

    #[test]
    fn a_key_with_newlines_written_as_backslash_n_or_crlf_is_read() {
        let one_line = TEST_ONLY_P256_PRIVATE_KEY_PEM.trim().replace('\n', "\\n");
        assert!(!one_line.contains('\n'));
        let crlf = TEST_ONLY_P256_PRIVATE_KEY_PEM.replace('\n', "\r\n");
        for pem in [one_line, crlf] {
            let secret = signer(&pem).and_then(|s| s.sign("c", 1)).expect("read");
            verified_with_the_test_public_key(&secret);
        }
    }

    #[test]
    fn only_a_pkcs8_p256_private_key_in_pem_is_a_key() {
        let body_only: String = TEST_ONLY_P256_PRIVATE_KEY_PEM
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let sec1_label = TEST_ONLY_P256_PRIVATE_KEY_PEM.replace("PRIVATE KEY", "EC PRIVATE KEY");
        let cut = TEST_ONLY_P256_PRIVATE_KEY_PEM.replacen("MIGHAgEA", "MIGHAg", 1);
        for not_a_key in [
            "",
            "not a key",
            body_only.as_str(),
            sec1_label.as_str(),
            cut.as_str(),
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
            TEST_ONLY_P256_PUBLIC_KEY_PEM,
            TEST_ONLY_P384_PRIVATE_KEY_PEM,
            TEST_ONLY_ED25519_PRIVATE_KEY_PEM,
        ] {
            assert!(signer(not_a_key).is_none(), "{not_a_key}");
        }
    }

    #[test]
    fn debug_never_shows_the_key_or_a_signed_secret() {
        let signer = Arc::new(signer(TEST_ONLY_P256_PRIVATE_KEY_PEM).expect("the test key"));
        let secret = ClientSecret::Signed(Arc::clone(&signer));
        let signed = secret
            .for_token_request("c", 1)
            .expect("signed")
            .into_owned();
        let debug = format!("{secret:?} {signer:?}");
        let key_line = TEST_ONLY_P256_PRIVATE_KEY_PEM
            .lines()
            .nth(1)
            .expect("a line");
        for hidden in [key_line, signed.as_str(), &signed[signed.len() - 20..]] {
            assert!(!debug.contains(hidden), "{debug}");
        }
        assert!(debug.contains("KEY1234567"), "{debug}");
        assert_eq!(secret.issued(), "", "a signed secret is no HMAC key");
        let issued = ClientSecret::Issued("s3cr3t".to_owned());
        assert_eq!(format!("{issued:?}"), "ClientSecret(<redacted>)");
        assert_eq!(issued.for_token_request("c", 1).as_deref(), Some("s3cr3t"));
    }

    #[test]
    fn each_token_request_gets_a_fresh_secret() {
        let signer = signer(TEST_ONLY_P256_PRIVATE_KEY_PEM).expect("the test key");
        let (first, later) = (signer.sign("c", 100), signer.sign("c", 200));
        let claims =
            |jwt: Option<String>| verified_with_the_test_public_key(&jwt.expect("signed")).1;
        assert_eq!(claims(first)["iat"], 100);
        assert_eq!(claims(later)["exp"], 500);
    }
}
