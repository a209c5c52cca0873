//! [`SqliteAdapter`]: the embedded store, one SQLite file (or an in-memory database) whose
//! schema is migrated at start-up from the crate's `migrations/sqlite/`.

use std::str::FromStr;
use std::sync::Arc;

use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
};
use sqlx::{SqlSafeStr, Sqlite};
use time::OffsetDateTime;

use super::readers::SessionReaders;
use super::sql::{self, impl_sql_adapter, parse_user_id, store_error, utc, write_error};
use super::sqlite_reads::InlineReads;
use super::{
    Adapter, AdapterAccount, AdapterError, AdapterResult, AdapterSession, AdapterUser, BoxFuture,
    NewUser, SessionAndUser, VerificationToken,
};

/// The migrations, in order; a released one is never edited (its checksum is stored).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "nextauth schema",
        include_str!("../../migrations/sqlite/0001_nextauth_schema.sql"),
    ),
    (
        2,
        "roles and session details",
        include_str!("../../migrations/sqlite/0002_roles_and_session_details.sql"),
    ),
    (
        3,
        "jwt sessions",
        include_str!("../../migrations/sqlite/0003_jwt_sessions.sql"),
    ),
    (
        4,
        "refresh claims",
        include_str!("../../migrations/sqlite/0004_refresh_claims.sql"),
    ),
    (
        5,
        "authenticators",
        include_str!("../../migrations/sqlite/0005_authenticators.sql"),
    ),
];

/// How often the migrations are tried before start-up fails, and the pause between tries:
/// long enough for another server applying them to the same file to finish.
const MIGRATION_ATTEMPTS: u32 = 50;
const MIGRATION_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

/// The table recording applied migrations. Not sqlx's default `_sqlx_migrations`, which the
/// application's own sqlx migrations may use in the same file: each would then see the
/// other's versions as unknown and refuse to run.
const MIGRATIONS_TABLE: &str = "_auth_runtime_migrations";

/// The most connections kept for reading sessions (one per core below that).
const MAX_SQLITE_READERS: usize = 8;

/// An [`Adapter`] over SQLite: users, accounts, sessions and verification tokens in one
/// database file (NextAuth v4's models, with @auth/pg-adapter's table and column names).
///
/// ```no_run
/// # async fn run() -> Result<(), auth_runtime::adapter::AdapterError> {
/// use auth_runtime::adapter::SqliteAdapter;
///
/// // A file, created when missing, in WAL mode.
/// let adapter = SqliteAdapter::connect("sqlite://auth-demo.db?mode=rwc").await?;
/// // For tests: a database that lives as long as the adapter.
/// let adapter = SqliteAdapter::connect("sqlite::memory:").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SqliteAdapter {
    pool: SqlitePool,
    /// Connections of their own for reading a session (see [`connect`](Self::connect));
    /// `None` reads through the pool.
    session_readers: Option<Arc<SessionReaders<SqliteConnection, SessionAndUser>>>,
    /// Read-only connections on which a session is read inline, before `session_readers`
    /// (see [`connect`](Self::connect)); `None` with an in-memory database or a pool.
    inline_reads: Option<Arc<InlineReads>>,
}

impl SqliteAdapter {
    /// Opens the database at `url` and applies the crate's migrations.
    ///
    /// `url` is a sqlx SQLite URL: `sqlite://path/to/file.db?mode=rwc` creates the file when
    /// missing (`mode=rw`, the default, requires it), `sqlite::memory:` opens an empty
    /// in-memory database. A file is put in WAL mode (readers do not wait for the writer);
    /// foreign keys are enforced on every connection. An in-memory database is held by a
    /// single connection that the pool never closes, so every query sees the same data and
    /// the data lives exactly as long as the adapter and its clones.
    ///
    /// With a file, sessions (read on every request) are read on read-only connections of their
    /// own, up to one per core (at most 8), on the thread that answers the request rather than
    /// on sqlx's connection threads: a read by token from cached pages takes microseconds,
    /// less than handing it to another thread and back (see docs/PERFORMANCE.md). Such a read
    /// never waits for a lock; one the file cannot answer at once goes to connections of sqlx
    /// kept for it, where reads that arrive while all are busy are answered together, by one
    /// query for all their sessions. Everything else, and every write, goes through the pool.
    pub async fn connect(url: &str) -> AdapterResult<Self> {
        let options =
            SqliteConnectOptions::from_str(url).map_err(store_error("read the database URL"))?;
        let options = options.foreign_keys(true);
        if is_in_memory(url) {
            // One connection holds the database: no other may open (it would see another).
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(store_error("open the database"))?;
            return Self::from_pool(pool).await;
        }
        // `synchronous` stays FULL (sqlx's default): a deleted session or a used verification
        // token must stay deleted after a power cut.
        let options = options.journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .connect_with(options.clone())
            .await
            .map_err(store_error("open the database"))?;
        let mut adapter = Self::from_pool(pool).await?;
        // Opened after the migrations: they see the schema from their first read.
        // SQLite reads on the connection's own thread: more readers than cores gain nothing.
        let readers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(MAX_SQLITE_READERS);
        adapter.inline_reads = Some(Arc::new(InlineReads::new(
            options.get_filename().to_owned(),
            readers,
        )));
        adapter.session_readers = Some(Arc::new(SessionReaders::new(options, readers)));
        Ok(adapter)
    }

