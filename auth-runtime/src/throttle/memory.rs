//! [`MemoryStore`]: attempt counts in this process, bounded so that a flood of distinct keys
//! (addresses or made-up identifiers) cannot grow it without limit, nor make it forget a key
//! that is at its limit.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Hit, Limit, ThrottleError, ThrottleStore};
use crate::adapter::BoxFuture;

/// How many keys the store holds by default (about 15 MB at most).
const DEFAULT_CAPACITY: usize = 100_000;

/// How often ended windows are dropped even when the store is not full.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// A [`ThrottleStore`] in memory: the default, for one server process (each process counts
/// on its own; use `PostgresStore` to share counts between instances).
///
/// Keys whose window has ended are dropped every minute. When the store is full anyway (a
/// flood of distinct keys within one window), it drops a quarter of its keys, those with a
/// single attempt first, but never a key at or over its limit: forgetting one would give a
/// throttled account its attempts back. When every key it holds is at its limit, an attempt
/// of a new key is answered as over its limit (fail closed) until the first of those windows
/// ends; filling 100 000 keys that way takes 100 000 times the limit in attempts, each of
/// them also counted against its client's address.
pub struct MemoryStore {
    capacity: usize,
    state: Mutex<State>,
}

struct State {
    windows: HashMap<String, Window>,
    next_sweep: Instant,
    /// Set when a sweep found only keys at their limits: until the first of their windows
    /// ends nothing can be dropped, so new keys are refused without sweeping again.
    full_until: Option<Instant>,
}

/// One key's current window.
struct Window {
    ends: Instant,
    count: u64,
    /// The key's limit, as its last attempt gave it.
    max: u32,
}

impl Window {
    /// Whether the key's next attempt is refused: such a key is never dropped early.
    fn at_limit(&self) -> bool {
        self.count >= u64::from(self.max)
    }
}

impl MemoryStore {
    /// An empty store holding at most 100 000 keys.
    pub fn new() -> Self {
        MemoryStore::with_capacity(DEFAULT_CAPACITY)
    }

    /// An empty store holding at most `capacity` keys (at least 4).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryStore {
            capacity: capacity.max(4),
            state: Mutex::new(State {
                windows: HashMap::new(),
                next_sweep: Instant::now() + SWEEP_INTERVAL,
                full_until: None,
            }),
        }
    }

    /// How many keys the store holds now (the tests' view of eviction).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().windows.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one attempt for `key` at `now`; a new key that finds no room is answered as over
    /// `limit` until the first window ends.
    pub(super) fn hit_at(&self, key: &str, limit: Limit, now: Instant) -> Hit {
        let mut state = self.lock();
        let is_full = |state: &State| {
            state.windows.len() >= self.capacity && !state.windows.contains_key(key)
        };
        let full = is_full(&state);
        if full && let Some(until) = state.full_until.filter(|until| now < *until) {
            return refused(limit, until - now);
        }
        if full || now >= state.next_sweep {
            state.sweep(now, full.then_some(self.capacity));
        }
        if is_full(&state) {
            let until = state.windows.values().map(|w| w.ends).min().unwrap_or(now);
            state.full_until = Some(until);
            return refused(limit, until - now);
        }
        let fresh = || Window {
            ends: now + limit.window,
            count: 0,
            max: limit.max,
        };
        let entry = state.windows.entry(key.to_owned()).or_insert_with(fresh);
        if entry.ends <= now {
            *entry = fresh();
        }
        entry.count += 1;
        entry.max = limit.max;
        Hit {
            count: entry.count,
            resets_in: entry.ends - now,
        }
    }
}

/// The answer to an attempt the store has no room to count: over `limit`, until `resets_in`.
fn refused(limit: Limit, resets_in: Duration) -> Hit {
    Hit {
        count: u64::from(limit.max) + 1,
        resets_in,
    }
}

