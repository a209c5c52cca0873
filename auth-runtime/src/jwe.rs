//! next-auth v4 compatible encrypted tokens: compact JWE, `dir` + `A256GCM`, HKDF-derived keys.
//! Owns the session token and the OAuth check cookies' sealing (docs/REST.md §5.2, §4.2, advisory #10).

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut, Key, KeyInit, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use rand::Rng as _;
use serde_json::{Map, Value};
use sha2::Sha256;

/// `base64url({"alg":"dir","enc":"A256GCM"})`: the protected header next-auth v4 writes, byte for byte.
const PROTECTED_HEADER_B64: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";

/// jose's `clockTolerance` as next-auth v4 passes it to `jwtDecrypt`.
const CLOCK_TOLERANCE_SECS: f64 = 15.0;

/// Longest token `decode` looks at. Cookies and headers cannot carry more (hyper's default
/// header buffer is about 400 KiB), so anything longer is garbage and is not decoded.
pub(crate) const MAX_TOKEN_LEN: usize = 256 * 1024;

const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A 32-byte AES-256-GCM key derived from the secret, as next-auth v4's `getDerivedEncryptionKey`.
///
/// Holds the expanded cipher, so no request pays for the key schedule. `Debug` never prints
/// key material.
#[derive(Clone)]
pub struct TokenKey {
    cipher: Aes256Gcm,
    #[cfg(test)]
    bytes: [u8; 32],
}

impl TokenKey {
    /// Derives the key: HKDF-SHA256 with IKM = `secret`, salt = `salt`, 32 bytes, and info
    /// `"NextAuth.js Generated Encryption Key"` (empty salt, the session token) or
    /// `"NextAuth.js Generated Encryption Key (<salt>)"` (the check cookies, salt = cookie name).
    pub fn derive(secret: &str, salt: &str) -> TokenKey {
        let info = if salt.is_empty() {
            "NextAuth.js Generated Encryption Key".to_owned()
        } else {
            format!("NextAuth.js Generated Encryption Key ({salt})")
        };
        let hkdf = Hkdf::<Sha256>::new(Some(salt.as_bytes()), secret.as_bytes());
        let mut key = [0u8; 32];
        hkdf.expand(info.as_bytes(), &mut key)
            .expect("32 bytes is far below HKDF-SHA256's 8160-byte output limit");
        TokenKey {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)),
            #[cfg(test)]
            bytes: key,
        }
    }
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

/// The keys for one purpose (one salt), newest secret first: `encode` seals with the first,
/// `decode` accepts any, so a secret can be rotated without signing everybody out.
///
/// Never empty. `Debug` prints only how many keys there are.
#[derive(Clone)]
pub struct TokenKeys {
    primary: TokenKey,
    previous: Vec<TokenKey>,
}

impl TokenKeys {
    /// Derives one [`TokenKey`] per secret, in order, all with the same `salt`.
    ///
    /// Returns `None` when `secrets` is empty: there would be no key to encode with.
    pub fn derive(secrets: &[String], salt: &str) -> Option<TokenKeys> {
        let (first, rest) = secrets.split_first()?;
        Some(TokenKeys {
            primary: TokenKey::derive(first, salt),
            previous: rest
                .iter()
                .map(|secret| TokenKey::derive(secret, salt))
                .collect(),
        })
    }

    fn iter(&self) -> impl Iterator<Item = &TokenKey> {
        std::iter::once(&self.primary).chain(&self.previous)
    }
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenKeys(<{} redacted>)", 1 + self.previous.len())
    }
}

/// Why a token was refused. Messages never contain token material or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a compact JWE: wrong number of segments, bad base64url, wrong IV or tag length,
    /// a non-empty encrypted key, or longer than any cookie could be.
    #[error("token is not a well-formed compact JWE")]
    Malformed,
    /// The protected header is not `alg: dir`, `enc: A256GCM`, or it asks for `zip` or `crit`.
    #[error("token header is not `dir` + `A256GCM` without `zip` or `crit`")]
    UnsupportedHeader,
    /// No key decrypts it: another secret, another salt (purpose), or tampered bytes.
    #[error("token does not decrypt with any configured key")]
    Undecryptable,
    /// The decrypted payload is not a JSON object.
    #[error("token payload is not a JSON object")]
    NotAnObject,
    /// A time claim (`exp`, `nbf` or `iat`) is present but is not a number.
    #[error("token claim `{0}` is not a number")]
    InvalidClaim(&'static str),
    /// `exp` is 15 s or more in the past.
    #[error("token has expired")]
    Expired,
    /// `nbf` is more than 15 s in the future.
    #[error("token is not valid yet")]
    NotYetValid,
}

