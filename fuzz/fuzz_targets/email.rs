//! Email sign-in's address normalisation: never a panic; an accepted address has exactly one
//! `@`, a non-empty local part, a dotted domain without `,` or `"`, and is a fixed point.

#![no_main]

use auth_runtime::__fuzz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(address) = __fuzz::normalize_email(raw) else {
        return;
    };
    assert_eq!(address.matches('@').count(), 1, "{address:?}");
    assert!(!address.contains('"'), "{address:?}");
    let (local, domain) = address.split_once('@').unwrap_or_default();
    assert!(!local.is_empty(), "{address:?}");
    assert!(domain.contains('.') && !domain.contains(','), "{address:?}");
    assert_eq!(
        __fuzz::normalize_email(&address).as_deref(),
        Ok(address.as_str()),
        "normalising twice changed {raw:?}"
    );
});
