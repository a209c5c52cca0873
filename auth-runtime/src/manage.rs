//! Managing users from the application's own code: their sessions (list, revoke; database
//! sessions, or JWT sessions with a store) and their roles (database sessions). The routes
//! `GET {base}/sessions` and `POST {base}/sessions/revoke` serve the signed-in user with the
//! same operations.

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::adapter::{Adapter, AdapterError, ListedSession, SessionDetails};
use crate::config::{Auth, Strategy};
use crate::extract::iso_string;
use crate::roles::RoleName;
use crate::user::SessionData;

/// One of a user's sessions, as `GET {base}/sessions` lists it. Times are ISO 8601 strings
/// (as `/session`'s `expires`); what the store does not know is `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SessionInfo {
    /// An opaque id for revoking the session, derived from its token (never the token).
    pub id: String,
    /// When the session started.
    pub created: Option<String>,
    /// When the session was last extended: its last use, to within `update_age`.
    #[serde(rename = "lastSeen")]
    pub last_seen: Option<String>,
    /// When the session ends unless it is used.
    pub expires: String,
    /// The browser's `User-Agent` at sign-in.
    #[serde(rename = "userAgent")]
    pub user_agent: Option<String>,
    /// The client's address at sign-in.
    pub address: Option<String>,
    /// Whether this is the session of the request that asked.
    pub current: bool,
}

impl SessionInfo {
    fn new(held: Held, current_key: Option<&str>) -> Self {
        let SessionDetails {
            created,
            last_seen,
            user_agent,
            address,
        } = held.details;
        SessionInfo {
            id: session_id(&held.key),
            current: current_key == Some(held.key.as_str()),
            created: created.map(iso_string),
            last_seen: last_seen.map(iso_string),
            expires: iso_string(held.expires),
            user_agent,
            address,
        }
    }
}

/// The opaque id of the session with this key (a database session's token, a JWT session's
/// `sid`): 128 bits of its SHA-256, in hex. Knowing an id gives nothing to sign in with;
/// revoking by id is limited to the user's own sessions.
pub(crate) fn session_id(key: &str) -> String {
    String::from_utf8_lossy(&session_id_hex(key)).into_owned()
}

/// [`session_id`] on the stack: the session cache compares it on every read.
pub(crate) fn session_id_hex(key: &str) -> [u8; 32] {
    let digest = Sha256::new()
        .chain_update("auth-runtime session id:")
        .chain_update(key)
        .finalize();
    let mut hex = [0u8; 32];
    // Cannot fail: the output is exactly twice the 16 bytes.
    let _ = hex::encode_to_slice(&digest[..16], &mut hex);
    hex
}

/// Where a user's sessions are kept: database session rows, or the records of JWT sessions
/// (`session: jwt { adapter: … }`).
pub(crate) enum SessionStore {
    Database(Arc<dyn Adapter>),
    Jwt(Arc<dyn Adapter>),
}

/// One live session as its store keeps it.
pub(crate) struct Held {
    /// What ends it: the database session's token, or the JWT session's `sid`.
    pub(crate) key: String,
    expires: OffsetDateTime,
    details: SessionDetails,
}

impl SessionStore {
    /// The store of `strategy`, connected; JWT sessions without a store have none.
    pub(crate) async fn of(strategy: &Strategy) -> Result<Self, AdapterError> {
        match strategy {
            Strategy::Database(lazy) => Ok(SessionStore::Database(lazy.get().await?)),
            Strategy::Jwt(Some(lazy)) => Ok(SessionStore::Jwt(lazy.get().await?)),
            Strategy::Jwt(None) => Err(AdapterError::Unsupported(
                "sessions: JWT sessions without `adapter:` live in their cookies only",
            )),
        }
    }

    /// The user's sessions that have not expired, oldest first.
    pub(crate) async fn live(&self, user_id: &str) -> Result<Vec<Held>, AdapterError> {
        let held: Vec<Held> = match self {
            SessionStore::Database(store) => store
                .list_sessions(user_id)
                .await?
                .into_iter()
                .map(|listed: ListedSession| Held {
                    key: listed.session.session_token,
                    expires: listed.session.expires,
                    details: listed.details,
                })
                .collect(),
            SessionStore::Jwt(store) => store
                .list_jwt_sessions(user_id)
                .await?
                .into_iter()
                .map(|record| Held {
                    key: record.sid,
                    expires: record.expires,
                    details: record.details,
                })
                .collect(),
        };
        let now = OffsetDateTime::now_utc();
        Ok(held.into_iter().filter(|held| held.expires > now).collect())
    }

