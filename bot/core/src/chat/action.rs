//! Button presses: guided steps, feedback (fixed, still failing, wrong answer), picks from
//! suggestions, escalation. A button finds its entry by id in the content of the moment; an
//! entry that a reload removed is said to be gone.

use super::{Action, Core, Effect, Feedback, FeedbackKind};
use crate::reply::{action, Reply};
use crate::words::words;
use backup_bot_index::{Lang, Matcher, Reason};

impl Core {
    pub(super) fn action(&mut self, m: &Matcher, a: Action, now: u64) -> Vec<Effect> {
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
                let Some(entry) = m.entry_by_id(&about.entry) else {
                    return gone();
                };
                let step: usize = data.and_then(|d| d.parse().ok()).unwrap_or(0);
                let total = m.entries()[entry].edition(about.lang).steps.len();
                if step >= total {
                    return in_thread(Reply::Notice {
                        lang,
                        text: words(lang).walk_done.to_string(),
                    });
                }
                in_thread(Reply::Step {
                    lang: about.lang,
                    entry,
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
                    self.record(&a, &about.entry, kind, now);
                }
                in_thread(if kind == FeedbackKind::Fixed {
                    Reply::Thanks { lang }
                } else {
                    Reply::OfferEscalation { lang }
                })
            }
            action::WRONG => {
                if let Some(about) = &about {
                    self.record(&a, &about.entry, FeedbackKind::Wrong, now);
                }
                // Removed (or, on a message only its reader sees, disowned): never pointed to.
                self.memory.forget_reply(&a.channel, &a.message_ts);
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
                let Some(i) = data.and_then(|id| m.entry_by_id(id)) else {
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
                    m.entries()[i].lang_for(Lang::En)
                };
                in_thread(Reply::Answer {
                    lang,
                    found,
                    also: vec![],
                    truncated: false,
                })
            }
            action::ESCALATION_OPEN => vec![Effect::Respond {
                reply: Reply::EscalationNotSetUp { lang },
            }],
            _ => vec![],
        }
    }

    fn record(&mut self, a: &Action, entry: &str, kind: FeedbackKind, now: u64) {
        self.memory.record(Feedback {
            channel: a.channel.clone(),
            user: a.user.clone(),
            entry: entry.to_string(),
            kind,
            at: now,
        });
    }
}
