//! The sign-in link mailed to the user, and the host named in its subject (docs/REST.md §2.9, v4 format).

use crate::config::BaseUrl;

/// The v4 sign-in link: `<base>/callback/<provider_id>?callbackUrl=…&token=…&email=…`.
///
/// The query is serialised like the WHATWG `URLSearchParams` that next-auth uses
/// (`application/x-www-form-urlencoded`: `@` is `%40`, a space is `+`), in v4's order.
/// The origin is always the configured base URL, never the request's `Host` (docs/REST.md §9 #16).
///
/// ```
/// use auth_runtime::BaseUrl;
/// use auth_runtime::__private::email::sign_in_url;
///
/// let base = BaseUrl::parse("http://localhost:3000", "/api/auth").unwrap();
/// assert_eq!(
///     sign_in_url(&base, "email", "http://localhost:3000/a b", "abc", "x@y.io"),
///     "http://localhost:3000/api/auth/callback/email\
///      ?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fa+b&token=abc&email=x%40y.io"
/// );
/// ```
pub fn sign_in_url(
    base: &BaseUrl,
    provider_id: &str,
    callback_url: &str,
    token: &str,
    email: &str,
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("callbackUrl", callback_url)
        .append_pair("token", token)
        .append_pair("email", email)
        .finish();
    format!("{}?{query}", base.url(&format!("callback/{provider_id}")))
}

/// The host named in the email's subject and body: the base URL's host, with its port when
/// it is not the default one (JavaScript's `new URL(url).host`), e.g. `localhost:3000`.
pub fn site_host(base: &BaseUrl) -> &str {
    let origin = base.origin();
    origin
        .split_once("://")
        .map_or(origin, |(_scheme, host)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str, path: &str) -> BaseUrl {
        BaseUrl::parse(url, path).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn the_link_has_v4_order_and_urlsearchparams_encoding() {
        let token = "0".repeat(64);
        let url = sign_in_url(
            &base("https://app.example.com", "/api/auth"),
            "email",
            "https://app.example.com/dash?x=1&y=a b",
            &token,
            "a+b@x.io",
        );
        assert_eq!(
            url,
            format!(
                "https://app.example.com/api/auth/callback/email\
                 ?callbackUrl=https%3A%2F%2Fapp.example.com%2Fdash%3Fx%3D1%26y%3Da+b\
                 &token={token}&email=a%2Bb%40x.io"
            )
        );
    }

    #[test]
    fn the_link_round_trips_through_a_query_parser() {
        let url = sign_in_url(
            &base("http://localhost:3000", "/api/auth"),
            "magic",
            "/ünïcode?q=%41",
            "tok",
            "o'neil@x.io",
        );
        let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.path(), "/api/auth/callback/magic");
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let expected = [
            ("callbackUrl", "/ünïcode?q=%41"),
            ("token", "tok"),
            ("email", "o'neil@x.io"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn the_site_host_keeps_a_non_default_port_only() {
        assert_eq!(
            site_host(&base("http://localhost:3000", "/api/auth")),
            "localhost:3000"
        );
        assert_eq!(
            site_host(&base("https://app.example.com:443", "/api/auth")),
            "app.example.com"
        );
        assert_eq!(
            site_host(&base("https://app.example.com/x", "/api/auth")),
            "app.example.com"
        );
    }
}
