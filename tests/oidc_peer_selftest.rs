//! Proves the OpenID provider peer (`tests/peers/oidc-provider.mjs`, driven by
//! `auth_test_support::oidc`) works and checks what the app's OAuth tests rely on it to check.

#![allow(clippy::unwrap_used)]

use auth_test_support::oidc::{
    BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, OidcProvider, POST_CLIENT_ID, POST_CLIENT_SECRET,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

const REDIRECT_URI: &str = "http://127.0.0.1:39999/api/auth/callback/oidc";
const VERIFIER: &str = "a-code-verifier-of-at-least-forty-three-characters-0123456789";

fn start() -> OidcProvider {
    OidcProvider::start(&[REDIRECT_URI.to_owned()])
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `<issuer>/auth?…` for `client_id` with state `abc`, nonce `n1` and a PKCE challenge.
fn authorization_url(provider: &OidcProvider, client_id: &str) -> String {
    let mut url = Url::parse(&format!("{}/auth", provider.issuer)).expect("the issuer is a URL");
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email profile")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("state", "abc")
        .append_pair("nonce", "n1")
        .append_pair("code_challenge", &s256(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    url.into()
}

fn query(url: &str) -> Vec<(String, String)> {
    Url::parse(url)
        .unwrap_or_else(|e| panic!("not a URL ({e}): {url}"))
        .query_pairs()
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Signs `alice` in and returns the code, after checking the callback's `state` and `iss`.
async fn code_for(provider: &OidcProvider, client_id: &str) -> String {
    let callback = provider
        .login(&authorization_url(provider, client_id), "alice")
        .await;
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    let pairs = query(&callback);
    assert_eq!(param(&pairs, "state"), Some("abc"), "{callback}");
    assert_eq!(
        param(&pairs, "iss"),
        Some(provider.issuer.as_str()),
        "{callback}"
    );
    param(&pairs, "code")
        .unwrap_or_else(|| panic!("no code in {callback}"))
        .to_owned()
}

/// Exchanges `code` at the token endpoint with HTTP Basic client authentication.
async fn exchange_basic(
    provider: &OidcProvider,
    code: &str,
    secret: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/token", provider.issuer))
        .basic_auth(BASIC_CLIENT_ID, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status();
    (
        status,
        response.json().await.expect("a JSON token response"),
    )
}

/// The payload of a JWT, unverified (the app's tests verify signatures; this one checks claims).
fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .expect("a base64url JWT payload");
    serde_json::from_slice(&payload).expect("a JSON JWT payload")
}

#[tokio::test]
async fn discovery_lists_the_endpoints_a_client_needs() {
    let provider = start();
    let config: Value = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        provider.issuer
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();

    assert_eq!(config["issuer"], provider.issuer.as_str());
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let url = config[endpoint].as_str().unwrap_or_default();
        assert!(
            url.starts_with(&provider.issuer),
            "{endpoint} = {:?}",
            config[endpoint]
        );
    }
    assert_eq!(
        config["authorization_response_iss_parameter_supported"],
        true
    );
    assert!(
        config["code_challenge_methods_supported"]
            .as_array()
            .is_some_and(|methods| methods.iter().any(|m| m == "S256")),
        "{config}"
    );
    let jwks: Value = reqwest::get(config["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA", "{jwks}");
    assert!(
        key.get("d").is_none(),
        "the JWKS leaks a private key: {jwks}"
    );
}

#[tokio::test]
async fn login_yields_a_code_that_exchanges_once_for_an_id_token() {
    let provider = start();
    let code = code_for(&provider, BASIC_CLIENT_ID).await;

    let (status, tokens) = exchange_basic(&provider, &code, BASIC_CLIENT_SECRET, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id_token = tokens["id_token"].as_str().expect("an id_token");
    let claims = jwt_claims(id_token);
    assert_eq!(claims["iss"], provider.issuer.as_str(), "{claims}");
    assert_eq!(claims["aud"], BASIC_CLIENT_ID, "{claims}");
    assert_eq!(claims["nonce"], "n1", "{claims}");
    assert_eq!(claims["sub"], "alice", "{claims}");
    assert_eq!(claims["email"], "alice@example.com", "{claims}");
    assert_eq!(claims["email_verified"], true, "{claims}");
    assert_eq!(claims["name"], "User alice", "{claims}");
    assert_eq!(claims["preferred_username"], "alice", "{claims}");

    let (status, again) = exchange_basic(&provider, &code, BASIC_CLIENT_SECRET, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");
    assert_eq!(again["error"], "invalid_grant", "{again}");
}

#[tokio::test]
async fn post_client_exchanges_with_its_secret_in_the_form_and_userinfo_has_the_claims() {
    let provider = start();
    let code = code_for(&provider, POST_CLIENT_ID).await;

    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/token", provider.issuer))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
            ("client_id", POST_CLIENT_ID),
            ("client_secret", POST_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().expect("an access_token");
    assert!(tokens["id_token"].is_string(), "{tokens}");

    let userinfo: Value = http
        .get(format!("{}/me", provider.issuer))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["sub"], "alice", "{userinfo}");
    assert_eq!(userinfo["email"], "alice@example.com", "{userinfo}");
    assert_eq!(userinfo["name"], "User alice", "{userinfo}");
}

#[tokio::test]
async fn a_wrong_code_verifier_or_client_secret_is_refused() {
    let provider = start();

    let code = code_for(&provider, BASIC_CLIENT_ID).await;
    let (status, refused) =
        exchange_basic(&provider, &code, BASIC_CLIENT_SECRET, &"x".repeat(43)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"], "invalid_grant", "{refused}");

    let code = code_for(&provider, BASIC_CLIENT_ID).await;
    let (status, refused) = exchange_basic(&provider, &code, "not-the-secret", VERIFIER).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
    assert_eq!(refused["error"], "invalid_client", "{refused}");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_not_redirected_to() {
    let provider = start();
    let url = authorization_url(&provider, BASIC_CLIENT_ID).replace("39999", "40000");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}
