//! Naming by what explains the paste: the last resort for prose, when no code is sure and no
//! text of any entry is covered well enough. People retell a failure in their own words; the
//! words they keep are the rare ones ("FITHAW", "IOPS", "CanNotDelete", "정책", "태그"), and
//! those belong to one entry or two. Each entry is a bag of its words (its messages, title,
//! cause and symptoms in full; its steps and notes at a lower weight), and a paste is scored by
//! the words it shares with each, weighted by how rare a word is in the content (the
//! vocabulary's weight) and by how few entries hold it. An entry is named only when it
//! explains much of the paste, well ahead of the next one, in a paste that reports trouble and
//! is surely about an Azure VM backup — and then less surely than by any covered text.

use super::context::Context;
use super::outcome::{Candidate, Reason};
use super::vocab::{Vocabulary, NO_ID};

/// A word of an entry's steps or notes counts this much of a word of its messages, title,
/// cause or symptoms (steps speak of the fix, which a paste seldom names).
pub const STEP_WORD_WEIGHT: f32 = 0.4;
/// The entry must explain at least this share of the paste's known words (weighted): a paste
/// that is mostly about something else is not named by the few words it shares.
pub const EXPLAINED_SHARE: f32 = 0.45;
/// ... and this many times as much as the next entry: two entries that explain a paste about
/// as well (the agent's status vs. the snapshot task's) are a guess, and a guess stays quiet.
pub const EXPLAINED_LEAD: f32 = 1.6;
/// ... with at least this many of its own words (from its messages, title, cause or symptoms)...
pub const EXPLAINED_MIN_WORDS: usize = 3;
/// ... of which this many are rare ones, held by at most [`RARE_WORD_SHARE`] of the entries: one
/// rare word ("answering") beside "VM", "backup" and "agent" is a guess.
pub const EXPLAINED_MIN_RARE_WORDS: usize = 2;
/// See [`EXPLAINED_MIN_RARE_WORDS`].
pub const RARE_WORD_SHARE: f32 = 0.25;
/// The confidence of a paste explained: this, plus [`EXPLAINED_SLOPE`] times the share.
/// Between [`super::QUIET_BELOW`] and what a covered symptom or message gets.
pub const EXPLAINED_BASE: f32 = 0.5;
pub const EXPLAINED_SLOPE: f32 = 0.25;

/// A word held by more than this share of the entries explains none of them: it is left out
/// of the scores and of the paste's total ("backup", "VM", "fail" say nothing of which
/// failure it is; leaving them out also keeps the scoring cheap).
pub const COMMON_WORD_SHARE: f32 = 0.5;

/// Per token id: the entries that hold it, each with its field weight.
pub(crate) struct Explainer {
    postings: Vec<Vec<(u32, f32)>>,
    /// How few entries hold a token: ln(entries / entries holding it); 0 for a word every
    /// entry has.
    spread: Vec<f32>,
    entries: usize,
}

/// An entry's score for a paste.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Explained {
    pub entry: usize,
    pub score: f32,
    /// The entry's own words (not only from its steps) in the paste.
    pub words: usize,
    /// ... of which rare ones (see [`RARE_WORD_SHARE`]).
    pub rare: usize,
}

impl Explainer {
    /// `core[e]` and `steps[e]`: entry `e`'s distinct token ids in each field.
    pub fn new(vocab: &Vocabulary, core: &[Vec<u32>], steps: &[Vec<u32>]) -> Explainer {
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocab.len()];
        for (e, (c, s)) in core.iter().zip(steps).enumerate() {
            for &t in s {
                postings[t as usize].push((e as u32, STEP_WORD_WEIGHT));
            }
            for &t in c {
                let p = &mut postings[t as usize];
                match p.iter_mut().find(|(x, _)| *x == e as u32) {
                    Some(x) => x.1 = 1.0,
                    None => p.push((e as u32, 1.0)),
                }
            }
        }
        let n = core.len().max(1) as f32;
        let spread = postings
            .iter_mut()
            .map(|p| {
                if p.is_empty() || p.len() as f32 > n * COMMON_WORD_SHARE {
                    p.clear();
                    0.0
                } else {
                    (n / p.len() as f32).ln()
                }
            })
            .collect();
        Explainer {
            postings,
            spread,
            entries: core.len(),
        }
    }

    /// The best two entries for the paste's distinct words, and the paste's own total (what
    /// an entry holding every word would score).
    pub fn best_two(&self, vocab: &Vocabulary, paste: &[u32]) -> ([Explained; 2], f32) {
        let mut ids: Vec<u32> = paste
            .iter()
            .copied()
            .filter(|&t| t != NO_ID && self.spread[t as usize] > 0.0)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut score = vec![0.0f32; self.entries];
        let mut words = vec![0usize; self.entries];
        let mut rare = vec![0usize; self.entries];
        let rare_spread = (1.0 / RARE_WORD_SHARE).ln();
        let mut total = 0.0;
        for t in ids {
            let w = vocab.weight(t) * self.spread[t as usize];
            if w <= 0.0 {
                continue;
            }
            total += w;
            for &(e, f) in &self.postings[t as usize] {
                score[e as usize] += w * f;
                words[e as usize] += usize::from(f >= 1.0);
                rare[e as usize] += usize::from(f >= 1.0 && self.spread[t as usize] >= rare_spread);
            }
        }
        let mut best = [Explained::default(); 2];
        for (entry, &s) in score.iter().enumerate() {
            let x = Explained {
                entry,
                score: s,
                words: words[entry],
                rare: rare[entry],
            };
            if s > best[0].score {
                best[1] = best[0];
                best[0] = x;
            } else if s > best[1].score {
                best[1] = x;
            }
        }
        (best, total)
    }

    /// The entry the paste's words explain, if one does clearly enough (see the constants).
    /// The paste's context is looked at last: most pastes are decided by the cheap scores.
    pub fn name(&self, vocab: &Vocabulary, ctx: &Context, paste: &[u32]) -> Option<Candidate> {
        // Most channel traffic has not even two rare words: one look-up a word, no allocation.
        let rare_spread = (1.0 / RARE_WORD_SHARE).ln();
        let rare = paste
            .iter()
            .filter(|&&t| t != NO_ID && self.spread[t as usize] >= rare_spread)
            .take(EXPLAINED_MIN_RARE_WORDS)
            .count();
        if rare < EXPLAINED_MIN_RARE_WORDS {
            return None;
        }
        let ([first, second], total) = self.best_two(vocab, paste);
        if total <= 0.0
            || first.words < EXPLAINED_MIN_WORDS
            || first.rare < EXPLAINED_MIN_RARE_WORDS
        {
            return None;
        }
        let share = first.score / total;
        if share < EXPLAINED_SHARE || first.score < EXPLAINED_LEAD * second.score {
            return None;
        }
        if !(ctx.trouble() && ctx.surely_vm_backup()) {
            return None;
        }
        Some(Candidate {
            entry: first.entry,
            confidence: EXPLAINED_BASE + EXPLAINED_SLOPE * share,
            reason: Reason::Words,
            code: None,
            message: None,
            detail: format!(
                "the paste's words ({:.0}% explained, {:.1}× the next entry)",
                share * 100.0,
                if second.score > 0.0 {
                    first.score / second.score
                } else {
                    f32::INFINITY
                }
            ),
            at: 0,
        })
    }
}
