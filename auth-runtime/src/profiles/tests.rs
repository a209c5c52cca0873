//! Each family of profile structs read from its provider's documented sample: the OpenID
//! Connect claims (shared, and with a provider's own), plain userinfo answers, wrapped ones;
//! and the typed `profile:` mapping, which never sees a profile that does not fit.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;
use crate::oauth::Preset;
use crate::spec::{OAuthSettings, Setting};
use crate::user::User;

fn read<P: DeserializeOwned>(profile: Value) -> P {
    serde_json::from_value(profile).unwrap()
}

fn fits<P: DeserializeOwned>(profile: Value) -> bool {
    serde_json::from_value::<P>(profile).is_ok()
}

#[test]
fn openid_claims_read_the_standard_ones_and_keep_every_other() {
    // OpenID Connect Core §5.3.2's userinfo example, with a custom claim.
    let claims: Oidc = read(json!({"sub": "248289761001", "name": "Jane Doe",
        "given_name": "Jane", "family_name": "Doe", "preferred_username": "j.doe",
        "email": "janedoe@example.com", "email_verified": false,
        "picture": "http://example.com/janedoe/me.jpg", "locale": "en-US",
        "groups": ["admins"]}));
    assert_eq!(claims.sub, "248289761001");
    assert_eq!(claims.name.as_deref(), Some("Jane Doe"));
    assert_eq!(claims.given_name.as_deref(), Some("Jane"));
    assert_eq!(claims.family_name.as_deref(), Some("Doe"));
    assert_eq!(claims.preferred_username.as_deref(), Some("j.doe"));
    assert_eq!(claims.nickname, None);
    assert_eq!(claims.email.as_deref(), Some("janedoe@example.com"));
    assert_eq!(claims.email_verified, Some(false));
    assert_eq!(
        claims.picture.as_deref(),
        Some("http://example.com/janedoe/me.jpg")
    );
    assert_eq!(claims.locale.as_deref(), Some("en-US"));
    assert_eq!(claims.other_claims.get("groups"), Some(&json!(["admins"])));
    assert_eq!(claims.other_claims.len(), 1);

    // A numeric `sub`, no `email_verified`, a `null` one, LinkedIn's object `locale`.
    let sparse: LinkedIn = read(json!({"sub": 42, "email_verified": null,
        "locale": {"country": "US", "language": "en"}}));
    assert_eq!(
        (sparse.sub.as_str(), sparse.email_verified, sparse.locale),
        ("42", None, None)
    );
    let unsaid: Okta = read(json!({"sub": "00u1"}));
    assert_eq!(unsaid.email_verified, None);
}

#[test]
fn openid_kinds_with_claims_of_their_own_read_them() {
    // Google's documented ID token: `email_verified` is the string "true".
    let google: Google = read(json!({"iss": "https://accounts.google.com",
        "azp": "1234987819200.apps.googleusercontent.com",
        "aud": "1234987819200.apps.googleusercontent.com",
        "sub": "10769150350006150715113082367", "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "hd": "example.com", "email": "jsmith@example.com", "email_verified": "true",
        "iat": 1353601026, "exp": 1353604926, "nonce": "0394852-3190485-2490358"}));
    assert_eq!(google.sub, "10769150350006150715113082367");
    assert_eq!(google.hd.as_deref(), Some("example.com"));
    assert_eq!(google.email_verified, Some(true));
    assert_eq!(
        google.other_claims.get("iss"),
        Some(&json!("https://accounts.google.com"))
    );
    assert!(!google.other_claims.contains_key("hd"));

    // Microsoft's v2.0 ID token sample.
    let azure: AzureAd = read(json!({"aud": "6cb04018-a3f5-46a7-b995-940c78f5aef3",
        "iss": "https://login.microsoftonline.com/b9419818-09af-49c2-b0c3-653adc1f376e/v2.0",
        "iat": 1452285331, "nbf": 1452285331, "exp": 1452289231, "name": "Babe Ruth",
        "oid": "a1dbdde8-e4f9-4571-ad93-3059e3750d23",
        "preferred_username": "thegreatbambino@nyy.onmicrosoft.com",
        "sub": "MF4f-ggWMEji12KynJUNQZphaUTvLcQug5jdF2nl01Q",
        "tid": "b9419818-09af-49c2-b0c3-653adc1f376e", "ver": "2.0"}));
    assert_eq!(
        azure.oid.as_deref(),
        Some("a1dbdde8-e4f9-4571-ad93-3059e3750d23")
    );
    assert_eq!(
        azure.tid.as_deref(),
        Some("b9419818-09af-49c2-b0c3-653adc1f376e")
    );
    assert_eq!(
        azure.preferred_username.as_deref(),
        Some("thegreatbambino@nyy.onmicrosoft.com")
    );

    let cognito: Cognito = read(json!({"sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "cognito:username": "janedoe", "cognito:groups": ["editors"],
        "email_verified": true, "token_use": "id"}));
    assert_eq!(cognito.username.as_deref(), Some("janedoe"));
    assert_eq!(cognito.groups, ["editors"]);
    let ungrouped: Cognito = read(json!({"sub": "a"}));
    assert!(ungrouped.groups.is_empty());

    let slack: Slack = read(json!({"iss": "https://slack.com", "sub": "U0R7MFMJM",
        "https://slack.com/user_id": "U0R7MFMJM", "https://slack.com/team_id": "T0R7GR",
        "https://slack.com/team_name": "kraneflannel", "email": "krane@slack-corp.com",
        "email_verified": true, "name": "krane", "given_name": "", "family_name": ""}));
    assert_eq!(
        (slack.team_id.as_deref(), slack.team_name.as_deref()),
        (Some("T0R7GR"), Some("kraneflannel"))
    );
    assert_eq!(slack.given_name.as_deref(), Some(""));

    let salesforce: Salesforce = read(json!({
        "sub": "https://login.salesforce.com/id/00D/005", "user_id": "005",
        "organization_id": "00D", "email_verified": true}));
    assert_eq!(salesforce.user_id, "005");
    assert_eq!(salesforce.organization_id.as_deref(), Some("00D"));
}