impl State {
    /// Drops the windows that have ended; when `capacity` is given (the store is full), also
    /// brings it down to three quarters of it, single attempts first, so the next sweep is far.
    /// Keys at their limits are kept, even if that leaves the store full.
    fn sweep(&mut self, now: Instant, capacity: Option<usize>) {
        self.windows.retain(|_, w| w.ends > now);
        self.next_sweep = now + SWEEP_INTERVAL;
        self.full_until = None;
        let Some(capacity) = capacity else {
            return;
        };
        let target = capacity - capacity / 4;
        for drop_any_below_limit in [false, true] {
            let mut excess = self.windows.len().saturating_sub(target);
            if excess == 0 {
                break;
            }
            self.windows.retain(|_, w| {
                let droppable = !w.at_limit() && (drop_any_below_limit || w.count <= 1);
                if excess > 0 && droppable {
                    excess -= 1;
                    false
                } else {
                    true
                }
            });
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl ThrottleStore for MemoryStore {
    fn hit<'a>(&'a self, key: &'a str, limit: Limit) -> BoxFuture<'a, Result<Hit, ThrottleError>> {
        let hit = self.hit_at(key, limit, Instant::now());
        Box::pin(async move { Ok(hit) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// `max` attempts a minute.
    fn per_minute(max: u32) -> Limit {
        Limit {
            max,
            window: MINUTE,
        }
    }

    #[test]
    fn attempts_count_up_within_a_window_and_start_again_after_it() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        assert_eq!(store.hit_at("k", per_minute(5), t0).count, 1);
        let second = store.hit_at("k", per_minute(5), t0 + Duration::from_secs(20));
        assert_eq!(second.count, 2);
        assert_eq!(second.resets_in, Duration::from_secs(40));
        assert_eq!(store.hit_at("other", per_minute(5), t0).count, 1);
        let after = store.hit_at("k", per_minute(5), t0 + MINUTE);
        assert_eq!(after.count, 1);
        assert_eq!(after.resets_in, MINUTE);
    }

    #[test]
    fn ended_windows_are_swept_once_a_minute() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        let second = Limit {
            max: 5,
            window: Duration::from_secs(1),
        };
        for i in 0..100 {
            store.hit_at(&format!("k{i}"), second, t0);
        }
        assert_eq!(store.len(), 100);
        // Ended, but not swept before the minute is over: a sweep costs a pass over every key,
        // so it is not paid on every attempt.
        store.hit_at("soon", second, t0 + Duration::from_secs(5));
        assert_eq!(store.len(), 101);
        let late = t0 + SWEEP_INTERVAL * 2;
        store.hit_at("late", second, late);
        assert_eq!(store.len(), 1);
        // And the next sweep is a minute after that one.
        store.hit_at("after", second, late + Duration::from_secs(5));
        assert_eq!(store.len(), 2);
    }

    /// A store of 1000 keys where "victim" made three attempts under `limit`, then
    /// `flood_keys` other keys made `hits_each` attempts each: the victim's fourth attempt's
    /// count (4 when its count survived every trim, 1 when it was forgotten).
    fn victims_fourth_count_after_a_flood(
        limit: Limit,
        flood_keys: usize,
        hits_each: usize,
    ) -> u64 {
        let store = MemoryStore::with_capacity(1000);
        let t0 = Instant::now();
        for _ in 0..3 {
            store.hit_at("victim", limit, t0);
        }
        for i in 0..flood_keys {
            for _ in 0..hits_each {
                store.hit_at(&format!("flood{i}"), limit, t0);
            }
            assert!(store.len() <= 1000);
        }
        store.hit_at("victim", limit, t0).count
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_within_capacity_and_spares_repeated_keys() {
        assert_eq!(
            victims_fourth_count_after_a_flood(per_minute(5), 50_000, 1),
            4
        );
    }

    #[test]
    fn a_flood_of_keys_hit_twice_never_evicts_a_key_at_its_limit() {
        // Three attempts is the victim's limit; the flood's keys are below theirs.
        assert_eq!(
            victims_fourth_count_after_a_flood(per_minute(3), 20_000, 2),
            4
        );
    }

    #[test]
    fn a_full_store_of_keys_below_their_limits_makes_room_for_a_new_key() {
        let store = MemoryStore::with_capacity(8);
        let t0 = Instant::now();
        for i in 0..8 {
            store.hit_at(&format!("key{i}"), per_minute(5), t0);
        }
        let new = store.hit_at("new", per_minute(5), t0 + Duration::from_secs(1));
        assert_eq!(new.count, 1, "counted, not refused: {new:?}");
        // Trimmed to three quarters (6 of 8, single attempts first), then the new key.
        assert_eq!(store.len(), 7);
    }

    #[test]
    fn a_full_store_of_repeated_keys_below_their_limits_makes_room_too() {
        let store = MemoryStore::with_capacity(8);
        let t0 = Instant::now();
        for i in 0..8 {
            for _ in 0..2 {
                store.hit_at(&format!("key{i}"), per_minute(5), t0);
            }
        }
        // No single-attempt key to drop first: any key below its limit goes.
        let new = store.hit_at("new", per_minute(5), t0 + Duration::from_secs(1));
        assert_eq!(new.count, 1, "counted, not refused: {new:?}");
        assert_eq!(store.len(), 7);
    }

    #[test]
    fn a_full_store_counts_new_keys_again_once_its_first_window_has_ended() {
        let store = MemoryStore::with_capacity(8);
        let t0 = Instant::now();
        for i in 0..8 {
            store.hit_at(
                &format!("held{i}"),
                per_minute(1),
                t0 + Duration::from_secs(i),
            );
        }
        let refused = store.hit_at("new", per_minute(5), t0 + Duration::from_secs(10));
        assert!(refused.count > 5, "{refused:?}");
        // A second past the first window's end: no longer refused, counted.
        let later = store.hit_at("new", per_minute(5), t0 + MINUTE + Duration::from_secs(1));
        assert_eq!(later.count, 1, "{later:?}");
    }

    #[test]
    fn a_store_full_of_keys_at_their_limits_refuses_new_keys_until_a_window_ends() {
        let store = MemoryStore::with_capacity(8);
        let t0 = Instant::now();
        for i in 0..8 {
            let at = t0 + Duration::from_secs(i);
            store.hit_at(&format!("held{i}"), per_minute(1), at);
        }
        let later = t0 + Duration::from_secs(10);
        for attempt in 0..3 {
            let refused = store.hit_at(&format!("new{attempt}"), per_minute(5), later);
            assert!(refused.count > 5, "{refused:?}");
            // The first held window (started at t0) ends first.
            assert_eq!(refused.resets_in, Duration::from_secs(50));
        }
        assert_eq!(store.len(), 8);
        assert!((0..8).all(|i| {
            store
                .hit_at(&format!("held{i}"), per_minute(1), later)
                .count
                == 2
        }));
        // Once the first held window has ended, a new key is counted again.
        let first_window_over = store.hit_at("new0", per_minute(5), t0 + MINUTE);
        assert_eq!(first_window_over.count, 1);
        assert_eq!(store.len(), 8);
    }

    #[tokio::test]
    async fn the_trait_counts_in_real_time() {
        let store = MemoryStore::new();
        let first = store.hit("k", per_minute(5)).await.unwrap();
        let second = store.hit("k", per_minute(5)).await.unwrap();
        assert_eq!((first.count, second.count), (1, 2));
        assert!(second.resets_in <= MINUTE && second.resets_in > MINUTE - Duration::from_secs(5));
    }
}
