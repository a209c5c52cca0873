//! Slow and idle clients against the demo served by `auth_runtime::serve` on a real loopback
//! socket: the header deadline, the auth routes' body deadline, the connection cap, and
//! graceful shutdown, with deadlines of a second or two so that each test ends in seconds.

#![allow(clippy::unwrap_used)]

use crate::demo_example as demo;

use std::convert::Infallible;
use std::future::{Future as _, IntoFuture as _};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use auth_runtime::Serve;
use auth_test_support::client::{SECRET, vars};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long any one test may run before it fails on its own.
const TEST_LIMIT: Duration = Duration::from_secs(60);

/// How long a read waits for what the server should have done by then: well past every
/// deadline the tests set, so a slow machine does not fail them.
const PATIENCE: Duration = Duration::from_secs(15);

/// A normal request's bytes: `GET /api/auth/csrf`, the connection closed after the answer.
const CSRF_REQUEST: &[u8] =
    b"GET /api/auth/csrf HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

/// [`CSRF_REQUEST`] on a connection kept open.
const KEEP_ALIVE_CSRF_REQUEST: &[u8] = b"GET /api/auth/csrf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// A request whose headers stop half-way (no blank line).
const PARTIAL_HEADERS: &[u8] = b"GET /api/auth/csrf HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

/// A POST to the auth routes announcing a body of 100 bytes.
const SLOW_POST_HEAD: &[u8] = b"POST /api/auth/_log HTTP/1.1\r\nHost: 127.0.0.1\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";

/// The demo, served on a free loopback port by `auth_runtime::serve` as `configure` sets it.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    done: JoinHandle<io::Result<()>>,
}

async fn start(configure: impl FnOnce(Serve) -> Serve) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", &url),
    ]))
    .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serve =
        configure(auth_runtime::serve(listener, demo::app(auth))).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
    Server {
        addr,
        stop,
        done: tokio::spawn(serve.into_future()),
    }
}

/// Runs a test body, failing it if it has not ended within [`TEST_LIMIT`].
async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test ran past its limit");
}

async fn connect(server: &Server, first_bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(first_bytes).await.unwrap();
    stream
}

/// What the server sends until it closes the connection (a reset counts as closed), or
/// `None` when it is still open after `wait`.
async fn read_until_closed(
    stream: &mut (impl AsyncRead + Unpin),
    wait: Duration,
) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read = async {
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok()?;
    Some(received)
}

/// The server has neither answered nor closed `stream` within a moment.
async fn assert_open_and_unanswered(stream: &mut TcpStream) {
    let mut byte = [0; 1];
    let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut byte)).await;
    assert!(read.is_err(), "answered or closed: {read:?} {byte:?}");
}

/// The answer to [`CSRF_REQUEST`] is 200 with a CSRF token.
fn assert_csrf_answer(answer: &[u8]) {
    let answer = String::from_utf8_lossy(answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains(r#"{"csrfToken":""#), "{answer}");
}

/// The answer is 408 and the server closes the connection.
fn assert_request_timeout(answer: &[u8]) {
    let answer = String::from_utf8_lossy(answer);
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(answer.contains("connection: close\r\n"), "{answer}");
}

/// Sends `first_bytes`, then one byte every 200 ms until the server stops reading (or 100
/// bytes are sent, 20 s later): the connection's reading half, and the task that writes.
/// After [`SLOW_POST_HEAD`] the bytes trickle into a body, after [`PARTIAL_HEADERS`] into the
/// headers.
async fn trickle(server: &Server, first_bytes: &[u8]) -> (OwnedReadHalf, JoinHandle<()>) {
    let (reader, mut writer) = connect(server, first_bytes).await.into_split();
    let writing = tokio::spawn(async move {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b"a").await.is_err() {
                break;
            }
        }
    });
    (reader, writing)
}

