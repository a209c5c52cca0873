//! Passkeys end to end in a real browser: Debian's Chromium with the DevTools virtual
//! authenticator (a CTAP2 platform authenticator that keeps resident keys and verifies the
//! user), driven by `tests/interop/browser/passkeys.mjs` (playwright-core). The built-in
//! sign-in page's own script signs in by its button and by the browser's passkey autofill
//! (conditional mediation), and registers a new user's passkey; Auth.js v5's browser module
//! `next-auth/webauthn` (next-auth@5.0.0-beta.32 and its peer @simplewebauthn/browser 9.0.1,
//! from `tests/interop/clients/v5/node_modules`) registers passkeys and signs in, unmodified,
//! as ES modules this test serves with an import map; a bogus signature ends on the error page.
//!
//! The app is the database example's (`examples/database.rs`, which declares the passkey
//! provider). It listens on 127.0.0.1 but is `http://localhost:<port>` to the browser and in
//! `NEXTAUTH_URL`: passkeys are refused for an IP address. Each test starts its own app and
//! checks the script's verdicts (one line per step); on failure it shows all the script saw
//! (the page's console, the app's answers) and the server's log.

#![allow(clippy::unwrap_used)]

use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use auth_test_support::client::vars;
use auth_test_support::{require_chromium, require_node, unique, workspace_root};
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

// The database example itself: its `#[optional]` passkey provider is on, as `NEXTAUTH_URL`
// below names `localhost`; its `demo` / `demo` is the credentials user.
use crate::database_example as database;

/// The v5 client's packages, served to the page as they are installed.
fn v5_modules() -> PathBuf {
    workspace_root().join("tests/interop/clients/v5/node_modules")
}

/// `GET /node_modules/<path>`: a `.js` file of the v5 client's `node_modules`, as a browser
/// module (nothing outside that folder, nothing but JavaScript).
async fn module_file(UrlPath(path): UrlPath<String>) -> Response {
    let relative = Path::new(&path);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !inside || relative.extension().is_none_or(|ext| ext != "js") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match tokio::fs::read(v5_modules().join(relative)).await {
        Ok(source) => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            source,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `react` for the browser: React 18 ships CommonJS and a UMD build, no ES module, so the page
/// loads the UMD build (`window.React`) and this module re-exports what next-auth's
/// `react.js` and `lib/client.js` use of it (`import * as React from "react"`).
const REACT_SHIM: &str = "const React = globalThis.React;
export default React;
export const { createContext, useContext, useEffect, useMemo, useState, useRef, useCallback } = React;
";

/// `react/jsx-runtime` (which React 18's UMD build lacks): `jsx(type, props, key)` as
/// `createElement` with the key among the props. next-auth imports it for
/// `<SessionProvider>`; `next-auth/webauthn` never renders anything.
const JSX_RUNTIME_SHIM: &str = "const React = globalThis.React;
export const Fragment = React.Fragment;
export function jsx(type, props, key) {
  return React.createElement(type, key === undefined ? props : { ...props, key });
}
export const jsxs = jsx;
";

fn module_source(source: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        source,
    )
        .into_response()
}

/// `GET /v5`: a page that loads `next-auth/webauthn` unmodified and hands its `signIn` to the
/// script (`window.v5`). Next.js inlines `process.env.NEXTAUTH_URL` into client bundles at
/// build time, which next-auth's `react.js` reads for `__NEXTAUTH.basePath` (the client's
/// only base path, absent a `<SessionProvider basePath>`): without a bundler, a `process.env`
/// with the app's `NEXTAUTH_URL` (no path: `/api/auth`, as the server) does the same.
async fn v5_page(State(nextauth_url): State<String>) -> Html<String> {
    let env = serde_json::json!({ "NEXTAUTH_URL": nextauth_url });
    let imports = serde_json::json!({
        "imports": {
            "next-auth/webauthn": "/node_modules/next-auth/webauthn.js",
            "@simplewebauthn/browser": "/node_modules/@simplewebauthn/browser/dist/bundle/index.js",
            "@auth/core/errors": "/node_modules/@auth/core/errors.js",
            "react": "/v5/react.js",
            "react/jsx-runtime": "/v5/jsx-runtime.js",
        }
    });
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>next-auth/webauthn</title>
<script>globalThis.process = {{ env: {env} }};</script>
<script src="/node_modules/react/umd/react.production.min.js"></script>
<script type="importmap">{imports}</script>
<script type="module">
import {{ signIn }} from "next-auth/webauthn";
window.v5 = {{ signIn }};
document.documentElement.dataset.v5 = "ready";
</script>
</head><body><h1>next-auth/webauthn</h1></body></html>"#
    ))
}