#[test]
fn userinfo_answers_read_numeric_ids_as_digits_and_nested_fields() {
    // GitHub's documented `GET /user`, trimmed.
    let github: GitHub = read(json!({"login": "octocat", "id": 1,
        "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://github.com/images/error/octocat_happy.gif",
        "type": "User", "site_admin": false, "name": "monalisa octocat", "company": "GitHub",
        "email": null}));
    assert_eq!(
        (github.id.as_str(), github.login.as_str()),
        ("1", "octocat")
    );
    assert_eq!(github.name.as_deref(), Some("monalisa octocat"));
    assert_eq!(github.email, None);

    let gitlab: GitLab = read(json!({"id": 1, "username": "john_smith",
        "name": "John Smith", "state": "active", "email": "john@example.com",
        "avatar_url": "http://localhost:3000/uploads/user/avatar/1/index.jpg"}));
    assert_eq!(
        (gitlab.id.as_str(), gitlab.username.as_str()),
        ("1", "john_smith")
    );
    let discord: Discord = read(json!({"id": "80351110224678912", "username": "nelly",
        "global_name": null, "discriminator": "0", "avatar": null, "verified": true,
        "email": "nelly@discord.com"}));
    assert_eq!((discord.avatar, discord.verified), (None, Some(true)));

    let spotify: Spotify = read(json!({"id": "wizzler", "display_name": "JM Wizzler",
        "images": [{"url": "https://i.scdn.co/image/ab67", "height": 300, "width": 300}]}));
    assert_eq!(spotify.images[0].url, "https://i.scdn.co/image/ab67");
    let imageless: Spotify = read(json!({"id": "w"}));
    assert!(imageless.images.is_empty());

    let zoho: Zoho = read(json!({"First_Name": "Ann", "Email": "ann@zoho.com",
        "Last_Name": "Lee", "Display_Name": "ann.lee", "ZUID": 74850128}));
    assert_eq!(zoho.zuid, "74850128");
    assert_eq!(zoho.display_name.as_deref(), Some("ann.lee"));

    let dropbox: Dropbox = read(json!({"account_id": "dbid:AAH4f99",
        "name": {"given_name": "Franz", "surname": "Ferdinand", "familiar_name": "Franz",
            "display_name": "Franz Ferdinand (Personal)", "abbreviated_name": "FF"},
        "email": "franz@dropbox.com", "email_verified": true}));
    assert_eq!(
        dropbox.name.display_name.as_deref(),
        Some("Franz Ferdinand (Personal)")
    );
    assert_eq!(dropbox.email_verified, Some(true));

    let vk: Vk = read(json!({"id": -1, "first_name": "Pavel", "email": "p@vk.com"}));
    assert_eq!((vk.id.as_str(), vk.last_name), ("-1", None));
}

#[test]
fn wrapped_profiles_read_from_the_wrapper_the_built_in_mapping_sees() {
    let twitter: Twitter = read(json!({"data": {"id": "2244994945",
        "name": "X Dev", "username": "XDevelopers"}}));
    assert_eq!(twitter.data.username.as_deref(), Some("XDevelopers"));
    let naver: Naver = read(json!({"resultcode": "00", "message": "success",
        "response": {"id": "32742776", "nickname": "OpenAPI", "email": "openapi@naver.com"}}));
    assert_eq!(naver.response.nickname.as_deref(), Some("OpenAPI"));
    let patreon: Patreon = read(json!({"data": {"id": "0000000", "type": "user",
        "attributes": {"full_name": "Corgi The Dev"}}}));
    assert_eq!(
        patreon.data.attributes.full_name.as_deref(),
        Some("Corgi The Dev")
    );
    // The user unwrapped is not the shape the mapping sees.
    assert!(!fits::<Twitter>(
        json!({"id": "2244994945", "username": "XDevelopers"})
    ));
}

