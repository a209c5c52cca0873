//! [`MemoryAdapter`]: the [`Adapter`] contract over maps in one process, for tests and demos,
//! and the reference to copy when writing an adapter for another store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::OffsetDateTime;

use super::{
    Adapter, AdapterAccount, AdapterAuthenticator, AdapterError, AdapterResult, AdapterSession,
    AdapterUser, BoxFuture, JwtSessionRecord, ListedSession, NewUser, SessionAndUser,
    SessionDetails, VerificationToken, WebAuthnChallenge,
};

/// An [`Adapter`] that keeps everything in memory; it is lost when the process ends.
///
/// Ids are `"1"`, `"2"`, … and never reused.
#[derive(Debug, Default)]
pub struct MemoryAdapter {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last_user_id: u64,
    users: BTreeMap<u64, AdapterUser>,
    /// Keyed by (provider, provider account id): one link per provider account.
    accounts: HashMap<(String, String), AdapterAccount>,
    sessions: HashMap<String, AdapterSession>,
    /// Keyed by session token; dropped with the session.
    session_details: HashMap<String, SessionDetails>,
    /// Keyed by user id.
    roles: HashMap<u64, Vec<String>>,
    /// Recorded JWT sessions, keyed by `sid`.
    jwt_sessions: HashMap<String, JwtSessionRecord>,
    /// Keyed by (identifier, hashed token), as the SQL tables' primary key.
    verification_tokens: HashMap<(String, String), VerificationToken>,
    /// Token refreshes claimed, keyed by (provider, provider account id): the refresh token's
    /// hash and when the claim lapses.
    refresh_claims: HashMap<(String, String), (String, OffsetDateTime)>,
    /// Passkeys, keyed by credential id.
    authenticators: HashMap<String, AdapterAuthenticator>,
    /// WebAuthn ceremonies in progress, keyed by id.
    webauthn_challenges: HashMap<String, WebAuthnChallenge>,
}

impl State {
    fn user(&self, id: &str) -> Option<&AdapterUser> {
        self.users.get(&parse_id(id)?)
    }

    /// Drops the details of sessions that no longer exist.
    fn forget_details(&mut self) {
        let sessions = &self.sessions;
        self.session_details
            .retain(|token, _| sessions.contains_key(token));
    }

    fn email_taken(&self, email: Option<&str>, except_id: Option<u64>) -> bool {
        email.is_some_and(|email| {
            self.users
                .iter()
                .any(|(id, u)| Some(*id) != except_id && u.email.as_deref() == Some(email))
        })
    }
}

/// The key of an id this adapter issued: canonical decimal only, so `"01"` is not `"1"`.
fn parse_id(id: &str) -> Option<u64> {
    id.parse::<u64>().ok().filter(|n| n.to_string() == id)
}

