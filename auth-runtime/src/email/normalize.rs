//! next-auth 4.24.15's default `normalizeIdentifier`: the one place a posted `email` becomes
//! the address that is stored, passed to callbacks and mailed (advisories docs/REST.md §9 #6, #8, #11, #12).

use unicode_normalization::UnicodeNormalization as _;

/// Why a posted email address was refused; the route answers `error?error=EmailSignin` for
/// every variant, and nothing is sent.
///
/// The messages never repeat the address, so the error can be logged as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidEmail {
    /// Nothing left after trimming.
    #[error("the email address is empty")]
    Empty,
    /// No `@`, or more than one after NFKC (a list, or a full-width `@` such as U+FF20).
    #[error("the email address must contain exactly one `@`")]
    AtSign,
    /// A `"`: a quoted local part can hide a second address from some parsers.
    #[error("the email address must not contain `\"`")]
    Quote,
    /// Nothing before the `@`.
    #[error("the email address has an empty local part")]
    EmptyLocalPart,
    /// Nothing after the `@` (or before its first `,`).
    #[error("the email address has an empty domain")]
    EmptyDomain,
    /// A domain without a `.`, such as `localhost`.
    #[error("the email address domain must contain a `.`")]
    DomainWithoutDot,
}

/// Normalises a posted email address as next-auth 4.24.15's default `normalizeIdentifier`.
///
/// In order: NFKC (so a full-width `＠` becomes `@` *before* it is counted), trim, exactly one
/// `@`, no `"`, lower-case, a non-empty local part and domain, the domain cut at its first
/// `,`, and a `.` in what is left of the domain.
///
/// ```
/// use auth_runtime::email::{InvalidEmail, normalize_identifier};
///
/// assert_eq!(normalize_identifier(" Alice@Example.COM ").as_deref(), Ok("alice@example.com"));
/// assert_eq!(
///     normalize_identifier("attacker@attacker.com,victim@victim.com"),
///     Err(InvalidEmail::AtSign)
/// );
/// ```
pub fn normalize_identifier(raw: &str) -> Result<String, InvalidEmail> {
    let normalized: String = raw.nfkc().collect();
    let trimmed = normalized.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return Err(InvalidEmail::Empty);
    }
    if trimmed.matches('@').count() != 1 {
        return Err(InvalidEmail::AtSign);
    }
    if trimmed.contains('"') {
        return Err(InvalidEmail::Quote);
    }
    // NFKC again: lower-casing can leave marks out of canonical order (`İ` becomes `i` +
    // U+0307 before any marks that followed it), and the address must be a fixed point.
    let lower: String = trimmed.to_lowercase().nfkc().collect();
    let Some((local, domain)) = lower.split_once('@') else {
        return Err(InvalidEmail::AtSign);
    };
    if local.is_empty() {
        return Err(InvalidEmail::EmptyLocalPart);
    }
    // The local part may legally hold a `,`; the domain never does, so anything after one
    // is a second recipient (GHSA-xv97-c62v-4587). Whitespace before that `,` is trimmed
    // too (next-auth keeps it): `a@b.c ,x` would otherwise give `a@b.c `, which normalises
    // again to `a@b.c`, so the sign-in link's address would not match the stored one.
    let domain = domain
        .split(',')
        .next()
        .unwrap_or_default()
        .trim_end_matches(is_js_whitespace);
    if domain.is_empty() {
        return Err(InvalidEmail::EmptyDomain);
    }
    if !domain.contains('.') {
        return Err(InvalidEmail::DomainWithoutDot);
    }
    Ok(format!("{local}@{domain}"))
}

