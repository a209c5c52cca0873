//! Flow tests of [`OAuthClient`] against in-process fake providers (a blocking HTTP/1.1 server
//! on a thread): failures and quirks a real provider cannot be made to produce. The happy
//! paths against a real OpenID provider are in `tests/oauth_client.rs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::id_token::tests::{TestKey, claims, now, sign_hs256};
use super::*;

/// A request as the fake saw it.
#[derive(Clone, Debug)]
pub(super) struct Seen {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
}

impl Seen {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A field of a form-encoded body.
    pub(super) fn form(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// `(status, content type, body)`.
pub(super) type Answer = (u16, &'static str, Vec<u8>);
type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A fake provider: every request is recorded and answered by the handler.
pub(super) struct Fake {
    pub(super) base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub(super) fn start(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (handler, log) = (Arc::clone(&handler), Arc::clone(&log));
                std::thread::spawn(move || serve(stream, &handler, &log));
            }
        });
        Fake { base, seen }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }
}

fn serve(stream: std::net::TcpStream, handler: &Handler, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let seen = Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock().unwrap().push(seen.clone());
    let (status, content_type, body) = handler(&seen);
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

pub(super) fn json_answer(status: u16, body: Value) -> Answer {
    (status, "application/json", body.to_string().into_bytes())
}

pub(super) const CLIENT_ID: &str = "client-1";
pub(super) const CLIENT_SECRET: &str = "SECRET-client-3e1f";
pub(super) const CODE: &str = "CODE-0b9d";
pub(super) const VERIFIER: &str = "VERIFIER-77aa-0123456789012345678901234567890123";
const NONCE: &str = "n-1";
pub(super) const REDIRECT_URI: &str = "https://app.example/api/auth/callback/idp";

/// OpenID Connect endpoints at the fake, the fake being the issuer.
pub(super) fn oidc_endpoints(fake: &Fake) -> Endpoints {
    Endpoints::Manual {
        authorization: fake.url("/authorize"),
        token: fake.url("/token"),
        userinfo: Some(fake.url("/userinfo")),
        issuer: Some(fake.base.clone()),
        jwks_uri: Some(fake.url("/jwks")),
    }
}

/// An OpenID Connect provider with manual endpoints at the fake.
fn oidc_provider(fake: &Fake) -> OAuthProvider {
    OAuthProvider::new(oidc_endpoints(fake), CLIENT_ID, CLIENT_SECRET)
        .unwrap()
        .fetch_userinfo(false)
}

/// A plain OAuth provider with its endpoints at the fake: `/authorize`, `/token`, `/me`.
fn oauth_provider(fake: &Fake) -> OAuthProvider {
    OAuthProvider::new(
        Endpoints::oauth(fake.url("/authorize"), fake.url("/token"), fake.url("/me")),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .unwrap()
}

/// The callback of a plain OAuth flow: PKCE, no nonce.
pub(super) fn oauth_callback() -> CallbackRequest<'static> {
    CallbackRequest::new(REDIRECT_URI, CODE).code_verifier(VERIFIER)
}

fn callback_request() -> CallbackRequest<'static> {
    CallbackRequest::new(REDIRECT_URI, CODE)
        .code_verifier(VERIFIER)
        .nonce(NONCE)
}

/// ID token claims for the fake's issuer.
fn id_claims(issuer: &str) -> Value {
    let mut c = claims(now());
    c["iss"] = json!(issuer);
    c["aud"] = json!(CLIENT_ID);
    c["nonce"] = json!(NONCE);
    c
}

