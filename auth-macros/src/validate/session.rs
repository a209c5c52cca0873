//! `session:`, the session strategy: `jwt { … }` (the default) or `database { adapter: … }`,
//! with the ages each takes.

use syn::Path;

use super::duration::{check_duration, describe_duration};
use super::env::{SettingRules, check_setting};
use super::literals;
use super::values::{expected, path_name};
use super::{Entries, check_keys, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{AdapterSource, Duration, SessionStrategy};
use crate::parse::ValueInput;

/// `session:` names a known strategy, `jwt` or `database`, optionally with the fields that
/// strategy takes; `database` needs its `adapter`. `None` when the strategy is unknown or its
/// adapter is missing or invalid, so no rule is checked against a guessed strategy.
pub(super) fn check_session(cx: &Ctxt, value: &ValueInput) -> Option<SessionStrategy> {
    let (kind, body) = match value {
        ValueInput::Path(path) => (path, None),
        ValueInput::Struct(value) => (&value.kind, Some(&value.body)),
        other => {
            expected(
                cx,
                other,
                "a session strategy such as `jwt { max_age: days(30) }`",
            );
            return None;
        }
    };
    let name = path_name(kind);
    let allowed = match name.as_str() {
        kw::JWT => kw::JWT_SESSION_FIELDS,
        kw::DATABASE => kw::DATABASE_SESSION_FIELDS,
        _ => {
            cx.error(
                kind,
                unknown("session strategy", &name, kw::SESSION_STRATEGIES),
            );
            return None;
        }
    };
    let entries = body.map(|b| b.entries.as_slice()).unwrap_or_default();
    let fields = check_keys(cx, entries, allowed, "session field");
    let (max_age, update_age) = check_session_ages(cx, &fields);
    if name == kw::JWT {
        let store = match fields.value(kw::ADAPTER) {
            Some(value) => Some(check_adapter(cx, value)?),
            None => {
                check_no_update_age_with_jwt(cx, &fields);
                None
            }
        };
        return Some(SessionStrategy::Jwt {
            max_age,
            update_age,
            store,
        });
    }
    let adapter = match fields.value(kw::ADAPTER) {
        Some(value) => check_adapter(cx, value),
        None => {
            check_adapter_given(cx, kind, &fields);
            None
        }
    };
    let cache = fields
        .value(kw::CACHE)
        .and_then(|value| check_cache(cx, value, update_age));
    Some(SessionStrategy::Database {
        adapter: adapter?,
        max_age,
        update_age,
        cache,
    })
}

/// `cache:` is a duration (at least a second) of at most `update_age`: the stored expiry
/// moves only when a read goes to the database, which a longer cache would put off past the
/// time it is due.
fn check_cache(cx: &Ctxt, value: &ValueInput, update_age: Duration) -> Option<Duration> {
    let cache = check_duration(cx, value)?;
    if cache.secs > update_age.secs {
        cx.error(
            value,
            format!(
                "`cache` must not be longer than `update_age` ({}): the stored expiry moves only when a read reaches the database",
                describe_duration(update_age)
            ),
        );
        return None;
    }
    Some(cache)
}

/// A session's `max_age` and `update_age` are durations, `update_age` within `max_age`; those
/// not given (or given but invalid, which is already reported) are NextAuth's defaults.
fn check_session_ages(cx: &Ctxt, fields: &Entries) -> (Duration, Duration) {
    // A `max_age` that is given but invalid already has its error; comparing `update_age`
    // with the default instead would report a second, misleading one.
    let max_age = match fields.value(kw::MAX_AGE) {
        Some(value) => check_duration(cx, value),
        None => Some(Duration::DEFAULT_MAX_AGE),
    };
    let update_age = fields
        .value(kw::UPDATE_AGE)
        .and_then(|value| {
            let update_age = check_duration(cx, value)?;
            if let Some(max_age) = max_age {
                check_update_age_within_max_age(cx, update_age, value, max_age);
            }
            Some(update_age)
        })
        .unwrap_or(Duration::DEFAULT_UPDATE_AGE);
    (max_age.unwrap_or(Duration::DEFAULT_MAX_AGE), update_age)
}

/// `update_age` paces the writes of a database session and, with a store, how often a JWT
/// session is checked against it. A JWT session without a store has neither: its token is
/// re-issued on every session read (next-auth ignores the setting there too), so writing it
/// there would promise something that never happens.
fn check_no_update_age_with_jwt(cx: &Ctxt, fields: &Entries) {
    if let Some(key) = fields.key(kw::UPDATE_AGE) {
        cx.error(
            key,
            "`update_age` has no effect with `jwt` sessions without `adapter`: the token is re-issued on every session read; remove it, add `adapter:` to record sessions for revocation, or use `database` sessions",
        );
    }
}

/// `update_age` is at most `max_age`: refreshing less often than sessions expire never refreshes.
fn check_update_age_within_max_age(
    cx: &Ctxt,
    update_age: Duration,
    value: &ValueInput,
    max_age: Duration,
) {
    if update_age.secs > max_age.secs {
        cx.error(
            value,
            format!(
                "`update_age` must not be longer than `max_age` ({})",
                describe_duration(max_age)
            ),
        );
    }
}

/// Database sessions need an adapter: without one there is nowhere to keep them. The error
/// goes on `database`, where it is missing, unless a misspelling of it was reported already.
fn check_adapter_given(cx: &Ctxt, kind: &Path, fields: &Entries) {
    if fields.is_missing(kw::ADAPTER) {
        cx.error(
            kind,
            "missing session field `adapter`; expected `adapter: env(\"DATABASE_URL\")`",
        );
    }
}

/// `adapter:` is a database URL for the runtime's adapters (`env("DATABASE_URL")`,
/// `env_or("DATABASE_URL", "sqlite://…")` or a literal), or a path to the user's `async fn`
/// building their own, whose signature the expansion checks where it passes it.
fn check_adapter(cx: &Ctxt, value: &ValueInput) -> Option<AdapterSource> {
    if let ValueInput::Path(path) = value {
        return Some(AdapterSource::Custom(path.clone()));
    }
    let rules = SettingRules {
        what: "`env(\"DATABASE_URL\")`, a `sqlite:` or `postgres://` URL, or a path to an async fn",
        env_or_example: "env_or(\"DATABASE_URL\", \"sqlite://auth.db?mode=rwc\")",
    };
    check_setting(cx, value, &rules, literals::check_database_url).map(AdapterSource::Url)
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::*;
    use crate::validate::test_support::{block, database_block, describe_setting, errors, valid};

    /// The adapter and ages of a valid block with database sessions.
    fn database_model(tokens: TokenStream) -> (AdapterSource, u64, u64) {
        let SessionStrategy::Database {
            adapter,
            max_age,
            update_age,
            ..
        } = valid(tokens).session
        else {
            panic!("database sessions expected");
        };
        (adapter, max_age.secs, update_age.secs)
    }

    fn credentials() -> TokenStream {
        quote!(c: Credentials { fields: { u: text("U") }, authorize: f })
    }

    /// The `cache:` of a valid block with database sessions, in seconds.
    fn cache_of(session: TokenStream) -> Option<u64> {
        match valid(database_block(session, credentials())).session {
            SessionStrategy::Database { cache, .. } => cache.map(|c| c.secs),
            SessionStrategy::Jwt { .. } => panic!("database sessions expected"),
        }
    }

    #[test]
    fn the_session_cache_is_off_by_default_and_at_most_update_age() {
        assert_eq!(cache_of(quote!(adapter: env("DATABASE_URL"))), None);
        assert_eq!(
            cache_of(quote!(adapter: env("DATABASE_URL"), cache: seconds(30))),
            Some(30)
        );
        assert_eq!(
            cache_of(
                quote!(adapter: env("DATABASE_URL"), update_age: minutes(5), cache: minutes(5))
            ),
            Some(300)
        );
        let errors_of = |session: TokenStream| errors(database_block(session, credentials()));
        assert_eq!(
            errors_of(
                quote!(adapter: env("DATABASE_URL"), update_age: minutes(1), cache: minutes(2))
            ),
            [
                "`cache` must not be longer than `update_age` (1 minute): the stored expiry moves only when a read reaches the database"
            ]
        );
        assert_eq!(
            errors_of(quote!(adapter: env("DATABASE_URL"), cache: seconds(0))),
            ["duration must be greater than zero"]
        );
        assert_eq!(
            errors(block(quote!(session: jwt { cache: seconds(30) }))),
            ["unknown session field `cache`; expected one of `max_age`, `update_age`, `adapter`"]
        );
    }

    #[test]
    fn session_strategies_are_jwt_and_database_each_with_its_fields() {
        assert_eq!(
            errors(block(quote!(session: databse { max_age: days(30) }))),
            [
                "unknown session strategy `databse`; did you mean `database`? expected one of `jwt`, `database`"
            ]
        );
        valid(block(quote!(session: jwt)));
        let SessionStrategy::Jwt {
            store: Some(AdapterSource::Url(url)),
            update_age,
            ..
        } = valid(block(
            quote!(session: jwt { adapter: env("DATABASE_URL"), update_age: hours(1) }),
        ))
        .session
        else {
            panic!("JWT sessions with a store expected");
        };
        assert_eq!(describe_setting(&url), "env DATABASE_URL");
        assert_eq!(update_age.secs, 3600);
        assert_eq!(
            errors(block(quote!(session: jwt { max_ages: days(1) }))),
            [
                "unknown session field `max_ages`; did you mean `max_age`? expected one of `max_age`, `update_age`, `adapter`"
            ]
        );
    }

    #[test]
    fn update_age_is_at_most_max_age() {
        let database =
            |ages: TokenStream| block(quote!(session: database { adapter: env("D"), #ages }));
        assert_eq!(
            errors(database(quote!(max_age: hours(1), update_age: days(1)))),
            ["`update_age` must not be longer than `max_age` (1 hour)"]
        );
        assert_eq!(
            errors(database(quote!(update_age: days(31)))),
            ["`update_age` must not be longer than `max_age` (30 days)"]
        );
        // An invalid max_age is reported alone, not compared with the default.
        assert_eq!(
            errors(database(quote!(max_age: days(0), update_age: days(31)))),
            ["duration must be greater than zero"]
        );
        valid(database(quote!(max_age: days(1), update_age: hours(24))));
    }

    #[test]
    fn update_age_has_no_place_in_jwt_sessions_without_a_store() {
        assert_eq!(
            errors(block(
                quote!(session: jwt { max_age: days(1), update_age: hours(1) })
            )),
            [
                "`update_age` has no effect with `jwt` sessions without `adapter`: the token is re-issued on every session read; remove it, add `adapter:` to record sessions for revocation, or use `database` sessions"
            ]
        );
        valid(block(quote!(session: jwt { max_age: days(1) })));
        valid(block(
            quote!(session: jwt { adapter: env("D"), max_age: days(1), update_age: hours(1) }),
        ));
        assert_eq!(
            errors(block(
                quote!(session: jwt { adapter: env("D"), max_age: hours(1), update_age: days(1) })
            )),
            ["`update_age` must not be longer than `max_age` (1 hour)"]
        );
    }

    #[test]
    fn database_sessions_take_a_url_or_an_adapter_fn_and_nextauths_default_ages() {
        for (adapter, expected) in [
            (quote!(env("DATABASE_URL")), "env DATABASE_URL"),
            (
                quote!(env_or("DATABASE_URL", "sqlite://auth-demo.db?mode=rwc")),
                "env DATABASE_URL or sqlite://auth-demo.db?mode=rwc",
            ),
            (quote!("sqlite::memory:"), "literal sqlite::memory:"),
            (quote!("sqlite:auth.db"), "literal sqlite:auth.db"),
            (
                quote!("postgresql:///auth?host=/run/postgresql"),
                "literal postgresql:///auth?host=/run/postgresql",
            ),
            (
                quote!("postgres://app@localhost/auth"),
                "literal postgres://app@localhost/auth",
            ),
        ] {
            let (source, max_age, update_age) =
                database_model(database_block(quote!(adapter: #adapter), credentials()));
            let AdapterSource::Url(url) = source else {
                panic!("a URL expected");
            };
            assert_eq!(describe_setting(&url), expected);
            assert_eq!((max_age, update_age), (2_592_000, 86_400));
        }
        let (source, max_age, update_age) = database_model(database_block(
            quote!(max_age: days(7), adapter: crate::db::connect, update_age: hours(1)),
            credentials(),
        ));
        let AdapterSource::Custom(path) = source else {
            panic!("an adapter fn expected");
        };
        assert_eq!(path.to_token_stream().to_string(), "crate :: db :: connect");
        assert_eq!((max_age, update_age), (604_800, 3_600));
    }

    #[test]
    fn database_sessions_need_an_adapter_and_know_their_fields() {
        let missing = "missing session field `adapter`; expected `adapter: env(\"DATABASE_URL\")`";
        assert_eq!(errors(block(quote!(session: database))), [missing]);
        assert_eq!(
            errors(block(quote!(session: database { max_age: days(1) }))),
            [missing]
        );
        // A misspelled adapter is reported once, with its suggestion.
        assert_eq!(
            errors(block(
                quote!(session: database { adaptor: env("DATABASE_URL") })
            )),
            [
                "unknown session field `adaptor`; did you mean `adapter`? expected one of `adapter`, `max_age`, `update_age`, `cache`"
            ]
        );
        assert_eq!(
            errors(database_block(
                quote!(adapter: env("DATABASE_URL"), pool_size: 5),
                credentials()
            )),
            [
                "unknown session field `pool_size`; expected one of `adapter`, `max_age`, `update_age`, `cache`"
            ]
        );
        assert_eq!(
            errors(database_block(
                quote!(adapter: env("DATABASE_URL"), max_age: hours(1), update_age: days(1)),
                credentials()
            )),
            ["`update_age` must not be longer than `max_age` (1 hour)"]
        );
        assert_eq!(
            errors(database_block(
                quote!(adapter: env("DATABASE_URL"), max_age: weeks(1)),
                credentials()
            )),
            [
                "unknown duration unit `weeks`; expected one of `seconds`, `minutes`, `hours`, `days`"
            ]
        );
    }

    #[test]
    fn a_literal_database_url_names_an_adapter_and_no_password() {
        let adapter =
            |value: TokenStream| errors(database_block(quote!(adapter: #value), credentials()));
        let scheme = "expected a `sqlite:` or `postgres://` URL";
        for url in [
            "mysql://localhost/auth",
            "auth.db",
            "",
            "SQLITE::memory:",
            "mongodb://localhost/auth",
        ] {
            assert_eq!(adapter(quote!(#url)), [scheme], "{url}");
        }
        let password = "literal password in the database URL; read the URL from the environment with `env(\"DATABASE_URL\")`";
        for url in [
            "postgres://app:hunter2@localhost/auth",
            "postgresql://app:hunter2@localhost/auth",
        ] {
            assert_eq!(adapter(quote!(#url)), [password], "{url}");
        }
        assert_eq!(
            adapter(quote!(
                "postgres://localhost/auth?user=app&password=hunter2"
            )),
            [password]
        );
        // An `env_or` default is a literal too.
        assert_eq!(
            adapter(quote!(env_or("DATABASE_URL", "mysql://localhost/auth"))),
            [scheme]
        );
        assert_eq!(
            adapter(quote!(env_or("DATABASE_URL"))),
            [
                "expected a variable name and a default value, as in `env_or(\"DATABASE_URL\", \"sqlite://auth.db?mode=rwc\")`"
            ]
        );
        assert_eq!(
            adapter(quote!(envv("DATABASE_URL"))),
            ["unknown function `envv`; did you mean `env`? expected one of `env`, `env_or`"]
        );
        assert_eq!(
            adapter(quote!(5)),
            [
                "expected `env(\"DATABASE_URL\")`, a `sqlite:` or `postgres://` URL, or a path to an async fn, found an integer"
            ]
        );
    }
}
