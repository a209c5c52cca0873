//! `Passkey { relying_party }`: sign-in with passkeys (WebAuthn), Auth.js v5's `Passkey`
//! provider; it needs database sessions, where passkeys and their users are kept, and the
//! runtime's `passkeys` feature.

use super::{FieldRow, KindRow, ProviderInput, optional_field};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::ProviderKind;
use crate::parse::ValueInput;
use crate::validate::values::expect_str;

/// The kind's row: the name browsers show in their passkey prompts is optional.
pub(super) const KIND: KindRow = KindRow {
    kind: "Passkey",
    default_name: "Passkey",
    fields: &[FieldRow {
        key: kw::RELYING_PARTY,
        required: false,
        example: "relying_party: \"My App\"",
    }],
    refused_fields: &[],
    name_from_env: false,
    openid_connect: false,
    preset: None,
    build: build_passkey,
};

/// `Passkey { relying_party: "My App" }`; without `relying_party` browsers show the site's
/// host.
fn build_passkey(cx: &Ctxt, input: &ProviderInput) -> Option<ProviderKind> {
    let relying_party = optional_field(&input.fields, kw::RELYING_PARTY, |v| {
        expect_str(cx, v, "a name such as `\"My App\"`").map(|s| s.value())
    })?;
    Some(ProviderKind::Passkey {
        relying_party,
        kind_span: input
            .kind
            .segments
            .last()
            .map_or_else(proc_macro2::Span::call_site, |segment| segment.ident.span()),
    })
}

/// Passkeys need database sessions: the passkeys, their users and each ceremony's state live
/// in the adapter.
pub(in crate::validate) fn check_passkey_has_database_sessions(cx: &Ctxt, providers: &ValueInput) {
    super::check_kind_has_database_sessions(cx, providers, KIND.kind, "passkeys need");
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::model::ProviderKind;
    use crate::validate::test_support::{database_block, errors, valid, with_provider};

    #[test]
    fn a_passkey_provider_takes_a_relying_party_name_and_needs_database_sessions() {
        let config = valid(database_block(
            quote!(adapter: env("DATABASE_URL")),
            quote!(passkey: Passkey { relying_party: "Example" }),
        ));
        let provider = &config.providers[0];
        assert_eq!(provider.name, "Passkey");
        let ProviderKind::Passkey { relying_party, .. } = &provider.kind else {
            panic!("a passkey provider expected");
        };
        assert_eq!(relying_party.as_deref(), Some("Example"));
        let config = valid(database_block(
            quote!(adapter: env("DATABASE_URL")),
            quote!(passkey: Passkey {}),
        ));
        assert!(matches!(
            &config.providers[0].kind,
            ProviderKind::Passkey {
                relying_party: None,
                ..
            }
        ));
        assert_eq!(
            errors(with_provider(quote!(passkey: Passkey {}))),
            ["passkeys need database sessions; declare `session: database { adapter: … }`"]
        );
        assert_eq!(
            errors(database_block(
                quote!(adapter: env("DATABASE_URL")),
                quote!(passkey: Passkey { relying_party: 42 }),
            )),
            ["expected a name such as `\"My App\"`, found an integer"]
        );
    }
}
