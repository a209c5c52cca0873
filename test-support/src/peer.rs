//! What the peer harnesses (`auth_test_support::oidc`, `auth_test_support::smtp`, the Node-backed
//! tests and xtask) share: installing a peer's packages once, starting a child process that
//! announces itself with a `READY` line, and keeping the end of its stderr for failure messages
//! instead of letting it into the test output.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
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
    /// The process, its stdin still piped (peers exit when it closes).
    pub child: Child,
    /// What followed `READY `, parsed.
    pub value: T,
    /// Its stderr so far and from now on, see [`tail`].
    pub stderr: Arc<Mutex<String>>,
}

/// Starts a peer from `command()` (its stdin, stdout and stderr piped here) and waits for the
/// first stdout line `READY <rest>` whose `rest` parses with `parse`. `cannot_run` words the
/// error of a peer that does not spawn at all (what to install).
///
/// A start that stalls, still running but silent for [`ATTEMPT_TIMEOUT`], is killed and made
/// again, up to [`ATTEMPTS`] times: once on CI the OpenID provider said nothing for two
/// minutes after generating its key, and a second start is what a person would do. A peer
/// that exits before its `READY` line is not started again, since it would exit the same way.
/// The error says what happened to each start, with each one's stderr.
pub fn start_peer<T: Send + 'static>(
    mut command: impl FnMut() -> Command,
    cannot_run: impl Fn(std::io::Error) -> String,
    parse: fn(&str) -> Option<T>,
) -> Result<Ready<T>, String> {
    let mut failures = String::new();
    for attempt in 1..=ATTEMPTS {
        let mut child = command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(&cannot_run)?;
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

/// Makes sure of an install once per test process: `check()` says whether it is there;
/// if not, `install()` runs while this process holds an advisory lock on `lockfile`, so test
/// binaries running at once (nextest, two `cargo test`s) never install over each other.
/// Panics with the install's own message when it fails, in every test that needs it.
#[track_caller]
pub fn install_once(
    done: &OnceLock<Result<(), String>>,
    lockfile: &Path,
    check: impl Fn() -> bool,
    install: impl FnOnce() -> Result<(), String>,
) {
    let result = done.get_or_init(|| {
        if check() {
            return Ok(());
        }
        let _guard = std::fs::File::open(lockfile)
            .and_then(|file| file.lock().map(|()| file))
            .map_err(|e| format!("cannot lock {}: {e}", lockfile.display()))?;
        if check() {
            return Ok(());
        }
        install()
    });
    if let Err(message) = result {
        panic!("{message}");
    }
}
