//! The double-submit CSRF check (cookie `token|sha256(token + secret)` vs the body's
//! `csrfToken`): never a panic, and it passes only for a cookie hashed with a configured
//! secret whose token equals the body's.

#![no_main]

use auth_runtime::__fuzz;
use auth_runtime::__private::csrf;
use libfuzzer_sys::fuzz_target;

fn secrets() -> Vec<String> {
    vec!["new-secret".to_owned(), "old-secret".to_owned()]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // `<cookie value>\n<body csrfToken>`; without a newline the body token is the cookie's
    // token, so the fuzzer explores forged hashes directly.
    let (cookie, body) = match text.split_once('\n') {
        Some((cookie, body)) => (cookie.to_owned(), body.to_owned()),
        None => (
            text.to_string(),
            text.split('|').next().unwrap_or_default().to_owned(),
        ),
    };
    let secrets = secrets();
    let verified = __fuzz::csrf_verified(&cookie, &body, &secrets);
    let genuine = !body.is_empty()
        && !body.contains('|')
        && secrets
            .iter()
            .any(|secret| cookie == format!("{body}|{}", csrf::hash(&body, secret)));
    assert_eq!(
        verified, genuine,
        "the CSRF check disagrees with its definition"
    );

    // A cookie minted for the input as token passes; any change to it fails.
    let token = body.replace('|', "");
    if token.is_empty() {
        return;
    }
    let minted = format!("{token}|{}", csrf::hash(&token, &secrets[0]));
    assert!(__fuzz::csrf_verified(&minted, &token, &secrets));
    let mut mutated = minted.into_bytes();
    let at = data.len() % mutated.len();
    mutated[at] ^= 0x01;
    if let Ok(mutated) = String::from_utf8(mutated) {
        let still_genuine = mutated.split_once('|').is_some_and(|(t, h)| {
            t == token.as_str() && secrets.iter().any(|s| h == csrf::hash(t, s))
        });
        assert_eq!(
            __fuzz::csrf_verified(&mutated, &token, &secrets),
            still_genuine,
            "a mutated CSRF cookie was accepted"
        );
    }
});
