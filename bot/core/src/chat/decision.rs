//! The vocabulary between the decider and the state it reads and changes: what an event needs
//! to know ([`Needs`] → [`Facts`]), what the decider wants ([`Decision`]: effects, a claim,
//! [`Change`]s), and what a posted reply leaves behind ([`recorded`]). Ids only, never text;
//! entries by id, never by position.

use super::{Effect, Feedback, Incoming};
use crate::escalation::{Escalate, Walked};
use crate::reply::Reply;
use backup_bot_index::{Lang, Matcher};

/// (channel, message id).
pub type Key = (String, String);

/// What a posted reply is about (for its buttons and for edits of its source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// The entry's id.
    pub entry: String,
    pub lang: Lang,
}

impl About {
    /// What `reply` (decided on `m`) is about, if it is about one entry.
    pub fn of(m: &Matcher, reply: &Reply) -> Option<About> {
        let (entry, lang) = match reply {
            Reply::Answer { lang, found, .. } => (found.entry, *lang),
            Reply::Step { lang, entry, .. } | Reply::Pointer { lang, entry, .. } => (*entry, *lang),
            _ => return None,
        };
        Some(About {
            entry: m.entries().get(entry)?.id.clone(),
            lang,
        })
    }
}

/// How far a guided walk went in a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The entry's id.
    pub entry: String,
    /// The last step shown (from 0).
    pub step: usize,
    pub user: Option<String>,
    pub at: u64,
    /// Every step shown in this thread, oldest first (at most [`TRAIL_LIMIT`]): what an
    /// escalation says was tried.
    pub trail: Vec<Walked>,
}

/// The most steps a thread's walk remembers.
pub const TRAIL_LIMIT: usize = 30;

/// The facts of the state an event needs (all optional: a decision never needs the state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Until when this channel is muted.
    pub mute: Option<String>,
    /// Our reply to this source message.
    pub reply: Option<Key>,
    /// What this message of ours (a button's) is about.
    pub about: Option<Key>,
    /// The last full answer of this entry id in this channel (cooldown): (channel, entry id).
    pub last: Option<Key>,
    /// The guided walk of this thread, and its "still failing" presses: (channel, thread).
    pub progress: Option<Key>,
}

/// The answers to [`Needs`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub muted_until: Option<u64>,
    /// (our reply's id, what it is about).
    pub reply: Option<(String, About)>,
    pub about: Option<About>,
    /// (when, our reply's id).
    pub last: Option<(u64, String)>,
    pub progress: Option<Progress>,
    /// "Still failing" presses in the thread so far.
    pub still_failing: u32,
}

/// An event prepared: the matching done, the facts to fetch named.
#[derive(Debug, Clone)]
pub struct Draft {
    pub(super) incoming: Incoming,
    /// The reply the text gets (a message's), before cooldown.
    pub(super) reply: Option<Reply>,
    /// An escalation command (after the bot's mention or `/backup-error`).
    pub(super) escalate: Option<Escalate>,
    pub needs: Needs,
}

impl Draft {
    pub(super) fn of(incoming: Incoming, reply: Option<Reply>, needs: Needs) -> Draft {
        Draft {
            incoming,
            reply,
            escalate: None,
            needs,
        }
    }

    /// An escalation command, with what it needs to know.
    pub(super) fn escalation(incoming: Incoming, e: Escalate, needs: Needs) -> Draft {
        Draft {
            incoming,
            reply: None,
            escalate: Some(e),
            needs,
        }
    }
}

/// A change to the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Mute {
        channel: String,
        until: u64,
    },
    Unmute {
        channel: String,
    },
    Feedback(Feedback),
    /// A reply was removed: no pointer leads to it, no edit updates it, its buttons are about
    /// nothing.
    Forget {
        channel: String,
        reply: String,
    },
    /// Our message `message` is about `about` (its buttons).
    About {
        channel: String,
        message: String,
        about: About,
    },
    /// Our reply to `source` is `reply`, about `about` (edits of the source update it).
    Reply {
        channel: String,
        source: String,
        reply: String,
        about: About,
    },
    /// A full answer of `entry` was posted as `reply` at `at` (the cooldown points to it).
    Answered {
        channel: String,
        entry: String,
        reply: String,
        at: u64,
    },
    /// A guided walk reached a step in a thread.
    Progress {
        channel: String,
        thread: String,
        progress: Progress,
    },
}

/// What the decider wants done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// To take before anything is posted: (channel, message id). Taken by someone else already
    /// (a retry, a redelivery, another replica): nothing is done.
    pub claim: Option<Key>,
    /// Applied before the effects are carried out.
    pub changes: Vec<Change>,
    pub effects: Vec<Effect>,
}

/// What a reply decided on `m` leaves in the state once posted as `reply_ts` (`source`: the
/// message it answers; `responded`: it answered a command or a button itself, and may be seen
/// by one person only, so the cooldown never points to it).
pub fn recorded(
    m: &Matcher,
    channel: &str,
    reply_ts: &str,
    reply: &Reply,
    source: Option<&str>,
    responded: bool,
    now: u64,
) -> Vec<Change> {
    let Some(about) = About::of(m, reply) else {
        return vec![];
    };
    let mut out = vec![Change::About {
        channel: channel.to_string(),
        message: reply_ts.to_string(),
        about: about.clone(),
    }];
    if responded {
        return out;
    }
    if let Reply::Answer { .. } = reply {
        out.push(Change::Answered {
            channel: channel.to_string(),
            entry: about.entry.clone(),
            reply: reply_ts.to_string(),
            at: now,
        });
    }
    if let Some(src) = source {
        out.push(Change::Reply {
            channel: channel.to_string(),
            source: src.to_string(),
            reply: reply_ts.to_string(),
            about,
        });
    }
    out
}
