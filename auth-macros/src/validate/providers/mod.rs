//! `providers:`, the ways to sign in: each `id: Kind { … }` with an id that is safe in URLs,
//! a known kind, the fields that kind takes, and a display name.

mod credentials;
mod email;

use proc_macro2::Span;
use syn::{Attribute, Ident, Lit, LitStr, Meta, Path};

use super::env::{check_env, check_env_name, env_or_args};
use super::literals::{tenant_problem, url_problem};
use super::values::{call_name, expect_map, expect_str, expected};
use super::{Entries, check_keys, check_no_attributes, unknown};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{
    Checks, EnvVar, OAuthProvider, Provider, ProviderKind, ProviderName, Setting, TokenAuthMethod,
};
use crate::parse::{CallInput, EntryInput, KeyInput, ValueInput};

pub(super) use email::check_email_has_database_sessions;

/// One provider kind: its name, its default display name, and the fields it takes beside
/// `name`. Adding a kind is adding a row and, for a new family, its `build` fn.
struct KindRow {
    kind: &'static str,
    default_name: &'static str,
    fields: &'static [FieldRow],
    /// Whether `name` may be read from the environment (`env_or("VAR", "Default")`).
    name_from_env: bool,
    /// Whether the provider speaks OpenID Connect, so it has ID tokens and `nonce`.
    openid_connect: bool,
    build: fn(&Ctxt, &ProviderInput) -> Option<ProviderKind>,
}

