//! The signed-in user's linked accounts (beyond NextAuth; database sessions): `GET /accounts`
//! lists them, `POST /accounts/unlink` removes one (never the last way to sign in), and
//! `POST /accounts/link` links another provider's account on purpose. The link flow is the
//! provider's sign-in flow with the user's id sealed in its state cookie; only such a flow
//! links (docs/BEHAVIOUR.md, "Account linking").

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use time::OffsetDateTime;

use super::{Ctx, Reply, database, signin};
use crate::adapter::{Adapter, AdapterUser};
use crate::config::ProviderBehaviour;
use crate::spec::ProviderKind;
use crate::user::SessionData;

/// The answer of the account routes under JWT sessions.
const ACCOUNTS_UNDER_JWT: &str = "accounts are kept with database sessions only";

/// `GET /accounts`: `[{"provider","providerAccountId","type"}]`, oldest link first; tokens
/// never leave the server.
pub(super) async fn list<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    let (adapter, user) = match signed_in_user(ctx, ACCOUNTS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    match adapter.get_accounts(&user.id).await {
        Ok(accounts) => {
            let listed: Vec<_> = accounts
                .iter()
                .map(|a| {
                    json!({
                        "provider": a.provider,
                        "providerAccountId": a.provider_account_id,
                        "type": a.kind,
                    })
                })
                .collect();
            json_answer(StatusCode::OK, json!(listed))
        }
        Err(e) => {
            tracing::error!(error = %e, "ACCOUNTS_ERROR");
            api_error(StatusCode::SERVICE_UNAVAILABLE, "the store cannot be read")
        }
    }
}

/// `POST /accounts/unlink` with `provider=…` and the CSRF token: removes the user's account
/// of that provider, unless it is their last way to sign in (an email sign-in counts when an
/// email provider is enabled and the user's address is verified).
pub(super) async fn unlink<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return api_error(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong");
    }
    let (adapter, user) = match signed_in_user(ctx, ACCOUNTS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let Some(provider) = ctx.body.get("provider").map(str::to_owned) else {
        return api_error(StatusCode::BAD_REQUEST, "`provider` is missing");
    };
    let accounts = match adapter.get_accounts(&user.id).await {
        Ok(accounts) => accounts,
        Err(e) => {
            tracing::error!(error = %e, "ACCOUNTS_ERROR");
            return api_error(StatusCode::SERVICE_UNAVAILABLE, "the store cannot be read");
        }
    };
    if ctx
        .auth
        .provider(&provider)
        .is_some_and(|p| p.spec.kind == ProviderKind::WebAuthn)
    {
        // Each passkey has an account of its own; `POST /passkeys/delete` removes both.
        return api_error(
            StatusCode::BAD_REQUEST,
            "a passkey is removed with POST /passkeys/delete",
        );
    }
    let Some(account) = accounts.iter().find(|a| a.provider == provider) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "no account of this provider is linked",
        );
    };
    let by_email = user.email_verified.is_some()
        && ctx
            .auth
            .providers
            .iter()
            .any(|p| p.spec.kind == ProviderKind::Email);
    if accounts.len() == 1 && !by_email {
        return api_error(
            StatusCode::CONFLICT,
            "this account is the last way to sign in; link another one first",
        );
    }
    match adapter
        .unlink_account(&account.provider, &account.provider_account_id)
        .await
    {
        Ok(_) => json_answer(StatusCode::OK, json!({ "unlinked": provider })),
        Err(e) => {
            tracing::error!(error = %e, "ACCOUNTS_ERROR");
            api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store cannot be written",
            )
        }
    }
}

/// The store and the user of the request's database session, or the answer without one:
/// `400` with `under_jwt` under JWT sessions (nothing is stored), `401` signed out.
pub(super) async fn signed_in_user<D: SessionData>(
    ctx: &Ctx<'_, D>,
    under_jwt: &str,
) -> Result<(Arc<dyn Adapter>, AdapterUser), Reply> {
    let Some(adapter) = database::adapter(ctx).await else {
        return Err(api_error(StatusCode::BAD_REQUEST, under_jwt));
    };
    let Ok(adapter) = adapter else {
        return Err(api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store cannot be reached",
        ));
    };
    let Some(token) = ctx.jar.get(ctx.auth.cookies.session_token) else {
        return Err(api_error(StatusCode::UNAUTHORIZED, "Unauthorized"));
    };
    match database::current(adapter.as_ref(), token, OffsetDateTime::now_utc()).await {
        Ok(Some(found)) => Ok((adapter, found.user)),
        Ok(None) => Err(api_error(StatusCode::UNAUTHORIZED, "Unauthorized")),
        Err(e) => {
            tracing::error!(error = %e, "ACCOUNTS_ERROR");
            Err(api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store cannot be read",
            ))
        }
    }
}

/// `{"error": why}` with `status`.
pub(super) fn api_error(status: StatusCode, why: &str) -> Reply {
    json_answer(status, json!({ "error": why }))
}

pub(super) fn json_answer(status: StatusCode, body: serde_json::Value) -> Reply {
    Reply::Json {
        status,
        body,
        no_cache: true,
    }
}

/// `POST /accounts/link` with `provider=…` and the CSRF token.
pub(super) async fn link<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    }
    let Some(adapter) = database::adapter(ctx).await else {
        return refused("linking accounts needs database sessions");
    };
    let Ok(adapter) = adapter else {
        return Reply::redirect(ctx.error_url("Callback"));
    };
    let provider = ctx
        .body
        .get("provider")
        .and_then(|id| ctx.auth.provider(id));
    let Some((id, oauth)) = provider.and_then(|p| match &p.behaviour {
        ProviderBehaviour::OAuth {
            provider: oauth, ..
        } => Some((p.spec.id, oauth)),
        _ => None,
    }) else {
        return refused("only an enabled OAuth provider's account can be linked");
    };
    let signed_in = match ctx.jar.get(ctx.auth.cookies.session_token) {
        Some(token) => database::current(adapter.as_ref(), token, OffsetDateTime::now_utc()).await,
        None => Ok(None),
    };
    let user = match signed_in {
        Ok(Some(found)) => found.user,
        Ok(None) => return Reply::redirect(ctx.error_url("SessionRequired")),
        Err(e) => {
            tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
            return Reply::redirect(ctx.error_url("Callback"));
        }
    };
    signin::start_oauth(ctx, id, oauth, Some(user.id)).await
}

/// A request this route cannot serve: 400 with the reason (no state changed).
fn refused(why: &str) -> Reply {
    Reply::Text {
        status: StatusCode::BAD_REQUEST,
        body: format!("Error: {why}"),
    }
}
