//! The test PostgreSQL server: where it is (`DATABASE_URL_POSTGRES`, or the database
//! `cargo xtask test` prepares), and a quick check that something listens there, so that a
//! test without the server fails at once with the command that starts it.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::Duration;

/// Where the tests find PostgreSQL when `DATABASE_URL_POSTGRES` is not set: the role's
/// password and the database `cargo xtask test` sets up.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/auth_test";

/// How long the reachability check waits for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The test server's URL: `DATABASE_URL_POSTGRES`, or [`DEFAULT_POSTGRES_URL`].
pub fn postgres_url() -> String {
    std::env::var("DATABASE_URL_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// [`postgres_url`], once something accepts TCP connections at its host and port; otherwise
/// panics with one line that names the address and the command that starts the server.
/// Checked once per test process.
#[track_caller]
pub fn require_postgres() -> String {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    let url = postgres_url();
    if let Err(message) = REACHABLE.get_or_init(|| check_reachable(&url, CONNECT_TIMEOUT)) {
        panic!("{message}");
    }
    url
}

/// `Err` with the one-line message when nothing accepts a TCP connection at `url`'s host and
/// port within `timeout`. A URL without a TCP host (a Unix socket) is not checked.
pub fn check_reachable(url: &str, timeout: Duration) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| {
        format!(
            "DATABASE_URL_POSTGRES is not a URL ({e}): {}",
            redacted(url)
        )
    })?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed.port().unwrap_or(5432);
    let address = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let connected = (host, port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())
        .and_then(|mut addrs| addrs.next().ok_or_else(|| "no address".to_owned()))
        .and_then(|addr| TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string()));
    match connected {
        Ok(_) => Ok(()),
        Err(why) => Err(unreachable_message(&address, &why, url)),
    }
}

/// The line a test without its PostgreSQL fails with.
fn unreachable_message(address: &str, why: &str, url: &str) -> String {
    format!(
        "PostgreSQL is not reachable at {address} ({why}) for {}: start it with \
         `pg_ctlcluster 15 main start` (the `postgres` role's password and the `auth_test` \
         database too: run `cargo xtask test`, which starts and prepares it), or point \
         DATABASE_URL_POSTGRES at a running server",
        redacted(url)
    )
}

/// The URL with its password replaced by `***`, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A port nothing listens on (bound, then released).
    fn closed_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    }

    #[test]
    fn an_unreachable_server_is_named_by_host_and_port_without_its_password() {
        let port = closed_port();
        let url = format!("postgres://postgres:hunter2-secret@127.0.0.1:{port}/auth_test");
        let message = check_reachable(&url, CONNECT_TIMEOUT).expect_err("nothing listens");
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
        assert!(
            message.contains("`pg_ctlcluster 15 main start`"),
            "{message}"
        );
        assert!(message.contains("`cargo xtask test`"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }

    #[test]
    fn a_listening_server_passes_the_check() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        let url = format!("postgres://postgres:postgres@127.0.0.1:{port}/auth_test");
        assert_eq!(check_reachable(&url, CONNECT_TIMEOUT), Ok(()));
    }

    #[test]
    fn a_url_that_does_not_parse_is_said_so_in_one_line() {
        let message = check_reachable("not a url", CONNECT_TIMEOUT).expect_err("no URL");
        assert!(
            message.starts_with("DATABASE_URL_POSTGRES is not a URL"),
            "{message}"
        );
        assert!(!message.contains('\n'), "one line: {message}");
    }

    #[test]
    fn redacted_hides_only_the_password() {
        assert_eq!(
            redacted("postgres://postgres:pw@127.0.0.1:5432/auth_test"),
            "postgres://postgres:***@127.0.0.1:5432/auth_test"
        );
        assert_eq!(
            redacted("postgres://127.0.0.1/db"),
            "postgres://127.0.0.1/db"
        );
    }
}
