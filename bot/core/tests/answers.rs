//! What the core answers for the cases found by trying it as a new user would: a command
//! answers at least as surely as a paste, a removed answer is never pointed to, a cut paste
//! says so, an unknown code is said to be unknown with what is near it.

use backup_bot_core::chat::ChannelPolicy;
use backup_bot_core::{card, paste_reply, Action, CommandCall, Core, Effect, Incoming, Message};
use backup_bot_core::{words, Policy, Reply};
use backup_bot_index::{Matcher, MAX_PASTE_BYTES};

mod support;
use support::matcher;

fn command(c: &mut Core, text: &str) -> Reply {
    let fx = c.handle(
        Incoming::Command(CommandCall {
            channel: "C1".into(),
            user: Some("U1".into()),
            text: text.into(),
            ..Default::default()
        }),
        0,
    );
    match fx.into_iter().next() {
        Some(Effect::Respond { reply }) => reply,
        other => panic!("{other:?}"),
    }
}

fn id_of(m: &Matcher, reply: &Reply) -> Option<String> {
    match reply {
        Reply::Answer { found, .. } => Some(m.entries()[found.entry].id.clone()),
        _ => None,
    }
}

#[test]
fn a_command_answers_whatever_the_same_paste_answers() {
    let m = matcher();
    let mut c = Core::new(m.clone(), Policy::default());
    let texts = [
        "error code 380008",
        "Error code: 320001",
        "backup failed, error 400094",
        "UserErrorFsFreezeFaild",
        "UserErorFsFreezeFaild",
        "ExtensionFailedVssWriterInBadState",
        "Snapshot operation failed because VSS writers were in a bad state.",
        "가상 머신이 실행되고 있지 않아서 Microsoft Recovery Services 확장을 설치하지 못했습니다.",
    ];
    let mut named = 0;
    for text in texts {
        let Some(pasted) = paste_reply(&m, text) else {
            continue;
        };
        named += 1;
        let asked = command(&mut c, text);
        assert_eq!(id_of(&m, &asked), id_of(&m, &pasted), "{text}: {asked:?}");
        let (Reply::Answer { found: a, .. }, Reply::Answer { found: p, .. }) = (&asked, &pasted)
        else {
            unreachable!()
        };
        assert!(a.confidence >= p.confidence - 1e-6, "{text}");
    }
    assert!(named >= 6, "the cases must be answered as pastes: {named}");
}

/// Needs the matcher to take a bare numeric code as the subject of a question (`ask`); the
/// core answers whatever `ask` names.
#[test]
fn a_bare_numeric_code_as_a_command_is_answered() {
    let m = matcher();
    let mut c = Core::new(m.clone(), Policy::default());
    for (code, id) in [
        ("320001", "resource-not-found"),
        ("400094", "resource-not-found"),
        ("380008", "azure-vm-offline"),
    ] {
        let r = command(&mut c, code);
        assert_eq!(id_of(&m, &r).as_deref(), Some(id), "{code}: {r:?}");
    }
}

#[test]
fn an_unknown_code_is_said_to_be_unknown_with_the_nearest_codes() {
    let m = matcher();
    let mut c = Core::new(m.clone(), Policy::default());
    // Near two known codes: both offered, the code itself never echoed.
    let r = command(&mut c, "ExtensionFailedVssInBadState");
    let Reply::UnknownCode { near_codes, .. } = &r else {
        panic!("{r:?}")
    };
    assert_eq!(near_codes.len(), 2);
    let text = backup_bot_core::render_text(&m, &r);
    assert!(text.starts_with(words::EN.unknown_code), "{text}");
    assert!(
        text.contains("`ExtensionFailedVssWriterInBadState`"),
        "{text}"
    );
    assert_eq!(card(&m, &r).buttons.len(), 2, "each offered as a pick");
    assert!(!text.contains("ExtensionFailedVssInBadState"), "{text}");
    // Near nothing: unknown, and where to find the known codes.
    let r = command(&mut c, "SomeUnknownCodeName");
    assert!(
        matches!(&r, Reply::UnknownCode { near_codes, related, .. } if near_codes.is_empty() && related.is_empty()),
        "{r:?}"
    );
    assert_eq!(card(&m, &r).title, words::EN.unknown_code_alone);
    // In a Korean question, in Korean; related entries come from the match's candidates.
    let found = m.ask("ExtensionFailedVssInBadState 오류가 났어요");
    let r = command(&mut c, "ExtensionFailedVssInBadState 오류가 났어요");
    let Reply::UnknownCode {
        near_codes,
        related,
        ..
    } = &r
    else {
        panic!("{r:?}")
    };
    for e in near_codes.iter().map(|(e, _)| e).chain(related) {
        assert!(found.candidates.iter().any(|c| c.entry == *e));
    }
    let title = card(&m, &r).title;
    assert!(title == words::KO.unknown_code || title == words::KO.unknown_code_alone);
    // A known code is never called unknown.
    let r = command(&mut c, "UserErrorFsFreezeFailed");
    assert!(matches!(r, Reply::Answer { .. }), "{r:?}");
}

