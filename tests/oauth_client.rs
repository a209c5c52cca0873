//! `auth_runtime::oauth` against a real OpenID provider (`tests/peers/oidc-provider.mjs`):
//! discovery, the authorization URL, a login, and the callback with both client
//! authentication methods, PKCE and nonce; then the ways a callback must fail. GitHub's quirks
//! run against an in-process fake (`fake_github_*`), since no real GitHub is reachable.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use auth_runtime::__private::oauth::{
    AuthorizationRequest, CallbackRequest, Endpoints, IdTokenError, OAuthClient, OAuthError,
    OAuthProvider, Preset, PresetParams, TokenAuthMethod, pkce_challenge, random_check_value,
    state_matches,
};
use auth_test_support::oidc::{
    BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, OidcProvider, POST_CLIENT_ID, POST_CLIENT_SECRET,
};
use axum::Json;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use url::Url;

const REDIRECT_URI: &str = "http://127.0.0.1:39998/api/auth/callback/oidc";

fn start() -> OidcProvider {
    OidcProvider::start(&[REDIRECT_URI.to_owned()])
}

/// The generic OpenID Connect preset for one of the peer's clients.
fn provider_for(idp: &OidcProvider, client_id: &str, secret: &str) -> OAuthProvider {
    let method = if client_id == POST_CLIENT_ID {
        TokenAuthMethod::ClientSecretPost
    } else {
        TokenAuthMethod::ClientSecretBasic
    };
    OAuthProvider::preset(
        Preset::Oidc,
        client_id,
        secret,
        &PresetParams::new().issuer(&idp.issuer),
    )
    .expect("the generic OpenID Connect preset builds")
    .token_auth_method(method)
}

/// What `POST /signin` stores in its check cookies, and what the provider sent back.
struct Returned {
    verifier: String,
    nonce: String,
    code: String,
    iss: Option<String>,
}

impl Returned {
    fn request(&self) -> CallbackRequest<'_> {
        CallbackRequest::new(REDIRECT_URI, &self.code)
            .code_verifier(&self.verifier)
            .nonce(&self.nonce)
            .iss(self.iss.as_deref())
    }
}

/// Builds the authorization URL as the sign-in route will, logs `login` in at the provider,
/// checks the returned `state`, and returns the callback's values.
async fn sign_in(
    idp: &OidcProvider,
    client: &OAuthClient,
    provider: &OAuthProvider,
    login: &str,
) -> Returned {
    let (state, nonce, verifier) = (
        random_check_value(),
        random_check_value(),
        random_check_value(),
    );
    let challenge = pkce_challenge(&verifier);
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .state(&state)
        .code_challenge(&challenge)
        .nonce(&nonce);
    let url = client
        .authorization_url(provider, &request)
        .await
        .expect("an authorization URL");
    assert!(url.starts_with(&format!("{}/auth?", idp.issuer)), "{url}");
    assert!(
        url.contains("&scope=openid%20email%20profile&response_type=code&"),
        "{url}"
    );
    assert!(url.contains("&code_challenge_method=S256&"), "{url}");

    let callback = idp.login(&url, login).await;
    let pairs: Vec<(String, String)> = Url::parse(&callback)
        .expect("the callback is a URL")
        .query_pairs()
        .into_owned()
        .collect();
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert!(
        state_matches(&state, param("state").as_deref()),
        "{callback}"
    );
    Returned {
        verifier,
        nonce,
        code: param("code").unwrap_or_else(|| panic!("no code in {callback}")),
        iss: param("iss"),
    }
}

async fn full_sign_in_with(client_id: &str, secret: &str) {
    let idp = start();
    let client = OAuthClient::new();
    let provider = provider_for(&idp, client_id, secret);
    let returned = sign_in(&idp, &client, &provider, "alice").await;
    assert_eq!(returned.iss.as_deref(), Some(idp.issuer.as_str()));

    let signed_in = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_or_else(|e| panic!("callback failed: {e}; provider:\n{}", idp.stderr_tail()));

    assert_eq!(signed_in.user.id, "alice");
    assert_eq!(signed_in.user.name.as_deref(), Some("User alice"));
    assert_eq!(signed_in.user.email.as_deref(), Some("alice@example.com"));
    assert_eq!(signed_in.user.image, None);
    // The verified ID token's claims, with the userinfo merged over them.
    assert_eq!(signed_in.profile["iss"], idp.issuer.as_str());
    assert_eq!(signed_in.profile["aud"], client_id);
    assert_eq!(signed_in.profile["nonce"], returned.nonce.as_str());
    assert_eq!(signed_in.profile["preferred_username"], "alice");
    assert!(signed_in.tokens.id_token.is_some());
    assert!(!signed_in.tokens.access_token.is_empty());
    assert!(signed_in.tokens.expires_at.is_some());
    let debug = format!("{:?}", signed_in.tokens);
    assert!(!debug.contains(&signed_in.tokens.access_token), "{debug}");
}

