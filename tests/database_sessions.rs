//! Database sessions through the routes (docs/REST.md §2.3, §2.9, §5.5), on SQLite and on the
//! machine's PostgreSQL: credentials, OAuth (a real `oidc-provider`) and email (a real SMTP
//! sink, `aiosmtpd`) sign-in, the session row and its expiry rules, sign-out, and account
//! linking. The email advisories of docs/REST.md §9 (#1, #2, #6, #8, #11, #12) are in `tests/advisories/`.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;
use std::time::Duration;

use auth_runtime::auth;
use auth_test_support::client::{Answer, Client, vars};
use auth_test_support::database::authorize;
use auth_test_support::{oidc, smtp};
use auth_test_support::{require_postgres, unique};
use axum::http::StatusCode;

const BASE: &str = "/api/auth";
const ORIGIN: &str = "http://127.0.0.1:3000";

auth! {
    module: db,
    secret: env("NEXTAUTH_SECRET"),
    session: database { adapter: env("TEST_DATABASE_URL"), max_age: seconds(60), update_age: seconds(1) },
    providers: {
        credentials: Credentials {
            fields: { username: text("Username"), password: password("Password") },
            authorize: authorize,
        },
        oidc: Oidc {
            issuer: env("OIDC_ISSUER"),
            client_id: env("OIDC_CLIENT_ID"),
            client_secret: env("OIDC_CLIENT_SECRET"),
        },
        email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
    },
}

fn provider() -> &'static oidc::OidcProvider {
    static PROVIDER: OnceLock<oidc::OidcProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| oidc::OidcProvider::start(&[format!("{ORIGIN}{BASE}/callback/oidc")]))
}

fn sink() -> &'static smtp::SmtpSink {
    static SINK: OnceLock<smtp::SmtpSink> = OnceLock::new();
    SINK.get_or_init(smtp::SmtpSink::start)
}

/// Every store a test runs on: a fresh SQLite file (shared by the test's clients, as an
/// in-memory database would not be), and PostgreSQL.
fn stores() -> Vec<String> {
    let dir = std::env::temp_dir().join("auth-runtime-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.db", unique("db")));
    vec![
        format!("sqlite://{}?mode=rwc", file.display()),
        require_postgres(),
    ]
}

fn client(database_url: &str) -> Client {
    let auth = db::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "database-secret-9e3c7a1f5b2d8e6c4a0f"),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", database_url),
        ("OIDC_ISSUER", &provider().issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ("EMAIL_SERVER", &sink().url()),
    ]))
    .unwrap();
    Client::new(db::router(auth.clone()).layer(auth.layer()))
}

async fn sign_in_with_password(client: &mut Client, name: &str) -> Answer {
    let token = client.csrf(BASE).await;
    client
        .post_form(
            &format!("{BASE}/callback/credentials"),
            &format!("username={name}&password=pw&csrfToken={token}&json=true"),
        )
        .await
}

/// The session of a new browser that signs in with `login` at the OpenID provider.
async fn fresh_oidc_session(store: &str, login: &str) -> serde_json::Value {
    let mut fresh = client(store);
    oidc_sign_in(&mut fresh, login).await;
    fresh.session(BASE).await
}

async fn oidc_sign_in(client: &mut Client, login: &str) -> Answer {
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/signin/oidc"),
            &format!("csrfToken={token}&callbackUrl=%2Fhome&json=true"),
        )
        .await;
    let url = answer.json()["url"].as_str().unwrap().to_owned();
    let callback = provider().login(&url, login).await;
    client.get(callback.strip_prefix(ORIGIN).unwrap()).await
}

