//! The presets' tests: each row's profile mapping and parameters; for the presets from
//! Facebook on, one case each as its provider documents it: the authorization URL, the token
//! and userinfo requests, and the user a sample profile becomes (against [`super::tests`]'s
//! fake provider for the plain OAuth ones).

use serde_json::{Value, json};

use super::client_secret::tests::{
    TEST_ONLY_P256_PRIVATE_KEY_PEM, verified_with_the_test_public_key,
};
use super::id_token::tests::{TestKey, now};
use super::presets::{PresetParams, profile_mapping};
use super::provider::TokenAuthMethod::{ClientSecretBasic as Basic, ClientSecretPost as Post};
use super::tests::{
    CLIENT_ID, CLIENT_SECRET, CODE, Fake, REDIRECT_URI, Seen, json_answer, oauth_callback,
    oidc_endpoints,
};
use super::*;
use crate::user::User;

fn all_presets() -> impl Iterator<Item = Preset> {
    auth_shared::presets::PRESETS.iter().map(|row| row.kind)
}

fn preset_by_id(id: &str) -> Option<Preset> {
    auth_shared::presets::Preset::by_id(id).map(|row| row.kind)
}

fn map(preset: Preset, profile: Value) -> Option<User> {
    profile_mapping(preset)(&profile)
}

fn expect(id: &str, name: Option<&str>, email: Option<&str>, image: Option<&str>) -> User {
    User {
        id: id.to_owned(),
        name: name.map(str::to_owned),
        email: email.map(str::to_owned),
        image: image.map(str::to_owned),
        roles: Vec::new(),
    }
}

#[test]
fn github_maps_a_numeric_id_and_falls_back_to_the_login() {
    let profile = json!({"id": 583231, "login": "octocat", "name": null,
        "email": "octo@github.com", "avatar_url": "https://avatars.githubusercontent.com/u/583231"});
    assert_eq!(
        map(Preset::GitHub, profile),
        Some(expect(
            "583231",
            Some("octocat"),
            Some("octo@github.com"),
            Some("https://avatars.githubusercontent.com/u/583231")
        ))
    );
    let named = json!({"id": 1, "login": "octocat", "name": "The Octocat"});
    assert_eq!(
        map(Preset::GitHub, named).and_then(|u| u.name),
        Some("The Octocat".to_owned())
    );
}

#[test]
fn google_slack_and_linkedin_map_sub_name_email_picture() {
    for preset in [Preset::Google, Preset::Slack, Preset::LinkedIn] {
        let claims = json!({"sub": "1093", "name": "Ann", "email": "ann@example.com",
            "picture": "https://img.example/ann.png", "email_verified": true});
        assert_eq!(
            map(preset, claims),
            Some(expect(
                "1093",
                Some("Ann"),
                Some("ann@example.com"),
                Some("https://img.example/ann.png")
            )),
            "{preset:?}"
        );
    }
}

#[test]
fn gitlab_prefers_the_name_over_the_username() {
    let profile = json!({"id": 42, "username": "ann", "name": "", "email": "a@x.io",
        "avatar_url": "https://gitlab.com/a.png"});
    assert_eq!(
        map(Preset::GitLab, profile),
        Some(expect(
            "42",
            Some("ann"),
            Some("a@x.io"),
            Some("https://gitlab.com/a.png")
        ))
    );
}

#[test]
fn discord_builds_the_avatar_url() {
    let animated = json!({"id": "80351110224678912", "username": "Nelly", "avatar": "a_8342729096ea3675442027381ff50dfe", "discriminator": "1337", "email": "nelly@discord.com"});
    assert_eq!(
        map(Preset::Discord, animated).and_then(|u| u.image),
        Some("https://cdn.discordapp.com/avatars/80351110224678912/a_8342729096ea3675442027381ff50dfe.gif".to_owned())
    );
    let still = json!({"id": "8", "username": "N", "avatar": "8342", "discriminator": "0"});
    assert_eq!(
        map(Preset::Discord, still).and_then(|u| u.image),
        Some("https://cdn.discordapp.com/avatars/8/8342.png".to_owned())
    );
    let default = json!({"id": "8", "username": "N", "avatar": null, "discriminator": "1337"});
    let user = map(Preset::Discord, default).unwrap();
    assert_eq!(
        user.image.as_deref(),
        Some("https://cdn.discordapp.com/embed/avatars/2.png")
    );
    assert_eq!(user.name.as_deref(), Some("N"));
}

#[test]
fn auth0_uses_the_nickname() {
    let claims = json!({"sub": "auth0|1", "nickname": "ann", "name": "ann@x.io", "email": "ann@x.io", "picture": "https://s.gravatar.com/a.png"});
    assert_eq!(
        map(Preset::Auth0, claims),
        Some(expect(
            "auth0|1",
            Some("ann"),
            Some("ann@x.io"),
            Some("https://s.gravatar.com/a.png")
        ))
    );
}

#[test]
fn keycloak_okta_and_generic_oidc_fall_back_to_preferred_username() {
    for preset in [Preset::Keycloak, Preset::Okta, Preset::Oidc] {
        let claims = json!({"sub": "f:1", "preferred_username": "ann", "email": "Ann@X.io"});
        assert_eq!(
            map(preset, claims),
            Some(expect("f:1", Some("ann"), Some("Ann@X.io"), None)),
            "{preset:?}"
        );
    }
}

#[test]
fn azure_ad_has_no_image() {
    let claims = json!({"sub": "AAAA", "name": "Ann", "email": "ann@contoso.com", "picture": "https://x/p.png", "tid": "t"});
    assert_eq!(
        map(Preset::AzureAd, claims),
        Some(expect("AAAA", Some("Ann"), Some("ann@contoso.com"), None))
    );
}

#[test]
fn twitch_uses_the_preferred_username() {
    let claims = json!({"sub": "713936733", "preferred_username": "ann_tv", "email": "a@x.io", "picture": "https://static-cdn.jtvnw.net/a.png"});
    assert_eq!(
        map(Preset::Twitch, claims),
        Some(expect(
            "713936733",
            Some("ann_tv"),
            Some("a@x.io"),
            Some("https://static-cdn.jtvnw.net/a.png")
        ))
    );
}

