//! `cargo xtask soak`: mixed NextAuth traffic over many keep-alive connections for a minute
//! against the release demo and the database example (SQLite, PostgreSQL), RSS watched.
//!
//! Each connection loops over the same mix until the deadline, on one keep-alive TCP
//! connection (a new one when the server closes it or a request fails): `GET /csrf`;
//! `GET /session` with a valid, an expired, a garbage and no session cookie; `GET /providers`;
//! `GET /signin`; the credentials sign-in as demo/demo (`json=true`) and the sign-out of that
//! session. Every answer is checked (status and a marker in the body), not only counted. A
//! server with `throttle:` answers most sign-ins 429 under this load: that is its limit
//! working (counted in the 429 column, not a failure); a JWT server's sign-out then sends the
//! shared valid cookie, a database server's is skipped.
//!
//! The expired and garbage cookies:
//! - demo (JWT): next-auth@4's own `encode` (`tests/interop/clients/v4`) under the demo's
//!   secret with `maxAge: -3600` (expired an hour ago; a token minted the same way with a
//!   positive `maxAge` is checked to be a session first), and under another secret (garbage);
//! - database: real sessions from signing in, whose `expires` is then moved into the past in
//!   the database (one per connection: the server deletes an expired session when it sees it,
//!   so each connection's later requests send a token the database no longer has), and a
//!   well-formed token that was never issued (garbage).
//!
//! Fails on any 5xx, socket error (connect, write, read, 10 s timeout) or wrong answer, and when
//! the server's RSS at the end exceeds twice its RSS at 10 s plus 10 MB.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{
    Server, cargo, cookie_pair, ensure_postgres, free_port, npm_ci, request, step, wait_for,
    workspace_root,
};

type Result<T = ()> = std::result::Result<T, String>;

/// The secret the servers sign with (a soak test, not a deployment).
const SECRET: &str = "xtask-soak-secret-0123456789abcdef0123456789abcdef";
/// Another secret: a token encrypted under it is garbage to the servers.
const OTHER_SECRET: &str = "xtask-soak-other-secret-fedcba9876543210fedcba98765";
const POSTGRES_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/auth_test";
const SESSION_COOKIE: &str = "next-auth.session-token";
/// A connect, or a request's write and whole answer, longer than this is a socket error.
const TIMEOUT: Duration = Duration::from_secs(10);
const WARMUP: Duration = Duration::from_secs(3);
/// Descriptors each side needs beyond its connections (files, database, runtime).
const SPARE_FILES: u64 = 128;
/// The "memory flat" rule: end RSS ≤ 2 × RSS at 10 s + this much.
const RSS_SLACK_KB: u64 = 10 * 1024;
const USAGE: &str = "usage: cargo xtask soak [--seconds N] [--connections C]";

