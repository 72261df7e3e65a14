//! The cheap gate before any tantivy query: which texts a paste could cover well enough, from
//! its tokens as a bag of words. A bag's coverage bounds the coverage within any window from
//! above, and the gate applies the same rules as the scoring (short texts, negations), so it never
//! drops a text that could be named; most chatter stops here, with no query and no allocation per
//! token.
//!
//! Only a text's rarest tokens are posted (prefix filtering, as in similarity joins): a paste
//! that holds none of them cannot reach the text's coverage, since the rest weigh less than it
//! needs. Common words ("backup", "fail") so touch few texts, and each text a paste touches is
//! then checked whole.

use super::context::Context;
use super::texts::{Text, MESSAGE_MIN_TOKENS, NEGATIONS};
use super::vocab::{Vocabulary, NO_ID};

/// A general section's title must be covered this much to answer a paste (strong evidence).
pub const GENERAL_PASTE_COVERAGE: f32 = 1.0 - COVERAGE_ROUNDING;
/// Coverage is a sum of float weights over a total: a whole cover may sum a hair below 1.
pub const COVERAGE_ROUNDING: f32 = 1e-4;
/// ... a title of at least this many tokens, in a paste that speaks of a failure or of backup.
pub const GENERAL_PASTE_MIN_TOKENS: usize = 4;

/// What one gate pass needs besides the paste, kept per thread so a pass allocates nothing
/// but its result.
#[derive(Default)]
struct Scratch {
    /// Per gate text, the posted weight the paste gives it.
    sums: Vec<f32>,
    /// Per token id, whether the paste has it.
    seen: Vec<bool>,
    /// The paste's distinct known token ids.
    distinct: Vec<u32>,
    /// The gate texts the paste touched.
    touched: Vec<usize>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A text the gate checks: what a paste must cover of it to be worth a query.
struct GateText {
    /// Its distinct tokens with their weights, heaviest first.
    tokens: Vec<(u32, f32)>,
    total: f32,
    /// The weight of its tokens that are not posted (the commonest).
    unposted: f32,
    /// The coverage it needs ([`Text::required`]).
    need: f32,
    general_title: bool,
    /// The text says "not": a paste without a negation cannot name it.
    negated: bool,
}

/// For each token id, the gate texts (the texts, then the general sections' titles) that hold
/// it among their rarest tokens.
pub(crate) struct Gate {
    postings: Vec<Vec<(u32, f32)>>,
    texts: Vec<GateText>,
}

impl Gate {
    pub fn new(vocab: &Vocabulary, texts: &[Text], general_titles: &[Text]) -> Gate {
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocab.len()];
        let mut gate_texts = Vec::new();
        let all = texts
            .iter()
            .map(|t| (t, false))
            .chain(general_titles.iter().map(|t| (t, true)));
        for (t, general_title) in all {
            let mut tokens: Vec<(u32, f32)> = Vec::new();
            for (&id, &w) in t.ids.iter().zip(&t.weights) {
                if !tokens.iter().any(|x| x.0 == id) {
                    tokens.push((id, w));
                }
            }
            let need = if general_title {
                GENERAL_PASTE_COVERAGE
            } else {
                t.required()
            };
            // Rarest first; post tokens until the rest weigh less than the text needs.
            let mut by_weight = tokens.clone();
            by_weight.sort_by(|a, b| b.1.total_cmp(&a.1));
            let mut rest: f32 = t.total;
            for (id, w) in by_weight {
                if rest < need * t.total - COVERAGE_ROUNDING {
                    break;
                }
                postings[id as usize].push((gate_texts.len() as u32, w));
                rest -= w;
            }
            // Heaviest first, so a check can stop as soon as the text is out of reach.
            tokens.sort_by(|a, b| b.1.total_cmp(&a.1));
            gate_texts.push(GateText {
                tokens,
                total: t.total,
                unposted: rest.max(0.0),
                need,
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
        // The posted weight each text gets from the paste, in a dense table kept per thread
        // (only the touched slots are read, then reset); a text that cannot reach its need even
        // with every unposted token is dropped unchecked, the rest are checked whole.
        let (acc, negation): (Vec<(usize, f32, usize)>, bool) = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                sums,
                seen,
                distinct,
                touched,
            } = &mut *scratch;
            distinct.clear();
            distinct.extend(toks.iter().copied().filter(|&t| t != NO_ID));
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.is_empty() {
                return (Vec::new(), false);
            }
            let negation = distinct
                .iter()
                .any(|&t| NEGATIONS.contains(&vocab.token(t)));
            if sums.len() < self.texts.len() {
                sums.resize(self.texts.len(), 0.0);
            }
            if seen.len() < self.postings.len() {
                seen.resize(self.postings.len(), false);
            }
            touched.clear();
            for &t in distinct.iter() {
                seen[t as usize] = true;
                for &(g, w) in &self.postings[t as usize] {
                    let g = g as usize;
                    if sums[g] == 0.0 {
                        touched.push(g);
                    }
                    sums[g] += w;
                }
            }
            let mut out = Vec::new();
            for &g in touched.iter() {
                let posted = std::mem::take(&mut sums[g]);
                let text = &self.texts[g];
                if posted + text.unposted < text.need * text.total - COVERAGE_ROUNDING {
                    continue;
                }
                let need = text.need * text.total - COVERAGE_ROUNDING;
                let (mut w, mut n, mut left) = (0.0f32, 0usize, text.total);
                for &(id, weight) in &text.tokens {
                    left -= weight;
                    if seen[id as usize] {
                        w += weight;
                        n += 1;
                    } else if w + left < need {
                        break;
                    }
                }
                if w + left.max(0.0) >= need {
                    out.push((g, w, n));
                }
            }
            for &t in distinct.iter() {
                seen[t as usize] = false;
            }
            (out, negation)
        });
        if acc.is_empty() {
            return Vec::new();
        }
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
                    cov >= g.need && n >= GENERAL_PASTE_MIN_TOKENS && ctx.failure()
                } else {
                    cov >= g.need
                        && n >= MESSAGE_MIN_TOKENS.min(g.tokens.len())
                        && texts.get(i).is_none_or(|t| t.short_ok(ctx, &mut squashed))
                }
            })
            .map(|(i, _, _)| i)
            .collect();
        passing.sort_unstable();
        passing
    }
}
