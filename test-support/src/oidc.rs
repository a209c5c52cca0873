//! A real OpenID provider for the tests: `oidc-provider` 9 run by Node from `tests/peers/`,
//! and a sign-in through its development login form by HTTP alone (no browser).
//!
//! The provider listens on `127.0.0.1:<free port>` and knows two confidential clients,
//! [`BASIC_CLIENT_ID`] (`client_secret_basic`) and [`POST_CLIENT_ID`] (`client_secret_post`),
//! both registered with the redirect URIs given to [`OidcProvider::start`]. Any login with any
//! password is accepted and becomes `sub`; consent is granted without asking.

use std::process::{Child, Command};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use url::Url;

use crate::peer::{Ready, start_peer, tail};
use crate::{peers_dir, require_node};

/// The client that authenticates at the token endpoint with HTTP Basic.
pub const BASIC_CLIENT_ID: &str = "basic-client";
/// [`BASIC_CLIENT_ID`]'s secret.
pub const BASIC_CLIENT_SECRET: &str = "basic-secret";
/// The client that sends its secret in the token request's form body.
pub const POST_CLIENT_ID: &str = "post-client";
/// [`POST_CLIENT_ID`]'s secret.
pub const POST_CLIENT_SECRET: &str = "post-secret";

/// Redirects followed by [`OidcProvider::login`] before it gives up on a loop.
const MAX_LOGIN_STEPS: usize = 12;

