//! Roles: the `roles: { admin, … }` of an `auth!` block becomes the enum `auth::Role`; a user's
//! roles travel in the session (the token's `roles` claim under JWT sessions, the
//! `auth_roles` table under database sessions), and [`RequireRole`] guards routes by them.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::Auth;
use crate::extract::{Session, SessionRejection, prefers_html};
use crate::user::SessionData;

/// A role declared in an `auth!` block's `roles:`; the generated `auth::Role` implements it.
///
/// A role is stored by its name (`"admin"`), so tokens and rows stay readable by other code.
pub trait RoleName: Copy + Send + Sync + 'static {
    /// The role's name as declared, e.g. `"admin"`.
    fn as_str(&self) -> &'static str;
}

impl<D: SessionData> Auth<D> {
    /// A layer that lets through only requests whose session has `role`: without a session
    /// they are answered as [`Session`] answers (a page request is sent to sign in, any other
    /// gets 401); signed in without the role, `403` (a page request gets the error page with
    /// `AccessDenied`, any other `{"error":"Forbidden"}`). The generated `auth::require(role)`
    /// calls it. Put it inside `.layer(auth.layer())`, e.g. with `.route_layer(…)`.
    pub fn require_role(&self, role: impl RoleName) -> RequireRole<D> {
        RequireRole {
            role: role.as_str(),
            data: PhantomData,
        }
    }
}

/// The layer of [`Auth::require_role`] (`auth::require(auth::Role::Admin)`).
pub struct RequireRole<D> {
    role: &'static str,
    data: PhantomData<fn() -> D>,
}

impl<D> RequireRole<D> {
    /// The layer for the role named `role`, for generated code (`auth::require`).
    #[doc(hidden)]
    pub fn named(role: &'static str) -> Self {
        RequireRole {
            role,
            data: PhantomData,
        }
    }
}

impl<D> Clone for RequireRole<D> {
    fn clone(&self) -> Self {
        RequireRole {
            role: self.role,
            data: PhantomData,
        }
    }
}

impl<D> std::fmt::Debug for RequireRole<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequireRole")
            .field("role", &self.role)
            .finish()
    }
}

impl<D, S> tower_layer::Layer<S> for RequireRole<D> {
    type Service = RequireRoleService<D, S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireRoleService {
            role: self.role,
            inner,
            data: PhantomData,
        }
    }
}

/// The service [`RequireRole`] wraps a route in.
pub struct RequireRoleService<D, S> {
    role: &'static str,
    inner: S,
    data: PhantomData<fn() -> D>,
}

impl<D, S: Clone> Clone for RequireRoleService<D, S> {
    fn clone(&self) -> Self {
        RequireRoleService {
            role: self.role,
            inner: self.inner.clone(),
            data: PhantomData,
        }
    }
}

impl<D, S> tower_service::Service<Request> for RequireRoleService<D, S>
where
    D: SessionData,
    S: tower_service::Service<Request, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was polled ready serves this request; a fresh clone stays behind.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let role = self.role;
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            match Session::<D>::from_request_parts(&mut parts, &()).await {
                Ok(session) if session.token.has_role_named(role) => {
                    inner.call(Request::from_parts(parts, body)).await
                }
                Ok(_) => Ok(forbidden::<D>(&parts)),
                Err(rejection) => Ok(rejection.into_response()),
            }
        })
    }
}

/// The answer to a signed-in request without the role: the error page with `AccessDenied`
/// (403, or a redirect to a custom `pages.error`) for a page request, else 403 JSON.
fn forbidden<D: SessionData>(parts: &axum::http::request::Parts) -> Response {
    let auth = parts.extensions.get::<Auth<D>>();
    match auth {
        Some(auth) if prefers_html(&parts.headers) => auth.access_denied_page(),
        Some(_) => (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"Forbidden"}"#,
        )
            .into_response(),
        // `Session` extracted, so the layer is there.
        None => SessionRejection::MissingLayer.into_response(),
    }
}

impl<D: SessionData> Auth<D> {
    /// The `AccessDenied` error page as a response: `pages.error` (a 302 there with
    /// `?error=AccessDenied`) or the built-in page with 403.
    fn access_denied_page(&self) -> Response {
        match &self.inner.pages.error {
            Some(page) => {
                let joiner = if page.contains('?') { '&' } else { '?' };
                let location = format!("{page}{joiner}error=AccessDenied");
                match axum::http::HeaderValue::try_from(location) {
                    Ok(location) => {
                        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
                    }
                    Err(_) => StatusCode::FORBIDDEN.into_response(),
                }
            }
            None => {
                let base = &self.inner.base;
                let (status, html) =
                    crate::html::error("AccessDenied", base.origin(), &base.url("signin"));
                (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    html,
                )
                    .into_response()
            }
        }
    }
}

/// Adds `role` to `names` unless it is there: a role is held once.
pub(crate) fn add(names: &mut Vec<String>, role: &str) {
    if !names.iter().any(|name| name == role) {
        names.push(role.to_owned());
    }
}

/// Roles as they are stored in a row (the SQL adapters): names separated by single spaces (a declared name is
/// an identifier, so it holds no space).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn join(roles: &[String]) -> String {
    roles.join(" ")
}

/// The roles of a stored row; `None` or empty text is no role.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn split(stored: Option<&str>) -> Vec<String> {
    stored
        .unwrap_or_default()
        .split(' ')
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(all(test, any(feature = "sqlite", feature = "postgres")))]
mod tests {
    use super::*;

    #[test]
    fn stored_roles_read_back_as_written() {
        let roles = vec!["admin".to_owned(), "member".to_owned()];
        assert_eq!(split(Some(&join(&roles))), roles);
        assert_eq!(split(Some("")), Vec::<String>::new());
        assert_eq!(split(None), Vec::<String>::new());
        assert_eq!(split(Some(" admin  member ")), roles);
    }
}