/// Seals `claims` as next-auth v4's `jwt.encode` does.
///
/// The payload is `claims` plus `iat = now_secs`, `exp = now_secs + max_age_secs` and
/// `jti` = a fresh random UUID v4; those three overwrite any value already in `claims`.
/// The result is `header..iv.ciphertext.tag` with header `{"alg":"dir","enc":"A256GCM"}`,
/// a random 96-bit IV, and the header segment as AES-GCM additional data.
pub fn encode(
    keys: &TokenKeys,
    claims: &Map<String, Value>,
    max_age_secs: u64,
    now_secs: u64,
) -> String {
    seal(keys, &stamped(claims, max_age_secs, now_secs))
}

/// The payload of a fresh token: `claims` plus `iat = now_secs`, `exp = now_secs +
/// max_age_secs` and a random `jti`, overwriting any in `claims` (v4's and v5's `encode`).
pub(crate) fn stamped(claims: &Map<String, Value>, max_age_secs: u64, now_secs: u64) -> Vec<u8> {
    let mut payload = claims.clone();
    payload.insert("iat".to_owned(), Value::from(now_secs));
    payload.insert(
        "exp".to_owned(),
        Value::from(now_secs.saturating_add(max_age_secs)),
    );
    payload.insert("jti".to_owned(), Value::from(random_uuid_v4()));
    Value::Object(payload).to_string().into_bytes()
}

/// Seals `plaintext` (a JSON object's bytes) with the primary key: [`encode`] without the
/// claims handling, for callers that serialise their own payload.
pub(crate) fn seal(keys: &TokenKeys, plaintext: &[u8]) -> String {
    seal_owned(keys, plaintext.to_vec())
}

/// [`seal`] encrypting `plaintext` in place (the session path serialises into it).
pub(crate) fn seal_owned(keys: &TokenKeys, plaintext: Vec<u8>) -> String {
    encode_with_iv(&keys.primary, plaintext, random_bytes())
}

fn encode_with_iv(key: &TokenKey, mut buffer: Vec<u8>, iv: [u8; IV_LEN]) -> String {
    let tag = key
        .cipher
        .encrypt_inout_detached(
            &Nonce::<Aes256Gcm>::from(iv),
            PROTECTED_HEADER_B64.as_bytes(),
            buffer.as_mut_slice().into(),
        )
        .expect("a token payload is far below AES-GCM's 64 GiB plaintext limit");
    // `header..iv.ciphertext.tag`, written once into a buffer of exactly its length.
    let encoded = |bytes: usize| (bytes * 4).div_ceil(3);
    let mut token = vec![
        b'.';
        PROTECTED_HEADER_B64.len()
            + 4
            + encoded(IV_LEN)
            + encoded(buffer.len())
            + encoded(TAG_LEN)
    ];
    let mut at = PROTECTED_HEADER_B64.len();
    token[..at].copy_from_slice(PROTECTED_HEADER_B64.as_bytes());
    at += 2;
    for part in [&iv[..], &buffer, &tag[..]] {
        let written = URL_SAFE_NO_PAD
            .encode_slice(part, &mut token[at..])
            .expect("the buffer is sized for the encoded parts");
        at += written + 1;
    }
    String::from_utf8(token).expect("base64url and dots are ASCII")
}

/// Opens a token sealed by [`encode`] (or by next-auth v4 with the same secret and salt).
///
/// Tries every key in order. Time checks follow jose's `jwtDecrypt` with next-auth's 15 s
/// tolerance: the token is expired once `now_secs >= exp + 15`, and not yet valid while
/// `now_secs < nbf - 15`. A token **without** `exp` is accepted, as jose accepts it; every
/// token `encode` writes has one. `exp`, `nbf` and `iat`, when present, must be numbers.
///
/// Tokens longer than 256 KiB are refused as [`TokenError::Malformed`] without decoding.
/// Never panics, whatever `token` holds.
pub fn decode(
    keys: &TokenKeys,
    token: &str,
    now_secs: u64,
) -> Result<Map<String, Value>, TokenError> {
    claims_of(&open(keys, token)?, now_secs)
}

