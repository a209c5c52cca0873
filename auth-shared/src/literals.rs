//! The rules a setting's value must follow, each a function over the value as text that says
//! what is wrong with it, if anything (`None` when it is fine). The macro calls them on a
//! literal in the block; the runtime calls them at start-up on the value of the `env(…)`
//! variable the block named, and reports the variable.
//!
//! Hand-written rather than the `url` crate: the macro needs only these few checks, and this
//! crate has no dependencies.

/// Where a value comes from: some rules hold only for values written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in the `auth!` block (or an `env_or` default): it ships inside the binary.
    Literal,
    /// Read from an environment variable at start-up.
    Environment,
}

/// Hosts to which plain `http` is allowed: the local machine, where nothing crosses a network.
pub const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// How a database URL starts: the adapters the runtime has (`postgresql://` is libpq's other
/// spelling of `postgres://`; messages name only the first).
pub const DATABASE_URL_PREFIXES: &[&str] = &["sqlite:", "postgres://", "postgresql://"];

/// The schemes of a mail server URL (`smtp://localhost:25`).
pub const SMTP_SCHEMES: &[&str] = &["smtp", "smtps", "smtp+starttls"];

/// How a throttle store URL starts: PostgreSQL, the store shared by several instances.
pub const THROTTLE_STORE_URL_PREFIXES: &[&str] = &["postgres://", "postgresql://"];

/// Authorization request parameters the OAuth flow sets itself: neither a provider's
/// `params:` nor a sign-in request's query may set them (an attacker-chosen query must not
/// override the flow's own).
pub const FLOW_AUTHORIZATION_PARAMS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

/// Form fields NextAuth's sign-in form posts itself; a credentials field must not reuse them.
pub const RESERVED_FORM_FIELDS: &[&str] = &["csrfToken", "callbackUrl", "json"];

/// What a URL is for: an issuer is also without query (OpenID Connect Discovery §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlRole {
    /// An endpoint (authorization, token, userinfo).
    Endpoint,
    /// An issuer identifier.
    Issuer,
}

