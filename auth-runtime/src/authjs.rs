//! Auth.js v5 (`@auth/core`) session tokens: compact JWE with `alg: dir` and
//! `enc: A256CBC-HS512` (RFC 7518 §5.2.5: AES-256-CBC, then HMAC-SHA-512 over the header, IV,
//! ciphertext and the header's length, cut to 32 bytes), keyed per cookie name. docs/REST.md
//! §5.6 has the format; [`crate::jwe`] holds next-auth v4's.
//!
//! - The key is HKDF-SHA256 of the secret with salt = the session cookie's name
//!   (`authjs.session-token`, `__Secure-authjs.session-token`) and info
//!   `"Auth.js Generated Encryption Key (<salt>)"`: 64 bytes for `A256CBC-HS512`, 32 for
//!   `A256GCM`, which `@auth/core` also decodes.
//! - The header names the key by `kid`, the base64url JWK thumbprint (RFC 7638) of
//!   `{"k":…,"kty":"oct"}`, SHA-512 for a 64-byte key and SHA-256 for a 32-byte one. Of
//!   several secrets the first encodes; decoding takes the one whose thumbprint is the `kid`,
//!   or the first when the token has none.
//! - The payload is the claims with `iat`, `exp` and a random `jti`; decoding allows 15 s of
//!   clock skew, as `@auth/core` does.

use aes::Aes256;
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, Key, KeyInit, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::jwe::{self, TokenError};

/// The content encryption Auth.js writes.
const CBC: &str = "A256CBC-HS512";
/// The one it also reads.
const GCM: &str = "A256GCM";

const CBC_IV_LEN: usize = 16;
const CBC_TAG_LEN: usize = 32;
const GCM_IV_LEN: usize = 12;
const GCM_TAG_LEN: usize = 16;

/// One secret's keys for one cookie name: the 64-byte `A256CBC-HS512` key (MAC key, then
/// encryption key) and the 32-byte `A256GCM` one, each with its `kid`. `Debug` shows no key.
#[derive(Clone)]
struct SecretKeys {
    mac_key: [u8; 32],
    enc_key: [u8; 32],
    cbc_kid: String,
    gcm: Aes256Gcm,
    gcm_kid: String,
    /// `base64url({"alg":"dir","enc":"A256CBC-HS512","kid":…})`, the header this key writes.
    header: String,
}

impl SecretKeys {
    fn derive(secret: &str, salt: &str) -> SecretKeys {
        let info = format!("Auth.js Generated Encryption Key ({salt})");
        let hkdf = Hkdf::<Sha256>::new(Some(salt.as_bytes()), secret.as_bytes());
        let mut cbc = [0u8; 64];
        hkdf.expand(info.as_bytes(), &mut cbc)
            .expect("64 bytes is far below HKDF-SHA256's output limit");
        let mut gcm = [0u8; 32];
        hkdf.expand(info.as_bytes(), &mut gcm)
            .expect("32 bytes is far below HKDF-SHA256's output limit");
        let cbc_kid = thumbprint::<Sha512>(&cbc);
        let header = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"dir","enc":"{CBC}","kid":"{cbc_kid}"}}"#
        ));
        let mut mac_key = [0u8; 32];
        let mut enc_key = [0u8; 32];
        mac_key.copy_from_slice(&cbc[..32]);
        enc_key.copy_from_slice(&cbc[32..]);
        SecretKeys {
            mac_key,
            enc_key,
            cbc_kid,
            gcm: Aes256Gcm::new(&Key::<Aes256Gcm>::from(gcm)),
            gcm_kid: thumbprint::<Sha256>(&gcm),
            header,
        }
    }

    /// The `A256CBC-HS512` tag: HMAC-SHA-512 over `aad ‖ iv ‖ ciphertext ‖ AL`, where AL is
    /// the length of `aad` in bits as a 64-bit big-endian number, cut to its first 32 bytes.
    fn cbc_tag(&self, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> [u8; CBC_TAG_LEN] {
        let mut mac = <Hmac<Sha512> as hmac::KeyInit>::new_from_slice(&self.mac_key)
            .expect("HMAC takes a key of any length");
        mac.update(aad);
        mac.update(iv);
        mac.update(ciphertext);
        mac.update(&((aad.len() as u64) * 8).to_be_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; CBC_TAG_LEN];
        tag.copy_from_slice(&full[..CBC_TAG_LEN]);
        tag
    }
}

