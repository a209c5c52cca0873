//! The session cache of database sessions (`session: database { cache: seconds(n) }`): a
//! sealed copy of the session and its user in a cookie of its own, so that for `n` seconds a
//! session read needs no database.
//!
//! The trade-off (docs/BEHAVIOUR.md, "The session cache"): a session ended on this instance
//! (sign-out, revocation, new roles, the sessions a first email sign-in ends) is refused from
//! the cache at once, because the instance remembers what it ended for `n` seconds; one ended
//! on another instance, or by hand in the database, is still read from a copy made before, for
//! at most `n` seconds.
//!
//! The copy is bound to the session it was made for (its opaque id, not the token) and sealed
//! with a key of its own (the salt is the cookie's name), so it can neither be read nor moved
//! to another browser's session.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::adapter::{AdapterSession, AdapterUser, SessionAndUser};
use crate::cookies::{Jar, SetCookie};
use crate::jwe::{self, TokenKeys};
use crate::manage::{session_id, session_id_hex};
use crate::opened::Opened;

/// The cache of one `Auth`: its lifetime, cookie and key, and what this instance ended.
pub(crate) struct SessionCache {
    ttl: u64,
    cookie: &'static str,
    keys: TokenKeys,
    /// What this instance ended, with when (Unix ms): a copy made at or before that is not
    /// trusted. Kept `ttl` seconds, after which every such copy has expired anyway.
    ended: Mutex<Ended>,
    /// Copies opened recently, by cookie value, each until the copy or its session ends
    /// (`opened.rs`); the checks of [`SessionCache::get`] still run on every read.
    opened: Opened<Cached>,
}

/// Sessions (by opaque id) and users (by id) ended on this instance, each with when.
#[derive(Default)]
struct Ended {
    sessions: HashMap<String, u64>,
    users: HashMap<String, u64>,
}

/// What the cookie holds. Short keys: it travels with every request.
#[derive(Clone, Serialize, Deserialize)]
struct Cached {
    /// The opaque id of the session this copy belongs to.
    k: String,
    /// When the copy was made (Unix milliseconds: a sign-in that ends the user's copies and
    /// the first copy of its session fall in the same second).
    c: u64,
    /// When the session ends (Unix milliseconds, as `/session` shows it).
    e: u64,
    /// The user.
    u: String,
    n: Option<String>,
    m: Option<String>,
    /// When the email was verified (Unix seconds).
    v: Option<i64>,
    i: Option<String>,
    /// The user's roles.
    r: Vec<String>,
}

impl Cached {
    /// When the copy stops being usable (Unix ms, excluded): the cache's lifetime after it
    /// was made, or the end of the session if sooner.
    fn usable_until(&self, ttl_ms: u64) -> u64 {
        self.e.min(self.c.saturating_add(ttl_ms))
    }
}

impl SessionCache {
    /// A cache keeping copies `ttl` seconds in cookie `cookie`, sealed with keys from `secrets`.
    pub(crate) fn new(ttl: u64, cookie: &'static str, secrets: &[String]) -> Option<SessionCache> {
        Some(SessionCache {
            ttl,
            cookie,
            keys: TokenKeys::derive(secrets, cookie)?,
            ended: Mutex::new(Ended::default()),
            opened: Opened::default(),
        })
    }

