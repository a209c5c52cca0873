//! The `auth!` procedural macro. Depend on `auth-runtime`, which re-exports it.
//!
//! The macro runs `parse` -> `validate` (errors into a `ctxt::Ctxt`) -> `expand`, over the
//! model in `model`; the DSL's words are in `kw`. Only the macro is public.

mod ctxt;
mod expand;
mod kw;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

// The grammar is `auth-macros/DSL.md`: one text for these docs and for the README's readers.
#[doc = include_str!("../DSL.md")]
#[proc_macro]
pub fn auth(input: TokenStream) -> TokenStream {
    expand::auth(input.into()).into()
}
