//! `callbacks:`, `events:` and `pages:`: maps from the names NextAuth gives its hooks to the
//! application's fns or paths. One check reads all three; each is a table of its names.

use syn::Path;

use super::check_keys;
use super::literals;
use super::values::{check_fn_path, check_literal, expect_map, expect_str};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{Callback, CallbackKind, Event, EventKind, PageKind, PageOverride};
use crate::parse::ValueInput;

/// One map of hooks: the names it takes, the model kind each stands for, what each value is,
/// and the model item a checked hook becomes.
pub(super) struct Hooks<K: 'static, V, T> {
    /// The noun of its messages: ``unknown callback `signin` ``.
    noun: &'static str,
    /// The map shown when the value is not one.
    example: &'static str,
    /// Each name and the kind it stands for, in the order messages list them.
    names: &'static [(&'static str, K)],
    /// The rule of every value, given the hook's name for its message.
    value: fn(&Ctxt, &ValueInput, &str) -> Option<V>,
    /// The model item of a hook and its checked value.
    item: fn(K, V) -> T,
}

/// `callbacks:` maps NextAuth's callback names to user functions.
pub(super) const CALLBACKS: Hooks<CallbackKind, Path, Callback> = Hooks {
    noun: "callback",
    example: "`{ jwt: crate::auth::jwt }`",
    names: &[
        (kw::SIGN_IN, CallbackKind::SignIn),
        (kw::REDIRECT, CallbackKind::Redirect),
        (kw::JWT, CallbackKind::Jwt),
        (kw::SESSION, CallbackKind::Session),
    ],
    value: check_fn_path,
    item: |kind, path| Callback { kind, path },
};

/// `events:` maps the runtime's event names to user functions.
pub(super) const EVENTS: Hooks<EventKind, Path, Event> = Hooks {
    noun: "event",
    example: "`{ sign_in: crate::audit::sign_in }`",
    names: &[
        (kw::SIGN_IN, EventKind::SignIn),
        (kw::SIGN_OUT, EventKind::SignOut),
        (kw::SESSION, EventKind::Session),
        (kw::CREATE_USER, EventKind::CreateUser),
        (kw::UPDATE_USER, EventKind::UpdateUser),
        (kw::LINK_ACCOUNT, EventKind::LinkAccount),
        (kw::ERROR, EventKind::Error),
        (kw::REFRESH, EventKind::Refresh),
    ],
    value: check_fn_path,
    item: |kind, path| Event { kind, path },
};

/// `pages:` maps NextAuth's page names to the application's own paths.
pub(super) const PAGES: Hooks<PageKind, String, PageOverride> = Hooks {
    noun: "page",
    example: "`{ sign_in: \"/login\" }`",
    names: &[
        (kw::SIGN_IN, PageKind::SignIn),
        (kw::SIGN_OUT, PageKind::SignOut),
        (kw::ERROR, PageKind::Error),
        (kw::VERIFY_REQUEST, PageKind::VerifyRequest),
        (kw::NEW_USER, PageKind::NewUser),
    ],
    value: |cx, value, _| check_page_path(cx, value),
    item: |page, path| PageOverride { page, path },
};

/// A map of hooks names each hook of its table at most once, with the value the table expects:
/// an unknown name would be a hook that never runs, so it is reported with the closest name.
pub(super) fn check_hooks<K: Copy, V, T>(
    cx: &Ctxt,
    value: &ValueInput,
    hooks: &Hooks<K, V, T>,
) -> Vec<T> {
    let Some(map) = expect_map(cx, value, hooks.example) else {
        return Vec::new();
    };
    let names: Vec<&'static str> = hooks.names.iter().map(|(name, _)| *name).collect();
    let entries = check_keys(cx, &map.entries, &names, hooks.noun);
    entries
        .found
        .iter()
        .filter_map(|(name, entry)| {
            let (_, kind) = hooks.names.iter().find(|(known, _)| known == name)?;
            let value = (hooks.value)(cx, &entry.value, name)?;
            Some((hooks.item)(*kind, value))
        })
        .collect()
}

