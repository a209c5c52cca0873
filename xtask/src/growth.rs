//! `cargo xtask growth`: issue 16's "how cost grows": instructions per request, counted by
//! callgrind, as the data grows, one table per dimension.
//!
//! Each case runs a release binary under `valgrind --tool=callgrind`; one keep-alive client
//! sends 100 warm-up requests, `callgrind_control -d` dumps (which also zeroes the counters),
//! the client sends 1,000 more and callgrind dumps again: that second dump's total, every
//! thread of the process, over 1,000 is the case's count (`docs/PERFORMANCE.md`, "Where the
//! time goes"). Instruction counts do not move with other load on the machine. The dimensions:
//!
//! - providers declared, 1, 10 and 40 (`examples/bench_growth.rs`, `GROWTH_PROVIDERS`): the
//!   signed-in `GET /session`, a credentials sign-in, starting GitHub's OAuth flow, and, for
//!   information, `GET /providers` and `GET /signin`, which list every provider;
//! - session rows, 10 thousand, 100 thousand and 1 million (`examples/database.rs` on a fresh
//!   SQLite file and on a database of its own on the machine's PostgreSQL, filler users and
//!   sessions inserted with SQL, then `ANALYZE`): the signed-in `GET /session`. On PostgreSQL
//!   only our process is counted, not the database server's work;
//! - session cookie chunks, 1, 2 and 4 (`bench_growth` with `GROWTH_TOKEN_BYTES` of custom
//!   session data): the signed-in `GET /session`, which re-sets every chunk.

use std::env;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auth_test_support::DEFAULT_POSTGRES_URL;

use crate::http::{self, Answer, Parsed, cookie_pair, parse_answer, request, request_bytes};
use crate::{Result, Server, cargo, free_port, release_binary, step, wait_for};

/// The secret every server signs its cookies with (a benchmark, not a deployment).
const SECRET: &str = "xtask-growth-secret-0123456789abcdef0123456789abcdef";
const BASE: &str = "/api/auth";
const SESSION_COOKIE: &str = "next-auth.session-token";
/// Requests before the first dump: connection set-up, lazy initialisation, warm caches.
const WARM_UP: usize = 100;
/// Requests between the two dumps.
const MEASURED: usize = 1_000;

/// The provider counts `examples/bench_growth.rs` declares blocks for.
const PROVIDER_COUNTS: [usize; 3] = [1, 10, 40];
/// Filler sessions (each with its own user) in the store, in order: each case adds to the last.
const SESSION_ROWS: [u64; 3] = [10_000, 100_000, 1_000_000];
/// Filler user ids start above this, so the demo user, made first, keeps its id and the
/// fillers of every case are one range (PostgreSQL's `SERIAL` is a 32-bit integer).
const FILLER_ID_BASE: u64 = 1_000_000_000;
/// Custom session data (`GROWTH_TOKEN_BYTES`) for a session cookie of 1, 2 and 4 chunks of at
/// most 3,933 characters: a token of about 300 characters grows by 4/3 of a character per byte.
const TOKEN_FILLER: [(usize, usize); 3] = [(1, 0), (2, 4_200), (4, 10_100)];

/// One measured case: the request (its ratio is taken to the first case of the same request)
/// and what grew.
struct Measured {
    request: String,
    case: String,
    per_request: f64,
}

