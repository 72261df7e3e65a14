//! Slack payloads (parsed with slack-morphism's models) become neutral [`Incoming`] events.

use crate::modal::Press;
use backup_bot_core::{Action, CommandCall, Incoming, Message};
use slack_morphism::prelude::*;

/// A file shared with a message, to be read as part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    pub id: String,
    pub mimetype: Option<String>,
    pub filetype: Option<String>,
}

impl SharedFile {
    /// Text files and snippets are read; images, archives and the like are not.
    pub fn is_text(&self) -> bool {
        let m = self.mimetype.as_deref().unwrap_or("");
        let t = self.filetype.as_deref().unwrap_or("");
        m.starts_with("text/")
            || m == "application/json"
            || m == "application/xml"
            || matches!(
                t,
                "text"
                    | "txt"
                    | "log"
                    | "json"
                    | "yaml"
                    | "xml"
                    | "csv"
                    | "shell"
                    | "powershell"
                    | "javascript"
                    | "markdown"
                    | "post"
            )
    }
}

/// What an Events API callback means for the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A person's message (new, or an edit): with the files to read into it.
    Message {
        message: Message,
        files: Vec<SharedFile>,
    },
    /// Nothing for the bot; the reason, for debug logs.
    Ignored(&'static str),
}

/// Reads an event callback (the `event` part of an `event_callback`, or a Socket Mode
/// `events_api` payload). `bot_user` is the bot's own user id, for mentions and its own messages.
pub fn event(
    cb: &SlackPushEventCallback,
    raw_event: &serde_json::Value,
    bot_user: Option<&str>,
) -> Heard {
    match &cb.event {
        SlackEventCallbackBody::Message(m) => message(m, raw_event, bot_user),
        SlackEventCallbackBody::AppMention(m) => {
            if bot_user.is_some_and(|b| b == m.user.value()) {
                return Heard::Ignored("own mention");
            }
            let text = m.content.text.clone().unwrap_or_default();
            Heard::Message {
                message: Message {
                    channel: m.channel.value().clone(),
                    user: Some(m.user.value().clone()),
                    ts: m.origin.ts.value().clone(),
                    thread_ts: m.origin.thread_ts.as_ref().map(|t| t.value().clone()),
                    text: backup_bot_core::strip_mention(&text, bot_user),
                    direct: true,
                    dm: false,
                    edited: m.edited.is_some(),
                    from_bot: false,
                },
                files: vec![],
            }
        }
        _ => Heard::Ignored("not a message"),
    }
}

fn message(m: &SlackMessageEvent, raw: &serde_json::Value, bot_user: Option<&str>) -> Heard {
    let channel = match &m.origin.channel {
        Some(c) => c.value().clone(),
        None => return Heard::Ignored("no channel"),
    };
    let dm = m.origin.channel_type.as_ref().is_some_and(|t| t.0 == "im");
    let (text, user, bot_id, ts, thread_ts, edited, files) = match &m.subtype {
        None
        | Some(SlackMessageEventType::FileShare)
        | Some(SlackMessageEventType::ThreadBroadcast) => (
            m.content
                .as_ref()
                .and_then(|c| c.text.clone())
                .unwrap_or_default(),
            m.sender.user.as_ref().map(|u| u.value().clone()),
            m.sender.bot_id.is_some(),
            m.origin.ts.value().clone(),
            m.origin.thread_ts.as_ref().map(|t| t.value().clone()),
            false,
            m.content
                .as_ref()
                .and_then(|c| c.files.as_ref())
                .map(|fs| {
                    fs.iter()
                        .map(|f| SharedFile {
                            id: f.id.value().clone(),
                            mimetype: f.mimetype.as_ref().map(|x| x.value().clone()),
                            filetype: f.filetype.as_ref().map(|x| x.value().clone()),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Some(SlackMessageEventType::MessageChanged) => {
            let Some(inner) = &m.message else {
                return Heard::Ignored("message_changed without message");
            };
            // An edit made by a person; unfurls and other machine edits have no `edited`.
            if inner.edited.is_none() {
                return Heard::Ignored("message_changed that is not an edit");
            }
            let thread = raw
                .get("message")
                .and_then(|x| x.get("thread_ts"))
                .and_then(|x| x.as_str())
                .map(str::to_string);
            (
                inner
                    .content
                    .as_ref()
                    .and_then(|c| c.text.clone())
                    .unwrap_or_default(),
                inner.sender.user.as_ref().map(|u| u.value().clone()),
                inner.sender.bot_id.is_some(),
                inner.ts.value().clone(),
                thread,
                true,
                vec![],
            )
        }
        Some(_) => return Heard::Ignored("a subtype that is not a person's new message"),
    };
    if m.hidden.unwrap_or(false) && !edited {
        return Heard::Ignored("hidden");
    }
    let own = bot_user.is_some() && user.as_deref() == bot_user;
    let direct = dm || bot_user.is_some_and(|b| text.contains(&format!("<@{b}>")));
    Heard::Message {
        message: Message {
            channel,
            user,
            ts,
            thread_ts,
            text: backup_bot_core::strip_mention(&text, bot_user),
            direct,
            dm,
            edited,
            from_bot: bot_id || own,
        },
        files,
    }
}

/// A slash command.
pub fn command(c: &SlackCommandEvent) -> (Incoming, String) {
    (
        Incoming::Command(CommandCall {
            channel: c.channel_id.value().clone(),
            user: Some(c.user_id.value().clone()),
            text: c.text.clone().unwrap_or_default(),
            ..Default::default()
        }),
        c.response_url.value().to_string(),
    )
}

/// The button presses of a `block_actions` interaction, each with the press (its
/// `response_url`, and its `trigger_id` for a modal).
pub fn actions(ba: &SlackInteractionBlockActionsEvent) -> Vec<(Incoming, Press)> {
    let (message_ts, channel, ephemeral) = match &ba.container {
        SlackInteractionActionContainer::Message(c) => (
            c.message_ts.value().clone(),
            c.channel_id.as_ref().map(|x| x.value().clone()),
            c.is_ephemeral.unwrap_or(false),
        ),
        _ => return vec![],
    };
    let Some(channel) = channel.or_else(|| ba.channel.as_ref().map(|c| c.id.value().clone()))
    else {
        return vec![];
    };
    let thread_ts = ba
        .message
        .as_ref()
        .and_then(|m| m.origin.thread_ts.as_ref())
        .map(|t| t.value().clone())
        .filter(|t| *t != message_ts);
    let press = Press {
        channel: channel.clone(),
        message_ts: message_ts.clone(),
        thread_ts: thread_ts.clone(),
        response_url: ba.response_url.as_ref().map(|u| u.value().to_string()),
        trigger_id: Some(ba.trigger_id.value().clone()),
    };
    ba.actions
        .iter()
        .flatten()
        .map(|a| {
            (
                Incoming::Action(Action {
                    channel: channel.clone(),
                    user: ba.user.as_ref().map(|u| u.id.value().clone()),
                    action_id: a.action_id.value().clone(),
                    message_ts: message_ts.clone(),
                    thread_ts: thread_ts.clone(),
                    ephemeral,
                    ..Default::default()
                }),
                press.clone(),
            )
        })
        .collect()
}

/// A `view_submission`: the resolve note's modal, as the press it completes (see
/// [`crate::modal::submission`]); any other view is `None`.
pub fn submission(vs: &SlackInteractionViewSubmissionEvent) -> Option<(Incoming, Press)> {
    crate::modal::submission(vs)
}
