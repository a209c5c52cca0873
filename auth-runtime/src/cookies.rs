//! NextAuth's cookies: their names, reading them from a request (with v4 chunk reassembly),
//! and writing `Set-Cookie` values byte-for-byte like next-auth (docs/REST.md §1.3, §2.3, §5.3, §11).

use std::borrow::Cow;
use std::fmt;

use axum::http::{HeaderMap, HeaderValue, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use time::OffsetDateTime;

/// The longest value, in characters, written as one session cookie; longer values are split
/// into `<name>.0`, `<name>.1`, … (next-auth v4: 4096 bytes minus 163 for name and attributes).
pub const CHUNK_SIZE: usize = 3933;

/// [`CHUNK_SIZE`] of Auth.js v5, whose estimate of a cookie's name and attributes is 160 bytes.
pub const AUTHJS_CHUNK_SIZE: usize = 3936;

/// Whose cookies an app writes or reads: next-auth v4's (`next-auth.*`) or Auth.js v5's
/// (`authjs.*`). The two differ in every name, in the session token's sealing and in the chunk
/// size (docs/REST.md §5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieFormat {
    /// next-auth v4 (and v3's REST API): `next-auth.session-token`, a v4 JWE.
    NextAuthV4,
    /// Auth.js v5 (`next-auth@5`, `@auth/core`): `authjs.session-token`, a v5 JWE.
    AuthJsV5,
}

impl CookieFormat {
    /// The longest value written as one cookie before it is chunked.
    pub const fn chunk_size(self) -> usize {
        match self {
            CookieFormat::NextAuthV4 => CHUNK_SIZE,
            CookieFormat::AuthJsV5 => AUTHJS_CHUNK_SIZE,
        }
    }
}

/// Total bytes of `Cookie` headers [`Jar::from_headers`] reads; later headers are ignored.
pub const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// Number of `name=value` pairs [`Jar::from_headers`] reads; later pairs are ignored.
pub const MAX_COOKIE_PAIRS: usize = 256;

/// The names of the cookies next-auth sets, which depend on whether secure cookies are used
/// (docs/REST.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieNames {
    /// The session cookie: a JWE, or the database session token (may be chunked).
    pub session_token: &'static str,
    /// The CSRF double-submit cookie, `token|sha256(token+secret)`.
    pub csrf_token: &'static str,
    /// The callback URL remembered between sign-in and callback.
    pub callback_url: &'static str,
    /// The OAuth PKCE code verifier.
    pub pkce_code_verifier: &'static str,
    /// The OAuth `state` parameter (v4).
    pub state: &'static str,
    /// The OpenID Connect `nonce` (v4).
    pub nonce: &'static str,
    /// The WebAuthn ceremony in progress (the id of its state in the store; Auth.js v5's
    /// `authjs.challenge` holds the challenge itself).
    pub challenge: &'static str,
    /// The session cache of database sessions (`session: database { cache: … }`); this
    /// crate's own, named like the others.
    pub session_data: &'static str,
    /// Whose names these are, which also decides the session cookie's chunk size.
    pub format: CookieFormat,
}

impl CookieNames {
    /// next-auth v4's names for plain-http (`secure == false`) or secure cookies: with secure
    /// cookies every name gets the `__Secure-` prefix, except the CSRF cookie which gets `__Host-`.
    pub const fn new(secure: bool) -> CookieNames {
        CookieNames::of(CookieFormat::NextAuthV4, secure)
    }

    /// The names of `format`, prefixed as [`CookieNames::new`] says.
    pub const fn of(format: CookieFormat, secure: bool) -> CookieNames {
        match (format, secure) {
            (CookieFormat::NextAuthV4, secure) => CookieNames::next_auth_v4(secure),
            (CookieFormat::AuthJsV5, true) => CookieNames {
                session_token: "__Secure-authjs.session-token",
                csrf_token: "__Host-authjs.csrf-token",
                callback_url: "__Secure-authjs.callback-url",
                pkce_code_verifier: "__Secure-authjs.pkce.code_verifier",
                state: "__Secure-authjs.state",
                nonce: "__Secure-authjs.nonce",
                challenge: "__Secure-authjs.challenge",
                session_data: "__Secure-authjs.session-data",
                format,
            },
            (CookieFormat::AuthJsV5, false) => CookieNames {
                session_token: "authjs.session-token",
                csrf_token: "authjs.csrf-token",
                callback_url: "authjs.callback-url",
                pkce_code_verifier: "authjs.pkce.code_verifier",
                state: "authjs.state",
                nonce: "authjs.nonce",
                challenge: "authjs.challenge",
                session_data: "authjs.session-data",
                format,
            },
        }
    }

    const fn next_auth_v4(secure: bool) -> CookieNames {
        if secure {
            CookieNames {
                session_token: "__Secure-next-auth.session-token",
                csrf_token: "__Host-next-auth.csrf-token",
                callback_url: "__Secure-next-auth.callback-url",
                pkce_code_verifier: "__Secure-next-auth.pkce.code_verifier",
                state: "__Secure-next-auth.state",
                nonce: "__Secure-next-auth.nonce",
                challenge: "__Secure-next-auth.challenge",
                session_data: "__Secure-next-auth.session-data",
                format: CookieFormat::NextAuthV4,
            }
        } else {
            CookieNames {
                session_token: "next-auth.session-token",
                csrf_token: "next-auth.csrf-token",
                callback_url: "next-auth.callback-url",
                pkce_code_verifier: "next-auth.pkce.code_verifier",
                state: "next-auth.state",
                nonce: "next-auth.nonce",
                challenge: "next-auth.challenge",
                session_data: "next-auth.session-data",
                format: CookieFormat::NextAuthV4,
            }
        }
    }
}

/// The cookies of one request, parsed like the `cookie` npm package that next-auth relies on.
///
/// Values are percent-decoded like JS `decodeURIComponent`; a value whose percent-encoding is
/// invalid is kept raw. When a name occurs twice, the first occurrence wins.
///
/// Every name and value lives in one buffer (decoding never lengthens a value, so it is sized
/// once from the headers): parsing a request's cookies costs two allocations, not two per pair.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Jar {
    text: String,
    /// `(name, value)` as byte ranges of `text`.
    pairs: Vec<(Span, Span)>,
}

