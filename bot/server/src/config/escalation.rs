//! `[escalation]`, `[pagerduty]` and the on-call keys of `[channels."…"]`: who is paged, how
//! soon again, and PagerDuty's routing key (a secret).

use super::{ids, Secret};
use backup_bot_core::escalation::{Override, Setup, Target, Targets, DEFAULT_ACK_TIMEOUT_SECS};
use serde::Deserialize;
use std::collections::HashMap;

/// PagerDuty's Events API v2.
pub const DEFAULT_PAGERDUTY_URL: &str = "https://events.pagerduty.com/v2/enqueue";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEscalation {
    channel: Option<String>,
    slack_oncall: Option<String>,
    slack_oncall_secondary: Option<String>,
    discord_oncall: Option<String>,
    discord_oncall_secondary: Option<String>,
    ack_timeout: Option<String>,
    auto_after: Option<ids::Item>,
    responders: Option<ids::Items>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPagerDuty {
    routing_key: Option<Secret>,
    events_url: Option<String>,
}

/// The on-call keys a `[channels."…"]` table may set.
#[derive(Debug, Default, Clone)]
pub(super) struct RawOverride {
    escalation_channel: Option<String>,
    slack_oncall: Option<String>,
    slack_oncall_secondary: Option<String>,
    discord_oncall: Option<String>,
    discord_oncall_secondary: Option<String>,
}

impl RawOverride {
    fn is_empty(&self) -> bool {
        self.escalation_channel.is_none()
            && self.slack_oncall.is_none()
            && self.slack_oncall_secondary.is_none()
            && self.discord_oncall.is_none()
            && self.discord_oncall_secondary.is_none()
    }
}

impl super::RawChannel {
    /// Its on-call keys.
    pub(super) fn oncall(&self) -> RawOverride {
        RawOverride {
            escalation_channel: self.escalation_channel.clone(),
            slack_oncall: self.slack_oncall.clone(),
            slack_oncall_secondary: self.slack_oncall_secondary.clone(),
            discord_oncall: self.discord_oncall.clone(),
            discord_oncall_secondary: self.discord_oncall_secondary.clone(),
        }
    }
}

/// PagerDuty, when a routing key is set.
#[derive(Debug, Clone)]
#[allow(dead_code)] // the routing key is read where events are sent
pub struct PagerDutySettings {
    pub routing_key: Secret,
    pub events_url: String,
}

fn target(
    key: &str,
    text: Option<&str>,
    parse: fn(&str) -> Result<Target, String>,
    p: &mut Vec<String>,
) -> Option<Target> {
    let t = text.map(str::trim).filter(|t| !t.is_empty())?;
    parse(t).map_err(|e| p.push(format!("{key} {e}"))).ok()
}

fn targets(
    at: &str,
    slack: (Option<&str>, Option<&str>),
    discord: (Option<&str>, Option<&str>),
    p: &mut Vec<String>,
) -> (Targets, Targets) {
    let s = Targets {
        primary: target(&format!("{at}slack_oncall"), slack.0, Target::slack, p),
        secondary: target(
            &format!("{at}slack_oncall_secondary"),
            slack.1,
            Target::slack,
            p,
        ),
    };
    let d = Targets {
        primary: target(
            &format!("{at}discord_oncall"),
            discord.0,
            Target::discord,
            p,
        ),
        secondary: target(
            &format!("{at}discord_oncall_secondary"),
            discord.1,
            Target::discord,
            p,
        ),
    };
    (s, d)
}

/// The escalation keys checked; each problem is added to `p`.
pub(super) fn validate(
    e: RawEscalation,
    overrides: Vec<(String, RawOverride)>,
    defaults: &super::RawChannel,
    p: &mut Vec<String>,
) -> Setup {
    let (slack, discord) = targets(
        "escalation.",
        (
            e.slack_oncall.as_deref(),
            e.slack_oncall_secondary.as_deref(),
        ),
        (
            e.discord_oncall.as_deref(),
            e.discord_oncall_secondary.as_deref(),
        ),
        p,
    );
    for (key, second, first) in [
        (
            "escalation.slack_oncall_secondary",
            &slack.secondary,
            &slack.primary,
        ),
        (
            "escalation.discord_oncall_secondary",
            &discord.secondary,
            &discord.primary,
        ),
    ] {
        if second.is_some() && first.is_none() {
            p.push(format!("{key} is set but the primary target is not"));
        }
    }
    let ack_timeout_secs = match e.ack_timeout.as_deref() {
        None => DEFAULT_ACK_TIMEOUT_SECS,
        // Any positive duration (seconds too: a drill, or a test, wants reminders soon).
        Some(d) => backup_bot_core::command::duration(d).unwrap_or_else(|| {
            p.push(format!(
                "escalation.ack_timeout `{d}` is not a duration such as 15m"
            ));
            DEFAULT_ACK_TIMEOUT_SECS
        }),
    };
    let auto_after = match e.auto_after.map(ids::Item::text) {
        None => None,
        Some(t) if t == "off" || t == "0" => None,
        Some(t) => match t.parse::<u32>() {
            Ok(n) if n <= 20 => Some(n),
            _ => {
                p.push(format!(
                    "escalation.auto_after `{t}` must be a number of \"still failing\" presses \
                     from 1 to 20, or \"off\""
                ));
                None
            }
        },
    };
    let responders: Vec<String> = e
        .responders
        .map(ids::Items::texts)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            let ok = Target::slack(r).is_ok() || Target::discord(r).is_ok();
            if !ok {
                p.push(format!(
                    "escalation.responders `{r}` is not a Slack user group or user (S…, U…) \
                     nor a Discord role:ID or user:ID"
                ));
            }
            ok
        })
        .collect();
    if !defaults.oncall().is_empty() {
        p.push(
            "defaults: the on-call keys belong in [escalation] (or in a [channels.\"…\"] table)"
                .to_string(),
        );
    }
    let mut channels = HashMap::new();
    for (id, o) in overrides {
        if o.is_empty() {
            continue;
        }
        let at = format!("channels.\"{id}\".");
        let (slack, discord) = targets(
            &at,
            (
                o.slack_oncall.as_deref(),
                o.slack_oncall_secondary.as_deref(),
            ),
            (
                o.discord_oncall.as_deref(),
                o.discord_oncall_secondary.as_deref(),
            ),
            p,
        );
        let channel = o.escalation_channel.map(|c| c.trim().to_string());
        channels.insert(
            id,
            Override {
                channel,
                slack,
                discord,
            },
        );
    }
    Setup {
        channel: e
            .channel
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        slack,
        discord,
        ack_timeout_secs,
        auto_after,
        responders,
        channels,
    }
}