#[test]
fn spotify_takes_the_first_image() {
    let profile = json!({"id": "wizzler", "display_name": "JM Wizzler", "email": "e@x.io",
        "images": [{"url": "https://i.scdn.co/a.jpg", "height": 64}, {"url": "https://i.scdn.co/b.jpg"}]});
    assert_eq!(
        map(Preset::Spotify, profile),
        Some(expect(
            "wizzler",
            Some("JM Wizzler"),
            Some("e@x.io"),
            Some("https://i.scdn.co/a.jpg")
        ))
    );
    let no_images = json!({"id": "w", "images": []});
    assert_eq!(map(Preset::Spotify, no_images).unwrap().image, None);
}

#[test]
fn generic_oauth_takes_id_or_sub_and_any_image_field() {
    let with_id = json!({"id": 7, "name": "Ann", "avatar_url": "https://x/a.png"});
    assert_eq!(
        map(Preset::OAuth, with_id),
        Some(expect("7", Some("Ann"), None, Some("https://x/a.png")))
    );
    let with_sub = json!({"sub": "s-1", "picture": "https://x/p.png", "image": ""});
    assert_eq!(
        map(Preset::OAuth, with_sub),
        Some(expect("s-1", None, None, Some("https://x/p.png")))
    );
}

#[test]
fn a_profile_without_id_maps_to_no_user() {
    for preset in all_presets() {
        assert_eq!(
            map(preset, json!({"name": "Ann", "id": null, "sub": ""})),
            None,
            "{preset:?}"
        );
    }
}

#[test]
fn presets_check_their_parameters() {
    let none = PresetParams::new();
    assert_eq!(
        OAuthProvider::preset(Preset::Keycloak, "c", "s", &none).unwrap_err(),
        OAuthConfigError::MissingParam {
            preset: "keycloak",
            param: "issuer"
        }
    );
    let stray = PresetParams::new().issuer("https://idp.example");
    assert!(matches!(
        OAuthProvider::preset(Preset::GitHub, "c", "s", &stray),
        Err(OAuthConfigError::UnexpectedParam {
            preset: "github",
            param: "issuer",
            ..
        })
    ));
    assert!(
        OAuthProvider::preset(
            Preset::AzureAd,
            "c",
            "s",
            &PresetParams::new().tenant("a/b")
        )
        .is_err()
    );
    for preset in all_presets() {
        assert_eq!(preset_by_id(preset.id()), Some(preset));
    }
}

/// The Apple team and key ids of the tests.
const TEAM_ID: &str = "TEAM123456";
const KEY_ID: &str = "KEY1234567";

/// A value for each parameter `preset` takes (`issuer` being `issuer`).
fn params_of(preset: Preset, issuer: &str) -> PresetParams {
    let mut params = PresetParams::new();
    for param in preset.preset().params {
        params = match param.name {
            "issuer" => params.issuer(issuer),
            "tenant" => params.tenant("contoso.onmicrosoft.com"),
            "authorization" => params.authorization("https://idp.example/authorize"),
            "token" => params.token("https://idp.example/token"),
            "userinfo" => params.userinfo("https://idp.example/me"),
            "team_id" => params.team_id(TEAM_ID),
            "key_id" => params.key_id(KEY_ID),
            "private_key" => params.private_key(TEST_ONLY_P256_PRIVATE_KEY_PEM),
            other => panic!("{preset:?}: a test value for `{other}`"),
        };
    }
    params
}

/// The client secret `preset` is given: none when it signs its own.
fn secret_of(preset: Preset) -> &'static str {
    match preset.preset().client_secret {
        auth_shared::presets::ClientSecret::Issued => CLIENT_SECRET,
        auth_shared::presets::ClientSecret::SignedJwt { .. } => "",
    }
}

#[test]
fn every_preset_builds_with_its_parameters() {
    for preset in all_presets() {
        let params = params_of(preset, "https://idp.example/realms/x");
        let provider = OAuthProvider::preset(preset, "client id", secret_of(preset), &params)
            .unwrap_or_else(|e| panic!("{preset:?}: {e}"));
        assert_eq!(provider.is_oidc(), preset.preset().is_oidc(), "{preset:?}");
    }
}

#[test]
fn apple_checks_what_signs_its_secret_and_takes_no_issued_one() {
    let params = params_of(Preset::Apple, "");
    let build = |secret: &str, params: &PresetParams| {
        OAuthProvider::preset(Preset::Apple, CLIENT_ID, secret, params)
    };
    assert!(build("", &params).is_ok());
    assert_eq!(
        build(CLIENT_SECRET, &params).unwrap_err(),
        OAuthConfigError::UnexpectedClientSecret { preset: "apple" }
    );
    let mut no_key = params.clone();
    no_key.private_key = None;
    assert_eq!(
        build("", &no_key).unwrap_err(),
        OAuthConfigError::MissingParam {
            preset: "apple",
            param: "private_key"
        }
    );
    let not_a_key = params
        .clone()
        .private_key("-----BEGIN PRIVATE KEY-----\nMIGH");
    let err = build("", &not_a_key).unwrap_err();
    assert_eq!(err, OAuthConfigError::InvalidPrivateKey { preset: "apple" });
    assert!(!err.to_string().contains("MIGH"), "{err}");
    let lower_team = params.clone().team_id("team123456");
    assert!(matches!(
        build("", &lower_team),
        Err(OAuthConfigError::InvalidParam {
            param: "team_id",
            ..
        })
    ));
    // The key is in neither `Debug`.
    let provider = build("", &params).unwrap();
    let debug = format!("{provider:?} {params:?}");
    let key_line = TEST_ONLY_P256_PRIVATE_KEY_PEM.lines().nth(1).unwrap();
    assert!(!debug.contains(key_line), "{debug}");
    assert!(debug.contains(KEY_ID), "{debug}");
}

#[test]
fn azure_ad_discovers_from_the_tenant_with_the_app_id() {
    let provider =
        OAuthProvider::preset(Preset::AzureAd, "my app", "s", &PresetParams::new()).unwrap();
    assert_eq!(
        provider.endpoints(),
        &Endpoints::Discovery {
            issuer: "https://login.microsoftonline.com/common/v2.0".into(),
            well_known: Some(
                "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration?appid=my+app"
                    .into()
            ),
        }
    );
}

// One case per preset from Facebook on; the sample profiles follow each provider's API
// reference.

/// A plain OAuth preset, as its provider documents it.
struct Case {
    preset: Preset,
    /// The authorization endpoint, and the parameters the preset adds to the flow's own, in
    /// the order they are sent.
    authorization: (&'static str, &'static [(&'static str, &'static str)]),
    token: &'static str,
    userinfo: &'static str,
    token_auth: TokenAuthMethod,
    pkce: bool,
    /// The token request's media type.
    token_body: &'static str,
    /// The userinfo request's method and `Authorization` header (the access token is `at-1`).
    userinfo_request: (&'static str, &'static str),
    /// More headers of the userinfo request.
    userinfo_headers: &'static [(&'static str, &'static str)],
    /// More fields of the token answer.
    token_answer: Value,
    /// The userinfo answer.
    profile: Value,
    /// The user that profile becomes.
    user: User,
}

