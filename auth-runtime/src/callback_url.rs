//! The `callbackUrl` rules: NextAuth's pre-validation and its default `redirect` callback.
//! Keeps every redirect on the app's own origin (docs/REST.md §1.4, §4.4, advisories #3, #4, #5).

use url::Url;

/// NextAuth's pre-validation of a `callbackUrl` (query value or cookie): `true` when the value,
/// after a leading-`/` value is prefixed with `base_url` by plain string concatenation, parses
/// as an absolute `http` or `https` URL.
///
/// `base_url` is the origin: `scheme://host[:port]`, no trailing slash. A value that fails
/// this check is a `Configuration` error. It says nothing about *where* the URL points;
/// [`default_redirect`] decides that.
pub fn is_acceptable(value: &str, base_url: &str) -> bool {
    let parsed = if value.starts_with('/') {
        Url::parse(&format!("{base_url}{value}"))
    } else {
        Url::parse(value)
    };
    parsed.is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

/// NextAuth's default `redirect` callback (v3 ≥ 3.29.3, v4 ≥ 4.3.3): where to send the user.
///
/// - a value starting with `/` → `base_url + value` (concatenation, never URL resolution, so
///   `//evil.com` stays on the app: advisory #4);
/// - an absolute URL with the same origin as `base_url` (scheme, host case-insensitively,
///   and port with defaults filled in) → that URL;
/// - anything else, including values that do not parse → `base_url` (advisories #3, #5).
///
/// An accepted URL is returned as given, like NextAuth, unless it holds a `\`, whitespace,
/// a control character or non-ASCII: then it is returned in its normalised (WHATWG-serialised,
/// percent-encoded) form, the same address with nothing left to confuse a client or a
/// `Location` header (which is ASCII). Runs in time linear in the input and never panics.
pub fn default_redirect(url: &str, base_url: &str) -> String {
    // The common case (no callbackUrl anywhere): the answer is `base_url` either way.
    if url == base_url {
        return base_url.to_owned();
    }
    let Ok(base) = Url::parse(base_url) else {
        return base_url.to_owned();
    };
    let raw = if url.starts_with('/') {
        format!("{base_url}{url}")
    } else {
        url.to_owned()
    };
    match Url::parse(&raw) {
        // Checked for the `/` case too: concatenation cannot leave the origin when `base_url`
        // is a bare origin, and this makes that hold even when it is not.
        Ok(candidate) if same_origin(&candidate, &base) => {
            // NextAuth answers with the value as given (`http://localhost:3000`, no slash
            // added); only a value a client could misread is replaced by its normal form.
            if raw
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control() || !c.is_ascii())
            {
                candidate.into()
            } else {
                raw
            }
        }
        _ => base_url.to_owned(),
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    let origin = a.origin();
    // Opaque origins (`javascript:`, `data:`, `file:`…) never equal anything.
    origin.is_tuple() && matches!(a.scheme(), "http" | "https") && origin == b.origin()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BASE: &str = "https://app.example.com";

    fn host_of(url: &str) -> String {
        Url::parse(url).unwrap().host_str().unwrap().to_owned()
    }

    #[test]
    fn non_ascii_is_percent_encoded_so_the_location_header_is_ascii() {
        // Found by the `routes` fuzz target: a form body's invalid UTF-8 decodes to U+FFFD,
        // which went raw into `Location`.
        assert_eq!(
            default_redirect("/d\u{FFFD}sh?q=é#ü", BASE),
            "https://app.example.com/d%EF%BF%BDsh?q=%C3%A9#%C3%BC"
        );
        assert_eq!(
            default_redirect("https://app.example.com/é", BASE),
            "https://app.example.com/%C3%A9"
        );
    }

    #[test]
    fn relative_paths_are_appended_to_the_base() {
        assert_eq!(
            default_redirect("/dash", BASE),
            "https://app.example.com/dash"
        );
        assert_eq!(
            default_redirect("/a/b?c=d#e", BASE),
            "https://app.example.com/a/b?c=d#e"
        );
        assert_eq!(default_redirect("/", BASE), "https://app.example.com/");
    }

    #[test]
    fn same_origin_absolute_urls_are_kept() {
        for url in [
            "https://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/a/b?c=d#e",
        ] {
            let kept = default_redirect(url, BASE);
            assert_eq!(
                Url::parse(&kept).unwrap(),
                Url::parse(url).unwrap(),
                "{url}"
            );
            assert_eq!(host_of(&kept), "app.example.com");
        }
        assert_eq!(
            default_redirect("https://app.example.com/a/b?c=d#e", BASE),
            "https://app.example.com/a/b?c=d#e"
        );
    }

    #[test]
    fn host_case_and_explicit_default_ports_are_the_same_origin() {
        // Same origin: kept as given, as NextAuth keeps it.
        for same in [
            "https://APP.Example.COM/x",
            "https://app.example.com:443/x",
            "HTTPS://app.example.com/x",
        ] {
            assert_eq!(default_redirect(same, BASE), same);
        }
        assert_eq!(
            default_redirect("https://app.example.com/x", "https://APP.example.com:443"),
            "https://app.example.com/x"
        );
        assert_eq!(
            default_redirect("http://localhost/x", "http://localhost:80"),
            "http://localhost/x"
        );
        assert_eq!(
            default_redirect("https://app.example.com:8443/x", BASE),
            BASE
        );
    }

    #[test]
    fn another_scheme_or_port_is_another_origin() {
        for url in [
            "http://app.example.com/x",
            "https://app.example.com:8443/x",
            "wss://app.example.com/x",
            "ftp://app.example.com/x",
        ] {
            assert_eq!(default_redirect(url, BASE), BASE, "{url}");
        }
        let local = "http://localhost:3000";
        assert_eq!(
            default_redirect("http://localhost:3000/x", local),
            "http://localhost:3000/x"
        );
        assert_eq!(default_redirect("http://localhost/x", local), local);
        assert_eq!(default_redirect("http://localhost:3001/x", local), local);
    }

    #[test]
    fn prefix_tricks_go_to_the_base() {
        // Advisory #3 (GHSA-f9wg-5f46-cjmw): a `startsWith(baseUrl)` test let these through.
        for url in [
            "https://app.example.com.evil.com/",
            "https://app.example.com@evil.com/",
            "https://evil.com/?https://app.example.com",
            "https://evil.com",
            "https://app.example.com.",
        ] {
            assert_eq!(default_redirect(url, BASE), BASE, "{url}");
            assert!(
                is_acceptable(url, BASE),
                "well-formed, so not a configuration error: {url}"
            );
        }
    }

    #[test]
    fn protocol_relative_tricks_stay_on_the_app() {
        // Advisory #4 (GHSA-q2mx-j4x2-2h74): resolving `/…` as a relative URL gave `evil.com`.
        for url in [
            "//evil.com",
            "/\\evil.com",
            "/%2F%2Fevil.com",
            "///evil.com",
            "/\t/evil.com",
            "//evil.com:99999",
        ] {
            let target = default_redirect(url, BASE);
            assert_eq!(host_of(&target), "app.example.com", "{url} -> {target}");
            assert!(is_acceptable(url, BASE), "{url}");
        }
        assert_eq!(
            default_redirect("//evil.com", BASE),
            "https://app.example.com//evil.com"
        );
        assert_eq!(
            default_redirect("///evil.com", BASE),
            "https://app.example.com///evil.com"
        );
        assert_eq!(
            default_redirect("/%2F%2Fevil.com", BASE),
            "https://app.example.com/%2F%2Fevil.com"
        );
    }

    #[test]
    fn results_are_normalised_for_non_whatwg_clients() {
        // curl and other RFC 3986 parsers read `\@` as userinfo; the serialised form has no `\`.
        let target = default_redirect("https://app.example.com\\@evil.com/", BASE);
        assert_eq!(target, "https://app.example.com/@evil.com/");
        let target = default_redirect("/\\evil.com", BASE);
        assert_eq!(target, "https://app.example.com//evil.com");
        // A control character that is not whitespace is encoded too, not passed on.
        assert_eq!(
            default_redirect("/a\u{1}b\u{7f}", BASE),
            "https://app.example.com/a%01b%7F"
        );
        let target = default_redirect("/a\r\nSet-Cookie: x=1", BASE);
        assert!(!target.contains(['\r', '\n', ' ']), "{target:?}");
        assert_eq!(host_of(&target), "app.example.com");
    }

    #[test]
    fn malformed_values_are_refused_and_redirect_to_the_base() {
        // Advisory #5 (GHSA-g5fm-jp9v-2432): these made NextAuth's `new URL()` throw and hang.
        for url in [
            "foo",
            "http://[",
            "javascript:alert(1)",
            "",
            " /dash",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "mailto:a@app.example.com",
            "https://",
            "http://exa mple.com/",
        ] {
            assert!(!is_acceptable(url, BASE), "{url:?}");
            assert_eq!(default_redirect(url, BASE), BASE, "{url:?}");
        }
    }

    #[test]
    fn pre_validation_accepts_http_urls_and_relative_paths() {
        for url in [
            "/dash",
            "/",
            "https://app.example.com/x",
            "http://localhost:3000",
            "HTTPS://evil.com",
            "https://evil.com/?https://app.example.com",
        ] {
            assert!(is_acceptable(url, BASE), "{url}");
        }
        for url in [
            "ftp://app.example.com/",
            "ws://app.example.com/",
            "httpsx://app.example.com/",
        ] {
            assert!(!is_acceptable(url, BASE), "{url}");
        }
    }

    #[test]
    fn an_unparsable_base_gives_the_base_back() {
        assert_eq!(default_redirect("/dash", "not a url"), "not a url");
        assert_eq!(default_redirect("https://evil.com", ""), "");
    }

    #[test]
    fn huge_inputs_answer_promptly() {
        let started = std::time::Instant::now();
        let long_path = format!("/{}", "a/".repeat(500_000));
        assert!(default_redirect(&long_path, BASE).starts_with("https://app.example.com/a/a/"));
        let brackets = format!("http://{}", "[".repeat(500_000));
        assert_eq!(default_redirect(&brackets, BASE), BASE);
        assert!(!is_acceptable(&brackets, BASE));
        let dots = format!("https://{}", ".".repeat(500_000));
        assert_eq!(default_redirect(&dots, BASE), BASE);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
