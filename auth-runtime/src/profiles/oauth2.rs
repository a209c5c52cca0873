//! The OAuth 2.0 profiles: each provider's userinfo answer, as the built-in mapping sees it
//! (after the preset's quirks: VK's and Notion's unwrapped, VK's email from the token).

use serde::Deserialize;

use super::de;

/// GitHub's `GET /user` answer (`email` filled from `/user/emails` when private).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct GitHub {
    /// The numeric user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The handle, e.g. `octocat`.
    pub login: String,
    /// The display name.
    pub name: Option<String>,
    /// The primary email address.
    pub email: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
}

/// GitLab's `GET /api/v4/user` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct GitLab {
    /// The numeric user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The handle.
    pub username: String,
    /// The display name.
    pub name: Option<String>,
    /// The primary email address.
    pub email: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
}

/// Discord's `GET /users/@me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Discord {
    /// The user id (a snowflake).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The handle.
    pub username: String,
    /// The display name, when set.
    pub global_name: Option<String>,
    /// The legacy `#1234` tag (`"0"` for migrated users).
    pub discriminator: Option<String>,
    /// The avatar hash (`a_…` when animated); the built-in mapping builds the CDN URL from it.
    pub avatar: Option<String>,
    /// The email address (with the `email` scope).
    pub email: Option<String>,
    /// Whether the email address is verified.
    pub verified: Option<bool>,
}

/// Spotify's `GET /v1/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Spotify {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The display name.
    pub display_name: Option<String>,
    /// The email address (with `user-read-email`).
    pub email: Option<String>,
    /// The profile images, the first being the one the built-in mapping takes.
    #[serde(default)]
    pub images: Vec<SpotifyImage>,
}

/// One of [`Spotify::images`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct SpotifyImage {
    /// The image URL.
    pub url: String,
}

/// Facebook's Graph `GET /me?fields=id,name,email,picture` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Facebook {
    /// The app-scoped user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The full name.
    pub name: Option<String>,
    /// The email address (with the `email` permission).
    pub email: Option<String>,
    /// The profile picture.
    pub picture: Option<FacebookPicture>,
}

/// [`Facebook::picture`]: Graph's `{data: {url}}`.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct FacebookPicture {
    /// The picture itself.
    pub data: FacebookPictureData,
}

/// [`FacebookPicture::data`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct FacebookPictureData {
    /// The picture URL.
    pub url: Option<String>,
}

/// Atlassian's `GET https://api.atlassian.com/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Atlassian {
    /// The Atlassian account id.
    #[serde(deserialize_with = "de::id")]
    pub account_id: String,
    /// The full name.
    pub name: Option<String>,
    /// The public name.
    pub nickname: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The avatar URL.
    pub picture: Option<String>,
}

/// Bitbucket Cloud's `GET /2.0/user` answer (no email: that is `/2.0/user/emails`).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Bitbucket {
    /// The Atlassian account id.
    #[serde(deserialize_with = "de::id")]
    pub account_id: String,
    /// The Bitbucket UUID, braces included.
    pub uuid: Option<String>,
    /// The handle.
    pub username: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The links, among them the avatar's.
    pub links: Option<BitbucketLinks>,
}

/// [`Bitbucket::links`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct BitbucketLinks {
    /// The avatar's link.
    pub avatar: Option<BitbucketLink>,
}

/// One of [`BitbucketLinks`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct BitbucketLink {
    /// The URL.
    pub href: String,
}

/// Box's `GET /2.0/users/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Box {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The full name.
    pub name: Option<String>,
    /// The login, an email address.
    pub login: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
}

/// Dropbox's `POST /2/users/get_current_account` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Dropbox {
    /// The account id (`dbid:…`).
    #[serde(deserialize_with = "de::id")]
    pub account_id: String,
    /// The name, in its forms.
    pub name: DropboxName,
    /// The email address.
    pub email: Option<String>,
    /// Whether Dropbox verified the email address.
    #[serde(default, deserialize_with = "de::email_verified")]
    pub email_verified: Option<bool>,
    /// The avatar URL, when the user set one.
    pub profile_photo_url: Option<String>,
}

/// [`Dropbox::name`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct DropboxName {
    /// The first name.
    pub given_name: Option<String>,
    /// The last name.
    pub surname: Option<String>,
    /// The casual name.
    pub familiar_name: Option<String>,
    /// The full name, as Dropbox shows it.
    pub display_name: Option<String>,
}

/// Kakao's `GET /v2/user/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Kakao {
    /// The numeric user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The Kakao account, with what the user consented to share.
    pub kakao_account: Option<KakaoAccount>,
}

/// [`Kakao::kakao_account`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct KakaoAccount {
    /// The profile: nickname and images.
    pub profile: Option<KakaoProfile>,
    /// The email address.
    pub email: Option<String>,
    /// Whether the email address is valid.
    pub is_email_valid: Option<bool>,
    /// Whether the email address is verified.
    pub is_email_verified: Option<bool>,
}

/// [`KakaoAccount::profile`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct KakaoProfile {
    /// The nickname.
    pub nickname: Option<String>,
    /// The profile image URL (640×640).
    pub profile_image_url: Option<String>,
    /// The thumbnail URL (110×110).
    pub thumbnail_image_url: Option<String>,
}

