//! [`Core`]: the decider over a [`Memory`], all in this process and synchronous. The runtime
//! does the same steps over the store; this one serves the core's tests and examples.

use super::decision::recorded;
use super::{Decider, Effect, Incoming, Memory, Policy};
use crate::reply::Reply;
use backup_bot_index::{LiveMatcher, Matcher};
use std::sync::Arc;

/// The decider and its state in memory.
pub struct Core {
    pub decider: Decider,
    pub memory: Memory,
}

impl Core {
    /// A core over `content` (see [`Decider::new`]) with an empty memory.
    pub fn new(content: impl Into<LiveMatcher>, policy: Policy) -> Core {
        Core {
            decider: Decider::new(content, policy),
            memory: Memory::default(),
        }
    }

    /// The matcher now (see [`Decider::matcher`]).
    pub fn matcher(&self) -> Arc<Matcher> {
        self.decider.matcher()
    }

    /// Decides on the current content and returns it with the effects: prepared, the facts
    /// read from memory, the claim taken, the changes applied.
    pub fn decide(&mut self, incoming: Incoming, now: u64) -> (Arc<Matcher>, Vec<Effect>) {
        let m = self.matcher();
        let draft = self.decider.prepare(&m, incoming);
        let facts = self.memory.facts(&draft.needs);
        let d = self.decider.decide(&m, draft, &facts, now);
        if let Some(key) = &d.claim {
            if !self.memory.claim(key) {
                return (m, vec![]);
            }
        }
        for c in d.changes {
            self.memory.apply(c);
        }
        (m, d.effects)
    }

    /// The effects alone (see [`Core::decide`]).
    pub fn handle(&mut self, incoming: Incoming, now: u64) -> Vec<Effect> {
        self.decide(incoming, now).1
    }

    /// Records that `reply` (decided on `m`) was posted as `reply_ts`, in answer to
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
        for c in recorded(m, channel, reply_ts, reply, source_ts, false, now) {
            self.memory.apply(c);
        }
    }

    /// Records that `reply` answered a command or a button press itself as `reply_ts`: its
    /// buttons work, but the cooldown never points to it (it may be seen by one person only).
    pub fn responded(&mut self, m: &Matcher, channel: &str, reply_ts: &str, reply: &Reply) {
        for c in recorded(m, channel, reply_ts, reply, None, true, 0) {
            self.memory.apply(c);
        }
    }
}
