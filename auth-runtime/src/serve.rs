//! [`serve`]: runs an axum app on a TCP listener with the deadlines and the connection cap
//! that `axum::serve` leaves out, so that slow or idle clients cannot hold the server's sockets.

use std::convert::Infallible;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service as _, service_fn};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use header_deadline::{Answer, HeaderDeadline, overdue};

mod header_deadline;

/// How long a client may take to send a request's headers, counted from the moment the
/// connection is ready for a request: a browser sends them in one packet, so ten seconds is
/// only ever reached by a client holding the connection on purpose (or one left idle between
/// keep-alive requests, which is closed then too).
const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections are served at once by default: half of the usual limit of 1024 open
/// files per process, leaving the rest to database pools, log files and the runtime. Raise
/// it together with `ulimit -n`.
const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How long the auth routes wait for a request body, when [`Serve::body_read_timeout`] sets
/// it; the routes' own deadline applies otherwise.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyReadTimeout(pub(crate) Duration);

/// Serves `app` on `listener`, as `axum::serve(listener, app)` does, plus:
///
/// - a deadline for each request's headers (10 s), counted from when the connection opened or
///   its last answer was sent: a client that has not sent them in time, or has sent nothing,
///   is disconnected, idle keep-alive connections included; a request being served (however
///   long its handler or its answer's body takes) is never cut by it;
/// - a cap on open connections (512): when it is reached, new connections wait in the
///   kernel's accept queue (costing this process no file descriptor) until a connection
///   ends, rather than being accepted and closed, which a browser would show as an error;
///   past the listener's backlog the kernel itself turns them away. A connection upgraded
///   (to a WebSocket, say) leaves the count once upgraded;
/// - the client's address in every request as `ConnectInfo<SocketAddr>`, which `throttle:`
///   counts attempts per (no `into_make_service_with_connect_info` needed).
///
/// Each answer's head and body go out in one write, not `writev`: cheaper for small answers,
/// one more copy for a large body.
///
/// The auth routes also give up on a request body after ten seconds (408), with or without
/// this function; bodies read by your own handlers have no deadline from here.
///
/// ```no_run
/// # use std::time::Duration;
/// # async fn run(app: axum::Router, stop: tokio::sync::oneshot::Receiver<()>) -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// auth_runtime::serve(listener, app)
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(2000) // with `ulimit -n` well above it
///     .with_graceful_shutdown(async { stop.await.unwrap_or_default() })
///     .await
/// # }
/// ```
///
/// HTTP/1.1 only, as `axum::serve` is with axum's default features.
pub fn serve(listener: TcpListener, app: Router) -> Serve {
    Serve {
        listener,
        // As `axum::serve` does: every handler is made a route once, here, rather than on
        // each request (a `Router` not given its state converts them per call).
        app: app.with_state(()),
        header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        body_read_timeout: None,
        max_connections: DEFAULT_MAX_CONNECTIONS,
        shutdown: None,
    }
}

