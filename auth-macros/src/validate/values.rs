//! The shapes of values that every part of the grammar takes: a string (checked by its rule in
//! `literals`), a `{ … }` map, a call and its argument, a name, a path to a user fn, and the
//! "expected …, found …" message.

use syn::{Ident, Lit, LitStr, Path};

use crate::ctxt::Ctxt;
use crate::parse::{CallInput, MapInput, ValueInput};

/// "expected X, found Y" on the value.
pub(super) fn expected(cx: &Ctxt, value: &ValueInput, what: &str) {
    cx.error(
        value,
        format!("expected {what}, found {}", value.describe()),
    );
}

/// The value as a string literal, or an error saying what was expected.
pub(super) fn expect_str<'a>(cx: &Ctxt, value: &'a ValueInput, what: &str) -> Option<&'a LitStr> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => Some(lit),
        other => {
            expected(cx, other, what);
            None
        }
    }
}

/// The value as a `{ … }` map, or an error saying what was expected.
pub(super) fn expect_map<'a>(cx: &Ctxt, value: &'a ValueInput, what: &str) -> Option<&'a MapInput> {
    match value {
        ValueInput::Map(map) => Some(map),
        other => {
            expected(cx, other, what);
            None
        }
    }
}

/// The single argument of a call, if it has exactly one.
pub(super) fn single_arg<P>(
    args: &syn::punctuated::Punctuated<ValueInput, P>,
) -> Option<&ValueInput> {
    match args.len() {
        1 => args.first(),
        _ => None,
    }
}

/// The called name, empty when it is not a single identifier.
pub(super) fn call_name(call: &CallInput) -> String {
    path_name(&call.func)
}

/// The name a path spells, empty when it is not a single identifier (so it matches no word and
/// is reported as unknown).
pub(super) fn path_name(path: &Path) -> String {
    path.get_ident().map(Ident::to_string).unwrap_or_default()
}

/// A user function is named by path; the expansion checks its signature where it is used.
pub(super) fn check_fn_path(cx: &Ctxt, value: &ValueInput, what: &str) -> Option<Path> {
    match value {
        ValueInput::Path(path) => Some(path.clone()),
        other => {
            expected(
                cx,
                other,
                &format!("a path to an async fn, such as `crate::auth::{what}`"),
            );
            None
        }
    }
}

/// A string literal follows `rule` (one of `literals`), checked here so a typo fails the build;
/// the rule's message goes on the literal. Returns the literal's value when it does.
pub(super) fn check_literal(
    cx: &Ctxt,
    lit: &LitStr,
    rule: impl Fn(&str) -> Result<(), String>,
) -> Option<String> {
    let value = lit.value();
    match rule(&value) {
        Ok(()) => Some(value),
        Err(message) => {
            cx.error(lit, message);
            None
        }
    }
}
/// A flag is `true` or `false`.
pub(crate) fn check_bool(cx: &Ctxt, value: &ValueInput) -> Option<bool> {
    match value {
        ValueInput::Lit(syn::Lit::Bool(flag)) => Some(flag.value),
        other => {
            expected(cx, other, "`true` or `false`");
            None
        }
    }
}
