//! A message in a channel or a direct message: hearing (allow-list, modes, mute, bots), the
//! answer in the paste's thread (claimed once), and the cooldown pointer.

use super::decision::{Decision, Draft, Facts, Needs};
use super::{ChannelPolicy, Decider, Effect, Incoming, Message, Mode};
use crate::reply::Reply;
use backup_bot_index::Matcher;

impl Decider {
    pub(super) fn prepare_message(&self, m: &Matcher, msg: Message) -> Draft {
        let direct = msg.direct || msg.dm;
        let policy = self.policy.for_channel(&msg.channel);
        // Heard at all, whatever the mute says: else nothing to match, nothing to fetch.
        let maybe = !msg.from_bot
            && self.heard(&msg.channel, msg.dm)
            && match policy.mode {
                Mode::Auto => true,
                Mode::Mention => direct,
                Mode::Off => msg.dm,
            };
        if !maybe {
            return Draft::of(Incoming::Message(msg), None, Needs::default());
        }
        if direct && !msg.edited {
            if let Some(e) = super::escalate::parse(m, &msg.text) {
                let thread = msg.thread_ts.clone().unwrap_or_else(|| msg.ts.clone());
                let needs = super::escalate::needs(&msg.channel, Some(&thread));
                return Draft::escalation(Incoming::Message(msg), e, needs);
            }
        }
        let reply = if direct {
            Some(crate::question_reply(m, &msg.text))
        } else {
            crate::paste_reply(m, &msg.text)
        };
        let mut needs = Needs::default();
        if reply.is_some() {
            if policy.mode == Mode::Auto && !direct {
                needs.mute = Some(msg.channel.clone());
            }
            if msg.edited {
                needs.reply = Some((msg.channel.clone(), msg.ts.clone()));
            } else if let Some(Reply::Answer { found, .. }) = &reply {
                if !direct {
                    let id = m.entries()[found.entry].id.clone();
                    needs.last = Some((msg.channel.clone(), id));
                }
            }
        }
        Draft::of(Incoming::Message(msg), reply, needs)
    }

    pub(super) fn message(
        &self,
        m: &Matcher,
        msg: Message,
        reply: Option<Reply>,
        facts: &Facts,
        now: u64,
    ) -> Decision {
        let Some(reply) = reply else {
            return Decision::default();
        };
        let direct = msg.direct || msg.dm;
        let muted = facts.muted_until.is_some_and(|until| until > now);
        if muted && !direct {
            return Decision::default();
        }
        if msg.edited {
            return self.edit(m, msg, reply, facts);
        }
        let policy = self.policy.for_channel(&msg.channel);
        let reply = cooled(reply, policy, facts, now, direct);
        // The same message seen twice (a retry, both `message` and `app_mention`, another
        // replica): the claim lets one through.
        answer_in_thread(msg, reply)
    }
}

/// An answer to an entry answered in full a moment ago (and not removed since) becomes a
/// pointer to that answer.
fn cooled(reply: Reply, policy: ChannelPolicy, facts: &Facts, now: u64, direct: bool) -> Reply {
    let Reply::Answer {
        lang, ref found, ..
    } = reply
    else {
        return reply;
    };
    if direct {
        return reply;
    }
    match &facts.last {
        Some((at, earlier)) if now.saturating_sub(*at) < policy.cooldown_secs => Reply::Pointer {
            lang,
            entry: found.entry,
            minutes_ago: now.saturating_sub(*at) / 60,
            earlier: earlier.clone(),
        },
        _ => reply,
    }
}

/// Answers `msg` in its thread, once: the message is claimed before anything is posted.
pub(super) fn answer_in_thread(msg: Message, reply: Reply) -> Decision {
    Decision {
        claim: Some((msg.channel.clone(), msg.ts.clone())),
        changes: vec![],
        effects: vec![Effect::Post {
            channel: msg.channel.clone(),
            thread_ts: Some(msg.thread_ts.clone().unwrap_or_else(|| msg.ts.clone())),
            reply,
            source_ts: Some(msg.ts),
        }],
    }
}