/// A case's defaults: client_secret_basic and a form, no PKCE, `GET` with `Bearer`, nothing
/// more in the token answer.
fn case(preset: Preset) -> Case {
    Case {
        preset,
        authorization: ("", &[]),
        token: "",
        userinfo: "",
        token_auth: Basic,
        pkce: false,
        token_body: "application/x-www-form-urlencoded",
        userinfo_request: ("GET", "Bearer at-1"),
        userinfo_headers: &[],
        token_answer: json!({}),
        profile: json!({}),
        user: User::default(),
    }
}

fn oauth_cases() -> Vec<Case> {
    vec![
        Case {
            authorization: (
                "https://www.facebook.com/v23.0/dialog/oauth",
                &[("scope", "email")],
            ),
            token: "https://graph.facebook.com/v23.0/oauth/access_token",
            userinfo: "https://graph.facebook.com/v23.0/me?fields=id,name,email,picture",
            profile: json!({"id": "10158", "name": "Ann", "email": "a@x.io",
                "picture": {"data": {"height": 50, "is_silhouette": false,
                    "url": "https://platform-lookaside.fbsbx.com/a", "width": 50}}}),
            user: expect(
                "10158",
                Some("Ann"),
                Some("a@x.io"),
                Some("https://platform-lookaside.fbsbx.com/a"),
            ),
            ..case(Preset::Facebook)
        },
        Case {
            authorization: (
                "https://twitter.com/i/oauth2/authorize",
                &[("scope", "users.read tweet.read offline.access")],
            ),
            token: "https://api.twitter.com/2/oauth2/token",
            userinfo: "https://api.twitter.com/2/users/me?user.fields=profile_image_url",
            pkce: true,
            profile: json!({"data": {"id": "2244994945", "name": "X Dev", "username": "XDevelopers",
                "profile_image_url": "https://pbs.twimg.com/profile_images/1/a_normal.jpg"}}),
            user: expect(
                "2244994945",
                Some("X Dev"),
                None,
                Some("https://pbs.twimg.com/profile_images/1/a_normal.jpg"),
            ),
            ..case(Preset::Twitter)
        },
        Case {
            authorization: (
                "https://www.reddit.com/api/v1/authorize",
                &[("scope", "identity")],
            ),
            token: "https://www.reddit.com/api/v1/access_token",
            userinfo: "https://oauth.reddit.com/api/v1/me",
            profile: json!({"id": "1w72", "name": "spez", "has_verified_email": true,
                "icon_img": "https://styles.redditmedia.com/t5_3k30p/styles/profileIcon_snoo.png"}),
            user: expect("1w72", Some("spez"), None, None),
            ..case(Preset::Reddit)
        },
        Case {
            authorization: (
                "https://login.salesforce.com/services/oauth2/authorize",
                &[("display", "page")],
            ),
            token: "https://login.salesforce.com/services/oauth2/token",
            userinfo: "https://login.salesforce.com/services/oauth2/userinfo",
            token_auth: Post,
            pkce: true,
            profile: json!({"sub": "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P",
                "user_id": "005x00000012Q9P", "organization_id": "00Dx0000000BV7z",
                "preferred_username": "ann@example.com", "nickname": "ann", "name": "Ann Admin",
                "email": "Ann@Example.com", "email_verified": true,
                "picture": "https://c.salesforce.com/profilephoto/005/F"}),
            user: expect(
                "005x00000012Q9P",
                Some("Ann Admin"),
                Some("ann@example.com"),
                Some("https://c.salesforce.com/profilephoto/005/F"),
            ),
            ..case(Preset::Salesforce)
        },
        Case {
            authorization: (
                "https://accounts.zoho.com/oauth/v2/auth",
                &[("scope", "AaaServer.profile.Read")],
            ),
            token: "https://accounts.zoho.com/oauth/v2/token",
            userinfo: "https://accounts.zoho.com/oauth/user/info",
            token_auth: Post,
            userinfo_request: ("GET", "Zoho-oauthtoken at-1"),
            profile: json!({"First_Name": "Ann", "Email": "ann@zoho.com", "Last_Name": "Lee",
                "Display_Name": "ann.lee", "ZUID": 74850128}),
            user: expect("74850128", Some("Ann Lee"), Some("ann@zoho.com"), None),
            ..case(Preset::Zoho)
        },
        Case {
            authorization: (
                "https://oauth.yandex.ru/authorize",
                &[("scope", "login:info login:email login:avatar")],
            ),
            token: "https://oauth.yandex.ru/token",
            userinfo: "https://login.yandex.ru/info?format=json",
            userinfo_request: ("GET", "OAuth at-1"),
            profile: json!({"id": "1000034426", "login": "ivan", "display_name": "Ivan",
                "real_name": "Ivan Ivanov", "first_name": "Ivan", "last_name": "Ivanov",
                "default_email": "test@yandex.ru", "emails": ["test@yandex.ru", "other@yandex.ru"],
                "default_avatar_id": "131652443", "is_avatar_empty": false}),
            user: expect(
                "1000034426",
                Some("Ivan"),
                Some("test@yandex.ru"),
                Some("https://avatars.yandex.net/get-yapic/131652443/islands-200"),
            ),
            ..case(Preset::Yandex)
        },
        Case {
            authorization: (
                "https://oauth.vk.com/authorize?v=5.131",
                &[("v", "5.131"), ("scope", "email")],
            ),
            token: "https://oauth.vk.com/access_token?v=5.131",
            userinfo: "https://api.vk.com/method/users.get?fields=photo_100&v=5.131",
            token_auth: Post,
            token_answer: json!({"expires_in": 86400, "user_id": 210700286,
                "email": "Lindsey@vk.com"}),
            profile: json!({"response": [{"id": 210700286, "first_name": "Lindsey",
                "last_name": "Stirling", "photo_100": "https://sun1-1.userapi.com/impg/a.jpg",
                "can_access_closed": true, "is_closed": false}]}),
            user: expect(
                "210700286",
                Some("Lindsey Stirling"),
                Some("lindsey@vk.com"),
                Some("https://sun1-1.userapi.com/impg/a.jpg"),
            ),
            ..case(Preset::Vk)
        },
        Case {
            authorization: ("https://kauth.kakao.com/oauth/authorize", &[]),
            token: "https://kauth.kakao.com/oauth/token",
            userinfo: "https://kapi.kakao.com/v2/user/me",
            token_auth: Post,
            profile: json!({"id": 123456789, "connected_at": "2022-04-11T01:45:28Z",
                "kakao_account": {"profile": {"nickname": "홍길동",
                    "thumbnail_image_url": "http://yyy.kakao.com/dn/img_110x110.jpg",
                    "profile_image_url": "http://yyy.kakao.com/dn/img_640x640.jpg"},
                "is_email_valid": true, "is_email_verified": true, "email": "sample@sample.com"}}),
            user: expect(
                "123456789",
                Some("홍길동"),
                Some("sample@sample.com"),
                Some("http://yyy.kakao.com/dn/img_640x640.jpg"),
            ),
            ..case(Preset::Kakao)
        },
        Case {
            authorization: ("https://nid.naver.com/oauth2.0/authorize", &[]),
            token: "https://nid.naver.com/oauth2.0/token",
            userinfo: "https://openapi.naver.com/v1/nid/me",
            token_auth: Post,
            profile: json!({"resultcode": "00", "message": "success", "response": {
                "email": "openapi@naver.com", "nickname": "OpenAPI", "id": "32742776",
                "profile_image": "https://ssl.pstatic.net/static/pwe/address/nodata_33x33.gif",
                "name": "오픈 API", "age": "40-49"}}),
            user: expect(
                "32742776",
                Some("OpenAPI"),
                Some("openapi@naver.com"),
                Some("https://ssl.pstatic.net/static/pwe/address/nodata_33x33.gif"),
            ),
            ..case(Preset::Naver)
        },
        Case {
            authorization: (
                "https://auth.atlassian.com/authorize",
                &[
                    ("scope", "read:me"),
                    ("audience", "api.atlassian.com"),
                    ("prompt", "consent"),
                ],
            ),
            token: "https://auth.atlassian.com/oauth/token",
            userinfo: "https://api.atlassian.com/me",
            token_auth: Post,
            profile: json!({"account_type": "atlassian",
                "account_id": "112233aa-bb11-cc22-33dd-445566abcabc", "email": "mia@example.com",
                "name": "Mia Krystof", "picture": "https://avatar-management.atl-paas.net/1/a",
                "account_status": "active", "nickname": "mkrystof"}),
            user: expect(
                "112233aa-bb11-cc22-33dd-445566abcabc",
                Some("Mia Krystof"),
                Some("mia@example.com"),
                Some("https://avatar-management.atl-paas.net/1/a"),
            ),
            ..case(Preset::Atlassian)
        },
        Case {
            authorization: ("https://account.box.com/api/oauth2/authorize", &[]),
            token: "https://api.box.com/oauth2/token",
            userinfo: "https://api.box.com/2.0/users/me",
            token_auth: Post,
            profile: json!({"id": "11446498", "type": "user", "name": "Aaron Levie",
                "login": "ceo@example.com",
                "avatar_url": "https://www.box.com/api/avatar/large/181216415"}),
            user: expect(
                "11446498",
                Some("Aaron Levie"),
                Some("ceo@example.com"),
                Some("https://www.box.com/api/avatar/large/181216415"),
            ),
            ..case(Preset::Box)
        },
        Case {
            authorization: (
                "https://www.dropbox.com/oauth2/authorize",
                &[
                    ("scope", "account_info.read"),
                    ("token_access_type", "offline"),
                ],
            ),
            token: "https://api.dropboxapi.com/oauth2/token",
            userinfo: "https://api.dropboxapi.com/2/users/get_current_account",
            pkce: true,
            userinfo_request: ("POST", "Bearer at-1"),
            profile: json!({"account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
                "name": {"given_name": "Franz", "surname": "Ferdinand", "familiar_name": "Franz",
                    "display_name": "Franz Ferdinand (Personal)", "abbreviated_name": "FF"},
                "email": "franz@dropbox.com", "email_verified": true, "disabled": false,
                "profile_photo_url": "https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAH"}),
            user: expect(
                "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
                Some("Franz Ferdinand (Personal)"),
                Some("franz@dropbox.com"),
                Some("https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAH"),
            ),
            ..case(Preset::Dropbox)
        },
        Case {
            authorization: (
                "https://www.strava.com/api/v3/oauth/authorize",
                &[("scope", "read"), ("approval_prompt", "auto")],
            ),
            token: "https://www.strava.com/api/v3/oauth/token",
            userinfo: "https://www.strava.com/api/v3/athlete",
            token_auth: Post,
            profile: json!({"id": 134815, "username": "marianne_t", "resource_state": 3,
                "firstname": "Marianne", "lastname": "Teutenberg", "city": "San Francisco",
                "profile_medium": "https://dgalywyr863hv.cloudfront.net/pictures/134815/medium.jpg",
                "profile": "https://dgalywyr863hv.cloudfront.net/pictures/134815/large.jpg"}),
            user: expect(
                "134815",
                Some("Marianne Teutenberg"),
                None,
                Some("https://dgalywyr863hv.cloudfront.net/pictures/134815/large.jpg"),
            ),
            ..case(Preset::Strava)
        },
        Case {
            authorization: ("https://zoom.us/oauth/authorize", &[]),
            token: "https://zoom.us/oauth/token",
            userinfo: "https://api.zoom.us/v2/users/me",
            profile: json!({"id": "KDcuGIm1QgePTO8WbOqwIQ", "first_name": "Jill",
                "last_name": "Chill",
                "email": "jchill@example.com", "type": 1, "verified": 1,
                "pic_url": "https://example.com/photo.jpg"}),
            user: expect(
                "KDcuGIm1QgePTO8WbOqwIQ",
                Some("Jill Chill"),
                Some("jchill@example.com"),
                Some("https://example.com/photo.jpg"),
            ),
            ..case(Preset::Zoom)
        },
        Case {
            authorization: (
                "https://api.notion.com/v1/oauth/authorize",
                &[("owner", "user")],
            ),
            token: "https://api.notion.com/v1/oauth/token",
            userinfo: "https://api.notion.com/v1/users/me",
            token_body: "application/json",
            userinfo_headers: &[("notion-version", "2022-06-28")],
            profile: json!({"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905",
                "name": "pied piper", "avatar_url": null, "type": "bot",
                "bot": {"owner": {"type": "user", "user": {"object": "user",
                    "id": "6794760a-1f15-45cd-9c65-0dfe42f5135a", "name": "Aman Gupta",
                    "avatar_url": null, "type": "person", "person": {"email": "aman@example.com"}}},
                "workspace_name": "Aman's Notion"}}),
            user: expect(
                "6794760a-1f15-45cd-9c65-0dfe42f5135a",
                Some("Aman Gupta"),
                Some("aman@example.com"),
                None,
            ),
            ..case(Preset::Notion)
        },
        Case {
            authorization: (
                "https://bitbucket.org/site/oauth2/authorize",
                &[("scope", "account")],
            ),
            token: "https://bitbucket.org/site/oauth2/access_token",
            userinfo: "https://api.bitbucket.org/2.0/user",
            profile: json!({"account_id": "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443",
                "uuid": "{d301aafa-d676-4ee0-88be-962be7417567}", "username": "evzijst",
                "display_name": "Erik van Zijst", "type": "user",
                "links": {"avatar": {"href": "https://bitbucket.org/account/evzijst/avatar/"}}}),
            user: expect(
                "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443",
                Some("Erik van Zijst"),
                None,
                Some("https://bitbucket.org/account/evzijst/avatar/"),
            ),
            ..case(Preset::Bitbucket)
        },
        Case {
            authorization: (
                "https://www.pinterest.com/oauth",
                &[("scope", "user_accounts:read")],
            ),
            token: "https://api.pinterest.com/v5/oauth/token",
            userinfo: "https://api.pinterest.com/v5/user_account",
            profile: json!({"account_type": "PINNER", "username": "pinner_ann",
                "profile_image": "https://i.pinimg.com/75x75_RS/ab/cd/ef/abcdef.jpg"}),
            user: expect(
                "pinner_ann",
                Some("pinner_ann"),
                None,
                Some("https://i.pinimg.com/75x75_RS/ab/cd/ef/abcdef.jpg"),
            ),
            ..case(Preset::Pinterest)
        },
        Case {
            authorization: (
                "https://www.patreon.com/oauth2/authorize",
                &[("scope", "identity identity[email]")],
            ),
            token: "https://www.patreon.com/api/oauth2/token",
            userinfo: concat!(
                "https://www.patreon.com/api/oauth2/v2/identity",
                "?fields%5Buser%5D=email,full_name,image_url"
            ),
            token_auth: Post,
            profile: json!({"data": {"id": "0000000", "type": "user", "attributes": {
                "email": "Corgi@example.com", "full_name": "Corgi The Dev",
                "image_url": "https://c8.patreon.com/2/200/0000000"}},
                "links": {"self": "https://www.patreon.com/api/oauth2/v2/user/0000000"}}),
            user: expect(
                "0000000",
                Some("Corgi The Dev"),
                Some("corgi@example.com"),
                Some("https://c8.patreon.com/2/200/0000000"),
            ),
            ..case(Preset::Patreon)
        },
        Case {
            authorization: ("https://login.mailchimp.com/oauth2/authorize", &[]),
            token: "https://login.mailchimp.com/oauth2/token",
            userinfo: "https://login.mailchimp.com/oauth2/metadata",
            token_auth: Post,
            userinfo_request: ("GET", "OAuth at-1"),
            profile: json!({"dc": "us1", "role": "owner", "accountname": "Freddie's Jokes",
                "user_id": 42, "login": {"email": "freddie@example.com", "avatar": null,
                    "login_id": 42, "login_name": "freddie", "login_email": "freddie@example.com"},
                "api_endpoint": "https://us1.api.mailchimp.com"}),
            user: expect(
                "42",
                Some("Freddie's Jokes"),
                Some("freddie@example.com"),
                None,
            ),
            ..case(Preset::Mailchimp)
        },
        Case {
            authorization: (
                "https://osu.ppy.sh/oauth/authorize",
                &[("scope", "identify")],
            ),
            token: "https://osu.ppy.sh/oauth/token",
            userinfo: "https://osu.ppy.sh/api/v2/me",
            token_auth: Post,
            profile: json!({"id": 2, "username": "peppy", "country_code": "AU",
                "avatar_url": "https://a.ppy.sh/2?1519081077.png"}),
            user: expect(
                "2",
                Some("peppy"),
                None,
                Some("https://a.ppy.sh/2?1519081077.png"),
            ),
            ..case(Preset::Osu)
        },
        Case {
            authorization: (
                "https://meta.wikimedia.org/w/rest.php/oauth2/authorize",
                &[],
            ),
            token: "https://meta.wikimedia.org/w/rest.php/oauth2/access_token",
            userinfo: "https://meta.wikimedia.org/w/rest.php/oauth2/resource/profile",
            profile: json!({"sub": 12345678, "username": "Example", "editcount": 42,
                "confirmed_email": true, "blocked": false, "registered": "20200101000000",
                "groups": ["*", "user"], "realname": "", "email": "Example@example.org"}),
            user: expect(
                "12345678",
                Some("Example"),
                Some("example@example.org"),
                None,
            ),
            ..case(Preset::Wikimedia)
        },
    ]
}

