//! Properties of the Discord renderer over any paste (huge, binary, mixed scripts, right-to-left
//! marks, zero-width joiners, every mention form): whatever reply quotes it or answers it — an
//! answer, an unknown-code answer, an escalation card and its reminders — goes out as a message
//! within Discord's limits (content 2,000; embed title 256, description 4,096, at most 25 fields
//! of 1,024 with names of 256, footer 2,048, 6,000 in all; at most 5 rows of 5 buttons, labels of
//! 80, custom ids of 100) that pings nobody, or for a card with `pings` exactly those (its
//! content and its `allowed_mentions`), and links only where the card's own links go.

use backup_bot_core::escalation::{self, Platform, State, Target, Targets};
use backup_bot_core::{card, lookup_reply, paste_reply, question_reply};
use backup_bot_discord::render::{self, Rendered};
use backup_bot_discord::send;
use backup_bot_index::{load_dir, Matcher};
use proptest::prelude::*;
use serde_json::{json, Value};
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

const MAX_CONTENT: usize = 2000;
const MAX_CUSTOM_ID: usize = 100;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// The message as sent (JSON and back), within Discord's limits; the texts of its embed and
/// buttons.
fn well_formed(r: &Rendered) -> Result<(Value, Vec<String>), TestCaseError> {
    let wire = serde_json::to_string(&send::message(r)).unwrap();
    let m: Value = serde_json::from_str(&wire).unwrap();
    prop_assert!(chars(&m["content"]) <= MAX_CONTENT);
    let mut texts = Vec::new();
    let embeds = m["embeds"].as_array().cloned().unwrap_or_default();
    prop_assert!(embeds.len() <= 1);
    for e in &embeds {
        let (title, description) = (chars(&e["title"]), chars(&e["description"]));
        prop_assert!(title <= render::MAX_TITLE, "title {title}");
        prop_assert!(
            description <= render::MAX_DESCRIPTION,
            "description {description}"
        );
        prop_assert!(title + description > 0, "an empty embed: {e}");
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        prop_assert!(
            fields.len() <= render::MAX_FIELDS,
            "{} fields",
            fields.len()
        );
        let mut total = title + description + chars(&e["footer"]["text"]);
        prop_assert!(chars(&e["footer"]["text"]) <= render::MAX_FOOTER);
        for f in &fields {
            let (name, value) = (chars(&f["name"]), chars(&f["value"]));
            prop_assert!(
                (1..=render::MAX_FIELD_NAME).contains(&name),
                "field name {f}"
            );
            prop_assert!(
                (1..=render::MAX_FIELD_VALUE).contains(&value),
                "field value {f}"
            );
            total += name + value;
            texts.push(format!(
                "{}\n{}",
                f["name"].as_str().unwrap(),
                f["value"].as_str().unwrap()
            ));
        }
        prop_assert!(
            total <= render::MAX_TOTAL,
            "{total} characters in the embed"
        );
        for k in ["title", "description"] {
            texts.extend(e[k].as_str().map(str::to_string));
        }
        texts.extend(e["footer"]["text"].as_str().map(str::to_string));
    }
    let rows = m["components"].as_array().cloned().unwrap_or_default();
    prop_assert!(rows.len() <= render::MAX_ROWS);
    for row in &rows {
        let buttons = row["components"].as_array().cloned().unwrap_or_default();
        prop_assert!(!buttons.is_empty() && buttons.len() <= render::MAX_BUTTONS_PER_ROW);
        for b in &buttons {
            let label = chars(&b["label"]);
            prop_assert!((1..=render::MAX_LABEL).contains(&label), "label {b}");
            let id = chars(&b["custom_id"]);
            prop_assert!((1..=MAX_CUSTOM_ID).contains(&id), "custom_id {b}");
            texts.push(b["label"].as_str().unwrap().into());
        }
    }
    Ok((m, texts))
}

/// Well-formed; the content is exactly the mentions of `roles` and `users` (none without),
/// `allowed_mentions` names exactly them and parses nothing, and no other text can mention.
fn pings_only(r: &Rendered, roles: &[u64], users: &[u64]) -> Result<Vec<String>, TestCaseError> {
    let (m, texts) = well_formed(r)?;
    let mut wanted: Vec<String> = roles.iter().map(|id| format!("<@&{id}>")).collect();
    wanted.extend(users.iter().map(|id| format!("<@{id}>")));
    if wanted.is_empty() {
        prop_assert!(
            m["content"].is_null() || m.get("content").is_none(),
            "{}",
            m["content"]
        );
    } else {
        prop_assert_eq!(&m["content"], &json!(wanted.join(" ")));
    }
    let allowed = &m["allowed_mentions"];
    prop_assert_eq!(&allowed["parse"], &json!([]));
    let ids = |v: &[u64]| json!(v.iter().map(u64::to_string).collect::<Vec<_>>());
    prop_assert_eq!(&allowed["roles"], &ids(roles));
    prop_assert_eq!(&allowed["users"], &ids(users));
    for t in &texts {
        for bad in ["<@", "<#"] {
            prop_assert!(!t.contains(bad), "{bad} in {t}");
        }
        prop_assert!(pastes::broadcasts(t).is_empty(), "a broadcast in {t}");
    }
    Ok(texts)
}

fn targets() -> Targets {
    Targets {
        primary: Some(Target::DiscordRole(5555)),
        secondary: Some(Target::DiscordUser(6666)),
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
            pings_only(&render::card(&card(m, reply)), &[], &[])?;
        }
    }

    #[test]
    fn an_escalation_card_of_any_paste_pings_only_on_call_and_links_only_its_links(
        t in pastes::paste(),
    ) {
        let own: Vec<String> = pastes::view("", State::Open).links.into_iter().map(|(_, u)| u).collect();
        for (state, roles) in [
            (State::Open, vec![5555]),
            (State::Acknowledged, vec![]),
            (State::Resolved, vec![]),
        ] {
            let c = escalation::card(Platform::Discord, &pastes::view(&t, state), &targets(), 1_700_000_500);
            for text in pings_only(&render::card(&c), &roles, &[])? {
                for link in pastes::markdown_links(&text) {
                    prop_assert!(own.contains(&link), "a link out of the paste: {link} in {text}");
                }
            }
        }
        let v = pastes::view(&t, State::Open);
        for (sent, roles, users) in [(0, vec![5555], vec![]), (1, vec![], vec![6666]), (2, vec![5555], vec![6666])] {
            let c = escalation::reminder(Platform::Discord, &v, &targets(), sent, 1_700_003_600);
            pings_only(&render::card(&c), &roles, &users)?;
        }
    }
}
