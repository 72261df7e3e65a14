//! Configuration: a TOML file (`--config`, else `BACKUP_BOT_CONFIG`, else `backup-bot.toml` if
//! present) overridden by environment variables `BACKUP_BOT__SECTION__KEY`, read once into a raw
//! struct that refuses unknown keys, then validated into [`Settings`]. Secrets are [`Secret`]s:
//! they never print.

use anyhow::{anyhow, bail, Context, Result};
use backup_bot_core::chat::{ChannelPolicy, Mode, Policy};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod show;

/// A secret (kept by `secrecy`: zeroed when dropped): its `Debug` and `Display` say
/// `[redacted]`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(SecretString);

impl Secret {
    #[cfg(test)]
    pub fn new(s: String) -> Secret {
        Secret(SecretString::from(s))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

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
    channels: Option<OneOrMany<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscord {
    token: Option<Secret>,
    application_id: Option<u64>,
    guilds: Option<OneOrMany<u64>>,
    channels: Option<OneOrMany<Id>>,
    api_url: Option<String>,
    reply: Option<String>,
}

/// A list, or a single value (an environment variable with one item reads as a scalar).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

/// An id given as a number or a string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Id {
    Num(u64),
    Text(String),
}

impl Id {
    fn text(self) -> String {
        match self {
            Id::Num(n) => n.to_string(),
            Id::Text(s) => s,
        }
    }
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
    dirs: Option<OneOrMany<String>>,
    watch: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    mode: Option<String>,
    cooldown: Option<String>,
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

/// Reads the file (if any) and the environment into settings.
pub fn load(flag: Option<&Path>) -> Result<Settings> {
    let path = locate(flag)?;
    let mut b = config::Config::builder();
    if let Some(p) = &path {
        b = b.add_source(config::File::from(p.as_path()).format(config::FileFormat::Toml));
    }
    b = b.add_source(
        config::Environment::with_prefix("BACKUP_BOT")
            .prefix_separator("__")
            .separator("__")
            .list_separator(",")
            .with_list_parse_key("slack.channels")
            .with_list_parse_key("discord.channels")
            .with_list_parse_key("discord.guilds")
            .with_list_parse_key("content.dirs")
            .try_parsing(true),
    );
    let raw: Raw = b
        .build()
        .and_then(|c| c.try_deserialize())
        .map_err(|e| anyhow!("{}", describe(e)))
        .with_context(|| match &path {
            Some(p) => format!(
                "configuration in {} (and BACKUP_BOT__ variables)",
                p.display()
            ),
            None => "configuration from BACKUP_BOT__ variables".to_string(),
        })?;
    validate(raw, path)
}

/// The config crate's error, with an unknown key named plainly.
fn describe(e: config::ConfigError) -> String {
    let s = e.to_string();
    match s.split_once("unknown field `") {
        Some((_, rest)) => {
            let field = rest.split('`').next().unwrap_or(rest);
            let key = match s.rsplit_once("for key `") {
                Some((_, k)) => format!("{}.{field}", k.trim_end_matches('`')),
                None => field.to_string(),
            };
            format!("unknown key `{key}` ({s})")
        }
        None => s,
    }
}

fn validate(raw: Raw, source: Option<PathBuf>) -> Result<Settings> {
    let listen = raw
        .http
        .listen
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    listen.parse::<std::net::SocketAddr>().with_context(|| {
        format!("http.listen `{listen}` is not an address such as 127.0.0.1:8080")
    })?;
    let s = raw.slack;
    let mode = match s.mode.as_deref().unwrap_or("socket") {
        "socket" => SlackMode::Socket,
        "http" => SlackMode::Http,
        other => bail!("slack.mode `{other}` must be `socket` or `http`"),
    };
    let api_url = s.api_url.unwrap_or_else(|| DEFAULT_SLACK_API.to_string());
    if api_url.ends_with('/') {
        bail!("slack.api_url `{api_url}` must not end with a slash");
    }
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        bail!("slack.api_url `{api_url}` must be an http(s) URL");
    }
    let slack = match s.bot_token {
        None => None,
        Some(bot_token) => {
            match mode {
                SlackMode::Socket if s.app_token.is_none() => {
                    bail!("slack.mode is `socket` but slack.app_token is not set (an xapp- token with connections:write)")
                }
                SlackMode::Http if s.signing_secret.is_none() => {
                    bail!("slack.mode is `http` but slack.signing_secret is not set")
                }
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
        other => bail!("discord.reply `{other}` must be `reply` or `thread`"),
    };
    if let Some(url) = &d.api_url {
        let ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.splitn(4, '/').nth(3).is_none_or(|p| p.is_empty());
        if !ok {
            bail!(
                "discord.api_url `{url}` must be an origin such as http://127.0.0.1:8081 (no path)"
            );
        }
    }
    let discord = d.token.map(|token| DiscordSettings {
        token,
        application_id: d.application_id,
        guilds: d.guilds.map(OneOrMany::into_vec).unwrap_or_default(),
        api_url: d.api_url.map(|u| u.trim_end_matches('/').to_string()),
        reply,
        allow: d
            .channels
            .map(|c| c.into_vec().into_iter().map(Id::text).collect()),
    });
    let response_type = match raw.commands.response_type.as_deref().unwrap_or("ephemeral") {
        "ephemeral" => ResponseType::Ephemeral,
        "in_channel" => ResponseType::InChannel,
        other => bail!("commands.response_type `{other}` must be `ephemeral` or `in_channel`"),
    };
    let content_dirs: Vec<PathBuf> = raw
        .content
        .dirs
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let d = d.trim().to_string();
            if d.is_empty() {
                bail!("content.dirs has an empty folder name");
            }
            Ok(PathBuf::from(d))
        })
        .collect::<Result<_>>()?;
    let content_watch_secs = match raw.content.watch.as_deref() {
        None => DEFAULT_CONTENT_WATCH_SECS,
        Some("0") | Some("off") => 0,
        Some(d) => backup_bot_core::command::duration(d).with_context(|| {
            format!("content.watch `{d}` is not a duration such as 2s (or \"off\")")
        })?,
    };
    if let Some(url) = &raw.storage.url {
        backup_bot_store::Backend::of(url.expose()).map_err(|why| {
            anyhow!(
                "storage.url `{}` {why}",
                backup_bot_store::redact(url.expose())
            )
        })?;
    }
    let storage_retention_secs = match raw.storage.retention.as_deref() {
        None => DEFAULT_RETENTION_SECS,
        Some(d) => long_duration(d)
            .with_context(|| format!("storage.retention `{d}` is not a duration such as 30d"))?,
    };
    let default = channel_policy(&raw.defaults, ChannelPolicy::default(), "defaults")?;
    let mut channels = HashMap::new();
    for (id, c) in &raw.channels {
        channels.insert(
            id.clone(),
            channel_policy(c, default, &format!("channels.\"{id}\""))?,
        );
    }
    Ok(Settings {
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
            allow: s.channels.map(|c| c.into_vec().into_iter().collect()),
        },
        source,
    })
}

fn channel_policy(c: &RawChannel, base: ChannelPolicy, at: &str) -> Result<ChannelPolicy> {
    let mode = match c.mode.as_deref() {
        None => base.mode,
        Some("auto") => Mode::Auto,
        Some("mention") => Mode::Mention,
        Some("off") => Mode::Off,
        Some(other) => bail!("{at}.mode `{other}` must be `auto`, `mention` or `off`"),
    };
    let cooldown_secs = match c.cooldown.as_deref() {
        None => base.cooldown_secs,
        Some("0") | Some("off") => 0,
        Some(d) => backup_bot_core::command::duration(d)
            .with_context(|| format!("{at}.cooldown `{d}` is not a duration such as 30m"))?,
    };
    Ok(ChannelPolicy {
        mode,
        cooldown_secs,
    })
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
