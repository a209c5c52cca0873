//! [`SessionReaders`]: a few connections of their own for the one query on every request,
//! reading a session, shared by the SQLite and PostgreSQL adapters. (A SQLite file's sessions
//! are first read inline, `sqlite_reads.rs`; these readers answer what that cannot.)
//!
//! Through sqlx's pool a query costs more than itself: the pool hands the connection over and
//! back, and pings it when it is returned (a SQLite connection's thread or a PostgreSQL
//! round trip more per read). These connections are lent in turn and never returned anywhere.
//!
//! Reads that arrive while every connection is busy wait in a queue, and the next read to get
//! a connection reads its own session and the queued ones in one query: under load one round
//! trip (PostgreSQL) or one hand-over to the connection's thread (SQLite) answers many
//! requests, and the database plans and executes one statement for them all. A read waits for
//! at most one query before its own: a connection is lent to the first read in the queue,
//! which then reads for itself and the reads queued behind it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use sqlx::Connection;
use tokio::sync::oneshot;

use super::BoxFuture;

/// The most sessions one query reads.
const MAX_BATCH: usize = 32;

/// What a read is told while it waits: its answer, read by another, or a connection to read
/// with (for itself and the reads behind it).
enum Turn<C: Connection, T> {
    Answer(Result<Option<T>, sqlx::Error>),
    Read(Lease<C, T>),
}

struct Waiting<C: Connection, T> {
    token: String,
    turn: oneshot::Sender<Turn<C, T>>,
}

struct Queue<C: Connection, T> {
    /// The connections no read holds: `None` for one not opened yet, or closed after an error
    /// (so that a connection that broke is replaced instead of failing every read after it).
    free: Vec<Option<C>>,
    /// Reads waiting for a connection, first come first. Only ever non-empty while `free` is
    /// empty: a returned connection goes to the first of them.
    waiting: VecDeque<Waiting<C, T>>,
}

/// Reads that begin within this many microseconds of the one before mark a busy server.
const BUSY_WITHIN_MICROS: u64 = 1_000;

/// The session readers of an adapter: `T` is what a read finds (the session and its user).
pub(super) struct SessionReaders<C: Connection, T> {
    options: C::Options,
    queue: Mutex<Queue<C, T>>,
    /// When the last read began, in microseconds after `epoch`.
    last_read: AtomicU64,
    epoch: Instant,
}

impl<C: Connection, T> fmt::Debug for SessionReaders<C, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let queue = self.lock();
        f.debug_struct("SessionReaders")
            .field("free", &queue.free.len())
            .field("waiting", &queue.waiting.len())
            .finish_non_exhaustive()
    }
}

/// How the readers read: one session, or several in one query.
pub(super) struct Reads<C, T, One, Many> {
    /// The session of one token, if any.
    one: One,
    /// The sessions of these tokens that exist, in any order.
    many: Many,
    /// The token a found session answers (the value compared with the requested tokens).
    token_of: fn(&T) -> &str,
    _connection: std::marker::PhantomData<fn(&mut C)>,
}

impl<C, T, One, Many> Reads<C, T, One, Many>
where
    C: Connection,
    One: for<'c> Fn(&'c mut C, &'c str) -> BoxFuture<'c, Result<Option<T>, sqlx::Error>>,
    Many: for<'c> Fn(&'c mut C, &'c [String]) -> BoxFuture<'c, Result<Vec<T>, sqlx::Error>>,
{
    pub(super) fn new(one: One, many: Many, token_of: fn(&T) -> &str) -> Self {
        Reads {
            one,
            many,
            token_of,
            _connection: std::marker::PhantomData,
        }
    }
}

