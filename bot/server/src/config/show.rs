//! The configuration shown back: `config check` prints it as TOML, every secret redacted (a
//! URL's password and query too); the note printed when no chat platform is configured.

use super::scrub::urls;
use super::Secret;
use super::{ChannelPolicy, DiscordReply, LogFormat, Mode, ResponseType, Settings, SlackMode};
use std::collections::BTreeMap;
use std::fmt::Write as _;

impl Settings {
    /// The effective configuration as TOML, every secret redacted.
    pub fn redacted(&self) -> String {
        let mut s = String::new();
        if let Some(p) = &self.source {
            let _ = writeln!(s, "# from {} and BACKUP_BOT__ variables", p.display());
        } else {
            let _ = writeln!(s, "# from defaults and BACKUP_BOT__ variables (no file)");
        }
        let _ = writeln!(s, "[http]\nlisten = {:?}\n", self.listen);
        match &self.slack {
            None => {
                let _ = writeln!(s, "# [slack] not configured\n");
            }
            Some(sl) => {
                let secret = |x: &Option<Secret>| {
                    if x.is_some() {
                        "\"[redacted]\""
                    } else {
                        "\"\" # not set"
                    }
                };
                let _ = writeln!(
                    s,
                    "[slack]\nmode = {:?}\nbot_token = \"[redacted]\"\napp_token = {}\nsigning_secret = {}\napi_url = {:?}",
                    match sl.mode {
                        SlackMode::Socket => "socket",
                        SlackMode::Http => "http",
                    },
                    secret(&sl.app_token),
                    secret(&sl.signing_secret),
                    urls(&sl.api_url)
                );
                if let Some(allow) = &self.policy.allow {
                    let mut a: Vec<&String> = allow.iter().collect();
                    a.sort();
                    let _ = writeln!(s, "channels = {a:?}");
                }
                s.push('\n');
            }
        }
        match &self.discord {
            None => {
                let _ = writeln!(s, "# [discord] not configured\n");
            }
            Some(d) => {
                let _ = writeln!(s, "[discord]\ntoken = \"[redacted]\"");
                if let Some(id) = d.application_id {
                    let _ = writeln!(s, "application_id = {id}");
                }
                let _ = writeln!(s, "guilds = {:?}", d.guilds);
                if let Some(url) = &d.api_url {
                    let _ = writeln!(s, "api_url = {:?}", urls(url));
                }
                let _ = writeln!(
                    s,
                    "reply = {:?}",
                    match d.reply {
                        DiscordReply::Reply => "reply",
                        DiscordReply::Thread => "thread",
                    }
                );
                if let Some(allow) = &d.allow {
                    let mut a: Vec<&String> = allow.iter().collect();
                    a.sort();
                    let _ = writeln!(s, "channels = {a:?}");
                }
                s.push('\n');
            }
        }
        let _ = writeln!(
            s,
            "[storage]\nurl = {:?}{}\nretention = \"{}s\"\n",
            urls(&redact_url(&self.storage_url())),
            if self.storage_url.is_none() {
                " # the default for serve and stats (the console keeps its state in memory)"
            } else {
                ""
            },
            self.storage_retention_secs
        );
        let _ = writeln!(
            s,
            "[commands]\nresponse_type = {:?}\n",
            match self.response_type {
                ResponseType::Ephemeral => "ephemeral",
                ResponseType::InChannel => "in_channel",
            }
        );
        let dirs: Vec<String> = self
            .content_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let _ = writeln!(
            s,
            "[content]\ndirs = {dirs:?}\nwatch = {:?}\n",
            if self.content_watch_secs == 0 {
                "off".to_string()
            } else {
                format!("{}s", self.content_watch_secs)
            }
        );
        let _ = writeln!(
            s,
            "[log]\nformat = {:?}\n",
            match self.log_format {
                LogFormat::Human => "human",
                LogFormat::Json => "json",
            }
        );
        let policy = |p: &ChannelPolicy| {
            format!(
                "mode = {:?}\ncooldown = \"{}s\"",
                match p.mode {
                    Mode::Auto => "auto",
                    Mode::Mention => "mention",
                    Mode::Off => "off",
                },
                p.cooldown_secs
            )
        };
        s.push_str(&super::escalation::show(
            &self.escalation,
            self.pagerduty.as_ref(),
        ));
        let _ = writeln!(s, "[defaults]\n{}\n", policy(&self.policy.default));
        let sorted: BTreeMap<&String, &ChannelPolicy> = self.policy.channels.iter().collect();
        for (id, p) in sorted {
            let oncall = super::escalation::show_override(self.escalation.channels.get(id));
            let _ = writeln!(s, "[channels.{id:?}]\n{}{oncall}\n", policy(p));
        }
        s
    }

    /// The keys that would make some platform run, when none is configured.
    pub fn missing_platform(&self) -> Option<String> {
        if self.slack.is_some() || self.discord.is_some() {
            return None;
        }
        Some(
            "no chat platform is configured: set slack.bot_token with slack.app_token (Socket Mode) \
             or with slack.mode = \"http\" and slack.signing_secret, or set discord.token (in the \
             config file or as BACKUP_BOT__SLACK__BOT_TOKEN, BACKUP_BOT__DISCORD__TOKEN and so on). \
             To try the bot without a platform, run `backup-bot console`."
                .to_string(),
        )
    }
}

pub(super) use backup_bot_store::redact as redact_url;
