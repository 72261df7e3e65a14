//! The content's vocabulary: every token of the texts a paste may cover, with an id and a
//! weight (rarity), and a paste turned into those ids cheaply (a per-thread word cache, so
//! channel traffic costs one look-up per word and no stemming).

use crate::analysis;
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// The id of a token outside the vocabulary.
pub(crate) const NO_ID: u32 = u32::MAX;
/// A word that is a stop word: no position at all.
const STOP: u32 = u32::MAX - 1;

/// Words seen in pastes, mapped to their token id (or none), per thread: channel traffic
/// repeats its words, so most words cost one look-up and no stemming. Emptied when it grows
/// past [`WORD_CACHE_MAX`], so memory stays bounded.
const WORD_CACHE_MAX: usize = 100_000;

/// Korean syllables that are mostly particles and verb endings.
const GRAMMAR_SYLLABLES: &str =
    "이가을를은는에의로으므있습니다했하여서고지않수없해되됐며면도만와과던인한할함";
/// The weight left to a Korean bigram with a particle or an ending in it: a rewording changes
/// them most.
pub const GRAMMAR_WEIGHT: f32 = 0.35;

/// The word cache's map: its keys come from pastes, so its hasher is seeded at random (a
/// fixed hash such as Fx would let a crafted paste pile its words into one bucket).
type WordMap = HashMap<String, Option<u32>, foldhash::fast::RandomState>;

thread_local! {
    static WORDS: std::cell::RefCell<(u64, WordMap)> =
        std::cell::RefCell::new((0, WordMap::default()));
}

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Token ids and weights.
pub(crate) struct Vocabulary {
    tokens: Vec<String>,
    ids: FxHashMap<String, u32>,
    /// Ids of Korean bigrams, by their two syllables.
    bigrams: Bigrams,
    /// Rarity over the weighted texts (messages, symptoms, titles); 1.0 for the rest.
    weights: Vec<f32>,
    /// Tells this vocabulary's word cache from another's.
    serial: u64,
}

impl Vocabulary {
    /// `weighted`: the token lists whose document frequency gives the weights; `other`: tokens
    /// that need an id but no weight of their own (an entry's steps, for "is this the message").
    pub fn new<'a>(
        weighted: impl Iterator<Item = &'a [String]> + Clone,
        other: impl Iterator<Item = &'a String>,
    ) -> Vocabulary {
        let mut df: HashMap<&str, usize> = HashMap::new();
        let mut n = 0usize;
        for toks in weighted.clone() {
            n += 1;
            let mut seen = std::collections::HashSet::new();
            for t in toks.iter().filter(|t| seen.insert(t.as_str())) {
                *df.entry(t.as_str()).or_default() += 1;
            }
        }
        let mut bigrams = Vec::new();
        let mut v = Vocabulary {
            tokens: Vec::new(),
            ids: FxHashMap::default(),
            bigrams: Bigrams::default(),
            weights: Vec::new(),
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        for t in weighted.flat_map(|t| t.iter()).chain(other) {
            if v.ids.contains_key(t) {
                continue;
            }
            let id = v.tokens.len() as u32;
            v.ids.insert(t.clone(), id);
            v.tokens.push(t.clone());
            let w = match df.get(t.as_str()) {
                Some(&d) => (1.0 + n as f32 / d as f32).ln() * grammar_factor(t),
                None => 1.0,
            };
            v.weights.push(w);
            let c: Vec<char> = t.chars().collect();
            if let [a, b] = c[..] {
                if analysis::is_hangul(a) && analysis::is_hangul(b) {
                    bigrams.push((a, b, id));
                }
            }
        }
        v.bigrams = Bigrams::new(bigrams);
        v
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn id(&self, token: &str) -> u32 {
        self.ids.get(token).copied().unwrap_or(NO_ID)
    }

    pub fn token(&self, id: u32) -> &str {
        &self.tokens[id as usize]
    }

    pub fn weight(&self, id: u32) -> f32 {
        self.weights[id as usize]
    }

    /// The token ids of a paste, in order: [`NO_ID`] where a word or bigram is outside the
    /// vocabulary; stop words leave no position (as in the analyser).
    pub fn paste_ids(&self, text: &str) -> Vec<u32> {
        let norm = analysis::normalize(text);
        let mut out = Vec::with_capacity(norm.len() / 4);
        WORDS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != self.serial || cache.1.len() >= WORD_CACHE_MAX {
                cache.0 = self.serial;
                cache.1.clear();
            }
            let words = &mut cache.1;
            analysis::walk(&norm, |piece| match piece {
                analysis::Piece::Word(w) if w.bytes().any(|b| b.is_ascii_digit()) => {
                    // Numbers and ids are tokens as they are: no stemming, no caching.
                    out.push(self.id(w));
                }
                analysis::Piece::Word(w) => {
                    let id = match words.get(w) {
                        Some(id) => *id,
                        None => {
                            let id = match analysis::term(w) {
                                None => Some(STOP),
                                Some(t) => self.ids.get(&t).copied(),
                            };
                            words.insert(w.to_string(), id);
                            id
                        }
                    };
                    match id {
                        Some(STOP) => {}
                        Some(id) => out.push(id),
                        None => out.push(NO_ID),
                    }
                }
                analysis::Piece::Bigram(a, b) => out.push(self.bigrams.get(a, b)),
            });
        });
        out
    }
}

/// Korean bigram ids by first syllable, then second: a slice of the few bigrams that start
/// with a syllable, found by index (Hangul syllables are one contiguous block), then scanned.
/// Cheaper than hashing each of a Korean paste's many bigrams.
#[derive(Default)]
struct Bigrams {
    /// For each syllable from U+AC00, where its bigrams start in `tails` (one more at the end).
    starts: Vec<u32>,
    /// (second syllable, id), grouped by first syllable.
    tails: Vec<(char, u32)>,
}

const HANGUL_FIRST: u32 = 0xAC00;
const HANGUL_COUNT: usize = 0xD7A4 - 0xAC00;

impl Bigrams {
    fn new(mut list: Vec<(char, char, u32)>) -> Bigrams {
        list.sort_unstable();
        let mut starts = vec![0u32; HANGUL_COUNT + 1];
        for &(a, _, _) in &list {
            starts[(a as u32 - HANGUL_FIRST) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Bigrams {
            starts,
            tails: list.into_iter().map(|(_, b, id)| (b, id)).collect(),
        }
    }

    /// The id of the bigram `a b` (both Hangul syllables), or [`NO_ID`].
    fn get(&self, a: char, b: char) -> u32 {
        let i = (a as u32).wrapping_sub(HANGUL_FIRST) as usize;
        let (Some(&s), Some(&e)) = (self.starts.get(i), self.starts.get(i + 1)) else {
            return NO_ID;
        };
        self.tails[s as usize..e as usize]
            .iter()
            .find(|t| t.0 == b)
            .map_or(NO_ID, |t| t.1)
    }
}

fn grammar_factor(token: &str) -> f32 {
    let mut chars = token.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(a), Some(b), None)
            if analysis::is_hangul(a)
                && analysis::is_hangul(b)
                && (GRAMMAR_SYLLABLES.contains(a) || GRAMMAR_SYLLABLES.contains(b)) =>
        {
            GRAMMAR_WEIGHT
        }
        _ => 1.0,
    }
}
