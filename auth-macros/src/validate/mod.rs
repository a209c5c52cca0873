//! Raw input to model: gives each word its meaning and checks every rule of the DSL. Each rule
//! is a `check_*` function whose first line says the rule and why; errors go into the [`Ctxt`],
//! so one pass reports every mistake. The result is a best-effort [`Config`]: when there were
//! errors it is used only for the stub items, so invalid parts fall back to defaults.
//!
//! Here: the entry and the top-level keys (unknown, duplicate and missing keys, "did you mean",
//! and the keys with no grammar of their own). Each part of the grammar has its file: `session`,
//! `roles`, `providers/` (a file per family of kinds), `hooks` (`callbacks`, `events`, `pages`) and
//! `throttle`; beside them `literals` (the rules of literal strings), `env` (values read at
//! start-up), `duration` (`days(30)`) and `values` (the shapes every part takes).

mod cookies;
mod duration;
mod env;
mod hooks;
mod literals;
mod providers;
mod roles;
mod session;
#[cfg(test)]
mod test_support;
mod throttle;
mod values;

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{Attribute, Ident, Lit, Path};

use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{
    Callback, CallbackKind, Config, CookieFormat, EnvVar, Event, EventKind, Provider, ProviderKind,
    SessionStrategy,
};
use crate::parse::{AuthInput, EntryInput, KeyInput, ValueInput};
use cookies::check_cookies;
use env::check_env;
use hooks::check_hooks;
use providers::{
    check_email_has_database_sessions, check_passkey_has_database_sessions, check_providers,
};
use roles::check_roles;
use session::check_session;
use throttle::check_throttle;
use values::{check_literal, expect_str, expected};

/// The default base path, as NextAuth.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";

/// Validates a parsed block; errors go into `cx`.
pub fn validate(cx: &Ctxt, input: &AuthInput) -> Config {
    let keys = check_keys(cx, &input.entries, kw::TOP_LEVEL_KEYS, "key");
    let module = keys
        .value(kw::MODULE)
        .and_then(|v| check_module(cx, v))
        .unwrap_or_else(default_module);
    let krate = keys
        .value(kw::CRATE)
        .and_then(|v| check_crate(cx, v))
        .unwrap_or_else(default_crate);
    let base_path = keys
        .value(kw::BASE_PATH)
        .and_then(|v| check_base_path(cx, v))
        .unwrap_or_else(|| DEFAULT_BASE_PATH.to_owned());
    let secrets = keys.value(kw::SECRET).map(|value| check_secret(cx, value));
    // `Some(None)`: given but invalid, so no rule depending on the strategy is checked.
    let session = keys.value(kw::SESSION).map(|v| check_session(cx, v));
    let jwt_sessions = matches!(session, None | Some(Some(SessionStrategy::Jwt { .. })));
    let cookies = keys
        .value(kw::COOKIES)
        .and_then(|v| check_cookies(cx, v, jwt_sessions))
        .unwrap_or_default();
    // A block writing Auth.js v5's cookies may leave `secret:` out: v5's variables are read.
    let secrets = match secrets {
        Some(secrets) => secrets,
        None if cookies.write == CookieFormat::AuthJsV5 => Vec::new(),
        None => {
            let example = "secret: env(\"NEXTAUTH_SECRET\")";
            check_required_key(cx, &keys, input.first_span, kw::SECRET, example);
            Vec::new()
        }
    };
    let session_data = keys
        .value(kw::SESSION_DATA)
        .and_then(|v| check_session_data(cx, v));
    let roles = keys
        .value(kw::ROLES)
        .map(|v| check_roles(cx, v))
        .unwrap_or_default();
    let (providers, provider_names) = match keys.value(kw::PROVIDERS) {
        Some(value) => check_providers(cx, value),
        None => {
            let example = "providers: { credentials: Credentials { … } }";
            check_required_key(cx, &keys, input.first_span, kw::PROVIDERS, example);
            (Vec::new(), Vec::new())
        }
    };
    if let (Some(value), true) = (keys.value(kw::PROVIDERS), jwt_sessions) {
        check_email_has_database_sessions(cx, value);
        check_passkey_has_database_sessions(cx, value);
    }
    let callbacks = keys
        .value(kw::CALLBACKS)
        .map(|v| check_hooks(cx, v, &hooks::CALLBACKS))
        .unwrap_or_default();
    if let Some(Some(SessionStrategy::Database { .. })) = &session {
        check_no_token_with_database_sessions(cx, &callbacks, keys.value(kw::SESSION_DATA));
    }
    let events = keys
        .value(kw::EVENTS)
        .map(|v| check_hooks(cx, v, &hooks::EVENTS))
        .unwrap_or_default();
    // Judged only when every provider is valid: one with errors may be the OAuth one.
    if providers.len() == provider_names.len() {
        check_refresh_has_an_oauth_provider(cx, &events, &providers);
    }
    if jwt_sessions {
        check_store_events_have_a_store(cx, &events);
        if let Some(pages) = keys.value(kw::PAGES) {
            check_new_user_page_has_a_store(cx, pages);
        }
    }
    let pages = keys
        .value(kw::PAGES)
        .map(|v| check_hooks(cx, v, &hooks::PAGES))
        .unwrap_or_default();
    let throttle = keys.value(kw::THROTTLE).and_then(|v| check_throttle(cx, v));
    Config {
        module,
        krate,
        base_path,
        secrets,
        session: session.flatten().unwrap_or_default(),
        session_data,
        roles,
        providers,
        provider_names,
        callbacks,
        events,
        pages,
        throttle,
        cookies,
    }
}