/// A byte range of [`Jar::text`].
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Jar {
    /// Parses every `Cookie` header of a request (HTTP/2 clients may send several).
    ///
    /// Each header is split on `;`; a pair is split at its first `=` and name and value are
    /// trimmed of spaces and tabs; a value wrapped in double quotes loses them. Pairs without `=`,
    /// with an empty name, or that are not UTF-8 are skipped. To bound the work a request can
    /// cause, headers past [`MAX_COOKIE_HEADER_BYTES`] in total (a header that would cross the
    /// limit is skipped whole) and pairs past [`MAX_COOKIE_PAIRS`] are ignored.
    pub fn from_headers(headers: &HeaderMap) -> Jar {
        Jar::read(headers, |_| true)
    }

    /// [`Jar::from_headers`] keeping only the cookies whose names start with one of `prefixes`
    /// (a session cookie and its `.<n>` chunks): the others are neither decoded nor stored, and
    /// still count towards [`MAX_COOKIE_PAIRS`]. What it keeps reads exactly as in the full jar.
    pub(crate) fn from_headers_named(headers: &HeaderMap, prefixes: &[&str]) -> Jar {
        Jar::read(headers, |name| {
            prefixes.iter().any(|prefix| name.starts_with(prefix))
        })
    }

    /// Parses the pairs whose (trimmed) name `keep` accepts.
    fn read(headers: &HeaderMap, keep: impl Fn(&str) -> bool) -> Jar {
        let mut values = Vec::new();
        let mut bytes_read = 0usize;
        for value in headers.get_all(header::COOKIE) {
            let bytes = value.as_bytes();
            bytes_read = bytes_read.saturating_add(bytes.len());
            if bytes_read > MAX_COOKIE_HEADER_BYTES {
                break;
            }
            values.push(bytes);
        }
        let total = values.iter().map(|v| v.len()).sum();
        let mut jar = Jar {
            text: String::with_capacity(total),
            pairs: Vec::new(),
        };
        let mut pairs_read = 0usize;
        let mut scratch = Vec::new();
        for bytes in values {
            // UTF-8 is checked once for the whole header (splitting valid UTF-8 at the ASCII
            // `;` keeps it valid); only a header that fails is checked pair by pair.
            let mut valid = std::str::from_utf8(bytes)
                .ok()
                .map(|text| crate::text::split(text, b';'));
            let mut raw = bytes.split(|&b| b == b';');
            loop {
                let segment = match &mut valid {
                    Some(segments) => match segments.next() {
                        Some(segment) => Some(segment),
                        None => break,
                    },
                    None => match raw.next() {
                        Some(segment) => std::str::from_utf8(segment).ok(),
                        None => break,
                    },
                };
                if pairs_read >= MAX_COOKIE_PAIRS {
                    return jar;
                }
                let Some(segment) = segment else {
                    continue;
                };
                let Some((name, value)) = crate::text::split_once(segment, b'=') else {
                    continue;
                };
                pairs_read += 1;
                let name = trim_cookie_whitespace(name);
                if name.is_empty() || !keep(name) || jar.get(name).is_some() {
                    continue;
                }
                let value = strip_quotes(trim_cookie_whitespace(value));
                let name = jar.push(name);
                let start = jar.text.len();
                if !decode_uri_component_into(value, &mut jar.text, &mut scratch) {
                    jar.text.push_str(value);
                }
                let value = jar.span_from(start);
                jar.pairs.push((name, value));
            }
        }
        jar
    }

    /// Appends `s` to the buffer and returns its span.
    fn push(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        self.span_from(start)
    }

    /// The span from `start` to the end of the buffer (which is at most 64 KiB long).
    fn span_from(&self, start: usize) -> Span {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Span {
            start: offset(start),
            end: offset(self.text.len()),
        }
    }

    fn str(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|&(name, value)| (self.str(name), self.str(value)))
    }

    /// The decoded value of cookie `name`, if the request sent it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries().find(|&(n, _)| n == name).map(|(_, v)| v)
    }

    /// The value of a cookie that next-auth v4 may have split into chunks (docs/REST.md §5.3).
    ///
    /// Returns cookie `name` when present; otherwise the values of every `name.<digits>` cookie,
    /// ordered by the number (`.10` after `.9`) and concatenated; `None` when there are neither.
    pub fn chunked(&self, name: &str) -> Option<String> {
        self.chunked_value(name).map(Cow::into_owned)
    }

    /// [`Jar::chunked`], borrowing the value when it is one cookie (the usual case).
    pub(crate) fn chunked_value(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(value) = self.get(name) {
            return Some(Cow::Borrowed(value));
        }
        let mut chunks: Vec<(u64, &str)> = self
            .entries()
            .filter_map(|(n, v)| chunk_index(name, n).map(|i| (i, v)))
            .collect();
        if chunks.is_empty() {
            return None;
        }
        chunks.sort_by_key(|&(index, _)| index);
        Some(Cow::Owned(chunks.into_iter().map(|(_, v)| v).collect()))
    }

    /// The names of the `name.<digits>` chunk cookies the request sent, in request order; used
    /// to clear stale chunks.
    pub fn chunk_names(&self, name: &str) -> Vec<String> {
        self.entries()
            .filter(|&(n, _)| chunk_index(name, n).is_some())
            .map(|(n, _)| n.to_owned())
            .collect()
    }
}

// Cookie values are session tokens and CSRF secrets: show only the names.
impl fmt::Debug for Jar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.entries().map(|(n, _)| n))
            .finish()
    }
}

/// One `Set-Cookie` header value, serialized in the attribute order of next-auth's serializers:
/// `name=value; Max-Age=N; Path=/; Expires=<IMF-fixdate>; HttpOnly; Secure; SameSite=Lax`.
///
/// `value` holds the raw value; it is written encoded like JS `encodeURIComponent`.
#[derive(Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie name (an RFC 6265 token; other characters are percent-encoded when written).
    /// Borrowed for next-auth's own names, which are constants.
    pub name: Cow<'static, str>,
    /// The raw (unencoded) value.
    pub value: String,
    /// `Max-Age` in seconds, when set.
    pub max_age: Option<i64>,
    /// `Expires`, when set; written in UTC as an IMF-fixdate.
    pub expires: Option<OffsetDateTime>,
    /// Whether `HttpOnly` is written (default `true`).
    pub http_only: bool,
    /// Whether `Secure` is written.
    pub secure: bool,
    /// The `Path` attribute (default `/`).
    pub path: Cow<'static, str>,
}

