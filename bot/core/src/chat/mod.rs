//! The chat core: an incoming message, command or button press becomes effects (post, update,
//! delete, respond). No I/O, no lock: a [`Decider`] (the content and the policy, shared as they
//! are) prepares an event ([`Decider::prepare`]: the matching, and the few facts of the state it
//! needs), then decides on those facts ([`Decider::decide`]): effects, a claim to take before
//! anything is posted, and changes to the state. Whoever runs it (the runtime over the store; a
//! [`Core`] over [`Memory`]) fetches the facts, takes the claim, applies the changes, carries out
//! the effects and records what was posted ([`recorded`]).
//!
//! One handler per file: `message` (pastes and questions), `edit`, `command`, `action`
//! (buttons); `decision` the vocabulary between the decider and its state; `memory` a state
//! kept in this process, by entry id (positions change when the content is reloaded); `local`
//! the decider over that memory.

mod action;
mod command;
mod decision;
mod edit;
mod escalate;
mod local;
mod memory;
mod message;

pub use decision::{recorded, About, Change, Decision, Draft, Facts, Key, Needs, Progress};
pub use local::Core;
pub use memory::{Memory, MEMORY_LIMIT};

use crate::escalation::Escalate;
use crate::reply::Reply;
use backup_bot_index::{Lang, LiveMatcher, Matcher};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How the bot behaves in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answer pastes (the default).
    Auto,
    /// Answer only when asked (a mention, a DM, the command).
    Mention,
    /// Say nothing (direct messages are still answered).
    Off,
}

/// Noise control for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelPolicy {
    pub mode: Mode,
    /// The same entry in the same channel within this many seconds gets a pointer, not the answer.
    pub cooldown_secs: u64,
}

impl Default for ChannelPolicy {
    fn default() -> Self {
        ChannelPolicy {
            mode: Mode::Auto,
            cooldown_secs: 30 * 60,
        }
    }
}

/// Noise control for all channels.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub default: ChannelPolicy,
    pub channels: HashMap<String, ChannelPolicy>,
    /// When set, only these channels are heard (direct messages always are).
    pub allow: Option<HashSet<String>>,
    /// Escalate by itself after this many "still failing" presses in one thread.
    pub escalate_after: Option<u32>,
}

impl Policy {
    pub fn for_channel(&self, channel: &str) -> ChannelPolicy {
        self.channels.get(channel).copied().unwrap_or(self.default)
    }
}

/// A message in a channel (or a direct message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub channel: String,
    pub user: Option<String>,
    /// The message's own id (Slack `ts`, Discord message id).
    pub ts: String,
    /// The thread it is in, if any.
    pub thread_ts: Option<String>,
    pub text: String,
    /// A direct question: a mention of the bot or a direct message.
    pub direct: bool,
    /// A direct-message conversation (heard whatever the allow-list says).
    pub dm: bool,
    /// An edit of an earlier message (`ts` is the original's).
    pub edited: bool,
    /// Sent by a bot (this one or another).
    pub from_bot: bool,
}

/// A slash command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandCall {
    pub channel: String,
    pub user: Option<String>,
    pub text: String,
    /// The thread it was typed in, when the platform says (a Discord thread: its id).
    pub thread: Option<String>,
}

/// A button press.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Action {
    pub channel: String,
    pub user: Option<String>,
    /// The full action id, data after a colon (`guide.next:3`).
    pub action_id: String,
    /// The message that carries the button.
    pub message_ts: String,
    /// The thread that message is in, if any.
    pub thread_ts: Option<String>,
    /// The button sits on a message only its reader sees (a command's answer).
    pub ephemeral: bool,
    /// What the person wrote in the form the button opened (a resolve note), once submitted.
    pub note: Option<String>,
    /// The groups the platform says the person is in (Discord roles as `role:ID`).
    pub groups: Vec<String>,
}

/// Something that reached the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Message(Message),
    Command(CommandCall),
    Action(Action),
}

/// What the bot wants done.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Post a reply in a channel (in `thread_ts`'s thread); then record it ([`recorded`]).
    Post {
        channel: String,
        thread_ts: Option<String>,
        reply: Reply,
        /// The message this replies to (so an edit of it can update the reply).
        source_ts: Option<String>,
    },
    /// Replace the bot's earlier reply.
    Update {
        channel: String,
        ts: String,
        reply: Reply,
    },
    /// Remove the bot's earlier reply.
    Delete { channel: String, ts: String },
    /// Answer the command or the button press itself (ephemeral unless configured otherwise).
    Respond { reply: Reply },
    /// Open an escalation: the runtime reads the paste, stores it, posts the card, pages.
    Escalate(crate::escalation::Request),
    /// Acknowledge or resolve an escalation: the runtime checks who may, moves it in the
    /// store, updates its card, tells PagerDuty.
    Move(crate::escalation::Move),
    /// Ask for a resolve note in a form (a modal); where the platform has none, resolve now.
    AskNote(crate::escalation::Move),
    /// The open escalations of a channel, as a response.
    Status { channel: String, lang: Lang },
}

