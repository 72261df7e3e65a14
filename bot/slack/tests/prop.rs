//! Properties of the Slack renderer over any paste (huge, binary, mixed scripts, right-to-left
//! marks, zero-width joiners, every mention form): whatever reply quotes it or answers it — an
//! answer, an unknown-code answer, an escalation card and its reminders — renders as well-formed
//! Block Kit (valid JSON, at most 50 blocks, every text within Slack's limit and not empty) that
//! pings nobody, or for a card with `pings` exactly those, and links only where the card's own
//! links go.

use backup_bot_core::escalation::{self, Platform, State, Target, Targets};
use backup_bot_core::{card, lookup_reply, paste_reply, question_reply};
use backup_bot_index::{load_dir, Matcher};
use backup_bot_slack::render::{self, Rendered};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "../../core/tests/support/pastes.rs"]
mod pastes;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/entries");
        Matcher::new(load_dir(&dir).unwrap()).unwrap()
    })
}

/// Slack's limits on the parts of a message (Block Kit reference).
const MAX_ACTION_ID: usize = 255;
const MAX_BUTTON_VALUE: usize = 2000;
const MAX_ELEMENTS: usize = 25;
const MAX_CONTEXT_ELEMENTS: usize = 10;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// A text object within `max` characters and not empty.
fn text_ok(what: &str, t: &Value, max: usize) -> Result<(), TestCaseError> {
    let n = chars(&t["text"]);
    prop_assert!(t["text"].is_string(), "{what}: no text in {t}");
    prop_assert!(
        (1..=max).contains(&n),
        "{what}: {n} characters (1..={max}): {t}"
    );
    Ok(())
}

/// Every `<` of mrkdwn (a link: text's own are escaped) closed by a `>` before the next `<`.
fn links_closed(t: &str) -> Result<(), TestCaseError> {
    let opens: Vec<usize> = t.match_indices('<').map(|(i, _)| i).collect();
    for (k, &i) in opens.iter().enumerate() {
        let next = opens.get(k + 1).copied().unwrap_or(t.len());
        prop_assert!(t[i..next].contains('>'), "a link cut open at {i}: {t}");
    }
    Ok(())
}

/// Valid Block Kit within Slack's limits; every text of the message (fallback first), by kind.
fn well_formed(r: &Rendered) -> Result<Vec<(&'static str, String)>, TestCaseError> {
    // The message as sent, through JSON and back.
    let wire = serde_json::to_string(&r.content()).unwrap();
    let back: Value = serde_json::from_str(&wire).unwrap();
    prop_assert_eq!(&back["text"], &Value::String(r.text.clone()));
    let blocks = back["blocks"].as_array().cloned().unwrap_or_default();
    prop_assert!(!blocks.is_empty() && blocks.len() <= render::MAX_BLOCKS);
    let fallback = r.text.chars().count();
    prop_assert!((1..=render::MAX_FALLBACK).contains(&fallback));
    let mut texts = vec![("fallback", r.text.clone())];
    for b in &blocks {
        match b["type"].as_str().unwrap_or("") {
            "header" => {
                prop_assert_eq!(&b["text"]["type"], "plain_text");
                text_ok("header", &b["text"], render::MAX_HEADER)?;
                texts.push(("header", b["text"]["text"].as_str().unwrap().into()));
            }
            "section" => {
                text_ok("section", &b["text"], render::MAX_SECTION)?;
                links_closed(b["text"]["text"].as_str().unwrap())?;
                texts.push(("section", b["text"]["text"].as_str().unwrap().into()));
            }
            "context" => {
                let els = b["elements"].as_array().cloned().unwrap_or_default();
                prop_assert!(!els.is_empty() && els.len() <= MAX_CONTEXT_ELEMENTS);
                for e in els {
                    text_ok("context", &e, render::MAX_SECTION)?;
                    links_closed(e["text"].as_str().unwrap())?;
                    texts.push(("context", e["text"].as_str().unwrap().into()));
                }
            }
            "actions" => {
                let els = b["elements"].as_array().cloned().unwrap_or_default();
                prop_assert!(!els.is_empty() && els.len() <= MAX_ELEMENTS);
                for e in els {
                    text_ok("button", &e["text"], render::MAX_BUTTON)?;
                    let id = chars(&e["action_id"]);
                    prop_assert!((1..=MAX_ACTION_ID).contains(&id), "{e}");
                    prop_assert!(chars(&e["value"]) <= MAX_BUTTON_VALUE, "{e}");
                    texts.push(("button", e["text"]["text"].as_str().unwrap().into()));
                }
            }
            other => prop_assert!(false, "unexpected block {other}: {b}"),
        }
        if let Some(id) = b.get("block_id") {
            prop_assert!(chars(id) <= MAX_ACTION_ID, "{b}");
        }
    }
    Ok(texts)
}

