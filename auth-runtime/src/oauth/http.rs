//! The HTTP client every OAuth request goes through: redirects are never followed (a provider
//! cannot bounce us to another host), connect and total time are bounded, bodies are capped.
//! Transport failures become [`HttpFailure`]s whose text never carries a URL.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::redirect::Policy;
use reqwest::{RequestBuilder, StatusCode};

use super::error::{Endpoint, HttpFailure, OAuthError, sanitize};

/// An answer read in full.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The media type, lower-cased, without parameters (`application/json`).
    pub(crate) fn media_type(&self) -> Option<String> {
        let value = self.headers.get(CONTENT_TYPE)?.to_str().ok()?;
        let media = value.split(';').next()?.trim().to_ascii_lowercase();
        Some(media)
    }

    /// The body as a JSON value, if it is one.
    pub(crate) fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The shared client and its body cap.
pub(crate) struct Http {
    client: reqwest::Client,
    max_body: usize,
}

impl Http {
    /// A client with these limits. Fails only when the TLS backend cannot be set up.
    pub(crate) fn new(
        connect_timeout: Duration,
        timeout: Duration,
        max_body: usize,
        user_agent: &str,
    ) -> Result<Http, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .user_agent(user_agent)
            // Providers send small JSON; a referer would leak the callback URL.
            .referer(false)
            .build()?;
        Ok(Http { client, max_body })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends the request and reads the whole body, up to the cap. The status is not judged.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        endpoint: Endpoint,
    ) -> Result<Reply, OAuthError> {
        let fail = |failure| OAuthError::Http { endpoint, failure };
        let mut response = request.send().await.map_err(|e| fail(classify(e)))?;
        let too_large = HttpFailure::TooLarge {
            limit: self.max_body,
        };
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(fail(too_large));
        }
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| fail(classify(e)))? {
            if body.len() + chunk.len() > self.max_body {
                return Err(fail(too_large));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// A transport error as an [`HttpFailure`]; the URL (which could hold a query) is dropped.
fn classify(error: reqwest::Error) -> HttpFailure {
    if error.is_timeout() {
        return HttpFailure::Timeout;
    }
    let error = error.without_url();
    // reqwest's own text is generic ("error sending request"); the cause says what happened.
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    let text = sanitize(&text, 300);
    if error.is_connect() {
        HttpFailure::Connect(text)
    } else {
        HttpFailure::Other(text)
    }
}
