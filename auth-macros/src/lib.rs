//! The `auth!` procedural macro. Depend on `auth-runtime`, which re-exports it.

use proc_macro::TokenStream;

/// Declares an authentication module; see `auth_runtime` for the grammar.
#[proc_macro]
pub fn auth(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