#[tokio::test]
async fn client_secret_basic_sign_in_verifies_the_id_token_and_maps_the_user() {
    full_sign_in_with(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET).await;
}

#[tokio::test]
async fn client_secret_post_sign_in_verifies_the_id_token_and_maps_the_user() {
    full_sign_in_with(POST_CLIENT_ID, POST_CLIENT_SECRET).await;
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_without_showing_it() {
    let idp = start();
    let client = OAuthClient::new();
    let wrong = "not-the-basic-secret";
    let provider = provider_for(&idp, BASIC_CLIENT_ID, wrong);
    let returned = sign_in(&idp, &client, &provider, "alice").await;

    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::TokenRefused { status: 401, error } if error == "invalid_client"),
        "{err:?}"
    );
    assert_eq!(err.code(), "OAuthCallback");
    let shown = format!("{err} | {err:?}");
    for secret in [wrong, returned.code.as_str(), returned.verifier.as_str()] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let idp = start();
    let client = OAuthClient::new();
    let provider = provider_for(&idp, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let returned = sign_in(&idp, &client, &provider, "alice").await;

    client
        .callback(&provider, &returned.request())
        .await
        .expect("the first use of the code signs in");
    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::TokenRefused { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused() {
    let idp = start();
    let client = OAuthClient::new();
    let provider = provider_for(&idp, POST_CLIENT_ID, POST_CLIENT_SECRET);
    let mut returned = sign_in(&idp, &client, &provider, "alice").await;
    returned.verifier = random_check_value();

    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::TokenRefused { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let idp = start();
    let client = OAuthClient::new();
    let provider = provider_for(&idp, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let mut returned = sign_in(&idp, &client, &provider, "alice").await;
    returned.nonce = random_check_value();

    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::IdToken(IdTokenError::NonceMismatch)),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_iss_parameter_of_another_issuer_or_none_is_refused() {
    let idp = start();
    let client = OAuthClient::new();
    let provider = provider_for(&idp, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET);
    let mut returned = sign_in(&idp, &client, &provider, "alice").await;

    returned.iss = Some("http://127.0.0.1:1".to_owned());
    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::IssuerMismatch { received: Some(iss), .. } if iss == "http://127.0.0.1:1"),
        "{err:?}"
    );
    // oidc-provider announces `authorization_response_iss_parameter_supported`, so a callback
    // without `iss` is refused too.
    returned.iss = None;
    let err = client
        .callback(&provider, &returned.request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::IssuerMismatch { received: None, .. }),
        "{err:?}"
    );
    // Neither refusal spent the code.
    returned.iss = Some(idp.issuer.clone());
    client
        .callback(&provider, &returned.request())
        .await
        .expect("the code is still good");
}

#[tokio::test]
async fn discovery_of_an_issuer_that_is_down_fails_promptly() {
    // A port that was just free: nothing listens there, so connecting is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let timeout = Duration::from_secs(2);
    let client = OAuthClient::builder()
        .connect_timeout(Duration::from_secs(1))
        .timeout(timeout)
        .build()
        .expect("a client");
    let provider = OAuthProvider::preset(
        Preset::Oidc,
        BASIC_CLIENT_ID,
        BASIC_CLIENT_SECRET,
        &PresetParams::new().issuer(format!("http://127.0.0.1:{port}")),
    )
    .expect("the provider builds without network");
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .state("s")
        .code_challenge("c")
        .nonce("n");

    let started = Instant::now();
    let err = client
        .authorization_url(&provider, &request)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < timeout + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, OAuthError::Discovery { .. }), "{err:?}");
    assert_eq!(err.code(), "OAuthSignin");
}