/// The claims of an opened payload: a JSON object whose time claims are numbers and current
/// (v4's and v5's `decode`).
pub(crate) fn claims_of(plaintext: &[u8], now_secs: u64) -> Result<Map<String, Value>, TokenError> {
    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(plaintext) else {
        return Err(TokenError::NotAnObject);
    };
    check_time_claims(&claims, now_secs)?;
    Ok(claims)
}

/// Decrypts a token with the first key that opens it and returns the payload bytes, checking
/// everything [`decode`] checks except the payload itself (a JSON object, its time claims).
pub(crate) fn open(keys: &TokenKeys, token: &str) -> Result<Vec<u8>, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut segments = crate::text::split(token, b'.');
    let (Some(header), Some(encrypted_key), Some(iv), Some(ciphertext), Some(tag), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(TokenError::Malformed);
    };
    // `dir` means the content key is the shared key itself; jose refuses an encrypted key here.
    if !encrypted_key.is_empty() {
        return Err(TokenError::Malformed);
    }
    // next-auth v4 and `encode` write this exact header; anything else is read and checked.
    if header != PROTECTED_HEADER_B64 {
        check_header(header)?;
    }
    let mut iv_bytes = [0u8; IV_LEN];
    decode_exact(iv, &mut iv_bytes)?;
    let mut tag_bytes = [0u8; TAG_LEN];
    decode_exact(tag, &mut tag_bytes)?;
    let ciphertext = decode_segment(ciphertext)?;

    // Earlier keys (rotation) each try a copy; the last one decrypts the buffer in place.
    let mut keys = keys.iter().peekable();
    while let Some(key) = keys.next() {
        let buffer = if keys.peek().is_some() {
            ciphertext.clone()
        } else {
            return decrypt(key, header.as_bytes(), iv_bytes, ciphertext, tag_bytes)
                .ok_or(TokenError::Undecryptable);
        };
        if let Some(plaintext) = decrypt(key, header.as_bytes(), iv_bytes, buffer, tag_bytes) {
            return Ok(plaintext);
        }
    }
    Err(TokenError::Undecryptable)
}

/// Decodes a base64url segment that must be exactly `out.len()` bytes long.
fn decode_exact(segment: &str, out: &mut [u8]) -> Result<(), TokenError> {
    // A longer segment is refused before decoding, so the buffer below cannot overflow.
    if segment.len() > out.len().div_ceil(3) * 4 {
        return Err(TokenError::Malformed);
    }
    let mut buffer = [0u8; 24];
    match URL_SAFE_NO_PAD.decode_slice(segment, &mut buffer) {
        Ok(n) if n == out.len() => {
            out.copy_from_slice(&buffer[..n]);
            Ok(())
        }
        _ => Err(TokenError::Malformed),
    }
}

fn decode_segment(segment: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed)
}

fn check_header(segment: &str) -> Result<(), TokenError> {
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&decode_segment(segment)?)
    else {
        return Err(TokenError::Malformed);
    };
    let is =
        |name: &str, expected: &str| header.get(name).and_then(Value::as_str) == Some(expected);
    // next-auth v4 never compresses, and we implement no JWE extension that `crit` could name.
    if !is("alg", "dir")
        || !is("enc", "A256GCM")
        || header.contains_key("zip")
        || header.contains_key("crit")
    {
        return Err(TokenError::UnsupportedHeader);
    }
    Ok(())
}

fn decrypt(
    key: &TokenKey,
    aad: &[u8],
    iv: [u8; IV_LEN],
    mut buffer: Vec<u8>,
    tag: [u8; TAG_LEN],
) -> Option<Vec<u8>> {
    key.cipher
        .decrypt_inout_detached(
            &Nonce::<Aes256Gcm>::from(iv),
            aad,
            buffer.as_mut_slice().into(),
            &Tag::<Aes256Gcm>::from(tag),
        )
        .ok()?;
    Some(buffer)
}

fn check_time_claims(claims: &Map<String, Value>, now_secs: u64) -> Result<(), TokenError> {
    let claim = |name| TimeClaim::from_value(claims.get(name));
    check_times(
        &TimeClaims {
            iat: claim("iat"),
            nbf: claim("nbf"),
            exp: claim("exp"),
        },
        now_secs,
    )
}

