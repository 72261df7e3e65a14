//! The prose a paste may cover: each entry's messages (and the text its users see: an error's
//! title, log lines its steps quote), its curated symptoms, and its cause's sentences. Each is
//! scored by the weighted share of it that the paste covers within one window of consecutive
//! tokens, so words scattered over a long log do not add up.

use crate::entry::{Entry, Kind, Lang};
use crate::search::query_tokens;

/// Confidence of a paste that covers a message whole; less coverage, less confidence.
pub const MESSAGE_CONFIDENCE: f32 = 0.95;
/// A symptom is the entry's failure in other words (a log line, the portal's rewording, what
/// people say): good evidence, but below the entry's own message.
pub const SYMPTOM_CONFIDENCE: f32 = 0.88;
/// A sentence of the cause is written to explain, not to be pasted: weaker still.
pub const CAUSE_CONFIDENCE: f32 = 0.84;
/// Share of a text (weighted by rarity) a paste must cover to name it: this for long texts,
/// more for short ones (see [`required_coverage`]).
pub const MESSAGE_MIN_COVERAGE: f32 = 0.62;
/// The most a short text asks for.
pub const SHORT_MESSAGE_COVERAGE: f32 = 0.9;
/// Messages with fewer tokens than this are ordinary sentences: they count only when the paste
/// also speaks of a failure (see [`Text::short_ok`]).
pub const SHORT_MESSAGE_TOKENS: usize = 6;
/// A short text ("The virtual machine doesn't exist") is covered only by a window this few
/// tokens longer than itself: spread over a sentence about something else ("…the VM fails saying
/// the subnet I picked doesn't exist"), its words are that sentence's, not its own.
pub const SHORT_TEXT_WINDOW_SLACK: usize = 3;
/// ... and at least this many of its tokens (or all of them, when it has fewer).
pub const MESSAGE_MIN_TOKENS: usize = 3;
/// The weight left to a Korean bigram that a text has only across a space: a rewording or
/// other spacing changes it most.
pub const JUNCTION_WEIGHT: f32 = 0.35;
/// A cause sentence shorter than this says too little to name an entry.
pub const CAUSE_MIN_TOKENS: usize = 8;

/// Tokens that turn a message around: a paste without them says something else.
pub(crate) const NEGATIONS: &[&str] = &["not", "no", "never"];

/// Korean texts need this much less: a rewording changes more of their bigrams (particles,
/// endings and spacing change them even where the words stay).
pub const KOREAN_EASING: f32 = 0.07;

/// Coverage a text of `n` tokens needs: short texts must be covered almost whole.
pub fn required_coverage(n: usize) -> f32 {
    (1.0 - 0.04 * n as f32).clamp(MESSAGE_MIN_COVERAGE, SHORT_MESSAGE_COVERAGE)
}

/// Where a text comes from in its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The edition's message at this position.
    Message(usize),
    /// Other text users see: an error's title without its codes, a log line a step quotes.
    Quote,
    Symptom,
    Cause,
}

/// One text a paste may cover, analysed.
#[derive(Clone)]
pub(crate) struct Text {
    pub entry: usize,
    pub lang: Lang,
    pub source: Source,
    pub tokens: Vec<String>,
    /// The text itself, squashed (to tell its own words from the paste's).
    pub lower: String,
    /// The same tokens as vocabulary ids, with their weights.
    pub ids: Vec<u32>,
    pub weights: Vec<f32>,
    pub total: f32,
    /// Positions (in `ids`) of negations.
    pub negated: Vec<usize>,
    /// Per token, the share of its weight it keeps in this text ([`JUNCTION_WEIGHT`] or 1).
    pub factors: Vec<f32>,
}

impl Text {
    pub fn new(entry: usize, lang: Lang, source: Source, text: &str) -> Text {
        let mut tokens = query_tokens(text);
        if source == Source::Quote {
            // A quoted log line's timestamps and ids are the sample's, never the paste's.
            tokens.retain(|t| !t.bytes().all(|b| b.is_ascii_digit()));
        }
        let junctions = crate::analysis::junction_bigrams(text);
        let factors = tokens
            .iter()
            .map(|t| {
                if junctions.contains(t) {
                    JUNCTION_WEIGHT
                } else {
                    1.0
                }
            })
            .collect();
        Text {
            entry,
            lang,
            source,
            factors,
            tokens,
            lower: squash(text),
            ids: vec![],
            weights: vec![],
            total: 0.0,
            negated: vec![],
        }
    }

    /// The coverage this text needs to be named.
    pub fn required(&self) -> f32 {
        let need = required_coverage(self.tokens.len());
        match self.lang {
            Lang::Ko => need - KOREAN_EASING,
            Lang::En => need,
        }
    }

    /// How sure a full cover of this text makes us.
    pub fn confidence(&self) -> f32 {
        match self.source {
            Source::Message(_) | Source::Quote => MESSAGE_CONFIDENCE,
            Source::Symptom => SYMPTOM_CONFIDENCE,
            Source::Cause => CAUSE_CONFIDENCE,
        }
    }

    /// A short message is an ordinary sentence: it counts with a failure word of the paste's
    /// own, or quoted word for word as most of the paste. Log lines and symptoms are written to
    /// be distinctive: they count as they are.
    pub fn short_ok(&self, ctx: &super::context::Context, squashed: &mut Option<String>) -> bool {
        if self.tokens.len() >= SHORT_MESSAGE_TOKENS || !matches!(self.source, Source::Message(_)) {
            return true;
        }
        if ctx.failure_beyond(&self.lower) || ctx.azure_backup() {
            return true;
        }
        let s = squashed.get_or_insert_with(|| squash(ctx.raw()));
        s.contains(&self.lower) && self.lower.split(' ').count() * 10 >= s.split(' ').count() * 6
    }

