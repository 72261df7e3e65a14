//! Escalation to on-call, decided without I/O: who is on call for a channel
//! ([`Setup::targets`]), the escalation card ([`card()`]), the reminder ([`reminder`]), the
//! `status` listing ([`status`]), the `escalate` grammar ([`grammar::parse`]) and the paste as it
//! is kept and shown ([`paste::prepare`]). The on-call target is the only mention that ever
//! leaves: every other text is sanitised for its platform.

mod card;
pub mod grammar;
pub mod paste;
mod request;

pub use card::{card, reminder, status, Open};
pub use grammar::Escalate;
pub use request::{Move, Request, Tell, Via, Walked};

use std::collections::HashMap;

/// Action ids of the escalation card's buttons (data after a colon: the escalation id).
pub mod action {
    pub const ACK: &str = "escalation.ack";
    pub const RESOLVE: &str = "escalation.resolve";
}

/// Where a text goes: each platform has its own mentions and its own sanitiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Slack,
    Discord,
    Console,
}

/// Whom an escalation pings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A Slack user group `S…`: `<!subteam^S…>`.
    SlackGroup(String),
    /// A Slack user `U…` (or `W…`): `<@U…>`.
    SlackUser(String),
    /// A Discord role: `<@&ID>`.
    DiscordRole(u64),
    /// A Discord user: `<@ID>`.
    DiscordUser(u64),
}

impl Target {
    /// A Slack target as configured: `S…` a user group, `U…`/`W…` a user.
    pub fn slack(text: &str) -> Result<Target, String> {
        let t = text.trim();
        let ok = t.len() >= 3
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        match t.as_bytes().first() {
            Some(b'S') if ok => Ok(Target::SlackGroup(t.to_string())),
            Some(b'U' | b'W') if ok => Ok(Target::SlackUser(t.to_string())),
            _ => Err(format!(
                "`{}` is not a Slack user group (S0123ABCD) or user (U0123ABCD)",
                crate::reply::short(t, 40)
            )),
        }
    }

    /// A Discord target as configured: `role:ID` or `user:ID` (both are bare snowflakes).
    pub fn discord(text: &str) -> Result<Target, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "`{}` is not role:ID or user:ID (e.g. role:1184721109823746048)",
                crate::reply::short(t, 40)
            )
        };
        let (kind, id) = t.split_once(':').ok_or_else(bad)?;
        let id: u64 = id.trim().parse().ok().filter(|&n| n > 0).ok_or_else(bad)?;
        match kind.trim() {
            "role" => Ok(Target::DiscordRole(id)),
            "user" => Ok(Target::DiscordUser(id)),
            _ => Err(bad()),
        }
    }

    /// The mention as the platform writes it.
    pub fn mention(&self) -> String {
        match self {
            Target::SlackGroup(id) => format!("<!subteam^{id}>"),
            Target::SlackUser(id) => format!("<@{id}>"),
            Target::DiscordRole(id) => format!("<@&{id}>"),
            Target::DiscordUser(id) => format!("<@{id}>"),
        }
    }

    /// The target as configured (`S…`, `U…`, `role:ID`, `user:ID`).
    pub fn written(&self) -> String {
        match self {
            Target::SlackGroup(id) | Target::SlackUser(id) => id.clone(),
            Target::DiscordRole(id) => format!("role:{id}"),
            Target::DiscordUser(id) => format!("user:{id}"),
        }
    }

    pub fn platform(&self) -> Platform {
        match self {
            Target::SlackGroup(_) | Target::SlackUser(_) => Platform::Slack,
            Target::DiscordRole(_) | Target::DiscordUser(_) => Platform::Discord,
        }
    }
}

/// The on-call targets of one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub primary: Option<Target>,
    pub secondary: Option<Target>,
}

/// What a `[channels."…"]` table changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    pub channel: Option<String>,
    pub slack: Targets,
    pub discord: Targets,
}

