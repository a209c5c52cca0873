//! The HTTP/1.1 client xtask drives the servers with, no client crate: one answer type and
//! its parser (for `Connection: close` requests and the soak's keep-alive connections), a
//! request's bytes, and the fresh visit's CSRF token every flow starts with.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::Result;

/// An HTTP/1.1 answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The server ends the connection after this answer.
    pub close: bool,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every `Set-Cookie` line, attributes included.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `name=value` when this answer sets cookie `name` to a non-empty value.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies().into_iter().map(cookie_pair).find(|c| {
            c.len() > name.len() + 1 && c.starts_with(name) && c[name.len()..].starts_with('=')
        })
    }

    /// The start of the body for a failure report; a CSRF token is never shown.
    pub fn shown_body(&self) -> String {
        if self.body.contains("csrfToken") {
            format!("({} bytes with a csrfToken, not shown)", self.body.len())
        } else {
            self.body.chars().take(300).collect()
        }
    }
}

/// The `name=value` of a `Set-Cookie` line.
pub fn cookie_pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap_or_default()
}

/// What [`parse_answer`] made of the bytes so far.
pub enum Parsed {
    /// More bytes are needed.
    Incomplete,
    /// The answer and how many bytes of the buffer it took.
    Complete(Answer, usize),
    Invalid(String),
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses one answer at the start of `buffer`; `eof` when the server has closed its side
/// (the end of a close-delimited body).
pub fn parse_answer(buffer: &[u8], eof: bool) -> Parsed {
    const MAX_HEAD: usize = 64 * 1024;
    let Some(head_len) = find(buffer, b"\r\n\r\n").map(|i| i + 4) else {
        return if buffer.len() > MAX_HEAD {
            Parsed::Invalid("answer head over 64 KiB".to_owned())
        } else {
            Parsed::Incomplete
        };
    };
    let Ok(head) = std::str::from_utf8(&buffer[..head_len]) else {
        return Parsed::Invalid("answer head is not UTF-8".to_owned());
    };
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or_default();
    let Some(status) = parts.next().and_then(|s| s.parse::<u16>().ok()) else {
        return Parsed::Invalid(format!("bad status line {status_line:?}"));
    };
    let mut length = None;
    let mut chunked = false;
    let mut close = version == "HTTP/1.0";
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Parsed::Invalid(format!("bad header line {line:?}"));
        };
        let (name, value) = (name.trim(), value.trim());
        match name.to_ascii_lowercase().as_str() {
            "content-length" => match value.parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => return Parsed::Invalid(format!("bad content-length {value:?}")),
            },
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
        headers.push((name.to_owned(), value.to_owned()));
    }
    let answer = |body: &[u8], close: bool| Answer {
        status,
        headers: headers.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
        close,
    };
    if status < 200 || status == 204 || status == 304 {
        return Parsed::Complete(answer(&[], close), head_len);
    }
    if chunked {
        let mut body = Vec::new();
        let mut at = head_len;
        loop {
            let Some(line_len) = find(&buffer[at..], b"\r\n") else {
                return Parsed::Incomplete;
            };
            let size_text = std::str::from_utf8(&buffer[at..at + line_len])
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .trim();
            let Ok(size) = usize::from_str_radix(size_text, 16) else {
                return Parsed::Invalid(format!("bad chunk size {size_text:?}"));
            };
            let data = at + line_len + 2;
            if size == 0 {
                // Trailers (none expected) end with an empty line.
                return match find(&buffer[data - 2..], b"\r\n\r\n") {
                    Some(end) => Parsed::Complete(answer(&body, close), data - 2 + end + 4),
                    None => Parsed::Incomplete,
                };
            }
            if buffer.len() < data + size + 2 {
                return Parsed::Incomplete;
            }
            body.extend_from_slice(&buffer[data..data + size]);
            at = data + size + 2;
        }
    }
    match length {
        Some(n) if buffer.len() >= head_len + n => {
            Parsed::Complete(answer(&buffer[head_len..head_len + n], close), head_len + n)
        }
        Some(_) => Parsed::Incomplete,
        // No length: the body runs to the end of the connection.
        None if eof => Parsed::Complete(answer(&buffer[head_len..], true), buffer.len()),
        None => Parsed::Incomplete,
    }
}

/// The bytes of a request to `127.0.0.1:<port>`; a POST carries `form` as a form body.
/// `close` asks the server to end the connection after its answer.
pub fn request_bytes(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    form: &str,
    close: bool,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    if close {
        head.push_str("Connection: close\r\n");
    }
    if !cookie.is_empty() {
        let _ = write!(head, "Cookie: {cookie}\r\n");
    }
    if method == "POST" || !form.is_empty() {
        let _ = write!(
            head,
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        );
    }
    head.push_str("\r\n");
    head.push_str(form);
    head.into_bytes()
}