/// What JavaScript's `String.prototype.trim` removes: WhiteSpace (Zs, tab, VT, FF, BOM) and
/// LineTerminator. It differs from `char::is_whitespace` on U+FEFF (trimmed) and U+0085 (kept).
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{A}' | '\u{B}' | '\u{C}' | '\u{D}' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        normalize_identifier(raw).unwrap_or_else(|e| panic!("{raw:?} was refused: {e}"))
    }

    #[test]
    fn ordinary_addresses_are_trimmed_and_lower_cased() {
        assert_eq!(ok("Alice@Example.COM "), "alice@example.com");
        assert_eq!(ok("\t bob@x.io\r\n"), "bob@x.io");
        assert_eq!(ok("\u{FEFF}carol@x.io\u{3000}"), "carol@x.io");
        assert_eq!(
            ok("first.last+tag@sub.example.co.uk"),
            "first.last+tag@sub.example.co.uk"
        );
    }

    #[test]
    fn a_comma_separated_list_is_refused_for_its_second_at_sign() {
        // GHSA-xv97-c62v-4587: v4 refuses it (two `@`) rather than mailing both.
        assert_eq!(
            normalize_identifier("attacker@attacker.com,victim@victim.com"),
            Err(InvalidEmail::AtSign)
        );
    }

    #[test]
    fn a_quoted_local_part_is_refused() {
        // GHSA-5jpx-9hw9-2fx4: nodemailer delivered this to e@attacker.com. It has two `@`,
        // and a quote: either check refuses it.
        assert!(normalize_identifier(r#""e@attacker.com"@victim.com"#).is_err());
        assert_eq!(
            normalize_identifier(r#""e"@victim.com"#),
            Err(InvalidEmail::Quote)
        );
    }

    #[test]
    fn full_width_and_small_at_signs_become_a_second_at_sign_before_counting() {
        // GHSA-7rqj-j65f-68wh: U+FF20 FULLWIDTH and U+FE6B SMALL COMMERCIAL AT are `@` after NFKC.
        for raw in [
            "attacker\u{FF20}evil.com@victim.com",
            "attacker\u{FE6B}evil.com@victim.com",
        ] {
            assert_eq!(
                normalize_identifier(raw),
                Err(InvalidEmail::AtSign),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn nfkc_applies_to_an_accepted_address_too() {
        assert_eq!(ok("ａｌｉｃｅ@ｅｘａｍｐｌｅ．ｃｏｍ"), "alice@example.com");
        // A lone full-width `@` is the one `@`.
        assert_eq!(ok("alice\u{FF20}example.com"), "alice@example.com");
    }

    #[test]
    fn html_after_the_address_is_refused_or_cut_off() {
        // GHSA-pgjx-7f9g-9463: the advisory's value carries `"` in its `href`, so it is refused.
        assert_eq!(
            normalize_identifier(r#"victim@x.io, <a href="http://attacker.com">Click</a>"#),
            Err(InvalidEmail::Quote)
        );
        // Without quotes the domain is cut at the comma: one address, no HTML left.
        assert_eq!(
            ok("victim@x.io, <a href=http://attacker.com>Click</a>"),
            "victim@x.io"
        );
    }

    #[test]
    fn missing_parts_are_refused() {
        assert_eq!(normalize_identifier(""), Err(InvalidEmail::Empty));
        assert_eq!(normalize_identifier(" \u{A0}\n"), Err(InvalidEmail::Empty));
        assert_eq!(normalize_identifier("alice"), Err(InvalidEmail::AtSign));
        assert_eq!(
            normalize_identifier("@x.io"),
            Err(InvalidEmail::EmptyLocalPart)
        );
        assert_eq!(normalize_identifier("a@"), Err(InvalidEmail::EmptyDomain));
        assert_eq!(
            normalize_identifier("a@,x.io"),
            Err(InvalidEmail::EmptyDomain)
        );
        assert_eq!(
            normalize_identifier("a@b"),
            Err(InvalidEmail::DomainWithoutDot)
        );
        assert_eq!(
            normalize_identifier("a@b,c.io"),
            Err(InvalidEmail::DomainWithoutDot)
        );
    }

    #[test]
    fn whitespace_before_the_domains_comma_is_trimmed_so_normalising_twice_changes_nothing() {
        // Found by the property test `email_normalisation_is_idempotent_with_one_at`.
        for raw in ["a\u{FF20}b.c\t,", "a@b.c ,x", "a@b.c\u{3000}\u{A0},"] {
            let address = ok(raw);
            assert_eq!(address, "a@b.c", "{raw:?}");
            assert_eq!(normalize_identifier(&address), Ok(address.clone()));
        }
        assert_eq!(
            normalize_identifier("a@ ,b.c"),
            Err(InvalidEmail::EmptyDomain)
        );
    }

    #[test]
    fn lower_casing_is_followed_by_nfkc_so_normalising_twice_changes_nothing() {
        // Found by the `email` fuzz target: `İ` lower-cases to `i` + U+0307, which must move
        // after the marks of lower combining class that follow it.
        let address = ok("a@eb.c\u{130}\u{338}\u{334}e");
        assert_eq!(address, "a@eb.ci\u{338}\u{334}\u{307}e");
        assert_eq!(normalize_identifier(&address), Ok(address.clone()));
    }

    #[test]
    fn the_local_part_keeps_its_comma() {
        assert_eq!(ok("a,b@x.io"), "a,b@x.io");
    }

    #[test]
    fn errors_do_not_repeat_the_address() {
        for raw in ["secret-person@b", "secret-person", "\"secret-person\"@x.io"] {
            let Err(err) = normalize_identifier(raw) else {
                panic!("{raw:?} was accepted");
            };
            assert!(!err.to_string().contains("secret-person"), "{err}");
        }
    }
}
