//! The escalation card, the reminder and the `status` listing, laid out for a platform. User
//! text (the paste, the note, names) is left to the renderers' sanitisers; the on-call target,
//! in the card's `pings`, is the
//! only mention written.

use super::{action, Event, Platform, State, Target, Targets, View};
use crate::reply::{short, Button, Card};

/// User text in a card: it cannot close the paste's code block, nor make a Markdown link (the
/// renderers turn a card's `[text](url)` into links, which a paste must not smuggle in: a
/// zero-width space parts `]` from `(`). The renderers sanitise every text of a card for their
/// platform (no mention, no broadcast); the card's `pings` are the only mentions they write.
fn safe(text: &str) -> String {
    text.replace("```", "'''").replace("](", "]\u{200B}(")
}

/// `HH:MM UTC` of a Unix time.
fn clock(at: u64) -> String {
    let day = at % 86_400;
    format!("{:02}:{:02} UTC", day / 3_600, day % 3_600 / 60)
}

/// An age such as `45s`, `12m`, `3h 5m`, `2d 4h`.
pub(super) fn age(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
        s => format!("{}d {}h", s / 86_400, s % 86_400 / 3_600),
    }
}

fn state_label(s: State) -> &'static str {
    match s {
        State::Open => "🔴 Open — waiting for on-call",
        State::Acknowledged => "🟠 Acknowledged — on-call is on it",
        State::Resolved => "🟢 Resolved",
    }
}

fn event_line(e: &Event) -> String {
    let who = if e.by.is_empty() {
        "backup-bot".to_string()
    } else {
        safe(&short(&e.by, 80))
    };
    let what = match e.what.as_str() {
        "opened" => "escalated",
        "reminded" => "reminded on-call",
        "acknowledged" => "acknowledged",
        "resolved" => "resolved",
        "pagerduty_failed" => "could not reach PagerDuty",
        other => other,
    };
    let mut line = format!("{} — {who} {what}", clock(e.at));
    if let Some(n) = e.note.as_deref().filter(|n| !n.trim().is_empty()) {
        line.push_str(&format!(": {}", safe(&short(n, 300))));
    }
    line
}

/// The card of an escalation, for `platform`, mentioning `targets.primary` (the only mention).
pub fn card(platform: Platform, v: &View, targets: &Targets, now: u64) -> Card {
    let mut fields = vec![("State".to_string(), state_label(v.state).to_string())];
    if let Some(t) = &targets.primary {
        fields.push(("On call".to_string(), shown(platform, t)));
    }
    fields.push(("Reported by".to_string(), safe(&short(&v.reporter, 80))));
    if let Some(n) = v.note.as_deref().filter(|n| !n.trim().is_empty()) {
        fields.push(("Note".to_string(), safe(&short(n, 500))));
    }
    if !v.paste.trim().is_empty() {
        fields.push((
            "What was pasted".to_string(),
            format!("```\n{}\n```", safe(&v.paste)),
        ));
    }
    let steps = v
        .tried
        .iter()
        .map(|t| {
            format!(
                "Step {}: {} — {}, {}",
                t.step + 1,
                short(t.text.lines().next().unwrap_or(""), 120),
                safe(&short(&t.by, 80)),
                clock(t.at)
            )
        })
        .collect();
    let buttons = match v.state {
        State::Open => vec![
            button("I'm on it", action::ACK, &v.id),
            button("Resolve", action::RESOLVE, &v.id),
        ],
        State::Acknowledged => vec![button("Resolve", action::RESOLVE, &v.id)],
        State::Resolved => Vec::new(),
    };
    Card {
        title: format!("🚨 Escalated: {}", v.headline),
        fields,
        steps_label: if v.tried.is_empty() {
            String::new()
        } else {
            "Steps tried".to_string()
        },
        steps,
        first_step: 1,
        notes: v.timeline.iter().map(event_line).collect(),
        links: v.links.clone(),
        context: format!(
            "Escalation {} · opened {} ago",
            v.id,
            age(now.saturating_sub(v.opened_at))
        ),
        full_url: None,
        buttons,
        // The card pings on-call while it waits for them; an update notifies nobody anyway.
        pings: if v.state == State::Open && platform != Platform::Console {
            targets.primary.iter().cloned().collect()
        } else {
            Vec::new()
        },
    }
}

fn button(label: &str, action: &str, id: &str) -> Button {
    Button {
        label: label.to_string(),
        action_id: format!("{action}:{id}"),
    }
}

/// A target as the card shows it in a field (not a mention: the renderers write `pings`).
fn shown(platform: Platform, t: &Target) -> String {
    match (platform, t) {
        (Platform::Console, _) => format!("@{}", t.written()),
        (_, Target::SlackGroup(id)) => format!("user group {id}"),
        (_, Target::SlackUser(id)) => format!("user {id}"),
        (_, Target::DiscordRole(id)) => format!("role {id}"),
        (_, Target::DiscordUser(id)) => format!("user {id}"),
    }
}

/// The reminder after `sent` earlier ones, a new message in the escalation's thread: the
/// first pings the primary target, the second the secondary (the primary when there is none),
/// every later one both. Its `pings` are whom it mentions (Discord's `allowed_mentions` names
/// exactly these).
pub fn reminder(platform: Platform, v: &View, targets: &Targets, sent: u32, now: u64) -> Card {
    let primary = targets.primary.iter();
    let secondary = targets.secondary.iter();
    let mut pings: Vec<Target> = match sent {
        0 => primary.cloned().collect(),
        1 if targets.secondary.is_some() => secondary.cloned().collect(),
        1 => primary.cloned().collect(),
        _ => primary.chain(secondary).cloned().collect(),
    };
    pings.dedup();
    let who: Vec<String> = pings.iter().map(|t| shown(Platform::Console, t)).collect();
    let title = format!(
        "⏰ Escalation {} ({}) is still not acknowledged, {} after it was opened. Press “I'm on it” on the card.",
        v.id,
        v.headline,
        age(now.saturating_sub(v.opened_at)),
    );
    Card {
        title: if platform == Platform::Console && !who.is_empty() {
            format!("{} {title}", who.join(" "))
        } else {
            title
        },
        pings: if platform == Platform::Console {
            Vec::new()
        } else {
            pings
        },
        ..Card::default()
    }
}

/// One line of `status`: an open escalation of the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub id: String,
    pub headline: String,
    pub state: State,
    pub opened_at: u64,
    /// A link to its thread, when the platform has one.
    pub link: Option<String>,
}

/// `/backup-error status`: the channel's open escalations, oldest first, with state and age.
pub fn status(open: &[Open], now: u64) -> Card {
    let mut rows: Vec<&Open> = open.iter().filter(|o| o.state != State::Resolved).collect();
    rows.sort_by_key(|o| (o.opened_at, o.id.clone()));
    let steps: Vec<String> = rows
        .iter()
        .map(|o| {
            let mut s = format!(
                "{} — {} — {}, {} ago",
                o.id,
                o.headline,
                o.state.as_str(),
                age(now.saturating_sub(o.opened_at))
            );
            if let Some(l) = &o.link {
                s.push_str(&format!(" ({l})"));
            }
            s
        })
        .collect();
    Card {
        title: if steps.is_empty() {
            "No open escalations in this channel.".to_string()
        } else {
            format!("Open escalations in this channel: {}", steps.len())
        },
        steps_label: String::new(),
        first_step: 1,
        steps,
        ..Card::default()
    }
}
