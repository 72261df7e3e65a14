//! Which reply a text gets: a paste in a channel (an answer, or quiet), a direct question and a
//! command's lookup (always some reply). A command names its subject, so it answers at least as
//! surely as the same text pasted in a channel.

use crate::reply::Reply;
use backup_bot_index::{Match, Matcher, Reason};

/// Candidates below this confidence are not offered.
const OFFER_ABOVE: f32 = 0.05;
/// At most this many entries are offered as buttons, per kind.
const MAX_OFFERED: usize = 3;

fn answer(found: &Match) -> Option<Reply> {
    let best = found.best.clone()?;
    Some(Reply::Answer {
        lang: found.lang,
        found: best,
        also: found.named.iter().skip(1).map(|c| c.entry).collect(),
        truncated: found.truncated,
    })
}

/// A paste seen in a channel: an answer, or nothing (quiet).
pub fn paste_reply(m: &Matcher, text: &str) -> Option<Reply> {
    answer(&m.find(text))
}

/// A direct question (a mention, a DM, the CLI's `ask`): always some reply.
pub fn question_reply(m: &Matcher, text: &str) -> Reply {
    let found = m.ask(text);
    answer(&found).unwrap_or_else(|| not_sure(m, text, &found, true))
}

/// `/backup-error TEXT`: the entry whenever the question or the same text as a paste names
/// one (any reason: an exact, numeric or corrected code, a message); else "did you mean" for a
/// single word, closest entries for a search, or an unknown code with what is near it.
pub fn lookup_reply(m: &Matcher, text: &str) -> Reply {
    let asked = m.ask(text);
    if let Some(r) = answer(&asked) {
        return r;
    }
    if let Some(r) = answer(&m.find(text)) {
        return r;
    }
    let single_word = !text.trim().contains(char::is_whitespace);
    not_sure(m, text, &asked, single_word)
}

/// Nothing sure: an unknown code is said to be unknown (with the nearest known codes and the
/// entries nearest in meaning, from the match's candidates); otherwise the closest entries.
fn not_sure(m: &Matcher, text: &str, found: &Match, did_you_mean: bool) -> Reply {
    let offered = found
        .candidates
        .iter()
        .filter(|c| c.confidence > OFFER_ABOVE);
    if has_unknown_code(m, text) {
        let mut near_codes: Vec<(usize, String)> = Vec::new();
        let mut related: Vec<usize> = Vec::new();
        for c in offered {
            match (&c.code, c.reason) {
                (Some(code), Reason::CorrectedCode) => {
                    if near_codes.len() < MAX_OFFERED
                        && !near_codes.iter().any(|(e, _)| *e == c.entry)
                    {
                        near_codes.push((c.entry, code.clone()));
                    }
                }
                _ => {
                    if related.len() < MAX_OFFERED && !related.contains(&c.entry) {
                        related.push(c.entry);
                    }
                }
            }
        }
        related.retain(|e| !near_codes.iter().any(|(n, _)| n == e));
        return Reply::UnknownCode {
            lang: found.lang,
            near_codes,
            related,
        };
    }
    let mut candidates: Vec<usize> = Vec::new();
    for c in offered {
        if !candidates.contains(&c.entry) {
            candidates.push(c.entry);
        }
    }
    candidates.truncate(MAX_OFFERED);
    if candidates.is_empty() {
        Reply::Unknown { lang: found.lang }
    } else {
        Reply::Suggest {
            lang: found.lang,
            did_you_mean,
            candidates,
        }
    }
}

/// True when the text holds a word shaped like an error code that is no known code.
pub fn has_unknown_code(m: &Matcher, text: &str) -> bool {
    !m.unknown_codes(text).is_empty()
}
