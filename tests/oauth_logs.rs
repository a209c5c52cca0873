//! Advisory GHSA-p6mm-27gq-9v3p (spec §9 #7): a failing token exchange against the real
//! OpenID provider logs nothing secret. Its own test binary, because it installs the global
//! `tracing` subscriber that captures every line.

#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/oauth_app.rs"]
mod oauth_app;
#[path = "common/oidc.rs"]
mod oidc;

use std::io::Write;
use std::sync::{Arc, Mutex};

use oauth_app::*;

/// A `tracing` writer that keeps everything written, for the log-capture test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_wrong_client_secret_fails_and_never_reaches_the_logs() {
    // Advisory GHSA-p6mm-27gq-9v3p (§9 #7): capture every log line of a failing exchange.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let secret = "wrong-secret-5f2a9c";
    let mut client = client_with(env_for(&provider().issuer, secret));
    let url = start(&mut client, "oidc").await;
    let callback = path_of(&provider().login(&url, "hank").await);
    let code = url::Url::parse(&format!("{ORIGIN}{callback}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let verifier = client
        .cookie("next-auth.pkce.code_verifier")
        .unwrap()
        .to_owned();
    assert_oauth_callback_error(&client.get(&callback).await);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("OAUTH_CALLBACK_ERROR"), "{logs}");
    for secret_value in [
        secret,
        code.as_str(),
        verifier.as_str(),
        "oauth-flow-secret",
    ] {
        assert!(
            !logs.contains(secret_value),
            "a secret reached the logs:\n{logs}"
        );
    }
}