/// A fake GitHub: the token endpoint answers form-encoded (GitHub's legacy format), `/user`
/// has no public email, `/user/emails` lists the addresses.
async fn start_fake_github(emails: Value) -> String {
    async fn token(headers: HeaderMap, Form(form): Form<Vec<(String, String)>>) -> Response {
        let authorized = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Basic "));
        let code_ok = form.iter().any(|(k, v)| k == "code" && v == "gh-code");
        if !(authorized && code_ok) {
            return (StatusCode::OK, "error=bad_verification_code").into_response();
        }
        (
            [("content-type", "application/x-www-form-urlencoded")],
            "access_token=gho_fake&scope=read%3Auser%2Cuser%3Aemail&token_type=bearer",
        )
            .into_response()
    }
    fn bearer_ok(headers: &HeaderMap) -> bool {
        headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer gho_fake")
    }
    async fn user(headers: HeaderMap) -> Response {
        if !bearer_ok(&headers) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        Json(
            json!({"id": 583231, "login": "octocat", "name": null, "email": null,
            "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4"}),
        )
        .into_response()
    }
    async fn user_emails(State(emails): State<Value>, headers: HeaderMap) -> Response {
        if !bearer_ok(&headers) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        Json(emails).into_response()
    }

    let app = axum::Router::new()
        .route("/login/oauth/access_token", post(token))
        .route("/user", get(user))
        .route("/user/emails", get(user_emails))
        .with_state(emails);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn github_at(base: &str) -> OAuthProvider {
    OAuthProvider::preset(
        Preset::GitHub,
        "gh-client",
        "gh-secret",
        &PresetParams::new(),
    )
    .and_then(|p| {
        p.with_endpoints(Endpoints::Manual {
            authorization: format!("{base}/login/oauth/authorize"),
            token: format!("{base}/login/oauth/access_token"),
            userinfo: Some(format!("{base}/user")),
            issuer: None,
            jwks_uri: None,
        })
    })
    .and_then(|p| p.with_emails_endpoint(format!("{base}/user/emails")))
    .expect("the GitHub preset builds")
}

#[tokio::test]
async fn fake_github_without_a_public_email_gives_the_primary_verified_one() {
    let base = start_fake_github(json!([
        {"email": "octo@users.noreply.github.com", "primary": false, "verified": true},
        {"email": "Octocat@GitHub.com", "primary": true, "verified": true, "visibility": "private"},
        {"email": "unverified@example.com", "primary": false, "verified": false}
    ]))
    .await;
    let signed_in = OAuthClient::new()
        .callback(
            &github_at(&base),
            &CallbackRequest::new("http://app.example/api/auth/callback/github", "gh-code"),
        )
        .await
        .expect("a sign-in");
    assert_eq!(signed_in.user.id, "583231");
    assert_eq!(signed_in.user.name.as_deref(), Some("octocat"));
    assert_eq!(signed_in.user.email.as_deref(), Some("octocat@github.com"));
    assert_eq!(
        signed_in.user.image.as_deref(),
        Some("https://avatars.githubusercontent.com/u/583231?v=4")
    );
    assert_eq!(
        signed_in.tokens.scope.as_deref(),
        Some("read:user,user:email")
    );
}

#[tokio::test]
async fn fake_github_with_an_unverified_primary_email_signs_in_without_email() {
    let base = start_fake_github(json!([
        {"email": "octocat@github.com", "primary": true, "verified": false}
    ]))
    .await;
    let signed_in = OAuthClient::new()
        .callback(
            &github_at(&base),
            &CallbackRequest::new("http://app.example/api/auth/callback/github", "gh-code"),
        )
        .await
        .expect("a sign-in");
    assert_eq!(signed_in.user.id, "583231");
    assert_eq!(signed_in.user.email, None);
}

#[tokio::test]
async fn fake_github_refusing_the_code_with_status_200_is_an_error() {
    let base = start_fake_github(json!([])).await;
    let err = OAuthClient::new()
        .callback(
            &github_at(&base),
            &CallbackRequest::new("http://app.example/api/auth/callback/github", "stale-code"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::TokenRefused { status: 200, error } if error == "bad_verification_code"),
        "{err:?}"
    );
}