/// A running `tests/peers/oidc-provider.mjs`; dropping it kills the process.
pub struct OidcProvider {
    /// `http://127.0.0.1:<port>`, as the provider puts it in `iss` and in discovery.
    pub issuer: String,
    // Its stdin stays open as long as this value lives: the script is started with
    // `OIDC_EXIT_ON_STDIN_EOF=1`, so it exits by itself if the test process dies unannounced.
    child: Child,
    redirect_uris: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl OidcProvider {
    /// Starts the provider with both clients registered for `redirect_uris`, and waits until
    /// it listens. Installs `tests/peers/node_modules` first (`npm ci`) when it is missing.
    pub fn start(redirect_uris: &[String]) -> OidcProvider {
        Self::start_on(0, redirect_uris)
    }

    /// [`OidcProvider::start`] on `127.0.0.1:<port>` (`0`: a free port), e.g. the port of a
    /// provider that was stopped, so that a new one has the same issuer.
    pub fn start_on(port: u16, redirect_uris: &[String]) -> OidcProvider {
        Self::start_with(port, redirect_uris, None)
    }

    /// [`OidcProvider::start`] with access tokens that live `seconds` (for the refresh tests).
    pub fn start_with_access_token_ttl(redirect_uris: &[String], seconds: u64) -> OidcProvider {
        Self::start_with(0, redirect_uris, Some(seconds))
    }

    fn start_with(
        port: u16,
        redirect_uris: &[String],
        access_token_ttl: Option<u64>,
    ) -> OidcProvider {
        assert!(
            !redirect_uris.is_empty(),
            "OidcProvider::start needs at least one redirect URI"
        );
        let peers = peers_dir();
        ensure_node_modules(&peers);

        let command = || {
            let mut command = Command::new("node");
            command
                .arg("oidc-provider.mjs")
                .current_dir(&peers)
                .env("OIDC_PORT", port.to_string())
                .env("OIDC_REDIRECT_URIS", redirect_uris.join(","))
                .env("OIDC_BASIC_CLIENT_ID", BASIC_CLIENT_ID)
                .env("OIDC_BASIC_CLIENT_SECRET", BASIC_CLIENT_SECRET)
                .env("OIDC_POST_CLIENT_ID", POST_CLIENT_ID)
                .env("OIDC_POST_CLIENT_SECRET", POST_CLIENT_SECRET)
                .env("OIDC_EXIT_ON_STDIN_EOF", "1");
            if let Some(seconds) = access_token_ttl {
                command.env("OIDC_ACCESS_TOKEN_TTL", seconds.to_string());
            }
            command
        };
        let cannot_run = |e| {
            format!(
                "cannot run `node oidc-provider.mjs` in {} ({e}): the OpenID provider tests \
                 need Node.js 20 or later on PATH",
                peers.display()
            )
        };
        let Ready {
            child,
            value: issuer,
            stderr,
        } = start_peer(command, cannot_run, |issuer| Some(issuer.to_owned()))
            .unwrap_or_else(|failures| panic!("the OpenID provider did not start.\n{failures}"));

        OidcProvider {
            issuer,
            child,
            redirect_uris: redirect_uris.to_vec(),
            stderr,
        }
    }

    /// The refresh_token grants the provider has answered so far: (succeeded, failed).
    pub async fn refreshes(&self) -> (u64, u64) {
        let counts: serde_json::Value = reqwest::get(format!("{}/__refreshes", self.issuer))
            .await
            .and_then(|r| r.error_for_status())
            .unwrap_or_else(|e| panic!("GET /__refreshes at the provider failed: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET /__refreshes answered no JSON: {e}"));
        let count = |key: &str| counts[key].as_u64().unwrap_or_default();
        (count("succeeded"), count("failed"))
    }

    /// The end of what the provider wrote on stderr (for failure messages).
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr)
    }

    /// Signs `login` in at the provider through its dev login form, starting from an
    /// authorization URL the app built, and returns the redirect back to the app: the
    /// callback URL with `code`, `state` and `iss` (or `error` if the provider refused).
    ///
    /// The flow, by HTTP alone: `GET <authorization_url>` → 303 `/interaction/<uid>` (sets
    /// the `_interaction` cookies) → `POST /interaction/<uid>` `prompt=login` → 303
    /// `/auth/<uid>` → 303 `<redirect_uri>?code=…`. A consent prompt, should one appear, is
    /// answered with `prompt=consent`. Redirects are never followed automatically.
    pub async fn login(&self, authorization_url: &str, login: &str) -> String {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a reqwest client builds");
        let mut jar = CookieJar::default();
        let mut url = Url::parse(authorization_url)
            .unwrap_or_else(|e| panic!("not an absolute URL ({e}): {authorization_url}"));
        let mut form: Option<Vec<(&str, &str)>> = None;

        for _ in 0..MAX_LOGIN_STEPS {
            let method = if form.is_some() { "POST" } else { "GET" };
            let mut request = match form.take() {
                Some(fields) => client.post(url.clone()).form(&fields),
                None => client.get(url.clone()),
            };
            if let Some(cookies) = jar.header_for(&url) {
                request = request.header(COOKIE, cookies);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {url} failed: {e}"));
            let status = response.status();
            jar.store(&url, response.headers().get_all(SET_COOKIE));
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response.text().await.unwrap_or_default();

            if status == StatusCode::OK && url.path().starts_with("/interaction/") {
                // The dev interaction page: answer the prompt its form carries.
                form = Some(match prompt_of(&body) {
                    Some("login") => vec![("prompt", "login"), ("login", login), ("password", "x")],
                    Some("consent") => vec![("prompt", "consent")],
                    other => panic!(
                        "unexpected interaction prompt {other:?} at {url}; page:\n{}\n\
                         provider stderr:\n{}",
                        truncate(&body),
                        self.stderr_tail()
                    ),
                });
                continue;
            }

            let location = match (status.is_redirection(), location) {
                (true, Some(location)) => location,
                _ => panic!(
                    "{method} {url} answered {status} where a redirect was expected; body:\n{}\n\
                     provider stderr:\n{}",
                    truncate(&body),
                    self.stderr_tail()
                ),
            };
            if self
                .redirect_uris
                .iter()
                .any(|uri| location.starts_with(uri))
            {
                return location;
            }
            let next = url
                .join(&location)
                .unwrap_or_else(|e| panic!("bad Location {location:?} from {url}: {e}"));
            assert!(
                next.as_str().starts_with(&self.issuer),
                "{method} {url} redirected to {next}, neither the provider nor a redirect URI \
                 ({:?})",
                self.redirect_uris
            );
            url = next;
        }
        panic!(
            "no redirect to {:?} after {MAX_LOGIN_STEPS} steps (last at {url}); provider \
             stderr:\n{}",
            self.redirect_uris,
            self.stderr_tail()
        );
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Node.js and `tests/peers/node_modules` (`npm ci` when it is missing, once per process).
fn ensure_node_modules(peers: &std::path::Path) {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    require_node(&INSTALLED, peers, "the OpenID provider tests");
}

/// Reads the provider's stdout on a thread: sends the issuer of the `READY <issuer>` line,
/// then keeps draining so that later output can never block the provider.
fn truncate(body: &str) -> &str {
    let mut end = body.len().min(2000);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// The `prompt` hidden field of a dev interaction form (`login` or `consent`).
fn prompt_of(html: &str) -> Option<&str> {
    let marker = r#"name="prompt" value=""#;
    let start = html.find(marker)? + marker.len();
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

/// The few cookie rules the provider's flow needs: per host and port, by path prefix
/// (oidc-provider scopes `_interaction` to `/interaction/<uid>` and `_interaction_resume`
/// to `/auth/<uid>`), deleted by an empty value, `Max-Age=0` or a past `Expires`.
#[derive(Default)]
struct CookieJar {
    cookies: Vec<StoredCookie>,
}

struct StoredCookie {
    origin: String,
    path: String,
    name: String,
    value: String,
}

impl CookieJar {
    fn store<'a>(
        &mut self,
        url: &Url,
        set_cookies: impl IntoIterator<Item = &'a reqwest::header::HeaderValue>,
    ) {
        let origin = url.origin().ascii_serialization();
        for header in set_cookies {
            let Ok(header) = header.to_str() else {
                continue;
            };
            let mut parts = header.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
            let mut path = default_path(url);
            let mut expired = value.is_empty();
            for attribute in parts {
                let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
                match key.trim().to_ascii_lowercase().as_str() {
                    "path" if val.trim().starts_with('/') => path = val.trim().to_owned(),
                    "max-age" => expired |= val.trim().parse::<i64>().is_ok_and(|s| s <= 0),
                    "expires" => expired |= is_past(val.trim()),
                    _ => {}
                }
            }
            self.cookies
                .retain(|c| !(c.origin == origin && c.path == path && c.name == name));
            if !expired {
                self.cookies.push(StoredCookie {
                    origin: origin.clone(),
                    path,
                    name,
                    value,
                });
            }
        }
    }

    fn header_for(&self, url: &Url) -> Option<String> {
        let origin = url.origin().ascii_serialization();
        let request_path = url.path();
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .filter(|c| c.origin == origin && path_matches(&c.path, request_path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

/// RFC 6265 §5.1.4 default-path: the request path up to its last `/`.
fn default_path(url: &Url) -> String {
    match url.path().rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => url.path()[..i].to_owned(),
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// Whether an `Expires` date (`Thu, 01 Jan 1970 00:00:00 GMT`) is in the past; an
/// unreadable date counts as not expired.
fn is_past(expires: &str) -> bool {
    time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc2822)
        .is_ok_and(|at| at <= time::OffsetDateTime::now_utc())
}