struct Options {
    seconds: u64,
    connections: usize,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        seconds: 60,
        connections: 256,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value; {USAGE}"))?;
        let number = |what: &str| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{flag} {value}`: expected a positive {what}; {USAGE}"))
        };
        match flag.as_str() {
            "--seconds" => options.seconds = number("number of seconds")?,
            "--connections" => {
                options.connections =
                    usize::try_from(number("number of connections")?).map_err(|e| e.to_string())?
            }
            _ => return Err(format!("unknown option `{flag}`; {USAGE}")),
        }
    }
    Ok(options)
}

#[derive(Clone, Copy)]
enum Target {
    Demo,
    Sqlite,
    Postgres,
}

impl Target {
    const ALL: [Target; 3] = [Target::Demo, Target::Sqlite, Target::Postgres];

    fn label(self) -> &'static str {
        match self {
            Target::Demo => "release demo (JWT sessions)",
            Target::Sqlite => "release database example on SQLite",
            Target::Postgres => "release database example on PostgreSQL",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Target::Demo => "demo",
            Target::Sqlite | Target::Postgres => "database",
        }
    }

    fn log_name(self) -> &'static str {
        match self {
            Target::Demo => "demo",
            Target::Sqlite => "database-sqlite",
            Target::Postgres => "database-postgres",
        }
    }
}

/// One request of the mix.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
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
    const ALL: [Kind; 9] = [
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

    fn label(self) -> &'static str {
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

    fn index(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }

    /// Whether `answer` is what a correct server sends for this request.
    fn expected(self, answer: &Answer) -> bool {
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
                (answer.status == 200 && answer.session_cookie().is_some())
                    || (answer.status == 429 && body.contains("error=TooManyRequests"))
            }
            Kind::SignOut => {
                matches!(answer.status, 200 | 302)
                    && answer
                        .set_cookies
                        .iter()
                        .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=;")))
            }
        }
    }
}

/// What every connection sends: cookies as `name=value` pairs.
#[derive(Clone)]
struct Plan {
    port: u16,
    csrf_cookie: String,
    csrf_token: String,
    valid: String,
    garbage: String,
    /// Connection `i` sends `expired[i % len]`.
    expired: Vec<String>,
    /// JWT sessions: a sign-out ends nothing on the server, so when a pass's sign-in was
    /// throttled its sign-out sends the shared valid cookie (which stays valid).
    sign_out_shared: bool,
}

pub fn soak(args: &[String]) -> Result {
    let options = parse_options(args)?;
    raise_open_files_limit(options.connections)?;
    cargo(&[
        "build",
        "--release",
        "--example",
        "demo",
        "--example",
        "database",
    ])?;
    npm_ci(&workspace_root().join("tests/interop/clients/v4"))?;
    ensure_postgres()?;

    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the client's runtime: {e}"))?;
    let client = format!(
        "client: tokio multi-thread runtime with {workers} worker threads ({} build), \
         {} connections as {} tasks, one keep-alive TCP connection each; nothing pinned: the \
         client and the server share the machine's {workers} cores",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        options.connections,
        options.connections,
    );

    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for target in Target::ALL {
        step(&format!(
            "soak: {} for {} s at {} connections",
            target.label(),
            options.seconds,
            options.connections
        ));
        match soak_one(&runtime, target, &options) {
            Ok(report) => {
                println!("{}", report.text);
                failures.extend(
                    report
                        .failures
                        .iter()
                        .map(|f| format!("{}: {f}", target.label())),
                );
                reports.push(report.text);
            }
            Err(e) => failures.push(format!("{}: {e}", target.label())),
        }
    }

    step("soak results");
    println!("{client}");
    for report in &reports {
        println!("{report}");
    }
    if failures.is_empty() {
        println!("soak: no 5xx, no socket error, no wrong answer, memory flat on every server");
        Ok(())
    } else {
        Err(format!("soak failed:\n  {}", failures.join("\n  ")))
    }
}

struct Report {
    text: String,
    failures: Vec<String>,
}

fn soak_one(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    options: &Options,
) -> Result<Report> {
    let sqlite_file = std::env::temp_dir().join(format!("auth-soak-{}.db", std::process::id()));
    let database_url = match target {
        Target::Demo => None,
        Target::Sqlite => Some(format!("sqlite://{}?mode=rwc", sqlite_file.display())),
        Target::Postgres => Some(POSTGRES_URL.to_owned()),
    };
    let log = workspace_root()
        .join("target/soak")
        .join(format!("{}.log", target.log_name()));
    let (server, port) = start(target, database_url.as_deref(), &log)?;
    let pid = server.0.id();
    let outcome = drive(runtime, target, options, port, pid, &sqlite_file);
    drop(server);
    if let Target::Sqlite = target {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_file.display()));
        }
    }
    let mut report = outcome?;
    if !report.failures.is_empty() {
        let _ = writeln!(
            report.text,
            "server log (stderr, RUST_LOG=warn): {}",
            log.display()
        );
    }
    Ok(report)
}

fn release_binary(example: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("release/examples").join(example)
}

/// Starts the example itself (no wrapper: the child's pid is the server's, for its RSS).
fn start(target: Target, database_url: Option<&str>, log: &Path) -> Result<(Server, u16)> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let stderr =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let port = free_port()?;
    let mut command = Command::new(release_binary(target.example()));
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let child = command
        .env("PORT", port.to_string())
        .env("NEXTAUTH_SECRET", SECRET)
        .env_remove("NEXTAUTH_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start the {} example: {e}", target.example()))?;
    let server = Server(child);
    wait_for(port)?;
    Ok((server, port))
}

fn drive(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    options: &Options,
    port: u16,
    pid: u32,
    sqlite_file: &Path,
) -> Result<Report> {
    let (csrf_cookie, csrf_token) = csrf(port)?;
    let valid = sign_in(port, &csrf_cookie, &csrf_token)?;
    let mut plan = Plan {
        port,
        csrf_cookie,
        csrf_token,
        valid,
        garbage: String::new(),
        expired: Vec::new(),
        sign_out_shared: matches!(target, Target::Demo),
    };
    match target {
        Target::Demo => {
            let minted = mint_demo_tokens()?;
            let [fresh, expired, foreign] = minted;
            // The expired token is refused for its age, not its form: the same encode with a
            // positive maxAge is a session.
            let answer = request(port, "GET", "/api/auth/session", &fresh, "")?;
            if !answer.body.contains("Demo User") {
                return Err(format!(
                    "a token next-auth's encode minted under the demo's secret is not a session \
                     ({}): the expired one would prove nothing",
                    answer.status
                ));
            }
            plan.garbage = foreign;
            plan.expired = vec![expired];
        }
        Target::Sqlite | Target::Postgres => {
            // A well-formed session token (a UUID v4, as the runtime issues) never issued.
            plan.garbage = format!("{SESSION_COOKIE}=0f0e0d0c-0b0a-4908-8706-050403020100");
            plan.expired = expired_sessions(target, &plan, 1, sqlite_file)?;
        }
    }

    // One pass of the mix on one connection, every answer as expected, before any load.
    let sanity = Arc::new(Stats::new());
    let plan = Arc::new(plan);
    runtime.block_on(connection(0, plan.clone(), sanity.clone(), None));
    if sanity.total_requests() != Kind::ALL.len() as u64 || sanity.bad() > 0 {
        return Err(format!(
            "the mix's first pass failed, before any load:\n{}",
            sanity.samples_text()
        ));
    }

    // Warm-up: the same mix for a few seconds (a database's expired cookie is now one the
    // server has deleted); its errors count too.
    let warmup = run_traffic(runtime, &plan, options.connections, WARMUP, pid, None)?;

    let mut plan = Plan::clone(&plan);
    if !matches!(target, Target::Demo) {
        plan.expired = expired_sessions(target, &plan, options.connections, sqlite_file)?;
    }
    let plan = Arc::new(plan);
    let duration = Duration::from_secs(options.seconds);
    let mut memory = Memory {
        start: read_status(pid)?,
        ..Memory::default()
    };
    let run = run_traffic(
        runtime,
        &plan,
        options.connections,
        duration,
        pid,
        Some(&mut memory),
    )?;
    memory.drained = read_status(pid)?;
    // End the setup's session too (a database keeps it otherwise).
    let _ = request(
        port,
        "POST",
        "/api/auth/signout",
        &format!("{}; {}", plan.csrf_cookie, plan.valid),
        &format!("csrfToken={}", plan.csrf_token),
    );
    Ok(report(target, options, &warmup, &run, &memory))
}

/// `next-auth.csrf-token=…` and its token, from a fresh visit.
fn csrf(port: u16) -> Result<(String, String)> {
    let answer = request(port, "GET", "/api/auth/csrf", "", "")?;
    let token = answer.body.split('"').nth(3).unwrap_or_default().to_owned();
    let cookie = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("next-auth.csrf-token="))
        .map(cookie_pair)
        .unwrap_or_default()
        .to_owned();
    if answer.status != 200 || token.is_empty() || cookie.is_empty() {
        return Err(format!("GET /api/auth/csrf answered {}", answer.status));
    }
    Ok((cookie, token))
}

/// Signs in as demo/demo; returns `next-auth.session-token=…`.
fn sign_in(port: u16, csrf_cookie: &str, csrf_token: &str) -> Result<String> {
    let answer = request(
        port,
        "POST",
        "/api/auth/callback/credentials",
        csrf_cookie,
        &format!("csrfToken={csrf_token}&username=demo&password=demo&json=true"),
    )?;
    answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|c| cookie_pair(c).to_owned())
        .ok_or_else(|| {
            format!(
                "signing in as demo/demo set no session cookie ({})",
                answer.status
            )
        })
}

/// next-auth@4's `encode` under the demo's secret (fresh and expired) and under another one,
/// each as `next-auth.session-token=…`.
fn mint_demo_tokens() -> Result<[String; 3]> {
    const SCRIPT: &str = r#"
import { createRequire } from 'node:module';
const require = createRequire(`${process.cwd()}/`);
const { encode } = require('next-auth/jwt');
const token = { name: 'Demo User', email: 'demo@example.com', sub: '1' };
const { SOAK_SECRET: secret, SOAK_OTHER_SECRET: other } = process.env;
console.log(await encode({ token, secret, maxAge: 3600 }));
console.log(await encode({ token, secret, maxAge: -3600 }));
console.log(await encode({ token, secret: other, maxAge: 3600 }));
"#;
    let output = Command::new("node")
        .args(["--input-type=module", "-e", SCRIPT])
        .current_dir(workspace_root().join("tests/interop/clients/v4"))
        .env("SOAK_SECRET", SECRET)
        .env("SOAK_OTHER_SECRET", OTHER_SECRET)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tokens: Vec<String> = stdout
        .lines()
        .map(|t| format!("{SESSION_COOKIE}={}", t.trim()))
        .collect();
    match <[String; 3]>::try_from(tokens) {
        Ok(tokens) if output.status.success() => Ok(tokens),
        _ => Err(format!(
            "next-auth's encode failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// `count` real sessions (signed in as demo/demo), then expired in the database itself.
fn expired_sessions(
    target: Target,
    plan: &Plan,
    count: usize,
    sqlite_file: &Path,
) -> Result<Vec<String>> {
    let mut cookies = Vec::with_capacity(count);
    for _ in 0..count {
        cookies.push(sign_in(plan.port, &plan.csrf_cookie, &plan.csrf_token)?);
    }
    let tokens: Vec<&str> = cookies
        .iter()
        .map(|c| c.split_once('=').map_or("", |(_, v)| v))
        .collect();
    if let Some(bad) = tokens
        .iter()
        .find(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    {
        return Err(format!(
            "a database session token is not a UUID ({} characters)",
            bad.len()
        ));
    }
    let updated = match target {
        Target::Sqlite => {
            // Keeps the adapter's text format: only the year changes (to 2000).
            const SCRIPT: &str = r#"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    cursor = db.executemany(
        'UPDATE sessions SET expires = \'2000\' || substr(expires, 5) WHERE "sessionToken" = ?',
        [(t,) for t in sys.argv[2:]],
    )
print(cursor.rowcount)
"#;
            let mut command = Command::new("python3");
            command.args(["-c", SCRIPT]).arg(sqlite_file).args(&tokens);
            command_output(command, "python3 (sqlite3)")?
        }
        Target::Postgres => {
            let list: Vec<String> = tokens.iter().map(|t| format!("'{t}'")).collect();
            let sql = format!(
                "UPDATE sessions SET expires = now() - interval '1 hour' \
                 WHERE \"sessionToken\" IN ({})",
                list.join(",")
            );
            let mut command = Command::new("psql");
            command.args([POSTGRES_URL, "-qtA", "-v", "ON_ERROR_STOP=1", "-c", &sql]);
            // psql -qtA prints nothing for an UPDATE; count the rows back instead.
            command_output(command, "psql")?;
            let count_sql = format!(
                "SELECT count(*) FROM sessions WHERE expires < now() AND \"sessionToken\" IN ({})",
                list.join(",")
            );
            let mut command = Command::new("psql");
            command.args([
                POSTGRES_URL,
                "-qtA",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &count_sql,
            ]);
            command_output(command, "psql")?
        }
        Target::Demo => return Err("the demo has no database".to_owned()),
    };
    if updated.trim() != count.to_string() {
        return Err(format!(
            "expired {} of {count} sessions in the database",
            updated.trim()
        ));
    }
    Ok(cookies)
}

fn command_output(mut command: Command, name: &str) -> Result<String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Raises the soft open-files limit to what client and server need (the server inherits it),
/// up to the hard limit, with util-linux's `prlimit` on this process.
fn raise_open_files_limit(connections: usize) -> Result {
    let needed = connections as u64 + SPARE_FILES;
    let (soft, hard) = open_files_limit()?;
    if soft >= needed {
        return Ok(());
    }
    if hard >= needed {
        let _ = Command::new("prlimit")
            .arg(format!("--pid={}", std::process::id()))
            .arg(format!("--nofile={needed}:{hard}"))
            .status();
        let (soft, _) = open_files_limit()?;
        if soft >= needed {
            println!("raised the open-files limit from {soft} to {needed}");
            return Ok(());
        }
    }
    Err(format!(
        "the open-files limit is {soft} (hard {hard}); {connections} connections need at \
         least {needed} on each side: run `ulimit -n {needed}` (as root if the hard limit is \
         lower) and try again, or pass a smaller `--connections`"
    ))
}

/// The soft and hard `Max open files` of this process (`/proc/self/limits`).
fn open_files_limit() -> Result<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits")
        .map_err(|e| format!("cannot read /proc/self/limits: {e}"))?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .ok_or("no `Max open files` in /proc/self/limits")?;
    let mut numbers = line["Max open files".len()..].split_whitespace().map(|n| {
        if n == "unlimited" {
            Some(u64::MAX)
        } else {
            n.parse().ok()
        }
    });
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(soft), Some(hard)) => Ok((soft, hard)),
        _ => Err(format!("cannot read the open-files limit: {line}")),
    }
}

/// The server's memory at one moment, from `/proc/<pid>/status`, in kB, and the CPU time
/// the server and this client have used so far, in clock ticks.
#[derive(Clone, Copy, Default)]
struct ProcStatus {
    rss_kb: u64,
    hwm_kb: u64,
    threads: u64,
    server_ticks: u64,
    client_ticks: u64,
}

/// User plus system CPU time of a process in clock ticks (`/proc/<pid>/stat`, fields 14, 15).
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which ends at the last `)`: state is field 3.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    field(14).unwrap_or(0) + field(15).unwrap_or(0)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when it cannot be asked).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

fn read_status(pid: u32) -> Result<ProcStatus> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status (did the server exit?): {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok(ProcStatus {
        rss_kb: field("VmRSS:")?,
        hwm_kb: field("VmHWM:")?,
        threads: field("Threads:")?,
        server_ticks: cpu_ticks(&pid.to_string()),
        client_ticks: cpu_ticks("self"),
    })
}

/// RSS samples of one run: after the warm-up, at 10 s, at the deadline, after the drain.
#[derive(Default)]
struct Memory {
    start: ProcStatus,
    middle: ProcStatus,
    middle_at: u64,
    end: ProcStatus,
    drained: ProcStatus,
}

/// The outcome of a run: counters shared by every connection.
struct Stats {
    /// Per kind: 2xx, 3xx, 4xx (not 429), 429, 5xx, wrong answer, socket error, sent.
    kinds: [[AtomicU64; 8]; Kind::ALL.len()],
    connect: AtomicU64,
    write: AtomicU64,
    read: AtomicU64,
    timeout: AtomicU64,
    /// Answers with `Connection: close` (or close-delimited): the next request reconnects.
    closed_by_server: AtomicU64,
    /// Latency buckets: bucket `i` holds answers in [2^i, 2^(i+1)) µs.
    latency: [AtomicU64; 32],
    max_latency_us: AtomicU64,
    /// The first few kinds of failure, each with how often it happened, described without
    /// any cookie or token.
    samples: Mutex<Vec<(String, u64)>>,
    elapsed: Mutex<Duration>,
}

const WRONG: usize = 5;
const SOCKET: usize = 6;
const SENT: usize = 7;
const MAX_SAMPLES: usize = 12;

#[derive(Clone, Copy)]
enum SocketError {
    Connect,
    Write,
    Read,
    Timeout,
}

impl SocketError {
    fn label(self) -> &'static str {
        match self {
            SocketError::Connect => "connect",
            SocketError::Write => "write",
            SocketError::Read => "read",
            SocketError::Timeout => "timeout (10 s)",
        }
    }
}

impl Stats {
    fn new() -> Stats {
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

    fn count(&self, kind: Kind, column: usize) -> u64 {
        self.kinds[kind.index()][column].load(Ordering::Relaxed)
    }

    fn column(&self, column: usize) -> u64 {
        Kind::ALL.iter().map(|k| self.count(*k, column)).sum()
    }

    /// Requests sent, answered or not.
    fn total_requests(&self) -> u64 {
        self.column(SENT)
    }

    fn socket_errors(&self) -> u64 {
        self.column(SOCKET)
    }

    /// 5xx, wrong answers and socket errors: each one fails the soak.
    fn bad(&self) -> u64 {
        self.column(4) + self.column(WRONG) + self.column(SOCKET)
    }

    fn sample(&self, text: String) {
        let Ok(mut samples) = self.samples.lock() else {
            return;
        };
        if let Some((_, count)) = samples.iter_mut().find(|(seen, _)| *seen == text) {
            *count += 1;
        } else if samples.len() < MAX_SAMPLES {
            samples.push((text, 1));
        }
    }

    fn samples_text(&self) -> String {
        self.samples
            .lock()
            .map(|s| {
                s.iter()
                    .map(|(text, count)| format!("  - {count} × {text}\n"))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn record_answer(&self, kind: Kind, answer: &Answer, latency: Duration) {
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

    fn record_error(&self, kind: Kind, error: SocketError, detail: &str) {
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
    fn quantile_ms(&self, q: f64) -> f64 {
        let max_ms = self.max_latency_us.load(Ordering::Relaxed) as f64 / 1000.0;
        self.bucket_top_ms(q).min(max_ms)
    }

    fn bucket_top_ms(&self, q: f64) -> f64 {
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

/// An HTTP/1.1 answer, read whole.
struct Answer {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
    /// The server ends the connection after this answer.
    close: bool,
}

impl Answer {
    /// The start of the body for a failure report; a CSRF token is never shown.
    fn shown_body(&self) -> String {
        if self.body.contains("csrfToken") {
            format!("({} bytes with a csrfToken, not shown)", self.body.len())
        } else {
            self.body.chars().take(300).collect()
        }
    }

    /// `next-auth.session-token=…` when this answer sets a non-empty one.
    fn session_cookie(&self) -> Option<&str> {
        self.set_cookies.iter().map(|c| cookie_pair(c)).find(|c| {
            c.len() > SESSION_COOKIE.len() + 1 && c.starts_with(&format!("{SESSION_COOKIE}="))
        })
    }
}

enum Parsed {
    /// More bytes are needed.
    Incomplete,
    /// The answer and how many bytes of the buffer it took.
    Complete(Answer, usize),
    Invalid(String),
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses one answer at the start of `buffer`; `eof` when the server has closed its side
/// (the end of a close-delimited body).
fn parse_answer(buffer: &[u8], eof: bool) -> Parsed {
    const MAX_HEAD: usize = 64 * 1024;
    let Some(head_len) = find(buffer, b"\r\n\r\n").map(|i| i + 4) else {
        return if buffer.len() > MAX_HEAD {
            Parsed::Invalid("answer head over 64 KiB".to_owned())
        } else {
            Parsed::Incomplete
        };
    };
    let Ok(head) = std::str::from_utf8(&buffer[..head_len]) else {
        return Parsed::Invalid("answer head is not UTF-8".to_owned());
    };
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or_default();
    let Some(status) = parts.next().and_then(|s| s.parse::<u16>().ok()) else {
        return Parsed::Invalid(format!("bad status line {status_line:?}"));
    };
    let mut length = None;
    let mut chunked = false;
    let mut close = version == "HTTP/1.0";
    let mut set_cookies = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Parsed::Invalid(format!("bad header line {line:?}"));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => match value.parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => return Parsed::Invalid(format!("bad content-length {value:?}")),
            },
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            "set-cookie" => set_cookies.push(value.to_owned()),
            _ => {}
        }
    }
    let answer = |body: &[u8], close: bool| Answer {
        status,
        set_cookies: set_cookies.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
        close,
    };
    if status < 200 || status == 204 || status == 304 {
        return Parsed::Complete(answer(&[], close), head_len);
    }
    if chunked {
        let mut body = Vec::new();
        let mut at = head_len;
        loop {
            let Some(line_len) = find(&buffer[at..], b"\r\n") else {
                return Parsed::Incomplete;
            };
            let size_text = std::str::from_utf8(&buffer[at..at + line_len])
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim();
            let Ok(size) = usize::from_str_radix(size_text, 16) else {
                return Parsed::Invalid(format!("bad chunk size {size_text:?}"));
            };
            let data = at + line_len + 2;
            if size == 0 {
                // Trailers (none expected) end with an empty line.
                return match find(&buffer[data - 2..], b"\r\n\r\n") {
                    Some(end) => Parsed::Complete(answer(&body, close), data - 2 + end + 4),
                    None => Parsed::Incomplete,
                };
            }
            if buffer.len() < data + size + 2 {
                return Parsed::Incomplete;
            }
            body.extend_from_slice(&buffer[data..data + size]);
            at = data + size + 2;
        }
    }
    match length {
        Some(n) if buffer.len() >= head_len + n => {
            Parsed::Complete(answer(&buffer[head_len..head_len + n], close), head_len + n)
        }
        Some(_) => Parsed::Incomplete,
        // No length: the body runs to the end of the connection.
        None if eof => Parsed::Complete(answer(&buffer[head_len..], true), buffer.len()),
        None => Parsed::Incomplete,
    }
}

/// One keep-alive connection and the bytes read past the last answer.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn read_answer(&mut self) -> std::result::Result<Answer, (SocketError, String)> {
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
async fn exchange(
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

fn http_request(port: u16, method: &str, path: &str, cookie: &str, form: &str) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    if !cookie.is_empty() {
        let _ = write!(head, "Cookie: {cookie}\r\n");
    }
    if method == "POST" {
        let _ = write!(
            head,
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        );
    }
    head.push_str("\r\n");
    head.push_str(form);
    head.into_bytes()
}

/// One connection's loop over the mix: until `deadline`, or one pass when there is none.
async fn connection(id: usize, plan: Arc<Plan>, stats: Arc<Stats>, deadline: Option<Instant>) {
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
                        session = answer.session_cookie().map(str::to_owned);
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
fn run_traffic(
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

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn report(
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

    fn complete(buffer: &[u8], eof: bool) -> (Answer, usize) {
        match parse_answer(buffer, eof) {
            Parsed::Complete(answer, used) => (answer, used),
            Parsed::Incomplete => panic!("incomplete"),
            Parsed::Invalid(why) => panic!("invalid: {why}"),
        }
    }

    #[test]
    fn reads_a_content_length_answer_and_leaves_the_next_one() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nset-cookie: a=1; Path=/\r\n\
                    set-cookie: next-auth.session-token=xyz; Path=/\r\n\r\n{}HTTP/1.1";
        let (answer, used) = complete(raw, false);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, "{}");
        assert!(!answer.close);
        assert_eq!(answer.session_cookie(), Some("next-auth.session-token=xyz"));
        assert_eq!(&raw[used..], b"HTTP/1.1");
        assert!(matches!(
            parse_answer(&raw[..raw.len() - 10], false),
            Parsed::Incomplete
        ));
    }

    #[test]
    fn reads_a_chunked_answer_only_when_its_last_chunk_is_in() {
        let raw = b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\
                    Connection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let (answer, used) = complete(raw, false);
        assert_eq!((answer.status, answer.body.as_str()), (500, "abcde"));
        assert!(answer.close);
        assert_eq!(used, raw.len());
        for cut in 1..raw.len() {
            assert!(
                matches!(parse_answer(&raw[..cut], false), Parsed::Incomplete),
                "complete after {cut} bytes"
            );
        }
    }

    #[test]
    fn a_body_without_length_runs_to_the_end_of_the_connection() {
        let raw = b"HTTP/1.1 200 OK\r\n\r\nhello";
        assert!(matches!(parse_answer(raw, false), Parsed::Incomplete));
        let (answer, _) = complete(raw, true);
        assert_eq!(answer.body, "hello");
        assert!(answer.close);
    }

    #[test]
    fn a_cleared_session_cookie_is_no_session_but_ends_one() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\
                    set-cookie: next-auth.session-token=; Max-Age=0\r\n\r\n";
        let (answer, _) = complete(raw, false);
        assert_eq!(answer.session_cookie(), None);
        assert!(Kind::SignOut.expected(&answer));
        assert!(!Kind::SignIn.expected(&answer));
    }

    #[test]
    fn a_5xx_or_a_wrong_answer_counts_as_bad_and_a_throttled_sign_in_does_not() {
        let stats = Stats::new();
        let answer = |status: &str, body: &str| {
            let raw = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            complete(raw.as_bytes(), false).0
        };
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

    #[test]
    fn reads_the_options() {
        let args: Vec<String> = ["--seconds", "5", "--connections", "8"]
            .map(String::from)
            .to_vec();
        let options = parse_options(&args).expect("parsed");
        assert_eq!((options.seconds, options.connections), (5, 8));
        assert!(parse_options(&["--seconds".to_owned()]).is_err());
        assert!(parse_options(&["--seconds".to_owned(), "0".to_owned()]).is_err());
        assert!(parse_options(&["--bogus".to_owned(), "1".to_owned()]).is_err());
    }
}