/// Mailchimp's `GET /oauth2/metadata` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Mailchimp {
    /// The account's name.
    pub accountname: Option<String>,
    /// The account's data center, e.g. `us1`.
    pub dc: Option<String>,
    /// The login that signed in.
    pub login: MailchimpLogin,
}

/// [`Mailchimp::login`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct MailchimpLogin {
    /// The login id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub login_id: String,
    /// The login name.
    pub login_name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The avatar URL.
    pub avatar: Option<String>,
}

/// Naver's `GET /v1/nid/me` answer, the user in `response`.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Naver {
    /// The user.
    pub response: NaverUser,
}

/// [`Naver::response`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct NaverUser {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The nickname.
    pub nickname: Option<String>,
    /// The real name.
    pub name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The profile image URL.
    pub profile_image: Option<String>,
}

/// Notion's user who owns the integration (`bot.owner.user` of `GET /v1/users/me`; the bot
/// itself when a workspace owns it).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Notion {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
    /// The person's details (none for a bot).
    pub person: Option<NotionPerson>,
}

/// [`Notion::person`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct NotionPerson {
    /// The email address.
    pub email: Option<String>,
}

/// osu!'s `GET /api/v2/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Osu {
    /// The numeric user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The user name.
    pub username: String,
    /// The avatar URL.
    pub avatar_url: Option<String>,
    /// The ISO 3166-1 country code.
    pub country_code: Option<String>,
}

/// Patreon's `GET /api/oauth2/v2/identity` answer, the user in `data` (JSON:API).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Patreon {
    /// The user.
    pub data: PatreonUser,
}

/// [`Patreon::data`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct PatreonUser {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The fields asked for (`email`, `full_name`, `image_url`).
    pub attributes: PatreonAttributes,
}

/// [`PatreonUser::attributes`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct PatreonAttributes {
    /// The full name.
    pub full_name: Option<String>,
    /// The email address (with `identity[email]`).
    pub email: Option<String>,
    /// The avatar URL.
    pub image_url: Option<String>,
}

/// Pinterest's `GET /v5/user_account` answer (the username is the built-in mapping's id).
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Pinterest {
    /// The username.
    pub username: String,
    /// `PINNER` or `BUSINESS`.
    pub account_type: Option<String>,
    /// The avatar URL.
    pub profile_image: Option<String>,
}

/// Reddit's `GET /api/v1/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Reddit {
    /// The account id (base 36).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The user name.
    pub name: String,
    /// The avatar URL.
    pub icon_img: Option<String>,
    /// Whether the account has a verified email address (the address itself is never sent).
    pub has_verified_email: Option<bool>,
}

/// Strava's `GET /api/v3/athlete` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Strava {
    /// The numeric athlete id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The user name.
    pub username: Option<String>,
    /// The first name.
    pub firstname: Option<String>,
    /// The last name.
    pub lastname: Option<String>,
    /// The large avatar URL (124×124).
    pub profile: Option<String>,
    /// The medium avatar URL (62×62).
    pub profile_medium: Option<String>,
}

/// Twitter's (X's) `GET /2/users/me` answer, the user in `data`.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Twitter {
    /// The user.
    pub data: TwitterUser,
}

/// [`Twitter::data`].
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct TwitterUser {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// The handle, without `@`.
    pub username: Option<String>,
    /// The avatar URL (asked for with `user.fields`).
    pub profile_image_url: Option<String>,
}

/// VK's user (`response[0]` of `users.get`), with the email address the token answer carries.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Vk {
    /// The numeric user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The 100×100 photo URL (asked for with `fields`).
    pub photo_100: Option<String>,
    /// The email address, from the token answer (with the `email` scope).
    pub email: Option<String>,
}

/// Wikimedia's `GET /oauth2/resource/profile` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Wikimedia {
    /// The central user id, as digits.
    #[serde(deserialize_with = "de::id")]
    pub sub: String,
    /// The user name.
    pub username: Option<String>,
    /// The real name, when given.
    pub realname: Option<String>,
    /// The email address (with the email grant).
    pub email: Option<String>,
    /// Whether the email address is confirmed.
    pub confirmed_email: Option<bool>,
}

/// Yandex ID's `GET https://login.yandex.ru/info` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Yandex {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The login.
    pub login: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The first and last name.
    pub real_name: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The default email address.
    pub default_email: Option<String>,
    /// Every email address.
    #[serde(default)]
    pub emails: Vec<String>,
    /// The avatar's id in Yandex's avatar service.
    pub default_avatar_id: Option<String>,
    /// Whether the user has no avatar of their own.
    pub is_avatar_empty: Option<bool>,
}

/// Zoho's `GET /oauth/user/info` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Zoho {
    /// `ZUID`: the user id, as digits.
    #[serde(rename = "ZUID", deserialize_with = "de::id")]
    pub zuid: String,
    /// `First_Name`.
    #[serde(rename = "First_Name")]
    pub first_name: Option<String>,
    /// `Last_Name`.
    #[serde(rename = "Last_Name")]
    pub last_name: Option<String>,
    /// `Display_Name`.
    #[serde(rename = "Display_Name")]
    pub display_name: Option<String>,
    /// `Email`.
    #[serde(rename = "Email")]
    pub email: Option<String>,
}

/// Zoom's `GET /v2/users/me` answer.
#[derive(Deserialize, Clone, Debug)]
#[non_exhaustive]
pub struct Zoom {
    /// The user id.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The avatar URL.
    pub pic_url: Option<String>,
}
