//! Database sessions in the routes (§2.3, §5.4, §5.5): who a sign-in is in the store
//! (account linking), the session row and its cookie, `/session` with its `update_age` rule,
//! and sign-out.
//!
//! The linking policy is explicit: the identity key is (provider, provider account id); an
//! OAuth sign-in whose email belongs to another user is refused with `OAuthAccountNotLinked`
//! unless the provider opted in (`allow_dangerous_email_account_linking`) and the profile
//! says the address is verified; a signed-in user who signs in with another provider links
//! that account to themselves.
//!
//! A sign-in that fails part-way leaves nothing half-written: a new user is stored with its
//! account in one write, and deleted again when its session cannot be stored (the adapter
//! handle of `crate::database` does that).

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Ctx, Reply};
use crate::adapter::{
    Adapter, AdapterAccount, AdapterError, AdapterSession, AdapterUser, NewUser, SessionAndUser,
};
use crate::callbacks::{SessionEvent, SessionParams};
use crate::config::{ProviderBehaviour, Strategy};
use crate::cookies::SetCookie;
use crate::provider::ProviderKind;
use crate::session::{expiry, iso_string};
use crate::user::{Account, DefaultSession, SessionData, SessionUser, Token, User};

/// The adapter, when sessions live in the database.
pub(super) async fn adapter<D>(ctx: &Ctx<'_, D>) -> Option<Result<Arc<dyn Adapter>, AdapterError>> {
    match &ctx.auth.strategy {
        Strategy::Jwt => None,
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
) -> Result<(AdapterUser, bool), &'static str> {
    let store_error = |e: AdapterError| {
        tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
        "Callback"
    };
    let now = OffsetDateTime::now_utc();
    if account.kind == ProviderKind::Email {
        let email = user.email.as_deref().unwrap_or_default();
        return match adapter
            .get_user_by_email(email)
            .await
            .map_err(store_error)?
        {
            Some(mut existing) => {
                existing.email_verified = Some(now);
                let updated = adapter.update_user(existing).await.map_err(store_error)?;
                Ok((updated, false))
            }
            None => {
                let created = adapter
                    .create_user(NewUser::default().email(email).email_verified(now))
                    .await
                    .map_err(|e| {
                        tracing::error!(error = %e, "CREATE_USER_ERROR");
                        "EmailCreateAccount"
                    })?;
                Ok((created, true))
            }
        };
    }

    // The user already signed in on this browser, if any.
    let signed_in = match ctx.jar.get(ctx.auth.cookies.session_token) {
        Some(token) => current(adapter, token, now)
            .await
            .map_err(store_error)?
            .map(|found| found.user),
        None => None,
    };
    let linked = adapter
        .get_user_by_account(&account.provider, &account.provider_account_id)
        .await
        .map_err(store_error)?;
    if let Some(linked) = linked {
        return match signed_in {
            Some(current) if current.id != linked.id => Err("OAuthAccountNotLinked"),
            _ => Ok((linked, false)),
        };
    }
    let link = |user_id: &str| AdapterAccount::from_account(user_id, account);
    if let Some(current) = signed_in {
        adapter
            .link_account(link(&current.id))
            .await
            .map_err(store_error)?;
        return Ok((current, false));
    }
    if let Some(email) = user.email.as_deref()
        && let Some(owner) = adapter
            .get_user_by_email(email)
            .await
            .map_err(store_error)?
    {
        // Never link by email alone: whoever controls this provider account may not own
        // the existing user's address. A provider may opt in for addresses it verified.
        let opted_in = matches!(
            ctx.auth.provider(&account.provider).map(|p| &p.behaviour),
            Some(ProviderBehaviour::OAuth {
                email_account_linking: true,
                ..
            })
        );
        let verified = profile
            .and_then(|p| p.get("email_verified"))
            .and_then(Value::as_bool)
            == Some(true);
        if !(opted_in && verified) {
            return Err("OAuthAccountNotLinked");
        }
        adapter
            .link_account(link(&owner.id))
            .await
            .map_err(store_error)?;
        return Ok((owner, false));
    }
    // The user and its account in one write: a user left without the account would make
    // this account's next sign-in `OAuthAccountNotLinked` (its email is taken).
    let created = adapter
        .create_user_with_account(NewUser::from(user.clone()), link(""))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "CREATE_USER_ERROR");
            "OAuthCreateAccount"
        })?;
    Ok((created, true))
}

/// Stores a new session for `user_id` and returns its cookie.
pub(super) async fn start_session<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    user_id: &str,
) -> Result<SetCookie, AdapterError> {
    let now = OffsetDateTime::now_utc();
    let expires = expiry(now, ctx.auth.session.max_age);
    let token = crate::token::random_uuid_v4();
    adapter
        .create_session(AdapterSession::new(&token, user_id, expires))
        .await?;
    Ok(SetCookie::new(
        ctx.auth.cookies.session_token,
        token,
        ctx.auth.base.is_secure(),
    )
    .expires(expires))
}

/// `GET|POST /session` with database sessions (§2.3, v4): `{}` without a live session; the
/// stored expiry is pushed out only once `update_age` has passed; the cookie is re-sent.
pub(super) async fn session<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    adapter: Result<Arc<dyn Adapter>, AdapterError>,
    update: Option<Value>,
) -> Reply {
    let no_cache = ctx.method == axum::http::Method::GET;
    let empty = Reply::Json {
        status: StatusCode::OK,
        body: json!({}),
        no_cache,
    };
    let Some(token) = ctx
        .jar
        .get(ctx.auth.cookies.session_token)
        .map(str::to_owned)
    else {
        return empty;
    };
    let adapter = match adapter {
        Ok(adapter) => adapter,
        Err(_) => return empty, // logged by the adapter source; the cookie stays
    };
    let now = OffsetDateTime::now_utc();
    let found = match current(adapter.as_ref(), &token, now).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "SESSION_ERROR");
            return empty;
        }
    };
    let Some(SessionAndUser { session, user }) = found else {
        let clears = ctx.auth.clear_session_cookies(&ctx.jar);
        ctx.set_cookies.extend(clears);
        return empty;
    };
    let max_age = ctx.auth.session.max_age;
    let update_age = ctx.auth.session.update_age;
    let due = session.expires - time::Duration::seconds(max_age as i64)
        + time::Duration::seconds(update_age as i64);
    if now > due
        && let Err(e) = adapter.update_session(&token, expiry(now, max_age)).await
    {
        tracing::error!(error = %e, "SESSION_ERROR");
    }
    let user = User::from(user);
    let default = DefaultSession {
        user: SessionUser {
            name: user.name.clone(),
            email: user.email.clone(),
            image: user.image.clone(),
        },
        // v4 answers with the stored expiry, before any update.
        expires: iso_string(session.expires),
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
    let token_view = Token::<D>::for_user(&user);
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
    match adapter {
        Ok(adapter) => {
            if let Err(e) = adapter.delete_session(token).await {
                tracing::error!(error = %e, "SIGNOUT_ERROR");
            }
        }
        Err(_) => tracing::error!("SIGNOUT_ERROR: the adapter is unavailable"),
    }
}
