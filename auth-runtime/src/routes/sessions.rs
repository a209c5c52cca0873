//! The signed-in user's sessions (beyond NextAuth): `GET /sessions` lists them,
//! `POST /sessions/revoke` ends one (`id=…`), every other one (`others=true`) or all
//! (`all=true`). Database sessions, or JWT sessions with a store (`jwt { adapter: … }`). A
//! session is named by an opaque id derived from its key, never the key.

use axum::http::StatusCode;
use serde_json::json;

use super::accounts::{api_error, json_answer, signed_in_user};
use super::{Ctx, Reply};
use crate::config::Strategy;
use crate::extract::{TokenRead, now_secs};
use crate::manage::{SessionStore, session_id, session_infos};
use crate::revocation::Liveness;
use crate::user::SessionData;

/// The answer under JWT sessions without a store (docs/BEHAVIOUR.md).
const SESSIONS_WITHOUT_STORE: &str = "sessions are listed and revoked with database sessions \
     or with `session: jwt { adapter: … }`: a JWT session without a store lives in its cookie, \
     and no server record of it exists to end";

/// The signed-in user's sessions: the store, the user id, and the key of the request's own
/// session; or the answer without them (`400` without a store, `401` signed out, `503` when
/// the store cannot be reached).
struct Owner {
    store: SessionStore,
    user_id: String,
    current_key: Option<String>,
}

async fn owner<D: SessionData>(ctx: &Ctx<'_, D>) -> Result<Owner, Reply> {
    let unreachable = |e: crate::adapter::AdapterError| {
        tracing::error!(error = %e, "SESSIONS_ERROR");
        api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store cannot be reached",
        )
    };
    match &ctx.auth.strategy {
        Strategy::Jwt(None) => Err(api_error(StatusCode::BAD_REQUEST, SESSIONS_WITHOUT_STORE)),
        Strategy::Database(_) => {
            let (store, user) = signed_in_user(ctx, SESSIONS_WITHOUT_STORE).await?;
            Ok(Owner {
                store: SessionStore::Database(store),
                user_id: user.id,
                current_key: ctx
                    .jar
                    .get(ctx.auth.cookies.session_token)
                    .map(str::to_owned),
            })
        }
        Strategy::Jwt(Some(_)) => {
            let TokenRead::Valid(mut token) = ctx.auth.read_session_cookie(&ctx.jar, now_secs())
            else {
                return Err(api_error(StatusCode::UNAUTHORIZED, "Unauthorized"));
            };
            if ctx.auth.jwt_session_liveness(&mut token).await != Liveness::Live {
                return Err(api_error(StatusCode::UNAUTHORIZED, "Unauthorized"));
            }
            let Some(user_id) = token.sub else {
                return Err(api_error(StatusCode::UNAUTHORIZED, "Unauthorized"));
            };
            let store = SessionStore::of(&ctx.auth.strategy)
                .await
                .map_err(unreachable)?;
            Ok(Owner {
                store,
                user_id,
                current_key: token.sid,
            })
        }
    }
}

/// `GET /sessions`: the user's live sessions, oldest first, the request's own one marked
/// `"current": true`.
pub(super) async fn list<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    let owner = match owner(ctx).await {
        Ok(owner) => owner,
        Err(reply) => return reply,
    };
    match owner.store.live(&owner.user_id).await {
        Ok(held) => json_answer(
            StatusCode::OK,
            json!(session_infos(held, owner.current_key.as_deref())),
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
    let owner = match owner(ctx).await {
        Ok(owner) => owner,
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
    let held = match owner.store.live(&owner.user_id).await {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(error = %e, "SESSIONS_ERROR");
            return api_error(StatusCode::SERVICE_UNAVAILABLE, "the store cannot be read");
        }
    };
    let current = owner.current_key.as_deref();
    let doomed: Vec<&str> = held
        .iter()
        .map(|held| held.key.as_str())
        .filter(|key| match &which {
            Which::One(id) => session_id(key) == *id,
            Which::Others => Some(*key) != current,
            Which::All => true,
        })
        .collect();
    if doomed.is_empty() && matches!(which, Which::One(_)) {
        return api_error(StatusCode::NOT_FOUND, "no session of yours has this id");
    }
    let mut revoked = 0u64;
    for key in &doomed {
        let ended = owner.store.end(&owner.user_id, key).await;
        if let Some(cache) = &ctx.auth.session_cache {
            cache.end_session(key);
        }
        match ended {
            Ok(ended) => revoked += u64::from(ended),
            Err(e) => {
                tracing::error!(error = %e, "SESSIONS_ERROR");
                return api_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store cannot be written",
                );
            }
        }
    }
    if current.is_some_and(|current| doomed.contains(&current)) {
        let clears = ctx.auth.clear_session_cookies(&ctx.jar);
        ctx.set_cookies.extend(clears);
    }
    json_answer(StatusCode::OK, json!({ "revoked": revoked }))
}
