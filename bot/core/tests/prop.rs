//! Properties of the chat core over any text: whatever is pasted, asked or typed after the
//! command, the decider answers without panicking, and no reply carries a mention or a
//! broadcast out of the text (replies never echo user text; the card's pings are the only
//! mentions, and only escalation cards have any).

use backup_bot_core::{
    card, lookup_reply, paste_reply, question_reply, render_text, CommandCall, Core, Effect,
    Incoming, Message, Policy, Reply,
};
use backup_bot_index::Matcher;
use proptest::prelude::*;

mod support;
use support::matcher;

const HOSTILE: [&str; 9] = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0HOSTILE>",
    "<!subteam^S0HOSTILE>",
    "@everyone",
    "@here",
    "<@&4242424242>",
    "<@!4242424242>",
];

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ._:/=-]{0,30}",
        "[가-힣 ]{0,12}",
        prop::sample::select(HOSTILE.to_vec()).prop_map(str::to_string),
        prop::sample::select(vec![
            "UserErrorFsFreezeFailed",
            "error code 380008",
            "ExtensionSnapshotFailedNoNetwork",
            "VM 에이전트 응답 없음",
            "backup failed",
            "\u{202e}\u{200d}\u{feff}",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|v| v.join(" "))
}

fn no_mention_from(input: &str, out: &str) -> Result<(), TestCaseError> {
    for h in HOSTILE {
        if input.contains(h) {
            prop_assert!(!out.contains(h), "{h} echoed: {out}");
        }
    }
    prop_assert!(!out.contains("HOSTILE"), "{out}");
    Ok(())
}

fn shown(m: &Matcher, reply: &Reply) -> String {
    let c = card(m, reply);
    assert!(c.pings.is_empty(), "only escalation cards ping");
    let mut s = render_text(m, reply);
    for (_, v) in &c.fields {
        s.push_str(v);
    }
    for b in &c.buttons {
        s.push_str(&b.label);
        s.push_str(&b.action_id);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_reply_echoes_a_mention_from_the_text(t in text()) {
        let m = matcher();
        if let Some(r) = paste_reply(&m, &t) {
            no_mention_from(&t, &shown(&m, &r))?;
        }
        no_mention_from(&t, &shown(&m, &question_reply(&m, &t)))?;
        no_mention_from(&t, &shown(&m, &lookup_reply(&m, &t)))?;
    }

    #[test]
    fn the_decider_takes_any_message_or_command(t in text(), direct in any::<bool>()) {
        let m = matcher();
        let mut core = Core::new(m.clone(), Policy::default());
        let effects = core.handle(
            Incoming::Message(Message {
                channel: "C1".into(),
                ts: "1.1".into(),
                text: t.clone(),
                direct,
                ..Message::default()
            }),
            0,
        );
        prop_assert!(effects.len() <= 1);
        let effects2 = core.handle(
            Incoming::Command(CommandCall {
                channel: "C1".into(),
                text: t.clone(),
                ..CommandCall::default()
            }),
            0,
        );
        for e in effects.iter().chain(effects2.iter()) {
            match e {
                Effect::Post { reply, .. } | Effect::Respond { reply } => {
                    no_mention_from(&t, &shown(&m, reply))?;
                }
                // An escalation keeps the note for its card, where the renderer sanitises it.
                Effect::Escalate(_) | Effect::Status { .. } => {}
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