/// `[pagerduty]` checked: `None` without a routing key.
pub(super) fn pagerduty(raw: RawPagerDuty, p: &mut Vec<String>) -> Option<PagerDutySettings> {
    let events_url = raw
        .events_url
        .unwrap_or_else(|| DEFAULT_PAGERDUTY_URL.to_string());
    if !(events_url.starts_with("https://") || events_url.starts_with("http://")) {
        p.push(format!(
            "pagerduty.events_url `{events_url}` must be an http(s) URL"
        ));
    }
    let key = raw.routing_key?;
    let k = key.expose();
    if k.contains("your-") {
        p.push("pagerduty.routing_key is still the placeholder of the example".to_string());
    } else if k.len() != 32 || !k.bytes().all(|b| b.is_ascii_alphanumeric()) {
        p.push(
            "pagerduty.routing_key is not an Events API v2 integration key (32 letters and \
             digits, from the service's Integrations tab)"
                .to_string(),
        );
    }
    Some(PagerDutySettings {
        routing_key: key,
        events_url,
    })
}

fn written(t: &Option<Target>) -> Option<String> {
    t.as_ref().map(Target::written)
}

/// `[escalation]` and `[pagerduty]` as `config check` prints them, the routing key redacted.
pub(super) fn show(e: &Setup, pd: Option<&PagerDutySettings>) -> String {
    let mut s = String::from("[escalation]\n");
    let mut line = |k: &str, v: Option<String>| match v {
        Some(v) => s.push_str(&format!("{k} = {v:?}\n")),
        None => s.push_str(&format!("# {k} not set\n")),
    };
    line("channel", e.channel.clone());
    line("slack_oncall", written(&e.slack.primary));
    line("slack_oncall_secondary", written(&e.slack.secondary));
    line("discord_oncall", written(&e.discord.primary));
    line("discord_oncall_secondary", written(&e.discord.secondary));
    s.push_str(&format!("ack_timeout = \"{}s\"\n", e.ack_timeout_secs));
    match e.auto_after {
        Some(n) => s.push_str(&format!("auto_after = {n}\n")),
        None => s.push_str("auto_after = \"off\"\n"),
    }
    s.push_str(&format!("responders = {:?}\n\n", e.responders));
    match pd {
        None => s.push_str("# [pagerduty] not configured\n\n"),
        Some(pd) => s.push_str(&format!(
            "[pagerduty]\nrouting_key = \"[redacted]\"\nevents_url = {:?}\n\n",
            pd.events_url
        )),
    }
    s
}

/// The on-call keys of a channel's table, as `config check` prints them.
pub(super) fn show_override(o: Option<&Override>) -> String {
    let Some(o) = o else {
        return String::new();
    };
    let mut s = String::new();
    let pairs = [
        ("escalation_channel", o.channel.clone()),
        ("slack_oncall", written(&o.slack.primary)),
        ("slack_oncall_secondary", written(&o.slack.secondary)),
        ("discord_oncall", written(&o.discord.primary)),
        ("discord_oncall_secondary", written(&o.discord.secondary)),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            s.push_str(&format!("\n{k} = {v:?}"));
        }
    }
    s
}

#[cfg(test)]
#[path = "escalation_tests.rs"]
mod tests;
