//! Passkey routes (docs/REST.md §5.7), as Auth.js v5's `next-auth/webauthn` client speaks
//! them: `GET {base}/webauthn-options/<id>` answers `{action, options}` and keeps the
//! ceremony's state in the store (its id in the challenge cookie); `POST {base}/callback/<id>`
//! with `action`, `data` (the credential's JSON), `csrfToken` and `callbackUrl` finishes it.
//!
//! Which ceremony an options request starts (Auth.js's `inferWebAuthnOptions`):
//! `action=authenticate` always signs in; `action=register` registers for the signed-in user,
//! or, signed out, for an `email` that is no user's yet; without `action`, signed out, an
//! `email` of a user signs in, a new one registers, and none signs in. A new user may register
//! only when the block declares no email provider: with one, an address is the user's only
//! once its owner has proved it, so they sign in by email first and add a passkey then.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::json;
use time::OffsetDateTime;

use super::accounts::{api_error, json_answer, signed_in_user as signed_in_store};
use super::callback::{Intent, sign_in};
use super::{Ctx, Reply, database};
use crate::adapter::{Adapter, AdapterAuthenticator, AdapterUser, WebAuthnChallenge};
use crate::config::{Provider, ProviderBehaviour};
use crate::cookies::SetCookie;
use crate::passkey::{
    CEREMONY_TIMEOUT_SECS, Ceremony, MAX_NAME_CHARS, PasskeyInfo, Passkeys, asserted_credential_id,
};
use crate::spec::ProviderKind;
use crate::user::{Account, SessionData, User};

/// The error code of every refused ceremony (Auth.js's `WebAuthnVerificationError`).
const REFUSED: &str = "WebAuthnVerificationError";

/// The passkey provider `id` and its relying party.
fn passkey_provider<'a, D>(
    ctx: &Ctx<'a, D>,
    id: Option<&str>,
) -> Option<(&'a Provider, Arc<Passkeys>)> {
    let provider = ctx.auth.provider(id?)?;
    match &provider.behaviour {
        ProviderBehaviour::Passkey {
            relying_party: Some(passkeys),
            ..
        } => Some((provider, Arc::clone(passkeys))),
        _ => None,
    }
}