/// The RFC 7638 thumbprint of a symmetric key: `base64url(H({"k":"<key>","kty":"oct"}))`.
fn thumbprint<H: Digest>(key: &[u8]) -> String {
    let jwk = format!(r#"{{"k":"{}","kty":"oct"}}"#, URL_SAFE_NO_PAD.encode(key));
    URL_SAFE_NO_PAD.encode(H::digest(jwk.as_bytes()))
}

/// The keys of Auth.js v5 tokens for one cookie name (the HKDF salt), newest secret first:
/// the first encodes, any decodes (chosen by the token's `kid`). Never empty; `Debug` prints
/// only how many there are.
#[derive(Clone)]
pub struct AuthJsKeys {
    keys: Vec<SecretKeys>,
}

impl AuthJsKeys {
    /// One key set per secret, in order (`[AUTH_SECRET_3, AUTH_SECRET_2, AUTH_SECRET_1,
    /// AUTH_SECRET]` in Auth.js's order), for tokens in the cookie named `salt`
    /// (`authjs.session-token`). `None` when `secrets` is empty.
    pub fn derive(secrets: &[String], salt: &str) -> Option<AuthJsKeys> {
        if secrets.is_empty() {
            return None;
        }
        Some(AuthJsKeys {
            keys: secrets
                .iter()
                .map(|s| SecretKeys::derive(s, salt))
                .collect(),
        })
    }
}

impl std::fmt::Debug for AuthJsKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthJsKeys({} key(s), <redacted>)", self.keys.len())
    }
}

/// Seals `claims` as `@auth/core`'s `encode` does: the claims plus `iat = now_secs`,
/// `exp = now_secs + max_age_secs` and a fresh random `jti` (overwriting any in `claims`),
/// encrypted `A256CBC-HS512` with the first secret's key, its `kid` in the header.
pub fn encode(
    keys: &AuthJsKeys,
    claims: &Map<String, Value>,
    max_age_secs: u64,
    now_secs: u64,
) -> String {
    seal(keys, &jwe::stamped(claims, max_age_secs, now_secs))
}

