//! `cookies:`, the session cookie formats: what the app writes (next-auth v4's, the default)
//! and what else it reads (Auth.js v5's, so users signed in to a v5 app with the same secret
//! are signed in here too and get a v4 cookie back at the next rolling answer).

use super::values::{expect_map, expected, path_name};
use super::{check_keys, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::parse::ValueInput;

/// `cookies: { write: next_auth_v4, read: [next_auth_v4, authjs_v5] }`: whether Auth.js v5
/// cookies are read. `jwt_sessions` is whether the block's sessions are JWT ones (the only
/// ones whose v5 tokens are read).
pub(super) fn check_cookies(cx: &Ctxt, value: &ValueInput, jwt_sessions: bool) -> Option<bool> {
    let map = expect_map(
        cx,
        value,
        "a cookies block such as `{ write: next_auth_v4, read: [next_auth_v4, authjs_v5] }`",
    )?;
    let fields = check_keys(cx, &map.entries, kw::COOKIES_FIELDS, "cookies field");
    if let Some(write) = fields.value(kw::WRITE) {
        check_write(cx, write)?;
    }
    let Some(read) = fields.value(kw::READ) else {
        return Some(false);
    };
    let formats = check_read(cx, read)?;
    if !formats.contains(&kw::NEXT_AUTH_V4) {
        cx.error(
            read,
            "`read` must include the written format, `next_auth_v4`: the cookies this app sets would otherwise sign nobody in",
        );
        return None;
    }
    let authjs = formats.contains(&kw::AUTHJS_V5);
    if authjs && !jwt_sessions {
        cx.error(
            read,
            "Auth.js v5 cookies are read with `jwt` sessions only; a `database` session cookie holds a session id, not a token",
        );
        return None;
    }
    Some(authjs)
}

/// The written format: next-auth v4's, the only one written today.
fn check_write(cx: &Ctxt, value: &ValueInput) -> Option<()> {
    let name = format_name(cx, value)?;
    if name != kw::NEXT_AUTH_V4 {
        cx.error(
            value,
            "this version writes next-auth v4's cookies only; write `next_auth_v4` and read Auth.js v5's with `read: [next_auth_v4, authjs_v5]`",
        );
        return None;
    }
    Some(())
}

/// The read formats, each known and given once.
fn check_read(cx: &Ctxt, value: &ValueInput) -> Option<Vec<&'static str>> {
    let ValueInput::List(list) = value else {
        expected(
            cx,
            value,
            "a list of formats such as `[next_auth_v4, authjs_v5]`",
        );
        return None;
    };
    let mut formats = Vec::new();
    let mut ok = true;
    for item in &list.items {
        match format_name(cx, item) {
            Some(name) if formats.contains(&name) => {
                cx.error(item, format!("duplicate format `{name}`"));
                ok = false;
            }
            Some(name) => formats.push(name),
            None => ok = false,
        }
    }
    ok.then_some(formats)
}

/// A format's name, one of [`kw::COOKIE_FORMATS`].
fn format_name(cx: &Ctxt, value: &ValueInput) -> Option<&'static str> {
    let ValueInput::Path(path) = value else {
        expected(cx, value, "a cookie format: `next_auth_v4` or `authjs_v5`");
        return None;
    };
    let name = path_name(path);
    let known = kw::COOKIE_FORMATS.iter().find(|f| **f == name).copied();
    if known.is_none() {
        cx.error(path, unknown("cookie format", &name, kw::COOKIE_FORMATS));
    }
    known
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::validate::test_support::{block, errors, valid};

    #[test]
    fn auth_js_v5_cookies_are_read_beside_next_auth_v4() {
        let config = valid(block(quote!(
            cookies: { write: next_auth_v4, read: [next_auth_v4, authjs_v5] },
        )));
        assert!(config.read_authjs_v5);
        assert!(!valid(block(quote!(cookies: { write: next_auth_v4 },))).read_authjs_v5);
        assert!(!valid(block(quote!())).read_authjs_v5);
    }

    #[test]
    fn impossible_cookie_settings_are_refused() {
        assert_eq!(
            errors(block(quote!(cookies: { read: [authjs_v5] },))),
            [
                "`read` must include the written format, `next_auth_v4`: the cookies this app sets would otherwise sign nobody in"
            ]
        );
        assert_eq!(
            errors(block(quote!(cookies: { write: authjs_v5 },))),
            [
                "this version writes next-auth v4's cookies only; write `next_auth_v4` and read Auth.js v5's with `read: [next_auth_v4, authjs_v5]`"
            ]
        );
        assert_eq!(
            errors(block(quote!(cookies: { read: [next_auth_v4, authjs_v4] },))),
            [
                "unknown cookie format `authjs_v4`; did you mean `authjs_v5`? expected one of `next_auth_v4`, `authjs_v5`"
            ]
        );
        assert_eq!(
            errors(block(
                quote!(cookies: { read: [next_auth_v4, next_auth_v4] },)
            )),
            ["duplicate format `next_auth_v4`"]
        );
        assert_eq!(
            errors(block(quote!(
                session: database { adapter: env("DATABASE_URL") },
                cookies: { read: [next_auth_v4, authjs_v5] },
            ))),
            [
                "Auth.js v5 cookies are read with `jwt` sessions only; a `database` session cookie holds a session id, not a token"
            ]
        );
    }
}
