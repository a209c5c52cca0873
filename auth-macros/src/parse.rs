//! The raw input of `auth!` as written, keeping every token's span: comma-separated
//! `key: value` entries whose values are a small language (literals, paths, calls, `Kind { … }`,
//! maps and lists). Parsing gives no meaning to any word; `validate` does, so unknown words
//! and misplaced values become collected errors with suggestions instead of an aborted parse.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Lit, LitStr, Path, Token, braced, bracketed, parenthesized, token};

/// The whole block: `key: value, …` with an optional trailing comma.
pub struct AuthInput {
    /// The span of the first token, where errors about the block as a whole go.
    pub first_span: Span,
    /// The top-level entries, in order.
    pub entries: Vec<EntryInput>,
}

/// One `#[attr] key: value` entry of the block or of a `{ … }` map.
pub struct EntryInput {
    /// Outer attributes; only `#[optional]` on a provider means something.
    pub attrs: Vec<Attribute>,
    /// The key: an identifier (keywords allowed, e.g. `crate`) or a string literal.
    pub key: KeyInput,
    /// The `:` after the key.
    pub colon: Token![:],
    /// The value.
    pub value: ValueInput,
}

/// A key: an identifier, or a string for provider ids that are not identifiers (`"azure-ad"`).
pub enum KeyInput {
    /// `credentials`
    Ident(Ident),
    /// `"azure-ad"`
    Str(LitStr),
}

/// A value of the DSL.
pub enum ValueInput {
    /// `"/api/auth"`, `30`
    Lit(Lit),
    /// `crate::users::check_password`, `auth`, `jwt`
    Path(Path),
    /// `env("NEXTAUTH_SECRET")`, `days(30)`, `text("Username")`
    Call(CallInput),
    /// `Credentials { … }`, `jwt { … }`
    Struct(StructInput),
    /// `{ key: value, … }`
    Map(MapInput),
    /// `[value, …]`
    List(ListInput),
    /// `{ admin, member }`: names without values.
    Set(SetInput),
}

/// `func(arg, …)`.
pub struct CallInput {
    /// The called name.
    pub func: Path,
    /// The parentheses.
    pub paren: token::Paren,
    /// The arguments.
    pub args: Punctuated<ValueInput, Token![,]>,
}

/// `Kind { key: value, … }`.
pub struct StructInput {
    /// The kind before the braces.
    pub kind: Path,
    /// The braced entries.
    pub body: MapInput,
}

/// `{ key: value, … }`.
pub struct MapInput {
    /// The braces.
    pub brace: token::Brace,
    /// The entries, in order.
    pub entries: Vec<EntryInput>,
}

/// `{ name, … }`: a brace of bare names, told from a map by its first name having no `:`.
pub struct SetInput {
    /// The braces.
    pub brace: token::Brace,
    /// The names, in order.
    pub names: Punctuated<Ident, Token![,]>,
}

/// `[value, …]`.
pub struct ListInput {
    /// The brackets.
    pub bracket: token::Bracket,
    /// The items.
    pub items: Punctuated<ValueInput, Token![,]>,
}

impl Parse for AuthInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let first_span = input.span();
        let entries = parse_entries(input)?;
        Ok(AuthInput {
            first_span,
            entries,
        })
    }
}

/// `entry, entry, …` up to the end of `input`, trailing comma allowed.
fn parse_entries(input: ParseStream) -> syn::Result<Vec<EntryInput>> {
    let mut entries = Vec::new();
    while !input.is_empty() {
        entries.push(input.parse()?);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(entries)
}

impl Parse for EntryInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(EntryInput {
            attrs: input.call(Attribute::parse_outer)?,
            key: input.parse()?,
            colon: input.parse()?,
            value: input.parse()?,
        })
    }
}

impl Parse for KeyInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(LitStr) {
            input.parse().map(KeyInput::Str)
        } else if input.peek(Ident::peek_any) {
            input.call(Ident::parse_any).map(KeyInput::Ident)
        } else {
            Err(input.error("expected a key such as `secret`"))
        }
    }
}

impl Parse for ValueInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Lit) || input.peek(Token![-]) && input.peek2(Lit) {
            input.parse().map(ValueInput::Lit)
        } else if input.peek(token::Bracket) {
            input.parse().map(ValueInput::List)
        } else if input.peek(token::Brace) && is_set(input) {
            input.parse().map(ValueInput::Set)
        } else if input.peek(token::Brace) {
            input.parse().map(ValueInput::Map)
        } else if input.peek(Token![::]) || input.peek(Ident::peek_any) {
            let path: Path = input.parse()?;
            if input.peek(token::Paren) {
                let content;
                Ok(ValueInput::Call(CallInput {
                    func: path,
                    paren: parenthesized!(content in input),
                    args: content.parse_terminated(ValueInput::parse, Token![,])?,
                }))
            } else if input.peek(token::Brace) {
                Ok(ValueInput::Struct(StructInput {
                    kind: path,
                    body: input.parse()?,
                }))
            } else {
                Ok(ValueInput::Path(path))
            }
        } else {
            Err(input.error(
                "expected a value: a string, a path, `name(…)`, `Kind { … }`, `{ … }` or `[ … ]`",
            ))
        }
    }
}

