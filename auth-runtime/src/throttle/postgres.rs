//! [`PostgresStore`]: attempt counts in one PostgreSQL table, `auth_throttle`, shared by every
//! instance that points at the same database; connected on first use. When it fails, the
//! throttle counts in the process instead (see the `throttle` module).

use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Row as _};
use tokio::sync::OnceCell;

use super::{Hit, Limit, ThrottleError, ThrottleStore};
use crate::adapter::BoxFuture;

/// `CREATE TABLE IF NOT EXISTS`, under an advisory lock: two instances starting at once must
/// not race on it (it is not safe under concurrency in PostgreSQL).
const SCHEMA: &str = "
SELECT pg_advisory_xact_lock(7236481902637453154);
CREATE TABLE IF NOT EXISTS auth_throttle (
    key TEXT PRIMARY KEY,
    hits BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_throttle_expires_at ON auth_throttle (expires_at);
";

/// One attempt, atomically: the row is locked by the upsert, so concurrent attempts from
/// several instances are all counted. A window that has ended starts again at this attempt.
/// Every expression of `SET` reads the old row; `RETURNING` reads the new one. The database's
/// clock is the one clock every instance shares.
const HIT: &str = "
INSERT INTO auth_throttle AS t (key, hits, expires_at)
VALUES ($1, 1, now() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.hits + 1 END,
    expires_at = CASE WHEN t.expires_at <= now() THEN EXCLUDED.expires_at ELSE t.expires_at END
RETURNING hits, GREATEST(EXTRACT(EPOCH FROM (expires_at - now())), 0)::float8
";

/// Drops the windows that have ended.
const SWEEP: &str = "DELETE FROM auth_throttle WHERE expires_at <= now()";

/// How long connecting (and creating the table) may take before the attempt is counted in
/// the process instead.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one count may take (waiting for one of the pool's connections included) before
/// the attempt is counted in the process instead.
const HIT_TIMEOUT: Duration = Duration::from_secs(2);

/// After a failed connection, attempts are counted in the process without trying again for
/// this long, so an unreachable database does not add its timeout to every sign-in.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// How often ended windows are deleted.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// A [`ThrottleStore`] in PostgreSQL (feature `postgres`): one table, `auth_throttle`
/// (`key` = the SHA-256 hex of `kind:value`, `hits`, `expires_at`), created when absent, so
/// that every instance of the app counts against the same limits.
///
/// Nothing is connected until the first attempt. When the database cannot be reached (or
/// does not answer within two seconds, as when all four of its connections are busy), `hit`
/// fails and the throttle counts the attempt in its process instead, with the same limits:
/// neither everyone locked out nor no limit at all. Connecting is tried again after five
/// seconds.
pub struct PostgresStore {
    options: PgConnectOptions,
    pool: OnceCell<PgPool>,
    /// Until when a failed connection is not tried again.
    backoff_until: Mutex<Option<Instant>>,
    next_sweep: Mutex<Instant>,
}

impl PostgresStore {
    /// A store for the database at `url` (`postgres://user:password@host:port/database`);
    /// only the URL is read here, the connection is made at the first attempt.
    pub fn new(url: &str) -> Result<Self, ThrottleError> {
        // sqlx's message may quote the URL, password included: say only what is wrong.
        let not_postgres = || {
            ThrottleError::store(
                "read the database URL",
                "expected a `postgres://` or `postgresql://` URL",
            )
        };
        if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            return Err(not_postgres());
        }
        let options = PgConnectOptions::from_str(url).map_err(|_| not_postgres())?;
        Ok(PostgresStore::with_options(options))
    }

    /// A store connecting with options built in code.
    pub fn with_options(options: PgConnectOptions) -> Self {
        PostgresStore {
            options,
            pool: OnceCell::new(),
            backoff_until: Mutex::new(None),
            next_sweep: Mutex::new(Instant::now()),
        }
    }

    /// The pool, connected (and the table created) on first use.
    async fn pool(&self) -> Result<&PgPool, ThrottleError> {
        if let Some(pool) = self.pool.get() {
            return Ok(pool);
        }
        let now = Instant::now();
        let backoff = *self
            .backoff_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if backoff.is_some_and(|until| now < until) {
            return Err(ThrottleError::store(
                "connect",
                "the database was unreachable moments ago",
            ));
        }
        let connected = self
            .pool
            .get_or_try_init(|| async {
                let connect = async {
                    // One plain connection first: a pool would retry a refused connection
                    // until its timeout, and a refusal should fall back to local counts at once.
                    let mut first = PgConnection::connect_with(&self.options)
                        .await
                        .map_err(|e| ThrottleError::store("connect", e))?;
                    sqlx::raw_sql(SCHEMA)
                        .execute(&mut first)
                        .await
                        .map_err(|e| ThrottleError::store("create the table", e))?;
                    let _ = first.close().await;
                    Ok(PgPoolOptions::new()
                        .max_connections(4)
                        .acquire_timeout(HIT_TIMEOUT)
                        .connect_lazy_with(self.options.clone()))
                };
                match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                    Ok(connected) => connected,
                    Err(_) => Err(ThrottleError::store("connect", "timed out")),
                }
            })
            .await;
        if connected.is_err() {
            *self
                .backoff_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + RETRY_DELAY);
        }
        connected
    }

    /// Deletes ended windows in the background, at most once a minute per instance.
    fn sweep_now_and_then(&self, pool: &PgPool) {
        let now = Instant::now();
        {
            let mut next = self
                .next_sweep
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if now < *next {
                return;
            }
            *next = now + SWEEP_INTERVAL;
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            if let Err(e) = sqlx::query(SWEEP).execute(&pool).await {
                tracing::warn!(error = %e, "THROTTLE_STORE_ERROR: cannot delete ended windows");
            }
        });
    }
}

impl ThrottleStore for PostgresStore {
    fn hit<'a>(&'a self, key: &'a str, limit: Limit) -> BoxFuture<'a, Result<Hit, ThrottleError>> {
        Box::pin(async move {
            let pool = self.pool().await?;
            let query = sqlx::query(HIT)
                .bind(key)
                .bind(limit.window.as_secs_f64())
                .fetch_one(pool);
            let row = match tokio::time::timeout(HIT_TIMEOUT, query).await {
                Ok(row) => row.map_err(|e| ThrottleError::store("count the attempt", e))?,
                Err(_) => return Err(ThrottleError::store("count the attempt", "timed out")),
            };
            let count: i64 = row
                .try_get(0)
                .map_err(|e| ThrottleError::store("read the count", e))?;
            let resets_in: f64 = row
                .try_get(1)
                .map_err(|e| ThrottleError::store("read the count", e))?;
            self.sweep_now_and_then(pool);
            Ok(Hit {
                count: u64::try_from(count).unwrap_or_default(),
                resets_in: Duration::try_from_secs_f64(resets_in).unwrap_or_default(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_that_is_not_postgres_is_refused_without_quoting_it() {
        let Err(e) = PostgresStore::new("mysql://user:hunter2@host/db") else {
            panic!("accepted");
        };
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[tokio::test]
    async fn an_unreachable_database_fails_fast_and_is_not_retried_at_once() {
        let store = PostgresStore::new("postgres://127.0.0.1:1/x").unwrap();
        let started = Instant::now();
        let limit = Limit {
            max: 5,
            window: Duration::from_secs(60),
        };
        assert!(store.hit("k", limit).await.is_err());
        assert!(store.hit("k", limit).await.is_err());
        // A refused connection is not retried until a timeout.
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        let backoff = *store.backoff_until.lock().unwrap();
        assert!(backoff.is_some_and(|until| until > Instant::now()));
    }
}
