//! Database sessions in the routes (docs/REST.md §2.3, §5.4, §5.5): who a sign-in is in the store
//! (account linking), the session row and its cookie, `/session` with its `update_age` rule,
//! and sign-out.
//!
//! The linking policy is explicit (docs/BEHAVIOUR.md, "Account linking"): the identity key
//! is (provider, provider account id); an OAuth sign-in whose email belongs to another user
//! is refused with `OAuthAccountNotLinked` unless the provider opted in
//! (`allow_dangerous_email_account_linking`) and the profile says the address is verified.
//! A sign-in never links because a session cookie happens to be present (next-auth does, and
//! a login-CSRF'd browser then hands its owner's next account to the attacker): only a flow
//! started by `POST /accounts/link` links, to the user who started it. Credentials accounts
//! never link, and a user has at most one account per provider.
//!
//! A sign-in that fails part-way leaves nothing half-written: a new user is stored with its
//! account in one write, and deleted again when its session cannot be stored (the adapter
//! handle of `crate::store` does that).

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::callback::Intent;
use super::{Ctx, Reply};
use crate::adapter::{
    Adapter, AdapterAccount, AdapterError, AdapterSession, AdapterUser, NewUser, SessionAndUser,
    SessionDetails,
};
use crate::callbacks::{SessionEvent, SessionParams};
use crate::config::{ProviderBehaviour, Strategy};
use crate::cookies::SetCookie;
use crate::extract::{expiry, iso_string};
use crate::session_cache::SessionCache;
use crate::spec::ProviderKind;
use crate::store::LazyAdapter;
use crate::user::{Account, DefaultSession, SessionData, SessionUser, Token, User};

/// The adapter, when sessions live in the database.
pub(super) async fn adapter<D>(ctx: &Ctx<'_, D>) -> Option<Result<Arc<dyn Adapter>, AdapterError>> {
    match &ctx.auth.strategy {
        Strategy::Jwt(_) => None,
        Strategy::Database(lazy) => Some(lazy.get().await),
    }
}

