//! `GET|POST /callback/:provider` (docs/REST.md §2.6): for OAuth, the provider's answer checked against the
//! sealed check cookies and exchanged for a profile; for credentials, a CSRF-verified form
//! checked by the user's `authorize`. Both end in the `sign_in` and `jwt` callbacks and the
//! session cookie.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use time::OffsetDateTime;

use super::{Ctx, Fields, Reply, checks, database, email_link, encode_component, signin};
use crate::callbacks::{
    AuthorizeFn, CreateUserEvent, Credentials, JwtParams, JwtTrigger, LinkAccountEvent,
    SignInDecision, SignInEvent, SignInParams, UpdateUserEvent,
};
use crate::config::{Provider, ProviderBehaviour};
use crate::cookies::SetCookie;
use crate::oauth::{CallbackRequest, OAuthError, OAuthProvider, state_matches};
use crate::throttle;
use crate::user::{Account, SessionData, Token, User};

/// The field marking a `form_post` answer this site's page sent again (it is not sent again twice).
const FORM_POST_AGAIN: &str = "formPostAgain";

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
        ProviderBehaviour::OAuth {
            provider: oauth, ..
        } => oauth_callback(ctx, provider, oauth).await,
        ProviderBehaviour::Email { confirm, .. } => {
            email_link::callback(ctx, provider, *confirm).await
        }
        #[cfg(feature = "passkeys")]
        ProviderBehaviour::Passkey { .. } => super::passkey::callback(ctx, provider).await,
    }
}

/// The OAuth callback (docs/REST.md §2.6, §4.3): the provider's answer, every check, the code exchange
/// and the ID token, then the same sign-in steps as credentials.
async fn oauth_callback<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider: &Provider,
    oauth: &OAuthProvider,
) -> Reply {
    let auth = ctx.auth;
    let id = provider.spec.id;
    // `form_post` providers answer with a POST; everyone else with query parameters.
    let param = |ctx: &Ctx<'_, D>, key: &str| -> Option<String> {
        if ctx.method == Method::POST {
            ctx.body.get(key).map(str::to_owned)
        } else {
            ctx.query(key).map(str::to_owned)
        }
    };
    let names = &auth.cookies;
    let check_cookies = [names.state, names.pkce_code_verifier, names.nonce];
    // A `form_post` answer is a POST from the provider's site, and the browser keeps our
    // `SameSite=Lax` check cookies from it. Without any of them, and not sent again already,
    // the answer goes back to the browser to be sent again from this site, which brings them.
    if let Some(fields) = ctx.body.form_pairs()
        && ctx.method == Method::POST
        && ctx.body.get(FORM_POST_AGAIN).is_none()
        && check_cookies.iter().all(|name| ctx.jar.get(name).is_none())
    {
        let mut fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        fields.push((FORM_POST_AGAIN, "1"));
        let page = crate::html::form_post_again(&ctx.url(&format!("callback/{id}")), &fields);
        // Nothing is set from the cross-site POST: a new CSRF or callback-url cookie stored now
        // would replace the ones the flow started with.
        ctx.set_cookies.clear();
        tracing::debug!(
            provider = id,
            "form_post answer without its check cookies: sent again"
        );
        return Reply::Html {
            status: StatusCode::OK,
            body: page,
        };
    }
    // The check cookies are single-use: cleared whatever happens next.
    for name in check_cookies {
        if ctx.jar.get(name).is_some() {
            ctx.set_cookies
                .push(SetCookie::clear(name, auth.base.is_secure()));
        }
    }
    let fail = |ctx: &Ctx<'_, D>, why: &str| {
        tracing::error!(provider = id, reason = why, "OAUTH_CALLBACK_ERROR");
        Reply::redirect(ctx.error_url("OAuthCallback"))
    };

    if let Some(error) = param(ctx, "error") {
        // next-auth v4 maps a provider's `?error=` (access_denied included) to `Callback`.
        tracing::warn!(provider = id, error = %error.chars().take(64).collect::<String>(), "OAUTH_CALLBACK_HANDLER_ERROR");
        return Reply::redirect(ctx.error_url("Callback"));
    }
    // Every enabled check must find its cookie, sealed for this provider (advisories
    // GHSA-7r7x-4c4q-c4qf and GHSA-x445-f3h2-j279).
    let active = oauth.active_checks();
    let keys = &auth.check_keys;
    let mut opened = [None, None];
    for (slot, enabled, name, keys) in [
        (0, active.pkce, names.pkce_code_verifier, &keys.pkce),
        (1, active.nonce, names.nonce, &keys.nonce),
    ] {
        if enabled {
            match checks::open(&ctx.jar, name, keys, id) {
                Some(value) => opened[slot] = Some(value),
                None => return fail(ctx, "a check cookie is missing or invalid"),
            }
        }
    }
    let [verifier, nonce] = opened;
    // A link flow carries a state cookie even for a provider without the state check; a
    // state cookie that is there is always checked.
    let state = match checks::open_state(&ctx.jar, names.state, &keys.state, id) {
        None if active.state => return fail(ctx, "a check cookie is missing or invalid"),
        opened => opened,
    };
    if let Some(state) = &state {
        // The state has to be the one this browser's CSRF token and this flow derive.
        let received = param(ctx, "state");
        let derived = signin::oauth_state(&ctx.csrf_token, id, &state.random);
        if !ctx.csrf_from_cookie || !state_matches(&derived, received.as_deref()) {
            return fail(ctx, "state mismatch");
        }
    }
    let link_user = state.and_then(|state| state.link_user);
    let Some(code) = param(ctx, "code").filter(|c| !c.is_empty()) else {
        return fail(ctx, "no code");
    };
    let Some(client) = &auth.oauth else {
        return fail(ctx, "no OAuth client");
    };
    let redirect_uri = ctx.url(&format!("callback/{id}"));
    let iss = param(ctx, "iss");
    // Only a form POST carries Apple's `user` field (the name, on a first sign-in).
    let user = (ctx.method == Method::POST)
        .then(|| param(ctx, "user"))
        .flatten();
    let mut request = CallbackRequest::new(&redirect_uri, &code)
        .iss(iss.as_deref())
        .user(user.as_deref());
    if let Some(verifier) = &verifier {
        request = request.code_verifier(verifier);
    }
    if let Some(nonce) = &nonce {
        request = request.nonce(nonce);
    }
    let signed_in = match client.callback(oauth, &request).await {
        Ok(signed_in) => signed_in,
        Err(OAuthError::Profile) => {
            // NextAuth: a profile that cannot be mapped sends the user back to sign in.
            tracing::error!(provider = id, "OAUTH_PARSE_PROFILE_ERROR");
            return Reply::redirect(ctx.url("signin"));
        }
        Err(e) => {
            tracing::error!(provider = id, error = %e, "OAUTH_CALLBACK_ERROR");
            return Reply::redirect(ctx.error_url("OAuthCallback"));
        }
    };
    let user = signed_in.user;
    let mut account = Account::new(id, provider.spec.kind, user.id.clone());
    account.tokens = Some(signed_in.tokens);
    let intent = match link_user {
        Some(user_id) => Intent::Link { user_id },
        None => Intent::SignIn,
    };
    sign_in(ctx, user, account, None, Some(signed_in.profile), intent).await
}