pub fn growth() -> Result {
    let started = Instant::now();
    crate::ensure_tool("valgrind", "--version", "valgrind")?;
    crate::ensure_tool("callgrind_control", "--version", "valgrind")?;
    crate::ensure_tool("sqlite3", "--version", "sqlite3")?;
    cargo(&[
        "build",
        "--release",
        "--example",
        "bench_growth",
        "--example",
        "database",
    ])?;
    super::ensure_postgres()?;

    let providers = providers()?;
    let rows = session_rows()?;
    let chunks = cookie_chunks()?;

    println!(
        "\ninstructions per request (callgrind, every thread of the server; {WARM_UP} warm-up \
         requests, then {MEASURED} measured on one keep-alive connection)"
    );
    print_table("providers declared", "providers", &providers);
    print_table("session rows (database sessions)", "filler sessions", &rows);
    println!(
        "\nOn PostgreSQL only the example's process is counted, not PostgreSQL's own work on the query."
    );
    print_table("session cookie chunks (JWT sessions)", "chunks", &chunks);
    let elapsed = started.elapsed().as_secs();
    println!(
        "\ncargo xtask growth took {} min {} s",
        elapsed / 60,
        elapsed % 60
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The dimensions

fn providers() -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for count in PROVIDER_COUNTS {
        step(&format!("{count} provider(s) declared, under callgrind"));
        let mut server = Profiled::start(
            &release_binary("bench_growth"),
            &[
                ("GROWTH_PROVIDERS", count.to_string()),
                ("GROWTH_TOKEN_BYTES", "0".to_owned()),
            ],
        )?;
        let jar = sign_in(server.port)?;
        let sign_in_form = format!(
            "csrfToken={}&username=demo&password=demo&json=true",
            jar.token
        );
        let mut probes = vec![
            signed_in_session(&jar, 1),
            Probe {
                label: "POST /callback/credentials (sign-in)",
                method: "POST",
                path: format!("{BASE}/callback/credentials"),
                cookie: jar.visit.clone(),
                form: sign_in_form,
                expect: Box::new(|a| a.status == 200 && a.set_cookie(SESSION_COOKIE).is_some()),
            },
        ];
        // The 1-provider block has only the credentials: no OAuth flow to start.
        if count > 1 {
            probes.push(Probe {
                label: "POST /signin/github (starts OAuth)",
                method: "POST",
                path: format!("{BASE}/signin/github"),
                cookie: jar.visit.clone(),
                form: format!("csrfToken={}", jar.token),
                expect: Box::new(|a| {
                    a.status == 302
                        && a.header("location").is_some_and(|l| {
                            l.starts_with("https://github.com/login/oauth/authorize?")
                        })
                }),
            });
        }
        probes.push(Probe {
            label: "GET /providers (lists every provider)",
            method: "GET",
            path: format!("{BASE}/providers"),
            cookie: String::new(),
            form: String::new(),
            expect: Box::new(|a| a.status == 200),
        });
        probes.push(Probe {
            label: "GET /signin (page, lists every provider)",
            method: "GET",
            path: format!("{BASE}/signin"),
            cookie: String::new(),
            form: String::new(),
            expect: Box::new(|a| a.status == 200),
        });
        let listed = request(server.port, "GET", &format!("{BASE}/providers"), "", "")?;
        let declared = listed.body.matches("\"signinUrl\"").count();
        if declared != count {
            return Err(format!(
                "GROWTH_PROVIDERS={count}: /providers lists {declared} providers"
            ));
        }
        for probe in &probes {
            let per_request = server.per_request(probe)?;
            println!(
                "  {:<44} {:>10.0} instructions/request",
                probe.label, per_request
            );
            measured.push(Measured {
                request: probe.label.to_owned(),
                case: count.to_string(),
                per_request,
            });
        }
    }
    Ok(measured)
}

fn session_rows() -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for store in [Store::sqlite()?, Store::postgres()?] {
        step(&format!(
            "{}: the schema and the demo user, then filler sessions",
            store.label()
        ));
        // The database example makes the schema; a first sign-in makes the demo user, so that
        // its id is below the fillers'.
        {
            let port = free_port()?;
            let child = Command::new(release_binary("database"))
                .env("DATABASE_URL", &store.url)
                .env("PORT", port.to_string())
                .env("NEXTAUTH_SECRET", SECRET)
                .env_remove("NEXTAUTH_URL")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| format!("cannot start the database example: {e}"))?;
            let _server = Server(child);
            wait_for(port)?;
            sign_in(port)?;
        }
        let mut seeded = 0;
        for rows in SESSION_ROWS {
            let started = Instant::now();
            store.seed(seeded, rows)?;
            seeded = rows;
            let total = store.sessions()?;
            println!(
                "  {} filler sessions seeded and analysed in {:.1} s ({total} rows in sessions)",
                thousands(rows),
                started.elapsed().as_secs_f64()
            );
            let mut server = Profiled::start(
                &release_binary("database"),
                &[("DATABASE_URL", store.url.clone())],
            )?;
            let jar = sign_in(server.port)?;
            let per_request = server.per_request(&signed_in_session(&jar, 1))?;
            println!(
                "  {} filler sessions: GET /session {per_request:.0} instructions/request",
                thousands(rows)
            );
            measured.push(Measured {
                request: format!("{}, GET /session signed in", store.label()),
                case: thousands(rows),
                per_request,
            });
        }
    }
    Ok(measured)
}

