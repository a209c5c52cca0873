//! Sign in with Apple: no client secret in the block (the runtime signs one per token request
//! with `private_key`), the key read once at start-up from its variable (newlines may be
//! written as `\n`), and a typed `profile:` mapping over `profiles::Apple`.
#![deny(missing_docs, warnings)]

use auth_runtime::{User, auth};

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        apple: Apple {
            client_id: env("APPLE_ID"),
            team_id: env("APPLE_TEAM_ID"),
            key_id: "KEY1234567",
            private_key: env("APPLE_PRIVATE_KEY"),
            profile: apple_profile,
            allow_dangerous_email_account_linking: true,
        },
    },
}

/// A P-256 key made for this test only (`openssl genpkey -algorithm EC -pkeyopt
/// ec_paramgen_curve:P-256`), written on one line with `\n` as a hosting dashboard keeps it.
const TEST_ONLY_P256_PRIVATE_KEY_ONE_LINE: &str = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdmXconpPRGHkOM4n\\n+SV+IRgcMO0AIU/925wOYZpa6EqhRANCAATQLU939iFbfprR6svZ0P+2PZdizBWI\\nQP95GNbSywLdvCzlIYY6G/sEIL08x+8tUbFtQ8wAfduh+p9NQtcNT8gj\\n-----END PRIVATE KEY-----";

fn apple_profile(profile: &auth_runtime::profiles::Apple) -> Option<User> {
    let user = User::new(&profile.sub);
    let first = profile.user.as_ref()?.name.as_ref()?.first_name.as_deref()?;
    Some(user.name(first))
}

fn main() {
    let vars = |key: &'static str| {
        move |name: &str| -> Option<String> {
            Some(match name {
                "NEXTAUTH_SECRET" => "s".repeat(32),
                "APPLE_ID" => "com.example.web".to_owned(),
                "APPLE_TEAM_ID" => "ABCDE12345".to_owned(),
                "APPLE_PRIVATE_KEY" => key.to_owned(),
                _ => return None,
            })
        }
    };
    let auth = match auth::config_from(&vars(TEST_ONLY_P256_PRIVATE_KEY_ONE_LINE)) {
        Ok(auth) => auth,
        Err(e) => panic!("Apple builds: {e}"),
    };
    assert_eq!(auth.provider_ids().collect::<Vec<_>>(), ["apple"]);
    assert_eq!(auth::PROVIDERS[0].name, "Apple");

    let refused = auth::config_from(&vars("MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"));
    let error = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        error.starts_with("APPLE_PRIVATE_KEY: not a PKCS#8 P-256 private key in PEM"),
        "{error}"
    );
    assert!(!error.contains("MIGH"), "{error}");
}