/// Checks an opened payload as [`decode`] does (a JSON object whose time claims are numbers
/// and current) without building the claims map: the caller deserialises its own type.
pub(crate) fn check_payload(plaintext: &[u8], now_secs: u64) -> Result<(), TokenError> {
    if plaintext.trim_ascii_start().first() != Some(&b'{') {
        return Err(TokenError::NotAnObject);
    }
    let claims: TimeClaims =
        serde_json::from_slice(plaintext).map_err(|_| TokenError::NotAnObject)?;
    check_times(&claims, now_secs)
}

/// [`check_payload`] for a payload already deserialised into a type with integer `iat` and
/// `exp`, without parsing it again: the typed values decide unless the payload might say more
/// than they show (an `nbf` claim, a `null` `iat` or `exp`, or an escaped key that could spell
/// one), in which case the full check runs.
pub(crate) fn check_decoded_times(
    plaintext: &[u8],
    iat: Option<u64>,
    exp: Option<u64>,
    now_secs: u64,
) -> Result<(), TokenError> {
    // Any escape (it could spell a key) or an `nbf`; memchr's searches take many bytes a step.
    let mentions = |key: &[u8]| memchr::memmem::find(plaintext, key).is_some();
    let says_more = memchr::memchr(b'\\', plaintext).is_some() || mentions(b"nbf");
    if says_more
        || plaintext.trim_ascii_start().first() != Some(&b'{')
        || (iat.is_none() && mentions(b"\"iat\""))
        || (exp.is_none() && mentions(b"\"exp\""))
    {
        return check_payload(plaintext, now_secs);
    }
    // Seconds fit an f64 exactly until the year 285 million; larger ones compare as JS does.
    let number =
        |claim: Option<u64>| claim.map_or(TimeClaim::Absent, |n| TimeClaim::Number(n as f64));
    check_times(
        &TimeClaims {
            iat: number(iat),
            nbf: TimeClaim::Absent,
            exp: number(exp),
        },
        now_secs,
    )
}

/// The registered time claims, as far as the checks need them.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct TimeClaims {
    iat: TimeClaim,
    nbf: TimeClaim,
    exp: TimeClaim,
}

/// A time claim: absent, a number (as JavaScript reads it), or present but not a number.
#[derive(Default, Clone, Copy)]
enum TimeClaim {
    #[default]
    Absent,
    Number(f64),
    NotANumber,
}

impl TimeClaim {
    fn from_value(value: Option<&Value>) -> TimeClaim {
        match value {
            None => TimeClaim::Absent,
            Some(value) => value
                .as_f64()
                .map_or(TimeClaim::NotANumber, TimeClaim::Number),
        }
    }

