//! [`InlineReads`]: a SQLite file's sessions read where the request is answered.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every query over to it
//! and the rows back. A session read by its token is a few microseconds of SQLite's work; the
//! hand-over to the connection's thread and back, and sqlx's copies of the row, cost more than
//! the read itself (docs/PERFORMANCE.md). These connections are read on the task's own thread:
//! one is taken from a small stack, the prepared statement stepped, the row decoded, and the
//! connection put back.
//!
//! The trade-off: while SQLite reads, the runtime's worker thread does nothing else. A read by
//! primary key from pages SQLite or the operating system has cached takes microseconds, less
//! than the hand-over it replaces; a read that must go to a slow disk holds the worker for as
//! long. The connections are opened read-only and never wait for a lock (no busy timeout):
//! whatever such a read cannot answer at once (the file busy, an error, a value stored in a
//! form this reader does not decode) is answered by the adapter's usual readers instead, so
//! every answer is the one sqlx's path would give.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::sql;
use super::{AdapterSession, AdapterUser, SessionAndUser};

/// Connections of their own, opened read-only on one database file.
pub(super) struct InlineReads {
    path: PathBuf,
    state: Mutex<State>,
    /// The most connections kept open.
    keep: usize,
}

struct State {
    /// Open connections no read holds. A read that finds none opens one.
    free: Vec<Connection>,
    /// Set when a connection could not be opened: until then every read takes the usual path
    /// rather than trying, and failing, to open one each time. Cleared when one opens.
    paused_until: Option<Instant>,
}

/// How long reads take the usual path after a connection failed to open (the file missing, or
/// the process out of file descriptors for a moment).
const RETRY_OPENING_AFTER: Duration = Duration::from_secs(10);

impl std::fmt::Debug for InlineReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReads")
            .field("keep", &self.keep)
            .field("paused_until", &self.lock().paused_until)
            .finish_non_exhaustive()
    }
}

/// Why an inline read gave no answer (the caller then reads the usual way).
#[derive(Debug)]
pub(super) enum Unanswered {
    /// No connection could be opened; reads do not try again for a while.
    Unavailable,
    /// SQLite failed (the file busy, for one): this connection is closed.
    Sqlite(rusqlite::Error),
    /// A column held a value this reader does not decode.
    Undecoded(&'static str),
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswered::Unavailable => f.write_str("no read-only connection opens"),
            Unanswered::Sqlite(error) => write!(f, "SQLite failed: {error}"),
            Unanswered::Undecoded(column) => write!(f, "`{column}` holds a form read by sqlx"),
        }
    }
}

impl InlineReads {
    /// Reads of the database file at `path`, keeping up to `keep` connections open.
    pub(super) fn new(path: PathBuf, keep: usize) -> Self {
        InlineReads {
            path,
            state: Mutex::new(State {
                free: Vec::new(),
                paused_until: None,
            }),
            keep: keep.max(1),
        }
    }

    /// The session of `token` with its user and roles, or why it could not be read here.
    pub(super) fn read(&self, token: &str) -> Result<Option<SessionAndUser>, Unanswered> {
        let taken = {
            let mut state = self.lock();
            match state.free.pop() {
                Some(connection) => Some(connection),
                None if state
                    .paused_until
                    .is_some_and(|until| Instant::now() < until) =>
                {
                    return Err(Unanswered::Unavailable);
                }
                None => None,
            }
        };
        let connection = match taken {
            Some(connection) => connection,
            None => {
                let opened = self.open();
                self.lock().paused_until = match opened {
                    Ok(_) => None,
                    Err(_) => Some(Instant::now() + RETRY_OPENING_AFTER),
                };
                opened?
            }
        };
        let found = read_session(&connection, token);
        // A connection whose read failed is closed: the next read opens a new one.
        if !matches!(found, Err(Unanswered::Sqlite(_))) {
            let mut state = self.lock();
            if state.free.len() < self.keep {
                state.free.push(connection);
            }
        }
        found
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the state is locked; a poisoned lock still holds a valid one.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<Connection, Unanswered> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags).map_err(|e| {
            tracing::warn!(
                error = %e,
                "sessions are read on sqlx's connections: the database file did not open read-only"
            );
            Unanswered::Unavailable
        })?;
        // Never wait for a lock: a read the file cannot answer now goes the usual way, which
        // waits.
        connection
            .busy_timeout(Duration::ZERO)
            .map_err(Unanswered::Sqlite)?;
        Ok(connection)
    }
}

