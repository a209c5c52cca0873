//! The OAuth callback against the failures a real provider cannot be made to produce, through
//! the routes, with an in-process fake OpenID provider (`fake_idp_*`): a token endpoint that
//! hangs or answers garbage, a broken discovery document, ID tokens that are unsigned, signed
//! by an unpublished key, for another audience, expired or with another nonce, key rotation,
//! and a userinfo answer about another subject. The real-provider flow is `tests/oauth_flow.rs`.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use auth_runtime::auth;
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::now;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";
const CLIENT_ID: &str = "fake-client";
const CLIENT_SECRET: &str = "fake-client-secret";
const ACCESS_TOKEN: &str = "fake-access-token";
const CODE: &str = "fake-code";
const SUBJECT: &str = "fake-alice";
const SESSION_COOKIE: &str = "next-auth.session-token";

auth! {
    module: faulty,
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        idp: Oidc {
            name: "Fake IdP",
            issuer: env("IDP_ISSUER"),
            client_id: env("IDP_CLIENT_ID"),
            client_secret: env("IDP_CLIENT_SECRET"),
        },
    },
}

// ---------------------------------------------------------------------------------------------
// Keys

/// An RSA key the fake signs ID tokens with (RS256), and its public JWK.
struct SigningKey {
    kid: &'static str,
    pair: KeyPair,
}

impl SigningKey {
    fn generate(kid: &'static str) -> SigningKey {
        SigningKey {
            kid,
            pair: KeyPair::generate(KeySize::Rsa2048).unwrap(),
        }
    }

    fn jwk(&self) -> Value {
        let public = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        json!({"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e)})
    }

    fn header(&self) -> Value {
        json!({"alg": "RS256", "typ": "JWT", "kid": self.kid})
    }

    /// A compact JWS of `claims` under `header`, signed RS256 by this key.
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn id_token(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

/// Keys A and B (published as the tests say) and C (never published). RSA generation is the
/// slow part of a test, so the binary makes them once.
fn keys() -> &'static [SigningKey; 3] {
    static KEYS: OnceLock<[SigningKey; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        std::thread::scope(|s| {
            ["key-a", "key-b", "key-c"]
                .map(|kid| s.spawn(move || SigningKey::generate(kid)))
                .map(|generating| generating.join().unwrap())
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The fake OpenID provider

/// What one endpoint of the fake answers.
#[derive(Clone, Debug)]
enum Reply {
    /// Status, content type, body.
    Body(u16, &'static str, String),
    /// Nothing for 60 s, far beyond the client's 10 s.
    Hang,
}

impl Reply {
    fn json(value: Value) -> Reply {
        Reply::Body(200, "application/json", value.to_string())
    }

    /// A token endpoint's success carrying `id_token`.
    fn tokens(id_token: &str) -> Reply {
        Reply::json(json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer",
            "expires_in": 300, "id_token": id_token}))
    }
}

/// The fake's behaviour, switched by the tests, and what it was asked.
struct Behaviour {
    discovery: Reply,
    jwks: Reply,
    token: Reply,
    userinfo: Reply,
    /// The path of every request, in order.
    hits: Vec<String>,
    /// The `Authorization` header and form body of every token request.
    token_requests: Vec<(Option<String>, String)>,
    /// The `Authorization` header of every userinfo request.
    userinfo_auth: Vec<Option<String>>,
}

struct FakeIdp {
    issuer: String,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl FakeIdp {
    /// A fake on `127.0.0.1:0` with a good discovery document, a JWKS of key A only, a token
    /// endpoint that has no answer yet (500) and a userinfo for [`SUBJECT`].
    async fn start() -> FakeIdp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let behaviour = Arc::new(Mutex::new(Behaviour {
            discovery: Reply::json(discovery_document(&issuer)),
            jwks: jwks(&[&keys()[0]]),
            token: Reply::Body(500, "text/plain", "no token answer set".to_owned()),
            userinfo: Reply::json(json!({"sub": SUBJECT, "name": "Alice Fake",
                "picture": "https://img.fake.example/alice.png"})),
            hits: Vec::new(),
            token_requests: Vec::new(),
            userinfo_auth: Vec::new(),
        }));
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&behaviour));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeIdp { issuer, behaviour }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Behaviour) -> R) -> R {
        f(&mut self.behaviour.lock().unwrap())
    }

    fn set_discovery(&self, reply: Reply) {
        self.with(|b| b.discovery = reply);
    }

    fn set_jwks(&self, reply: Reply) {
        self.with(|b| b.jwks = reply);
    }

    fn set_token(&self, reply: Reply) {
        self.with(|b| b.token = reply);
    }

    fn set_userinfo(&self, reply: Reply) {
        self.with(|b| b.userinfo = reply);
    }

    fn hits(&self, path: &str) -> usize {
        self.with(|b| b.hits.iter().filter(|p| *p == path).count())
    }

    /// Good ID token claims for the sign-in that sent `nonce`.
    fn claims(&self, nonce: &str) -> Value {
        let now = now();
        json!({"iss": self.issuer, "aud": CLIENT_ID, "sub": SUBJECT, "exp": now + 300,
            "iat": now, "nonce": nonce, "email": "Alice@Fake.example"})
    }
}

fn discovery_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "authorization_response_iss_parameter_supported": false,
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

fn jwks(keys: &[&SigningKey]) -> Reply {
    Reply::json(json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}))
}

async fn serve(
    State(behaviour): State<Arc<Mutex<Behaviour>>>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reply = {
        let mut b = behaviour.lock().unwrap();
        b.hits.push(uri.path().to_owned());
        match uri.path() {
            "/.well-known/openid-configuration" => b.discovery.clone(),
            "/jwks" => b.jwks.clone(),
            "/token" => {
                b.token_requests.push((authorization, body));
                b.token.clone()
            }
            "/userinfo" => {
                b.userinfo_auth.push(authorization);
                b.userinfo.clone()
            }
            _ => Reply::Body(404, "text/plain", "not found".to_owned()),
        }
    };
    match reply {
        Reply::Body(status, content_type, body) => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response(),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Driving the app

/// A new app (hence a new OAuth client with empty discovery and JWKS caches) for `fake`.
fn app_for(fake: &FakeIdp) -> Router {
    let auth = faulty::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "oauth-faults-secret-1f7b3d9e5a2c8f4e6b"),
        ("NEXTAUTH_URL", ORIGIN),
        ("IDP_ISSUER", &fake.issuer),
        ("IDP_CLIENT_ID", CLIENT_ID),
        ("IDP_CLIENT_SECRET", CLIENT_SECRET),
    ]))
    .expect("config");
    faulty::router(auth.clone()).layer(auth.layer())
}

