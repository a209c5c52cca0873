//! What the peer harnesses (`oidc.rs`, `smtp.rs`) share: starting a child process that
//! announces itself with a `READY` line, and keeping the end of its stderr for failure
//! messages instead of letting it into the test output.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, ChildStdout};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How much of a peer's stderr is kept for failure messages.
const STDERR_TAIL: usize = 16 * 1024;

/// Reads `pipe` on a thread into `buffer`, keeping only its end.
pub fn collect_stderr(mut pipe: ChildStderr, buffer: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let mut text = buffer.lock().unwrap_or_else(|e| e.into_inner());
            text.push_str(&String::from_utf8_lossy(&chunk[..n]));
            if text.len() > 2 * STDERR_TAIL {
                let mut cut = text.len() - STDERR_TAIL;
                while !text.is_char_boundary(cut) {
                    cut += 1;
                }
                text.drain(..cut);
            }
        }
    });
}

/// The last [`STDERR_TAIL`] bytes collected.
pub fn tail(buffer: &Mutex<String>) -> String {
    let text = buffer.lock().unwrap_or_else(|e| e.into_inner());
    let mut cut = text.len().saturating_sub(STDERR_TAIL);
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    text[cut..].to_owned()
}

/// How long one start of a peer may take to print its `READY` line before it is stopped and
/// started again.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(40);
/// Starts made before a peer that keeps stalling fails the test.
const ATTEMPTS: usize = 3;

/// A peer process that has announced itself with its `READY <value>` line.
pub struct Ready<T> {
    pub child: Child,
    /// What followed `READY `, parsed.
    pub value: T,
    /// Its stderr so far and from now on, see [`tail`].
    pub stderr: Arc<Mutex<String>>,
}

/// Spawns a peer with `spawn` (stdout and stderr piped; its error says what to install) and
/// waits for the first stdout line `READY <rest>` whose `rest` parses with `parse`.
///
/// A start that stalls, still running but silent for [`ATTEMPT_TIMEOUT`], is killed and made
/// again, up to [`ATTEMPTS`] times: once on CI the OpenID provider said nothing for two
/// minutes after generating its key, and a second start is what a person would do. A peer
/// that exits before its `READY` line is not started again, since it would exit the same way.
/// The error says what happened to each start, with each one's stderr.
pub fn start_peer<T: Send + 'static>(
    mut spawn: impl FnMut() -> Result<Child, String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Ready<T>, String> {
    let mut failures = String::new();
    for attempt in 1..=ATTEMPTS {
        let mut child = spawn()?;
        let stderr = Arc::new(Mutex::new(String::new()));
        collect_stderr(
            child.stderr.take().expect("the peer's stderr is piped"),
            Arc::clone(&stderr),
        );
        let ready = watch_stdout(
            child.stdout.take().expect("the peer's stdout is piped"),
            parse,
        );
        let why = match ready.recv_timeout(ATTEMPT_TIMEOUT) {
            Ok(value) => {
                return Ok(Ready {
                    child,
                    value,
                    stderr,
                });
            }
            Err(why) => why,
        };
        let _ = child.kill();
        let status = child.wait();
        // Let the stderr thread catch the last lines before they are shown.
        std::thread::sleep(Duration::from_millis(100));
        let (reason, again) = match why {
            mpsc::RecvTimeoutError::Timeout => {
                (format!("no `READY` line within {ATTEMPT_TIMEOUT:?}"), true)
            }
            mpsc::RecvTimeoutError::Disconnected => {
                (format!("it stopped before `READY` ({status:?})"), false)
            }
        };
        let failure = format!(
            "start {attempt} of {ATTEMPTS}: {reason}; its stderr:\n{}\n",
            tail(&stderr)
        );
        failures.push_str(&failure);
        if !again {
            break;
        }
        // Said at once too, so that a stall that a later start makes good is not lost.
        eprint!("a peer stalled; {failure}");
    }
    Err(failures)
}

/// Sends the value of the first `READY <value>` line on `pipe` that `parse` accepts.
fn watch_stdout<T: Send + 'static>(
    pipe: ChildStdout,
    parse: fn(&str) -> Option<T>,
) -> mpsc::Receiver<T> {
    let (ready, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if let Some(value) = line.strip_prefix("READY ").and_then(|v| parse(v.trim())) {
                let _ = ready.send(value);
                // Keep draining: a peer must never block on a full stdout pipe.
            }
        }
    });
    receiver
}