/// `sql::GET_SESSION_AND_USER` on `connection`, decoded as the SQL adapter's row readers do.
fn read_session(
    connection: &Connection,
    token: &str,
) -> Result<Option<SessionAndUser>, Unanswered> {
    let mut statement = connection
        .prepare_cached(sql::GET_SESSION_AND_USER)
        .map_err(Unanswered::Sqlite)?;
    let mut rows = statement.query([token]).map_err(Unanswered::Sqlite)?;
    let Some(row) = rows.next().map_err(Unanswered::Sqlite)? else {
        return Ok(None);
    };
    let column = |index: usize| row.get_ref(index).map_err(Unanswered::Sqlite);
    let roles = optional_text(column(8)?, "roles")?;
    Ok(Some(SessionAndUser {
        session: AdapterSession {
            session_token: text(column(0)?, "sessionToken")?,
            user_id: integer(column(1)?, "userId")?.to_string(),
            expires: timestamp(column(2)?, "expires")?,
        },
        user: AdapterUser {
            id: integer(column(3)?, "id")?.to_string(),
            name: optional_text(column(4)?, "name")?,
            email: optional_text(column(5)?, "email")?,
            email_verified: match column(6)? {
                ValueRef::Null => None,
                value => Some(timestamp(value, "emailVerified")?),
            },
            image: optional_text(column(7)?, "image")?,
        },
        roles: crate::roles::split(roles.as_deref()),
    }))
}

fn text(value: ValueRef<'_>, column: &'static str) -> Result<String, Unanswered> {
    match value {
        ValueRef::Text(text) => std::str::from_utf8(text)
            .map(str::to_owned)
            .map_err(|_| Unanswered::Undecoded(column)),
        _ => Err(Unanswered::Undecoded(column)),
    }
}

fn optional_text(value: ValueRef<'_>, column: &'static str) -> Result<Option<String>, Unanswered> {
    match value {
        ValueRef::Null => Ok(None),
        value => text(value, column).map(Some),
    }
}

fn integer(value: ValueRef<'_>, column: &'static str) -> Result<i64, Unanswered> {
    match value {
        ValueRef::Integer(integer) => Ok(integer),
        _ => Err(Unanswered::Undecoded(column)),
    }
}

