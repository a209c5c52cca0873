//! Passkeys (WebAuthn), the ceremonies behind `passkey: Passkey { … }`: the options a browser
//! gets, and the checks of what it answers, by webauthn-rs.
//!
//! What Auth.js v5's `next-auth/webauthn` client expects (docs/REST.md §5.7): the options are
//! the `publicKey` member of the WebAuthn request, base64url for binary values; the credential
//! comes back as @simplewebauthn/browser's JSON. Stored passkeys are shaped like Auth.js's
//! `Authenticator` rows ([`AdapterAuthenticator`]), with webauthn-rs's own state of the
//! credential beside them (it is what verifies an assertion).
//!
//! The rules:
//! - registration asks for a discoverable credential (a passkey: `residentKey: "required"`)
//!   and user verification, and excludes the user's passkeys already stored;
//! - sign-in is discoverable (no list of credentials; the browser offers the passkeys it has,
//!   in the autofill too), user verification required;
//! - the signature counter: an authenticator that keeps none sends 0 every time, which is
//!   accepted; once a counter is above 0 each sign-in must raise it (a clone or a replayed
//!   assertion cannot), checked by webauthn-rs and again by the store's compare-and-set;
//! - the relying party id is `NEXTAUTH_URL`'s host, which must be a domain name (`localhost`
//!   included): browsers refuse passkeys for IP addresses.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    Credential, DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::{
    AuthenticatorSelectionCriteria, ResidentKeyRequirement, UserVerificationPolicy,
};

use crate::adapter::AdapterAuthenticator;
use crate::config::BaseUrl;
use crate::extract::iso_string;

/// How long a ceremony may take, as Auth.js's default (5 minutes).
pub(crate) const CEREMONY_TIMEOUT_SECS: u64 = 5 * 60;

/// Why a passkey ceremony failed: what the browser sent does not verify. The message is for
/// the log, never shown to the browser; it holds no key material.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasskeyError {
    /// The browser's answer is not a WebAuthn credential in the expected JSON.
    #[error("the WebAuthn response is not valid JSON of a credential: {0}")]
    Malformed(String),
    /// webauthn-rs refused it (wrong challenge, origin, signature, flags, counter…).
    #[error("the WebAuthn response does not verify: {0}")]
    Refused(String),
    /// The stored state (of the ceremony or the credential) cannot be read back.
    #[error("stored WebAuthn state cannot be read: {0}")]
    State(String),
}

/// The relying party of an app: webauthn-rs configured for `NEXTAUTH_URL`'s origin.
pub(crate) struct Passkeys {
    webauthn: Webauthn,
}

/// A ceremony's state, kept server-side between the options and the answer.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Ceremony {
    /// Adding a passkey to `user` (signed in), or creating the user `email` (`user: None`).
    Register {
        state: PasskeyRegistration,
        user: Option<String>,
        email: Option<String>,
        name: Option<String>,
    },
    /// Signing in with any passkey the browser has.
    Authenticate { state: DiscoverableAuthentication },
}

/// A passkey just registered, ready to store.
pub(crate) struct Registered {
    pub(crate) credential_id: String,
    pub(crate) credential_public_key: String,
    pub(crate) counter: u32,
    pub(crate) backed_up: bool,
    pub(crate) backup_eligible: bool,
    pub(crate) transports: Option<String>,
    /// webauthn-rs's `Passkey`, JSON.
    pub(crate) credential: String,
}

impl Passkeys {
    /// The relying party for `base` (its host is the id, its origin the only origin allowed),
    /// named `name` in the browser's prompts (the host when empty). An IP address is refused: no browser makes a
    /// passkey for one.
    pub(crate) fn new(base: &BaseUrl, name: &str) -> Result<Passkeys, String> {
        let origin = Url::parse(base.origin())
            .map_err(|e| format!("NEXTAUTH_URL's origin is not a URL: {e}"))?;
        let host = origin.host_str().unwrap_or_default().to_owned();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<IpAddr>().is_ok() {
            return Err(format!(
                "passkeys need a domain name as the relying party id, and NEXTAUTH_URL's host {host} is an IP address, which browsers refuse: use http://localhost:<port> or a domain"
            ));
        }
        // Without a declared name, browsers show the site's host (Auth.js's default).
        let name = if name.is_empty() { &host } else { name };
        let webauthn = WebauthnBuilder::new(&host, &origin)
            .and_then(|builder| builder.rp_name(name).build())
            .map_err(|e| format!("cannot set up passkeys for {host}: {e}"))?;
        Ok(Passkeys { webauthn })
    }

