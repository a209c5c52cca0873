//! Raw input to model: gives each word its meaning and checks every rule of the DSL. Each rule
//! is a `check_*` function whose first line says the rule and why; errors go into the [`Ctxt`],
//! so one pass reports every mistake. The result is a best-effort [`Config`]: when there were
//! errors it is used only for the stub items, so invalid parts fall back to defaults.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{Attribute, Ident, Lit, LitStr, Meta, Path};

use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{
    Callback, CallbackKind, Config, CredentialField, Duration, EnvVar, Event, EventKind, PageKind,
    PageOverride, Provider, ProviderKind, ProviderName, SessionStrategy,
};
use crate::parse::{AuthInput, EntryInput, KeyInput, MapInput, ValueInput};

/// The default base path, as NextAuth.
pub const DEFAULT_BASE_PATH: &str = "/api/auth";

/// One provider kind: its name, its default display name, and the fields it takes beside
/// `name`. Adding a kind (`OAuth`, `GitHub`, `Email`, …) is adding a row and its `build` fn.
struct KindRow {
    kind: &'static str,
    default_name: &'static str,
    fields: &'static [FieldRow],
    build: fn(&Ctxt, &Entries) -> Option<ProviderKind>,
}

/// A field a provider kind takes; `example` completes "expected `…`" in messages.
struct FieldRow {
    key: &'static str,
    required: bool,
    example: &'static str,
}

/// The provider kinds, in the order error messages list them.
const PROVIDER_KINDS: &[KindRow] = &[KindRow {
    kind: "Credentials",
    default_name: "Credentials",
    fields: &[
        FieldRow {
            key: "fields",
            required: true,
            example: "fields: { username: text(\"Username\"), password: password(\"Password\") }",
        },
        FieldRow {
            key: "authorize",
            required: true,
            example: "authorize: crate::path::to::async_fn",
        },
    ],
    build: build_credentials,
}];

/// Every provider kind takes these fields.
const COMMON_PROVIDER_FIELDS: &[&str] = &["name"];

