//! The HTML pages: sign-in, sign-out, error and verify-request (docs/REST.md §2.4, §2.7, §2.10, §2.11),
//! or redirects to the custom pages that `pages:` declares.

use axum::http::StatusCode;

use super::{Ctx, Reply, encode_component, query_joiner};
use crate::html::{self, PageField, PageProvider, PageProviderKind, SigninPage};
use crate::spec::ProviderKind;
use crate::user::SessionData;

/// Error codes that `/error` sends back to the sign-in page to show inline (docs/REST.md §2.10).
const SIGNIN_ERRORS: [&str; 9] = [
    "Signin",
    "OAuthSignin",
    "OAuthCallback",
    "OAuthCreateAccount",
    "EmailCreateAccount",
    "Callback",
    "OAuthAccountNotLinked",
    "EmailSignin",
    "CredentialsSignin",
];

/// `GET /signin[/<anything>]`: the custom page, or the built-in one listing every provider.
pub(super) fn signin<D: SessionData>(ctx: &Ctx<'_, D>, _argument: Option<&str>) -> Reply {
    let error = ctx.query("error");
    if let Some(page) = &ctx.auth.pages.sign_in {
        // v3 leaves both values unencoded here; v4 encodes them, which keeps the URL intact.
        let mut url = format!(
            "{page}{}callbackUrl={}",
            query_joiner(page),
            encode_component(&ctx.callback_url)
        );
        if let Some(error) = error {
            url.push_str("&error=");
            url.push_str(&encode_component(error));
        }
        return Reply::redirect(url);
    }
    let providers: Vec<(String, String, String, &crate::config::Provider)> = ctx
        .auth
        .providers
        .iter()
        .map(|p| {
            let options = match p.spec.kind {
                ProviderKind::WebAuthn => ctx.url(&format!("webauthn-options/{}", p.spec.id)),
                _ => String::new(),
            };
            (
                ctx.url(&format!("signin/{}", p.spec.id)),
                ctx.url(&format!("callback/{}", p.spec.id)),
                options,
                p,
            )
        })
        .collect();
    let fields: Vec<Vec<PageField<'_>>> = providers
        .iter()
        .map(|(_, _, _, p)| {
            p.spec
                .fields
                .iter()
                .map(|f| PageField {
                    key: f.key,
                    label: f.label,
                    input_type: f.input_type,
                })
                .collect()
        })
        .collect();
    let page_providers: Vec<PageProvider<'_>> = providers
        .iter()
        .zip(&fields)
        .map(
            |((signin_url, callback_url, options_url, p), fields)| PageProvider {
                id: p.spec.id,
                name: &p.name,
                kind: match p.spec.kind {
                    ProviderKind::Credentials => PageProviderKind::Credentials,
                    ProviderKind::Email => PageProviderKind::Email,
                    ProviderKind::OAuth => PageProviderKind::OAuth,
                    ProviderKind::WebAuthn => PageProviderKind::Passkey,
                },
                signin_url,
                callback_url,
                options_url,
                fields,
            },
        )
        .collect();
    let body = html::signin(&SigninPage {
        providers: &page_providers,
        csrf_token: &ctx.csrf_token,
        callback_url: &ctx.callback_url,
        error,
        email: ctx.query("email"),
    });
    Reply::Html {
        status: StatusCode::OK,
        body,
    }
}

/// `GET /signout`: the custom page, or the built-in confirmation form.
pub(super) fn signout<D: SessionData>(ctx: &Ctx<'_, D>) -> Reply {
    if let Some(page) = &ctx.auth.pages.sign_out {
        return Reply::redirect(page.clone());
    }
    Reply::Html {
        status: StatusCode::OK,
        body: html::signout(&ctx.url("signout"), &ctx.csrf_token),
    }
}

/// `GET /error[/<code>]` (docs/REST.md §2.10): the custom page, the sign-in page for inline codes, or
/// the built-in error page with its status.
pub(super) fn error<D: SessionData>(ctx: &Ctx<'_, D>, argument: Option<&str>) -> Reply {
    let code = ctx.query("error").or(argument).unwrap_or_default();
    if let Some(page) = &ctx.auth.pages.error {
        return Reply::redirect(format!(
            "{page}{}error={}",
            query_joiner(page),
            encode_component(code)
        ));
    }
    if SIGNIN_ERRORS.contains(&code) {
        return Reply::redirect(format!("{}?error={code}", ctx.url("signin")));
    }
    let (status, body) = html::error(code, ctx.auth.base.origin(), &ctx.url("signin"));
    Reply::Html { status, body }
}

/// `GET /verify-request`: the custom page, or "Check your email".
pub(super) fn verify_request<D: SessionData>(ctx: &Ctx<'_, D>) -> Reply {
    if let Some(page) = &ctx.auth.pages.verify_request {
        return Reply::redirect(page.clone());
    }
    Reply::Html {
        status: StatusCode::OK,
        body: html::verify_request(ctx.auth.base.origin()),
    }
}