/// A field a provider kind takes; `example` completes "expected `…`" in messages, with `{ID}`
/// standing for the provider id in upper case (`GITHUB`), NextAuth's naming of its variables.
struct FieldRow {
    key: &'static str,
    required: bool,
    example: &'static str,
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

/// The provider kinds, in the order error messages list them. The OAuth kinds are the
/// runtime's `Preset` variants, with `Preset::name()` as their default display name.
const PROVIDER_KINDS: &[KindRow] = &[
    credentials::KIND,
    email::KIND,
    oauth_kind("GitHub", "GitHub", OAUTH_FIELDS, false),
    oauth_kind("Google", "Google", OAUTH_FIELDS, true),
    oauth_kind("GitLab", "GitLab", OAUTH_FIELDS, false),
    oauth_kind("Discord", "Discord", OAUTH_FIELDS, false),
    oauth_kind("Auth0", "Auth0", ISSUER_OAUTH_FIELDS, true),
    oauth_kind("Keycloak", "Keycloak", ISSUER_OAUTH_FIELDS, true),
    oauth_kind("Okta", "Okta", ISSUER_OAUTH_FIELDS, true),
    oauth_kind(
        "AzureAd",
        "Azure Active Directory",
        TENANT_OAUTH_FIELDS,
        true,
    ),
    oauth_kind("Twitch", "Twitch", OAUTH_FIELDS, true),
    oauth_kind("Slack", "Slack", OAUTH_FIELDS, true),
    oauth_kind("Spotify", "Spotify", OAUTH_FIELDS, false),
    oauth_kind("LinkedIn", "LinkedIn", OAUTH_FIELDS, true),
    oauth_kind("Facebook", "Facebook", OAUTH_FIELDS, false),
    oauth_kind("Oidc", "OpenID Connect", ISSUER_OAUTH_FIELDS, true),
    oauth_kind("OAuth", "OAuth", ENDPOINT_OAUTH_FIELDS, false),
];

/// An OAuth 2.0 or OpenID Connect kind: a runtime preset.
const fn oauth_kind(
    kind: &'static str,
    default_name: &'static str,
    fields: &'static [FieldRow],
    openid_connect: bool,
) -> KindRow {
    KindRow {
        kind,
        default_name,
        fields,
        name_from_env: true,
        openid_connect,
        build: build_oauth,
    }
}

const CLIENT_ID: FieldRow = FieldRow {
    key: kw::CLIENT_ID,
    required: true,
    example: "client_id: env(\"{ID}_ID\")",
};

const CLIENT_SECRET: FieldRow = FieldRow {
    key: kw::CLIENT_SECRET,
    required: true,
    example: "client_secret: env(\"{ID}_SECRET\")",
};

const ISSUER: FieldRow = FieldRow {
    key: kw::ISSUER,
    required: true,
    example: "issuer: env(\"{ID}_ISSUER\")",
};

const TENANT: FieldRow = FieldRow {
    key: kw::TENANT,
    required: false,
    example: "tenant: env(\"{ID}_TENANT\")",
};

const AUTHORIZATION: FieldRow = FieldRow {
    key: kw::AUTHORIZATION,
    required: true,
    example: "authorization: \"https://idp.example.com/authorize\"",
};

const TOKEN: FieldRow = FieldRow {
    key: kw::TOKEN,
    required: true,
    example: "token: \"https://idp.example.com/token\"",
};

const USERINFO: FieldRow = FieldRow {
    key: kw::USERINFO,
    required: true,
    example: "userinfo: \"https://idp.example.com/userinfo\"",
};

const SCOPE: FieldRow = FieldRow {
    key: kw::SCOPE,
    required: false,
    example: "scope: \"openid email profile\"",
};

const PARAMS: FieldRow = FieldRow {
    key: kw::PARAMS,
    required: false,
    example: "params: { prompt: \"login\" }",
};

const TOKEN_AUTH: FieldRow = FieldRow {
    key: kw::TOKEN_AUTH,
    required: false,
    example: "token_auth: client_secret_post",
};

const CHECKS: FieldRow = FieldRow {
    key: kw::CHECKS,
    required: false,
    example: "checks: [state, pkce]",
};

const PROFILE: FieldRow = FieldRow {
    key: kw::PROFILE,
    required: false,
    example: "profile: crate::path::to::fn",
};

const ACCOUNT_LINKING: FieldRow = FieldRow {
    key: kw::ALLOW_DANGEROUS_EMAIL_ACCOUNT_LINKING,
    required: false,
    example: "allow_dangerous_email_account_linking: false",
};

/// The fields of a preset with fixed endpoints (`GitHub`, `Google`, …).
const OAUTH_FIELDS: &[FieldRow] = &[
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    PARAMS,
    TOKEN_AUTH,
    CHECKS,
    PROFILE,
    ACCOUNT_LINKING,
];

/// The fields of a preset discovered from its `issuer` (`Oidc`, `Auth0`, `Keycloak`, `Okta`).
const ISSUER_OAUTH_FIELDS: &[FieldRow] = &[
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    SCOPE,
    PARAMS,
    TOKEN_AUTH,
    CHECKS,
    PROFILE,
    ACCOUNT_LINKING,
];

/// The fields of `AzureAd`, whose `tenant` defaults to `common`.
const TENANT_OAUTH_FIELDS: &[FieldRow] = &[
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    SCOPE,
    PARAMS,
    TOKEN_AUTH,
    CHECKS,
    PROFILE,
    ACCOUNT_LINKING,
];

/// The fields of generic `OAuth`, which has no endpoints of its own.
const ENDPOINT_OAUTH_FIELDS: &[FieldRow] = &[
    CLIENT_ID,
    CLIENT_SECRET,
    AUTHORIZATION,
    TOKEN,
    USERINFO,
    SCOPE,
    PARAMS,
    TOKEN_AUTH,
    CHECKS,
    PROFILE,
    ACCOUNT_LINKING,
];

/// Every provider kind takes these fields.
const COMMON_PROVIDER_FIELDS: &[&str] = &[kw::NAME];

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
    let name = kind.get_ident().map(Ident::to_string).unwrap_or_default();
    let row = PROVIDER_KINDS.iter().find(|row| row.kind == name);
    if row.is_none() {
        let kinds: Vec<&str> = PROVIDER_KINDS.iter().map(|row| row.kind).collect();
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

/// A display name is not blank.
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

/// An OAuth 2.0 or OpenID Connect kind: the runtime's preset of the same name, with the
/// client's credentials and the overrides of the preset's defaults.
fn build_oauth(cx: &Ctxt, input: &ProviderInput) -> Option<ProviderKind> {
    let fields = &input.fields;
    let prefix = env_prefix(&input.id);
    // Every field is checked before any `?`, so each mistake is reported.
    let client_id = fields
        .value(kw::CLIENT_ID)
        .and_then(|v| check_client_id(cx, v, &prefix));
    let client_secret = fields
        .value(kw::CLIENT_SECRET)
        .and_then(|v| check_client_secret(cx, v, &prefix));
    let params: Vec<Option<(&'static str, Setting)>> = kw::PRESET_PARAMS
        .iter()
        .filter_map(|&key| {
            let value = fields.value(key)?;
            Some(check_preset_param(cx, key, value, &prefix).map(|setting| (key, setting)))
        })
        .collect();
    let scope = optional_field(fields, kw::SCOPE, |v| check_scope(cx, v));
    let authorization_params =
        optional_field(fields, kw::PARAMS, |v| check_authorization_params(cx, v));
    let token_auth = optional_field(fields, kw::TOKEN_AUTH, |v| check_token_auth(cx, v));
    let checks = optional_field(fields, kw::CHECKS, |v| check_checks(cx, v, input.row));
    let profile = optional_field(fields, kw::PROFILE, |v| check_profile(cx, v));
    let account_linking = optional_field(fields, kw::ALLOW_DANGEROUS_EMAIL_ACCOUNT_LINKING, |v| {
        check_bool(cx, v)
    });
    Some(ProviderKind::OAuth(OAuthProvider {
        preset: Ident::new(input.row.kind, last_segment_span(input.kind)),
        client_id: client_id?,
        client_secret: client_secret?,
        name_from_env: input.name_from_env.clone(),
        params: params.into_iter().collect::<Option<_>>()?,
        scope: scope?,
        authorization_params: authorization_params?.unwrap_or_default(),
        token_auth: token_auth?,
        checks: checks?,
        profile: profile?,
        email_account_linking: account_linking?.unwrap_or(false),
    }))
}

/// The span of the last segment of a path (the kind's name).
fn last_segment_span(path: &Path) -> Span {
    path.segments
        .last()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

/// A client id is `env("…")` or a literal: it is public (it appears in the authorization URL).
fn check_client_id(cx: &Ctxt, value: &ValueInput, prefix: &str) -> Option<Setting> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            if lit.value().trim().is_empty() {
                cx.error(lit, "client id must not be empty");
                return None;
            }
            Some(Setting::Literal(lit.value()))
        }
        ValueInput::Call(_) => check_env(cx, value).map(Setting::Env),
        other => {
            expected(
                cx,
                other,
                &format!("`env(\"{prefix}_ID\")` or a client id string"),
            );
            None
        }
    }
}

/// A client secret is read from the environment at start-up; a literal would ship it inside
/// the binary and its repository.
fn check_client_secret(cx: &Ctxt, value: &ValueInput, prefix: &str) -> Option<EnvVar> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            cx.error(
                lit,
                format!(
                    "literal secret; read it from the environment with `env(\"{prefix}_SECRET\")`"
                ),
            );
            None
        }
        ValueInput::Call(_) => check_env(cx, value),
        other => {
            expected(cx, other, &format!("`env(\"{prefix}_SECRET\")`"));
            None
        }
    }
}

