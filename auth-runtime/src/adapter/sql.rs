//! What the SQL adapters share: one set of statements for SQLite and PostgreSQL (both take
//! `$1` placeholders and quoted identifiers), the [`Adapter`](super::Adapter) implementation
//! over them, and the mapping of `sqlx` errors to [`AdapterError`]s.

use super::AdapterError;

/// A `sqlx` error while doing `operation`.
///
/// A database's error is reduced to its code and message: PostgreSQL's `detail` (and so the
/// error's `Debug`) can quote a row's values, e.g. "Key ("sessionToken")=(…) already
/// exists", while `sqlx` never puts bound values into a message.
pub(super) fn store_error(operation: &'static str) -> impl FnOnce(sqlx::Error) -> AdapterError {
    move |error| {
        let source: Box<dyn std::error::Error + Send + Sync> = match error {
            sqlx::Error::Database(db) => Box::new(DatabaseFailure {
                code: db.code().map(|code| code.into_owned()),
                message: db.message().to_owned(),
            }),
            other => Box::new(other),
        };
        AdapterError::Store { operation, source }
    }
}

/// What is kept of an error the database returned: no `detail`, no row.
#[derive(Debug)]
struct DatabaseFailure {
    /// The SQLSTATE (PostgreSQL) or extended result code (SQLite).
    code: Option<String>,
    message: String,
}

impl std::fmt::Display for DatabaseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "the database answered {code}: {}", self.message),
            None => write!(f, "the database answered: {}", self.message),
        }
    }
}

impl std::error::Error for DatabaseFailure {}

/// A write's error: a unique violation becomes [`AdapterError::Conflict`] naming `what`
/// exists, anything else a store failure.
pub(super) fn write_error(
    operation: &'static str,
    what: &'static str,
) -> impl FnOnce(sqlx::Error) -> AdapterError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => AdapterError::Conflict(what),
        // The user was deleted between the existence check and the insert.
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            AdapterError::NotFound("user")
        }
        _ => store_error(operation)(error),
    }
}

/// The integer key of a user id the store issued, or `None` for an id it could never have
/// issued (`"abc"`, `"01"`, `"+1"`): such a user does not exist.
pub(super) fn parse_user_id<T>(id: &str) -> Option<T>
where
    T: std::str::FromStr + ToString,
{
    id.parse::<T>().ok().filter(|n| n.to_string() == id)
}

/// The columns of a user, in the order `user_from_row` reads them.
macro_rules! user_columns {
    () => {
        r#"id, name, email, "emailVerified", image"#
    };
}

pub(super) const CREATE_USER: &str = concat!(
    r#"INSERT INTO users (name, email, "emailVerified", image) VALUES ($1, $2, $3, $4) RETURNING "#,
    user_columns!()
);
pub(super) const GET_USER: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
pub(super) const GET_USER_BY_EMAIL: &str =
    concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1");
// `ORDER BY … LIMIT 1`: tables created from @auth/pg-adapter's documentation page have no
// unique key on (provider, "providerAccountId"); should a provider account be linked twice
// there, the first link wins, never an arbitrary one.
pub(super) const GET_USER_BY_ACCOUNT: &str = r#"SELECT u.id, u.name, u.email, u."emailVerified", u.image
FROM users u JOIN accounts a ON a."userId" = u.id
WHERE a.provider = $1 AND a."providerAccountId" = $2
ORDER BY a.id LIMIT 1"#;
pub(super) const UPDATE_USER: &str = concat!(
    r#"UPDATE users SET name = $2, email = $3, "emailVerified" = $4, image = $5 WHERE id = $1 RETURNING "#,
    user_columns!()
);
// Accounts and sessions are deleted explicitly rather than left to ON DELETE CASCADE, which
// documentation-page tables lack and a SQLite connection may have switched off.
pub(super) const DELETE_USER_SESSIONS: &str = r#"DELETE FROM sessions WHERE "userId" = $1"#;
pub(super) const DELETE_USER_ACCOUNTS: &str = r#"DELETE FROM accounts WHERE "userId" = $1"#;
pub(super) const DELETE_USER: &str = "DELETE FROM users WHERE id = $1";
// `SELECT … FROM users WHERE id = $1`: no row is written for a user that does not exist, with
// or without a foreign key.
pub(super) const LINK_ACCOUNT: &str = r#"INSERT INTO accounts ("userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state)
SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM users WHERE id = $1"#;
pub(super) const UNLINK_ACCOUNT: &str =
    r#"DELETE FROM accounts WHERE provider = $1 AND "providerAccountId" = $2"#;
pub(super) const GET_ACCOUNTS: &str = r#"SELECT "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state
FROM accounts WHERE "userId" = $1 ORDER BY id"#;
// Every token column of a sign-in's tokens; `$8` is the refresh token it must replace (NULL:
// whatever is stored). `IS NOT DISTINCT FROM` is null-safe in both databases.
pub(super) const UPDATE_ACCOUNT_TOKENS: &str = r#"UPDATE accounts SET access_token = $3, refresh_token = $4, expires_at = $5, token_type = $6, scope = $7, id_token = COALESCE($9, id_token)
WHERE provider = $1 AND "providerAccountId" = $2 AND ($8 IS NULL OR refresh_token IS NOT DISTINCT FROM $8)"#;
// A claim is taken when there is none, when it is for another refresh token, or when it
// expired; otherwise the upsert changes nothing and so affects no row.
pub(super) const CLAIM_REFRESH: &str = r#"INSERT INTO auth_refresh_claims (provider, "providerAccountId", "refreshHash", until)
VALUES ($1, $2, $3, $4)
ON CONFLICT (provider, "providerAccountId") DO UPDATE SET "refreshHash" = excluded."refreshHash", until = excluded.until
WHERE auth_refresh_claims."refreshHash" <> excluded."refreshHash" OR auth_refresh_claims.until < $5"#;
pub(super) const RELEASE_REFRESH: &str =
    r#"DELETE FROM auth_refresh_claims WHERE provider = $1 AND "providerAccountId" = $2"#;
