//! `cargo xtask <command>`: the one entry point that sets up and runs everything.
//!
//! - `test`: formatting, clippy, every Rust test (unit, integration, trybuild UI, the
//!   expansion snapshot), the demo started for real and driven over HTTP, then the Node
//!   interop suites (next-auth v3 and v4 clients, next-auth's own token functions, a real
//!   Chromium) against the demo and a real OpenID provider.
//! - `bench`: under wrk, pinned to cores: the release demo, Auth.js, a bare-axum baseline, the
//!   database example on SQLite and PostgreSQL (and with the session cache), Auth.js with
//!   `@auth/pg-adapter`, and axum-login; prints req/s, p50, p99, CPU per request (the
//!   server's and PostgreSQL's), peak RSS and the ratios (`docs/PERFORMANCE.md`);
//!   `BENCH_ONLY` picks servers.
//! - `soak [--seconds N] [--connections C]`: mixed auth traffic (default 60 s at 256
//!   keep-alive connections) against the release demo and the database example on SQLite and
//!   PostgreSQL; fails on any 5xx, socket error, wrong answer or growing RSS.
//! - `fuzz --seconds N [target…]`: the cargo-fuzz targets in `fuzz/` (libFuzzer), N seconds
//!   each on one core; prints executions, exec/s, corpus size and crashes per target.
//! - `mutants [--file PATH]…`: cargo-mutants over the security-critical code (or the files
//!   named) with the runtime's own tests; prints the share of viable mutants caught and
//!   every survivor, and fails below 90% (SECURITY.md).
//! - `growth`: instructions per request (callgrind) as the data grows, one table per dimension:
//!   providers declared (1, 10, 40), session rows on SQLite and PostgreSQL (10k, 100k, 1M) and
//!   session cookie chunks (1, 2, 4).

use std::env;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod bench;
mod build_times;
mod chart;
mod fuzz;
mod growth;
mod http;
mod mutants;
mod procstat;
mod soak;

use auth_test_support::{DEFAULT_POSTGRES_URL, peer};
use http::request;

