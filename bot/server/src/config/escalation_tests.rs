//! The escalation keys, read from TOML as a file gives them.

use super::super::{validate, Raw, Settings};
use backup_bot_core::escalation::{Platform, Target};

fn read(text: &str) -> (Settings, Vec<String>) {
    let raw: Raw = toml::from_str(text).unwrap();
    let mut p = Vec::new();
    let s = validate(raw, None, &mut p);
    (s, p)
}

#[test]
fn escalation_defaults_to_no_target_a_15_minute_timeout_and_no_auto_escalation() {
    let (s, p) = read("");
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(s.escalation.ack_timeout_secs, 15 * 60);
    assert_eq!(s.escalation.auto_after, None);
    assert!(!s.escalation.enabled(Platform::Slack));
    assert!(s.pagerduty.is_none());
    let shown = s.redacted();
    assert!(shown.contains("ack_timeout = \"900s\"") && shown.contains("auto_after = \"off\""));
}

#[test]
fn targets_overrides_and_pagerduty_are_read_and_the_key_never_shown() {
    let key = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12";
    let (s, p) = read(&format!(
        r#"
[escalation]
channel = "C0ESCALATE"
slack_oncall = "S0ONCALL"
slack_oncall_secondary = "U0LEAD"
discord_oncall = "role:1184721109823746048"
discord_oncall_secondary = "user:1184721109823746049"
ack_timeout = "10m"
auto_after = 2
responders = ["S0ONCALL", "U0LEAD", "role:1184721109823746048"]

[pagerduty]
routing_key = "{key}"

[channels."C0SAP"]
mode = "mention"
slack_oncall = "S0SAPTEAM"
escalation_channel = "C0SAPESC"
"#
    ));
    assert!(p.is_empty(), "{p:?}");
    let e = &s.escalation;
    assert_eq!(e.ack_timeout_secs, 600);
    assert_eq!(e.auto_after, Some(2));
    assert_eq!(e.responders.len(), 3);
    let sap = e.targets(Platform::Slack, "C0SAP");
    assert_eq!(sap.primary, Some(Target::SlackGroup("S0SAPTEAM".into())));
    assert_eq!(sap.secondary, Some(Target::SlackUser("U0LEAD".into())));
    assert_eq!(e.card_channel("C0SAP"), Some("C0SAPESC"));
    assert_eq!(e.card_channel("C0OTHER"), Some("C0ESCALATE"));
    assert_eq!(
        e.targets(Platform::Discord, "123").primary,
        Some(Target::DiscordRole(1184721109823746048))
    );
    let pd = s.pagerduty.as_ref().unwrap();
    assert_eq!(pd.events_url, "https://events.pagerduty.com/v2/enqueue");
    assert_eq!(pd.routing_key.expose(), key);
    let shown = s.redacted();
    assert!(!shown.contains(key), "{shown}");
    assert!(!format!("{s:?}").contains(key));
    assert!(shown.contains("routing_key = \"[redacted]\""), "{shown}");
    assert!(shown.contains("slack_oncall = \"S0SAPTEAM\""), "{shown}");
    // What is printed reads back as TOML.
    shown.parse::<toml::Table>().unwrap();
}

#[test]
fn every_escalation_problem_is_named_at_once() {
    let (_, p) = read(
        r#"
[escalation]
slack_oncall = "C0CHANNEL"
discord_oncall_secondary = "1184721109823746048"
ack_timeout = "soon"
auto_after = "many"
responders = ["bob"]

[pagerduty]
routing_key = "short"
events_url = "ftp://pd"

[defaults]
slack_oncall = "S0X"

[channels."C1"]
discord_oncall = "team:1"
"#,
    );
    for needle in [
        "escalation.slack_oncall `C0CHANNEL`",
        "escalation.discord_oncall_secondary `1184721109823746048` is not role:ID or user:ID",
        "escalation.ack_timeout `soon`",
        "escalation.auto_after `many`",
        "escalation.responders `bob`",
        "pagerduty.routing_key is not an Events API v2 integration key",
        "pagerduty.events_url `ftp://pd`",
        "defaults: the on-call keys belong in [escalation]",
        "channels.\"C1\".discord_oncall `team:1`",
    ] {
        assert!(p.iter().any(|x| x.contains(needle)), "{needle}: {p:#?}");
    }
    assert!(!p.iter().any(|x| x.contains("short")), "{p:#?}");
}
