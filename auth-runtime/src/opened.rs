//! Sealed cookie values opened recently, kept in memory by their value.
//!
//! A JWT session's cookie only changes when it is issued again, so every request a browser
//! sends between two `/session` reads (a page, its fetches, an app's API calls) carries the
//! same value; so does the session cache's cookie of database sessions during its lifetime.
//! Opening one again costs AES-GCM and a JSON parse each time; a value seen before is answered
//! from here instead, with what it opened to.
//!
//! What a hit may skip is exactly what the value alone decides: an entry is found only by the
//! whole cookie value (the map is keyed by its last 32 bytes, the end of the JWE's ciphertext
//! and its authentication tag, so hashing stays short; the entry's whole value is then compared
//! with the request's), and an entry is used only inside
//! the window where the time checks it passed still pass: from the moment it was opened until
//! the end its caller gives (a token's `exp`). Everything that does not depend on the value
//! alone (revocation, the callbacks, what this instance ended) runs on every request as before.
//! A clock that steps back before the entry was made misses, and the value is opened again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Independent maps, so that requests on many threads rarely wait for one another; a value
/// goes to the map its last byte picks (the end of the JWE's authentication tag).
const SHARDS: usize = 8;
/// How much of a value's end keys the maps (a JWE's tag is 22 characters).
const KEY_LEN: usize = 32;
/// Values kept in each map. When a map is full, its expired entries go, then every other one.
const PER_SHARD: usize = 32;
/// Longer values (chunked cookies with large custom session data) are not kept, so a cache
/// stays under about 2 MB.
const MAX_VALUE_LEN: usize = 4096;

/// The values opened recently (see the module's documentation).
pub(crate) struct Opened<T> {
    shards: [Mutex<HashMap<Box<str>, Entry<T>>>; SHARDS],
}

/// A value, what it opened to, and the window in which its time checks hold: from `from` (when
/// it was opened) until `until` (excluded), in the caller's unit.
struct Entry<T> {
    value: Box<str>,
    item: T,
    from: u64,
    until: u64,
}

impl<T> Default for Opened<T> {
    fn default() -> Self {
        Opened {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }
}

impl<T: Clone> Opened<T> {
    fn shard(&self, value: &str) -> &Mutex<HashMap<Box<str>, Entry<T>>> {
        let last = value.as_bytes().last().copied().unwrap_or(0);
        &self.shards[usize::from(last) % SHARDS]
    }

    /// What `value` opened to, when it was opened before and `now` is inside its window.
    pub(crate) fn get(&self, value: &str, now: u64) -> Option<T> {
        let shard = self
            .shard(value)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = shard.get(key(value))?;
        (*entry.value == *value && entry.from <= now && now < entry.until)
            .then(|| entry.item.clone())
    }

    /// Keeps `item`, which `value` opened to and which passed its time checks at `now`; they
    /// hold until `until`.
    pub(crate) fn put(&self, value: &str, item: &T, now: u64, until: u64) {
        if value.len() > MAX_VALUE_LEN || until <= now {
            return;
        }
        let mut shard = self
            .shard(value)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if shard.len() >= PER_SHARD {
            shard.retain(|_, entry| entry.until > now);
        }
        if shard.len() >= PER_SHARD {
            let mut keep = false;
            shard.retain(|_, _| {
                keep = !keep;
                keep
            });
        }
        shard.insert(
            key(value).into(),
            Entry {
                value: value.into(),
                item: item.clone(),
                from: now,
                until,
            },
        );
    }
}

/// The key of `value` in its map: its last [`KEY_LEN`] bytes (all of it when shorter, or when
/// that cut is not at a character boundary).
fn key(value: &str) -> &str {
    value
        .get(value.len().saturating_sub(KEY_LEN)..)
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opened_before_gives_its_item_inside_its_window() {
        let cache = Opened::default();
        cache.put("value-a", &"a", 100, 200);
        assert_eq!(cache.get("value-a", 100), Some("a"));
        assert_eq!(cache.get("value-a", 199), Some("a"));
        assert_eq!(
            cache.get("value-a", 200),
            None,
            "at its end the value is opened again"
        );
        assert_eq!(
            cache.get("value-a", 99),
            None,
            "before it was opened: a clock stepped back"
        );
    }

    #[test]
    fn only_the_whole_value_finds_an_item() {
        let cache = Opened::default();
        cache.put("value-a", &"a", 100, 200);
        assert_eq!(cache.get("value-", 100), None);
        assert_eq!(cache.get("value-ab", 100), None);
        assert_eq!(cache.get("value-A", 100), None);
    }

    #[test]
    fn a_value_ending_like_a_kept_one_is_not_its_item() {
        let cache = Opened::default();
        let tail = "t".repeat(KEY_LEN);
        cache.put(&format!("first.{tail}"), &"first", 100, 200);
        assert_eq!(cache.get(&format!("forged.{tail}"), 100), None);
        assert_eq!(cache.get(&tail, 100), None);
        assert_eq!(cache.get(&format!("first.{tail}"), 100), Some("first"));
        // A second value with the same end takes the first one's place.
        cache.put(&format!("second.{tail}"), &"second", 100, 200);
        assert_eq!(cache.get(&format!("second.{tail}"), 100), Some("second"));
        assert_eq!(cache.get(&format!("first.{tail}"), 100), None);
    }

    #[test]
    fn items_already_past_their_end_or_too_long_are_not_kept() {
        let cache = Opened::default();
        cache.put("expired", &"a", 100, 100);
        let long = "x".repeat(MAX_VALUE_LEN + 1);
        cache.put(&long, &"a", 100, 200);
        assert_eq!(cache.get("expired", 100), None);
        assert_eq!(cache.get(&long, 100), None);
    }

    #[test]
    fn a_full_map_makes_room_and_keeps_the_newest() {
        let cache = Opened::default();
        // Every value ends in `0`: one map.
        for i in 0..PER_SHARD * 4 {
            cache.put(&format!("{i}-0"), &i, 100, 200);
            assert_eq!(cache.get(&format!("{i}-0"), 100), Some(i));
        }
        let kept = (0..PER_SHARD * 4)
            .filter(|i| cache.get(&format!("{i}-0"), 100).is_some())
            .count();
        assert!(kept <= PER_SHARD, "{kept} kept");
        assert!(kept > 0);
    }

    #[test]
    fn expired_entries_go_first_when_a_map_is_full() {
        let cache = Opened::default();
        for i in 0..PER_SHARD - 1 {
            cache.put(&format!("{i}-0"), &"old", 100, 150);
        }
        cache.put("live-0", &"live", 100, 1000);
        // At 160 every other entry has expired: making room keeps the live one.
        cache.put("new-0", &"new", 160, 1000);
        assert_eq!(cache.get("live-0", 160), Some("live"));
        assert_eq!(cache.get("new-0", 160), Some("new"));
    }
}
