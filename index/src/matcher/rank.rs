//! From candidates to a [`Match`]: one candidate per entry (its most confident), the named ones
//! (sure enough) best first and then in the order they appear, runners-up after them.

use super::outcome::{Candidate, Match};
use super::{MAX_NAMED, QUIET_BELOW};
use crate::entry::Lang;
use std::collections::HashSet;

/// How many runners-up a match offers beside the named entries.
pub const MAX_RUNNERS_UP: usize = 3;

/// `found`: what the paste names or comes close to; `runners`: weaker evidence kept for the
/// runners-up (codes out of context, ambiguous corrections).
pub(super) fn rank(
    lang: Lang,
    mut found: Vec<Candidate>,
    mut runners: Vec<Candidate>,
    truncated: bool,
) -> Match {
    if found.is_empty() && runners.is_empty() {
        return Match::quiet(lang, truncated);
    }
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.at.cmp(&b.at)));
    let mut per_entry: Vec<Candidate> = Vec::new();
    for c in found {
        if !per_entry.iter().any(|p| p.entry == c.entry) {
            per_entry.push(c);
        }
    }
    let (mut named, mut rest): (Vec<Candidate>, Vec<Candidate>) = per_entry
        .into_iter()
        .partition(|c| c.confidence >= QUIET_BELOW);
    // Several codes: name each, best first, then in the order they appear.
    if named.len() > 1 {
        let best = named.remove(0);
        named.sort_by_key(|c| c.at);
        named.insert(0, best);
    }
    named.truncate(MAX_NAMED);
    rest.append(&mut runners);
    rest.retain(|c| !named.iter().any(|n| n.entry == c.entry));
    rest.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut seen = HashSet::new();
    rest.retain(|c| seen.insert(c.entry));
    rest.truncate(MAX_RUNNERS_UP);
    let best = named.first().cloned();
    let mut candidates: Vec<Candidate> = named.iter().skip(1).cloned().collect();
    candidates.extend(rest);
    candidates.truncate(MAX_NAMED);
    Match {
        lang,
        best,
        named,
        candidates,
        truncated,
    }
}
