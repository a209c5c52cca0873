//! The `auth!` DSL outside the compiler: arbitrary text, tokenised by proc-macro2, through the
//! macro's own pipeline (parse -> validate -> `check()` -> expand, or the salvage path on a
//! syntax error). It must never panic: a panic is an ICE-like error for the user.

#![no_main]
#![allow(dead_code, unreachable_pub)]

use std::str::FromStr as _;

use libfuzzer_sys::fuzz_target;

// auth-macros is a proc-macro crate and cannot be a dependency: its modules are compiled in,
// laid out as at its crate root so their `crate::…` paths resolve.
#[path = "../../auth-macros/src/ctxt.rs"]
mod ctxt;
#[path = "../../auth-macros/src/expand.rs"]
mod expand;
#[path = "../../auth-macros/src/kw.rs"]
mod kw;
#[path = "../../auth-macros/src/model.rs"]
mod model;
#[path = "../../auth-macros/src/parse.rs"]
mod parse;
#[path = "../../auth-macros/src/validate/mod.rs"]
mod validate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = proc_macro2::TokenStream::from_str(text) else {
        return; // not Rust tokens: rustc would refuse them before the macro runs
    };
    // The macro's entry (`auth_macros::auth` calls exactly this).
    let expanded = expand::auth(tokens);
    assert!(!expanded.is_empty(), "the expansion is empty");
});