    fn number(self, name: &'static str) -> Result<Option<f64>, TokenError> {
        match self {
            TimeClaim::Absent => Ok(None),
            TimeClaim::Number(n) => Ok(Some(n)),
            TimeClaim::NotANumber => Err(TokenError::InvalidClaim(name)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for TimeClaim {
    fn deserialize<De: serde::Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        // Present, even as `null`: only a number passes.
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Ok(TimeClaim::from_value(Some(&value)))
    }
}

fn check_times(claims: &TimeClaims, now_secs: u64) -> Result<(), TokenError> {
    // Seconds fit an f64 exactly until the year 285 million.
    let now = now_secs as f64;
    claims.iat.number("iat")?;
    if let Some(nbf) = claims.nbf.number("nbf")?
        && nbf > now + CLOCK_TOLERANCE_SECS
    {
        return Err(TokenError::NotYetValid);
    }
    if let Some(exp) = claims.exp.number("exp")?
        && exp <= now - CLOCK_TOLERANCE_SECS
    {
        return Err(TokenError::Expired);
    }
    Ok(())
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A random (version 4, RFC 9562 variant) UUID in its lowercase hyphenated form: a token's
/// `jti`, and a database session's token (next-auth v4's `randomUUID()`).
pub(crate) fn random_uuid_v4() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes: [u8; 16] = random_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_700_000_000;
    const DAY: u64 = 86_400;

    #[test]
    fn checking_decoded_times_agrees_with_checking_the_payload() {
        #[derive(serde::Deserialize)]
        struct Times {
            #[serde(default)]
            iat: Option<u64>,
            #[serde(default)]
            exp: Option<u64>,
        }
        let future = NOW + DAY;
        let past = NOW - DAY;
        let payloads = [
            format!(r#"{{"iat":{NOW},"exp":{future}}}"#),
            format!(r#"{{"iat":{NOW},"exp":{past}}}"#),
            format!(r#"{{"iat":{NOW},"exp":{future},"nbf":{future}}}"#),
            format!(r#"{{"iat":{NOW},"exp":{future},"nbf":"soon"}}"#),
            format!(r#"{{"iat":{NOW},"exp":{future},"\u006ebf":{future}}}"#),
            format!(r#"{{"iat":{NOW},"\u0065xp":{past}}}"#),
            format!(r#"{{"iat":{NOW},"exp":null}}"#),
            format!(r#"{{"iat":null,"exp":{future}}}"#),
            format!(r#"{{"name":"nbf \"x\"","exp":{future}}}"#),
            r#"{"sub":"1"}"#.to_owned(),
            format!(r#"  {{"exp":{}}}"#, NOW - 15),
            format!(r#"{{"exp":{}}}"#, NOW - 14),
        ];
        for payload in &payloads {
            let Ok(times) = serde_json::from_str::<Times>(payload) else {
                continue;
            };
            assert_eq!(
                check_decoded_times(payload.as_bytes(), times.iat, times.exp, NOW),
                check_payload(payload.as_bytes(), NOW),
                "{payload}"
            );
        }
    }

    /// Sealed with Node 20's `crypto` (AES-256-GCM, key from `hkdfSync`, secret "secret",
    /// empty salt), IV 000102…0b, AAD = the header segment, plaintext = `KNOWN_PLAINTEXT`.
    const KNOWN_JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL.D9w7kt5B9FSTsIDXMVxNJ-E7BNSdtARSSL6YQGOWo3pD5Si9fAh10JdKc0tGB34dK2sT30g8Wd-5CfrxkPAmgtkHHCqnBEAP5DFwQif2G1DLqXQ1MPCj2mSoywmndP9XxV6ld5V13GMC.S9fYH03-MbdcV5C4oK7S-Q";
    const KNOWN_PLAINTEXT: &str = r#"{"name":"Alice","sub":"1","iat":1700000000,"exp":4102444800,"jti":"12db172d-5f4e-4b8a-9c1d-0123456789ab"}"#;
    const KNOWN_IV: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    fn keys(secrets: &[&str], salt: &str) -> TokenKeys {
        let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        TokenKeys::derive(&secrets, salt).expect("non-empty secrets")
    }

    fn alice() -> Map<String, Value> {
        let Value::Object(map) =
            json!({"name": "Alice", "email": "alice@example.com", "picture": null, "sub": "1"})
        else {
            unreachable!()
        };
        map
    }

    #[test]
    fn a_valid_token_of_exactly_the_longest_length_is_read() {
        // The padding that makes the token exactly `MAX_TOKEN_LEN` characters long: its
        // length grows by one or two characters per payload byte, so one of these hits it.
        let keys = keys(&["secret"], "");
        let sized = |padding: usize| {
            let mut claims = alice();
            claims.insert("padding".to_owned(), Value::from("x".repeat(padding)));
            encode(&keys, &claims, 60, NOW)
        };
        // Each payload byte adds 4/3 of a character: aim from a short token, then look nearby.
        let short = sized(0).len();
        let aim = (MAX_TOKEN_LEN - short) * 3 / 4;
        let token = (aim.saturating_sub(4)..aim + 4)
            .map(sized)
            .find(|t| t.len() == MAX_TOKEN_LEN)
            .expect("a padding gives the exact length");
        assert_eq!(decode(&keys, &token, NOW).unwrap()["name"], "Alice");
        assert_eq!(
            decode(&keys, &format!("{token}A"), NOW),
            Err(TokenError::Malformed),
            "one character more is refused unread"
        );
    }

    /// Swaps one base64url segment of a token for `replace(decoded bytes)`, re-encoded.
    fn with_segment(token: &str, index: usize, replace: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut segments: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut bytes = URL_SAFE_NO_PAD.decode(&segments[index]).unwrap();
        replace(&mut bytes);
        segments[index] = URL_SAFE_NO_PAD.encode(bytes);
        segments.join(".")
    }

    #[test]
    fn session_key_matches_the_spec_vector() {
        assert_eq!(
            hex::encode(TokenKey::derive("secret", "").bytes),
            "9ab5058ebf5be88f82f4aee99d22cf8be7a34a4af1836299d0668f4d83020f5a"
        );
    }

    #[test]
    fn state_cookie_key_matches_the_spec_vector() {
        assert_eq!(
            hex::encode(TokenKey::derive("secret", "next-auth.state").bytes),
            "c01f89640026c3c617ec6a68dc377509d2c405289c116743082c17c9874371a7"
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = TokenKey::derive("secret", "");
        let key_hex = hex::encode(key.bytes);
        for printed in [format!("{key:?}"), format!("{:?}", keys(&["secret"], ""))] {
            assert!(!printed.contains(&key_hex[..8]), "{printed}");
            assert!(!printed.contains("secret"), "{printed}");
            assert!(printed.contains("redacted"), "{printed}");
        }
    }

    #[test]
    fn an_empty_secret_list_gives_no_keys() {
        assert!(TokenKeys::derive(&[], "").is_none());
    }

    #[test]
    fn protected_header_segment_is_next_auth_v4s() {
        assert_eq!(
            PROTECTED_HEADER_B64,
            URL_SAFE_NO_PAD.encode(br#"{"alg":"dir","enc":"A256GCM"}"#)
        );
        let token = encode(&keys(&["secret"], ""), &alice(), DAY, NOW);
        assert_eq!(
            token.split('.').next(),
            Some("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0")
        );
    }

    #[test]
    fn encode_with_iv_reproduces_a_token_sealed_by_node() {
        let key = TokenKey::derive("secret", "");
        assert_eq!(
            encode_with_iv(&key, KNOWN_PLAINTEXT.as_bytes().to_vec(), KNOWN_IV),
            KNOWN_JWE
        );
    }

    #[test]
    fn decode_reads_a_token_sealed_by_node() {
        let claims = decode(&keys(&["secret"], ""), KNOWN_JWE, NOW).unwrap();
        assert_eq!(
            Value::Object(claims),
            serde_json::from_str::<Value>(KNOWN_PLAINTEXT).unwrap()
        );
    }

    #[test]
    fn round_trip_keeps_claims_and_sets_iat_exp_jti() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), 30 * DAY, NOW);
        let segments: Vec<&str> = token.split('.').collect();
        assert_eq!(segments.len(), 5);
        assert_eq!(segments[1], "", "dir has an empty encrypted key");
        assert_eq!(URL_SAFE_NO_PAD.decode(segments[2]).unwrap().len(), 12);
        assert_eq!(URL_SAFE_NO_PAD.decode(segments[4]).unwrap().len(), 16);

        let claims = decode(&keys, &token, NOW).unwrap();
        for (name, value) in alice() {
            assert_eq!(claims.get(&name), Some(&value), "{name}");
        }
        assert_eq!(claims["iat"], json!(NOW));
        assert_eq!(claims["exp"], json!(NOW + 30 * DAY));
        assert_eq!(claims.len(), alice().len() + 3);
    }

    #[test]
    fn encode_overwrites_iat_exp_and_jti_from_the_claims() {
        let keys = keys(&["secret"], "");
        let mut claims = alice();
        claims.insert("iat".into(), json!(1));
        claims.insert("exp".into(), json!(2));
        claims.insert("jti".into(), json!("fixed"));
        let decoded = decode(&keys, &encode(&keys, &claims, DAY, NOW), NOW).unwrap();
        assert_eq!(decoded["iat"], json!(NOW));
        assert_eq!(decoded["exp"], json!(NOW + DAY));
        assert_ne!(decoded["jti"], json!("fixed"));
    }

    #[test]
    fn jti_is_a_fresh_uuid_v4() {
        let keys = keys(&["secret"], "");
        let jti = |token: &str| decode(&keys, token, NOW).unwrap()["jti"].clone();
        let first = jti(&encode(&keys, &alice(), DAY, NOW));
        let second = jti(&encode(&keys, &alice(), DAY, NOW));
        assert_ne!(first, second);
        let first = first.as_str().unwrap();
        let groups: Vec<&str> = first.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(
            first
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        // Every one of many: a bit operation that kept some random bits would show.
        for _ in 0..64 {
            let uuid = random_uuid_v4();
            let groups: Vec<&str> = uuid.split('-').collect();
            assert!(groups[2].starts_with('4'), "version nibble: {uuid}");
            assert!(
                matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
                "variant bits: {uuid}"
            );
        }
    }

    #[test]
    fn two_encodings_use_different_ivs() {
        let keys = keys(&["secret"], "");
        let iv = |token: String| token.split('.').nth(2).map(str::to_owned);
        assert_ne!(
            iv(encode(&keys, &alice(), DAY, NOW)),
            iv(encode(&keys, &alice(), DAY, NOW))
        );
    }

    #[test]
    fn rotated_list_decodes_tokens_sealed_with_the_old_secret() {
        let token = encode(&keys(&["old"], ""), &alice(), DAY, NOW);
        let rotated = keys(&["new", "old"], "");
        assert_eq!(decode(&rotated, &token, NOW).unwrap()["sub"], json!("1"));
    }

    #[test]
    fn rotated_list_encodes_with_the_first_secret() {
        let token = encode(&keys(&["new", "old"], ""), &alice(), DAY, NOW);
        assert!(decode(&keys(&["new"], ""), &token, NOW).is_ok());
        assert_eq!(
            decode(&keys(&["old"], ""), &token, NOW),
            Err(TokenError::Undecryptable)
        );
    }

    #[test]
    fn wrong_secret_is_undecryptable() {
        let token = encode(&keys(&["secret"], ""), &alice(), DAY, NOW);
        assert_eq!(
            decode(&keys(&["other"], ""), &token, NOW),
            Err(TokenError::Undecryptable)
        );
    }

    #[test]
    fn state_cookie_token_is_not_a_session_token() {
        // Advisory #10 (GHSA-v64w-49xw-qq89): per-purpose salts keep check cookies out of the session.
        let state = encode(
            &keys(&["secret"], "next-auth.state"),
            &Map::from_iter([("value".to_owned(), json!("abc"))]),
            900,
            NOW,
        );
        assert_eq!(
            decode(&keys(&["secret"], ""), &state, NOW),
            Err(TokenError::Undecryptable)
        );
        assert!(decode(&keys(&["secret"], "next-auth.state"), &state, NOW).is_ok());
    }

    #[test]
    fn tampered_ciphertext_tag_iv_or_header_is_refused() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), DAY, NOW);
        let flip_first = |bytes: &mut Vec<u8>| bytes[0] ^= 1;
        for index in [2, 3, 4] {
            let tampered = with_segment(&token, index, flip_first);
            assert_eq!(
                decode(&keys, &tampered, NOW),
                Err(TokenError::Undecryptable),
                "segment {index}"
            );
        }
        // Same meaning, different bytes: the AAD is the header segment as sent.
        let header = with_segment(&token, 0, |bytes| {
            *bytes = br#"{"enc":"A256GCM","alg":"dir"}"#.to_vec()
        });
        assert_eq!(decode(&keys, &header, NOW), Err(TokenError::Undecryptable));
        let truncated = with_segment(&token, 3, |bytes| {
            bytes.pop();
        });
        assert_eq!(
            decode(&keys, &truncated, NOW),
            Err(TokenError::Undecryptable)
        );
    }

    #[test]
    fn other_algorithms_and_zip_are_unsupported() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), DAY, NOW);
        for header in [
            r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#,
            r#"{"alg":"dir","enc":"A256GCM","crit":["exp"]}"#,
            r#"{"alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A256CBC-HS512"}"#,
            r#"{"alg":"A256KW","enc":"A256GCM"}"#,
            r#"{"alg":"none"}"#,
            r#"{"enc":"A256GCM"}"#,
            r#"{"alg":"dir","enc":["A256GCM"]}"#,
        ] {
            let forged = with_segment(&token, 0, |bytes| *bytes = header.as_bytes().to_vec());
            assert_eq!(
                decode(&keys, &forged, NOW),
                Err(TokenError::UnsupportedHeader),
                "{header}"
            );
        }
        for header in ["[]", "\"dir\"", "{", ""] {
            let forged = with_segment(&token, 0, |bytes| *bytes = header.as_bytes().to_vec());
            assert_eq!(
                decode(&keys, &forged, NOW),
                Err(TokenError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn a_non_empty_encrypted_key_is_malformed() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), DAY, NOW).replacen("..", ".AAAA.", 1);
        assert_eq!(decode(&keys, &token, NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn expiry_allows_fifteen_seconds_of_clock_skew() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), 60, NOW);
        let exp = NOW + 60;
        assert!(decode(&keys, &token, exp).is_ok());
        assert!(decode(&keys, &token, exp + 14).is_ok());
        assert_eq!(decode(&keys, &token, exp + 15), Err(TokenError::Expired));
        assert_eq!(decode(&keys, &token, exp + DAY), Err(TokenError::Expired));
    }

    fn seal(keys: &TokenKeys, payload: &str) -> String {
        encode_with_iv(&keys.primary, payload.as_bytes().to_vec(), KNOWN_IV)
    }

    #[test]
    fn a_token_without_exp_is_accepted() {
        let keys = keys(&["secret"], "");
        let claims = decode(&keys, &seal(&keys, r#"{"sub":"1"}"#), NOW).unwrap();
        assert_eq!(Value::Object(claims), json!({"sub": "1"}));
    }

    #[test]
    fn time_claims_must_be_numbers() {
        let keys = keys(&["secret"], "");
        for (payload, claim) in [
            (r#"{"exp":"4102444800"}"#, "exp"),
            (r#"{"exp":null}"#, "exp"),
            (r#"{"nbf":true}"#, "nbf"),
            (r#"{"iat":"now"}"#, "iat"),
        ] {
            assert_eq!(
                decode(&keys, &seal(&keys, payload), NOW),
                Err(TokenError::InvalidClaim(claim)),
                "{payload}"
            );
        }
        assert!(decode(&keys, &seal(&keys, r#"{"exp":1.7e10}"#), NOW).is_ok());
        assert_eq!(
            decode(&keys, &seal(&keys, r#"{"exp":-1}"#), NOW),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn nbf_in_the_future_is_refused_beyond_the_tolerance() {
        let keys = keys(&["secret"], "");
        let token = |nbf: u64| seal(&keys, &format!(r#"{{"nbf":{nbf}}}"#));
        assert!(decode(&keys, &token(NOW + 15), NOW).is_ok());
        assert_eq!(
            decode(&keys, &token(NOW + 16), NOW),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn a_payload_that_is_not_an_object_is_refused() {
        let keys = keys(&["secret"], "");
        for payload in ["[]", "\"sub\"", "42", "null", "", "{", "\u{fffd}"] {
            assert_eq!(
                decode(&keys, &seal(&keys, payload), NOW),
                Err(TokenError::NotAnObject),
                "{payload:?}"
            );
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let keys = keys(&["secret"], "");
        let valid = encode(&keys, &alice(), DAY, NOW);
        let long_dots = ".".repeat(MAX_TOKEN_LEN + 1);
        let long_valid_looking = format!(
            "{PROTECTED_HEADER_B64}..AAECAwQFBgcICQoL.{}.S9fYH03-MbdcV5C4oK7S-Q",
            "A".repeat(MAX_TOKEN_LEN)
        );
        let almost_long = format!(
            "{PROTECTED_HEADER_B64}..AAECAwQFBgcICQoL.{}.S9fYH03-MbdcV5C4oK7S-Q",
            "A".repeat(100_000)
        );
        let inputs = [
            "",
            ".",
            "....",
            ".....",
            "......",
            "a.b.c.d.e",
            "a.b.c.d.e.f",
            "é.ü.ß.漢.🦀",
            "\0\0\0\0",
            "%7C.%7C.%7C.%7C.%7C",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0....",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL..",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQo.AA.S9fYH03-MbdcV5C4oK7S-Q",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL.AA.S9fYH03-MbdcV5C4oK7S",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0=..AAECAwQFBgcICQoL.AA.S9fYH03-MbdcV5C4oK7S-Q",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAECAwQFBgcICQoL.A.S9fYH03-MbdcV5C4oK7S-Q",
            &valid[..valid.len() / 2],
            &format!("{valid}."),
            &format!(" {valid}"),
            &format!("{valid}+"),
            &long_dots,
            &long_valid_looking,
            &almost_long,
        ];
        for input in inputs {
            let result = decode(&keys, input, NOW);
            assert!(result.is_err(), "{:?}", &input[..input.len().min(80)]);
        }
        assert_eq!(
            decode(&keys, &long_valid_looking, NOW),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            decode(&keys, &almost_long, NOW),
            Err(TokenError::Undecryptable)
        );
    }

    #[test]
    fn error_messages_carry_no_token_material() {
        let keys = keys(&["secret"], "");
        let token = encode(&keys, &alice(), DAY, NOW);
        let tampered = with_segment(&token, 3, |bytes| bytes[0] ^= 1);
        let error = decode(&keys, &tampered, NOW).unwrap_err();
        let shown = format!("{error} {error:?}");
        for segment in tampered.split('.').filter(|s| s.len() > 4) {
            assert!(!shown.contains(segment), "{shown}");
        }
        assert!(!shown.contains("secret"), "{shown}");
    }
}
