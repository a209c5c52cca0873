//! `Email { server | mailer, from, max_age, confirm }`: sign-in links ("magic links") sent
//! through an SMTP server or the application's mailer; it needs database sessions.

use syn::Path;

use super::{FieldRow, KindRow, ProviderInput, env_prefix, optional_field};
use crate::ctxt::Ctxt;
use crate::kw;
use crate::model::{Duration, EmailProvider, EmailTransport, ProviderKind, Setting};
use crate::parse::ValueInput;
use crate::validate::Entries;
use crate::validate::duration::check_duration;
use crate::validate::env::{SettingRules, check_setting};
use crate::validate::literals;
use crate::validate::values::{check_bool, expected};

/// The kind's row: links sent by mail, valid for `max_age`.
pub(super) const KIND: KindRow = KindRow {
    kind: "Email",
    default_name: "Email",
    fields: &[
        // One of `server` and `mailer` is required; `build_email` checks which.
        FieldRow {
            key: kw::SERVER,
            required: false,
            example: "server: env(\"{ID}_SERVER\")",
        },
        FieldRow {
            key: kw::MAILER,
            required: false,
            example: "mailer: crate::path::to::fn",
        },
        FieldRow {
            key: kw::FROM,
            required: true,
            example: "from: env(\"{ID}_FROM\")",
        },
        FieldRow {
            key: kw::MAX_AGE,
            required: false,
            example: "max_age: hours(24)",
        },
        FieldRow {
            key: kw::CONFIRM,
            required: false,
            example: "confirm: true",
        },
    ],
    refused_fields: &[],
    name_from_env: false,
    openid_connect: false,
    preset: None,
    build: build_email,
};

/// `Email { server | mailer, from, max_age }`: sign-in links ("magic links") sent through an
/// SMTP server or the user's mailer, valid for `max_age`.
fn build_email(cx: &Ctxt, input: &ProviderInput) -> Option<ProviderKind> {
    let fields = &input.fields;
    let prefix = env_prefix(&input.id);
    // Every field is checked before any `?`, so each mistake is reported.
    check_one_email_transport(cx, input.kind, fields, &prefix);
    let server = optional_field(fields, kw::SERVER, |v| check_mail_server(cx, v, &prefix));
    let mailer = optional_field(fields, kw::MAILER, |v| check_mailer(cx, v));
    let from = fields
        .value(kw::FROM)
        .and_then(|v| check_sender(cx, v, &prefix));
    let max_age = optional_field(fields, kw::MAX_AGE, |v| check_duration(cx, v));
    let confirm = optional_field(fields, kw::CONFIRM, |v| check_bool(cx, v));
    let transport = match (server?, mailer?) {
        (Some(server), None) => EmailTransport::Smtp(server),
        (None, Some(mailer)) => EmailTransport::Mailer(mailer),
        _ => return None,
    };
    Some(ProviderKind::Email(EmailProvider {
        transport,
        from: from?,
        max_age: max_age?.unwrap_or(Duration::DEFAULT_EMAIL_MAX_AGE),
        confirm: confirm?.unwrap_or(false),
    }))
}

/// An email provider sends through exactly one transport, an SMTP `server` or the user's
/// `mailer`: with both, one would be silently ignored (the error goes on the later one), and
/// with neither no link could be sent (the error goes on the kind, where it is missing).
fn check_one_email_transport(cx: &Ctxt, kind: &Path, fields: &Entries, prefix: &str) {
    let given = fields.given(&[kw::SERVER, kw::MAILER]);
    if let [_, (_, later)] = given.as_slice() {
        cx.error(&later.key, "expected either `server` or `mailer`, not both");
    } else if fields.is_missing(kw::SERVER) && fields.is_missing(kw::MAILER) {
        cx.error(
            kind,
            format!(
                "missing provider field `server`; expected `server: env(\"{prefix}_SERVER\")` or `mailer: crate::path::to::fn`"
            ),
        );
    }
}

/// `server:` is the SMTP server's URL, read at start-up or written in the block, where it is
/// checked ([`literals::check_smtp_url`]) so a typo fails the build.
fn check_mail_server(cx: &Ctxt, value: &ValueInput, prefix: &str) -> Option<Setting> {
    let rules = SettingRules {
        what: &format!("`env(\"{prefix}_SERVER\")` or a URL such as `\"smtp://localhost:25\"`"),
        env_or_example: &format!("env_or(\"{prefix}_SERVER\", \"smtp://localhost:25\")"),
    };
    check_setting(cx, value, &rules, |url| {
        literals::check_smtp_url(url, prefix)
    })
}

/// `mailer:` names the user's fn building a mailer; the expansion checks its signature where
/// it passes it.
fn check_mailer(cx: &Ctxt, value: &ValueInput) -> Option<Path> {
    match value {
        ValueInput::Path(path) => Some(path.clone()),
        other => {
            expected(cx, other, "a path to a fn, such as `crate::mail::mailer`");
            None
        }
    }
}

