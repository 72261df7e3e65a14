//! An edited message: the reply is updated in place when the entry changed, or a first answer
//! is posted when the edit now names one (never a second answer while one is being sent).

use super::memory::About;
use super::{Core, Effect, Message};
use backup_bot_index::Matcher;

impl Core {
    pub(super) fn edit(&mut self, m: &Matcher, msg: Message, direct: bool) -> Vec<Effect> {
        let key = (msg.channel.clone(), msg.ts.clone());
        let new = if direct {
            Some(crate::question_reply(m, &msg.text))
        } else {
            crate::paste_reply(m, &msg.text)
        };
        let new_about = new.as_ref().and_then(|r| About::of(m, r));
        match (self.memory.replies.get(&key).cloned(), new) {
            // Answered before: update the reply in place when the entry changed.
            (Some((reply_ts, about)), Some(reply)) => {
                if new_about.as_ref().is_some_and(|a| a.entry == about.entry) {
                    return vec![];
                }
                if let Some(a) = new_about {
                    self.memory
                        .remember_reply(key, (reply_ts.clone(), a.clone()));
                    self.memory
                        .remember_about((msg.channel.clone(), reply_ts.clone()), a);
                }
                vec![Effect::Update {
                    channel: msg.channel,
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
                    .first_time(format!("{}:{}:edit", msg.channel, msg.ts))
                {
                    return vec![];
                }
                vec![Effect::Post {
                    channel: msg.channel.clone(),
                    thread_ts: Some(msg.thread_ts.clone().unwrap_or_else(|| msg.ts.clone())),
                    reply,
                    source_ts: Some(msg.ts),
                }]
            }
            (None, None) => vec![],
        }
    }
}
