//! A message in a channel or a direct message: hearing (allow-list, modes, mute, bots,
//! duplicates), the answer in the paste's thread, and the cooldown pointer.

use super::{ChannelPolicy, Core, Effect, Message, Mode, MEMORY_LIMIT};
use crate::reply::Reply;
use backup_bot_index::Matcher;

impl Core {
    pub(super) fn message(&mut self, m: &Matcher, msg: Message, now: u64) -> Vec<Effect> {
        if msg.from_bot || !self.heard(&msg.channel, msg.dm) {
            return vec![];
        }
        let policy = self.policy.for_channel(&msg.channel);
        let muted = self
            .memory
            .muted_until
            .get(&msg.channel)
            .is_some_and(|&until| until > now);
        let direct = msg.direct || msg.dm;
        let listening = match policy.mode {
            Mode::Auto => !muted || direct,
            Mode::Mention => direct,
            Mode::Off => msg.dm,
        };
        if !listening {
            return vec![];
        }
        if msg.edited {
            return self.edit(m, msg, direct);
        }
        // The same message seen twice (a retry, or both `message` and `app_mention`): once.
        if !self
            .memory
            .first_time(format!("{}:{}", msg.channel, msg.ts))
        {
            return vec![];
        }
        let reply = if direct {
            crate::question_reply(m, &msg.text)
        } else {
            match crate::paste_reply(m, &msg.text) {
                Some(r) => r,
                None => return vec![],
            }
        };
        let reply = self.cooled(m, &msg.channel, reply, policy, now, direct);
        if self.memory.in_flight.len() < MEMORY_LIMIT {
            self.memory
                .in_flight
                .insert((msg.channel.clone(), msg.ts.clone()));
        }
        vec![Effect::Post {
            channel: msg.channel.clone(),
            thread_ts: Some(msg.thread_ts.clone().unwrap_or_else(|| msg.ts.clone())),
            reply,
            source_ts: Some(msg.ts),
        }]
    }

    /// An answer to an entry answered in full a moment ago (and not removed since) becomes a
    /// pointer to that answer.
    fn cooled(
        &self,
        m: &Matcher,
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
        let id = m.entries()[found.entry].id.clone();
        match self.memory.last.get(&(channel.to_string(), id)) {
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
}
