//! An edited message: the reply is updated in place when the entry changed, or a first answer
//! is posted when the edit now names one (claimed like any answer: never a second answer while
//! the first is being sent, nor after it).

use super::decision::{About, Change, Decision, Facts};
use super::{Decider, Effect, Message};
use crate::reply::Reply;
use backup_bot_index::Matcher;

impl Decider {
    pub(super) fn edit(&self, m: &Matcher, msg: Message, reply: Reply, facts: &Facts) -> Decision {
        let new_about = About::of(m, &reply);
        match &facts.reply {
            // Answered before: update the reply in place when the entry changed.
            Some((reply_ts, about)) => {
                if new_about.as_ref().is_some_and(|a| a.entry == about.entry) {
                    return Decision::default();
                }
                let mut changes = Vec::new();
                if let Some(a) = new_about {
                    changes.push(Change::Reply {
                        channel: msg.channel.clone(),
                        source: msg.ts.clone(),
                        reply: reply_ts.clone(),
                        about: a.clone(),
                    });
                    changes.push(Change::About {
                        channel: msg.channel.clone(),
                        message: reply_ts.clone(),
                        about: a,
                    });
                }
                Decision {
                    claim: None,
                    changes,
                    effects: vec![Effect::Update {
                        channel: msg.channel,
                        ts: reply_ts.clone(),
                        reply,
                    }],
                }
            }
            // Not answered before, names an entry now: answer it, if nobody has claimed the
            // message (its answer being sent, or sent).
            None => super::message::answer_in_thread(msg, reply),
        }
    }
}
