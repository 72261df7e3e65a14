//! The chat core: an incoming message, command or button press becomes effects (post, update,
//! delete, respond). No I/O: adapters turn platform events into [`Incoming`], carry out the
//! [`Effect`]s, and tell the core what they posted ([`Core::posted`]).
//!
//! One handler per file: `message` (pastes and questions), `edit`, `command`, `action`
//! (buttons); `memory` keeps what outlives one event, by entry id (positions change when the
//! content is reloaded).

mod action;
mod command;
mod edit;
mod memory;
mod message;

pub use memory::{Memory, MEMORY_LIMIT};

use crate::reply::Reply;
use backup_bot_index::{LiveMatcher, Matcher};
use memory::About;
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
}

impl Policy {
    fn for_channel(&self, channel: &str) -> ChannelPolicy {
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
    /// Post a reply in a channel (in `thread_ts`'s thread); then tell [`Core::posted`] its id.
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
}

/// A recorded piece of feedback (no message text: ids, entry and time only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub channel: String,
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

/// The core: the content (replaceable while running), the policy and the memory.
pub struct Core {
    content: LiveMatcher,
    pub policy: Policy,
    pub memory: Memory,
}

impl Core {
    /// A core over `content`: a [`Matcher`], an `Arc` of one, or a [`LiveMatcher`] that a
    /// reloader replaces (the core then answers from the new content at the next event).
    pub fn new(content: impl Into<LiveMatcher>, policy: Policy) -> Core {
        Core {
            content: content.into(),
            policy,
            memory: Memory::default(),
        }
    }

    /// The matcher now. Replies refer to entries by position in the matcher that decided them:
    /// render them with that one (see [`Core::decide`]).
    pub fn matcher(&self) -> Arc<Matcher> {
        self.content.current()
    }

    /// Decides on the current content and returns it with the effects: the adapter renders
    /// those replies, and reports them to [`Core::posted`], with that same matcher, so an
    /// answer in flight finishes on the content it started with.
    pub fn decide(&mut self, incoming: Incoming, now: u64) -> (Arc<Matcher>, Vec<Effect>) {
        let m = self.matcher();
        let effects = match incoming {
            Incoming::Message(msg) => self.message(&m, msg, now),
            Incoming::Command(c) => self.command(&m, c, now),
            Incoming::Action(a) => self.action(&m, a, now),
        };
        (m, effects)
    }

    /// Decides what to do with an incoming event at time `now` (unix seconds), on the current
    /// content.
    pub fn handle(&mut self, incoming: Incoming, now: u64) -> Vec<Effect> {
        self.decide(incoming, now).1
    }

    /// Tells the core that `reply` (decided on `m`) was posted as `reply_ts`, in answer to
    /// `source_ts` when it answers a message.
    pub fn posted(
        &mut self,
        m: &Matcher,
        channel: &str,
        reply_ts: &str,
        reply: &Reply,
        source_ts: Option<&str>,
        now: u64,
    ) {
        let Some(about) = About::of(m, reply) else {
            return;
        };
        let key = (channel.to_string(), reply_ts.to_string());
        self.memory.remember_about(key, about.clone());
        if let Reply::Answer { .. } = reply {
            self.memory.last.insert(
                (channel.to_string(), about.entry.clone()),
                (now, reply_ts.to_string()),
            );
        }
        if let Some(src) = source_ts {
            let src = (channel.to_string(), src.to_string());
            self.memory.in_flight.remove(&src);
            self.memory
                .remember_reply(src, (reply_ts.to_string(), about));
        }
    }

    /// Tells the core that `reply` (decided on `m`) answered a command or a button press itself
    /// as `reply_ts` ([`Effect::Respond`]): its buttons work, but the cooldown never points to it
    /// (it may be seen by one person only).
    pub fn responded(&mut self, m: &Matcher, channel: &str, reply_ts: &str, reply: &Reply) {
        if let Some(about) = About::of(m, reply) {
            self.memory
                .remember_about((channel.to_string(), reply_ts.to_string()), about);
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
