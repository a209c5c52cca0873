//! A real SMTP server for the tests: `tests/peers/smtp_sink.py` (aiosmtpd) on
//! `127.0.0.1:<free port>`, which decodes every message it accepts into a JSON-lines file.
//!
//! aiosmtpd is installed on first use with `python3 -m pip install -r tests/peers/requirements.txt`
//! when `import aiosmtpd` fails; CI can do that step ahead of time.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::peer::{Ready, start_peer, tail};
use crate::{peers_dir, require_aiosmtpd};

/// A running SMTP sink; dropping it stops the process and deletes its file.
pub struct SmtpSink {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    // Its stdin stays open as long as this value lives: the script runs with
    // `SMTP_SINK_EXIT_ON_STDIN_EOF=1` and `SMTP_SINK_REMOVE_FILE=1`, so when the test process
    // exits without dropping it (a sink in a `static`), it stops and deletes its file itself.
    child: Child,
    file: PathBuf,
    stderr: Arc<Mutex<String>>,
}

/// One message as the sink decoded it.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The `From` header.
    pub from: String,
    /// The `To` header.
    pub to: String,
    /// The `Subject` header, decoded.
    pub subject: String,
    /// The text/plain part, transfer encoding undone, `\n` line ends.
    pub text: Option<String>,
    /// The text/html part, transfer encoding undone, `\n` line ends.
    pub html: Option<String>,
    /// The message as it came over the wire.
    pub raw: String,
}

impl ReceivedMail {
    /// The sign-in link in the plain-text body.
    pub fn sign_in_link(&self) -> Option<String> {
        self.text.as_deref().and_then(sign_in_link)
    }
}

/// The first line of `text` that is an http(s) URL to a `/callback/` endpoint.
pub fn sign_in_link(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|line| {
            (line.starts_with("http://") || line.starts_with("https://"))
                && line.contains("/callback/")
        })
        .map(str::to_owned)
}

impl SmtpSink {
    /// Starts a sink on a free port and waits until it listens. Installs aiosmtpd first when
    /// Python cannot import it.
    pub fn start() -> SmtpSink {
        Self::start_on(0)
    }

    /// [`SmtpSink::start`] on `127.0.0.1:<port>` (`0`: a free port), e.g. the port of a sink
    /// that was stopped.
    pub fn start_on(port: u16) -> SmtpSink {
        let peers = peers_dir();
        require_aiosmtpd();
        let file = unique_file();
        std::fs::write(&file, "")
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", file.display()));

        let command = || {
            // Empty for each start: a stalled one may have written to it.
            std::fs::write(&file, "")
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", file.display()));
            let mut command = Command::new("python3");
            command
                .arg("smtp_sink.py")
                .arg(port.to_string())
                .current_dir(&peers)
                .env("SMTP_SINK_FILE", &file)
                .env("SMTP_SINK_EXIT_ON_STDIN_EOF", "1")
                .env("SMTP_SINK_REMOVE_FILE", "1")
                .env("PYTHONUNBUFFERED", "1");
            command
        };
        let cannot_run = |e| {
            format!(
                "cannot run `python3 smtp_sink.py` in {} ({e}): the SMTP tests need Python 3.8 \
                 or later on PATH",
                peers.display()
            )
        };
        match start_peer(command, cannot_run, |port| port.parse().ok()) {
            Ok(Ready {
                child,
                value: port,
                stderr,
            }) => SmtpSink {
                port,
                child,
                file,
                stderr,
            },
            Err(failures) => {
                let _ = std::fs::remove_file(&file);
                panic!("the SMTP sink did not start.\n{failures}");
            }
        }
    }

    /// `smtp://127.0.0.1:<port>`, for `SmtpMailer::new`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let content = std::fs::read_to_string(&self.file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", self.file.display()));
        // Only whole lines: the sink may be writing the next one.
        let complete = content.rfind('\n').map_or("", |end| &content[..end]);
        complete
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("the sink wrote a bad line ({e}): {line}"))
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived and returns them all; panics after
    /// `timeout`. It blocks the thread: call it once the send has been awaited.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the SMTP sink received {} of {n} messages within {timeout:?}; its stderr:\n{}",
                    messages.len(),
                    tail(&self.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The end of what the sink wrote on stderr (for failure messages).
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.file);
    }
}

fn unique_file() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "smtp-sink-{}-{}-{nanos}.jsonl",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}