/// `POST /signin/idp` in JSON mode, CSRF token included.
async fn post_signin(client: &mut Client) -> Answer {
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/signin/idp"),
            &format!("csrfToken={token}&callbackUrl=%2Fhome&json=true"),
        )
        .await
}

/// What the authorization URL told the provider.
struct Started {
    state: String,
    nonce: String,
}

/// Starts a sign-in and reads the authorization URL, as the provider would.
async fn start(fake: &FakeIdp, client: &mut Client) -> Started {
    let answer = post_signin(client).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let url = url::Url::parse(answer.json()["url"].as_str().unwrap()).unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/authorize?", fake.issuer)),
        "{url}"
    );
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no `{name}` in {url}"))
    };
    assert_eq!(
        param("redirect_uri"),
        format!("{ORIGIN}{BASE}/callback/idp")
    );
    assert_eq!(param("client_id"), CLIENT_ID);
    Started {
        state: param("state"),
        nonce: param("nonce"),
    }
}

/// The provider's redirect back, with any code and the sign-in's state.
async fn callback(client: &mut Client, started: &Started) -> Answer {
    let state: String = url::form_urlencoded::byte_serialize(started.state.as_bytes()).collect();
    client
        .get(&format!("{BASE}/callback/idp?code={CODE}&state={state}"))
        .await
}

/// A whole sign-in in a new browser, the fake's token endpoint answering `token(started)`.
async fn sign_in(
    app: &Router,
    fake: &FakeIdp,
    token: impl FnOnce(&Started) -> Reply,
) -> (Client, Answer) {
    let mut client = Client::new(app.clone());
    let started = start(fake, &mut client).await;
    fake.set_token(token(&started));
    let answer = callback(&mut client, &started).await;
    (client, answer)
}