impl SetCookie {
    /// A cookie with next-auth's defaults: `Path=/; HttpOnly; SameSite=Lax`, no lifetime (a
    /// browser-session cookie), plus `Secure` when `secure`.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
        secure: bool,
    ) -> SetCookie {
        SetCookie {
            name: name.into(),
            value: value.into(),
            max_age: None,
            expires: None,
            http_only: true,
            secure,
            path: Cow::Borrowed("/"),
        }
    }

    /// The v4 clear form: `name=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax` (+ `; Secure`).
    pub fn clear(name: impl Into<Cow<'static, str>>, secure: bool) -> SetCookie {
        SetCookie::new(name, "", secure).max_age(0)
    }

    /// Sets `Max-Age` in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: i64) -> SetCookie {
        self.max_age = Some(seconds);
        self
    }

    /// Sets `Expires`.
    #[must_use]
    pub fn expires(mut self, at: OffsetDateTime) -> SetCookie {
        self.expires = Some(at);
        self
    }

    /// Sets whether `HttpOnly` is written.
    #[must_use]
    pub fn http_only(mut self, http_only: bool) -> SetCookie {
        self.http_only = http_only;
        self
    }

    /// Sets the `Path` attribute.
    #[must_use]
    pub fn path(mut self, path: impl Into<Cow<'static, str>>) -> SetCookie {
        self.path = path.into();
        self
    }

    /// The serialized cookie as a header value (the same text as `Display`).
    pub fn to_header_value(&self) -> HeaderValue {
        match HeaderValue::try_from(self.serialize()) {
            Ok(value) => value,
            // Unreachable: the value is percent-encoded to visible ASCII and spaces.
            Err(_) => {
                tracing::error!(cookie = %self.name, "invalid Set-Cookie value");
                HeaderValue::from_static("")
            }
        }
    }

    /// The serialized cookie, written straight into one string (this runs on every
    /// `/session` read, so it avoids `core::fmt`).
    pub(crate) fn serialize(&self) -> String {
        self.serialize_with(self.value.len(), |out| {
            push_uri_component(out, &self.value);
        })
    }

    /// The cookie as [`SetCookie::serialize`] lays it out, its value written by `push_value`
    /// (about `value_len` bytes): the name, `=`, the value, then `; Max-Age=…; Path=…;
    /// Expires=…; HttpOnly; Secure; SameSite=Lax`, each attribute only when set.
    fn serialize_with(&self, value_len: usize, push_value: impl FnOnce(&mut String)) -> String {
        let mut out = String::with_capacity(self.name.len() + value_len + 96);
        push_name(&mut out, &self.name);
        out.push('=');
        push_value(&mut out);
        self.push_attributes(&mut out);
        out
    }

    fn push_attributes(&self, out: &mut String) {
        if let Some(seconds) = self.max_age {
            out.push_str("; Max-Age=");
            out.push_str(&seconds.to_string());
        }
        out.push_str("; Path=");
        if self.path == "/" {
            out.push('/');
        } else {
            push_encoded(out, &self.path, COOKIE_PATH_ESCAPES);
        }
        // An `Expires` whose UTC date is outside `time`'s range is dropped rather than panicking.
        if let Some(expires) = self.expires.and_then(OffsetDateTime::checked_to_utc) {
            out.push_str("; Expires=");
            push_http_date(out, expires);
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        if self.secure {
            out.push_str("; Secure");
        }
        out.push_str("; SameSite=Lax");
    }
}

/// The `Set-Cookie` header of next-auth's CSRF cookie `name` holding `<token>|<hash>`, exactly
/// as [`SetCookie::new`] writes it, without looking for bytes to encode: the token and the hash
/// are hex, so only the `|` is encoded (`%7C`). Every `/csrf` of a first visit writes one.
pub(crate) fn csrf_set_cookie(
    name: &'static str,
    token: &str,
    hash: &str,
    secure: bool,
) -> HeaderValue {
    debug_assert!(
        [token, hash]
            .iter()
            .all(|half| half.bytes().all(|b| b.is_ascii_hexdigit())),
        "a CSRF token and its hash are hex"
    );
    let out = SetCookie::new(name, String::new(), secure).serialize_with(
        token.len() + 3 + hash.len(),
        |out| {
            out.push_str(token);
            out.push_str("%7C");
            out.push_str(hash);
        },
    );
    // Cannot fail: visible ASCII and spaces.
    HeaderValue::try_from(out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl fmt::Display for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialize())
    }
}

/// Appends a cookie's name, percent-encoding what an RFC 6265 token cannot hold; next-auth's
/// own names, written on every response, are copied after one pass over a table.
fn push_name(out: &mut String, name: &str) {
    if name.bytes().all(|b| COOKIE_NAME_PLAIN[usize::from(b)]) {
        out.push_str(name);
    } else {
        push_encoded(out, name, COOKIE_NAME_ESCAPES);
    }
}

/// The bytes a cookie name holds as they are: visible ASCII outside [`COOKIE_NAME_ESCAPES`].
const COOKIE_NAME_PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x21;
    while byte < 0x7f {
        table[byte] = !matches!(
            byte as u8,
            b'"' | b'('
                | b')'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
        );
        byte += 1;
    }
    table
};

/// Appends `value` percent-encoded with `escapes` (runs of plain bytes are copied whole).
fn push_encoded(out: &mut String, value: &str, escapes: &'static AsciiSet) {
    for piece in utf8_percent_encode(value, escapes) {
        out.push_str(piece);
    }
}

