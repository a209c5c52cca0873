// A generic OpenID Connect provider is discovered from its issuer, so `issuer` is required.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        corp: Oidc { client_id: env("CORP_ID"), client_secret: env("CORP_SECRET") },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Corp.as_str();
}