/// Seals `plaintext` (a JSON object's bytes) with the first secret's key.
pub(crate) fn seal(keys: &AuthJsKeys, plaintext: &[u8]) -> String {
    let key = &keys.keys[0];
    let iv: [u8; CBC_IV_LEN] = jwe::random_bytes();
    let ciphertext = cbc::Encryptor::<Aes256>::new(&key.enc_key.into(), &iv.into())
        .encrypt_padded_vec::<Pkcs7>(plaintext);
    let tag = key.cbc_tag(key.header.as_bytes(), &iv, &ciphertext);
    format!(
        "{}..{}.{}.{}",
        key.header,
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(&ciphertext),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Opens a token sealed by [`encode`] or by `@auth/core` with the same secret and cookie name,
/// and checks its time claims as [`jwe::decode`] does (15 s of tolerance). Never panics,
/// whatever `token` holds.
pub fn decode(
    keys: &AuthJsKeys,
    token: &str,
    now_secs: u64,
) -> Result<Map<String, Value>, TokenError> {
    jwe::claims_of(&open(keys, token)?, now_secs)
}

/// What the protected header says, once checked.
#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    enc: String,
    kid: Option<String>,
    zip: Option<Value>,
    crit: Option<Value>,
}

/// Decrypts a token with the key its `kid` names (the first key without one) and returns the
/// payload bytes.
pub(crate) fn open(keys: &AuthJsKeys, token: &str) -> Result<Vec<u8>, TokenError> {
    if token.len() > jwe::MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut segments = token.split('.');
    let (Some(header_b64), Some(""), Some(iv), Some(ciphertext), Some(tag), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(TokenError::Malformed);
    };
    let decoded = |segment: &str| {
        URL_SAFE_NO_PAD
            .decode(segment)
            .map_err(|_| TokenError::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decoded(header_b64)?).map_err(|_| TokenError::UnsupportedHeader)?;
    if header.alg != "dir" || header.zip.is_some() || header.crit.is_some() {
        return Err(TokenError::UnsupportedHeader);
    }
    let (iv, ciphertext, tag) = (decoded(iv)?, decoded(ciphertext)?, decoded(tag)?);
    let aad = header_b64.as_bytes();
    let pick = |kid_of: fn(&SecretKeys) -> &str| match &header.kid {
        None => Some(&keys.keys[0]),
        Some(kid) => keys.keys.iter().find(|k| kid_of(k) == kid),
    };
    match header.enc.as_str() {
        CBC => {
            if iv.len() != CBC_IV_LEN || tag.len() != CBC_TAG_LEN {
                return Err(TokenError::Malformed);
            }
            let key = pick(|k| &k.cbc_kid).ok_or(TokenError::Undecryptable)?;
            let expected = key.cbc_tag(aad, &iv, &ciphertext);
            if !bool::from(expected.ct_eq(tag.as_slice())) {
                return Err(TokenError::Undecryptable);
            }
            let iv: [u8; CBC_IV_LEN] = iv.try_into().map_err(|_| TokenError::Malformed)?;
            cbc::Decryptor::<Aes256>::new(&key.enc_key.into(), &iv.into())
                .decrypt_padded_vec::<Pkcs7>(&ciphertext)
                .map_err(|_| TokenError::Undecryptable)
        }
        GCM => {
            let (Ok(iv), Ok(tag)) = (
                <[u8; GCM_IV_LEN]>::try_from(iv.as_slice()),
                <[u8; GCM_TAG_LEN]>::try_from(tag.as_slice()),
            ) else {
                return Err(TokenError::Malformed);
            };
            let key = pick(|k| &k.gcm_kid).ok_or(TokenError::Undecryptable)?;
            let mut buffer = ciphertext;
            key.gcm
                .decrypt_inout_detached(
                    &Nonce::<Aes256Gcm>::from(iv),
                    aad,
                    buffer.as_mut_slice().into(),
                    &Tag::<Aes256Gcm>::from(tag),
                )
                .map_err(|_| TokenError::Undecryptable)?;
            Ok(buffer)
        }
        _ => Err(TokenError::UnsupportedHeader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secrets: &[&str], salt: &str) -> AuthJsKeys {
        let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        AuthJsKeys::derive(&secrets, salt).unwrap()
    }

    fn claims() -> Map<String, Value> {
        let Value::Object(map) = serde_json::json!({"name": "Ann", "sub": "1"}) else {
            unreachable!()
        };
        map
    }

    const SALT: &str = "authjs.session-token";

    #[test]
    fn a_token_round_trips_with_its_times_and_kid() {
        let keys = keys(&["secret-one"], SALT);
        let token = encode(&keys, &claims(), 60, 1_000);
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "dir");
        assert_eq!(header["enc"], "A256CBC-HS512");
        assert_eq!(header["kid"], keys.keys[0].cbc_kid.as_str());
        let decoded = decode(&keys, &token, 1_010).unwrap();
        assert_eq!(decoded["name"], "Ann");
        assert_eq!(decoded["iat"], 1_000);
        assert_eq!(decoded["exp"], 1_060);
        assert!(
            decode(&keys, &token, 1_075).is_err(),
            "expired past the 15 s tolerance"
        );
    }

    #[test]
    fn the_cookie_name_and_the_secret_are_part_of_the_key() {
        let token = encode(&keys(&["secret-one"], SALT), &claims(), 60, 1_000);
        let secure = keys(&["secret-one"], "__Secure-authjs.session-token");
        assert_eq!(
            decode(&secure, &token, 1_000),
            Err(TokenError::Undecryptable)
        );
        let other = keys(&["secret-two"], SALT);
        assert_eq!(
            decode(&other, &token, 1_000),
            Err(TokenError::Undecryptable)
        );
    }

    #[test]
    fn any_secret_of_the_list_decodes_by_kid_and_the_first_encodes() {
        let old = encode(&keys(&["old"], SALT), &claims(), 60, 1_000);
        let rotated = keys(&["new", "old"], SALT);
        assert_eq!(decode(&rotated, &old, 1_000).unwrap()["sub"], "1");
        let fresh = encode(&rotated, &claims(), 60, 1_000);
        assert!(decode(&keys(&["new"], SALT), &fresh, 1_000).is_ok());
        assert!(decode(&keys(&["old"], SALT), &fresh, 1_000).is_err());
    }

    #[test]
    fn every_tampered_byte_is_refused() {
        let keys = keys(&["secret-one"], SALT);
        let token = encode(&keys, &claims(), 60, 1_000);
        for at in (0..token.len()).filter(|&i| token.as_bytes()[i] != b'.') {
            let mut bytes = token.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(decode(&keys, &tampered, 1_000).is_err(), "byte {at}");
        }
    }

    #[test]
    fn the_tag_covers_the_header_length() {
        // RFC 7518 §5.2.2.1: AL is the AAD's length in bits, big-endian, 64 bits.
        let key = &keys(&["secret-one"], SALT).keys[0];
        let a = key.cbc_tag(b"header", b"iv", b"ct");
        let b = key.cbc_tag(b"header", b"iv", b"ct");
        let shifted = key.cbc_tag(b"heade", b"riv", b"ct");
        assert_eq!(a, b);
        assert_ne!(
            a, shifted,
            "moving a byte between AAD and IV changes the tag"
        );
    }

    #[test]
    fn garbage_never_panics() {
        let keys = keys(&["secret-one"], SALT);
        for token in [
            "",
            ".",
            "....",
            "a.b.c.d.e",
            "e30..AAAA.AAAA.AAAA",
            "e30.x.a.b.c",
        ] {
            assert!(decode(&keys, token, 0).is_err(), "{token}");
        }
    }
}
