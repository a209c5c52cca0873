//! Values read at start-up: `env("VAR")`, and the settings that may also be `env_or("VAR",
//! "default")` or a literal, whose literal rule is checked here so a typo fails the build.

use syn::{Lit, LitStr};

use super::unknown;
use super::values::{call_name, check_literal, expected, single_arg};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{EnvVar, Setting};
use crate::parse::{CallInput, ValueInput};

/// `env("NAME")` names a variable read at start-up; the name is what a shell can export.
pub(super) fn check_env(cx: &Ctxt, value: &ValueInput) -> Option<EnvVar> {
    let ValueInput::Call(call) = value else {
        expected(cx, value, "`env(\"VARIABLE\")`");
        return None;
    };
    let func = call_name(call);
    if func != kw::ENV {
        cx.error(&call.func, unknown("function", &func, &[kw::ENV]));
        return None;
    }
    let lit = match single_arg(&call.args) {
        Some(ValueInput::Lit(Lit::Str(lit))) => lit,
        _ => {
            cx.error_at(
                call.paren.span.join(),
                "expected one variable name, as in `env(\"NEXTAUTH_SECRET\")`",
            );
            return None;
        }
    };
    check_env_name(cx, lit)
}

/// A variable name is what a shell can export: ASCII letters, digits and `_`, not starting
/// with a digit.
pub(super) fn check_env_name(cx: &Ctxt, lit: &LitStr) -> Option<EnvVar> {
    let name = lit.value();
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        cx.error(
            lit,
            "expected an environment variable name of ASCII letters, digits and `_`, such as `NEXTAUTH_SECRET`",
        );
        return None;
    }
    Some(EnvVar {
        name,
        span: lit.span(),
    })
}

/// What a setting may be, for its messages.
pub(super) struct SettingRules<'a> {
    /// Completes "expected …, found …" for a value of another shape.
    pub(super) what: &'a str,
    /// An `env_or(…)` call to show when its arguments are wrong.
    pub(super) env_or_example: &'a str,
}

/// A setting is read at start-up (`env("VAR")`, or `env_or("VAR", "default")`, whose default
/// is used when the variable is unset) or written in the block. A literal and a default are
/// checked by `rule` here, so a typo fails the build rather than the start-up.
pub(super) fn check_setting(
    cx: &Ctxt,
    value: &ValueInput,
    rules: &SettingRules,
    rule: impl Fn(&str) -> Result<(), String>,
) -> Option<Setting> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => check_literal(cx, lit, &rule).map(Setting::Literal),
        ValueInput::Call(call) => match call_name(call).as_str() {
            kw::ENV => check_env(cx, value).map(Setting::Env),
            kw::ENV_OR => {
                let (var, default) =
                    env_or_args(cx, call, "a default value", rules.env_or_example)?;
                let var = check_env_name(cx, var);
                let default = check_literal(cx, default, &rule);
                Some(Setting::EnvOr(var?, default?))
            }
            other => {
                cx.error(&call.func, unknown("function", other, kw::ENV_CALLS));
                None
            }
        },
        other => {
            expected(cx, other, rules.what);
            None
        }
    }
}

/// The two string arguments of `env_or("VAR", "default")`; otherwise an error on the
/// parentheses naming what the second one is and showing `example`.
pub(super) fn env_or_args<'a>(
    cx: &Ctxt,
    call: &'a CallInput,
    default: &str,
    example: &str,
) -> Option<(&'a LitStr, &'a LitStr)> {
    let mut args = call.args.iter();
    match (args.next(), args.next(), args.next()) {
        (Some(ValueInput::Lit(Lit::Str(var))), Some(ValueInput::Lit(Lit::Str(value))), None) => {
            Some((var, value))
        }
        _ => {
            cx.error_at(
                call.paren.span.join(),
                format!("expected a variable name and {default}, as in `{example}`"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::validate::test_support::errors;

    #[test]
    fn env_takes_one_variable_name() {
        let providers =
            quote!(providers: { c: Credentials { fields: { u: text("U") }, authorize: f } });
        assert_eq!(
            errors(quote!(secret: envv("X"), #providers)),
            ["unknown function `envv`; did you mean `env`? expected `env`"]
        );
        assert_eq!(
            errors(quote!(secret: env("A", "B"), #providers)),
            ["expected one variable name, as in `env(\"NEXTAUTH_SECRET\")`"]
        );
        assert_eq!(
            errors(quote!(secret: env("MY SECRET"), #providers)),
            [
                "expected an environment variable name of ASCII letters, digits and `_`, such as `NEXTAUTH_SECRET`"
            ]
        );
    }
}
