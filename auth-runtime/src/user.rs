//! The nouns every flow passes around: the signed-in [`User`], the [`Account`] it came
//! through, the session [`Token`] and the typed data a session carries.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::roles::RoleName;
use crate::spec::ProviderKind;

/// A user as a provider or an `authorize` function returns it (NextAuth's `{id, name, email, image}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's id; it becomes the token's `sub`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
    /// The user's roles by name (`roles:` in `auth!`); set them with [`User::role`]. Kept in
    /// the session: the token's `roles` claim, or the user's row under database sessions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl User {
    /// A user with an id and nothing else.
    pub fn new(id: impl Into<String>) -> Self {
        User {
            id: id.into(),
            ..User::default()
        }
    }

    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the avatar URL.
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.image = Some(image.into());
        self
    }

    /// Gives the user a declared role: `.role(auth::Role::Admin)`.
    pub fn role(mut self, role: impl RoleName) -> Self {
        crate::roles::add(&mut self.roles, role.as_str());
        self
    }

    /// Whether the user has `role`.
    pub fn has_role(&self, role: impl RoleName) -> bool {
        self.roles.iter().any(|name| name == role.as_str())
    }
}

/// How a user signed in: the provider, the user's id there, and the provider's tokens.
#[derive(Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Account {
    /// The provider id, e.g. `credentials`.
    pub provider: String,
    /// The provider's kind.
    #[serde(rename = "type", serialize_with = "kind_as_str")]
    pub kind: ProviderKind,
    /// The user's id at the provider.
    #[serde(rename = "providerAccountId")]
    pub provider_account_id: String,
    /// The OAuth tokens (access, refresh, id token), for OAuth sign-ins. Never serialized.
    #[serde(skip)]
    pub tokens: Option<crate::oauth::TokenSet>,
}

impl Account {
    /// An account at `provider` for the user `provider_account_id`.
    pub fn new(
        provider: impl Into<String>,
        kind: ProviderKind,
        provider_account_id: impl Into<String>,
    ) -> Self {
        Account {
            provider: provider.into(),
            kind,
            provider_account_id: provider_account_id.into(),
            tokens: None,
        }
    }
}

// The tokens are secrets: Debug only says whether they are there (TokenSet redacts them too).
impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("provider_account_id", &self.provider_account_id)
            .field("tokens", &self.tokens.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

fn kind_as_str<S: serde::Serializer>(kind: &ProviderKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

/// Typed data carried in the session token beside NextAuth's claims (`session_data:` in `auth!`).
///
/// Its fields are stored at the token's top level, as a NextAuth `jwt` callback stores
/// `token.role`. A token whose claims do not deserialize into the type is not a session, so
/// give fields that older tokens lack `#[serde(default)]`. A fresh sign-in starts from
/// `Default::default()`, which the `jwt` callback then fills in.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be carried in the session token",
    label = "this type must implement `Serialize`, `Deserialize`, `Clone`, `Default`, `Send` and `Sync`",
    note = "derive `serde::Serialize`, `serde::Deserialize`, `Clone` and `Default` on `{Self}`"
)]
pub trait SessionData:
    Serialize + DeserializeOwned + Clone + Default + Send + Sync + 'static
{
}

impl<T: Serialize + DeserializeOwned + Clone + Default + Send + Sync + 'static> SessionData for T {}

/// The session data of an `auth!` block that declares no `session_data`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoData {}

/// The session token's claims (next-auth v4's JWT payload) plus the typed `data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "D: SessionData")]
pub struct Token<D = NoData> {
    /// Display name (`null` when unknown, as next-auth writes it).
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issued at (seconds since the epoch); set on every encode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Expiry (seconds since the epoch); set on every encode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// A random id; set on every encode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The id of the session as its store records it (`session: jwt { adapter: … }`), so it
    /// can be listed and revoked; absent without a store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// When the store last confirmed the session is not revoked (seconds since the epoch);
    /// it is asked again once `update_age` has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chk: Option<u64>,
    /// The user's roles by name (`roles:` in `auth!`), the `roles` claim; absent when none.
    /// A `jwt` callback may change them ([`Token::set_roles`]); under JWT sessions a change
    /// reaches the cookie at its next re-issue (the next `/session` request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The provider's tokens of an OAuth or OpenID Connect sign-in (the `account` claim),
    /// which [`Session::access_token`](crate::Session::access_token) hands out and refreshes;
    /// sealed with the rest of the token. Absent for credentials and email sign-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<crate::access::ProviderTokens>,
    /// `RefreshAccessTokenError` once refreshing the provider's access token failed, until a
    /// refresh succeeds; `/session` shows it as `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The typed custom data, flattened into the claims.
    #[serde(flatten)]
    pub data: D,
}

impl<D: Default> Token<D> {
    /// NextAuth's default token for a user: `{name, email, picture, sub}`.
    pub fn for_user(user: &User) -> Self {
        Token {
            name: user.name.clone(),
            email: user.email.clone(),
            picture: user.image.clone(),
            sub: Some(user.id.clone()),
            iat: None,
            exp: None,
            jti: None,
            sid: None,
            chk: None,
            roles: user.roles.clone(),
            account: None,
            error: None,
            data: D::default(),
        }
    }
}

impl<D> Token<D> {
    /// Whether the token carries `role`.
    pub fn has_role(&self, role: impl RoleName) -> bool {
        self.has_role_named(role.as_str())
    }

    pub(crate) fn has_role_named(&self, role: &str) -> bool {
        self.roles.iter().any(|name| name == role)
    }

    /// Replaces the token's roles: `token.set_roles([auth::Role::Member])`.
    pub fn set_roles<R: RoleName>(&mut self, roles: impl IntoIterator<Item = R>) {
        self.roles.clear();
        for role in roles {
            crate::roles::add(&mut self.roles, role.as_str());
        }
    }
}

/// The user part of the client-safe session (`/session`'s `user`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Display name, `null` when unknown.
    pub name: Option<String>,
    /// Email address, `null` when unknown.
    pub email: Option<String>,
    /// Avatar URL, `null` when unknown.
    pub image: Option<String>,
}

/// NextAuth's default client-safe session: `{"user": {...}, "expires": "<ISO>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DefaultSession {
    /// The user.
    pub user: SessionUser,
    /// When the session ends, as an ISO 8601 string with milliseconds.
    pub expires: String,
    /// `RefreshAccessTokenError` when refreshing the provider's access token failed (the
    /// token's `error`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DefaultSession {
    /// The default session for a token (name, email and picture become the user).
    pub fn from_token<D>(token: &Token<D>, expires: String) -> Self {
        DefaultSession {
            user: SessionUser {
                name: token.name.clone(),
                email: token.email.clone(),
                image: token.picture.clone(),
            },
            expires,
            error: token.error.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Claims {
        role: String,
    }

    #[test]
    fn token_writes_nextauth_claims_and_flattens_the_data() {
        let mut token = Token::<Claims>::for_user(&User::new("1").name("Alice"));
        token.data.role = "admin".into();
        let json = serde_json::to_value(&token).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "Alice", "email": null, "picture": null, "sub": "1", "role": "admin"})
        );
    }

    #[test]
    fn a_nextauth_token_without_the_data_fields_is_rejected_for_typed_data() {
        let claims = serde_json::json!({"name": "A", "sub": "1", "iat": 1, "exp": 2, "jti": "x"});
        assert!(serde_json::from_value::<Token<Claims>>(claims.clone()).is_err());
        let plain: Token = serde_json::from_value(claims).unwrap();
        assert_eq!(plain.sub.as_deref(), Some("1"));
    }
}
