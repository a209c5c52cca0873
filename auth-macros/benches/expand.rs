//! What `auth!` costs the compiler: the macro's parse, validate and expand of a 20-provider
//! block, run on `proc_macro2` tokens outside rustc (`cargo bench -p auth-macros --bench expand`).

// `cargo bench` builds with `cfg(test)` but without the test harness, so the modules' unit-test
// imports below are compiled with nothing left to use them.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use proc_macro2::TokenStream;
use quote::quote;

// auth-macros is a proc-macro crate and cannot be a dependency: its modules are compiled in,
// laid out as at its crate root so their `crate::…` paths resolve (as fuzz/fuzz_targets/dsl.rs).
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/kw.rs"]
mod kw;
#[path = "../src/model.rs"]
mod model;
#[path = "../src/parse.rs"]
mod parse;
#[path = "../src/validate/mod.rs"]
mod validate;

/// A large but valid block: every kind of provider the DSL knows, 20 in all, with database
/// sessions (which `Email` needs), callbacks, events, pages and a throttle.
fn twenty_providers() -> TokenStream {
    quote! {
        module: auth,
        secret: [env("NEXTAUTH_SECRET"), env("NEXTAUTH_SECRET_OLD")],
        session: database {
            adapter: env_or("DATABASE_URL", "sqlite://auth.db?mode=rwc"),
            max_age: days(30),
            update_age: days(1),
        },
        providers: {
            credentials: Credentials {
                name: "Password",
                fields: { username: text("Username"), password: password("Password") },
                authorize: crate::users::check_password,
            },
            #[optional]
            otp: Credentials {
                name: "One-time code",
                fields: { email: text("Email"), code: password("Code") },
                authorize: crate::users::check_code,
            },
            email: Email {
                server: env("EMAIL_SERVER"),
                from: env_or("EMAIL_FROM", "NextAuth <no-reply@example.com>"),
                max_age: hours(24),
            },
            "magic-link": Email {
                name: "Magic link",
                mailer: crate::mail::mailer,
                from: "Links <links@example.com>",
                max_age: minutes(15),
            },
            github: GitHub {
                client_id: env("GITHUB_ID"),
                client_secret: env("GITHUB_SECRET"),
                scope: "read:user user:email",
                params: { allow_signup: "false" },
            },
            google: Google {
                client_id: env("GOOGLE_ID"),
                client_secret: env("GOOGLE_SECRET"),
                params: { prompt: "consent", access_type: "offline" },
            },
            gitlab: GitLab { client_id: env("GITLAB_ID"), client_secret: env("GITLAB_SECRET") },
            #[optional]
            discord: Discord { client_id: env("DISCORD_ID"), client_secret: env("DISCORD_SECRET") },
            auth0: Auth0 {
                issuer: env("AUTH0_ISSUER"),
                client_id: env("AUTH0_ID"),
                client_secret: env("AUTH0_SECRET"),
            },
            keycloak: Keycloak {
                issuer: "https://sso.example.com/realms/main",
                client_id: "web-app",
                client_secret: env("KEYCLOAK_SECRET"),
                checks: [state, pkce],
            },
            okta: Okta {
                issuer: env("OKTA_ISSUER"),
                client_id: env("OKTA_ID"),
                client_secret: env("OKTA_SECRET"),
            },
            "azure-ad": AzureAd {
                tenant: env("AZURE_AD_TENANT"),
                client_id: env("AZURE_AD_ID"),
                client_secret: env("AZURE_AD_SECRET"),
            },
            twitch: Twitch { client_id: env("TWITCH_ID"), client_secret: env("TWITCH_SECRET") },
            slack: Slack { client_id: env("SLACK_ID"), client_secret: env("SLACK_SECRET") },
            spotify: Spotify { client_id: env("SPOTIFY_ID"), client_secret: env("SPOTIFY_SECRET") },
            linkedin: LinkedIn {
                client_id: env("LINKEDIN_ID"),
                client_secret: env("LINKEDIN_SECRET"),
                token_auth: client_secret_post,
            },
            facebook: Facebook {
                client_id: env("FACEBOOK_ID"),
                client_secret: env("FACEBOOK_SECRET"),
                allow_dangerous_email_account_linking: false,
            },
            #[optional]
            oidc: Oidc {
                name: env_or("OIDC_NAME", "OpenID Connect"),
                issuer: env("OIDC_ISSUER"),
                client_id: env("OIDC_CLIENT_ID"),
                client_secret: env("OIDC_CLIENT_SECRET"),
                checks: [state, pkce, nonce],
            },
            corp: Oidc {
                name: "Corporate SSO",
                issuer: "https://login.example.com",
                client_id: env("CORP_ID"),
                client_secret: env("CORP_SECRET"),
                scope: "openid email profile groups",
                profile: crate::sso::corp_profile,
            },
            custom: OAuth {
                name: "Example",
                authorization: "https://idp.example.com/oauth/authorize",
                token: "https://idp.example.com/oauth/token",
                userinfo: "https://idp.example.com/oauth/userinfo",
                client_id: env("CUSTOM_ID"),
                client_secret: env("CUSTOM_SECRET"),
                checks: [state],
            },
        },
        callbacks: {
            sign_in: crate::policy::sign_in,
            redirect: crate::policy::redirect,
            session: crate::policy::session,
        },
        events: { sign_in: crate::audit::sign_in, sign_out: crate::audit::sign_out },
        pages: { sign_in: "/login", error: "/oops", verify_request: "/check-email" },
        throttle: {
            per_address: limit(60, minutes(1)),
            per_identifier: limit(30, minutes(5)),
        },
    }
}

/// Parse and validate only: what a block costs before any code is generated.
fn parse_and_validate(tokens: TokenStream) -> model::Config {
    let parsed: parse::AuthInput = syn::parse2(tokens).expect("the block parses");
    let cx = ctxt::Ctxt::new();
    let config = validate::validate(&cx, &parsed);
    cx.check().expect("the block is valid");
    config
}

fn bench_expand(c: &mut Criterion) {
    let block = twenty_providers();

    // The block must be valid, or the figures would time the error path instead.
    let config = parse_and_validate(block.clone());
    assert_eq!(config.providers.len(), 20, "the block has 20 providers");
    let expanded = expand::auth(block.clone()).to_string();
    assert!(
        !expanded.contains("compile_error"),
        "the 20-provider block expands with errors: {expanded}"
    );
    syn::parse_file(&expanded).expect("the expansion is valid Rust");

    let mut group = c.benchmark_group("auth_macro_20_providers");
    group.bench_function("parse", |b| {
        b.iter(|| syn::parse2::<parse::AuthInput>(black_box(block.clone())).is_ok())
    });
    group.bench_function("parse_validate", |b| {
        b.iter(|| parse_and_validate(black_box(block.clone())))
    });
    group.bench_function("parse_validate_expand", |b| {
        b.iter(|| expand::auth(black_box(block.clone())))
    });
    group.finish();
}

criterion_group!(benches, bench_expand);
criterion_main!(benches);
