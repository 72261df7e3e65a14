//! The chat core: an incoming message, command or button press becomes effects (post, update,
//! delete, respond). No I/O: adapters turn platform events into [`Incoming`], carry out the
//! [`Effect`]s, and tell the core what they posted ([`Core::posted`]).

use crate::command::{self, Command};
use crate::reply::{action, Reply};
use crate::words::words;
use backup_bot_index::{Lang, Matcher, Reason};
use std::collections::{HashMap, HashSet, VecDeque};
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

/// What a posted reply is about (for its buttons and for edits of its source).
#[derive(Debug, Clone, PartialEq, Eq)]
struct About {
    entry: usize,
    lang: Lang,
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

/// How many message ids, replies and answers are remembered (oldest forgotten first).
pub const MEMORY_LIMIT: usize = 20_000;

/// What the core remembers between events (kept in memory; persistence comes with the store).
#[derive(Debug, Default)]
pub struct Memory {
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// (channel, source message) → (our reply, what it was about).
    replies: HashMap<(String, String), (String, About)>,
    /// (channel, our message) → what it is about (for its buttons).
    about: HashMap<(String, String), About>,
    about_order: VecDeque<(String, String)>,
    /// (channel, entry) → (when, our reply) of the last full answer.
    last: HashMap<(String, usize), (u64, String)>,
    muted_until: HashMap<String, u64>,
    /// (channel, source message) whose reply is being sent (posted, not yet confirmed).
    in_flight: HashSet<(String, String)>,
    pub feedback: Vec<Feedback>,
}

impl Memory {
    /// True the first time a key is seen.
    fn first_time(&mut self, key: String) -> bool {
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

    fn remember_about(&mut self, key: (String, String), about: About) {
        if self.about_order.len() >= MEMORY_LIMIT {
            if let Some(old) = self.about_order.pop_front() {
                self.about.remove(&old);
            }
        }
        self.about_order.push_back(key.clone());
        self.about.insert(key, about);
    }
}

/// The core: the matcher, the policy and the memory.
pub struct Core {
    pub matcher: Arc<Matcher>,
    pub policy: Policy,
    pub memory: Memory,
}

impl Core {
    pub fn new(matcher: Arc<Matcher>, policy: Policy) -> Core {
        Core {
            matcher,
            policy,
            memory: Memory::default(),
        }
    }

    /// Decides what to do with an incoming event at time `now` (unix seconds).
    pub fn handle(&mut self, incoming: Incoming, now: u64) -> Vec<Effect> {
        match incoming {
            Incoming::Message(m) => self.message(m, now),
            Incoming::Command(c) => self.command(c, now),
            Incoming::Action(a) => self.action(a, now),
        }
    }

    /// Tells the core that a reply was posted as `reply_ts` (for [`Effect::Post`]).
    pub fn posted(
        &mut self,
        channel: &str,
        reply_ts: &str,
        reply: &Reply,
        source_ts: Option<&str>,
        now: u64,
    ) {
        let Some(about) = about_of(reply) else { return };
        self.memory
            .remember_about((channel.to_string(), reply_ts.to_string()), about.clone());
        if let Reply::Answer { .. } = reply {
            self.memory.last.insert(
                (channel.to_string(), about.entry),
                (now, reply_ts.to_string()),
            );
        }
        if let Some(src) = source_ts {
            self.memory
                .in_flight
                .remove(&(channel.to_string(), src.to_string()));
            self.memory.replies.insert(
                (channel.to_string(), src.to_string()),
                (reply_ts.to_string(), about),
            );
        }
    }

    fn heard(&self, channel: &str, dm: bool) -> bool {
        dm || self
            .policy
            .allow
            .as_ref()
            .is_none_or(|a| a.contains(channel))
    }

    fn message(&mut self, m: Message, now: u64) -> Vec<Effect> {
        if m.from_bot || !self.heard(&m.channel, m.dm) {
            return vec![];
        }
        let policy = self.policy.for_channel(&m.channel);
        let muted = self
            .memory
            .muted_until
            .get(&m.channel)
            .is_some_and(|&until| until > now);
        let direct = m.direct || m.dm;
        let listening = match policy.mode {
            Mode::Auto => !muted || direct,
            Mode::Mention => direct,
            Mode::Off => m.dm,
        };
        if !listening {
            return vec![];
        }
        if m.edited {
            return self.edit(m, direct);
        }
        // The same message seen twice (a retry, or both `message` and `app_mention`): once.
        if !self.memory.first_time(format!("{}:{}", m.channel, m.ts)) {
            return vec![];
        }
        let reply = if direct {
            crate::question_reply(&self.matcher, &m.text)
        } else {
            match crate::paste_reply(&self.matcher, &m.text) {
                Some(r) => r,
                None => return vec![],
            }
        };
        let reply = self.cooled(&m.channel, reply, policy, now, direct);
        if self.memory.in_flight.len() < MEMORY_LIMIT {
            self.memory
                .in_flight
                .insert((m.channel.clone(), m.ts.clone()));
        }
        vec![Effect::Post {
            channel: m.channel.clone(),
            thread_ts: Some(m.thread_ts.clone().unwrap_or_else(|| m.ts.clone())),
            reply,
            source_ts: Some(m.ts),
        }]
    }