/// Every mention Slack would read in `s`: `<!…>`, `<@…>`, `<#…>`.
fn mentions(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices('<') {
        let rest = &s[i..];
        if ["<!", "<@", "<#"].iter().any(|p| rest.starts_with(p)) {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Well-formed, and the only mentions are `pings` (at the start of the fallback text and of
/// the first section when there are any); no broadcast anywhere.
fn pings_only(r: &Rendered, pings: &[&str]) -> Result<Vec<String>, TestCaseError> {
    let texts = well_formed(r)?;
    for (_, t) in &texts {
        for m in mentions(t) {
            prop_assert!(pings.contains(&m.as_str()), "{m} pings in {t}");
        }
        prop_assert!(pastes::broadcasts(t).is_empty(), "a broadcast in {t}");
    }
    if !pings.is_empty() {
        let head = pings.join(" ");
        prop_assert!(r.text.starts_with(&head), "{}", r.text);
        let first = texts.iter().find(|(k, _)| *k == "section");
        prop_assert!(
            first.is_some_and(|(_, t)| t.starts_with(&head)),
            "the first section does not start with {head}: {first:?}"
        );
    }
    Ok(texts.into_iter().map(|(_, t)| t).collect())
}

fn targets() -> Targets {
    Targets {
        primary: Some(Target::SlackGroup("S0ONCALL".into())),
        secondary: Some(Target::SlackUser("U0SECOND".into())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn answers_to_any_paste_are_well_formed_and_ping_nobody(t in pastes::paste()) {
        let m = matcher();
        let mut replies = vec![question_reply(m, &t), lookup_reply(m, &t)];
        replies.extend(paste_reply(m, &t));
        for reply in &replies {
            pings_only(&render::card(&card(m, reply)), &[])?;
        }
    }

    #[test]
    fn an_escalation_card_of_any_paste_pings_only_on_call_and_links_only_its_links(
        t in pastes::paste(),
    ) {
        let own: Vec<String> = pastes::view("", State::Open).links.into_iter().map(|(_, u)| u).collect();
        for (state, pings) in [
            (State::Open, vec!["<!subteam^S0ONCALL>"]),
            (State::Acknowledged, vec![]),
            (State::Resolved, vec![]),
        ] {
            let c = escalation::card(Platform::Slack, &pastes::view(&t, state), &targets(), 1_700_000_500);
            let texts = pings_only(&render::card(&c), &pings)?;
            for text in &texts {
                for link in pastes::slack_links(text) {
                    prop_assert!(own.contains(&link), "a link out of the paste: {link} in {text}");
                }
            }
        }
        let v = pastes::view(&t, State::Open);
        for (sent, pings) in [
            (0, vec!["<!subteam^S0ONCALL>"]),
            (1, vec!["<@U0SECOND>"]),
            (2, vec!["<!subteam^S0ONCALL>", "<@U0SECOND>"]),
        ] {
            let c = escalation::reminder(Platform::Slack, &v, &targets(), sent, 1_700_003_600);
            pings_only(&render::card(&c), &pings)?;
        }
    }
}
