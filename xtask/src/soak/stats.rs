//! What a soak run measures and reports: answers and socket errors by request kind,
//! latencies, the server's memory and CPU time, and the verdict.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::mix::Kind;
use super::{Options, RSS_SLACK_KB, Target, WARMUP};
use crate::Result;
use crate::http::Answer;
use crate::procstat::{self, clock_ticks, cpu_ticks};

/// The server's memory at one moment, from `/proc/<pid>/status`, in kB, and the CPU time
/// the server and this client have used so far, in clock ticks.
#[derive(Clone, Copy, Default)]
pub(super) struct ProcStatus {
    pub(super) rss_kb: u64,
    pub(super) hwm_kb: u64,
    pub(super) threads: u64,
    pub(super) server_ticks: u64,
    pub(super) client_ticks: u64,
}

/// The server's memory now and the CPU time it and this client have used so far.
pub(super) fn read_status(pid: u32) -> Result<ProcStatus> {
    let memory = procstat::memory(pid)?;
    Ok(ProcStatus {
        rss_kb: memory.rss_kb,
        hwm_kb: memory.hwm_kb,
        threads: memory.threads,
        server_ticks: cpu_ticks(&pid.to_string()).unwrap_or(0),
        client_ticks: cpu_ticks("self").unwrap_or(0),
    })
}

/// What one server's run printed, and what failed in it.
pub(super) struct Report {
    pub(super) text: String,
    pub(super) failures: Vec<String>,
}

/// RSS samples of one run: after the warm-up, at 10 s, at the deadline, after the drain.
#[derive(Default)]
pub(super) struct Memory {
    pub(super) start: ProcStatus,
    pub(super) middle: ProcStatus,
    pub(super) middle_at: u64,
    pub(super) end: ProcStatus,
    pub(super) drained: ProcStatus,
}

/// The outcome of a run: counters shared by every connection.
pub(super) struct Stats {
    /// Per kind: 2xx, 3xx, 4xx (not 429), 429, 5xx, wrong answer, socket error, sent.
    pub(super) kinds: [[AtomicU64; 8]; Kind::ALL.len()],
    pub(super) connect: AtomicU64,
    pub(super) write: AtomicU64,
    pub(super) read: AtomicU64,
    pub(super) timeout: AtomicU64,
    /// Answers with `Connection: close` (or close-delimited): the next request reconnects.
    pub(super) closed_by_server: AtomicU64,
    /// Latency buckets: bucket `i` holds answers in [2^i, 2^(i+1)) µs.
    pub(super) latency: [AtomicU64; 32],
    pub(super) max_latency_us: AtomicU64,
    /// The first few kinds of failure, each with how often it happened, described without
    /// any cookie or token.
    pub(super) samples: Mutex<Vec<(String, u64)>>,
    pub(super) elapsed: Mutex<Duration>,
}

pub(super) const WRONG: usize = 5;
pub(super) const SOCKET: usize = 6;
pub(super) const SENT: usize = 7;
pub(super) const MAX_SAMPLES: usize = 12;

#[derive(Clone, Copy)]
pub(super) enum SocketError {
    Connect,
    Write,
    Read,
    Timeout,
}

impl SocketError {
    pub(super) fn label(self) -> &'static str {
        match self {
            SocketError::Connect => "connect",
            SocketError::Write => "write",
            SocketError::Read => "read",
            SocketError::Timeout => "timeout (10 s)",
        }
    }
}

impl Stats {
    pub(super) fn new() -> Stats {
        Stats {
            kinds: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            connect: AtomicU64::new(0),
            write: AtomicU64::new(0),
            read: AtomicU64::new(0),
            timeout: AtomicU64::new(0),
            closed_by_server: AtomicU64::new(0),
            latency: std::array::from_fn(|_| AtomicU64::new(0)),
            max_latency_us: AtomicU64::new(0),
            samples: Mutex::new(Vec::new()),
            elapsed: Mutex::new(Duration::ZERO),
        }
    }

    pub(super) fn count(&self, kind: Kind, column: usize) -> u64 {
        self.kinds[kind.index()][column].load(Ordering::Relaxed)
    }

    pub(super) fn column(&self, column: usize) -> u64 {
        Kind::ALL.iter().map(|k| self.count(*k, column)).sum()
    }

    /// Requests sent, answered or not.
    pub(super) fn total_requests(&self) -> u64 {
        self.column(SENT)
    }

    pub(super) fn socket_errors(&self) -> u64 {
        self.column(SOCKET)
    }

    /// 5xx, wrong answers and socket errors: each one fails the soak.
    pub(super) fn bad(&self) -> u64 {
        self.column(4) + self.column(WRONG) + self.column(SOCKET)
    }

