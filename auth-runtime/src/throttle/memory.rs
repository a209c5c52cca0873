//! [`MemoryStore`]: attempt counts in this process, bounded so that a flood of distinct keys
//! (addresses or made-up identifiers) cannot grow it without limit.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Hit, ThrottleError, ThrottleStore};
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
/// single attempt first: a flood is made of those, while a key being guessed at has more.
pub struct MemoryStore {
    capacity: usize,
    state: Mutex<State>,
}

struct State {
    windows: HashMap<String, Window>,
    next_sweep: Instant,
}

/// One key's current window.
struct Window {
    ends: Instant,
    count: u64,
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
            }),
        }
    }

    /// How many keys the store holds now.
    pub fn len(&self) -> usize {
        self.lock().windows.len()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one attempt for `key` at `now`.
    fn hit_at(&self, key: &str, window: Duration, now: Instant) -> Hit {
        let mut state = self.lock();
        let full = state.windows.len() >= self.capacity && !state.windows.contains_key(key);
        if full || now >= state.next_sweep {
            state.sweep(now, full.then_some(self.capacity));
        }
        let entry = state.windows.entry(key.to_owned()).or_insert(Window {
            ends: now + window,
            count: 0,
        });
        if entry.ends <= now {
            *entry = Window {
                ends: now + window,
                count: 0,
            };
        }
        entry.count += 1;
        Hit {
            count: entry.count,
            resets_in: entry.ends - now,
        }
    }
}

impl State {
    /// Drops the windows that have ended; when `capacity` is given (the store is full), also
    /// brings it down to three quarters of it, single attempts first, so the next sweep is far.
    fn sweep(&mut self, now: Instant, capacity: Option<usize>) {
        self.windows.retain(|_, w| w.ends > now);
        self.next_sweep = now + SWEEP_INTERVAL;
        let Some(capacity) = capacity else {
            return;
        };
        let target = capacity - capacity / 4;
        for drop_any in [false, true] {
            let mut excess = self.windows.len().saturating_sub(target);
            if excess == 0 {
                break;
            }
            self.windows.retain(|_, w| {
                if excess > 0 && (drop_any || w.count <= 1) {
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
    fn hit<'a>(
        &'a self,
        key: &'a str,
        window: Duration,
    ) -> BoxFuture<'a, Result<Hit, ThrottleError>> {
        let hit = self.hit_at(key, window, Instant::now());
        Box::pin(async move { Ok(hit) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn attempts_count_up_within_a_window_and_start_again_after_it() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        assert_eq!(store.hit_at("k", MINUTE, t0).count, 1);
        let second = store.hit_at("k", MINUTE, t0 + Duration::from_secs(20));
        assert_eq!(second.count, 2);
        assert_eq!(second.resets_in, Duration::from_secs(40));
        assert_eq!(store.hit_at("other", MINUTE, t0).count, 1);
        let after = store.hit_at("k", MINUTE, t0 + MINUTE);
        assert_eq!(after.count, 1);
        assert_eq!(after.resets_in, MINUTE);
    }

    #[test]
    fn ended_windows_are_swept_once_a_minute() {
        let store = MemoryStore::new();
        let t0 = Instant::now();
        for i in 0..100 {
            store.hit_at(&format!("k{i}"), Duration::from_secs(1), t0);
        }
        assert_eq!(store.len(), 100);
        store.hit_at("late", Duration::from_secs(1), t0 + SWEEP_INTERVAL * 2);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_within_capacity_and_spares_repeated_keys() {
        let store = MemoryStore::with_capacity(1000);
        let t0 = Instant::now();
        for _ in 0..3 {
            store.hit_at("victim", MINUTE, t0);
        }
        for i in 0..50_000 {
            store.hit_at(&format!("flood{i}"), MINUTE, t0);
            assert!(store.len() <= 1000);
        }
        // The victim's count survived every trim: its fourth attempt is counted as such.
        assert_eq!(store.hit_at("victim", MINUTE, t0).count, 4);
    }

    #[tokio::test]
    async fn the_trait_counts_in_real_time() {
        let store = MemoryStore::new();
        let first = store.hit("k", MINUTE).await.unwrap();
        let second = store.hit("k", MINUTE).await.unwrap();
        assert_eq!((first.count, second.count), (1, 2));
        assert!(second.resets_in <= MINUTE && second.resets_in > MINUTE - Duration::from_secs(5));
    }
}