/// A preset parameter (`issuer`, `tenant`, `authorization`, `token`, `userinfo`) is
/// `env("…")`, checked at start-up, or a literal, checked here so a typo fails the build.
fn check_preset_param(cx: &Ctxt, key: &str, value: &ValueInput, prefix: &str) -> Option<Setting> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            let literal = lit.value();
            let problem = if key == kw::TENANT {
                tenant_problem(&literal)
            } else {
                url_problem(&literal, key == kw::ISSUER)
            };
            match problem {
                Some(problem) => {
                    cx.error(lit, problem);
                    None
                }
                None => Some(Setting::Literal(literal)),
            }
        }
        ValueInput::Call(_) => check_env(cx, value).map(Setting::Env),
        other => {
            let example = if key == kw::TENANT {
                "`\"contoso.onmicrosoft.com\"`"
            } else {
                "`\"https://idp.example.com\"`"
            };
            let upper = key.to_ascii_uppercase();
            expected(
                cx,
                other,
                &format!("`env(\"{prefix}_{upper}\")` or a literal such as {example}"),
            );
            None
        }
    }
}

/// A scope replaces the preset's, so it is not blank: leaving `scope` out keeps the preset's.
fn check_scope(cx: &Ctxt, value: &ValueInput) -> Option<String> {
    let lit = expect_str(cx, value, "a scope such as `\"openid email profile\"`")?;
    let scope = lit.value();
    if scope.trim().is_empty() {
        cx.error(
            lit,
            "scope must not be empty; leave `scope` out for the preset's",
        );
        return None;
    }
    Some(scope)
}

/// `params: { key: "value" }` adds authorization request parameters, each once; those the
/// flow sets itself (state, PKCE, nonce, redirect URI, …) would break or weaken it.
fn check_authorization_params(cx: &Ctxt, value: &ValueInput) -> Option<Vec<(String, String)>> {
    let map = expect_map(cx, value, "`{ prompt: \"login\" }`")?;
    let mut params: Vec<(String, String)> = Vec::new();
    let mut ok = true;
    for entry in &map.entries {
        check_no_attributes(cx, &entry.attrs);
        let key = entry.key.name();
        let valid_key = check_authorization_param_key(cx, &entry.key, &key, &params);
        let value = expect_str(cx, &entry.value, "a parameter value such as `\"login\"`");
        match value {
            Some(value) if valid_key => params.push((key, value.value())),
            _ => ok = false,
        }
    }
    ok.then_some(params)
}

