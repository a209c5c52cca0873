//! The database side of the fault tests (`tests/faults.rs`, `tests/faults_under_load.rs`): a
//! PostgreSQL schema of the test's own, the check that nothing half-written was left in it,
//! the credentials the apps there accept (`tests/database_sessions.rs` too), and asking for an
//! email link.

// A test helper reports a failure by panicking, with the detail.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use auth_runtime::User;
use auth_runtime::adapter::sqlx::postgres::{PgPool, PgPoolOptions};
use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::callbacks::Credentials;

use crate::client::{Answer, Client};
use crate::{require_postgres, unique};

/// Any name with password `pw`; the email is `<name>@example.com`.
pub async fn authorize(credentials: Credentials) -> Option<User> {
    let name = credentials.get("username")?;
    (credentials.get("password") == Some("pw")).then(|| {
        User::new(name)
            .name(name)
            .email(format!("{name}@example.com"))
    })
}

/// `POST <base>/signin/email` for `email` (callbackUrl `/welcome`), and how long it took.
pub async fn request_link(client: &mut Client, base: &str, email: &str) -> (Answer, Duration) {
    let token = client.csrf(base).await;
    let email = auth_runtime::__private::cookies::encode_uri_component(email);
    let started = Instant::now();
    let answer = client
        .post_form(
            &format!("{base}/signin/email"),
            &format!("csrfToken={token}&email={email}&callbackUrl=%2Fwelcome"),
        )
        .await;
    (answer, started.elapsed())
}

/// The test database's URL, parsed (schema options are added to its query).
pub fn postgres_url() -> url::Url {
    url::Url::parse(&require_postgres()).unwrap()
}

/// A schema of the test's own with @auth/pg-adapter's tables, so rows can be counted exactly
/// and triggers added without touching other tests.
pub struct Schema {
    /// Its name: `faults_` and random hex digits.
    pub name: String,
    /// A pool on the server outside the schema.
    pub admin: PgPool,
}

impl Schema {
    /// Creates the schema and @auth/pg-adapter's tables in it.
    pub async fn create() -> Schema {
        let name = unique("faults_");
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect(postgres_url().as_str())
            .await
            .unwrap();
        let tables = include_str!("../../auth-runtime/migrations/postgres/pg_adapter_schema.sql");
        let script = format!("CREATE SCHEMA {name}; SET LOCAL search_path TO {name}; {tables}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN; {script}; COMMIT;")))
            .execute(&admin)
            .await
            .unwrap();
        Schema { name, admin }
    }

    /// The database URL for the app: through `port` (e.g. a proxy's), in this schema.
    pub fn url_via(&self, port: u16) -> String {
        let mut url = postgres_url();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(port)).unwrap();
        url.query_pairs_mut()
            .append_pair("options[search_path]", &self.name);
        url.to_string()
    }

    /// PostgreSQL's own address, for the proxy.
    pub fn server(&self) -> SocketAddr {
        let url = postgres_url();
        (url.host_str().unwrap(), url.port().unwrap_or(5432))
            .to_socket_addrs()
            .unwrap()
            .next()
            .unwrap()
    }

    /// Runs `sql`, with `{s}` standing for the schema's name.
    pub async fn run(&self, sql: &str) {
        let sql = sql.replace("{s}", &self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&self.admin)
            .await
            .unwrap();
    }

    /// The first column of the first row of `sql` (`{s}`: the schema), a count.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = sql.replace("{s}", &self.name);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.admin)
            .await
            .and_then(|row| row.try_get(0))
            .unwrap()
    }

    /// The number of rows in `table` of the schema.
    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT count(*) FROM {{s}}.{table}"))
            .await
    }

    /// (users, accounts, sessions).
    pub async fn rows(&self) -> (i64, i64, i64) {
        (
            self.count("users").await,
            self.count("accounts").await,
            self.count("sessions").await,
        )
    }

    /// What a torn sign-in would leave: (users without an account, accounts and sessions
    /// whose user is missing). Every user in these tests signs in with an account (no email
    /// sign-ins), so a user without one is half-written.
    pub async fn half_written(&self) -> (i64, i64, i64) {
        (
            self.scalar(HALF_WRITTEN[0]).await,
            self.scalar(HALF_WRITTEN[1]).await,
            self.scalar(HALF_WRITTEN[2]).await,
        )
    }

    /// Drops the schema and everything in it.
    pub async fn drop(self) {
        self.run("DROP SCHEMA {s} CASCADE").await;
        self.admin.close().await;
    }
}

/// The counts of [`Schema::half_written`], in SQL both PostgreSQL and SQLite run once `{s}.`
/// is replaced (by the schema, or by nothing).
pub const HALF_WRITTEN: [&str; 3] = [
    r#"SELECT count(*) FROM {s}.users u
       WHERE NOT EXISTS (SELECT 1 FROM {s}.accounts a WHERE a."userId" = u.id)"#,
    r#"SELECT count(*) FROM {s}.accounts a
       WHERE NOT EXISTS (SELECT 1 FROM {s}.users u WHERE u.id = a."userId")"#,
    r#"SELECT count(*) FROM {s}.sessions s
       WHERE NOT EXISTS (SELECT 1 FROM {s}.users u WHERE u.id = s."userId")"#,
];