/// A page is a string that is an absolute path on this site ([`literals::check_page_path`]):
/// the routes redirect there.
fn check_page_path(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a page path such as `\"/login\"`")?;
    check_literal(cx, lit, literals::check_page_path)
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};

    use crate::model::{CallbackKind, EventKind, PageKind};
    use crate::validate::test_support::{block, errors, valid};

    #[test]
    fn every_hook_name_stands_for_its_own_kind_in_declaration_order() {
        let config = valid(block(quote! {
            callbacks: { session: crate::d, jwt: crate::c, redirect: crate::b, sign_in: crate::a },
            events: { sign_in: crate::e, session: crate::g, sign_out: crate::f },
            // `new_user` needs database sessions, where a `jwt` callback is refused: it has
            // its own test in `validate/mod.rs`.
            pages: { verify_request: "/d", error: "/c", sign_out: "/b", sign_in: "/a" },
        }));
        let callbacks: Vec<(CallbackKind, String)> = config
            .callbacks
            .iter()
            .map(|c| (c.kind, c.path.to_token_stream().to_string()))
            .collect();
        assert_eq!(
            callbacks,
            [
                (CallbackKind::Session, "crate :: d".to_owned()),
                (CallbackKind::Jwt, "crate :: c".to_owned()),
                (CallbackKind::Redirect, "crate :: b".to_owned()),
                (CallbackKind::SignIn, "crate :: a".to_owned()),
            ]
        );
        let events: Vec<EventKind> = config.events.iter().map(|e| e.kind).collect();
        assert_eq!(
            events,
            [EventKind::SignIn, EventKind::Session, EventKind::SignOut]
        );
        let pages: Vec<(PageKind, &str)> = config
            .pages
            .iter()
            .map(|p| (p.page, p.path.as_str()))
            .collect();
        assert_eq!(
            pages,
            [
                (PageKind::VerifyRequest, "/d"),
                (PageKind::Error, "/c"),
                (PageKind::SignOut, "/b"),
                (PageKind::SignIn, "/a"),
            ]
        );
    }

    #[test]
    fn callbacks_events_and_pages_have_their_own_keys() {
        assert_eq!(
            errors(block(quote!(callbacks: { signin: crate::f }))),
            [
                "unknown callback `signin`; did you mean `sign_in`? expected one of `sign_in`, `redirect`, `jwt`, `session`"
            ]
        );
        assert_eq!(
            errors(block(quote!(events: { errors: crate::f }))),
            [
                "unknown event `errors`; did you mean `error`? expected one of `sign_in`, `sign_out`, `session`, `create_user`, `update_user`, `link_account`, `error`, `refresh`"
            ]
        );
        assert_eq!(
            errors(block(quote!(pages: { signin: "/login" }))),
            [
                "unknown page `signin`; did you mean `sign_in`? expected one of `sign_in`, `sign_out`, `error`, `verify_request`, `new_user`"
            ]
        );
        assert_eq!(
            errors(block(quote!(callbacks: { jwt: "crate::jwt" }))),
            ["expected a path to an async fn, such as `crate::auth::jwt`, found a string"]
        );
    }

    #[test]
    fn page_paths_are_absolute_on_this_site() {
        for (path, message) in [
            (
                "login",
                "page path must be absolute, starting with `/`, as in `/login`",
            ),
            (
                "https://x.io/login",
                "page path must be absolute, starting with `/`, as in `/login`",
            ),
            (
                "//evil.example/login",
                "page path must not start with `//`, which browsers read as another host",
            ),
            ("/log in", "page path must not contain whitespace"),
        ] {
            assert_eq!(
                errors(block(quote!(pages: { error: #path }))),
                [message],
                "{path}"
            );
        }
    }
}
