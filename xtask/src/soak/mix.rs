//! The traffic itself: the mix of requests, one keep-alive connection's loop over it, and
//! many connections at once for a duration.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::stats::{Memory, SENT, SocketError, Stats, read_status};
use super::{SESSION_COOKIE, TIMEOUT};
use crate::Result;
use crate::http::{Answer, Parsed, parse_answer, request_bytes};

/// One request of the mix.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Csrf,
    SessionValid,
    SessionExpired,
    SessionGarbage,
    SessionNone,
    Providers,
    SignInPage,
    SignIn,
    SignOut,
}

impl Kind {
    pub(super) const ALL: [Kind; 9] = [
        Kind::Csrf,
        Kind::SessionValid,
        Kind::SessionExpired,
        Kind::SessionGarbage,
        Kind::SessionNone,
        Kind::Providers,
        Kind::SignInPage,
        Kind::SignIn,
        Kind::SignOut,
    ];

    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::Csrf => "GET /csrf",
            Kind::SessionValid => "GET /session (valid cookie)",
            Kind::SessionExpired => "GET /session (expired cookie)",
            Kind::SessionGarbage => "GET /session (garbage cookie)",
            Kind::SessionNone => "GET /session (no cookie)",
            Kind::Providers => "GET /providers",
            Kind::SignInPage => "GET /signin (page)",
            Kind::SignIn => "POST /callback/credentials",
            Kind::SignOut => "POST /signout",
        }
    }

    pub(super) fn index(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }

    /// Whether `answer` is what a correct server sends for this request.
    pub(super) fn expected(self, answer: &Answer) -> bool {
        let body = answer.body.as_str();
        match self {
            Kind::Csrf => answer.status == 200 && body.contains("\"csrfToken\":\""),
            Kind::SessionValid => answer.status == 200 && body.contains("Demo User"),
            Kind::SessionExpired | Kind::SessionGarbage | Kind::SessionNone => {
                answer.status == 200 && body.trim() == "{}"
            }
            Kind::Providers => answer.status == 200 && body.contains("\"credentials\""),
            Kind::SignInPage => answer.status == 200 && body.contains("<form"),
            // The demo's `throttle:` counts every sign-in attempt: past its limit, 429.
            Kind::SignIn => {
                (answer.status == 200 && answer.set_cookie(SESSION_COOKIE).is_some())
                    || (answer.status == 429 && body.contains("error=TooManyRequests"))
            }
            Kind::SignOut => {
                matches!(answer.status, 200 | 302)
                    && answer
                        .set_cookies()
                        .iter()
                        .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=;")))
            }
        }
    }
}

/// What every connection sends: cookies as `name=value` pairs.
#[derive(Clone)]
pub(super) struct Plan {
    pub(super) port: u16,
    pub(super) csrf_cookie: String,
    pub(super) csrf_token: String,
    pub(super) valid: String,
    pub(super) garbage: String,
    /// Connection `i` sends `expired[i % len]`.
    pub(super) expired: Vec<String>,
    /// JWT sessions: a sign-out ends nothing on the server, so when a pass's sign-in was
    /// throttled its sign-out sends the shared valid cookie (which stays valid).
    pub(super) sign_out_shared: bool,
}

/// One keep-alive connection and the bytes read past the last answer.
pub(super) struct Connection {
    pub(super) stream: TcpStream,
    pub(super) buffer: Vec<u8>,
}