/// A sign-in whose ID token is signed by `key` with `claims(good claims)`.
async fn sign_in_with(
    app: &Router,
    fake: &FakeIdp,
    key: &SigningKey,
    claims: impl FnOnce(Value) -> Value,
) -> (Client, Answer) {
    sign_in(app, fake, |started| {
        Reply::tokens(&key.id_token(&claims(fake.claims(&started.nonce))))
    })
    .await
}

/// The callback sent the browser to the error page with `code`, and no session exists.
async fn assert_refused(client: &mut Client, answer: &Answer, code: &str) {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(
        answer.location(),
        format!("{ORIGIN}{BASE}/error?error={code}")
    );
    assert!(
        answer.set_cookie(SESSION_COOKIE).is_none(),
        "a session cookie was set"
    );
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.body, "{}", "a session exists");
}

/// The callback signed [`SUBJECT`] in and sent the browser to the callback URL.
async fn assert_signed_in(client: &mut Client, answer: &Answer) {
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    assert_eq!(answer.location(), format!("{ORIGIN}/home"));
    assert!(answer.set_cookie(SESSION_COOKIE).is_some(), "no session");
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(session["user"]["email"], "alice@fake.example", "{session}");
}

// ---------------------------------------------------------------------------------------------
// The control

#[tokio::test]
async fn fake_idp_with_a_good_id_token_signs_in_and_the_session_shows_the_user() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    // The name and picture come from userinfo, the email (lower-cased) from the ID token.
    let session = client.get(&format!("{BASE}/session")).await.json();
    assert_eq!(
        session["user"],
        json!({"name": "Alice Fake", "email": "alice@fake.example",
            "image": "https://img.fake.example/alice.png"})
    );
    // What the fake was asked: the code with the PKCE verifier, by client_secret_basic, then
    // userinfo with the access token.
    let (authorization, form) = fake.with(|b| b.token_requests[0].clone());
    let basic = STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(authorization, Some(format!("Basic {basic}")));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("grant_type"), Some("authorization_code"));
    assert_eq!(field("code"), Some(CODE));
    assert_eq!(
        field("redirect_uri"),
        Some("http://127.0.0.1:3000/api/auth/callback/idp")
    );
    assert!(field("code_verifier").is_some_and(|v| v.len() >= 43));
    assert_eq!(
        fake.with(|b| b.userinfo_auth.clone()),
        [Some(format!("Bearer {ACCESS_TOKEN}"))]
    );
}

// ---------------------------------------------------------------------------------------------
// The token endpoint

#[tokio::test]
async fn fake_idp_token_endpoint_that_hangs_gives_oauth_callback_within_the_timeout() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let mut client = Client::new(app.clone());
    let started = start(&fake, &mut client).await;
    fake.set_token(Reply::Hang);

    let began = Instant::now();
    let mut bystander = Client::new(app.clone());
    let (answer, (providers, waited)) = tokio::join!(callback(&mut client, &started), async {
        // While the callback waits on the fake, the app answers others at once.
        while fake.hits("/token") == 0 {
            assert!(began.elapsed() < Duration::from_secs(5), "no token request");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let asked = Instant::now();
        let providers = bystander.get(&format!("{BASE}/providers")).await;
        (providers, asked.elapsed())
    });
    let elapsed = began.elapsed();

    assert_eq!(providers.status, StatusCode::OK);
    assert_eq!(providers.json()["idp"]["name"], "Fake IdP");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    // The client's 10 s total timeout ended it: not sooner (an unrelated failure), and well
    // before the fake's 60 s.
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(15)).contains(&elapsed),
        "{elapsed:?}"
    );
    assert_refused(&mut client, &answer, "OAuthCallback").await;

    // The app still signs people in afterwards.
    let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |c| c).await;
    assert_signed_in(&mut client, &answer).await;
}

#[tokio::test]
async fn fake_idp_token_endpoint_answering_garbage_gives_oauth_callback() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let garbage = [
        Reply::Body(200, "application/json", "not json{".to_owned()),
        Reply::json(json!([{"access_token": ACCESS_TOKEN, "token_type": "Bearer"}])),
        Reply::Body(
            500,
            "text/html",
            "<html><body><h1>500 Internal Server Error</h1></body></html>".to_owned(),
        ),
        // An OpenID provider's answer must carry the ID token.
        Reply::json(json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer"})),
    ];
    for (asked, reply) in garbage.into_iter().enumerate() {
        let (mut client, answer) = sign_in(&app, &fake, |_| reply.clone()).await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
        assert_eq!(
            fake.hits("/token"),
            asked + 1,
            "{reply:?} was not asked for"
        );
    }
    assert_eq!(fake.hits("/userinfo"), 0);

    let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |c| c).await;
    assert_signed_in(&mut client, &answer).await;
}