    /// The cookie's name.
    pub(crate) fn cookie_name(&self) -> &'static str {
        self.cookie
    }

    /// The session of `token` as cached in `jar`, when the copy is younger than the cache's
    /// lifetime, belongs to this session, and was made after anything this instance ended of
    /// the session or its user; and the session has not expired.
    pub(crate) fn get(
        &self,
        jar: &Jar,
        token: &str,
        now: OffsetDateTime,
    ) -> Option<SessionAndUser> {
        let sealed = jar.get(self.cookie)?;
        let now_ms = millis(now);
        let ttl_ms = self.ttl.saturating_mul(1000);
        let cached = match self.opened.get(sealed, now_ms) {
            Some(cached) => cached,
            None => {
                let cached: Cached =
                    serde_json::from_slice(&jwe::open(&self.keys, sealed).ok()?).ok()?;
                self.opened
                    .put(sealed, &cached, now_ms, cached.usable_until(ttl_ms));
                cached
            }
        };
        let usable = cached.c <= now_ms && now_ms < cached.usable_until(ttl_ms);
        if !usable || cached.k.as_bytes() != session_id_hex(token) {
            return None;
        }
        if self.ended_since(&cached) {
            return None;
        }
        let expires =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(cached.e) * 1_000_000).ok()?;
        let email_verified = match cached.v {
            Some(at) => Some(OffsetDateTime::from_unix_timestamp(at).ok()?),
            None => None,
        };
        Some(SessionAndUser {
            session: AdapterSession::new(token, &cached.u, expires),
            user: AdapterUser {
                id: cached.u,
                name: cached.n,
                email: cached.m,
                email_verified,
                image: cached.i,
            },
            roles: cached.r,
        })
    }

    /// Whether this instance ended the copy's session or user at or after the copy was made
    /// (two look-ups, no allocation: this runs on every cached read).
    fn ended_since(&self, cached: &Cached) -> bool {
        let ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        let since = |at: Option<&u64>| at.is_some_and(|&at| at >= cached.c);
        since(ended.sessions.get(&cached.k)) || since(ended.users.get(&cached.u))
    }

    /// The cookie caching `found`, the session of `token`, from `now` for the cache's lifetime.
    pub(crate) fn cookie(
        &self,
        token: &str,
        found: &SessionAndUser,
        now: OffsetDateTime,
        secure: bool,
    ) -> Option<SetCookie> {
        let cached = Cached {
            k: session_id(token),
            c: millis(now),
            e: millis(found.session.expires),
            u: found.user.id.clone(),
            n: found.user.name.clone(),
            m: found.user.email.clone(),
            v: found
                .user
                .email_verified
                .map(OffsetDateTime::unix_timestamp),
            i: found.user.image.clone(),
            r: found.roles.clone(),
        };
        let payload = serde_json::to_vec(&cached).ok()?;
        let max_age = i64::try_from(self.ttl).unwrap_or(i64::MAX);
        Some(
            SetCookie::new(self.cookie, jwe::seal_owned(&self.keys, payload), secure)
                .max_age(max_age),
        )
    }

    /// Forgets every copy of the session with this token made until now, on this instance.
    pub(crate) fn end_session(&self, token: &str) {
        self.end(|ended| &mut ended.sessions, session_id(token));
    }

    /// Forgets every copy of the user's sessions made until now, on this instance.
    pub(crate) fn end_user(&self, user_id: &str) {
        self.end(|ended| &mut ended.users, user_id.to_owned());
    }

    fn end(&self, kind: fn(&mut Ended) -> &mut HashMap<String, u64>, key: String) {
        let now = millis(OffsetDateTime::now_utc());
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        // A copy lives `ttl` seconds: after that, remembering its end protects nothing.
        let ttl_ms = self.ttl.saturating_mul(1000);
        let live = |_: &String, at: &mut u64| at.saturating_add(ttl_ms) >= now;
        ended.sessions.retain(live);
        ended.users.retain(live);
        kind(&mut ended).insert(key, now);
    }
}

