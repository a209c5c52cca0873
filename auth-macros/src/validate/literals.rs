//! The rules of literal values written in the block: URLs (an issuer or endpoint, the SMTP
//! server, the database and the throttle store), an Azure AD tenant, a sender address, the base
//! path and page paths. Plain functions over strings, with no tokens or spans: each says `Ok`
//! or what is wrong, and the caller reports that on the literal.
//!
//! The rules the runtime also applies at start-up, to the same value read from `env(…)`, live
//! in `auth-shared` (`auth_shared::literals`): these functions only adapt them, so a literal
//! and a variable get one verdict. The base path and page paths are the block's alone.

use auth_shared::literals::{self as shared, Origin, UrlRole};

/// A literal URL is absolute `https` (plain `http` only to the local machine) without user or
/// fragment, and an issuer also without query: the client secret and tokens travel to it.
pub(super) fn check_url(url: &str, issuer: bool) -> Result<(), String> {
    let role = if issuer {
        UrlRole::Issuer
    } else {
        UrlRole::Endpoint
    };
    verdict(shared::url_problem(url, role))
}

/// An Azure AD tenant is a tenant id or a domain: it becomes a path segment of the issuer.
pub(super) fn check_tenant(tenant: &str) -> Result<(), String> {
    verdict(shared::tenant_problem(tenant))
}

/// An Apple team id or key id is 10 upper-case letters and digits; `what` names it.
pub(super) fn check_apple_id(id: &str, what: &str) -> Result<(), String> {
    verdict(shared::apple_id_problem(id, what))
}

/// A mail server URL has a scheme the runtime's SMTP transport knows, a host and port, and no
/// password, a secret that would ship inside the binary and its repository. `prefix` names the
/// provider's variables in the message (`EMAIL` for `EMAIL_SERVER`).
pub(super) fn check_smtp_url(url: &str, prefix: &str) -> Result<(), String> {
    verdict(shared::smtp_url_problem(url, Origin::Literal, prefix))
}

/// A database URL names one of the runtime's adapters and carries no password.
pub(super) fn check_database_url(url: &str) -> Result<(), String> {
    verdict(shared::database_url_problem(url, Origin::Literal))
}

/// A throttle store URL is PostgreSQL's and carries no password.
pub(super) fn check_throttle_store_url(url: &str) -> Result<(), String> {
    verdict(shared::throttle_store_url_problem(url, Origin::Literal))
}

/// A sender is an address `local@domain`, optionally as `Name <local@domain>`, so a typo fails
/// the build rather than every sign-in.
pub(super) fn check_sender_address(from: &str) -> Result<(), String> {
    verdict(shared::sender_problem(from))
}

/// A shared rule's "what is wrong, if anything" as a check's result.
fn verdict(problem: Option<String>) -> Result<(), String> {
    problem.map_or(Ok(()), Err)
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
        assert_eq!(check_database_url("postgres://app@db/app"), Ok(()));
        assert!(check_database_url("postgres://app:pw@db/app").is_err());
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
}