impl Connection {
    pub(super) async fn read_answer(
        &mut self,
    ) -> std::result::Result<Answer, (SocketError, String)> {
        let mut eof = false;
        loop {
            match parse_answer(&self.buffer, eof) {
                Parsed::Complete(answer, used) => {
                    self.buffer.drain(..used);
                    return Ok(answer);
                }
                Parsed::Invalid(why) => return Err((SocketError::Read, why)),
                Parsed::Incomplete if eof => {
                    let what = if self.buffer.is_empty() {
                        "the server closed the connection before answering"
                    } else {
                        "the server closed the connection mid-answer"
                    };
                    return Err((SocketError::Read, what.to_owned()));
                }
                Parsed::Incomplete => {
                    let mut chunk = [0u8; 16 * 1024];
                    let n = self
                        .stream
                        .read(&mut chunk)
                        .await
                        .map_err(|e| (SocketError::Read, e.to_string()))?;
                    eof = n == 0;
                    self.buffer.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }
}

/// Sends one request on `slot`'s connection (connecting first when there is none) and reads
/// the answer, all within [`TIMEOUT`]; a failed or closing connection is dropped.
pub(super) async fn exchange(
    slot: &mut Option<Connection>,
    port: u16,
    request: &[u8],
) -> std::result::Result<Answer, (SocketError, String)> {
    let attempt = async {
        let connection = match slot {
            Some(connection) => connection,
            None => {
                let stream = TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| (SocketError::Connect, e.to_string()))?;
                let _ = stream.set_nodelay(true);
                slot.insert(Connection {
                    stream,
                    buffer: Vec::new(),
                })
            }
        };
        connection
            .stream
            .write_all(request)
            .await
            .map_err(|e| (SocketError::Write, e.to_string()))?;
        connection.read_answer().await
    };
    let outcome = match tokio::time::timeout(TIMEOUT, attempt).await {
        Ok(outcome) => outcome,
        Err(_) => Err((
            SocketError::Timeout,
            "no whole answer within 10 s".to_owned(),
        )),
    };
    if !matches!(&outcome, Ok(answer) if !answer.close) {
        *slot = None;
    }
    outcome
}

/// A keep-alive request to the server under test.
pub(super) fn http_request(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    form: &str,
) -> Vec<u8> {
    request_bytes(port, method, path, cookie, form, false)
}

/// One connection's loop over the mix: until `deadline`, or one pass when there is none.
pub(super) async fn connection(
    id: usize,
    plan: Arc<Plan>,
    stats: Arc<Stats>,
    deadline: Option<Instant>,
) {
    let port = plan.port;
    let expired = plan
        .expired
        .get(id % plan.expired.len().max(1))
        .cloned()
        .unwrap_or_default();
    let sign_in_form = format!(
        "csrfToken={}&username=demo&password=demo&json=true",
        plan.csrf_token
    );
    let sign_out_form = format!("csrfToken={}&json=true", plan.csrf_token);
    let mut slot = None;
    loop {
        let mut session = None::<String>;
        for kind in Kind::ALL {
            // Past the deadline a pass still signs out the session it signed in.
            let pending_sign_out = kind == Kind::SignOut && session.is_some();
            if deadline.is_some_and(|d| Instant::now() >= d) && !pending_sign_out {
                return;
            }
            let request = match kind {
                Kind::Csrf => http_request(port, "GET", "/api/auth/csrf", "", ""),
                Kind::SessionValid => {
                    http_request(port, "GET", "/api/auth/session", &plan.valid, "")
                }
                Kind::SessionExpired => {
                    http_request(port, "GET", "/api/auth/session", &expired, "")
                }
                Kind::SessionGarbage => {
                    http_request(port, "GET", "/api/auth/session", &plan.garbage, "")
                }
                Kind::SessionNone => http_request(port, "GET", "/api/auth/session", "", ""),
                Kind::Providers => http_request(port, "GET", "/api/auth/providers", "", ""),
                Kind::SignInPage => http_request(port, "GET", "/api/auth/signin", "", ""),
                Kind::SignIn => http_request(
                    port,
                    "POST",
                    "/api/auth/callback/credentials",
                    &plan.csrf_cookie,
                    &sign_in_form,
                ),
                Kind::SignOut => {
                    // The session this pass signed in; a database's shared one must live on.
                    let Some(session) = session
                        .take()
                        .or_else(|| plan.sign_out_shared.then(|| plan.valid.clone()))
                    else {
                        continue;
                    };
                    let cookies = format!("{}; {session}", plan.csrf_cookie);
                    http_request(port, "POST", "/api/auth/signout", &cookies, &sign_out_form)
                }
            };
            let started = Instant::now();
            stats.kinds[kind.index()][SENT].fetch_add(1, Ordering::Relaxed);
            match exchange(&mut slot, port, &request).await {
                Ok(answer) => {
                    stats.record_answer(kind, &answer, started.elapsed());
                    if answer.close {
                        stats.closed_by_server.fetch_add(1, Ordering::Relaxed);
                    }
                    if kind == Kind::SignIn {
                        session = answer.set_cookie(SESSION_COOKIE).map(str::to_owned);
                    }
                }
                Err((error, detail)) => {
                    stats.record_error(kind, error, &detail);
                    if let SocketError::Connect = error {
                        // A refused connect returns at once: do not spin on it.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }
        if deadline.is_none() {
            return;
        }
    }
}

/// `connections` connections of the mix for `duration`; with `memory`, the server's status is
/// sampled at 10 s (or half-way in a shorter run) and at the deadline, and progress is printed.
pub(super) fn run_traffic(
    runtime: &tokio::runtime::Runtime,
    plan: &Arc<Plan>,
    connections: usize,
    duration: Duration,
    pid: u32,
    memory: Option<&mut Memory>,
) -> Result<Stats> {
    let stats = Arc::new(Stats::new());
    let started = Instant::now();
    let deadline = started + duration;
    let middle_at = if duration.as_secs() >= 10 {
        10
    } else {
        (duration.as_secs() / 2).max(1)
    };
    runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|id| tokio::spawn(connection(id, plan.clone(), stats.clone(), Some(deadline))))
            .collect();
        if let Some(memory) = memory {
            memory.middle_at = middle_at;
            let mut second = 0;
            while second < duration.as_secs() {
                second += 1;
                tokio::time::sleep_until((started + Duration::from_secs(second)).into()).await;
                if second == middle_at {
                    memory.middle = read_status(pid)?;
                }
                if second == duration.as_secs() {
                    memory.end = read_status(pid)?;
                }
                if second % 10 == 0 || second == duration.as_secs() {
                    let rss = read_status(pid).map(|s| s.rss_kb).unwrap_or_default();
                    println!(
                        "  {second:>4} s: {:>9} requests, {:>6} bad, server RSS {:.1} MB",
                        stats.total_requests(),
                        stats.bad(),
                        rss as f64 / 1024.0
                    );
                }
            }
        }
        for task in tasks {
            task.await
                .map_err(|e| format!("a connection task failed: {e}"))?;
        }
        Ok::<(), String>(())
    })?;
    let elapsed = started.elapsed();
    if let Ok(mut slot) = stats.elapsed.lock() {
        *slot = elapsed;
    }
    Arc::try_unwrap(stats).map_err(|_| "a connection task outlived the run".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cleared_session_cookie_is_no_session_but_ends_one() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\
                    set-cookie: next-auth.session-token=; Max-Age=0\r\n\r\n";
        let Parsed::Complete(answer, _) = parse_answer(raw, false) else {
            panic!("not an answer");
        };
        assert!(Kind::SignOut.expected(&answer));
        assert!(!Kind::SignIn.expected(&answer));
    }
}
