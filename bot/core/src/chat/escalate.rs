//! `escalate [note]`, `escalate CODE note` and `status`, typed after the bot's mention or after
//! `/backup-error`: which thread and which entry an escalation is about, decided from the facts
//! (our answer in the thread, the walk in it); the runtime does the rest.

use super::decision::{Decision, Facts, Needs};
use super::Effect;
use crate::escalation::grammar::{self, Escalate};
use crate::escalation::{Request, Tell, Via, Walked};
use crate::reply::Reply;
use crate::words::words;
use backup_bot_index::{Lang, Matcher};

/// The escalation command in `text`, if it is one. A word counts as a code when it is shaped
/// like one (letters and digits, six or more, a capital after the first letter or all digits)
/// and a lookup answers it.
pub(super) fn parse(m: &Matcher, text: &str) -> Option<Escalate> {
    grammar::parse(text, |w| {
        let shaped = w.len() >= 6
            && w.bytes().all(|b| b.is_ascii_alphanumeric())
            && (w.bytes().skip(1).any(|b| b.is_ascii_uppercase())
                || w.bytes().all(|b| b.is_ascii_digit()));
        shaped && matches!(crate::lookup_reply(m, w), Reply::Answer { .. })
    })
}

/// What an escalation command about `thread` in `channel` needs to know.
pub(super) fn needs(channel: &str, thread: Option<&str>) -> Needs {
    let key = thread.map(|t| (channel.to_string(), t.to_string()));
    Needs {
        reply: key.clone(),
        progress: key,
        ..Needs::default()
    }
}

/// What was asked, by whom, where.
pub(super) struct Asked<'a> {
    pub channel: &'a str,
    pub thread: Option<&'a str>,
    pub user: Option<&'a str>,
    pub lang: Lang,
    pub tell: Tell,
}

/// The steps of the walk in a thread, when it is about `entry`.
pub(super) fn tried(facts: &Facts, entry: Option<&str>) -> Vec<Walked> {
    facts
        .progress
        .as_ref()
        .filter(|p| Some(p.entry.as_str()) == entry)
        .map(|p| p.trail.clone())
        .unwrap_or_default()
}

/// Decides an escalation command.
pub(super) fn decide(m: &Matcher, e: Escalate, asked: Asked<'_>, facts: &Facts) -> Decision {
    let tell_notice = |text: &str| {
        let reply = Reply::Notice {
            lang: asked.lang,
            text: text.to_string(),
        };
        match (asked.tell, asked.thread) {
            (Tell::Thread, Some(t)) => Effect::Post {
                channel: asked.channel.to_string(),
                thread_ts: Some(t.to_string()),
                reply,
                source_ts: None,
            },
            _ => Effect::Respond { reply },
        }
    };
    let effect = match e {
        Escalate::Status => Effect::Status {
            channel: asked.channel.to_string(),
            lang: asked.lang,
        },
        Escalate::Here { note } => {
            let Some(thread) = asked.thread else {
                return Decision {
                    effects: vec![tell_notice(words(asked.lang).escalate_where)],
                    ..Decision::default()
                };
            };
            // The thread's entry: our answer in it, else the walk in it.
            let entry = facts
                .reply
                .as_ref()
                .map(|(_, about)| about.entry.clone())
                .or_else(|| facts.progress.as_ref().map(|p| p.entry.clone()));
            let tried = tried(facts, entry.as_deref());
            Effect::Escalate(Request {
                channel: asked.channel.to_string(),
                thread: Some(thread.to_string()),
                entry,
                lang: asked.lang,
                reporter: asked.user.map(str::to_string),
                note,
                tried,
                via: Via::Asked,
                tell: asked.tell,
            })
        }
        Escalate::Code { code, note } => {
            let entry = match crate::lookup_reply(m, &code) {
                Reply::Answer { found, .. } => Some(m.entries()[found.entry].id.clone()),
                _ => None,
            };
            Effect::Escalate(Request {
                channel: asked.channel.to_string(),
                thread: None,
                entry,
                lang: asked.lang,
                reporter: asked.user.map(str::to_string),
                note,
                tried: Vec::new(),
                via: Via::Asked,
                tell: asked.tell,
            })
        }
    };
    Decision {
        effects: vec![effect],
        ..Decision::default()
    }
}
