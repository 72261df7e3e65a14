//! The matcher: which entry a pasted text names, how sure we are, and why.
//!
//! Cheapest first, so chatter costs almost nothing:
//! 1. [`codes`]: alphanumeric runs looked up exactly, split, without their prefix, numeric,
//!    shared, misspelt;
//! 2. [`gate`]: a bag-of-words bound over the content's texts, from vocabulary ids ([`vocab`]);
//! 3. [`texts`] and [`prose`]: each text that passed scored by coverage within a window, in a
//!    paste that is about an Azure VM backup ([`context`]);
//! 4. [`rank`]: one candidate per entry, the best first.
//!
//! [`Matcher::find`] takes a paste seen in a channel (quiet unless sure);
//! [`Matcher::ask`] takes a direct question or a command, which names its subject and always
//! wants the nearest entries.

mod codes;
mod context;
mod explain;
mod gate;
mod outcome;
mod prose;
mod rank;
mod texts;
mod vocab;
mod words;

pub use codes::{FUZZY_LONG_CODE, FUZZY_MAX_EDITS_LONG, FUZZY_MAX_EDITS_SHORT, FUZZY_MIN_LEN};
pub use outcome::{Candidate, Match, Reason};
pub use texts::{required_coverage, MESSAGE_MIN_COVERAGE};
pub use vocab::GRAMMAR_WEIGHT;

use crate::analysis;
use crate::entry::{Entry, Kind, Lang};
use crate::search::SearchIndex;
use context::Context;
use texts::{Source, Text};

/// What a [`Matcher`] builds from its entries, besides the tantivy index.
struct Parts {
    codes: codes::Codes,
    vocab: vocab::Vocabulary,
    texts: Vec<Text>,
    titles: Vec<Text>,
    general_titles: Vec<Text>,
    gate: gate::Gate,
    own_words: Vec<Vec<u32>>,
    explainer: explain::Explainer,
}

/// Pastes are read this far for messages (cut at a character boundary, never rejected).
pub const MAX_PASTE_BYTES: usize = 40 * 1024;
/// Codes are looked for this far: the scan is cheap, and an agent log's error is often on its
/// last line. (A chat platform's own limit on a message is below this.)
pub const MAX_CODE_SCAN_BYTES: usize = 4 * 1024 * 1024;
/// At most this many entries are named for one paste.
pub const MAX_NAMED: usize = 5;
/// Below this confidence the bot stays quiet on a paste.
pub const QUIET_BELOW: f32 = 0.5;

/// The matcher over a set of entries.
pub struct Matcher {
    entries: Vec<Entry>,
    index: SearchIndex,
    parts: Parts,
}

impl Matcher {
    /// Builds the matcher and its index (in RAM).
    pub fn new(entries: Vec<Entry>) -> tantivy::Result<Matcher> {
        // The tantivy index (for questions) is built on a second thread meanwhile: start-up is
        // on the path of every `match --jsonl` run and every reload.
        let (parts, index) = std::thread::scope(|scope| {
            let index = scope.spawn(|| SearchIndex::build(&entries));
            let parts = Self::parts(&entries);
            (
                parts,
                index.join().expect("building the index does not panic"),
            )
        });
        Ok(Matcher {
            entries,
            index: index?,
            parts,
        })
    }

