//! Durations as the `auth!` block writes them (`days(30)`), so the expansion reads the way the
//! block does.

pub use std::time::Duration;

/// `n` seconds.
pub const fn seconds(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// `n` minutes.
pub const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// `n` hours.
pub const fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 60 * 60)
}

/// `n` days.
pub const fn days(n: u64) -> Duration {
    Duration::from_secs(n * 24 * 60 * 60)
}
