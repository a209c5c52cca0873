//! The token endpoint's answer: [`TokenSet`] (whose `Debug` hides every token) and the parsing
//! of JSON or, for GitHub's legacy answers, form-encoded bodies, with OAuth `error`s refused.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::{Endpoint, HttpFailure, OAuthError, sanitize};
use super::http::Reply;

/// The tokens of a successful code exchange (next-auth v4's account token fields).
///
/// `Debug` shows which tokens are present, never their values. `Serialize` writes the real
/// values (for an adapter storing the account): never log it.
#[derive(Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// The token type, usually `Bearer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The ID token (OpenID Connect), already verified when the provider is OpenID Connect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, in seconds since the epoch (from `expires_in`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The granted scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Every other field of the answer (`session_state`, provider extras), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |present: bool| if present { "<redacted>" } else { "<none>" };
        let mut extra: Vec<&String> = self.extra.keys().collect();
        extra.sort();
        f.debug_struct("TokenSet")
            .field("access_token", &redacted(!self.access_token.is_empty()))
            .field("token_type", &self.token_type)
            .field("id_token", &redacted(self.id_token.is_some()))
            .field("refresh_token", &redacted(self.refresh_token.is_some()))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("extra_fields", &extra)
            .finish()
    }
}

/// Reads a token endpoint answer received at `now` (seconds since the epoch).
///
/// The body is JSON, or form-encoded (GitHub without `Accept: application/json`). An `error`
/// field is refused whatever the status (GitHub answers 200 with one). Without `error`, a
/// non-2xx status is refused too, and a success must carry a non-empty `access_token`.
pub(crate) fn parse_token_response(reply: &Reply, now: u64) -> Result<TokenSet, OAuthError> {
    let invalid = |reason| OAuthError::InvalidResponse {
        endpoint: Endpoint::Token,
        reason,
    };
    let mut fields = match reply.json() {
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(invalid("the body is not a JSON object")),
        None => match form_fields(&reply.body) {
            Some(fields) => fields,
            None if !reply.status.is_success() => {
                return Err(OAuthError::Http {
                    endpoint: Endpoint::Token,
                    failure: HttpFailure::Status(reply.status.as_u16()),
                });
            }
            None => return Err(invalid("the body is neither JSON nor form-encoded")),
        },
    };
    if let Some(error) = fields.get("error").filter(|e| !e.is_null()) {
        let error = match error {
            Value::String(code) => sanitize(code, 64),
            other => sanitize(&other.to_string(), 64),
        };
        return Err(OAuthError::TokenRefused {
            status: reply.status.as_u16(),
            error,
        });
    }
    if !reply.status.is_success() {
        return Err(OAuthError::Http {
            endpoint: Endpoint::Token,
            failure: HttpFailure::Status(reply.status.as_u16()),
        });
    }
    let mut take = |name: &str| match fields.remove(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        _ => None,
    };
    let access_token = take("access_token").ok_or(invalid("it has no `access_token`"))?;
    let token_type = take("token_type");
    let id_token = take("id_token");
    let refresh_token = take("refresh_token");
    let scope = take("scope");
    let expires_in = fields.remove("expires_in").and_then(|v| match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    Ok(TokenSet {
        access_token,
        token_type,
        id_token,
        refresh_token,
        expires_at: expires_in.map(|secs| now.saturating_add(secs)),
        scope,
        extra: fields,
    })
}

/// `a=1&b=2` as a map of strings, when the body looks form-encoded.
fn form_fields(body: &[u8]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() || !text.contains('=') || text.contains(char::is_whitespace) {
        return None;
    }
    Some(
        form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_json_answer_becomes_a_token_set() {
        let tokens = parse_token_response(
            &reply(
                200,
                r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"id_token":"a.b.c","scope":"openid email","session_state":"s"}"#,
            ),
            1_000,
        )
        .unwrap();
        assert_eq!(tokens.access_token, "at-1");
        assert_eq!(tokens.token_type.as_deref(), Some("Bearer"));
        assert_eq!(tokens.expires_at, Some(4_600));
        assert_eq!(tokens.id_token.as_deref(), Some("a.b.c"));
        assert_eq!(tokens.scope.as_deref(), Some("openid email"));
        assert_eq!(tokens.extra.get("session_state"), Some(&Value::from("s")));
    }

    #[test]
    fn a_form_encoded_github_answer_is_read() {
        let tokens = parse_token_response(
            &reply(
                200,
                "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
            ),
            0,
        )
        .unwrap();
        assert_eq!(
            tokens.access_token,
            "gho_16C7e42F292c6912E7710c838347Ae178B4a"
        );
        assert_eq!(tokens.scope.as_deref(), Some("repo,gist"));
    }

    #[test]
    fn an_error_field_is_refused_even_with_status_200() {
        let err = parse_token_response(
            &reply(
                200,
                "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.",
            ),
            0,
        )
        .unwrap_err();
        assert!(
            matches!(&err, OAuthError::TokenRefused { status: 200, error } if error == "bad_verification_code"),
            "{err:?}"
        );
        let err = parse_token_response(&reply(400, r#"{"error":"invalid_grant"}"#), 0).unwrap_err();
        assert!(matches!(err, OAuthError::TokenRefused { status: 400, .. }));
    }

    #[test]
    fn garbage_and_missing_tokens_are_refused() {
        assert!(matches!(
            parse_token_response(&reply(502, "<html>Bad Gateway</html>"), 0),
            Err(OAuthError::Http {
                failure: HttpFailure::Status(502),
                ..
            })
        ));
        assert!(matches!(
            parse_token_response(&reply(200, "<html>hi</html>"), 0),
            Err(OAuthError::InvalidResponse { .. })
        ));
        assert!(matches!(
            parse_token_response(&reply(200, r#"{"token_type":"Bearer"}"#), 0),
            Err(OAuthError::InvalidResponse { .. })
        ));
        assert!(matches!(
            parse_token_response(&reply(200, "[1,2]"), 0),
            Err(OAuthError::InvalidResponse { .. })
        ));
    }

    #[test]
    fn debug_hides_every_token() {
        let tokens = parse_token_response(
            &reply(
                200,
                r#"{"access_token":"SECRET-AT","refresh_token":"SECRET-RT","id_token":"SECRET-ID","authed_user":{"access_token":"SECRET-NESTED"}}"#,
            ),
            0,
        )
        .unwrap();
        let debug = format!("{tokens:?}");
        for secret in ["SECRET-AT", "SECRET-RT", "SECRET-ID", "SECRET-NESTED"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("authed_user"), "{debug}");
    }
}