#[tokio::test]
async fn an_unknown_key_id_refreshes_the_jwks_at_most_once_per_interval() {
    let (old, rotated, unknown) = (
        TestKey::generate("old"),
        TestKey::generate("rotated"),
        TestKey::generate("unknown"),
    );
    let (old_jwk, rotated_jwk) = (old.jwk.clone(), rotated.jwk.clone());
    // Which key signs the next ID token; the JWKS lists `rotated` from its second fetch on.
    let signer = Arc::new(Mutex::new("old"));
    let jwks_fetches = Arc::new(AtomicUsize::new(0));
    let issuer = Arc::new(Mutex::new(String::new()));
    let (signer_for_fake, fetches, issuer_for_fake) = (
        Arc::clone(&signer),
        Arc::clone(&jwks_fetches),
        Arc::clone(&issuer),
    );
    let fake = Fake::start(move |seen| match seen.path.as_str() {
        "/jwks" => match fetches.fetch_add(1, Ordering::SeqCst) {
            0 => json_answer(200, json!({"keys": [old_jwk]})),
            _ => json_answer(200, json!({"keys": [old_jwk, rotated_jwk]})),
        },
        "/token" => {
            let key = match *signer_for_fake.lock().unwrap() {
                "old" => &old,
                "rotated" => &rotated,
                _ => &unknown,
            };
            let id_token = key.sign(&key.header(), &id_claims(&issuer_for_fake.lock().unwrap()));
            json_answer(
                200,
                json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}),
            )
        }
        _ => json_answer(404, json!({})),
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = oidc_provider(&fake);
    let interval = Duration::from_millis(300);
    let client = OAuthClient::builder()
        .jwks_refresh_interval(interval)
        .build()
        .unwrap();
    let fetches = || jwks_fetches.load(Ordering::SeqCst);

    let signed_in = client
        .callback(&provider, &callback_request())
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "alice");
    assert_eq!(fetches(), 1);

    // The provider rotated its key; once the interval has passed, the new kid is fetched.
    *signer.lock().unwrap() = "rotated";
    tokio::time::sleep(interval).await;
    client
        .callback(&provider, &callback_request())
        .await
        .unwrap();
    assert_eq!(fetches(), 2, "one refresh");
    client
        .callback(&provider, &callback_request())
        .await
        .unwrap();
    assert_eq!(fetches(), 2, "the refreshed keys are cached");

    // A kid nobody knows: no refresh within the interval, one after it.
    *signer.lock().unwrap() = "unknown";
    let err = client
        .callback(&provider, &callback_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::IdToken(IdTokenError::NoMatchingKey { .. })),
        "{err:?}"
    );
    assert_eq!(fetches(), 2, "rate-limited");
    tokio::time::sleep(interval).await;
    assert!(
        client
            .callback(&provider, &callback_request())
            .await
            .is_err()
    );
    assert_eq!(fetches(), 3);
}