#[tokio::test]
async fn a_client_that_stops_in_its_headers_or_sends_nothing_is_disconnected_at_the_header_deadline()
 {
    bounded(async {
        let server = start(|s| s.header_read_timeout(Duration::from_secs(1))).await;
        let mut partial = connect(&server, PARTIAL_HEADERS).await;
        let mut silent = connect(&server, b"").await;
        for stream in [&mut partial, &mut silent] {
            let received = read_until_closed(stream, PATIENCE)
                .await
                .expect("still connected well past the header deadline");
            assert!(
                received.is_empty(),
                "{}",
                String::from_utf8_lossy(&received)
            );
        }
        // A client that sends its headers in time is answered.
        let mut normal = connect(&server, CSRF_REQUEST).await;
        assert_csrf_answer(&read_until_closed(&mut normal, PATIENCE).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn the_header_deadline_counts_from_each_wait_for_headers_and_cuts_a_trickle() {
    bounded(async {
        let server = start(|s| s.header_read_timeout(Duration::from_secs(1))).await;
        // Three requests on one connection, 600 ms apart: 1.8 s in all, past the deadline
        // counted from the connection's start, never past it counted from the last answer.
        let mut kept = TcpStream::connect(server.addr).await.unwrap();
        for _ in 0..3 {
            kept.write_all(KEEP_ALIVE_CSRF_REQUEST).await.unwrap();
            let mut answer = Vec::new();
            while !answer.ends_with(b"\"}") {
                let mut buffer = [0; 4096];
                let n = tokio::time::timeout(PATIENCE, kept.read(&mut buffer))
                    .await
                    .expect("no answer on the kept connection")
                    .unwrap();
                assert_ne!(n, 0, "closed before the answer");
                answer.extend_from_slice(&buffer[..n]);
            }
            assert_csrf_answer(&answer);
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
        // Idle after its last answer, it is closed at the deadline.
        let received = read_until_closed(&mut kept, PATIENCE)
            .await
            .expect("an idle keep-alive connection still open well past the deadline");
        assert!(received.is_empty());
        // Headers sent a byte every 200 ms (20 s in all) are cut at the deadline, unanswered.
        let (mut reader, trickling) = trickle(&server, PARTIAL_HEADERS).await;
        let received = read_until_closed(&mut reader, PATIENCE)
            .await
            .expect("headers trickled past the deadline were still read");
        assert!(received.is_empty());
        trickling.abort();
    })
    .await;
}

/// An answer sent in three parts 600 ms apart (`three`, ` `, `parts`): 1.8 s in all.
struct SlowBody {
    sent: usize,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for SlowBody {
    type Data = axum::body::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Infallible>>> {
        if self.sent == 3 {
            return Poll::Ready(None);
        }
        let pause = self
            .pause
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(600))));
        std::task::ready!(pause.as_mut().poll(cx));
        self.pause = None;
        self.sent += 1;
        let part = ["three", " ", "parts"][self.sent - 1];
        Poll::Ready(Some(Ok(http_body::Frame::data(part.into()))))
    }
}

#[tokio::test]
async fn a_slow_handler_or_answer_is_not_cut_by_the_header_deadline() {
    bounded(async {
        let app = axum::Router::new()
            .route(
                "/slow-handler",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_millis(1_500)).await;
                    "done"
                }),
            )
            .route(
                "/slow-body",
                axum::routing::get(|| async {
                    axum::body::Body::new(SlowBody {
                        sent: 0,
                        pause: None,
                    })
                }),
            );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let serving = tokio::spawn(
            auth_runtime::serve(listener, app)
                .header_read_timeout(Duration::from_secs(1))
                .into_future(),
        );
        // The body's last part and the end of the chunked encoding.
        let whole_body = "\r\n5\r\nparts\r\n0\r\n\r\n";
        for (path, body) in [
            ("/slow-handler", "\r\n\r\ndone"),
            ("/slow-body", whole_body),
        ] {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            // Answered whole, then closed at the deadline counted from the answer.
            let received = read_until_closed(&mut stream, PATIENCE)
                .await
                .expect("still open well past the deadline after the answer");
            let received = String::from_utf8_lossy(&received);
            assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
            assert!(received.ends_with(body), "{received}");
        }
        serving.abort();
    })
    .await;
}

#[tokio::test]
async fn a_client_trickling_its_body_gets_408_at_the_body_deadline_and_is_disconnected() {
    bounded(async {
        let server = start(|s| s.body_read_timeout(Duration::from_secs(1))).await;
        let (mut reader, trickling) = trickle(&server, SLOW_POST_HEAD).await;
        let answer = read_until_closed(&mut reader, PATIENCE)
            .await
            .expect("still connected well past the body deadline");
        assert_request_timeout(&answer);
        trickling.abort();
    })
    .await;
}

#[tokio::test]
async fn a_normal_request_is_answered_while_slow_clients_are_held() {
    bounded(async {
        let deadline = Duration::from_secs(20);
        let server = start(|s| {
            s.header_read_timeout(deadline)
                .body_read_timeout(deadline)
                .max_connections(16)
        })
        .await;
        let mut held = Vec::new();
        for first_bytes in [PARTIAL_HEADERS, b"", SLOW_POST_HEAD] {
            for _ in 0..3 {
                held.push(connect(&server, first_bytes).await);
            }
        }
        let mut normal = connect(&server, CSRF_REQUEST).await;
        let answer = read_until_closed(&mut normal, PATIENCE)
            .await
            .expect("no answer while slow clients are held");
        assert_csrf_answer(&answer);
        // The slow clients were held all along: none has been cut or answered yet.
        for stream in &mut held {
            assert_open_and_unanswered(stream).await;
        }
    })
    .await;
}

#[tokio::test]
async fn past_the_connection_cap_a_request_waits_and_is_answered_once_slots_free() {
    bounded(async {
        let server = start(|s| {
            s.max_connections(4)
                .header_read_timeout(Duration::from_secs(3))
        })
        .await;
        let mut idle = Vec::new();
        for _ in 0..4 {
            idle.push(connect(&server, b"").await);
        }
        let mut waiting = connect(&server, CSRF_REQUEST).await;
        // Every slot is held: the request stays in the accept queue, unanswered.
        assert_open_and_unanswered(&mut waiting).await;
        // The idle connections are cut at the header deadline, and the request gets its slot.
        let answer = read_until_closed(&mut waiting, PATIENCE)
            .await
            .expect("never answered once slots freed");
        assert_csrf_answer(&answer);
        for stream in &mut idle {
            let received = read_until_closed(stream, PATIENCE).await;
            assert_eq!(received, Some(Vec::new()));
        }
    })
    .await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_open_request_then_stops_listening() {
    bounded(async {
        let server = start(|s| s.body_read_timeout(Duration::from_secs(1))).await;
        let (mut reader, trickling) = trickle(&server, SLOW_POST_HEAD).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.stop.send(()).unwrap();
        // The request in flight still gets its answer before the server's future returns.
        let answer = read_until_closed(&mut reader, PATIENCE).await.unwrap();
        assert_request_timeout(&answer);
        let served = tokio::time::timeout(PATIENCE, server.done)
            .await
            .expect("the server did not stop");
        served.unwrap().unwrap();
        trickling.abort();
        let refused = TcpStream::connect(server.addr).await;
        assert!(refused.is_err(), "still listening after shutdown");
    })
    .await;
}