/// What is wrong with a provider URL, if anything. The runtime needs an absolute `http(s)` URL
/// without fragment (an issuer also without query), and the client secret and tokens travel
/// to it, so plain `http` is only for the local machine.
pub fn url_problem(url: &str, role: UrlRole) -> Option<String> {
    const EXPECTED: &str = "expected an absolute URL such as `https://idp.example.com`";
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("a URL must not contain whitespace".to_owned());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(EXPECTED.to_owned());
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) || !scheme.chars().all(scheme_chars) {
        return Some(EXPECTED.to_owned());
    }
    if scheme != "https" && scheme != "http" {
        return Some(format!(
            "unsupported URL scheme `{scheme}`; expected `https`"
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Some(
            "unexpected `user@` in the URL; client credentials go in `client_id` and `client_secret`"
                .to_owned(),
        );
    }
    let (host, port) = split_host_port(authority);
    if let Some(problem) = host_port_problem(&scheme, host, port) {
        return Some(problem);
    }
    if tail.contains('#') {
        return Some("unexpected `#fragment` in the URL".to_owned());
    }
    if role == UrlRole::Issuer && tail.contains('?') {
        return Some(
            "unexpected `?query` in the issuer; an issuer is a URL without query or fragment"
                .to_owned(),
        );
    }
    if scheme == "http" && !is_loopback(host) {
        return Some("plain http to a non-loopback host; use https".to_owned());
    }
    None
}

/// Whether `host` (as written in a URL) is the local machine.
pub fn is_loopback(host: &str) -> bool {
    LOOPBACK_HOSTS.contains(&host.to_ascii_lowercase().as_str())
}

/// What is wrong with an Azure AD tenant, if anything: it becomes a path segment of the
/// issuer, so it is a tenant id or a domain.
pub fn tenant_problem(tenant: &str) -> Option<String> {
    let ok = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    (!ok).then(|| {
        "expected a tenant id, a domain, `common`, `organizations` or `consumers`".to_owned()
    })
}

/// What is wrong with a Sign in with Apple team id or key id, if anything: Apple writes both as
/// 10 upper-case ASCII letters and digits (the key id also names the key's file,
/// `AuthKey_<key id>.p8`). Either goes into the client secret the runtime signs, so a typo
/// would fail every sign-in. `what` names the value in the message: `team id` or `key id`.
pub fn apple_id_problem(id: &str, what: &str) -> Option<String> {
    let ok = id.len() == 10
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    (!ok).then(|| {
        format!("expected a {what} of 10 upper-case letters and digits, as Apple shows it (such as `ABCDE12345`)")
    })
}

/// What is wrong with a database URL, if anything: it names one of the runtime's adapters,
/// and, written in the source, it carries no password (a secret that would ship inside the
/// binary and its repository).
pub fn database_url_problem(url: &str, origin: Origin) -> Option<String> {
    if !DATABASE_URL_PREFIXES.iter().any(|p| url.starts_with(p)) {
        return Some(format!(
            "expected a {} URL",
            or_list(&DATABASE_URL_PREFIXES[..2])
        ));
    }
    (origin == Origin::Literal && url_has_password(url)).then(|| {
        "literal password in the database URL; read the URL from the environment with `env(\"DATABASE_URL\")`"
            .to_owned()
    })
}

/// What is wrong with a mail server URL, if anything: a scheme the runtime's SMTP transport
/// knows, a host and port, and, written in the source, no password. `prefix` names the
/// provider's variables in the message (`EMAIL` for `env("EMAIL_SERVER")`).
pub fn smtp_url_problem(url: &str, origin: Origin, prefix: &str) -> Option<String> {
    let expected = || {
        let schemes: Vec<String> = SMTP_SCHEMES.iter().map(|s| format!("{s}://")).collect();
        let schemes: Vec<&str> = schemes.iter().map(String::as_str).collect();
        format!("expected an {} URL", or_list(&schemes))
    };
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("a URL must not contain whitespace".to_owned());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(expected());
    };
    if !SMTP_SCHEMES.contains(&scheme) {
        return Some(expected());
    }
    let user = userinfo(rest);
    if origin == Origin::Literal && user.is_some_and(|user| user.contains(':')) {
        return Some(format!(
            "literal password in the mail server URL; read the URL from the environment with `env(\"{prefix}_SERVER\")`"
        ));
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = split_host_port(host_port);
    host_port_problem(scheme, host, port)
}

/// What is wrong with a sender, if anything: an address `local@domain`, optionally as
/// `Name <local@domain>`, so a typo fails the build or the start-up rather than every sign-in.
pub fn sender_problem(from: &str) -> Option<String> {
    let from = from.trim();
    let address = match (from.rfind('<'), from.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => from,
    };
    let valid = !address.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>'))
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    (!valid).then(|| {
        "expected a sender address such as `no-reply@example.com` or `NextAuth <no-reply@example.com>`"
            .to_owned()
    })
}

/// What is wrong with a throttle store URL, if anything: it is PostgreSQL's, and, written in
/// the source, it carries no password.
pub fn throttle_store_url_problem(url: &str, origin: Origin) -> Option<String> {
    if !THROTTLE_STORE_URL_PREFIXES
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Some("expected a `postgres://` URL".to_owned());
    }
    (origin == Origin::Literal && url_has_password(url)).then(|| {
        "literal password in the throttle store URL; read the URL from the environment with `env(\"THROTTLE_DATABASE_URL\")`"
            .to_owned()
    })
}

/// A host and an optional port, as a URL of `scheme` needs them.
fn host_port_problem(scheme: &str, host: &str, port: Option<&str>) -> Option<String> {
    if host.is_empty() {
        return Some(format!("expected a host after `{scheme}://`"));
    }
    if !is_valid_host(host) {
        return Some(format!("invalid host `{host}` in the URL"));
    }
    match port {
        Some(port) if !is_valid_port(port) => Some(format!("invalid port `{port}` in the URL")),
        _ => None,
    }
}

/// The `user[:password]` of the authority at the start of `rest` (what follows `scheme://`).
fn userinfo(rest: &str) -> Option<&str> {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority.rsplit_once('@').map(|(user, _)| user)
}

/// Whether a `scheme://` URL carries a password, in its authority or as a `password=` parameter.
fn url_has_password(url: &str) -> bool {
    url.split_once("://").is_some_and(|(_, rest)| {
        userinfo(rest).is_some_and(|user| user.contains(':')) || rest.contains("password=")
    })
}