impl<C, T> SessionReaders<C, T>
where
    C: Connection,
    T: Clone + Send + 'static,
{
    /// `count` connections (at least one), none opened yet.
    pub(super) fn new(options: C::Options, count: usize) -> Self {
        SessionReaders {
            options,
            queue: Mutex::new(Queue {
                free: (0..count.max(1)).map(|_| None).collect(),
                waiting: VecDeque::new(),
            }),
            last_read: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Whether the read beginning now follows another closely (and notes it as the last).
    fn under_load(&self) -> bool {
        let now = u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX);
        let previous = self.last_read.swap(now, Ordering::Relaxed);
        now.saturating_sub(previous) < BUSY_WITHIN_MICROS
    }

    /// The session of `token`: read on a free connection (opened when needed), or, when all are
    /// busy, read by the next one free together with the other reads waiting then.
    ///
    /// A connection that was already open may have been dropped by the server since its last
    /// read (a database restart, an idle timeout): when a read fails on one with anything but
    /// the database's own answer, it is closed and the read runs once more on a new
    /// connection. Reads change nothing, so running one twice is safe.
    pub(super) async fn read<One, Many>(
        self: &Arc<Self>,
        token: &str,
        reads: &Reads<C, T, One, Many>,
    ) -> Result<Option<T>, sqlx::Error>
    where
        One: for<'c> Fn(&'c mut C, &'c str) -> BoxFuture<'c, Result<Option<T>, sqlx::Error>>,
        Many: for<'c> Fn(&'c mut C, &'c [String]) -> BoxFuture<'c, Result<Vec<T>, sqlx::Error>>,
    {
        loop {
            let taken = {
                let mut queue = self.lock();
                match take_free(&mut queue.free) {
                    Some(connection) => Ok(connection),
                    None => {
                        let (turn, waiting) = oneshot::channel();
                        queue.waiting.push_back(Waiting {
                            token: token.to_owned(),
                            turn,
                        });
                        Err(waiting)
                    }
                }
            };
            let waiting = match taken {
                Ok(connection) => {
                    let lease = Lease::new(self, connection);
                    // On a busy server, the requests ready now first run up to their reads,
                    // which queue behind this one and are read with it: with one core, the
                    // database's answer comes before any other request could run, so reads
                    // would otherwise never wait and each query would carry one. A read
                    // alone does not yield: that polls the runtime's IO driver, 5-9k
                    // instructions, up to a tenth of a database `/session` (docs/PERFORMANCE.md).
                    if self.under_load() {
                        tokio::task::yield_now().await;
                    }
                    return lease.read(token, reads).await;
                }
                Err(waiting) => waiting,
            };
            match waiting.await {
                Ok(Turn::Answer(answer)) => return answer,
                Ok(Turn::Read(lease)) => return lease.read(token, reads).await,
                // The read that had taken this one into its query was cancelled (its request
                // went away) before it answered: wait again.
                Err(_) => continue,
            }
        }
    }
}

impl<C: Connection, T> SessionReaders<C, T> {
    fn lock(&self) -> MutexGuard<'_, Queue<C, T>> {
        // Nothing panics while the queue is locked; a poisoned lock still holds a valid queue.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives a connection back: to the first read still waiting, else to the free ones.
    fn release(self: &Arc<Self>, mut connection: Option<C>) {
        let mut queue = self.lock();
        while let Some(next) = queue.waiting.pop_front() {
            let lease = Lease {
                readers: Arc::clone(self),
                connection: connection.take(),
                lent: true,
                busy: false,
            };
            match next.turn.send(Turn::Read(lease)) {
                Ok(()) => return,
                // That read went away while it waited: the next one.
                Err(turn) => connection = turn.into_connection(),
            }
        }
        queue.free.push(connection);
    }
}

impl<C: Connection, T> Turn<C, T> {
    /// The connection of a `Read` turn that was not taken.
    fn into_connection(self) -> Option<C> {
        match self {
            Turn::Read(mut lease) => lease.take_back(),
            Turn::Answer(_) => None,
        }
    }
}

/// A free connection, an open one first.
fn take_free<C>(free: &mut Vec<Option<C>>) -> Option<Option<C>> {
    let open = free.iter().position(Option::is_some);
    match open {
        Some(index) => Some(free.swap_remove(index)),
        None => free.pop(),
    }
}

/// A connection lent to one read; given back when dropped, closed if that happens in the middle
/// of a query (the read's request went away).
struct Lease<C: Connection, T> {
    readers: Arc<SessionReaders<C, T>>,
    connection: Option<C>,
    /// Whether dropping this gives the connection back (not once `take_back` took it).
    lent: bool,
    /// Whether a query is under way on `connection`.
    busy: bool,
}

impl<C: Connection, T> Lease<C, T> {
    fn new(readers: &Arc<SessionReaders<C, T>>, connection: Option<C>) -> Self {
        Lease {
            readers: Arc::clone(readers),
            connection,
            lent: true,
            busy: false,
        }
    }

    fn take_back(&mut self) -> Option<C> {
        self.lent = false;
        self.connection.take()
    }
}

impl<C: Connection, T: Clone + Send + 'static> Lease<C, T> {
    /// Reads `token`'s session, with those of the reads waiting now (at most `MAX_BATCH` in
    /// all), answers theirs and returns its own.
    async fn read<One, Many>(
        mut self,
        token: &str,
        reads: &Reads<C, T, One, Many>,
    ) -> Result<Option<T>, sqlx::Error>
    where
        One: for<'c> Fn(&'c mut C, &'c str) -> BoxFuture<'c, Result<Option<T>, sqlx::Error>>,
        Many: for<'c> Fn(&'c mut C, &'c [String]) -> BoxFuture<'c, Result<Vec<T>, sqlx::Error>>,
    {
        let others: Vec<Waiting<C, T>> = {
            let mut queue = self.readers.lock();
            let count = queue.waiting.len().min(MAX_BATCH - 1);
            queue.waiting.drain(..count).collect()
        };
        if others.is_empty() {
            return self.run(token, &reads.one).await;
        }
        let tokens: Vec<String> = std::iter::once(token.to_owned())
            .chain(others.iter().map(|other| other.token.clone()))
            .collect();
        let found = self.run(tokens.as_slice(), &reads.many).await;
        // The connection goes to the next read before the answers go out.
        drop(self);
        let answer_of = |found: &[T], token: &str| {
            found
                .iter()
                .find(|session| (reads.token_of)(session) == token)
                .cloned()
        };
        match found {
            Ok(found) => {
                for other in others {
                    let answer = answer_of(&found, &other.token);
                    // A read that went away needs no answer.
                    let _ = other.turn.send(Turn::Answer(Ok(answer)));
                }
                Ok(answer_of(&found, token))
            }
            Err(error) => {
                for other in others {
                    let shared = sqlx::Error::Protocol(format!("reading sessions failed: {error}"));
                    let _ = other.turn.send(Turn::Answer(Err(shared)));
                }
                Err(error)
            }
        }
    }

    /// Runs `query` with `input` on the connection, opening it when needed, and once more on a new
    /// connection when an open one failed with anything but the database's answer.
    async fn run<Q: ?Sized, R>(
        &mut self,
        input: &Q,
        query: &impl for<'c> Fn(&'c mut C, &'c Q) -> BoxFuture<'c, Result<R, sqlx::Error>>,
    ) -> Result<R, sqlx::Error> {
        self.busy = true;
        let reused = self.connection.is_some();
        let connection = match &mut self.connection {
            Some(connection) => connection,
            None => self
                .connection
                .insert(C::connect_with(&self.readers.options).await?),
        };
        let result = match query(connection, input).await {
            Ok(value) => Ok(value),
            Err(error) => {
                self.connection = None;
                if !reused || matches!(error, sqlx::Error::Database(_)) {
                    self.busy = false;
                    return Err(error);
                }
                let connection = self
                    .connection
                    .insert(C::connect_with(&self.readers.options).await?);
                let again = query(connection, input).await;
                if again.is_err() {
                    self.connection = None;
                }
                again
            }
        };
        self.busy = false;
        result
    }
}

