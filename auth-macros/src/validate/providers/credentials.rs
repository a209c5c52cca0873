//! `Credentials { fields, authorize }`: a sign-in form whose fields the application's fn
//! checks.

use syn::Lit;

use super::{FieldRow, KindRow, ProviderInput};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{CredentialField, ProviderKind};
use crate::parse::{KeyInput, ValueInput};
use crate::validate::values::{call_name, check_fn_path, expect_map, expected, single_arg};
use crate::validate::{check_no_attributes, unknown};

/// The kind's row: a form posted to the application's `authorize` fn, which says who signs in.
pub(super) const KIND: KindRow = KindRow {
    kind: "Credentials",
    default_name: "Credentials",
    fields: &[
        FieldRow {
            key: kw::FIELDS,
            required: true,
            example: "fields: { username: text(\"Username\"), password: password(\"Password\") }",
        },
        FieldRow {
            key: kw::AUTHORIZE,
            required: true,
            example: "authorize: crate::path::to::async_fn",
        },
    ],
    refused_fields: &[],
    name_from_env: false,
    openid_connect: false,
    preset: None,
    build: build_credentials,
};

/// The `Credentials` kind: its form and the fn that checks what the form posts.
fn build_credentials(cx: &Ctxt, input: &ProviderInput) -> Option<ProviderKind> {
    let fields = &input.fields;
    let form = fields
        .value(kw::FIELDS)
        .and_then(|v| check_credential_fields(cx, v));
    let authorize = fields
        .value(kw::AUTHORIZE)
        .and_then(|v| check_fn_path(cx, v, kw::AUTHORIZE));
    Some(ProviderKind::Credentials {
        fields: form?,
        authorize: authorize?,
    })
}

/// A credentials form has at least one field, each `key: kind("Label")` with a known input
/// kind: an empty form would post nothing to check, and the kind is the HTML input type.
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
    let reserved = auth_shared::literals::RESERVED_FORM_FIELDS.contains(&name.as_str());
    if reserved {
        cx.error(
            key,
            format!("credentials field `{name}` is reserved by the sign-in form"),
        );
    }
    !reserved
}

/// A form field is `text("Label")`, `password("Label")` or `email("Label")`: the HTML input
/// type, and the label shown beside it.
fn check_credential_field(cx: &Ctxt, value: &ValueInput) -> Option<(String, String)> {
    let ValueInput::Call(call) = value else {
        expected(cx, value, "a field such as `text(\"Username\")`");
        return None;
    };
    let func = call_name(call);
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

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use crate::validate::test_support::{errors, with_provider};

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
}
