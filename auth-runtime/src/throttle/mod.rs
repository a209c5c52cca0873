//! Sign-in throttling (`throttle:` in `auth!`): counts every credentials and email sign-in
//! attempt per client address and per account identifier, in a [`ThrottleStore`].
//!
//! NextAuth.js has no throttling; without `throttle:` nothing is counted. With it, each
//! attempt (successful or not) is counted against the address and then, unless the address
//! is over its limit, the identifier, *before* `authorize` runs or any mail or database work
//! is done, so a throttled answer costs nothing and is the same whether or not the account
//! exists: status 429 with `Retry-After`, `{"url": "<base>/error?error=TooManyRequests"}`
//! in JSON mode (next-auth v4's `signIn(…, { redirect: false })` then returns
//! `{ error: "TooManyRequests", status: 429, ok: false }`), the built-in error page otherwise.
//!
//! | store | feature | for |
//! | --- | --- | --- |
//! | [`MemoryStore`] | always | one server process (the default) |
//! | `PostgresStore` | `postgres` | several instances sharing one table, `auth_throttle` |
//!
//! Keys are `kind:value` (`address:203.0.113.7`, `identifier:alice@example.com`) hashed with
//! SHA-256, so no store holds a raw email or user name. A store that fails or cannot be reached
//! neither locks everyone out nor lifts the limits: the attempt is counted in this process
//! instead (a [`MemoryStore`] of the throttle's own) and a warning is logged.
//!
//! Counting uses fixed windows that start at a key's first attempt: `limit(5, minutes(15))`
//! allows five attempts, then answers 429 until fifteen minutes after the first one.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use sha2::{Digest as _, Sha256};

use crate::adapter::BoxFuture;
use crate::spec::{CredentialField, Setting};

mod memory;
#[cfg(feature = "postgres")]
mod postgres;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;

/// The error code of a throttled sign-in, as the error page and JSON mode name it.
pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";

/// The client address used when the request carries none (no `ConnectInfo`, as with
/// `tower::ServiceExt::oneshot`): every such request shares this one bucket.
pub const UNKNOWN_ADDRESS: &str = "unknown";

/// What a store answers for one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// How many attempts the key has in its current window, this one included.
    pub count: u64,
    /// How long until the window ends and the count starts again.
    pub resets_in: Duration,
}

/// Why a store could not count an attempt; the runtime then counts it in this process.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThrottleError {
    /// The store failed or is unreachable (only the PostgreSQL store can).
    #[error("throttle store: cannot {operation}: {message}")]
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Store {
        /// What was being done, e.g. `connect`.
        operation: &'static str,
        /// The store's message (never a key).
        message: String,
    },
}

impl ThrottleError {
    /// A store error: what was being done and what went wrong (never the key).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub fn store(operation: &'static str, message: impl fmt::Display) -> Self {
        ThrottleError::Store {
            operation,
            message: message.to_string(),
        }
    }
}

/// Where attempts are counted. Implement it as `Box::pin(async move { … })`, as the
/// [`Adapter`](crate::adapter::Adapter) methods are.
pub trait ThrottleStore: Send + Sync + 'static {
    /// Counts one attempt for `key` (a SHA-256 hex digest) in its current window of length
    /// `limit.window`, starting a new window when the last one has ended, and returns the
    /// count. `limit.max` tells a bounded store which keys it must not forget (those at it).
    fn hit<'a>(&'a self, key: &'a str, limit: Limit) -> BoxFuture<'a, Result<Hit, ThrottleError>>;
}

/// How many attempts a key may make in a window: `limit(5, minutes(15))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed in a window (at least one).
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

/// Where the client address comes from (`client_address:` in `throttle:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAddress {
    /// The TCP peer, from axum's `ConnectInfo<SocketAddr>` (as [`crate::serve`] gives it, or
    /// `axum::serve` with `into_make_service_with_connect_info::<SocketAddr>()`).
    #[default]
    Peer,
    /// Behind one trusted reverse proxy: the right-most `X-Forwarded-For` entry, the one the
    /// proxy appended (entries left of it are whatever the client sent). Without the header,
    /// the TCP peer.
    XForwardedFor,
}

/// Where the counts are kept, as declared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum StoreSetting {
    #[default]
    Memory,
    Postgres(Setting),
}

/// What `throttle:` declared; the generated `config_from` hands it to the builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThrottleSettings {
    pub(crate) per_address: Option<Limit>,
    pub(crate) per_identifier: Option<Limit>,
    pub(crate) store: StoreSetting,
    pub(crate) client_address: ClientAddress,
}