/// One request with `Connection: close`, its answer read to the end of the connection.
pub fn request(port: u16, method: &str, path: &str, cookie: &str, form: &str) -> Result<Answer> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(&request_bytes(port, method, path, cookie, form, true))
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read: {e}"))?;
    match parse_answer(&raw, true) {
        Parsed::Complete(answer, _) => Ok(answer),
        Parsed::Incomplete => Err(format!("{method} {path}: the answer ended early")),
        Parsed::Invalid(why) => Err(format!("{method} {path}: {why}")),
    }
}

/// What a browser holds after its first `GET <base>/csrf`: the cookies set, as `name=value`
/// pairs, and the CSRF token of the body.
pub struct Visit {
    pub cookies: Vec<String>,
    pub token: String,
}

impl Visit {
    /// `name=value` of the cookie `name` the visit set.
    pub fn cookie(&self, name: &str) -> Result<&str> {
        self.cookies
            .iter()
            .map(String::as_str)
            .find(|c| c.split_once('=').is_some_and(|(n, _)| n == name))
            .ok_or_else(|| format!("the CSRF visit set no `{name}` cookie"))
    }

    /// Every cookie of the visit, as one `Cookie` header.
    pub fn cookie_header(&self) -> String {
        self.cookies.join("; ")
    }
}

/// A fresh visit to `GET <base>/csrf`; fails unless it answers 200 with a token and cookies.
pub fn csrf(port: u16, base: &str) -> Result<Visit> {
    let answer = request(port, "GET", &format!("{base}/csrf"), "", "")?;
    let token = answer.body.split('"').nth(3).unwrap_or_default().to_owned();
    let cookies: Vec<String> = answer
        .set_cookies()
        .into_iter()
        .map(|c| cookie_pair(c).to_owned())
        .collect();
    if answer.status != 200 || token.is_empty() || cookies.is_empty() {
        return Err(format!(
            "GET {base}/csrf answered {} with {} cookies and {}",
            answer.status,
            cookies.len(),
            if token.is_empty() {
                "no token"
            } else {
                "a token"
            }
        ));
    }
    Ok(Visit { cookies, token })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(buffer: &[u8], eof: bool) -> (Answer, usize) {
        match parse_answer(buffer, eof) {
            Parsed::Complete(answer, used) => (answer, used),
            Parsed::Incomplete => panic!("incomplete"),
            Parsed::Invalid(why) => panic!("invalid: {why}"),
        }
    }

    #[test]
    fn reads_a_content_length_answer_and_leaves_the_next_one() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nset-cookie: a=1; Path=/\r\n\
                    set-cookie: next-auth.session-token=xyz; Path=/\r\n\r\n{}HTTP/1.1";
        let (answer, used) = complete(raw, false);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, "{}");
        assert!(!answer.close);
        assert_eq!(
            answer.set_cookie("next-auth.session-token"),
            Some("next-auth.session-token=xyz")
        );
        assert_eq!(answer.set_cookie("next-auth.session"), None);
        assert_eq!(&raw[used..], b"HTTP/1.1");
        assert!(matches!(
            parse_answer(&raw[..raw.len() - 10], false),
            Parsed::Incomplete
        ));
    }

    #[test]
    fn reads_a_chunked_answer_only_when_its_last_chunk_is_in() {
        let raw = b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\
                    Connection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        let (answer, used) = complete(raw, false);
        assert_eq!((answer.status, answer.body.as_str()), (500, "abcde"));
        assert!(answer.close);
        assert_eq!(used, raw.len());
        for cut in 1..raw.len() {
            assert!(
                matches!(parse_answer(&raw[..cut], false), Parsed::Incomplete),
                "complete after {cut} bytes"
            );
        }
    }

    #[test]
    fn a_body_without_length_runs_to_the_end_of_the_connection() {
        let raw = b"HTTP/1.1 200 OK\r\n\r\nhello";
        assert!(matches!(parse_answer(raw, false), Parsed::Incomplete));
        let (answer, _) = complete(raw, true);
        assert_eq!(answer.body, "hello");
        assert!(answer.close);
    }

    #[test]
    fn a_cleared_cookie_is_not_set() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\
                    set-cookie: next-auth.session-token=; Max-Age=0\r\n\r\n";
        let (answer, _) = complete(raw, false);
        assert_eq!(answer.set_cookie("next-auth.session-token"), None);
        assert_eq!(answer.set_cookies().len(), 1);
    }

    #[test]
    fn a_form_goes_with_its_length_and_close_is_asked_for() {
        let bytes = request_bytes(8080, "POST", "/x", "a=1", "k=v", true);
        let text = String::from_utf8(bytes).expect("ASCII");
        assert!(text.starts_with("POST /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
        assert!(text.contains("Connection: close\r\nCookie: a=1\r\n"));
        assert!(text.ends_with("Content-Length: 3\r\n\r\nk=v"));
        let get = request_bytes(8080, "GET", "/x", "", "", false);
        assert_eq!(get, b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
    }
}
