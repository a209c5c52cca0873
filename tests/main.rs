//! The integration tests, one binary: each module is one suite (its file says what it covers
//! and which real parts it runs against). One binary links once and runs every suite's tests
//! side by side; `tests/ui.rs` (trybuild), `tests/secrets_in_logs.rs` (it installs the
//! process's log subscriber to read every line) and `tests/advisories/` stay binaries of their
//! own. Run one suite with `cargo test --test integration <module>::`.

// The examples the suites run in process, each compiled once for all of them.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/database.rs"]
mod database_example;
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/demo.rs"]
mod demo_example;

mod access_tokens;
mod adapter_conformance;
mod adapter_pg_interop;
mod authjs_client;
mod authjs_tokens;
mod database_sessions;
mod demo;
mod demo_oidc;
mod email_core;
mod faults;
mod faults_under_load;
mod features;
mod form_post_browser;
mod oauth_client;
mod oauth_faults;
mod oauth_flow;
mod oidc_peer_selftest;
mod passkeys;
mod passkeys_browser;
mod request_space;
mod session_cache;
mod session_management;
mod slow_clients;
mod throttle;
mod typed_dsl;