/// `GET {base}/webauthn-options/<id>`.
pub(super) async fn options<D: SessionData>(ctx: &mut Ctx<'_, D>, id: Option<&str>) -> Reply {
    let Some((_, passkeys)) = passkey_provider(ctx, id) else {
        return api_error(StatusCode::NOT_FOUND, "no passkey provider has this id");
    };
    let action = ctx.query("action").map(str::to_owned);
    if !matches!(action.as_deref(), None | Some("register" | "authenticate")) {
        return api_error(StatusCode::BAD_REQUEST, "Invalid action");
    }
    let adapter = match database::adapter(ctx).await {
        Some(Ok(adapter)) => adapter,
        _ => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store cannot be reached",
            );
        }
    };
    let now = OffsetDateTime::now_utc();
    let signed_in = match signed_in_user(ctx, adapter.as_ref(), now).await {
        Ok(user) => user,
        Err(reply) => return reply,
    };
    let email = ctx
        .query("email")
        .filter(|email| !email.is_empty())
        .map(crate::email::normalize_identifier);
    let email = match email.transpose() {
        Ok(email) => email,
        Err(_) => return api_error(StatusCode::BAD_REQUEST, "Invalid email"),
    };
    let existing = match (&signed_in, &email) {
        (None, Some(email)) => match adapter.get_user_by_email(email).await {
            Ok(user) => user,
            Err(e) => return store_unavailable(&e),
        },
        _ => None,
    };
    let register = match (action.as_deref(), &signed_in) {
        (Some("authenticate"), _) => false,
        (Some("register"), Some(_)) => true,
        (Some("register"), None) => email.is_some() && existing.is_none(),
        (None, None) => email.is_some() && existing.is_none(),
        _ => return api_error(StatusCode::BAD_REQUEST, "Invalid request"),
    };
    if action.as_deref() == Some("register") && !register {
        return api_error(StatusCode::BAD_REQUEST, "Invalid request");
    }
    let (options, ceremony) = if register {
        if signed_in.is_none() && email_provider_declared(ctx) {
            return api_error(
                StatusCode::FORBIDDEN,
                "sign in with your email first, then add a passkey",
            );
        }
        let (user_id, user_name, display_name) = match &signed_in {
            Some(user) => (
                Some(user.id.clone()),
                user.email.clone().unwrap_or_else(|| user.id.clone()),
                user.name.clone(),
            ),
            None => (None, email.clone().unwrap_or_default(), None),
        };
        let stored = match &signed_in {
            Some(user) => match adapter.list_authenticators(&user.id).await {
                Ok(stored) => stored,
                Err(e) => return store_unavailable(&e),
            },
            None => Vec::new(),
        };
        let shown = display_name.as_deref().unwrap_or(&user_name);
        match passkeys.start_registration(&user_name, shown, &stored) {
            Ok((options, state)) => (
                options,
                Ceremony::Register {
                    state,
                    user: user_id,
                    email: signed_in.is_none().then_some(user_name),
                    name: display_name,
                },
            ),
            Err(e) => return ceremony_error(&e),
        }
    } else {
        match passkeys.start_authentication() {
            Ok((options, state)) => (options, Ceremony::Authenticate { state }),
            Err(e) => return ceremony_error(&e),
        }
    };
    let id = crate::jwe::random_uuid_v4();
    let challenge = WebAuthnChallenge {
        id: id.clone(),
        state: match serde_json::to_string(&ceremony) {
            Ok(state) => state,
            Err(e) => {
                tracing::error!(error = %e, "WEBAUTHN_ERROR: the ceremony cannot be kept");
                return api_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the ceremony cannot be kept",
                );
            }
        },
        expires: now + time::Duration::seconds(CEREMONY_TIMEOUT_SECS as i64),
    };
    if let Err(e) = adapter.create_webauthn_challenge(challenge).await {
        return store_unavailable(&e);
    }
    let secure = ctx.auth.base.is_secure();
    ctx.set_cookies.push(
        SetCookie::new(ctx.auth.cookies.challenge, id, secure)
            .max_age(CEREMONY_TIMEOUT_SECS as i64),
    );
    let action = if register { "register" } else { "authenticate" };
    Reply::Json {
        status: StatusCode::OK,
        body: json!({ "action": action, "options": options }),
        no_cache: true,
    }
}

