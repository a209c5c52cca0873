//! The provider table as data: what each provider declared in `auth!` is.
//! The macro emits one [`ProviderSpec`] per provider; behaviour is attached at start-up.

use std::fmt;

/// The kind of a provider, as `/providers` reports it in `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderKind {
    /// OAuth 2.0 or OpenID Connect.
    OAuth,
    /// Email magic links.
    Email,
    /// A form checked by a user function.
    Credentials,
}

impl ProviderKind {
    /// NextAuth's name for the kind: `oauth`, `email` or `credentials`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OAuth => "oauth",
            ProviderKind::Email => "email",
            ProviderKind::Credentials => "credentials",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One input of a credentials form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialField {
    /// The form field name, e.g. `username`.
    pub key: &'static str,
    /// The label shown on the sign-in page.
    pub label: &'static str,
    /// The HTML input type: `text`, `password` or `email`.
    pub input_type: &'static str,
}

impl CredentialField {
    /// A field with its key, label and HTML input type.
    pub const fn new(key: &'static str, label: &'static str, input_type: &'static str) -> Self {
        CredentialField {
            key,
            label,
            input_type,
        }
    }
}

/// A provider as declared: id, display name, kind and the static parts of its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderSpec {
    /// The URL-safe id used in `/signin/:id` and `/callback/:id`.
    pub id: &'static str,
    /// The display name, e.g. `GitHub`.
    pub name: &'static str,
    /// The provider's kind.
    pub kind: ProviderKind,
    /// Whether the provider is enabled only when its variables are set.
    pub optional: bool,
    /// The credentials form's fields, in declaration order (empty for other kinds).
    pub fields: &'static [CredentialField],
}

impl ProviderSpec {
    /// A credentials provider with its form fields.
    pub const fn credentials(
        id: &'static str,
        name: &'static str,
        fields: &'static [CredentialField],
    ) -> Self {
        ProviderSpec {
            id,
            name,
            kind: ProviderKind::Credentials,
            optional: false,
            fields,
        }
    }

    /// The same provider, enabled only when its environment variables are set.
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}
