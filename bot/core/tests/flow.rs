//! The chat core on the real content: what it posts, updates, deletes and answers.

use backup_bot_core::chat::{ChannelPolicy, FeedbackKind};
use backup_bot_core::escalation::Via;
use backup_bot_core::{Action, CommandCall, Core, Effect, Incoming, Message, Mode, Policy, Reply};

mod support;
use support::matcher;

fn core() -> Core {
    Core::new(matcher(), Policy::default())
}

fn msg(channel: &str, ts: &str, text: &str) -> Message {
    Message {
        channel: channel.into(),
        user: Some("U1".into()),
        ts: ts.into(),
        text: text.into(),
        ..Message::default()
    }
}

const PASTE: &str = "2026-11-20 ERROR backup failed: UserErrorFsFreezeFailed";

fn entry_of(core: &Core, reply: &Reply) -> String {
    match reply {
        Reply::Answer { found, .. } => core.matcher().entries()[found.entry].id.clone(),
        other => panic!("not an answer: {other:?}"),
    }
}

/// Posts what a Post effect asks and tells the core its id.
fn post(core: &mut Core, effects: &[Effect], id: &str, now: u64) {
    for e in effects {
        if let Effect::Post {
            channel,
            reply,
            source_ts,
            ..
        } = e
        {
            let m = core.matcher();
            core.posted(&m, channel, id, reply, source_ts.as_deref(), now);
        }
    }
}