/// The adapter writes timestamps as RFC 3339 text in UTC; sqlx also reads Unix seconds. Any
/// other form (sqlx reads a few more) is left to sqlx.
fn timestamp(value: ValueRef<'_>, column: &'static str) -> Result<OffsetDateTime, Unanswered> {
    match value {
        ValueRef::Text(text) => std::str::from_utf8(text)
            .ok()
            .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
            .ok_or(Unanswered::Undecoded(column)),
        ValueRef::Integer(seconds) => {
            OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| Unanswered::Undecoded(column))
        }
        _ => Err(Unanswered::Undecoded(column)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::adapter::{Adapter, NewUser, SqliteAdapter};

    /// A database file in the temporary directory, removed (with its WAL files) on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str) -> TempFile {
            TempFile(std::env::temp_dir().join(format!(
                "auth-runtime-inline-{name}-{}-{}.db",
                std::process::id(),
                OffsetDateTime::now_utc().unix_timestamp_nanos()
            )))
        }

        fn url(&self) -> String {
            format!("sqlite://{}?mode=rwc", self.0.display())
        }

        fn with_suffix(&self, suffix: &str) -> PathBuf {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            PathBuf::from(path)
        }
    }

    /// Closes `adapter`'s pool and waits until no connection of sqlx's holds `file`, which is
    /// then a WAL file without `-wal` and `-shm`, as its last connection leaves it.
    ///
    /// sqlx closes each connection on a thread of its own, and not every one is closed when
    /// `close` returns. The last connection to close removes both files, but two closing at
    /// once each see the other still open and leave them. So one of ours is opened, read and
    /// closed until it is the last: then it removes them.
    async fn close_until_only_the_file_is_left(file: &TempFile, adapter: SqliteAdapter) {
        adapter.pool().close().await;
        drop(adapter);
        let started = Instant::now();
        while file.with_suffix("-shm").exists() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sqlx's connections still hold the file after 10 s"
            );
            let ours = Connection::open(&file.0).unwrap();
            // A read opens the WAL; closing a connection that never read leaves it alone.
            let _: i64 = ours
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            drop(ours);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!file.with_suffix("-wal").exists(), "-wal went with -shm");
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(self.with_suffix(suffix));
            }
        }
    }

    /// A file with one user (every column set, roles too) and a session `token` of theirs.
    async fn file_with_a_session(name: &str, token: &str) -> (TempFile, SqliteAdapter) {
        let file = TempFile::new(name);
        let adapter = SqliteAdapter::connect(&file.url()).await.unwrap();
        let user = adapter
            .create_user(
                NewUser::default()
                    .name("Ada \"Byron\" é")
                    .email("ada@example.com")
                    .email_verified(datetime!(2026-12-07 01:02:03.456789 +01:00))
                    .image("https://example.com/ada.png"),
            )
            .await
            .unwrap();
        let roles = ["admin".to_owned(), "editor".to_owned()];
        adapter.set_roles(&user.id, &roles).await.unwrap();
        let expires = datetime!(2027-01-06 23:59:59.123456789 UTC);
        adapter
            .create_session(AdapterSession::new(token, &user.id, expires))
            .await
            .unwrap();
        (file, adapter)
    }

    /// The same file read through the pool alone (sqlx's decoding).
    async fn through_sqlx(adapter: &SqliteAdapter, token: &str) -> Option<SessionAndUser> {
        let pool_only = SqliteAdapter::from_pool(adapter.pool().clone())
            .await
            .unwrap();
        pool_only.get_session_and_user(token).await.unwrap()
    }

    #[tokio::test]
    async fn a_session_read_inline_is_the_one_sqlx_reads() {
        let (file, adapter) = file_with_a_session("equal", "inline-token").await;
        let expected = through_sqlx(&adapter, "inline-token").await;
        let found = expected.as_ref().expect("the session exists");
        assert_eq!(found.roles, ["admin", "editor"]);
        assert!(found.user.email_verified.is_some());

        let inline = InlineReads::new(file.0.clone(), 1);
        assert_eq!(inline.read("inline-token").unwrap(), expected);
        assert_eq!(inline.read("another-token").unwrap(), None);
        // And the adapter itself answers inline the same.
        assert_eq!(
            adapter.read_inline("inline-token"),
            Some(expected.clone()),
            "the adapter reads a file's sessions inline"
        );
        assert_eq!(
            adapter.get_session_and_user("inline-token").await.unwrap(),
            expected
        );
    }

    #[tokio::test]
    async fn a_user_without_optional_columns_or_roles_reads_the_same() {
        let file = TempFile::new("bare");
        let adapter = SqliteAdapter::connect(&file.url()).await.unwrap();
        let user = adapter.create_user(NewUser::default()).await.unwrap();
        adapter
            .create_session(AdapterSession::new(
                "bare-token",
                &user.id,
                datetime!(2027-01-01 00:00 UTC),
            ))
            .await
            .unwrap();
        let expected = through_sqlx(&adapter, "bare-token").await;
        assert!(
            expected
                .as_ref()
                .is_some_and(|found| found.roles.is_empty())
        );
        let inline = InlineReads::new(file.0.clone(), 1);
        assert_eq!(inline.read("bare-token").unwrap(), expected);
    }

    #[tokio::test]
    async fn a_timestamp_stored_in_another_form_is_left_to_sqlx() {
        let (file, adapter) = file_with_a_session("other-form", "other-form").await;
        // A form sqlx reads (another tool's writing) that this reader does not.
        sqlx::query(
            r#"UPDATE sessions SET expires = '2027-01-06 23:59:59.5' WHERE "sessionToken" = $1"#,
        )
        .bind("other-form")
        .execute(adapter.pool())
        .await
        .unwrap();
        let inline = InlineReads::new(file.0.clone(), 1);
        assert!(matches!(
            inline.read("other-form"),
            Err(Unanswered::Undecoded("expires"))
        ));
        // The adapter answers through sqlx instead.
        let expected = through_sqlx(&adapter, "other-form")
            .await
            .expect("read by sqlx");
        assert_eq!(
            expected.session.expires,
            datetime!(2027-01-06 23:59:59.5 UTC)
        );
        assert_eq!(
            adapter.get_session_and_user("other-form").await.unwrap(),
            Some(expected)
        );
    }

    #[tokio::test]
    async fn a_deleted_session_is_gone_for_the_next_inline_read() {
        let (file, adapter) = file_with_a_session("deleted", "deleted-token").await;
        let inline = InlineReads::new(file.0.clone(), 1);
        assert!(inline.read("deleted-token").unwrap().is_some());
        assert!(adapter.delete_session("deleted-token").await.unwrap());
        // The kept connection sees the write that returned.
        assert_eq!(inline.read("deleted-token").unwrap(), None);
    }

    #[tokio::test]
    async fn a_file_whose_wal_files_went_with_its_last_connection_is_read() {
        let (file, adapter) = file_with_a_session("closed", "closed-token").await;
        let expected = through_sqlx(&adapter, "closed-token").await;
        // As an idle pool leaves it: its last connection to close checkpoints and removes
        // `-wal` and `-shm`.
        close_until_only_the_file_is_left(&file, adapter).await;
        let inline = InlineReads::new(file.0.clone(), 1);
        assert_eq!(inline.read("closed-token").unwrap(), expected);
    }

    #[tokio::test]
    async fn a_file_that_does_not_open_turns_inline_reads_off_for_a_while() {
        let (file, _adapter) = file_with_a_session("reopened", "reopened-token").await;
        let moved = TempFile::new("moved-away");
        std::fs::rename(&file.0, &moved.0).unwrap();
        let inline = InlineReads::new(file.0.clone(), 1);
        assert!(matches!(
            inline.read("reopened-token"),
            Err(Unanswered::Unavailable)
        ));
        assert!(inline.lock().paused_until.is_some());
        // Back in place: reads stay on the usual path until the pause ends, then open it.
        std::fs::rename(&moved.0, &file.0).unwrap();
        assert!(matches!(
            inline.read("reopened-token"),
            Err(Unanswered::Unavailable)
        ));
        inline.lock().paused_until = Some(Instant::now());
        assert!(inline.read("reopened-token").unwrap().is_some());
        assert!(inline.lock().paused_until.is_none());
    }

    #[tokio::test]
    async fn a_locked_file_is_not_waited_for() {
        let (file, adapter) = file_with_a_session("locked", "locked-token").await;
        // Leaving WAL mode needs the file to itself.
        close_until_only_the_file_is_left(&file, adapter).await;
        // In a rollback-journal file (not the adapter's WAL, where readers never wait), a
        // writer's exclusive transaction keeps readers out until it ends.
        let holder = Connection::open(&file.0).unwrap();
        let mode: String = holder
            .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "the file left WAL mode");
        let inline = InlineReads::new(file.0.clone(), 1);
        assert!(inline.read("locked-token").unwrap().is_some());
        holder
            .execute_batch("BEGIN EXCLUSIVE; DELETE FROM auth_roles;")
            .unwrap();
        let started = std::time::Instant::now();
        assert!(matches!(
            inline.read("locked-token"),
            Err(Unanswered::Sqlite(_))
        ));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "answered at once, not after a busy timeout"
        );
        assert!(
            inline.lock().free.is_empty(),
            "the failed connection was closed"
        );
        holder.execute_batch("COMMIT;").unwrap();
        let found = inline.read("locked-token").unwrap().expect("read again");
        assert!(found.roles.is_empty(), "the holder's write is seen");
    }
}