/// The session row behind the request's cookie, when it exists and has not expired; an
/// expired one is deleted on the way.
pub(super) async fn current(
    adapter: &dyn Adapter,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<SessionAndUser>, AdapterError> {
    let Some(found) = adapter.get_session_and_user(token).await? else {
        return Ok(None);
    };
    if found.session.expires <= now {
        adapter.delete_session(token).await?;
        return Ok(None);
    }
    Ok(Some(found))
}

/// Finds or creates the stored user for a sign-in, linking the account per the policy above.
/// The error is NextAuth's code for the redirect.
pub(super) async fn user_for_sign_in<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    user: &User,
    account: &Account,
    profile: Option<&Value>,
    intent: &Intent,
) -> Result<Stored, &'static str> {
    let now = OffsetDateTime::now_utc();
    if account.kind == ProviderKind::Email {
        let email = user.email.as_deref().unwrap_or_default();
        return email_user(adapter, email, now, ctx.auth.session_cache.as_ref()).await;
    }
    #[cfg(feature = "passkeys")]
    if let Intent::RegisterPasskey {
        user_id,
        authenticator,
    } = intent
    {
        return passkey_user(
            ctx,
            adapter,
            user,
            account,
            user_id.as_deref(),
            authenticator,
        )
        .await;
    }

    let linked = adapter
        .get_user_by_account(&account.provider, &account.provider_account_id)
        .await
        .map_err(store_error)?;
    let link_to = match intent {
        Intent::SignIn => None,
        Intent::Link { user_id } => Some(user_id.as_str()),
        #[cfg(feature = "passkeys")]
        Intent::RegisterPasskey { .. } => return Err("Callback"), // handled above
    };
    if let Some(linked) = linked {
        // Linking an account that already signs someone else in would move it: refused.
        if link_to.is_some_and(|user_id| user_id != linked.id) {
            return Err("OAuthAccountNotLinked");
        }
        // The sign-in's tokens replace the stored ones (`Session::access_token` reads them).
        if account.tokens.is_some() {
            let row = AdapterAccount::from_account(&linked.id, account);
            match adapter.update_account_tokens(row, None).await {
                Ok(_) | Err(crate::adapter::AdapterError::Unsupported(_)) => {}
                Err(e) => tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR: tokens not stored"),
            }
        }
        return Ok(Stored::found(linked));
    }
    let link = |user_id: &str| AdapterAccount::from_account(user_id, account);
    if let Some(user_id) = link_to {
        // The flow links for the user who started it, as long as they are still signed in.
        let owner = still_signed_in_as(ctx, adapter, user_id, now).await?;
        link_once_per_provider(adapter, &owner, link(&owner.id)).await?;
        return Ok(Stored {
            linked: true,
            ..Stored::found(owner)
        });
    }
    let verified = profile.and_then(crate::profiles::email_verified) == Some(true);
    if let Some(email) = user.email.as_deref()
        && let Some(owner) = adapter
            .get_user_by_email(email)
            .await
            .map_err(store_error)?
    {
        // Never link by email alone: whoever controls this provider account may not own
        // the existing user's address. A provider may opt in for addresses it verified;
        // credentials accounts never link.
        let opted_in = matches!(
            ctx.auth.provider(&account.provider).map(|p| &p.behaviour),
            Some(ProviderBehaviour::OAuth {
                email_account_linking: true,
                ..
            })
        );
        if !(opted_in && verified) {
            // Unless a concurrent first sign-in of this same account created the user since.
            return created_meanwhile(adapter, account)
                .await
                .ok_or("OAuthAccountNotLinked");
        }
        link_once_per_provider(adapter, &owner, link(&owner.id)).await?;
        return Ok(Stored {
            linked: true,
            ..Stored::found(owner)
        });
    }
    // The user and its account in one write: a user left without the account would make
    // this account's next sign-in `OAuthAccountNotLinked` (its email is taken). The
    // provider's word that the address is verified is kept (pre-account hijacking, below).
    let mut new_user = NewUser::from(user.clone());
    if verified {
        new_user = new_user.email_verified(now);
    }
    match adapter.create_user_with_account(new_user, link("")).await {
        Ok(created) => Ok(Stored {
            is_new_user: true,
            linked: true,
            ..Stored::found(created)
        }),
        // Two first sign-ins of one account at once: the one that lost the unique key finds
        // the user the other created.
        Err(AdapterError::Conflict(what)) => {
            created_meanwhile(adapter, account).await.ok_or_else(|| {
                tracing::error!(error = %AdapterError::Conflict(what), "CREATE_USER_ERROR");
                "OAuthCreateAccount"
            })
        }
        Err(e) => {
            tracing::error!(error = %e, "CREATE_USER_ERROR");
            Err("OAuthCreateAccount")
        }
    }
}

/// The user `user_id` who started a flow (a link, a passkey registration), as long as the
/// request's session is still theirs: `SessionRequired` otherwise.
async fn still_signed_in_as<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    user_id: &str,
    now: OffsetDateTime,
) -> Result<AdapterUser, &'static str> {
    let signed_in = match ctx.jar.get(ctx.auth.cookies.session_token) {
        Some(token) => current(adapter, token, now).await.map_err(store_error)?,
        None => None,
    };
    signed_in
        .map(|found| found.user)
        .filter(|u| u.id == user_id)
        .ok_or("SessionRequired")
}

