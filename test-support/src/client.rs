//! Helpers for driving a `Router` with `tower::ServiceExt::oneshot`, cookie jar included.

// A test helper reports a failure by panicking, with the detail.
#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The demo's secret in tests.
pub const SECRET: &str = "test-secret-5c1e0b7a9d3f4e2a8b6c";

/// A variable lookup from pairs, as `config_from` takes it.
pub fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The headers, `Set-Cookie` lines included.
    pub headers: HeaderMap,
    /// The body, as text (lossy UTF-8).
    pub body: String,
}

impl Answer {
    /// The body as JSON; panics, showing the body, when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `Location` header; panics when there is none.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location header: {:?}", self.status))
    }

    /// Every `Set-Cookie` line, in order.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The full Set-Cookie line for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The `Content-Type` header, or `""`.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A client: the app plus the cookies it was given, as a browser keeps them.
pub struct Client {
    /// The app every request goes to.
    pub app: Router,
    /// The cookies kept so far, in the order they were set.
    pub cookies: Vec<(String, String)>,
}

impl Client {
    /// A client of `app` without cookies.
    pub fn new(app: Router) -> Self {
        Client {
            app,
            cookies: Vec::new(),
        }
    }

    /// The `Cookie` header a browser would send: `name=value` pairs joined by `; `.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The kept value of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) cookie `name`, as if the server had.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    /// Forgets cookie `name`.
    pub fn remove_cookie(&mut self, name: &str) {
        self.cookies.retain(|(n, _)| n != name);
    }

    /// Sends `request` (with the kept cookies unless it has a `Cookie` header) and keeps the cookies the answer sets or clears (`Max-Age=0`).
    pub async fn send(&mut self, request: Request<Body>) -> Answer {
        let mut request = request;
        if !self.cookies.is_empty() && !request.headers().contains_key(header::COOKIE) {
            request
                .headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse().unwrap());
        }
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let answer = Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for line in answer.set_cookies() {
            let pair = line.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let cleared = line.contains("Max-Age=0");
            self.cookies.retain(|(n, _)| n != name);
            if !cleared {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        answer
    }

    /// `GET uri`.
    pub async fn get(&mut self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// `POST uri` with an `application/x-www-form-urlencoded` body.
    pub async fn post_form(&mut self, uri: &str, form: &str) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }

    /// `POST uri` with a JSON body.
    pub async fn post_json(&mut self, uri: &str, json: serde_json::Value) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `GET <base>/session`'s JSON: the session, or `{}`.
    pub async fn session(&mut self, base: &str) -> serde_json::Value {
        self.get(&format!("{base}/session")).await.json()
    }

    /// `GET <base>/csrf`: the token.
    pub async fn csrf(&mut self, base: &str) -> String {
        let answer = self.get(&format!("{base}/csrf")).await;
        answer.json()["csrfToken"]
            .as_str()
            .expect("csrfToken")
            .to_owned()
    }
}
