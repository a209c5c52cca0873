//! Email sign-in (docs/REST.md §2.9): `POST /signin/:email` normalises the address, stores a hashed,
//! single-use token and mails the link; `GET|POST /callback/:email` takes the token back
//! for exactly that address.

use std::sync::Arc;

use axum::http::Method;

use time::OffsetDateTime;

use super::{Ctx, Reply, callback, database, encode_component};
use crate::adapter::VerificationToken;
use crate::config::Provider;
use crate::email::{
    Mailer, hash_token, new_token, normalize_identifier, sign_in_email, sign_in_url, site_host,
};
use crate::extract::expiry;
use crate::spec::ProviderKind;
use crate::throttle;
use crate::user::{Account, SessionData, User};

/// `POST /signin/:id` for an email provider (already CSRF-verified).
pub(super) async fn start<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider: &Provider,
    mailer: &Arc<dyn Mailer>,
    from: &str,
    max_age: u64,
) -> Reply {
    let id = provider.spec.id;
    let identifier = throttle::email_identifier(ctx.body.get("email").unwrap_or_default());
    if let Some(throttled) = ctx.throttled(Some(&identifier)).await {
        return throttled;
    }
    // Advisories GHSA-xv97-c62v-4587, GHSA-5jpx-9hw9-2fx4, GHSA-7rqj-j65f-68wh: one
    // normalised address, or nothing is sent.
    let Some(email) = ctx
        .body
        .get("email")
        .and_then(|raw| normalize_identifier(raw).ok())
    else {
        return Reply::redirect(ctx.error_url("EmailSignin"));
    };
    let Some(adapter) = database::adapter(ctx).await else {
        tracing::error!(provider = id, "EMAIL_REQUIRES_ADAPTER_ERROR");
        return Reply::redirect(ctx.error_url("Configuration"));
    };
    let Ok(adapter) = adapter else {
        return Reply::redirect(ctx.error_url("EmailSignin"));
    };
    let user = match adapter.get_user_by_email(&email).await {
        Ok(Some(user)) => User::from(user),
        Ok(None) => User::new(email.clone()).email(email.clone()),
        Err(e) => {
            tracing::error!(provider = id, error = %e, "SIGNIN_EMAIL_ERROR");
            return Reply::redirect(ctx.error_url("EmailSignin"));
        }
    };
    let account = Account::new(id, ProviderKind::Email, email.clone());
    if let Some(refused) = callback::refused_by_callback(ctx, &user, &account, None, None).await {
        return refused;
    }

    let token = new_token();
    let now = OffsetDateTime::now_utc();
    let hashed = hash_token(&token, &ctx.auth.secrets[0]);
    let stored = VerificationToken::new(email.clone(), hashed.clone(), expiry(now, max_age));
    if let Err(e) = adapter.create_verification_token(stored).await {
        tracing::error!(provider = id, error = %e, "SIGNIN_EMAIL_ERROR");
        return Reply::redirect(ctx.error_url("EmailSignin"));
    }
    let url = sign_in_url(&ctx.auth.base, id, &ctx.callback_url, &token, &email);
    let message = sign_in_email(&url, site_host(&ctx.auth.base), from, &email);
    if let Err(e) = mailer.send(&message).await {
        tracing::error!(provider = id, error = %e, "SEND_VERIFICATION_EMAIL_ERROR");
        // Nobody received the link: its row goes too, rather than waiting to expire.
        if let Err(e) = adapter.use_verification_token(&email, &hashed).await {
            tracing::warn!(provider = id, error = %e, "SIGNIN_EMAIL_ERROR: unsent token not removed");
        }
        return Reply::redirect(ctx.error_url("EmailSignin"));
    }
    Reply::redirect(format!(
        "{}?provider={}&type=email",
        ctx.url("verify-request"),
        encode_component(id)
    ))
}