/// The escalation configuration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// Where cards go (else the paste's own thread).
    pub channel: Option<String>,
    pub slack: Targets,
    pub discord: Targets,
    /// Seconds without an acknowledgement before a reminder.
    pub ack_timeout_secs: u64,
    /// Escalate by itself after this many "still failing" presses in one thread.
    pub auto_after: Option<u32>,
    /// Who may acknowledge or resolve (user groups and users); empty: anyone in the channel.
    pub responders: Vec<String>,
    pub channels: HashMap<String, Override>,
}

pub const DEFAULT_ACK_TIMEOUT_SECS: u64 = 15 * 60;

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            channel: None,
            slack: Targets::default(),
            discord: Targets::default(),
            ack_timeout_secs: DEFAULT_ACK_TIMEOUT_SECS,
            auto_after: None,
            responders: Vec::new(),
            channels: HashMap::new(),
        }
    }
}

impl Setup {
    /// Whether escalation can reach anyone on this platform (some target is configured).
    pub fn enabled(&self, platform: Platform) -> bool {
        match platform {
            Platform::Slack => {
                self.slack.primary.is_some()
                    || self.channels.values().any(|o| o.slack.primary.is_some())
            }
            Platform::Discord => {
                self.discord.primary.is_some()
                    || self.channels.values().any(|o| o.discord.primary.is_some())
            }
            Platform::Console => true,
        }
    }

    /// The targets for an escalation from `channel`: the channel's own, each one falling back
    /// to the global one.
    pub fn targets(&self, platform: Platform, channel: &str) -> Targets {
        let (global, own) = match platform {
            Platform::Slack => (&self.slack, self.channels.get(channel).map(|o| &o.slack)),
            Platform::Discord => (
                &self.discord,
                self.channels.get(channel).map(|o| &o.discord),
            ),
            // The console pings nobody: it names the Slack targets (else Discord's) as written.
            Platform::Console => {
                let slack = self.targets(Platform::Slack, channel);
                return if slack.primary.is_some() {
                    slack
                } else {
                    self.targets(Platform::Discord, channel)
                };
            }
        };
        Targets {
            primary: own
                .and_then(|o| o.primary.clone())
                .or_else(|| global.primary.clone()),
            secondary: own
                .and_then(|o| o.secondary.clone())
                .or_else(|| global.secondary.clone()),
        }
    }

    /// Where the card of an escalation from `channel` goes; `None`: the paste's thread.
    pub fn card_channel(&self, channel: &str) -> Option<&str> {
        self.channels
            .get(channel)
            .and_then(|o| o.channel.as_deref())
            .or(self.channel.as_deref())
    }

    /// Whether `user` (in `groups`) may acknowledge or resolve.
    pub fn may_respond(&self, user: &str, groups: &[String]) -> bool {
        self.responders.is_empty()
            || self
                .responders
                .iter()
                .any(|r| r == user || groups.iter().any(|g| g == r))
    }
}

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Open,
    Acknowledged,
    Resolved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Acknowledged => "acknowledged",
            State::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        match s {
            "open" => Some(State::Open),
            "acknowledged" => Some(State::Acknowledged),
            "resolved" => Some(State::Resolved),
            _ => None,
        }
    }
}

/// A step of the guided walk that was tried before escalating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    /// 0-based, as in the walk.
    pub step: usize,
    /// The step's text (from the entry).
    pub text: String,
    /// Who pressed it (a display name or an id, shown as text).
    pub by: String,
    pub at: u64,
}

/// A line of the timeline: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: u64,
    /// Who (a display name or an id, shown as text; empty: the bot).
    pub by: String,
    /// What: `opened`, `reminded`, `acknowledged`, `resolved`, `pagerduty_failed`…
    pub what: String,
    /// A note (resolving), shown sanitised.
    pub note: Option<String>,
}

/// An escalation as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub id: String,
    /// The entry's code and title (content of ours).
    pub headline: String,
    /// The paste as kept ([`paste::prepare`]).
    pub paste: String,
    pub tried: Vec<Tried>,
    pub reporter: String,
    pub note: Option<String>,
    /// (label, url): the entry, the thread.
    pub links: Vec<(String, String)>,
    pub timeline: Vec<Event>,
    pub state: State,
    pub opened_at: u64,
}

#[cfg(test)]
mod tests;
