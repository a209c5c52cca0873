//! The signed-in user's sessions (beyond NextAuth; database sessions): `GET /sessions` lists
//! them, `POST /sessions/revoke` ends one (`id=…`), every other one (`others=true`) or all
//! (`all=true`). A session is named by an opaque id derived from its token, never the token.

use axum::http::StatusCode;
use serde_json::json;

use super::accounts::{api_error, json_answer, signed_in_user};
use super::{Ctx, Reply};
use crate::manage::{live_sessions, session_id};
use crate::user::SessionData;

/// The answer under JWT sessions: there is no list to read (docs/BEHAVIOUR.md).
const SESSIONS_UNDER_JWT: &str = "sessions are listed and revoked with database sessions only: \
     a JWT session lives in its cookie, and no server record of it exists to end";

/// `GET /sessions`: the user's live sessions, oldest first, the request's own one marked
/// `"current": true`.
pub(super) async fn list<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    let (adapter, user) = match signed_in_user(ctx, SESSIONS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let current = ctx.jar.get(ctx.auth.cookies.session_token).map(session_id);
    match adapter.list_sessions(&user.id).await {
        Ok(listed) => json_answer(
            StatusCode::OK,
            json!(live_sessions(listed, current.as_deref())),
        ),
        Err(e) => {
            tracing::error!(error = %e, "SESSIONS_ERROR");
            api_error(StatusCode::SERVICE_UNAVAILABLE, "the store cannot be read")
        }
    }
}

/// Which sessions a revoke request names.
enum Which {
    One(String),
    Others,
    All,
}

/// `POST /sessions/revoke` with the CSRF token and `id=…`, `others=true` or `all=true`:
/// `{"revoked": n}`. Ending the request's own session clears its cookie.
pub(super) async fn revoke<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return api_error(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong");
    }
    let (adapter, user) = match signed_in_user(ctx, SESSIONS_UNDER_JWT).await {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let which = match (
        ctx.body.get("id"),
        ctx.body.get("others") == Some("true"),
        ctx.body.get("all") == Some("true"),
    ) {
        (Some(id), false, false) => Which::One(id.to_owned()),
        (None, true, false) => Which::Others,
        (None, false, true) => Which::All,
        _ => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "send exactly one of `id`, `others=true` or `all=true`",
            );
        }
    };
    let listed = match adapter.list_sessions(&user.id).await {
        Ok(listed) => listed,
        Err(e) => {
            tracing::error!(error = %e, "SESSIONS_ERROR");
            return api_error(StatusCode::SERVICE_UNAVAILABLE, "the store cannot be read");
        }
    };
    let current = ctx
        .jar
        .get(ctx.auth.cookies.session_token)
        .unwrap_or_default()
        .to_owned();
    let doomed: Vec<&str> = listed
        .iter()
        .map(|listed| listed.session.session_token.as_str())
        .filter(|token| match &which {
            Which::One(id) => session_id(token) == *id,
            Which::Others => *token != current,
            Which::All => true,
        })
        .collect();
    if doomed.is_empty() && matches!(which, Which::One(_)) {
        return api_error(StatusCode::NOT_FOUND, "no session of yours has this id");
    }
    let mut revoked = 0u64;
    for token in &doomed {
        match adapter.delete_session(token).await {
            Ok(deleted) => revoked += u64::from(deleted),
            Err(e) => {
                tracing::error!(error = %e, "SESSIONS_ERROR");
                return api_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store cannot be written",
                );
            }
        }
    }
    if doomed.contains(&current.as_str()) {
        let clears = ctx.auth.clear_session_cookies(&ctx.jar);
        ctx.set_cookies.extend(clears);
    }
    json_answer(StatusCode::OK, json!({ "revoked": revoked }))
}