/// Why a provider's answer reached [`sign_in`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Intent {
    /// A sign-in: whatever session the browser had, it never links an account.
    SignIn,
    /// A flow started by `POST /accounts/link` for this signed-in user.
    Link { user_id: String },
    /// A passkey just registered: for the signed-in user `user_id` (who must still be signed
    /// in), or for a new user (`None`); the passkey is stored once its user is.
    #[cfg(feature = "passkeys")]
    RegisterPasskey {
        user_id: Option<String>,
        authenticator: Box<crate::adapter::AdapterAuthenticator>,
    },
}

async fn credentials<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider: &Provider,
    authorize: AuthorizeFn,
) -> Reply {
    if ctx.method != Method::POST {
        // NextAuth answers 500 here; nothing on the server failed, so 405 (docs/BEHAVIOUR.md).
        return Reply::MethodNotAllowed {
            allow: "POST",
            message: "Callback for provider type credentials not supported: sign in with POST",
        };
    }
    if !ctx.csrf_verified() {
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    }
    let identifier =
        throttle::credentials_identifier(provider.spec.fields, |key| ctx.body.get(key));
    if let Some(throttled) = ctx.throttled(identifier.as_deref()).await {
        return throttled;
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
        Ok(None) if ctx.authjs_client => {
            return Reply::redirect(ctx.authjs_credentials_error_url());
        }
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
    let account = Account::new(id, provider.spec.kind, user.id.clone());
    sign_in(ctx, user, account, Some(credentials), None, Intent::SignIn).await
}

/// The `sign_in` callback's refusal as NextAuth's redirect (`AccessDenied`, 403 in JSON mode,
/// or the callback's own error), or `None` when it lets the user in or is not declared.
pub(super) async fn refused_by_callback<D: SessionData>(
    ctx: &Ctx<'_, D>,
    user: &User,
    account: &Account,
    credentials: Option<Credentials>,
    profile: Option<serde_json::Value>,
) -> Option<Reply> {
    let sign_in = ctx.auth.callbacks.sign_in.as_ref()?;
    let decision = sign_in(SignInParams {
        user: user.clone(),
        account: account.clone(),
        credentials,
        profile,
    })
    .await;
    match decision {
        SignInDecision::Allow => None,
        SignInDecision::Deny => Some(Reply::redirect_with(
            ctx.error_url("AccessDenied"),
            StatusCode::FORBIDDEN,
        )),
        SignInDecision::Error(message) => Some(Reply::redirect(ctx.error_url(&message))),
    }
}

/// What every successful provider check leads to: the `sign_in` callback, the session
/// (a token, or a row in the database with the user found or created), the event, and the
/// redirect to the callbackUrl.
pub(super) async fn sign_in<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    user: User,
    account: Account,
    credentials: Option<Credentials>,
    profile: Option<serde_json::Value>,
    intent: Intent,
) -> Reply {
    if let Some(refused) =
        refused_by_callback(ctx, &user, &account, credentials, profile.clone()).await
    {
        return refused;
    }
    let Some(adapter) = database::adapter(ctx).await else {
        return match issue_session(ctx, user, account, profile).await {
            Ok(()) => Reply::redirect(ctx.callback_url.clone()),
            Err(e) => {
                tracing::error!(error = %e, "SIGNIN_JWT_SESSION_ERROR: the session is not recorded");
                Reply::redirect(ctx.error_url("Callback"))
            }
        };
    };
    let Ok(adapter) = adapter else {
        return Reply::redirect(ctx.error_url("Callback"));
    };
    let found = database::user_for_sign_in(
        ctx,
        adapter.as_ref(),
        &user,
        &account,
        profile.as_ref(),
        &intent,
    )
    .await;
    let stored = match found {
        Ok(stored) => stored,
        Err(code) => return Reply::redirect(ctx.error_url(code)),
    };
    let is_new_user = stored.is_new_user;
    // The browser's previous session, anyone's, ends here rather than lingering in the store.
    database::end_previous_session(ctx, adapter.as_ref()).await;
    // Roles the provider gave (`authorize`, the `profile` mapping) replace the stored ones;
    // a sign-in that gives none keeps them (the application may have set them).
    if !user.roles.is_empty()
        && let Err(e) = adapter.set_roles(&stored.user.id, &user.roles).await
    {
        tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
        return Reply::redirect(ctx.error_url("Callback"));
    }
    if !user.roles.is_empty()
        && let Some(cache) = &ctx.auth.session_cache
    {
        // The user's other sessions carry the old roles in their cached copies.
        cache.end_user(&stored.user.id);
    }
    match database::start_session(ctx, adapter.as_ref(), &stored.user.id).await {
        Ok(cookie) => ctx.set_cookies.push(cookie),
        Err(e) => {
            tracing::error!(error = %e, "SIGNIN_DATABASE_ERROR");
            return Reply::redirect(ctx.error_url("Callback"));
        }
    }
    let user = User::from(stored.user);
    let events = &ctx.auth.events;
    if let (true, Some(on_create)) = (stored.is_new_user, &events.create_user) {
        on_create(CreateUserEvent { user: user.clone() }).await;
    }
    if let (true, Some(on_update)) = (stored.updated, &events.update_user) {
        on_update(UpdateUserEvent { user: user.clone() }).await;
    }
    if let (true, Some(on_link)) = (stored.linked, &events.link_account) {
        on_link(LinkAccountEvent {
            user: user.clone(),
            account: account.clone(),
        })
        .await;
    }
    if let Some(on_sign_in) = &ctx.auth.events.sign_in {
        on_sign_in(SignInEvent {
            user,
            account,
            is_new_user,
        })
        .await;
    }
    match &ctx.auth.pages.new_user {
        Some(page) if is_new_user => Reply::redirect(format!(
            "{page}{}callbackUrl={}",
            super::query_joiner(page),
            encode_component(&ctx.callback_url)
        )),
        _ => Reply::redirect(ctx.callback_url.clone()),
    }
}

