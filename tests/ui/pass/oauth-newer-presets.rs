//! The presets added after next-auth's own list: each is a kind of `auth!`, builds at start-up
//! without network, and is listed under its default name.
#![deny(missing_docs, warnings)]

use auth_runtime::auth;

auth! {
    secret: env("NEXTAUTH_SECRET"),
    providers: {
        atlassian: Atlassian { client_id: env("ATLASSIAN_ID"), client_secret: env("ATLASSIAN_SECRET") },
        authentik: Authentik {
            issuer: env("AUTHENTIK_ISSUER"),
            client_id: env("AUTHENTIK_ID"),
            client_secret: env("AUTHENTIK_SECRET"),
        },
        bitbucket: Bitbucket { client_id: env("BITBUCKET_ID"), client_secret: env("BITBUCKET_SECRET") },
        "box": Box { client_id: env("BOX_ID"), client_secret: env("BOX_SECRET") },
        cognito: Cognito {
            issuer: env("COGNITO_ISSUER"),
            client_id: env("COGNITO_ID"),
            client_secret: env("COGNITO_SECRET"),
        },
        dropbox: Dropbox { client_id: env("DROPBOX_ID"), client_secret: env("DROPBOX_SECRET") },
        kakao: Kakao { client_id: env("KAKAO_ID"), client_secret: env("KAKAO_SECRET") },
        line: Line { client_id: env("LINE_ID"), client_secret: env("LINE_SECRET") },
        naver: Naver { client_id: env("NAVER_ID"), client_secret: env("NAVER_SECRET") },
        notion: Notion { client_id: env("NOTION_ID"), client_secret: env("NOTION_SECRET") },
        reddit: Reddit { client_id: env("REDDIT_ID"), client_secret: env("REDDIT_SECRET") },
        salesforce: Salesforce { client_id: env("SALESFORCE_ID"), client_secret: env("SALESFORCE_SECRET") },
        strava: Strava { client_id: env("STRAVA_ID"), client_secret: env("STRAVA_SECRET") },
        twitter: Twitter { client_id: env("TWITTER_ID"), client_secret: env("TWITTER_SECRET") },
        vk: Vk { client_id: env("VK_ID"), client_secret: env("VK_SECRET") },
        yandex: Yandex { client_id: env("YANDEX_ID"), client_secret: env("YANDEX_SECRET") },
        zoho: Zoho { client_id: env("ZOHO_ID"), client_secret: env("ZOHO_SECRET") },
        zoom: Zoom { client_id: env("ZOOM_ID"), client_secret: env("ZOOM_SECRET") },
    },
}

fn main() {
    let vars = |name: &str| -> Option<String> {
        Some(match name {
            "NEXTAUTH_SECRET" => "s".repeat(32),
            _ if name.ends_with("_ISSUER") => "https://idp.example.com".to_owned(),
            _ if name.ends_with("_ID") || name.ends_with("_SECRET") => format!("value of {name}"),
            _ => return None,
        })
    };
    let auth = match auth::config_from(&vars) {
        Ok(auth) => auth,
        Err(e) => panic!("every preset builds: {e}"),
    };
    let ids: Vec<&str> = auth.provider_ids().collect();
    assert_eq!(ids.len(), 18);
    let names: Vec<&str> = auth::PROVIDERS.iter().map(|p| p.name).collect();
    for name in ["Twitter", "Cognito", "LINE", "VK", "Box"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
}
