//! Tokens checked for the mistakes people make: a Slack token of the wrong kind (the bot and
//! app tokens swapped, a user token), and the example file's placeholders left in. No message
//! shows a token: only its kind, by its prefix.

use super::Secret;

/// The id the example file uses for every Discord id.
const PLACEHOLDER_ID: u64 = 123_456_789_012_345_678;

/// A value copied from the example file (or a template) without being filled in.
fn placeholder(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    v.contains("your-")
        || v.contains("your_")
        || v.contains("changeme")
        || v.contains("change-me")
        || v.contains('<')
        || v.contains('…')
        || v.contains("...")
        || v.trim().is_empty()
}

/// What kind of Slack token a value is, by its prefix (the prefix is all that is ever said).
fn kind(value: &str) -> &'static str {
    match value.get(..5) {
        Some("xoxb-") => "a bot token (xoxb-…)",
        Some("xapp-") => "an app-level token (xapp-…)",
        Some("xoxp-") => "a user token (xoxp-…)",
        Some("xoxe-") | Some("xoxe.") => "a refresh or configuration token (xoxe-…)",
        _ => "not a Slack token",
    }
}

pub(super) fn check_slack(
    bot: Option<&Secret>,
    app: Option<&Secret>,
    signing: Option<&Secret>,
    p: &mut Vec<String>,
) {
    let bot = bot.map(Secret::expose);
    let app = app.map(Secret::expose);
    let swapped = matches!((bot, app), (Some(b), Some(a)) if b.starts_with("xapp-") && a.starts_with("xoxb-"));
    if swapped {
        p.push(
            "slack.bot_token and slack.app_token are swapped: the bot token starts with xoxb- \
             (OAuth & Permissions → Bot User OAuth Token), the app-level token with xapp- \
             (Basic Information → App-Level Tokens)"
                .to_string(),
        );
    }
    if let Some(b) = bot {
        if placeholder(b) {
            p.push("slack.bot_token is still the example's placeholder: set the bot token (xoxb-…) from OAuth & Permissions".to_string());
        } else if !swapped && !b.starts_with("xoxb-") {
            let hint = if b.starts_with("xapp-") {
                "; it belongs in slack.app_token"
            } else {
                ""
            };
            p.push(format!(
                "slack.bot_token must be a bot token (xoxb-…, OAuth & Permissions → Bot User OAuth Token); it is {}{hint}",
                kind(b)
            ));
        }
    }
    if let Some(a) = app {
        if placeholder(a) {
            p.push("slack.app_token is still the example's placeholder: set an app-level token (xapp-…) with connections:write".to_string());
        } else if !swapped && !a.starts_with("xapp-") {
            let hint = if a.starts_with("xoxb-") {
                "; it belongs in slack.bot_token"
            } else {
                ""
            };
            p.push(format!(
                "slack.app_token must be an app-level token (xapp-…, Basic Information → App-Level Tokens, with connections:write); it is {}{hint}",
                kind(a)
            ));
        }
    }
    if let Some(s) = signing {
        if placeholder(s.expose()) {
            p.push("slack.signing_secret is still the example's placeholder: set the Signing Secret from Basic Information".to_string());
        } else if s.expose().starts_with("xox") || s.expose().starts_with("xapp-") {
            p.push(format!(
                "slack.signing_secret holds {}: the signing secret is under Basic Information → App Credentials",
                kind(s.expose())
            ));
        }
    }
}

pub(super) fn check_discord(token: &Secret, app: Option<u64>, guilds: &[u64], p: &mut Vec<String>) {
    let t = token.expose();
    if placeholder(t) {
        p.push("discord.token is still the example's placeholder: set the bot token (Bot → Reset Token)".to_string());
    } else if t.starts_with("xox") || t.starts_with("xapp-") {
        p.push(format!(
            "discord.token holds a Slack token ({}); the Discord bot token is under Bot → Reset Token",
            kind(t)
        ));
    } else if t.to_ascii_lowercase().starts_with("bot ") {
        p.push("discord.token must be the token alone, without `Bot ` before it".to_string());
    }
    if app == Some(PLACEHOLDER_ID) {
        p.push("discord.application_id is still the example's placeholder: set the id from General Information (or leave it out: it is looked up)".to_string());
    }
    if guilds.contains(&PLACEHOLDER_ID) {
        p.push("discord.guilds holds the example's placeholder id: set your server's id (Server Settings → Widget → Server ID) or leave guilds out".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(bot: Option<&str>, app: Option<&str>) -> Vec<String> {
        let mut p = Vec::new();
        let b = bot.map(|s| Secret(s.into()));
        let a = app.map(|s| Secret(s.into()));
        check_slack(b.as_ref(), a.as_ref(), None, &mut p);
        p
    }

    #[test]
    fn slack_tokens_of_the_wrong_kind_are_named_without_showing_them() {
        assert!(slack(Some("xoxb-1-2-abc"), Some("xapp-1-A-2-def")).is_empty());
        let p = slack(Some("xapp-1-A-2-def"), Some("xoxb-1-2-abc"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("swapped"), "{p:?}");
        let p = slack(Some("xoxp-1-2-abc"), Some("xapp-1-A-2-def"));
        assert!(p[0].contains("it is a user token (xoxp-…)"), "{p:?}");
        let p = slack(Some("xapp-1-A-2-def"), None);
        assert!(p[0].contains("it belongs in slack.app_token"), "{p:?}");
        let p = slack(Some("xoxb-your-bot-token"), Some("xapp-your-app-token"));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|x| x.contains("placeholder")), "{p:?}");
        for x in slack(Some("xoxp-1-2-abc"), Some("nonsense-secret-value")) {
            assert!(!x.contains("abc") && !x.contains("nonsense"), "{x}");
        }
    }

    #[test]
    fn discord_placeholders_are_refused() {
        let mut p = Vec::new();
        check_discord(
            &Secret("your-discord-bot-token".into()),
            Some(PLACEHOLDER_ID),
            &[PLACEHOLDER_ID],
            &mut p,
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }
}