/// A recorded piece of feedback (no message text: ids, entry and time only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub channel: String,
    /// The thread it was given in (so "still failing" presses are counted per thread).
    pub thread: Option<String>,
    pub user: Option<String>,
    pub entry: String,
    pub kind: FeedbackKind,
    pub at: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackKind {
    Fixed,
    StillFailing,
    Wrong,
}

impl FeedbackKind {
    /// The name it is stored under.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Fixed => "fixed",
            FeedbackKind::StillFailing => "still_failing",
            FeedbackKind::Wrong => "wrong",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackKind> {
        match s {
            "fixed" => Some(FeedbackKind::Fixed),
            "still_failing" => Some(FeedbackKind::StillFailing),
            "wrong" => Some(FeedbackKind::Wrong),
            _ => None,
        }
    }
}

/// What never changes while the bot runs: the content (replaced whole by a reload, read without
/// a lock) and the policy. Shared by every event at once; matching never waits for another.
pub struct Decider {
    content: LiveMatcher,
    pub policy: Policy,
}

impl Decider {
    /// A decider over `content`: a [`Matcher`], an `Arc` of one, or a [`LiveMatcher`] that a
    /// reloader replaces (the next event is then decided on the new content).
    pub fn new(content: impl Into<LiveMatcher>, policy: Policy) -> Decider {
        Decider {
            content: content.into(),
            policy,
        }
    }

    /// The matcher now. Replies refer to entries by position in the matcher that decided them:
    /// render and record them with that one, so an answer in flight finishes on the content it
    /// started with.
    pub fn matcher(&self) -> Arc<Matcher> {
        self.content.current()
    }

    /// The first step (pure): the matching an event needs, and the facts of the state to fetch.
    pub fn prepare(&self, m: &Matcher, incoming: Incoming) -> Draft {
        match incoming {
            Incoming::Message(msg) => self.prepare_message(m, msg),
            Incoming::Command(c) => match escalate::parse(m, &c.text) {
                Some(e) => {
                    let needs = escalate::needs(&c.channel, c.thread.as_deref());
                    Draft::escalation(Incoming::Command(c), e, needs)
                }
                None => Draft::of(Incoming::Command(c), None, Needs::default()),
            },
            Incoming::Action(a) => {
                let needs = Needs {
                    about: Some((a.channel.clone(), a.message_ts.clone())),
                    progress: Some((a.channel.clone(), thread_of(&a))),
                    ..Needs::default()
                };
                Draft::of(Incoming::Action(a), None, needs)
            }
        }
    }

    /// The second step (pure): what to do, given the facts the draft asked for.
    pub fn decide(&self, m: &Matcher, draft: Draft, facts: &Facts, now: u64) -> Decision {
        if let Some(e) = draft.escalate {
            return self.escalate(m, draft.incoming, e, facts);
        }
        match draft.incoming {
            Incoming::Message(msg) => self.message(m, msg, draft.reply, facts, now),
            Incoming::Command(c) => self.command(m, c, now),
            Incoming::Action(a) => self.action(m, a, facts, now),
        }
    }

    /// An escalation command: a message's is claimed (answered once) and told in its thread; a
    /// command's is told as its response.
    fn escalate(&self, m: &Matcher, incoming: Incoming, e: Escalate, facts: &Facts) -> Decision {
        let lang = |text: &str| {
            if backup_bot_index::analysis::has_hangul(text) {
                Lang::Ko
            } else {
                Lang::En
            }
        };
        match incoming {
            Incoming::Message(msg) => {
                let thread = msg.thread_ts.clone().unwrap_or_else(|| msg.ts.clone());
                let asked = escalate::Asked {
                    channel: &msg.channel,
                    thread: Some(&thread),
                    user: msg.user.as_deref(),
                    lang: lang(&msg.text),
                    tell: crate::escalation::Tell::Thread,
                };
                let mut d = escalate::decide(m, e, asked, facts);
                d.claim = Some((msg.channel.clone(), msg.ts.clone()));
                d
            }
            Incoming::Command(c) => {
                let asked = escalate::Asked {
                    channel: &c.channel,
                    thread: c.thread.as_deref(),
                    user: c.user.as_deref(),
                    lang: lang(&c.text),
                    tell: crate::escalation::Tell::Respond,
                };
                escalate::decide(m, e, asked, facts)
            }
            Incoming::Action(_) => Decision::default(),
        }
    }

    fn heard(&self, channel: &str, dm: bool) -> bool {
        dm || self
            .policy
            .allow
            .as_ref()
            .is_none_or(|a| a.contains(channel))
    }
}

/// The thread a button's answers go to: the thread of its message, or the message itself.
fn thread_of(a: &Action) -> String {
    a.thread_ts.clone().unwrap_or_else(|| a.message_ts.clone())
}