/// A parameter name is not empty, not one the flow sets, and not repeated.
fn check_authorization_param_key(
    cx: &Ctxt,
    key: &KeyInput,
    name: &str,
    earlier: &[(String, String)],
) -> bool {
    let message = if name.trim().is_empty() {
        "authorization parameter name must not be empty".to_owned()
    } else if name == kw::SCOPE {
        "authorization parameter `scope` is set by the sign-in flow; set `scope` with the `scope` field"
            .to_owned()
    } else if kw::RESERVED_AUTHORIZATION_PARAMS.contains(&name) {
        format!("authorization parameter `{name}` is set by the sign-in flow")
    } else if earlier.iter().any(|(k, _)| k == name) {
        format!("duplicate authorization parameter `{name}`")
    } else {
        return true;
    };
    cx.error(key, message);
    false
}

/// `token_auth:` names how the client authenticates at the token endpoint.
fn check_token_auth(cx: &Ctxt, value: &ValueInput) -> Option<TokenAuthMethod> {
    let ValueInput::Path(path) = value else {
        expected(cx, value, "`client_secret_basic` or `client_secret_post`");
        return None;
    };
    let name = path.get_ident().map(Ident::to_string).unwrap_or_default();
    match name.as_str() {
        kw::CLIENT_SECRET_BASIC => Some(TokenAuthMethod::ClientSecretBasic),
        kw::CLIENT_SECRET_POST => Some(TokenAuthMethod::ClientSecretPost),
        _ => {
            cx.error(
                path,
                unknown("token auth method", &name, kw::TOKEN_AUTH_METHODS),
            );
            None
        }
    }
}

/// `checks: [state, pkce, nonce]`: known checks, each once, with `state` or `pkce` so the
/// callback is bound to the browser that started the flow (CSRF), and `nonce` only where
/// there is an ID token to carry it.
fn check_checks(cx: &Ctxt, value: &ValueInput, row: &KindRow) -> Option<Checks> {
    let ValueInput::List(list) = value else {
        expected(cx, value, "a list of checks such as `[state, pkce]`");
        return None;
    };
    let mut checks = Checks::default();
    let mut ok = true;
    for item in &list.items {
        let ValueInput::Path(path) = item else {
            expected(cx, item, "a check: `state`, `pkce` or `nonce`");
            ok = false;
            continue;
        };
        let name = path.get_ident().map(Ident::to_string).unwrap_or_default();
        let flag = match name.as_str() {
            kw::STATE => &mut checks.state,
            kw::PKCE => &mut checks.pkce,
            kw::NONCE => &mut checks.nonce,
            _ => {
                cx.error(path, unknown("check", &name, kw::OAUTH_CHECKS));
                ok = false;
                continue;
            }
        };
        if *flag {
            cx.error(path, format!("duplicate check `{name}`"));
            ok = false;
        }
        *flag = true;
        if name == kw::NONCE && !row.openid_connect {
            cx.error(
                path,
                format!(
                    "`nonce` needs an OpenID Connect provider; `{}` is OAuth 2.0 only",
                    row.kind
                ),
            );
            ok = false;
        }
    }
    // With a bad item the list is already reported; a second error about it would mislead.
    if ok && !checks.state && !checks.pkce {
        cx.error_at(
            list.bracket.span.join(),
            "at least `state` or `pkce` is required, as in `checks: [state, pkce]`",
        );
        ok = false;
    }
    ok.then_some(checks)
}

/// `profile:` names a fn mapping the raw profile to a user; the expansion checks its
/// signature where it is passed.
fn check_profile(cx: &Ctxt, value: &ValueInput) -> Option<Path> {
    match value {
        ValueInput::Path(path) => Some(path.clone()),
        other => {
            expected(cx, other, "a path to a fn, such as `crate::auth::profile`");
            None
        }
    }
}