    /// Ends the user's session `key`; `false` when there was none.
    pub(crate) async fn end(&self, user_id: &str, key: &str) -> Result<bool, AdapterError> {
        match self {
            SessionStore::Database(store) => store.delete_session(key).await,
            SessionStore::Jwt(store) => {
                Ok(store.delete_jwt_sessions(user_id, Some(key)).await? > 0)
            }
        }
    }

    /// Ends every session of the user; how many there were.
    pub(crate) async fn end_all(&self, user_id: &str) -> Result<u64, AdapterError> {
        match self {
            SessionStore::Database(store) => store.delete_sessions(user_id).await,
            SessionStore::Jwt(store) => store.delete_jwt_sessions(user_id, None).await,
        }
    }
}

/// The list `GET /sessions` answers, `current_key`'s session marked current.
pub(crate) fn session_infos(held: Vec<Held>, current_key: Option<&str>) -> Vec<SessionInfo> {
    held.into_iter()
        .map(|held| SessionInfo::new(held, current_key))
        .collect()
}

impl<D: SessionData> Auth<D> {
    /// The live sessions of the user `user_id`, oldest first (none marked current). With
    /// database sessions, or JWT sessions with a store (`jwt { adapter: … }`); otherwise
    /// [`AdapterError::Unsupported`].
    pub async fn sessions(&self, user_id: &str) -> Result<Vec<SessionInfo>, AdapterError> {
        let store = SessionStore::of(&self.inner.strategy).await?;
        Ok(session_infos(store.live(user_id).await?, None))
    }

    /// Ends the session `id` ([`SessionInfo::id`]) of the user `user_id`: its next request is
    /// signed out, on every instance (a JWT session within `update_age`). `false` when the
    /// user has no such session.
    pub async fn revoke_session(&self, user_id: &str, id: &str) -> Result<bool, AdapterError> {
        let store = SessionStore::of(&self.inner.strategy).await?;
        for held in store.live(user_id).await? {
            if session_id(&held.key) == id {
                let ended = store.end(user_id, &held.key).await;
                self.forget_cached(|cache| cache.end_session(&held.key));
                return ended;
            }
        }
        Ok(false)
    }

    /// Ends every session of the user `user_id` (sign out everywhere); how many there were.
    pub async fn revoke_all_sessions(&self, user_id: &str) -> Result<u64, AdapterError> {
        let ended = SessionStore::of(&self.inner.strategy)
            .await?
            .end_all(user_id)
            .await;
        self.forget_cached(|cache| cache.end_user(user_id));
        ended
    }

    /// Replaces the roles of the user `user_id`; under database sessions the change holds
    /// from the user's next request. With JWT sessions roles live in the token: set them in
    /// `authorize`, the `profile` mapping or the `jwt` callback ([`AdapterError::Unsupported`]
    /// here).
    pub async fn set_roles<R: RoleName>(
        &self,
        user_id: &str,
        roles: impl IntoIterator<Item = R>,
    ) -> Result<(), AdapterError> {
        let Strategy::Database(lazy) = &self.inner.strategy else {
            return Err(AdapterError::Unsupported(
                "roles in a store: with JWT sessions they live in the token",
            ));
        };
        let mut names: Vec<String> = Vec::new();
        for role in roles {
            crate::roles::add(&mut names, role.as_str());
        }
        let set = lazy.get().await?.set_roles(user_id, &names).await;
        self.forget_cached(|cache| cache.end_user(user_id));
        set
    }

    /// Ends cached copies of sessions on this instance, after the store was written (a read
    /// in between would cache what is being replaced), whether or not the write succeeded.
    fn forget_cached(&self, end: impl FnOnce(&crate::session_cache::SessionCache)) {
        if let Some(cache) = &self.inner.session_cache {
            end(cache);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_id_is_stable_and_does_not_contain_the_token() {
        let token = "0f4c1b8e-6c1d-4c7e-9a40-2d3c5e6f7a8b";
        let id = session_id(token);
        assert_eq!(id, session_id(token));
        assert_eq!(id.len(), 32);
        assert!(!id.contains(&token[..8]));
        assert_ne!(id, session_id("another-token"));
        // Ids outlive a deploy (the session list, what an instance ended): the derivation is
        // fixed, SHA-256 of the prefix and the key, its first 16 bytes in hex.
        assert_eq!(id, "8a7ecd7396e175d165769f91e7e5febc");
        assert_eq!(id.as_bytes(), session_id_hex(token));
    }
}