fn cookie_chunks() -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for (chunks, filler) in TOKEN_FILLER {
        step(&format!(
            "a session cookie of {chunks} chunk(s) ({filler} bytes of session data), under callgrind"
        ));
        let mut server = Profiled::start(
            &release_binary("bench_growth"),
            &[
                ("GROWTH_PROVIDERS", "1".to_owned()),
                ("GROWTH_TOKEN_BYTES", filler.to_string()),
            ],
        )?;
        let jar = sign_in(server.port)?;
        if jar.session.len() != chunks {
            return Err(format!(
                "{filler} bytes of session data made {} session cookie(s), not {chunks}: \
                 adjust TOKEN_FILLER",
                jar.session.len()
            ));
        }
        let token_chars: usize = jar
            .session
            .iter()
            .map(|c| c.split_once('=').map_or(0, |(_, v)| v.len()))
            .sum();
        let per_request = server.per_request(&signed_in_session(&jar, chunks))?;
        println!("  {chunks} chunk(s): GET /session {per_request:.0} instructions/request");
        measured.push(Measured {
            request: "GET /session signed in (re-sets every chunk)".to_owned(),
            case: format!(
                "{chunks} (token {} characters)",
                thousands(token_chars as u64)
            ),
            per_request,
        });
    }
    Ok(measured)
}

// ---------------------------------------------------------------------------------------------
// Requests

/// A signed-in visitor: the cookies of its first `/csrf` visit, the CSRF token, and the
/// session cookie (its chunks, when it is split) from signing in as demo/demo.
struct Jar {
    visit: String,
    token: String,
    session: Vec<String>,
}

impl Jar {
    /// Every cookie a browser sends once signed in.
    fn signed_in(&self) -> String {
        format!("{}; {}", self.visit, self.session.join("; "))
    }
}

fn sign_in(port: u16) -> Result<Jar> {
    let visit = http::csrf(port, BASE)?;
    let cookies = visit.cookie_header();
    let answer = request(
        port,
        "POST",
        &format!("{BASE}/callback/credentials"),
        &cookies,
        &format!(
            "csrfToken={}&username=demo&password=demo&json=true",
            visit.token
        ),
    )?;
    let session = session_cookies(&answer);
    if answer.status != 200 || session.is_empty() {
        return Err(format!(
            "signing in as demo answered {} without a session cookie: {}",
            answer.status,
            answer.shown_body()
        ));
    }
    Ok(Jar {
        visit: cookies,
        token: visit.token,
        session,
    })
}

/// The session cookie's `name=value` pairs the answer sets: one, or its chunks `.0`, `.1`, ….
fn session_cookies(answer: &Answer) -> Vec<String> {
    answer
        .set_cookies()
        .into_iter()
        .map(cookie_pair)
        .filter(|pair| {
            pair.split_once('=').is_some_and(|(name, value)| {
                !value.is_empty()
                    && (name == SESSION_COOKIE
                        || name
                            .strip_prefix(SESSION_COOKIE)
                            .and_then(|rest| rest.strip_prefix('.'))
                            .is_some_and(|n| n.parse::<u8>().is_ok()))
            })
        })
        .map(str::to_owned)
        .collect()
}

/// One request, sent again and again, and what each answer must be.
struct Probe {
    label: &'static str,
    method: &'static str,
    path: String,
    cookie: String,
    form: String,
    expect: Box<dyn Fn(&Answer) -> bool>,
}

