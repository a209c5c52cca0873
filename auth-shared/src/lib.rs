//! What the `auth!` macro and the runtime both know, written once: the provider presets
//! ([`presets`]) and the rules a setting's value must follow ([`literals`]).
//!
//! The macro judges a literal in the block with these rules at compile time; the runtime
//! judges the same value read from `env(…)` at start-up with the same functions, so the two
//! verdicts cannot drift apart. Users depend on `auth-runtime`; this crate is its internals,
//! pinned to it with `=` (as `serde_derive` is to `serde`).

pub mod literals;
pub mod presets;