    /// The options to register a passkey for a user known by `user_name` (an email) and
    /// `display_name`, excluding `existing` passkeys, and the ceremony's state.
    pub(crate) fn start_registration(
        &self,
        user_name: &str,
        display_name: &str,
        existing: &[AdapterAuthenticator],
    ) -> Result<(Value, PasskeyRegistration), PasskeyError> {
        let exclude: Vec<_> = existing
            .iter()
            .filter_map(|a| STANDARD.decode(&a.credential_id).ok())
            .collect();
        // A random handle per registration, as Auth.js: the stored row links the credential
        // to its user, never the handle.
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(
                Uuid::new_v4(),
                user_name,
                display_name,
                (!exclude.is_empty()).then_some(exclude),
            )
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        // A passkey is a discoverable credential: sign-in (and the autofill) finds it without
        // the user naming an account. webauthn-rs asks for none; the browser is told to make one.
        options.public_key.authenticator_selection = Some(AuthenticatorSelectionCriteria {
            authenticator_attachment: None,
            resident_key: Some(ResidentKeyRequirement::Required),
            require_resident_key: true,
            user_verification: UserVerificationPolicy::Required,
        });
        let options = serde_json::to_value(&options.public_key)
            .map_err(|e| PasskeyError::State(e.to_string()))?;
        Ok((options, state))
    }

    /// Checks a registration answer (`data`, the credential's JSON) against its ceremony.
    pub(crate) fn finish_registration(
        &self,
        data: &str,
        state: &PasskeyRegistration,
    ) -> Result<Registered, PasskeyError> {
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(data).map_err(|e| PasskeyError::Malformed(e.to_string()))?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&answer, state)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        let public_key = cose_key(&answer.response.attestation_object)
            .ok_or_else(|| PasskeyError::Malformed("no public key in the attestation".into()))?;
        let credential =
            serde_json::to_string(&passkey).map_err(|e| PasskeyError::State(e.to_string()))?;
        let transports = answer.response.transports.as_ref().map(|list| {
            list.iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
                .join(",")
        });
        let credential_id = STANDARD.encode(passkey.cred_id());
        let inner: Credential = passkey.into();
        Ok(Registered {
            credential_id,
            credential_public_key: STANDARD.encode(public_key),
            counter: inner.counter,
            backed_up: inner.backup_state,
            backup_eligible: inner.backup_eligible,
            transports: transports.filter(|t| !t.is_empty()),
            credential,
        })
    }

    /// The options to sign in with any passkey the browser has (and in its autofill), and the
    /// ceremony's state.
    pub(crate) fn start_authentication(
        &self,
    ) -> Result<(Value, DiscoverableAuthentication), PasskeyError> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        let options = serde_json::to_value(&options.public_key)
            .map_err(|e| PasskeyError::State(e.to_string()))?;
        Ok((options, state))
    }

    /// Checks a sign-in answer (`data`) against its ceremony and the stored passkey it names,
    /// and returns that passkey as it is after this sign-in (counter, backup state, last use).
    pub(crate) fn finish_authentication(
        &self,
        data: &str,
        state: DiscoverableAuthentication,
        stored: &AdapterAuthenticator,
        now: OffsetDateTime,
    ) -> Result<AdapterAuthenticator, PasskeyError> {
        let answer = assertion(data)?;
        let mut passkey: Passkey = serde_json::from_str(&stored.credential)
            .map_err(|e| PasskeyError::State(e.to_string()))?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&answer, state, &passkey)
            .map_err(|e| PasskeyError::Refused(e.to_string()))?;
        passkey.update_credential(&result);
        let credential =
            serde_json::to_string(&passkey).map_err(|e| PasskeyError::State(e.to_string()))?;
        Ok(AdapterAuthenticator {
            counter: result.counter(),
            credential_backed_up: result.backup_state(),
            credential_device_type: device_type(result.backup_eligible()).to_owned(),
            credential,
            last_used: Some(now),
            ..stored.clone()
        })
    }
}

