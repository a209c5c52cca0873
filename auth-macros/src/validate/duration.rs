//! Durations: `unit(n)`, as in `days(30)` or `minutes(15)`, for session ages, sign-in link
//! lifetimes and throttle windows; and how a duration reads back in a message.

use syn::Lit;

use super::unknown;
use super::values::{call_name, expected, single_arg};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::Duration;
use crate::parse::ValueInput;

/// A duration is `unit(n)` with a known unit and an integer `n > 0`, so its length is explicit.
pub(super) fn check_duration(cx: &Ctxt, value: &ValueInput) -> Option<Duration> {
    let units: Vec<&str> = kw::DURATION_UNITS.iter().map(|(unit, _)| *unit).collect();
    let ValueInput::Call(call) = value else {
        expected(cx, value, "a duration such as `days(30)`");
        return None;
    };
    let func = call_name(call);
    let Some((_, unit_secs)) = kw::DURATION_UNITS.iter().find(|(unit, _)| *unit == func) else {
        cx.error(&call.func, unknown("duration unit", &func, &units));
        return None;
    };
    let Some(ValueInput::Lit(Lit::Int(int))) = single_arg(&call.args) else {
        cx.error_at(
            call.paren.span.join(),
            format!("expected one integer, as in `{func}(30)`"),
        );
        return None;
    };
    let Ok(n) = int.base10_parse::<u64>() else {
        cx.error(int, "expected a positive integer");
        return None;
    };
    if n == 0 {
        cx.error(int, "duration must be greater than zero");
        return None;
    }
    match n.checked_mul(*unit_secs) {
        Some(secs) => Some(Duration { secs }),
        None => {
            cx.error(int, "duration is too long");
            None
        }
    }
}

/// A duration in the largest unit that divides it: `30 days`, `90 minutes`.
pub(super) fn describe_duration(duration: Duration) -> String {
    let (unit, secs) = kw::DURATION_UNITS
        .iter()
        .rev()
        .find(|(_, secs)| duration.secs.is_multiple_of(*secs))
        .copied()
        .unwrap_or(("seconds", 1));
    let n = duration.secs / secs;
    let unit = if n == 1 {
        unit.trim_end_matches('s')
    } else {
        unit
    };
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::validate::test_support::{block, errors};

    #[test]
    fn durations_have_a_known_unit_and_a_positive_integer() {
        let session = |d: TokenStream| block(quote!(session: jwt { max_age: #d }));
        assert_eq!(
            errors(session(quote!(weeks(2)))),
            [
                "unknown duration unit `weeks`; expected one of `seconds`, `minutes`, `hours`, `days`"
            ]
        );
        assert_eq!(
            errors(session(quote!(day(2)))),
            [
                "unknown duration unit `day`; did you mean `days`? expected one of `seconds`, `minutes`, `hours`, `days`"
            ]
        );
        assert_eq!(
            errors(session(quote!(days(0)))),
            ["duration must be greater than zero"]
        );
        assert_eq!(
            errors(session(quote!(days(-1)))),
            ["expected a positive integer"]
        );
        assert_eq!(
            errors(session(quote!(days(1.5)))),
            ["expected one integer, as in `days(30)`"]
        );
        assert_eq!(
            errors(session(quote!(30))),
            ["expected a duration such as `days(30)`, found an integer"]
        );
        assert_eq!(
            errors(session(quote!(days(18446744073709551615)))),
            ["duration is too long"]
        );
    }

    #[test]
    fn durations_are_described_in_their_largest_whole_unit() {
        assert_eq!(describe_duration(Duration { secs: 86_400 }), "1 day");
        assert_eq!(describe_duration(Duration { secs: 5_400 }), "90 minutes");
        assert_eq!(describe_duration(Duration { secs: 61 }), "61 seconds");
    }
}
