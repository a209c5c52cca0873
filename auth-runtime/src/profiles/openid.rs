//! The OpenID Connect profiles: the standard claims ([`Oidc`], shared by the kinds that send
//! nothing more) and the kinds whose claims add their own (Google's `hd`, Azure AD's `tid`,
//! Apple's `is_private_email`…, and Salesforce's userinfo, the same claims from an OAuth 2.0
//! preset).

use serde::Deserialize;

use super::de;

/// A profile of OpenID Connect claims (Core §5.1): the standard ones, then the provider's own
/// fields, then every other claim in `other_claims`. One declaration of the standard claims
/// for every such struct, each field direct (`profile.email`, `profile.hd`).
macro_rules! openid_profile {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($(#[$field_attr:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$attr])*
        #[derive(Deserialize, Clone, Debug)]
        #[non_exhaustive]
        pub struct $name {
            /// `sub`: the user's id at the provider.
            #[serde(deserialize_with = "de::id")]
            pub sub: String,
            /// `name`: the full name.
            pub name: Option<String>,
            /// `given_name`: the first name.
            pub given_name: Option<String>,
            /// `family_name`: the last name.
            pub family_name: Option<String>,
            /// `preferred_username`: the handle the user goes by.
            pub preferred_username: Option<String>,
            /// `nickname`: the casual name.
            pub nickname: Option<String>,
            /// `email`: the email address.
            pub email: Option<String>,
            /// `email_verified`: whether the provider verified `email` (the string `"true"`
            /// reads as `true`).
            #[serde(default, deserialize_with = "de::email_verified")]
            pub email_verified: Option<bool>,
            /// `picture`: the avatar URL.
            pub picture: Option<String>,
            /// `locale`: a BCP 47 language tag; another shape (LinkedIn's userinfo sends an
            /// object) reads as `None`.
            #[serde(default, deserialize_with = "de::string_or_none")]
            pub locale: Option<String>,
            $($(#[$field_attr])* pub $field: $ty,)*
            /// Every other claim: custom ones (`groups`, `roles`…) and the ID token's own
            /// (`iss`, `aud`, `exp`…).
            #[serde(flatten)]
            pub other_claims: serde_json::Map<String, serde_json::Value>,
        }
    };
}

openid_profile! {
    /// The standard OpenID Connect claims: the generic `Oidc` kind's profile, and that of each
    /// OpenID Connect kind that sends no claim of its own.
    pub struct Oidc {}
}

openid_profile! {
    /// Google's ID token claims.
    pub struct Google {
        /// `hd`: the Google Workspace domain of the account (none for a personal account).
        pub hd: Option<String>,
    }
}

openid_profile! {
    /// Azure AD (Microsoft Entra ID) ID token claims.
    pub struct AzureAd {
        /// `oid`: the user's object id, the same in every application of the tenant.
        pub oid: Option<String>,
        /// `tid`: the id of the tenant the user signed in to.
        pub tid: Option<String>,
    }
}

openid_profile! {
    /// Sign in with Apple's ID token claims, and the `user` field Apple posts with the callback
    /// of a user's first sign-in only. Apple's ID token carries no name: the built-in mapping
    /// names the user from `user`, the one time it comes.
    pub struct Apple {
        /// `is_private_email`: whether `email` is an address of Apple's private email relay (a
        /// boolean, or the string `"true"` or `"false"`, as `email_verified`).
        #[serde(default, deserialize_with = "de::email_verified")]
        pub is_private_email: Option<bool>,
        /// The first callback's `user` field, as the browser posted it: not signed by Apple.
        pub user: Option<AppleUser>,
    }
}

/// The `user` field Apple posts with the callback of a user's first sign-in (JSON).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct AppleUser {
    /// The name the user chose to share.
    pub name: Option<AppleUserName>,
    /// The address the user chose to share (the ID token's `email` is the one to trust).
    pub email: Option<String>,
}

/// The name in Apple's `user` field.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct AppleUserName {
    /// `firstName`.
    #[serde(rename = "firstName")]
    pub first_name: Option<String>,
    /// `lastName`.
    #[serde(rename = "lastName")]
    pub last_name: Option<String>,
}

openid_profile! {
    /// Amazon Cognito's ID token claims.
    pub struct Cognito {
        /// `cognito:username`: the user's name in the user pool.
        #[serde(rename = "cognito:username")]
        pub username: Option<String>,
        /// `cognito:groups`: the user pool groups the user belongs to.
        #[serde(rename = "cognito:groups", default)]
        pub groups: Vec<String>,
    }
}

openid_profile! {
    /// Slack's ID token claims.
    pub struct Slack {
        /// `https://slack.com/team_id`: the workspace's id.
        #[serde(rename = "https://slack.com/team_id")]
        pub team_id: Option<String>,
        /// `https://slack.com/team_name`: the workspace's name.
        #[serde(rename = "https://slack.com/team_name")]
        pub team_name: Option<String>,
    }
}

openid_profile! {
    /// Salesforce's userinfo answer (OpenID Connect claims, `sub` being the identity URL).
    pub struct Salesforce {
        /// `user_id`: the user's id, which the built-in mapping takes.
        #[serde(deserialize_with = "de::id")]
        pub user_id: String,
        /// `organization_id`: the org's id.
        pub organization_id: Option<String>,
    }
}

/// Auth0's ID token claims (the standard ones; the built-in mapping names the user by `nickname`).
pub type Auth0 = Oidc;
/// Keycloak's ID token claims (the standard ones; realm roles are in `other_claims`).
pub type Keycloak = Oidc;
/// Okta's ID token claims (the standard ones).
pub type Okta = Oidc;
/// Twitch's ID token claims (the standard ones, `email` and `picture` asked for by `claims`).
pub type Twitch = Oidc;
/// LinkedIn's ID token claims (the standard ones).
pub type LinkedIn = Oidc;
/// authentik's ID token claims (the standard ones; `groups` is in `other_claims`).
pub type Authentik = Oidc;
/// FusionAuth's ID token claims (the standard ones).
pub type FusionAuth = Oidc;
/// LINE's ID token claims (the standard ones; `email` only with the email permission).
pub type Line = Oidc;
/// OneLogin's ID token claims (the standard ones).
pub type OneLogin = Oidc;
/// ZITADEL's ID token claims (the standard ones).
pub type Zitadel = Oidc;