/// Appends `value` as `encodeURIComponent` writes it; a value with nothing to encode (every
/// session token) is copied whole after one pass over a table.
fn push_uri_component(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    // The usual case, a session token: nothing to encode, one tight pass.
    if all_unreserved(bytes) {
        out.push_str(value);
        return;
    }
    let mut run_start = 0;
    // Runs of unreserved bytes (all ASCII) are copied whole; every other byte, each byte of a
    // non-ASCII character included, becomes `%XX`.
    for (i, &byte) in bytes.iter().enumerate() {
        if URI_UNRESERVED[usize::from(byte)] {
            continue;
        }
        out.push_str(std::str::from_utf8(&bytes[run_start..i]).unwrap_or_default());
        out.push('%');
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        run_start = i + 1;
    }
    out.push_str(std::str::from_utf8(&bytes[run_start..]).unwrap_or_default());
}

/// The bytes `encodeURIComponent` leaves alone (the complement of `URI_COMPONENT_ESCAPES`).
const URI_UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = is_unreserved(byte as u8);
        byte += 1;
    }
    table
};

/// Whether `encodeURIComponent` leaves `b` alone: an ASCII letter or digit, or one of
/// `-_.!~*'()`. Written without branches or a table, so that [`all_unreserved`] compiles to
/// checks of many bytes at once.
const fn is_unreserved(b: u8) -> bool {
    // `| 0x20` lower-cases a letter; no other byte lands in `a..=z` by it.
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter
        | digit
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
        | (b == b'!')
        | (b == b'~')
        | (b == b'*')
        | (b == b'\'')
        | (b == b'(')
        | (b == b')')
}

/// Whether no byte of `bytes` needs encoding (the usual session token), a block at a time.
fn all_unreserved(bytes: &[u8]) -> bool {
    crate::text::all_bytes(bytes, is_unreserved)
}

/// Appends `at` (UTC) as an IMF-fixdate: `Mon, 28 Dec 2026 20:53:37 GMT`.
fn push_http_date(out: &mut String, at: time::UtcDateTime) {
    out.push_str(weekday_abbreviation(at.weekday()));
    out.push_str(", ");
    push_digits(out, u32::from(at.day()), 2);
    out.push(' ');
    out.push_str(month_abbreviation(at.month()));
    out.push(' ');
    match u32::try_from(at.year()) {
        Ok(year) if year <= 9999 => push_digits(out, year, 4),
        // Only with `time`'s large-dates feature: written as `{:04}` writes it.
        _ => out.push_str(&format!("{:04}", at.year())),
    }
    out.push(' ');
    push_digits(out, u32::from(at.hour()), 2);
    out.push(':');
    push_digits(out, u32::from(at.minute()), 2);
    out.push(':');
    push_digits(out, u32::from(at.second()), 2);
    out.push_str(" GMT");
}

/// Appends the last `width` decimal digits of `value`, zero-padded (`{:0width$}` for values
/// that fit).
pub(crate) fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

// The value may be a session token: show its length only.
impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("value_len", &self.value.len())
            .field("max_age", &self.max_age)
            .field("expires", &self.expires)
            .field("http_only", &self.http_only)
            .field("secure", &self.secure)
            .field("path", &self.path)
            .finish()
    }
}

/// The `Set-Cookie`s that store `value` in cookie `name`, chunking like next-auth v4 (docs/REST.md §5.3).
///
/// A value of at most [`CHUNK_SIZE`] characters becomes one cookie `name`; a longer one becomes
/// `name.0`, `name.1`, … of at most [`CHUNK_SIZE`] characters each. Like next-auth, the *raw*
/// value is chunked before `encodeURIComponent`; session values are JWEs (base64url and `.`), for
/// which encoding changes nothing. Every cookie gets `Expires` (when given) and no `Max-Age`.
/// The new cookies come first, then clears of cookies in `jar` that would otherwise linger: the
/// plain `name` when chunking, and every `name.<digits>` that was not just rewritten.
pub fn chunked_set_cookies(
    name: &str,
    value: &str,
    expires: Option<OffsetDateTime>,
    secure: bool,
    jar: &Jar,
) -> Vec<SetCookie> {
    chunked_set_cookies_owned(
        Cow::Owned(name.to_owned()),
        value.to_owned(),
        CHUNK_SIZE,
        expires,
        secure,
        jar,
    )
}

/// [`chunked_set_cookies`] with the chunk size of `format` (Auth.js v5 cuts at
/// [`AUTHJS_CHUNK_SIZE`]).
pub fn chunked_set_cookies_of(
    format: CookieFormat,
    name: &str,
    value: &str,
    secure: bool,
    jar: &Jar,
) -> Vec<SetCookie> {
    chunked_set_cookies_owned(
        Cow::Owned(name.to_owned()),
        value.to_owned(),
        format.chunk_size(),
        None,
        secure,
        jar,
    )
}

/// [`chunked_set_cookies`] taking the value by value, so one cookie keeps it without a copy,
/// and chunks of at most `chunk_size` characters ([`CookieFormat::chunk_size`]).
pub(crate) fn chunked_set_cookies_owned(
    name: Cow<'static, str>,
    value: String,
    chunk_size: usize,
    expires: Option<OffsetDateTime>,
    secure: bool,
    jar: &Jar,
) -> Vec<SetCookie> {
    let with_expiry = |cookie: SetCookie| match expires {
        Some(at) => cookie.expires(at),
        None => cookie,
    };
    // At most `chunk_size` bytes is at most `chunk_size` characters: no need to count them.
    let chunks = (value.len() > chunk_size)
        .then(|| split_chars(&value, chunk_size))
        .filter(|chunks| chunks.len() > 1);
    let single = chunks.is_none();
    let mut cookies: Vec<SetCookie> = match chunks {
        None => vec![with_expiry(SetCookie::new(name.clone(), value, secure))],
        Some(chunks) => chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| with_expiry(SetCookie::new(format!("{name}.{i}"), *chunk, secure)))
            .collect(),
    };
    let mut stale: Vec<String> = jar.chunk_names(&name);
    if !single && jar.get(&name).is_some() {
        stale.push(name.into_owned());
    }
    for stale_name in stale {
        if !cookies.iter().any(|c| c.name == stale_name) {
            cookies.push(SetCookie::clear(stale_name, secure));
        }
    }
    cookies
}