    /// An adapter over a pool you configured yourself; applies the crate's migrations. Every
    /// query, sessions included, goes through `pool`.
    ///
    /// Enable foreign keys on its connections (sqlx does by default). For an in-memory
    /// database, make sure every connection sees the same one (see [`connect`](Self::connect)).
    pub async fn from_pool(pool: SqlitePool) -> AdapterResult<Self> {
        let mut attempt = 1;
        loop {
            match migrator().run(&pool).await {
                Ok(()) => break,
                // Two servers starting at once on a new file both apply the migrations, and
                // SQLite has no lock for that (PostgreSQL's schema script takes an advisory
                // one): the one that loses ("table … already exists", or the file busy) tries
                // again, and then finds the versions the other recorded.
                Err(MigrateError::ExecuteMigration(..) | MigrateError::Execute(_))
                    if attempt < MIGRATION_ATTEMPTS =>
                {
                    attempt += 1;
                    tokio::time::sleep(MIGRATION_RETRY_PAUSE).await;
                }
                Err(e) => return Err(AdapterError::store("apply the schema migrations", e)),
            }
        }
        Ok(SqliteAdapter {
            pool,
            session_readers: None,
            inline_reads: None,
        })
    }

    /// The connection pool, for the application's own queries.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The session of `session_token` read inline, or `None` when it must be read the usual
    /// way (no inline reads, or one that could not answer).
    pub(super) fn read_inline(&self, session_token: &str) -> Option<Option<SessionAndUser>> {
        let found = self.inline_reads.as_ref()?.read(session_token);
        found
            .inspect_err(|why| tracing::debug!(%why, "a session read inline went to sqlx"))
            .ok()
    }
}

fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}

/// Whether a sqlx SQLite URL names an in-memory database (`sqlite::memory:`,
/// `sqlite://:memory:`, or `mode=memory`), as sqlx's own URL parser decides it.
fn is_in_memory(url: &str) -> bool {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    database == ":memory:"
        || form_urlencoded::parse(params.as_bytes())
            .any(|(key, value)| key == "mode" && value == "memory")
}

/// `sql::GET_SESSIONS_AND_USERS_SQLITE` for `tokens`.
fn sessions_and_users(
    tokens: &[String],
) -> sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments> {
    // One JSON array of strings (which always serializes; were it not to, the empty text would
    // fail the query, not match a session).
    let tokens = serde_json::to_string(tokens).unwrap_or_default();
    sqlx::query(sql::GET_SESSIONS_AND_USERS_SQLITE).bind(tokens)
}

impl_sql_adapter!(SqliteAdapter, Sqlite, i64, read_inline = read_inline);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_urls_are_recognised_as_sqlx_parses_them() {
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://auth?mode=memory",
            "sqlite://auth?cache=shared&mode=memory",
        ] {
            assert!(is_in_memory(url), "{url}");
        }
        for url in [
            "sqlite://auth-demo.db?mode=rwc",
            "sqlite:auth.db",
            "sqlite://memory.db",
        ] {
            assert!(!is_in_memory(url), "{url}");
        }
    }

    #[test]
    fn the_shipped_migrations_are_numbered_in_order() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.0).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected);
    }
}
