//! Configuration: a TOML file (`--config`, else `BACKUP_BOT_CONFIG`, else `backup-bot.toml` if
//! present) overridden by environment variables `BACKUP_BOT__SECTION__KEY`, read once into a raw
//! struct that refuses unknown keys, then validated into [`Settings`]. Secrets are [`Secret`]s:
//! they never print.

use anyhow::{bail, Result};
use backup_bot_core::chat::{ChannelPolicy, Mode, Policy};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod escalation;
mod ids;
mod load;
pub(crate) mod scrub;
mod secret;
mod show;
mod tokens;

pub use escalation::PagerDutySettings;
pub use load::{load, load_content_dirs};
pub use secret::Secret;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    slack: RawSlack,
    #[serde(default)]
    discord: RawDiscord,
    #[serde(default)]
    storage: RawStorage,
    #[serde(default)]
    commands: RawCommands,
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    escalation: escalation::RawEscalation,
    #[serde(default)]
    pagerduty: escalation::RawPagerDuty,
    #[serde(default)]
    defaults: RawChannel,
    #[serde(default)]
    channels: HashMap<String, RawChannel>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlack {
    mode: Option<String>,
    bot_token: Option<Secret>,
    app_token: Option<Secret>,
    signing_secret: Option<Secret>,
    api_url: Option<String>,
    channels: Option<ids::Items>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscord {
    token: Option<Secret>,
    application_id: Option<ids::Item>,
    guilds: Option<ids::Items>,
    channels: Option<ids::Items>,
    api_url: Option<String>,
    reply: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    url: Option<Secret>,
    retention: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommands {
    response_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    dirs: Option<ids::Items>,
    watch: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    mode: Option<String>,
    cooldown: Option<String>,
    escalation_channel: Option<String>,
    slack_oncall: Option<String>,
    slack_oncall_secondary: Option<String>,
    discord_oncall: Option<String>,
    discord_oncall_secondary: Option<String>,
}

/// How Slack reaches the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlackMode {
    Socket,
    Http,
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub mode: SlackMode,
    pub bot_token: Secret,
    pub app_token: Option<Secret>,
    pub signing_secret: Option<Secret>,
    pub api_url: String,
}

/// How the bot answers a paste on Discord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscordReply {
    /// A reply to the message.
    Reply,
    /// A new thread on the message.
    Thread,
}

#[derive(Debug, Clone)]
pub struct DiscordSettings {
    pub token: Secret,
    pub application_id: Option<u64>,
    pub guilds: Vec<u64>,
    /// An origin such as `http://127.0.0.1:8081` (no path); `None` for Discord itself.
    pub api_url: Option<String>,
    pub reply: DiscordReply,
    pub allow: Option<std::collections::HashSet<String>>,
}

/// Whether command answers are seen by everyone in the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Ephemeral,
    InChannel,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one line each, colour only on a terminal.
    Human,
    /// For log collectors: one JSON object per line.
    Json,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub slack: Option<SlackSettings>,
    pub discord: Option<DiscordSettings>,
    /// Where the state lives; `None`: the command's default (a SQLite file for `serve`,
    /// memory for the console). Its password is a secret.
    pub storage_url: Option<Secret>,
    /// How long claims and replies are kept, in seconds (feedback is kept).
    pub storage_retention_secs: u64,
    pub response_type: ResponseType,
    /// A team's own entry folders (runbooks), loaded beside the shipped content.
    pub content_dirs: Vec<PathBuf>,
    /// How often the folders are looked at for changes, in seconds (0: only on SIGHUP).
    pub content_watch_secs: u64,
    pub policy: Policy,
    /// Who is paged and when; `pagerduty` when a routing key is set.
    pub escalation: backup_bot_core::escalation::Setup,
    pub pagerduty: Option<PagerDutySettings>,
    pub log_format: LogFormat,
    /// Where it came from, for `config check`.
    pub source: Option<PathBuf>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_SLACK_API: &str = "https://slack.com/api";
pub const DEFAULT_CONTENT_WATCH_SECS: u64 = 2;
/// Where `serve` and `stats` keep the state unless `storage.url` says otherwise.
pub const DEFAULT_STORAGE_URL: &str = "sqlite://backup-bot.db";
pub const DEFAULT_RETENTION_SECS: u64 = 30 * 86_400;

/// A duration such as `30m`, `12h` or `30d` (days without the 30-day bound of the command).
pub fn long_duration(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    match t.strip_suffix('d') {
        Some(days) if !days.is_empty() && days.bytes().all(|b| b.is_ascii_digit()) => days
            .parse::<u64>()
            .ok()?
            .checked_mul(86_400)
            .filter(|&n| n > 0),
        _ => backup_bot_core::command::duration(&t),
    }
}

