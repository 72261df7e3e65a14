//! Button presses: guided steps, feedback (fixed, still failing, wrong answer), picks from
//! suggestions, escalation. A button finds its entry by id in the content of the moment; an
//! entry that a reload removed is said to be gone.

use super::decision::{Change, Decision, Facts, Progress, TRAIL_LIMIT};
use super::{thread_of, Action, Decider, Effect, Feedback, FeedbackKind};
use crate::escalation::{self, Move, Request, State, Tell, Via, Walked};
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
                // The steps shown in this thread, for an escalation to say what was tried.
                let mut trail = facts
                    .progress
                    .as_ref()
                    .filter(|p| p.entry == about.entry)
                    .map(|p| p.trail.clone())
                    .unwrap_or_default();
                if trail.last().map(|w| w.step) != Some(step) {
                    trail.push(Walked {
                        step,
                        user: a.user.clone(),
                        at: now,
                    });
                }
                let drop = trail.len().saturating_sub(TRAIL_LIMIT);
                trail.drain(..drop);
                let progress = Change::Progress {
                    channel: a.channel.clone(),
                    thread: thread_of(a),
                    progress: Progress {
                        entry: about.entry.clone(),
                        step,
                        user: a.user.clone(),
                        at: now,
                        trail,
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
                if kind == FeedbackKind::Fixed {
                    return (in_thread(Reply::Thanks { lang }), changes);
                }
                let entry = about.as_ref().map(|x| x.entry.clone());
                // The press that reaches `escalate_after` in this thread escalates by itself.
                let presses = facts.still_failing.saturating_add(1);
                if about.is_some() && self.policy.escalate_after == Some(presses) {
                    let tell = if a.ephemeral {
                        Tell::Respond
                    } else {
                        Tell::Thread
                    };
                    let e = escalate_thread(a, facts, entry, lang, Via::Auto, tell);
                    return (vec![e], changes);
                }
                (in_thread(Reply::OfferEscalation { lang, entry }), changes)
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
                // Only a reply of ours is removed: a message the state knows nothing about
                // (another's, or one the payload names falsely) is left alone.
                if about.is_none() {
                    return gone();
                }
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
            action::ESCALATION_OPEN => {
                // The button names its entry; an older one without it: what the message is about.
                let entry = data
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .or_else(|| about.as_ref().map(|x| x.entry.clone()));
                let e = escalate_thread(a, facts, entry, lang, Via::Button, Tell::Respond);
                (vec![e], vec![])
            }
            escalation::action::ACK | escalation::action::RESOLVE => {
                let Some(id) = data.filter(|d| !d.is_empty()) else {
                    return gone();
                };
                let mv = Move {
                    id: id.to_string(),
                    to: if name == escalation::action::ACK {
                        State::Acknowledged
                    } else {
                        State::Resolved
                    },
                    user: a.user.clone(),
                    groups: a.groups.clone(),
                    note: a.note.clone().filter(|n| !n.trim().is_empty()),
                    lang,
                };
                // Resolving asks for a note first; the form's submission comes back with it.
                if mv.to == State::Resolved && a.note.is_none() {
                    return (vec![Effect::AskNote(mv)], vec![]);
                }
                (vec![Effect::Move(mv)], vec![])
            }
            _ => (vec![], vec![]),
        }
    }
}

/// Escalates the thread of the pressed message, with the walk's steps in it.
fn escalate_thread(
    a: &Action,
    facts: &Facts,
    entry: Option<String>,
    lang: Lang,
    via: Via,
    tell: Tell,
) -> Effect {
    Effect::Escalate(Request {
        channel: a.channel.clone(),
        thread: Some(thread_of(a)),
        tried: super::escalate::tried(facts, entry.as_deref()),
        entry,
        lang,
        reporter: a.user.clone(),
        note: None,
        via,
        tell,
    })
}

fn feedback(a: &Action, entry: &str, kind: FeedbackKind, now: u64) -> Change {
    Change::Feedback(Feedback {
        channel: a.channel.clone(),
        thread: Some(thread_of(a)),
        user: a.user.clone(),
        entry: entry.to_string(),
        kind,
        at: now,
    })
}