#[test]
fn a_profile_without_its_id_or_with_an_id_of_another_type_does_not_deserialize() {
    assert!(!fits::<GitHub>(json!({"login": "octocat"})));
    assert!(!fits::<GitHub>(json!({"id": true, "login": "octocat"})));
    assert!(!fits::<Oidc>(json!({"name": "Ann"})));
    assert!(!fits::<Oidc>(json!({"sub": "1", "email_verified": 1})));
    assert!(!fits::<Salesforce>(
        json!({"sub": "https://login.salesforce.com/id/1"})
    ));
    // The generic kind takes any JSON.
    assert!(fits::<OAuth>(json!({"anything": [1, 2]})));
}

#[test]
fn a_typed_mapping_sees_the_struct_and_a_profile_that_does_not_fit_maps_to_no_user() {
    let settings = OAuthSettings::new(
        Preset::GitHub,
        Setting::Literal("id"),
        Setting::Env("GITHUB_SECRET"),
    )
    .profile(|p: &GitHub| Some(User::new(format!("gh-{}", p.id)).name(&p.login)));
    let map = settings.profile.unwrap();
    assert_eq!(
        map(&json!({"id": 7, "login": "octocat"})),
        Some(User::new("gh-7").name("octocat"))
    );
    assert_eq!(map(&json!({"login": "octocat"})), None);

    // The generic kind's mapping sees the raw profile.
    let settings = OAuthSettings::new(
        Preset::OAuth,
        Setting::Literal("id"),
        Setting::Env("SECRET"),
    )
    .profile(|p: &OAuth| Some(User::new(p["uid"].as_str()?)));
    let map = settings.profile.unwrap();
    assert_eq!(map(&json!({"uid": "u-1"})), Some(User::new("u-1")));
}

#[test]
fn apples_claims_read_string_flags_and_the_first_callbacks_user_field() {
    // Apple's documented ID token claims: `email_verified` and `is_private_email` may be
    // strings; the `user` field is what the client put under `user` from the first callback.
    let apple: Apple = read(json!({"iss": "https://appleid.apple.com",
        "aud": "com.example.web", "exp": 1700003600, "iat": 1700000000,
        "sub": "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234",
        "c_hash": "cMEm3sBzZCwXEg0VaFiDaw", "email": "x7kq2p9m4n@privaterelay.appleid.com",
        "email_verified": "true", "is_private_email": "true", "auth_time": 1700000000,
        "nonce_supported": true, "real_user_status": 2,
        "user": {"name": {"firstName": "Ann", "lastName": "Lee"},
            "email": "x7kq2p9m4n@privaterelay.appleid.com"}}));
    assert_eq!(apple.sub, "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234");
    assert_eq!(
        (apple.email_verified, apple.is_private_email),
        (Some(true), Some(true))
    );
    let name = apple.user.and_then(|user| user.name).expect("a name");
    assert_eq!(
        (name.first_name.as_deref(), name.last_name.as_deref()),
        (Some("Ann"), Some("Lee"))
    );
    assert_eq!(apple.other_claims.get("real_user_status"), Some(&json!(2)));

    // Later sign-ins: no `user`; the flags as booleans, or the string "false".
    let later: Apple = read(json!({"sub": "001234.a.1234", "email_verified": true,
        "is_private_email": "false"}));
    assert!(later.user.is_none());
    assert_eq!(
        (later.email_verified, later.is_private_email),
        (Some(true), Some(false))
    );
}

#[test]
fn linking_reads_email_verified_as_the_structs_do_for_every_provider() {
    let cases = [
        (json!({"email_verified": true}), Some(true)),
        (json!({"email_verified": "true"}), Some(true)),
        (json!({"email_verified": false}), Some(false)),
        (json!({"email_verified": "false"}), Some(false)),
        (json!({"email_verified": "TRUE"}), Some(false)),
        (json!({"email_verified": null}), None),
        (json!({}), None),
    ];
    for (flag, verified) in cases {
        let mut profile = json!({"sub": "1"});
        profile
            .as_object_mut()
            .unwrap()
            .extend(flag.as_object().unwrap().clone());
        assert_eq!(email_verified(&profile), verified, "{profile}");
        // The typed reading, which a `profile:` mapping sees, says the same.
        let typed: Oidc = read(profile.clone());
        assert_eq!(typed.email_verified, verified, "{profile}");
    }
    // A number is not a flag: linking does not read it as one.
    assert_eq!(email_verified(&json!({"email_verified": 1})), None);
}
