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

mod mix;
mod setup;
mod stats;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use auth_test_support::DEFAULT_POSTGRES_URL;

use crate::http::request;
use crate::{
    Result, Server, cargo, ensure_postgres, free_port, npm_ci, release_binary, step, wait_for,
    workspace_root,
};
use mix::{Kind, Plan, connection, run_traffic};
use setup::{csrf, expired_sessions, mint_demo_tokens, raise_open_files_limit, sign_in};
use stats::{Memory, Report, Stats, read_status, report};

/// The secret the servers sign with (a soak test, not a deployment).
const SECRET: &str = "xtask-soak-secret-0123456789abcdef0123456789abcdef";
/// Another secret: a token encrypted under it is garbage to the servers.
const OTHER_SECRET: &str = "xtask-soak-other-secret-fedcba9876543210fedcba98765";
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

fn soak_one(
    runtime: &tokio::runtime::Runtime,
    target: Target,
    options: &Options,
) -> Result<Report> {
    let sqlite_file = std::env::temp_dir().join(format!("auth-soak-{}.db", std::process::id()));
    let database_url = match target {
        Target::Demo => None,
        Target::Sqlite => Some(format!("sqlite://{}?mode=rwc", sqlite_file.display())),
        Target::Postgres => Some(DEFAULT_POSTGRES_URL.to_owned()),
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

#[cfg(test)]
mod tests {
    use super::*;

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