/// `POST {base}/callback/<id>` of a passkey provider.
pub(super) async fn callback<D: SessionData>(ctx: &mut Ctx<'_, D>, provider: &Provider) -> Reply {
    if ctx.method != Method::POST {
        return Reply::MethodNotAllowed {
            allow: "POST",
            message: "a passkey answer is sent with POST",
        };
    }
    if !ctx.csrf_verified() {
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    }
    let Some((_, passkeys)) = passkey_provider(ctx, Some(provider.spec.id)) else {
        return Reply::redirect(ctx.error_url("Configuration"));
    };
    // The challenge is used once, whatever happens next.
    let secure = ctx.auth.base.is_secure();
    let challenge_id = ctx.jar.get(ctx.auth.cookies.challenge).map(str::to_owned);
    ctx.set_cookies
        .push(SetCookie::clear(ctx.auth.cookies.challenge, secure));
    let action = ctx.body.get("action").map(str::to_owned);
    let data = ctx.body.get("data").map(str::to_owned).unwrap_or_default();
    let adapter = match database::adapter(ctx).await {
        Some(Ok(adapter)) => adapter,
        _ => return Reply::redirect(ctx.error_url("Callback")),
    };
    let now = OffsetDateTime::now_utc();
    let ceremony = match challenge_id {
        Some(id) => match adapter.use_webauthn_challenge(&id, now).await {
            Ok(found) => found.and_then(|c| serde_json::from_str::<Ceremony>(&c.state).ok()),
            Err(e) => {
                tracing::error!(error = %e, "WEBAUTHN_ERROR");
                return Reply::redirect(ctx.error_url("Callback"));
            }
        },
        None => None,
    };
    let Some(ceremony) = ceremony else {
        tracing::warn!("WEBAUTHN_ERROR: no ceremony in progress (used, expired or never started)");
        return Reply::redirect(ctx.error_url(REFUSED));
    };
    let id = provider.spec.id;
    match (action.as_deref(), ceremony) {
        (
            Some("register"),
            Ceremony::Register {
                state,
                user,
                email,
                name,
            },
        ) => {
            let registered = match passkeys.finish_registration(&data, &state) {
                Ok(registered) => registered,
                Err(e) => return refused(ctx, &e),
            };
            let authenticator = AdapterAuthenticator {
                credential_id: registered.credential_id.clone(),
                user_id: user.clone().unwrap_or_default(),
                provider_account_id: registered.credential_id.clone(),
                credential_public_key: registered.credential_public_key,
                counter: registered.counter,
                credential_device_type: crate::passkey::device_type(registered.backup_eligible)
                    .to_owned(),
                credential_backed_up: registered.backed_up,
                transports: registered.transports,
                credential: registered.credential,
                name: None,
                created: now,
                last_used: None,
            };
            let account = Account::new(id, ProviderKind::WebAuthn, &registered.credential_id);
            let mut new_user = User::new(user.clone().unwrap_or_default());
            new_user.email = email;
            new_user.name = name;
            let intent = Intent::RegisterPasskey {
                user_id: user,
                authenticator: Box::new(authenticator),
            };
            sign_in(ctx, new_user, account, None, None, intent).await
        }
        (Some("authenticate"), Ceremony::Authenticate { state }) => {
            let credential_id = match asserted_credential_id(&data) {
                Ok(id) => id,
                Err(e) => return refused(ctx, &e),
            };
            let stored = match adapter.get_authenticator(&credential_id).await {
                Ok(Some(stored)) => stored,
                Ok(None) => {
                    tracing::warn!("WEBAUTHN_ERROR: no passkey is stored with this credential id");
                    return Reply::redirect(ctx.error_url(REFUSED));
                }
                Err(e) => {
                    tracing::error!(error = %e, "WEBAUTHN_ERROR");
                    return Reply::redirect(ctx.error_url("Callback"));
                }
            };
            let used = match passkeys.finish_authentication(&data, state, &stored, now) {
                Ok(used) => used,
                Err(e) => return refused(ctx, &e),
            };
            match adapter.update_authenticator_use(used).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(
                        "WEBAUTHN_ERROR: the passkey's counter moved past this assertion (replayed or cloned)"
                    );
                    return Reply::redirect(ctx.error_url(REFUSED));
                }
                Err(e) => {
                    tracing::error!(error = %e, "WEBAUTHN_ERROR");
                    return Reply::redirect(ctx.error_url("Callback"));
                }
            }
            let account = Account::new(id, ProviderKind::WebAuthn, &stored.provider_account_id);
            sign_in(
                ctx,
                User::new(stored.user_id),
                account,
                None,
                None,
                Intent::SignIn,
            )
            .await
        }
        _ => {
            tracing::warn!("WEBAUTHN_ERROR: the answer is for another kind of ceremony");
            Reply::redirect(ctx.error_url(REFUSED))
        }
    }
}

/// The answer of the passkey routes without database sessions.
const PASSKEYS_UNDER_JWT: &str = "passkeys are kept with database sessions only";

/// `GET {base}/passkeys`: the signed-in user's passkeys, oldest first ([`PasskeyInfo`]).
pub(super) async fn list<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    let (adapter, user) = match signed_in_store(ctx, PASSKEYS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    match adapter.list_authenticators(&user.id).await {
        Ok(stored) => {
            let listed: Vec<PasskeyInfo> = stored.iter().map(PasskeyInfo::from).collect();
            json_answer(StatusCode::OK, json!(listed))
        }
        Err(e) => store_unavailable(&e),
    }
}