#[tokio::test]
async fn credentials_sign_in_stores_a_session_row_and_sign_out_deletes_it() {
    for store in stores() {
        let mut client = client(&store);
        let name = unique("cred");
        let answer = sign_in_with_password(&mut client, &name).await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        let token = client.cookie("next-auth.session-token").unwrap().to_owned();
        assert_eq!(token.len(), 36, "{store}: a UUID session token, not a JWT");

        let session = client.session(BASE).await;
        assert_eq!(session["user"]["name"], name.as_str(), "{store}");
        assert_eq!(session["user"]["email"], format!("{name}@example.com"));

        let csrf = client.csrf(BASE).await;
        let out = client
            .post_form(&format!("{BASE}/signout"), &format!("csrfToken={csrf}"))
            .await;
        assert!(
            out.set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0")
        );
        // The row is gone: the old cookie is no session any more, and is cleared.
        client.set_cookie("next-auth.session-token", &token);
        let after = client.get(&format!("{BASE}/session")).await;
        assert_eq!(after.body, "{}", "{store}");
        assert!(
            after
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}

#[tokio::test]
async fn an_unknown_session_token_is_empty_and_cleared() {
    for store in stores() {
        let mut client = client(&store);
        client.set_cookie(
            "next-auth.session-token",
            "00000000-0000-4000-8000-000000000000",
        );
        let answer = client.get(&format!("{BASE}/session")).await;
        assert_eq!(answer.body, "{}", "{store}");
        assert!(
            answer
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}

#[tokio::test]
async fn the_stored_expiry_moves_only_once_update_age_has_passed() {
    for store in stores() {
        let mut client = client(&store);
        sign_in_with_password(&mut client, &unique("roll")).await;
        let first = client.session(BASE).await["expires"].clone();
        let second = client.session(BASE).await["expires"].clone();
        assert_eq!(first, second, "{store}: not due yet, so not written");
        tokio::time::sleep(Duration::from_millis(1300)).await;
        // Due now: this read writes a new expiry (and answers with the stored one, as v4)…
        let third = client.get(&format!("{BASE}/session")).await;
        assert_eq!(third.json()["expires"], first, "{store}");
        assert!(
            third
                .set_cookie("next-auth.session-token")
                .unwrap()
                .contains("Expires=")
        );
        // …which the next read shows.
        let fourth = client.session(BASE).await["expires"].clone();
        assert!(
            fourth.as_str() > first.as_str(),
            "{store}: {first} then {fourth}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_answers_empty_and_never_500() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://postgres:postgres@{}/nowhere",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let mut client = client(&url);
    client.set_cookie(
        "next-auth.session-token",
        "00000000-0000-4000-8000-000000000000",
    );
    let session = client.get(&format!("{BASE}/session")).await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body, "{}");
    assert!(
        session.set_cookie("next-auth.session-token").is_none(),
        "cookie untouched"
    );
    let signin = sign_in_with_password(&mut client, "nobody").await;
    assert_eq!(
        signin.json()["url"],
        "http://127.0.0.1:3000/api/auth/error?error=Callback"
    );
}

#[tokio::test]
async fn the_session_extractor_reads_database_sessions() {
    let auth = db::config_from(&vars(&[
        ("NEXTAUTH_SECRET", "database-secret-9e3c7a1f5b2d8e6c4a0f"),
        ("NEXTAUTH_URL", ORIGIN),
        ("TEST_DATABASE_URL", "sqlite::memory:"),
        ("OIDC_ISSUER", &provider().issuer),
        ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ("EMAIL_SERVER", &sink().url()),
    ]))
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/me",
            axum::routing::get(|session: db::Session| async move {
                session.email().unwrap_or_default().to_owned()
            }),
        )
        .merge(db::router(auth.clone()))
        .layer(auth.layer());
    let mut client = Client::new(app);
    assert_eq!(client.get("/me").await.status, StatusCode::UNAUTHORIZED);
    // A page request is sent to sign in, as under JWT sessions.
    let page = client
        .send(
            axum::http::Request::get("/me")
                .header(axum::http::header::ACCEPT, "text/html")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        page.location(),
        "http://127.0.0.1:3000/api/auth/signin?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fme"
    );
    sign_in_with_password(&mut client, "erin").await;
    let me = client.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body, "erin@example.com");
}

#[tokio::test]
async fn oauth_sign_in_creates_the_user_once_and_finds_it_again() {
    for store in stores() {
        let login = unique("oa");
        let mut client = client(&store);
        let answer = oidc_sign_in(&mut client, &login).await;
        assert_eq!(answer.location(), "http://127.0.0.1:3000/home", "{store}");
        let first = client.session(BASE).await;
        assert_eq!(first["user"]["email"], format!("{login}@example.com"));

        let mut again = self::client(&store);
        oidc_sign_in(&mut again, &login).await;
        let second = again.session(BASE).await;
        assert_eq!(second["user"], first["user"], "{store}");
    }
}

#[tokio::test]
async fn an_oauth_email_that_belongs_to_another_user_is_not_linked() {
    // docs/REST.md §5.5: the identity key is (provider, subject); an email alone never links accounts.
    for store in stores() {
        let name = unique("owner");
        let mut owner = client(&store);
        sign_in_with_password(&mut owner, &name).await;

        // The OpenID account whose email is the same address, from another browser.
        let mut stranger = client(&store);
        let answer = oidc_sign_in(&mut stranger, &name).await;
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
            "{store}"
        );
        assert!(stranger.cookie("next-auth.session-token").is_none());

        // Signed in as the owner, a plain sign-in does not link it either…
        let plain = oidc_sign_in(&mut owner, &name).await;
        assert_eq!(
            plain.location(),
            "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
            "{store}"
        );
        // …but the owner's own link flow does.
        let linked = oidc_link(&mut owner, &name).await;
        assert_eq!(linked.location(), "http://127.0.0.1:3000/home", "{store}");
        let mut later = client(&store);
        oidc_sign_in(&mut later, &name).await;
        let session = later.session(BASE).await;
        assert_eq!(
            session["user"]["name"],
            name.as_str(),
            "{store}: the owner's user"
        );
    }
}

/// `POST /accounts/link` for the OpenID provider, then its login as `login`.
async fn oidc_link(client: &mut Client, login: &str) -> Answer {
    let token = client.csrf(BASE).await;
    let answer = client
        .post_form(
            &format!("{BASE}/accounts/link"),
            &format!("csrfToken={token}&provider=oidc&callbackUrl=%2Fhome&json=true"),
        )
        .await;
    let url = answer.json()["url"].as_str().unwrap_or_default().to_owned();
    assert!(
        url.starts_with(&provider().issuer),
        "the link flow goes to the provider: {}",
        answer.body
    );
    let callback = provider().login(&url, login).await;
    client.get(callback.strip_prefix(ORIGIN).unwrap()).await
}

/// The user a fresh browser's credentials sign-in as `name` lands on (its session's email).
async fn credentials_user(store: &str, name: &str) -> serde_json::Value {
    let mut fresh = client(store);
    sign_in_with_password(&mut fresh, name).await;
    fresh.session(BASE).await["user"]["email"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_sign_ins_of_one_account_all_reach_its_one_user() {
    // Sixteen browsers sign a new account in at once, each on its own instance starting on a
    // new SQLite file: every instance but one loses the race to apply the migrations, and
    // every sign-in but one the race to create the user; each finds what the winner wrote.
    for store in stores() {
        let name = unique("crowd");
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (store, name) = (store.clone(), name.clone());
                tokio::spawn(async move {
                    let mut browser = client(&store);
                    let answer = sign_in_with_password(&mut browser, &name).await;
                    (answer.json()["url"].clone(), browser.session(BASE).await)
                })
            })
            .collect();
        for task in tasks {
            let (url, session) = task.await.unwrap();
            assert_eq!(
                url, "http://127.0.0.1:3000",
                "{store}: every sign-in succeeds"
            );
            assert_eq!(session["user"]["name"], name.as_str(), "{store}");
        }
    }
}

#[tokio::test]
async fn a_login_csrf_session_never_captures_the_victims_next_sign_in() {
    // The attack: the attacker's magic link, opened in the victim's browser (a GET: no CSRF
    // token can stop it), signs that browser in as the attacker; the victim then signs in
    // with their own credentials. next-auth links that account to the signed-in attacker,
    // and every later sign-in of the victim lands in the attacker's user.
    for store in stores() {
        let attacker = format!("{}@example.com", unique("attacker"));
        let victim = unique("victim");
        let mut attackers = client(&store);
        request_link(&mut attackers, &attacker).await;
        let link = link_for(&attacker);

        let mut browser = client(&store);
        browser.get(link.strip_prefix(ORIGIN).unwrap()).await;
        let planted = browser.session(BASE).await;
        assert_eq!(planted["user"]["email"], attacker.as_str(), "{store}");
        let planted_token = browser
            .cookie("next-auth.session-token")
            .unwrap()
            .to_owned();

        let answer = sign_in_with_password(&mut browser, &victim).await;
        assert_eq!(answer.status, StatusCode::OK, "{store}: {}", answer.body);
        let own = browser.session(BASE).await;
        assert_eq!(
            own["user"]["email"],
            format!("{victim}@example.com"),
            "{store}: the victim's own user"
        );
        assert_eq!(
            credentials_user(&store, &victim).await,
            format!("{victim}@example.com"),
            "{store}: and every later sign-in lands there too"
        );
        // The session the attacker planted ended with the switch.
        let mut replay = client(&store);
        replay.set_cookie("next-auth.session-token", &planted_token);
        let ended = replay.get(&format!("{BASE}/session")).await;
        assert_eq!(ended.body, "{}", "{store}");
    }
}

#[tokio::test]
async fn an_oauth_sign_in_while_signed_in_creates_its_own_user() {
    for store in stores() {
        let name = unique("signedin");
        let login = unique("other");
        let mut browser = client(&store);
        sign_in_with_password(&mut browser, &name).await;
        let answer = oidc_sign_in(&mut browser, &login).await;
        assert_eq!(answer.location(), "http://127.0.0.1:3000/home", "{store}");
        let session = browser.session(BASE).await;
        assert_eq!(session["user"]["email"], format!("{login}@example.com"));

        // Not linked to the credentials user: each signs in to their own.
        assert_eq!(
            credentials_user(&store, &name).await,
            format!("{name}@example.com"),
            "{store}"
        );
        let again = fresh_oidc_session(&store, &login).await;
        assert_eq!(again["user"]["email"], format!("{login}@example.com"));
    }
}

#[tokio::test]
async fn a_link_flow_refuses_someone_elses_account_and_a_second_account_of_one_provider() {
    for store in stores() {
        let taken = unique("taken");
        let mut other = client(&store);
        oidc_sign_in(&mut other, &taken).await;

        let mut owner = client(&store);
        sign_in_with_password(&mut owner, &unique("linker")).await;
        let refused = oidc_link(&mut owner, &taken).await;
        assert_eq!(
            refused.location(),
            "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
            "{store}: the account signs someone else in"
        );

        let first = unique("first");
        let linked = oidc_link(&mut owner, &first).await;
        assert_eq!(linked.location(), "http://127.0.0.1:3000/home", "{store}");
        let second = oidc_link(&mut owner, &unique("second")).await;
        assert_eq!(
            second.location(),
            "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
            "{store}: one account per provider"
        );
        // The other account still signs its own user in.
        let session = fresh_oidc_session(&store, &taken).await;
        assert_eq!(session["user"]["email"], format!("{taken}@example.com"));
    }
}

#[tokio::test]
async fn the_link_route_needs_csrf_a_session_and_an_oauth_provider() {
    for store in stores() {
        let mut client = client(&store);
        let token = client.csrf(BASE).await;
        let link = format!("{BASE}/accounts/link");
        let no_csrf = client.post_form(&link, "provider=oidc&json=true").await;
        assert_eq!(
            no_csrf.json()["url"],
            "http://127.0.0.1:3000/api/auth/signin?csrf=true"
        );
        let signed_out = client
            .post_form(&link, &format!("csrfToken={token}&provider=oidc&json=true"))
            .await;
        assert_eq!(
            signed_out.json()["url"],
            "http://127.0.0.1:3000/api/auth/error?error=SessionRequired",
            "{store}"
        );
        sign_in_with_password(&mut client, &unique("linker")).await;
        let token = client.csrf(BASE).await;
        for provider in ["credentials", "email", "nope"] {
            let answer = client
                .post_form(&link, &format!("csrfToken={token}&provider={provider}"))
                .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{provider}");
            assert!(client.cookie("next-auth.state").is_none(), "{provider}");
        }
    }
}

#[tokio::test]
async fn a_user_lists_their_accounts_and_unlinks_all_but_the_last_way_in() {
    for store in stores() {
        let mut browser = client(&store);
        assert_eq!(
            browser.get(&format!("{BASE}/accounts")).await.status,
            StatusCode::UNAUTHORIZED,
            "{store}"
        );
        let name = unique("lister");
        sign_in_with_password(&mut browser, &name).await;
        let login = unique("listed");
        oidc_link(&mut browser, &login).await;
        let listed = browser.get(&format!("{BASE}/accounts")).await;
        assert_eq!(listed.status, StatusCode::OK, "{store}: {}", listed.body);
        let accounts = listed.json();
        let providers: Vec<&str> = accounts
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["provider"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            providers,
            ["credentials", "oidc"],
            "{store}: {}",
            listed.body
        );
        assert!(!listed.body.contains("access_token") && !listed.body.contains("secret"));

        let unlink = format!("{BASE}/accounts/unlink");
        let no_csrf = browser.post_form(&unlink, "provider=oidc").await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{store}");
        let token = browser.csrf(BASE).await;
        let unknown = browser
            .post_form(&unlink, &format!("csrfToken={token}&provider=github"))
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{store}");
        let gone = browser
            .post_form(&unlink, &format!("csrfToken={token}&provider=credentials"))
            .await;
        assert_eq!(gone.status, StatusCode::OK, "{store}: {}", gone.body);
        let last = browser
            .post_form(&unlink, &format!("csrfToken={token}&provider=oidc"))
            .await;
        assert_eq!(last.status, StatusCode::CONFLICT, "{store}: {}", last.body);
        // The OpenID account still signs the same user in.
        let session = fresh_oidc_session(&store, &login).await;
        assert_eq!(session["user"]["name"], name.as_str(), "{store}");
    }
}

#[tokio::test]
async fn a_link_flow_finished_after_signing_out_links_nothing() {
    for store in stores() {
        let mut browser = client(&store);
        sign_in_with_password(&mut browser, &unique("leaver")).await;
        let token = browser.csrf(BASE).await;
        let started = browser
            .post_form(
                &format!("{BASE}/accounts/link"),
                &format!("csrfToken={token}&provider=oidc&json=true"),
            )
            .await;
        let url = started.json()["url"].as_str().unwrap().to_owned();
        browser
            .post_form(&format!("{BASE}/signout"), &format!("csrfToken={token}"))
            .await;
        let login = unique("orphan");
        let callback = provider().login(&url, &login).await;
        let answer = browser.get(callback.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/api/auth/error?error=SessionRequired",
            "{store}"
        );
        // The account is still nobody's: its own sign-in creates its user.
        let session = fresh_oidc_session(&store, &login).await;
        assert_eq!(session["user"]["email"], format!("{login}@example.com"));
    }
}

#[tokio::test]
async fn the_first_proof_of_an_address_takes_back_a_user_someone_else_set_up() {
    // Pre-account hijacking: the attacker creates a user with the victim's address through a
    // sign-in that never proved it (here credentials); the victim's first email sign-in
    // unlinks that and ends the attacker's sessions.
    for store in stores() {
        let name = unique("prehijack");
        let address = format!("{name}@example.com");
        let mut attacker = client(&store);
        sign_in_with_password(&mut attacker, &name).await;
        assert!(attacker.session(BASE).await["user"].is_object(), "{store}");

        let mut victim = client(&store);
        request_link(&mut victim, &address).await;
        let link = link_for(&address);
        victim.get(link.strip_prefix(ORIGIN).unwrap()).await;
        let session = victim.session(BASE).await;
        assert_eq!(session["user"]["email"], address.as_str(), "{store}");

        assert_eq!(
            attacker.get(&format!("{BASE}/session")).await.body,
            "{}",
            "{store}: the attacker's session ended"
        );
        let again = sign_in_with_password(&mut attacker, &name).await;
        assert_eq!(
            again.json()["url"],
            "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
            "{store}: the attacker's way in is gone"
        );
    }
}

#[tokio::test]
async fn a_user_created_by_a_provider_that_verified_its_address_keeps_its_account() {
    // oidc-provider says `email_verified: true`: the user is stored verified, so a later
    // email sign-in for the address does not treat its account as unproven.
    for store in stores() {
        let login = unique("proven");
        let address = format!("{login}@example.com");
        let mut first = client(&store);
        oidc_sign_in(&mut first, &login).await;

        let mut by_mail = client(&store);
        request_link(&mut by_mail, &address).await;
        let link = link_for(&address);
        by_mail.get(link.strip_prefix(ORIGIN).unwrap()).await;

        assert!(
            first.session(BASE).await["user"].is_object(),
            "{store}: its session goes on"
        );
        let mut later = client(&store);
        let answer = oidc_sign_in(&mut later, &login).await;
        assert_eq!(answer.location(), "http://127.0.0.1:3000/home", "{store}");
    }
}

async fn request_link(client: &mut Client, email: &str) -> Answer {
    let token = client.csrf(BASE).await;
    let email = auth_runtime::__private::cookies::encode_uri_component(email);
    client
        .post_form(
            &format!("{BASE}/signin/email"),
            &format!("csrfToken={token}&email={email}&callbackUrl=%2Fwelcome"),
        )
        .await
}

/// The link mailed to `to` (the sink is shared: look for the recipient).
fn link_for(to: &str) -> String {
    for _ in 0..50 {
        if let Some(mail) = sink()
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_tos.iter().any(|r| r == to))
        {
            return mail.sign_in_link().expect("a link in the mail");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no mail for {to}: {}", sink().stderr_tail());
}

#[tokio::test]
async fn email_sign_in_mails_a_single_use_link() {
    for store in stores() {
        let address = format!("{}@example.com", unique("mail"));
        let mut client = client(&store);
        let answer = request_link(&mut client, &address.to_uppercase()).await;
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/api/auth/verify-request?provider=email&type=email",
            "{store}"
        );
        let link = link_for(&address);
        assert!(link.starts_with("http://127.0.0.1:3000/api/auth/callback/email?callbackUrl="));
        let mail = sink()
            .messages()
            .into_iter()
            .find(|m| m.rcpt_tos.contains(&address))
            .unwrap();
        assert_eq!(mail.subject, "Sign in to 127.0.0.1:3000");
        assert!(
            !mail.html.unwrap_or_default().contains(&address),
            "advisory #6"
        );

        let answer = client.get(link.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(
            answer.location(),
            "http://127.0.0.1:3000/welcome",
            "{store}"
        );
        let session = client.session(BASE).await;
        assert_eq!(session["user"]["email"], address.as_str());

        // Single use: the same link again is Verification, and signs nobody in.
        let mut replay = self::client(&store);
        let again = replay.get(link.strip_prefix(ORIGIN).unwrap()).await;
        assert_eq!(
            again.location(),
            "http://127.0.0.1:3000/api/auth/error?error=Verification"
        );
        assert!(replay.cookie("next-auth.session-token").is_none());
    }
}

mod opted_in_linking {
    use super::*;

    auth! {
        module: linking,
        secret: env("NEXTAUTH_SECRET"),
        session: database { adapter: env("TEST_DATABASE_URL") },
        providers: {
            credentials: Credentials {
                fields: { username: text("Username"), password: password("Password") },
                authorize: authorize,
            },
            oidc: Oidc {
                issuer: env("OIDC_ISSUER"),
                client_id: env("OIDC_CLIENT_ID"),
                client_secret: env("OIDC_CLIENT_SECRET"),
                allow_dangerous_email_account_linking: true,
            },
        },
    }

    fn client(database_url: &str) -> Client {
        let auth = linking::config_from(&vars(&[
            ("NEXTAUTH_SECRET", "database-secret-9e3c7a1f5b2d8e6c4a0f"),
            ("NEXTAUTH_URL", ORIGIN),
            ("TEST_DATABASE_URL", database_url),
            ("OIDC_ISSUER", &provider().issuer),
            ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
        ]))
        .unwrap();
        Client::new(linking::router(auth.clone()).layer(auth.layer()))
    }

    #[tokio::test]
    async fn a_provider_that_opts_in_links_a_verified_email_to_its_owner() {
        for store in stores() {
            let name = unique("verified");
            let mut owner = client(&store);
            sign_in_with_password(&mut owner, &name).await;
            // oidc-provider vouches for the address (`email_verified: true`).
            let mut browser = client(&store);
            let answer = oidc_sign_in(&mut browser, &name).await;
            assert_eq!(answer.location(), "http://127.0.0.1:3000/home", "{store}");
            let session = browser.session(BASE).await;
            assert_eq!(
                session["user"]["name"],
                name.as_str(),
                "{store}: the owner, linked"
            );
        }
    }
}

mod lifecycle_events {
    use std::sync::Mutex;

    use auth_runtime::callbacks::{CreateUserEvent, LinkAccountEvent, UpdateUserEvent};

    use super::*;

    auth! {
        module: evented,
        secret: env("NEXTAUTH_SECRET"),
        session: database { adapter: env("TEST_DATABASE_URL") },
        providers: {
            oidc: Oidc {
                issuer: env("OIDC_ISSUER"),
                client_id: env("OIDC_CLIENT_ID"),
                client_secret: env("OIDC_CLIENT_SECRET"),
            },
            email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>" },
        },
        events: {
            create_user: crate::database_sessions::lifecycle_events::created,
            update_user: crate::database_sessions::lifecycle_events::updated,
            link_account: crate::database_sessions::lifecycle_events::linked,
        },
        pages: { new_user: "/welcome" },
    }

    /// Every event fired, as `<event> <email> [<provider>]`.
    static FIRED: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(crate) async fn created(event: CreateUserEvent) {
        let email = event.user.email.unwrap_or_default();
        FIRED.lock().unwrap().push(format!("create_user {email}"));
    }

    pub(crate) async fn updated(event: UpdateUserEvent) {
        let email = event.user.email.unwrap_or_default();
        FIRED.lock().unwrap().push(format!("update_user {email}"));
    }

    pub(crate) async fn linked(event: LinkAccountEvent) {
        let email = event.user.email.unwrap_or_default();
        let provider = event.account.provider;
        FIRED
            .lock()
            .unwrap()
            .push(format!("link_account {email} {provider}"));
    }

    /// The events fired for `email`, in order.
    fn fired_for(email: &str) -> Vec<String> {
        FIRED
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.split(' ').nth(1) == Some(email))
            .cloned()
            .collect()
    }

    fn client(database_url: &str) -> Client {
        let auth = evented::config_from(&vars(&[
            ("NEXTAUTH_SECRET", "database-events-secret-0123456789abcdef"),
            ("NEXTAUTH_URL", ORIGIN),
            ("TEST_DATABASE_URL", database_url),
            ("OIDC_ISSUER", &provider().issuer),
            ("OIDC_CLIENT_ID", oidc::BASIC_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", oidc::BASIC_CLIENT_SECRET),
            ("EMAIL_SERVER", &sink().url()),
        ]))
        .unwrap();
        Client::new(evented::router(auth.clone()).layer(auth.layer()))
    }

    #[tokio::test]
    async fn create_user_link_account_and_update_user_fire_once_each_with_their_data() {
        for store in stores() {
            let login = unique("evented");
            let address = format!("{login}@example.com");
            let mut first = client(&store);
            let answer = oidc_sign_in(&mut first, &login).await;
            assert_eq!(
                answer.location(),
                "/welcome?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fhome",
                "{store}: a new user goes to `pages.new_user`"
            );
            assert_eq!(
                fired_for(&address),
                [
                    format!("create_user {address}"),
                    format!("link_account {address} oidc")
                ],
                "{store}: the first sign-in creates the user with its account"
            );
            let mut again = client(&store);
            let answer = oidc_sign_in(&mut again, &login).await;
            assert_eq!(answer.location(), "http://127.0.0.1:3000/home", "{store}");
            assert_eq!(
                fired_for(&address).len(),
                2,
                "{store}: nothing new is written"
            );

            request_link(&mut again, &address).await;
            let link = link_for(&address);
            again.get(link.strip_prefix(ORIGIN).unwrap()).await;
            assert_eq!(
                fired_for(&address).last().map(String::as_str),
                Some(format!("update_user {address}").as_str()),
                "{store}: the email sign-in proved the address"
            );
            assert_eq!(fired_for(&address).len(), 3, "{store}");
        }
    }

    #[tokio::test]
    async fn a_refused_sign_in_fires_no_lifecycle_event() {
        for store in stores() {
            // The address belongs to a user made by an email sign-in; the OpenID account with the
            // same address is refused (`OAuthAccountNotLinked`), so nothing is written.
            let login = unique("refused");
            let address = format!("{login}@example.com");
            let mut owner = client(&store);
            request_link(&mut owner, &address).await;
            let link = link_for(&address);
            owner.get(link.strip_prefix(ORIGIN).unwrap()).await;
            assert_eq!(fired_for(&address), [format!("create_user {address}")]);

            let mut stranger = client(&store);
            let answer = oidc_sign_in(&mut stranger, &login).await;
            assert_eq!(
                answer.location(),
                "http://127.0.0.1:3000/api/auth/error?error=OAuthAccountNotLinked",
                "{store}"
            );
            assert_eq!(
                fired_for(&address).len(),
                1,
                "{store}: no event for a refused write"
            );
        }
    }
}

mod confirmed_links {
    use super::*;

    auth! {
        module: confirming,
        secret: env("NEXTAUTH_SECRET"),
        session: database { adapter: env("TEST_DATABASE_URL") },
        providers: {
            email: Email { server: env("EMAIL_SERVER"), from: "NextAuth <no-reply@example.com>", confirm: true },
        },
    }

    fn client(database_url: &str) -> Client {
        let auth = confirming::config_from(&vars(&[
            (
                "NEXTAUTH_SECRET",
                "database-confirm-secret-0123456789abcdef",
            ),
            ("NEXTAUTH_URL", ORIGIN),
            ("TEST_DATABASE_URL", database_url),
            ("EMAIL_SERVER", &sink().url()),
        ]))
        .unwrap();
        Client::new(confirming::router(auth.clone()).layer(auth.layer()))
    }

    /// The hidden fields of the confirmation page's form, as a form body.
    fn form_of(page: &str) -> String {
        page.split("<input type=\"hidden\" name=\"")
            .skip(1)
            .filter_map(|input| {
                let (name, rest) = input.split_once("\" value=\"")?;
                let value = rest.split('"').next()?.replace("&amp;", "&");
                Some(format!(
                    "{name}={}",
                    auth_runtime::__private::cookies::encode_uri_component(&value)
                ))
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    #[tokio::test]
    async fn a_confirmed_link_signs_in_only_by_the_pages_csrf_checked_post() {
        for store in stores() {
            let address = format!("{}@example.com", unique("confirm"));
            let mut browser = client(&store);
            request_link(&mut browser, &address).await;
            let link = link_for(&address);
            let path = link.strip_prefix(ORIGIN).unwrap();

            // A scanner's GET, twice: a page, no session, nothing spent.
            let mut scanner = client(&store);
            for _ in 0..2 {
                let page = scanner.get(path).await;
                assert_eq!(page.status, StatusCode::OK, "{store}");
                assert!(page.body.contains(&format!("Sign in as {address}?")));
                assert!(scanner.cookie("next-auth.session-token").is_none());
            }

            let page = browser.get(path).await;
            let form = form_of(&page.body);
            assert!(
                form.contains("csrfToken=") && form.contains("token="),
                "{form}"
            );
            let callback = format!("{BASE}/callback/email");
            let forged = browser
                .post_form(&callback, &form.replace("csrfToken=", "csrfToken=x"))
                .await;
            assert_eq!(
                forged.location(),
                "http://127.0.0.1:3000/api/auth/signin?csrf=true",
                "{store}"
            );
            let signed_in = browser.post_form(&callback, &form).await;
            assert_eq!(
                signed_in.location(),
                "http://127.0.0.1:3000/welcome",
                "{store}"
            );
            let session = browser.session(BASE).await;
            assert_eq!(session["user"]["email"], address.as_str(), "{store}");

            // Signed in, another address's link says which account it switches to.
            let other = format!("{}@example.com", unique("other"));
            request_link(&mut browser, &other).await;
            let link = link_for(&other);
            let page = browser.get(link.strip_prefix(ORIGIN).unwrap()).await;
            assert!(
                page.body
                    .contains(&format!("This browser is signed in as {address}")),
                "{store}: {}",
                page.body
            );
        }
    }
}