fn paste(channel: &str, ts: &str, text: &str) -> Incoming {
    Incoming::Message(Message {
        channel: channel.into(),
        user: Some("U1".into()),
        ts: ts.into(),
        text: text.into(),
        ..Message::default()
    })
}

#[test]
fn a_removed_answer_is_never_pointed_to() {
    let m = matcher();
    let mut c = Core::new(m.clone(), Policy::default());
    let text = "backup failed: UserErrorFsFreezeFailed";
    let fx = c.handle(paste("C1", "1.1", text), 0);
    let Effect::Post { reply, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    c.posted(&m, "C1", "1.9", reply, Some("1.1"), 0);
    // Within the cooldown the same error gets a pointer to the answer...
    let fx = c.handle(paste("C1", "2.1", text), 60);
    assert!(
        matches!(&fx[0], Effect::Post { reply: Reply::Pointer { earlier, .. }, .. } if earlier == "1.9"),
        "{fx:?}"
    );
    // ...until that answer is removed as wrong: then the whole answer again.
    let fx = c.handle(
        Incoming::Action(Action {
            channel: "C1".into(),
            action_id: "feedback.wrong".into(),
            message_ts: "1.9".into(),
            thread_ts: Some("1.1".into()),
            ..Action::default()
        }),
        70,
    );
    assert!(matches!(&fx[0], Effect::Delete { ts, .. } if ts == "1.9"));
    let fx = c.handle(paste("C1", "3.1", text), 80);
    assert!(
        matches!(
            &fx[0],
            Effect::Post {
                reply: Reply::Answer { .. },
                ..
            }
        ),
        "{fx:?}"
    );
    // An edit of the removed answer's paste does not update the removed reply.
    let mut edit = Message {
        channel: "C1".into(),
        ts: "1.1".into(),
        text: "backup failed: UserErrorSkuNotAvailable".into(),
        edited: true,
        ..Message::default()
    };
    edit.user = Some("U1".into());
    let fx = c.handle(Incoming::Message(edit), 90);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Update { ts, .. } if ts == "1.9")),
        "{fx:?}"
    );
}

#[test]
fn an_answer_to_a_command_is_never_pointed_to() {
    let m = matcher();
    let policy = Policy {
        default: ChannelPolicy {
            cooldown_secs: 3600,
            ..ChannelPolicy::default()
        },
        ..Policy::default()
    };
    let mut c = Core::new(m.clone(), policy);
    let r = command(&mut c, "UserErrorFsFreezeFailed");
    c.responded(&m, "C1", "9.9", &r);
    let fx = c.handle(
        paste("C1", "1.1", "backup failed: UserErrorFsFreezeFailed"),
        10,
    );
    assert!(
        matches!(
            &fx[0],
            Effect::Post {
                reply: Reply::Answer { .. },
                ..
            }
        ),
        "only its reader saw it: {fx:?}"
    );
}

/// A paste longer than the matcher reads: the answer says that part was left out, in the
/// card's context, in the paste's language.
#[test]
fn a_cut_paste_says_so() {
    let m = matcher();
    let mut c = Core::new(m.clone(), Policy::default());
    let filler = "2026-11-20T03:12:44Z INFO waagent heartbeat ok\n".repeat(MAX_PASTE_BYTES / 40);
    assert!(filler.len() > MAX_PASTE_BYTES);
    for (i, (text, note)) in [
        (
            format!("ERROR backup failed: UserErrorFsFreezeFailed\n{filler}"),
            words::EN.truncated,
        ),
        (
            format!("백업 실패 오류 UserErrorFsFreezeFailed\n{filler}"),
            words::KO.truncated,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let fx = c.handle(paste(&format!("C{i}"), "1.1", &text), 0);
        let Effect::Post { reply, .. } = &fx[0] else {
            panic!("{fx:?}")
        };
        assert!(
            matches!(
                reply,
                Reply::Answer {
                    truncated: true,
                    ..
                }
            ),
            "{reply:?}"
        );
        assert!(card(&m, reply).context.contains(note));
        assert!(backup_bot_core::render_text(&m, reply).contains(note));
    }
    // A whole paste says nothing of the kind.
    let r = paste_reply(&m, "ERROR backup failed: UserErrorFsFreezeFailed").unwrap();
    assert!(!card(&m, &r).context.contains(words::EN.truncated));
}

/// Needs the matcher to look for codes in the whole paste (the cut then applies to messages).
#[test]
fn a_code_at_the_end_of_a_long_paste_is_answered_and_the_cut_noted() {
    let m = matcher();
    let filler = "2026-11-20T03:12:44Z INFO waagent heartbeat ok\n".repeat(6000);
    let text = format!("{filler}ERROR backup failed: UserErrorFsFreezeFailed\n");
    let r = paste_reply(&m, &text).expect("named");
    assert_eq!(
        id_of(&m, &r).as_deref(),
        Some("user-error-fs-freeze-failed")
    );
    assert!(card(&m, &r).context.contains(words::EN.truncated));
}