    pub(super) fn sample(&self, text: String) {
        let Ok(mut samples) = self.samples.lock() else {
            return;
        };
        if let Some((_, count)) = samples.iter_mut().find(|(seen, _)| *seen == text) {
            *count += 1;
        } else if samples.len() < MAX_SAMPLES {
            samples.push((text, 1));
        }
    }

    pub(super) fn samples_text(&self) -> String {
        self.samples
            .lock()
            .map(|s| {
                s.iter()
                    .map(|(text, count)| format!("  - {count} × {text}\n"))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn record_answer(&self, kind: Kind, answer: &Answer, latency: Duration) {
        let class = match answer.status {
            200..=299 => Some(0),
            300..=399 => Some(1),
            429 => Some(3),
            400..=499 => Some(2),
            500..=599 => Some(4),
            _ => None,
        };
        let slot = &self.kinds[kind.index()];
        if let Some(class) = class {
            slot[class].fetch_add(1, Ordering::Relaxed);
        }
        if class == Some(4) {
            self.sample(format!(
                "{} answered {}: {}",
                kind.label(),
                answer.status,
                answer.shown_body()
            ));
        } else if !kind.expected(answer) {
            slot[WRONG].fetch_add(1, Ordering::Relaxed);
            self.sample(format!(
                "{} answered {} unexpectedly: {}",
                kind.label(),
                answer.status,
                answer.shown_body()
            ));
        }
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let bucket = (63 - micros.max(1).leading_zeros() as usize).min(31);
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        self.max_latency_us.fetch_max(micros, Ordering::Relaxed);
    }

    pub(super) fn record_error(&self, kind: Kind, error: SocketError, detail: &str) {
        self.kinds[kind.index()][SOCKET].fetch_add(1, Ordering::Relaxed);
        let counter = match error {
            SocketError::Connect => &self.connect,
            SocketError::Write => &self.write,
            SocketError::Read => &self.read,
            SocketError::Timeout => &self.timeout,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.sample(format!(
            "{}: {} error: {detail}",
            kind.label(),
            error.label()
        ));
    }

    /// An upper bound of the `q` quantile in ms: its bucket's top, or the maximum if lower.
    pub(super) fn quantile_ms(&self, q: f64) -> f64 {
        let max_ms = self.max_latency_us.load(Ordering::Relaxed) as f64 / 1000.0;
        self.bucket_top_ms(q).min(max_ms)
    }

    pub(super) fn bucket_top_ms(&self, q: f64) -> f64 {
        let counts: Vec<u64> = self
            .latency
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        let rank = (total as f64 * q).ceil() as u64;
        let mut seen = 0;
        for (i, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= rank.max(1) {
                return (1u64 << (i + 1)) as f64 / 1000.0;
            }
        }
        0.0
    }
}

pub(super) fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

pub(super) fn report(
    target: Target,
    options: &Options,
    warmup: &Stats,
    run: &Stats,
    memory: &Memory,
) -> Report {
    let mut text = String::new();
    let mut failures = Vec::new();
    let elapsed = run.elapsed.lock().map(|d| *d).unwrap_or_default();
    let total = run.total_requests();
    let _ = writeln!(
        text,
        "\n### {}: {} s, {} connections\n",
        target.label(),
        options.seconds,
        options.connections
    );
    let _ = writeln!(
        text,
        "| request | sent | 2xx | 3xx | 4xx | 429 | 5xx | wrong answer | socket error |"
    );
    let _ = writeln!(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let row = |text: &mut String, label: &str, sent: u64, cell: &dyn Fn(usize) -> u64| {
        let _ = writeln!(
            text,
            "| {label} | {sent} | {} | {} | {} | {} | {} | {} | {} |",
            cell(0),
            cell(1),
            cell(2),
            cell(3),
            cell(4),
            cell(WRONG),
            cell(SOCKET)
        );
    };
    for kind in Kind::ALL {
        let sent = run.count(kind, SENT);
        row(&mut text, kind.label(), sent, &|c| run.count(kind, c));
    }
    row(&mut text, "**all**", total, &|c| run.column(c));
    let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
    let _ = writeln!(
        text,
        "\n{total} requests in {seconds:.1} s (deadline {} s, then the requests in flight): \
         {:.0} req/s; latency p50 ≤ {:.1} ms, p99 ≤ {:.1} ms, max {:.1} ms",
        options.seconds,
        total as f64 / seconds,
        run.quantile_ms(0.5),
        run.quantile_ms(0.99),
        run.max_latency_us.load(Ordering::Relaxed) as f64 / 1000.0
    );
    let _ = writeln!(
        text,
        "socket errors: connect {}, write {}, read {}, timeout (10 s) {}; answers with \
         `Connection: close` (reconnected): {}",
        run.connect.load(Ordering::Relaxed),
        run.write.load(Ordering::Relaxed),
        run.read.load(Ordering::Relaxed),
        run.timeout.load(Ordering::Relaxed),
        run.closed_by_server.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        text,
        "warm-up before it ({} s, same mix): {} requests, {} 5xx, {} wrong answers, {} socket \
         errors",
        WARMUP.as_secs(),
        warmup.total_requests(),
        warmup.column(4),
        warmup.column(WRONG),
        warmup.socket_errors()
    );
    let _ = writeln!(
        text,
        "server VmRSS: start {:.1} MB (after the warm-up), at {} s {:.1} MB, end {:.1} MB (at \
         the deadline), after the drain {:.1} MB; VmHWM {:.1} MB; server threads {}",
        mb(memory.start.rss_kb),
        memory.middle_at,
        mb(memory.middle.rss_kb),
        mb(memory.end.rss_kb),
        mb(memory.drained.rss_kb),
        mb(memory.drained.hwm_kb.max(memory.end.hwm_kb)),
        memory.end.threads
    );
    let ticks = clock_ticks();
    let cpu = |end: u64, start: u64| end.saturating_sub(start) as f64 / ticks;
    let _ = writeln!(
        text,
        "CPU time from the start sample to the deadline: server {:.1} s, client {:.1} s (the \
         machine has {} cores × {:.1} s)",
        cpu(memory.end.server_ticks, memory.start.server_ticks),
        cpu(memory.end.client_ticks, memory.start.client_ticks),
        std::thread::available_parallelism().map_or(2, |n| n.get()),
        seconds
    );
    let limit = 2 * memory.middle.rss_kb + RSS_SLACK_KB;
    let flat = memory.end.rss_kb <= limit;
    let _ = writeln!(
        text,
        "memory flat (end RSS ≤ 2 × RSS at {} s + 10 MB): {:.1} MB ≤ {:.1} MB: {}",
        memory.middle_at,
        mb(memory.end.rss_kb),
        mb(limit),
        if flat { "ok" } else { "FAILED" }
    );
    if !flat {
        failures.push(format!(
            "end RSS {:.1} MB over 2 × RSS at {} s + 10 MB = {:.1} MB",
            mb(memory.end.rss_kb),
            memory.middle_at,
            mb(limit)
        ));
    }
    for (name, stats) in [("warm-up", warmup), ("run", run)] {
        let (fives, wrong, socket) = (stats.column(4), stats.column(WRONG), stats.socket_errors());
        if fives + wrong + socket > 0 {
            failures.push(format!(
                "{name}: {fives} 5xx, {wrong} wrong answers, {socket} socket errors"
            ));
            let _ = write!(text, "first failures ({name}):\n{}", stats.samples_text());
        }
    }
    Report { text, failures }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Parsed, parse_answer};

    fn answer(status: &str, body: &str) -> Answer {
        let raw = format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        match parse_answer(raw.as_bytes(), false) {
            Parsed::Complete(answer, _) => answer,
            _ => panic!("not an answer: {raw}"),
        }
    }

    #[test]
    fn a_5xx_or_a_wrong_answer_counts_as_bad_and_a_throttled_sign_in_does_not() {
        let stats = Stats::new();
        let user = answer("200 OK", r#"{"name":"Demo User"}"#);
        let throttled = answer(
            "429 Too Many Requests",
            r#"{"url":"/x?error=TooManyRequests"}"#,
        );
        let failed = answer("500 Internal Server Error", "");
        let latency = Duration::from_millis(3);
        stats.record_answer(Kind::SessionValid, &user, latency);
        stats.record_answer(Kind::SignIn, &throttled, latency);
        assert_eq!((stats.bad(), stats.column(3)), (0, 1));
        stats.record_answer(Kind::SessionExpired, &user, latency);
        assert_eq!(
            stats.column(WRONG),
            1,
            "an expired cookie must not be a session"
        );
        stats.record_answer(Kind::Providers, &failed, latency);
        stats.record_error(Kind::Csrf, SocketError::Timeout, "no answer");
        assert_eq!(
            (stats.column(4), stats.socket_errors(), stats.bad()),
            (1, 1, 3)
        );
        assert!(stats.samples_text().contains("GET /providers answered 500"));
        assert!(stats.quantile_ms(0.99) <= 3.0 + f64::EPSILON);
    }
}