impl ThrottleSettings {
    /// No limits, the memory store, the TCP peer's address.
    pub fn new() -> Self {
        ThrottleSettings::default()
    }

    /// At most `max` attempts per client address in `window_secs` seconds.
    pub fn per_address(mut self, max: u32, window_secs: u64) -> Self {
        self.per_address = Some(Limit {
            max,
            window: Duration::from_secs(window_secs),
        });
        self
    }

    /// At most `max` attempts per account identifier in `window_secs` seconds.
    pub fn per_identifier(mut self, max: u32, window_secs: u64) -> Self {
        self.per_identifier = Some(Limit {
            max,
            window: Duration::from_secs(window_secs),
        });
        self
    }

    /// Counts in PostgreSQL at this URL (read at start-up) instead of in memory.
    pub fn postgres(mut self, url: Setting) -> Self {
        self.store = StoreSetting::Postgres(url);
        self
    }

    /// Takes the client address from `source`.
    pub fn client_address(mut self, source: ClientAddress) -> Self {
        self.client_address = source;
        self
    }
}

/// The throttle of a running [`Auth`](crate::Auth): the limits and the store.
pub(crate) struct Throttle {
    per_address: Option<Limit>,
    per_identifier: Option<Limit>,
    client_address: ClientAddress,
    store: Arc<dyn ThrottleStore>,
    /// Where attempts are counted while `store` fails: a limit per process beats none.
    local: MemoryStore,
}

impl Throttle {
    pub(crate) fn new(settings: &ThrottleSettings, store: Arc<dyn ThrottleStore>) -> Self {
        Throttle {
            per_address: settings.per_address,
            per_identifier: settings.per_identifier,
            client_address: settings.client_address,
            store,
            local: MemoryStore::new(),
        }
    }

    /// The client's address bucket for a request, per `client_address:`.
    pub(crate) fn client_key(&self, headers: &HeaderMap, extensions: &Extensions) -> String {
        let forwarded = match self.client_address {
            ClientAddress::Peer => None,
            ClientAddress::XForwardedFor => rightmost_forwarded_for(headers),
        };
        let peer = || {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip())
        };
        forwarded
            .or_else(peer)
            .map_or_else(|| UNKNOWN_ADDRESS.to_owned(), address_bucket)
    }

    /// Counts one sign-in attempt against the client's address and then, when the provider
    /// has one, the account identifier. `Some(seconds)` to wait when a limit is exceeded.
    pub(crate) async fn attempt(&self, address: &str, identifier: Option<&str>) -> Option<u64> {
        if let Some(limit) = self.per_address
            && let Some(wait) = self.over_limit("address", limit, address).await
        {
            // Not counted against the identifier: else one address could use up anyone's.
            return Some(wait);
        }
        match (self.per_identifier, identifier) {
            (Some(limit), Some(identifier)) => {
                self.over_limit("identifier", limit, identifier).await
            }
            _ => None,
        }
    }

    /// Counts one attempt of `kind:value`; `Some(seconds)` to wait when it is over `limit`.
    /// When the store fails, the attempt is counted in this process instead (logged without
    /// the key): under load or an outage the limit holds per process rather than lapsing.
    async fn over_limit(&self, kind: &'static str, limit: Limit, value: &str) -> Option<u64> {
        let key = store_key(kind, value);
        let hit = match self.store.hit(&key, limit).await {
            Ok(hit) => hit,
            Err(e) => {
                tracing::warn!(limit = kind, error = %e, "THROTTLE_STORE_ERROR: attempt counted in this process");
                self.local.hit_at(&key, limit, Instant::now())
            }
        };
        (hit.count > u64::from(limit.max)).then(|| whole_seconds(hit.resets_in))
    }
}

/// The store key of `kind:value`: its SHA-256 in hex, so no store holds an email or name.
pub(crate) fn store_key(kind: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes()))
}

/// The account identifier of a credentials sign-in: the value of the first declared field
/// that is not a `password` field, trimmed and lower-cased (an absent one is empty, so it is
/// still counted); `None` when every field is a password.
pub(crate) fn credentials_identifier<'a>(
    fields: &[CredentialField],
    value: impl Fn(&str) -> Option<&'a str>,
) -> Option<String> {
    let field = fields.iter().find(|f| f.input_type != "password")?;
    Some(value(field.key).unwrap_or_default().trim().to_lowercase())
}