    /// An answer to an entry answered in full a moment ago becomes a pointer to that answer.
    fn cooled(
        &self,
        channel: &str,
        reply: Reply,
        policy: ChannelPolicy,
        now: u64,
        direct: bool,
    ) -> Reply {
        let Reply::Answer {
            lang, ref found, ..
        } = reply
        else {
            return reply;
        };
        if direct {
            return reply;
        }
        match self.memory.last.get(&(channel.to_string(), found.entry)) {
            Some(&(at, ref earlier)) if now.saturating_sub(at) < policy.cooldown_secs => {
                Reply::Pointer {
                    lang,
                    entry: found.entry,
                    minutes_ago: now.saturating_sub(at) / 60,
                    earlier: earlier.clone(),
                }
            }
            _ => reply,
        }
    }

    fn edit(&mut self, m: Message, direct: bool) -> Vec<Effect> {
        let key = (m.channel.clone(), m.ts.clone());
        let new = if direct {
            Some(crate::question_reply(&self.matcher, &m.text))
        } else {
            crate::paste_reply(&self.matcher, &m.text)
        };
        let new_entry = new.as_ref().and_then(about_of).map(|a| a.entry);
        match (self.memory.replies.get(&key).cloned(), new) {
            // Answered before: update the reply in place when the entry changed.
            (Some((reply_ts, about)), Some(reply)) => {
                if new_entry == Some(about.entry) {
                    return vec![];
                }
                if let Some(a) = about_of(&reply) {
                    self.memory
                        .replies
                        .insert(key, (reply_ts.clone(), a.clone()));
                    self.memory
                        .remember_about((m.channel.clone(), reply_ts.clone()), a);
                }
                vec![Effect::Update {
                    channel: m.channel,
                    ts: reply_ts,
                    reply,
                }]
            }
            (Some(_), None) => vec![],
            // The answer to the original is still being sent: no second answer.
            (None, Some(_)) if self.memory.in_flight.contains(&key) => vec![],
            // Not answered before, names an entry now: answer it, once.
            (None, Some(reply)) => {
                if !self
                    .memory
                    .first_time(format!("{}:{}:edit", m.channel, m.ts))
                {
                    return vec![];
                }
                vec![Effect::Post {
                    channel: m.channel.clone(),
                    thread_ts: Some(m.thread_ts.clone().unwrap_or_else(|| m.ts.clone())),
                    reply,
                    source_ts: Some(m.ts),
                }]
            }
            (None, None) => vec![],
        }
    }

    fn command(&mut self, c: CommandCall, now: u64) -> Vec<Effect> {
        let lang = if backup_bot_index::analysis::has_hangul(&c.text) {
            Lang::Ko
        } else {
            Lang::En
        };
        let w = words(lang);
        let reply = match command::parse(&c.text) {
            Command::Help => Reply::Help { lang },
            Command::Mute(None) => Reply::Notice {
                lang,
                text: w.bad_duration.to_string(),
            },
            Command::Mute(Some(secs)) => {
                let until = now + secs;
                self.memory.muted_until.insert(c.channel.clone(), until);
                Reply::Notice {
                    lang,
                    text: format!("{} {}", w.muted, command::format_until(secs)),
                }
            }
            Command::Unmute => {
                self.memory.muted_until.remove(&c.channel);
                Reply::Notice {
                    lang,
                    text: w.unmuted.to_string(),
                }
            }
            Command::Lookup(text) => self.lookup(&text),
        };
        vec![Effect::Respond { reply }]
    }

    /// `/backup-error CODE` → the entry (or "did you mean"); `/backup-error words` → up to three
    /// entries as buttons.
    fn lookup(&self, text: &str) -> Reply {
        let m = self.matcher.ask(text);
        let single_word = !text.trim().contains(char::is_whitespace);
        if let Some(best) = &m.best {
            if best.reason == Reason::ExactCode || best.reason == Reason::NumericCode {
                return Reply::Answer {
                    lang: m.lang,
                    found: best.clone(),
                    also: m.named.iter().skip(1).map(|c| c.entry).collect(),
                };
            }
        }
        let mut ids: Vec<usize> = m.named.iter().map(|c| c.entry).collect();
        for c in &m.candidates {
            if !ids.contains(&c.entry) && c.confidence > 0.05 {
                ids.push(c.entry);
            }
        }
        ids.truncate(3);
        if ids.is_empty() {
            return Reply::Unknown { lang: m.lang };
        }
        Reply::Suggest {
            lang: m.lang,
            did_you_mean: single_word,
            candidates: ids,
        }
    }

