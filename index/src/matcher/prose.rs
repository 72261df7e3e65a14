//! Entries named by their prose: a paste that covers one of an entry's texts (a message, a
//! quoted log line, a symptom, a cause sentence) well enough, in a paste that is about an Azure
//! VM backup; for a direct question, also general sections by title and the entries nearest in
//! meaning.

use super::context::Context;
use super::gate::{GENERAL_PASTE_COVERAGE, GENERAL_PASTE_MIN_TOKENS};
use super::outcome::{Candidate, Reason};
use super::texts::{Source, Text, MESSAGE_MIN_TOKENS};
use super::vocab::NO_ID;
use super::{Matcher, QUIET_BELOW};
use crate::entry::Kind;

/// A paste "is" an entry's message when at most this share of its words are not the entry's
/// own (its message, title, steps: a recommended action pasted with the message)...
pub const OWN_WORDS_SLACK: f32 = 0.2;
/// ... or at most this many, for short pastes.
pub const OWN_WORDS_SLACK_MIN: usize = 2;
/// How much the share of the paste an entry explains counts when two entries are named by
/// prose (a tie-break: confidence differences above this always win).
pub const EXPLAINED_TIE_BREAK: f32 = 0.5;
/// A message that stands in a paste with no sign of a backup around it must be covered this
/// much: the paste is the message, not a sentence that shares most of its words.
pub const MESSAGE_ALONE_COVERAGE: f32 = 0.8;
/// A direct question lists an entry it does not name only when it covers this much of one of
/// its texts (an unrelated entry is never offered).
pub const RELATED_COVERAGE: f32 = 0.34;
/// A job or restore table row, whose messages are ordinary Azure sentences, needs more.
pub const RELATED_COVERAGE_ROW: f32 = 0.5;
/// ... or when this share of the question's words (weighted by rarity) are the entry's own
/// (at least [`RELATED_OWN_MIN_WORDS`] of them).
pub const RELATED_OWN_SHARE: f32 = 0.6;
/// The fewest of the entry's own words a related question holds.
pub const RELATED_OWN_MIN_WORDS: usize = 2;
/// ... a table row's: this much.
pub const RELATED_OWN_SHARE_ROW: f32 = 0.8;
/// A general section's title covered this much answers a direct question.
pub const GENERAL_QUESTION_COVERAGE: f32 = 0.5;
/// How many entries tantivy offers a question.
const QUESTION_HITS: usize = 16;

impl Matcher {
    /// Entries whose texts a paste covers: only the texts that passed the gate are scored.
    pub(super) fn paste_prose(
        &self,
        ctx: &Context,
        paste: &[u32],
        passing: &[usize],
    ) -> Vec<Candidate> {
        let mut entries: Vec<usize> = passing
            .iter()
            .map(|&g| match self.parts.texts.get(g) {
                Some(t) => t.entry,
                None => self.parts.general_titles[g - self.parts.texts.len()].entry,
            })
            .collect();
        entries.sort_unstable();
        entries.dedup();
        let mut out = Vec::new();
        for entry in entries {
            let texts = passing
                .iter()
                .filter_map(|&g| self.parts.texts.get(g))
                .filter(|t| t.entry == entry);
            if let Some((c, source)) = self.named_by_text(ctx, paste, texts) {
                let is_message = matches!(source, Source::Message(_));
                if self.about_backup(ctx, entry, paste, is_message) {
                    out.push(c);
                }
                continue;
            }
            if let Some(c) = self.named_by_title(ctx, paste, entry, false) {
                out.push(c);
            }
        }
        self.prefer_what_explains_more(&mut out, paste);
        out
    }

