//! Escalation as the decider sees it: the three ways in (the button, asking in the thread, a
//! code from anywhere), the automatic one, the card's buttons, `status`.

use backup_bot_core::escalation::{State, Tell, Via};
use backup_bot_core::{Action, CommandCall, Core, Effect, Incoming, Message, Policy, Reply};

mod support;
use support::matcher;

const PASTE: &str = "2026-11-20 ERROR backup failed: UserErrorFsFreezeFailed";
const ENTRY: &str = "user-error-fs-freeze-failed";

/// A core that answered PASTE (message 1.1 in C1) with reply 2.1.
fn answered(policy: Policy) -> Core {
    let mut c = Core::new(matcher(), policy);
    let fx = c.handle(
        Incoming::Message(Message {
            channel: "C1".into(),
            user: Some("U1".into()),
            ts: "1.1".into(),
            text: PASTE.into(),
            ..Message::default()
        }),
        0,
    );
    let Effect::Post {
        reply, source_ts, ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    let m = c.matcher();
    c.posted(&m, "C1", "2.1", reply, source_ts.as_deref(), 0);
    c
}

fn press(c: &mut Core, id: &str, note: Option<&str>) -> Vec<Effect> {
    c.handle(
        Incoming::Action(Action {
            channel: "C1".into(),
            user: Some("U2".into()),
            action_id: id.into(),
            message_ts: "2.1".into(),
            thread_ts: Some("1.1".into()),
            note: note.map(str::to_string),
            ..Default::default()
        }),
        50,
    )
}

fn mention(c: &mut Core, ts: &str, thread: Option<&str>, text: &str) -> Vec<Effect> {
    c.handle(
        Incoming::Message(Message {
            channel: "C1".into(),
            user: Some("U3".into()),
            ts: ts.into(),
            thread_ts: thread.map(str::to_string),
            text: text.into(),
            direct: true,
            ..Message::default()
        }),
        60,
    )
}

#[test]
fn asking_in_the_thread_escalates_its_entry_once() {
    let mut c = answered(Policy::default());
    let fx = mention(
        &mut c,
        "3.1",
        Some("1.1"),
        "escalate sap-01 <!channel> since Monday",
    );
    let [Effect::Escalate(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.entry.as_deref(), Some(ENTRY));
    assert_eq!(req.thread.as_deref(), Some("1.1"));
    assert_eq!(req.note.as_deref(), Some("sap-01 <!channel> since Monday"));
    assert_eq!((req.via, req.tell), (Via::Asked, Tell::Thread));
    assert_eq!(req.reporter.as_deref(), Some("U3"));
    // The same message delivered again: claimed, nothing more.
    assert!(mention(&mut c, "3.1", Some("1.1"), "escalate").is_empty());
    // Not a mention: an ordinary message that says "escalate" is chatter.
    let fx = c.handle(
        Incoming::Message(Message {
            channel: "C1".into(),
            ts: "3.2".into(),
            thread_ts: Some("1.1".into()),
            text: "escalate".into(),
            ..Message::default()
        }),
        60,
    );
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn a_code_from_anywhere_opens_a_new_thread_and_status_lists() {
    let mut c = Core::new(matcher(), Policy::default());
    let cmd = |text: &str, thread: Option<&str>| {
        Incoming::Command(CommandCall {
            channel: "C9".into(),
            user: Some("U4".into()),
            text: text.into(),
            thread: thread.map(str::to_string),
        })
    };
    let fx = c.handle(
        cmd("escalate UserErrorFsFreezeFailed sap-01 since Monday", None),
        0,
    );
    let [Effect::Escalate(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(req.entry.as_deref(), Some(ENTRY));
    assert_eq!(req.thread, None);
    assert_eq!(req.note.as_deref(), Some("sap-01 since Monday"));
    assert_eq!(req.tell, Tell::Respond);
    // `escalate` with no code, from a command that names no thread: told how.
    let fx = c.handle(cmd("escalate please", None), 0);
    assert!(
        matches!(&fx[..], [Effect::Respond { reply: Reply::Notice { text, .. } }] if text.contains("escalate CODE")),
        "{fx:?}"
    );
    // A misspelt code is still a code.
    let fx = c.handle(cmd("escalate UserErrorFsFreezFailed", None), 0);
    assert!(
        matches!(&fx[..], [Effect::Escalate(r)] if r.entry.as_deref() == Some(ENTRY)),
        "{fx:?}"
    );
    let fx = c.handle(cmd("status", None), 0);
    assert!(
        matches!(&fx[..], [Effect::Status { channel, .. }] if channel == "C9"),
        "{fx:?}"
    );
    // Anything else is still a lookup.
    let fx = c.handle(cmd("UserErrorFsFreezeFailed", None), 0);
    assert!(matches!(
        &fx[..],
        [Effect::Respond {
            reply: Reply::Answer { .. }
        }]
    ));
}

#[test]
fn still_failing_escalates_by_itself_after_the_configured_presses() {
    let mut c = answered(Policy {
        escalate_after: Some(2),
        ..Policy::default()
    });
    let fx = press(&mut c, "feedback.still_failing", None);
    assert!(
        matches!(
            &fx[..],
            [Effect::Post {
                reply: Reply::OfferEscalation { .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    let fx = press(&mut c, "feedback.still_failing", None);
    let [Effect::Escalate(req)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!((req.via, req.entry.as_deref()), (Via::Auto, Some(ENTRY)));
    // Off by default: presses only offer.
    let mut c = answered(Policy::default());
    for _ in 0..5 {
        let fx = press(&mut c, "feedback.still_failing", None);
        assert!(matches!(
            &fx[..],
            [Effect::Post {
                reply: Reply::OfferEscalation { .. },
                ..
            }]
        ));
    }
}

#[test]
fn the_cards_buttons_acknowledge_and_resolve_with_a_note() {
    let mut c = answered(Policy::default());
    let fx = press(&mut c, "escalation.ack:17", None);
    let [Effect::Move(mv)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!((mv.id.as_str(), mv.to), ("17", State::Acknowledged));
    assert_eq!(mv.user.as_deref(), Some("U2"));
    // Resolving asks for a note first; the form comes back with it.
    let fx = press(&mut c, "escalation.resolve:17", None);
    assert!(
        matches!(&fx[..], [Effect::AskNote(mv)] if mv.to == State::Resolved),
        "{fx:?}"
    );
    let fx = press(&mut c, "escalation.resolve:17", Some("rebooted sap-01"));
    assert!(
        matches!(&fx[..], [Effect::Move(mv)] if mv.note.as_deref() == Some("rebooted sap-01")),
        "{fx:?}"
    );
    // An empty note resolves without one.
    let fx = press(&mut c, "escalation.resolve:17", Some("  "));
    assert!(
        matches!(&fx[..], [Effect::Move(mv)] if mv.note.is_none()),
        "{fx:?}"
    );
}

#[test]
fn wrong_answer_removes_only_a_reply_of_ours() {
    let mut c = answered(Policy::default());
    // A message the state knows nothing about (another's message, a forged payload).
    let fx = c.handle(
        Incoming::Action(Action {
            channel: "C1".into(),
            user: Some("U2".into()),
            action_id: "feedback.wrong".into(),
            message_ts: "9.9".into(),
            ..Default::default()
        }),
        50,
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Delete { .. })),
        "{fx:?}"
    );
    let fx = press(&mut c, "feedback.wrong", None);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Delete { ts, .. } if ts == "2.1")),
        "{fx:?}"
    );
}