/// `host[:port]`, where the host may be a bracketed IPv6 address.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                match rest.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    // Anything else after `]` makes the host invalid.
                    None if rest.is_empty() => (host, None),
                    None => (authority, None),
                }
            }
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A host is a bracketed IPv6 address, an IPv4 address, or a name of letters, digits, `-`,
/// `_` and `.`.
fn is_valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.strip_suffix(']').is_some_and(|ip| {
            ip.contains(':')
                && ip
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        });
    }
    let labels_ok = host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    // A name ending in a number is an IPv4 address (WHATWG URL), so it must be one.
    let numeric = host
        .rsplit('.')
        .find(|label| !label.is_empty())
        .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()));
    labels_ok
        && (!numeric || {
            let parts: Vec<&str> = host.split('.').collect();
            parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())
        })
}

/// A port is a decimal number up to 65535.
fn is_valid_port(port: &str) -> bool {
    port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65_535)
}

/// `` `a` or `b` ``, `` `a`, `b` or `c` ``: a list for a message.
pub fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => format!("`{only}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|i| format!("`{i}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_urls_are_absolute_https_or_loopback_http() {
        for ok in [
            "https://idp.example.com",
            "https://idp.example.com/realms/x?a=b",
            "http://localhost:8080/issuer",
            "http://127.0.0.1:3000",
            "http://[::1]:9000/",
        ] {
            assert_eq!(url_problem(ok, UrlRole::Endpoint), None, "{ok}");
        }
        for (bad, why) in [
            ("http://idp.example.com", "plain http"),
            ("idp.example.com", "expected an absolute URL"),
            ("ftp://idp.example.com", "unsupported URL scheme `ftp`"),
            ("https://user:pw@idp.example.com", "unexpected `user@`"),
            ("https://idp.example.com/#x", "`#fragment`"),
            ("https://", "expected a host"),
            ("https://idp.example.com:99999", "invalid port"),
            ("https://300.1.1.1", "invalid host"),
            ("https://idp .example.com", "whitespace"),
        ] {
            let problem = url_problem(bad, UrlRole::Endpoint).unwrap_or_default();
            assert!(problem.contains(why), "{bad}: {problem}");
        }
        assert_eq!(
            url_problem("https://idp.example.com?x=1", UrlRole::Endpoint),
            None
        );
        assert!(url_problem("https://idp.example.com?x=1", UrlRole::Issuer).is_some());
    }

    #[test]
    fn passwords_are_refused_only_in_literals() {
        let db = "postgres://app:hunter2@db.internal/app";
        assert!(database_url_problem(db, Origin::Literal).is_some());
        assert_eq!(database_url_problem(db, Origin::Environment), None);
        assert!(database_url_problem("mysql://db/app", Origin::Environment).is_some());
        let smtp = "smtp://user:pw@mail.example.com:587";
        assert!(smtp_url_problem(smtp, Origin::Literal, "EMAIL").is_some());
        assert_eq!(smtp_url_problem(smtp, Origin::Environment, "EMAIL"), None);
        assert!(smtp_url_problem("http://mail", Origin::Environment, "EMAIL").is_some());
        let store = "postgres://u:p@db/throttle";
        assert!(throttle_store_url_problem(store, Origin::Literal).is_some());
        assert_eq!(throttle_store_url_problem(store, Origin::Environment), None);
    }

    #[test]
    fn or_list_joins_with_commas_and_a_final_or() {
        assert_eq!(or_list(&[]), "");
        assert_eq!(or_list(&["a"]), "`a`");
        assert_eq!(or_list(&["a", "b"]), "`a` or `b`");
        assert_eq!(or_list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn tenants_and_senders() {
        assert_eq!(tenant_problem("contoso.onmicrosoft.com"), None);
        assert!(tenant_problem("a/b").is_some());
        assert!(tenant_problem("").is_some());
        assert_eq!(sender_problem("NextAuth <no-reply@example.com>"), None);
        assert!(sender_problem("no-reply").is_some());
    }

    #[test]
    fn apple_ids_are_ten_upper_case_letters_and_digits() {
        for ok in ["ABCDE12345", "0123456789", "ZZZZZZZZZZ"] {
            assert_eq!(apple_id_problem(ok, "team id"), None, "{ok}");
        }
        for bad in [
            "",
            "ABCDE1234",
            "ABCDE123456",
            "abcde12345",
            "ABCDE-1234",
            "ABCDE 1234",
        ] {
            let problem = apple_id_problem(bad, "key id").unwrap_or_default();
            assert!(
                problem.starts_with("expected a key id of 10"),
                "{bad}: {problem}"
            );
        }
        // Ten bytes of which one is not ASCII: refused, whatever the length says.
        assert!(apple_id_problem("ÄBCDE1234", "team id").is_some());
    }
}