    fn action(&mut self, a: Action, now: u64) -> Vec<Effect> {
        let (name, data) = match a.action_id.split_once(':') {
            Some((n, d)) => (n, Some(d)),
            None => (a.action_id.as_str(), None),
        };
        let about = self
            .memory
            .about
            .get(&(a.channel.clone(), a.message_ts.clone()))
            .cloned();
        let lang = about.as_ref().map(|x| x.lang).unwrap_or(Lang::En);
        let thread = Some(a.thread_ts.clone().unwrap_or_else(|| a.message_ts.clone()));
        let in_thread = |reply: Reply| -> Vec<Effect> {
            if a.ephemeral {
                vec![Effect::Respond { reply }]
            } else {
                vec![Effect::Post {
                    channel: a.channel.clone(),
                    thread_ts: thread.clone(),
                    reply,
                    source_ts: None,
                }]
            }
        };
        let gone = || {
            vec![Effect::Respond {
                reply: Reply::Notice {
                    lang,
                    text: words(lang).no_entry.to_string(),
                },
            }]
        };
        match name {
            action::GUIDE_START | action::GUIDE_NEXT => {
                let Some(about) = about else { return gone() };
                let step: usize = data.and_then(|d| d.parse().ok()).unwrap_or(0);
                let total = self.matcher.entries()[about.entry]
                    .edition(about.lang)
                    .steps
                    .len();
                if step >= total {
                    return in_thread(Reply::Notice {
                        lang,
                        text: words(lang).walk_done.to_string(),
                    });
                }
                in_thread(Reply::Step {
                    lang: about.lang,
                    entry: about.entry,
                    step,
                })
            }
            action::FIXED | action::STILL_FAILING => {
                let kind = if name == action::FIXED {
                    FeedbackKind::Fixed
                } else {
                    FeedbackKind::StillFailing
                };
                if let Some(about) = &about {
                    self.record(&a, about.entry, kind, now);
                }
                in_thread(if kind == FeedbackKind::Fixed {
                    Reply::Thanks { lang }
                } else {
                    Reply::OfferEscalation { lang }
                })
            }
            action::WRONG => {
                if let Some(about) = &about {
                    self.record(&a, about.entry, FeedbackKind::Wrong, now);
                }
                let mut out = Vec::new();
                if !a.ephemeral {
                    out.push(Effect::Delete {
                        channel: a.channel.clone(),
                        ts: a.message_ts.clone(),
                    });
                }
                out.push(Effect::Respond {
                    reply: Reply::Notice {
                        lang,
                        text: words(lang).removed.to_string(),
                    },
                });
                out
            }
            action::SUGGEST_PICK => {
                let Some(i) = data.and_then(|id| self.matcher.entry_by_id(id)) else {
                    return gone();
                };
                let found = backup_bot_index::Candidate {
                    entry: i,
                    confidence: 1.0,
                    reason: Reason::Question,
                    code: None,
                    message: None,
                    detail: "picked".to_string(),
                    at: 0,
                };
                let lang = if about.is_some() {
                    lang
                } else {
                    self.matcher.entries()[i].lang_for(Lang::En)
                };
                in_thread(Reply::Answer {
                    lang,
                    found,
                    also: vec![],
                })
            }
            action::ESCALATION_OPEN => vec![Effect::Respond {
                reply: Reply::EscalationNotSetUp { lang },
            }],
            _ => vec![],
        }
    }

    fn record(&mut self, a: &Action, entry: usize, kind: FeedbackKind, now: u64) {
        self.memory.feedback.push(Feedback {
            channel: a.channel.clone(),
            user: a.user.clone(),
            entry: self.matcher.entries()[entry].id.clone(),
            kind,
            at: now,
        });
        if self.memory.feedback.len() > MEMORY_LIMIT {
            self.memory.feedback.remove(0);
        }
    }
}

fn about_of(reply: &Reply) -> Option<About> {
    match reply {
        Reply::Answer { lang, found, .. } => Some(About {
            entry: found.entry,
            lang: *lang,
        }),
        Reply::Step { lang, entry, .. } | Reply::Pointer { lang, entry, .. } => Some(About {
            entry: *entry,
            lang: *lang,
        }),
        _ => None,
    }
}
