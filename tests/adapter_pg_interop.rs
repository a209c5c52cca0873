//! `PostgresAdapter` and the official `@auth/pg-adapter` share one database: what either
//! writes, the other reads, in the tables this crate creates. The Node side is
//! `tests/interop/pg-adapter/script.mjs` (installed with `npm ci` when `node_modules` is
//! missing). Needs PostgreSQL (see `auth_test_support::schema`) and Node.js 20+.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use auth_runtime::adapter::sqlx::{self, Row as _};
use auth_runtime::adapter::{
    Adapter, AdapterAccount, AdapterSession, AdapterUser, NewUser, PostgresAdapter,
    VerificationToken,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use auth_test_support::schema::TestSchema;
use auth_test_support::{require_node, require_postgres};

/// What `script.mjs` writes (it holds the same values).
const NODE_EMAIL_VERIFIED: &str = "2030-01-02T03:04:05.678Z";
const NODE_SESSION_EXPIRES: &str = "2030-02-03T04:05:06.789Z";
const NODE_TOKEN_EXPIRES: &str = "2030-03-04T05:06:07.890Z";
const NODE_SESSION_UPDATED: &str = "2031-04-05T06:07:08.901Z";

/// What the Rust side writes.
const RUST_EMAIL_VERIFIED: &str = "2031-05-06T07:08:09.012Z";
const RUST_SESSION_EXPIRES: &str = "2031-06-07T08:09:10.123Z";
const RUST_TOKEN_EXPIRES: &str = "2031-07-08T09:10:11.234Z";

fn instant(iso: &str) -> OffsetDateTime {
    OffsetDateTime::parse(iso, &Rfc3339).unwrap_or_else(|e| panic!("{iso}: {e}"))
}

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pg-adapter")
}

/// Node.js and the project's `node_modules` (`npm ci` when it is missing, once per process).
fn ensure_node_modules(dir: &Path) {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    require_node(&INSTALLED, dir, "the @auth/pg-adapter interop tests");
}