/// The authorization URL a preset sends the browser to: state `st`, and challenge `ch` when
/// the preset has PKCE.
async fn authorization_url(provider: &OAuthProvider) -> String {
    let request = AuthorizationRequest::new(REDIRECT_URI).state("st");
    let request = match provider.active_checks().pkce {
        true => request.code_challenge("ch"),
        false => request,
    };
    OAuthClient::new()
        .authorization_url(provider, &request)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_preset_sends_the_browser_to_its_endpoint_with_its_parameters() {
    for case in oauth_cases() {
        let name = case.preset.preset().kind_name;
        let provider =
            OAuthProvider::preset(case.preset, CLIENT_ID, CLIENT_SECRET, &PresetParams::new())
                .unwrap();
        let (endpoint, own) = case.authorization;
        let url = url::Url::parse(&authorization_url(&provider).await).unwrap();
        assert_eq!(
            url.as_str().split('?').next(),
            endpoint.split('?').next(),
            "{name}"
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let flow = auth_shared::literals::FLOW_AUTHORIZATION_PARAMS;
        let pairs = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let (flow_params, added): (Vec<_>, Vec<_>) = pairs.partition(|(k, _)| flow.contains(k));
        let mut expected_flow = vec![
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "st"),
        ];
        if case.pkce {
            expected_flow.extend([("code_challenge", "ch"), ("code_challenge_method", "S256")]);
        }
        assert_eq!(flow_params, expected_flow, "{name}");
        assert_eq!(added, own, "{name}");
        assert_eq!(
            provider.endpoints(),
            &Endpoints::Manual {
                authorization: endpoint.to_owned(),
                token: case.token.to_owned(),
                userinfo: Some(case.userinfo.to_owned()),
                issuer: None,
                jwks_uri: None,
            },
            "{name}"
        );
    }
}

/// The fields of a token request's body, form-encoded or JSON.
fn token_fields(seen: &Seen) -> Vec<(String, String)> {
    if seen.header("content-type") == Some("application/json") {
        let body: serde_json::Map<String, Value> = serde_json::from_str(&seen.body).unwrap();
        let text = |v: Value| v.as_str().map(str::to_owned).unwrap_or_default();
        body.into_iter().map(|(k, v)| (k, text(v))).collect()
    } else {
        form_urlencoded::parse(seen.body.as_bytes())
            .into_owned()
            .collect()
    }
}

#[tokio::test]
async fn each_preset_exchanges_the_code_asks_for_the_profile_and_maps_it() {
    for case in oauth_cases() {
        let name = case.preset.preset().kind_name;
        let (token_answer, profile) = (case.token_answer.clone(), case.profile.clone());
        let fake = Fake::start(move |seen| match seen.path.as_str() {
            "/token" => {
                let mut answer = json!({"access_token": "at-1", "token_type": "bearer"});
                let extra = token_answer.as_object().unwrap().clone();
                answer.as_object_mut().unwrap().extend(extra);
                json_answer(200, answer)
            }
            "/me" => json_answer(200, profile.clone()),
            _ => json_answer(404, json!({})),
        });
        let provider =
            OAuthProvider::preset(case.preset, CLIENT_ID, CLIENT_SECRET, &PresetParams::new())
                .unwrap()
                .with_endpoints(Endpoints::oauth(
                    fake.url("/authorize"),
                    fake.url("/token"),
                    fake.url("/me"),
                ))
                .unwrap();
        let callback = match case.pkce {
            true => oauth_callback(),
            false => CallbackRequest::new(REDIRECT_URI, CODE),
        };
        let signed_in = OAuthClient::new()
            .callback(&provider, &callback)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(signed_in.user, case.user, "{name}");

        let seen = fake.seen();
        let token = seen.iter().find(|s| s.path == "/token").unwrap();
        assert_eq!(
            token.header("content-type"),
            Some(case.token_body),
            "{name}"
        );
        let fields = token_fields(token);
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("grant_type"), Some("authorization_code"), "{name}");
        assert_eq!(get("redirect_uri"), Some(REDIRECT_URI), "{name}");
        assert_eq!(get("code_verifier").is_some(), case.pkce, "{name}");
        let basic = token
            .header("authorization")
            .is_some_and(|h| h.starts_with("Basic "));
        let posted =
            get("client_secret") == Some(CLIENT_SECRET) && get("client_id") == Some(CLIENT_ID);
        assert_eq!(
            (basic, posted),
            (case.token_auth == Basic, case.token_auth == Post),
            "{name}"
        );
        let userinfo = seen.iter().find(|s| s.path == "/me").unwrap();
        assert_eq!(
            (userinfo.method.as_str(), userinfo.header("authorization")),
            (case.userinfo_request.0, Some(case.userinfo_request.1)),
            "{name}"
        );
        for (header, value) in case.userinfo_headers {
            assert_eq!(userinfo.header(header), Some(*value), "{name}");
        }
    }
}