#[tokio::test]
async fn client_secret_basic_form_encodes_the_credentials() {
    let fake = Fake::start(|_| json_answer(400, json!({"error": "invalid_grant"})));
    let provider = OAuthProvider::new(
        Endpoints::oauth(fake.url("/a"), fake.url("/token"), fake.url("/me")),
        "my client:1",
        "p@ss w/rd",
    )
    .unwrap();
    let err = OAuthClient::new()
        .callback(&provider, &oauth_callback())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::TokenRefused { status: 400, .. }),
        "{err:?}"
    );
    let seen = &fake.seen()[0];
    assert_eq!(seen.method, "POST");
    // RFC 6749 §2.3.1: each part form-urlencoded, then joined by `:`.
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "my+client%3A1:p%40ss+w%2Frd"
        )
    );
    assert_eq!(seen.header("authorization"), Some(expected.as_str()));
    assert_eq!(seen.header("accept"), Some("application/json"));
    let get = |k: &str| seen.form(k);
    assert_eq!(get("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(get("code").as_deref(), Some(CODE));
    assert_eq!(get("redirect_uri").as_deref(), Some(REDIRECT_URI));
    assert_eq!(get("code_verifier").as_deref(), Some(VERIFIER));
    assert_eq!(get("client_secret"), None, "the secret stays in the header");
}

#[tokio::test]
async fn client_secret_post_sends_the_credentials_in_the_form() {
    let fake = Fake::start(|_| json_answer(401, json!({"error": "invalid_client"})));
    let provider = oauth_provider(&fake).token_auth_method(TokenAuthMethod::ClientSecretPost);
    let _ = OAuthClient::new()
        .callback(&provider, &oauth_callback())
        .await;
    let seen = &fake.seen()[0];
    assert_eq!(seen.header("authorization"), None);
    assert!(seen.body.contains("client_id=client-1"), "{}", seen.body);
    assert!(
        seen.body
            .contains(&format!("client_secret={CLIENT_SECRET}")),
        "{}",
        seen.body
    );
}

/// Every way a callback can fail after the secret, the code and the verifier went out: the
/// error's `Display` and `Debug` never contain them, nor any token (advisory GHSA-p6mm-27gq-9v3p).
#[tokio::test]
async fn error_messages_never_contain_the_secret_code_verifier_or_tokens() {
    let key = TestKey::generate("k");
    let wrong_key = TestKey::generate("k");
    let issuer = Arc::new(Mutex::new(String::new()));
    let issuer_for_fake = Arc::clone(&issuer);
    let mode = Arc::new(AtomicUsize::new(0));
    let mode_for_fake = Arc::clone(&mode);
    let jwk = key.jwk.clone();
    let fake = Fake::start(move |seen| {
        let issuer = issuer_for_fake.lock().unwrap().clone();
        let echo = format!(
            "{} {}",
            seen.body,
            seen.header("authorization").unwrap_or("")
        );
        match (seen.path.as_str(), mode_for_fake.load(Ordering::SeqCst)) {
            ("/jwks", _) => json_answer(200, json!({"keys": [jwk]})),
            // A provider that echoes the request in its error description.
            ("/token", 0) => json_answer(
                401,
                json!({"error": "invalid_client", "error_description": echo}),
            ),
            ("/token", 1) => (500, "text/plain", echo.into_bytes()),
            ("/token", 2) => json_answer(
                200,
                json!({"access_token": "SECRET-ACCESS-TOKEN",
                "id_token": wrong_key.sign(&wrong_key.header(), &id_claims(&issuer)),
                "refresh_token": "SECRET-REFRESH-TOKEN"}),
            ),
            ("/token", _) => json_answer(
                200,
                json!({"access_token": "SECRET-ACCESS-TOKEN",
                "id_token": "SECRET.ID.TOKEN"}),
            ),
            _ => json_answer(404, json!({})),
        }
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = oidc_provider(&fake);
    let client = OAuthClient::new();
    for step in 0..4 {
        mode.store(step, Ordering::SeqCst);
        let err = client
            .callback(&provider, &callback_request())
            .await
            .unwrap_err();
        let shown = format!("{err} | {err:?}");
        for secret in [
            CLIENT_SECRET,
            CODE,
            VERIFIER,
            "SECRET-ACCESS-TOKEN",
            "SECRET-REFRESH-TOKEN",
            "SECRET.ID.TOKEN",
        ] {
            assert!(!shown.contains(secret), "step {step}: {shown}");
        }
        assert_eq!(err.code(), "OAuthCallback", "step {step}");
    }
}

#[tokio::test]
async fn a_wrong_iss_parameter_stops_the_callback_before_the_token_request() {
    let fake = Fake::start(|_| json_answer(500, json!({})));
    let provider = oidc_provider(&fake);
    let request = callback_request().iss(Some("https://evil.example"));
    let err = OAuthClient::new()
        .callback(&provider, &request)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::IssuerMismatch { received: Some(iss), .. } if iss == "https://evil.example"),
        "{err:?}"
    );
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
}

#[tokio::test]
async fn missing_check_values_are_refused_before_any_request() {
    let fake = Fake::start(|_| json_answer(500, json!({})));
    let provider = oidc_provider(&fake);
    let client = OAuthClient::new();
    let no_nonce = oauth_callback();
    assert!(matches!(
        client.callback(&provider, &no_nonce).await,
        Err(OAuthError::MissingCheck {
            stage: Stage::Callback,
            check: "nonce"
        })
    ));
    let no_state = AuthorizationRequest::new(REDIRECT_URI)
        .code_challenge("c")
        .nonce("n");
    let err = client
        .authorization_url(&provider, &no_state)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "OAuthSignin");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn twitch_style_userinfo_gets_the_client_id_header_and_data_is_unwrapped() {
    let fake = Fake::start(|seen| match seen.path.as_str() {
        "/token" => json_answer(200, json!({"access_token": "at-1", "token_type": "bearer"})),
        "/me" => json_answer(
            200,
            json!({"data": [{"id": "141981764", "display_name": "TwitchDev",
                "email": "Dev@Twitch.TV", "profile_image_url": "https://static-cdn.jtvnw.net/a.png"}]}),
        ),
        _ => json_answer(404, json!({})),
    });
    let mut provider = oauth_provider(&fake).profile(Arc::new(|p: &Value| {
        Some(crate::user::User {
            id: p["id"].as_str()?.to_owned(),
            name: p["display_name"].as_str().map(str::to_owned),
            email: p["email"].as_str().map(str::to_owned),
            image: p["profile_image_url"].as_str().map(str::to_owned),
            roles: Vec::new(),
        })
    }));
    provider.quirks.row.client_id_header = true;
    provider.quirks.row.profile_pointer = Some("/data/0");
    let signed_in = OAuthClient::new()
        .callback(&provider, &oauth_callback())
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "141981764");
    assert_eq!(
        signed_in.user.email.as_deref(),
        Some("dev@twitch.tv"),
        "lower-cased"
    );
    assert_eq!(signed_in.profile["display_name"], "TwitchDev");
    let userinfo = fake.seen().into_iter().find(|s| s.path == "/me").unwrap();
    assert_eq!(userinfo.header("client-id"), Some(CLIENT_ID));
    assert_eq!(userinfo.header("authorization"), Some("Bearer at-1"));
}

