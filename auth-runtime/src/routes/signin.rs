//! `POST /signin/:provider` (§2.5): CSRF-verified start of a sign-in.

use super::{Ctx, Reply};
use crate::config::ProviderBehaviour;
use crate::user::SessionData;

pub(super) fn post<D: SessionData>(ctx: &Ctx<'_, D>, provider_id: Option<&str>) -> Reply {
    let provider = provider_id.and_then(|id| ctx.auth.provider(id));
    let Some(provider) = provider.filter(|_| ctx.csrf_verified()) else {
        // An unknown provider gets the same answer as a CSRF failure, as in NextAuth.
        return Reply::redirect(format!("{}?csrf=true", ctx.url("signin")));
    };
    match provider.behaviour {
        // Credentials sign in through `POST /callback/:provider`.
        ProviderBehaviour::Credentials { .. } => Reply::redirect(ctx.url("signin")),
    }
}
