//! What the adapter tests (and `tests/throttle.rs`) share: reaching the test PostgreSQL server (failing loudly, with the
//! commands that set it up, when it is not there) and giving each test a schema of its own.

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use auth_runtime::adapter::sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use auth_runtime::adapter::sqlx::{self, ConnectOptions as _, Connection as _};

use crate::{redacted, require_postgres};

/// The commands that make [`DEFAULT_POSTGRES_URL`](crate::DEFAULT_POSTGRES_URL) work on a
/// Debian machine with PostgreSQL 15 installed (no configuration file to edit: password auth
/// on 127.0.0.1 is Debian's default).
pub const POSTGRES_SETUP: &str = r#"pg_ctlcluster 15 main start
    su postgres -c "psql -c \"ALTER USER postgres PASSWORD 'postgres'\""
    su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'auth_test'\"" | grep -q 1 \
        || su postgres -c "createdb auth_test""#;

/// A schema of its own, created for one test on the test server, and the options that
/// connect into it (`search_path`). Drop it with [`TestSchema::drop`] at the end.
pub struct TestSchema {
    /// The schema's name.
    pub name: String,
    /// Options whose connections see this schema's tables first.
    pub options: PgConnectOptions,
    admin: PgPool,
}

impl TestSchema {
    /// Creates `<prefix>_<pid>_<n>` on the test server; panics, saying how to start the
    /// server, when it cannot be reached.
    pub async fn create(prefix: &str) -> TestSchema {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let url = require_postgres();
        let options = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|e| panic!("DATABASE_URL_POSTGRES is not a PostgreSQL URL: {e}"));
        // One connection first: a pool would retry until its timeout and then report only
        // that, hiding "connection refused" or "password authentication failed".
        let probe = tokio::time::timeout(Duration::from_secs(10), options.connect())
            .await
            .unwrap_or_else(|_| Err(sqlx::Error::PoolTimedOut));
        let admin = match probe {
            Ok(connection) => {
                let _ = connection.close().await;
                PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.clone())
                    .await
            }
            Err(e) => Err(e),
        }
        .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is not reachable at {} ({e}).\n\
                     The adapter tests need it. Start the server and create the role's password and \
                     the database with:\n    {POSTGRES_SETUP}\n\
                     or point DATABASE_URL_POSTGRES at another server.",
                    redacted(&url)
                )
            });
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        // The name is made of [a-z0-9_] above, so it can be spliced into the statement.
        let create = format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create schema {name}: {e}"));
        let options = options.options([("search_path", name.as_str())]);
        TestSchema {
            name,
            options,
            admin,
        }
    }

    /// The test server's URL with this schema first on the `search_path`, for what takes a
    /// URL rather than options.
    pub fn url(&self) -> String {
        let mut url = url::Url::parse(&require_postgres())
            .unwrap_or_else(|e| panic!("DATABASE_URL_POSTGRES is not a URL: {e}"));
        url.query_pairs_mut()
            .append_pair("options[search_path]", &self.name);
        url.into()
    }

    /// A pool on the server outside the schema (to run raw SQL in it, name it explicitly).
    pub fn admin(&self) -> &PgPool {
        &self.admin
    }

    /// Drops the schema and everything in it.
    pub async fn drop(self) {
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&self.admin)
            .await
            .unwrap_or_else(|e| panic!("cannot drop schema {}: {e}", self.name));
        self.admin.close().await;
    }
}