impl Parse for MapInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        Ok(MapInput {
            brace: braced!(content in input),
            entries: parse_entries(&content)?,
        })
    }
}

/// Whether the brace ahead holds bare names (`{ admin, member }`) rather than entries.
fn is_set(input: ParseStream) -> bool {
    let Some((inside, _, _)) = input.cursor().group(proc_macro2::Delimiter::Brace) else {
        return false;
    };
    let Some((_, after)) = inside.ident() else {
        return false;
    };
    after.eof()
        || after
            .punct()
            .is_some_and(|(punct, _)| punct.as_char() == ',')
}

impl Parse for SetInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        Ok(SetInput {
            brace: braced!(content in input),
            names: content.parse_terminated(Ident::parse_any, Token![,])?,
        })
    }
}

impl Parse for ListInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        Ok(ListInput {
            bracket: bracketed!(content in input),
            items: content.parse_terminated(ValueInput::parse, Token![,])?,
        })
    }
}

impl KeyInput {
    /// The key as written, without `r#` for raw identifiers and without quotes for strings.
    pub fn name(&self) -> String {
        match self {
            KeyInput::Ident(ident) => ident.unraw().to_string(),
            KeyInput::Str(lit) => lit.value(),
        }
    }

    /// The key's token span.
    pub fn span(&self) -> Span {
        match self {
            KeyInput::Ident(ident) => ident.span(),
            KeyInput::Str(lit) => lit.span(),
        }
    }
}

impl ValueInput {
    /// What kind of value this is, for "expected …, found …" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueInput::Lit(Lit::Str(_)) => "a string",
            ValueInput::Lit(Lit::Int(_)) => "an integer",
            ValueInput::Lit(_) => "a literal",
            ValueInput::Path(_) => "a path",
            ValueInput::Call(_) => "a call",
            ValueInput::Struct(_) => "a `Kind { … }` value",
            ValueInput::Map(_) => "a `{ … }` map",
            ValueInput::List(_) => "a `[ … ]` list",
            ValueInput::Set(_) => "a `{ … }` set of names",
        }
    }
}

impl ToTokens for KeyInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            KeyInput::Ident(ident) => ident.to_tokens(tokens),
            KeyInput::Str(lit) => lit.to_tokens(tokens),
        }
    }
}

impl ToTokens for EntryInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append_all(&self.attrs);
        self.key.to_tokens(tokens);
        self.colon.to_tokens(tokens);
        self.value.to_tokens(tokens);
    }
}

impl ToTokens for ValueInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            ValueInput::Lit(lit) => lit.to_tokens(tokens),
            ValueInput::Path(path) => path.to_tokens(tokens),
            ValueInput::Call(call) => call.to_tokens(tokens),
            ValueInput::Struct(value) => value.to_tokens(tokens),
            ValueInput::Map(map) => map.to_tokens(tokens),
            ValueInput::List(list) => list.to_tokens(tokens),
            ValueInput::Set(set) => set.to_tokens(tokens),
        }
    }
}

impl ToTokens for CallInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.func.to_tokens(tokens);
        self.paren
            .surround(tokens, |tokens| self.args.to_tokens(tokens));
    }
}

impl ToTokens for StructInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.kind.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

impl ToTokens for MapInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.brace.surround(tokens, |tokens| {
            for entry in &self.entries {
                entry.to_tokens(tokens);
                <Token![,]>::default().to_tokens(tokens);
            }
        });
    }
}

impl ToTokens for SetInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.brace
            .surround(tokens, |tokens| self.names.to_tokens(tokens));
    }
}

impl ToTokens for ListInput {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.bracket
            .surround(tokens, |tokens| self.items.to_tokens(tokens));
    }
}

/// What can still be read from a block that failed to parse: the names the stub items need.
pub struct Salvaged {
    /// The `module:` name, when it is a plain identifier.
    pub module: Option<Ident>,
    /// The `crate:` path, when it parses.
    pub krate: Option<Path>,
    /// The `session_data:` type path, when it parses, so code using the session's fields
    /// does not fail too.
    pub session_data: Option<Path>,
    /// The `roles:` set, when it parses, so code naming `auth::Role` does not fail too.
    pub roles: Vec<crate::model::Role>,
}