/// Runs the `jwt` callback for a fresh sign-in, records the session with a session store,
/// sets the session cookie and fires `sign_in`. A store that cannot record it fails the
/// sign-in: a session that cannot be revoked is not issued.
async fn issue_session<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    user: User,
    account: Account,
    profile: Option<serde_json::Value>,
) -> Result<(), crate::adapter::AdapterError> {
    let mut token = Token::<D>::for_user(&user);
    // The provider's tokens go into the (sealed) token, for `Session::access_token`.
    token.account = account
        .tokens
        .as_ref()
        .map(|tokens| crate::access::ProviderTokens::new(&account.provider, tokens));
    if let Some(jwt) = &ctx.auth.callbacks.jwt {
        token = jwt(JwtParams {
            token,
            user: Some(user.clone()),
            account: Some(account.clone()),
            profile,
            trigger: Some(JwtTrigger::SignIn),
            session: None,
        })
        .await;
    }
    let now = OffsetDateTime::now_utc();
    let details = database::new_session_details(ctx, now);
    ctx.auth.record_jwt_session(&mut token, details).await?;
    let cookies = ctx.auth.session_cookies(&token, &ctx.jar, now);
    ctx.set_cookies.extend(cookies);
    if let Some(on_sign_in) = &ctx.auth.events.sign_in {
        on_sign_in(SignInEvent {
            user,
            account,
            is_new_user: false,
        })
        .await;
    }
    Ok(())
}
