//! A TCP proxy the fault tests switch between passing traffic to a real peer and failing in
//! the ways a real peer cannot be made to: refusing, cutting, hanging, passing each chunk late,
//! or answering HTTP 500 or bytes that are not HTTP. It runs on its own thread, so a test that blocks its own
//! thread (waiting for a mail, say) does not stop it.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pass bytes both ways to the target.
    Pass,
    /// Pass bytes both ways to the target, each chunk read held for this long before it is
    /// written on: a peer that answers, slowly.
    Slow(Duration),
    /// Stop listening: connecting is refused. Connections in progress are cut.
    Refuse,
    /// Accept, then close at once. Connections in progress are cut.
    Cut,
    /// Accept and read, and never answer.
    Hang,
    /// Answer each HTTP request `500 Internal Server Error`, empty.
    Http500,
    /// Answer each connection with bytes that are not HTTP, then close.
    Garbage,
    /// Answer each HTTP request `200 OK`, `application/json`, with a body that is not JSON.
    NotJson,
}

/// A running proxy; dropping it stops it and frees its port.
pub struct Proxy {
    port: u16,
    mode: Option<watch::Sender<Mode>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// A proxy on a free port of 127.0.0.1 in front of `target`, passing traffic.
    pub fn start(target: SocketAddr) -> Proxy {
        Self::start_on(0, Some(target), Mode::Pass)
    }

    /// A proxy on `127.0.0.1:<port>` (`0`: a free one), in `mode`; without a target, `Pass`
    /// and `Slow` are `Cut`. Panics when the port cannot be bound.
    pub fn start_on(port: u16, target: Option<SocketAddr>, mode: Mode) -> Proxy {
        let (bound, ready) = mpsc::channel();
        let (sender, receiver) = watch::channel(mode);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the proxy");
            runtime.block_on(serve(port, target, receiver, bound));
        });
        let port = ready
            .recv_timeout(Duration::from_secs(10))
            .expect("the proxy thread answers")
            .unwrap_or_else(|e| panic!("the proxy cannot listen on 127.0.0.1:{port}: {e}"));
        Proxy {
            port,
            mode: Some(sender),
            thread: Some(thread),
        }
    }

    /// The port it listens on (also while it refuses: it listens there again after).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Switches the mode; connections in progress that the new mode does not keep are cut.
    /// Switching to [`Mode::Refuse`] returns once the port no longer accepts.
    pub fn set(&self, mode: Mode) {
        if let Some(sender) = &self.mode {
            sender.send_replace(mode);
        }
        if mode == Mode::Refuse {
            // The listener is dropped on the proxy's thread; wait until connecting fails.
            for _ in 0..200 {
                if std::net::TcpStream::connect_timeout(&self.addr(), Duration::from_millis(100))
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("the proxy on port {} still accepts", self.port);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Closing the channel ends `serve`, and with it every connection and the listener.
        drop(self.mode.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    port: u16,
    target: Option<SocketAddr>,
    mut mode: watch::Receiver<Mode>,
    bound: mpsc::Sender<std::io::Result<u16>>,
) {
    let mut listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            let _ = bound.send(Err(e));
            return;
        }
    };
    let port = listener.local_addr().map_or(port, |a| a.port());
    let _ = bound.send(Ok(port));
    loop {
        if *mode.borrow_and_update() == Mode::Refuse {
            drop(listener);
            loop {
                if mode.changed().await.is_err() {
                    return;
                }
                if *mode.borrow_and_update() != Mode::Refuse {
                    break;
                }
            }
            listener = match rebind(port).await {
                Some(listener) => listener,
                None => return,
            };
            continue;
        }
        tokio::select! {
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let current = *mode.borrow();
                    tokio::spawn(connection(stream, current, target, mode.clone()));
                }
            }
        }
    }
}

/// The same port again (SO_REUSEADDR is set by tokio, so TIME_WAIT does not block it).
async fn rebind(port: u16) -> Option<TcpListener> {
    for _ in 0..100 {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return Some(listener);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn connection(
    mut stream: TcpStream,
    mode: Mode,
    target: Option<SocketAddr>,
    mut changes: watch::Receiver<Mode>,
) {
    // Cut when the mode changes to one that does not keep this connection.
    let cut = async move {
        loop {
            if changes.changed().await.is_err() {
                return;
            }
            if *changes.borrow_and_update() != mode {
                return;
            }
        }
    };
    let work = async {
        match (mode, target) {
            (Mode::Pass, Some(target)) => {
                if let Ok(mut upstream) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
                }
            }
            (Mode::Slow(delay), Some(target)) => {
                if let Ok(mut upstream) = TcpStream::connect(target).await {
                    let (mut client_read, mut client_write) = stream.split();
                    let (mut upstream_read, mut upstream_write) = upstream.split();
                    // Either side closing ends the connection, as it does for `Pass`.
                    tokio::select! {
                        () = pass_late(&mut client_read, &mut upstream_write, delay) => {}
                        () = pass_late(&mut upstream_read, &mut client_write, delay) => {}
                    }
                }
            }
            (Mode::Hang, _) => {
                let mut sink = [0u8; 4096];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                // The client gave up; hold nothing.
            }
            (Mode::Http500, _) => {
                answer_request(
                    &mut stream,
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\
                     Connection: close\r\n\r\n",
                )
                .await;
            }
            (Mode::NotJson, _) => {
                let body = "<html><body>Service Unavailable</body></html>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                answer_request(&mut stream, &answer).await;
            }
            (Mode::Garbage, _) => {
                let _ = stream
                    .write_all(b"\x16\x03\x01\x00\x05garbage, not a protocol\r\n\r\n")
                    .await;
            }
            // Cut, a Pass or Slow without target, and Refuse (a connection that raced the switch).
            _ => {}
        }
        let _ = stream.shutdown().await;
    };
    tokio::select! {
        () = cut => {}
        () = work => {}
    }
}

/// Copies `from` to `to`, sleeping `delay` before writing each chunk read, until either ends.
async fn pass_late(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    delay: Duration,
) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = from.read(&mut chunk).await {
        if n == 0 {
            return;
        }
        tokio::time::sleep(delay).await;
        if to.write_all(&chunk[..n]).await.is_err() {
            return;
        }
    }
}

/// Reads one HTTP request and sends `answer`.
async fn answer_request(stream: &mut TcpStream, answer: &str) {
    if read_request(stream).await {
        let _ = stream.write_all(answer.as_bytes()).await;
    }
}

/// Reads one HTTP request (head and `Content-Length` body); `false` if the client left first.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
            _ => return false,
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
            _ => return false,
        }
    }
    true
}