/// The `Set-Cookie`s that delete a possibly chunked cookie: a clear of `name` (always, even when
/// the request did not send it) and of every `name.<digits>` in `jar`.
pub fn clear_chunked(name: &str, secure: bool, jar: &Jar) -> Vec<SetCookie> {
    std::iter::once(name.to_owned())
        .chain(jar.chunk_names(name))
        .map(|n| SetCookie::clear(n, secure))
        .collect()
}

/// Everything `encodeURIComponent` encodes: all but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`. The
/// encoder uses [`URI_UNRESERVED`]; this set is the reference the tests hold it to.
#[cfg(test)]
const URI_COMPONENT_ESCAPES: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Characters not allowed in an RFC 6265 cookie name (a `token`); non-ASCII is always encoded.
const COOKIE_NAME_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'(')
    .add(b')')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'{')
    .add(b'}');

/// Characters not allowed in a `Path` attribute value (CTLs and `;`).
const COOKIE_PATH_ESCAPES: &AsciiSet = &CONTROLS.add(b';');

/// JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_uri_component(&mut out, value);
    out
}

/// JS `decodeURIComponent`: `None` where it would throw (a `%` not followed by two hex digits,
/// or decoded bytes that are not UTF-8).
pub fn decode_uri_component(value: &str) -> Option<String> {
    let mut decoded = String::with_capacity(value.len());
    decode_uri_component_into(value, &mut decoded, &mut Vec::new()).then_some(decoded)
}

