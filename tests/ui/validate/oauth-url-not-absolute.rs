// A literal endpoint must be an absolute URL: a relative one has no host to send the code to.
use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        custom: OAuth {
            client_id: env("CUSTOM_ID"),
            client_secret: env("CUSTOM_SECRET"),
            authorization: "https://idp.example.com/authorize",
            token: "idp.example.com/token",
            userinfo: "https://idp.example.com/userinfo",
        },
    },
}

fn main() {
    let _ = auth::config_from_env();
    let _ = auth::ProviderId::Custom.as_str();
}
