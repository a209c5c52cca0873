//! `throttle:`, sign-in throttling: the limits per client address and per identifier, the
//! store that counts attempts, and where the client address comes from.

use syn::Lit;

use super::duration::check_duration;
use super::env::{SettingRules, check_setting};
use super::literals;
use super::values::{call_name, expect_map, expected, path_name};
use super::{Entries, check_keys, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{ClientAddress, Limit, Throttle, ThrottleStore};
use crate::parse::{MapInput, ValueInput};

/// `throttle:` is a map of known fields with at least one limit, `per_address` or
/// `per_identifier`: without one it would count attempts and never refuse any.
pub(super) fn check_throttle(cx: &Ctxt, value: &ValueInput) -> Option<Throttle> {
    let map = expect_map(
        cx,
        value,
        "a throttle block such as `{ per_identifier: limit(5, minutes(15)) }`",
    )?;
    let fields = check_keys(cx, &map.entries, kw::THROTTLE_FIELDS, "throttle field");
    let per_address = fields.value(kw::PER_ADDRESS).map(|v| check_limit(cx, v));
    let per_identifier = fields.value(kw::PER_IDENTIFIER).map(|v| check_limit(cx, v));
    check_throttle_has_a_limit(cx, map, &fields);
    let store = match fields.value(kw::STORE) {
        Some(value) => check_throttle_store(cx, value),
        None => Some(ThrottleStore::Memory),
    };
    let client_address = match fields.value(kw::CLIENT_ADDRESS) {
        Some(value) => check_client_address(cx, value),
        None => Some(ClientAddress::Peer),
    };
    Some(Throttle {
        per_address: per_address.flatten(),
        per_identifier: per_identifier.flatten(),
        store: store?,
        client_address: client_address?,
    })
}

/// A throttle block names at least one limit; the error goes on its braces, where the limit is
/// missing, unless a misspelling of one was reported already.
fn check_throttle_has_a_limit(cx: &Ctxt, map: &MapInput, fields: &Entries) {
    if fields.is_missing(kw::PER_ADDRESS) && fields.is_missing(kw::PER_IDENTIFIER) {
        cx.error_at(
            map.brace.span.join(),
            "expected at least one limit, `per_address` or `per_identifier`, as in `per_identifier: limit(5, minutes(15))`",
        );
    }
}

/// A limit is `limit(n, D)`: at most `n` attempts (an integer `n > 0`) in each duration `D`,
/// both written out so the policy reads plainly.
fn check_limit(cx: &Ctxt, value: &ValueInput) -> Option<Limit> {
    let ValueInput::Call(call) = value else {
        expected(cx, value, "a limit such as `limit(5, minutes(15))`");
        return None;
    };
    let func = call_name(call);
    if func != kw::LIMIT {
        cx.error(&call.func, unknown("function", &func, &[kw::LIMIT]));
        return None;
    }
    let args: Vec<&ValueInput> = call.args.iter().collect();
    let [attempts, window] = args.as_slice() else {
        cx.error_at(
            call.paren.span.join(),
            "expected a number of attempts and a duration, as in `limit(5, minutes(15))`",
        );
        return None;
    };
    let max = check_attempts(cx, attempts);
    let window = check_duration(cx, window);
    Some(Limit {
        max: max?,
        window: window?,
    })
}

/// The attempts of a limit are an integer `n > 0`: a limit of zero would refuse every sign-in.
fn check_attempts(cx: &Ctxt, value: &ValueInput) -> Option<u32> {
    let ValueInput::Lit(Lit::Int(int)) = value else {
        expected(cx, value, "a number of attempts such as `5`");
        return None;
    };
    let Ok(n) = int.base10_parse::<u64>() else {
        cx.error(int, "expected a positive integer");
        return None;
    };
    if n == 0 {
        cx.error(int, "a limit must allow at least one attempt");
        return None;
    }
    match u32::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            cx.error(
                int,
                format!("too many attempts; expected at most {}", u32::MAX),
            );
            None
        }
    }
}