/// Database sessions keep no token: the `jwt` callback would never run and `session_data`
/// (carried in the token) would always be its `Default`, so both are mistakes there. The
/// session's shape is the `session` callback's business.
fn check_no_token_with_database_sessions(
    cx: &Ctxt,
    callbacks: &[Callback],
    session_data: Option<&ValueInput>,
) {
    for callback in callbacks.iter().filter(|c| c.kind == CallbackKind::Jwt) {
        cx.error(
            &callback.path,
            "the `jwt` callback never runs with `database` sessions, which keep no token; shape the session in the `session` callback, or use `jwt` sessions",
        );
    }
    if let Some(value) = session_data {
        cx.error(
            value,
            "`session_data` is carried in the session token, which `database` sessions do not have; remove it, or use `jwt` sessions",
        );
    }
}

/// The `refresh` event reports refreshes of OAuth providers' access tokens: without such a
/// provider it would never fire.
fn check_refresh_has_an_oauth_provider(cx: &Ctxt, events: &[Event], providers: &[Provider]) {
    if providers
        .iter()
        .any(|p| matches!(p.kind, ProviderKind::OAuth(_)))
    {
        return;
    }
    for event in events.iter().filter(|e| e.kind == EventKind::Refresh) {
        cx.error(
            &event.path,
            "the `refresh` event reports refreshes of an OAuth or OpenID Connect provider's access token, and this block declares none; it would never fire",
        );
    }
}

/// `create_user`, `update_user` and `link_account` report writes to the store, which JWT
/// sessions do not have: declared there, they would never fire.
fn check_store_events_have_a_store(cx: &Ctxt, events: &[Event]) {
    for event in events {
        let name = match event.kind {
            EventKind::CreateUser => kw::CREATE_USER,
            EventKind::UpdateUser => kw::UPDATE_USER,
            EventKind::LinkAccount => kw::LINK_ACCOUNT,
            EventKind::SignIn
            | EventKind::SignOut
            | EventKind::Session
            | EventKind::Error
            | EventKind::Refresh => {
                continue;
            }
        };
        cx.error(
            &event.path,
            format!(
                "the `{name}` event fires only with `database` sessions, which store users and accounts; with `jwt` sessions it would never fire"
            ),
        );
    }
}

