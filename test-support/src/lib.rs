//! What the integration tests (`tests/`), their peer harnesses and xtask share, in one place
//! instead of copies: peer processes ([`peer`]), the test PostgreSQL ([`postgres`]), and the
//! checks that make a plain `cargo test` name a missing tool in one line ([`require`]).
//!
//! With the `harness` feature, what only the test binaries use: a `Router` client that keeps
//! cookies (`client`), the OpenID provider and SMTP peers (`oidc`, `smtp`), the fault proxy
//! (`proxy`), the OAuth app (`oauth_app`) and the PostgreSQL schemas of the adapter and fault
//! tests (`schema`, `database`). xtask goes without it, and so without axum and auth-runtime.

pub mod peer;
pub mod postgres;
pub mod require;

#[cfg(feature = "harness")]
pub mod client;
#[cfg(feature = "harness")]
pub mod database;
#[cfg(feature = "harness")]
pub mod oauth_app;
#[cfg(feature = "harness")]
pub mod oidc;
#[cfg(feature = "harness")]
pub mod proxy;
#[cfg(feature = "harness")]
pub mod schema;
#[cfg(feature = "harness")]
pub mod smtp;

pub use postgres::{DEFAULT_POSTGRES_URL, redacted, require_postgres};
pub use require::{require_aiosmtpd, require_chromium, require_node};

use std::path::{Path, PathBuf};

/// The workspace's root directory (this crate lives in `test-support/` below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `tests/peers/`: the OpenID provider and the SMTP sink the tests start.
pub fn peers_dir() -> PathBuf {
    workspace_root().join("tests").join("peers")
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `prefix` and 12 random lowercase hex digits: a name no other test (nor an earlier run on
/// the shared PostgreSQL) uses, and fit for a schema name when `prefix` is.
pub fn unique(prefix: &str) -> String {
    let bytes: [u8; 6] = rand::random();
    let mut name = prefix.to_owned();
    for byte in bytes {
        name.push_str(&format!("{byte:02x}"));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ_and_keep_their_prefix() {
        let (one, two) = (unique("faults_"), unique("faults_"));
        assert_ne!(one, two);
        let suffix = one.strip_prefix("faults_").expect("the prefix stays");
        assert_eq!(suffix.len(), 12);
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn the_peers_directory_holds_the_peers() {
        assert!(peers_dir().join("smtp_sink.py").is_file());
        assert!(peers_dir().join("oidc-provider.mjs").is_file());
    }
}