pub(super) const CREATE_SESSION: &str = r#"INSERT INTO sessions ("userId", expires, "sessionToken")
SELECT id, $2, $3 FROM users WHERE id = $1"#;
/// A session with its user and roles, as `session_and_user_from_row` reads them; a `WHERE`
/// clause follows.
macro_rules! sessions_and_users {
    () => {
        r#"SELECT s."sessionToken", s."userId", s.expires, u.id, u.name, u.email, u."emailVerified", u.image, r.roles
FROM sessions s JOIN users u ON u.id = s."userId" LEFT JOIN auth_roles r ON r."userId" = u.id
"#
    };
}
pub(super) const GET_SESSION_AND_USER: &str =
    concat!(sessions_and_users!(), r#"WHERE s."sessionToken" = $1"#);
// The same for several tokens at once (the session readers' query when reads wait for a
// connection), in each database's way of passing a list: PostgreSQL an array, SQLite (which
// has none) one JSON array of strings.
#[cfg(feature = "postgres")]
pub(super) const GET_SESSIONS_AND_USERS_POSTGRES: &str =
    concat!(sessions_and_users!(), r#"WHERE s."sessionToken" = ANY($1)"#);
#[cfg(feature = "sqlite")]
pub(super) const GET_SESSIONS_AND_USERS_SQLITE: &str = concat!(
    sessions_and_users!(),
    r#"WHERE s."sessionToken" IN (SELECT value FROM json_each($1))"#
);
pub(super) const UPDATE_SESSION: &str = r#"UPDATE sessions SET expires = $2 WHERE "sessionToken" = $1
RETURNING "sessionToken", "userId", expires"#;
pub(super) const DELETE_SESSION: &str = r#"DELETE FROM sessions WHERE "sessionToken" = $1"#;
// The tables beyond NextAuth's (migrations/): roles, and what the session list shows.
pub(super) const DELETE_SESSION_DETAILS: &str =
    r#"DELETE FROM auth_session_details WHERE "sessionToken" = $1"#;
pub(super) const DELETE_USER_SESSION_DETAILS: &str =
    r#"DELETE FROM auth_session_details WHERE "userId" = $1"#;
pub(super) const DELETE_USER_ROLES: &str = r#"DELETE FROM auth_roles WHERE "userId" = $1"#;
// Only for a user that exists, as `LINK_ACCOUNT`.
pub(super) const SET_ROLES: &str = r#"INSERT INTO auth_roles ("userId", roles)
SELECT id, $2 FROM users WHERE id = $1
ON CONFLICT ("userId") DO UPDATE SET roles = excluded.roles"#;
// Only for a session that exists; a second save replaces the first.
pub(super) const SAVE_SESSION_DETAILS: &str = r#"INSERT INTO auth_session_details ("sessionToken", "userId", created, "lastSeen", "userAgent", address)
SELECT "sessionToken", "userId", $2, $3, $4, $5 FROM sessions WHERE "sessionToken" = $1
ON CONFLICT ("sessionToken") DO UPDATE SET created = excluded.created, "lastSeen" = excluded."lastSeen", "userAgent" = excluded."userAgent", address = excluded.address"#;
pub(super) const TOUCH_SESSION_DETAILS: &str =
    r#"UPDATE auth_session_details SET "lastSeen" = $2 WHERE "sessionToken" = $1"#;
pub(super) const CREATE_JWT_SESSION: &str = r#"INSERT INTO auth_jwt_sessions (sid, "userId", created, "lastSeen", expires, "userAgent", address)
VALUES ($1, $2, $3, $4, $5, $6, $7)"#;
// A user's expired records go when a new one is written: nothing else reads them.
pub(super) const DELETE_EXPIRED_JWT_SESSIONS: &str =
    r#"DELETE FROM auth_jwt_sessions WHERE "userId" = $1 AND expires < $2"#;
pub(super) const TOUCH_JWT_SESSION: &str =
    r#"UPDATE auth_jwt_sessions SET "lastSeen" = $2, expires = $3 WHERE sid = $1"#;
pub(super) const LIST_JWT_SESSIONS: &str = r#"SELECT sid, "userId", created, "lastSeen", expires, "userAgent", address
FROM auth_jwt_sessions WHERE "userId" = $1 ORDER BY created, sid"#;
pub(super) const DELETE_JWT_SESSION: &str =
    r#"DELETE FROM auth_jwt_sessions WHERE "userId" = $1 AND sid = $2"#;
pub(super) const DELETE_JWT_SESSIONS: &str = r#"DELETE FROM auth_jwt_sessions WHERE "userId" = $1"#;
pub(super) const LIST_SESSIONS: &str = r#"SELECT s."sessionToken", s."userId", s.expires, d.created, d."lastSeen", d."userAgent", d.address
FROM sessions s LEFT JOIN auth_session_details d ON d."sessionToken" = s."sessionToken"
WHERE s."userId" = $1 ORDER BY s.id"#;
// Passkeys (migrations/: `authenticators`, shaped like Auth.js's `Authenticator` model) and
// WebAuthn ceremony state.
/// The columns of a passkey, as `authenticator_from_row` reads them.
macro_rules! authenticator_columns {
    () => {
        r#""credentialID", "userId", "providerAccountId", "credentialPublicKey", counter, "credentialDeviceType", "credentialBackedUp", transports, credential, name, "createdAt", "lastUsedAt""#
    };
}
// Only for a user that exists, as `LINK_ACCOUNT`.
pub(super) const CREATE_AUTHENTICATOR: &str = r#"INSERT INTO authenticators ("credentialID", "userId", "providerAccountId", "credentialPublicKey", counter, "credentialDeviceType", "credentialBackedUp", transports, credential, name, "createdAt", "lastUsedAt")
SELECT $2, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM users WHERE id = $1"#;
pub(super) const GET_AUTHENTICATOR: &str = concat!(
    "SELECT ",
    authenticator_columns!(),
    r#" FROM authenticators WHERE "credentialID" = $1"#
);
// Ordered again by `createdAt` in Rust: SQLite compares its RFC 3339 text, whose fraction of a
// second has no fixed width.
pub(super) const LIST_AUTHENTICATORS: &str = concat!(
    "SELECT ",
    authenticator_columns!(),
    r#" FROM authenticators WHERE "userId" = $1 ORDER BY "createdAt", "credentialID""#
);
// The counter never goes back: a replayed or cloned assertion (a lower counter) writes
// nothing. An equal counter is written (authenticators without one always send 0).
pub(super) const UPDATE_AUTHENTICATOR_USE: &str = r#"UPDATE authenticators SET counter = $2, "credentialBackedUp" = $3, credential = $4, "lastUsedAt" = $5
WHERE "credentialID" = $1 AND counter <= $2"#;
pub(super) const RENAME_AUTHENTICATOR: &str =
    r#"UPDATE authenticators SET name = $3 WHERE "userId" = $1 AND "credentialID" = $2"#;
pub(super) const DELETE_AUTHENTICATOR: &str = r#"DELETE FROM authenticators WHERE "userId" = $1 AND "credentialID" = $2
RETURNING "providerAccountId""#;
// The passkey provider's account Auth.js pairs with a passkey: same user, `webauthn`, the
// passkey's `providerAccountId`.
pub(super) const DELETE_AUTHENTICATOR_ACCOUNT: &str = r#"DELETE FROM accounts WHERE "userId" = $1 AND "providerAccountId" = $2 AND type = 'webauthn'"#;
pub(super) const DELETE_USER_AUTHENTICATORS: &str =
    r#"DELETE FROM authenticators WHERE "userId" = $1"#;
pub(super) const CREATE_WEBAUTHN_CHALLENGE: &str =
    "INSERT INTO auth_webauthn_challenges (id, state, expires) VALUES ($1, $2, $3)";
// Ceremonies that were abandoned go when a new one starts: nothing else would delete them.
pub(super) const DELETE_EXPIRED_WEBAUTHN_CHALLENGES: &str =
    "DELETE FROM auth_webauthn_challenges WHERE expires < $1";
// One statement finds and deletes: of two concurrent uses, exactly one gets the row (whose
// expiry the adapter then checks).
pub(super) const USE_WEBAUTHN_CHALLENGE: &str = "DELETE FROM auth_webauthn_challenges
WHERE id = $1
RETURNING id, state, expires";
pub(super) const CREATE_VERIFICATION_TOKEN: &str =
    "INSERT INTO verification_token (identifier, expires, token) VALUES ($1, $2, $3)";
// One statement finds and deletes: of two concurrent uses, exactly one gets the row. Both
// the identifier and the token must match (GHSA-pg53-56cg-4m8q).
pub(super) const USE_VERIFICATION_TOKEN: &str = "DELETE FROM verification_token
WHERE identifier = $1 AND token = $2
RETURNING identifier, expires, token";

/// Timestamps are written in UTC: SQLite keeps them as text, which must not depend on the
/// offset the caller happened to use.
pub(super) fn utc(at: time::OffsetDateTime) -> time::OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
}

/// Implements [`Adapter`](super::Adapter) for `$adapter` (a struct with a `pool: Pool<$db>`)
/// over the statements above; `$id` is the integer type of the user ids (`i64` for SQLite's
/// `INTEGER`, `i32` for PostgreSQL's `SERIAL`). `read_inline = $method` names an adapter's
/// method tried before its session readers: `fn(&self, &str) -> Option<Option<SessionAndUser>>`,
/// `None` when the session must be read the usual way.
macro_rules! impl_sql_adapter {
    ($adapter:ty, $db:ty, $id:ty $(, read_inline = $read_inline:ident)?) => {
        type Row = <$db as sqlx::Database>::Row;

        impl $adapter {
            /// The session and user of `session_token` (the `Adapter`'s hot path): on the
            /// session readers when the adapter has them (several reads waiting at once in
            /// one query, `sessions_and_users`), else through the pool.
            async fn fetch_session(
                &self,
                session_token: &str,
            ) -> Result<Option<SessionAndUser>, sqlx::Error> {
                $(
                    if let Some(found) = self.$read_inline(session_token) {
                        return Ok(found);
                    }
                )?
                match &self.session_readers {
                    Some(readers) => {
                        let reads = super::readers::Reads::new(
                            |connection, token| {
                                Box::pin(async move {
                                    let row = sqlx::query::<$db>(sql::GET_SESSION_AND_USER)
                                        .bind(token)
                                        .fetch_optional(connection)
                                        .await?;
                                    row.as_ref().map(session_and_user_from_row).transpose()
                                })
                            },
                            |connection, tokens| {
                                Box::pin(async move {
                                    let rows =
                                        sessions_and_users(tokens).fetch_all(connection).await?;
                                    rows.iter().map(session_and_user_from_row).collect()
                                })
                            },
                            |found: &SessionAndUser| found.session.session_token.as_str(),
                        );
                        readers.read(session_token, &reads).await
                    }
                    None => {
                        let row = sqlx::query::<$db>(sql::GET_SESSION_AND_USER)
                            .bind(session_token)
                            .fetch_optional(&self.pool)
                            .await?;
                        row.as_ref().map(session_and_user_from_row).transpose()
                    }
                }
            }
        }

        fn session_and_user_from_row(row: &Row) -> Result<SessionAndUser, sqlx::Error> {
            use sqlx::Row as _;
            Ok(SessionAndUser {
                session: session_from_row(row)?,
                user: user_from_row(row)?,
                roles: crate::roles::split(row.try_get::<Option<String>, _>("roles")?.as_deref()),
            })
        }

        fn user_from_row(row: &Row) -> Result<AdapterUser, sqlx::Error> {
            use sqlx::Row as _;
            Ok(AdapterUser {
                id: row.try_get::<$id, _>("id")?.to_string(),
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                email_verified: row.try_get("emailVerified")?,
                image: row.try_get("image")?,
            })
        }

        fn session_from_row(row: &Row) -> Result<AdapterSession, sqlx::Error> {
            use sqlx::Row as _;
            Ok(AdapterSession {
                session_token: row.try_get("sessionToken")?,
                user_id: row.try_get::<$id, _>("userId")?.to_string(),
                expires: row.try_get("expires")?,
            })
        }

        fn account_from_row(row: &Row) -> Result<AdapterAccount, sqlx::Error> {
            use sqlx::Row as _;
            Ok(AdapterAccount {
                user_id: row.try_get::<$id, _>("userId")?.to_string(),
                kind: row.try_get("type")?,
                provider: row.try_get("provider")?,
                provider_account_id: row.try_get("providerAccountId")?,
                refresh_token: row.try_get("refresh_token")?,
                access_token: row.try_get("access_token")?,
                expires_at: row.try_get("expires_at")?,
                token_type: row.try_get("token_type")?,
                scope: row.try_get("scope")?,
                id_token: row.try_get("id_token")?,
                session_state: row.try_get("session_state")?,
            })
        }

        fn details_from_row(row: &Row) -> Result<crate::adapter::SessionDetails, sqlx::Error> {
            use sqlx::Row as _;
            Ok(crate::adapter::SessionDetails {
                created: row.try_get("created")?,
                last_seen: row.try_get("lastSeen")?,
                user_agent: row.try_get("userAgent")?,
                address: row.try_get("address")?,
            })
        }

        fn verification_token_from_row(row: &Row) -> Result<VerificationToken, sqlx::Error> {
            use sqlx::Row as _;
            Ok(VerificationToken {
                identifier: row.try_get("identifier")?,
                token: row.try_get("token")?,
                expires: row.try_get("expires")?,
            })
        }

        fn authenticator_from_row(
            row: &Row,
        ) -> Result<crate::adapter::AdapterAuthenticator, sqlx::Error> {
            use sqlx::Row as _;
            let counter: i64 = row.try_get("counter")?;
            Ok(crate::adapter::AdapterAuthenticator {
                credential_id: row.try_get("credentialID")?,
                user_id: row.try_get::<$id, _>("userId")?.to_string(),
                provider_account_id: row.try_get("providerAccountId")?,
                credential_public_key: row.try_get("credentialPublicKey")?,
                counter: u32::try_from(counter).map_err(|e| sqlx::Error::ColumnDecode {
                    index: "counter".to_owned(),
                    source: Box::new(e),
                })?,
                credential_device_type: row.try_get("credentialDeviceType")?,
                credential_backed_up: row.try_get("credentialBackedUp")?,
                transports: row.try_get("transports")?,
                credential: row.try_get("credential")?,
                name: row.try_get("name")?,
                created: row.try_get("createdAt")?,
                last_used: row.try_get("lastUsedAt")?,
            })
        }

        fn webauthn_challenge_from_row(
            row: &Row,
        ) -> Result<crate::adapter::WebAuthnChallenge, sqlx::Error> {
            use sqlx::Row as _;
            Ok(crate::adapter::WebAuthnChallenge {
                id: row.try_get("id")?,
                state: row.try_get("state")?,
                expires: row.try_get("expires")?,
            })
        }

        /// The `LINK_ACCOUNT` statement for `account`, linked to `user_id`.
        fn link_account_query<'q>(
            user_id: $id,
            account: AdapterAccount,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            sqlx::query::<$db>(sql::LINK_ACCOUNT)
                .bind(user_id)
                .bind(account.kind)
                .bind(account.provider)
                .bind(account.provider_account_id)
                .bind(account.refresh_token)
                .bind(account.access_token)
                .bind(account.expires_at)
                .bind(account.token_type)
                .bind(account.scope)
                .bind(account.id_token)
                .bind(account.session_state)
        }

        /// The `CREATE_USER` statement for `user`.
        fn create_user_query<'q>(
            user: NewUser,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            sqlx::query::<$db>(sql::CREATE_USER)
                .bind(user.name)
                .bind(user.email)
                .bind(user.email_verified.map(utc))
                .bind(user.image)
        }

        /// The record in `row`, if any.
        fn read<T>(
            row: Option<Row>,
            from_row: fn(&Row) -> Result<T, sqlx::Error>,
            operation: &'static str,
        ) -> AdapterResult<Option<T>> {
            row.as_ref()
                .map(from_row)
                .transpose()
                .map_err(store_error(operation))
        }

        impl Adapter for $adapter {
            fn create_user(&self, user: NewUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
                Box::pin(async move {
                    const OPERATION: &str = "create a user";
                    let row = create_user_query(user)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a user with this email"))?;
                    user_from_row(&row).map_err(store_error(OPERATION))
                })
            }

            // One transaction: a lost connection or a refused link rolls the user back too.
            fn create_user_with_account(
                &self,
                user: NewUser,
                account: AdapterAccount,
            ) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
                Box::pin(async move {
                    const OPERATION: &str = "create a user with an account";
                    let mut tx = self.pool.begin().await.map_err(store_error(OPERATION))?;
                    let row = create_user_query(user)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(write_error(OPERATION, "a user with this email"))?;
                    let created = user_from_row(&row).map_err(store_error(OPERATION))?;
                    let user_id =
                        parse_user_id::<$id>(&created.id).ok_or(AdapterError::NotFound("user"))?;
                    link_account_query(user_id, account)
                        .execute(&mut *tx)
                        .await
                        .map_err(write_error(OPERATION, "a link for this provider account"))?;
                    tx.commit().await.map_err(store_error(OPERATION))?;
                    Ok(created)
                })
            }

            fn get_user<'a>(
                &'a self,
                id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
                Box::pin(async move {
                    const OPERATION: &str = "read a user";
                    let Some(id) = parse_user_id::<$id>(id) else {
                        return Ok(None);
                    };
                    let row = sqlx::query::<$db>(sql::GET_USER)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    read(row, user_from_row, OPERATION)
                })
            }

            fn get_user_by_email<'a>(
                &'a self,
                email: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
                Box::pin(async move {
                    const OPERATION: &str = "read a user by email";
                    let row = sqlx::query::<$db>(sql::GET_USER_BY_EMAIL)
                        .bind(email)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    read(row, user_from_row, OPERATION)
                })
            }

            fn get_user_by_account<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
                Box::pin(async move {
                    const OPERATION: &str = "read a user by account";
                    let row = sqlx::query::<$db>(sql::GET_USER_BY_ACCOUNT)
                        .bind(provider)
                        .bind(provider_account_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    read(row, user_from_row, OPERATION)
                })
            }

            fn update_user(&self, user: AdapterUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
                Box::pin(async move {
                    const OPERATION: &str = "update a user";
                    let id =
                        parse_user_id::<$id>(&user.id).ok_or(AdapterError::NotFound("user"))?;
                    let row = sqlx::query::<$db>(sql::UPDATE_USER)
                        .bind(id)
                        .bind(user.name)
                        .bind(user.email)
                        .bind(user.email_verified.map(utc))
                        .bind(user.image)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a user with this email"))?
                        .ok_or(AdapterError::NotFound("user"))?;
                    user_from_row(&row).map_err(store_error(OPERATION))
                })
            }

            fn delete_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    const OPERATION: &str = "delete a user";
                    let Some(id) = parse_user_id::<$id>(id) else {
                        return Ok(false);
                    };
                    let mut tx = self.pool.begin().await.map_err(store_error(OPERATION))?;
                    for statement in [
                        sql::DELETE_USER_SESSIONS,
                        sql::DELETE_USER_SESSION_DETAILS,
                        sql::DELETE_USER_ROLES,
                        sql::DELETE_USER_AUTHENTICATORS,
                        sql::DELETE_USER_ACCOUNTS,
                    ] {
                        sqlx::query::<$db>(statement)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(store_error(OPERATION))?;
                    }
                    let deleted = sqlx::query::<$db>(sql::DELETE_USER)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error(OPERATION))?
                        .rows_affected();
                    tx.commit().await.map_err(store_error(OPERATION))?;
                    Ok(deleted > 0)
                })
            }

            fn link_account(&self, account: AdapterAccount) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "link an account";
                    let user_id = parse_user_id::<$id>(&account.user_id)
                        .ok_or(AdapterError::NotFound("user"))?;
                    let inserted = link_account_query(user_id, account)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a link for this provider account"))?
                        .rows_affected();
                    if inserted == 0 {
                        return Err(AdapterError::NotFound("user"));
                    }
                    Ok(())
                })
            }

            fn unlink_account<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    let deleted = sqlx::query::<$db>(sql::UNLINK_ACCOUNT)
                        .bind(provider)
                        .bind(provider_account_id)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("unlink an account"))?
                        .rows_affected();
                    Ok(deleted > 0)
                })
            }

            fn get_accounts<'a>(
                &'a self,
                user_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAccount>>> {
                Box::pin(async move {
                    const OPERATION: &str = "read a user's accounts";
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(Vec::new());
                    };
                    let rows = sqlx::query::<$db>(sql::GET_ACCOUNTS)
                        .bind(user_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    rows.iter()
                        .map(account_from_row)
                        .collect::<Result<_, _>>()
                        .map_err(store_error(OPERATION))
                })
            }

            fn create_session(&self, session: AdapterSession) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "create a session";
                    let user_id = parse_user_id::<$id>(&session.user_id)
                        .ok_or(AdapterError::NotFound("user"))?;
                    let inserted = sqlx::query::<$db>(sql::CREATE_SESSION)
                        .bind(user_id)
                        .bind(utc(session.expires))
                        .bind(session.session_token)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a session with this token"))?
                        .rows_affected();
                    if inserted == 0 {
                        return Err(AdapterError::NotFound("user"));
                    }
                    Ok(())
                })
            }

            fn get_session_and_user<'a>(
                &'a self,
                session_token: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<SessionAndUser>>> {
                Box::pin(async move {
                    self.fetch_session(session_token)
                        .await
                        .map_err(store_error("read a session"))
                })
            }

            fn update_session<'a>(
                &'a self,
                session_token: &'a str,
                expires: OffsetDateTime,
            ) -> BoxFuture<'a, AdapterResult<Option<AdapterSession>>> {
                Box::pin(async move {
                    const OPERATION: &str = "update a session";
                    let row = sqlx::query::<$db>(sql::UPDATE_SESSION)
                        .bind(session_token)
                        .bind(utc(expires))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    let updated = read(row, session_from_row, OPERATION)?;
                    if updated.is_some() {
                        sqlx::query::<$db>(sql::TOUCH_SESSION_DETAILS)
                            .bind(session_token)
                            .bind(utc(OffsetDateTime::now_utc()))
                            .execute(&self.pool)
                            .await
                            .map_err(store_error(OPERATION))?;
                    }
                    Ok(updated)
                })
            }

            fn delete_session<'a>(
                &'a self,
                session_token: &'a str,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    const OPERATION: &str = "delete a session";
                    let deleted = sqlx::query::<$db>(sql::DELETE_SESSION)
                        .bind(session_token)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?
                        .rows_affected();
                    sqlx::query::<$db>(sql::DELETE_SESSION_DETAILS)
                        .bind(session_token)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    Ok(deleted > 0)
                })
            }

            fn delete_sessions<'a>(
                &'a self,
                user_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<u64>> {
                Box::pin(async move {
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(0);
                    };
                    const OPERATION: &str = "delete a user's sessions";
                    let deleted = sqlx::query::<$db>(sql::DELETE_USER_SESSIONS)
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?
                        .rows_affected();
                    sqlx::query::<$db>(sql::DELETE_USER_SESSION_DETAILS)
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    Ok(deleted)
                })
            }

            fn create_verification_token(
                &self,
                token: VerificationToken,
            ) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    sqlx::query::<$db>(sql::CREATE_VERIFICATION_TOKEN)
                        .bind(token.identifier)
                        .bind(utc(token.expires))
                        .bind(token.token)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(
                            "store a verification token",
                            "this verification token",
                        ))?;
                    Ok(())
                })
            }

            fn use_verification_token<'a>(
                &'a self,
                identifier: &'a str,
                token: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<VerificationToken>>> {
                Box::pin(async move {
                    const OPERATION: &str = "use a verification token";
                    let row = sqlx::query::<$db>(sql::USE_VERIFICATION_TOKEN)
                        .bind(identifier)
                        .bind(token)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    read(row, verification_token_from_row, OPERATION)
                })
            }

            fn set_roles<'a>(
                &'a self,
                user_id: &'a str,
                roles: &'a [String],
            ) -> BoxFuture<'a, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "set a user's roles";
                    let id = parse_user_id::<$id>(user_id).ok_or(AdapterError::NotFound("user"))?;
                    let written = sqlx::query::<$db>(sql::SET_ROLES)
                        .bind(id)
                        .bind(crate::roles::join(roles))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?
                        .rows_affected();
                    if written == 0 {
                        return Err(AdapterError::NotFound("user"));
                    }
                    Ok(())
                })
            }

            fn save_session_details<'a>(
                &'a self,
                session_token: &'a str,
                details: crate::adapter::SessionDetails,
            ) -> BoxFuture<'a, AdapterResult<()>> {
                Box::pin(async move {
                    sqlx::query::<$db>(sql::SAVE_SESSION_DETAILS)
                        .bind(session_token)
                        .bind(details.created.map(utc))
                        .bind(details.last_seen.map(utc))
                        .bind(details.user_agent)
                        .bind(details.address)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("save a session's details"))?;
                    Ok(())
                })
            }

            fn list_sessions<'a>(
                &'a self,
                user_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Vec<crate::adapter::ListedSession>>> {
                Box::pin(async move {
                    const OPERATION: &str = "list a user's sessions";
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(Vec::new());
                    };
                    let rows = sqlx::query::<$db>(sql::LIST_SESSIONS)
                        .bind(user_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    let listed = |row: &Row| -> Result<crate::adapter::ListedSession, sqlx::Error> {
                        Ok(crate::adapter::ListedSession {
                            session: session_from_row(row)?,
                            details: details_from_row(row)?,
                        })
                    };
                    rows.iter()
                        .map(listed)
                        .collect::<Result<_, _>>()
                        .map_err(store_error(OPERATION))
                })
            }

            fn update_account_tokens<'a>(
                &'a self,
                account: AdapterAccount,
                replaces: Option<&'a str>,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    let updated = sqlx::query::<$db>(sql::UPDATE_ACCOUNT_TOKENS)
                        .bind(account.provider)
                        .bind(account.provider_account_id)
                        .bind(account.access_token)
                        .bind(account.refresh_token)
                        .bind(account.expires_at)
                        .bind(account.token_type)
                        .bind(account.scope)
                        .bind(replaces)
                        .bind(account.id_token)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("update an account's tokens"))?
                        .rows_affected();
                    Ok(updated > 0)
                })
            }

            fn claim_refresh<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
                refresh_hash: &'a str,
                until: OffsetDateTime,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    let claimed = sqlx::query::<$db>(sql::CLAIM_REFRESH)
                        .bind(provider)
                        .bind(provider_account_id)
                        .bind(refresh_hash)
                        .bind(utc(until))
                        .bind(utc(OffsetDateTime::now_utc()))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("claim a token refresh"))?
                        .rows_affected();
                    Ok(claimed > 0)
                })
            }

            fn release_refresh<'a>(
                &'a self,
                provider: &'a str,
                provider_account_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<()>> {
                Box::pin(async move {
                    sqlx::query::<$db>(sql::RELEASE_REFRESH)
                        .bind(provider)
                        .bind(provider_account_id)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("release a token refresh"))?;
                    Ok(())
                })
            }

            fn create_jwt_session(
                &self,
                record: crate::adapter::JwtSessionRecord,
            ) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "record a JWT session";
                    sqlx::query::<$db>(sql::DELETE_EXPIRED_JWT_SESSIONS)
                        .bind(&record.user_id)
                        .bind(utc(OffsetDateTime::now_utc()))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    sqlx::query::<$db>(sql::CREATE_JWT_SESSION)
                        .bind(record.sid)
                        .bind(record.user_id)
                        .bind(record.details.created.map(utc))
                        .bind(record.details.last_seen.map(utc))
                        .bind(utc(record.expires))
                        .bind(record.details.user_agent)
                        .bind(record.details.address)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a JWT session with this id"))?;
                    Ok(())
                })
            }

            fn touch_jwt_session<'a>(
                &'a self,
                sid: &'a str,
                seen: OffsetDateTime,
                expires: OffsetDateTime,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    let touched = sqlx::query::<$db>(sql::TOUCH_JWT_SESSION)
                        .bind(sid)
                        .bind(utc(seen))
                        .bind(utc(expires))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("read a JWT session"))?
                        .rows_affected();
                    Ok(touched > 0)
                })
            }

            fn list_jwt_sessions<'a>(
                &'a self,
                user_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Vec<crate::adapter::JwtSessionRecord>>> {
                Box::pin(async move {
                    const OPERATION: &str = "list a user's JWT sessions";
                    let rows = sqlx::query::<$db>(sql::LIST_JWT_SESSIONS)
                        .bind(user_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    let record =
                        |row: &Row| -> Result<crate::adapter::JwtSessionRecord, sqlx::Error> {
                            use sqlx::Row as _;
                            Ok(crate::adapter::JwtSessionRecord {
                                sid: row.try_get("sid")?,
                                user_id: row.try_get("userId")?,
                                expires: row.try_get("expires")?,
                                details: details_from_row(row)?,
                            })
                        };
                    rows.iter()
                        .map(record)
                        .collect::<Result<_, _>>()
                        .map_err(store_error(OPERATION))
                })
            }

            fn delete_jwt_sessions<'a>(
                &'a self,
                user_id: &'a str,
                sid: Option<&'a str>,
            ) -> BoxFuture<'a, AdapterResult<u64>> {
                Box::pin(async move {
                    let query = match sid {
                        Some(sid) => sqlx::query::<$db>(sql::DELETE_JWT_SESSION)
                            .bind(user_id)
                            .bind(sid),
                        None => sqlx::query::<$db>(sql::DELETE_JWT_SESSIONS).bind(user_id),
                    };
                    let deleted = query
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("revoke JWT sessions"))?
                        .rows_affected();
                    Ok(deleted)
                })
            }

            fn create_authenticator(
                &self,
                authenticator: crate::adapter::AdapterAuthenticator,
            ) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "store a passkey";
                    let user_id = parse_user_id::<$id>(&authenticator.user_id)
                        .ok_or(AdapterError::NotFound("user"))?;
                    let inserted = sqlx::query::<$db>(sql::CREATE_AUTHENTICATOR)
                        .bind(user_id)
                        .bind(authenticator.credential_id)
                        .bind(authenticator.provider_account_id)
                        .bind(authenticator.credential_public_key)
                        .bind(i64::from(authenticator.counter))
                        .bind(authenticator.credential_device_type)
                        .bind(authenticator.credential_backed_up)
                        .bind(authenticator.transports)
                        .bind(authenticator.credential)
                        .bind(authenticator.name)
                        .bind(utc(authenticator.created))
                        .bind(authenticator.last_used.map(utc))
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a passkey with this credential id"))?
                        .rows_affected();
                    if inserted == 0 {
                        return Err(AdapterError::NotFound("user"));
                    }
                    Ok(())
                })
            }

            fn get_authenticator<'a>(
                &'a self,
                credential_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Option<crate::adapter::AdapterAuthenticator>>> {
                Box::pin(async move {
                    const OPERATION: &str = "read a passkey";
                    let row = sqlx::query::<$db>(sql::GET_AUTHENTICATOR)
                        .bind(credential_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    read(row, authenticator_from_row, OPERATION)
                })
            }

            fn list_authenticators<'a>(
                &'a self,
                user_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<Vec<crate::adapter::AdapterAuthenticator>>> {
                Box::pin(async move {
                    const OPERATION: &str = "list a user's passkeys";
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(Vec::new());
                    };
                    let rows = sqlx::query::<$db>(sql::LIST_AUTHENTICATORS)
                        .bind(user_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    let mut listed = rows
                        .iter()
                        .map(authenticator_from_row)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(store_error(OPERATION))?;
                    // Stable: equal instants keep the statement's order, by credential id.
                    listed.sort_by_key(|authenticator| authenticator.created);
                    Ok(listed)
                })
            }

            fn update_authenticator_use(
                &self,
                used: crate::adapter::AdapterAuthenticator,
            ) -> BoxFuture<'_, AdapterResult<bool>> {
                Box::pin(async move {
                    let updated = sqlx::query::<$db>(sql::UPDATE_AUTHENTICATOR_USE)
                        .bind(used.credential_id)
                        .bind(i64::from(used.counter))
                        .bind(used.credential_backed_up)
                        .bind(used.credential)
                        .bind(used.last_used.map(utc))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("record a passkey's use"))?
                        .rows_affected();
                    Ok(updated > 0)
                })
            }

            fn rename_authenticator<'a>(
                &'a self,
                user_id: &'a str,
                credential_id: &'a str,
                name: &'a str,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(false);
                    };
                    let renamed = sqlx::query::<$db>(sql::RENAME_AUTHENTICATOR)
                        .bind(user_id)
                        .bind(credential_id)
                        .bind(name)
                        .execute(&self.pool)
                        .await
                        .map_err(store_error("rename a passkey"))?
                        .rows_affected();
                    Ok(renamed > 0)
                })
            }

            // One transaction: the passkey and its account go together, or neither does.
            fn delete_authenticator<'a>(
                &'a self,
                user_id: &'a str,
                credential_id: &'a str,
            ) -> BoxFuture<'a, AdapterResult<bool>> {
                Box::pin(async move {
                    use sqlx::Row as _;
                    const OPERATION: &str = "delete a passkey";
                    let Some(user_id) = parse_user_id::<$id>(user_id) else {
                        return Ok(false);
                    };
                    let mut tx = self.pool.begin().await.map_err(store_error(OPERATION))?;
                    let row = sqlx::query::<$db>(sql::DELETE_AUTHENTICATOR)
                        .bind(user_id)
                        .bind(credential_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(store_error(OPERATION))?;
                    let Some(row) = row else {
                        return Ok(false);
                    };
                    let provider_account_id: String = row
                        .try_get("providerAccountId")
                        .map_err(store_error(OPERATION))?;
                    sqlx::query::<$db>(sql::DELETE_AUTHENTICATOR_ACCOUNT)
                        .bind(user_id)
                        .bind(provider_account_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error(OPERATION))?;
                    tx.commit().await.map_err(store_error(OPERATION))?;
                    Ok(true)
                })
            }

            fn create_webauthn_challenge(
                &self,
                challenge: crate::adapter::WebAuthnChallenge,
            ) -> BoxFuture<'_, AdapterResult<()>> {
                Box::pin(async move {
                    const OPERATION: &str = "store a WebAuthn challenge";
                    // A minute's margin: SQLite compares its timestamps as text, exact to the
                    // second only.
                    let expired_before = OffsetDateTime::now_utc() - time::Duration::minutes(1);
                    sqlx::query::<$db>(sql::DELETE_EXPIRED_WEBAUTHN_CHALLENGES)
                        .bind(utc(expired_before))
                        .execute(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    sqlx::query::<$db>(sql::CREATE_WEBAUTHN_CHALLENGE)
                        .bind(challenge.id)
                        .bind(challenge.state)
                        .bind(utc(challenge.expires))
                        .execute(&self.pool)
                        .await
                        .map_err(write_error(OPERATION, "a WebAuthn challenge with this id"))?;
                    Ok(())
                })
            }

            fn use_webauthn_challenge<'a>(
                &'a self,
                id: &'a str,
                now: OffsetDateTime,
            ) -> BoxFuture<'a, AdapterResult<Option<crate::adapter::WebAuthnChallenge>>> {
                Box::pin(async move {
                    const OPERATION: &str = "use a WebAuthn challenge";
                    let row = sqlx::query::<$db>(sql::USE_WEBAUTHN_CHALLENGE)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(store_error(OPERATION))?;
                    // Deleted either way: an expired challenge is never used.
                    let taken = read(row, webauthn_challenge_from_row, OPERATION)?;
                    Ok(taken.filter(|challenge| challenge.expires > now))
                })
            }
        }
    };
}

pub(super) use impl_sql_adapter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimal_ids_are_keys() {
        assert_eq!(parse_user_id::<i64>("42"), Some(42));
        for id in ["", "abc", "01", "+1", " 1", "1.0", "99999999999999999999"] {
            assert_eq!(parse_user_id::<i64>(id), None, "{id:?}");
        }
        assert_eq!(parse_user_id::<i32>("3000000000"), None);
    }
}