impl MemoryAdapter {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // No `.await` ever happens while the lock is held, so a poisoned lock can only come from
    // a panic between two consistent states: keep going with the data.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Adapter for MemoryAdapter {
    fn create_user(&self, user: NewUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.email_taken(user.email.as_deref(), None) {
                return Err(AdapterError::Conflict("a user with this email"));
            }
            state.last_user_id += 1;
            let id = state.last_user_id;
            let user = AdapterUser {
                id: id.to_string(),
                name: user.name,
                email: user.email,
                email_verified: user.email_verified,
                image: user.image,
            };
            state.users.insert(id, user.clone());
            Ok(user)
        })
    }

    fn get_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        Box::pin(async move { Ok(self.state().user(id).cloned()) })
    }

    fn get_user_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        Box::pin(async move {
            let state = self.state();
            let found = state
                .users
                .values()
                .find(|u| u.email.as_deref() == Some(email));
            Ok(found.cloned())
        })
    }

    fn get_user_by_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterUser>>> {
        Box::pin(async move {
            let state = self.state();
            let key = (provider.to_owned(), provider_account_id.to_owned());
            let user = state
                .accounts
                .get(&key)
                .and_then(|account| state.user(&account.user_id));
            Ok(user.cloned())
        })
    }

    fn update_user(&self, user: AdapterUser) -> BoxFuture<'_, AdapterResult<AdapterUser>> {
        Box::pin(async move {
            let mut state = self.state();
            let id = parse_id(&user.id)
                .filter(|id| state.users.contains_key(id))
                .ok_or(AdapterError::NotFound("user"))?;
            if state.email_taken(user.email.as_deref(), Some(id)) {
                return Err(AdapterError::Conflict("a user with this email"));
            }
            state.users.insert(id, user.clone());
            Ok(user)
        })
    }

    fn delete_user<'a>(&'a self, id: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            let Some(key) = parse_id(id) else {
                return Ok(false);
            };
            if state.users.remove(&key).is_none() {
                return Ok(false);
            }
            state.accounts.retain(|_, a| a.user_id != id);
            state.authenticators.retain(|_, a| a.user_id != id);
            state.sessions.retain(|_, s| s.user_id != id);
            state.forget_details();
            state.roles.remove(&key);
            Ok(true)
        })
    }

    fn link_account(&self, account: AdapterAccount) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.user(&account.user_id).is_none() {
                return Err(AdapterError::NotFound("user"));
            }
            let key = (
                account.provider.clone(),
                account.provider_account_id.clone(),
            );
            if state.accounts.contains_key(&key) {
                return Err(AdapterError::Conflict("a link for this provider account"));
            }
            state.accounts.insert(key, account);
            Ok(())
        })
    }

    fn unlink_account<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let key = (provider.to_owned(), provider_account_id.to_owned());
            Ok(self.state().accounts.remove(&key).is_some())
        })
    }

    fn get_accounts<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAccount>>> {
        Box::pin(async move {
            let state = self.state();
            let mut accounts: Vec<_> = state
                .accounts
                .values()
                .filter(|a| a.user_id == user_id)
                .cloned()
                .collect();
            // A map has no insertion order: sort for a stable answer.
            accounts.sort_by(|a, b| {
                (&a.provider, &a.provider_account_id).cmp(&(&b.provider, &b.provider_account_id))
            });
            Ok(accounts)
        })
    }

    fn create_session(&self, session: AdapterSession) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.user(&session.user_id).is_none() {
                return Err(AdapterError::NotFound("user"));
            }
            if state.sessions.contains_key(&session.session_token) {
                return Err(AdapterError::Conflict("a session with this token"));
            }
            state
                .sessions
                .insert(session.session_token.clone(), session);
            Ok(())
        })
    }

    fn get_session_and_user<'a>(
        &'a self,
        session_token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<SessionAndUser>>> {
        Box::pin(async move {
            let state = self.state();
            let found = state.sessions.get(session_token).and_then(|session| {
                let user = state.user(&session.user_id)?;
                let roles = parse_id(&user.id).and_then(|id| state.roles.get(&id));
                Some(SessionAndUser {
                    session: session.clone(),
                    user: user.clone(),
                    roles: roles.cloned().unwrap_or_default(),
                })
            });
            Ok(found)
        })
    }

    fn update_session<'a>(
        &'a self,
        session_token: &'a str,
        expires: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterSession>>> {
        Box::pin(async move {
            let mut state = self.state();
            let updated = state.sessions.get_mut(session_token).map(|session| {
                session.expires = expires;
                session.clone()
            });
            if updated.is_some()
                && let Some(details) = state.session_details.get_mut(session_token)
            {
                details.last_seen = Some(OffsetDateTime::now_utc());
            }
            Ok(updated)
        })
    }

    fn delete_session<'a>(&'a self, session_token: &'a str) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            state.session_details.remove(session_token);
            Ok(state.sessions.remove(session_token).is_some())
        })
    }

    fn delete_sessions<'a>(&'a self, user_id: &'a str) -> BoxFuture<'a, AdapterResult<u64>> {
        Box::pin(async move {
            let mut state = self.state();
            let before = state.sessions.len();
            state.sessions.retain(|_, s| s.user_id != user_id);
            state.forget_details();
            Ok((before - state.sessions.len()) as u64)
        })
    }

    fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            let key = (token.identifier.clone(), token.token.clone());
            if state.verification_tokens.contains_key(&key) {
                return Err(AdapterError::Conflict("this verification token"));
            }
            state.verification_tokens.insert(key, token);
            Ok(())
        })
    }

    fn use_verification_token<'a>(
        &'a self,
        identifier: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<VerificationToken>>> {
        Box::pin(async move {
            // One lock for the lookup and the removal: a second caller finds nothing.
            let key = (identifier.to_owned(), token.to_owned());
            Ok(self.state().verification_tokens.remove(&key))
        })
    }

    fn set_roles<'a>(
        &'a self,
        user_id: &'a str,
        roles: &'a [String],
    ) -> BoxFuture<'a, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            let Some(key) = parse_id(user_id).filter(|id| state.users.contains_key(id)) else {
                return Err(AdapterError::NotFound("user"));
            };
            if roles.is_empty() {
                state.roles.remove(&key);
            } else {
                state.roles.insert(key, roles.to_vec());
            }
            Ok(())
        })
    }

    fn save_session_details<'a>(
        &'a self,
        session_token: &'a str,
        details: SessionDetails,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.sessions.contains_key(session_token) {
                state
                    .session_details
                    .insert(session_token.to_owned(), details);
            }
            Ok(())
        })
    }

    fn list_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<ListedSession>>> {
        Box::pin(async move {
            let state = self.state();
            let mut listed: Vec<ListedSession> = state
                .sessions
                .values()
                .filter(|session| session.user_id == user_id)
                .map(|session| ListedSession {
                    session: session.clone(),
                    details: state
                        .session_details
                        .get(&session.session_token)
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect();
            listed.sort_by_key(|listed| (listed.details.created, listed.session.expires));
            Ok(listed)
        })
    }

    fn create_jwt_session(&self, record: JwtSessionRecord) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.jwt_sessions.contains_key(&record.sid) {
                return Err(AdapterError::Conflict("a JWT session with this id"));
            }
            state.jwt_sessions.insert(record.sid.clone(), record);
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
            let mut state = self.state();
            Ok(match state.jwt_sessions.get_mut(sid) {
                Some(record) => {
                    record.expires = expires;
                    record.details.last_seen = Some(seen);
                    true
                }
                None => false,
            })
        })
    }

    fn list_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<JwtSessionRecord>>> {
        Box::pin(async move {
            let state = self.state();
            let mut listed: Vec<JwtSessionRecord> = state
                .jwt_sessions
                .values()
                .filter(|record| record.user_id == user_id)
                .cloned()
                .collect();
            // As the SQL adapters order them: oldest first, ties by sid.
            listed.sort_by(|a, b| (a.details.created, &a.sid).cmp(&(b.details.created, &b.sid)));
            Ok(listed)
        })
    }

    fn delete_jwt_sessions<'a>(
        &'a self,
        user_id: &'a str,
        sid: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<u64>> {
        Box::pin(async move {
            let mut state = self.state();
            let before = state.jwt_sessions.len();
            state.jwt_sessions.retain(|key, record| {
                record.user_id != user_id || sid.is_some_and(|sid| sid != key)
            });
            Ok((before - state.jwt_sessions.len()) as u64)
        })
    }

    fn update_account_tokens<'a>(
        &'a self,
        account: AdapterAccount,
        replaces: Option<&'a str>,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            let key = (account.provider, account.provider_account_id);
            let Some(stored) = state.accounts.get_mut(&key) else {
                return Ok(false);
            };
            if replaces.is_some_and(|old| stored.refresh_token.as_deref() != Some(old)) {
                return Ok(false);
            }
            stored.access_token = account.access_token;
            stored.refresh_token = account.refresh_token;
            stored.expires_at = account.expires_at;
            stored.token_type = account.token_type;
            stored.scope = account.scope;
            if account.id_token.is_some() {
                stored.id_token = account.id_token;
            }
            Ok(true)
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
            let mut state = self.state();
            let key = (provider.to_owned(), provider_account_id.to_owned());
            let now = OffsetDateTime::now_utc();
            let free = state
                .refresh_claims
                .get(&key)
                .is_none_or(|(hash, lapses)| hash != refresh_hash || *lapses < now);
            if free {
                state
                    .refresh_claims
                    .insert(key, (refresh_hash.to_owned(), until));
            }
            Ok(free)
        })
    }

    fn release_refresh<'a>(
        &'a self,
        provider: &'a str,
        provider_account_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<()>> {
        Box::pin(async move {
            self.state()
                .refresh_claims
                .remove(&(provider.to_owned(), provider_account_id.to_owned()));
            Ok(())
        })
    }

    fn create_authenticator(
        &self,
        authenticator: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            if state.user(&authenticator.user_id).is_none() {
                return Err(AdapterError::NotFound("user"));
            }
            if state
                .authenticators
                .contains_key(&authenticator.credential_id)
            {
                return Err(AdapterError::Conflict("a passkey with this credential id"));
            }
            state
                .authenticators
                .insert(authenticator.credential_id.clone(), authenticator);
            Ok(())
        })
    }

    fn get_authenticator<'a>(
        &'a self,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Option<AdapterAuthenticator>>> {
        Box::pin(async move { Ok(self.state().authenticators.get(credential_id).cloned()) })
    }

    fn list_authenticators<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<Vec<AdapterAuthenticator>>> {
        Box::pin(async move {
            let state = self.state();
            let mut listed: Vec<AdapterAuthenticator> = state
                .authenticators
                .values()
                .filter(|a| a.user_id == user_id)
                .cloned()
                .collect();
            // As the SQL adapters order them: oldest first, ties by credential id.
            listed
                .sort_by(|a, b| (a.created, &a.credential_id).cmp(&(b.created, &b.credential_id)));
            Ok(listed)
        })
    }

    fn update_authenticator_use(
        &self,
        used: AdapterAuthenticator,
    ) -> BoxFuture<'_, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            let Some(stored) = state.authenticators.get_mut(&used.credential_id) else {
                return Ok(false);
            };
            // The counter never goes back; an equal one (0 for authenticators without a
            // counter) is written.
            if stored.counter > used.counter {
                return Ok(false);
            }
            stored.counter = used.counter;
            stored.credential_backed_up = used.credential_backed_up;
            stored.credential = used.credential;
            stored.last_used = used.last_used;
            Ok(true)
        })
    }

    fn rename_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            match state.authenticators.get_mut(credential_id) {
                Some(stored) if stored.user_id == user_id => {
                    stored.name = Some(name.to_owned());
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    }

    fn delete_authenticator<'a>(
        &'a self,
        user_id: &'a str,
        credential_id: &'a str,
    ) -> BoxFuture<'a, AdapterResult<bool>> {
        Box::pin(async move {
            let mut state = self.state();
            let Some(provider_account_id) = state
                .authenticators
                .get(credential_id)
                .filter(|stored| stored.user_id == user_id)
                .map(|stored| stored.provider_account_id.clone())
            else {
                return Ok(false);
            };
            state.authenticators.remove(credential_id);
            // The passkey provider's account Auth.js pairs with it goes too.
            state.accounts.retain(|_, account| {
                !(account.user_id == user_id
                    && account.kind == "webauthn"
                    && account.provider_account_id == provider_account_id)
            });
            Ok(true)
        })
    }

    fn create_webauthn_challenge(
        &self,
        challenge: WebAuthnChallenge,
    ) -> BoxFuture<'_, AdapterResult<()>> {
        Box::pin(async move {
            let mut state = self.state();
            // Ceremonies that were abandoned go when a new one starts.
            let now = OffsetDateTime::now_utc();
            state.webauthn_challenges.retain(|_, c| c.expires > now);
            if state.webauthn_challenges.contains_key(&challenge.id) {
                return Err(AdapterError::Conflict("a WebAuthn challenge with this id"));
            }
            state
                .webauthn_challenges
                .insert(challenge.id.clone(), challenge);
            Ok(())
        })
    }

    fn use_webauthn_challenge<'a>(
        &'a self,
        id: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, AdapterResult<Option<WebAuthnChallenge>>> {
        Box::pin(async move {
            // One lock for the lookup and the removal: a second caller finds nothing. An
            // expired challenge is removed and not returned.
            let taken = self.state().webauthn_challenges.remove(id);
            Ok(taken.filter(|challenge| challenge.expires > now))
        })
    }
}
