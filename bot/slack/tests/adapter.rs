//! The adapter on Slack's documented payloads, and its rendering: limits on every entry, and
//! golden files for the replies (set `UPDATE_GOLDEN=1` to rewrite them, then review the diff).

use backup_bot_core::{card, Reply};
use backup_bot_index::{load_dir, Candidate, Lang, Matcher, Reason};
use backup_bot_slack::inbound::{self, Heard};
use backup_bot_slack::render;
use slack_morphism::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/slack").join(name)).unwrap()
}

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(load_dir(&root().join("content/entries")).unwrap()).unwrap())
}

fn callback(name: &str) -> (SlackPushEventCallback, serde_json::Value) {
    let raw: serde_json::Value = serde_json::from_str(&fixture(name)).unwrap();
    let SlackPushEvent::EventCallback(cb) = serde_json::from_value(raw.clone()).unwrap() else {
        panic!("not an event callback")
    };
    (cb, raw["event"].clone())
}

#[test]
fn documented_message_event() {
    let (cb, raw) = callback("message.json");
    let Heard::Message { message, files } = inbound::event(&cb, &raw, Some("UBOT")) else {
        panic!()
    };
    assert_eq!(message.channel, "C024BE91L");
    assert_eq!(message.ts, "1355517523.000005");
    assert_eq!(message.text, "Live long and prospect.");
    assert_eq!(message.user.as_deref(), Some("U2147483697"));
    assert!(!message.direct && !message.dm && !message.edited && !message.from_bot);
    assert!(files.is_empty());
}

#[test]
fn documented_app_mention_is_a_direct_question_without_the_mention() {
    let (cb, raw) = callback("app_mention.json");
    let Heard::Message { message, .. } = inbound::event(&cb, &raw, Some("U0LAN0Z89")) else {
        panic!()
    };
    assert!(message.direct);
    assert_eq!(message.text, "What is the hour of the pearl, ?");
    assert_eq!(message.channel, "C0LAN2Q65");
}

#[test]
fn documented_message_changed_is_an_edit_of_the_original() {
    let (cb, raw) = callback("message_changed.json");
    let Heard::Message { message, .. } = inbound::event(&cb, &raw, Some("UBOT")) else {
        panic!()
    };
    assert!(message.edited);
    assert_eq!(message.ts, "1355517523.000005", "the original message's ts");
    assert_eq!(message.text, "Hello, world!");
}

#[test]
fn other_subtypes_and_bots_are_not_heard_as_people() {
    for subtype in ["message_deleted", "channel_join", "bot_message"] {
        let mut v: serde_json::Value = serde_json::from_str(&fixture("message.json")).unwrap();
        v["event"]["subtype"] = serde_json::json!(subtype);
        if subtype == "bot_message" {
            v["event"]["bot_id"] = serde_json::json!("B1");
        }
        let SlackPushEvent::EventCallback(cb) = serde_json::from_value(v.clone()).unwrap() else {
            panic!()
        };
        match inbound::event(&cb, &v["event"], Some("UBOT")) {
            Heard::Ignored(_) => {}
            Heard::Message { message, .. } => assert!(message.from_bot, "{subtype}"),
        }
    }
}

#[test]
fn documented_slash_command_and_block_actions() {
    let ev: SlackCommandEvent =
        serde_urlencoded::from_str(fixture("slash_command.txt").trim()).unwrap();
    let (incoming, response_url) = inbound::command(&ev);
    assert_eq!(response_url, "https://hooks.slack.com/commands/1234/5678");
    let backup_bot_core::Incoming::Command(c) = incoming else {
        panic!()
    };
    assert_eq!(
        (c.channel.as_str(), c.text.as_str()),
        ("C2147483705", "94070")
    );

    let SlackInteractionEvent::BlockActions(ba) =
        serde_json::from_str(&fixture("block_actions.json")).unwrap()
    else {
        panic!()
    };
    let actions = inbound::actions(&ba);
    assert_eq!(actions.len(), 1);
    let (backup_bot_core::Incoming::Action(a), press) = &actions[0] else {
        panic!()
    };
    assert_eq!(a.action_id, "WaXA");
    assert_eq!(a.message_ts, "1548261231.000200");
    assert_eq!(a.channel, "CBR2V3XEX");
    assert!(!a.ephemeral && a.thread_ts.is_none());
    assert!(press
        .response_url
        .as_deref()
        .unwrap()
        .starts_with("https://hooks.slack.com/actions/"));
    // The trigger opens a modal (the resolve note).
    assert_eq!(
        press.trigger_id.as_deref(),
        Some("12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3")
    );
}