/// An OpenID Connect preset: where it is discovered, what it asks for, and the user its
/// documented ID token claims become.
struct OidcCase {
    preset: Preset,
    /// Its issuer, or the one given as the `issuer` parameter.
    issuer: &'static str,
    scope: &'static str,
    checks: Checks,
    token_auth: TokenAuthMethod,
    claims: Value,
    user: User,
}

fn oidc_cases() -> Vec<OidcCase> {
    vec![
        OidcCase {
            preset: Preset::Apple,
            issuer: "https://appleid.apple.com",
            scope: "name email",
            checks: Checks {
                state: true,
                pkce: false,
                nonce: true,
            },
            token_auth: Post,
            // Apple's documented ID token claims; `email_verified` and `is_private_email` are
            // strings here, as Apple has sent them.
            claims: apple_claims("https://appleid.apple.com"),
            user: expect(
                "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234",
                None,
                Some("x7kq2p9m4n@privaterelay.appleid.com"),
                None,
            ),
        },
        OidcCase {
            preset: Preset::Cognito,
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI",
            scope: "openid email profile",
            checks: Checks::PKCE_STATE,
            token_auth: Basic,
            claims: json!({"sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "email_verified": true,
                "cognito:username": "janedoe", "name": "Jane Doe", "email": "janedoe@example.com",
                "picture": "https://example.com/jane.png"}),
            user: expect(
                "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                Some("Jane Doe"),
                Some("janedoe@example.com"),
                Some("https://example.com/jane.png"),
            ),
        },
        OidcCase {
            preset: Preset::Authentik,
            issuer: "https://authentik.example.com/application/o/app/",
            scope: "openid email profile",
            checks: Checks::PKCE_STATE,
            token_auth: Basic,
            claims: json!({"sub": "f1e2d3", "email": "ak@example.com", "email_verified": true,
                "name": "", "preferred_username": "akadmin", "groups": ["admins"]}),
            user: expect("f1e2d3", Some("akadmin"), Some("ak@example.com"), None),
        },
        OidcCase {
            preset: Preset::FusionAuth,
            issuer: "https://auth.example.com",
            scope: "openid offline_access",
            checks: Checks::PKCE_STATE,
            token_auth: Basic,
            claims: json!({"sub": "2a106a66-6b2d-4b9c-8e1a-7a1b1c1d1e1f",
                "email": "richard@example.com",
                "email_verified": true, "preferred_username": "richard", "applicationId": "app"}),
            user: expect(
                "2a106a66-6b2d-4b9c-8e1a-7a1b1c1d1e1f",
                Some("richard"),
                Some("richard@example.com"),
                None,
            ),
        },
        OidcCase {
            preset: Preset::OneLogin,
            issuer: "https://acme.onelogin.com/oidc/2",
            scope: "openid profile email",
            checks: Checks::STATE,
            token_auth: Basic,
            claims: json!({"sub": "12345", "email": "kelly@acme.com", "preferred_username": "kelly",
                "name": "Kelly Smith", "given_name": "Kelly", "family_name": "Smith"}),
            user: expect("12345", Some("Kelly Smith"), Some("kelly@acme.com"), None),
        },
        OidcCase {
            preset: Preset::Zitadel,
            issuer: "https://acme-abc123.zitadel.cloud",
            scope: "openid email profile",
            checks: Checks::PKCE_STATE,
            token_auth: Basic,
            claims: json!({"sub": "77776025198584418", "name": "Road Runner",
                "email": "road.runner@acme.ch", "email_verified": true,
                "picture": "https://acme-abc123.zitadel.cloud/assets/v1/avatar.png"}),
            user: expect(
                "77776025198584418",
                Some("Road Runner"),
                Some("road.runner@acme.ch"),
                Some("https://acme-abc123.zitadel.cloud/assets/v1/avatar.png"),
            ),
        },
        OidcCase {
            preset: Preset::Line,
            issuer: "https://access.line.me",
            scope: "openid profile",
            checks: Checks::PKCE_STATE,
            token_auth: Post,
            claims: json!({"iss": "https://access.line.me",
                "sub": "U1234567890abcdef1234567890abcdef",
                "aud": "1234567890", "amr": ["pwd"], "name": "Taro Line",
                "picture": "https://sample_line.me/aBcdefg123456",
                "email": "taro.line@example.com"}),
            user: expect(
                "U1234567890abcdef1234567890abcdef",
                Some("Taro Line"),
                Some("taro.line@example.com"),
                Some("https://sample_line.me/aBcdefg123456"),
            ),
        },
    ]
}