impl<C: Connection, T> Drop for Lease<C, T> {
    fn drop(&mut self) {
        if !self.lent {
            return;
        }
        let connection = self.connection.take().filter(|_| !self.busy);
        self.readers.release(connection);
    }
}

#[cfg(all(test, feature = "sqlite"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::str::FromStr;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
    use tokio::sync::Semaphore;

    use super::*;

    /// The queries of these tests: a token's "session" is the token with `!` after it, and
    /// tokens that start with `missing` have none. `one` waits for a permit of `gate` before it
    /// queries, `many` for one of `batch_gate`; each call of `one` is counted, each call of
    /// `many` records its batch's size.
    struct Fixture {
        readers: Arc<SessionReaders<SqliteConnection, String>>,
        gate: Semaphore,
        batch_gate: Semaphore,
        singles: AtomicUsize,
        batches: Mutex<Vec<usize>>,
    }

    #[allow(clippy::ptr_arg, reason = "`Reads::token_of` takes a `&T`")]
    fn found_token(found: &String) -> &str {
        found.strip_suffix('!').unwrap_or(found)
    }

    impl Fixture {
        fn new(connections: usize) -> Arc<Fixture> {
            let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
            Arc::new(Fixture {
                readers: Arc::new(SessionReaders::new(options, connections)),
                gate: Semaphore::new(0),
                batch_gate: Semaphore::new(0),
                singles: AtomicUsize::new(0),
                batches: Mutex::new(Vec::new()),
            })
        }

        async fn read(self: &Arc<Self>, token: &str) -> Result<Option<String>, sqlx::Error> {
            let (one, many) = (Arc::clone(self), Arc::clone(self));
            let reads = Reads::new(
                move |connection: &mut SqliteConnection, token: &str| -> BoxFuture<'_, _> {
                    one.singles.fetch_add(1, Ordering::Relaxed);
                    let fixture = Arc::clone(&one);
                    Box::pin(async move {
                        fixture.gate.acquire().await.expect("gate").forget();
                        sqlx::query_scalar::<_, String>(
                            "SELECT $1 || '!' WHERE $1 NOT LIKE 'missing%'",
                        )
                        .bind(token)
                        .fetch_optional(connection)
                        .await
                    })
                },
                move |connection: &mut SqliteConnection, tokens: &[String]| -> BoxFuture<'_, _> {
                    many.batches.lock().unwrap().push(tokens.len());
                    let tokens = serde_json::to_string(tokens).unwrap();
                    let fixture = Arc::clone(&many);
                    Box::pin(async move {
                        fixture.batch_gate.acquire().await.expect("gate").forget();
                        sqlx::query_scalar::<_, String>(
                            "SELECT value || '!' FROM json_each($1) WHERE value NOT LIKE 'missing%'",
                        )
                        .bind(tokens)
                        .fetch_all(connection)
                        .await
                    })
                },
                found_token,
            );
            self.readers.read(token, &reads).await
        }

        fn waiting(&self) -> usize {
            self.readers.lock().waiting.len()
        }

        /// Spawns a read of `token` and waits until it queues (every connection being held).
        async fn queue(self: &Arc<Self>, token: String) -> tokio::task::JoinHandle<()> {
            let before = self.waiting();
            let fixture = Arc::clone(self);
            let task = tokio::spawn(async move {
                let found = fixture.read(&token).await.expect("read");
                let expected = (!token.starts_with("missing")).then(|| format!("{token}!"));
                assert_eq!(found, expected, "the answer to {token}");
            });
            wait_until(|| self.waiting() > before).await;
            task
        }
    }

    /// Waits for `condition`, failing the test if it still does not hold after 30 s (a bound
    /// for a loaded machine, where opening a connection alone can take seconds).
    async fn wait_until(condition: impl Fn() -> bool) {
        let started = Instant::now();
        while !condition() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the condition did not hold within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    fn tokens(count: usize) -> Vec<String> {
        (0..count)
            .map(|i| match i % 5 {
                0 => format!("missing-{i}"),
                _ => format!("session-{i}"),
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn reads_waiting_for_the_connection_are_answered_by_one_query_each_with_its_own() {
        let fixture = Fixture::new(1);
        // The first read holds the only connection until the gate opens.
        let first = {
            let fixture = Arc::clone(&fixture);
            tokio::spawn(async move { fixture.read("session-first").await })
        };
        // In its own query, it took no read that queues from now on into it.
        wait_until(|| fixture.singles.load(Ordering::Relaxed) == 1).await;
        let mut waiting = Vec::new();
        for token in tokens(40) {
            waiting.push(fixture.queue(token).await);
        }
        assert_eq!(fixture.waiting(), 40);
        fixture.gate.add_permits(1);
        fixture.batch_gate.add_permits(2);
        assert_eq!(
            first.await.unwrap().unwrap().as_deref(),
            Some("session-first!")
        );
        for task in waiting {
            task.await.expect("each waiting read got its own answer");
        }
        // The first in the queue read for itself and the 31 behind it; the next for the rest.
        assert_eq!(*fixture.batches.lock().unwrap(), [32, 8]);
        assert_eq!(fixture.waiting(), 0);
        assert_eq!(fixture.readers.lock().free.len(), 1);
        assert!(fixture.readers.lock().free[0].is_some(), "kept open");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn reads_taken_into_a_query_whose_request_went_away_are_read_again() {
        let fixture = Fixture::new(1);
        let first = {
            let fixture = Arc::clone(&fixture);
            tokio::spawn(async move { fixture.read("session-first").await })
        };
        // In its own query, it took no read that queues from now on into it.
        wait_until(|| fixture.singles.load(Ordering::Relaxed) == 1).await;
        // The first waiting read will get the connection and read for the others; its request
        // goes away in the middle of that query.
        let leader = {
            let fixture = Arc::clone(&fixture);
            tokio::spawn(async move { fixture.read("session-leader").await })
        };
        wait_until(|| fixture.waiting() == 1).await;
        let mut waiting = Vec::new();
        for token in tokens(10) {
            waiting.push(fixture.queue(token).await);
        }
        fixture.gate.add_permits(1);
        first.await.unwrap().unwrap();
        wait_until(|| fixture.batches.lock().unwrap().len() == 1).await;
        assert_eq!(fixture.waiting(), 0, "all taken into the leader's query");
        leader.abort();
        assert!(leader.await.unwrap_err().is_cancelled());
        // Each of the ten queues again (or takes the connection, closed in the middle of the
        // query and given back), and is answered.
        fixture.gate.add_permits(10);
        fixture.batch_gate.add_permits(10);
        for task in waiting {
            task.await
                .expect("each read answered after the cancellation");
        }
        assert_eq!(fixture.batches.lock().unwrap()[0], 11);
        assert_eq!(fixture.waiting(), 0);
        let free = &fixture.readers.lock().free;
        assert!(matches!(free[..], [Some(_)]), "a new connection, open");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_read_alone_queries_by_itself() {
        let fixture = Fixture::new(2);
        fixture.gate.add_permits(2);
        assert_eq!(
            fixture.read("session-a").await.unwrap().as_deref(),
            Some("session-a!")
        );
        assert_eq!(fixture.read("missing-b").await.unwrap(), None);
        assert!(fixture.batches.lock().unwrap().is_empty());
        // One connection was opened, and used for both.
        let free = &fixture.readers.lock().free;
        assert_eq!(free.iter().filter(|c| c.is_some()).count(), 1);
    }
}