/// Unix milliseconds (0 before 1970).
fn millis(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "next-auth.session-data";

    fn cache(ttl: u64) -> SessionCache {
        SessionCache::new(ttl, NAME, &["s".repeat(32)]).unwrap()
    }

    fn found(expires: OffsetDateTime) -> SessionAndUser {
        SessionAndUser {
            session: AdapterSession::new("token-1", "7", expires),
            user: AdapterUser {
                id: "7".into(),
                name: Some("Ann".into()),
                email: Some("ann@example.com".into()),
                email_verified: Some(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()),
                image: None,
            },
            roles: vec!["admin".into()],
        }
    }

    fn jar_of(cookie: &SetCookie) -> Jar {
        let mut headers = axum::http::HeaderMap::new();
        let pair = format!("{}={}", cookie.name, cookie.value);
        headers.insert(axum::http::header::COOKIE, pair.parse().unwrap());
        Jar::from_headers(&headers)
    }

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
    }

    #[test]
    fn a_copy_reads_back_for_its_session_until_it_is_ttl_old() {
        let cache = cache(30);
        let made = at(1_800_000_000);
        let stored = found(at(1_900_000_000) + time::Duration::milliseconds(684));
        let cookie = cache.cookie("token-1", &stored, made, true).unwrap();
        assert!(!cookie.value.contains("Ann"), "sealed");
        let jar = jar_of(&cookie);
        let read = cache.get(&jar, "token-1", made).unwrap();
        assert_eq!(read.user, stored.user);
        assert_eq!(read.session, stored.session);
        assert_eq!(read.roles, stored.roles);
        assert!(cache.get(&jar, "token-1", at(1_800_000_029)).is_some());
        assert!(
            cache.get(&jar, "token-1", at(1_800_000_030)).is_none(),
            "ttl old"
        );
        assert!(
            cache.get(&jar, "token-1", at(1_799_999_999)).is_none(),
            "from the future"
        );
        assert!(
            cache.get(&jar, "token-2", made).is_none(),
            "another session's"
        );
    }

    #[test]
    fn an_expired_session_a_foreign_key_or_a_tampered_copy_is_no_hit() {
        let cache = cache(30);
        let made = at(1_800_000_000);
        let ending = cache
            .cookie("token-1", &found(at(1_800_000_010)), made, false)
            .unwrap();
        assert!(
            cache
                .get(&jar_of(&ending), "token-1", at(1_800_000_009))
                .is_some()
        );
        assert!(
            cache
                .get(&jar_of(&ending), "token-1", at(1_800_000_010))
                .is_none()
        );
        let cookie = cache
            .cookie("token-1", &found(at(1_900_000_000)), made, false)
            .unwrap();
        let other = SessionCache::new(30, NAME, &["t".repeat(32)]).unwrap();
        assert!(
            other.get(&jar_of(&cookie), "token-1", made).is_none(),
            "another secret"
        );
        let renamed = SessionCache::new(30, "other-name", &["s".repeat(32)]).unwrap();
        let moved = SetCookie::new("other-name", cookie.value.to_string(), false);
        assert!(
            renamed.get(&jar_of(&moved), "token-1", made).is_none(),
            "another salt"
        );
        let mut tampered = cookie.value.to_string();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let tampered = SetCookie::new(NAME, tampered, false);
        assert!(cache.get(&jar_of(&tampered), "token-1", made).is_none());
    }

    #[test]
    fn what_this_instance_ends_is_refused_from_copies_made_before() {
        let cache = cache(30);
        let now = OffsetDateTime::now_utc();
        let stored = found(now + time::Duration::days(1));
        let jar = jar_of(&cache.cookie("token-1", &stored, now, false).unwrap());
        assert!(cache.get(&jar, "token-1", now).is_some());
        cache.end_session("token-1");
        assert!(cache.get(&jar, "token-1", now).is_none(), "by token");

        let cache = self::cache(30);
        let jar = jar_of(&cache.cookie("token-1", &stored, now, false).unwrap());
        cache.end_session("token-2");
        assert!(
            cache.get(&jar, "token-1", now).is_some(),
            "another session ended"
        );
        cache.end_session("token-1");
        assert!(cache.get(&jar, "token-1", now).is_none(), "by id");

        let cache = self::cache(30);
        let jar = jar_of(&cache.cookie("token-1", &stored, now, false).unwrap());
        cache.end_user("8");
        assert!(
            cache.get(&jar, "token-1", now).is_some(),
            "another user ended"
        );
        cache.end_user("7");
        assert!(cache.get(&jar, "token-1", now).is_none(), "by user");
        // A copy made after the end is good again.
        let later = now + time::Duration::seconds(1);
        let jar = jar_of(&cache.cookie("token-1", &stored, later, false).unwrap());
        assert!(cache.get(&jar, "token-1", later).is_some());
    }

    #[test]
    fn ends_are_forgotten_once_no_copy_can_be_that_old() {
        let cache = cache(1);
        cache.ended.lock().unwrap().sessions.insert("old".into(), 0);
        cache.end_user("7");
        let ended = cache.ended.lock().unwrap();
        assert!(!ended.sessions.contains_key("old"));
        assert!(ended.users.contains_key("7"));
    }
}
