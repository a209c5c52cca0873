//! [`SessionReaders`]: a few connections of their own for the one query on every request,
//! reading a session, shared by the SQLite and PostgreSQL adapters.
//!
//! Through sqlx's pool a query costs more than itself: the pool hands the connection over and
//! back, and pings it when it is returned (a SQLite connection's thread or a PostgreSQL
//! round trip more per read). These connections are taken in turn and never returned anywhere.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;
use tokio::sync::Mutex;

use super::BoxFuture;

pub(super) struct SessionReaders<C: Connection> {
    options: C::Options,
    /// Each opened when first needed; closed (`None`) after any error, so that a connection
    /// that broke is replaced instead of failing every read after it.
    connections: Box<[Mutex<Option<C>>]>,
    next: AtomicUsize,
}

impl<C: Connection> fmt::Debug for SessionReaders<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionReaders")
            .field("connections", &self.connections.len())
            .finish_non_exhaustive()
    }
}

impl<C: Connection> SessionReaders<C> {
    /// `count` connections (at least one), none opened yet.
    pub(super) fn new(options: C::Options, count: usize) -> Self {
        let count = count.max(1);
        SessionReaders {
            options,
            connections: (0..count).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Runs `read` with `token` on a free connection, opening it when needed.
    ///
    /// A connection that was already open may have been dropped by the server since its last
    /// read (a database restart, an idle timeout): when `read` fails on one with anything but
    /// the database's own answer, it is closed and `read` runs once more on a new connection.
    /// Reads change nothing, so running one twice is safe.
    pub(super) async fn run<T>(
        &self,
        token: &str,
        read: impl for<'c> Fn(&'c mut C, &'c str) -> BoxFuture<'c, Result<T, sqlx::Error>>,
    ) -> Result<T, sqlx::Error> {
        // A free connection that is open; else a free slot, where one is opened (so there are
        // only as many connections as reads ever ran at once); when all are busy, the next in
        // turn.
        let mut unopened = None;
        let mut free = None;
        for slot in self.connections.iter() {
            if let Ok(guard) = slot.try_lock() {
                if guard.is_some() {
                    free = Some(guard);
                    break;
                }
                unopened.get_or_insert(guard);
            }
        }
        let mut slot = match free.or(unopened) {
            Some(slot) => slot,
            None => {
                let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
                self.connections[turn].lock().await
            }
        };
        let reused = slot.is_some();
        let connection = match &mut *slot {
            Some(connection) => connection,
            None => slot.insert(C::connect_with(&self.options).await?),
        };
        match read(connection, token).await {
            Ok(value) => Ok(value),
            Err(error) => {
                *slot = None;
                if !reused || matches!(error, sqlx::Error::Database(_)) {
                    return Err(error);
                }
                let connection = slot.insert(C::connect_with(&self.options).await?);
                let again = read(connection, token).await;
                if again.is_err() {
                    *slot = None;
                }
                again
            }
        }
    }
}
