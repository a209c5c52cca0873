//! `POST /signin/:provider` (docs/REST.md §2.5): CSRF-verified start of a sign-in. For OAuth, the check
//! values are made and sealed in cookies, and the browser goes to the provider.

use time::OffsetDateTime;

use super::checks::{self, StateCookie};
use super::{Ctx, Reply, email_link};
use crate::config::ProviderBehaviour;
use crate::csrf;
use crate::oauth::{AuthorizationRequest, OAuthProvider, pkce_challenge, random_check_value};
use crate::user::SessionData;

pub(super) async fn post<D: SessionData>(ctx: &mut Ctx<'_, D>, provider_id: Option<&str>) -> Reply {
    let auth = ctx.auth;
    let provider = provider_id.and_then(|id| auth.provider(id));
    let Some(provider) = provider.filter(|_| ctx.csrf_verified()) else {
        // An unknown provider gets the same answer as a CSRF failure, as in NextAuth.
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    };
    match &provider.behaviour {
        // Credentials sign in through `POST /callback/:provider`.
        ProviderBehaviour::Credentials { .. } => Reply::redirect(ctx.url("signin")),
        ProviderBehaviour::OAuth {
            provider: oauth, ..
        } => start_oauth(ctx, provider.spec.id, oauth, None).await,
        ProviderBehaviour::Email {
            mailer,
            from,
            max_age,
            ..
        } => email_link::start(ctx, provider, mailer, from, *max_age).await,
        // Passkeys sign in through `webauthn-options` and `POST /callback/:provider`.
        #[cfg(feature = "passkeys")]
        ProviderBehaviour::Passkey { .. } => Reply::redirect(ctx.url("signin")),
    }
}

/// The state of a sign-in: derived from the CSRF token (the REST contract's rule: the
/// callback must come back to the browser that started it), bound to the provider, and made
/// new for every flow by `random`, which only the flow's sealed state cookie holds. Without
/// it every sign-in of a browser would send the same state, and one that leaked (a referrer,
/// a log) would stay good for the CSRF cookie's whole life.
pub(super) fn oauth_state(csrf_token: &str, provider_id: &str, random: &str) -> String {
    csrf::oauth_state(&format!("{csrf_token}:{provider_id}:{random}"))
}

/// Sends the browser to the provider with fresh check values sealed in cookies; `link_user`
/// is the signed-in user a `POST /accounts/link` flow links the account to (such a flow
/// always carries a state cookie, whatever the provider's checks, to hold it).
pub(super) async fn start_oauth<D: SessionData>(
    ctx: &mut Ctx<'_, D>,
    id: &str,
    oauth: &OAuthProvider,
    link_user: Option<String>,
) -> Reply {
    let auth = ctx.auth;
    let Some(client) = &auth.oauth else {
        tracing::error!(provider = id, "SIGNIN_OAUTH_ERROR: no OAuth client");
        return Reply::redirect(ctx.error_url("OAuthSignin"));
    };
    let active = oauth.active_checks();
    let state_cookie = (active.state || link_user.is_some()).then(|| StateCookie {
        random: random_check_value(),
        link_user,
    });
    let state = state_cookie
        .as_ref()
        .map(|cookie| oauth_state(&ctx.csrf_token, id, &cookie.random));
    let verifier = active.pkce.then(random_check_value);
    let challenge = verifier.as_deref().map(pkce_challenge);
    let nonce = active.nonce.then(random_check_value);
    let redirect_uri = ctx.url(&format!("callback/{id}"));

    let mut request = AuthorizationRequest::new(&redirect_uri).extra_params(&ctx.query);
    if let Some(state) = &state {
        request = request.state(state);
    }
    if let Some(challenge) = &challenge {
        request = request.code_challenge(challenge);
    }
    if let Some(nonce) = &nonce {
        request = request.nonce(nonce);
    }
    let url = match client.authorization_url(oauth, &request).await {
        Ok(url) => url,
        Err(e) => {
            tracing::error!(provider = id, error = %e, "SIGNIN_OAUTH_ERROR");
            return Reply::redirect(ctx.error_url("OAuthSignin"));
        }
    };

    let now = OffsetDateTime::now_utc();
    let secure = auth.base.is_secure();
    let names = &auth.cookies;
    let keys = &auth.check_keys;
    if let Some(cookie) = &state_cookie {
        let sealed = checks::seal_state(&keys.state, cookie, id, now);
        ctx.set_cookies
            .push(checks::cookie(names.state, sealed, secure, true, now));
    }
    for (name, keys, value, with_max_age) in [
        (names.pkce_code_verifier, &keys.pkce, verifier, true),
        (names.nonce, &keys.nonce, nonce, false),
    ] {
        if let Some(value) = value {
            let sealed = checks::seal(keys, &value, id, now);
            ctx.set_cookies
                .push(checks::cookie(name, sealed, secure, with_max_age, now));
        }
    }
    Reply::redirect(url)
}
