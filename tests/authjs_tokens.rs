//! Auth.js v5 session tokens both ways against `@auth/core` 0.41.3's own `encode` and `decode`
//! and its `SessionStore`'s chunks of a long token (`tests/interop/authjs/codec.mjs`, run by
//! Node): what one writes the other reads, for both cookie names (the HKDF salt), with rotated
//! secrets chosen by `kid`, and `A256GCM` tokens, which `@auth/core` also decodes; expired and
//! tampered tokens are refused.

#![allow(clippy::unwrap_used)]

use crate::demo_example as demo;

use std::process::Command;
use std::sync::OnceLock;

use auth_runtime::__private::cookies::{self, CookieFormat, Jar};
use auth_runtime::jwt::TokenError;
use auth_runtime::jwt::authjs::{self, AuthJsKeys};
use auth_test_support::client::{Client, vars};
use auth_test_support::{now, require_node, workspace_root};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

const SALT: &str = "authjs.session-token";
const SECURE_SALT: &str = "__Secure-authjs.session-token";
const SECRET: &str = "authjs-interop-secret-3f8a1c6e9b2d4f7a";
const OLD_SECRET: &str = "authjs-interop-old-secret-5e2b7d1a9c4f";

/// One call of `codec.mjs`.
fn node(request: Value) -> Value {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let dir = workspace_root().join("tests/interop/authjs");
    require_node(&INSTALLED, &dir, "the Auth.js token tests");
    let output = Command::new("node")
        .arg("codec.mjs")
        .arg(request.to_string())
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "codec.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn keys(secrets: &[&str], salt: &str) -> AuthJsKeys {
    let secrets: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    AuthJsKeys::derive(&secrets, salt).unwrap()
}

fn claims() -> Map<String, Value> {
    let Value::Object(map) = json!({"name": "Ann", "email": "ann@example.com", "sub": "7",
        "nested": {"roles": ["admin"]}, "unicode": "é ✓"})
    else {
        unreachable!()
    };
    map
}

fn node_encode(secret: Value, salt: &str, max_age: i64) -> String {
    let answer = node(json!({"op": "encode", "token": claims(), "secret": secret,
        "salt": salt, "maxAge": max_age}));
    answer["token"].as_str().unwrap().to_owned()
}

fn node_decode(token: &str, secret: Value, salt: &str) -> Value {
    node(json!({"op": "decode", "token": token, "secret": secret, "salt": salt}))
}

#[test]
fn a_token_auth_js_encodes_decodes_here_for_both_cookie_names() {
    for salt in [SALT, SECURE_SALT] {
        let token = node_encode(json!(SECRET), salt, 60);
        let decoded = authjs::decode(&keys(&[SECRET], salt), &token, now()).unwrap();
        for (key, value) in claims() {
            assert_eq!(decoded[&key], value, "{salt}: {key}");
        }
        assert!(decoded["exp"].as_u64().unwrap() >= now() + 55);
        // The other cookie name is another key.
        let other = if salt == SALT { SECURE_SALT } else { SALT };
        assert_eq!(
            authjs::decode(&keys(&[SECRET], other), &token, now()),
            Err(TokenError::Undecryptable)
        );
    }
}

#[test]
fn a_token_encoded_here_decodes_in_auth_js_for_both_cookie_names() {
    for salt in [SALT, SECURE_SALT] {
        let token = authjs::encode(&keys(&[SECRET], salt), &claims(), 60, now());
        let answer = node_decode(&token, json!(SECRET), salt);
        let payload = &answer["payload"];
        for (key, value) in claims() {
            assert_eq!(payload[&key], value, "{salt}: {key}: {answer}");
        }
        assert!(payload["jti"].is_string(), "{answer}");
        let wrong = node_decode(&token, json!("another-secret-entirely-0000000000"), salt);
        assert!(wrong["error"].is_string(), "{wrong}");
    }
}

#[test]
fn rotated_secrets_are_chosen_by_kid_both_ways() {
    // Auth.js's order: the newest first encodes, every one decodes.
    let old = node_encode(json!(OLD_SECRET), SALT, 60);
    let rotated = keys(&[SECRET, OLD_SECRET], SALT);
    assert_eq!(authjs::decode(&rotated, &old, now()).unwrap()["sub"], "7");
    let fresh = authjs::encode(&rotated, &claims(), 60, now());
    let both = node_decode(&fresh, json!([SECRET, OLD_SECRET]), SALT);
    assert_eq!(both["payload"]["sub"], "7", "{both}");
    let only_old = node_decode(&fresh, json!([OLD_SECRET]), SALT);
    assert!(only_old["error"].is_string(), "{only_old}");
    let node_rotated = node_encode(json!([SECRET, OLD_SECRET]), SALT, 60);
    assert!(authjs::decode(&keys(&[SECRET], SALT), &node_rotated, now()).is_ok());
    assert!(authjs::decode(&keys(&[OLD_SECRET], SALT), &node_rotated, now()).is_err());
}

#[test]
fn an_a256gcm_token_decodes_as_in_auth_js() {
    let answer = node(
        json!({"op": "encode-gcm", "token": claims(), "secret": SECRET,
        "salt": SALT}),
    );
    let token = answer["token"].as_str().unwrap();
    assert_eq!(
        node_decode(token, json!(SECRET), SALT)["payload"]["sub"],
        "7"
    );
    assert_eq!(
        authjs::decode(&keys(&[SECRET], SALT), token, now()).unwrap()["sub"],
        "7"
    );
}

