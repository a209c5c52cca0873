//! The `Cookie` header parser and the session cookie's chunk reassembly: any headers parse
//! without a panic, and the session value read from them survives being written back as
//! (possibly chunked) `Set-Cookie`s and read again, as a browser would send them.

#![no_main]

use auth_runtime::__fuzz;
use auth_runtime::__private::cookies::{CookieNames, MAX_COOKIE_HEADER_BYTES, MAX_COOKIE_PAIRS};
use libfuzzer_sys::fuzz_target;

const SESSION: &str = CookieNames::new(false).session_token;

fuzz_target!(|data: &[u8]| {
    // One `Cookie` header per line (HTTP/2 clients may send several).
    let headers: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let jar = __fuzz::parse_cookie_headers(&headers);
    let Some(value) = __fuzz::session_cookie_value(&jar, SESSION) else {
        return;
    };
    // What the server would write back, then what the browser sends on the next request.
    let set_cookies = __fuzz::store_chunked(SESSION, &value, &jar);
    let mut sent = Vec::new();
    for cookie in &set_cookies {
        let line = cookie.to_string();
        assert!(
            axum::http::HeaderValue::from_str(&line).is_ok(),
            "Set-Cookie is not a valid header value"
        );
        if cookie.max_age == Some(0) {
            continue; // a clear: the browser drops the cookie
        }
        let pair = line.split(';').next().unwrap_or_default();
        sent.push(pair.to_owned());
    }
    assert!(sent.len() <= MAX_COOKIE_PAIRS);
    let header = sent.join("; ");
    if header.len() > MAX_COOKIE_HEADER_BYTES {
        // Raw non-ASCII read from the request is percent-encoded when written back, which can
        // triple it past what the parser reads; real session values are ASCII JWEs.
        return;
    }
    let next = __fuzz::parse_cookie_headers(&[header.as_bytes()]);
    assert_eq!(
        __fuzz::session_cookie_value(&next, SESSION).as_deref(),
        Some(value.as_str()),
        "the session value changed through Set-Cookie and Cookie"
    );
});