#[test]
fn each_openid_preset_discovers_its_issuer_and_maps_its_claims() {
    for case in oidc_cases() {
        let row = case.preset.preset();
        let name = row.kind_name;
        let params = params_of(case.preset, case.issuer);
        let secret = secret_of(case.preset);
        let provider = OAuthProvider::preset(case.preset, CLIENT_ID, secret, &params)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            provider.endpoints(),
            &Endpoints::discovery(case.issuer),
            "{name}"
        );
        assert_eq!(provider.scope_value(), Some(case.scope), "{name}");
        assert_eq!(provider.active_checks(), case.checks, "{name}");
        assert_eq!(provider.token_auth(), case.token_auth, "{name}");
        assert_eq!(map(case.preset, case.claims), Some(case.user), "{name}");
    }
}

/// Every case's documented profile: the userinfo answer or the ID token claims.
fn documented_profiles() -> impl Iterator<Item = (Preset, Value)> {
    let oauth = oauth_cases().into_iter().map(|c| (c.preset, c.profile));
    let oidc = oidc_cases().into_iter().map(|c| (c.preset, c.claims));
    oauth.chain(oidc)
}

#[test]
fn a_profile_vouches_for_its_email_exactly_when_the_row_says_so() {
    for (preset, profile) in documented_profiles() {
        let row = preset.preset();
        // As linking reads it: a boolean, or the string "true" or "false".
        let vouches = crate::profiles::email_verified(&profile).is_some();
        assert_eq!(vouches, row.verified_email, "{}", row.kind_name);
    }
}

