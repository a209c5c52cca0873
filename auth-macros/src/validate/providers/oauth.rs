//! The OAuth 2.0 and OpenID Connect kinds, one per runtime preset (`GitHub`, `Oidc`, …): the
//! client's credentials, the preset's parameters and the overrides of its defaults.

use proc_macro2::Span;
use syn::{Ident, Lit, Path};

use auth_shared::presets::{Param, ParamValue, Preset};

use super::{FieldRow, KindRow, ProviderInput, RefusedField, env_prefix, optional_field};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{Checks, EnvVar, OAuthProvider, ProviderKind, Setting, TokenAuthMethod};
use crate::parse::{KeyInput, ValueInput};
use crate::validate::env::check_env;
use crate::validate::literals;
use crate::validate::values::{
    check_bool, check_literal, expect_map, expect_str, expected, path_name,
};
use crate::validate::{check_no_attributes, unknown};

/// The OAuth kinds, in the order error messages list them: one per row of the preset table
/// the runtime builds its providers from (`auth_shared::presets`), with its display name.
pub(super) const PRESETS: [KindRow; TABLE.len()] = {
    let mut rows = [PLACEHOLDER; TABLE.len()];
    let mut i = 0;
    while i < TABLE.len() {
        rows[i] = preset(&TABLE[i]);
        i += 1;
    }
    rows
};

/// The shared preset table.
const TABLE: &[Preset] = auth_shared::presets::PRESETS;

/// What `PRESETS` starts from before each row is written.
const PLACEHOLDER: KindRow = preset(&TABLE[0]);

/// A preset's kind: its fields are the common OAuth ones plus the parameters it takes.
const fn preset(row: &'static Preset) -> KindRow {
    let (fields, refused_fields) = match row.params {
        // What signs the secret: no `client_secret` (the table says a preset with these
        // parameters signs its own, and takes no other parameter).
        [
            Param {
                value: ParamValue::TeamId,
                ..
            },
            Param {
                value: ParamValue::KeyId,
                ..
            },
            Param {
                value: ParamValue::PrivateKey,
                ..
            },
        ] => (SIGNED_SECRET_OAUTH_FIELDS, SIGNED_SECRET_REFUSED),
        params => (issued_secret_fields(params), &[] as &[RefusedField]),
    };
    KindRow {
        kind: row.kind_name,
        default_name: row.name,
        fields,
        refused_fields,
        name_from_env: true,
        openid_connect: row.is_oidc(),
        preset: Some(row),
        build: build_oauth,
    }
}