/// `store:` is `memory` (one process) or PostgreSQL for several instances: `env("VAR")`,
/// `env_or("VAR", "postgres://…")` or a literal URL, which carries no password.
fn check_throttle_store(cx: &Ctxt, value: &ValueInput) -> Option<ThrottleStore> {
    if let ValueInput::Path(path) = value {
        let name = path_name(path);
        if name == kw::MEMORY_STORE {
            return Some(ThrottleStore::Memory);
        }
        cx.error(
            path,
            format!(
                "{}, or a PostgreSQL URL such as `env(\"THROTTLE_DATABASE_URL\")`",
                unknown("throttle store", &name, &[kw::MEMORY_STORE])
            ),
        );
        return None;
    }
    let rules = SettingRules {
        what: "`memory`, `env(\"THROTTLE_DATABASE_URL\")` or a `postgres://` URL",
        env_or_example: "env_or(\"THROTTLE_DATABASE_URL\", \"postgres://localhost/app\")",
    };
    check_setting(cx, value, &rules, literals::check_throttle_store_url)
        .map(ThrottleStore::Postgres)
}

/// `client_address:` is `peer` or `x_forwarded_for`; trusting the header is a choice made in
/// the block, since behind no proxy any client could write it.
fn check_client_address(cx: &Ctxt, value: &ValueInput) -> Option<ClientAddress> {
    let ValueInput::Path(path) = value else {
        expected(cx, value, "`peer` or `x_forwarded_for`");
        return None;
    };
    let name = path_name(path);
    match name.as_str() {
        kw::PEER => Some(ClientAddress::Peer),
        kw::X_FORWARDED_FOR => Some(ClientAddress::XForwardedFor),
        _ => {
            cx.error(
                path,
                unknown("client address source", &name, kw::CLIENT_ADDRESS_SOURCES),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::validate::test_support::{block, describe_setting, errors, valid};

    /// The throttle of a valid block with `throttle: #throttle`.
    fn throttle_model(throttle: TokenStream) -> Throttle {
        valid(block(quote!(throttle: #throttle,)))
            .throttle
            .expect("a throttle")
    }

    /// The errors of a block with `throttle: #throttle`.
    fn throttle_errors(throttle: TokenStream) -> Vec<String> {
        errors(block(quote!(throttle: #throttle,)))
    }

    #[test]
    fn no_throttle_block_means_no_throttling() {
        assert!(valid(block(quote!())).throttle.is_none());
    }

    #[test]
    fn a_throttle_block_keeps_its_limits_store_and_address_source() {
        let throttle = throttle_model(quote!({
            per_address: limit(20, minutes(1)),
            per_identifier: limit(5, minutes(15)),
            store: env("THROTTLE_DATABASE_URL"),
            client_address: x_forwarded_for,
        }));
        let limit = |l: Option<Limit>| l.map(|l| (l.max, l.window.secs));
        assert_eq!(limit(throttle.per_address), Some((20, 60)));
        assert_eq!(limit(throttle.per_identifier), Some((5, 900)));
        let ThrottleStore::Postgres(url) = &throttle.store else {
            panic!("a PostgreSQL store expected");
        };
        assert_eq!(describe_setting(url), "env THROTTLE_DATABASE_URL");
        assert_eq!(throttle.client_address, ClientAddress::XForwardedFor);

        // One limit is enough; the defaults are the memory store and the TCP peer.
        let throttle = throttle_model(quote!({ per_identifier: limit(1, seconds(2)) }));
        assert!(throttle.per_address.is_none());
        assert!(matches!(throttle.store, ThrottleStore::Memory));
        assert_eq!(throttle.client_address, ClientAddress::Peer);
        let throttle = throttle_model(quote!({
            per_address: limit(4294967295, days(1)),
            store: memory,
            client_address: peer,
        }));
        assert_eq!(limit(throttle.per_address), Some((u32::MAX, 86_400)));
        for store in [
            quote!("postgres://throttle@127.0.0.1/app"),
            quote!("postgresql://127.0.0.1:5432/app?sslmode=disable"),
            quote!(env_or("THROTTLE_DATABASE_URL", "postgres://localhost/app")),
        ] {
            let throttle =
                throttle_model(quote!({ per_address: limit(1, seconds(1)), store: #store }));
            assert!(matches!(throttle.store, ThrottleStore::Postgres(_)));
        }
    }

    #[test]
    fn a_throttle_block_has_known_fields_each_once_and_a_limit() {
        assert_eq!(
            throttle_errors(quote!({ per_adress: limit(20, minutes(1)) })),
            [
                "unknown throttle field `per_adress`; did you mean `per_address`? expected one of `per_address`, `per_identifier`, `store`, `client_address`"
            ]
        );
        assert_eq!(
            throttle_errors(quote!({
                per_identifier: limit(5, minutes(15)),
                per_identifier: limit(9, minutes(15)),
            })),
            ["duplicate throttle field `per_identifier`"]
        );
        let no_limit = "expected at least one limit, `per_address` or `per_identifier`, as in `per_identifier: limit(5, minutes(15))`";
        assert_eq!(throttle_errors(quote!({})), [no_limit]);
        assert_eq!(throttle_errors(quote!({ store: memory })), [no_limit]);
        assert_eq!(
            throttle_errors(quote!(limit(5, minutes(15)))),
            [
                "expected a throttle block such as `{ per_identifier: limit(5, minutes(15)) }`, found a call"
            ]
        );
    }

    #[test]
    fn a_limit_is_a_positive_number_of_attempts_in_a_duration() {
        let limit = |l: TokenStream| throttle_errors(quote!({ per_identifier: #l }));
        let shape = "expected a number of attempts and a duration, as in `limit(5, minutes(15))`";
        assert_eq!(limit(quote!(limit(5))), [shape]);
        assert_eq!(limit(quote!(limit(5, minutes(1), 2))), [shape]);
        assert_eq!(
            limit(quote!(limit(0, minutes(15)))),
            ["a limit must allow at least one attempt"]
        );
        assert_eq!(
            limit(quote!(limit(-3, minutes(15)))),
            ["expected a positive integer"]
        );
        assert_eq!(
            limit(quote!(limit(4294967296, minutes(15)))),
            ["too many attempts; expected at most 4294967295"]
        );
        assert_eq!(
            limit(quote!(limit("5", minutes(15)))),
            ["expected a number of attempts such as `5`, found a string"]
        );
        assert_eq!(
            limit(quote!(limit(5, minutes(0)))),
            ["duration must be greater than zero"]
        );
        assert_eq!(
            limit(quote!(limit(5, 15))),
            ["expected a duration such as `days(30)`, found an integer"]
        );
        assert_eq!(
            limit(quote!(limits(5, minutes(15)))),
            ["unknown function `limits`; did you mean `limit`? expected `limit`"]
        );
        assert_eq!(
            limit(quote!(5)),
            ["expected a limit such as `limit(5, minutes(15))`, found an integer"]
        );
    }

    #[test]
    fn a_throttle_store_is_memory_or_postgres_without_a_literal_password() {
        let store = |s: TokenStream| {
            throttle_errors(quote!({ per_address: limit(20, minutes(1)), store: #s }))
        };
        let password = "literal password in the throttle store URL; read the URL from the environment with `env(\"THROTTLE_DATABASE_URL\")`";
        assert_eq!(store(quote!("postgres://u:hunter2@db/app")), [password]);
        assert_eq!(
            store(quote!("postgres://db/app?password=hunter2")),
            [password]
        );
        assert_eq!(
            store(quote!(env_or(
                "THROTTLE_DATABASE_URL",
                "postgres://u:pw@db/app"
            ))),
            [password]
        );
        assert_eq!(
            store(quote!("sqlite://throttle.db")),
            ["expected a `postgres://` URL"]
        );
        assert_eq!(
            store(quote!(memroy)),
            [
                "unknown throttle store `memroy`; did you mean `memory`? expected `memory`, or a PostgreSQL URL such as `env(\"THROTTLE_DATABASE_URL\")`"
            ]
        );
        assert_eq!(
            store(quote!(redis("x"))),
            ["unknown function `redis`; expected one of `env`, `env_or`"]
        );
        assert_eq!(
            store(quote!(["postgres://db/app"])),
            [
                "expected `memory`, `env(\"THROTTLE_DATABASE_URL\")` or a `postgres://` URL, found a `[ … ]` list"
            ]
        );
    }

    #[test]
    fn a_client_address_is_the_peer_or_x_forwarded_for() {
        let source = |s: TokenStream| {
            throttle_errors(quote!({ per_address: limit(20, minutes(1)), client_address: #s }))
        };
        assert_eq!(
            source(quote!(x_forwarded_four)),
            [
                "unknown client address source `x_forwarded_four`; did you mean `x_forwarded_for`? expected one of `peer`, `x_forwarded_for`"
            ]
        );
        assert_eq!(
            source(quote!("x-forwarded-for")),
            ["expected `peer` or `x_forwarded_for`, found a string"]
        );
    }

    #[test]
    fn throttle_mistakes_are_all_reported() {
        let found = throttle_errors(quote!({
            per_address: limit(0, minutes(1)),
            per_identifier: limit(5),
            store: "postgres://u:pw@db/app",
            client_address: proxy,
            burst: 3,
        }));
        assert_eq!(found.len(), 5, "{found:?}");
    }
}