/// [`decode_uri_component`] appending to `out`, with `scratch` for the decoded bytes; `false`
/// (and `out` unchanged) where it would throw.
fn decode_uri_component_into(value: &str, out: &mut String, scratch: &mut Vec<u8>) -> bool {
    if memchr::memchr(b'%', value.as_bytes()).is_none() {
        out.push_str(value);
        return true;
    }
    scratch.clear();
    scratch.reserve(value.len());
    let mut rest = value.as_bytes();
    // Copies the runs between escapes whole.
    while let Some(at) = memchr::memchr(b'%', rest) {
        let digit = |at: usize| rest.get(at).and_then(|&b| hex_value(b));
        let (Some(high), Some(low)) = (digit(at + 1), digit(at + 2)) else {
            return false;
        };
        scratch.extend_from_slice(&rest[..at]);
        scratch.push(high << 4 | low);
        rest = &rest[at + 3..];
    }
    scratch.extend_from_slice(rest);
    match std::str::from_utf8(scratch) {
        Ok(decoded) => {
            out.push_str(decoded);
            true
        }
        Err(_) => false,
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The `cookie` package trims only spaces and tabs around names and values.
fn trim_cookie_whitespace(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// The `cookie` package drops one pair of surrounding double quotes (a lone `"` becomes empty).
fn strip_quotes(value: &str) -> &str {
    if value.starts_with('"') && value.ends_with('"') {
        value.get(1..value.len().saturating_sub(1)).unwrap_or("")
    } else {
        value
    }
}

/// The chunk number of `cookie_name` when it is `base.<digits>`.
fn chunk_index(base: &str, cookie_name: &str) -> Option<u64> {
    let digits = cookie_name.strip_prefix(base)?.strip_prefix('.')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Splits `value` into pieces of at most `size` characters (at least one piece, maybe empty).
fn split_chars(value: &str, size: usize) -> Vec<&str> {
    if value.is_ascii() {
        // A character per byte (every token is base64url): cut every `size` bytes.
        let starts = (0..value.len()).step_by(size.max(1));
        let mut pieces: Vec<&str> = starts
            .map(|start| &value[start..value.len().min(start + size)])
            .collect();
        if pieces.is_empty() {
            pieces.push("");
        }
        return pieces;
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, _) in value.char_indices() {
        if count == size {
            pieces.push(&value[start..i]);
            start = i;
            count = 0;
        }
        count += 1;
    }
    pieces.push(&value[start..]);
    pieces
}

fn weekday_abbreviation(weekday: time::Weekday) -> &'static str {
    use time::Weekday::*;
    match weekday {
        Monday => "Mon",
        Tuesday => "Tue",
        Wednesday => "Wed",
        Thursday => "Thu",
        Friday => "Fri",
        Saturday => "Sat",
        Sunday => "Sun",
    }
}

fn month_abbreviation(month: time::Month) -> &'static str {
    use time::Month::*;
    match month {
        January => "Jan",
        February => "Feb",
        March => "Mar",
        April => "Apr",
        May => "May",
        June => "Jun",
        July => "Jul",
        August => "Aug",
        September => "Sep",
        October => "Oct",
        November => "Nov",
        December => "Dec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                header::COOKIE,
                HeaderValue::from_bytes(value).expect("test header bytes are valid"),
            );
        }
        map
    }

    fn jar(values: &[&str]) -> Jar {
        let values: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
        Jar::from_headers(&headers(&values))
    }

    fn strings(cookies: &[SetCookie]) -> Vec<String> {
        cookies.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn uri_components_are_encoded_as_the_escape_set_encodes_them() {
        for value in [
            "",
            "plain-._!~*'()",
            "http://127.0.0.1:3000/a b?c=d&e",
            "token|hash",
            "é ü 中文 🎉 mixed%20",
            "🎉",
            "a\u{0}b\u{7f}",
        ] {
            assert_eq!(
                encode_uri_component(value),
                utf8_percent_encode(value, URI_COMPONENT_ESCAPES).to_string(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_cookie_name_table_agrees_with_the_escape_set_for_every_byte() {
        for byte in 0..=255u8 {
            let plain = byte.is_ascii() && {
                let text = char::from(byte).to_string();
                utf8_percent_encode(&text, COOKIE_NAME_ESCAPES).to_string() == text
            };
            assert_eq!(COOKIE_NAME_PLAIN[usize::from(byte)], plain, "byte {byte}");
        }
        let mut out = String::new();
        push_name(&mut out, "a b;é");
        assert_eq!(out, "a%20b%3B%C3%A9");
    }

    #[test]
    fn the_block_check_agrees_with_the_table_for_every_byte_anywhere() {
        for byte in 0..=255u8 {
            for at in [0, 1, 31, 32, 33, 63, 99] {
                let mut bytes = vec![b'a'; 100];
                bytes[at] = byte;
                assert_eq!(
                    all_unreserved(&bytes),
                    URI_UNRESERVED[usize::from(byte)],
                    "byte {byte} at {at}"
                );
            }
        }
        assert!(all_unreserved(b""));
        assert!(all_unreserved(b"AZaz09-_.!~*'()"));
    }

    #[test]
    fn values_are_split_by_characters_ascii_or_not() {
        assert_eq!(split_chars("abcdefghij", 3), ["abc", "def", "ghi", "j"]);
        assert_eq!(split_chars("abcdefghi", 3), ["abc", "def", "ghi"]);
        assert_eq!(split_chars("ab", 3), ["ab"]);
        assert_eq!(split_chars("", 3), [""]);
        assert_eq!(split_chars("ééé", 2), ["éé", "é"]);
        assert_eq!(split_chars("aéb€c", 2), ["aé", "b€", "c"]);
    }

    #[test]
    fn the_unreserved_table_is_the_complement_of_the_escape_set() {
        for byte in 0..=255u8 {
            let text = char::from(byte).to_string();
            let plain = utf8_percent_encode(&text, URI_COMPONENT_ESCAPES).to_string() == text;
            assert_eq!(URI_UNRESERVED[usize::from(byte)], plain, "byte {byte}");
        }
    }

    #[test]
    fn insecure_and_secure_names_match_next_auth() {
        let plain = CookieNames::new(false);
        assert_eq!(plain.session_token, "next-auth.session-token");
        assert_eq!(plain.csrf_token, "next-auth.csrf-token");
        assert_eq!(plain.callback_url, "next-auth.callback-url");
        assert_eq!(plain.pkce_code_verifier, "next-auth.pkce.code_verifier");
        assert_eq!(plain.state, "next-auth.state");
        assert_eq!(plain.nonce, "next-auth.nonce");
        let secure = CookieNames::new(true);
        assert_eq!(secure.session_token, "__Secure-next-auth.session-token");
        assert_eq!(secure.csrf_token, "__Host-next-auth.csrf-token");
        assert_eq!(secure.callback_url, "__Secure-next-auth.callback-url");
        assert_eq!(
            secure.pkce_code_verifier,
            "__Secure-next-auth.pkce.code_verifier"
        );
        assert_eq!(secure.state, "__Secure-next-auth.state");
        assert_eq!(secure.nonce, "__Secure-next-auth.nonce");
    }

    #[test]
    fn auth_js_v5_names_its_cookies_authjs_and_prefixes_them_alike() {
        let plain = CookieNames::of(CookieFormat::AuthJsV5, false);
        assert_eq!(
            [plain.session_token, plain.csrf_token, plain.callback_url],
            [
                "authjs.session-token",
                "authjs.csrf-token",
                "authjs.callback-url"
            ]
        );
        assert_eq!(
            [plain.pkce_code_verifier, plain.state, plain.nonce],
            ["authjs.pkce.code_verifier", "authjs.state", "authjs.nonce"]
        );
        let secure = CookieNames::of(CookieFormat::AuthJsV5, true);
        assert_eq!(
            [secure.session_token, secure.csrf_token, secure.callback_url],
            [
                "__Secure-authjs.session-token",
                "__Host-authjs.csrf-token",
                "__Secure-authjs.callback-url"
            ]
        );
        assert_eq!(
            [secure.pkce_code_verifier, secure.state, secure.nonce],
            [
                "__Secure-authjs.pkce.code_verifier",
                "__Secure-authjs.state",
                "__Secure-authjs.nonce"
            ]
        );
        assert_eq!(
            CookieNames::of(CookieFormat::NextAuthV4, true),
            CookieNames::new(true)
        );
        assert_eq!(CookieFormat::AuthJsV5.chunk_size(), 3936);
        assert_eq!(CookieFormat::NextAuthV4.chunk_size(), 3933);
    }

    #[test]
    fn chunks_are_as_long_as_the_format_allows() {
        let value = "v".repeat(3936);
        let names = |size: usize| -> Vec<String> {
            chunked_set_cookies_owned(
                "s".into(),
                value.clone(),
                size,
                None,
                false,
                &Jar::default(),
            )
            .into_iter()
            .map(|c| c.name.to_string())
            .collect()
        };
        assert_eq!(names(AUTHJS_CHUNK_SIZE), ["s"]);
        assert_eq!(names(CHUNK_SIZE), ["s.0", "s.1"]);
    }

    #[test]
    fn only_a_pair_of_surrounding_quotes_is_dropped() {
        assert_eq!(strip_quotes("\"abc\""), "abc");
        assert_eq!(strip_quotes("\"abc"), "\"abc");
        assert_eq!(strip_quotes("abc\""), "abc\"");
        assert_eq!(strip_quotes("\""), "");
        assert_eq!(strip_quotes("abc"), "abc");
    }

    #[test]
    fn each_format_chunks_at_its_own_size() {
        let value = "v".repeat(3936);
        let names = |format: CookieFormat| -> Vec<String> {
            chunked_set_cookies_of(format, "s", &value, false, &Jar::default())
                .into_iter()
                .map(|c| c.name.to_string())
                .collect()
        };
        assert_eq!(names(CookieFormat::AuthJsV5), ["s"]);
        assert_eq!(names(CookieFormat::NextAuthV4), ["s.0", "s.1"]);
    }

    #[test]
    fn a_value_longer_in_bytes_but_not_in_characters_is_one_cookie() {
        // 10 characters, 20 bytes: within a chunk of 10 characters.
        let value = "é".repeat(10);
        let cookies =
            chunked_set_cookies_owned("s".into(), value, 10, None, false, &Jar::default());
        let names: Vec<&str> = cookies.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(names, ["s"]);
    }

    #[test]
    fn csrf_cookie_is_written_like_next_auth() {
        let cookie = SetCookie::new("next-auth.csrf-token", "abc|def", false);
        assert_eq!(
            cookie.to_string(),
            "next-auth.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            cookie.to_header_value(),
            "next-auth.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn session_cookie_with_expires_uses_imf_fixdate_in_utc() {
        let cookie = SetCookie::new("__Secure-next-auth.session-token", "a.b-c_d", true)
            .expires(datetime!(2026-12-28 19:26:17.573 +01:00));
        assert_eq!(
            cookie.to_string(),
            "__Secure-next-auth.session-token=a.b-c_d; Path=/; \
             Expires=Mon, 28 Dec 2026 18:26:17 GMT; HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn all_attributes_follow_the_cookie_package_order() {
        let cookie = SetCookie::new("n", "v", true)
            .max_age(900)
            .expires(datetime!(1970-01-01 0:00 UTC));
        assert_eq!(
            cookie.to_string(),
            "n=v; Max-Age=900; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; \
             HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn clear_is_the_v4_form() {
        assert_eq!(
            SetCookie::clear("next-auth.session-token", false).to_string(),
            "next-auth.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            SetCookie::clear("__Secure-next-auth.state", true).to_string(),
            "__Secure-next-auth.state=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn values_are_encoded_like_encode_uri_component() {
        let cookie = SetCookie::new(
            "next-auth.callback-url",
            "http://a.b/c?d=e f|é-_.!~*'()",
            false,
        )
        .http_only(false);
        assert_eq!(
            cookie.to_string(),
            "next-auth.callback-url=http%3A%2F%2Fa.b%2Fc%3Fd%3De%20f%7C%C3%A9-_.!~*'(); \
             Path=/; SameSite=Lax"
        );
    }

    #[test]
    fn hostile_name_and_path_cannot_break_the_header() {
        let cookie = SetCookie::new("a;b\r\n", "v", false).path("/x;\r\nSet-Cookie: y");
        let text = cookie.to_string();
        assert_eq!(
            text,
            "a%3Bb%0D%0A=v; Path=/x%3B%0D%0ASet-Cookie: y; HttpOnly; SameSite=Lax"
        );
        assert_eq!(cookie.to_header_value(), text.as_str());
    }

    #[test]
    fn parses_several_headers_with_spaces_and_first_occurrence_wins() {
        let jar = jar(&[
            "a=1;  b = 2 ;\tc=3",
            "a=overridden; d=x%7Cy; e=",
            "next-auth.callback-url=http%3A%2F%2Flocalhost%3A3000",
        ]);
        assert_eq!(jar.get("a"), Some("1"));
        assert_eq!(jar.get("b"), Some("2"));
        assert_eq!(jar.get("c"), Some("3"));
        assert_eq!(jar.get("d"), Some("x|y"));
        assert_eq!(jar.get("e"), Some(""));
        assert_eq!(
            jar.get("next-auth.callback-url"),
            Some("http://localhost:3000")
        );
        assert_eq!(jar.get("missing"), None);
    }

    #[test]
    fn equals_sign_inside_a_value_is_kept() {
        let jar = jar(&["token=a=b==; q=\"quoted%20value\""]);
        assert_eq!(jar.get("token"), Some("a=b=="));
        assert_eq!(jar.get("q"), Some("quoted value"));
    }

    #[test]
    fn invalid_percent_encoding_keeps_the_raw_value() {
        let jar = jar(&["a=100%; b=%zz; c=%C3; d=%E9; e=%C3%A9; f=%2"]);
        assert_eq!(jar.get("a"), Some("100%"));
        assert_eq!(jar.get("b"), Some("%zz"));
        assert_eq!(jar.get("c"), Some("%C3"));
        assert_eq!(jar.get("d"), Some("%E9"));
        assert_eq!(jar.get("e"), Some("é"));
        assert_eq!(jar.get("f"), Some("%2"));
    }

    #[test]
    fn a_named_jar_reads_its_cookies_as_the_full_jar_does_and_nothing_else() {
        let map = headers(&[b"csrf=a%7Cb; s.1=two; s=%41; other=x; s.0=one; s=second"]);
        let full = Jar::from_headers(&map);
        let named = Jar::from_headers_named(&map, &["s"]);
        assert_eq!(named.get("s"), Some("A"));
        assert_eq!(named.get("s"), full.get("s"));
        assert_eq!(named.chunk_names("s"), full.chunk_names("s"));
        assert_eq!(named.get("csrf"), None);
        assert_eq!(named.get("other"), None);
        let chunks = headers(&[b"x=1; s.1=two; s.0=one"]);
        assert_eq!(
            Jar::from_headers_named(&chunks, &["t", "s"]).chunked("s"),
            Some("onetwo".to_owned())
        );
    }

    #[test]
    fn a_named_jar_counts_every_pair_towards_the_limit() {
        let mut header = (0..MAX_COOKIE_PAIRS)
            .map(|i| format!("c{i}=v"))
            .collect::<Vec<_>>()
            .join("; ");
        header.push_str("; s=late");
        let map = headers(&[header.as_bytes()]);
        assert_eq!(Jar::from_headers(&map).get("s"), None);
        assert_eq!(Jar::from_headers_named(&map, &["s"]).get("s"), None);
        let within = headers(&[b"c=v; s=early"]);
        assert_eq!(
            Jar::from_headers_named(&within, &["s"]).get("s"),
            Some("early")
        );
    }

    #[test]
    fn plus_is_not_a_space() {
        assert_eq!(jar(&["a=b+c"]).get("a"), Some("b+c"));
    }

    #[test]
    fn garbage_headers_do_not_panic() {
        let map = headers(&[
            b"\xff\xfe=\x80; ok=1; ;;; =novalue; noequals; \xc3=\xa9",
            b"\"; x=\"; y=\"\"; %=%%%",
        ]);
        let jar = Jar::from_headers(&map);
        assert_eq!(jar.get("ok"), Some("1"));
        assert_eq!(jar.get("x"), Some(""));
        assert_eq!(jar.get("y"), Some(""));
        assert_eq!(jar.get("%"), Some("%%%"));
        assert_eq!(jar.get(""), None);
        assert_eq!(jar.get("noequals"), None);
        assert_eq!(jar.chunked("ok"), Some("1".to_owned()));
    }

    #[test]
    fn pairs_beyond_the_limit_are_ignored() {
        let many: String = (0..MAX_COOKIE_PAIRS + 10)
            .map(|i| format!("c{i}=v; "))
            .collect();
        let jar = jar(&[&many]);
        assert_eq!(jar.get("c0"), Some("v"));
        assert_eq!(jar.get(&format!("c{}", MAX_COOKIE_PAIRS - 1)), Some("v"));
        assert_eq!(jar.get(&format!("c{MAX_COOKIE_PAIRS}")), None);
    }

    #[test]
    fn headers_beyond_the_byte_limit_are_ignored() {
        let big = format!("big={}", "x".repeat(MAX_COOKIE_HEADER_BYTES));
        let jar = jar(&["small=1", &big, "late=2"]);
        assert_eq!(jar.get("small"), Some("1"));
        assert_eq!(jar.get("big"), None);
        assert_eq!(jar.get("late"), None);
    }

    #[test]
    fn headers_of_exactly_the_byte_limit_are_read() {
        let small = "small=1";
        let rest = format!(
            "big={}",
            "x".repeat(MAX_COOKIE_HEADER_BYTES - small.len() - "big=".len())
        );
        assert_eq!(small.len() + rest.len(), MAX_COOKIE_HEADER_BYTES);
        let jar = jar(&[small, &rest]);
        assert_eq!(jar.get("small"), Some("1"));
        assert_eq!(
            jar.get("big").map(str::len),
            Some(rest.len() - "big=".len())
        );
    }

    #[test]
    fn debug_does_not_show_values() {
        let jar = jar(&["next-auth.session-token=secret-jwe"]);
        let shown = format!("{jar:?}");
        assert!(shown.contains("next-auth.session-token"));
        assert!(!shown.contains("secret-jwe"));
        let shown = format!("{:?}", SetCookie::new("n", "secret-jwe", false));
        assert!(!shown.contains("secret-jwe"));
        assert!(shown.contains(r#"name: "n", value_len: 10"#), "{shown}");
    }

    #[test]
    fn ten_thousand_chars_round_trip_through_chunks() {
        let name = "next-auth.session-token";
        let value: String = (0..10_000)
            .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_."[i % 39]))
            .collect();
        let expires = datetime!(2030-01-01 0:00 UTC);
        let cookies = chunked_set_cookies(name, &value, Some(expires), false, &Jar::default());
        let names: Vec<&str> = cookies.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "next-auth.session-token.0",
                "next-auth.session-token.1",
                "next-auth.session-token.2"
            ]
        );
        for cookie in &cookies {
            assert!(cookie.value.len() <= CHUNK_SIZE);
            assert_eq!(cookie.expires, Some(expires));
            assert_eq!(cookie.max_age, None);
        }
        // Send them back as a browser would (pairs of the Set-Cookies, reversed order).
        let header: Vec<String> = cookies
            .iter()
            .rev()
            .map(|c| {
                let text = c.to_string();
                text.split(';').next().unwrap_or_default().to_owned()
            })
            .collect();
        let jar = jar(&[&header.join("; ")]);
        assert_eq!(jar.chunked(name), Some(value));
    }

    #[test]
    fn short_value_is_one_cookie_and_clears_stale_chunks() {
        let old = jar(&["next-auth.session-token.0=aa; next-auth.session-token.1=bb; other=1"]);
        let cookies = chunked_set_cookies("next-auth.session-token", "short", None, true, &old);
        assert_eq!(
            strings(&cookies),
            [
                "next-auth.session-token=short; Path=/; HttpOnly; Secure; SameSite=Lax",
                "next-auth.session-token.0=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
                "next-auth.session-token.1=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
            ]
        );
    }

    #[test]
    fn value_of_exactly_chunk_size_is_not_chunked() {
        let value = "x".repeat(CHUNK_SIZE);
        let cookies = chunked_set_cookies("s", &value, None, false, &Jar::default());
        assert_eq!(cookies.len(), 1);
        assert_eq!(cookies[0].name, "s");
        let cookies = chunked_set_cookies("s", &format!("{value}y"), None, false, &Jar::default());
        assert_eq!(cookies.len(), 2);
        assert_eq!(cookies[1].value, "y");
    }

    #[test]
    fn chunking_clears_the_plain_cookie_and_chunks_beyond_the_new_count() {
        let old = jar(&["s=old; s.0=a; s.1=b; s.2=c; s.3=d"]);
        let value = "z".repeat(CHUNK_SIZE + 1);
        let cookies = chunked_set_cookies("s", &value, None, false, &old);
        let names: Vec<&str> = cookies.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(names, ["s.0", "s.1", "s.2", "s.3", "s"]);
        assert_eq!(cookies[0].max_age, None);
        assert_eq!(cookies[1].max_age, None);
        for clear in &cookies[2..] {
            assert_eq!(clear.max_age, Some(0));
            assert_eq!(clear.value, "");
        }
    }

    #[test]
    fn chunks_are_ordered_by_number_not_by_text() {
        let parts: Vec<String> = (0..12).rev().map(|i| format!("s.{i}=p{i}")).collect();
        let jar = jar(&[&parts.join("; ")]);
        assert_eq!(
            jar.chunked("s").as_deref(),
            Some("p0p1p2p3p4p5p6p7p8p9p10p11")
        );
        assert_eq!(jar.chunk_names("s").len(), 12);
    }

    #[test]
    fn plain_cookie_wins_over_chunks_and_lookalikes_are_not_chunks() {
        let jar = jar(&["s.0=chunk; s=plain; s.x=no; s.=no; s.1a=no; sx.1=no"]);
        assert_eq!(jar.chunked("s").as_deref(), Some("plain"));
        assert_eq!(jar.chunk_names("s"), ["s.0"]);
        assert_eq!(jar.chunked("absent"), None);
    }

    #[test]
    fn clear_chunked_clears_the_name_and_every_chunk() {
        let cookies = clear_chunked("s", false, &jar(&["s.0=a; s.1=b; t=1"]));
        assert_eq!(
            strings(&cookies),
            [
                "s=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                "s.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                "s.1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
            ]
        );
        assert_eq!(clear_chunked("s", true, &Jar::default()).len(), 1);
    }

    #[test]
    fn non_ascii_values_are_chunked_on_char_boundaries() {
        let value = "é".repeat(CHUNK_SIZE + 5);
        let cookies = chunked_set_cookies("s", &value, None, false, &Jar::default());
        assert_eq!(cookies.len(), 2);
        assert_eq!(cookies[0].value.chars().count(), CHUNK_SIZE);
        assert_eq!(cookies[1].value, "é".repeat(5));
    }
}
