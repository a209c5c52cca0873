//! The rules of literal values written in the block: URLs (an issuer or endpoint, the SMTP
//! server, the database and the throttle store), an Azure AD tenant and a sender address. Plain
//! functions over strings, with no tokens or spans: the caller reports a problem on the literal.

use crate::kw;

/// What is wrong with a literal URL, if anything. The runtime needs an absolute `http(s)` URL
/// without fragment (an issuer also without query, OpenID Connect Discovery §2), and the
/// client secret and tokens travel to it, so plain `http` is only for the local machine.
/// Hand-written rather than the `url` crate: the macro needs only these few checks.
pub(super) fn url_problem(url: &str, issuer: bool) -> Option<String> {
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
    if host.is_empty() {
        return Some(format!("expected a host after `{scheme}://`"));
    }
    if !is_valid_host(host) {
        return Some(format!("invalid host `{host}` in the URL"));
    }
    if let Some(port) = port
        && !is_valid_port(port)
    {
        return Some(format!("invalid port `{port}` in the URL"));
    }
    if tail.contains('#') {
        return Some("unexpected `#fragment` in the URL".to_owned());
    }
    if issuer && tail.contains('?') {
        return Some(
            "unexpected `?query` in the issuer; an issuer is a URL without query or fragment"
                .to_owned(),
        );
    }
    let loopback = LOOPBACK_HOSTS.contains(&host.to_ascii_lowercase().as_str());
    if scheme == "http" && !loopback {
        return Some("plain http to a non-loopback host; use https".to_owned());
    }
    None
}

/// Hosts a literal `http://` URL may reach: the local machine (development and tests).
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

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

/// What is wrong with a literal Azure AD tenant, if anything: it becomes a path segment of
/// the issuer, so it is a tenant id or domain, as the runtime checks too.
pub(super) fn tenant_problem(tenant: &str) -> Option<String> {
    let ok = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    (!ok).then(|| {
        "expected a tenant id, a domain, `common`, `organizations` or `consumers`".to_owned()
    })
}

/// What is wrong with a literal SMTP server URL (or an `env_or` default), if anything: a
/// scheme the runtime's SMTP transport knows, a host and port, and no password, a secret that
/// would ship inside the binary and its repository.
pub(super) fn smtp_url_problem(url: &str, prefix: &str) -> Option<String> {
    let expected = || {
        let schemes: Vec<String> = kw::SMTP_SCHEMES.iter().map(|s| format!("{s}://")).collect();
        let schemes: Vec<&str> = schemes.iter().map(String::as_str).collect();
        format!("expected an {} URL", or_list(&schemes))
    };
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("a URL must not contain whitespace".to_owned());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(expected());
    };
    if !kw::SMTP_SCHEMES.contains(&scheme) {
        return Some(expected());
    }
    let user = userinfo(rest);
    if user.is_some_and(|user| user.contains(':')) {
        return Some(format!(
            "literal password in the mail server URL; read the URL from the environment with `env(\"{prefix}_SERVER\")`"
        ));
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = split_host_port(host_port);
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

/// What is wrong with a literal database URL (or an `env_or` default), if anything: it names
/// one of the runtime's adapters, and it carries no password, a secret that would ship inside
/// the binary and its repository.
pub(super) fn database_url_problem(url: &str) -> Option<String> {
    if !kw::DATABASE_URL_PREFIXES.iter().any(|p| url.starts_with(p)) {
        return Some(format!(
            "expected a {} URL",
            or_list(&kw::DATABASE_URL_PREFIXES[..2])
        ));
    }
    let password = url.split_once("://").is_some_and(|(_, rest)| {
        userinfo(rest).is_some_and(|user| user.contains(':')) || rest.contains("password=")
    });
    password.then(|| {
        "literal password in the database URL; read the URL from the environment with `env(\"DATABASE_URL\")`"
            .to_owned()
    })
}

/// What is wrong with a literal throttle store URL (or an `env_or` default), if anything: it
/// is PostgreSQL's, and it carries no password, a secret that would ship inside the binary.
pub(super) fn throttle_store_url_problem(url: &str) -> Option<String> {
    if !kw::THROTTLE_STORE_URL_PREFIXES
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Some("expected a `postgres://` URL".to_owned());
    }
    url_has_password(url).then(|| {
        "literal password in the throttle store URL; read the URL from the environment with `env(\"THROTTLE_DATABASE_URL\")`"
            .to_owned()
    })
}

/// Whether a `scheme://` URL carries a password, in its authority or as a `password=` parameter.
fn url_has_password(url: &str) -> bool {
    url.split_once("://").is_some_and(|(_, rest)| {
        userinfo(rest).is_some_and(|user| user.contains(':')) || rest.contains("password=")
    })
}

/// The `user[:password]` of the authority at the start of `rest` (what follows `scheme://`).
fn userinfo(rest: &str) -> Option<&str> {
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority.rsplit_once('@').map(|(user, _)| user)
}

/// What is wrong with a literal sender (or an `env_or` default), if anything: an address
/// `local@domain`, optionally as `Name <local@domain>`, so a typo fails the build rather than
/// every sign-in.
pub(super) fn sender_problem(from: &str) -> Option<String> {
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

/// "`a`, `b` or `c`".
fn or_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}
