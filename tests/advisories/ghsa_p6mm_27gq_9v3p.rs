//! GHSA-p6mm-27gq-9v3p / CVE-2022-31186 (docs/REST.md §9 #7): on OAuth errors next-auth logged the
//! provider's configuration, client secret included, at error level. Fixed in 3.29.9 /
//! 4.10.2 (moved to debug, with a warning when `debug` is on).
//!
//! This is about logging, so there is no response to check: our guarantee is that no log
//! line at any level (ours, or a dependency's through the `log` bridge) ever holds the client
//! secret, the `NEXTAUTH_SECRET`, the authorization code or the PKCE verifier. The test forces
//! a real token-exchange failure (a wrong client secret at the real OpenID provider, by both
//! token auth methods) while a global subscriber captures everything at TRACE.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;

use crate::support::{OAUTH_SECRET, query_param, unseal};
use auth_test_support::oauth_app::{
    ORIGIN, assert_oauth_callback_error, client_with, env_for, path_of, provider, start,
};

/// A `tracing` writer that keeps everything written.
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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every log line of this test binary from the first call on, at every level. Global,
/// because the server's work may run on any thread; the other tests' lines land here too,
/// which only makes the "no secret" assertions stronger.
fn captured_logs() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the only global subscriber of this binary");
        captured
    })
}

#[tokio::test]
async fn a_wrong_client_secret_fails_and_never_reaches_the_logs() {
    let captured = captured_logs();
    for (id, secret_var, client_id) in [
        (
            "oidc",
            "OIDC_CLIENT_SECRET",
            auth_test_support::oidc::BASIC_CLIENT_ID,
        ),
        (
            "oidc_post",
            "OIDC_POST_SECRET",
            auth_test_support::oidc::POST_CLIENT_ID,
        ),
    ] {
        let secret = format!("wrong-secret-5f2a9c-{id}");
        let mut env = env_for(
            &provider().issuer,
            auth_test_support::oidc::BASIC_CLIENT_SECRET,
        );
        env.retain(|(k, _)| k != secret_var);
        env.push((secret_var.to_owned(), secret.clone()));
        let mut client = client_with(env);
        let url = start(&mut client, id).await;
        let callback = path_of(&provider().login(&url, "hank").await);
        let code = query_param(&format!("{ORIGIN}{callback}"), "code").unwrap();
        let sealed_verifier = client
            .cookie("next-auth.pkce.code_verifier")
            .unwrap()
            .to_owned();
        let verifier = unseal(&sealed_verifier, "next-auth.pkce.code_verifier")["value"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_oauth_callback_error(&client.get(&callback).await);

        let logs = captured.text();
        assert!(logs.contains("OAUTH_CALLBACK_ERROR"), "{id}: {logs}");
        // client_secret_basic sends `base64(id:secret)`: that form must not appear either.
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        for secret_value in [
            secret.as_str(),
            basic.as_str(),
            code.as_str(),
            sealed_verifier.as_str(),
            verifier.as_str(),
            OAUTH_SECRET,
        ] {
            // On failure show the lines, the secret itself masked.
            let leaks: Vec<String> = logs
                .lines()
                .filter(|line| line.contains(secret_value))
                .map(|line| line.replace(secret_value, "<SECRET>"))
                .collect();
            assert!(
                leaks.is_empty(),
                "{id}: a secret reached the logs:\n{leaks:#?}"
            );
        }
    }
}
