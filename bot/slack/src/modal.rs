//! The resolve note's modal, both ways: the view `views.open` shows when someone presses
//! "Resolve" (its `callback_id` names the escalation, its `private_metadata` says where the
//! press came from), and its `view_submission` read back as the same button's [`Action`] with
//! the note. Slack sends only views our app opened, and every request is signed; still, only
//! a `callback_id` of a resolve is taken.

use backup_bot_core::escalation::{action, Move};
use backup_bot_core::{Action, Incoming};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

/// The note's input block and element.
pub const NOTE_BLOCK: &str = "note";
pub const NOTE_ACTION: &str = "note";
/// Slack's limits: a modal's title and buttons at most 24 characters, `private_metadata` at
/// most 3,000, a plain text input's value at most 3,000.
const MAX_NOTE: u64 = 3000;
const MAX_METADATA: usize = 3000;

/// A button press: where it happened, its response URL, and the trigger a modal needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Press {
    pub channel: String,
    /// The message that carries the button.
    pub message_ts: String,
    pub thread_ts: Option<String>,
    pub response_url: Option<String>,
    /// Valid for 3 seconds after the press, once: opens a modal.
    pub trigger_id: Option<String>,
}

/// What the modal carries from the press to its submission (`private_metadata`).
#[derive(Debug, Serialize, Deserialize)]
struct Metadata {
    channel: String,
    message_ts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    thread_ts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_url: Option<String>,
}

/// The modal asking for the resolve note of `mv`'s escalation, pressed at `press`.
pub fn resolve_view(mv: &Move, press: &Press) -> SlackView {
    let mut meta = Metadata {
        channel: press.channel.clone(),
        message_ts: press.message_ts.clone(),
        thread_ts: press.thread_ts.clone(),
        response_url: press.response_url.clone(),
    };
    let mut private = serde_json::to_string(&meta).unwrap_or_default();
    if private.len() > MAX_METADATA {
        // A response URL is a convenience (answers after the form); where the card is is not.
        meta.response_url = None;
        private = serde_json::to_string(&meta).unwrap_or_default();
    }
    let input = SlackInputBlock::new(
        SlackBlockPlainTextOnly::from("Note (optional)"),
        SlackInputBlockElement::PlainTextInput(
            SlackBlockPlainTextInputElement::new()
                .with_action_id(NOTE_ACTION.into())
                .with_multiline(true)
                .with_max_length(MAX_NOTE)
                .with_placeholder(SlackBlockPlainTextOnly::from(
                    "What fixed it, or what is left to do",
                )),
        ),
    )
    .with_block_id(NOTE_BLOCK.into())
    .with_optional(true);
    let text = format!(
        "Resolve escalation #{}. The note goes on the card's timeline.",
        mv.id.trim_start_matches('#')
    );
    SlackView::Modal(
        SlackModalView::new(
            SlackBlockPlainTextOnly::from("Resolve escalation"),
            vec![
                SlackBlock::Section(
                    SlackSectionBlock::new()
                        .with_text(SlackBlockText::Plain(SlackBlockPlainText::new(text))),
                ),
                SlackBlock::Input(input),
            ],
        )
        .with_submit(SlackBlockPlainTextOnly::from("Resolve"))
        .with_close(SlackBlockPlainTextOnly::from("Cancel"))
        .with_callback_id(format!("{}:{}", action::RESOLVE, mv.id).into())
        .with_private_metadata(private),
    )
}