#[test]
fn yandex_builds_the_avatar_url_unless_there_is_none_and_falls_back_for_name_and_email() {
    let profile = json!({"id": "1", "real_name": "Ivan Ivanov", "emails": ["i@yandex.ru"],
        "default_avatar_id": "0/0-0", "is_avatar_empty": true});
    assert_eq!(
        map(Preset::Yandex, profile),
        Some(expect("1", Some("Ivan Ivanov"), Some("i@yandex.ru"), None))
    );
}

#[test]
fn first_and_last_names_join_without_a_missing_part() {
    let cases = [
        (
            Preset::Strava,
            json!({"id": 1, "firstname": "Marianne", "lastname": null}),
        ),
        (
            Preset::Zoom,
            json!({"id": "z", "first_name": "Marianne", "last_name": ""}),
        ),
        (Preset::Zoho, json!({"ZUID": 1, "First_Name": "Marianne"})),
        (
            Preset::Vk,
            json!({"id": 1, "first_name": "Marianne", "last_name": ""}),
        ),
    ];
    for (preset, profile) in cases {
        let user = map(preset, profile).unwrap();
        assert_eq!(user.name.as_deref(), Some("Marianne"), "{preset:?}");
    }
    let nameless = json!({"id": 1, "firstname": "", "lastname": null});
    assert_eq!(map(Preset::Strava, nameless).unwrap().name, None);
}

/// Whether `profile` deserializes into its kind's [`crate::profiles`] struct. Each kind is
/// named once for both its variant and its struct, as `auth!` names the struct of a
/// `profile:` mapping after the kind; the match is exhaustive, so a kind without a struct of
/// its name does not compile.
macro_rules! fits_its_profile_struct {
    ($($kind:ident),* $(,)?) => {
        fn fits_its_profile_struct(preset: Preset, profile: &Value) -> Result<(), serde_json::Error> {
            use serde::Deserialize;
            match preset {
                $(Preset::$kind => crate::profiles::$kind::deserialize(profile).map(drop),)*
            }
        }
    };
}

fits_its_profile_struct!(
    GitHub, Google, GitLab, Discord, Auth0, Keycloak, Okta, AzureAd, Twitch, Slack, Spotify,
    LinkedIn, Facebook, Apple, Atlassian, Authentik, Bitbucket, Box, Cognito, Dropbox, FusionAuth,
    Kakao, Line, Mailchimp, Naver, Notion, OneLogin, Osu, Patreon, Pinterest, Reddit, Salesforce,
    Strava, Twitter, Vk, Wikimedia, Yandex, Zitadel, Zoho, Zoom, Oidc, OAuth,
);

#[test]
fn every_documented_sample_fits_its_kinds_profile_struct() {
    for (preset, answer) in documented_profiles() {
        let row = preset.preset();
        // As the client does: the profile is at the quirk's pointer when the answer has it.
        let pointer = row.quirks.profile_pointer;
        let profile = pointer.and_then(|p| answer.pointer(p)).unwrap_or(&answer);
        let fits = fits_its_profile_struct(preset, profile);
        assert!(fits.is_ok(), "{}: {fits:?}", row.kind_name);
    }
}

// Sign in with Apple: discovered, a form POST callback, a client secret signed per token
// request, and a name only in the first callback's `user` field.

/// Apple's documented ID token claims for an issuer (Apple's, or the fake standing in).
fn apple_claims(issuer: &str) -> Value {
    json!({"iss": issuer, "aud": CLIENT_ID, "exp": now() + 600, "iat": now(),
        "sub": "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234", "nonce": "nn-1",
        "c_hash": "cMEm3sBzZCwXEg0VaFiDaw", "email": "x7kq2p9m4n@privaterelay.appleid.com",
        "email_verified": "true", "is_private_email": "true", "auth_time": now(),
        "nonce_supported": true, "real_user_status": 2})
}