/// `node script.mjs <command> <arg>` against the test's schema; its JSON answer.
fn node(schema: &TestSchema, command: &str, arg: &str) -> Value {
    let dir = node_dir();
    ensure_node_modules(&dir);
    let output = Command::new("node")
        .args(["script.mjs", command, arg])
        .current_dir(&dir)
        .env("DATABASE_URL", require_postgres())
        .env("AUTH_TEST_SCHEMA", &schema.name)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}): this test needs Node.js 20+"));
    assert!(
        output.status.success(),
        "node script.mjs {command} {arg} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "node script.mjs {command} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// node-postgres gives `SERIAL` ids as numbers; the Rust adapter writes them as strings.
fn id_of(user: &Value) -> String {
    match &user["id"] {
        Value::Number(n) => n.to_string(),
        other => panic!("a user id from node-postgres: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_and_rust_adapters_read_each_others_records() {
    let schema = TestSchema::create("interop").await;
    // The Rust side creates the tables; the official adapter must work in them.
    let adapter = PostgresAdapter::connect_with(schema.options.clone())
        .await
        .unwrap();
    let tag = "t1";

    // Node writes, Rust reads.
    let written = node(&schema, "write", tag);
    let node_user = AdapterUser {
        id: id_of(&written["user"]),
        name: Some("Node User".to_owned()),
        email: Some(format!("node-{tag}@example.com")),
        email_verified: Some(instant(NODE_EMAIL_VERIFIED)),
        image: Some("https://example.com/node.png".to_owned()),
    };
    assert_eq!(
        adapter
            .get_user_by_email(&format!("node-{tag}@example.com"))
            .await
            .unwrap(),
        Some(node_user.clone()),
        "Rust reads the user Node created"
    );
    assert_eq!(
        adapter.get_user(&node_user.id).await.unwrap(),
        Some(node_user.clone())
    );
    assert_eq!(
        adapter
            .get_user_by_account("node-provider", &format!("node-{tag}"))
            .await
            .unwrap(),
        Some(node_user.clone()),
        "Rust finds the user by the account Node linked"
    );
    let found = adapter
        .get_session_and_user(&format!("node-session-{tag}"))
        .await
        .unwrap()
        .expect("Rust finds the session Node created");
    assert_eq!(
        found.session,
        AdapterSession::new(
            format!("node-session-{tag}"),
            &node_user.id,
            instant(NODE_SESSION_EXPIRES)
        )
    );
    assert_eq!(found.user, node_user);
    let row = sqlx::query(
        r#"SELECT type, access_token, refresh_token, expires_at, token_type, scope, id_token, session_state, "userId"
           FROM accounts WHERE provider = 'node-provider'"#,
    )
    .fetch_one(adapter.pool())
    .await
    .unwrap();
    let account_row = (
        row.get::<String, _>("type"),
        row.get::<Option<String>, _>("access_token"),
        row.get::<Option<i64>, _>("expires_at"),
        row.get::<i32, _>("userId").to_string(),
    );
    assert_eq!(
        account_row,
        (
            "oauth".to_owned(),
            Some("node-access-token".to_owned()),
            Some(1_900_000_001),
            node_user.id.clone()
        )
    );
    let node_identifier = format!("node-{tag}@example.com");
    assert_eq!(
        adapter
            .use_verification_token("someone-else@example.com", &format!("node-hash-{tag}"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        adapter
            .use_verification_token(&node_identifier, &format!("node-hash-{tag}"))
            .await
            .unwrap(),
        Some(VerificationToken::new(
            &node_identifier,
            format!("node-hash-{tag}"),
            instant(NODE_TOKEN_EXPIRES)
        )),
        "Rust uses the verification token Node stored"
    );

    // Rust writes, Node reads.
    let rust_user = adapter
        .create_user(
            NewUser::default()
                .name("Rust User")
                .email(format!("rust-{tag}@example.com"))
                .email_verified(instant(RUST_EMAIL_VERIFIED))
                .image("https://example.com/rust.png"),
        )
        .await
        .unwrap();
    adapter
        .link_account(AdapterAccount {
            user_id: rust_user.id.clone(),
            kind: "oidc".to_owned(),
            provider: "rust-provider".to_owned(),
            provider_account_id: format!("rust-{tag}"),
            refresh_token: Some("rust-refresh-token".to_owned()),
            access_token: Some("rust-access-token".to_owned()),
            expires_at: Some(1_900_000_002),
            token_type: Some("bearer".to_owned()),
            scope: Some("openid".to_owned()),
            id_token: Some("rust.id.token".to_owned()),
            session_state: None,
        })
        .await
        .unwrap();
    adapter
        .create_session(AdapterSession::new(
            format!("rust-session-{tag}"),
            &rust_user.id,
            instant(RUST_SESSION_EXPIRES),
        ))
        .await
        .unwrap();
    adapter
        .create_verification_token(VerificationToken::new(
            format!("rust-{tag}@example.com"),
            format!("rust-hash-{tag}"),
            instant(RUST_TOKEN_EXPIRES),
        ))
        .await
        .unwrap();

    let read = node(&schema, "read", tag);
    let expected_user = json!({
        "id": rust_user.id.parse::<i64>().unwrap(),
        "name": "Rust User",
        "email": format!("rust-{tag}@example.com"),
        "emailVerified": RUST_EMAIL_VERIFIED,
        "image": "https://example.com/rust.png",
    });
    assert_eq!(
        read["byEmail"], expected_user,
        "Node reads the user Rust created"
    );
    assert_eq!(
        read["byAccount"], expected_user,
        "Node finds the user by the account Rust linked"
    );
    assert_eq!(read["sessionAndUser"]["user"], expected_user);
    let session = &read["sessionAndUser"]["session"];
    assert_eq!(
        (
            &session["sessionToken"],
            &session["userId"],
            &session["expires"]
        ),
        (
            &json!(format!("rust-session-{tag}")),
            &expected_user["id"],
            &json!(RUST_SESSION_EXPIRES)
        ),
        "Node reads the session Rust created"
    );
    let account = &read["account"];
    assert_eq!(
        [
            &account["type"],
            &account["access_token"],
            &account["refresh_token"],
            &account["id_token"],
            &account["session_state"],
            &account["userId"],
        ],
        [
            &json!("oidc"),
            &json!("rust-access-token"),
            &json!("rust-refresh-token"),
            &json!("rust.id.token"),
            &Value::Null,
            &expected_user["id"],
        ]
    );
    // node-postgres gives BIGINT as a string.
    assert_eq!(account["expires_at"], json!("1900000002"));
    assert_eq!(
        read["wrongIdentifier"],
        Value::Null,
        "the official adapter also checks the identifier"
    );
    assert_eq!(
        read["token"],
        json!({
            "identifier": format!("rust-{tag}@example.com"),
            "token": format!("rust-hash-{tag}"),
            "expires": RUST_TOKEN_EXPIRES,
        }),
        "Node uses the verification token Rust stored"
    );
    assert_eq!(read["tokenAgain"], Value::Null);
    assert_eq!(
        adapter
            .use_verification_token(
                &format!("rust-{tag}@example.com"),
                &format!("rust-hash-{tag}")
            )
            .await
            .unwrap(),
        None,
        "the token Node used is gone for Rust too"
    );
    assert_eq!(
        adapter
            .get_session_and_user(&format!("rust-session-{tag}"))
            .await
            .unwrap()
            .map(|found| found.session.expires),
        Some(instant(NODE_SESSION_UPDATED)),
        "Rust reads the expiry Node's updateSession wrote"
    );

    // Either side deletes the other's user.
    node(&schema, "delete", &rust_user.id);
    assert_eq!(adapter.get_user(&rust_user.id).await.unwrap(), None);
    assert_eq!(
        adapter
            .get_session_and_user(&format!("rust-session-{tag}"))
            .await
            .unwrap(),
        None,
        "Node's deleteUser removed the session Rust created"
    );
    assert!(adapter.delete_user(&node_user.id).await.unwrap());
    let left: i64 = sqlx::query(
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM sessions)",
    )
    .fetch_one(adapter.pool())
    .await
    .and_then(|row| row.try_get(0))
    .unwrap();
    assert_eq!(left, 0, "no user, account or session is left behind");

    adapter.pool().close().await;
    schema.drop().await;
}