#[test]
fn a_paste_gets_one_reply_in_its_thread_and_chatter_none() {
    let mut c = core();
    let fx = c.handle(Incoming::Message(msg("C1", "100.1", PASTE)), 0);
    assert_eq!(fx.len(), 1);
    let Effect::Post {
        thread_ts, reply, ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(thread_ts.as_deref(), Some("100.1"));
    assert_eq!(entry_of(&c, reply), "user-error-fs-freeze-failed");
    // In a thread: the reply goes to that thread.
    let mut m = msg("C1", "100.5", "ExtensionFailedVssWriterInBadState");
    m.thread_ts = Some("100.2".into());
    let fx = c.handle(Incoming::Message(m), 0);
    let Effect::Post { thread_ts, .. } = &fx[0] else {
        panic!()
    };
    assert_eq!(thread_ts.as_deref(), Some("100.2"));
    assert!(c
        .handle(Incoming::Message(msg("C1", "100.3", "lunch anyone?")), 0)
        .is_empty());
}

#[test]
fn the_same_message_twice_and_bots_get_no_reply() {
    let mut c = core();
    assert_eq!(
        c.handle(Incoming::Message(msg("C1", "1.1", PASTE)), 0)
            .len(),
        1
    );
    assert!(
        c.handle(Incoming::Message(msg("C1", "1.1", PASTE)), 0)
            .is_empty(),
        "retry"
    );
    let mut mention = msg("C1", "1.1", PASTE);
    mention.direct = true;
    assert!(
        c.handle(Incoming::Message(mention), 0).is_empty(),
        "message and app_mention: once"
    );
    let mut bot = msg("C1", "1.2", PASTE);
    bot.from_bot = true;
    assert!(c.handle(Incoming::Message(bot), 0).is_empty());
}

#[test]
fn a_direct_question_is_always_answered() {
    let mut c = core();
    let mut m = msg("C1", "2.1", "what's for lunch?");
    m.direct = true;
    let fx = c.handle(Incoming::Message(m), 0);
    let Effect::Post { reply, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert!(matches!(reply, Reply::Unknown { .. }), "{reply:?}");
    let mut m = msg("C1", "2.2", "ExtensionFailedVssInBadState");
    m.direct = true;
    let fx = c.handle(Incoming::Message(m), 0);
    // An unknown code: said to be unknown, with the two nearest known codes.
    let Effect::Post {
        reply: Reply::UnknownCode { near_codes, .. },
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    let codes: Vec<&str> = near_codes.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "ExtensionFailedVssWriterInBadState",
            "ExtensionFailedVssServiceInBadState"
        ]
    );
}

#[test]
fn an_edit_that_changes_the_code_updates_the_reply_in_place() {
    let mut c = core();
    let fx = c.handle(Incoming::Message(msg("C1", "3.1", PASTE)), 0);
    post(&mut c, &fx, "9.1", 0);
    let mut edit = msg("C1", "3.1", "sorry, it was UserErrorSkuNotAvailable");
    edit.edited = true;
    let fx = c.handle(Incoming::Message(edit.clone()), 10);
    assert_eq!(fx.len(), 1);
    let Effect::Update { ts, reply, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(ts, "9.1");
    assert_eq!(entry_of(&c, reply), "user-error-sku-not-available");
    // The same edit again (or one that keeps the code): nothing.
    assert!(c.handle(Incoming::Message(edit), 20).is_empty());
}

#[test]
fn cooldown_points_to_the_earlier_answer_and_mute_silences() {
    let mut c = core();
    let fx = c.handle(Incoming::Message(msg("C1", "4.1", PASTE)), 1000);
    post(&mut c, &fx, "9.2", 1000);
    let fx = c.handle(Incoming::Message(msg("C1", "4.2", PASTE)), 1000 + 600);
    let Effect::Post {
        reply:
            Reply::Pointer {
                minutes_ago,
                earlier,
                ..
            },
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert_eq!((*minutes_ago, earlier.as_str()), (10, "9.2"));
    // Another channel, or after the cooldown: the full answer.
    let fx = c.handle(Incoming::Message(msg("C2", "4.3", PASTE)), 1600);
    assert!(matches!(
        &fx[0],
        Effect::Post {
            reply: Reply::Answer { .. },
            ..
        }
    ));
    let fx = c.handle(Incoming::Message(msg("C1", "4.4", PASTE)), 1000 + 31 * 60);
    assert!(matches!(
        &fx[0],
        Effect::Post {
            reply: Reply::Answer { .. },
            ..
        }
    ));

    let call = |text: &str| {
        Incoming::Command(CommandCall {
            channel: "C1".into(),
            user: None,
            text: text.into(),
            ..Default::default()
        })
    };
    let fx = c.handle(call("mute 1h"), 5000);
    assert!(matches!(
        &fx[0],
        Effect::Respond {
            reply: Reply::Notice { .. }
        }
    ));
    assert!(c
        .handle(
            Incoming::Message(msg("C1", "4.5", "UserErrorSkuNotAvailable")),
            5001
        )
        .is_empty());
    let mut asked = msg("C1", "4.6", "UserErrorSkuNotAvailable");
    asked.direct = true;
    assert_eq!(
        c.handle(Incoming::Message(asked), 5002).len(),
        1,
        "a mention is still answered"
    );
    assert_eq!(
        c.handle(
            Incoming::Message(msg("C1", "4.7", "UserErrorSkuNotAvailable")),
            5000 + 3601
        )
        .len(),
        1,
        "mute ends"
    );
    c.handle(call("mute 1h"), 9000);
    c.handle(call("unmute"), 9001);
    assert_eq!(
        c.handle(
            Incoming::Message(msg("C1", "4.8", "ExtensionConfigParsingFailure")),
            9002
        )
        .len(),
        1
    );
}

#[test]
fn channel_modes_and_allow_list() {
    let mut policy = Policy::default();
    policy.channels.insert(
        "CM".into(),
        ChannelPolicy {
            mode: Mode::Mention,
            cooldown_secs: 0,
        },
    );
    policy.channels.insert(
        "CO".into(),
        ChannelPolicy {
            mode: Mode::Off,
            cooldown_secs: 0,
        },
    );
    policy.allow = Some(
        ["CM".to_string(), "CO".to_string(), "CA".to_string()]
            .into_iter()
            .collect(),
    );
    let mut c = Core::new(matcher(), policy);
    assert!(c
        .handle(Incoming::Message(msg("CM", "5.1", PASTE)), 0)
        .is_empty());
    let mut m = msg("CM", "5.2", PASTE);
    m.direct = true;
    assert_eq!(c.handle(Incoming::Message(m), 0).len(), 1);
    let mut m = msg("CO", "5.3", PASTE);
    m.direct = true;
    assert!(c.handle(Incoming::Message(m), 0).is_empty());
    assert!(
        c.handle(Incoming::Message(msg("CX", "5.4", PASTE)), 0)
            .is_empty(),
        "not allowed"
    );
    let mut dm = msg("D1", "5.5", PASTE);
    dm.dm = true;
    assert_eq!(
        c.handle(Incoming::Message(dm), 0).len(),
        1,
        "direct messages are always heard"
    );
    assert_eq!(
        c.handle(Incoming::Message(msg("CA", "5.6", PASTE)), 0)
            .len(),
        1
    );
}

fn press(c: &mut Core, id: &str, on: &str) -> Vec<Effect> {
    c.handle(
        Incoming::Action(Action {
            channel: "C1".into(),
            user: Some("U1".into()),
            action_id: id.into(),
            message_ts: on.into(),
            thread_ts: Some("6.1".into()),
            ephemeral: false,
            ..Default::default()
        }),
        100,
    )
}

#[test]
fn guided_steps_feedback_and_escalation() {
    let mut c = core();
    let fx = c.handle(
        Incoming::Message(msg("C1", "6.1", "ExtensionFailedVssWriterInBadState")),
        0,
    );
    post(&mut c, &fx, "7.1", 0);
    let fx = press(&mut c, "guide.start", "7.1");
    let Effect::Post {
        reply: Reply::Step { step: 0, .. },
        thread_ts,
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(thread_ts.as_deref(), Some("6.1"));
    post(&mut c, &fx, "7.2", 0);
    let fx = press(&mut c, "guide.next:1", "7.2");
    assert!(
        matches!(
            &fx[0],
            Effect::Post {
                reply: Reply::Step { step: 1, .. },
                ..
            }
        ),
        "{fx:?}"
    );
    let fx = press(&mut c, "feedback.fixed", "7.2");
    assert!(matches!(
        &fx[0],
        Effect::Post {
            reply: Reply::Thanks { .. },
            ..
        }
    ));
    let fx = press(&mut c, "feedback.still_failing", "7.2");
    let Effect::Post {
        reply: Reply::OfferEscalation { entry, .. },
        ..
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    // The button names its entry, so it needs nothing kept about the offer's message.
    let entry = entry.clone().expect("the offer names its entry");
    let card = backup_bot_core::card(
        &c.matcher(),
        &Reply::OfferEscalation {
            lang: backup_bot_index::Lang::En,
            entry: Some(entry.clone()),
        },
    );
    let open = card.buttons[0].action_id.clone();
    assert_eq!(open, format!("escalation.open:{entry}"));
    let fx = press(&mut c, &open, "7.3");
    let Effect::Escalate(req) = &fx[0] else {
        panic!("never a silent no-op: {fx:?}")
    };
    assert_eq!(
        req.entry.as_deref(),
        Some("extension-failed-vss-writer-in-bad-state")
    );
    assert_eq!(req.thread.as_deref(), Some("6.1"));
    assert_eq!(req.reporter.as_deref(), Some("U1"));
    assert_eq!(req.via, Via::Button);
    // The walk's steps, by whom and when: what the card says was tried.
    let steps: Vec<(usize, Option<&str>)> = req
        .tried
        .iter()
        .map(|w| (w.step, w.user.as_deref()))
        .collect();
    assert_eq!(steps, [(0, Some("U1")), (1, Some("U1"))]);
    let kinds: Vec<FeedbackKind> = c.memory.feedback.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FeedbackKind::Fixed, FeedbackKind::StillFailing]);
    assert_eq!(
        c.memory.feedback[0].entry,
        "extension-failed-vss-writer-in-bad-state"
    );
}

#[test]
fn a_wrong_answer_is_removed_and_recorded() {
    let mut c = core();
    let fx = c.handle(Incoming::Message(msg("C1", "8.1", PASTE)), 0);
    post(&mut c, &fx, "8.9", 0);
    let fx = press(&mut c, "feedback.wrong", "8.9");
    assert_eq!(
        fx[0],
        Effect::Delete {
            channel: "C1".into(),
            ts: "8.9".into()
        }
    );
    assert_eq!(c.memory.feedback[0].kind, FeedbackKind::Wrong);
    assert_eq!(c.memory.feedback[0].entry, "user-error-fs-freeze-failed");
}

#[test]
fn the_command_looks_up_searches_and_helps() {
    let mut c = core();
    let call = |text: &str| {
        Incoming::Command(CommandCall {
            channel: "C1".into(),
            user: None,
            text: text.into(),
            ..Default::default()
        })
    };
    let fx = c.handle(call("UserErrorFsFreezeFailed"), 0);
    let Effect::Respond { reply } = &fx[0] else {
        panic!()
    };
    assert_eq!(entry_of(&c, reply), "user-error-fs-freeze-failed");
    // A misspelt code: answered, as surely as the same text pasted.
    let fx = c.handle(call("UserErrorFsFreezeFaild"), 0);
    let Effect::Respond { reply } = &fx[0] else {
        panic!()
    };
    assert_eq!(entry_of(&c, reply), "user-error-fs-freeze-failed");
    // Words that name an entry's message: that entry.
    let fx = c.handle(call("snapshot failed VSS writer bad state"), 0);
    let Effect::Respond { reply } = &fx[0] else {
        panic!()
    };
    assert_eq!(
        entry_of(&c, reply),
        "extension-failed-vss-writer-in-bad-state"
    );
    // Words that name nothing for sure: the closest entries.
    let fx = c.handle(call("antivirus blocks the extension"), 0);
    let Effect::Respond {
        reply:
            Reply::Suggest {
                candidates,
                did_you_mean: false,
                ..
            },
    } = &fx[0]
    else {
        panic!("{fx:?}")
    };
    assert!(!candidates.is_empty() && candidates.len() <= 3);
    for text in ["", "help"] {
        let fx = c.handle(call(text), 0);
        assert!(matches!(
            &fx[0],
            Effect::Respond {
                reply: Reply::Help { .. }
            }
        ));
    }
    let fx = c.handle(call("mute forever"), 0);
    assert!(matches!(
        &fx[0],
        Effect::Respond {
            reply: Reply::Notice { .. }
        }
    ));
    // A pick from the suggestions answers with that entry.
    let fx = c.handle(
        Incoming::Action(Action {
            channel: "C1".into(),
            action_id: "suggest.pick:user-error-sku-not-available".into(),
            message_ts: "0".into(),
            ephemeral: true,
            ..Action::default()
        }),
        0,
    );
    let Effect::Respond { reply } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(entry_of(&c, reply), "user-error-sku-not-available");
}

#[test]
fn an_edit_while_the_answer_is_being_sent_does_not_answer_twice() {
    let mut c = core();
    let fx = c.handle(Incoming::Message(msg("C1", "9.1", PASTE)), 0);
    assert_eq!(fx.len(), 1);
    // Edited before the adapter confirmed the post: nothing (no second answer).
    let mut edit = msg("C1", "9.1", "backup failed: UserErrorSkuNotAvailable");
    edit.edited = true;
    assert!(c.handle(Incoming::Message(edit.clone()), 1).is_empty());
    // Once posted, an edit updates it.
    post(&mut c, &fx, "9.9", 2);
    let fx = c.handle(Incoming::Message(edit), 3);
    assert!(
        matches!(&fx[0], Effect::Update { ts, .. } if ts == "9.9"),
        "{fx:?}"
    );
}
