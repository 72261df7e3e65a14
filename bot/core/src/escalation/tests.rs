//! The card, the reminder and the listing: what they show, and that only on-call is pinged.

use super::*;
use crate::reply::{text, Card};

fn view(paste: &str) -> View {
    View {
        id: "E42".into(),
        headline: "UserErrorFsFreezeFailed — The file system could not be frozen".into(),
        paste: paste::prepare(paste),
        tried: vec![Tried {
            step: 0,
            text: "Restart the VM agent".into(),
            by: "Alice <@U777>".into(),
            at: 3_600,
        }],
        reporter: "Bob @everyone".into(),
        note: Some("sap-01 since Monday <!here>".into()),
        links: vec![("Entry".into(), "https://docs.example/e".into())],
        timeline: vec![Event {
            at: 7_200,
            by: "Bob".into(),
            what: "opened".into(),
            note: None,
        }],
        state: State::Open,
        opened_at: 7_200,
    }
}

const HOSTILE: &str = "<!channel> <!here> <!everyone> <@U999> <!subteam^S999> @everyone @here \
                       <@&12345> <@!67890> <@67890> sig=AbCdEf123456 ``` closing fence";

fn whole(c: &Card) -> String {
    let mut s = text(c);
    for (_, v) in &c.fields {
        s.push_str(v);
    }
    s
}

#[test]
fn the_card_pings_only_the_on_call_target_and_keeps_user_text_for_the_renderer() {
    let targets = Targets {
        primary: Some(Target::SlackGroup("S0ONCALL".into())),
        secondary: Some(Target::SlackUser("U0SECOND".into())),
    };
    let c = card(Platform::Slack, &view(HOSTILE), &targets, 7_500);
    assert_eq!(c.pings, [Target::SlackGroup("S0ONCALL".into())]);
    let all = whole(&c);
    // No mention is written by the card itself: the renderer writes the pings.
    assert!(!all.contains("<!subteam^S0ONCALL>"), "{all}");
    assert!(all.contains("user group S0ONCALL"));
    assert!(!all.contains("U0SECOND"));
    // The paste's secret is masked; its fence cannot close the code block early.
    assert!(!all.contains("AbCdEf123456"));
    assert!(!all.contains("``` closing"), "{all}");
    assert!(all.contains("UserErrorFsFreezeFailed"));
    assert!(all.contains("Restart the VM agent") && all.contains("Steps tried"));
    assert_eq!(
        c.buttons
            .iter()
            .map(|b| b.action_id.as_str())
            .collect::<Vec<_>>(),
        ["escalation.ack:E42", "escalation.resolve:E42"]
    );
    assert!(c.context.contains("opened 5m ago"), "{}", c.context);
    let d = card(
        Platform::Discord,
        &view(HOSTILE),
        &Targets {
            primary: Some(Target::DiscordRole(1184721109823746048)),
            secondary: None,
        },
        7_500,
    );
    assert_eq!(d.pings, [Target::DiscordRole(1184721109823746048)]);
    // Once acknowledged, an updated card pings nobody.
    let mut v = view("plain");
    v.state = State::Acknowledged;
    assert!(card(Platform::Slack, &v, &targets, 7_500).pings.is_empty());
}

#[test]
fn the_card_follows_its_state_and_timeline() {
    let targets = Targets::default();
    let mut v = view("plain");
    v.state = State::Acknowledged;
    v.timeline.push(Event {
        at: 7_260,
        by: "Carol".into(),
        what: "acknowledged".into(),
        note: None,
    });
    let c = card(Platform::Console, &v, &targets, 7_300);
    assert!(c.fields[0].1.contains("Acknowledged"));
    assert_eq!(c.buttons.len(), 1);
    assert_eq!(c.buttons[0].action_id, "escalation.resolve:E42");
    assert_eq!(c.notes.len(), 2);
    assert!(
        c.notes[1].contains("02:01 UTC — Carol acknowledged"),
        "{:?}",
        c.notes
    );
    v.state = State::Resolved;
    v.timeline.push(Event {
        at: 7_400,
        by: "Carol".into(),
        what: "resolved".into(),
        note: Some("froze fine after <@U1> reboot".into()),
    });
    let c = card(Platform::Slack, &v, &targets, 7_500);
    assert!(c.buttons.is_empty());
    assert!(c.notes[2].contains("resolved: froze fine after <@U1> reboot"));
}