/// A submitted resolve modal as the press it completes: `escalation.resolve:ID` with the note
/// (empty when left blank), by whoever submitted it; with the press's response URL. Any other
/// view is `None`.
pub fn submission(vs: &SlackInteractionViewSubmissionEvent) -> Option<(Incoming, Press)> {
    let SlackView::Modal(modal) = &vs.view.view else {
        return None;
    };
    let callback = modal.callback_id.as_ref()?.to_string();
    let id = callback.strip_prefix(action::RESOLVE)?.strip_prefix(':')?;
    if id.is_empty() {
        return None;
    }
    let meta: Metadata = serde_json::from_str(modal.private_metadata.as_deref()?).ok()?;
    let note = vs
        .view
        .state_params
        .state
        .as_ref()
        .and_then(|s| s.values.get(&NOTE_BLOCK.into()))
        .and_then(|b| b.get(&NOTE_ACTION.into()))
        .and_then(|v| v.value.clone())
        .unwrap_or_default();
    let press = Press {
        channel: meta.channel.clone(),
        message_ts: meta.message_ts.clone(),
        thread_ts: meta.thread_ts.clone(),
        response_url: meta.response_url,
        trigger_id: vs.trigger_id.as_ref().map(|t| t.value().clone()),
    };
    let incoming = Incoming::Action(Action {
        channel: meta.channel,
        user: Some(vs.user.id.value().clone()),
        action_id: callback,
        message_ts: meta.message_ts,
        thread_ts: meta.thread_ts,
        ephemeral: false,
        note: Some(note),
        ..Default::default()
    });
    Some((incoming, press))
}

#[cfg(test)]
mod tests {
    use super::*;
    use backup_bot_core::escalation::State;
    use backup_bot_index::Lang;
    use serde_json::json;

    fn mv() -> Move {
        Move {
            id: "42".into(),
            to: State::Resolved,
            user: Some("U1".into()),
            groups: vec![],
            note: None,
            lang: Lang::En,
        }
    }

    /// What Slack sends back: the view we opened, with its state and the ids Slack adds.
    fn submitted(view: &SlackView, note: Option<&str>) -> SlackInteractionViewSubmissionEvent {
        let mut v = serde_json::to_value(view).unwrap();
        v["id"] = json!("V0MODAL");
        v["team_id"] = json!("T1");
        v["hash"] = json!("1600000000.abcdef");
        v["state"] = json!({"values": {NOTE_BLOCK: {NOTE_ACTION: {"type": "plain_text_input", "value": note}}}});
        let payload = json!({
            "type": "view_submission",
            "team": {"id": "T1", "domain": "example"},
            "user": {"id": "U2", "username": "sam", "name": "sam", "team_id": "T1"},
            "api_app_id": "A1",
            "token": "x",
            "trigger_id": "1.2.abc",
            "view": v,
            "response_urls": []
        });
        match serde_json::from_value::<SlackInteractionEvent>(payload).unwrap() {
            SlackInteractionEvent::ViewSubmission(vs) => vs,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_submitted_note_comes_back_as_the_resolve_press() {
        let press = Press {
            channel: "C1".into(),
            message_ts: "1.000100".into(),
            thread_ts: Some("0.000100".into()),
            response_url: Some("https://hooks.slack.com/actions/x".into()),
            trigger_id: Some("t".into()),
        };
        let view = resolve_view(&mv(), &press);
        let (Incoming::Action(a), back) = submission(&submitted(&view, Some("disk full"))).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.action_id, "escalation.resolve:42");
        assert_eq!(a.note.as_deref(), Some("disk full"));
        assert_eq!(a.user.as_deref(), Some("U2"));
        assert_eq!(
            (a.channel.as_str(), a.message_ts.as_str()),
            ("C1", "1.000100")
        );
        assert_eq!(back.response_url, press.response_url);
        // Left blank: an empty note, still a submission (not a press asking for the form).
        let (Incoming::Action(a), _) = submission(&submitted(&view, None)).unwrap() else {
            panic!()
        };
        assert_eq!(a.note.as_deref(), Some(""));
    }

    #[test]
    fn only_a_resolve_view_is_taken() {
        let SlackView::Modal(mut m) = resolve_view(&mv(), &Press::default()) else {
            panic!()
        };
        m.callback_id = Some("guide.start:x".into());
        assert!(submission(&submitted(&SlackView::Modal(m.clone()), Some("n"))).is_none());
        m.callback_id = Some("escalation.resolve:".into());
        assert!(submission(&submitted(&SlackView::Modal(m), Some("n"))).is_none());
    }
}
