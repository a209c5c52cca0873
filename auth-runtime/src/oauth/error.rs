//! Why an OAuth step failed: [`OAuthError`] for the sign-in and callback flows (with NextAuth's
//! error code), [`OAuthConfigError`] for a provider that cannot be built at start-up.
//!
//! No message ever holds the client secret, the authorization code, a token or the PKCE
//! verifier: none of them is ever put into an error value. Text the provider sent (an `error`
//! code, an `iss` value) is cut short and stripped of control characters before it is kept.

use std::fmt;

/// Which flow an error happened in; it decides the NextAuth error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Building the authorization URL (`POST /signin/:provider`): `OAuthSignin`.
    Signin,
    /// Handling the provider's redirect back (`/callback/:provider`): `OAuthCallback`.
    Callback,
    /// Refreshing an access token with its refresh token: `RefreshAccessTokenError`, the
    /// name Auth.js's refresh guide gives the session's `error`.
    Refresh,
}

impl Stage {
    /// NextAuth's error code for a failure in this stage.
    pub const fn code(self) -> &'static str {
        match self {
            Stage::Signin => "OAuthSignin",
            Stage::Callback => "OAuthCallback",
            Stage::Refresh => "RefreshAccessTokenError",
        }
    }
}

/// A provider endpoint, as named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// The OpenID Connect discovery document (`.well-known/openid-configuration`).
    Discovery,
    /// The token endpoint.
    Token,
    /// The userinfo (profile) endpoint.
    Userinfo,
    /// The JSON Web Key Set that signs the ID tokens.
    Jwks,
    /// GitHub's `/user/emails`, asked when the profile has no email.
    Emails,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::Discovery => "discovery document",
            Endpoint::Token => "token endpoint",
            Endpoint::Userinfo => "userinfo endpoint",
            Endpoint::Jwks => "JWKS endpoint",
            Endpoint::Emails => "emails endpoint",
        })
    }
}

/// How an HTTP exchange with the provider failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpFailure {
    /// No connection could be made (refused, unreachable, DNS, TLS handshake).
    Connect(String),
    /// The connect or total time limit passed.
    Timeout,
    /// The answer's body is larger than the client accepts.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// An answer with an unexpected status (redirects are never followed).
    Status(u16),
    /// Any other transport failure.
    Other(String),
}

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpFailure::Connect(why) => write!(f, "cannot connect ({why})"),
            HttpFailure::Timeout => f.write_str("timed out"),
            HttpFailure::TooLarge { limit } => write!(f, "answer larger than {limit} bytes"),
            HttpFailure::Status(status) => write!(f, "answered HTTP {status}"),
            HttpFailure::Other(why) => f.write_str(why),
        }
    }
}

/// Why an ID token was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token response of an OpenID Connect provider has no `id_token`.
    #[error("the token response has no `id_token`")]
    Missing,
    /// Not a compact JWS with a JSON header and a JSON object payload.
    #[error("the ID token is not a well-formed JWT")]
    Malformed,
    /// The header's `alg` is not one of RS256/384/512, PS256/384/512, ES256/384, EdDSA
    /// (`none` and the HMAC algorithms are never accepted).
    #[error("the ID token's algorithm `{alg}` is not accepted")]
    UnsupportedAlgorithm {
        /// The `alg` the header names (shortened).
        alg: String,
    },
    /// The header has `crit` extensions, none of which this verifier understands.
    #[error("the ID token's header has `crit` extensions")]
    CriticalHeader,
    /// No key of the provider's JWKS fits the header's `kid` and `alg`, even after a refresh.
    #[error("no key in the provider's JWKS matches the ID token (kid {kid:?})")]
    NoMatchingKey {
        /// The header's `kid` (shortened).
        kid: Option<String>,
    },
    /// The signature does not verify with the provider's key.
    #[error("the ID token's signature is invalid")]
    InvalidSignature,
    /// A required claim is missing or has the wrong type.
    #[error("the ID token's `{0}` claim is missing or malformed")]
    MissingClaim(&'static str),
    /// `iss` is not the provider's issuer.
    #[error("the ID token's issuer is not the provider's")]
    Issuer,
    /// `aud` does not contain the client id.
    #[error("the ID token is not meant for this client (`aud`)")]
    Audience,
    /// `azp` is not the client id, or is missing while there are several audiences.
    #[error("the ID token's authorized party (`azp`) is not this client")]
    AuthorizedParty,
    /// `exp` passed (beyond the clock tolerance).
    #[error("the ID token has expired")]
    Expired,
    /// `iat` or `nbf` lies in the future (beyond the clock tolerance).
    #[error("the ID token is not valid yet")]
    NotYetValid,
    /// `nonce` is not the value sent in the authorization request.
    #[error("the ID token's nonce does not match")]
    NonceMismatch,
    /// `at_hash` does not match the access token.
    #[error("the ID token's `at_hash` does not match the access token")]
    AccessTokenHash,
}

