//! Compile-time checks of `auth!`: each `tests/ui/<stage>/*.rs` case makes one mistake (or,
//! in `pass/`, none), and its `.stderr` shows where the error points. Bless with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every changed `.stderr`.

#![allow(clippy::unwrap_used)]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/parse/*.rs");
    t.compile_fail("tests/ui/validate/*.rs");
    t.compile_fail("tests/ui/types/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