/// The signed-in `GET /session`: it names the user and re-sets the session cookie's `chunks`.
fn signed_in_session(jar: &Jar, chunks: usize) -> Probe {
    Probe {
        label: "GET /session, signed in (rolling)",
        method: "GET",
        path: format!("{BASE}/session"),
        cookie: jar.signed_in(),
        form: String::new(),
        expect: Box::new(move |a| {
            a.status == 200 && a.body.contains("Demo User") && session_cookies(a).len() == chunks
        }),
    }
}

/// One keep-alive HTTP/1.1 connection, opened again when the server closes it.
struct KeepAlive {
    port: u16,
    stream: Option<TcpStream>,
    buffer: Vec<u8>,
}

impl KeepAlive {
    fn new(port: u16) -> KeepAlive {
        KeepAlive {
            port,
            stream: None,
            buffer: Vec::new(),
        }
    }

    fn send(&mut self, probe: &Probe) -> Result<Answer> {
        let bytes = request_bytes(
            self.port,
            probe.method,
            &probe.path,
            &probe.cookie,
            &probe.form,
            false,
        );
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
                let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
                    .map_err(|e| format!("connect: {e}"))?;
                // Under valgrind a request takes some fifty times longer.
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .map_err(|e| e.to_string())?;
                self.buffer.clear();
                self.stream.insert(stream)
            }
        };
        stream.write_all(&bytes).map_err(|e| e.to_string())?;
        let mut chunk = [0_u8; 16 * 1024];
        let mut eof = false;
        loop {
            match parse_answer(&self.buffer, eof) {
                Parsed::Complete(answer, used) => {
                    self.buffer.drain(..used);
                    if answer.close {
                        self.stream = None;
                    }
                    return Ok(answer);
                }
                Parsed::Invalid(why) => {
                    return Err(format!("{} {}: {why}", probe.method, probe.path));
                }
                Parsed::Incomplete if eof => {
                    self.stream = None;
                    return Err(format!(
                        "{} {}: the answer ended early",
                        probe.method, probe.path
                    ));
                }
                Parsed::Incomplete => {
                    let read = stream
                        .read(&mut chunk)
                        .map_err(|e| format!("{} {}: read: {e}", probe.method, probe.path))?;
                    eof = read == 0;
                    self.buffer.extend_from_slice(&chunk[..read]);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Callgrind

/// A server under `valgrind --tool=callgrind`; its dump files are removed when it is dropped.
struct Profiled {
    server: Server,
    port: u16,
    out: PathBuf,
    dumps: u32,
}

impl Profiled {
    fn start(binary: &Path, envs: &[(&str, String)]) -> Result<Profiled> {
        let port = free_port()?;
        let out = env::temp_dir().join(format!(
            "auth-growth-{}-{port}.callgrind",
            std::process::id()
        ));
        let child = Command::new("valgrind")
            .args(["--tool=callgrind", "--quiet"])
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(binary)
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .env("PORT", port.to_string())
            .env("NEXTAUTH_SECRET", SECRET)
            .env_remove("NEXTAUTH_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {} under valgrind: {e}", binary.display()))?;
        let profiled = Profiled {
            server: Server(child),
            port,
            out,
            dumps: 0,
        };
        wait_for(port)?;
        Ok(profiled)
    }

    /// `callgrind_control -d`: the instructions since the previous dump (a dump zeroes the
    /// counters), every thread.
    fn dump(&mut self) -> Result<u64> {
        let pid = self.server.0.id().to_string();
        let output = Command::new("callgrind_control")
            .args(["-d", &pid])
            .output()
            .map_err(|e| format!("cannot run callgrind_control: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "callgrind_control -d {pid} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        self.dumps += 1;
        let file = PathBuf::from(format!("{}.{}", self.out.display(), self.dumps));
        let started = Instant::now();
        loop {
            if let Some(total) = std::fs::read_to_string(&file)
                .ok()
                .as_deref()
                .and_then(total_instructions)
            {
                return Ok(total);
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("no complete callgrind dump in {}", file.display()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `probe`'s instructions per request: [`WARM_UP`] requests, a dump, [`MEASURED`]
    /// requests, a dump; every answer checked.
    fn per_request(&mut self, probe: &Probe) -> Result<f64> {
        let mut client = KeepAlive::new(self.port);
        let mut send = |n: usize| -> Result {
            for _ in 0..n {
                let answer = client.send(probe)?;
                if !(probe.expect)(&answer) {
                    return Err(format!(
                        "{} {} answered {} unexpectedly: {}",
                        probe.method,
                        probe.path,
                        answer.status,
                        answer.shown_body()
                    ));
                }
            }
            Ok(())
        };
        send(WARM_UP)?;
        self.dump()?;
        send(MEASURED)?;
        Ok(self.dump()? as f64 / MEASURED as f64)
    }
}

impl Drop for Profiled {
    fn drop(&mut self) {
        super::stop(&mut self.server.0);
        let _ = std::fs::remove_file(&self.out);
        for n in 1..=self.dumps {
            let _ = std::fs::remove_file(format!("{}.{n}", self.out.display()));
        }
    }
}

/// The `totals:` (or `summary:`) line of a callgrind dump: its instructions.
fn total_instructions(dump: &str) -> Option<u64> {
    dump.lines().find_map(|line| {
        line.strip_prefix("totals:")
            .or_else(|| line.strip_prefix("summary:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    })
}

// ---------------------------------------------------------------------------------------------
// Stores

/// The database example's store for the session-rows cases, removed when dropped: a fresh
/// SQLite file, or a database of its own on the machine's PostgreSQL (the tests' `auth_test`
/// is never touched).
struct Store {
    url: String,
    kind: StoreKind,
}

enum StoreKind {
    Sqlite(PathBuf),
    /// The database's name, and the URL of the tests' database to create and drop it from.
    Postgres {
        name: String,
        admin_url: String,
    },
}

impl Store {
    fn sqlite() -> Result<Store> {
        let file = env::temp_dir().join(format!("auth-growth-{}.db", std::process::id()));
        remove_sqlite(&file);
        Ok(Store {
            url: format!("sqlite://{}?mode=rwc", file.display()),
            kind: StoreKind::Sqlite(file),
        })
    }

    fn postgres() -> Result<Store> {
        let name = "auth_growth".to_owned();
        Ok(Store {
            url: fresh_postgres_database(&name)?,
            kind: StoreKind::Postgres {
                name,
                admin_url: DEFAULT_POSTGRES_URL.to_owned(),
            },
        })
    }

    fn label(&self) -> &'static str {
        match self.kind {
            StoreKind::Sqlite(_) => "SQLite",
            StoreKind::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Adds filler users `from..to`, each with one session, then `ANALYZE`s.
    fn seed(&self, from: u64, to: u64) -> Result {
        let (first, last) = (FILLER_ID_BASE + from, FILLER_ID_BASE + to - 1);
        match &self.kind {
            // A session token is a UUID, 36 characters; the fillers' expiry is the demo's. The
            // checkpoint empties the WAL, so that every case reads its pages from the file.
            StoreKind::Sqlite(file) => sqlite3(
                file,
                &format!(
                    "BEGIN;
                     WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last})
                     INSERT INTO users (id, name, email)
                     SELECT i, 'Filler ' || i, 'filler-' || i || '@example.com' FROM n;
                     INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
                     SELECT id, (SELECT max(expires) FROM sessions), lower(hex(randomblob(18)))
                     FROM users WHERE id BETWEEN {first} AND {last};
                     COMMIT;
                     ANALYZE;
                     PRAGMA wal_checkpoint(TRUNCATE);"
                ),
            )
            .map(drop),
            StoreKind::Postgres { .. } => psql(
                &self.url,
                &format!(
                    "BEGIN;
                     INSERT INTO users (id, name, email)
                     SELECT i, 'Filler ' || i, 'filler-' || i || '@example.com'
                     FROM generate_series({first}, {last}) AS i;
                     INSERT INTO sessions (\"userId\", expires, \"sessionToken\")
                     SELECT i, now() + interval '30 days', gen_random_uuid()::text
                     FROM generate_series({first}, {last}) AS i;
                     COMMIT;
                     ANALYZE;"
                ),
            )
            .map(drop),
        }
    }

    /// The rows of `sessions`.
    fn sessions(&self) -> Result<u64> {
        let sql = "SELECT count(*) FROM sessions";
        let output = match &self.kind {
            StoreKind::Sqlite(file) => sqlite3(file, sql)?,
            StoreKind::Postgres { .. } => psql(&self.url, sql)?,
        };
        output
            .trim()
            .parse()
            .map_err(|_| format!("cannot read the session count: {output:?}"))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        match &self.kind {
            StoreKind::Sqlite(file) => remove_sqlite(file),
            StoreKind::Postgres { name, admin_url } => {
                let _ = psql(
                    admin_url,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
            }
        }
    }
}

fn remove_sqlite(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

/// The URL of the database `name` on the machine's PostgreSQL (`DEFAULT_POSTGRES_URL`'s server
/// and credentials).
pub(crate) fn postgres_database_url(name: &str) -> String {
    let server = DEFAULT_POSTGRES_URL
        .rsplit_once('/')
        .map_or(DEFAULT_POSTGRES_URL, |(server, _)| server);
    format!("{server}/{name}")
}

/// An empty database `name` on the machine's PostgreSQL (dropped first if it exists, whoever
/// is connected), as a URL.
pub(crate) fn fresh_postgres_database(name: &str) -> Result<String> {
    psql(
        DEFAULT_POSTGRES_URL,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )?;
    psql(DEFAULT_POSTGRES_URL, &format!("CREATE DATABASE {name}"))?;
    Ok(postgres_database_url(name))
}

/// Runs `sql` on the SQLite file with the `sqlite3` shell; its output.
fn sqlite3(file: &Path, sql: &str) -> Result<String> {
    let mut child = Command::new("sqlite3")
        .args(["-bail", "-batch"])
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sqlite3: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("sqlite3 has no stdin")?
        .write_all(sql.as_bytes())
        .map_err(|e| format!("cannot write to sqlite3: {e}"))?;
    finish("sqlite3", child.wait_with_output())
}

/// Runs `sql` with `psql` on the database at `url`; its unaligned output.
pub(crate) fn psql(url: &str, sql: &str) -> Result<String> {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output();
    finish("psql", output)
}

fn finish(program: &str, output: std::io::Result<std::process::Output>) -> Result<String> {
    let output = output.map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// One table: each request's cases in order, with the ratio to its first (smallest) case.
fn print_table(title: &str, case: &str, rows: &[Measured]) {
    println!("\n{title}\n");
    println!("| request | {case} | instructions/request | × smallest |");
    println!("|---|---|---:|---:|");
    for row in rows {
        let smallest = rows
            .iter()
            .find(|r| r.request == row.request)
            .map_or(row.per_request, |r| r.per_request);
        println!(
            "| {} | {} | {} | {:.2} |",
            row.request,
            row.case,
            thousands(row.per_request.round() as u64),
            row.per_request / smallest
        );
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total_of_a_callgrind_dump() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 3018049\n\
                    fn=(1) main\n12 5\ntotals: 3018049\n";
        assert_eq!(total_instructions(dump), Some(3_018_049));
        assert_eq!(total_instructions("events: Ir\n"), None);
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn keeps_only_the_set_session_cookie_and_its_chunks() {
        let answer = |cookies: &[&str]| Answer {
            status: 200,
            headers: cookies
                .iter()
                .map(|c| ("Set-Cookie".to_owned(), (*c).to_owned()))
                .collect(),
            body: String::new(),
            close: false,
        };
        let chunked = answer(&[
            "next-auth.session-token.0=abc; Path=/",
            "next-auth.session-token.1=def; Path=/",
            "next-auth.session-token=; Max-Age=0",
            "next-auth.session-tokens=x",
            "next-auth.csrf-token=y",
        ]);
        assert_eq!(
            session_cookies(&chunked),
            [
                "next-auth.session-token.0=abc",
                "next-auth.session-token.1=def"
            ]
        );
        let whole = answer(&["next-auth.session-token=abc; Path=/"]);
        assert_eq!(session_cookies(&whole), ["next-auth.session-token=abc"]);
    }
}
