//! What the peer harnesses (`oidc.rs`, `smtp.rs`) share: keeping the end of a child
//! process's stderr for failure messages instead of letting it into the test output.

use std::io::Read;
use std::process::ChildStderr;
use std::sync::{Arc, Mutex};

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
