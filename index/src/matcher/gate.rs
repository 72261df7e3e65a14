//! The cheap gate before any tantivy query: which texts a paste could cover well enough, from
//! its tokens as a bag of words. A bag's coverage bounds the coverage within any window from
//! above, and the gate applies the same rules as the scoring (short texts, negations), so it never
//! drops a text that could be named; most chatter stops here, with no query and no allocation per
//! token.

use super::context::Context;
use super::texts::{Text, MESSAGE_MIN_TOKENS, NEGATIONS};
use super::vocab::{Vocabulary, NO_ID};

/// A general section's title must be covered this much to answer a paste (strong evidence).
pub const GENERAL_PASTE_COVERAGE: f32 = 1.0 - COVERAGE_ROUNDING;
/// Coverage is a sum of float weights over a total: a whole cover may sum a hair below 1.
pub const COVERAGE_ROUNDING: f32 = 1e-4;
/// ... a title of at least this many tokens, in a paste that speaks of a failure or of backup.
pub const GENERAL_PASTE_MIN_TOKENS: usize = 4;

thread_local! {
    static GATE_SUMS: std::cell::RefCell<Vec<(f32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A text the gate checks: what a paste must cover of it to be worth a query.
struct GateText {
    total: f32,
    /// The coverage it needs ([`Text::required`]).
    need: f32,
    tokens: usize,
    general_title: bool,
    /// The text says "not": a paste without a negation cannot name it.
    negated: bool,
}

/// For each token id, the gate texts (the texts, then the general sections' titles) that hold
/// it, with its weight.
pub(crate) struct Gate {
    postings: Vec<Vec<(usize, f32)>>,
    texts: Vec<GateText>,
}

impl Gate {
    pub fn new(vocab: &Vocabulary, texts: &[Text], general_titles: &[Text]) -> Gate {
        let mut postings: Vec<Vec<(usize, f32)>> = vec![Vec::new(); vocab.len()];
        let mut gate_texts = Vec::new();
        let all = texts
            .iter()
            .map(|t| (t, false))
            .chain(general_titles.iter().map(|t| (t, true)));
        for (t, general_title) in all {
            let mut seen = std::collections::HashSet::new();
            for (&id, &w) in t.ids.iter().zip(&t.weights) {
                if seen.insert(id) {
                    postings[id as usize].push((gate_texts.len(), w));
                }
            }
            gate_texts.push(GateText {
                total: t.total,
                need: t.required(),
                tokens: t.tokens.len(),
                general_title,
                negated: !t.negated.is_empty(),
            });
        }
        Gate {
            postings,
            texts: gate_texts,
        }
    }

    /// The gate texts that pass (positions in `texts`, then general titles after them),
    /// sorted.
    pub fn pass(
        &self,
        vocab: &Vocabulary,
        toks: &[u32],
        ctx: &Context,
        texts: &[Text],
    ) -> Vec<usize> {
        let mut distinct: Vec<u32> = toks.iter().copied().filter(|&t| t != NO_ID).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() {
            return Vec::new();
        }
        let negation = distinct
            .iter()
            .any(|&t| NEGATIONS.contains(&vocab.token(t)));
        // Weight and count per gate text, in a dense table kept per thread (only the touched
        // slots are read and then reset).
        let acc: Vec<(usize, f32, usize)> = GATE_SUMS.with(|sums| {
            let mut sums = sums.borrow_mut();
            if sums.len() < self.texts.len() {
                sums.resize(self.texts.len(), (0.0, 0));
            }
            let mut touched: Vec<usize> = Vec::new();
            for t in distinct {
                for &(g, w) in &self.postings[t as usize] {
                    if sums[g].1 == 0 {
                        touched.push(g);
                    }
                    sums[g].0 += w;
                    sums[g].1 += 1;
                }
            }
            touched
                .into_iter()
                .map(|g| {
                    let (w, n) = std::mem::take(&mut sums[g]);
                    (g, w, n as usize)
                })
                .collect()
        });
        let mut squashed: Option<String> = None;
        let mut passing: Vec<usize> = acc
            .into_iter()
            .filter(|&(i, w, n)| {
                let g = &self.texts[i];
                if n == 0 || g.total == 0.0 || (g.negated && !negation) {
                    return false;
                }
                let cov = w / g.total;
                if g.general_title {
                    cov >= GENERAL_PASTE_COVERAGE && n >= GENERAL_PASTE_MIN_TOKENS && ctx.failure()
                } else {
                    cov >= g.need
                        && n >= MESSAGE_MIN_TOKENS.min(g.tokens)
                        && texts.get(i).is_none_or(|t| t.short_ok(ctx, &mut squashed))
                }
            })
            .map(|(i, _, _)| i)
            .collect();
        passing.sort_unstable();
        passing
    }
}