/// Notion's, Dropbox's, Yandex's and VK's quirks together: a JSON token request, a POST to
/// userinfo with another `Authorization` scheme and a version header, the profile inside the
/// answer, and the email from the token response.
#[tokio::test]
async fn token_and_userinfo_quirks_shape_the_requests_and_the_profile() {
    let fake = Fake::start(|seen| match seen.path.as_str() {
        "/token" => json_answer(
            200,
            json!({"access_token": "at-1", "token_type": "bearer", "email": "Ann@X.io"}),
        ),
        "/me" => json_answer(
            200,
            json!({"object": "user", "bot": {"owner": {"type": "user",
                "user": {"id": "u-1", "name": "Ann", "email": null}}}}),
        ),
        _ => json_answer(404, json!({})),
    });
    let mut provider = oauth_provider(&fake);
    provider.quirks.row = auth_shared::presets::Quirks {
        profile_pointer: Some("/bot/owner/user"),
        userinfo_post: true,
        userinfo_headers: &[("Notion-Version", "2022-06-28")],
        userinfo_auth_scheme: Some("OAuth"),
        token_profile_fields: &["email", "scope"],
        token_request_json: true,
        ..auth_shared::presets::Quirks::NONE
    };
    let signed_in = OAuthClient::new()
        .callback(&provider, &oauth_callback())
        .await
        .unwrap();
    assert_eq!(
        signed_in.profile,
        json!({"id": "u-1", "name": "Ann", "email": "Ann@X.io"}),
        "the null email is filled from the token response; a missing field stays missing"
    );
    assert_eq!(signed_in.user.email.as_deref(), Some("ann@x.io"));

    let seen = fake.seen();
    let token = seen.iter().find(|s| s.path == "/token").unwrap();
    assert_eq!(token.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(&token.body).unwrap();
    assert_eq!(
        body,
        json!({"grant_type": "authorization_code", "code": CODE,
            "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER})
    );
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    let userinfo = seen.iter().find(|s| s.path == "/me").unwrap();
    assert_eq!(userinfo.method, "POST");
    assert_eq!(userinfo.body, "");
    assert_eq!(userinfo.header("authorization"), Some("OAuth at-1"));
    assert_eq!(userinfo.header("notion-version"), Some("2022-06-28"));
}

#[tokio::test]
async fn a_profile_pointer_that_finds_nothing_leaves_the_answer_whole() {
    let fake = Fake::start(|seen| match seen.path.as_str() {
        "/token" => json_answer(200, json!({"access_token": "at-1"})),
        _ => json_answer(200, json!({"id": "7", "name": "Ann"})),
    });
    let mut provider = oauth_provider(&fake);
    provider.quirks.row.profile_pointer = Some("/data/0");
    let signed_in = OAuthClient::new()
        .callback(&provider, &oauth_callback())
        .await
        .unwrap();
    assert_eq!(signed_in.profile, json!({"id": "7", "name": "Ann"}));
    assert_eq!(fake.seen()[1].method, "GET");
    assert_eq!(fake.seen()[1].header("authorization"), Some("Bearer at-1"));
}

/// LINE signs web-login ID tokens HS256 with the channel secret (the client secret).
#[tokio::test]
async fn an_hs256_id_token_verifies_with_the_client_secret_only_for_line() {
    let issuer = Arc::new(Mutex::new(String::new()));
    let secret = Arc::new(Mutex::new(CLIENT_SECRET));
    let (issuer_for_fake, secret_for_fake) = (Arc::clone(&issuer), Arc::clone(&secret));
    let fake = Fake::start(move |seen| match seen.path.as_str() {
        "/token" => {
            let claims = id_claims(&issuer_for_fake.lock().unwrap());
            let id_token = sign_hs256(*secret_for_fake.lock().unwrap(), &claims);
            json_answer(200, json!({"access_token": "at", "id_token": id_token}))
        }
        "/jwks" => json_answer(200, json!({"keys": []})),
        _ => json_answer(404, json!({})),
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let client = OAuthClient::new();

    let err = client
        .callback(&oidc_provider(&fake), &callback_request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            OAuthError::IdToken(IdTokenError::UnsupportedAlgorithm { .. })
        ),
        "{err:?}"
    );

    let params = PresetParams::new();
    let provider = OAuthProvider::preset(Preset::Line, CLIENT_ID, CLIENT_SECRET, &params)
        .unwrap()
        .with_endpoints(oidc_endpoints(&fake))
        .unwrap();
    let signed_in = client
        .callback(&provider, &callback_request())
        .await
        .unwrap();
    assert_eq!(signed_in.user.id, "alice");
    assert_eq!(
        fake.count("/jwks"),
        0,
        "the key is the secret, not the JWKS"
    );
    let token = fake.seen().into_iter().rfind(|s| s.path == "/token");
    let posted = token.and_then(|token| token.form("client_secret"));
    assert_eq!(posted.as_deref(), Some(CLIENT_SECRET), "client_secret_post");

    *secret.lock().unwrap() = "another-secret";
    let err = client
        .callback(&provider, &callback_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::IdToken(IdTokenError::InvalidSignature)),
        "{err:?}"
    );
}

#[tokio::test]
async fn userinfo_with_another_subject_is_refused() {
    let key = TestKey::generate("k");
    let jwk = key.jwk.clone();
    let issuer = Arc::new(Mutex::new(String::new()));
    let issuer_for_fake = Arc::clone(&issuer);
    let fake = Fake::start(move |seen| match seen.path.as_str() {
        "/jwks" => json_answer(200, json!({"keys": [jwk]})),
        "/token" => json_answer(
            200,
            json!({"access_token": "at",
            "id_token": key.sign(&key.header(), &id_claims(&issuer_for_fake.lock().unwrap()))}),
        ),
        "/userinfo" => json_answer(200, json!({"sub": "mallory", "email": "m@x.io"})),
        _ => json_answer(404, json!({})),
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = oidc_provider(&fake).fetch_userinfo(true);
    let err = OAuthClient::new()
        .callback(&provider, &callback_request())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::SubjectMismatch), "{err:?}");
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let fake = Fake::start(|_| (200, "application/json", vec![b' '; 64 * 1024]));
    let provider = OAuthProvider::new(
        Endpoints::discovery(fake.base.clone()),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .unwrap();
    let client = OAuthClient::builder()
        .max_body_bytes(16 * 1024)
        .build()
        .unwrap();
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .state("s")
        .code_challenge("c")
        .nonce("n");
    let err = client
        .authorization_url(&provider, &request)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OAuthError::Discovery { reason, .. } if reason.contains("larger than 16384 bytes")),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_discovery_is_fetched_again_and_a_good_one_is_cached() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let issuer = Arc::new(Mutex::new(String::new()));
    let issuer_for_fake = Arc::clone(&issuer);
    let fake = Fake::start(move |_| {
        let issuer = issuer_for_fake.lock().unwrap().clone();
        match counter.fetch_add(1, Ordering::SeqCst) {
            0 => (503, "text/plain", b"busy".to_vec()),
            _ => json_answer(
                200,
                json!({"issuer": issuer,
                "authorization_endpoint": format!("{issuer}/auth?ui=1"),
                "token_endpoint": format!("{issuer}/token"),
                "jwks_uri": format!("{issuer}/jwks")}),
            ),
        }
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = OAuthProvider::new(
        Endpoints::discovery(fake.base.clone()),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .unwrap();
    let client = OAuthClient::new();
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .state("s")
        .code_challenge("c")
        .nonce("n");
    let err = client
        .authorization_url(&provider, &request)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    let url = client.authorization_url(&provider, &request).await.unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/auth?ui=1&client_id=client-1&scope=openid%20email%20profile",
            fake.base
        )),
        "{url}"
    );
    client.authorization_url(&provider, &request).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(fake.count("/.well-known/openid-configuration"), 2);
}

/// The profile of a callback whose `user` field is `user`.
async fn profile_with_user_field(provider: &OAuthProvider, user: &str) -> Value {
    OAuthClient::new()
        .callback(provider, &callback_request().user(Some(user)))
        .await
        .unwrap()
        .profile
}

/// Sign in with Apple's `user` field: on a `form_post` provider's callback, a JSON object of at
/// most 4 KiB goes under `user`, never over a `user` claim of the provider's own; anything
/// else is dropped, and other providers' callbacks never take it.
#[tokio::test]
async fn a_form_post_callbacks_user_field_goes_under_user_in_the_profile() {
    let key = TestKey::generate("k");
    let jwk = key.jwk.clone();
    let issuer = Arc::new(Mutex::new(String::new()));
    let claims_user = Arc::new(Mutex::new(None::<Value>));
    let (issuer_for_fake, claims_user_for_fake) = (Arc::clone(&issuer), Arc::clone(&claims_user));
    let fake = Fake::start(move |seen| match seen.path.as_str() {
        "/jwks" => json_answer(200, json!({"keys": [jwk]})),
        "/token" => {
            let mut claims = id_claims(&issuer_for_fake.lock().unwrap());
            if let Some(user) = claims_user_for_fake.lock().unwrap().clone() {
                claims["user"] = user;
            }
            let id_token = key.sign(&key.header(), &claims);
            json_answer(200, json!({"access_token": "at", "id_token": id_token}))
        }
        _ => json_answer(404, json!({})),
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let form_post = oidc_provider(&fake).param("response_mode", "form_post");

    let user = r#"{"name":{"firstName":"Ann","lastName":"Lee"}}"#;
    let profile = profile_with_user_field(&form_post, user).await;
    assert_eq!(
        profile["user"],
        json!({"name": {"firstName": "Ann", "lastName": "Lee"}})
    );
    assert_eq!(profile["sub"], "alice", "the claims stay");

    // 4 KiB exactly is read; a byte more is not.
    let padded = |bytes: usize| format!(r#"{{"pad":"{}"}}"#, "x".repeat(bytes - 10));
    assert_eq!(padded(4096).len(), 4096);
    let read = profile_with_user_field(&form_post, &padded(4096)).await;
    assert!(read.get("user").is_some());
    for dropped in [
        padded(4097),
        "not json".to_owned(),
        "[1, 2]".to_owned(),
        "\"Ann\"".to_owned(),
    ] {
        let profile = profile_with_user_field(&form_post, &dropped).await;
        assert_eq!(profile.get("user"), None, "{dropped:.20}");
    }

    let query = oidc_provider(&fake);
    assert_eq!(
        profile_with_user_field(&query, user).await.get("user"),
        None
    );

    *claims_user.lock().unwrap() = Some(json!("the provider's own"));
    let profile = profile_with_user_field(&form_post, user).await;
    assert_eq!(profile["user"], "the provider's own");
}