/// `POST {base}/passkeys/rename` with `id`, `name` (1 to 64 characters) and the CSRF token.
pub(super) async fn rename<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return api_error(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong");
    }
    let (adapter, user) = match signed_in_store(ctx, PASSKEYS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let (Some(id), Some(name)) = (ctx.body.get("id"), ctx.body.get("name")) else {
        return api_error(StatusCode::BAD_REQUEST, "`id` and `name` are needed");
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return api_error(StatusCode::BAD_REQUEST, "a name has 1 to 64 characters");
    }
    match adapter.rename_authenticator(&user.id, id, name).await {
        Ok(true) => json_answer(StatusCode::OK, json!({ "renamed": id })),
        Ok(false) => api_error(StatusCode::NOT_FOUND, "no passkey of yours has this id"),
        Err(e) => store_unavailable(&e),
    }
}

/// `POST {base}/passkeys/delete` with `id` and the CSRF token: deletes the passkey and its
/// account, unless it is the user's last way to sign in (as `POST /accounts/unlink`: another
/// account, or an email sign-in with a verified address, must remain).
pub(super) async fn delete<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return api_error(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong");
    }
    let (adapter, user) = match signed_in_store(ctx, PASSKEYS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let Some(id) = ctx.body.get("id").map(str::to_owned) else {
        return api_error(StatusCode::BAD_REQUEST, "`id` is missing");
    };
    let accounts = match adapter.get_accounts(&user.id).await {
        Ok(accounts) => accounts,
        Err(e) => return store_unavailable(&e),
    };
    let owned = match adapter.get_authenticator(&id).await {
        Ok(found) => found.filter(|passkey| passkey.user_id == user.id),
        Err(e) => return store_unavailable(&e),
    };
    let Some(passkey) = owned else {
        return api_error(StatusCode::NOT_FOUND, "no passkey of yours has this id");
    };
    let others = accounts
        .iter()
        .filter(|a| a.provider_account_id != passkey.provider_account_id)
        .count();
    let by_email = user.email_verified.is_some() && email_provider_declared(ctx);
    if others == 0 && !by_email {
        return api_error(
            StatusCode::CONFLICT,
            "this passkey is the last way to sign in; add another one first",
        );
    }
    match adapter.delete_authenticator(&user.id, &id).await {
        Ok(true) => json_answer(StatusCode::OK, json!({ "deleted": id })),
        Ok(false) => api_error(StatusCode::NOT_FOUND, "no passkey of yours has this id"),
        Err(e) => store_unavailable(&e),
    }
}

/// The user of the request's database session, if any.
async fn signed_in_user<D>(
    ctx: &Ctx<'_, D>,
    adapter: &dyn Adapter,
    now: OffsetDateTime,
) -> Result<Option<AdapterUser>, Reply> {
    let Some(token) = ctx.jar.get(ctx.auth.cookies.session_token) else {
        return Ok(None);
    };
    match database::current(adapter, token, now).await {
        Ok(found) => Ok(found.map(|found| found.user)),
        Err(e) => Err(store_unavailable(&e)),
    }
}

fn email_provider_declared<D>(ctx: &Ctx<'_, D>) -> bool {
    ctx.auth
        .providers
        .iter()
        .any(|p| p.spec.kind == ProviderKind::Email)
}

fn store_unavailable(e: &crate::adapter::AdapterError) -> Reply {
    tracing::error!(error = %e, "WEBAUTHN_ERROR");
    api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the store cannot be reached",
    )
}

fn ceremony_error(e: &crate::passkey::PasskeyError) -> Reply {
    tracing::error!(error = %e, "WEBAUTHN_ERROR");
    api_error(StatusCode::SERVICE_UNAVAILABLE, "the ceremony cannot start")
}

/// A credential that does not verify: logged, and the error page's `WebAuthnVerificationError`.
fn refused<D: SessionData>(ctx: &Ctx<'_, D>, e: &crate::passkey::PasskeyError) -> Reply {
    tracing::warn!(error = %e, "WEBAUTHN_ERROR");
    Reply::redirect(ctx.error_url(REFUSED))
}