/// Starts the database example's app (a fresh SQLite file) on `http://localhost:<port>`, runs
/// `tests/interop/browser/passkeys.mjs` with `STEPS=steps` against it, and checks that each
/// step printed its passing verdict. The output of a failing run is all the script saw, and the
/// server's log is the test's (shown with it).
async fn run_browser_steps(steps: &[&str]) {
    let browser_dir = workspace_root().join("tests/interop/browser");
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    require_node(&INSTALLED, &browser_dir, "the browser tests");
    static V5_INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    require_node(
        &V5_INSTALLED,
        &workspace_root().join("tests/interop/clients/v5"),
        "the browser passkey tests (next-auth/webauthn)",
    );
    // An install from before @simplewebauthn/browser joined package.json has a lockfile mark
    // and lacks it: the page would get a 404 for the module.
    assert!(
        v5_modules()
            .join("@simplewebauthn/browser/package.json")
            .is_file(),
        "tests/interop/clients/v5 lacks @simplewebauthn/browser (next-auth/webauthn's peer): \
         run `npm ci --prefix tests/interop/clients/v5`"
    );
    let chromium = require_chromium("the browser tests");
    // The server's log (a refusal says why).
    let _ = tracing_subscriber::fmt()
        .with_env_filter("auth_runtime=info")
        .with_test_writer()
        .try_init();

    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join(format!("{}.db", unique("passkeys-browser")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // A name, not 127.0.0.1: browsers make no passkeys for an IP address.
    let origin = format!("http://localhost:{port}");
    let auth = database::auth::config_from(&vars(&[
        (
            "NEXTAUTH_SECRET",
            "passkeys-browser-secret-3f7a1c9e5b2d8460",
        ),
        ("NEXTAUTH_URL", &origin),
        (
            "DATABASE_URL",
            &format!("sqlite://{}?mode=rwc", database.display()),
        ),
    ]))
    .expect("config");
    let pages = axum::Router::new()
        .route("/v5", get(v5_page))
        .route("/v5/react.js", get(|| async { module_source(REACT_SHIM) }))
        .route(
            "/v5/jsx-runtime.js",
            get(|| async { module_source(JSX_RUNTIME_SHIM) }),
        )
        .route("/node_modules/{*path}", get(module_file))
        .with_state(origin.clone());
    // The example's own app (its home page is where sign-ins land), and the v5 client's page.
    let router = database::app(auth).merge(pages);
    tokio::spawn(async move { auth_runtime::serve(listener, router).await });

    let screenshots = workspace_root().join("target/interop");
    let step_list = steps.join(",");
    let output = tokio::task::spawn_blocking(move || {
        // One Chromium at a time: the tests of this file would otherwise race on two cores.
        static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = BROWSER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Command::new("node")
            .arg("passkeys.mjs")
            .current_dir(&browser_dir)
            .env("APP_URL", &origin)
            .env("CHROMIUM", &chromium)
            .env("SCREENSHOTS", &screenshots)
            .env("STEPS", &step_list)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    for suffix in ["", "-shm", "-wal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser script failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for step in steps {
        assert!(
            stdout
                .lines()
                .any(|line| line.starts_with(&format!("ok {step} "))),
            "no passing verdict for step {step}:\n{stdout}\n{stderr}"
        );
    }
    println!("{stdout}");
}

/// The sign-in page's layout at phone and desktop width (screenshots in `target/interop/`),
/// then: (a) demo/demo signs in and `next-auth/webauthn` registers a passkey; (b) signed out,
/// the page's passkey button signs in; (c) the page's conditional request (the autofill) waits,
/// and signs in when answered; (d) a bogus signature ends on the error page with
/// `WebAuthnVerificationError` and no session, and after the reset the button signs in;
/// (e) the v5 client registers a second passkey (on a second authenticator: the options exclude
/// the first passkey, so its authenticator makes no other), and `signIn("passkey")` signs in.
#[tokio::test(flavor = "multi_thread")]
async fn passkeys_register_and_sign_in_in_chromium_through_the_page_and_the_v5_client() {
    run_browser_steps(&["layout", "a", "b", "c", "d", "e"]).await;
}

/// (f) A passkey registered by the sign-in page (a new user, signed out) signs in through the
/// page and through `next-auth/webauthn`. It fails while the runtime parses the assertion's
/// `userHandle` as base64url: the page gives the authenticator the options' user id decoded
/// (16 random bytes), and @simplewebauthn/browser 9, which `next-auth/webauthn` uses, sends
/// those bytes back as UTF-8 text, which is no base64url, so the sign-in ends with
/// `WebAuthnVerificationError`. The handle is never used (the credential id finds the passkey).
#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_the_sign_in_page_registered_signs_in_through_the_v5_client() {
    run_browser_steps(&["f"]).await;
}
