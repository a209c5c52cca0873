//! `providers:`, the ways to sign in: each `id: Kind { … }` with an id that is safe in URLs,
//! a known kind, the fields that kind takes, and a display name.

mod credentials;
mod email;
mod oauth;
mod passkey;

use syn::{Attribute, Ident, LitStr, Meta, Path};

use super::env::{check_env_name, env_or_args};
use super::values::{call_name, expect_str, expected, path_name};
use super::{Entries, check_keys, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{EnvVar, Provider, ProviderKind, ProviderName};
use crate::parse::{CallInput, EntryInput, KeyInput, ValueInput};

pub(super) use email::check_email_has_database_sessions;
pub(super) use passkey::check_passkey_has_database_sessions;

/// One provider kind: its name, its default display name, and the fields it takes beside
/// `name`. Adding a kind is adding a row in its family's file (`credentials`, `email`,
/// `oauth::PRESETS`) and, for a new family, a file with the family's row and `build` fn.
struct KindRow {
    kind: &'static str,
    default_name: &'static str,
    fields: &'static [FieldRow],
    /// Fields other kinds take that this one refuses with its own reason.
    refused_fields: &'static [RefusedField],
    /// Whether `name` may be read from the environment (`env_or("VAR", "Default")`).
    name_from_env: bool,
    /// Whether the provider speaks OpenID Connect, so it has ID tokens and `nonce`.
    openid_connect: bool,
    /// The preset's row, for an OAuth kind.
    preset: Option<&'static auth_shared::presets::Preset>,
    build: fn(&Ctxt, &ProviderInput) -> Option<ProviderKind>,
}

/// A field a provider kind takes; `example` completes "expected `…`" in messages, with `{ID}`
/// standing for the provider id in upper case (`GITHUB`), NextAuth's naming of its variables.
struct FieldRow {
    key: &'static str,
    required: bool,
    example: &'static str,
}

/// A field a kind refuses with a reason of its own rather than as unknown: one that a
/// reader of another kind's block would expect to write. `why` is the whole message, with
/// `{KIND}` standing for the kind.
struct RefusedField {
    key: &'static str,
    why: &'static str,
}

/// What a kind's `build` fn gets: the checked parts of one provider.
struct ProviderInput<'a> {
    row: &'static KindRow,
    /// The provider id, e.g. `github`.
    id: String,
    /// The kind as written, where the preset's errors and tokens point.
    kind: &'a Path,
    fields: Entries<'a>,
    /// The variable of a display name written `env_or("VAR", "Default")`.
    name_from_env: Option<EnvVar>,
}

/// Every provider kind takes these fields.
const COMMON_PROVIDER_FIELDS: &[&str] = &[kw::NAME];

/// The kinds built by this crate's own families; the OAuth kinds, the runtime's presets,
/// follow them.
const OWN_KINDS: &[KindRow] = &[credentials::KIND, email::KIND, passkey::KIND];

/// The provider kinds, in the order error messages list them.
fn provider_kinds() -> impl Iterator<Item = &'static KindRow> {
    OWN_KINDS.iter().chain(&oauth::PRESETS)
}