/// Why a sign-in through an OAuth provider failed.
///
/// [`OAuthError::code`] gives NextAuth's error code for the `/error?error=` redirect. Log the
/// error itself (its `Display`), with the `OAUTH_CALLBACK_ERROR` or `SIGNIN_OAUTH_ERROR` message:
/// it never holds a secret, a code, a token or a verifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The provider's OpenID Connect configuration could not be discovered.
    #[error("cannot discover the provider's configuration at `{url}`: {reason}")]
    Discovery {
        /// The flow it happened in.
        stage: Stage,
        /// The discovery document's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A check the provider requires (`state`, `pkce` or `nonce`) got no value.
    #[error("the provider requires the `{check}` check but no value was given for it")]
    MissingCheck {
        /// The flow it happened in.
        stage: Stage,
        /// `state`, `pkce` or `nonce`.
        check: &'static str,
    },
    /// The callback's `iss` parameter (RFC 9207) is not the provider's issuer, or is missing
    /// although the provider announces it.
    #[error("the callback's issuer {received:?} is not the provider's (`{expected}`)")]
    IssuerMismatch {
        /// The provider's issuer (empty when none is configured).
        expected: String,
        /// The `iss` parameter received (shortened), `None` when missing.
        received: Option<String>,
    },
    /// An HTTP exchange with the provider failed.
    #[error("the provider's {endpoint} {failure}")]
    Http {
        /// The endpoint asked.
        endpoint: Endpoint,
        /// What went wrong.
        failure: HttpFailure,
    },
    /// The token endpoint answered with an OAuth error (`invalid_grant`, `invalid_client`...).
    #[error("the token endpoint refused the request: `{error}` (HTTP {status})")]
    TokenRefused {
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code (shortened, printable ASCII only).
        error: String,
    },
    /// An answer that cannot be used: not JSON, or without a field it must have.
    #[error("the provider's {endpoint} sent an unusable answer: {reason}")]
    InvalidResponse {
        /// The endpoint asked.
        endpoint: Endpoint,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The ID token was refused.
    #[error(transparent)]
    IdToken(#[from] IdTokenError),
    /// The userinfo's `sub` is not the ID token's `sub`.
    #[error("the userinfo's `sub` is not the ID token's")]
    SubjectMismatch,
    /// The profile gave no user (no `id`). NextAuth v4 answers this with a redirect to the
    /// sign-in page rather than an error page.
    #[error("the provider's profile has no usable user id")]
    Profile,
}

impl OAuthError {
    /// NextAuth's error code: `OAuthSignin` for a failure while building the authorization URL,
    /// `OAuthCallback` for any failure at callback time.
    pub fn code(&self) -> &'static str {
        self.stage().code()
    }

    /// The flow the error happened in.
    pub fn stage(&self) -> Stage {
        match self {
            OAuthError::Discovery { stage, .. } | OAuthError::MissingCheck { stage, .. } => *stage,
            _ => Stage::Callback,
        }
    }
}

/// Why a provider could not be built from its configuration (at start-up, before any request).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthConfigError {
    /// A parameter the preset needs was not given.
    #[error("the `{preset}` provider needs the `{param}` parameter")]
    MissingParam {
        /// The preset's id.
        preset: &'static str,
        /// The parameter's name.
        param: &'static str,
    },
    /// A parameter the preset does not use was given.
    #[error("the `{preset}` provider takes no `{param}` parameter; it takes {expected}")]
    UnexpectedParam {
        /// The preset's id.
        preset: &'static str,
        /// The parameter's name.
        param: &'static str,
        /// The parameters it takes, for the message.
        expected: String,
    },
    /// A URL parameter or endpoint is not an absolute `http`/`https` URL, or has a fragment.
    #[error("`{what}` is not a usable URL: {reason}")]
    InvalidUrl {
        /// Which URL (`issuer`, `authorization`...).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter breaks its rule (a team id that is not Apple's 10 characters, say).
    #[error("the `{preset}` provider's `{param}`: {reason}")]
    InvalidParam {
        /// The preset's id.
        preset: &'static str,
        /// The parameter's name.
        param: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The `private_key` parameter is not a key the client secret can be signed with; the
    /// message never holds the value.
    #[error("the `{preset}` provider's `private_key`: {}", PRIVATE_KEY_PROBLEM)]
    InvalidPrivateKey {
        /// The preset's id.
        preset: &'static str,
    },
    /// A client secret was given to a preset that signs its own with `private_key`.
    #[error(
        "the `{preset}` provider signs its client secret with `private_key`; give it no client secret"
    )]
    UnexpectedClientSecret {
        /// The preset's id.
        preset: &'static str,
    },
    /// The client id is empty.
    #[error("the client id is empty")]
    EmptyClientId,
    /// A plain OAuth 2.0 provider (no issuer and JWKS) without a userinfo endpoint has no way
    /// to learn who signed in.
    #[error("a plain OAuth 2.0 provider needs a `userinfo` endpoint")]
    NoProfileSource,
    /// The HTTP client could not be built (the TLS back-end failed to start).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}

/// What a `private_key` that cannot sign is told, without its value.
pub(crate) const PRIVATE_KEY_PROBLEM: &str = "not a PKCS#8 P-256 private key in PEM; expected the text of the `.p8` key file, from `-----BEGIN PRIVATE KEY-----` to `-----END PRIVATE KEY-----`";

/// Provider-sent text fit for an error message: at most `max` characters, no control characters.
pub(crate) fn sanitize(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_stage() {
        let signin = OAuthError::MissingCheck {
            stage: Stage::Signin,
            check: "state",
        };
        assert_eq!(signin.code(), "OAuthSignin");
        let callback = OAuthError::Discovery {
            stage: Stage::Callback,
            url: "https://idp.example/.well-known/openid-configuration".into(),
            reason: "timed out".into(),
        };
        assert_eq!(callback.code(), "OAuthCallback");
        assert_eq!(OAuthError::Profile.code(), "OAuthCallback");
        assert_eq!(
            OAuthError::from(IdTokenError::Expired).code(),
            "OAuthCallback"
        );
    }

    #[test]
    fn sanitize_drops_control_characters_and_cuts() {
        assert_eq!(sanitize("in\nvalid\u{7}_grant", 100), "invalid_grant");
        assert_eq!(sanitize("abcdef", 3), "abc");
    }
}
