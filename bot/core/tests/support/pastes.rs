//! Hostile pastes for property tests (the core's and the Slack and Discord renderers', which
//! include this file): every mention form of both platforms, right-to-left and zero-width marks,
//! mixed scripts, markup and links, characters whose lower case is longer or shorter, bytes that
//! were not text, and pastes long enough to pass every limit.

#![allow(dead_code)]

use backup_bot_core::escalation::{Event, State, Tried, View};
use proptest::prelude::*;

/// Every way a text can ping someone on Slack or Discord.
pub const MENTIONS: [&str; 19] = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<@U0HOSTILE>",
    "<@W0HOSTILE|bob>",
    "<!subteam^S0HOSTILE>",
    "<!subteam^S0HOSTILE|@oncall>",
    "<#C0HOSTILE>",
    "<#C0HOSTILE|general>",
    "@everyone",
    "@here",
    "@channel",
    "@EveryOne",
    "<@4242424242>",
    "<@!4242424242>",
    "<@&4242424242>",
    "<#4242424242>",
    "@ everyone",
];

/// Pieces that have broken renderers: marks, joiners, case folding that changes lengths,
/// fences, links and markup of both platforms.
const TRICKY: [&str; 22] = [
    "\u{202e}",
    "\u{202b}\u{05e9}\u{05dc}\u{05d5}\u{05dd}\u{202c}",
    "\u{200d}",
    "\u{200b}",
    "\u{feff}",
    "\u{2066}\u{2069}",
    "👨\u{200d}👩\u{200d}👧",
    "\u{212a}\u{212a}\u{212a}",
    "İİİ",
    "ß",
    "```",
    "```rust\nfn x() {}",
    "\n",
    "\r\n",
    "[click](https://evil.example/x)",
    "<https://evil.example|click>",
    "**bold** _it_ ~s~ `c` > quote",
    "&amp; &lt; &gt; &",
    "UserErrorFsFreezeFailed",
    "error code 380008",
    "ExtensionSnapshotFailedNoNetwork",
    "VM 에이전트가 응답하지 않습니다",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._:/=<>&@!#|^*_~`()\\[\\]-]{0,40}",
        1 => "[가-힣 ]{0,16}",
        1 => "[\u{0590}-\u{05ff}\u{0600}-\u{06ff} ]{0,16}",
        1 => "[\u{4e00}-\u{4fff}\u{3040}-\u{30ff}]{0,16}",
        3 => prop::sample::select(MENTIONS.to_vec()).prop_map(str::to_string),
        2 => prop::sample::select(TRICKY.to_vec()).prop_map(str::to_string),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// A paste: a few pieces; now and then one of them repeated past every limit (up to ~60 KB).
pub fn paste() -> impl Strategy<Value = String> {
    let short = prop::collection::vec(piece(), 0..12).prop_map(|v| v.join(" "));
    prop_oneof![
        6 => short,
        1 => (prop::collection::vec(piece(), 1..4), 50..1_500usize).prop_map(|(v, n)| {
            let s = v.join(" ") + "\n";
            s.repeat(n.min(60_000 / s.len().max(1) + 1))
        }),
    ]
}

/// An escalation as its card shows it, every text of people's (paste, note, names) `text`; the
/// step tried is the entry's (content).
pub fn view(text: &str, state: State) -> View {
    View {
        id: "E7".into(),
        headline: "UserErrorFsFreezeFailed — Snapshot operation failed".into(),
        paste: backup_bot_core::escalation::paste::prepare(text),
        tried: vec![Tried {
            step: 0,
            text: "Restart the VM guest agent.".into(),
            by: text.into(),
            at: 1_700_000_000,
        }],
        reporter: text.into(),
        note: Some(text.into()),
        links: vec![
            (
                "Entry".into(),
                "https://learn.microsoft.com/en-us/azure/backup/backup-azure-vms-troubleshoot"
                    .into(),
            ),
            (
                "Thread".into(),
                "https://example.slack.com/archives/C1/p1700000000000100".into(),
            ),
        ],
        timeline: vec![
            Event {
                at: 1_700_000_000,
                by: text.into(),
                what: "opened".into(),
                note: Some(text.into()),
            },
            Event {
                at: 1_700_000_100,
                by: text.into(),
                what: "acknowledged".into(),
                note: None,
            },
        ],
        state,
        opened_at: 1_700_000_000,
    }
}

/// The links Slack's mrkdwn makes of a text: `<url|…>` and `<url>`.
pub fn slack_links(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices("<http") {
        let rest = &s[i + 1..];
        let end = rest.find(['|', '>']).unwrap_or(rest.len());
        out.push(rest[..end].to_string());
    }
    out
}

/// The masked links Markdown makes of a text (Discord): `[…](url)`.
pub fn markdown_links(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices("](") {
        let rest = &s[i + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        out.push(rest[..end].to_string());
    }
    out
}

/// `@everyone`, `@here`, `@channel` in any case, whole (not broken by a zero-width space).
pub fn broadcasts(s: &str) -> Vec<String> {
    let lower = s.to_ascii_lowercase();
    ["@everyone", "@here", "@channel"]
        .iter()
        .filter(|w| lower.contains(*w))
        .map(|w| w.to_string())
        .collect()
}