/// A server being set up by [`serve`]; `.await` it to run it.
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve {
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    body_read_timeout: Option<Duration>,
    max_connections: usize,
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Serve {
    /// How long a client may take to send a request's headers (default 10 s; `Duration::MAX`
    /// for no deadline).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long the auth routes wait for a request body before answering 408 (default: the
    /// routes' own 10 s).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = Some(timeout);
        self
    }

    /// How many connections are served at once (default 512, at least 1).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Stops when `signal` completes: no new connection is accepted, each open one finishes
    /// the request it is serving (its deadlines still apply) and closes, and then the server's
    /// future returns.
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    async fn run(self) -> io::Result<()> {
        // Semaphores count in u32 batches for `acquire_many`, used below to await every
        // connection at shutdown.
        let max = u32::try_from(self.max_connections.max(1)).unwrap_or(u32::MAX);
        let slots = Arc::new(Semaphore::new(max as usize));
        let mut http = http1::Builder::new();
        // The header deadline is kept per connection (`Connection::serve`), not by hyper.
        http.header_read_timeout(None);
        // One contiguous write per answer (head and body copied into one buffer) instead of
        // `writev` of the head and the body: for answers of a few hundred bytes, like the
        // auth routes' and most JSON, the kernel's side costs less, 2-3% more requests per
        // second on `/csrf` and `/session` (docs/PERFORMANCE.md); a large body is copied once
        // more on its way out.
        http.writev(false);
        let (stop_tx, stop_rx) = watch::channel(());
        let mut shutdown = self
            .shutdown
            .unwrap_or_else(|| Box::pin(std::future::pending()));
        loop {
            let accepted = tokio::select! {
                accepted = accept_with_slot(&self.listener, &slots) => accepted,
                () = &mut shutdown => break,
            };
            let (stream, peer, slot) = accepted;
            let connection = Connection {
                http: http.clone(),
                app: self.app.clone(),
                peer,
                header_read_timeout: self.header_read_timeout,
                body_read_timeout: self.body_read_timeout,
            };
            tokio::spawn(connection.serve(stream, stop_rx.clone(), slot));
        }
        drop(self.listener);
        stop_tx.send_replace(());
        // Every connection holds a slot until it has closed.
        let _all_closed = slots.acquire_many(max).await;
        Ok(())
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl fmt::Debug for Serve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("graceful_shutdown", &self.shutdown.is_some())
            .finish_non_exhaustive()
    }
}

/// Waits for a free slot, then for a connection. Taking the slot first leaves connections
/// beyond the cap in the kernel's accept queue.
async fn accept_with_slot(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    let Ok(slot) = Arc::clone(slots).acquire_owned().await else {
        // The semaphore is never closed; should it be, no slot is ever free again.
        return std::future::pending().await;
    };
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => return (stream, peer, slot),
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                // Out of file descriptors, most likely: retrying at once would spin.
                tracing::error!(error = %e, "cannot accept a connection; trying again in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// An error of one connection that went away before it was accepted, not of the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// One accepted connection and what its requests are given.
struct Connection {
    http: http1::Builder,
    app: Router,
    peer: SocketAddr,
    header_read_timeout: Duration,
    body_read_timeout: Option<Duration>,
}

impl Connection {
    /// Serves the connection until it closes (or, once `stop` changes, until its current
    /// request is answered), then frees its slot.
    async fn serve(
        self,
        stream: TcpStream,
        mut stop: watch::Receiver<()>,
        slot: OwnedSemaphorePermit,
    ) {
        let Connection {
            http,
            app,
            peer,
            header_read_timeout,
            body_read_timeout,
        } = self;
        let deadline = HeaderDeadline::new();
        let app = TowerToHyperService::new(app);
        let requests = Arc::clone(&deadline);
        let service = service_fn(move |mut request: Request<Incoming>| {
            let serving = requests.serving();
            let extensions = request.extensions_mut();
            extensions.insert(ConnectInfo(peer));
            if let Some(timeout) = body_read_timeout {
                extensions.insert(BodyReadTimeout(timeout));
            }
            let response = app.call(request);
            async move {
                let response = response.await?;
                Ok::<_, Infallible>(response.map(|body| Answer::new(body, serving)))
            }
        });
        // hyper's HTTP/1 builder itself rather than hyper-util's auto builder: with upgrades
        // on, the latter first reads the bytes that tell HTTP/2 apart with no timer running,
        // so a client that connected and sent nothing would be held forever.
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        tokio::pin!(connection);
        // Completes when a request's headers are late: the connection is then dropped, which
        // closes it, as hyper does at its own header deadline.
        let late = overdue(&deadline, header_read_timeout);
        tokio::pin!(late);
        // Once `stop` changes, the connection finishes its request under the same deadline.
        let mut stopping = false;
        let result = loop {
            tokio::select! {
                biased;
                result = connection.as_mut() => break Some(result),
                () = late.as_mut() => break None,
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        };
        match result {
            Some(Ok(())) => {}
            // A client gone: nothing the server can act on.
            Some(Err(e)) => tracing::debug!(peer = %peer, error = %e, "connection ended"),
            None => tracing::debug!(peer = %peer, "request headers not received in time"),
        }
        drop(slot);
    }
}