fn answer(entry: usize, lang: Lang) -> Reply {
    Reply::Answer {
        lang,
        found: Candidate {
            entry,
            confidence: 1.0,
            reason: Reason::ExactCode,
            code: None,
            message: None,
            detail: String::new(),
            at: 0,
        },
        also: vec![],
        truncated: false,
    }
}

#[test]
fn every_entry_renders_within_block_kit_limits() {
    let m = matcher();
    for (i, e) in m.entries().iter().enumerate() {
        for lang in [Lang::Ko, Lang::En] {
            let r = render::card(&card(m, &answer(i, lang)));
            assert!(r.blocks.len() <= render::MAX_BLOCKS, "{}", e.id);
            let json = render::blocks_json(&r);
            for b in json.as_array().unwrap() {
                match b["type"].as_str().unwrap() {
                    "header" => assert!(
                        b["text"]["text"].as_str().unwrap().chars().count() <= render::MAX_HEADER
                    ),
                    "section" => assert!(
                        b["text"]["text"].as_str().unwrap().chars().count() <= render::MAX_SECTION
                    ),
                    "actions" => assert!(b["elements"].as_array().unwrap().len() <= 5),
                    _ => {}
                }
            }
            assert!(!r.text.is_empty() && r.text.chars().count() <= render::MAX_FALLBACK);
            for (step, _) in e.edition(lang).steps.iter().enumerate() {
                let s = render::card(&card(
                    m,
                    &Reply::Step {
                        lang,
                        entry: i,
                        step,
                    },
                ));
                assert!(s.blocks.len() <= render::MAX_BLOCKS);
            }
        }
    }
}

#[test]
fn a_cut_paste_says_so_in_the_context_in_both_languages() {
    let m = matcher();
    for (lang, note) in [
        (Lang::En, backup_bot_core::words::EN.truncated),
        (Lang::Ko, backup_bot_core::words::KO.truncated),
    ] {
        let Reply::Answer {
            lang, found, also, ..
        } = answer(0, lang)
        else {
            unreachable!()
        };
        let whole = Reply::Answer {
            lang,
            found: found.clone(),
            also: also.clone(),
            truncated: false,
        };
        let cut = Reply::Answer {
            lang,
            found,
            also,
            truncated: true,
        };
        let blocks = |r: &Reply| render::blocks_json(&render::card(&card(m, r))).to_string();
        let needle = &render::mrkdwn(note);
        assert!(blocks(&cut).contains(needle.as_str()), "{}", blocks(&cut));
        assert!(!blocks(&whole).contains(needle.as_str()));
    }
}

#[test]
fn an_entry_longer_than_the_limits_is_cut_with_a_link() {
    let m = matcher();
    let mut c = card(m, &answer(0, Lang::En));
    c.steps = (0..80)
        .map(|i| format!("step {i} {}", "word ".repeat(900)))
        .collect();
    let r = render::card(&c);
    assert!(
        r.blocks.len() <= render::MAX_BLOCKS && r.blocks.len() > 40,
        "{}",
        r.blocks.len()
    );
    let json = render::blocks_json(&r).to_string();
    assert!(json.contains("|full entry>"), "a link to the full entry");
}

/// Compares with (or, with UPDATE_GOLDEN=1, writes) tests/golden/NAME.json.
fn golden(name: &str, value: serde_json::Value) {
    let path = root().join("tests/golden").join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        text,
        want,
        "{} differs (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

#[test]
fn golden_replies() {
    let m = matcher();
    let id = |id: &str| m.entry_by_id(id).unwrap();
    let cases = [
        (
            "slack-answer-en",
            answer(id("user-error-fs-freeze-failed"), Lang::En),
        ),
        (
            "slack-answer-ko",
            answer(id("extension-failed-vss-service-in-bad-state"), Lang::Ko),
        ),
        (
            "slack-step",
            Reply::Step {
                lang: Lang::En,
                entry: id("extension-failed-timeout-vm-network-unresponsive"),
                step: 0,
            },
        ),
        (
            "slack-suggest",
            Reply::Suggest {
                lang: Lang::En,
                did_you_mean: true,
                candidates: vec![
                    id("extension-failed-vss-writer-in-bad-state"),
                    id("extension-failed-vss-service-in-bad-state"),
                ],
            },
        ),
        ("slack-help", Reply::Help { lang: Lang::En }),
    ];
    for (name, reply) in cases {
        let r = render::card(&card(m, &reply));
        golden(
            name,
            serde_json::json!({ "text": r.text, "blocks": render::blocks_json(&r) }),
        );
    }
}
