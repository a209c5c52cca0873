//! `cookies:`, the session cookie formats: what the app writes (next-auth v4's, the default)
//! and what else it reads (Auth.js v5's, so users signed in to a v5 app with the same secret
//! are signed in here too and get a v4 cookie back at the next rolling answer).

use super::values::{expect_map, expected, path_name};
use super::{check_keys, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{CookieFormat, Cookies};
use crate::parse::ValueInput;

/// `cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] }`: the format written
/// (next-auth v4's by default) and whether the other one is read too. `jwt_sessions` is
/// whether the block's sessions are JWT ones (the only ones whose other format is read).
pub(super) fn check_cookies(cx: &Ctxt, value: &ValueInput, jwt_sessions: bool) -> Option<Cookies> {
    let map = expect_map(
        cx,
        value,
        "a cookies block such as `{ write: next_auth_v4, read: [next_auth_v4, authjs_v5] }`",
    )?;
    let fields = check_keys(cx, &map.entries, kw::COOKIES_FIELDS, "cookies field");
    let write = match fields.value(kw::WRITE) {
        Some(write) => format_of(format_name(cx, write)?),
        None => CookieFormat::NextAuthV4,
    };
    let Some(read) = fields.value(kw::READ) else {
        return Some(Cookies {
            write,
            read_other: false,
        });
    };
    let formats = check_read(cx, read)?;
    let written = name_of(write);
    if !formats.contains(&written) {
        cx.error(
            read,
            format!(
                "`read` must include the written format, `{written}`: the cookies this app sets would otherwise sign nobody in"
            ),
        );
        return None;
    }
    let read_other = formats.len() > 1;
    if read_other && !jwt_sessions {
        cx.error(
            read,
            "a second cookie format is read with `jwt` sessions only; under `database` sessions list the written format alone",
        );
        return None;
    }
    Some(Cookies { write, read_other })
}

fn format_of(name: &str) -> CookieFormat {
    if name == kw::AUTHJS_V5 {
        CookieFormat::AuthJsV5
    } else {
        CookieFormat::NextAuthV4
    }
}

fn name_of(format: CookieFormat) -> &'static str {
    match format {
        CookieFormat::NextAuthV4 => kw::NEXT_AUTH_V4,
        CookieFormat::AuthJsV5 => kw::AUTHJS_V5,
    }
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

    use crate::model::CookieFormat;
    use crate::validate::test_support::{block, errors, valid};

    #[test]
    fn the_written_format_and_whether_the_other_is_read() {
        let both = valid(block(quote!(
            cookies: { write: next_auth_v4, read: [next_auth_v4, authjs_v5] },
        )))
        .cookies;
        assert_eq!(
            (both.write, both.read_other),
            (CookieFormat::NextAuthV4, true)
        );
        let v4 = valid(block(quote!(cookies: { write: next_auth_v4 },))).cookies;
        assert_eq!((v4.write, v4.read_other), (CookieFormat::NextAuthV4, false));
        let default = valid(block(quote!())).cookies;
        assert_eq!(
            (default.write, default.read_other),
            (CookieFormat::NextAuthV4, false)
        );
        let v5 = valid(block(quote!(cookies: { write: authjs_v5 },))).cookies;
        assert_eq!((v5.write, v5.read_other), (CookieFormat::AuthJsV5, false));
        let migrating = valid(block(quote!(
            cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] },
        )))
        .cookies;
        assert_eq!(
            (migrating.write, migrating.read_other),
            (CookieFormat::AuthJsV5, true)
        );
        let listed_alone = valid(block(quote!(
            session: database { adapter: env("DATABASE_URL") },
            cookies: { write: authjs_v5, read: [authjs_v5] },
        )))
        .cookies;
        assert_eq!(
            (listed_alone.write, listed_alone.read_other),
            (CookieFormat::AuthJsV5, false)
        );
    }

    #[test]
    fn writing_auth_js_v5_cookies_lets_the_secret_be_auth_js_v5s() {
        let config = valid(quote! {
            providers: {
                credentials: Credentials {
                    fields: { username: text("Username") },
                    authorize: crate::authorize,
                },
            },
            cookies: { write: authjs_v5 },
        });
        assert!(config.secrets.is_empty());
        let without = errors(quote! {
            providers: {
                credentials: Credentials {
                    fields: { username: text("Username") },
                    authorize: crate::authorize,
                },
            },
            cookies: { write: next_auth_v4 },
        });
        assert_eq!(without.len(), 1, "{without:?}");
        assert!(without[0].contains("secret"), "{without:?}");
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
            errors(block(
                quote!(cookies: { write: authjs_v5, read: [next_auth_v4] },)
            )),
            [
                "`read` must include the written format, `authjs_v5`: the cookies this app sets would otherwise sign nobody in"
            ]
        );
        assert_eq!(
            errors(block(quote!(cookies: { write: authjs_v4 },))),
            [
                "unknown cookie format `authjs_v4`; did you mean `authjs_v5`? expected one of `next_auth_v4`, `authjs_v5`"
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
        for cookies in [
            quote!(cookies: { read: [next_auth_v4, authjs_v5] },),
            quote!(cookies: { write: authjs_v5, read: [authjs_v5, next_auth_v4] },),
        ] {
            assert_eq!(
                errors(block(quote!(
                    session: database { adapter: env("DATABASE_URL") },
                    #cookies
                ))),
                [
                    "a second cookie format is read with `jwt` sessions only; under `database` sessions list the written format alone"
                ]
            );
        }
    }
}
