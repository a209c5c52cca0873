//! What the unit tests of validation share: a block run through `validate` with its errors, and
//! the small valid blocks each part's tests add their entries to.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use super::validate;
use crate::ctxt::Ctxt;
use crate::model::{Config, Setting};
use crate::parse::AuthInput;

/// Validates `tokens`, returning the model and every error message.
pub(super) fn run(tokens: TokenStream) -> (Config, Vec<String>) {
    let input: AuthInput = match syn::parse2(tokens) {
        Ok(input) => input,
        Err(e) => panic!("parse error: {e}"),
    };
    let cx = Ctxt::new();
    let config = validate(&cx, &input);
    let errors = match cx.check() {
        Ok(()) => Vec::new(),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    };
    (config, errors)
}

/// The errors of a block.
pub(super) fn errors(tokens: TokenStream) -> Vec<String> {
    run(tokens).1
}

/// The model of a block that must be valid.
pub(super) fn valid(tokens: TokenStream) -> Config {
    let (config, errors) = run(tokens);
    assert!(errors.is_empty(), "unexpected errors: {errors:?}");
    config
}

/// A valid block with `extra` entries appended at the top level.
pub(super) fn block(extra: TokenStream) -> TokenStream {
    quote! {
        secret: env("NEXTAUTH_SECRET"),
        providers: {
            credentials: Credentials {
                fields: { username: text("Username") },
                authorize: crate::authorize,
            },
        },
        #extra
    }
}

/// A valid block whose only provider is `id: provider`.
pub(super) fn with_provider(provider: TokenStream) -> TokenStream {
    quote! {
        secret: env("NEXTAUTH_SECRET"),
        providers: { #provider },
    }
}

/// A valid block with `session: database { session }` whose providers are `providers`.
pub(super) fn database_block(session: TokenStream, providers: TokenStream) -> TokenStream {
    quote! {
        secret: env("NEXTAUTH_SECRET"),
        session: database { #session },
        providers: { #providers },
    }
}

/// `Setting` as a comparable string.
pub(super) fn describe_setting(setting: &Setting) -> String {
    match setting {
        Setting::Env(var) => format!("env {}", var.name),
        Setting::EnvOr(var, default) => format!("env {} or {default}", var.name),
        Setting::Literal(value) => format!("literal {value}"),
    }
}

/// A valid block whose only provider is `id: Kind { client_id, client_secret, extra }`.
pub(super) fn oauth_block(id: &str, kind: &str, extra: TokenStream) -> TokenStream {
    let kind = Ident::new(kind, Span::call_site());
    with_provider(quote! {
        #id: #kind { client_id: env("ID"), client_secret: env("SECRET"), #extra }
    })
}