/// Validates a parsed block; errors go into `cx`.
pub fn validate(cx: &Ctxt, input: &AuthInput) -> Config {
    let keys = check_keys(cx, &input.entries, kw::TOP_LEVEL_KEYS, "key");
    let module = keys
        .value("module")
        .and_then(|v| check_module(cx, v))
        .unwrap_or_else(default_module);
    let krate = keys
        .value("crate")
        .and_then(|v| check_crate(cx, v))
        .unwrap_or_else(default_crate);
    let base_path = keys
        .value("base_path")
        .and_then(|v| check_base_path(cx, v))
        .unwrap_or_else(|| DEFAULT_BASE_PATH.to_owned());
    let secrets = match keys.value("secret") {
        Some(value) => check_secret(cx, value),
        None => {
            let example = "secret: env(\"NEXTAUTH_SECRET\")";
            check_required_key(cx, &keys, input.first_span, "secret", example);
            Vec::new()
        }
    };
    let session = keys
        .value("session")
        .and_then(|v| check_session(cx, v))
        .unwrap_or_default();
    let session_data = keys
        .value("session_data")
        .and_then(|v| check_session_data(cx, v));
    let (providers, provider_names) = match keys.value("providers") {
        Some(value) => check_providers(cx, value),
        None => {
            let example = "providers: { credentials: Credentials { … } }";
            check_required_key(cx, &keys, input.first_span, "providers", example);
            (Vec::new(), Vec::new())
        }
    };
    let callbacks = keys
        .value("callbacks")
        .map(|v| check_callbacks(cx, v))
        .unwrap_or_default();
    let events = keys
        .value("events")
        .map(|v| check_events(cx, v))
        .unwrap_or_default();
    let pages = keys
        .value("pages")
        .map(|v| check_pages(cx, v))
        .unwrap_or_default();
    Config {
        module,
        krate,
        base_path,
        secrets,
        session,
        session_data,
        providers,
        provider_names,
        callbacks,
        events,
        pages,
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

    /// Whether `key` is missing and not explained by a misspelling already reported.
    fn is_missing(&self, key: &str) -> bool {
        self.value(key).is_none() && !self.suggested.contains(&key)
    }
}

/// Checks the keys of a `key: value` list against `allowed` and returns the known entries.
fn check_keys<'a>(
    cx: &Ctxt,
    entries: &'a [EntryInput],
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
    for attr in attrs.iter().filter(|a| !a.path().is_ident("doc")) {
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

/// The base path is an absolute URL path without a trailing `/`, because the routes are
/// `<base>/<action>` and NextAuth compares paths exactly.
fn check_base_path(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a base path such as `\"/api/auth\"`")?;
    let path = lit.value();
    let message = if !path.starts_with('/') {
        "base path must start with `/`, as in `/api/auth`"
    } else if path.ends_with('/') {
        "base path must not end with `/`"
    } else if path.contains("//") {
        "base path must not contain `//`"
    } else if path.contains(['?', '#']) || path.contains(char::is_whitespace) {
        "base path must not contain `?`, `#` or whitespace"
    } else {
        return Some(path);
    };
    cx.error(lit, message);
    None
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

/// One secret: `env("NAME")`, never a literal.
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

/// `env("NAME")` names a variable read at start-up; the name is what a shell can export.
fn check_env(cx: &Ctxt, value: &ValueInput) -> Option<EnvVar> {
    let ValueInput::Call(call) = value else {
        expected(cx, value, "`env(\"VARIABLE\")`");
        return None;
    };
    let func = call
        .func
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_default();
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

/// `session:` names a known strategy (`jwt`), optionally with `{ max_age, update_age }`.
fn check_session(cx: &Ctxt, value: &ValueInput) -> Option<SessionStrategy> {
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
    let name = kind.get_ident().map(Ident::to_string).unwrap_or_default();
    if !kw::SESSION_STRATEGIES.contains(&name.as_str()) {
        cx.error(
            kind,
            unknown("session strategy", &name, kw::SESSION_STRATEGIES),
        );
        return None;
    }
    let entries = body.map(|b| b.entries.as_slice()).unwrap_or_default();
    let fields = check_keys(cx, entries, kw::SESSION_FIELDS, "session field");
    // A `max_age` that is given but invalid already has its error; comparing `update_age`
    // with the default instead would report a second, misleading one.
    let max_age = match fields.value("max_age") {
        Some(value) => check_duration(cx, value),
        None => Some(Duration::DEFAULT_MAX_AGE),
    };
    let update_age = fields
        .value("update_age")
        .and_then(|value| {
            let update_age = check_duration(cx, value)?;
            if let Some(max_age) = max_age {
                check_update_age_within_max_age(cx, update_age, value, max_age);
            }
            Some(update_age)
        })
        .unwrap_or(Duration::DEFAULT_UPDATE_AGE);
    Some(SessionStrategy::Jwt {
        max_age: max_age.unwrap_or(Duration::DEFAULT_MAX_AGE),
        update_age,
    })
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

/// A duration is `unit(n)` with a known unit and an integer `n > 0`, so its length is explicit.
fn check_duration(cx: &Ctxt, value: &ValueInput) -> Option<Duration> {
    let units: Vec<&str> = kw::DURATION_UNITS.iter().map(|(unit, _)| *unit).collect();
    let ValueInput::Call(call) = value else {
        expected(cx, value, "a duration such as `days(30)`");
        return None;
    };
    let func = call
        .func
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_default();
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

/// `providers:` is a non-empty map of `id: Kind { … }`: with no provider nobody can sign in.
/// Returns the valid providers and the names of all providers whose id is valid.
fn check_providers(cx: &Ctxt, value: &ValueInput) -> (Vec<Provider>, Vec<ProviderName>) {
    let ValueInput::Map(map) = value else {
        expected(cx, value, "`{ credentials: Credentials { … } }`");
        return (Vec::new(), Vec::new());
    };
    if map.entries.is_empty() {
        cx.error_at(
            map.brace.span.join(),
            "expected at least one provider, such as `credentials: Credentials { … }`",
        );
    }
    let mut providers: Vec<Provider> = Vec::new();
    let mut names: Vec<ProviderName> = Vec::new();
    for (i, entry) in map.entries.iter().enumerate() {
        let id_ok = check_unique_provider_id(cx, &entry.key, &map.entries[..i])
            && check_provider_id(cx, &entry.key)
            && check_unique_variant(cx, &entry.key, &names);
        let provider = check_provider(cx, entry);
        if !id_ok {
            continue;
        }
        let id = entry.key.name();
        let name = ProviderName {
            variant: Ident::new(&variant_name(&id), entry.key.span()),
            id,
            name: provider
                .as_ref()
                .map_or_else(|| default_display_name(entry), |(name, _, _)| name.clone()),
        };
        if let Some((_, optional, kind)) = provider {
            providers.push(Provider {
                id: name.id.clone(),
                variant: name.variant.clone(),
                name: name.name.clone(),
                optional,
                kind,
            });
        }
        names.push(name);
    }
    (providers, names)
}

/// The display name of a provider whose body has errors, for the stub's docs.
fn default_display_name(entry: &EntryInput) -> String {
    match &entry.value {
        ValueInput::Struct(value) => value
            .kind
            .get_ident()
            .map_or_else(|| entry.key.name(), Ident::to_string),
        _ => entry.key.name(),
    }
}

/// Provider ids are unique, even ignoring case: they are URL segments and cookie values,
/// and `GitHub` beside `github` would be two providers a person cannot tell apart.
fn check_unique_provider_id(cx: &Ctxt, key: &KeyInput, earlier: &[EntryInput]) -> bool {
    let id = key.name();
    let same = earlier.iter().map(|e| e.key.name()).find(|e| *e == id);
    let same_but_case = earlier
        .iter()
        .map(|e| e.key.name())
        .find(|e| e.to_lowercase() == id.to_lowercase());
    if same.is_some() {
        cx.error(key, format!("duplicate provider id `{id}`"));
        false
    } else if let Some(other) = same_but_case {
        cx.error(
            key,
            format!("provider id `{id}` differs from `{other}` only in case"),
        );
        false
    } else {
        true
    }
}

/// A provider id is URL-safe (`[a-z0-9_-]`, starting with a letter or digit): it appears in
/// `/signin/<id>` and `/callback/<id>` and in the redirect URI registered with the provider.
fn check_provider_id(cx: &Ctxt, key: &KeyInput) -> bool {
    let id = key.name();
    let safe = id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !safe {
        cx.error(
            key,
            format!(
                "provider id `{id}` is not URL-safe; expected lower-case letters, digits, `_` and `-`, starting with a letter or digit"
            ),
        );
    }
    safe
}

/// Two ids must not become the same `ProviderId` variant (`azure-ad` and `azure_ad`).
fn check_unique_variant(cx: &Ctxt, key: &KeyInput, earlier: &[ProviderName]) -> bool {
    let id = key.name();
    let variant = variant_name(&id);
    match earlier.iter().find(|p| p.variant == variant) {
        Some(other) => {
            cx.error(
                key,
                format!(
                    "provider ids `{}` and `{id}` both become the variant `ProviderId::{variant}`",
                    other.id
                ),
            );
            false
        }
        None => true,
    }
}

/// One provider: `#[optional] id: Kind { fields }`, with the fields its kind takes.
/// Returns its display name, whether it is optional, and its kind.
fn check_provider(cx: &Ctxt, entry: &EntryInput) -> Option<(String, bool, ProviderKind)> {
    let optional = check_provider_attributes(cx, &entry.attrs);
    let ValueInput::Struct(value) = &entry.value else {
        expected(cx, &entry.value, "a provider such as `Credentials { … }`");
        return None;
    };
    let row = check_provider_kind(cx, &value.kind)?;
    let allowed: Vec<&'static str> = COMMON_PROVIDER_FIELDS
        .iter()
        .copied()
        .chain(row.fields.iter().map(|f| f.key))
        .collect();
    let fields = check_keys(cx, &value.body.entries, &allowed, "provider field");
    check_required_provider_fields(cx, &value.kind, row, &fields);
    let name = match fields.value("name") {
        Some(value) => check_display_name(cx, value),
        None => Some(row.default_name.to_owned()),
    };
    let kind = (row.build)(cx, &fields);
    Some((name?, optional, kind?))
}

/// The kind is one of the table's rows; suggest the closest, since kinds are easy to misspell.
fn check_provider_kind(cx: &Ctxt, kind: &Path) -> Option<&'static KindRow> {
    let name = kind.get_ident().map(Ident::to_string).unwrap_or_default();
    let row = PROVIDER_KINDS.iter().find(|row| row.kind == name);
    if row.is_none() {
        let kinds: Vec<&str> = PROVIDER_KINDS.iter().map(|row| row.kind).collect();
        cx.error(kind, unknown("provider kind", &name, &kinds));
    }
    row
}

/// Every required field of the kind is given; the error goes on the kind, where it is missing.
fn check_required_provider_fields(cx: &Ctxt, kind: &Path, row: &KindRow, fields: &Entries) {
    for field in row.fields.iter().filter(|f| f.required) {
        if fields.is_missing(field.key) {
            cx.error(
                kind,
                format!(
                    "missing provider field `{}`; expected `{}`",
                    field.key, field.example
                ),
            );
        }
    }
}

/// Only `#[optional]` is accepted on a provider, once and without arguments; an unknown
/// attribute would be silently ignored otherwise.
fn check_provider_attributes(cx: &Ctxt, attrs: &[Attribute]) -> bool {
    let mut optional = false;
    for attr in attrs.iter().filter(|a| !a.path().is_ident("doc")) {
        if !attr.path().is_ident(kw::OPTIONAL) {
            let name = attr
                .path()
                .get_ident()
                .map(Ident::to_string)
                .unwrap_or_default();
            cx.error(attr.path(), unknown("attribute", &name, &[kw::OPTIONAL]));
        } else if !matches!(attr.meta, Meta::Path(_)) {
            cx.error(&attr.meta, "`#[optional]` takes no arguments");
        } else if optional {
            cx.error(attr, "duplicate attribute `#[optional]`");
        } else {
            optional = true;
        }
    }
    optional
}

/// A display name is a non-empty string: it labels the provider's sign-in button.
fn check_display_name(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a display name such as `\"Credentials\"`")?;
    let name = lit.value();
    if name.trim().is_empty() {
        cx.error(lit, "display name must not be empty");
        return None;
    }
    Some(name)
}

/// `Credentials { fields, authorize }`.
fn build_credentials(cx: &Ctxt, fields: &Entries) -> Option<ProviderKind> {
    let form = fields
        .value("fields")
        .and_then(|v| check_credential_fields(cx, v));
    let authorize = fields
        .value("authorize")
        .and_then(|v| check_fn_path(cx, v, "authorize"));
    Some(ProviderKind::Credentials {
        fields: form?,
        authorize: authorize?,
    })
}

/// A credentials form has at least one field, each `key: kind("Label")` with a known input kind.
fn check_credential_fields(cx: &Ctxt, value: &ValueInput) -> Option<Vec<CredentialField>> {
    let map = expect_map(
        cx,
        value,
        "`{ username: text(\"Username\"), password: password(\"Password\") }`",
    )?;
    if map.entries.is_empty() {
        cx.error_at(
            map.brace.span.join(),
            "expected at least one field, such as `username: text(\"Username\")`",
        );
        return None;
    }
    let mut fields: Vec<CredentialField> = Vec::new();
    let mut ok = true;
    for entry in &map.entries {
        check_no_attributes(cx, &entry.attrs);
        let key = entry.key.name();
        let unique = check_unique_form_field(cx, &entry.key, &fields);
        let not_reserved = check_form_field_not_reserved(cx, &entry.key);
        match check_credential_field(cx, &entry.value) {
            Some((label, input_type)) if unique && not_reserved => fields.push(CredentialField {
                key,
                label,
                input_type,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(fields)
}

/// Form field names are unique: the form posts one value per name.
fn check_unique_form_field(cx: &Ctxt, key: &KeyInput, earlier: &[CredentialField]) -> bool {
    let name = key.name();
    let duplicate = earlier.iter().any(|f| f.key == name);
    if duplicate {
        cx.error(key, format!("duplicate credentials field `{name}`"));
    }
    !duplicate
}

/// NextAuth's form posts `csrfToken`, `callbackUrl` and `json` itself; a field of the same
/// name would be overwritten or break CSRF.
fn check_form_field_not_reserved(cx: &Ctxt, key: &KeyInput) -> bool {
    let name = key.name();
    let reserved = kw::RESERVED_FORM_FIELDS.contains(&name.as_str());
    if reserved {
        cx.error(
            key,
            format!("credentials field `{name}` is reserved by the sign-in form"),
        );
    }
    !reserved
}

/// One form field: `text("Label")`, `password("Label")` or `email("Label")`.
fn check_credential_field(cx: &Ctxt, value: &ValueInput) -> Option<(String, String)> {
    let ValueInput::Call(call) = value else {
        expected(cx, value, "a field such as `text(\"Username\")`");
        return None;
    };
    let func = call
        .func
        .get_ident()
        .map(Ident::to_string)
        .unwrap_or_default();
    if !kw::FIELD_KINDS.contains(&func.as_str()) {
        cx.error(&call.func, unknown("field kind", &func, kw::FIELD_KINDS));
        return None;
    }
    match single_arg(&call.args) {
        Some(ValueInput::Lit(Lit::Str(label))) => Some((label.value(), func)),
        _ => {
            cx.error_at(
                call.paren.span.join(),
                format!("expected one label, as in `{func}(\"Username\")`"),
            );
            None
        }
    }
}

/// A user function is named by path; the expansion checks its signature where it is used.
fn check_fn_path(cx: &Ctxt, value: &ValueInput, what: &str) -> Option<Path> {
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

/// `callbacks:` maps NextAuth's callback names to user functions.
fn check_callbacks(cx: &Ctxt, value: &ValueInput) -> Vec<Callback> {
    let Some(map) = expect_map(cx, value, "`{ jwt: crate::auth::jwt }`") else {
        return Vec::new();
    };
    let entries = check_keys(cx, &map.entries, kw::CALLBACKS, "callback");
    entries
        .found
        .iter()
        .filter_map(|(key, entry)| {
            let kind = match *key {
                "sign_in" => CallbackKind::SignIn,
                "redirect" => CallbackKind::Redirect,
                "jwt" => CallbackKind::Jwt,
                _ => CallbackKind::Session,
            };
            let path = check_fn_path(cx, &entry.value, key)?;
            Some(Callback { kind, path })
        })
        .collect()
}

/// `events:` maps the runtime's event names to user functions.
fn check_events(cx: &Ctxt, value: &ValueInput) -> Vec<Event> {
    let Some(map) = expect_map(cx, value, "`{ sign_in: crate::audit::sign_in }`") else {
        return Vec::new();
    };
    let entries = check_keys(cx, &map.entries, kw::EVENTS, "event");
    entries
        .found
        .iter()
        .filter_map(|(key, entry)| {
            let kind = match *key {
                "sign_in" => EventKind::SignIn,
                "sign_out" => EventKind::SignOut,
                _ => EventKind::Session,
            };
            let path = check_fn_path(cx, &entry.value, key)?;
            Some(Event { kind, path })
        })
        .collect()
}

/// `pages:` maps NextAuth's page names to the application's own paths.
fn check_pages(cx: &Ctxt, value: &ValueInput) -> Vec<PageOverride> {
    let Some(map) = expect_map(cx, value, "`{ sign_in: \"/login\" }`") else {
        return Vec::new();
    };
    let entries = check_keys(cx, &map.entries, kw::PAGES, "page");
    entries
        .found
        .iter()
        .filter_map(|(key, entry)| {
            let page = match *key {
                "sign_in" => PageKind::SignIn,
                "sign_out" => PageKind::SignOut,
                "error" => PageKind::Error,
                "verify_request" => PageKind::VerifyRequest,
                _ => PageKind::NewUser,
            };
            let path = check_page_path(cx, &entry.value)?;
            Some(PageOverride { page, path })
        })
        .collect()
}

/// A page is an absolute path on this site: the routes redirect there, and `//host` or a
/// relative path would send the user to another host or a path that depends on the route.
fn check_page_path(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a page path such as `\"/login\"`")?;
    let path = lit.value();
    let message = if !path.starts_with('/') {
        "page path must be absolute, starting with `/`, as in `/login`"
    } else if path.starts_with("//") {
        "page path must not start with `//`, which browsers read as another host"
    } else if path.contains(char::is_whitespace) {
        "page path must not contain whitespace"
    } else {
        return Some(path);
    };
    cx.error(lit, message);
    None
}

/// The `ProviderId` variant of an id: UpperCamelCase, split at `_` and `-`, with a `Provider`
/// prefix where that is not an identifier (`1password`, and `self`, whose variant is a keyword).
fn variant_name(id: &str) -> String {
    let camel: String = id
        .split(['_', '-'])
        .flat_map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_alphabetic()) && camel != "Self" {
        camel
    } else {
        format!("Provider{camel}")
    }
}

/// The single argument of a call, if it has exactly one.
fn single_arg<P>(args: &syn::punctuated::Punctuated<ValueInput, P>) -> Option<&ValueInput> {
    match args.len() {
        1 => args.first(),
        _ => None,
    }
}

/// The value as a string literal, or an error saying what was expected.
fn expect_str<'a>(cx: &Ctxt, value: &'a ValueInput, what: &str) -> Option<&'a LitStr> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => Some(lit),
        other => {
            expected(cx, other, what);
            None
        }
    }
}

/// The value as a `{ … }` map, or an error saying what was expected.
fn expect_map<'a>(cx: &Ctxt, value: &'a ValueInput, what: &str) -> Option<&'a MapInput> {
    match value {
        ValueInput::Map(map) => Some(map),
        other => {
            expected(cx, other, what);
            None
        }
    }
}

/// "expected X, found Y" on the value.
fn expected(cx: &Ctxt, value: &ValueInput, what: &str) {
    cx.error(
        value,
        format!("expected {what}, found {}", value.describe()),
    );
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

/// A duration in the largest unit that divides it: `30 days`, `90 minutes`.
fn describe_duration(duration: Duration) -> String {
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
    use super::*;
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    /// Validates `tokens`, returning the model and every error message.
    fn run(tokens: TokenStream) -> (Config, Vec<String>) {
        let input: AuthInput = match syn::parse2(tokens) {
            Ok(input) => input,
            Err(e) => panic!("parse error: {e}"),
        };
        let cx = Ctxt::new();
        let config = validate(&cx, &input);
        let errors = match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (config, errors)
    }

    /// The errors of a block.
    fn errors(tokens: TokenStream) -> Vec<String> {
        run(tokens).1
    }

    /// The model of a block that must be valid.
    fn valid(tokens: TokenStream) -> Config {
        let (config, errors) = run(tokens);
        assert!(errors.is_empty(), "unexpected errors: {errors:?}");
        config
    }

    /// A valid block with `extra` entries appended at the top level.
    fn block(extra: TokenStream) -> TokenStream {
        quote! {
            secret: env("NEXTAUTH_SECRET"),
            providers: {
                credentials: Credentials {
                    fields: { username: text("Username") },
                    authorize: crate::authorize,
                },
            },
            #extra
        }
    }

    /// A valid block whose only provider is `id: provider`.
    fn with_provider(provider: TokenStream) -> TokenStream {
        quote! {
            secret: env("NEXTAUTH_SECRET"),
            providers: { #provider },
        }
    }

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
        } = config.session;
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
    fn a_full_block_keeps_every_value_in_declaration_order() {
        let config = valid(quote! {
            module: my_auth,
            crate: ::renamed,
            base_path: "/auth",
            secret: [env("NEW"), env("OLD")],
            session: jwt { update_age: hours(2), max_age: minutes(180) },
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
        } = config.session;
        assert_eq!((max_age.secs, update_age.secs), (10_800, 7_200));
        let provider = &config.providers[0];
        assert_eq!(provider.variant.to_string(), "AzureAd");
        assert_eq!((provider.name.as_str(), provider.optional), ("Corp", true));
        let ProviderKind::Credentials { fields, authorize } = &provider.kind;
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
                "unknown key `sesion`; did you mean `session`? expected one of `module`, `crate`, `base_path`, `secret`, `session`, `session_data`, `providers`, `callbacks`, `events`, `pages`"
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
    fn update_age_is_at_most_max_age() {
        assert_eq!(
            errors(block(
                quote!(session: jwt { max_age: hours(1), update_age: days(1) })
            )),
            ["`update_age` must not be longer than `max_age` (1 hour)"]
        );
        assert_eq!(
            errors(block(quote!(session: jwt { update_age: days(31) }))),
            ["`update_age` must not be longer than `max_age` (30 days)"]
        );
        // An invalid max_age is reported alone, not compared with the default.
        assert_eq!(
            errors(block(
                quote!(session: jwt { max_age: days(0), update_age: days(31) })
            )),
            ["duration must be greater than zero"]
        );
        valid(block(
            quote!(session: jwt { max_age: days(1), update_age: hours(24) }),
        ));
    }

    #[test]
    fn the_only_session_strategy_is_jwt() {
        assert_eq!(
            errors(block(quote!(session: database { max_age: days(30) }))),
            ["unknown session strategy `database`; expected `jwt`"]
        );
        valid(block(quote!(session: jwt)));
        assert_eq!(
            errors(block(quote!(session: jwt { max_ages: days(1) }))),
            [
                "unknown session field `max_ages`; did you mean `max_age`? expected one of `max_age`, `update_age`"
            ]
        );
    }

    #[test]
    fn providers_are_required_and_not_empty() {
        assert_eq!(
            errors(quote!(secret: env("S"), providers: {})),
            ["expected at least one provider, such as `credentials: Credentials { … }`"]
        );
    }

    #[test]
    fn an_unknown_provider_kind_names_the_closest() {
        assert_eq!(
            errors(with_provider(quote!(c: Credential { authorize: f }))),
            [
                "unknown provider kind `Credential`; did you mean `Credentials`? expected `Credentials`"
            ]
        );
        assert_eq!(
            errors(with_provider(quote!(gh: GitHub { client_id: env("X") }))),
            ["unknown provider kind `GitHub`; expected `Credentials`"]
        );
    }

    #[test]
    fn a_misspelled_provider_field_is_not_also_reported_missing() {
        assert_eq!(
            errors(with_provider(
                quote!(c: Credentials { fields: { u: text("U") }, authorise: f })
            )),
            [
                "unknown provider field `authorise`; did you mean `authorize`? expected one of `name`, `fields`, `authorize`"
            ]
        );
    }

    #[test]
    fn missing_provider_fields_are_each_reported() {
        assert_eq!(
            errors(with_provider(quote!(c: Credentials { name: "C" }))),
            [
                "missing provider field `fields`; expected `fields: { username: text(\"Username\"), password: password(\"Password\") }`",
                "missing provider field `authorize`; expected `authorize: crate::path::to::async_fn`",
            ]
        );
    }

    #[test]
    fn provider_ids_are_url_safe() {
        for id in ["sign in", "GitHub", "_x", "é", "a.b"] {
            let provider = quote!(#id: Credentials { fields: { u: text("U") }, authorize: f });
            assert_eq!(
                errors(with_provider(provider)),
                [format!(
                    "provider id `{id}` is not URL-safe; expected lower-case letters, digits, `_` and `-`, starting with a letter or digit"
                )],
            );
        }
        for id in ["github", "azure-ad", "x_1", "1password"] {
            valid(with_provider(
                quote!(#id: Credentials { fields: { u: text("U") }, authorize: f }),
            ));
        }
    }

    #[test]
    fn provider_ids_are_unique_even_ignoring_case() {
        let body = quote!(Credentials { fields: { u: text("U") }, authorize: f });
        assert_eq!(
            errors(with_provider(quote!(a: #body, a: #body))),
            ["duplicate provider id `a`"]
        );
        assert_eq!(
            errors(with_provider(quote!(github: #body, GitHub: #body))),
            ["provider id `GitHub` differs from `github` only in case"]
        );
        assert_eq!(
            errors(with_provider(quote!("azure-ad": #body, azure_ad: #body))),
            [
                "provider ids `azure-ad` and `azure_ad` both become the variant `ProviderId::AzureAd`"
            ]
        );
    }

    #[test]
    fn variants_are_the_upper_camel_case_of_ids() {
        assert_eq!(variant_name("credentials"), "Credentials");
        assert_eq!(variant_name("azure-ad"), "AzureAd");
        assert_eq!(variant_name("my_corp_sso"), "MyCorpSso");
        assert_eq!(variant_name("1password"), "Provider1password");
        assert_eq!(variant_name("self"), "ProviderSelf");
    }

    #[test]
    fn only_optional_is_accepted_on_a_provider() {
        let body = quote!(Credentials { fields: { u: text("U") }, authorize: f });
        assert!(valid(with_provider(quote!(#[optional] c: #body))).providers[0].optional);
        assert_eq!(
            errors(with_provider(quote!(#[optionl] c: #body))),
            ["unknown attribute `optionl`; did you mean `optional`? expected `optional`"]
        );
        assert_eq!(
            errors(with_provider(quote!(#[optional(yes)] c: #body))),
            ["`#[optional]` takes no arguments"]
        );
        assert_eq!(
            errors(with_provider(quote!(#[optional] #[optional] c: #body))),
            ["duplicate attribute `#[optional]`"]
        );
        // Doc comments are allowed anywhere.
        valid(with_provider(quote!(#[doc = "The form."] c: #body)));
    }

    #[test]
    fn attributes_elsewhere_are_refused() {
        assert_eq!(
            errors(block(quote!(#[optional] pages: { sign_in: "/login" }))),
            ["attributes are allowed only on providers, as in `#[optional]`"]
        );
    }

    #[test]
    fn credentials_fields_have_known_kinds_and_free_names() {
        let form = |fields: TokenStream| {
            with_provider(quote!(c: Credentials { fields: #fields, authorize: f }))
        };
        assert_eq!(
            errors(form(quote!({ password: passwd("Password") }))),
            [
                "unknown field kind `passwd`; did you mean `password`? expected one of `text`, `password`, `email`"
            ]
        );
        assert_eq!(
            errors(form(quote!({ u: text("U"), u: text("V") }))),
            ["duplicate credentials field `u`"]
        );
        assert_eq!(
            errors(form(quote!({ csrfToken: text("T") }))),
            ["credentials field `csrfToken` is reserved by the sign-in form"]
        );
        assert_eq!(
            errors(form(quote!({ u: text() }))),
            ["expected one label, as in `text(\"Username\")`"]
        );
        assert_eq!(
            errors(form(quote!({}))),
            ["expected at least one field, such as `username: text(\"Username\")`"]
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
            errors(block(quote!(events: { create_user: crate::f }))),
            ["unknown event `create_user`; expected one of `sign_in`, `sign_out`, `session`"]
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

    #[test]
    fn durations_are_described_in_their_largest_whole_unit() {
        assert_eq!(describe_duration(Duration { secs: 86_400 }), "1 day");
        assert_eq!(describe_duration(Duration { secs: 5_400 }), "90 minutes");
        assert_eq!(describe_duration(Duration { secs: 61 }), "61 seconds");
    }
}
