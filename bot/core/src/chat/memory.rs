//! A state kept in this process's memory: ids only, never text, each map bounded (oldest
//! forgotten first). It answers [`Needs`] and applies [`Change`]s like the store does; the
//! core's own tests and [`super::Core`] run on it.

use super::decision::{About, Change, Facts, Key, Needs, Progress};
use super::Feedback;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// How many claims, replies and answers are remembered (oldest forgotten first).
pub const MEMORY_LIMIT: usize = 20_000;

/// A map that forgets its oldest keys past [`MEMORY_LIMIT`].
#[derive(Debug)]
struct Bounded<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Hash + Eq + Clone, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Bounded {
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    fn insert(&mut self, k: K, v: V) {
        if !self.map.contains_key(&k) {
            if self.order.len() >= MEMORY_LIMIT {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
            self.order.push_back(k.clone());
        }
        self.map.insert(k, v);
    }
}

/// What the core remembers between events, in this process.
#[derive(Debug, Default)]
pub struct Memory {
    claims: Bounded<Key, ()>,
    /// (channel, source message) → (our reply, what it is about).
    replies: Bounded<Key, (String, About)>,
    /// (channel, our message) → what it is about (for its buttons).
    about: Bounded<Key, About>,
    /// (channel, entry id) → (when, our reply) of the last full answer.
    last: Bounded<Key, (u64, String)>,
    progress: Bounded<Key, Progress>,
    muted_until: HashMap<String, u64>,
    pub feedback: Vec<Feedback>,
}

impl Memory {
    /// Takes a claim: true the first time.
    pub fn claim(&mut self, key: &Key) -> bool {
        if self.claims.map.contains_key(key) {
            return false;
        }
        self.claims.insert(key.clone(), ());
        true
    }

    /// Gives a claim back (its reply could not be posted).
    pub fn release(&mut self, key: &Key) {
        self.claims.map.remove(key);
    }

    /// The facts `needs` asks for.
    pub fn facts(&self, needs: &Needs) -> Facts {
        Facts {
            muted_until: needs
                .mute
                .as_ref()
                .and_then(|c| self.muted_until.get(c).copied()),
            reply: needs
                .reply
                .as_ref()
                .and_then(|k| self.replies.map.get(k).cloned()),
            about: needs
                .about
                .as_ref()
                .and_then(|k| self.about.map.get(k).cloned()),
            last: needs
                .last
                .as_ref()
                .and_then(|k| self.last.map.get(k).cloned()),
            progress: needs
                .progress
                .as_ref()
                .and_then(|k| self.progress.map.get(k).cloned()),
            still_failing: needs.progress.as_ref().map_or(0, |(ch, thread)| {
                let n = self
                    .feedback
                    .iter()
                    .filter(|f| {
                        f.kind == super::FeedbackKind::StillFailing
                            && f.channel == *ch
                            && f.thread.as_deref() == Some(thread.as_str())
                    })
                    .count();
                u32::try_from(n).unwrap_or(u32::MAX)
            }),
        }
    }

    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Mute { channel, until } => {
                self.muted_until.insert(channel, until);
            }
            Change::Unmute { channel } => {
                self.muted_until.remove(&channel);
            }
            Change::Feedback(f) => {
                self.feedback.push(f);
                if self.feedback.len() > MEMORY_LIMIT {
                    self.feedback.remove(0);
                }
            }
            Change::Forget { channel, reply } => {
                self.about.map.remove(&(channel.clone(), reply.clone()));
                self.last
                    .map
                    .retain(|(ch, _), (_, ts)| !(*ch == channel && *ts == reply));
                self.replies
                    .map
                    .retain(|(ch, _), (ts, _)| !(*ch == channel && *ts == reply));
            }
            Change::About {
                channel,
                message,
                about,
            } => self.about.insert((channel, message), about),
            Change::Reply {
                channel,
                source,
                reply,
                about,
            } => self.replies.insert((channel, source), (reply, about)),
            Change::Answered {
                channel,
                entry,
                reply,
                at,
            } => self.last.insert((channel, entry), (at, reply)),
            Change::Progress {
                channel,
                thread,
                progress,
            } => self.progress.insert((channel, thread), progress),
        }
    }
}