/// `providers:` is a non-empty map of `id: Kind { … }`: with no provider nobody can sign in.
/// Returns the valid providers and the names of all providers whose id is valid.
pub(super) fn check_providers(cx: &Ctxt, value: &ValueInput) -> (Vec<Provider>, Vec<ProviderName>) {
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

/// Under JWT sessions, an error on each provider of kind `kind` (whether or not the rest of
/// it is valid): `what` needs database sessions, which the block does not declare.
fn check_kind_has_database_sessions(cx: &Ctxt, providers: &ValueInput, kind: &str, what: &str) {
    let ValueInput::Map(map) = providers else {
        return;
    };
    for entry in &map.entries {
        if let ValueInput::Struct(value) = &entry.value
            && value.kind.is_ident(kind)
        {
            cx.error(
                &value.kind,
                format!("{what} database sessions; declare `session: database {{ adapter: … }}`"),
            );
        }
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

/// The `ProviderId` variant of an id: UpperCamelCase, split at `_` and `-`, with a `Provider`
/// prefix where that is not an identifier (`1password`, and `self`, whose variant is a keyword).
pub(super) fn variant_name(id: &str) -> String {
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

/// A provider is `#[optional] id: Kind { fields }` with the fields its kind takes, the required
/// ones given: what the kind needs to be set up, and nothing it would ignore.
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
    let refused = |entry: &EntryInput| {
        let name = entry.key.name();
        row.refused_fields.iter().find(|field| field.key == name)
    };
    for entry in &value.body.entries {
        if let Some(field) = refused(entry) {
            cx.error(&entry.key, field.why.replace("{KIND}", row.kind));
        }
    }
    let entries = value.body.entries.iter().filter(|e| refused(e).is_none());
    let fields = check_keys(cx, entries, &allowed, "provider field");
    let id = entry.key.name();
    check_required_provider_fields(cx, &value.kind, row, &fields, &id);
    let name = match fields.value(kw::NAME) {
        Some(value) => check_display_name(cx, value, row.name_from_env),
        None => Some((row.default_name.to_owned(), None)),
    };
    let input = ProviderInput {
        row,
        id,
        kind: &value.kind,
        fields,
        name_from_env: name.as_ref().and_then(|(_, var)| var.clone()),
    };
    let kind = (row.build)(cx, &input);
    Some((name?.0, optional, kind?))
}

/// The kind is one of the table's rows; suggest the closest, since kinds are easy to misspell.
fn check_provider_kind(cx: &Ctxt, kind: &Path) -> Option<&'static KindRow> {
    let name = path_name(kind);
    let row = provider_kinds().find(|row| row.kind == name);
    if row.is_none() {
        let kinds: Vec<&str> = provider_kinds().map(|row| row.kind).collect();
        cx.error(kind, unknown("provider kind", &name, &kinds));
    }
    row
}

/// Every required field of the kind is given; the error goes on the kind, where it is missing.
fn check_required_provider_fields(
    cx: &Ctxt,
    kind: &Path,
    row: &KindRow,
    fields: &Entries,
    id: &str,
) {
    for field in row.fields.iter().filter(|f| f.required) {
        if fields.is_missing(field.key) {
            cx.error(
                kind,
                format!(
                    "missing provider field `{}`; expected `{}`",
                    field.key,
                    field.example.replace("{ID}", &env_prefix(id))
                ),
            );
        }
    }
}

/// The prefix of a provider's variables in messages, as NextAuth names them: `GITHUB`.
fn env_prefix(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

/// Only `#[optional]` is accepted on a provider, once and without arguments; an unknown
/// attribute would be silently ignored otherwise.
fn check_provider_attributes(cx: &Ctxt, attrs: &[Attribute]) -> bool {
    let mut optional = false;
    for attr in attrs.iter().filter(|a| !a.path().is_ident(kw::DOC)) {
        if !attr.path().is_ident(kw::OPTIONAL) {
            let name = path_name(attr.path());
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

/// A display name is a non-empty string: it labels the provider's sign-in button. Where the
/// kind allows it, `env_or("VAR", "Default")` reads it at start-up; the default keeps a
/// label when the variable is unset. Returns the name (the default) and the variable.
fn check_display_name(
    cx: &Ctxt,
    value: &ValueInput,
    from_env: bool,
) -> Option<(String, Option<EnvVar>)> {
    if let (ValueInput::Call(call), true) = (value, from_env) {
        return check_env_or(cx, call).map(|(var, name)| (name, Some(var)));
    }
    let what = if from_env {
        "a display name such as `\"Corp SSO\"` or `env_or(\"VAR\", \"Corp SSO\")`"
    } else {
        "a display name such as `\"Credentials\"`"
    };
    let lit = expect_str(cx, value, what)?;
    check_non_empty_name(cx, lit).map(|name| (name, None))
}

/// A display name is not blank: it is the label of the provider's sign-in button.
fn check_non_empty_name(cx: &Ctxt, lit: &LitStr) -> Option<String> {
    let name = lit.value();
    if name.trim().is_empty() {
        cx.error(lit, "display name must not be empty");
        return None;
    }
    Some(name)
}

/// `env_or("VAR", "Default")`: a variable and the non-empty name used when it is unset. A
/// bare `env("VAR")` would leave the sign-in button without a label, so it is refused.
fn check_env_or(cx: &Ctxt, call: &CallInput) -> Option<(EnvVar, String)> {
    let func = call_name(call);
    if func == kw::ENV {
        cx.error(
            &call.func,
            "a display name read from the environment needs a default; expected `env_or(\"VAR\", \"Default\")`",
        );
        return None;
    }
    if func != kw::ENV_OR {
        cx.error(&call.func, unknown("function", &func, &[kw::ENV_OR]));
        return None;
    }
    let example = "env_or(\"OIDC_NAME\", \"OpenID Connect\")";
    let (var, default) = env_or_args(cx, call, "a default name", example)?;
    let var = check_env_name(cx, var);
    let default = check_non_empty_name(cx, default);
    Some((var?, default?))
}

/// An optional field's checked value: `Some(None)` when absent, `None` when given but invalid.
fn optional_field<'a, T>(
    fields: &Entries<'a>,
    key: &str,
    check: impl FnOnce(&'a ValueInput) -> Option<T>,
) -> Option<Option<T>> {
    match fields.value(key) {
        None => Some(None),
        Some(value) => check(value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::validate::test_support::{errors, oauth_block, valid, with_provider};

    #[test]
    fn providers_are_required_and_not_empty() {
        assert_eq!(
            errors(quote!(secret: env("S"), providers: {})),
            ["expected at least one provider, such as `credentials: Credentials { … }`"]
        );
    }

    #[test]
    fn an_unknown_provider_kind_names_the_closest() {
        // Every kind: this crate's own, then the preset table's, in its order.
        let presets: Vec<String> = auth_shared::presets::PRESETS
            .iter()
            .map(|row| format!("`{}`", row.kind_name))
            .collect();
        let kinds = format!(
            "expected one of `Credentials`, `Email`, `Passkey`, {}",
            presets.join(", ")
        );
        assert!(kinds.contains("`GitHub`, `Google`") && kinds.ends_with("`Oidc`, `OAuth`"));
        assert_eq!(
            errors(with_provider(quote!(c: Credential { authorize: f }))),
            [format!(
                "unknown provider kind `Credential`; did you mean `Credentials`? {kinds}"
            )]
        );
        assert_eq!(
            errors(with_provider(quote!(gh: Github { client_id: env("X") }))),
            [format!(
                "unknown provider kind `Github`; did you mean `GitHub`? {kinds}"
            )]
        );
        assert_eq!(
            errors(with_provider(quote!(gh: Saml { client_id: env("X") }))),
            [format!("unknown provider kind `Saml`; {kinds}")]
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
    fn a_display_name_from_the_environment_needs_a_default() {
        let name = |value: TokenStream| {
            oauth_block("corp", "Oidc", quote!(issuer: env("I"), name: #value))
        };
        assert_eq!(
            errors(name(quote!(env("CORP_NAME")))),
            [
                "a display name read from the environment needs a default; expected `env_or(\"VAR\", \"Default\")`"
            ]
        );
        let wrong_arguments = "expected a variable name and a default name, as in `env_or(\"OIDC_NAME\", \"OpenID Connect\")`";
        assert_eq!(errors(name(quote!(env_or("CORP_NAME")))), [wrong_arguments]);
        assert_eq!(
            errors(name(quote!(env_or("A", "B", "C")))),
            [wrong_arguments]
        );
        assert_eq!(errors(name(quote!(env_or("A", 1)))), [wrong_arguments]);
        assert_eq!(
            errors(name(quote!(env_or("A B", " ")))),
            [
                "expected an environment variable name of ASCII letters, digits and `_`, such as `NEXTAUTH_SECRET`",
                "display name must not be empty",
            ]
        );
        assert_eq!(
            errors(name(quote!(envor("A", "B")))),
            ["unknown function `envor`; did you mean `env_or`? expected `env_or`"]
        );
        // Credentials names are literals: the runtime reads no variable for them.
        assert_eq!(
            errors(with_provider(quote!(c: Credentials {
                name: env_or("N", "Form"), fields: { u: text("U") }, authorize: f
            }))),
            ["expected a display name such as `\"Credentials\"`, found a call"]
        );
    }
}