/// The account identifier of an email sign-in: the normalised address, or the trimmed and
/// lower-cased input when it is no address (such attempts are counted too).
pub(crate) fn email_identifier(raw: &str) -> String {
    crate::email::normalize_identifier(raw).unwrap_or_else(|_| raw.trim().to_lowercase())
}

/// A wait in whole seconds for `Retry-After`, rounded up and at least one.
fn whole_seconds(duration: Duration) -> u64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    secs.max(1)
}

/// The right-most entry of every `X-Forwarded-For` line, as an address (a port is dropped).
/// The client's address as the session list shows it: the rightmost `X-Forwarded-For` entry
/// when `throttle:` is told the server is behind a proxy, else the connection's peer.
pub(crate) fn client_ip(
    throttle: Option<&Throttle>,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Option<IpAddr> {
    let forwarded = match throttle.map(|t| t.client_address) {
        Some(ClientAddress::XForwardedFor) => rightmost_forwarded_for(headers),
        _ => None,
    };
    forwarded.or_else(|| {
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip())
    })
}

fn rightmost_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last_line = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .filter_map(|v| v.to_str().ok())
        .find(|v| !v.trim().is_empty())?;
    let entry = last_line.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The bucket of an address: an IPv4 address (IPv4-mapped IPv6 included) on its own, an
