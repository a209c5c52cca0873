//! The callbackUrl rule (docs/REST.md §4.4, advisories #3–#5) on arbitrary values: never a panic, and
//! whatever it accepts stays on the base URL's origin, even as a browser re-reads it.

#![no_main]

use auth_runtime::__fuzz;
use libfuzzer_sys::fuzz_target;
use url::Url;

/// Origins as `NEXTAUTH_URL` gives them: default ports, explicit ports, IPv6, plain http.
const BASES: [&str; 5] = [
    "http://localhost:3000",
    "https://app.example.com",
    "https://app.example.com:8443",
    "http://[::1]:3000",
    "http://127.0.0.1",
];

fn assert_same_origin(url: &str, base: &Url, value: &str) {
    let parsed =
        Url::parse(url).unwrap_or_else(|e| panic!("{url:?} does not parse ({e}) for {value:?}"));
    assert_eq!(
        parsed.origin(),
        base.origin(),
        "{value:?} redirected off the origin {base} to {url:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(value) = std::str::from_utf8(rest) else {
        return;
    };
    let base_str = BASES[usize::from(selector) % BASES.len()];
    let base = Url::parse(base_str).unwrap_or_else(|e| panic!("{base_str}: {e}"));

    // The default `redirect` callback, which the body value reaches without pre-validation.
    let redirected = __fuzz::default_redirect(value, base_str);
    assert_same_origin(&redirected, &base, value);
    // A client resolves `Location` against the page it was on: it must land on the origin too.
    let resolved = base
        .join(&redirected)
        .unwrap_or_else(|e| panic!("{redirected:?} does not resolve ({e})"));
    assert_eq!(
        resolved.origin(),
        base.origin(),
        "{value:?} -> {redirected:?}"
    );

    // The query/cookie path: refused (`Configuration`) or the same redirect.
    if let Some(resolved) = __fuzz::resolve_callback_url(value, base_str) {
        assert_eq!(resolved, redirected);
    }
});
