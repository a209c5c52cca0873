// The client secret and tokens travel to the issuer's endpoints: plain http only to loopback.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        corp: Oidc {
            issuer: "http://sso.corp.example/realms/staff",
            client_id: env("CORP_ID"),
            client_secret: env("CORP_SECRET"),
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Corp.as_str();
}
