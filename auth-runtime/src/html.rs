//! NextAuth's built-in HTML pages (sign in, sign out, verify request, error; docs/REST.md §10),
//! self-contained with inline CSS, every interpolated value HTML-escaped.

use axum::http::StatusCode;

/// What the sign-in page shows.
#[derive(Debug, Clone, Copy)]
pub struct SigninPage<'a> {
    /// The providers, in the order they are shown.
    pub providers: &'a [PageProvider<'a>],
    /// The CSRF token put in every form.
    pub csrf_token: &'a str,
    /// The callback URL sent with OAuth sign-ins (reflected from the query: it is escaped);
    /// empty means no `callbackUrl` field, as in next-auth.
    pub callback_url: &'a str,
    /// The `?error=` code; only known codes pick their message, any other shows the default one.
    pub error: Option<&'a str>,
    /// The `?email=` value that pre-fills the email input.
    pub email: Option<&'a str>,
}

/// One provider on the sign-in page.
#[derive(Debug, Clone, Copy)]
pub struct PageProvider<'a> {
    /// The provider id (`github`), used in input ids.
    pub id: &'a str,
    /// The display name (`GitHub`), shown as "Sign in with {name}".
    pub name: &'a str,
    /// Which kind of form the provider gets.
    pub kind: PageProviderKind,
    /// `{base}/signin/{id}`: the form action of OAuth and email providers.
    pub signin_url: &'a str,
    /// `{base}/callback/{id}`: the form action of credentials and passkey providers.
    pub callback_url: &'a str,
    /// `{base}/webauthn-options/{id}`: where a passkey provider's script asks for options
    /// (empty for other kinds).
    pub options_url: &'a str,
    /// The credentials provider's inputs, in order (ignored for other kinds).
    pub fields: &'a [PageField<'a>],
}

/// The kind of a provider, which decides its sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageProviderKind {
    /// A button posting to the provider's sign-in URL.
    OAuth,
    /// An email input posting to the provider's sign-in URL (magic link).
    Email,
    /// The declared fields, posting to the provider's callback URL.
    Credentials,
    /// An email input (with the browser's passkey autofill) and a button; a script asks for
    /// WebAuthn options, runs the ceremony and posts the answer to the callback URL.
    Passkey,
}

/// One input of a credentials provider.
#[derive(Debug, Clone, Copy)]
pub struct PageField<'a> {
    /// The form field name (`username`).
    pub key: &'a str,
    /// The label; empty means the key is shown.
    pub label: &'a str,
    /// The input type (`text`, `password`, `email`, …); empty means `text`.
    pub input_type: &'a str,
}

