//! Byte searches on the hot paths (the `Cookie` header, the session token, the CSRF cookie):
//! memchr's, which look at many bytes a step, rather than `str::split`'s byte by byte.

/// Whether `test` holds for every byte of `bytes`, checked 32 bytes a block: `&` rather than
/// `&&` leaves no branch per byte, so a branch-free `test` compiles to checks of many bytes at
/// once.
pub(crate) fn all_bytes(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(32)
        .all(|block| block.iter().fold(true, |all, &b| all & test(b)))
}

/// The pieces of `s` between the ASCII `delimiter`s, as `s.split(delimiter)` gives them.
pub(crate) fn split(s: &str, delimiter: u8) -> impl Iterator<Item = &str> {
    debug_assert!(delimiter.is_ascii());
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(delimiter, current.as_bytes()) {
            // An ASCII byte is a character boundary on both sides.
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `s.split_once(delimiter)` for an ASCII `delimiter`.
pub(crate) fn split_once(s: &str, delimiter: u8) -> Option<(&str, &str)> {
    debug_assert!(delimiter.is_ascii());
    let at = memchr::memchr(delimiter, s.as_bytes())?;
    Some((&s[..at], &s[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_the_standard_library_does() {
        for s in [
            "",
            ".",
            "..",
            "a",
            "a.b",
            ".a",
            "a.",
            "a..b",
            "é.€.x",
            "header..iv.ct.tag",
        ] {
            let ours: Vec<&str> = split(s, b'.').collect();
            let std: Vec<&str> = s.split('.').collect();
            assert_eq!(ours, std, "{s:?}");
            assert_eq!(split_once(s, b'.'), s.split_once('.'), "{s:?}");
        }
    }
}
