//! Button presses: guided steps, feedback (fixed, still failing, wrong answer), picks from
//! suggestions, escalation. A button finds its entry by id in the content of the moment; an
//! entry that a reload removed is said to be gone.

use super::decision::{Change, Decision, Facts, Progress};
use super::{thread_of, Action, Decider, Effect, Feedback, FeedbackKind};
use crate::reply::{action, Reply};
use crate::words::words;
use backup_bot_index::{Lang, Matcher, Reason};

impl Decider {
    pub(super) fn action(&self, m: &Matcher, a: Action, facts: &Facts, now: u64) -> Decision {
        let (effects, changes) = self.act(m, &a, facts, now);
        Decision {
            claim: None,
            changes,
            effects,
        }
    }

    fn act(&self, m: &Matcher, a: &Action, facts: &Facts, now: u64) -> (Vec<Effect>, Vec<Change>) {
        let (name, data) = match a.action_id.split_once(':') {
            Some((n, d)) => (n, Some(d)),
            None => (a.action_id.as_str(), None),
        };
        let about = facts.about.clone();
        let lang = about.as_ref().map(|x| x.lang).unwrap_or(Lang::En);
        let thread = Some(thread_of(a));
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
            (
                vec![Effect::Respond {
                    reply: Reply::Notice {
                        lang,
                        text: words(lang).no_entry.to_string(),
                    },
                }],
                vec![],
            )
        };
        match name {
            action::GUIDE_START | action::GUIDE_NEXT => {
                let Some(about) = about else { return gone() };
                let Some(entry) = m.entry_by_id(&about.entry) else {
                    return gone();
                };
                // A walk started again in its thread resumes at the step it had reached.
                let reached = facts
                    .progress
                    .as_ref()
                    .filter(|p| name == action::GUIDE_START && p.entry == about.entry)
                    .map(|p| p.step);
                let step: usize = reached
                    .or_else(|| data.and_then(|d| d.parse().ok()))
                    .unwrap_or(0);
                let total = m.entries()[entry].edition(about.lang).steps.len();
                if step >= total {
                    return (
                        in_thread(Reply::Notice {
                            lang,
                            text: words(lang).walk_done.to_string(),
                        }),
                        vec![],
                    );
                }
                let progress = Change::Progress {
                    channel: a.channel.clone(),
                    thread: thread_of(a),
                    progress: Progress {
                        entry: about.entry.clone(),
                        step,
                        user: a.user.clone(),
                        at: now,
                    },
                };
                (
                    in_thread(Reply::Step {
                        lang: about.lang,
                        entry,
                        step,
                    }),
                    vec![progress],
                )
            }
            action::FIXED | action::STILL_FAILING => {
                let kind = if name == action::FIXED {
                    FeedbackKind::Fixed
                } else {
                    FeedbackKind::StillFailing
                };
                let changes = about
                    .iter()
                    .map(|x| feedback(a, &x.entry, kind, now))
                    .collect();
                (
                    in_thread(if kind == FeedbackKind::Fixed {
                        Reply::Thanks { lang }
                    } else {
                        Reply::OfferEscalation { lang }
                    }),
                    changes,
                )
            }
            action::WRONG => {
                let mut changes: Vec<Change> = about
                    .iter()
                    .map(|x| feedback(a, &x.entry, FeedbackKind::Wrong, now))
                    .collect();
                // Removed (or, on a message only its reader sees, disowned): never pointed to.
                changes.push(Change::Forget {
                    channel: a.channel.clone(),
                    reply: a.message_ts.clone(),
                });
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
                (out, changes)
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
                (
                    in_thread(Reply::Answer {
                        lang,
                        found,
                        also: vec![],
                        truncated: false,
                    }),
                    vec![],
                )
            }
            action::ESCALATION_OPEN => (
                vec![Effect::Respond {
                    reply: Reply::EscalationNotSetUp { lang },
                }],
                vec![],
            ),
            _ => (vec![], vec![]),
        }
    }
}

fn feedback(a: &Action, entry: &str, kind: FeedbackKind, now: u64) -> Change {
    Change::Feedback(Feedback {
        channel: a.channel.clone(),
        user: a.user.clone(),
        entry: entry.to_string(),
        kind,
        at: now,
    })
}