    /// The share (weighted by rarity) of this text's tokens that the paste holds within one
    /// window of consecutive tokens, and how many distinct tokens that window holds.
    pub fn coverage(&self, paste: &[u32]) -> (f32, usize) {
        if self.total == 0.0 {
            return (0.0, 0);
        }
        let ids = &self.ids;
        COVERAGE_SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let CoverageScratch {
                slots,
                events,
                counts,
            } = &mut *scratch;
            // Each of the text's token ids points at its first position in the text, so the
            // paste is read once (not searched through the text at each of its tokens).
            for (i, &id) in ids.iter().enumerate() {
                let id = id as usize;
                if slots.len() <= id {
                    slots.resize(id + 1, NO_SLOT);
                }
                if slots[id] == NO_SLOT {
                    slots[id] = i as u32;
                }
            }
            events.clear();
            events.extend(paste.iter().enumerate().filter_map(|(p, &t)| {
                let i = *slots.get(t as usize)?;
                (i != NO_SLOT).then_some((p, i as usize))
            }));
            for &id in ids {
                slots[id as usize] = NO_SLOT;
            }
            counts.clear();
            counts.resize(ids.len(), 0);
            self.best_window(events, counts)
        })
    }

    /// The best window over `events` (paste position, text position), in order.
    fn best_window(&self, events: &[(usize, usize)], counts: &mut [usize]) -> (f32, usize) {
        let ids = &self.ids;
        let window = if ids.len() < SHORT_MESSAGE_TOKENS {
            ids.len() + SHORT_TEXT_WINDOW_SLACK
        } else {
            (ids.len() * 2).max(ids.len() + 8)
        };
        let mut covered = 0.0f32;
        let mut distinct = 0usize;
        let (mut best, mut best_n) = (0.0f32, 0usize);
        let mut lo = 0;
        for &(p, i) in events {
            if counts[i] == 0 {
                covered += self.weights[i];
                distinct += 1;
            }
            counts[i] += 1;
            while events[lo].0 + window <= p {
                let j = events[lo].1;
                counts[j] -= 1;
                if counts[j] == 0 {
                    covered -= self.weights[j];
                    distinct -= 1;
                }
                lo += 1;
            }
            let mut score = covered;
            // A message that says "not" is not named by a paste that does not.
            if self.negated.iter().any(|&j| counts[j] == 0) {
                score *= 0.5;
            }
            if score > best {
                best = score;
                best_n = distinct;
            }
        }
        ((best / self.total).min(1.0), best_n)
    }
}

/// A slot of no token of the text.
const NO_SLOT: u32 = u32::MAX;

/// What [`Text::coverage`] needs besides the paste, kept per thread: per token id, its first
/// position in the text being scored; the paste's tokens found in it; counts per text position.
#[derive(Default)]
struct CoverageScratch {
    slots: Vec<u32>,
    events: Vec<(usize, usize)>,
    counts: Vec<usize>,
}

thread_local! {
    static COVERAGE_SCRATCH: std::cell::RefCell<CoverageScratch> =
        std::cell::RefCell::new(CoverageScratch::default());
}

/// Every text of every entry that a paste may cover: messages and quotes, symptoms, and the
/// cause's sentences (a sentence two entries share names neither, so it is left out).
pub(crate) fn collect(entries: &[Entry]) -> Vec<Text> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        for (lang, ed) in &e.editions {
            for (k, text) in e.match_texts(*lang) {
                let source = k.map_or(Source::Quote, Source::Message);
                out.push(Text::new(i, *lang, source, &text));
            }
            for s in &ed.symptoms {
                out.push(Text::new(i, *lang, Source::Symptom, s));
            }
        }
    }
    let mut causes: Vec<Text> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.kind == Kind::General {
            continue;
        }
        for (lang, ed) in &e.editions {
            for s in sentences(&ed.cause) {
                let t = Text::new(i, *lang, Source::Cause, &s);
                if t.tokens.len() >= CAUSE_MIN_TOKENS {
                    causes.push(t);
                }
            }
        }
    }
    let shared: std::collections::HashSet<String> = {
        let mut seen = std::collections::HashMap::<&str, usize>::new();
        for t in &causes {
            let e = seen.entry(t.lower.as_str()).or_insert(t.entry);
            if *e != t.entry {
                *e = usize::MAX;
            }
        }
        seen.into_iter()
            .filter(|(_, e)| *e == usize::MAX)
            .map(|(s, _)| s.to_string())
            .collect()
    };
    out.extend(causes.into_iter().filter(|t| !shared.contains(&t.lower)));
    out
}

/// The sentences of a Markdown paragraph, without link targets and emphasis.
fn sentences(markdown: &str) -> Vec<String> {
    let mut plain = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(p) = rest.find("](") {
        plain.push_str(&rest[..p]);
        rest = &rest[p + 2..];
        rest = rest.find(')').map_or("", |q| &rest[q + 1..]);
    }
    plain.push_str(rest);
    let plain = plain.replace(['*', '`', '[', ']'], "");
    plain
        .split(['\n', '。'])
        .flat_map(|l| l.split(". "))
        .map(|s| s.trim().trim_start_matches("- ").trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Lower case, letters and digits only, single spaces: for comparing wordings.
pub(crate) fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_sentences_drop_link_targets_and_emphasis() {
        assert_eq!(
            sentences("The **agent** is [stopped](https://x/y). It can't reach `storage`."),
            vec!["The agent is stopped", "It can't reach storage."]
        );
    }
}