/// The fields of a preset whose client secret the provider issued, by the parameters it takes.
const fn issued_secret_fields(params: &[Param]) -> &'static [FieldRow] {
    match params {
        [] => OAUTH_FIELDS,
        [
            Param {
                value: ParamValue::Issuer,
                ..
            },
        ] => ISSUER_OAUTH_FIELDS,
        [
            Param {
                value: ParamValue::Tenant,
                ..
            },
        ] => TENANT_OAUTH_FIELDS,
        _ => ENDPOINT_OAUTH_FIELDS,
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

const TEAM_ID: FieldRow = FieldRow {
    key: kw::TEAM_ID,
    required: true,
    example: "team_id: env(\"{ID}_TEAM_ID\")",
};

const KEY_ID: FieldRow = FieldRow {
    key: kw::KEY_ID,
    required: true,
    example: "key_id: env(\"{ID}_KEY_ID\")",
};

const PRIVATE_KEY: FieldRow = FieldRow {
    key: kw::PRIVATE_KEY,
    required: true,
    example: "private_key: env(\"{ID}_PRIVATE_KEY\")",
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

/// The fields of a preset that signs its own client secret (`Apple`).
const SIGNED_SECRET_OAUTH_FIELDS: &[FieldRow] = &[
    CLIENT_ID,
    TEAM_ID,
    KEY_ID,
    PRIVATE_KEY,
    SCOPE,
    PARAMS,
    TOKEN_AUTH,
    CHECKS,
    PROFILE,
    ACCOUNT_LINKING,
];

/// `client_secret` on a preset that signs its own: a field it would ignore.
const SIGNED_SECRET_REFUSED: &[RefusedField] = &[RefusedField {
    key: kw::CLIENT_SECRET,
    why: "`{KIND}` takes no `client_secret`: the runtime signs one for each token request with `private_key`, `key_id` and `team_id`",
}];

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

/// An OAuth 2.0 or OpenID Connect kind: the runtime's preset of the same name, with the
/// client's credentials and the overrides of the preset's defaults.
fn build_oauth(cx: &Ctxt, input: &ProviderInput) -> Option<ProviderKind> {
    let fields = &input.fields;
    let prefix = env_prefix(&input.id);
    // Every field is checked before any `?`, so each mistake is reported.
    let client_id = fields
        .value(kw::CLIENT_ID)
        .and_then(|v| check_client_id(cx, v, &prefix));
    // A preset that signs its own secret has no `client_secret` field; on any other, a missing
    // one is already reported.
    let takes_secret = input.row.fields.iter().any(|f| f.key == kw::CLIENT_SECRET);
    let client_secret = match fields.value(kw::CLIENT_SECRET) {
        Some(value) => check_client_secret(cx, value, &prefix).map(Some),
        None if takes_secret => None,
        None => Some(None),
    };
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
        check_linking_can_work(cx, v, input.row, check_bool(cx, v)?)
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

/// Linking by email needs the profile's word that the address is verified
/// (`email_verified`); a preset whose profile never says so would never link, so opting in
/// there is a mistake, not a setting.
fn check_linking_can_work(
    cx: &Ctxt,
    value: &ValueInput,
    row: &KindRow,
    opted_in: bool,
) -> Option<bool> {
    let verifies = row.preset.is_none_or(|preset| preset.verified_email);
    if opted_in && !verifies {
        cx.error(
            value,
            format!(
                "`{}` profiles do not say whether the email address is verified, so `allow_dangerous_email_account_linking` could never link; link accounts with `POST /accounts/link` instead",
                row.kind
            ),
        );
        return None;
    }
    Some(opted_in)
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
    check_secret(cx, value, &format!("{prefix}_SECRET"), "secret")
}

/// A secret (`what`: the client secret, a private key) is `env("…")`, never a literal, which
/// would ship inside the binary and its repository; `var` is the variable messages suggest.
fn check_secret(cx: &Ctxt, value: &ValueInput, var: &str, what: &str) -> Option<EnvVar> {
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            cx.error(
                lit,
                format!("literal {what}; read it from the environment with `env(\"{var}\")`"),
            );
            None
        }
        ValueInput::Call(_) => check_env(cx, value),
        other => {
            expected(cx, other, &format!("`env(\"{var}\")`"));
            None
        }
    }
}

/// A preset parameter (`issuer`, `tenant`, `authorization`, `token`, `userinfo`, `team_id`,
/// `key_id`) is `env("…")`, checked at start-up, or a literal, checked here so a typo fails
/// the build; `private_key` is a secret, so only ever `env("…")`.
fn check_preset_param(cx: &Ctxt, key: &str, value: &ValueInput, prefix: &str) -> Option<Setting> {
    let upper = key.to_ascii_uppercase();
    if key == kw::PRIVATE_KEY {
        return check_secret(cx, value, &format!("{prefix}_{upper}"), "private key")
            .map(Setting::Env);
    }
    match value {
        ValueInput::Lit(Lit::Str(lit)) => {
            let literal = match key {
                kw::TENANT => check_literal(cx, lit, literals::check_tenant),
                kw::TEAM_ID => check_literal(cx, lit, |id| literals::check_apple_id(id, "team id")),
                kw::KEY_ID => check_literal(cx, lit, |id| literals::check_apple_id(id, "key id")),
                _ => check_literal(cx, lit, |url| literals::check_url(url, key == kw::ISSUER)),
            };
            literal.map(Setting::Literal)
        }
        ValueInput::Call(_) => check_env(cx, value).map(Setting::Env),
        other => {
            let example = match key {
                kw::TENANT => "`\"contoso.onmicrosoft.com\"`",
                kw::TEAM_ID | kw::KEY_ID => "`\"ABCDE12345\"`",
                _ => "`\"https://idp.example.com\"`",
            };
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

/// A parameter name is not empty, not one the flow sets, and not repeated: the flow's own would
/// be replaced, and a repeated one sent twice.
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
    } else if auth_shared::literals::FLOW_AUTHORIZATION_PARAMS.contains(&name) {
        format!("authorization parameter `{name}` is set by the sign-in flow")
    } else if earlier.iter().any(|(k, _)| k == name) {
        format!("duplicate authorization parameter `{name}`")
    } else {
        return true;
    };
    cx.error(key, message);
    false
}

/// `token_auth:` is a method the runtime speaks (RFC 7591 §2): how the client authenticates at
/// the token endpoint.
fn check_token_auth(cx: &Ctxt, value: &ValueInput) -> Option<TokenAuthMethod> {
    let ValueInput::Path(path) = value else {
        expected(cx, value, "`client_secret_basic` or `client_secret_post`");
        return None;
    };
    let name = path_name(path);
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
        let name = path_name(path);
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

/// `profile:` names a fn mapping the kind's typed profile to a user; the expansion checks its
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

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::*;
    use crate::model::Provider;
    use crate::validate::test_support::{
        describe_setting, errors, oauth_block, valid, with_provider,
    };

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
        assert_eq!(
            oauth.client_secret.map(|var| var.name).as_deref(),
            Some("CORP_SECRET")
        );
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
    fn linking_by_email_needs_a_profile_that_says_the_address_is_verified() {
        for kind in ["GitHub", "GitLab", "Discord", "Spotify", "Facebook"] {
            assert_eq!(
                errors(oauth_block(
                    "p",
                    kind,
                    quote!(allow_dangerous_email_account_linking: true)
                )),
                [format!(
                    "`{kind}` profiles do not say whether the email address is verified, so `allow_dangerous_email_account_linking` could never link; link accounts with `POST /accounts/link` instead"
                )],
            );
            valid(oauth_block(
                "p",
                kind,
                quote!(allow_dangerous_email_account_linking: false),
            ));
        }
        valid(oauth_block(
            "p",
            "Google",
            quote!(allow_dangerous_email_account_linking: true),
        ));
    }

    /// A valid `Apple` block, with `fields` replacing or adding to its own.
    fn apple(fields: TokenStream) -> TokenStream {
        with_provider(quote! {
            apple: Apple {
                client_id: env("APPLE_ID"),
                team_id: "ABCDE12345",
                key_id: env("APPLE_KEY_ID"),
                private_key: env("APPLE_PRIVATE_KEY"),
                #fields
            }
        })
    }

    #[test]
    fn apple_signs_its_secret_from_its_team_key_and_private_key() {
        let (name, _, oauth) = oauth_model(apple(quote!()));
        assert_eq!(name, "Apple");
        assert_eq!(oauth.preset.to_string(), "Apple");
        assert!(oauth.client_secret.is_none());
        let params: Vec<(&str, String)> = oauth
            .params
            .iter()
            .map(|(key, setting)| (*key, describe_setting(setting)))
            .collect();
        assert_eq!(
            params,
            [
                ("team_id", "literal ABCDE12345".to_owned()),
                ("key_id", "env APPLE_KEY_ID".to_owned()),
                ("private_key", "env APPLE_PRIVATE_KEY".to_owned()),
            ]
        );
    }

    #[test]
    fn apple_needs_what_signs_its_secret() {
        assert_eq!(
            errors(with_provider(
                quote!(apple: Apple { client_id: env("APPLE_ID") })
            )),
            [
                "missing provider field `team_id`; expected `team_id: env(\"APPLE_TEAM_ID\")`",
                "missing provider field `key_id`; expected `key_id: env(\"APPLE_KEY_ID\")`",
                "missing provider field `private_key`; expected `private_key: env(\"APPLE_PRIVATE_KEY\")`",
            ]
        );
    }

    #[test]
    fn apple_takes_no_client_secret_and_says_why() {
        assert_eq!(
            errors(apple(quote!(client_secret: env("APPLE_SECRET")))),
            [
                "`Apple` takes no `client_secret`: the runtime signs one for each token request with `private_key`, `key_id` and `team_id`"
            ]
        );
        // Its own fields are unknown elsewhere.
        let on_github = errors(oauth_block("gh", "GitHub", quote!(private_key: env("K"))));
        assert!(
            on_github[0].starts_with("unknown provider field `private_key`; expected one of"),
            "{on_github:?}"
        );
    }

    #[test]
    fn apples_private_key_is_never_a_literal() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----";
        let block = with_provider(quote! {
            apple: Apple {
                client_id: env("APPLE_ID"),
                team_id: env("APPLE_TEAM_ID"),
                key_id: env("APPLE_KEY_ID"),
                private_key: #pem,
            }
        });
        assert_eq!(
            errors(block),
            ["literal private key; read it from the environment with `env(\"APPLE_PRIVATE_KEY\")`"]
        );
        assert_eq!(
            errors(with_provider(quote! {
                fruit: Apple { client_id: "x", team_id: "ABCDE12345", key_id: "ABCDE12345", private_key: key }
            })),
            ["expected `env(\"FRUIT_PRIVATE_KEY\")`, found a path"]
        );
    }

    #[test]
    fn a_literal_team_or_key_id_follows_the_shared_rule() {
        for (team_id, key_id, what, bad) in [
            ("abcde12345", "ABCDE12345", "team id", "abcde12345"),
            ("ABCDE12345", "KEY-123", "key id", "KEY-123"),
        ] {
            let block = with_provider(quote! {
                apple: Apple {
                    client_id: env("APPLE_ID"),
                    team_id: #team_id,
                    key_id: #key_id,
                    private_key: env("APPLE_PRIVATE_KEY"),
                }
            });
            // The runtime holds a value of `env(…)` to the same rule at start-up.
            let shared = auth_shared::literals::apple_id_problem(bad, what);
            assert_eq!(errors(block), [shared.unwrap_or_default()], "{what}");
        }
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
