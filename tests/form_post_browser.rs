//! `response_mode=form_post` in a real browser (docs/BEHAVIOUR.md, "form_post callbacks"):
//! oidc-provider on `127.0.0.1` answers by a POST from its page to the app on `localhost`,
//! another site, so Chromium sends none of the app's `SameSite=Lax` check cookies with it. The
//! app sends the answer again from its own site, and the sign-in completes.
//!
//! The browser is driven by `tests/interop/browser/form_post.mjs` (playwright-core, Debian's
//! Chromium); this test starts the provider and the app and checks the script's verdict.

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::OnceLock;

use auth_runtime::auth;
use auth_test_support::client::vars;
use auth_test_support::oidc::{self, OidcProvider};
use auth_test_support::{require_chromium, require_node, workspace_root};

auth! {
    module: app,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        oidc: Oidc {
            name: "Form post OP",
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
            params: { response_mode: "form_post" },
        },
    },
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cross_site_form_post_answer_is_sent_again_from_the_app_and_signs_in_in_chromium() {
    let browser_dir = workspace_root().join("tests/interop/browser");
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    require_node(&INSTALLED, &browser_dir, "the browser tests");
    let chromium = require_chromium("the browser tests");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // `localhost` and `127.0.0.1` are two sites to the browser.
    let origin = format!("http://localhost:{port}");
    let provider = OidcProvider::start(&[format!("{origin}/api/auth/callback/oidc")]);
    let auth = app::config_from(&vars(&[
        (
            "NEXTAUTH_SECRET",
            "form-post-browser-secret-5d1c9e7a3b0f2468",
        ),
        ("NEXTAUTH_URL", &origin),
        ("OIDC_ISSUER", &provider.issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
    ]))
    .expect("config");
    // The page the sign-in lands on (the default callbackUrl is the origin).
    let home = axum::Router::new().route("/", axum::routing::get(|| async { "home" }));
    let router = app::router(auth.clone()).merge(home).layer(auth.layer());
    tokio::spawn(async move { auth_runtime::serve(listener, router).await });

    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("form_post.mjs")
            .current_dir(&browser_dir)
            .env("APP_URL", &origin)
            .env("ISSUER", &provider.issuer)
            .env("CHROMIUM", &chromium)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the browser script failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