/// `from:` is the links' sender, read at start-up or written in the block, where it is
/// checked ([`literals::check_sender_address`]) so a typo fails the build.
fn check_sender(cx: &Ctxt, value: &ValueInput, prefix: &str) -> Option<Setting> {
    let rules = SettingRules {
        what: &format!(
            "`env(\"{prefix}_FROM\")` or an address such as `\"NextAuth <no-reply@example.com>\"`"
        ),
        env_or_example: &format!("env_or(\"{prefix}_FROM\", \"NextAuth <no-reply@example.com>\")"),
    };
    check_setting(cx, value, &rules, literals::check_sender_address)
}

/// Email sign-in needs database sessions: its verification tokens and the users it signs in
/// live in the adapter (NextAuth v4's `assertConfig` refuses an email provider without one).
pub(in crate::validate) fn check_email_has_database_sessions(cx: &Ctxt, providers: &ValueInput) {
    super::check_kind_has_database_sessions(cx, providers, KIND.kind, "email sign-in needs");
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{ToTokens, quote};

    use super::*;
    use crate::model::Provider;
    use crate::validate::test_support::{
        database_block, describe_setting, errors, valid, with_provider,
    };

    /// The only provider of a block with database sessions, `id: Email { fields }`.
    fn email_block(fields: TokenStream) -> TokenStream {
        database_block(
            quote!(adapter: env("DATABASE_URL")),
            quote!(email: Email { #fields }),
        )
    }

    /// The display name, `#[optional]` and settings of the only provider of a valid block.
    fn email_model(tokens: TokenStream) -> (String, bool, EmailProvider) {
        let mut config = valid(tokens);
        let Provider {
            name,
            optional,
            kind: ProviderKind::Email(email),
            ..
        } = config.providers.remove(0)
        else {
            panic!("an email provider expected");
        };
        (name, optional, email)
    }

    #[test]
    fn an_email_provider_sends_through_smtp_or_a_mailer_with_a_default_link_lifetime() {
        let (name, optional, email) = email_model(email_block(quote! {
            server: env("EMAIL_SERVER"),
            from: env_or("EMAIL_FROM", "NextAuth <no-reply@example.com>"),
        }));
        assert_eq!((name.as_str(), optional), ("Email", false));
        let EmailTransport::Smtp(server) = &email.transport else {
            panic!("SMTP expected");
        };
        assert_eq!(describe_setting(server), "env EMAIL_SERVER");
        assert_eq!(
            describe_setting(&email.from),
            "env EMAIL_FROM or NextAuth <no-reply@example.com>"
        );
        assert_eq!(email.max_age.secs, 86_400);

        let (name, optional, email) = email_model(database_block(
            quote!(adapter: "sqlite::memory:"),
            quote! {
                #[optional]
                magic: Email {
                    name: "Magic link",
                    mailer: crate::mail::mailer,
                    from: "links@example.com",
                    max_age: minutes(15),
                }
            },
        ));
        assert_eq!((name.as_str(), optional), ("Magic link", true));
        let EmailTransport::Mailer(mailer) = &email.transport else {
            panic!("a mailer expected");
        };
        assert_eq!(
            mailer.to_token_stream().to_string(),
            "crate :: mail :: mailer"
        );
        assert_eq!(describe_setting(&email.from), "literal links@example.com");
        assert_eq!(email.max_age.secs, 900);
    }

    #[test]
    fn two_email_providers_are_fine() {
        let config = valid(database_block(
            quote!(adapter: env("DATABASE_URL")),
            quote! {
                email: Email { server: env("EMAIL_SERVER"), from: env("EMAIL_FROM") },
                "email-eu": Email { server: "smtps://mail.eu.example:465", from: env("EMAIL_FROM") },
            },
        ));
        let ids: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["email", "email-eu"]);
    }

    #[test]
    fn email_sign_in_needs_database_sessions() {
        let email = quote!(email: Email { server: env("EMAIL_SERVER"), from: env("EMAIL_FROM") });
        let message =
            "email sign-in needs database sessions; declare `session: database { adapter: … }`";
        assert_eq!(errors(with_provider(email.clone())), [message]);
        assert_eq!(
            errors(quote! {
                secret: env("S"),
                session: jwt { max_age: days(1) },
                providers: { #email, other: Email { server: env("X"), from: env("Y") } },
            }),
            [message, message]
        );
        // Reported beside the provider's own mistakes, which are independent of it.
        assert_eq!(
            errors(with_provider(
                quote!(email: Email { server: env("EMAIL_SERVER") })
            )),
            [
                "missing provider field `from`; expected `from: env(\"EMAIL_FROM\")`",
                message
            ]
        );
        // An invalid session is reported alone: its strategy is not guessed.
        assert_eq!(
            errors(quote! {
                secret: env("S"),
                session: database { max_age: days(1) },
                providers: { #email },
            }),
            ["missing session field `adapter`; expected `adapter: env(\"DATABASE_URL\")`"]
        );
        assert_eq!(
            errors(quote!(secret: env("S"), session: cookie, providers: { #email })),
            ["unknown session strategy `cookie`; expected one of `jwt`, `database`"]
        );
    }

    #[test]
    fn an_email_provider_has_exactly_one_transport() {
        assert_eq!(
            errors(email_block(quote! {
                server: env("EMAIL_SERVER"),
                from: env("EMAIL_FROM"),
                mailer: crate::mail::mailer,
            })),
            ["expected either `server` or `mailer`, not both"]
        );
        assert_eq!(
            errors(database_block(
                quote!(adapter: env("DATABASE_URL")),
                quote!("magic-link": Email { from: env("EMAIL_FROM") }),
            )),
            [
                "missing provider field `server`; expected `server: env(\"MAGIC_LINK_SERVER\")` or `mailer: crate::path::to::fn`"
            ]
        );
        // A misspelled transport is reported once, with its suggestion.
        let errors = errors(email_block(
            quote!(sever: env("EMAIL_SERVER"), from: env("EMAIL_FROM")),
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("unknown provider field `sever`; did you mean `server`?"));
        assert!(
            errors[0].ends_with(
                "expected one of `name`, `server`, `mailer`, `from`, `max_age`, `confirm`"
            )
        );
    }

    #[test]
    fn a_literal_mail_server_is_an_smtp_url_without_password() {
        let server = |value: TokenStream| {
            errors(email_block(quote!(server: #value, from: env("EMAIL_FROM"))))
        };
        let scheme = "expected an `smtp://`, `smtps://` or `smtp+starttls://` URL";
        for url in [
            "http://mail.example.com",
            "mail.example.com:25",
            "SMTP://mail.example.com",
        ] {
            assert_eq!(server(quote!(#url)), [scheme], "{url}");
        }
        assert_eq!(
            server(quote!("smtp://user:hunter2@mail.example.com:587")),
            [
                "literal password in the mail server URL; read the URL from the environment with `env(\"EMAIL_SERVER\")`"
            ]
        );
        assert_eq!(
            server(quote!("smtp://")),
            ["expected a host after `smtp://`"]
        );
        assert_eq!(
            server(quote!("smtp://mail.example.com:99999")),
            ["invalid port `99999` in the URL"]
        );
        assert_eq!(
            server(quote!("smtp://mail example.com")),
            ["a URL must not contain whitespace"]
        );
        assert_eq!(
            server(quote!(env_or("EMAIL_SERVER", "http://localhost"))),
            [scheme]
        );
        assert_eq!(
            server(quote!(mail_server)),
            [
                "expected `env(\"EMAIL_SERVER\")` or a URL such as `\"smtp://localhost:25\"`, found a path"
            ]
        );
        for url in [
            "smtp://localhost:2525",
            "smtps://mail.example.com:465",
            "smtp+starttls://user@mail.example.com:587",
            "smtp://127.0.0.1",
        ] {
            assert!(server(quote!(#url)).is_empty(), "{url}");
        }
        assert!(server(quote!(env_or("EMAIL_SERVER", "smtp://localhost:25"))).is_empty());
        assert_eq!(
            errors(email_block(
                quote!(mailer: "crate::mail::mailer", from: env("EMAIL_FROM"))
            )),
            ["expected a path to a fn, such as `crate::mail::mailer`, found a string"]
        );
    }

    #[test]
    fn a_sender_is_required_and_a_literal_one_is_an_address() {
        assert_eq!(
            errors(email_block(quote!(server: env("EMAIL_SERVER")))),
            ["missing provider field `from`; expected `from: env(\"EMAIL_FROM\")`"]
        );
        let from = |value: TokenStream| {
            errors(email_block(
                quote!(server: env("EMAIL_SERVER"), from: #value),
            ))
        };
        let address = "expected a sender address such as `no-reply@example.com` or `NextAuth <no-reply@example.com>`";
        for sender in [
            "",
            "NextAuth",
            "@example.com",
            "me@",
            "NextAuth <nobody>",
            "a b@example.com",
        ] {
            assert_eq!(from(quote!(#sender)), [address], "{sender}");
        }
        for sender in [
            "no-reply@example.com",
            "NextAuth <no-reply@example.com>",
            " Auth <a@b.c> ",
        ] {
            assert!(from(quote!(#sender)).is_empty(), "{sender}");
        }
        assert_eq!(from(quote!(env_or("EMAIL_FROM", "nobody"))), [address]);
        assert_eq!(
            from(quote!(["a@b.c"])),
            [
                "expected `env(\"EMAIL_FROM\")` or an address such as `\"NextAuth <no-reply@example.com>\"`, found a `[ … ]` list"
            ]
        );
        // Email display names are literals: the runtime reads no variable for them.
        assert_eq!(
            errors(email_block(quote! {
                name: env_or("EMAIL_NAME", "Email"),
                server: env("EMAIL_SERVER"),
                from: env("EMAIL_FROM"),
            })),
            ["expected a display name such as `\"Credentials\"`, found a call"]
        );
    }

    #[test]
    fn email_mistakes_in_one_provider_are_all_reported() {
        let errors = errors(quote! {
            secret: env("S"),
            providers: {
                email: Email {
                    server: "http://mail.example.com",
                    mailer: "m",
                    from: "nobody",
                    max_age: hours(0),
                },
            },
        });
        assert_eq!(errors.len(), 6, "{errors:?}");
    }
}
