//! Ids and lists as people write them: a number or a string, one or a list (in a file); a
//! comma-separated list (in a variable). A wrong value is named with its key and an example.

use serde::Deserialize;

/// One item of an id or list key: a number or a string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Item {
    Num(u64),
    Text(String),
}

impl Item {
    pub(super) fn text(self) -> String {
        match self {
            Item::Num(n) => n.to_string(),
            Item::Text(s) => s.trim().to_string(),
        }
    }
}

/// A list key: one item or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Items {
    One(Item),
    Many(Vec<Item>),
}

impl Items {
    /// The items as text, empty ones left out.
    pub(super) fn texts(self) -> Vec<String> {
        let items = match self {
            Items::One(i) => vec![i],
            Items::Many(v) => v,
        };
        items
            .into_iter()
            .map(Item::text)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// How a key that takes ids or a list is written, for an error about it.
pub(super) fn example(key: &str) -> Option<&'static str> {
    Some(match key {
        "slack.channels" => {
            "channel ids, e.g. channels = [\"C0123ABCD\", \"C0456EFGH\"] in the file or \
             BACKUP_BOT__SLACK__CHANNELS=C0123ABCD,C0456EFGH"
        }
        "discord.channels" => {
            "Discord channel ids, e.g. channels = [\"1184721109823746048\"] in the file or \
             BACKUP_BOT__DISCORD__CHANNELS=1184721109823746048,1184721109823746049"
        }
        "discord.guilds" => {
            "Discord server (guild) ids, e.g. guilds = [\"1184721109823746048\"] in the file or \
             BACKUP_BOT__DISCORD__GUILDS=1184721109823746048,1184721109823746049"
        }
        "discord.application_id" => {
            "one Discord id, e.g. application_id = \"1184721109823746048\" or \
             BACKUP_BOT__DISCORD__APPLICATION_ID=1184721109823746048"
        }
        "content.dirs" => {
            "folders, e.g. dirs = [\"/etc/backup-bot/runbooks\"] in the file or \
             BACKUP_BOT__CONTENT__DIRS=/srv/runbooks,/etc/backup-bot/runbooks"
        }
        _ => return None,
    })
}

/// A Discord id (a snowflake: a positive number, written as a number or a string).
pub(super) fn snowflake(key: &str, text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{key}: `{text}` is not a Discord id; {}",
            example(key).unwrap_or("a number")
        )),
    }
}

/// A Slack channel id (`C…`, `G…` or `D…`, capital letters and digits), not a channel's name.
pub(super) fn slack_channel(text: &str) -> Result<String, String> {
    let ok = text.len() >= 9
        && text.starts_with(['C', 'G', 'D'])
        && text
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "slack.channels: `{text}` is not a channel id (a channel's name does not work: \
             the id is under the channel's name → About, e.g. C0123ABCD); {}",
            example("slack.channels").unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_and_lists_read_alike() {
        let read = |toml: &str| -> Vec<String> {
            #[derive(Deserialize)]
            struct T {
                v: Items,
            }
            toml::from_str::<T>(toml).unwrap().v.texts()
        };
        assert_eq!(read("v = 222"), ["222"]);
        assert_eq!(read("v = \"222\""), ["222"]);
        assert_eq!(read("v = [\"222\", 333]"), ["222", "333"]);
        assert_eq!(snowflake("discord.guilds", "222"), Ok(222));
        let e = snowflake("discord.guilds", "my-server").unwrap_err();
        assert!(
            e.starts_with("discord.guilds: `my-server` is not a Discord id")
                && e.contains("BACKUP_BOT__DISCORD__GUILDS="),
            "{e}"
        );
        assert!(slack_channel("C0123ABCD").is_ok());
        assert!(slack_channel("#general").unwrap_err().contains("C0123ABCD"));
    }
}
