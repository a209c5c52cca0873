//! Managing users from the application's own code, under database sessions: their sessions
//! (list, revoke) and their roles. The routes `GET {base}/sessions` and
//! `POST {base}/sessions/revoke` serve the signed-in user with the same operations.

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::adapter::{Adapter, AdapterError, ListedSession, SessionDetails};
use crate::config::{Auth, Strategy};
use crate::roles::RoleName;
use crate::session::iso_string;
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
    fn new(listed: ListedSession, current_id: Option<&str>) -> Self {
        let id = session_id(&listed.session.session_token);
        let SessionDetails {
            created,
            last_seen,
            user_agent,
            address,
        } = listed.details;
        SessionInfo {
            current: current_id == Some(id.as_str()),
            id,
            created: created.map(iso_string),
            last_seen: last_seen.map(iso_string),
            expires: iso_string(listed.session.expires),
            user_agent,
            address,
        }
    }
}

/// The sessions of `listed` that have not expired, `current_id`'s marked current.
pub(crate) fn live_sessions(
    listed: Vec<ListedSession>,
    current_id: Option<&str>,
) -> Vec<SessionInfo> {
    let now = OffsetDateTime::now_utc();
    listed
        .into_iter()
        .filter(|listed| listed.session.expires > now)
        .map(|listed| SessionInfo::new(listed, current_id))
        .collect()
}

/// The opaque id of the session with this token: 128 bits of its SHA-256, in hex. Knowing an
/// id gives nothing to sign in with; revoking by id is limited to the user's own sessions.
pub(crate) fn session_id(session_token: &str) -> String {
    let digest = Sha256::digest(format!("auth-runtime session id:{session_token}"));
    hex::encode(&digest[..16])
}

impl<D: SessionData> Auth<D> {
    /// The store behind database sessions, or why there is none.
    async fn store(&self) -> Result<std::sync::Arc<dyn Adapter>, AdapterError> {
        match &self.inner.strategy {
            Strategy::Database(lazy) => lazy.get().await,
            Strategy::Jwt => Err(AdapterError::Unsupported(
                "sessions or roles: JWT sessions live in cookies only",
            )),
        }
    }

    /// The live sessions of the user `user_id`, oldest first (none marked current).
    /// Database sessions only: with JWT sessions, [`AdapterError::Unsupported`].
    pub async fn sessions(&self, user_id: &str) -> Result<Vec<SessionInfo>, AdapterError> {
        let listed = self.store().await?.list_sessions(user_id).await?;
        Ok(live_sessions(listed, None))
    }

    /// Ends the session `id` ([`SessionInfo::id`]) of the user `user_id`: its next request
    /// is signed out, on every instance. `false` when the user has no such session.
    pub async fn revoke_session(&self, user_id: &str, id: &str) -> Result<bool, AdapterError> {
        let store = self.store().await?;
        for listed in store.list_sessions(user_id).await? {
            if session_id(&listed.session.session_token) == id {
                return store.delete_session(&listed.session.session_token).await;
            }
        }
        Ok(false)
    }

    /// Ends every session of the user `user_id` (sign out everywhere); how many there were.
    pub async fn revoke_all_sessions(&self, user_id: &str) -> Result<u64, AdapterError> {
        self.store().await?.delete_sessions(user_id).await
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
        let mut names: Vec<String> = Vec::new();
        for role in roles {
            crate::roles::add(&mut names, role.as_str());
        }
        self.store().await?.set_roles(user_id, &names).await
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
    }
}
