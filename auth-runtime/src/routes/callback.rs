//! `GET|POST /callback/:provider` (§2.6): for credentials, a CSRF-verified form checked by
//! the user's `authorize`, then the `sign_in` and `jwt` callbacks and the session cookie.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use time::OffsetDateTime;

use super::{Ctx, Fields, Reply, encode_component};
use crate::callbacks::{
    AuthorizeFn, Credentials, JwtParams, JwtTrigger, SignInDecision, SignInEvent, SignInParams,
};
use crate::config::{Provider, ProviderBehaviour};
use crate::user::{Account, SessionData, Token, User};

pub(super) async fn handle<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider_id: Option<&str>,
) -> Reply {
    let Some(provider) = provider_id.and_then(|id| ctx.auth.provider(id)) else {
        return Reply::not_supported(&ctx.method);
    };
    match &provider.behaviour {
        ProviderBehaviour::Credentials { authorize } => {
            credentials(ctx, provider, authorize.clone()).await
        }
    }
}

async fn credentials<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider: &Provider,
    authorize: AuthorizeFn,
) -> Reply {
    if ctx.method != Method::POST {
        return Reply::Text {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: "Error: Callback for provider type credentials not supported".to_owned(),
        };
    }
    if !ctx.csrf_verified() {
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    }
    let id = provider.spec.id;
    let fields: HashMap<String, String> = match &ctx.body {
        Fields::Form(pairs) => pairs.iter().rev().cloned().collect(),
        Fields::Json(map) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
    };
    let credentials = Credentials::new(fields);
    let user = match authorize(credentials.clone()).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return Reply::redirect_with(
                format!(
                    "{}&provider={}",
                    ctx.error_url("CredentialsSignin"),
                    encode_component(id)
                ),
                StatusCode::UNAUTHORIZED,
            );
        }
        // v3 keeps status 200 for a thrown error; the message becomes the error code.
        Err(message) => return Reply::redirect(ctx.error_url(&message)),
    };
    let account = Account {
        provider: id.to_owned(),
        kind: provider.spec.kind,
        provider_account_id: user.id.clone(),
    };
    if let Some(sign_in) = &ctx.auth.callbacks.sign_in {
        let decision = sign_in(SignInParams {
            user: user.clone(),
            account: account.clone(),
            credentials: Some(credentials),
        })
        .await;
        match decision {
            SignInDecision::Allow => {}
            SignInDecision::Deny => {
                return Reply::redirect_with(ctx.error_url("AccessDenied"), StatusCode::FORBIDDEN);
            }
            SignInDecision::Error(message) => return Reply::redirect(ctx.error_url(&message)),
        }
    }
    issue_session(ctx, user, account).await;
    Reply::redirect(ctx.callback_url.clone())
}

/// Runs the `jwt` callback for a fresh sign-in, sets the session cookie and fires `sign_in`.
async fn issue_session<D: SessionData>(ctx: &mut Ctx<'_, D>, user: User, account: Account) {
    let mut token = Token::<D>::for_user(&user);
    if let Some(jwt) = &ctx.auth.callbacks.jwt {
        token = jwt(JwtParams {
            token,
            user: Some(user.clone()),
            account: Some(account.clone()),
            trigger: Some(JwtTrigger::SignIn),
            session: None,
        })
        .await;
    }
    let cookies = ctx
        .auth
        .session_cookies(&token, &ctx.jar, OffsetDateTime::now_utc());
    ctx.set_cookies.extend(cookies);
    if let Some(on_sign_in) = &ctx.auth.events.sign_in {
        on_sign_in(SignInEvent {
            user,
            account,
            is_new_user: false,
        })
        .await;
    }
}
