//! The rules of literal values written in the block: URLs (an issuer or endpoint, the SMTP
//! server, the database and the throttle store), an Azure AD tenant, a sender address, the base
//! path and page paths. Plain functions over strings, with no tokens or spans: each says `Ok`
//! or what is wrong, and the caller reports that on the literal.

use crate::kw;

/// A literal URL is absolute `https` (plain `http` only to the local machine) without user or
/// fragment, and an issuer also without query (OpenID Connect Discovery §2): the client secret
/// and tokens travel to it. Hand-written rather than the `url` crate: the macro needs only these
/// few checks.
pub(super) fn check_url(url: &str, issuer: bool) -> Result<(), String> {
    const EXPECTED: &str = "expected an absolute URL such as `https://idp.example.com`";
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err("a URL must not contain whitespace".to_owned());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(EXPECTED.to_owned());
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) || !scheme.chars().all(scheme_chars) {
        return Err(EXPECTED.to_owned());
    }
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "unsupported URL scheme `{scheme}`; expected `https`"
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(
            "unexpected `user@` in the URL; client credentials go in `client_id` and `client_secret`"
                .to_owned(),
        );
    }
    let (host, port) = split_host_port(authority);
    if host.is_empty() {
        return Err(format!("expected a host after `{scheme}://`"));
    }
    if !is_valid_host(host) {
        return Err(format!("invalid host `{host}` in the URL"));
    }
    if let Some(port) = port
        && !is_valid_port(port)
    {
        return Err(format!("invalid port `{port}` in the URL"));
    }
    if tail.contains('#') {
        return Err("unexpected `#fragment` in the URL".to_owned());
    }
    if issuer && tail.contains('?') {
        return Err(
            "unexpected `?query` in the issuer; an issuer is a URL without query or fragment"
                .to_owned(),
        );
    }
    let loopback = LOOPBACK_HOSTS.contains(&host.to_ascii_lowercase().as_str());
    if scheme == "http" && !loopback {
        return Err("plain http to a non-loopback host; use https".to_owned());
    }
    Ok(())
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

/// An Azure AD tenant is a tenant id or a domain: it becomes a path segment of the issuer, as
/// the runtime checks too.
pub(super) fn check_tenant(tenant: &str) -> Result<(), String> {
    let ok = !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !ok {
        return Err(
            "expected a tenant id, a domain, `common`, `organizations` or `consumers`".to_owned(),
        );
    }
    Ok(())
}

/// A mail server URL has a scheme the runtime's SMTP transport knows, a host and port, and no
/// password, a secret that would ship inside the binary and its repository. `prefix` names the
/// provider's variables in the message (`EMAIL` for `EMAIL_SERVER`).
pub(super) fn check_smtp_url(url: &str, prefix: &str) -> Result<(), String> {
    let expected = || {
        let schemes: Vec<String> = kw::SMTP_SCHEMES.iter().map(|s| format!("{s}://")).collect();
        let schemes: Vec<&str> = schemes.iter().map(String::as_str).collect();
        format!("expected an {} URL", or_list(&schemes))
    };
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err("a URL must not contain whitespace".to_owned());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(expected());
    };
    if !kw::SMTP_SCHEMES.contains(&scheme) {
        return Err(expected());
    }
    let user = userinfo(rest);
    if user.is_some_and(|user| user.contains(':')) {
        return Err(format!(
            "literal password in the mail server URL; read the URL from the environment with `env(\"{prefix}_SERVER\")`"
        ));
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = split_host_port(host_port);
    if host.is_empty() {
        return Err(format!("expected a host after `{scheme}://`"));
    }
    if !is_valid_host(host) {
        return Err(format!("invalid host `{host}` in the URL"));
    }
    match port {
        Some(port) if !is_valid_port(port) => Err(format!("invalid port `{port}` in the URL")),
        _ => Ok(()),
    }
}