/// IPv6 address by its /64, since one subscriber usually holds a whole /64.
fn address_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn throttle(settings: ThrottleSettings) -> Throttle {
        Throttle::new(&settings, Arc::new(MemoryStore::new()))
    }

    fn with_peer(addr: &str) -> Extensions {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
        extensions
    }

    #[test]
    fn store_keys_are_sha256_hex_of_kind_and_value() {
        let key = store_key("identifier", "alice@example.com");
        assert_eq!(key.len(), 64);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!key.contains("alice"));
        assert_eq!(
            key,
            hex::encode(Sha256::digest(b"identifier:alice@example.com"))
        );
        assert_ne!(key, store_key("address", "alice@example.com"));
    }

    #[test]
    fn the_peer_address_is_the_key_and_unknown_without_connect_info() {
        let t = throttle(ThrottleSettings::new().per_address(1, 60));
        let headers = HeaderMap::new();
        assert_eq!(
            t.client_key(&headers, &with_peer("203.0.113.7:5000")),
            "203.0.113.7"
        );
        assert_eq!(t.client_key(&headers, &Extensions::new()), UNKNOWN_ADDRESS);
    }

    #[test]
    fn the_session_lists_address_is_the_peer_or_behind_a_proxy_the_rightmost_forwarded_for() {
        let peer = with_peer("10.0.0.1:5000");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.1, 203.0.113.9"),
        );
        let ip = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        assert_eq!(client_ip(None, &headers, &peer), ip("10.0.0.1"));
        let plain = throttle(ThrottleSettings::new().per_address(1, 60));
        assert_eq!(client_ip(Some(&plain), &headers, &peer), ip("10.0.0.1"));
        let proxied = throttle(
            ThrottleSettings::new()
                .per_address(1, 60)
                .client_address(ClientAddress::XForwardedFor),
        );
        assert_eq!(
            client_ip(Some(&proxied), &headers, &peer),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(Some(&proxied), &HeaderMap::new(), &peer),
            ip("10.0.0.1")
        );
        assert_eq!(client_ip(None, &headers, &Extensions::new()), None);
    }

    #[test]
    fn the_store_is_memory_unless_postgres_is_named() {
        assert_eq!(ThrottleSettings::new().store, StoreSetting::Memory);
        let postgres = ThrottleSettings::new().postgres(Setting::Env("THROTTLE_DATABASE_URL"));
        assert_eq!(
            postgres.store,
            StoreSetting::Postgres(Setting::Env("THROTTLE_DATABASE_URL"))
        );
    }

    #[test]
    fn the_peer_mode_ignores_x_forwarded_for() {
        let t = throttle(ThrottleSettings::new().per_address(1, 60));
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.1"));
        assert_eq!(
            t.client_key(&headers, &with_peer("203.0.113.7:5000")),
            "203.0.113.7"
        );
    }

    #[test]
    fn x_forwarded_for_mode_takes_the_rightmost_entry_of_the_last_line() {
        let t = throttle(
            ThrottleSettings::new()
                .per_address(1, 60)
                .client_address(ClientAddress::XForwardedFor),
        );
        let peer = with_peer("10.0.0.1:5000");
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 2.2.2.2"),
        );
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 3.3.3.3 "),
        );
        assert_eq!(t.client_key(&headers, &peer), "3.3.3.3");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:443"),
        );
        assert_eq!(t.client_key(&headers, &peer), "2001:db8:0:0::/64");
        // No header, or garbage where the proxy's entry should be: the TCP peer.
        assert_eq!(t.client_key(&HeaderMap::new(), &peer), "10.0.0.1");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, nonsense"),
        );
        assert_eq!(t.client_key(&headers, &peer), "10.0.0.1");
    }

    #[test]
    fn ipv6_addresses_share_their_64_and_mapped_ipv4_is_ipv4() {
        let bucket = |s: &str| address_bucket(s.parse().unwrap());
        assert_eq!(
            bucket("2001:db8:1:2:aaaa::1"),
            bucket("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:3::1"));
        assert_eq!(bucket("::ffff:192.0.2.1"), "192.0.2.1");
    }

    #[test]
    fn identifiers_are_the_first_non_password_field_trimmed_and_lower_cased() {
        let fields = [
            CredentialField::new("password", "Password", "password"),
            CredentialField::new("username", "Username", "text"),
            CredentialField::new("otp", "Code", "text"),
        ];
        let form = |key: &str| match key {
            "username" => Some("  Alice "),
            "otp" => Some("123"),
            _ => None,
        };
        assert_eq!(
            credentials_identifier(&fields, form).as_deref(),
            Some("alice")
        );
        assert_eq!(
            credentials_identifier(&fields, |_| None).as_deref(),
            Some("")
        );
        let only_password = [CredentialField::new("pin", "PIN", "password")];
        assert_eq!(credentials_identifier(&only_password, form), None);
        assert_eq!(email_identifier(" Alice@Example.COM "), "alice@example.com");
        assert_eq!(email_identifier(" No-At-Sign "), "no-at-sign");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(59_001)), 60);
        assert_eq!(whole_seconds(Duration::from_secs(60)), 60);
    }

    /// Two attempts on one identifier and three from one address, on `store`: the second
    /// identifier attempt and the third address attempt are over their limits.
    async fn assert_either_limit_throttles(store: Arc<dyn ThrottleStore>) {
        let settings = ThrottleSettings::new()
            .per_address(2, 60)
            .per_identifier(1, 900);
        let t = Throttle::new(&settings, store);
        assert_eq!(t.attempt("a", Some("alice")).await, None);
        // Alice's second attempt is over her limit, whoever sends it.
        let wait = t.attempt("b", Some("alice")).await.unwrap();
        assert!((899..=900).contains(&wait), "{wait}");
        // Address `a` made one attempt; its second is allowed, its third is not.
        assert_eq!(t.attempt("a", Some("bob")).await, None);
        let wait = t.attempt("a", Some("carol")).await.unwrap();
        assert!((59..=60).contains(&wait), "{wait}");
    }

    #[tokio::test]
    async fn the_address_and_the_identifier_are_counted_and_either_limit_throttles() {
        assert_either_limit_throttles(Arc::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn a_provider_without_identifier_counts_the_address_only() {
        let t = throttle(ThrottleSettings::new().per_identifier(1, 60));
        for _ in 0..5 {
            assert_eq!(t.attempt("a", None).await, None);
        }
    }

    #[tokio::test]
    async fn an_attempt_refused_by_the_address_limit_is_not_counted_against_the_identifier() {
        let t = throttle(
            ThrottleSettings::new()
                .per_address(1, 60)
                .per_identifier(2, 900),
        );
        assert_eq!(t.attempt("attacker", Some("alice")).await, None);
        for _ in 0..10 {
            let wait = t.attempt("attacker", Some("alice")).await.unwrap();
            assert!((59..=60).contains(&wait), "{wait}");
        }
        // Alice has one attempt counted, not eleven: her own second one gets through.
        assert_eq!(t.attempt("alice's laptop", Some("alice")).await, None);
        let wait = t.attempt("alice's phone", Some("alice")).await.unwrap();
        assert!((899..=900).contains(&wait), "{wait}");
    }

    /// A store that always fails, as an unreachable or overloaded database does.
    struct Broken;

    impl ThrottleStore for Broken {
        fn hit<'a>(&'a self, _: &'a str, _: Limit) -> BoxFuture<'a, Result<Hit, ThrottleError>> {
            Box::pin(async { Err(ThrottleError::store("connect", "refused")) })
        }
    }

    #[tokio::test]
    async fn fake_a_failing_store_counts_attempts_in_this_process_instead() {
        assert_either_limit_throttles(Arc::new(Broken)).await;
    }
}