#[test]
fn reminders_go_to_the_primary_then_the_secondary_then_both() {
    let p = Target::SlackGroup("S0P".into());
    let s = Target::SlackUser("U0S".into());
    let targets = Targets {
        primary: Some(p.clone()),
        secondary: Some(s.clone()),
    };
    let v = view(HOSTILE);
    let r0 = reminder(Platform::Slack, &v, &targets, 0, 8_100);
    assert_eq!(r0.pings, std::slice::from_ref(&p));
    assert!(r0.title.contains("15m"), "{}", r0.title);
    let r1 = reminder(Platform::Slack, &v, &targets, 1, 9_000);
    assert_eq!(r1.pings, std::slice::from_ref(&s));
    let r2 = reminder(Platform::Slack, &v, &targets, 2, 9_900);
    assert_eq!(r2.pings, [p.clone(), s]);
    // Without a secondary, the primary again.
    let only = Targets {
        primary: Some(p.clone()),
        secondary: None,
    };
    assert_eq!(
        reminder(Platform::Slack, &v, &only, 1, 9_000).pings,
        std::slice::from_ref(&p)
    );
    // Nothing of the paste or the note is in a reminder.
    assert!(!r2.title.contains("channel") && !r2.title.contains("sap-01"));
    // On the console the targets are named, not pinged.
    let c = reminder(Platform::Console, &v, &only, 0, 8_100);
    assert!(
        c.pings.is_empty() && c.title.starts_with("@S0P "),
        "{}",
        c.title
    );
}

#[test]
fn status_lists_open_escalations_oldest_first_with_age() {
    let row = |id: &str, state, at| Open {
        id: id.into(),
        headline: format!("Code{id}"),
        state,
        opened_at: at,
        link: None,
    };
    let c = status(
        &[
            row("E2", State::Acknowledged, 5_000),
            row("E1", State::Open, 1_000),
            row("E3", State::Resolved, 500),
        ],
        8_200,
    );
    assert_eq!(c.steps.len(), 2);
    assert!(
        c.steps[0].starts_with("E1 — CodeE1 — open, 2h 0m ago"),
        "{:?}",
        c.steps
    );
    assert!(
        c.steps[1].contains("acknowledged, 53m ago"),
        "{:?}",
        c.steps
    );
    assert!(status(&[], 0).title.starts_with("No open escalations"));
}

#[test]
fn targets_are_read_as_written_and_channels_override_them() {
    assert_eq!(
        Target::slack("S0123ABCD"),
        Ok(Target::SlackGroup("S0123ABCD".into()))
    );
    assert_eq!(
        Target::slack("U0123ABCD"),
        Ok(Target::SlackUser("U0123ABCD".into()))
    );
    assert!(Target::slack("C0123ABCD").is_err() && Target::slack("s01").is_err());
    assert_eq!(Target::discord("role:42"), Ok(Target::DiscordRole(42)));
    assert_eq!(Target::discord("user: 42"), Ok(Target::DiscordUser(42)));
    for bad in ["42", "role:x", "team:42", "role:0"] {
        assert!(Target::discord(bad).is_err(), "{bad}");
    }
    let mut setup = Setup {
        slack: Targets {
            primary: Some(Target::SlackGroup("S0GLOBAL".into())),
            secondary: Some(Target::SlackUser("U0GLOBAL".into())),
        },
        channel: Some("C0ESC".into()),
        ..Setup::default()
    };
    setup.channels.insert(
        "C0SAP".into(),
        Override {
            channel: None,
            slack: Targets {
                primary: Some(Target::SlackGroup("S0SAP".into())),
                secondary: None,
            },
            discord: Targets::default(),
        },
    );
    let t = setup.targets(Platform::Slack, "C0SAP");
    assert_eq!(t.primary, Some(Target::SlackGroup("S0SAP".into())));
    assert_eq!(t.secondary, Some(Target::SlackUser("U0GLOBAL".into())));
    assert_eq!(
        setup.targets(Platform::Slack, "C0OTHER").primary,
        Some(Target::SlackGroup("S0GLOBAL".into()))
    );
    assert_eq!(
        setup.targets(Platform::Discord, "C0SAP"),
        Targets::default()
    );
    assert_eq!(setup.card_channel("C0SAP"), Some("C0ESC"));
    assert!(setup.enabled(Platform::Slack) && !setup.enabled(Platform::Discord));
    assert!(setup.may_respond("U1", &[]));
    setup.responders = vec!["S0SAP".into(), "U0BOSS".into()];
    assert!(setup.may_respond("U0BOSS", &[]));
    assert!(setup.may_respond("U2", &["S0SAP".into()]));
    assert!(!setup.may_respond("U2", &["S0OTHER".into()]));
}