impl Settings {
    /// The storage URL `serve` and `stats` use.
    pub fn storage_url(&self) -> String {
        self.storage_url.as_ref().map_or_else(
            || DEFAULT_STORAGE_URL.to_string(),
            |s| s.expose().to_string(),
        )
    }
}

/// Finds the configuration file: `--config`, else `BACKUP_BOT_CONFIG`, else `backup-bot.toml`.
pub fn locate(flag: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(p) = flag {
        if !p.exists() {
            bail!("configuration file {} does not exist", p.display());
        }
        return Ok(Some(p.to_path_buf()));
    }
    if let Ok(p) = std::env::var("BACKUP_BOT_CONFIG") {
        let p = PathBuf::from(p);
        if !p.exists() {
            bail!(
                "BACKUP_BOT_CONFIG names {}, which does not exist",
                p.display()
            );
        }
        return Ok(Some(p));
    }
    let p = PathBuf::from("backup-bot.toml");
    Ok(p.exists().then_some(p))
}

/// The raw configuration checked into settings; each problem is added to `p` (and a default
/// stands in for the wrong value, so that the rest is checked too).
fn validate(raw: Raw, source: Option<PathBuf>, p: &mut Vec<String>) -> Settings {
    let listen = raw
        .http
        .listen
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    if listen.parse::<std::net::SocketAddr>().is_err() {
        p.push(format!(
            "http.listen `{listen}` is not an address such as 127.0.0.1:8080"
        ));
    }
    let s = raw.slack;
    let mode = match s.mode.as_deref().unwrap_or("socket") {
        "socket" => SlackMode::Socket,
        "http" => SlackMode::Http,
        other => {
            p.push(format!("slack.mode `{other}` must be `socket` or `http`"));
            SlackMode::Socket
        }
    };
    let api_url = s.api_url.unwrap_or_else(|| DEFAULT_SLACK_API.to_string());
    if api_url.ends_with('/') {
        p.push(format!(
            "slack.api_url `{api_url}` must not end with a slash"
        ));
    }
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        p.push(format!("slack.api_url `{api_url}` must be an http(s) URL"));
    }
    tokens::check_slack(
        s.bot_token.as_ref(),
        s.app_token.as_ref(),
        s.signing_secret.as_ref(),
        p,
    );
    let slack = match s.bot_token {
        None => {
            if s.app_token.is_some() || s.signing_secret.is_some() {
                p.push(
                    "slack.app_token or slack.signing_secret is set but slack.bot_token is not \
                     (the xoxb- token from OAuth & Permissions)"
                        .to_string(),
                );
            }
            None
        }
        Some(bot_token) => {
            match mode {
                SlackMode::Socket if s.app_token.is_none() => p.push(
                    "slack.mode is `socket` but slack.app_token is not set (an xapp- token with connections:write)"
                        .to_string(),
                ),
                SlackMode::Http if s.signing_secret.is_none() => p.push(
                    "slack.mode is `http` but slack.signing_secret is not set".to_string(),
                ),
                _ => {}
            }
            Some(SlackSettings {
                mode,
                bot_token,
                app_token: s.app_token,
                signing_secret: s.signing_secret,
                api_url,
            })
        }
    };
    let d = raw.discord;
    let reply = match d.reply.as_deref().unwrap_or("reply") {
        "reply" => DiscordReply::Reply,
        "thread" => DiscordReply::Thread,
        other => {
            p.push(format!(
                "discord.reply `{other}` must be `reply` or `thread`"
            ));
            DiscordReply::Reply
        }
    };
    if let Some(url) = &d.api_url {
        let ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.splitn(4, '/').nth(3).is_none_or(|p| p.is_empty());
        if !ok {
            p.push(format!(
                "discord.api_url `{url}` must be an origin such as http://127.0.0.1:8081 (no path)"
            ));
        }
    }
    let mut snowflakes = |key: &str, texts: Vec<String>| -> Vec<u64> {
        texts
            .iter()
            .filter_map(|t| ids::snowflake(key, t).map_err(|e| p.push(e)).ok())
            .collect()
    };
    let application_id = d
        .application_id
        .map(|i| snowflakes("discord.application_id", vec![i.text()]))
        .and_then(|v| v.first().copied());
    let guilds = snowflakes(
        "discord.guilds",
        d.guilds.map(ids::Items::texts).unwrap_or_default(),
    );
    let discord_allow = d.channels.map(|c| {
        let texts = c.texts();
        snowflakes("discord.channels", texts.clone());
        texts.into_iter().collect()
    });
    if let Some(token) = &d.token {
        tokens::check_discord(token, application_id, &guilds, p);
    }
    let discord = d.token.map(|token| DiscordSettings {
        token,
        application_id,
        guilds,
        api_url: d.api_url.map(|u| u.trim_end_matches('/').to_string()),
        reply,
        allow: discord_allow,
    });
    let slack_allow = s.channels.map(|c| {
        c.texts()
            .into_iter()
            .filter_map(|t| ids::slack_channel(&t).map_err(|e| p.push(e)).ok())
            .collect()
    });
    let response_type = match raw.commands.response_type.as_deref().unwrap_or("ephemeral") {
        "ephemeral" => ResponseType::Ephemeral,
        "in_channel" => ResponseType::InChannel,
        other => {
            p.push(format!(
                "commands.response_type `{other}` must be `ephemeral` or `in_channel`"
            ));
            ResponseType::Ephemeral
        }
    };
    let content_dirs: Vec<PathBuf> = raw
        .content
        .dirs
        .map(ids::Items::texts)
        .unwrap_or_default()
        .into_iter()
        .map(PathBuf::from)
        .collect();
    let content_watch_secs = match raw.content.watch.as_deref() {
        None => DEFAULT_CONTENT_WATCH_SECS,
        Some("0") | Some("off") => 0,
        Some(d) => backup_bot_core::command::duration(d).unwrap_or_else(|| {
            p.push(format!(
                "content.watch `{d}` is not a duration such as 2s (or \"off\")"
            ));
            DEFAULT_CONTENT_WATCH_SECS
        }),
    };
    let log_format = match raw.log.format.as_deref().unwrap_or("human") {
        "human" => LogFormat::Human,
        "json" => LogFormat::Json,
        other => {
            p.push(format!("log.format `{other}` must be `human` or `json`"));
            LogFormat::Human
        }
    };
    if let Some(url) = &raw.storage.url {
        if let Err(why) = backup_bot_store::Backend::of(url.expose()) {
            p.push(format!(
                "storage.url `{}` {why}",
                backup_bot_store::redact(url.expose())
            ));
        }
    }
    let storage_retention_secs = match raw.storage.retention.as_deref() {
        None => DEFAULT_RETENTION_SECS,
        Some(d) => long_duration(d).unwrap_or_else(|| {
            p.push(format!(
                "storage.retention `{d}` is not a duration such as 30d"
            ));
            DEFAULT_RETENTION_SECS
        }),
    };
    let default = channel_policy(&raw.defaults, ChannelPolicy::default(), "defaults", p);
    let oncall = raw.channels.iter().map(|(id, c)| (id.clone(), c.oncall()));
    let escalation = escalation::validate(raw.escalation, oncall.collect(), &raw.defaults, p);
    let pagerduty = escalation::pagerduty(raw.pagerduty, p);
    let mut channels = HashMap::new();
    for (id, c) in &raw.channels {
        channels.insert(
            id.clone(),
            channel_policy(c, default, &format!("channels.\"{id}\""), p),
        );
    }
    Settings {
        listen,
        slack,
        discord,
        storage_url: raw.storage.url,
        storage_retention_secs,
        response_type,
        content_dirs,
        content_watch_secs,
        policy: Policy {
            default,
            channels,
            allow: slack_allow,
            escalate_after: escalation.auto_after,
        },
        escalation,
        pagerduty,
        log_format,
        source,
    }
}

fn channel_policy(
    c: &RawChannel,
    base: ChannelPolicy,
    at: &str,
    p: &mut Vec<String>,
) -> ChannelPolicy {
    let mode = match c.mode.as_deref() {
        None => base.mode,
        Some("auto") => Mode::Auto,
        Some("mention") => Mode::Mention,
        Some("off") => Mode::Off,
        Some(other) => {
            p.push(format!(
                "{at}.mode `{other}` must be `auto`, `mention` or `off`"
            ));
            base.mode
        }
    };
    let cooldown_secs = match c.cooldown.as_deref() {
        None => base.cooldown_secs,
        Some("0") | Some("off") => 0,
        Some(d) => backup_bot_core::command::duration(d).unwrap_or_else(|| {
            p.push(format!("{at}.cooldown `{d}` is not a duration such as 30m"));
            base.cooldown_secs
        }),
    };
    ChannelPolicy {
        mode,
        cooldown_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("xoxb-123".into());
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(
            show::redact_url("postgres://bot:pw@db/x"),
            "postgres://bot:[redacted]@db/x"
        );
    }
}
