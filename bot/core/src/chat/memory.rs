//! What the core remembers between events: ids only, never text, each map bounded. Entries are
//! remembered by id, not by position: a reload of the content changes positions, and a button
//! pressed after it must still find its entry (or say plainly that it is gone).

use super::Feedback;
use crate::reply::Reply;
use backup_bot_index::{Lang, Matcher};
use std::collections::{HashMap, HashSet, VecDeque};

/// How many message ids, replies and answers are remembered (oldest forgotten first).
pub const MEMORY_LIMIT: usize = 20_000;

/// What a posted reply is about (for its buttons and for edits of its source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct About {
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

type Key = (String, String);

/// What the core remembers between events (kept in memory; persistence comes with the store).
#[derive(Debug, Default)]
pub struct Memory {
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// (channel, source message) → (our reply, what it was about).
    pub(super) replies: HashMap<Key, (String, About)>,
    replies_order: VecDeque<Key>,
    /// (channel, our message) → what it is about (for its buttons).
    pub(super) about: HashMap<Key, About>,
    about_order: VecDeque<Key>,
    /// (channel, entry id) → (when, our reply) of the last full answer.
    pub(super) last: HashMap<Key, (u64, String)>,
    pub(super) muted_until: HashMap<String, u64>,
    /// (channel, source message) whose reply is being sent (posted, not yet confirmed).
    pub(super) in_flight: HashSet<Key>,
    pub feedback: Vec<Feedback>,
}

impl Memory {
    /// True the first time a key is seen.
    pub(super) fn first_time(&mut self, key: String) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        if self.seen_order.len() >= MEMORY_LIMIT {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.clone());
        self.seen_order.push_back(key);
        true
    }

    pub(super) fn remember_about(&mut self, key: Key, about: About) {
        if !self.about.contains_key(&key) {
            if self.about_order.len() >= MEMORY_LIMIT {
                if let Some(old) = self.about_order.pop_front() {
                    self.about.remove(&old);
                }
            }
            self.about_order.push_back(key.clone());
        }
        self.about.insert(key, about);
    }

    pub(super) fn remember_reply(&mut self, source: Key, reply: (String, About)) {
        if !self.replies.contains_key(&source) {
            if self.replies_order.len() >= MEMORY_LIMIT {
                if let Some(old) = self.replies_order.pop_front() {
                    self.replies.remove(&old);
                }
            }
            self.replies_order.push_back(source.clone());
        }
        self.replies.insert(source, reply);
    }

    /// Forgets a reply that was removed: no pointer leads to it, no edit updates it, its
    /// buttons are about nothing.
    pub(super) fn forget_reply(&mut self, channel: &str, reply_ts: &str) {
        self.about
            .remove(&(channel.to_string(), reply_ts.to_string()));
        self.last
            .retain(|(ch, _), (_, ts)| !(ch == channel && ts == reply_ts));
        self.replies
            .retain(|(ch, _), (ts, _)| !(ch == channel && ts == reply_ts));
    }

    pub(super) fn record(&mut self, feedback: Feedback) {
        self.feedback.push(feedback);
        if self.feedback.len() > MEMORY_LIMIT {
            self.feedback.remove(0);
        }
    }
}