    fn parts(entries: &[Entry]) -> Parts {
        let codes = codes::Codes::new(entries);
        let mut texts = texts::collect(entries);
        let mut titles: Vec<Text> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for (lang, ed) in &e.editions {
                titles.push(Text::new(i, *lang, Source::Quote, &ed.title));
            }
        }
        let own_tokens: Vec<Vec<String>> = entries.iter().map(own_tokens).collect();
        let vocab = vocab::Vocabulary::new(
            texts
                .iter()
                .chain(titles.iter())
                .map(|t| t.tokens.as_slice()),
            own_tokens.iter().flatten(),
        );
        for t in texts.iter_mut().chain(titles.iter_mut()) {
            t.ids = t.tokens.iter().map(|s| vocab.id(s)).collect();
            t.weights = t
                .ids
                .iter()
                .zip(&t.factors)
                .map(|(&id, f)| vocab.weight(id) * f)
                .collect();
            t.total = t.weights.iter().sum();
            t.negated = (0..t.tokens.len())
                .filter(|&i| texts::NEGATIONS.contains(&t.tokens[i].as_str()))
                .collect();
        }
        let general_titles: Vec<Text> = titles
            .iter()
            .filter(|t| entries[t.entry].kind == Kind::General)
            .cloned()
            .collect();
        let gate = gate::Gate::new(&vocab, &texts, &general_titles);
        let own_words = own_tokens
            .iter()
            .map(|toks| {
                let mut ids: Vec<u32> = toks.iter().map(|t| vocab.id(t)).collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect();
        let ids_of = |toks: Vec<String>| -> Vec<u32> {
            let mut ids: Vec<u32> = toks
                .iter()
                .map(|t| vocab.id(t))
                .filter(|&t| t != vocab::NO_ID)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let core: Vec<Vec<u32>> = entries.iter().map(|e| ids_of(core_tokens(e))).collect();
        let steps: Vec<Vec<u32>> = entries.iter().map(|e| ids_of(step_tokens(e))).collect();
        let explainer = explain::Explainer::new(&vocab, &core, &steps);
        Parts {
            codes,
            vocab,
            texts,
            titles,
            general_titles,
            gate,
            own_words,
            explainer,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn entry_by_id(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    /// Every canonical code, in content order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.parts.codes.canonical()
    }

    /// The code-shaped words of a text that are no known code (a question about an unknown
    /// code is told so).
    pub fn unknown_codes<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.parts.codes.unknown_codes(text)
    }

    /// A paste seen in a channel: named entries only on good evidence, else quiet.
    pub fn find(&self, text: &str) -> Match {
        let (scan, prose, truncated) = cuts(text);
        let lang = lang_of(prose);
        let ctx = Context::new(scan);
        let found = self.parts.codes.find(&ctx);
        if found.iter().any(|c| c.confidence >= QUIET_BELOW) {
            return rank::rank(lang, found, Vec::new(), truncated);
        }
        let ctx = Context::new(prose);
        let toks = self.parts.vocab.paste_ids(prose);
        let passing = self
            .parts
            .gate
            .pass(&self.parts.vocab, &toks, &ctx, &self.parts.texts);
        let mut named = if passing.is_empty() {
            Vec::new()
        } else {
            self.paste_prose(&ctx, &toks, &passing)
        };
        // No text covered: the paste's words may still say which entry it is.
        if !named.iter().any(|c| c.confidence >= QUIET_BELOW) {
            named.extend(self.parts.explainer.name(&self.parts.vocab, &ctx, &toks));
        }
        if named.is_empty() && found.is_empty() {
            return Match::quiet(lang, truncated);
        }
        rank::rank(lang, named, found, truncated)
    }

    /// A direct question or a command: the same, plus general sections by title, and the
    /// nearest codes and entries as candidates when nothing is sure. It names its subject, so
    /// a known numeric code counts alone.
    pub fn ask(&self, text: &str) -> Match {
        let (scan, prose, truncated) = cuts(text);
        let lang = lang_of(prose);
        let ctx = Context::new(scan);
        let mut found = self.parts.codes.ask(&ctx);
        if found.is_empty() {
            found = self.parts.codes.near(scan);
        }
        if found.iter().any(|c| c.confidence >= QUIET_BELOW) {
            return rank::rank(lang, found, Vec::new(), truncated);
        }
        let ctx = Context::new(prose);
        let toks = self.parts.vocab.paste_ids(prose);
        let named = if toks.iter().any(|&t| t != vocab::NO_ID) {
            self.question_prose(&ctx, &toks)
        } else {
            Vec::new()
        };
        rank::rank(lang, named, found, truncated)
    }
}

/// The text scanned for codes, the text read for prose, and whether the prose was cut.
fn cuts(text: &str) -> (&str, &str, bool) {
    let scan = cut(text, MAX_CODE_SCAN_BYTES);
    (
        scan,
        cut(text, MAX_PASTE_BYTES),
        text.len() > MAX_PASTE_BYTES,
    )
}

/// Korean when the text has Hangul.
fn lang_of(text: &str) -> Lang {
    if !text.is_ascii() && analysis::has_hangul(text) {
        Lang::Ko
    } else {
        Lang::En
    }
}

/// Every token of an entry's text, both languages.
fn own_tokens(e: &Entry) -> Vec<String> {
    let mut out = core_tokens(e);
    out.extend(step_tokens(e));
    out
}

/// The tokens of an entry's messages, title, cause and symptoms, both languages.
fn core_tokens(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    for ed in e.editions.values() {
        let texts = ed
            .messages
            .iter()
            .map(|m| m.text.as_str())
            .chain([ed.title.as_str(), ed.cause.as_str()])
            .chain(ed.symptoms.iter().map(String::as_str));
        for t in texts {
            analysis::tokens_into(t, &mut out);
        }
    }
    out
}

/// The tokens of an entry's steps and notes, both languages.
fn step_tokens(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    for ed in e.editions.values() {
        for t in ed.steps.iter().chain(&ed.notes) {
            analysis::tokens_into(t, &mut out);
        }
    }
    out
}

/// Cuts `text` to at most `max` bytes at a character boundary.
pub fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Matcher {
    /// The texts a paste covers best, with their coverage: for content authors asking why a
    /// paste was (not) named. `(entry id, source, text tokens, coverage)`, best first.
    #[doc(hidden)]
    pub fn explain(&self, text: &str, n: usize) -> Vec<(String, String, String, f32)> {
        let toks = self.parts.vocab.paste_ids(cut(text, MAX_PASTE_BYTES));
        let mut all: Vec<(String, String, String, f32)> = self
            .parts
            .texts
            .iter()
            .map(|t| {
                (
                    self.entries[t.entry].id.clone(),
                    format!("{:?}", t.source),
                    t.tokens.join(" "),
                    t.coverage(&toks).0,
                )
            })
            .collect();
        all.sort_by(|a, b| b.3.total_cmp(&a.3));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_respects_char_boundaries() {
        let s = "가나다";
        assert_eq!(cut(s, 4), "가");
        assert_eq!(cut(s, 100), s);
    }
}
