//! `roles: { admin, member }`: the roles a user may have. Each becomes a variant of the
//! generated `auth::Role`, so naming a role the block does not declare is a compile error in
//! the user's code; the name is what tokens and rows store.

use std::collections::HashSet;

use syn::ext::IdentExt;

use super::providers::variant_name;
use super::values::expected;
use crate::ctxt::Ctxt;
use crate::model::Role;
use crate::parse::{SetInput, ValueInput};

/// The roles are a non-empty `{ … }` set of distinct lower snake_case names (what a token's
/// `roles` claim and the store hold, so other code can read them), each a variant of `Role`.
pub(super) fn check_roles(cx: &Ctxt, value: &ValueInput) -> Vec<Role> {
    let set = match value {
        ValueInput::Set(set) => set,
        ValueInput::Map(map) if map.entries.is_empty() => {
            cx.error(
                value,
                "declare at least one role: `roles: { admin, member }`",
            );
            return Vec::new();
        }
        other => {
            expected(cx, other, "a set of role names such as `{ admin, member }`");
            return Vec::new();
        }
    };
    check_role_set(cx, set)
}

/// The roles of a set, each name checked.
pub(super) fn check_role_set(cx: &Ctxt, set: &SetInput) -> Vec<Role> {
    let mut seen = HashSet::new();
    let mut roles = Vec::new();
    for ident in &set.names {
        let name = ident.unraw().to_string();
        let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            cx.error(
                ident,
                format!(
                    "role names are lower snake_case, as stored in tokens and rows: `{}`",
                    name.to_ascii_lowercase()
                ),
            );
            continue;
        }
        if !seen.insert(name.clone()) {
            cx.error(ident, format!("duplicate role `{name}`"));
            continue;
        }
        roles.push(Role {
            variant: syn::Ident::new(&variant_name(&name), ident.span()),
            name,
        });
    }
    roles
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::test_support::{block, errors, valid};

    #[test]
    fn roles_keep_their_names_and_get_upper_camel_case_variants() {
        let config = valid(block(quote!(roles: { admin, content_editor },)));
        let roles: Vec<_> = config
            .roles
            .iter()
            .map(|r| (r.name.clone(), r.variant.to_string()))
            .collect();
        assert_eq!(
            roles,
            [
                ("admin".to_owned(), "Admin".to_owned()),
                ("content_editor".to_owned(), "ContentEditor".to_owned())
            ]
        );
        assert!(valid(block(quote!())).roles.is_empty());
    }

    #[test]
    fn bad_role_sets_say_what_is_wrong() {
        assert_eq!(
            errors(block(quote!(roles: { Admin },))),
            ["role names are lower snake_case, as stored in tokens and rows: `admin`"]
        );
        assert_eq!(
            errors(block(quote!(roles: { admin, admin },))),
            ["duplicate role `admin`"]
        );
        assert_eq!(
            errors(block(quote!(roles: {},))),
            ["declare at least one role: `roles: { admin, member }`"]
        );
        assert_eq!(
            errors(block(quote!(roles: [admin],))),
            ["expected a set of role names such as `{ admin, member }`, found a `[ … ]` list"]
        );
    }
}