    /// Two entries named by prose: the one whose own words explain more of the paste comes
    /// first ("the VSS service itself is hung" covers a generic VSS message of one entry and a
    /// symptom of another; the symptom's entry also knows "hung"). A runner-up keeps its
    /// confidence, at most just below the winner's.
    fn prefer_what_explains_more(&self, named: &mut [Candidate], paste: &[u32]) {
        if named.len() < 2 {
            return;
        }
        let mut distinct: Vec<u32> = paste.iter().copied().filter(|&t| t != NO_ID).collect();
        distinct.sort_unstable();
        distinct.dedup();
        // Each key computed once, not at every comparison.
        let keys: Vec<f32> = named
            .iter()
            .map(|c| c.confidence + EXPLAINED_TIE_BREAK * self.explained(c.entry, &distinct))
            .collect();
        let mut order: Vec<usize> = (0..named.len()).collect();
        order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]));
        let sorted: Vec<Candidate> = order.iter().map(|&i| named[i].clone()).collect();
        named.clone_from_slice(&sorted);
        let top = named[0].confidence;
        for c in named.iter_mut().skip(1) {
            c.confidence = c.confidence.min(top - 0.001);
        }
    }

    /// Entries a direct question speaks of: named ones, general sections by title, and the
    /// entries nearest in meaning (tantivy over every field) as runners-up.
    pub(super) fn question_prose(&self, ctx: &Context, paste: &[u32]) -> Vec<Candidate> {
        let mut ids: Vec<u32> = paste.iter().copied().filter(|&t| t != NO_ID).collect();
        ids.sort_unstable();
        ids.dedup();
        let distinct: Vec<&str> = ids.iter().map(|&t| self.parts.vocab.token(t)).collect();
        let hits = self.index.search(&distinct, QUESTION_HITS);
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for h in hits {
            if !seen.insert(h.entry) {
                continue;
            }
            let texts = self.parts.texts.iter().filter(|t| t.entry == h.entry);
            if let Some((c, _)) = self.named_by_text(ctx, paste, texts.clone()) {
                out.push(c);
                continue;
            }
            if let Some(c) = self.named_by_title(ctx, paste, h.entry, true) {
                out.push(c);
                continue;
            }
            let closest = texts
                .chain(self.parts.titles.iter().filter(|t| t.entry == h.entry))
                .map(|t| t.coverage(paste).0)
                .fold(0.0f32, f32::max);
            let (need, need_own) = match self.entries[h.entry].kind {
                Kind::Job | Kind::Restore => (RELATED_COVERAGE_ROW, RELATED_OWN_SHARE_ROW),
                Kind::Error | Kind::General => (RELATED_COVERAGE, RELATED_OWN_SHARE),
            };
            if closest >= need || self.own_share(h.entry, paste) >= need_own {
                out.push(weak(h.entry, closest * 0.8, "nearest in meaning"));
            }
        }
        out
    }

    /// The best text of an entry that the paste covers well enough to name it.
    fn named_by_text<'t>(
        &self,
        ctx: &Context,
        paste: &[u32],
        texts: impl Iterator<Item = &'t Text>,
    ) -> Option<(Candidate, Source)> {
        let mut named: Option<(f32, &Text)> = None;
        let mut squashed: Option<String> = None;
        for t in texts {
            let (cov, n) = t.coverage(paste);
            let conf = cov * t.confidence();
            if cov >= t.required()
                && n >= MESSAGE_MIN_TOKENS.min(t.tokens.len())
                && named.is_none_or(|b| conf > b.0)
                && t.short_ok(ctx, &mut squashed)
            {
                named = Some((conf, t));
            }
        }
        let (conf, t) = named?;
        let (reason, what) = match t.source {
            Source::Message(_) | Source::Quote => (Reason::Message, "message"),
            Source::Symptom => (Reason::Symptom, "symptom"),
            Source::Cause => (Reason::Symptom, "cause"),
        };
        let c = Candidate {
            entry: t.entry,
            confidence: conf,
            reason,
            code: None,
            message: match t.source {
                Source::Message(i) => Some((t.lang, i)),
                _ => None,
            },
            detail: format!(
                "{what} ({}, {:.0}% covered)",
                t.lang.as_str(),
                conf / t.confidence() * 100.0
            ),
            at: 0,
        };
        Some((c, t.source))
    }

    /// A general section has no message: its title, on strong evidence (or when asked).
    fn named_by_title(
        &self,
        ctx: &Context,
        paste: &[u32],
        entry: usize,
        question: bool,
    ) -> Option<Candidate> {
        if self.entries[entry].kind != Kind::General {
            return None;
        }
        let (cov, n) = self
            .parts
            .titles
            .iter()
            .filter(|t| t.entry == entry)
            .map(|t| t.coverage(paste))
            .fold((0.0f32, 0usize), |a, b| if b.0 > a.0 { b } else { a });
        let strong =
            cov >= GENERAL_PASTE_COVERAGE && n >= GENERAL_PASTE_MIN_TOKENS && ctx.failure();
        if !(strong || (question && cov >= GENERAL_QUESTION_COVERAGE)) {
            return None;
        }
        Some(Candidate {
            entry,
            confidence: 0.5 + 0.4 * cov,
            reason: Reason::Title,
            code: None,
            message: None,
            detail: format!("title ({:.0}% covered)", cov * 100.0),
            at: 0,
        })
    }

    /// A paste named by prose alone must be about an Azure VM backup: it names Azure Backup
    /// itself, or speaks of a VM backup (a table row: of backup or restore) and names no other
    /// tool — unless it is the entry's message (not a symptom or a quoted line: the same words
    /// stand in other software's own messages), at most with the entry's own words around it,
    /// and names no other tool.
    fn about_backup(&self, ctx: &Context, entry: usize, paste: &[u32], is_message: bool) -> bool {
        if ctx.azure_backup() {
            return true;
        }
        if ctx.other_tool() {
            return false;
        }
        let sign = match self.entries[entry].kind {
            Kind::Job | Kind::Restore => ctx.backup_or_restore(),
            Kind::Error | Kind::General => ctx.vm_backup(),
        };
        sign || (is_message
            && self.only_own_words(entry, paste)
            && self.message_alone_ok(entry, paste))
    }

    /// A message pasted alone (no sign of a backup around it) must be there nearly whole: two
    /// thirds of "Visual C++ 2012 redistributable failed to install" is any Windows machine's
    /// update log.
    ///
    /// An error entry's message pasted alone counts only when the message itself speaks of a
    /// VM backup (a snapshot, the extension, the agent…): an error arrives with its code or in
    /// Azure's own words, and a message that quotes another product's text ("This drive is
    /// locked by BitLocker Drive Encryption…") is that product's message when it stands alone.
    /// A table row has no code: its message alone is how users see it.
    fn message_alone_ok(&self, entry: usize, paste: &[u32]) -> bool {
        let error = self.entries[entry].kind == Kind::Error;
        self.parts.texts.iter().any(|t| {
            t.entry == entry
                && matches!(t.source, Source::Message(_))
                && (!error || Context::new(&t.lower).vm_backup())
                && t.coverage(paste).0 >= t.required().max(MESSAGE_ALONE_COVERAGE)
        })
    }

    /// The weight of the paste's known words (`ids`: distinct, sorted) that are the entry's own.
    fn explained(&self, entry: usize, ids: &[u32]) -> f32 {
        let own = &self.parts.own_words[entry];
        let total: f32 = ids.iter().map(|&t| self.parts.vocab.weight(t)).sum();
        let mine: f32 = ids
            .iter()
            .filter(|&&t| own.binary_search(&t).is_ok())
            .map(|&t| self.parts.vocab.weight(t))
            .sum();
        if total == 0.0 {
            0.0
        } else {
            mine / total
        }
    }

    /// The share of the paste's distinct words (weighted by rarity; a word outside the
    /// vocabulary weighs 1) that are the entry's own.
    fn own_share(&self, entry: usize, paste: &[u32]) -> f32 {
        let own = &self.parts.own_words[entry];
        let mut ids: Vec<u32> = paste.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let weight = |t: u32| {
            if t == NO_ID {
                1.0
            } else {
                self.parts.vocab.weight(t)
            }
        };
        let total: f32 = ids.iter().map(|&t| weight(t)).sum::<f32>()
            + paste
                .iter()
                .filter(|&&t| t == NO_ID)
                .count()
                .saturating_sub(1) as f32;
        let mine: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|&t| t != NO_ID && own.binary_search(&t).is_ok())
            .collect();
        let mine: f32 = if mine.len() < RELATED_OWN_MIN_WORDS {
            0.0
        } else {
            mine.iter().map(|&t| weight(t)).sum()
        };
        if total == 0.0 {
            0.0
        } else {
            mine / total
        }
    }

    /// The paste holds (almost) only the entry's own words.
    fn only_own_words(&self, entry: usize, paste: &[u32]) -> bool {
        let own = &self.parts.own_words[entry];
        let foreign = paste
            .iter()
            .filter(|&&t| t == NO_ID || own.binary_search(&t).is_err())
            .count();
        let slack = ((paste.len() as f32 * OWN_WORDS_SLACK) as usize).max(OWN_WORDS_SLACK_MIN);
        foreign <= slack
    }
}

fn weak(entry: usize, confidence: f32, detail: &str) -> Candidate {
    Candidate {
        entry,
        confidence: confidence.min(QUIET_BELOW - 0.01),
        reason: Reason::Question,
        code: None,
        message: None,
        detail: detail.to_string(),
        at: 0,
    }
}