/// A database URL names one of the runtime's adapters and carries no password, a secret that
/// would ship inside the binary and its repository.
pub(super) fn check_database_url(url: &str) -> Result<(), String> {
    if !kw::DATABASE_URL_PREFIXES.iter().any(|p| url.starts_with(p)) {
        return Err(format!(
            "expected a {} URL",
            or_list(&kw::DATABASE_URL_PREFIXES[..2])
        ));
    }
    if url_has_password(url) {
        return Err(
            "literal password in the database URL; read the URL from the environment with `env(\"DATABASE_URL\")`"
                .to_owned(),
        );
    }
    Ok(())
}

/// A throttle store URL is PostgreSQL's and carries no password, a secret that would ship
/// inside the binary.
pub(super) fn check_throttle_store_url(url: &str) -> Result<(), String> {
    if !kw::THROTTLE_STORE_URL_PREFIXES
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Err("expected a `postgres://` URL".to_owned());
    }
    if url_has_password(url) {
        return Err(
            "literal password in the throttle store URL; read the URL from the environment with `env(\"THROTTLE_DATABASE_URL\")`"
                .to_owned(),
        );
    }
    Ok(())
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

/// A sender is an address `local@domain`, optionally as `Name <local@domain>`, so a typo fails
/// the build rather than every sign-in.
pub(super) fn check_sender_address(from: &str) -> Result<(), String> {
    let from = from.trim();
    let address = match (from.rfind('<'), from.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => from,
    };
    let valid = !address.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>'))
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if !valid {
        return Err(
            "expected a sender address such as `no-reply@example.com` or `NextAuth <no-reply@example.com>`"
                .to_owned(),
        );
    }
    Ok(())
}

/// The base path is an absolute URL path without a trailing `/`, because the routes are
/// `<base>/<action>` and NextAuth compares paths exactly.
pub(super) fn check_base_path(path: &str) -> Result<(), String> {
    let message = if !path.starts_with('/') {
        "base path must start with `/`, as in `/api/auth`"
    } else if path.ends_with('/') {
        "base path must not end with `/`"
    } else if path.contains("//") {
        "base path must not contain `//`"
    } else if path.contains(['?', '#']) || path.contains(char::is_whitespace) {
        "base path must not contain `?`, `#` or whitespace"
    } else {
        return Ok(());
    };
    Err(message.to_owned())
}

/// A page is an absolute path on this site: the routes redirect there, and `//host` or a
/// relative path would send the user to another host or a path that depends on the route.
pub(super) fn check_page_path(path: &str) -> Result<(), String> {
    let message = if !path.starts_with('/') {
        "page path must be absolute, starting with `/`, as in `/login`"
    } else if path.starts_with("//") {
        "page path must not start with `//`, which browsers read as another host"
    } else if path.contains(char::is_whitespace) {
        "page path must not contain whitespace"
    } else {
        return Ok(());
    };
    Err(message.to_owned())
}