/// A flag is `true` or `false`.
fn check_bool(cx: &Ctxt, value: &ValueInput) -> Option<bool> {
    match value {
        ValueInput::Lit(Lit::Bool(flag)) => Some(flag.value),
        other => {
            expected(cx, other, "`true` or `false`");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

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
        let kinds = "expected one of `Credentials`, `Email`, `GitHub`, `Google`, `GitLab`, `Discord`, `Auth0`, `Keycloak`, `Okta`, `AzureAd`, `Twitch`, `Slack`, `Spotify`, `LinkedIn`, `Facebook`, `Oidc`, `OAuth`";
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

    /// The display name, `#[optional]` and OAuth settings of the only provider of a valid block.
    fn oauth_model(tokens: TokenStream) -> (String, bool, OAuthProvider) {
        let mut config = valid(tokens);
        let Provider {
            name,
            optional,
            kind: ProviderKind::OAuth(oauth),
            ..
        } = config.providers.remove(0)
        else {
            panic!("an OAuth provider expected");
        };
        (name, optional, oauth)
    }

    #[test]
    fn every_oauth_kind_is_a_runtime_preset_with_its_default_name() {
        let kinds = [
            ("GitHub", "GitHub", quote!()),
            ("Google", "Google", quote!()),
            ("GitLab", "GitLab", quote!()),
            ("Discord", "Discord", quote!()),
            ("Auth0", "Auth0", quote!(issuer: env("I"))),
            ("Keycloak", "Keycloak", quote!(issuer: env("I"))),
            ("Okta", "Okta", quote!(issuer: env("I"))),
            ("AzureAd", "Azure Active Directory", quote!()),
            ("Twitch", "Twitch", quote!()),
            ("Slack", "Slack", quote!()),
            ("Spotify", "Spotify", quote!()),
            ("LinkedIn", "LinkedIn", quote!()),
            ("Facebook", "Facebook", quote!()),
            ("Oidc", "OpenID Connect", quote!(issuer: env("I"))),
            (
                "OAuth",
                "OAuth",
                quote!(authorization: env("A"), token: env("T"), userinfo: env("U")),
            ),
        ];
        for (kind, name, extra) in kinds {
            let (display_name, _, oauth) = oauth_model(oauth_block("p", kind, extra));
            assert_eq!(display_name, name, "{kind}");
            assert_eq!(oauth.preset.to_string(), kind);
        }
    }

    #[test]
    fn an_oauth_provider_keeps_every_setting() {
        let (name, optional, oauth) = oauth_model(with_provider(quote! {
            #[optional]
            corp: Oidc {
                name: env_or("CORP_NAME", "Corp SSO"),
                client_id: "public-client",
                client_secret: env("CORP_SECRET"),
                issuer: "https://idp.example.com/realms/corp",
                scope: "openid email",
                params: { prompt: "login", "ui-locales": "fr" },
                token_auth: client_secret_post,
                checks: [pkce, nonce],
                profile: crate::profile,
                allow_dangerous_email_account_linking: false,
            }
        }));
        assert_eq!((name.as_str(), optional), ("Corp SSO", true));
        assert_eq!(
            oauth.name_from_env.map(|v| v.name).as_deref(),
            Some("CORP_NAME")
        );
        assert!(matches!(&oauth.client_id, Setting::Literal(id) if id == "public-client"));
        assert_eq!(oauth.client_secret.name, "CORP_SECRET");
        let [("issuer", Setting::Literal(issuer))] = oauth.params.as_slice() else {
            panic!("one literal issuer expected");
        };
        assert_eq!(issuer, "https://idp.example.com/realms/corp");
        assert_eq!(oauth.scope.as_deref(), Some("openid email"));
        assert_eq!(
            oauth.authorization_params,
            [
                ("prompt".to_owned(), "login".to_owned()),
                ("ui-locales".to_owned(), "fr".to_owned())
            ]
        );
        assert_eq!(oauth.token_auth, Some(TokenAuthMethod::ClientSecretPost));
        assert_eq!(
            oauth.checks,
            Some(Checks {
                state: false,
                pkce: true,
                nonce: true
            })
        );
        assert_eq!(
            oauth
                .profile
                .map(|p| p.to_token_stream().to_string())
                .as_deref(),
            Some("crate :: profile")
        );
    }

    #[test]
    fn a_literal_display_name_has_no_variable_and_defaults_are_left_to_the_preset() {
        let (name, _, oauth) = oauth_model(oauth_block("gh", "GitHub", quote!(name: "Octo")));
        assert_eq!(name, "Octo");
        assert!(oauth.name_from_env.is_none());
        assert!(matches!(&oauth.client_id, Setting::Env(var) if var.name == "ID"));
        assert!(oauth.params.is_empty() && oauth.authorization_params.is_empty());
        assert!(oauth.scope.is_none() && oauth.token_auth.is_none());
        assert!(oauth.checks.is_none() && oauth.profile.is_none());
    }

    #[test]
    fn preset_params_are_kept_in_a_fixed_order() {
        let (_, _, oauth) = oauth_model(oauth_block(
            "custom",
            "OAuth",
            quote!(userinfo: env("U"), token: "https://x.io/t", authorization: env("A")),
        ));
        let keys: Vec<&str> = oauth.params.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["authorization", "token", "userinfo"]);
        let (_, _, oauth) = oauth_model(oauth_block(
            "azure",
            "AzureAd",
            quote!(tenant: "contoso.com"),
        ));
        assert!(
            matches!(&oauth.params[..], [("tenant", Setting::Literal(t))] if t == "contoso.com")
        );
    }

    #[test]
    fn an_unknown_oauth_field_names_the_closest_and_the_fields_of_the_kind() {
        assert_eq!(
            errors(with_provider(
                quote!(github: GitHub { client_ids: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") })
            )),
            [
                "unknown provider field `client_ids`; did you mean `client_id`? expected one of `name`, `client_id`, `client_secret`, `scope`, `params`, `token_auth`, `checks`, `profile`, `allow_dangerous_email_account_linking`"
            ]
        );
    }

    #[test]
    fn kind_specific_fields_are_unknown_on_other_kinds() {
        assert_eq!(
            errors(oauth_block("github", "GitHub", quote!(issuer: env("I")))),
            [
                "unknown provider field `issuer`; expected one of `name`, `client_id`, `client_secret`, `scope`, `params`, `token_auth`, `checks`, `profile`, `allow_dangerous_email_account_linking`"
            ]
        );
        let on_oidc = errors(oauth_block(
            "corp",
            "Oidc",
            quote!(issuer: env("I"), tenant: "x"),
        ));
        assert_eq!(on_oidc.len(), 1, "{on_oidc:?}");
        assert!(on_oidc[0].starts_with(
            "unknown provider field `tenant`; expected one of `name`, `client_id`, `client_secret`, `issuer`,"
        ));
        let on_azure = errors(oauth_block("azure", "AzureAd", quote!(token: env("T"))));
        assert!(
            on_azure[0].starts_with(
                "unknown provider field `token`; expected one of `name`, `client_id`, `client_secret`, `tenant`,"
            ),
            "{on_azure:?}"
        );
    }

    #[test]
    fn required_oauth_fields_are_each_reported_with_the_providers_variables() {
        assert_eq!(
            errors(with_provider(quote!(github: GitHub {}))),
            [
                "missing provider field `client_id`; expected `client_id: env(\"GITHUB_ID\")`",
                "missing provider field `client_secret`; expected `client_secret: env(\"GITHUB_SECRET\")`",
            ]
        );
        assert_eq!(
            errors(oauth_block("corp-sso", "Oidc", quote!())),
            ["missing provider field `issuer`; expected `issuer: env(\"CORP_SSO_ISSUER\")`"]
        );
        for kind in ["Auth0", "Keycloak", "Okta"] {
            assert_eq!(errors(oauth_block("p", kind, quote!())).len(), 1, "{kind}");
        }
        assert_eq!(
            errors(oauth_block("custom", "OAuth", quote!(token: env("T")))),
            [
                "missing provider field `authorization`; expected `authorization: \"https://idp.example.com/authorize\"`",
                "missing provider field `userinfo`; expected `userinfo: \"https://idp.example.com/userinfo\"`",
            ]
        );
    }

    #[test]
    fn a_literal_client_secret_is_refused_and_a_literal_client_id_is_not() {
        assert_eq!(
            errors(with_provider(
                quote!(github: GitHub { client_id: "Iv1.abc", client_secret: "shh" })
            )),
            ["literal secret; read it from the environment with `env(\"GITHUB_SECRET\")`"]
        );
        assert_eq!(
            errors(with_provider(
                quote!(github: GitHub { client_id: "", client_secret: env("S") })
            )),
            ["client id must not be empty"]
        );
        assert_eq!(
            errors(with_provider(
                quote!(github: GitHub { client_id: github_id, client_secret: env("S") })
            )),
            ["expected `env(\"GITHUB_ID\")` or a client id string, found a path"]
        );
    }

    #[test]
    fn literal_urls_are_absolute_https_or_loopback_http() {
        for (url, message) in [
            (
                "idp.example.com",
                "expected an absolute URL such as `https://idp.example.com`",
            ),
            (
                "/realms/x",
                "expected an absolute URL such as `https://idp.example.com`",
            ),
            (
                "ftp://idp.example.com",
                "unsupported URL scheme `ftp`; expected `https`",
            ),
            ("https://", "expected a host after `https://`"),
            ("https:///path", "expected a host after `https://`"),
            (
                "https://idp example.com",
                "a URL must not contain whitespace",
            ),
            (
                "https://idp!.example.com",
                "invalid host `idp!.example.com` in the URL",
            ),
            ("https://300.1.1.1", "invalid host `300.1.1.1` in the URL"),
            ("https://[::1", "invalid host `[::1` in the URL"),
            (
                "https://idp.example.com:99999",
                "invalid port `99999` in the URL",
            ),
            ("https://idp.example.com:x/", "invalid port `x` in the URL"),
            (
                "https://me:pw@idp.example.com",
                "unexpected `user@` in the URL; client credentials go in `client_id` and `client_secret`",
            ),
            (
                "https://idp.example.com/#top",
                "unexpected `#fragment` in the URL",
            ),
            (
                "https://idp.example.com/?tenant=x",
                "unexpected `?query` in the issuer; an issuer is a URL without query or fragment",
            ),
            (
                "http://idp.example.com",
                "plain http to a non-loopback host; use https",
            ),
            (
                "http://10.0.0.1:8080/realms/x",
                "plain http to a non-loopback host; use https",
            ),
            (
                "http://localhost.example.com",
                "plain http to a non-loopback host; use https",
            ),
        ] {
            assert_eq!(
                errors(oauth_block("corp", "Oidc", quote!(issuer: #url))),
                [message],
                "{url}"
            );
        }
        for url in [
            "https://idp.example.com",
            "HTTPS://IDP.example.com:8443/realms/x/",
            "http://localhost:8080/realms/x",
            "http://127.0.0.1:9000",
            "http://[::1]:9000/oidc",
            "http://LOCALHOST",
            "https://[2001:db8::1]/",
            "https://192.0.2.10",
        ] {
            valid(oauth_block("corp", "Oidc", quote!(issuer: #url)));
        }
        // Endpoints may carry a query; an issuer may not.
        valid(oauth_block(
            "custom",
            "OAuth",
            quote!(
                authorization: "https://x.io/authorize?audience=api",
                token: "http://127.0.0.1:1/token",
                userinfo: env("U"),
            ),
        ));
        assert_eq!(
            errors(oauth_block(
                "custom",
                "OAuth",
                quote!(authorization: "http://x.io/a", token: "x.io/t", userinfo: "https://x.io/u#me"),
            )),
            [
                "plain http to a non-loopback host; use https",
                "expected an absolute URL such as `https://idp.example.com`",
                "unexpected `#fragment` in the URL",
            ]
        );
    }

    #[test]
    fn a_literal_tenant_is_a_tenant_id_or_domain() {
        assert_eq!(
            errors(oauth_block(
                "azure",
                "AzureAd",
                quote!(tenant: "contoso/evil")
            )),
            ["expected a tenant id, a domain, `common`, `organizations` or `consumers`"]
        );
        valid(oauth_block(
            "azure",
            "AzureAd",
            quote!(tenant: env("AZURE_TENANT")),
        ));
        assert_eq!(
            errors(oauth_block("azure", "AzureAd", quote!(tenant: common))),
            [
                "expected `env(\"AZURE_TENANT\")` or a literal such as `\"contoso.onmicrosoft.com\"`, found a path"
            ]
        );
    }

    #[test]
    fn token_auth_is_a_known_method() {
        assert_eq!(
            errors(oauth_block(
                "gh",
                "GitHub",
                quote!(token_auth: private_key_jwt)
            )),
            [
                "unknown token auth method `private_key_jwt`; expected one of `client_secret_basic`, `client_secret_post`"
            ]
        );
        assert_eq!(
            errors(oauth_block(
                "gh",
                "GitHub",
                quote!(token_auth: client_secret_pots)
            )),
            [
                "unknown token auth method `client_secret_pots`; did you mean `client_secret_post`? expected one of `client_secret_basic`, `client_secret_post`"
            ]
        );
        assert_eq!(
            errors(oauth_block(
                "gh",
                "GitHub",
                quote!(token_auth: "client_secret_post")
            )),
            ["expected `client_secret_basic` or `client_secret_post`, found a string"]
        );
        let (_, _, model) = oauth_model(oauth_block(
            "gh",
            "GitHub",
            quote!(token_auth: client_secret_basic),
        ));
        assert_eq!(model.token_auth, Some(TokenAuthMethod::ClientSecretBasic));
    }

    #[test]
    fn checks_are_known_unique_and_bind_the_callback() {
        let checks = |list: TokenStream| errors(oauth_block("g", "Google", quote!(checks: #list)));
        assert_eq!(
            checks(quote!([state, pcke])),
            ["unknown check `pcke`; did you mean `pkce`? expected one of `state`, `pkce`, `nonce`"]
        );
        assert_eq!(
            checks(quote!([state, pkce, state])),
            ["duplicate check `state`"]
        );
        let required = "at least `state` or `pkce` is required, as in `checks: [state, pkce]`";
        assert_eq!(checks(quote!([])), [required]);
        assert_eq!(checks(quote!([nonce])), [required]);
        assert_eq!(
            checks(quote!(state)),
            ["expected a list of checks such as `[state, pkce]`, found a path"]
        );
        assert_eq!(
            checks(quote!(["state"])),
            ["expected a check: `state`, `pkce` or `nonce`, found a string"]
        );
        for list in [
            quote!([state]),
            quote!([pkce]),
            quote!([state, pkce, nonce]),
        ] {
            assert!(checks(list).is_empty());
        }
    }

    #[test]
    fn nonce_needs_an_openid_connect_provider() {
        for kind in ["GitHub", "GitLab", "Discord", "Spotify", "Facebook"] {
            assert_eq!(
                errors(oauth_block("p", kind, quote!(checks: [state, nonce]))),
                [format!(
                    "`nonce` needs an OpenID Connect provider; `{kind}` is OAuth 2.0 only"
                )],
            );
        }
        assert_eq!(
            errors(oauth_block(
                "p",
                "OAuth",
                quote!(authorization: env("A"), token: env("T"), userinfo: env("U"), checks: [nonce, state]),
            )),
            ["`nonce` needs an OpenID Connect provider; `OAuth` is OAuth 2.0 only"]
        );
        for kind in ["Google", "AzureAd", "Twitch", "Slack", "LinkedIn"] {
            valid(oauth_block("p", kind, quote!(checks: [state, nonce])));
        }
    }

    #[test]
    fn params_are_extra_authorization_parameters_the_flow_does_not_own() {
        let params = |map: TokenStream| errors(oauth_block("g", "Google", quote!(params: #map)));
        assert_eq!(
            params(quote!({ scope: "openid" })),
            [
                "authorization parameter `scope` is set by the sign-in flow; set `scope` with the `scope` field"
            ]
        );
        for key in [
            "client_id",
            "response_type",
            "redirect_uri",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        ] {
            assert_eq!(
                params(quote!({ #key: "x" })),
                [format!(
                    "authorization parameter `{key}` is set by the sign-in flow"
                )],
            );
        }
        assert_eq!(
            params(quote!({ prompt: "login", "prompt": "none" })),
            ["duplicate authorization parameter `prompt`"]
        );
        assert_eq!(
            params(quote!({ max_age: 0 })),
            ["expected a parameter value such as `\"login\"`, found an integer"]
        );
        assert_eq!(
            params(quote!({ "": "x" })),
            ["authorization parameter name must not be empty"]
        );
        assert_eq!(
            params(quote!([prompt])),
            ["expected `{ prompt: \"login\" }`, found a `[ … ]` list"]
        );
        assert!(params(quote!({})).is_empty());
    }

    #[test]
    fn scope_profile_and_account_linking_have_their_shapes() {
        let field = |f: TokenStream| errors(oauth_block("g", "Google", f));
        assert_eq!(
            field(quote!(scope: " ")),
            ["scope must not be empty; leave `scope` out for the preset's"]
        );
        assert_eq!(
            field(quote!(scope: [openid])),
            ["expected a scope such as `\"openid email profile\"`, found a `[ … ]` list"]
        );
        assert_eq!(
            field(quote!(profile: "crate::profile")),
            ["expected a path to a fn, such as `crate::auth::profile`, found a string"]
        );
        assert_eq!(
            field(quote!(allow_dangerous_email_account_linking: "yes")),
            ["expected `true` or `false`, found a string"]
        );
        assert!(field(quote!(allow_dangerous_email_account_linking: true)).is_empty());
    }

    #[test]
    fn oauth_mistakes_in_one_provider_are_all_reported() {
        let errors = errors(with_provider(quote! {
            gh: GitHub {
                client_id: env("A B"),
                client_secret: "shh",
                scope: "",
                checks: [nonce],
                token_auth: basic,
                profile: "p",
            }
        }));
        assert_eq!(errors.len(), 6, "{errors:?}");
    }
}
