//! `cargo xtask test`: the one entry point that sets up and runs every test.
fn main() {}