/// Every xtask step fails with the message it prints.
type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("bench") => bench::bench(),
        Some("build-times") => build_times::build_times(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("mutants") => mutants::mutants(&args[1..]),
        Some("soak") => soak::soak(&args[1..]),
        Some("growth") => growth::growth(),
        _ => {
            eprintln!(
                "usage: cargo xtask test | bench | build-times \
                 | soak [--seconds N] [--connections C] | fuzz --seconds N [target…] \
                 | mutants [--file PATH]… | growth"
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The cargo that runs xtask (`$CARGO`), for the cargo subcommands it starts.
fn cargo_program() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn cargo(args: &[&str]) -> Result {
    step(&format!("cargo {}", args.join(" ")));
    let status = Command::new(cargo_program())
        .args(args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

fn step(what: &str) {
    println!("\n==> {what}");
}

fn test() -> Result {
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    ensure_postgres()?;
    install_test_peers()?;
    // Before the tests: `tests/faults_under_load.rs` runs the database example's binary, which
    // `cargo test --all-targets` does not build (it builds examples as test harnesses).
    cargo(&["build", "--example", "demo", "--example", "database"])?;
    cargo(&["test", "--workspace", "--all-targets"])?;
    cargo(&["test", "--workspace", "--doc"])?;
    demo_smoke("demo", &[])?;
    // The database example: no setup (a SQLite file), then the machine's PostgreSQL.
    let sqlite_file = env::temp_dir().join(format!("auth-xtask-{}.db", std::process::id()));
    let sqlite = format!("sqlite://{}?mode=rwc", sqlite_file.display());
    demo_smoke("database", &[("DATABASE_URL", sqlite.clone())])?;
    database_sessions_across_processes(&sqlite)?;
    session_list_across_processes(&sqlite)?;
    let _ = std::fs::remove_file(&sqlite_file);
    let postgres = DEFAULT_POSTGRES_URL.to_owned();
    demo_smoke("database", &[("DATABASE_URL", postgres.clone())])?;
    database_sessions_across_processes(&postgres)?;
    session_list_across_processes(&postgres)?;
    interop()?;
    println!("\nxtask: every test passed");
    Ok(())
}

/// The machine's PostgreSQL for the adapter tests: started when it is installed but down, with
/// the `postgres` role's password and the `auth_test` database the tests connect to.
fn ensure_postgres() -> Result {
    step("PostgreSQL for the adapter tests");
    let clusters = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .map_err(|_| {
            "PostgreSQL is not installed (no pg_lsclusters): install Debian's `postgresql` \
             package, or point DATABASE_URL_POSTGRES at a server"
                .to_owned()
        })?;
    let listing = String::from_utf8_lossy(&clusters.stdout).into_owned();
    let Some(cluster) = listing.lines().find(|l| !l.trim().is_empty()) else {
        return Err("PostgreSQL has no cluster: create one with `pg_createcluster`".to_owned());
    };
    let fields: Vec<&str> = cluster.split_whitespace().collect();
    let (version, name, status) = match fields.as_slice() {
        [version, name, _port, status, ..] => (*version, *name, *status),
        _ => return Err(format!("cannot read pg_lsclusters: {cluster}")),
    };
    let root = Path::new("/");
    if status != "online" {
        run(root, "pg_ctlcluster", &[version, name, "start"], &[])?;
    }
    let psql = |sql: &str| {
        run(
            root,
            "su",
            &[
                "postgres",
                "-c",
                &format!("psql -q -v ON_ERROR_STOP=1 -c \"{sql}\""),
            ],
            &[],
        )
    };
    psql("ALTER USER postgres PASSWORD 'postgres'")?;
    let exists = Command::new("su")
        .args([
            "postgres",
            "-c",
            "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'auth_test'\"",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !String::from_utf8_lossy(&exists.stdout).contains('1') {
        psql("CREATE DATABASE auth_test")?;
    }
    Ok(())
}

/// The debug build of `examples/<example>.rs`.
fn example_binary(example: &str) -> PathBuf {
    built_example("debug", example)
}

/// The release build of `examples/<example>.rs`, for the bench and the soak.
fn release_binary(example: &str) -> PathBuf {
    built_example("release", example)
}

fn built_example(profile: &str, example: &str) -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join(profile).join("examples").join(example)
}

/// Runs a command in `dir`, failing with its name when it fails.
fn run(dir: &Path, program: &str, args: &[&str], envs: &[(&str, String)]) -> Result {
    step(&format!(
        "{program} {} (in {})",
        args.join(" "),
        dir.display()
    ));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed in {} ({status})",
            args.join(" "),
            dir.display()
        ))
    }
}

/// The OpenID provider's and the browser script's npm packages, Debian's Chromium and the SMTP
/// sink's aiosmtpd, installed before the tests start, so that no test spends its peer's
/// start-up time on an install (the harnesses can install the npm and pip ones too, for a lone
/// `cargo test`; Chromium needs root).
fn install_test_peers() -> Result {
    step("the tests' peers: oidc-provider and playwright-core (npm), Chromium, aiosmtpd (pip)");
    let peers = workspace_root().join("tests/peers");
    npm_ci(&peers)?;
    // `tests/form_post_browser.rs` drives Chromium from `cargo test`; `tests/authjs_tokens.rs`
    // runs @auth/core, `tests/authjs_client.rs` the next-auth v5 client.
    npm_ci(&workspace_root().join("tests/interop/browser"))?;
    npm_ci(&workspace_root().join("tests/interop/authjs"))?;
    npm_ci(&workspace_root().join("tests/interop/clients/v5"))?;
    ensure_chromium()?;
    run(
        &peers,
        "python3",
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "requirements.txt",
        ],
        &[],
    )
}

/// `npm ci` where `node_modules` is missing or older than the lockfile.
fn npm_ci(dir: &Path) -> Result {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let lock = modified(dir.join("package-lock.json"));
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= lock {
        return Ok(());
    }
    run(dir, "npm", &["ci", "--no-audit", "--no-fund"], &[])
}

/// Debian's Chromium, installed when missing (the browser suite never downloads one).
fn ensure_chromium() -> Result<String> {
    let path = env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if Path::new(&path).exists() {
        return Ok(path);
    }
    step("installing Debian's chromium");
    let root = Path::new("/");
    run(root, "apt-get", &["update", "-qq"], &[])?;
    run(root, "apt-get", &["install", "-y", "-qq", "chromium"], &[])
        .map_err(|e| format!("{e}; the browser suite needs Debian's chromium at {path}"))?;
    Ok(path)
}

/// A child process killed when dropped, so no server outlives a failed step.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

/// Starts `tests/peers/oidc-provider.mjs` and returns it with its issuer.
fn start_oidc_provider(redirect_uri: &str) -> Result<(Server, String)> {
    let peers = workspace_root().join("tests/peers");
    npm_ci(&peers)?;
    let command = || {
        let mut command = Command::new("node");
        command
            .arg("oidc-provider.mjs")
            .current_dir(&peers)
            .env("OIDC_PORT", "0")
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .env("OIDC_EXIT_ON_STDIN_EOF", "1");
        command
    };
    let cannot_run = |e| format!("cannot start the OpenID provider (node): {e}");
    let peer::Ready {
        child,
        value: issuer,
        ..
    } = peer::start_peer(command, cannot_run, |issuer| Some(issuer.to_owned()))
        .map_err(|failures| format!("the OpenID provider did not start.\n{failures}"))?;
    Ok((Server(child), issuer))
}

/// The Node suites: next-auth v3 and v4 clients, token interop, and the browser.
fn interop() -> Result {
    let root = workspace_root();
    let clients_v3 = root.join("tests/interop/clients/v3");
    let clients_v4 = root.join("tests/interop/clients/v4");
    let browser = root.join("tests/interop/browser");
    for dir in [&clients_v3, &clients_v4, &browser] {
        npm_ci(dir)?;
    }
    let chromium = ensure_chromium()?;

    let port = free_port()?;
    let demo_url = format!("http://127.0.0.1:{port}");
    let (_provider, issuer) = start_oidc_provider(&format!("{demo_url}/api/auth/callback/oidc"))?;
    let secret = "xtask-interop-secret-8b2f6d0a4e9c1f7b".to_owned();
    let demo = Command::new(example_binary("demo"))
        .env("PORT", port.to_string())
        .env("NEXTAUTH_URL", &demo_url)
        .env("NEXTAUTH_SECRET", &secret)
        .env("OIDC_ISSUER", &issuer)
        .env("OIDC_CLIENT_ID", "basic-client")
        .env("OIDC_CLIENT_SECRET", "basic-secret")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the demo: {e}"))?;
    let _demo = Server(demo);
    wait_for(port)?;

    let screenshots = root.join("target/interop");
    let envs = [
        ("DEMO_URL", demo_url.clone()),
        ("NEXTAUTH_SECRET", secret.clone()),
        ("OIDC_ISSUER", issuer.clone()),
        ("CHROMIUM", chromium),
        ("SCREENSHOTS", screenshots.display().to_string()),
    ];
    for dir in [&clients_v3, &clients_v4, &browser] {
        run(dir, "node", &["--test"], &envs)?;
    }
    println!("  screenshots in {}", screenshots.display());
    Ok(())
}

fn wait_for(port: u16) -> Result {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("nothing listens on 127.0.0.1:{port} after 30 s"))
}

/// Starts the real example binary and checks the README's curl walk-through over TCP.
fn demo_smoke(example: &str, envs: &[(&str, String)]) -> Result {
    let shown: Vec<String> = envs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    step(&format!(
        "{example} smoke test over HTTP {}",
        shown.join(" ")
    ));
    let port = free_port()?;
    let binary = example_binary(example);
    let mut child = Command::new(&binary)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PORT", port.to_string())
        .env("NEXTAUTH_SECRET", "xtask-smoke-secret-4e7a1c9f3b6d0e8a2c")
        .env_remove("NEXTAUTH_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let result = smoke_checks(port);
    stop(&mut child);
    result
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn check(condition: bool, what: &str) -> Result {
    if condition {
        println!("  ok: {what}");
        Ok(())
    } else {
        Err(format!("demo smoke test failed: {what}"))
    }
}

fn smoke_checks(port: u16) -> Result {
    let started = Instant::now();
    let csrf = loop {
        match request(port, "GET", "/api/auth/csrf", "", "") {
            Ok(answer) => break answer,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(e) => return Err(format!("the demo did not answer: {e}")),
        }
    };
    let token = csrf.body.split('"').nth(3).unwrap_or_default().to_owned();
    check(
        csrf.status == 200 && token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "GET /csrf returns a 64-hex token",
    )?;
    let csrf_cookie = csrf
        .set_cookie("next-auth.csrf-token")
        .unwrap_or_default()
        .to_owned();
    check(
        csrf_cookie.contains("%7C"),
        "the CSRF cookie is the double-submit `token%7Chash`",
    )?;

    let form = format!("csrfToken={token}&username=demo&password=demo&json=true");
    let signin = request(
        port,
        "POST",
        "/api/auth/callback/credentials",
        &csrf_cookie,
        &form,
    )?;
    let session_cookie = signin
        .set_cookie("next-auth.session-token")
        .unwrap_or_default()
        .to_owned();
    check(
        signin.status == 200 && !session_cookie.is_empty(),
        "POST /callback/credentials with demo/demo sets next-auth.session-token",
    )?;

    let both = format!("{csrf_cookie}; {session_cookie}");
    let session = request(port, "GET", "/api/auth/session", &both, "")?;
    check(
        session.body.contains("\"name\":\"Demo User\"") && session.body.contains("\"expires\""),
        "GET /session shows Demo User with an expiry",
    )?;

    let signout = request(port, "POST", "/api/auth/signout", &both, "callbackUrl=%2F")?;
    check(
        signout.status == 302
            && signout
                .header("location")
                .is_some_and(|l| l.ends_with("/api/auth/signout?csrf=true"))
            && !signout
                .set_cookies()
                .iter()
                .any(|c| c.starts_with("next-auth.session-token=")),
        "POST /signout without the token redirects to /signout?csrf=true and keeps the session",
    )?;

    let signout = request(
        port,
        "POST",
        "/api/auth/signout",
        &both,
        &format!("csrfToken={token}"),
    )?;
    check(
        signout
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("next-auth.session-token=;")),
        "POST /signout with the token clears the session cookie",
    )?;
    Ok(())
}

/// A running example process on its own port.
struct Example {
    server: Server,
    port: u16,
}

fn start_example(example: &str, envs: &[(&str, String)]) -> Result<Example> {
    let port = free_port()?;
    let child = Command::new(example_binary(example))
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PORT", port.to_string())
        .env("NEXTAUTH_SECRET", "xtask-database-secret-0c5e9b3f7a1d4e8c")
        .env_remove("NEXTAUTH_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the {example} example: {e}"))?;
    let server = Server(child);
    wait_for(port)?;
    Ok(Example { server, port })
}

/// `csrf cookie; token` of a fresh visit.
fn fresh_csrf(port: u16) -> Result<(String, String)> {
    let visit = http::csrf(port, "/api/auth")?;
    Ok((
        visit.cookie("next-auth.csrf-token")?.to_owned(),
        visit.token,
    ))
}

fn session_name(port: u16, cookie: &str) -> Result<String> {
    let answer = request(port, "GET", "/api/auth/session", cookie, "")?;
    Ok(answer.body)
}

/// Issue 5's acceptance: a database session survives a restart, is shared by two processes
/// on one PostgreSQL, and a sign-out on either ends it on both, even for a replayed cookie.
fn database_sessions_across_processes(database_url: &str) -> Result {
    step(&format!(
        "database sessions across restarts and processes ({database_url})"
    ));
    let envs = [("DATABASE_URL", database_url.to_owned())];
    let first = start_example("database", &envs)?;
    let (jar, _) = signed_in_jar(first.port)?;
    let session_cookie = jar
        .split("; ")
        .find(|pair| pair.starts_with("next-auth.session-token="))
        .unwrap_or_default()
        .to_owned();
    check(session_cookie.len() > 30, "signed in on the first process")?;
    drop(first);

    let restarted = start_example("database", &envs)?;
    check(
        session_name(restarted.port, &session_cookie)?.contains("Demo User"),
        "the session is still valid after a restart",
    )?;
    let other = start_example("database", &envs)?;
    check(
        session_name(other.port, &session_cookie)?.contains("Demo User"),
        "a second process on the same database sees the session",
    )?;
    let (csrf_cookie, token) = fresh_csrf(other.port)?;
    request(
        other.port,
        "POST",
        "/api/auth/signout",
        &format!("{csrf_cookie}; {session_cookie}"),
        &format!("csrfToken={token}"),
    )?;
    for (who, example) in [
        ("the process that signed out", &other),
        ("the other process", &restarted),
    ] {
        check(
            session_name(example.port, &session_cookie)? == "{}",
            &format!("after sign-out the replayed cookie is dead on {who}"),
        )?;
    }
    drop((restarted.server, other.server));
    Ok(())
}

/// `demo` signed in on the example listening on `port`: `csrf cookie; session cookie`, and
/// the CSRF token that goes with them.
fn signed_in_jar(port: u16) -> Result<(String, String)> {
    let (csrf_cookie, token) = fresh_csrf(port)?;
    let signin = request(
        port,
        "POST",
        "/api/auth/callback/credentials",
        &csrf_cookie,
        &format!("csrfToken={token}&username=demo&password=demo&json=true"),
    )?;
    let session_cookie = signin
        .set_cookie("next-auth.session-token")
        .ok_or("signing in as demo set no session cookie")?;
    Ok((format!("{csrf_cookie}; {session_cookie}"), token))
}

/// Issue 12's acceptance on the database example: one user in two browsers (two cookie jars)
/// on two processes sharing the database. The list shows both sessions, exactly one current;
/// revoking the other one signs that jar out at once on its own process; `all=true` ends both.
fn session_list_across_processes(database_url: &str) -> Result {
    step(&format!(
        "the session list across processes ({database_url})"
    ));
    let envs = [("DATABASE_URL", database_url.to_owned())];
    let laptop = start_example("database", &envs)?;
    let phone = start_example("database", &envs)?;
    // The demo user's other sessions, from earlier steps on this database, end first.
    let (laptop_jar, laptop_token) = signed_in_jar(laptop.port)?;
    request(
        laptop.port,
        "POST",
        "/api/auth/sessions/revoke",
        &laptop_jar,
        &format!("csrfToken={laptop_token}&others=true"),
    )?;
    let (phone_jar, _) = signed_in_jar(phone.port)?;

    let listed = request(laptop.port, "GET", "/api/auth/sessions", &laptop_jar, "")?;
    check(listed.status == 200, "GET /api/auth/sessions answers 200")?;
    let sessions: Vec<serde_json::Value> = serde_json::from_str(&listed.body).map_err(|e| {
        format!(
            "the session list is not a JSON array ({e}): {}",
            listed.body
        )
    })?;
    check(
        sessions.len() == 2,
        "the list shows the user's two sessions",
    )?;
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    check(current.len() == 1, "exactly one session is the current one")?;
    let other = sessions
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_str())
        .ok_or("the list has no other session with an id")?;

    let revoked = request(
        laptop.port,
        "POST",
        "/api/auth/sessions/revoke",
        &laptop_jar,
        &format!("csrfToken={laptop_token}&id={other}"),
    )?;
    check(
        revoked.body.contains(r#""revoked":1"#),
        "revoking the other session by id",
    )?;
    check(
        session_name(phone.port, &phone_jar)? == "{}",
        "the revoked jar is signed out at once on its own process",
    )?;
    check(
        session_name(laptop.port, &laptop_jar)?.contains("Demo User"),
        "the revoking jar stays signed in",
    )?;

    let (phone_jar, phone_token) = signed_in_jar(phone.port)?;
    let all = request(
        phone.port,
        "POST",
        "/api/auth/sessions/revoke",
        &phone_jar,
        &format!("csrfToken={phone_token}&all=true"),
    )?;
    check(
        all.body.contains(r#""revoked":2"#),
        "all=true ends both sessions",
    )?;
    for (who, port, jar) in [
        ("the laptop", laptop.port, &laptop_jar),
        ("the phone", phone.port, &phone_jar),
    ] {
        check(
            session_name(port, jar)? == "{}",
            &format!("after all=true {who} is signed out"),
        )?;
    }
    drop((laptop.server, phone.server));
    Ok(())
}

/// A Debian package's program, installed when missing (`probe` is an argument it answers).
pub(crate) fn ensure_tool(program: &str, probe: &str, package: &str) -> Result {
    let present = Command::new(program)
        .arg(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if present {
        return Ok(());
    }
    step(&format!("installing Debian's {package} (for {program})"));
    let root = std::path::Path::new("/");
    run(root, "apt-get", &["update", "-qq"], &[])?;
    run(root, "apt-get", &["install", "-y", "-qq", package], &[])
}
