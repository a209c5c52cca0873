//! The security advisories of docs/REST.md §9, one module each,
//! plus the v3 weaknesses that have none: every attack replayed against our server.
//!
//! OAuth attacks run against a real OpenID provider (`oidc-provider`, `auth_test_support::oidc`),
//! email attacks against a real SMTP sink (aiosmtpd, `auth_test_support::smtp`) on database
//! sessions (SQLite and PostgreSQL), the rest against the demo through `oneshot`.

#![allow(clippy::unwrap_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/demo.rs"]
mod demo;

mod support;

/// #2, CVE-2022-39263: an email address checked without its token.
mod ghsa_4rxr_27mm_mxq9;
/// #11: a quoted local part misdelivered by the mailer's address parser.
mod ghsa_5jpx_9hw9_2fx4;
/// #9, CVE-2023-27490: state, nonce and PKCE checks that could be skipped.
mod ghsa_7r7x_4c4q_c4qf;
/// #12, CVE-2026-73420: homoglyph `@` signs.
mod ghsa_7rqj_j65f_68wh;
/// #15, CVE-2026-73421: a truthy `auth()` on configuration errors.
mod ghsa_8fpg_xm3f_6cx3;
/// #3, CVE-2022-24858: `startsWith(baseUrl)` redirect check.
mod ghsa_f9wg_5f46_cjmw;
/// #5, CVE-2022-31093: a malformed callbackUrl hangs the handler.
mod ghsa_g5fm_jp9v_2432;
/// #7, CVE-2022-31186: the client secret logged on OAuth errors.
mod ghsa_p6mm_27gq_9v3p;
/// #1, CVE-2021-21310: an email token checked without its address.
mod ghsa_pg53_56cg_4m8q;
/// #6, CVE-2022-31127: HTML injection into the sign-in email.
mod ghsa_pgjx_7f9g_9463;
/// #4, CVE-2022-29214: protocol-relative callback URLs.
mod ghsa_q2mx_j4x2_2h74;
/// #10, CVE-2023-48309: a check cookie accepted as a session token.
mod ghsa_v64w_49xw_qq89;
/// #14, CVE-2026-73419: check cookies not bound to their provider.
mod ghsa_x445_f3h2_j279;
/// #13, CVE-2026-73418: a malformed percent-encoded Bearer token throws.
mod ghsa_xmf8_cvqr_rfgj;
/// #8, CVE-2022-35924: a comma-separated list of recipients.
mod ghsa_xv97_c62v_4587;
/// #16: `X-Forwarded-Host` and `Host` overriding the configured URL.
mod host_header_trust;
/// The weaknesses of v3 that have no advisory.
mod v3_weaknesses;
