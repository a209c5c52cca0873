//! JWT sessions with a store (`session: jwt { adapter: … }`): each sign-in records its session
//! (the token's `sid`), and a token is checked against the record at most once per
//! `update_age` (its `chk` claim says when it last was), so a revoked session ends within
//! `update_age` while the `/session` hot path stays a decryption.

use time::OffsetDateTime;

use crate::adapter::{AdapterError, JwtSessionRecord, SessionDetails};
use crate::config::{Inner, Strategy};
use crate::extract::expiry;
use crate::store::LazyAdapter;
use crate::user::{SessionData, Token};

/// What the store says of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Liveness {
    /// Recorded and not revoked, or checked recently enough, or no store to ask.
    Live,
    /// Its record is gone: the session was revoked (or signed out elsewhere).
    Revoked,
    /// The store could not be asked: no session for this request, the cookie stays.
    Unknown,
}

impl<D: SessionData> Inner<D> {
    /// The store JWT sessions are recorded in, if any.
    pub(crate) fn jwt_store(&self) -> Option<&LazyAdapter> {
        match &self.strategy {
            Strategy::Jwt(store) => store.as_ref(),
            Strategy::Database(_) => None,
        }
    }

    /// Records the new session of `token` (a fresh sign-in) and sets its `sid` and `chk`;
    /// nothing to do without a store.
    pub(crate) async fn record_jwt_session(
        &self,
        token: &mut Token<D>,
        details: SessionDetails,
    ) -> Result<(), AdapterError> {
        let Some(lazy) = self.jwt_store() else {
            return Ok(());
        };
        let user_id = token
            .sub
            .clone()
            .ok_or(AdapterError::NotFound("user id (`sub`) in the token"))?;
        let now = OffsetDateTime::now_utc();
        let sid = crate::jwe::random_uuid_v4();
        lazy.get()
            .await?
            .create_jwt_session(JwtSessionRecord {
                sid: sid.clone(),
                user_id,
                expires: expiry(now, self.session.max_age),
                details,
            })
            .await?;
        token.sid = Some(sid);
        token.chk = Some(now.unix_timestamp().max(0) as u64);
        Ok(())
    }

    /// Whether `token`'s session still stands. With a store and once `update_age` has passed
    /// since the last check, the store is asked (and the record's expiry moved on); `chk` is
    /// then set to now, for the next issue of the cookie. A token without `sid` (minted by
    /// another server with the same secret) is not recorded and so cannot be revoked.
    pub(crate) async fn jwt_session_liveness(&self, token: &mut Token<D>) -> Liveness {
        let Some(lazy) = self.jwt_store() else {
            return Liveness::Live;
        };
        let Some(sid) = token.sid.as_deref() else {
            return Liveness::Live;
        };
        let now = OffsetDateTime::now_utc();
        let now_secs = now.unix_timestamp().max(0) as u64;
        if token
            .chk
            .is_some_and(|checked| now_secs < checked.saturating_add(self.session.update_age))
        {
            return Liveness::Live;
        }
        let store = match lazy.get().await {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "JWT_SESSION_ERROR: the session store is unavailable");
                return Liveness::Unknown;
            }
        };
        match store
            .touch_jwt_session(sid, now, expiry(now, self.session.max_age))
            .await
        {
            Ok(true) => {
                token.chk = Some(now_secs);
                Liveness::Live
            }
            Ok(false) => Liveness::Revoked,
            Err(e) => {
                tracing::error!(error = %e, "JWT_SESSION_ERROR: the session store is unavailable");
                Liveness::Unknown
            }
        }
    }

    /// Forgets the session of `token` at sign-out (a failure is logged: the cookie is cleared
    /// regardless, and the record only lists a session nobody holds).
    pub(crate) async fn forget_jwt_session(&self, token: &Token<D>) {
        let (Some(lazy), Some(sid), Some(user_id)) =
            (self.jwt_store(), token.sid.as_deref(), token.sub.as_deref())
        else {
            return;
        };
        let deleted = match lazy.get().await {
            Ok(store) => store.delete_jwt_sessions(user_id, Some(sid)).await,
            Err(e) => Err(e),
        };
        if let Err(e) = deleted {
            tracing::error!(error = %e, "SIGNOUT_ERROR: the JWT session stays recorded");
        }
    }
}