/// The user a passkey registration stores its passkey for: the signed-in user `user_id`
/// (still signed in: the ceremony started with their session), or a new user created with
/// the passkey's account (refused when the email is another user's). Each passkey has an
/// account of its own, as in Auth.js, so a user may have several.
#[cfg(feature = "passkeys")]
async fn passkey_user<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    user: &User,
    account: &Account,
    user_id: Option<&str>,
    authenticator: &crate::adapter::AdapterAuthenticator,
) -> Result<Stored, &'static str> {
    let now = OffsetDateTime::now_utc();
    let stored = match user_id {
        Some(user_id) => {
            let owner = still_signed_in_as(ctx, adapter, user_id, now).await?;
            adapter
                .link_account(AdapterAccount::from_account(&owner.id, account))
                .await
                .map_err(|e| match e {
                    AdapterError::Conflict(_) => "OAuthAccountNotLinked",
                    e => store_error(e),
                })?;
            Stored {
                linked: true,
                ..Stored::found(owner)
            }
        }
        None => {
            if let Some(email) = user.email.as_deref()
                && adapter
                    .get_user_by_email(email)
                    .await
                    .map_err(store_error)?
                    .is_some()
            {
                return Err("OAuthAccountNotLinked");
            }
            let link = AdapterAccount::from_account("", account);
            match adapter
                .create_user_with_account(NewUser::from(user.clone()), link)
                .await
            {
                Ok(created) => Stored {
                    is_new_user: true,
                    linked: true,
                    ..Stored::found(created)
                },
                Err(AdapterError::Conflict(_)) => return Err("OAuthAccountNotLinked"),
                Err(e) => {
                    tracing::error!(error = %e, "CREATE_USER_ERROR");
                    return Err("OAuthCreateAccount");
                }
            }
        }
    };
    let passkey = crate::adapter::AdapterAuthenticator {
        user_id: stored.user.id.clone(),
        ..authenticator.clone()
    };
    if let Err(e) = adapter.create_authenticator(passkey).await {
        tracing::error!(error = %e, "WEBAUTHN_ERROR: the passkey is not stored");
        // Nothing half-done stays: the account without its passkey, or the user made for it.
        let undo = if stored.is_new_user {
            adapter.delete_user(&stored.user.id).await.map(|_| ())
        } else {
            adapter
                .unlink_account(&account.provider, &account.provider_account_id)
                .await
                .map(|_| ())
        };
        if let Err(undo) = undo {
            tracing::error!(error = %undo, "WEBAUTHN_ERROR: cannot undo the registration");
        }
        return Err(match e {
            AdapterError::Conflict(_) => "OAuthAccountNotLinked",
            _ => "Callback",
        });
    }
    Ok(stored)
}

/// The user of `account` when a concurrent sign-in of the same account stored it after this
/// one looked (its user and account are written in one transaction, so either both or
/// neither are there).
async fn created_meanwhile(adapter: &dyn Adapter, account: &Account) -> Option<Stored> {
    match adapter
        .get_user_by_account(&account.provider, &account.provider_account_id)
        .await
    {
        Ok(found) => found.map(Stored::found),
        Err(e) => {
            tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
            None
        }
    }
}

/// Who a sign-in is in the store, and what the sign-in wrote: the lifecycle events fire for
/// these once the session is stored too (`callback::sign_in`), never for a write that failed.
#[derive(Debug)]
pub(super) struct Stored {
    /// The user signing in, as stored.
    pub(super) user: AdapterUser,
    /// The user was created by this sign-in (`create_user`).
    pub(super) is_new_user: bool,
    /// The sign-in's account was linked to the user by this sign-in (`link_account`).
    pub(super) linked: bool,
    /// An email sign-in proved the user's address (`update_user`).
    pub(super) updated: bool,
}

impl Stored {
    /// A user found as it was.
    fn found(user: AdapterUser) -> Self {
        Stored {
            user,
            is_new_user: false,
            linked: false,
            updated: false,
        }
    }
}

/// An adapter error during a sign-in: logged, and NextAuth's `Callback` for the redirect.
fn store_error(e: AdapterError) -> &'static str {
    tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
    "Callback"
}