/// The `new_user` page is shown on a user's first sign-in, which only a store knows: with
/// JWT sessions it would never be shown.
fn check_new_user_page_has_a_store(cx: &Ctxt, pages: &ValueInput) {
    let ValueInput::Map(map) = pages else {
        return;
    };
    for entry in map.entries.iter().filter(|e| e.key.name() == kw::NEW_USER) {
        cx.error(
            &entry.value,
            "the `new_user` page is shown on a user's first sign-in, which only `database` sessions know; with `jwt` sessions it would never be shown",
        );
    }
}

/// The module's name when `module:` is not given.
pub fn default_module() -> Ident {
    Ident::new("auth", Span::call_site())
}

/// The runtime's path when `crate:` is not given.
pub fn default_crate() -> Path {
    syn::parse_quote!(::auth_runtime)
}

/// The known entries of a `key: value` list, by key.
struct Entries<'a> {
    found: Vec<(&'static str, &'a EntryInput)>,
    /// Keys suggested for misspelled ones: already reported, so not reported missing too.
    suggested: Vec<&'static str>,
}

impl<'a> Entries<'a> {
    fn value(&self, key: &str) -> Option<&'a ValueInput> {
        self.found
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, entry)| &entry.value)
    }

    /// The key of an entry that was given, where an error about the entry itself points.
    fn key(&self, key: &str) -> Option<&'a crate::parse::KeyInput> {
        self.found
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, entry)| &entry.key)
    }

    /// The entries of `keys` that were given, in declaration order.
    fn given(&self, keys: &[&str]) -> Vec<(&'static str, &'a EntryInput)> {
        self.found
            .iter()
            .filter(|(k, _)| keys.contains(k))
            .copied()
            .collect()
    }

    /// Whether `key` is missing and not explained by a misspelling already reported.
    fn is_missing(&self, key: &str) -> bool {
        self.value(key).is_none() && !self.suggested.contains(&key)
    }
}

/// A `key: value` list has only the keys of `allowed`, each once, as identifiers without
/// attributes: an unknown or repeated key would be silently ignored. Returns the known entries.
fn check_keys<'a>(
    cx: &Ctxt,
    entries: impl IntoIterator<Item = &'a EntryInput>,
    allowed: &[&'static str],
    what: &str,
) -> Entries<'a> {
    let mut found: Vec<(&'static str, &'a EntryInput)> = Vec::new();
    let mut suggested = Vec::new();
    for entry in entries {
        check_no_attributes(cx, &entry.attrs);
        if !check_key_is_identifier(cx, &entry.key, allowed) {
            continue;
        }
        let name = entry.key.name();
        let Some(key) = check_known_key(cx, &entry.key, &name, allowed, what) else {
            suggested.extend(closest(&name, allowed));
            continue;
        };
        if check_unique_key(cx, &entry.key, key, &found, what) {
            found.push((key, entry));
        }
    }
    Entries { found, suggested }
}

/// Keys are identifiers (only provider ids may be strings), so the block reads like Rust.
fn check_key_is_identifier(cx: &Ctxt, key: &KeyInput, allowed: &[&str]) -> bool {
    match key {
        KeyInput::Ident(_) => true,
        KeyInput::Str(lit) => {
            let example = allowed.first().copied().unwrap_or("key");
            cx.error(
                lit,
                format!("expected a key such as `{example}`, found a string"),
            );
            false
        }
    }
}

/// Every key has a meaning; a typo must not be silently ignored, so name the closest key.
fn check_known_key(
    cx: &Ctxt,
    key: &KeyInput,
    name: &str,
    allowed: &[&'static str],
    what: &str,
) -> Option<&'static str> {
    let known = allowed.iter().copied().find(|k| *k == name);
    if known.is_none() {
        cx.error(key, unknown(what, name, allowed));
    }
    known
}

/// A key appears at most once; a second value would silently win, so flag the second.
fn check_unique_key(
    cx: &Ctxt,
    key: &KeyInput,
    name: &str,
    found: &[(&str, &EntryInput)],
    what: &str,
) -> bool {
    let duplicate = found.iter().any(|(k, _)| *k == name);
    if duplicate {
        cx.error(key, format!("duplicate {what} `{name}`"));
    }
    !duplicate
}

