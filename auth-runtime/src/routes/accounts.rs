//! `POST /accounts/link` (beyond NextAuth): the signed-in user links another provider's
//! account to themselves, on purpose. The flow is the provider's sign-in flow with the
//! user's id sealed in its state cookie; only such a flow links (docs/BEHAVIOUR.md,
//! "Account linking").

use axum::http::StatusCode;
use time::OffsetDateTime;

use super::{Ctx, Reply, database, signin};
use crate::config::ProviderBehaviour;
use crate::user::SessionData;

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
