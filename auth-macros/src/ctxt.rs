//! The error collector validation writes into: every mistake in an `auth!` block is recorded,
//! so the user sees them all at once. Modelled on serde_derive's `Ctxt`: it panics if dropped
//! without `check()`, so no code path can forget to report what it collected.

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects errors; consume it with [`Ctxt::check`].
pub struct Ctxt {
    // `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// An empty collector.
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// An error spanning the tokens of `at` (first to last, so a path gets one caret run).
    pub fn error(&self, at: impl ToTokens, message: impl Display) {
        self.syn(syn::Error::new_spanned(at.into_token_stream(), message));
    }

    /// An error at one span, for tokens the input types do not keep whole.
    pub fn error_at(&self, span: Span, message: impl Display) {
        self.syn(syn::Error::new(span, message));
    }

    /// Records an error from syn (for example a literal that does not parse as a number).
    pub fn syn(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check()")
            .push(error);
    }

    /// Consumes the collector: `Ok` when nothing was recorded, or every error combined.
    pub fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().expect("Ctxt checked twice");
        let mut errors = errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut combined) => {
                for rest in errors {
                    combined.combine(rest);
                }
                Err(combined)
            }
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("forgot to check for errors");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_returns_every_error_in_order() {
        let cx = Ctxt::new();
        cx.error_at(Span::call_site(), "first");
        cx.error_at(Span::call_site(), "second");
        let messages: Vec<String> = cx
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn check_without_errors_is_ok() {
        let cx = Ctxt::new();
        assert!(cx.check().is_ok());
    }

    #[test]
    #[should_panic(expected = "forgot to check for errors")]
    fn dropping_an_unchecked_ctxt_panics() {
        let _cx = Ctxt::new();
    }
}