/// The user an email sign-in proves the address of: found and marked verified, or created.
///
/// Pre-account hijacking: someone may have created a user with this address through a
/// provider that never proved it, before its owner ever signed in. The first proof of the
/// address (this link) takes the user back: its provider accounts are unlinked and its
/// sessions ended, so whoever set them up loses them; the owner can link their own again.
async fn email_user(
    adapter: &dyn Adapter,
    email: &str,
    now: OffsetDateTime,
    cache: Option<&SessionCache>,
) -> Result<Stored, &'static str> {
    let Some(mut existing) = adapter
        .get_user_by_email(email)
        .await
        .map_err(store_error)?
    else {
        let created = adapter
            .create_user(NewUser::default().email(email).email_verified(now))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "CREATE_USER_ERROR");
                "EmailCreateAccount"
            })?;
        return Ok(Stored {
            is_new_user: true,
            ..Stored::found(created)
        });
    };
    if existing.email_verified.is_none() {
        let mut accounts = adapter
            .get_accounts(&existing.id)
            .await
            .map_err(store_error)?;
        accounts.retain(|a| a.kind != ProviderKind::Email.as_str());
        for unproven in &accounts {
            adapter
                .unlink_account(&unproven.provider, &unproven.provider_account_id)
                .await
                .map_err(store_error)?;
        }
        let ended = adapter
            .delete_sessions(&existing.id)
            .await
            .map_err(store_error)?;
        if let Some(cache) = cache {
            cache.end_user(&existing.id);
        }
        if !accounts.is_empty() || ended > 0 {
            tracing::warn!(
                unlinked = accounts.len(),
                sessions_ended = ended,
                "EMAIL_OWNER_TOOK_BACK_UNVERIFIED_USER"
            );
        }
    }
    existing.email_verified = Some(now);
    let updated = adapter.update_user(existing).await.map_err(store_error)?;
    Ok(Stored {
        updated: true,
        ..Stored::found(updated)
    })
}

/// Links `account` to `owner` unless the owner already has an account of that provider: one
/// account per provider and user, so a second one cannot be slipped in beside the first.
async fn link_once_per_provider(
    adapter: &dyn Adapter,
    owner: &AdapterUser,
    account: AdapterAccount,
) -> Result<(), &'static str> {
    let existing = adapter.get_accounts(&owner.id).await.map_err(store_error)?;
    if existing.iter().any(|a| a.provider == account.provider) {
        return Err("OAuthAccountNotLinked");
    }
    adapter.link_account(account).await.map_err(store_error)
}

/// Deletes the session row behind the request's cookie, if any, before a sign-in replaces
/// it (next-auth v3 does the same when a browser switches users); a failure is logged.
pub(super) async fn end_previous_session<D>(ctx: &Ctx<'_, D>, adapter: &dyn Adapter) {
    let Some(token) = ctx.jar.get(ctx.auth.cookies.session_token) else {
        return;
    };
    if let Err(e) = adapter.delete_session(token).await {
        tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR: the previous session stays");
    }
    if let Some(cache) = &ctx.auth.session_cache {
        cache.end_session(token);
    }
}

/// The most characters of a `User-Agent` kept for the session list.
const USER_AGENT_LIMIT: usize = 512;

/// What the session list shows of a session the request starts at `now`.
pub(super) fn new_session_details<D>(ctx: &Ctx<'_, D>, now: OffsetDateTime) -> SessionDetails {
    SessionDetails {
        created: Some(now),
        last_seen: Some(now),
        user_agent: ctx
            .user_agent
            .as_ref()
            .and_then(|agent| agent.to_str().ok())
            .map(|agent| agent.chars().take(USER_AGENT_LIMIT).collect()),
        address: ctx.client_ip.map(|ip| ip.to_string()),
    }
}

/// Stores a new session for `user_id` and returns its cookie.
pub(super) async fn start_session<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    user_id: &str,
) -> Result<SetCookie, AdapterError> {
    let now = OffsetDateTime::now_utc();
    let expires = expiry(now, ctx.auth.session.max_age);
    let token = crate::jwe::random_uuid_v4();
    adapter
        .create_session(AdapterSession::new(&token, user_id, expires))
        .await?;
    let details = new_session_details(ctx, now);
    // Only the session list needs them: a store that cannot keep them costs nothing else.
    if let Err(e) = adapter.save_session_details(&token, details).await {
        tracing::warn!(error = %e, "SIGNIN_DATABASE_ERROR: the session's details are not kept");
    }
    Ok(SetCookie::new(
        ctx.auth.cookies.session_token,
        token,
        ctx.auth.base.is_secure(),
    )
    .expires(expires))
}