/// The page a confirmed link's `GET` answers: the link's fields, to be posted with the CSRF
/// token, and the account the browser is signed in as when it is another one.
async fn confirm_page<D: SessionData>(ctx: &Ctx<'_, D>, id: &str) -> Reply {
    let field = |key: &str| ctx.query(key).unwrap_or_default().to_owned();
    let (token, email, callback_url) = (field("token"), field("email"), field("callbackUrl"));
    let shown = normalize_identifier(&email).unwrap_or_default();
    let signed_in_as = match (
        ctx.jar.get(ctx.auth.cookies.session_token),
        database::adapter(ctx).await,
    ) {
        (Some(session), Some(Ok(adapter))) => {
            database::current(adapter.as_ref(), session, OffsetDateTime::now_utc())
                .await
                .ok()
                .flatten()
                .and_then(|found| found.user.email)
                .filter(|current| *current != shown)
        }
        _ => None,
    };
    let mut fields = vec![("token", token.as_str()), ("email", email.as_str())];
    if !callback_url.is_empty() {
        fields.push(("callbackUrl", callback_url.as_str()));
    }
    let body = crate::html::confirm_email_sign_in(
        &ctx.url(&format!("callback/{id}")),
        &ctx.csrf_token,
        &shown,
        &fields,
        signed_in_as.as_deref(),
    );
    Reply::Html {
        status: axum::http::StatusCode::OK,
        body,
    }
}

/// `GET|POST /callback/:id` for an email provider: the link's token, for exactly its address
/// (advisories GHSA-pg53-56cg-4m8q, GHSA-4rxr-27mm-mxq9), used once.
///
/// With `confirm`, a `GET` only shows a page whose button `POST`s the same fields with the
/// CSRF token (mail scanners and link previews open links with `GET`), and a `POST` must be
/// CSRF-verified.
pub(super) async fn callback<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    provider: &Provider,
    confirm: bool,
) -> Reply {
    let id = provider.spec.id;
    if confirm {
        if ctx.method == Method::GET {
            return confirm_page(ctx, id).await;
        }
        if !ctx.csrf_verified() {
            return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
        }
    }
    let param = |key: &str| {
        ctx.query(key)
            .or_else(|| ctx.body.get(key))
            .map(str::to_owned)
    };
    let Some(token) = param("token").filter(|t| !t.is_empty()) else {
        // next-auth v4 answers a link without a token with a lower-case `configuration`.
        return Reply::redirect(ctx.error_url("configuration"));
    };
    let Some(email) = param("email").and_then(|raw| normalize_identifier(&raw).ok()) else {
        return Reply::redirect(ctx.error_url("Verification"));
    };
    let adapter = match database::adapter(ctx).await {
        Some(Ok(adapter)) => adapter,
        Some(Err(_)) => return Reply::redirect(ctx.error_url("Callback")),
        None => return Reply::redirect(ctx.error_url("Configuration")),
    };
    // Any current secret may have hashed it (rotation).
    let mut found = None;
    for secret in &ctx.auth.secrets {
        match adapter
            .use_verification_token(&email, &hash_token(&token, secret))
            .await
        {
            Ok(Some(stored)) => {
                found = Some(stored);
                break;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(provider = id, error = %e, "CALLBACK_EMAIL_ERROR");
                return Reply::redirect(ctx.error_url("Callback"));
            }
        }
    }
    let Some(stored) = found.filter(|t| t.expires > OffsetDateTime::now_utc()) else {
        return Reply::redirect(ctx.error_url("Verification"));
    };
    let user = match adapter.get_user_by_email(&stored.identifier).await {
        Ok(Some(user)) => User::from(user),
        Ok(None) => User::new(stored.identifier.clone()).email(stored.identifier.clone()),
        Err(e) => {
            tracing::error!(provider = id, error = %e, "CALLBACK_EMAIL_ERROR");
            return Reply::redirect(ctx.error_url("Callback"));
        }
    };
    let account = Account::new(id, ProviderKind::Email, stored.identifier);
    callback::sign_in(ctx, user, account, None, None, callback::Intent::SignIn).await
}