/// Scans the top level of `tokens` for `module:`, `crate:`, `session_data:` and `roles:`, so a block with a
/// syntax error still gets stub items under the right names (one error, not a cascade).
pub fn salvage(tokens: TokenStream) -> Salvaged {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut salvaged = Salvaged {
        module: None,
        krate: None,
        session_data: None,
        roles: Vec::new(),
    };
    // Entries start after a top-level comma, so the value of the key is the run of trees
    // up to the next one.
    for entry in trees.split(|tree| matches!(tree, TokenTree::Punct(p) if p.as_char() == ',')) {
        let [TokenTree::Ident(key), TokenTree::Punct(colon), value @ ..] = entry else {
            continue;
        };
        if colon.as_char() != ':' {
            continue;
        }
        let value: TokenStream = value.iter().cloned().collect();
        if key == "module" {
            salvaged.module = syn::parse2::<Ident>(value).ok();
        } else if key == "crate" {
            salvaged.krate = syn::parse2::<Path>(value).ok();
        } else if key == "session_data" {
            salvaged.session_data = syn::parse2::<Path>(value).ok();
        } else if key == crate::kw::ROLES
            && let Ok(set) = syn::parse2::<SetInput>(value)
        {
            salvaged.roles = crate::validate::salvage_roles(&set);
        }
    }
    salvaged
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> AuthInput {
        match syn::parse2(tokens) {
            Ok(input) => input,
            Err(e) => panic!("parse error: {e}"),
        }
    }

    fn parse_err(tokens: TokenStream) -> String {
        match syn::parse2::<AuthInput>(tokens) {
            Ok(_) => panic!("parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_value_shape_parses_with_its_key() {
        let input = parse(quote! {
            module: auth,
            crate: ::auth_runtime,
            base_path: "/api/auth",
            secret: [env("NEW"), env("OLD")],
            session: jwt { max_age: days(30) },
            session_data: crate::Claims<u8>,
            providers: {
                #[optional]
                credentials: Credentials {
                    fields: { username: text("Username") },
                    authorize: crate::users::check,
                },
                "azure-ad": Credentials {},
            },
        });
        let keys: Vec<String> = input.entries.iter().map(|e| e.key.name()).collect();
        assert_eq!(
            keys,
            [
                "module",
                "crate",
                "base_path",
                "secret",
                "session",
                "session_data",
                "providers"
            ]
        );
        let shapes: Vec<&str> = input.entries.iter().map(|e| e.value.describe()).collect();
        assert_eq!(
            shapes,
            [
                "a path",
                "a path",
                "a string",
                "a `[ … ]` list",
                "a `Kind { … }` value",
                "a path",
                "a `{ … }` map"
            ]
        );
        let ValueInput::Map(providers) = &input.entries[6].value else {
            panic!("providers is not a map");
        };
        assert_eq!(providers.entries.len(), 2);
        assert_eq!(providers.entries[0].attrs.len(), 1);
        assert_eq!(providers.entries[1].key.name(), "azure-ad");
    }

    #[test]
    fn a_call_keeps_its_arguments() {
        let input = parse(quote!(max_age: days(30)));
        let ValueInput::Call(call) = &input.entries[0].value else {
            panic!("not a call");
        };
        assert!(call.func.is_ident("days"));
        assert_eq!(call.args.len(), 1);
        assert!(matches!(call.args[0], ValueInput::Lit(Lit::Int(_))));
    }

    #[test]
    fn a_negative_integer_is_a_literal() {
        let input = parse(quote!(max_age: days(-1)));
        let ValueInput::Call(call) = &input.entries[0].value else {
            panic!("not a call");
        };
        let ValueInput::Lit(Lit::Int(int)) = &call.args[0] else {
            panic!("not an integer");
        };
        assert_eq!(int.base10_digits(), "-1");
    }

    #[test]
    fn raw_identifier_keys_lose_their_prefix() {
        let input = parse(quote!(r#type: x));
        assert_eq!(input.entries[0].key.name(), "type");
    }

    #[test]
    fn trailing_commas_are_allowed_and_empty_input_is_empty() {
        assert_eq!(parse(quote!(a: b,)).entries.len(), 1);
        assert_eq!(parse(quote!(m: { a: b, },)).entries.len(), 1);
        assert!(parse(quote!()).entries.is_empty());
    }

    #[test]
    fn a_missing_comma_between_entries_is_a_parse_error() {
        assert_eq!(parse_err(quote!(a: b c: d)), "expected `,`");
    }

    #[test]
    fn a_missing_colon_is_a_parse_error() {
        assert_eq!(parse_err(quote!(secret env("X"))), "expected `:`");
    }

    #[test]
    fn a_value_of_no_known_shape_is_a_parse_error() {
        assert!(parse_err(quote!(a: (x, y))).starts_with("expected a value"));
    }

    #[test]
    fn salvage_finds_module_and_crate_in_a_block_that_does_not_parse() {
        let salvaged = salvage(quote!(secret env("X"), module: my_auth, crate: ::renamed::rt,));
        assert_eq!(
            salvaged.module.map(|m| m.to_string()).as_deref(),
            Some("my_auth")
        );
        let krate = salvaged.krate.map(|k| k.to_token_stream().to_string());
        assert_eq!(krate.as_deref(), Some(":: renamed :: rt"));
    }

    #[test]
    fn salvage_finds_nothing_when_nothing_is_there() {
        let salvaged = salvage(quote!(secret: env("X")));
        assert!(salvaged.module.is_none() && salvaged.krate.is_none());
        assert!(salvaged.session_data.is_none());
    }
}
