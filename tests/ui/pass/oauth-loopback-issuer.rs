//! Plain http is accepted for an issuer or endpoint on the local machine (development and
//! tests against a local identity provider).
#![deny(missing_docs, warnings)]

use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        local: Oidc {
            name: "Local IdP",
            issuer: "http://localhost:9000",
            client_id: "local-client",
            client_secret: env("LOCAL_SECRET"),
        },
        loopback: Keycloak {
            issuer: "http://127.0.0.1:8080/realms/dev",
            client_id: "dev",
            client_secret: env("LOOPBACK_SECRET"),
        },
        ipv6: OAuth {
            authorization: "http://[::1]:9000/authorize",
            token: "http://[::1]:9000/token",
            userinfo: "http://[::1]:9000/me",
            client_id: "dev",
            client_secret: env("IPV6_SECRET"),
        },
    },
}

fn main() {
    let secrets = |name: &str| name.ends_with("_SECRET").then(|| "s".repeat(32));
    let auth = match auth::config_from(&secrets) {
        Ok(auth) => auth,
        Err(e) => panic!("loopback providers build: {e}"),
    };
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["local", "loopback", "ipv6"]
    );
    assert_eq!(auth::ProviderId::Local.spec().name, "Local IdP");
}
