//! The adapter on Discord's documented gateway payloads, and its rendering: limits on every
//! entry, and golden files (set `UPDATE_GOLDEN=1` to rewrite them, then review the diff).

use backup_bot_core::{card, Reply};
use backup_bot_discord::render;
use backup_bot_discord::run::incoming;
use backup_bot_index::{load_dir, Candidate, Lang, Matcher, Reason};
use serenity::all::{Interaction, Message, UserId};
use std::path::PathBuf;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dispatch(name: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/discord").join(name)).unwrap(),
    )
    .unwrap();
    assert_eq!(v["op"], 0);
    v["d"].clone()
}

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(load_dir(&root().join("content/entries")).unwrap()).unwrap())
}

#[test]
fn documented_message_create() {
    let msg: Message = serde_json::from_value(dispatch("message_create.json")).unwrap();
    let m = incoming(&msg, msg.content.clone(), Some(UserId::new(1)));
    assert_eq!(m.channel, "290926798999357250");
    assert_eq!(m.ts, "334385199974967042");
    assert_eq!(m.text, "Supa Hot");
    assert!(!m.direct && !m.dm && !m.from_bot);
    // Without a guild it is a direct message: always answered.
    let mut d = dispatch("message_create.json");
    d.as_object_mut().unwrap().remove("guild_id");
    let dm: Message = serde_json::from_value(d).unwrap();
    let m = incoming(&dm, dm.content.clone(), Some(UserId::new(1)));
    assert!(m.dm && m.direct);
    // Its own message and a mention.
    let own = incoming(
        &msg,
        msg.content.clone(),
        Some(UserId::new(53908099506183680)),
    );
    assert!(own.from_bot);
}

#[test]
fn documented_interaction_create() {
    let i: Interaction = serde_json::from_value(dispatch("interaction_create.json")).unwrap();
    let Interaction::Command(c) = i else {
        panic!("a command")
    };
    assert_eq!(c.data.name, "cardsearch");
    assert_eq!(c.token, "A_UNIQUE_TOKEN");
    assert_eq!(c.user.id.get(), 53908232506183680);
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
fn every_entry_renders_within_embed_limits() {
    let m = matcher();
    for (i, e) in m.entries().iter().enumerate() {
        for lang in [Lang::Ko, Lang::En] {
            let r = render::card(&card(m, &answer(i, lang)));
            let p = &r.parts;
            assert!(p.title.chars().count() <= render::MAX_TITLE, "{}", e.id);
            assert!(
                p.description.chars().count() <= render::MAX_DESCRIPTION,
                "{}",
                e.id
            );
            assert!(p.fields.len() <= render::MAX_FIELDS, "{}", e.id);
            for (n, v) in &p.fields {
                assert!(
                    n.chars().count() <= render::MAX_FIELD_NAME
                        && v.chars().count() <= render::MAX_FIELD_VALUE,
                    "{}",
                    e.id
                );
            }
            assert!(p.total() <= render::MAX_TOTAL, "{}: {}", e.id, p.total());
            assert!(p
                .buttons
                .iter()
                .all(|row| row.len() <= render::MAX_BUTTONS_PER_ROW));
        }
    }
}

#[test]
fn a_cut_paste_says_so_in_the_footer_in_both_languages() {
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
        let footer = |truncated: bool| {
            let r = Reply::Answer {
                lang,
                found: found.clone(),
                also: also.clone(),
                truncated,
            };
            render::card(&card(m, &r)).parts.footer
        };
        assert!(footer(true).contains(note), "{}", footer(true));
        assert!(!footer(false).contains(note));
    }
}

#[test]
fn an_entry_longer_than_the_limits_is_cut_with_a_link() {
    let m = matcher();
    let mut c = card(m, &answer(0, Lang::En));
    c.steps = (0..60)
        .map(|i| format!("step {i} {}", "word ".repeat(300)))
        .collect();
    let r = render::card(&c);
    assert!(r.parts.total() <= render::MAX_TOTAL);
    assert!(
        r.parts
            .fields
            .iter()
            .any(|(_, v)| v.contains("[full entry](https://learn.microsoft.com/")),
        "a link to the full entry"
    );
}

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
fn golden_embeds_and_components() {
    let m = matcher();
    let id = |id: &str| m.entry_by_id(id).unwrap();
    let cases = [
        (
            "discord-answer-en",
            answer(id("user-error-fs-freeze-failed"), Lang::En),
        ),
        (
            "discord-answer-ko",
            answer(id("extension-failed-vss-service-in-bad-state"), Lang::Ko),
        ),
        (
            "discord-step",
            Reply::Step {
                lang: Lang::En,
                entry: id("extension-failed-timeout-vm-network-unresponsive"),
                step: 0,
            },
        ),
        (
            "discord-suggest",
            Reply::Suggest {
                lang: Lang::En,
                did_you_mean: true,
                candidates: vec![
                    id("extension-failed-vss-writer-in-bad-state"),
                    id("extension-failed-vss-service-in-bad-state"),
                ],
            },
        ),
    ];
    for (name, reply) in cases {
        let r = render::card(&card(m, &reply));
        golden(
            name,
            serde_json::json!({ "embed": r.embed, "components": r.rows }),
        );
    }
}
