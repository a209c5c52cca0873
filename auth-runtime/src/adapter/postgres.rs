//! [`PostgresAdapter`]: the tables of the official `@auth/pg-adapter`, created when absent, so
//! that a Next.js app using that adapter and this server share users, accounts and sessions.

use std::str::FromStr;
use std::sync::Arc;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row as _};
use time::OffsetDateTime;

use super::readers::SessionReaders;
use super::sql::{self, impl_sql_adapter, parse_user_id, store_error, utc, write_error};
use super::{
    Adapter, AdapterAccount, AdapterError, AdapterResult, AdapterSession, AdapterUser, BoxFuture,
    NewUser, SessionAndUser, VerificationToken,
};

/// `CREATE TABLE IF NOT EXISTS` for @auth/pg-adapter's four tables, under an advisory lock.
const SCHEMA: &str = include_str!("../../migrations/postgres/pg_adapter_schema.sql");

/// How long an operation may wait for a connection (a free one, or a new one to a database
/// that refuses) before it fails.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How many connections read sessions: one per core, at least 2 and at most 8. Reads that
/// arrive while all are busy share one query (`readers.rs`), so one connection per core keeps
/// up with the requests; fewer, larger queries cost both sides less per read (on one core, 8
/// connections made each `/session` about 10% dearer than 2; docs/PERFORMANCE.md).
const POSTGRES_READERS: std::ops::RangeInclusive<usize> = 2..=8;

/// The session readers' `application_name`, as `pg_stat_activity` shows them.
const READER_APPLICATION_NAME: &str = "auth-runtime session reader";

/// Whether `accounts` has a unique index on exactly (provider, "providerAccountId"), as
/// @auth/pg-adapter's schema.sql creates it and its documentation page does not.
const HAS_ACCOUNT_KEY: &str = r#"SELECT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = 'accounts'::regclass AND i.indisunique AND i.indpred IS NULL
      AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a
           WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
          = ARRAY['provider', 'providerAccountId']
)"#;

/// An [`Adapter`] over PostgreSQL, in @auth/pg-adapter's tables: `users`, `accounts`,
/// `sessions` and `verification_token`, with `SERIAL` ids and quoted camelCase columns
/// (`"userId"`, `"emailVerified"`, `"providerAccountId"`, `"sessionToken"`).
///
/// The tables are created at start-up when absent, in the connection's `search_path`
/// schema (`public` unless configured). Existing tables are used as they are: tables made
/// from the adapter's documentation page, without foreign and unique keys, work too, since
/// this adapter deletes a user's sessions and accounts itself; a warning is logged when the
/// unique key on (provider, "providerAccountId") is missing.
///
/// ```no_run
/// # async fn run() -> Result<(), auth_runtime::adapter::AdapterError> {
/// use auth_runtime::adapter::PostgresAdapter;
///
/// let adapter = PostgresAdapter::connect("postgres://auth:secret@127.0.0.1:5432/app").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct PostgresAdapter {
    pool: PgPool,
    /// Connections of their own for reading a session (see
    /// [`connect_with`](Self::connect_with)); `None` reads through the pool.
    session_readers: Option<Arc<SessionReaders<PgConnection, SessionAndUser>>>,
}

impl PostgresAdapter {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`,
    /// libpq's parameters such as `sslmode` or `options` accepted) and creates the tables
    /// that are missing.
    pub async fn connect(url: &str) -> AdapterResult<Self> {
        let options =
            PgConnectOptions::from_str(url).map_err(store_error("read the database URL"))?;
        Self::connect_with(options).await
    }

    /// Connects with options built in code (e.g. `.options([("search_path", "auth")])`) and
    /// creates the tables that are missing. An operation waits at most 5 s for a connection
    /// (sqlx's default is 30 s), so a database that is down fails requests promptly.
    ///
    /// Sessions (read on every request) are read on connections of their own (one per core,
    /// 2 to 8), opened as concurrent reads need them, rather than through the pool, which
    /// answers each query with a second round trip to the server when the connection is
    /// returned (see docs/PERFORMANCE.md). Reads that arrive while all are busy are answered
    /// together, by one query for all their sessions on the next connection free. A reader the
    /// server dropped (a restart) is opened again and the read retried once. Everything else,
    /// and every write, goes through the pool.
    pub async fn connect_with(options: PgConnectOptions) -> AdapterResult<Self> {
        let pool = PgPoolOptions::new()
            // sqlx waits 30 s by default for a connection, retrying a refused one all along:
            // a database that is down would hold every request that long.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx's default ping before a pooled connection is used stays on: a connection
            // the server dropped (a restart) is replaced before a sign-in's write meets it.
            // Session reads, the one query on every request, do not go through the pool.
            .connect_with(options.clone())
            .await
            .map_err(store_error("connect to the database"))?;
        let mut adapter = Self::from_pool(pool).await?;
        // Opened after the schema script: they see the tables from their first read. Named
        // in `pg_stat_activity` unless the URL names the application.
        let reader_options = match options.get_application_name() {
            Some(_) => options,
            None => options.application_name(READER_APPLICATION_NAME),
        };
        let readers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .clamp(*POSTGRES_READERS.start(), *POSTGRES_READERS.end());
        adapter.session_readers = Some(Arc::new(SessionReaders::new(reader_options, readers)));
        Ok(adapter)
    }

    /// An adapter over a pool you configured yourself; creates the tables that are missing.
    /// Every query, sessions included, goes through `pool`.
    pub async fn from_pool(pool: PgPool) -> AdapterResult<Self> {
        // One simple-query script: PostgreSQL runs it in one implicit transaction, which
        // holds the advisory lock to the end.
        sqlx::raw_sql(SCHEMA)
            .execute(&pool)
            .await
            .map_err(store_error("create the tables"))?;
        let has_account_key: bool = sqlx::query(HAS_ACCOUNT_KEY)
            .fetch_one(&pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(store_error("inspect the tables"))?;
        if !has_account_key {
            tracing::warn!(
                "ADAPTER_ERROR: table `accounts` has no unique key on (provider, \"providerAccountId\"); \
                 add one (as @auth/pg-adapter's schema.sql does) so a provider account cannot be linked twice"
            );
        }
        Ok(PostgresAdapter {
            pool,
            session_readers: None,
        })
    }

    /// The connection pool, for the application's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// `sql::GET_SESSIONS_AND_USERS_POSTGRES` for `tokens`.
fn sessions_and_users(
    tokens: &[String],
) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql::GET_SESSIONS_AND_USERS_POSTGRES).bind(tokens)
}

impl_sql_adapter!(PostgresAdapter, Postgres, i32);