/// `GET|POST /session` with database sessions (docs/REST.md §2.3, v4): `{}` without a live session; the
/// stored expiry is pushed out only once `update_age` has passed; the cookie is re-sent.
pub(super) async fn session<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    lazy: &LazyAdapter,
    update: Option<Value>,
) -> Reply {
    let no_cache = ctx.method == axum::http::Method::GET;
    let empty = Reply::Json {
        status: StatusCode::OK,
        body: ctx.auth.no_session(),
        no_cache,
    };
    let Some(token) = ctx
        .jar
        .get(ctx.auth.cookies.session_token)
        .map(str::to_owned)
    else {
        return empty;
    };
    let now = OffsetDateTime::now_utc();
    let max_age = ctx.auth.session.max_age;
    let cached = ctx
        .auth
        .session_cache
        .as_ref()
        .and_then(|cache| cache.get(&ctx.jar, &token, now));
    let SessionAndUser {
        session,
        user,
        roles,
    } = match cached {
        Some(found) => found,
        None => {
            // Only now: a read the cache answers never touches the adapter.
            let adapter = match lazy.get().await {
                Ok(adapter) => adapter,
                Err(_) => return empty, // logged by the adapter source; the cookie stays
            };
            let found = match current(adapter.as_ref(), &token, now).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "SESSION_ERROR");
                    return empty;
                }
            };
            let Some(found) = found else {
                let clears = ctx.auth.clear_session_cookies(&ctx.jar);
                ctx.set_cookies.extend(clears);
                return empty;
            };
            // The stored expiry moves only on a read from the store: a cache shorter than
            // `update_age` (the macro's rule) still moves it in time.
            let update_age = ctx.auth.session.update_age;
            let due = found.session.expires - time::Duration::seconds(max_age as i64)
                + time::Duration::seconds(update_age as i64);
            if now > due
                && let Err(e) = adapter.update_session(&token, expiry(now, max_age)).await
            {
                tracing::error!(error = %e, "SESSION_ERROR");
            }
            if let Some(cache) = &ctx.auth.session_cache {
                ctx.set_cookies.extend(cache.cookie(
                    &token,
                    &found,
                    now,
                    ctx.auth.base.is_secure(),
                ));
            }
            found
        }
    };
    let user = User::from(user);
    let default = DefaultSession {
        user: SessionUser {
            name: user.name.clone(),
            email: user.email.clone(),
            image: user.image.clone(),
        },
        // v4 answers with the stored expiry, before any update.
        expires: iso_string(session.expires),
        error: None,
    };
    let cookie = SetCookie::new(
        ctx.auth.cookies.session_token,
        token,
        ctx.auth.base.is_secure(),
    )
    .expires(expiry(now, max_age));
    if !ctx.auth.session_needs_tree() {
        ctx.set_cookies.push(cookie);
        return Reply::json_text(&default, no_cache);
    }
    let mut token_view = Token::<D>::for_user(&user);
    token_view.roles = roles;
    let body = match &ctx.auth.callbacks.session {
        Some(callback) => {
            callback(SessionParams {
                session: default,
                token: token_view.clone(),
                user: Some(user),
                update,
            })
            .await
        }
        None => serde_json::to_value(&default).unwrap_or_else(|_| json!({})),
    };
    ctx.set_cookies.push(cookie);
    if let Some(on_session) = &ctx.auth.events.session {
        on_session(SessionEvent {
            session: body.clone(),
            token: token_view,
        })
        .await;
    }
    Reply::Json {
        status: StatusCode::OK,
        body,
        no_cache,
    }
}

/// Sign-out with database sessions: the row is deleted (failures are logged; the cookie is
/// cleared regardless).
pub(super) async fn sign_out<D>(ctx: &Ctx<'_, D>, adapter: Result<Arc<dyn Adapter>, AdapterError>) {
    let Some(token) = ctx.jar.get(ctx.auth.cookies.session_token) else {
        return;
    };
    if let Some(cache) = &ctx.auth.session_cache {
        // Before the delete as well as its cookie being cleared: a copy of this browser's
        // session sent again (a replay) is refused even when the store cannot be written.
        cache.end_session(token);
    }
    match adapter {
        Ok(adapter) => {
            if let Err(e) = adapter.delete_session(token).await {
                tracing::error!(error = %e, "SIGNOUT_ERROR");
            }
        }
        Err(_) => tracing::error!("SIGNOUT_ERROR: the adapter is unavailable"),
    }
}
