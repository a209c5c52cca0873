//! The sign-in email itself: subject, plain-text and HTML bodies (docs/REST.md §2.9, advisory §9 #6).

use std::fmt;

/// next-auth's default sender for the email provider.
pub const DEFAULT_FROM: &str = "NextAuth <no-reply@example.com>";

/// A sign-in email, ready for a [`Mailer`](super::Mailer).
///
/// Both bodies carry a live sign-in link, so `Debug` shows only the envelope and the
/// subject: a logged value never leaks a working token.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInEmail {
    /// The recipient: one normalised address, without a display name.
    pub to: String,
    /// The sender, with or without a display name: `NextAuth <no-reply@example.com>`.
    pub from: String,
    /// `Sign in to <host>`.
    pub subject: String,
    /// The plain-text body: `Sign in to <host>\n<url>\n\n`.
    pub text: String,
    /// The HTML body: a "Sign in" button linking the URL. It never contains the recipient.
    pub html: String,
}

impl fmt::Debug for SignInEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInEmail")
            .field("to", &self.to)
            .field("from", &self.from)
            .field("subject", &self.subject)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .field("html", &format_args!("<{} bytes>", self.html.len()))
            .finish()
    }
}

/// Builds the sign-in email for the link `url`, naming the site `host` (see
/// [`site_host`](super::site_host)).
///
/// The HTML body renders the host and the link, HTML-escaped, and never the recipient: in
/// GHSA-pgjx-7f9g-9463 an address carrying markup ended up in the HTML. Styles are inline,
/// as mail clients drop `<style>` blocks.
pub fn sign_in_email(url: &str, host: &str, from: &str, to: &str) -> SignInEmail {
    SignInEmail {
        to: to.to_owned(),
        from: from.to_owned(),
        subject: format!("Sign in to {host}"),
        text: format!("Sign in to {host}\n{url}\n\n"),
        html: html_body(url, host),
    }
}

const FONT: &str = "font-family: Helvetica, Arial, sans-serif;";
const TEXT_COLOR: &str = "#444444";
const BUTTON_COLOR: &str = "#346df1";

fn html_body(url: &str, host: &str) -> String {
    let href = escape_html(url);
    // A zero-width space before each dot keeps mail clients from turning the host into a
    // link of their own.
    let host = escape_html(host).replace('.', "&#8203;.");
    format!(
        r#"<body style="margin: 0; padding: 20px 0; background: #f9f9f9;">
  <table role="presentation" width="100%" border="0" cellspacing="20" cellpadding="0" style="background: #ffffff; max-width: 600px; margin: auto; border-radius: 10px;">
    <tr>
      <td align="center" style="padding: 10px 0; font-size: 22px; {FONT} color: {TEXT_COLOR};">Sign in to <strong>{host}</strong></td>
    </tr>
    <tr>
      <td align="center" style="padding: 20px 0;">
        <table role="presentation" border="0" cellspacing="0" cellpadding="0">
          <tr>
            <td align="center" bgcolor="{BUTTON_COLOR}" style="border-radius: 5px;"><a href="{href}" target="_blank" style="display: inline-block; padding: 10px 20px; border: 1px solid {BUTTON_COLOR}; border-radius: 5px; font-size: 18px; font-weight: bold; {FONT} color: #ffffff; text-decoration: none;">Sign in</a></td>
          </tr>
        </table>
      </td>
    </tr>
    <tr>
      <td align="center" style="padding: 0 0 10px 0; font-size: 16px; line-height: 22px; {FONT} color: {TEXT_COLOR};">If you did not request this email you can safely ignore it.</td>
    </tr>
  </table>
</body>
"#
    )
}

/// Escapes text for an HTML element or a double- or single-quoted attribute.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://localhost:3000/api/auth/callback/email?callbackUrl=http%3A%2F%2Flocalhost%3A3000&token=abc&email=alice%40x.io";

    #[test]
    fn subject_and_text_follow_next_auth() {
        let email = sign_in_email(URL, "localhost:3000", DEFAULT_FROM, "alice@x.io");
        assert_eq!(email.subject, "Sign in to localhost:3000");
        assert_eq!(email.text, format!("Sign in to localhost:3000\n{URL}\n\n"));
        assert_eq!(email.to, "alice@x.io");
        assert_eq!(email.from, "NextAuth <no-reply@example.com>");
    }

    #[test]
    fn the_html_links_the_escaped_url_from_a_sign_in_button() {
        let email = sign_in_email(URL, "localhost:3000", DEFAULT_FROM, "alice@x.io");
        let href = format!(r#"href="{}""#, URL.replace('&', "&amp;"));
        assert!(email.html.contains(&href), "{}", email.html);
        assert!(email.html.contains(">Sign in</a>"));
        assert!(!email.html.contains("<style"), "inline styles only");
    }

    #[test]
    fn the_html_never_renders_the_recipient() {
        // The advisory's payload, as if it had reached the builder unnormalised.
        let to = r#"victim@x.io, <a href="http://attacker.com">Click</a>"#;
        let email = sign_in_email(URL, "localhost:3000", DEFAULT_FROM, to);
        assert!(!email.html.contains("victim"), "{}", email.html);
        assert!(!email.html.contains("attacker.com"), "{}", email.html);
        // The link's own `email=alice%40x.io` stays percent-encoded, not an address.
        assert!(!email.html.contains("alice@x.io"));
    }

    #[test]
    fn markup_in_the_url_or_host_is_escaped() {
        let email = sign_in_email(
            r#"http://x.io/?a="><script>alert(1)</script>"#,
            "<b>evil</b>.io",
            DEFAULT_FROM,
            "a@x.io",
        );
        assert!(!email.html.contains("<script>"), "{}", email.html);
        assert!(!email.html.contains("<b>"), "{}", email.html);
        assert!(email.html.contains("&quot;&gt;&lt;script&gt;"));
        assert!(email.html.contains("&lt;b&gt;evil&lt;/b&gt;&#8203;.io"));
    }

    #[test]
    fn debug_hides_the_link() {
        let email = sign_in_email(URL, "localhost:3000", DEFAULT_FROM, "alice@x.io");
        let debug = format!("{email:?}");
        assert!(!debug.contains("token=abc"), "{debug}");
        assert!(debug.contains("alice@x.io"));
    }
}
