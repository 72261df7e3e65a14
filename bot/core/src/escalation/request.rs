//! What the decider asks of the runtime for escalations: open one ([`Request`]), move one
//! ([`Move`]), ask for a resolve note, list a channel's. The decider knows the thread, the
//! entry and the walk; the runtime has the store, the platform and the on-call setup.

use super::State;
use backup_bot_index::Lang;

/// Where the person who asked is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tell {
    /// As a response to the command or the button (ephemeral where the platform has it).
    Respond,
    /// In the thread (a mention has nothing to respond to).
    Thread,
}

/// How the escalation came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The `escalation.open` button, after "still failing".
    Button,
    /// `escalate [note]` in a thread, or `escalate CODE note` from anywhere.
    Asked,
    /// `escalation.auto_after` "still failing" presses in one thread.
    Auto,
}

/// A step of the guided walk as the walk recorded it (the runtime adds the step's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    /// 0-based.
    pub step: usize,
    pub user: Option<String>,
    pub at: u64,
}

/// An escalation to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub channel: String,
    /// The thread it is about; `None`: a new thread (`escalate CODE` from anywhere), the card's.
    pub thread: Option<String>,
    /// The entry's id, when the thread is about one.
    pub entry: Option<String>,
    pub lang: Lang,
    pub reporter: Option<String>,
    pub note: Option<String>,
    /// The steps of the walk in this thread, oldest first.
    pub tried: Vec<Walked>,
    pub via: Via,
    pub tell: Tell,
}

/// Acknowledge or resolve an escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The escalation's id, as its buttons carry it.
    pub id: String,
    pub to: State,
    pub user: Option<String>,
    /// The groups (Slack user groups, Discord roles) the platform says the user is in.
    pub groups: Vec<String>,
    pub note: Option<String>,
    pub lang: Lang,
}