/// Attributes mean something only on providers (`#[optional]`); elsewhere they would be ignored.
fn check_no_attributes(cx: &Ctxt, attrs: &[Attribute]) {
    for attr in attrs.iter().filter(|a| !a.path().is_ident(kw::DOC)) {
        cx.error(
            attr,
            "attributes are allowed only on providers, as in `#[optional]`",
        );
    }
}

/// A required top-level key is present, or nothing could run; the error goes on the block.
/// A misspelling of the key was already reported with a suggestion, so it is not repeated.
fn check_required_key(cx: &Ctxt, keys: &Entries, block: Span, key: &str, example: &str) {
    if keys.is_missing(key) {
        cx.error_at(block, format!("missing key `{key}`; expected `{example}`"));
    }
}

/// `module:` is a plain identifier: it becomes `pub mod <name>`.
fn check_module(cx: &Ctxt, value: &ValueInput) -> Option<Ident> {
    match value {
        ValueInput::Path(path) if path.get_ident().is_some() => path.get_ident().cloned(),
        other => {
            expected(cx, other, "a module name such as `auth`");
            None
        }
    }
}

/// `crate:` is a path without generics: the runtime crate under the name this crate uses.
fn check_crate(cx: &Ctxt, value: &ValueInput) -> Option<Path> {
    match value {
        ValueInput::Path(path) if path.segments.iter().all(|s| s.arguments.is_none()) => {
            Some(path.clone())
        }
        other => {
            expected(
                cx,
                other,
                "a path to the runtime crate such as `::auth_runtime`",
            );
            None
        }
    }
}

/// `base_path:` is a string that is an absolute URL path without a trailing `/`
/// ([`literals::check_base_path`]): the routes are `<base>/<action>`.
fn check_base_path(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a base path such as `\"/api/auth\"`")?;
    check_literal(cx, lit, literals::check_base_path)
}

/// The secret is read from the environment at start-up (a list rotates: the first signs, any
/// verifies); a literal would ship the key inside the binary and its repository.
fn check_secret(cx: &Ctxt, value: &ValueInput) -> Vec<EnvVar> {
    match value {
        ValueInput::List(list) => {
            if list.items.is_empty() {
                cx.error_at(
                    list.bracket.span.join(),
                    "expected at least one secret, as in `[env(\"NEXTAUTH_SECRET\")]`",
                );
            }
            let vars: Vec<EnvVar> = list
                .items
                .iter()
                .filter_map(|item| check_secret_item(cx, item))
                .collect();
            check_unique_secrets(cx, &vars);
            vars
        }
        single => check_secret_item(cx, single).into_iter().collect(),
    }
}

/// One secret is `env("NAME")`, never a literal, which would ship the key inside the binary.
fn check_secret_item(cx: &Ctxt, value: &ValueInput) -> Option<EnvVar> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            cx.error(
                lit,
                "literal secret; read it from the environment with `env(\"NEXTAUTH_SECRET\")`",
            );
            None
        }
        ValueInput::Call(_) => check_env(cx, value),
        other => {
            expected(
                cx,
                other,
                "`env(\"NEXTAUTH_SECRET\")` or a list of them for rotation",
            );
            None
        }
    }
}

/// Each secret variable is listed once: a repeated one is a rotation mistake.
fn check_unique_secrets(cx: &Ctxt, vars: &[EnvVar]) {
    for (i, var) in vars.iter().enumerate() {
        if vars[..i].iter().any(|earlier| earlier.name == var.name) {
            cx.error_at(
                var.span,
                format!("duplicate secret variable `{}`", var.name),
            );
        }
    }
}

/// The well-formed roles of a `roles:` set in a block that does not parse, for the stub items
/// (the errors are the parse error's business).
pub fn salvage_roles(set: &crate::parse::SetInput) -> Vec<crate::model::Role> {
    let cx = Ctxt::new();
    let roles = roles::check_role_set(&cx, set);
    let _ = cx.check();
    roles
}

/// `session_data:` is a type path; the expansion asserts it can be carried in the token.
fn check_session_data(cx: &Ctxt, value: &ValueInput) -> Option<Path> {
    match value {
        ValueInput::Path(path) => Some(path.clone()),
        other => {
            expected(cx, other, "a type path such as `crate::Claims`");
            None
        }
    }
}