/// Renders the sign-in page (`GET /signin`, status 200).
///
/// One `div.provider` per provider, in the given order; an `<hr>` (shown as "or") separates an
/// email or credentials provider from an adjacent OAuth one.
pub fn signin(page: &SigninPage) -> String {
    let mut body = String::with_capacity(2048);
    body.push_str(r#"<div class="page"><div class="signin"><div class="card">"#);
    if let Some(code) = page.error.filter(|code| !code.is_empty()) {
        body.push_str(r#"<div class="error"><p>"#);
        body.push_str(signin_error_message(code));
        body.push_str("</p></div>");
    }
    // The request's values stand in every provider's form: escaped once.
    let values = Escaped {
        csrf_token: escaped(page.csrf_token),
        callback_url: escaped(page.callback_url),
    };
    let is_form_kind = |p: &PageProvider| p.kind != PageProviderKind::OAuth;
    for (i, provider) in page.providers.iter().enumerate() {
        let previous = i.checked_sub(1).and_then(|j| page.providers.get(j));
        let next = page.providers.get(i + 1);
        let form_kind = is_form_kind(provider);
        body.push_str(r#"<div class="provider">"#);
        if form_kind && previous.is_some_and(|p| !is_form_kind(p)) {
            body.push_str("<hr>");
        }
        match provider.kind {
            PageProviderKind::OAuth => oauth_form(&mut body, &values, provider),
            PageProviderKind::Email => email_form(&mut body, page, &values, provider),
            PageProviderKind::Credentials => credentials_form(&mut body, &values, provider),
            PageProviderKind::Passkey => passkey_form(&mut body, &values, provider),
        }
        if form_kind && next.is_some_and(|p| !is_form_kind(p)) {
            body.push_str("<hr>");
        }
        body.push_str("</div>");
    }
    body.push_str("</div></div></div>");
    if page
        .providers
        .iter()
        .any(|p| p.kind == PageProviderKind::Passkey)
    {
        body.push_str("<script>");
        body.push_str(PASSKEY_SCRIPT);
        body.push_str("</script>");
    }
    document("Sign In", &body)
}

/// Renders the sign-out confirmation page (`GET /signout`, status 200); `action_url` is
/// `{baseUrl}{basePath}/signout`.
pub fn signout(action_url: &str, csrf_token: &str) -> String {
    let mut body = String::with_capacity(512);
    body.push_str(r#"<div class="page"><div class="signout"><div class="card">"#);
    body.push_str("<h1>Are you sure you want to sign out?</h1>");
    form_start(&mut body, action_url, &escaped(csrf_token));
    body.push_str(
        r#"<button id="submitButton" type="submit" class="button">Sign out</button></form>"#,
    );
    body.push_str("</div></div></div>");
    document("Sign Out", &body)
}

/// Renders the "check your email" page shown after an email sign-in (status 200), linking to
/// `site_url`.
pub fn verify_request(site_url: &str) -> String {
    let mut body = String::with_capacity(512);
    body.push_str(r#"<div class="page"><div class="verify-request"><div class="card">"#);
    body.push_str("<h1>Check your email</h1>");
    body.push_str("<p>A sign in link has been sent to your email address.</p>");
    site_link(&mut body, site_url);
    body.push_str("</div></div></div>");
    document("Verify Request", &body)
}

/// Renders the page an email link opens with `confirm: true` (status 200): a button that
/// POSTs the link's `fields` (token, address, callbackUrl) with the CSRF token to `action`, so
/// a mail scanner's or link preview's GET spends nothing. `signed_in_as` names the account the
/// browser is signed in as when it is another one, so the switch is not a surprise.
pub fn confirm_email_sign_in(
    action: &str,
    csrf_token: &str,
    email: &str,
    fields: &[(&str, &str)],
    signed_in_as: Option<&str>,
) -> String {
    let mut body = String::with_capacity(1024);
    body.push_str(r#"<div class="page"><div class="verify-request"><div class="card">"#);
    body.push_str("<h1>Sign in as ");
    push_escaped(&mut body, email);
    body.push_str("?</h1>");
    if let Some(current) = signed_in_as {
        body.push_str("<p>This browser is signed in as ");
        push_escaped(&mut body, current);
        body.push_str("; continuing signs it in as ");
        push_escaped(&mut body, email);
        body.push_str(" instead.</p>");
    }
    form_start(&mut body, action, &escaped(csrf_token));
    hidden_inputs(&mut body, fields);
    body.push_str(
        r#"<button id="submitButton" type="submit" class="button">Sign in</button></form>"#,
    );
    body.push_str("</div></div></div>");
    document("Sign In", &body)
}

/// Renders the page that sends a provider's cross-site `form_post` answer again, from this
/// site (docs/BEHAVIOUR.md, "form_post callbacks"): a form that POSTs `fields` to `action`,
/// submitted by a one-line script as soon as it loads, with a button should scripts be off.
/// The browser sends the `SameSite=Lax` check cookies with this same-site POST, which it
/// withheld from the provider's cross-site one.
pub fn form_post_again(action: &str, fields: &[(&str, &str)]) -> String {
    let mut body = String::with_capacity(1024);
    body.push_str(r#"<div class="page"><div class="signin"><div class="card">"#);
    body.push_str(r#"<form id="formPost" action=""#);
    push_escaped(&mut body, action);
    body.push_str(r#"" method="POST">"#);
    hidden_inputs(&mut body, fields);
    body.push_str(
        r#"<button id="submitButton" type="submit" class="button">Continue signing in</button></form>"#,
    );
    body.push_str("</div></div></div>");
    body.push_str(r#"<script>document.getElementById("formPost").submit()</script>"#);
    document("Signing in", &body)
}

/// Renders the error page for `?error=code` (case-insensitive) with its status: `Configuration`
/// 500, `AccessDenied` 403, `Verification` 403, `TooManyRequests` 429 (a throttled sign-in),
/// anything else 200 with a link to `site_url`.
/// The code itself is never shown.
pub fn error(code: &str, site_url: &str, signin_url: &str) -> (StatusCode, String) {
    let mut body = String::with_capacity(1024);
    body.push_str(r#"<div class="page"><div class="error"><div class="card">"#);
    let status = if code.eq_ignore_ascii_case("configuration") {
        body.push_str(r#"<h1>Server error</h1><div class="message">"#);
        body.push_str("<p>There is a problem with the server configuration.</p>");
        body.push_str("<p>Check the server logs for more information.</p></div>");
        StatusCode::INTERNAL_SERVER_ERROR
    } else if code.eq_ignore_ascii_case("accessdenied") {
        body.push_str(r#"<h1>Access Denied</h1><div class="message">"#);
        body.push_str("<p>You do not have permission to sign in.</p>");
        signin_button(&mut body, signin_url);
        body.push_str("</div>");
        StatusCode::FORBIDDEN
    } else if code.eq_ignore_ascii_case("toomanyrequests") {
        body.push_str(r#"<h1>Too many requests</h1><div class="message">"#);
        body.push_str("<p>Too many sign-in attempts. Try again later.</p></div>");
        signin_button(&mut body, signin_url);
        StatusCode::TOO_MANY_REQUESTS
    } else if code.eq_ignore_ascii_case("verification") {
        body.push_str(r#"<h1>Unable to sign in</h1><div class="message">"#);
        body.push_str("<p>The sign in link is no longer valid.</p>");
        body.push_str("<p>It may have been used already or it may have expired.</p></div>");
        signin_button(&mut body, signin_url);
        StatusCode::FORBIDDEN
    } else {
        body.push_str(r#"<h1>Error</h1><div class="message">"#);
        site_link(&mut body, site_url);
        body.push_str("</div>");
        StatusCode::OK
    };
    body.push_str("</div></div></div>");
    (status, document("Error", &body))
}

/// The v3 sign-in messages, plus v4's `SessionRequired`; codes are matched exactly, as next-auth
/// looks them up in an object, and unknown codes get the default so they are never reflected.
fn signin_error_message(code: &str) -> &'static str {
    match code {
        "Signin" | "OAuthSignin" | "OAuthCallback" | "OAuthCreateAccount"
        | "EmailCreateAccount" | "Callback" => "Try signing in with a different account.",
        "OAuthAccountNotLinked" => {
            "To confirm your identity, sign in with the same account you used originally."
        }
        "EmailSignin" => "Check your email inbox.",
        "CredentialsSignin" => "Sign in failed. Check the details you provided are correct.",
        "SessionRequired" => "Please sign in to access this page.",
        _ => "Unable to sign in.",
    }
}

/// The sign-in page's per-request values, HTML-escaped.
struct Escaped {
    csrf_token: String,
    callback_url: String,
}

fn oauth_form(out: &mut String, values: &Escaped, provider: &PageProvider) {
    form_start(out, provider.signin_url, &values.csrf_token);
    if !values.callback_url.is_empty() {
        out.push_str(r#"<input type="hidden" name="callbackUrl" value=""#);
        out.push_str(&values.callback_url);
        out.push_str(r#"">"#);
    }
    submit_button(out, provider.name);
}

fn email_form(out: &mut String, page: &SigninPage, values: &Escaped, provider: &PageProvider) {
    form_start(out, provider.signin_url, &values.csrf_token);
    out.push_str(r#"<label class="section-header" for="input-email-for-"#);
    push_escaped(out, provider.id);
    out.push_str(r#"-provider">Email</label><input id="input-email-for-"#);
    push_escaped(out, provider.id);
    out.push_str(r#"-provider" autofocus type="email" name="email" value=""#);
    push_escaped(out, page.email.unwrap_or_default());
    out.push_str(r#"" placeholder="email@example.com" required>"#);
    submit_button(out, provider.name);
}

fn credentials_form(out: &mut String, values: &Escaped, provider: &PageProvider) {
    form_start(out, provider.callback_url, &values.csrf_token);
    for field in provider.fields {
        let label = if field.label.is_empty() {
            field.key
        } else {
            field.label
        };
        let input_type = if field.input_type.is_empty() {
            "text"
        } else {
            field.input_type
        };
        out.push_str(r#"<label class="section-header" for="input-"#);
        push_escaped(out, field.key);
        out.push_str("-for-");
        push_escaped(out, provider.id);
        out.push_str(r#"-provider">"#);
        push_escaped(out, label);
        out.push_str(r#"</label><input name=""#);
        push_escaped(out, field.key);
        out.push_str(r#"" id="input-"#);
        push_escaped(out, field.key);
        out.push_str("-for-");
        push_escaped(out, provider.id);
        out.push_str(r#"-provider" type=""#);
        push_escaped(out, input_type);
        out.push_str(r#"">"#);
    }
    submit_button(out, provider.name);
}

/// A passkey provider: the form the script fills (`action`, `data`) and posts to the callback.
/// Its email input takes the browser's passkey autofill (`autocomplete="username webauthn"`);
/// the button signs in with a passkey, or, for an address new here, registers one when the
/// server allows it.
fn passkey_form(out: &mut String, values: &Escaped, provider: &PageProvider) {
    out.push_str(r#"<form action=""#);
    push_escaped(out, provider.callback_url);
    out.push_str(r#"" method="POST" data-passkey-options=""#);
    push_escaped(out, provider.options_url);
    out.push_str(r#""><input type="hidden" name="csrfToken" value=""#);
    out.push_str(&values.csrf_token);
    out.push_str(r#""><input type="hidden" name="callbackUrl" value=""#);
    out.push_str(&values.callback_url);
    out.push_str(r#""><input type="hidden" name="action" value=""><input type="hidden" name="data" value="">"#);
    out.push_str(r#"<label class="section-header" for="input-email-for-"#);
    push_escaped(out, provider.id);
    out.push_str(r#"-provider">Email</label><input id="input-email-for-"#);
    push_escaped(out, provider.id);
    out.push_str(
        r#"-provider" type="email" name="email" autocomplete="username webauthn" placeholder="email@example.com">"#,
    );
    out.push_str(r#"<p class="passkey-error" role="alert" hidden></p>"#);
    submit_button(out, provider.name);
}

/// The sign-in page's passkey script, inline (no script from anywhere else): it asks the
/// options route, converts base64url to bytes and back around `navigator.credentials`, and
/// posts the credential as @simplewebauthn/browser's JSON. When the browser offers passkeys in
/// the autofill (conditional mediation), a sign-in waits there from the start; the button
/// aborts it and starts its own.
const PASSKEY_SCRIPT: &str = r#"(()=>{
const forms=[...document.querySelectorAll("form[data-passkey-options]")];
const dec=s=>Uint8Array.from(atob(s.replace(/-/g,"+").replace(/_/g,"/")),c=>c.charCodeAt(0));
const enc=b=>btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g,"-").replace(/\//g,"_").replace(/=+$/,"");
const toJSON=c=>{const r=c.response,o={id:c.id,rawId:enc(c.rawId),type:c.type,clientExtensionResults:c.getClientExtensionResults(),response:{clientDataJSON:enc(r.clientDataJSON)}};
if(c.authenticatorAttachment)o.authenticatorAttachment=c.authenticatorAttachment;
if(r.attestationObject){o.response.attestationObject=enc(r.attestationObject);o.response.transports=r.getTransports?r.getTransports():[];}
else{o.response.authenticatorData=enc(r.authenticatorData);o.response.signature=enc(r.signature);if(r.userHandle)o.response.userHandle=enc(r.userHandle);}
return JSON.stringify(o);};
let pending=null;
const run=async(form,mediation)=>{
if(pending)pending.abort();const abort=new AbortController();pending=abort;
const email=form.elements.email.value;
const query=mediation||!email?"?action=authenticate":"?email="+encodeURIComponent(email);
const answer=await fetch(form.dataset.passkeyOptions+query,{credentials:"same-origin"});
if(!answer.ok)throw new Error((await answer.json().catch(()=>({}))).error||"options refused");
const {action,options:o}=await answer.json();
o.challenge=dec(o.challenge);
let credential;
if(action==="register"){o.user.id=dec(o.user.id);(o.excludeCredentials||[]).forEach(c=>c.id=dec(c.id));credential=await navigator.credentials.create({publicKey:o,signal:abort.signal});}
else{(o.allowCredentials||[]).forEach(c=>c.id=dec(c.id));credential=await navigator.credentials.get({publicKey:o,mediation,signal:abort.signal});}
form.elements.action.value=action;form.elements.data.value=toJSON(credential);form.submit();};
const fail=(form,error)=>{if(error&&error.name==="AbortError")return;const p=form.querySelector(".passkey-error");p.textContent="Passkey sign-in did not complete. "+(error&&error.message||"");p.hidden=false;};
forms.forEach(form=>form.addEventListener("submit",e=>{e.preventDefault();run(form).catch(error=>fail(form,error));}));
if(forms.length&&window.PublicKeyCredential&&PublicKeyCredential.isConditionalMediationAvailable)
PublicKeyCredential.isConditionalMediationAvailable().then(ok=>{if(ok)run(forms[0],"conditional").catch(()=>{});});
})();"#;

/// `<form action=… method="POST">` and the hidden CSRF token (`csrf_html`, already escaped).
fn form_start(out: &mut String, action: &str, csrf_html: &str) {
    out.push_str(r#"<form action=""#);
    push_escaped(out, action);
    out.push_str(r#"" method="POST"><input type="hidden" name="csrfToken" value=""#);
    out.push_str(csrf_html);
    out.push_str(r#"">"#);
}

/// One hidden input per field, in order.
fn hidden_inputs(out: &mut String, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        out.push_str(r#"<input type="hidden" name=""#);
        push_escaped(out, name);
        out.push_str(r#"" value=""#);
        push_escaped(out, value);
        out.push_str(r#"">"#);
    }
}

/// "Sign in with {name}" and the end of the form.
fn submit_button(out: &mut String, provider_name: &str) {
    out.push_str(r#"<button type="submit" class="button">Sign in with "#);
    push_escaped(out, provider_name);
    out.push_str("</button></form>");
}

fn signin_button(out: &mut String, signin_url: &str) {
    out.push_str(r#"<p><a class="button" href=""#);
    push_escaped(out, signin_url);
    out.push_str(r#"">Sign in</a></p>"#);
}

/// A link to the site showing it without its scheme, as next-auth does.
fn site_link(out: &mut String, site_url: &str) {
    let shown = site_url
        .strip_prefix("https://")
        .or_else(|| site_url.strip_prefix("http://"))
        .unwrap_or(site_url);
    out.push_str(r#"<p><a class="site" href=""#);
    push_escaped(out, site_url);
    out.push_str(r#"">"#);
    push_escaped(out, shown);
    out.push_str("</a></p>");
}

/// The common frame of every page (docs/REST.md §10).
fn document(title: &str, body: &str) -> String {
    let mut html = String::with_capacity(STYLE.len() + body.len() + 400);
    html.push_str(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width, initial-scale=1.0"><style>"#,
    );
    html.push_str(STYLE);
    html.push_str("</style><title>");
    push_escaped(&mut html, title);
    html.push_str(r#"</title></head><body class="__next-auth-theme-auto">"#);
    html.push_str(body);
    html.push_str("</body></html>");
    html
}

/// `text` with `& < > " '` escaped.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` with `& < > " '` escaped, safe in element content and quoted attributes.
fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    // Runs without a special character are copied whole; the specials are all ASCII, so the
    // byte positions found are character boundaries.
    while let Some(at) = rest
        .bytes()
        .position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// The stylesheet shared by every page: a centred card of one width whatever it holds,
/// full-width inputs and buttons, light and dark schemes (contrast at least 4.5:1 for text,
/// 3:1 for input borders and focus rings).
const STYLE: &str = concat!(
    ":root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1f2328;--muted:#656d76;",
    "--line:#d0d7de;--field:#fff;--field-line:#8c959f;--btn:#24292f;--btn-text:#fff;",
    "--focus:#0969da;--err-bg:#fdecea;--err-text:#a4271b;--err-line:#f3b8b0}",
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;",
    "--muted:#8d96a0;--line:#30363d;--field:#0d1117;--field-line:#6e7681;--btn:#e6edf3;",
    "--btn-text:#0d1117;--focus:#4493f8;--err-bg:#3b1d1a;--err-text:#ffb4a8;",
    "--err-line:#7d2d24}}",
    "*{box-sizing:border-box}",
    "body{margin:0;background:var(--bg);color:var(--text);",
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;",
    "-webkit-text-size-adjust:100%;text-size-adjust:100%}",
    ".page{display:flex;justify-content:center;align-items:center;min-height:100vh;",
    "padding:2rem 1rem}",
    ".page>div{width:100%;max-width:24rem;margin-bottom:8vh}",
    ".card{padding:2rem 1.5rem;background:var(--card);border:1px solid var(--line);",
    "border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.06),0 8px 24px rgba(0,0,0,.06);",
    "overflow-wrap:anywhere}",
    "h1{margin:0 0 1rem;font-size:1.375rem;line-height:1.3;text-align:center}",
    "p{margin:0 0 1rem}.message,.verify-request p,.signout h1{text-align:center}",
    ".signout h1{margin-bottom:1.5rem}",
    "form{margin:0}label{display:block;margin:0 0 .375rem;font-size:.875rem;font-weight:600}",
    "input{display:block;width:100%;margin:0 0 1rem;padding:.625rem .75rem;font:inherit;",
    "color:var(--text);background:var(--field);border:1px solid var(--field-line);",
    "border-radius:8px}",
    "input[type=hidden]{display:none}",
    ".button{display:block;width:100%;margin:0 0 .75rem;padding:.6875rem 1rem;font:inherit;",
    "font-weight:600;line-height:1.5;text-align:center;text-decoration:none;",
    "color:var(--btn-text);background:var(--btn);border:0;border-radius:8px;cursor:pointer}",
    ".button:hover{opacity:.88}",
    "input:focus-visible,.button:focus-visible,a:focus-visible{outline:2px solid var(--focus);",
    "outline-offset:2px}",
    "input+.button{margin-top:1.25rem}",
    ".card>:last-child,.card>:last-child>:last-child,",
    ".card>:last-child>:last-child>:last-child{margin-bottom:0}",
    "hr{height:0;margin:1.5rem 0;overflow:visible;text-align:center;border:0;",
    "border-top:1px solid var(--line)}",
    "hr::before{content:\"or\";position:relative;top:-.75em;padding:0 .75rem;",
    "font-size:.875rem;color:var(--muted);background:var(--card)}",
    ".card .error{margin:0 0 1.25rem;padding:.75rem 1rem;text-align:center;",
    "color:var(--err-text);background:var(--err-bg);border:1px solid var(--err-line);",
    "border-radius:8px}",
    ".card .error p{margin:0}",
    "a.site{color:inherit;font-weight:600;text-underline-offset:.2em}",
);

#[cfg(test)]
mod tests {
    use super::*;

    const GITHUB: PageProvider = PageProvider {
        id: "github",
        name: "GitHub",
        kind: PageProviderKind::OAuth,
        signin_url: "http://localhost:3000/api/auth/signin/github",
        callback_url: "http://localhost:3000/api/auth/callback/github",
        options_url: "",
        fields: &[],
    };
    const GOOGLE: PageProvider = PageProvider {
        id: "google",
        name: "Google",
        kind: PageProviderKind::OAuth,
        signin_url: "http://localhost:3000/api/auth/signin/google",
        callback_url: "http://localhost:3000/api/auth/callback/google",
        options_url: "",
        fields: &[],
    };
    const EMAIL: PageProvider = PageProvider {
        id: "email",
        name: "Email",
        kind: PageProviderKind::Email,
        signin_url: "http://localhost:3000/api/auth/signin/email",
        callback_url: "http://localhost:3000/api/auth/callback/email",
        options_url: "",
        fields: &[],
    };
    const CREDENTIALS: PageProvider = PageProvider {
        id: "credentials",
        name: "Credentials",
        kind: PageProviderKind::Credentials,
        signin_url: "http://localhost:3000/api/auth/signin/credentials",
        callback_url: "http://localhost:3000/api/auth/callback/credentials",
        options_url: "",
        fields: &[
            PageField {
                key: "username",
                label: "Username",
                input_type: "text",
            },
            PageField {
                key: "password",
                label: "",
                input_type: "password",
            },
        ],
    };

    fn page<'a>(providers: &'a [PageProvider<'a>]) -> SigninPage<'a> {
        SigninPage {
            providers,
            csrf_token: "0123abcd",
            callback_url: "http://localhost:3000/",
            error: None,
            email: None,
        }
    }

    fn assert_frame(html: &str, title: &str) {
        assert!(html.starts_with(
            r#"<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width, initial-scale=1.0"><style>"#
        ));
        assert!(html.contains(&format!(
            r#"</style><title>{title}</title></head><body class="__next-auth-theme-auto"><div class="page">"#
        )));
        assert!(html.ends_with("</div></body></html>"));
    }

    #[test]
    fn signin_page_has_the_frame_and_an_oauth_form() {
        let html = signin(&page(&[GITHUB]));
        assert_frame(&html, "Sign In");
        assert!(html.contains(r#"<div class="page"><div class="signin"><div class="card">"#));
        assert!(html.contains(concat!(
            r#"<div class="provider"><form action="http://localhost:3000/api/auth/signin/github" method="POST">"#,
            r#"<input type="hidden" name="csrfToken" value="0123abcd">"#,
            r#"<input type="hidden" name="callbackUrl" value="http://localhost:3000/">"#,
            r#"<button type="submit" class="button">Sign in with GitHub</button></form></div>"#
        )));
        assert!(!html.contains(r#"<div class="error">"#));
        assert!(!html.contains("<hr>"));
    }

    #[test]
    fn empty_callback_url_omits_the_field() {
        let html = signin(&SigninPage {
            callback_url: "",
            ..page(&[GITHUB])
        });
        assert!(!html.contains("callbackUrl"));
    }

    #[test]
    fn email_form_prefills_the_escaped_address_and_has_no_callback_url() {
        let html = signin(&SigninPage {
            email: Some("a\"b@example.com"),
            ..page(&[EMAIL])
        });
        assert!(html.contains(concat!(
            r#"<form action="http://localhost:3000/api/auth/signin/email" method="POST">"#,
            r#"<input type="hidden" name="csrfToken" value="0123abcd">"#,
            r#"<label class="section-header" for="input-email-for-email-provider">Email</label>"#,
            r#"<input id="input-email-for-email-provider" autofocus type="email" name="email" "#,
            r#"value="a&quot;b@example.com" placeholder="email@example.com" required>"#,
            r#"<button type="submit" class="button">Sign in with Email</button></form>"#
        )));
        assert!(!html.contains("callbackUrl"));
    }

    #[test]
    fn credentials_form_posts_to_the_callback_with_one_input_per_field() {
        let html = signin(&page(&[CREDENTIALS]));
        assert!(html.contains(concat!(
            r#"<form action="http://localhost:3000/api/auth/callback/credentials" method="POST">"#,
            r#"<input type="hidden" name="csrfToken" value="0123abcd">"#,
            r#"<label class="section-header" for="input-username-for-credentials-provider">Username</label>"#,
            r#"<input name="username" id="input-username-for-credentials-provider" type="text">"#,
            r#"<label class="section-header" for="input-password-for-credentials-provider">password</label>"#,
            r#"<input name="password" id="input-password-for-credentials-provider" type="password">"#,
            r#"<button type="submit" class="button">Sign in with Credentials</button></form>"#
        )));
        assert!(!html.contains("callbackUrl"));
    }

    #[test]
    fn providers_keep_their_order() {
        let html = signin(&page(&[GOOGLE, CREDENTIALS, GITHUB, EMAIL]));
        let position = |needle: &str| html.find(needle).expect("provider is rendered");
        let google = position("Sign in with Google");
        let credentials = position("Sign in with Credentials");
        let github = position("Sign in with GitHub");
        let email = position("Sign in with Email");
        assert!(google < credentials && credentials < github && github < email);
        assert_eq!(html.matches(r#"<div class="provider">"#).count(), 4);
    }

    #[test]
    fn hr_separates_form_providers_from_oauth_ones_only() {
        let count = |providers: &[PageProvider]| signin(&page(providers)).matches("<hr>").count();
        assert_eq!(count(&[GITHUB, GOOGLE]), 0);
        assert_eq!(count(&[EMAIL, CREDENTIALS]), 0);
        assert_eq!(count(&[EMAIL]), 0);
        assert_eq!(count(&[GITHUB, EMAIL]), 1);
        assert_eq!(count(&[CREDENTIALS, GITHUB, GOOGLE]), 1);
        assert_eq!(count(&[GITHUB, EMAIL, GOOGLE]), 2);
        let html = signin(&page(&[GITHUB, EMAIL]));
        assert!(html.contains(r#"</form></div><div class="provider"><hr><form action="http://localhost:3000/api/auth/signin/email""#));
        let html = signin(&page(&[CREDENTIALS, GITHUB]));
        assert!(html.contains(r#"</form><hr></div><div class="provider"><form action="http://localhost:3000/api/auth/signin/github""#));
    }

    #[test]
    fn escaping_replaces_each_special_character_and_keeps_the_rest() {
        let mut out = String::new();
        push_escaped(&mut out, "a&b<c>d\"e'f é&");
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e&#39;f é&amp;");
        let mut out = String::from("kept:");
        push_escaped(&mut out, "plain");
        assert_eq!(out, "kept:plain");
    }

    #[test]
    fn reflected_callback_url_is_escaped() {
        let html = signin(&SigninPage {
            callback_url: r#""><script>alert(1)</script>"#,
            ..page(&[GITHUB])
        });
        assert!(!html.contains("<script>"));
        assert!(html.contains(
            r#"name="callbackUrl" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">"#
        ));
    }

    #[test]
    fn a_passkey_provider_gets_its_form_the_autofill_and_the_script_once() {
        const PASSKEY: PageProvider = PageProvider {
            id: "passkey",
            name: "Passkey",
            kind: PageProviderKind::Passkey,
            signin_url: "http://localhost:3000/api/auth/signin/passkey",
            callback_url: "http://localhost:3000/api/auth/callback/passkey",
            options_url: "http://localhost:3000/api/auth/webauthn-options/passkey?\"x",
            fields: &[],
        };
        let html = signin(&page(&[CREDENTIALS, PASSKEY]));
        assert!(html.contains(concat!(
            r#"<form action="http://localhost:3000/api/auth/callback/passkey" method="POST" "#,
            r#"data-passkey-options="http://localhost:3000/api/auth/webauthn-options/passkey?&quot;x">"#,
            r#"<input type="hidden" name="csrfToken" value="0123abcd">"#
        )));
        assert!(html.contains(r#"autocomplete="username webauthn""#));
        assert!(html.contains(r#"<input type="hidden" name="action" value="">"#));
        assert!(html.contains("Sign in with Passkey"));
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.contains("isConditionalMediationAvailable"));
        // No script from anywhere else, and none on a page without passkeys.
        assert!(!html.contains("<script src"));
        assert!(!signin(&page(&[CREDENTIALS, EMAIL])).contains("<script"));
    }

    #[test]
    fn every_interpolated_value_is_escaped() {
        let hostile = PageProvider {
            id: "x\"y",
            name: "<b>'&",
            kind: PageProviderKind::Credentials,
            signin_url: "/s?a=1&b=2",
            callback_url: "/c\"",
            options_url: "",
            fields: &[PageField {
                key: "k'",
                label: "<i>",
                input_type: "ty\"pe",
            }],
        };
        let html = signin(&SigninPage {
            csrf_token: "\"><",
            ..page(&[hostile, EMAIL])
        });
        for raw in ["x\"y", "<b>", "<i>", "k'", "ty\"pe", "/c\"", "value=\"\"><"] {
            assert!(!html.contains(raw), "{raw} is not escaped");
        }
        assert!(html.contains("Sign in with &lt;b&gt;&#39;&amp;</button>"));
        assert!(html.contains(r#"id="input-k&#39;-for-x&quot;y-provider""#));
        assert!(html.contains(r#"value="&quot;&gt;&lt;""#));
        assert!(html.contains(r#"type="ty&quot;pe""#));
        assert!(html.contains(r#"<form action="/c&quot;" method="POST">"#));
    }

    #[test]
    fn each_signin_error_code_shows_its_message() {
        let cases = [
            ("Signin", "Try signing in with a different account."),
            ("OAuthSignin", "Try signing in with a different account."),
            ("OAuthCallback", "Try signing in with a different account."),
            (
                "OAuthCreateAccount",
                "Try signing in with a different account.",
            ),
            (
                "EmailCreateAccount",
                "Try signing in with a different account.",
            ),
            ("Callback", "Try signing in with a different account."),
            (
                "OAuthAccountNotLinked",
                "To confirm your identity, sign in with the same account you used originally.",
            ),
            ("EmailSignin", "Check your email inbox."),
            (
                "CredentialsSignin",
                "Sign in failed. Check the details you provided are correct.",
            ),
            ("SessionRequired", "Please sign in to access this page."),
            ("Default", "Unable to sign in."),
            ("signin", "Unable to sign in."),
        ];
        for (code, message) in cases {
            let html = signin(&SigninPage {
                error: Some(code),
                ..page(&[GITHUB])
            });
            assert!(
                html.contains(&format!(
                    r#"<div class="card"><div class="error"><p>{message}</p></div><div class="provider">"#
                )),
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_error_code_is_not_reflected() {
        let code = "<img src=x onerror=alert(1)>Evil";
        let html = signin(&SigninPage {
            error: Some(code),
            ..page(&[GITHUB])
        });
        assert!(html.contains("<p>Unable to sign in.</p>"));
        assert!(!html.contains("Evil"));
        assert!(!html.contains("onerror"));
    }

    #[test]
    fn empty_error_code_shows_no_error_box() {
        let html = signin(&SigninPage {
            error: Some(""),
            ..page(&[GITHUB])
        });
        assert!(!html.contains(r#"<div class="error">"#));
    }

    #[test]
    fn signout_page_posts_the_csrf_token() {
        let html = signout("http://localhost:3000/api/auth/signout", "tok\"en");
        assert_frame(&html, "Sign Out");
        assert!(html.contains(concat!(
            r#"<div class="signout"><div class="card"><h1>Are you sure you want to sign out?</h1>"#,
            r#"<form action="http://localhost:3000/api/auth/signout" method="POST">"#,
            r#"<input type="hidden" name="csrfToken" value="tok&quot;en">"#,
            r#"<button id="submitButton" type="submit" class="button">Sign out</button></form>"#
        )));
    }

    #[test]
    fn verify_request_page_links_to_the_site_host() {
        let html = verify_request("https://example.com");
        assert_frame(&html, "Verify Request");
        assert!(html.contains(concat!(
            "<h1>Check your email</h1><p>A sign in link has been sent to your email address.</p>",
            r#"<p><a class="site" href="https://example.com">example.com</a></p>"#
        )));
        assert!(verify_request("http://localhost:3000").contains(">localhost:3000</a>"));
    }

    #[test]
    fn configuration_error_is_500() {
        let (status, html) = error("Configuration", "http://localhost:3000", "/signin");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_frame(&html, "Error");
        assert!(html.contains(concat!(
            r#"<h1>Server error</h1><div class="message"><p>There is a problem with the server configuration.</p>"#,
            "<p>Check the server logs for more information.</p></div>"
        )));
        assert!(!html.contains("Sign in</a>"));
    }

    #[test]
    fn access_denied_is_403_with_a_sign_in_button() {
        let (status, html) = error("accessDENIED", "http://localhost:3000", "/api/auth/signin");
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains(concat!(
            r#"<h1>Access Denied</h1><div class="message"><p>You do not have permission to sign in.</p>"#,
            r#"<p><a class="button" href="/api/auth/signin">Sign in</a></p></div>"#
        )));
    }

    #[test]
    fn verification_is_403_with_a_sign_in_button() {
        let (status, html) = error("verification", "http://localhost:3000", "/api/auth/signin");
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains(concat!(
            r#"<h1>Unable to sign in</h1><div class="message"><p>The sign in link is no longer valid.</p>"#,
            "<p>It may have been used already or it may have expired.</p></div>",
            r#"<p><a class="button" href="/api/auth/signin">Sign in</a></p>"#
        )));
    }

    #[test]
    fn too_many_requests_is_429_with_a_neutral_message_and_a_sign_in_button() {
        let (status, html) = error(
            "TooManyRequests",
            "http://localhost:3000",
            "/api/auth/signin",
        );
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_frame(&html, "Error");
        assert!(html.contains(concat!(
            r#"<h1>Too many requests</h1><div class="message"><p>Too many sign-in attempts. Try again later.</p></div>"#,
            r#"<p><a class="button" href="/api/auth/signin">Sign in</a></p>"#
        )));
    }

    #[test]
    fn unknown_error_is_200_with_a_site_link_and_no_reflection() {
        let (status, html) = error(
            "<script>x</script>Other",
            "http://localhost:3000",
            "/api/auth/signin",
        );
        assert_eq!(status, StatusCode::OK);
        assert_frame(&html, "Error");
        assert!(html.contains(concat!(
            r#"<h1>Error</h1><div class="message">"#,
            r#"<p><a class="site" href="http://localhost:3000">localhost:3000</a></p></div>"#
        )));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("Other"));
    }

    #[test]
    fn pages_make_no_external_requests() {
        let html = [
            signin(&page(&[GITHUB, EMAIL, CREDENTIALS])),
            signout("/api/auth/signout", "t"),
            verify_request("https://example.com"),
            error("configuration", "https://example.com", "/s").1,
        ]
        .concat();
        assert!(!html.contains("<img"));
        assert!(!html.contains("<link"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("url("));
        assert!(!html.contains("@import"));
    }

    #[test]
    fn form_post_again_posts_every_field_escaped_to_the_action_and_submits_itself() {
        let html = form_post_again(
            "http://localhost:3000/api/auth/callback/apple",
            &[
                ("code", "c1"),
                ("user", r#"{"name":"<b>"}"#),
                ("formPostAgain", "1"),
            ],
        );
        assert!(html.contains(
            r#"<form id="formPost" action="http://localhost:3000/api/auth/callback/apple" method="POST">"#
        ));
        assert!(html.contains(r#"<input type="hidden" name="code" value="c1">"#));
        assert!(html.contains(
            r#"<input type="hidden" name="user" value="{&quot;name&quot;:&quot;&lt;b&gt;&quot;}">"#
        ));
        assert!(html.contains(r#"<input type="hidden" name="formPostAgain" value="1">"#));
        assert!(html.contains(r#"document.getElementById("formPost").submit()"#));
        // The only script is the one-liner: nothing posted can open another.
        assert_eq!(html.matches("<script").count(), 1);
    }
}
