//! `GET /session` and `POST /session` (docs/REST.md §2.3): the client-safe session or `{}`, rolling the
//! JWT on every read (database sessions: `database::session`); POST is next-auth v4's
//! `update()`.

use axum::http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Ctx, Fields, Reply, database};
use crate::callbacks::{JwtParams, JwtTrigger, SessionEvent, SessionParams};
use crate::config::Strategy;
use crate::extract::{TokenRead, client_session_json, expiry, iso_string};
use crate::revocation::Liveness;
use crate::user::{DefaultSession, SessionData};

pub(super) async fn get<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    respond(ctx, None).await
}

/// `POST /session`: CSRF-verified (else 400 `{}`), then the `jwt` callback sees the body's
/// `data` with [`JwtTrigger::Update`].
pub(super) async fn update<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return Reply::Json {
            status: StatusCode::BAD_REQUEST,
            body: ctx.auth.no_session(),
            no_cache: false,
        };
    }
    let data = match &ctx.body {
        Fields::Json(map) => map.get("data").cloned(),
        Fields::Form(_) => ctx.body.get("data").map(|d| Value::String(d.to_owned())),
    };
    respond(ctx, Some(data.unwrap_or(Value::Null))).await
}

async fn respond<D: SessionData>(ctx: &mut Ctx<'_, D>, update: Option<Value>) -> Reply {
    let auth = ctx.auth;
    if let Strategy::Database(lazy) = &auth.strategy {
        // Boxed: the database's future is the larger by far, and a JWT read need not carry it.
        return Box::pin(database::session(ctx, lazy, update)).await;
    }
    let now = OffsetDateTime::now_utc();
    let empty = |ctx: &Ctx<'_, D>| Reply::Json {
        status: StatusCode::OK,
        body: ctx.auth.no_session(),
        no_cache: ctx.method == axum::http::Method::GET,
    };
    let mut token = match ctx
        .auth
        .read_session_cookie(&ctx.jar, now.unix_timestamp().max(0) as u64)
    {
        TokenRead::Absent => return empty(ctx),
        TokenRead::Invalid => {
            let clears = ctx.auth.clear_session_cookies(&ctx.jar);
            ctx.set_cookies.extend(clears);
            return empty(ctx);
        }
        TokenRead::Valid(token) => token,
    };
    match ctx.auth.jwt_session_liveness(&mut token).await {
        Liveness::Live => {}
        Liveness::Revoked => {
            let clears = ctx.auth.clear_session_cookies(&ctx.jar);
            ctx.set_cookies.extend(clears);
            return empty(ctx);
        }
        Liveness::Unknown => return empty(ctx),
    }
    if let Some(jwt) = &ctx.auth.callbacks.jwt {
        let trigger = update.as_ref().map(|_| JwtTrigger::Update);
        token = jwt(JwtParams {
            token,
            user: None,
            account: None,
            profile: None,
            trigger,
            session: update.clone(),
        })
        .await;
    }
    let expires = iso_string(expiry(now, ctx.auth.session.max_age));
    let no_cache = ctx.method == axum::http::Method::GET;
    if !ctx.auth.session_needs_tree()
        && let Some(body) = client_session_json(&token, &expires)
    {
        let cookies = ctx.auth.session_cookies(&token, &ctx.jar, now);
        ctx.set_cookies.extend(cookies);
        return Reply::JsonText {
            status: StatusCode::OK,
            body: body.into(),
            no_cache,
        };
    }
    let default = DefaultSession::from_token(&token, expires);
    let body = match &ctx.auth.callbacks.session {
        Some(session) => {
            session(SessionParams {
                session: default,
                token: token.clone(),
                user: None,
                update,
            })
            .await
        }
        None => serde_json::to_value(&default).unwrap_or_else(|_| json!({})),
    };
    let cookies = ctx.auth.session_cookies(&token, &ctx.jar, now);
    ctx.set_cookies.extend(cookies);
    if let Some(on_session) = &ctx.auth.events.session {
        on_session(SessionEvent {
            session: body.clone(),
            token,
        })
        .await;
    }
    Reply::Json {
        status: StatusCode::OK,
        body,
        no_cache: ctx.method == axum::http::Method::GET,
    }
}