/// "unknown {what} `word`; [did you mean `x`? ]expected one of `a`, `b`".
fn unknown(what: &str, word: &str, candidates: &[&str]) -> String {
    let list = candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let expected = match candidates.len() {
        1 => format!("expected {list}"),
        _ => format!("expected one of {list}"),
    };
    let word = if word.is_empty() { "…" } else { word };
    match closest(word, candidates) {
        Some(close) => format!("unknown {what} `{word}`; did you mean `{close}`? {expected}"),
        None => format!("unknown {what} `{word}`; {expected}"),
    }
}

/// The candidate closest to `word` when it is close enough to be a typo (case-insensitive
/// edit distance, adjacent transpositions counting once, at most a third of its length).
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &c.to_lowercase()), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions, transpositions.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d: HashMap<(usize, usize), usize> = HashMap::new();
    for i in 0..=a.len() {
        d.insert((i, 0), i);
    }
    for j in 0..=b.len() {
        d.insert((0, j), j);
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[&(i - 1, j)] + 1)
                .min(d[&(i, j - 1)] + 1)
                .min(d[&(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[&(i - 2, j - 2)] + 1);
            }
            d.insert((i, j), best);
        }
    }
    d[&(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};

    use super::test_support::{block, errors, run, valid};
    use super::*;
    use crate::model::{CallbackKind, EventKind, PageKind, ProviderKind};

    #[test]
    fn a_minimal_block_gets_nextauths_defaults() {
        let config = valid(block(quote!()));
        assert_eq!(config.module.to_string(), "auth");
        assert_eq!(
            config.krate.to_token_stream().to_string(),
            ":: auth_runtime"
        );
        assert_eq!(config.base_path, "/api/auth");
        let SessionStrategy::Jwt {
            max_age,
            update_age,
            store: None,
        } = config.session
        else {
            panic!("JWT sessions without a store expected");
        };
        assert_eq!((max_age.secs, update_age.secs), (2_592_000, 86_400));
        assert!(config.session_data.is_none());
        let [provider] = config.providers.as_slice() else {
            panic!("one provider expected");
        };
        assert_eq!(provider.id, "credentials");
        assert_eq!(provider.variant.to_string(), "Credentials");
        assert_eq!(provider.name, "Credentials");
        assert!(!provider.optional);
    }

    #[test]
    fn the_new_user_page_needs_database_sessions() {
        assert_eq!(
            errors(block(quote!(pages: { new_user: "/welcome" },))),
            [
                "the `new_user` page is shown on a user's first sign-in, which only `database` sessions know; with `jwt` sessions it would never be shown"
            ]
        );
        valid(block(quote!(
            session: database { adapter: env("DATABASE_URL") },
            pages: { new_user: "/welcome" },
        )));
    }

    #[test]
    fn the_refresh_event_needs_an_oauth_provider() {
        assert_eq!(
            errors(block(quote!(events: { refresh: crate::r },))),
            [
                "the `refresh` event reports refreshes of an OAuth or OpenID Connect provider's access token, and this block declares none; it would never fire"
            ]
        );
        valid(quote!(
            secret: env("NEXTAUTH_SECRET"),
            providers: {
                github: GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
            },
            events: { refresh: crate::r },
        ));
    }

    #[test]
    fn store_events_need_database_sessions() {
        assert_eq!(
            errors(block(quote!(events: { link_account: crate::l },))),
            [
                "the `link_account` event fires only with `database` sessions, which store users and accounts; with `jwt` sessions it would never fire"
            ]
        );
        valid(block(quote!(
            session: database { adapter: env("DATABASE_URL") },
            events: { create_user: crate::c, update_user: crate::u, link_account: crate::l },
        )));
    }

    #[test]
    fn database_sessions_refuse_what_only_a_token_carries() {
        let database = quote!(session: database { adapter: env("DATABASE_URL") },);
        assert_eq!(
            errors(block(
                quote!(#database callbacks: { jwt: crate::j, session: crate::s },)
            )),
            [
                "the `jwt` callback never runs with `database` sessions, which keep no token; shape the session in the `session` callback, or use `jwt` sessions"
            ]
        );
        assert_eq!(
            errors(block(quote!(#database session_data: crate::Claims,))),
            [
                "`session_data` is carried in the session token, which `database` sessions do not have; remove it, or use `jwt` sessions"
            ]
        );
        valid(block(quote!(#database callbacks: { session: crate::s },)));
        valid(block(
            quote!(session_data: crate::Claims, callbacks: { jwt: crate::j },),
        ));
    }

    #[test]
    fn a_full_block_keeps_every_value_in_declaration_order() {
        let config = valid(quote! {
            module: my_auth,
            crate: ::renamed,
            base_path: "/auth",
            secret: [env("NEW"), env("OLD")],
            session: jwt { max_age: minutes(180) },
            session_data: crate::Claims,
            providers: {
                #[optional]
                "azure-ad": Credentials {
                    name: "Corp",
                    fields: { user: email("Email"), pin: password("PIN") },
                    authorize: crate::users::check,
                },
            },
            callbacks: { session: crate::s, jwt: crate::j },
            events: { sign_out: crate::o },
            pages: { error: "/oops", sign_in: "/login" },
        });
        assert_eq!(config.module.to_string(), "my_auth");
        assert_eq!(config.base_path, "/auth");
        let secrets: Vec<&str> = config.secrets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(secrets, ["NEW", "OLD"]);
        let SessionStrategy::Jwt {
            max_age,
            update_age,
            store: None,
        } = config.session
        else {
            panic!("JWT sessions without a store expected");
        };
        assert_eq!((max_age.secs, update_age.secs), (10_800, 86_400));
        let provider = &config.providers[0];
        assert_eq!(provider.variant.to_string(), "AzureAd");
        assert_eq!((provider.name.as_str(), provider.optional), ("Corp", true));
        let ProviderKind::Credentials { fields, authorize } = &provider.kind else {
            panic!("a credentials provider expected");
        };
        let fields: Vec<(&str, &str, &str)> = fields
            .iter()
            .map(|f| (f.key.as_str(), f.label.as_str(), f.input_type.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("user", "Email", "email"), ("pin", "PIN", "password")]
        );
        assert_eq!(
            authorize.to_token_stream().to_string(),
            "crate :: users :: check"
        );
        let callbacks: Vec<CallbackKind> = config.callbacks.iter().map(|c| c.kind).collect();
        assert_eq!(callbacks, [CallbackKind::Session, CallbackKind::Jwt]);
        assert_eq!(config.events[0].kind, EventKind::SignOut);
        let pages: Vec<(PageKind, &str)> = config
            .pages
            .iter()
            .map(|p| (p.page, p.path.as_str()))
            .collect();
        assert_eq!(
            pages,
            [(PageKind::Error, "/oops"), (PageKind::SignIn, "/login")]
        );
    }

    #[test]
    fn an_unknown_key_names_the_closest_and_every_key() {
        assert_eq!(
            errors(block(quote!(sesion: jwt))),
            [
                "unknown key `sesion`; did you mean `session`? expected one of `module`, `crate`, `base_path`, `secret`, `session`, `session_data`, `roles`, `providers`, `callbacks`, `events`, `pages`, `throttle`, `cookies`"
            ]
        );
    }

    #[test]
    fn an_unknown_key_far_from_every_key_gets_no_suggestion() {
        let errors = errors(block(quote!(colour: red)));
        assert!(
            errors[0].starts_with("unknown key `colour`; expected one of `module`"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_misspelled_required_key_is_reported_once() {
        let errors = errors(quote! {
            secrets: env("NEXTAUTH_SECRET"),
            providers: { c: Credentials { fields: { u: text("U") }, authorize: f } },
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("unknown key `secrets`; did you mean `secret`?"));
    }

    #[test]
    fn missing_required_keys_are_each_reported() {
        assert_eq!(
            errors(quote!(base_path: "/auth")),
            [
                "missing key `secret`; expected `secret: env(\"NEXTAUTH_SECRET\")`",
                "missing key `providers`; expected `providers: { credentials: Credentials { … } }`",
            ]
        );
    }

    #[test]
    fn a_duplicate_key_is_reported_and_the_first_value_kept() {
        let (config, errors) = run(block(quote!(base_path: "/a", base_path: "/b")));
        assert_eq!(errors, ["duplicate key `base_path`"]);
        assert_eq!(config.base_path, "/a");
    }

    #[test]
    fn a_string_key_is_only_for_provider_ids() {
        assert_eq!(
            errors(block(quote!("pages": {}))),
            ["expected a key such as `module`, found a string"]
        );
    }

    #[test]
    fn a_literal_secret_is_refused() {
        let errors = errors(quote! {
            secret: "hunter2",
            providers: { c: Credentials { fields: { u: text("U") }, authorize: f } },
        });
        assert_eq!(
            errors,
            ["literal secret; read it from the environment with `env(\"NEXTAUTH_SECRET\")`"]
        );
    }

    #[test]
    fn secret_lists_are_non_empty_and_without_repeats() {
        let providers =
            quote!(providers: { c: Credentials { fields: { u: text("U") }, authorize: f } });
        assert_eq!(
            errors(quote!(secret: [], #providers)),
            ["expected at least one secret, as in `[env(\"NEXTAUTH_SECRET\")]`"]
        );
        assert_eq!(
            errors(quote!(secret: [env("A"), "lit", env("A")], #providers)),
            [
                "literal secret; read it from the environment with `env(\"NEXTAUTH_SECRET\")`",
                "duplicate secret variable `A`",
            ]
        );
    }

    #[test]
    fn base_paths_are_absolute_without_trailing_slash() {
        for (path, message) in [
            (
                "api/auth",
                "base path must start with `/`, as in `/api/auth`",
            ),
            ("", "base path must start with `/`, as in `/api/auth`"),
            ("/", "base path must not end with `/`"),
            ("/api/auth/", "base path must not end with `/`"),
            ("/api//auth", "base path must not contain `//`"),
            (
                "/api?x",
                "base path must not contain `?`, `#` or whitespace",
            ),
            (
                "/api auth",
                "base path must not contain `?`, `#` or whitespace",
            ),
        ] {
            assert_eq!(errors(block(quote!(base_path: #path))), [message], "{path}");
        }
        assert_eq!(valid(block(quote!(base_path: "/a/b"))).base_path, "/a/b");
    }

    #[test]
    fn attributes_elsewhere_are_refused() {
        assert_eq!(
            errors(block(quote!(#[optional] pages: { sign_in: "/login" }))),
            ["attributes are allowed only on providers, as in `#[optional]`"]
        );
    }

    #[test]
    fn values_of_the_wrong_shape_say_what_was_expected() {
        assert_eq!(
            errors(block(quote!(module: "auth"))),
            ["expected a module name such as `auth`, found a string"]
        );
        assert_eq!(
            errors(block(quote!(session_data: { a: b }))),
            ["expected a type path such as `crate::Claims`, found a `{ … }` map"]
        );
        assert_eq!(
            errors(block(quote!(crate: auth_runtime<u8>))),
            ["expected a path to the runtime crate such as `::auth_runtime`, found a path"]
        );
    }

    #[test]
    fn independent_mistakes_are_all_reported() {
        let errors = errors(quote! {
            secret: "hunter2",
            base_path: "api",
            providers: { c: Credentials { fields: { u: txt("U") } } },
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn suggestions_tolerate_a_typo_per_three_letters_and_ignore_case() {
        assert_eq!(closest("sesion", kw::TOP_LEVEL_KEYS), Some("session"));
        assert_eq!(closest("SECRET", kw::TOP_LEVEL_KEYS), Some("secret"));
        assert_eq!(
            closest("Credentails", &["Credentials"]),
            Some("Credentials")
        );
        assert_eq!(closest("xyz", kw::TOP_LEVEL_KEYS), None);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
