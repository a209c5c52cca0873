// Every key of the grammar, each with a non-default value (the block in `auth!`'s rustdoc).
use auth_runtime as runtime;
use auth_runtime::callbacks::{
    Credentials, JwtParams, RedirectParams, SessionEvent, SessionParams, SignInEvent, SignInParams,
    SignOutEvent,
};
use auth_runtime::{User, auth};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub role: String,
}

auth! {
    module: my_auth,
    crate: self::runtime,
    base_path: "/auth",
    secret: [env("NEW_SECRET"), env("OLD_SECRET")],
    session: jwt { max_age: hours(12) },
    session_data: Claims,
    roles: { admin, member },
    providers: {
        #[optional]
        credentials: Credentials {
            name: "Username and password",
            fields: { username: text("Username"), password: password("Password"), mail: email("Email") },
            authorize: crate::users::check_password,
        },
        "pin-code": Credentials {
            fields: { pin: password("PIN") },
            authorize: users::check_pin,
        },
    },
    callbacks: {
        sign_in: policy::sign_in,
        redirect: policy::redirect,
        jwt: self::policy::jwt,
        session: crate::policy::session,
    },
    events: { sign_in: audit::sign_in, sign_out: audit::sign_out, session: audit::session },
    pages: {
        sign_in: "/login",
        sign_out: "/logout",
        error: "/oops",
        verify_request: "/check-email",
    },
}

mod users {
    use super::*;

    pub async fn check_password(credentials: Credentials) -> Option<User> {
        (credentials.get("password") == Some("demo")).then(|| User::new("1"))
    }

    pub async fn check_pin(credentials: Credentials) -> Result<Option<User>, String> {
        match credentials.get("pin") {
            Some("1234") => Ok(Some(User::new("2"))),
            Some(_) => Ok(None),
            None => Err("no pin".to_owned()),
        }
    }
}

mod policy {
    use super::*;

    pub async fn sign_in(params: SignInParams) -> bool {
        !params.user.id.is_empty()
    }

    pub async fn redirect(params: RedirectParams) -> String {
        params.url
    }

    pub async fn jwt(mut params: JwtParams<Claims>) -> my_auth::Token {
        params.token.data.role = "admin".to_owned();
        params.token
    }

    pub async fn session(params: SessionParams<Claims>) -> serde_json::Value {
        serde_json::json!({ "role": params.token.data.role })
    }
}

mod audit {
    use super::*;

    pub async fn sign_in(_: SignInEvent) {}
    pub async fn sign_out(_: SignOutEvent<Claims>) {}
    pub async fn session(_: SessionEvent<Claims>) {}
}

fn main() {
    use my_auth::ProviderId;

    assert_eq!(
        ProviderId::ALL,
        [ProviderId::Credentials, ProviderId::PinCode]
    );
    assert_eq!(ProviderId::PinCode.to_string(), "pin-code");
    assert_eq!("pin-code".parse(), Ok(ProviderId::PinCode));
    let spec = ProviderId::Credentials.spec();
    assert_eq!(
        (spec.name, spec.optional, spec.fields.len()),
        ("Username and password", true, 3)
    );
    assert_eq!(spec.fields[2].input_type, "email");
    assert_eq!(ProviderId::PinCode.spec().name, "Credentials");
    assert_eq!(my_auth::PROVIDERS.len(), 2);

    let missing = my_auth::config_from(&|_| None).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "missing environment variables: NEW_SECRET, OLD_SECRET"
    );

    let vars = |name: &str| match name {
        "NEW_SECRET" | "OLD_SECRET" => Some(format!("{name}-{}", "x".repeat(32))),
        _ => None,
    };
    let auth: my_auth::Auth = my_auth::config_from(&vars).unwrap();
    assert_eq!(auth.base_url().path(), "/auth");
    let session = auth.session_config();
    assert_eq!(session.max_age, 12 * 60 * 60);
    assert_eq!(
        auth.provider_ids().collect::<Vec<_>>(),
        ["credentials", "pin-code"]
    );
    let _router: axum::Router = my_auth::router(auth);

    let token = my_auth::Token::for_user(&User::new("1"));
    let _: &Claims = &token.data;
}
