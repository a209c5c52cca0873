//! `POST /signout` (docs/REST.md §2.7): CSRF-verified; fires the event, clears the session cookie and
//! redirects to the validated callbackUrl.

use super::{Ctx, Reply, database};
use crate::callbacks::SignOutEvent;
use crate::extract::{TokenRead, now_secs};
use crate::user::SessionData;

pub(super) async fn post<D: SessionData>(ctx: &mut Ctx<'_, D>) -> Reply {
    if !ctx.csrf_verified() {
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signout")));
    }
    let token = match database::adapter(ctx).await {
        Some(adapter) => {
            database::sign_out(ctx, adapter).await;
            None
        }
        None => match ctx.auth.read_session_cookie(&ctx.jar, now_secs()) {
            TokenRead::Valid(token) => {
                ctx.auth.forget_jwt_session(&token).await;
                Some(token)
            }
            TokenRead::Absent | TokenRead::Invalid => None,
        },
    };
    if let Some(on_sign_out) = &ctx.auth.events.sign_out {
        on_sign_out(SignOutEvent { token }).await;
    }
    let clears = ctx.auth.clear_session_cookies(&ctx.jar);
    ctx.set_cookies.extend(clears);
    Reply::redirect(ctx.callback_url.clone())
}