/// "`a`, `b` or `c`".
fn or_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of a refused literal.
    fn refused(verdict: Result<(), String>) -> String {
        verdict.expect_err("the literal is refused")
    }

    #[test]
    fn a_url_may_carry_a_query_unless_it_is_an_issuer() {
        assert_eq!(
            check_url("https://x.io/authorize?audience=api", false),
            Ok(())
        );
        assert_eq!(
            refused(check_url("https://x.io/?tenant=a", true)),
            "unexpected `?query` in the issuer; an issuer is a URL without query or fragment"
        );
        assert_eq!(
            refused(check_url("https://x.io/a#b", false)),
            "unexpected `#fragment` in the URL"
        );
    }

    #[test]
    fn a_url_scheme_is_https_or_loopback_http_in_any_case() {
        assert_eq!(check_url("HtTpS://x.io", true), Ok(()));
        assert_eq!(check_url("http://LocalHost:3000/cb", false), Ok(()));
        assert_eq!(
            refused(check_url("wss://x.io", false)),
            "unsupported URL scheme `wss`; expected `https`"
        );
        assert_eq!(
            refused(check_url("1http://x.io", false)),
            "expected an absolute URL such as `https://idp.example.com`"
        );
    }

    #[test]
    fn hosts_are_names_ipv4_or_bracketed_ipv6_and_ports_fit_in_sixteen_bits() {
        assert_eq!(check_url("https://[2001:db8::1]:65535/", false), Ok(()));
        assert_eq!(
            refused(check_url("https://[::1]x/", false)),
            "invalid host `[::1]x` in the URL"
        );
        assert_eq!(
            refused(check_url("https://x.io:65536/", false)),
            "invalid port `65536` in the URL"
        );
        assert_eq!(
            refused(check_url("https://1.2.3/", false)),
            "invalid host `1.2.3` in the URL"
        );
    }

    #[test]
    fn a_tenant_is_one_path_segment() {
        for tenant in ["common", "contoso.onmicrosoft.com", "a1b2-c3_d4"] {
            assert_eq!(check_tenant(tenant), Ok(()), "{tenant}");
        }
        for tenant in ["", "a/b", "a b", "a?b"] {
            assert_eq!(
                refused(check_tenant(tenant)),
                "expected a tenant id, a domain, `common`, `organizations` or `consumers`",
                "{tenant}"
            );
        }
    }

    #[test]
    fn an_smtp_url_names_its_providers_variable_when_it_carries_a_password() {
        assert_eq!(check_smtp_url("smtps://user@[::1]:465", "EMAIL"), Ok(()));
        assert_eq!(
            refused(check_smtp_url("smtp://u:p@mail.example.com", "MAGIC_LINK")),
            "literal password in the mail server URL; read the URL from the environment with `env(\"MAGIC_LINK_SERVER\")`"
        );
        assert_eq!(
            refused(check_smtp_url("smtp://mail!.example.com", "EMAIL")),
            "invalid host `mail!.example.com` in the URL"
        );
    }

    #[test]
    fn database_and_throttle_store_urls_name_their_database_and_no_password() {
        for url in [
            "sqlite::memory:",
            "postgres://db/app",
            "postgresql://db/app",
        ] {
            assert_eq!(check_database_url(url), Ok(()), "{url}");
        }
        assert_eq!(
            refused(check_database_url("mysql://db/app")),
            "expected a `sqlite:` or `postgres://` URL"
        );
        assert_eq!(check_throttle_store_url("postgresql://app@db/app"), Ok(()));
        assert_eq!(
            refused(check_throttle_store_url("postgres://db/app?password=x")),
            "literal password in the throttle store URL; read the URL from the environment with `env(\"THROTTLE_DATABASE_URL\")`"
        );
        // A user without a password is not a secret.
        assert!(!url_has_password("postgres://app@db/app"));
        assert!(url_has_password("postgres://app:pw@db/app"));
    }

    #[test]
    fn a_sender_is_an_address_optionally_with_a_name() {
        for from in ["a@b.c", "Auth <a@b.c>", "  <a@b.c>  "] {
            assert_eq!(check_sender_address(from), Ok(()), "{from}");
        }
        for from in ["a@b@c", "Auth <a@b.c", "<>", "Auth a@b.c>"] {
            assert!(check_sender_address(from).is_err(), "{from}");
        }
    }

    #[test]
    fn base_and_page_paths_are_absolute_paths_on_this_site() {
        assert_eq!(check_base_path("/api/auth"), Ok(()));
        assert_eq!(
            refused(check_base_path("/api#x")),
            "base path must not contain `?`, `#` or whitespace"
        );
        assert_eq!(check_page_path("/"), Ok(()));
        assert_eq!(check_page_path("/auth/sign-in?from=menu"), Ok(()));
        assert_eq!(
            refused(check_page_path("//x")),
            "page path must not start with `//`, which browsers read as another host"
        );
    }

    #[test]
    fn or_list_joins_with_commas_and_a_final_or() {
        assert_eq!(or_list(&[]), "");
        assert_eq!(or_list(&["a"]), "`a`");
        assert_eq!(or_list(&["a", "b"]), "`a` or `b`");
        assert_eq!(or_list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