#[test]
fn expired_and_tampered_tokens_from_auth_js_are_refused() {
    // Expired 60 s ago: past the 15 s tolerance.
    let expired = node_encode(json!(SECRET), SALT, -60);
    assert_eq!(
        authjs::decode(&keys(&[SECRET], SALT), &expired, now()),
        Err(TokenError::Expired)
    );
    let token = node_encode(json!(SECRET), SALT, 60);
    let segments: Vec<&str> = token.split('.').collect();
    for (at, segment) in segments.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
        let mut flipped = segment.as_bytes().to_vec();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let mut parts = segments.clone();
        let flipped = String::from_utf8(flipped).unwrap();
        parts[at] = &flipped;
        let tampered = parts.join(".");
        assert!(
            authjs::decode(&keys(&[SECRET], SALT), &tampered, now()).is_err(),
            "segment {at}"
        );
    }
}

/// The demo reads Auth.js v5 cookies beside its own: a cookie minted by `@auth/core`'s
/// `encode` with the demo's secret signs its user in, and `/session` answers with the demo's
/// own next-auth v4 cookie (a migration that signs nobody out; the v5 cookie is left alone).
#[tokio::test]
async fn an_auth_js_v5_cookie_signs_in_to_the_demo_and_gets_a_v4_cookie_back() {
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
    ]))
    .unwrap();
    let mut client = Client::new(demo::app(auth));
    let v5 = node_encode(json!(SECRET), SALT, 3600);
    client.set_cookie(SALT, &v5);
    let answer = client.get("/api/auth/session").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let session = answer.json();
    assert_eq!(session["user"]["name"], "Ann", "{session}");
    assert_eq!(session["user"]["email"], "ann@example.com");
    let v4 = answer
        .set_cookie("next-auth.session-token")
        .expect("a next-auth v4 cookie");
    assert!(v4.contains("HttpOnly"), "{v4}");
    assert!(
        answer.set_cookie(SALT).is_none(),
        "the v5 cookie is not touched"
    );
    // Signing out clears the v5 cookie too: left alone it would sign the browser in again.
    let token = client.csrf("/api/auth").await;
    let out = client
        .post_form("/api/auth/signout", &format!("csrfToken={token}"))
        .await;
    let cleared = out.set_cookie(SALT).expect("the v5 cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(client.session("/api/auth").await, json!({}));
    // The `Session` extractor reads it too.
    let mut api = Client::new(client.app.clone());
    api.set_cookie(SALT, &v5);
    assert_eq!(api.get("/me").await.json()["email"], "ann@example.com");
    // Another secret's v5 cookie is no session, and is not cleared either.
    let mut stranger = Client::new(client.app.clone());
    let foreign = node_encode(json!("a-different-secret-entirely-012345"), SALT, 3600);
    stranger.set_cookie(SALT, &foreign);
    let answer = stranger.get("/api/auth/session").await;
    assert_eq!(answer.body, "{}");
    assert!(answer.set_cookie(SALT).is_none());
}

/// A token longer than one cookie: `@auth/core`'s `SessionStore` and this crate cut it into
/// the same chunks, each reads the other's, and the demo signs in from @auth/core's chunks.
#[tokio::test]
async fn long_tokens_are_chunked_as_auth_js_chunks_them_both_ways() {
    let mut claims = claims();
    claims.insert("name".into(), json!("Long Name ".repeat(900)));
    let token = node(
        json!({"op": "encode", "token": claims, "secret": SECRET, "salt": SALT,
        "maxAge": 3600}),
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        token.len() > 2 * 3936,
        "three chunks or more: {}",
        token.len()
    );
    let theirs: Vec<(String, String)> = node(json!({"op": "chunk", "name": SALT, "value": token}))
        ["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ours: Vec<(String, String)> = cookies::chunked_set_cookies_of(
        CookieFormat::AuthJsV5,
        SALT,
        &token,
        false,
        &Jar::default(),
    )
    .into_iter()
    .map(|c| (c.name.into_owned(), c.value))
    .collect();
    assert!(ours.len() >= 3, "{} chunks", ours.len());
    assert_eq!(ours, theirs);
    // @auth/core reads ours back, in any order.
    let sent: Map<String, Value> = ours
        .iter()
        .rev()
        .map(|(n, v)| (n.clone(), json!(v)))
        .collect();
    let joined = node(json!({"op": "join", "name": SALT, "cookies": sent}));
    assert_eq!(joined["value"], token.as_str());

    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
    ]))
    .unwrap();
    let mut client = Client::new(demo::app(auth));
    for (name, value) in &theirs {
        client.set_cookie(name, value);
    }
    let session = client.session("/api/auth").await;
    assert_eq!(session["user"]["name"], claims["name"], "{session}");
}

/// Auth.js v5's client asks for `{url}` instead of a redirect with `X-Auth-Return-Redirect: 1`.
#[tokio::test]
async fn the_auth_js_v5_return_redirect_header_answers_json() {
    let auth = demo::auth::config_from(&vars(&[
        ("NEXTAUTH_SECRET", SECRET),
        ("NEXTAUTH_URL", "http://127.0.0.1:3000"),
    ]))
    .unwrap();
    let mut client = Client::new(demo::app(auth));
    let token = client.csrf("/api/auth").await;
    let request = axum::http::Request::post("/api/auth/callback/credentials")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-auth-return-redirect", "1")
        .body(axum::body::Body::from(format!(
            "csrfToken={token}&username=demo&password=demo&callbackUrl=%2Fme"
        )))
        .unwrap();
    let answer = client.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["url"], "http://127.0.0.1:3000/me");
    assert!(answer.set_cookie("next-auth.session-token").is_some());
}