// ---------------------------------------------------------------------------------------------
// Discovery

#[tokio::test]
async fn fake_idp_discovery_answering_garbage_gives_oauth_signin_and_is_fetched_again() {
    let fake = FakeIdp::start().await;
    let mut without_jwks = discovery_document(&fake.issuer);
    without_jwks.as_object_mut().unwrap().remove("jwks_uri");
    let garbage = [
        Reply::Body(200, "application/json", "not json{".to_owned()),
        Reply::Body(
            500,
            "text/html",
            "<html><body>Internal Server Error</body></html>".to_owned(),
        ),
        Reply::json(json!(["issuer", fake.issuer])),
        Reply::json(without_jwks),
    ];
    // Broken before the app exists, so that nothing good can be cached before the test looks.
    fake.set_discovery(garbage[0].clone());
    let app = app_for(&fake);
    let fetches = || fake.hits("/.well-known/openid-configuration");
    for reply in garbage {
        fake.set_discovery(reply);
        let before = fetches();
        let mut client = Client::new(app.clone());
        let answer = post_signin(&mut client).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(
            answer.json()["url"],
            format!("{ORIGIN}{BASE}/error?error=OAuthSignin")
        );
        assert!(answer.set_cookie("next-auth.state").is_none());
        assert!(answer.set_cookie(SESSION_COOKIE).is_none());
        // A failure is not cached: every sign-in asks again.
        assert!(fetches() > before, "the failed document was cached");
    }

    // Fixed: the next sign-in fetches the document once more and goes through.
    fake.set_discovery(Reply::json(discovery_document(&fake.issuer)));
    let before = fetches();
    let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    assert_eq!(fetches(), before + 1);
    // A good document is cached.
    let mut client = Client::new(app.clone());
    start(&fake, &mut client).await;
    assert_eq!(fetches(), before + 1);
}

// ---------------------------------------------------------------------------------------------
// The ID token

#[tokio::test]
async fn fake_idp_id_token_with_alg_none_or_without_signature_gives_oauth_callback() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let unsigned = |header: Value, claims: &Value| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    };
    for header in [
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "none", "typ": "JWT", "kid": "key-a"}),
        // Claims RS256 but carries no signature.
        keys()[0].header(),
    ] {
        let (mut client, answer) = sign_in(&app, &fake, |started| {
            Reply::tokens(&unsigned(header.clone(), &fake.claims(&started.nonce)))
        })
        .await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
    }
    assert_eq!(fake.hits("/token"), 3);
    assert_eq!(fake.hits("/userinfo"), 0);
}

#[tokio::test]
async fn fake_idp_id_token_signed_by_an_unpublished_key_gives_oauth_callback() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let [key_a, _, key_c] = keys();
    let impostor_header = |kid: Option<&str>| {
        let mut header = key_c.header();
        match kid {
            Some(kid) => header["kid"] = json!(kid),
            None => {
                header.as_object_mut().unwrap().remove("kid");
            }
        }
        header
    };
    for header in [
        // A kid the JWKS does not have.
        key_c.header(),
        // Key A's kid, or none, with key C's signature.
        impostor_header(Some(key_a.kid)),
        impostor_header(None),
    ] {
        let (mut client, answer) = sign_in(&app, &fake, |started| {
            Reply::tokens(&key_c.sign(&header, &fake.claims(&started.nonce)))
        })
        .await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
    }
    assert_eq!(fake.hits("/token"), 3);
    assert_eq!(fake.hits("/userinfo"), 0);
    // The unknown kid asked for a refresh, but the JWKS had been fetched by that very
    // callback, less than the 10 s refresh interval before: it is not fetched again, so made-up
    // kids cannot make the app hammer the provider.
    assert_eq!(fake.hits("/jwks"), 1);
}

