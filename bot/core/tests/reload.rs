//! The content replaced while the core runs: what outlives one message (buttons, edits, the
//! cooldown, feedback) refers to entries by id, so it still finds them after a reload that moves
//! them, and says plainly when a reload removed one.

use backup_bot_core::{Action, Core, Effect, Incoming, Message, Policy, Reply};
use backup_bot_index::{entry, load_dir, Entry, LiveMatcher, Matcher};
use std::path::PathBuf;

fn shipped() -> Vec<Entry> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/entries");
    load_dir(&dir).unwrap()
}

/// A team's runbook entry; put first, it moves every shipped entry one place on.
fn runbook(code: &str, title: &str) -> Entry {
    entry::parse(&format!(
        "+++\nid = \"aaa-team-{}\"\nkind = \"error\"\ncodes = [\"{code}\"]\n+++\n\n<!-- en -->\n# {title}\n\n## Steps\n1. Page the storage on-call.\n2. Rerun the job.\n",
        code.to_lowercase()
    ))
    .unwrap()
}

const PASTE: &str = "backup failed: UserErrorFsFreezeFailed";

fn paste(ts: &str) -> Incoming {
    Incoming::Message(Message {
        channel: "C1".into(),
        user: Some("U1".into()),
        ts: ts.into(),
        text: PASTE.into(),
        ..Message::default()
    })
}

fn press(c: &mut Core, id: &str, on: &str) -> (std::sync::Arc<Matcher>, Vec<Effect>) {
    c.decide(
        Incoming::Action(Action {
            channel: "C1".into(),
            user: Some("U1".into()),
            action_id: id.into(),
            message_ts: on.into(),
            thread_ts: Some("1.1".into()),
            ephemeral: false,
            ..Default::default()
        }),
        100,
    )
}

#[test]
fn buttons_edits_and_the_cooldown_survive_a_reload_that_moves_entries() {
    let live = LiveMatcher::new(Matcher::new(shipped()).unwrap());
    let mut c = Core::new(live.clone(), Policy::default());
    let (m, fx) = c.decide(paste("1.1"), 0);
    let Effect::Post { reply, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    c.posted(&m, "C1", "1.9", reply, Some("1.1"), 0);
    let before = m.entry_by_id("user-error-fs-freeze-failed").unwrap();

    // A reload puts a runbook first: every shipped entry moves.
    let mut entries = vec![runbook(
        "TeamVaultLocked",
        "Vault locked by the team policy",
    )];
    entries.extend(shipped());
    live.replace(Matcher::new(entries).unwrap());
    let now = c.matcher();
    let after = now.entry_by_id("user-error-fs-freeze-failed").unwrap();
    assert_ne!(before, after, "the reload must move the entry");
    assert!(!std::sync::Arc::ptr_eq(&m, &now));

    // The walk starts on the same entry (by id), decided and rendered on the new content.
    let (m2, fx) = press(&mut c, "guide.start", "1.9");
    let Effect::Post {
        reply: Reply::Step { entry, step: 0, .. },
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(m2.entries()[*entry].id, "user-error-fs-freeze-failed");
    // Feedback names the entry by id.
    press(&mut c, "feedback.fixed", "1.9");
    assert_eq!(c.memory.feedback[0].entry, "user-error-fs-freeze-failed");
    // The cooldown still knows it answered this entry here.
    let fx = c.handle(paste("2.1"), 60);
    assert!(
        matches!(&fx[0], Effect::Post { reply: Reply::Pointer { entry, .. }, .. } if *entry == after),
        "{fx:?}"
    );
    // An edit that names the same entry changes nothing; another entry updates the reply.
    let mut edit = Message {
        channel: "C1".into(),
        user: Some("U1".into()),
        ts: "1.1".into(),
        text: "backup failed again: UserErrorFsFreezeFailed".into(),
        edited: true,
        ..Message::default()
    };
    assert!(c.handle(Incoming::Message(edit.clone()), 70).is_empty());
    edit.text = "backup failed: TeamVaultLocked".into();
    let fx = c.handle(Incoming::Message(edit), 80);
    assert!(
        matches!(&fx[0], Effect::Update { ts, reply: Reply::Answer { .. }, .. } if ts == "1.9"),
        "{fx:?}"
    );
}

#[test]
fn a_button_whose_entry_a_reload_removed_says_it_is_gone() {
    let mut entries = vec![runbook(
        "TeamVaultLocked",
        "Vault locked by the team policy",
    )];
    entries.extend(shipped());
    let live = LiveMatcher::new(Matcher::new(entries).unwrap());
    let mut c = Core::new(live.clone(), Policy::default());
    let (m, fx) = c.decide(
        Incoming::Message(Message {
            channel: "C1".into(),
            ts: "1.1".into(),
            text: "nightly job: TeamVaultLocked".into(),
            ..Message::default()
        }),
        0,
    );
    let Effect::Post { reply, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(
        c.matcher().entries()[match reply {
            Reply::Answer { found, .. } => found.entry,
            _ => unreachable!(),
        }]
        .id,
        "aaa-team-teamvaultlocked"
    );
    c.posted(&m, "C1", "1.9", reply, Some("1.1"), 0);
    // The runbook is taken out of the folder and the content reloaded.
    live.replace(Matcher::new(shipped()).unwrap());
    let (_, fx) = press(&mut c, "guide.start", "1.9");
    assert_eq!(
        fx,
        [Effect::Respond {
            reply: Reply::Notice {
                lang: backup_bot_index::Lang::En,
                text: backup_bot_core::words::EN.no_entry.to_string()
            }
        }]
    );
    // A pick of it from an older suggestion: gone too, never another entry.
    let (_, fx) = press(&mut c, "suggest.pick:aaa-team-teamvaultlocked", "5.5");
    assert!(
        matches!(
            &fx[0],
            Effect::Respond {
                reply: Reply::Notice { .. }
            }
        ),
        "{fx:?}"
    );
    // Its reply in flight still renders on the content it was decided on.
    let text = backup_bot_core::render_text(&m, reply);
    assert!(text.contains("Vault locked by the team policy"), "{text}");
}