/// One of a user's passkeys as the management routes and [`Auth::passkeys`](crate::Auth::passkeys)
/// show it: never its key or the verifier's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyInfo {
    /// The credential id (base64), which `rename_passkey` and `delete_passkey` take.
    pub id: String,
    /// The name the user gave it.
    pub name: Option<String>,
    /// When it was registered, as an ISO string (`2026-12-06T08:01:12.345Z`).
    pub created: String,
    /// When it last signed in.
    pub last_used: Option<String>,
    /// `"singleDevice"` or `"multiDevice"` (may be synced).
    pub device_type: String,
    /// Whether it is backed up (synced) now.
    pub backed_up: bool,
    /// The transports the browser reported (`internal`, `hybrid`, `usb`…).
    pub transports: Vec<String>,
}

impl From<&AdapterAuthenticator> for PasskeyInfo {
    fn from(stored: &AdapterAuthenticator) -> Self {
        PasskeyInfo {
            id: stored.credential_id.clone(),
            name: stored.name.clone(),
            created: iso_string(stored.created),
            last_used: stored.last_used.map(iso_string),
            device_type: stored.credential_device_type.clone(),
            backed_up: stored.credential_backed_up,
            transports: stored
                .transports
                .as_deref()
                .map(|t| {
                    t.split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The longest name a passkey may be given, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 64;

impl<D: crate::user::SessionData> crate::Auth<D> {
    /// The passkeys of the user `user_id`, oldest first (feature `passkeys`; database
    /// sessions, [`AdapterError::Unsupported`](crate::adapter::AdapterError) otherwise).
    pub async fn passkeys(
        &self,
        user_id: &str,
    ) -> Result<Vec<PasskeyInfo>, crate::adapter::AdapterError> {
        let stored = store(self).await?.list_authenticators(user_id).await?;
        Ok(stored.iter().map(PasskeyInfo::from).collect())
    }

    /// Names the user's passkey `id` ([`PasskeyInfo::id`]); `false` when the user has no
    /// such passkey. The name is trimmed and cut to 64 characters.
    pub async fn rename_passkey(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
    ) -> Result<bool, crate::adapter::AdapterError> {
        let name: String = name.trim().chars().take(MAX_NAME_CHARS).collect();
        store(self)
            .await?
            .rename_authenticator(user_id, id, &name)
            .await
    }

    /// Deletes the user's passkey `id` and the account paired with it; `false` when the user
    /// has no such passkey. It does not check that the user keeps a way to sign in: the
    /// `POST /passkeys/delete` route does.
    pub async fn delete_passkey(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<bool, crate::adapter::AdapterError> {
        store(self).await?.delete_authenticator(user_id, id).await
    }
}

/// The database sessions' store, where passkeys live.
async fn store<D>(
    auth: &crate::Auth<D>,
) -> Result<std::sync::Arc<dyn crate::adapter::Adapter>, crate::adapter::AdapterError> {
    match &auth.inner.strategy {
        crate::config::Strategy::Database(lazy) => lazy.get().await,
        crate::config::Strategy::Jwt(_) => Err(crate::adapter::AdapterError::Unsupported(
            "passkeys: they are kept with database sessions",
        )),
    }
}

/// The credential id an assertion names, as stored (standard base64).
pub(crate) fn asserted_credential_id(data: &str) -> Result<String, PasskeyError> {
    Ok(STANDARD.encode(assertion(data)?.raw_id))
}

/// An assertion from the browser's JSON. Its `userHandle` is dropped: it is never used (the
/// credential id finds the passkey), and @simplewebauthn/browser 9 (`next-auth/webauthn`)
/// sends it as the handle's UTF-8 text rather than base64url, which would refuse the whole
/// answer.
fn assertion(data: &str) -> Result<PublicKeyCredential, PasskeyError> {
    let mut value: Value =
        serde_json::from_str(data).map_err(|e| PasskeyError::Malformed(e.to_string()))?;
    if let Some(handle) = value.pointer_mut("/response/userHandle") {
        *handle = Value::Null;
    }
    serde_json::from_value(value).map_err(|e| PasskeyError::Malformed(e.to_string()))
}

/// Auth.js's `credentialDeviceType`: whether the credential may be synced to other devices.
pub(crate) fn device_type(backup_eligible: bool) -> &'static str {
    if backup_eligible {
        "multiDevice"
    } else {
        "singleDevice"
    }
}

/// The credential's COSE public key, as the authenticator encoded it, from an attestation
/// object (`{fmt, attStmt, authData}`): in `authData` after the RP id hash (32 bytes), the
/// flags (1), the counter (4), the AAGUID (16), the credential id's length (2) and the id; it
/// is one CBOR item, which extensions may follow.
fn cose_key(attestation_object: &[u8]) -> Option<Vec<u8>> {
    let object: serde_cbor_2::Value = serde_cbor_2::from_slice(attestation_object).ok()?;
    let serde_cbor_2::Value::Map(map) = object else {
        return None;
    };
    let auth_data = map.iter().find_map(|(key, value)| match (key, value) {
        (serde_cbor_2::Value::Text(key), serde_cbor_2::Value::Bytes(bytes))
            if key == "authData" =>
        {
            Some(bytes)
        }
        _ => None,
    })?;
    let id_length = usize::from(u16::from_be_bytes([
        *auth_data.get(53)?,
        *auth_data.get(54)?,
    ]));
    let key = auth_data.get(55 + id_length..)?;
    let mut reader = serde_cbor_2::Deserializer::from_slice(key);
    serde_cbor_2::Value::deserialize(&mut reader).ok()?;
    Some(key[..reader.byte_offset()].to_vec())
}

#[cfg(test)]
mod tests {
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;
    use webauthn_rs_proto::{
        AllowCredentials, CreationChallengeResponse, PublicKeyCredentialCreationOptions,
        PublicKeyCredentialRequestOptions, RequestChallengeResponse,
    };

    use super::*;

    const ORIGIN: &str = "http://localhost:3000";

    fn passkeys() -> Passkeys {
        let base = BaseUrl::parse(ORIGIN, "/api/auth").unwrap();
        Passkeys::new(&base, "Example").unwrap()
    }

    /// Registers a passkey of `authenticator` through the options the server sends.
    fn register(server: &Passkeys, authenticator: &mut SoftPasskey) -> Registered {
        let (options, state) = server
            .start_registration("ann@example.com", "Ann", &[])
            .unwrap();
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(
            options["authenticatorSelection"]["userVerification"],
            "required"
        );
        assert_eq!(options["rp"]["id"], "localhost");
        let mut options: PublicKeyCredentialCreationOptions =
            serde_json::from_value(options).unwrap();
        // The software authenticator keeps no resident keys: it is told none is needed (the
        // server cannot tell, and does not check).
        if let Some(selection) = &mut options.authenticator_selection {
            selection.require_resident_key = false;
            selection.resident_key = Some(ResidentKeyRequirement::Discouraged);
        }
        let answer = authenticator
            .do_registration(
                Url::parse(ORIGIN).unwrap(),
                CreationChallengeResponse {
                    public_key: options,
                },
            )
            .unwrap();
        server
            .finish_registration(&serde_json::to_string(&answer).unwrap(), &state)
            .unwrap()
    }

    fn stored(registered: &Registered) -> AdapterAuthenticator {
        AdapterAuthenticator {
            credential_id: registered.credential_id.clone(),
            user_id: "7".into(),
            provider_account_id: registered.credential_id.clone(),
            credential_public_key: registered.credential_public_key.clone(),
            counter: registered.counter,
            credential_device_type: device_type(registered.backup_eligible).into(),
            credential_backed_up: registered.backed_up,
            transports: registered.transports.clone(),
            credential: registered.credential.clone(),
            name: None,
            created: OffsetDateTime::now_utc(),
            last_used: None,
        }
    }

    /// A sign-in answer from `authenticator`: the server's discoverable options, with the
    /// credential named (the software authenticator keeps no resident keys to discover).
    fn assert_with(
        server: &Passkeys,
        authenticator: &mut SoftPasskey,
        passkey: &AdapterAuthenticator,
    ) -> (String, DiscoverableAuthentication) {
        let (options, state) = server.start_authentication().unwrap();
        assert_eq!(options["userVerification"], "required");
        assert!(
            options
                .get("allowCredentials")
                .is_none_or(|list| list == &Value::Array(vec![]))
        );
        let mut options: PublicKeyCredentialRequestOptions =
            serde_json::from_value(options).unwrap();
        options.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: STANDARD.decode(&passkey.credential_id).unwrap(),
            transports: None,
        }];
        let answer = authenticator
            .do_authentication(
                Url::parse(ORIGIN).unwrap(),
                RequestChallengeResponse {
                    public_key: options,
                    mediation: None,
                },
            )
            .unwrap();
        (serde_json::to_string(&answer).unwrap(), state)
    }

    #[test]
    fn a_registered_passkey_signs_in_and_its_counter_moves_on() {
        let server = passkeys();
        let mut authenticator = SoftPasskey::new(true);
        let registered = register(&server, &mut authenticator);
        assert!(!registered.credential_public_key.is_empty());
        let passkey = stored(&registered);
        let now = OffsetDateTime::now_utc();
        let (answer, state) = assert_with(&server, &mut authenticator, &passkey);
        assert_eq!(
            asserted_credential_id(&answer).unwrap(),
            passkey.credential_id
        );
        let used = server
            .finish_authentication(&answer, state, &passkey, now)
            .unwrap();
        assert_eq!(used.last_used, Some(now));
        assert!(used.counter >= passkey.counter);
        // The same answer again is refused: its challenge belongs to a finished ceremony, and
        // a new ceremony has another challenge.
        let (_, fresh) = server.start_authentication().unwrap();
        assert!(matches!(
            server.finish_authentication(&answer, fresh, &used, now),
            Err(PasskeyError::Refused(_))
        ));
    }

    #[test]
    fn a_user_handle_in_any_encoding_is_ignored() {
        let server = passkeys();
        let mut authenticator = SoftPasskey::new(true);
        let passkey = stored(&register(&server, &mut authenticator));
        let (answer, state) = assert_with(&server, &mut authenticator, &passkey);
        let mut answer: Value = serde_json::from_str(&answer).unwrap();
        // What @simplewebauthn/browser 9 sends: the handle's bytes as text, not base64url.
        answer["response"]["userHandle"] = Value::String("Io\u{fffd}\u{fffd}p.H".into());
        let answer = answer.to_string();
        assert_eq!(
            asserted_credential_id(&answer).unwrap(),
            passkey.credential_id
        );
        assert!(
            server
                .finish_authentication(&answer, state, &passkey, OffsetDateTime::now_utc())
                .is_ok()
        );
    }

    #[test]
    fn an_answer_for_another_passkey_or_another_origin_is_refused() {
        let server = passkeys();
        let mut ann = SoftPasskey::new(true);
        let mut bob = SoftPasskey::new(true);
        let anns = stored(&register(&server, &mut ann));
        let bobs = stored(&register(&server, &mut bob));
        let (answer, state) = assert_with(&server, &mut ann, &anns);
        assert!(matches!(
            server.finish_authentication(&answer, state, &bobs, OffsetDateTime::now_utc()),
            Err(PasskeyError::Refused(_))
        ));
        let elsewhere = Passkeys::new(
            &BaseUrl::parse("http://example.com", "/api/auth").unwrap(),
            "Example",
        )
        .unwrap();
        let (answer, _) = assert_with(&server, &mut ann, &anns);
        let (_, state) = elsewhere.start_authentication().unwrap();
        assert!(
            elsewhere
                .finish_authentication(&answer, state, &anns, OffsetDateTime::now_utc())
                .is_err()
        );
    }

    #[test]
    fn an_ip_address_cannot_be_the_relying_party() {
        for url in ["http://127.0.0.1:3000", "http://[::1]:3000"] {
            let base = BaseUrl::parse(url, "/api/auth").unwrap();
            let error = Passkeys::new(&base, "Example").err().unwrap();
            assert!(error.contains("IP address"), "{error}");
            assert!(error.contains("localhost"), "{error}");
        }
        assert!(
            Passkeys::new(
                &BaseUrl::parse("https://auth.example.com", "/").unwrap(),
                "E"
            )
            .is_ok()
        );
    }

    #[test]
    fn garbage_is_malformed_never_a_panic() {
        let server = passkeys();
        let (_, state) = server
            .start_registration("a@example.com", "A", &[])
            .unwrap();
        for data in ["", "{}", "null", "[1]", "{\"id\":\"x\"}"] {
            assert!(matches!(
                server.finish_registration(data, &state),
                Err(PasskeyError::Malformed(_))
            ));
            assert!(asserted_credential_id(data).is_err());
        }
        assert_eq!(cose_key(b"garbage"), None);
    }
}