#[tokio::test]
async fn fake_idp_key_rotation_is_refused_within_ten_seconds_and_picked_up_after() {
    // The JWKS cache refetches on an unknown kid only when its keys are at least 10 s old
    // (`JwksCache::keys`, measured with `std::time::Instant`, so tokio's paused clock cannot
    // shorten it, and the routed app takes no other interval). So: a rotation right after a
    // fetch is refused by design; a second app (a fresh cache, as after a restart) shows that
    // key B itself is good; and the first app picks B up after the interval with exactly one
    // refresh. Only the rest of the 10 s is slept, and it overlaps the 10 s of the hanging
    // token endpoint test, so the run takes no longer.
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let [key_a, key_b, _] = keys();

    let (mut client, answer) = sign_in_with(&app, &fake, key_a, |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    let fetched_by = Instant::now();
    assert_eq!(fake.hits("/jwks"), 1);

    fake.set_jwks(jwks(&[key_b]));
    let (mut client, answer) = sign_in_with(&app, &fake, key_b, |c| c).await;
    assert_refused(&mut client, &answer, "OAuthCallback").await;
    assert_eq!(fake.hits("/jwks"), 1, "refetched within the interval");

    let restarted = app_for(&fake);
    let (mut client, answer) = sign_in_with(&restarted, &fake, key_b, |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    assert_eq!(fake.hits("/jwks"), 2);

    let interval = Duration::from_secs(10) + Duration::from_millis(100);
    tokio::time::sleep(interval.saturating_sub(fetched_by.elapsed())).await;
    let (mut client, answer) = sign_in_with(&app, &fake, key_b, |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    assert_eq!(fake.hits("/jwks"), 3, "one refresh");
    // Key B is now cached: the next sign-in fetches nothing.
    let (mut client, answer) = sign_in_with(&app, &fake, key_b, |c| c).await;
    assert_signed_in(&mut client, &answer).await;
    assert_eq!(fake.hits("/jwks"), 3);
}

#[tokio::test]
async fn fake_idp_id_token_for_another_audience_issuer_or_expired_gives_oauth_callback() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    let now = now();
    let bad: [(&str, Value); 4] = [
        ("aud", json!("another-client")),
        ("aud", json!(["another-client", "api"])),
        ("iss", json!("http://evil.example")),
        // Beyond the 10 s clock tolerance.
        ("exp", json!(now - 60)),
    ];
    for (claim, value) in &bad {
        let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |mut c| {
            c[claim] = value.clone();
            if *claim == "exp" {
                c["iat"] = json!(now - 360);
            }
            c
        })
        .await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
    }
    assert_eq!(fake.hits("/token"), bad.len());
    assert_eq!(fake.hits("/userinfo"), 0);
}

#[tokio::test]
async fn fake_idp_id_token_with_another_nonce_gives_oauth_callback() {
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    // A nonce the app really issued, to another browser's sign-in.
    let other_nonce = start(&fake, &mut Client::new(app.clone())).await.nonce;
    for nonce in [Some(other_nonce.as_str()), Some("not-the-nonce-sent"), None] {
        let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |mut c| {
            match nonce {
                Some(nonce) => c["nonce"] = json!(nonce),
                None => {
                    c.as_object_mut().unwrap().remove("nonce");
                }
            }
            c
        })
        .await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
    }
    assert_eq!(fake.hits("/token"), 3);
    assert_eq!(fake.hits("/userinfo"), 0);
}

// ---------------------------------------------------------------------------------------------
// Userinfo

#[tokio::test]
async fn fake_idp_userinfo_for_another_subject_gives_oauth_callback() {
    // The generic `Oidc` preset merges userinfo over the ID token claims (`fetch_userinfo`),
    // so the `sub`s must agree (OpenID Connect Core §5.3.2).
    let fake = FakeIdp::start().await;
    let app = app_for(&fake);
    for userinfo in [
        json!({"sub": "fake-mallory", "name": "Mallory", "email": "mallory@fake.example"}),
        json!({"name": "No Subject", "email": "alice@fake.example"}),
    ] {
        fake.set_userinfo(Reply::json(userinfo));
        let (mut client, answer) = sign_in_with(&app, &fake, &keys()[0], |c| c).await;
        assert_refused(&mut client, &answer, "OAuthCallback").await;
    }
    assert_eq!(fake.hits("/userinfo"), 2);
}