/// The `user` field of Apple's first callback for a user.
const APPLE_USER_FIELD: &str = r#"{"name":{"firstName":"Ann","lastName":"Lee"},"email":"x7kq2p9m4n@privaterelay.appleid.com"}"#;

fn apple() -> OAuthProvider {
    OAuthProvider::preset(Preset::Apple, CLIENT_ID, "", &params_of(Preset::Apple, "")).unwrap()
}

#[tokio::test]
async fn apple_sends_the_browser_to_its_discovered_endpoint_for_a_form_post_with_state_and_nonce() {
    assert_eq!(
        apple().endpoints(),
        &Endpoints::discovery("https://appleid.apple.com")
    );
    // The fake stands in for Apple's discovery document.
    let issuer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let issuer_for_fake = std::sync::Arc::clone(&issuer);
    let fake = Fake::start(move |seen| {
        let issuer = issuer_for_fake.lock().unwrap().clone();
        match seen.path.as_str() {
            "/.well-known/openid-configuration" => json_answer(
                200,
                json!({"issuer": issuer,
                    "authorization_endpoint": format!("{issuer}/auth/authorize"),
                    "token_endpoint": format!("{issuer}/auth/token"),
                    "jwks_uri": format!("{issuer}/auth/keys"),
                    "response_modes_supported": ["query", "fragment", "form_post"]}),
            ),
            _ => json_answer(404, json!({})),
        }
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = apple()
        .with_endpoints(Endpoints::discovery(fake.base.clone()))
        .unwrap();
    let request = AuthorizationRequest::new(REDIRECT_URI)
        .state("st")
        .nonce("nn-1");
    let url = OAuthClient::new()
        .authorization_url(&provider, &request)
        .await
        .unwrap();
    let url = url::Url::parse(&url).unwrap();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(fake.url("/auth/authorize").as_str())
    );
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    pairs.sort();
    let expected: Vec<(String, String)> = [
        ("client_id", CLIENT_ID),
        ("nonce", "nn-1"),
        ("redirect_uri", REDIRECT_URI),
        ("response_mode", "form_post"),
        ("response_type", "code"),
        ("scope", "name email"),
        ("state", "st"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(pairs, expected, "no code_challenge: Apple has no PKCE");
    // Without the nonce the flow does not start.
    let no_nonce = AuthorizationRequest::new(REDIRECT_URI).state("st");
    let err = OAuthClient::new()
        .authorization_url(&provider, &no_nonce)
        .await
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::MissingCheck { check: "nonce", .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn apple_posts_a_freshly_signed_client_secret_and_names_the_user_from_the_user_field() {
    let key = TestKey::generate("apple-key");
    let jwk = key.jwk.clone();
    let issuer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let issuer_for_fake = std::sync::Arc::clone(&issuer);
    let fake = Fake::start(move |seen| match seen.path.as_str() {
        "/jwks" => json_answer(200, json!({"keys": [jwk]})),
        "/token" => {
            let claims = apple_claims(&issuer_for_fake.lock().unwrap());
            json_answer(
                200,
                json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
                    "refresh_token": "rt-1", "id_token": key.sign(&key.header(), &claims)}),
            )
        }
        _ => json_answer(404, json!({})),
    });
    *issuer.lock().unwrap() = fake.base.clone();
    let provider = apple().with_endpoints(oidc_endpoints(&fake)).unwrap();
    let callback = CallbackRequest::new(REDIRECT_URI, CODE)
        .nonce("nn-1")
        .user(Some(APPLE_USER_FIELD));
    let before = now();
    let signed_in = OAuthClient::new()
        .callback(&provider, &callback)
        .await
        .unwrap();
    assert_eq!(
        signed_in.user,
        expect(
            "001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.1234",
            Some("Ann Lee"),
            Some("x7kq2p9m4n@privaterelay.appleid.com"),
            None,
        )
    );
    assert_eq!(signed_in.profile["user"]["name"]["firstName"], "Ann");
    assert_eq!(signed_in.profile["email_verified"], "true");

    let seen = fake.seen();
    let token = seen.iter().find(|s| s.path == "/token").unwrap();
    assert_eq!(token.header("authorization"), None, "client_secret_post");
    assert_eq!(token.form("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(token.form("code_verifier"), None);
    let secret = token.form("client_secret").expect("a client secret");
    let (header, claims) = verified_with_the_test_public_key(&secret);
    assert_eq!(header, json!({"alg": "ES256", "kid": KEY_ID}));
    assert_eq!(claims["iss"], TEAM_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["aud"], "https://appleid.apple.com");
    let iat = claims["iat"].as_u64().unwrap();
    assert!((before..=now()).contains(&iat), "{claims}");
    assert_eq!(claims["exp"].as_u64(), Some(iat + 300));

    // A second token request gets a secret of its own, not a copy kept from the first.
    OAuthClient::new()
        .callback(&provider, &callback)
        .await
        .unwrap();
    let secrets: Vec<String> = fake
        .seen()
        .iter()
        .filter(|s| s.path == "/token")
        .filter_map(|s| s.form("client_secret"))
        .collect();
    assert_eq!(secrets.len(), 2);
    assert_ne!(secrets[0], secrets[1], "ES256 signatures are randomized");
}

#[test]
fn apple_names_the_user_from_the_user_field_joining_the_parts_it_has() {
    let with_user = |user: Value| {
        let mut claims = apple_claims("https://appleid.apple.com");
        claims["user"] = user;
        map(Preset::Apple, claims).and_then(|user| user.name)
    };
    assert_eq!(
        with_user(serde_json::from_str(APPLE_USER_FIELD).unwrap()).as_deref(),
        Some("Ann Lee")
    );
    assert_eq!(
        with_user(json!({"name": {"firstName": "Ann"}})).as_deref(),
        Some("Ann")
    );
    assert_eq!(
        with_user(json!({"name": {"firstName": "", "lastName": "Lee"}})).as_deref(),
        Some("Lee")
    );
    assert_eq!(with_user(json!({"email": "a@b.c"})), None);
    // A `name` claim, should Apple ever send one, comes first.
    let mut named = apple_claims("https://appleid.apple.com");
    named["name"] = json!("Ann B. Lee");
    named["user"] = json!({"name": {"firstName": "Ann", "lastName": "Lee"}});
    assert_eq!(
        map(Preset::Apple, named)
            .and_then(|user| user.name)
            .as_deref(),
        Some("Ann B. Lee")
    );
}
