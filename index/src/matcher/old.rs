//! The matcher: which entry a pasted text names, how sure we are, and why.
//!
//! Order of work, cheapest first, so chatter costs almost nothing:
//! 1. codes: alphanumeric runs looked up exactly (any case); numeric codes only next to a word
//!    such as error/code/오류/코드; codes other services share only with backup context;
//! 2. misspelt codes: only code-shaped runs, compared by edit distance with a named threshold;
//! 3. messages: a cheap vocabulary gate, then tantivy for candidates, then each candidate message
//!    scored by how much of it (weighted by rarity) the paste covers within a window.

use crate::analysis;
use crate::entry::{Entry, Kind, Lang};
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::search::{query_tokens, Scope, SearchIndex};
use std::collections::{HashMap, HashSet};

/// Pastes are cut to this many bytes (at a character boundary), never rejected.
pub const MAX_PASTE_BYTES: usize = 40 * 1024;
/// At most this many entries are named for one paste.
pub const MAX_NAMED: usize = 5;
/// Below this confidence the bot stays quiet on a paste.
pub const QUIET_BELOW: f32 = 0.5;
/// A run shorter than this is never taken for a misspelt code.
pub const FUZZY_MIN_LEN: usize = 12;
/// Edits accepted for a misspelt code of at least [`FUZZY_LONG_CODE`] characters.
pub const FUZZY_MAX_EDITS_LONG: usize = 2;
/// Edits accepted for a shorter code.
pub const FUZZY_MAX_EDITS_SHORT: usize = 1;
/// Codes this long or longer accept [`FUZZY_MAX_EDITS_LONG`] edits.
pub const FUZZY_LONG_CODE: usize = 16;
/// Share of a message (weighted by rarity) a paste must cover to name it: this for long messages,
/// more for short ones (see [`required_coverage`]).
pub const MESSAGE_MIN_COVERAGE: f32 = 0.62;
/// The most a short message asks for.
pub const SHORT_MESSAGE_COVERAGE: f32 = 0.9;
/// Messages with fewer tokens than this are ordinary sentences: they count only when the paste
/// also speaks of a failure or of backup.
pub const SHORT_MESSAGE_TOKENS: usize = 6;
/// ... and at least this many of its tokens (or all of them, when it has fewer).
pub const MESSAGE_MIN_TOKENS: usize = 3;
/// A general section's title must be covered this much to answer a paste (strong evidence).
pub const GENERAL_PASTE_COVERAGE: f32 = 1.0;
/// ... a title of at least this many tokens, in a paste that speaks of a failure or of backup.
pub const GENERAL_PASTE_MIN_TOKENS: usize = 4;

/// Words that say a paste reports a failure (for short messages).
const FAILURE_CONTEXT: &[&str] = &[
    "backup",
    "백업",
    "restore",
    "복원",
    "error",
    "오류",
    "에러",
    "fail",
    "실패",
    "job",
    "작업",
    "vault",
    "자격 증명",
    "snapshot",
    "스냅",
];
/// Tokens that turn a message around: a paste without them says something else.
const NEGATIONS: &[&str] = &["not", "no", "never"];

/// Coverage a message of `n` tokens needs: short messages must be covered almost whole.
pub fn required_coverage(n: usize) -> f32 {
    (1.0 - 0.04 * n as f32).clamp(MESSAGE_MIN_COVERAGE, SHORT_MESSAGE_COVERAGE)
}

/// Words that put a numeric code in context.
const NUMERIC_CONTEXT: &[&str] = &["error", "code", "err", "오류", "코드", "에러", "status"];
/// Words that make a paste about backup (for codes other services share).
const BACKUP_CONTEXT: &[&str] = &[
    "backup",
    "백업",
    "vault",
    "자격 증명 모음",
    "recovery services",
    "recoveryservices",
    "restore",
    "복원",
    "snapshot",
    "스냅샷",
    "스냅숏",
    "iaasvm",
    "protected item",
    "protection",
];

/// Why an entry was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    ExactCode,
    CorrectedCode,
    NumericCode,
    Message,
    Title,
    Question,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExactCode => "exact code",
            Reason::CorrectedCode => "corrected code",
            Reason::NumericCode => "numeric code",
            Reason::Message => "message",
            Reason::Title => "title",
            Reason::Question => "question",
        }
    }
}

/// One entry with its confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Position in [`Matcher::entries`].
    pub entry: usize,
    pub confidence: f32,
    pub reason: Reason,
    /// The canonical code that was found, if any.
    pub code: Option<String>,
    /// Which message (index in the edition of `lang`) matched, for message matches.
    pub message: Option<(Lang, usize)>,
    /// Human-readable detail: what was seen.
    pub detail: String,
    /// Byte offset of the evidence in the paste (for ordering several codes).
    pub at: usize,
}

/// The outcome for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The language to answer in: Korean when the paste has Hangul.
    pub lang: Lang,
    /// The best entry, when confident enough.
    pub best: Option<Candidate>,
    /// Every entry the paste names (the best first), up to [`MAX_NAMED`].
    pub named: Vec<Candidate>,
    /// Runners-up (and, when nothing matched, the closest entries).
    pub candidates: Vec<Candidate>,
    /// True when the paste was longer than [`MAX_PASTE_BYTES`] and only its start was read for
    /// messages (codes are looked for in the whole paste).
    pub truncated: bool,
}

impl Match {
    pub fn matched(&self) -> bool {
        self.best.is_some()
    }
}

struct Code {
    lower: String,
    canonical: String,
    entry: usize,
    shared: bool,
    /// Letter counts, for a cheap lower bound of the edit distance.
    letters: [u8; 36],
}

/// Counts of a-z and 0-9 in a lower-case ASCII string.
fn letter_counts(s: &str) -> [u8; 36] {
    let mut h = [0u8; 36];
    for b in s.bytes() {
        let i = match b {
            b'a'..=b'z' => (b - b'a') as usize,
            b'0'..=b'9' => 26 + (b - b'0') as usize,
            _ => continue,
        };
        h[i] = h[i].saturating_add(1);
    }
    h
}

/// A lower bound of the edit distance: letters one string has and the other lacks.
fn bag_distance(a: &[u8; 36], b: &[u8; 36]) -> usize {
    let (mut more, mut less) = (0usize, 0usize);
    for i in 0..36 {
        if a[i] > b[i] {
            more += (a[i] - b[i]) as usize;
        } else {
            less += (b[i] - a[i]) as usize;
        }
    }
    more.max(less)
}

#[derive(Clone)]
struct MessageTokens {
    entry: usize,
    lang: Lang,
    /// Position among the edition's messages; `None` for other quotable text.
    index: Option<usize>,
    tokens: Vec<String>,
    /// The text itself, lower case (to tell its own words from the paste's).
    lower: String,
    /// The same tokens as vocabulary ids, with their weights, for [`Matcher::coverage`].
    ids: Vec<u32>,
    weights: Vec<f32>,
    total: f32,
    /// Positions (in `ids`) of negations.
    negated: Vec<usize>,
}

impl MessageTokens {
    fn new(entry: usize, lang: Lang, index: Option<usize>, text: &str) -> MessageTokens {
        MessageTokens {
            entry,
            lang,
            index,
            tokens: query_tokens(text),
            lower: squash(text),
            ids: vec![],
            weights: vec![],
            total: 0.0,
            negated: vec![],
        }
    }
}

/// The id of a token outside the vocabulary.
const NO_ID: u32 = u32::MAX;

/// The matcher over a set of entries.
pub struct Matcher {
    entries: Vec<Entry>,
    codes: FxHashMap<String, usize>,
    code_list: Vec<Code>,
    numeric: FxHashMap<String, usize>,
    /// The first four letters of every named code, lower case.
    code_heads: FxHashSet<String>,
    min_code_len: usize,
    max_code_len: usize,
    index: SearchIndex,
    /// Every token of the content's messages and titles; its position is its id.
    vocabulary: Vec<String>,
    ids: FxHashMap<String, u32>,
    /// Ids of Korean bigrams, by their two syllables.
    bigrams: FxHashMap<u64, u32>,
    messages: Vec<MessageTokens>,
    titles: Vec<MessageTokens>,
    /// The titles of general sections: gate texts after the messages.
    general_titles: Vec<MessageTokens>,
    /// The cheap gate before any tantivy query: for each token id, the gate texts (messages
    /// and general titles) that hold it, with its weight.
    postings: Vec<Vec<(usize, f32)>>,
    gate_texts: Vec<GateText>,
    /// Tells this matcher's word cache from another's.
    serial: u64,
}

/// Words seen in pastes, mapped to their token id (or none), per thread: channel traffic
/// repeats its words, so most words cost one look-up and no stemming. Emptied when it grows
/// past [`WORD_CACHE_MAX`], so memory stays bounded.
const WORD_CACHE_MAX: usize = 100_000;

thread_local! {
    static GATE_SUMS: std::cell::RefCell<Vec<(f32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
    static WORDS: std::cell::RefCell<(u64, HashMap<String, Option<u32>>)> =
        std::cell::RefCell::new((0, HashMap::new()));
}

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A word that is a stop word: no position at all.
const STOP: u32 = u32::MAX - 1;

/// A text the gate checks: what a paste must cover of it to be worth a query.
struct GateText {
    total: f32,
    tokens: usize,
    general_title: bool,
    /// The text says "not": a paste without a negation cannot name it.
    negated: bool,
}

impl Matcher {
    /// Builds the matcher and its index (in RAM).
    pub fn new(entries: Vec<Entry>) -> tantivy::Result<Matcher> {
        let index = SearchIndex::build(&entries)?;
        let mut code_list = Vec::new();
        let mut codes = FxHashMap::default();
        let mut numeric = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            for c in &e.codes {
                if c.bytes().all(|b| b.is_ascii_digit()) {
                    numeric.insert(c.clone(), code_list.len());
                } else {
                    codes.insert(c.to_ascii_lowercase(), code_list.len());
                }
                code_list.push(Code {
                    letters: letter_counts(&c.to_ascii_lowercase()),
                    lower: c.to_ascii_lowercase(),
                    canonical: c.clone(),
                    entry: i,
                    shared: e.shared_codes.iter().any(|s| s.eq_ignore_ascii_case(c)),
                });
            }
        }
        let named = code_list
            .iter()
            .filter(|c| !c.lower.bytes().all(|b| b.is_ascii_digit()));
        let min_code_len = named.clone().map(|c| c.lower.len()).min().unwrap_or(0);
        let max_code_len = named.map(|c| c.lower.len()).max().unwrap_or(0);
        let mut messages = Vec::new();
        let mut titles = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for (lang, ed) in &e.editions {
                for (k, text) in e.match_texts(*lang) {
                    messages.push(MessageTokens::new(i, *lang, k, &text));
                }
                titles.push(MessageTokens::new(i, *lang, None, &ed.title));
            }
        }
        let mut df: HashMap<String, usize> = HashMap::new();
        for m in messages.iter().chain(titles.iter()) {
            for t in &m.tokens {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let n = (messages.len() + titles.len()) as f32;
        // Rarity, and less weight for Korean bigrams made of particles and endings (the part a
        // rewording changes most).
        let idf: FxHashMap<String, f32> = df
            .iter()
            .map(|(t, &d)| (t.clone(), (1.0 + n / d as f32).ln() * grammar_factor(t)))
            .collect();
        let mut vocabulary: Vec<String> = Vec::new();
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut bigrams: FxHashMap<u64, u32> = FxHashMap::default();
        for t in messages.iter().chain(titles.iter()).flat_map(|m| &m.tokens) {
            if !ids.contains_key(t) {
                let id = vocabulary.len() as u32;
                ids.insert(t.clone(), id);
                vocabulary.push(t.clone());
                let c: Vec<char> = t.chars().collect();
                if let [a, b] = c[..] {
                    if analysis::is_hangul(a) && analysis::is_hangul(b) {
                        bigrams.insert(pair(a, b), id);
                    }
                }
            }
        }
        for m in messages.iter_mut().chain(titles.iter_mut()) {
            m.ids = m.tokens.iter().map(|t| ids[t]).collect();
            m.weights = m.tokens.iter().map(|t| idf[t]).collect();
            m.total = m.weights.iter().sum();
            m.negated = (0..m.tokens.len())
                .filter(|&i| NEGATIONS.contains(&m.tokens[i].as_str()))
                .collect();
        }
        let weight = |t: &String| idf.get(t).copied().unwrap_or(1.0);
        let mut postings: Vec<Vec<(usize, f32)>> = vec![Vec::new(); vocabulary.len()];
        let mut gate_texts = Vec::new();
        let general_title_list: Vec<usize> = titles
            .iter()
            .enumerate()
            .filter(|(_, t)| entries[t.entry].kind == Kind::General)
            .map(|(i, _)| i)
            .collect();
        let general_titles = general_title_list.iter().map(|&i| &titles[i]);
        for (m, general_title) in messages
            .iter()
            .map(|m| (m, false))
            .chain(general_titles.map(|t| (t, true)))
        {
            let mut seen = HashSet::new();
            for t in m.tokens.iter().filter(|t| seen.insert(*t)) {
                postings[ids[t] as usize].push((gate_texts.len(), weight(t)));
            }
            gate_texts.push(GateText {
                total: m.tokens.iter().map(weight).sum(),
                tokens: m.tokens.len(),
                general_title,
                negated: m.tokens.iter().any(|t| NEGATIONS.contains(&t.as_str())),
            });
        }
        let code_heads = codes
            .keys()
            .filter_map(|c| c.get(..4).map(str::to_string))
            .collect();
        Ok(Matcher {
            entries,
            code_heads,
            codes,
            code_list,
            numeric,
            min_code_len,
            max_code_len,
            index,
            vocabulary,
            ids,
            bigrams,
            general_titles: general_title_list
                .iter()
                .map(|&i| titles[i].clone())
                .collect(),
            messages,
            titles,
            postings,
            gate_texts,
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The token ids of a paste, in order: [`NO_ID`] where a word or bigram is outside the
    /// vocabulary; stop words leave no position (as in the analyser).
    fn paste_ids(&self, text: &str) -> Vec<u32> {
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
                    out.push(self.ids.get(w).copied().unwrap_or(NO_ID));
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
                analysis::Piece::Bigram(a, b) => {
                    out.push(self.bigrams.get(&pair(a, b)).copied().unwrap_or(NO_ID))
                }
            });
        });
        out
    }

    /// True when some message (or general title) could be covered well enough by these tokens:
    /// the coverage of a bag of words bounds the coverage within any window from above.
    /// Returns the gate texts (positions in `messages`, then general titles after them) that pass.
    fn gate(&self, toks: &[u32], raw: &str) -> Vec<usize> {
        let mut distinct: Vec<u32> = toks.iter().copied().filter(|&t| t != NO_ID).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() {
            return Vec::new();
        }
        let negation = distinct
            .iter()
            .any(|&t| NEGATIONS.contains(&self.vocabulary[t as usize].as_str()));
        // Weight and count per gate text, in a dense table kept per thread (only the touched
        // slots are read and then reset).
        let acc: Vec<(usize, f32, usize)> = GATE_SUMS.with(|sums| {
            let mut sums = sums.borrow_mut();
            if sums.len() < self.gate_texts.len() {
                sums.resize(self.gate_texts.len(), (0.0, 0));
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
        let mut context: Option<bool> = None;
        let mut failure = || *context.get_or_insert_with(|| failure_context(raw));
        let mut squashed: Option<String> = None;
        let mut passing: Vec<usize> = acc
            .into_iter()
            .filter(|&(i, w, n)| {
                let g = &self.gate_texts[i];
                if n == 0 || g.total == 0.0 || (g.negated && !negation) {
                    return false;
                }
                let cov = w / g.total;
                if g.general_title {
                    cov >= GENERAL_PASTE_COVERAGE && n >= GENERAL_PASTE_MIN_TOKENS && failure()
                } else {
                    cov >= required_coverage(g.tokens)
                        && n >= MESSAGE_MIN_TOKENS.min(g.tokens)
                        && self
                            .messages
                            .get(i)
                            .is_none_or(|m| short_message_ok(m, raw, &mut squashed))
                }
            })
            .map(|(i, _, _)| i)
            .collect();
        passing.sort_unstable();
        passing
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
        self.code_list.iter().map(|c| c.canonical.as_str())
    }

    /// A paste seen in a channel: named entries only on good evidence, else quiet.
    pub fn find(&self, text: &str) -> Match {
        self.run(text, false)
    }

    /// A direct question: the same, plus general sections by title and the closest entries as
    /// candidates when nothing is sure.
    pub fn ask(&self, text: &str) -> Match {
        self.run(text, true)
    }

    fn run(&self, text: &str, question: bool) -> Match {
        let truncated = text.len() > MAX_PASTE_BYTES;
        let text = cut(text, MAX_PASTE_BYTES);
        let lang = if !text.is_ascii() && analysis::has_hangul(text) {
            Lang::Ko
        } else {
            Lang::En
        };
        let mut found = self.code_hits(text);
        if question && found.is_empty() {
            found = self.near_codes(text);
        }
        let mut runners: Vec<Candidate> = Vec::new();
        if !found.iter().any(|c| c.confidence >= QUIET_BELOW) {
            runners.append(&mut found);
            let toks = self.paste_ids(text);
            if question {
                if toks.iter().any(|&t| t != NO_ID) {
                    found = self.message_hits(text, &toks, None);
                }
            } else {
                let passing = self.gate(&toks, text);
                if !passing.is_empty() {
                    found = self.message_hits(text, &toks, Some(&passing));
                }
            }
        }
        if found.is_empty() && runners.is_empty() {
            // Chatter: nothing to rank.
            return Match {
                lang,
                best: None,
                named: Vec::new(),
                candidates: Vec::new(),
                truncated,
            };
        }
        // One candidate per entry: the most confident.
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
        rest.truncate(3);
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

    /// Codes in the text: exact, numeric, misspelt.
    fn code_hits(&self, text: &str) -> Vec<Candidate> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let runs = alnum_runs(bytes);
        let mut context: Option<bool> = None;
        let mut has_backup_context = || *context.get_or_insert_with(|| backup_context(text));
        let mut lower = String::new();
        for (k, &(s, e)) in runs.iter().enumerate() {
            let len = e - s;
            let run = &text[s..e];
            if bytes[s].is_ascii_digit() && run.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(&ci) = self.numeric.get(run) {
                    if numeric_in_context(text, s, e) {
                        let c = &self.code_list[ci];
                        out.push(self.candidate(
                            c,
                            0.95,
                            Reason::NumericCode,
                            s,
                            format!("numeric code {run} next to an error word"),
                        ));
                    }
                }
                continue;
            }
            if len < self.min_code_len.min(FUZZY_MIN_LEN)
                || len > self.max_code_len + FUZZY_MAX_EDITS_LONG
            {
                // Maybe a code split in two ("...LaunchVM ToNonTrusted...").
                if let Some(&(s2, e2)) = runs.get(k + 1) {
                    if s2 == e + 1 && len >= 3 && e2 - s2 >= 3 {
                        self.joined_hit(text, (s, e), (s2, e2), &mut out, &mut has_backup_context);
                    }
                }
                continue;
            }
            lower.clear();
            lower.push_str(run);
            lower.make_ascii_lowercase();
            if let Some(&ci) = self.codes.get(lower.as_str()) {
                let c = &self.code_list[ci];
                if c.shared && !has_backup_context() && !self.numeric_sibling_present(text, c.entry)
                {
                    out.push(self.candidate(
                        c,
                        0.3,
                        Reason::ExactCode,
                        s,
                        format!("code {} without backup context", c.canonical),
                    ));
                } else {
                    out.push(self.candidate(
                        c,
                        1.0,
                        Reason::ExactCode,
                        s,
                        format!("exact code {}", c.canonical),
                    ));
                }
                continue;
            }
            if let Some(&(s2, e2)) = runs.get(k + 1) {
                if s2 == e + 1
                    && e2 - s2 >= 3
                    && self.joined_hit(text, (s, e), (s2, e2), &mut out, &mut has_backup_context)
                {
                    continue;
                }
            }
            if code_shaped(run) {
                self.fuzzy_hit(run, &lower, s, &mut out, &mut has_backup_context);
            }
        }
        out
    }

    /// Two runs split by one character ("...LaunchVM ToNonTrusted...") that make a code.
    fn joined_hit(
        &self,
        text: &str,
        (s, e): (usize, usize),
        (s2, e2): (usize, usize),
        out: &mut Vec<Candidate>,
        ctx: &mut impl FnMut() -> bool,
    ) -> bool {
        let len = (e - s) + (e2 - s2);
        if len < self.min_code_len || len > self.max_code_len || e - s < 4 {
            return false;
        }
        // Only when the first part starts like a code.
        let head = text[s..s + 4].to_ascii_lowercase();
        if !self.code_heads.contains(head.as_str()) {
            return false;
        }
        let joined = format!("{}{}", &text[s..e], &text[s2..e2]).to_ascii_lowercase();
        if let Some(&ci) = self.codes.get(joined.as_str()) {
            let c = &self.code_list[ci];
            if !c.shared || ctx() {
                out.push(self.candidate(
                    c,
                    0.95,
                    Reason::CorrectedCode,
                    s,
                    format!("code {} split by a space", c.canonical),
                ));
                return true;
            }
        }
        false
    }

    fn fuzzy_hit(
        &self,
        run: &str,
        lower: &str,
        at: usize,
        out: &mut Vec<Candidate>,
        ctx: &mut impl FnMut() -> bool,
    ) {
        let mut best: Vec<(usize, usize)> = Vec::new();
        let mut best_d = usize::MAX;
        let letters = letter_counts(lower);
        for (ci, c) in self.code_list.iter().enumerate() {
            let max = if c.lower.len() >= FUZZY_LONG_CODE {
                FUZZY_MAX_EDITS_LONG
            } else {
                FUZZY_MAX_EDITS_SHORT
            };
            if c.lower.len().abs_diff(lower.len()) > max
                || c.lower.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            if bag_distance(&letters, &c.letters) > max {
                continue;
            }
            let d = strsim::osa_distance(lower, &c.lower);
            if d == 0 || d > max || (d >= 2 && affix_look_alike(lower, &c.lower)) {
                continue;
            }
            match d.cmp(&best_d) {
                std::cmp::Ordering::Less => {
                    best_d = d;
                    best = vec![(ci, d)];
                }
                std::cmp::Ordering::Equal => best.push((ci, d)),
                _ => {}
            }
        }
        let ambiguous = best
            .iter()
            .map(|(ci, _)| self.code_list[*ci].entry)
            .collect::<HashSet<_>>()
            .len()
            > 1;
        for (ci, d) in best {
            let c = &self.code_list[ci];
            let mut conf: f32 = if d == 1 { 0.9 } else { 0.8 };
            if ambiguous {
                conf = 0.45;
            }
            if c.shared && !ctx() {
                conf = conf.min(0.3);
            }
            out.push(self.candidate(
                c,
                conf,
                Reason::CorrectedCode,
                at,
                format!(
                    "corrected code {run} -> {} ({d} edit{})",
                    c.canonical,
                    if d == 1 { "" } else { "s" }
                ),
            ));
        }
    }

    /// For a direct question: codes close to a code-shaped word but beyond the typo threshold,
    /// offered as "did you mean" (never as an answer).
    fn near_codes(&self, text: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (s, e) in alnum_runs(text.as_bytes()) {
            let run = &text[s..e];
            if !code_shaped(run) {
                continue;
            }
            let lower = run.to_ascii_lowercase();
            for c in self
                .code_list
                .iter()
                .filter(|c| !c.lower.bytes().all(|b| b.is_ascii_digit()))
            {
                let d = strsim::osa_distance(&lower, &c.lower);
                let limit = c.lower.len().max(lower.len()) / 3;
                if d <= limit {
                    let sim = 1.0 - d as f32 / c.lower.len().max(lower.len()) as f32;
                    out.push(self.candidate(
                        c,
                        (sim * 0.45).min(QUIET_BELOW - 0.05),
                        Reason::CorrectedCode,
                        s,
                        format!("close to {}", c.canonical),
                    ));
                }
            }
        }
        out
    }

    fn numeric_sibling_present(&self, text: &str, entry: usize) -> bool {
        let runs = alnum_runs(text.as_bytes());
        runs.iter().any(|&(s, e)| {
            self.numeric
                .get(&text[s..e])
                .is_some_and(|&ci| self.code_list[ci].entry == entry)
        })
    }

    fn candidate(
        &self,
        c: &Code,
        confidence: f32,
        reason: Reason,
        at: usize,
        detail: String,
    ) -> Candidate {
        Candidate {
            entry: c.entry,
            confidence,
            reason,
            code: Some(c.canonical.clone()),
            message: None,
            detail,
            at,
        }
    }

    /// Messages (and, for questions, titles) the text covers.
    /// `passing`: for a paste, the gate texts that passed (only they can be named, and only
    /// their tokens are worth a query); `None` for a question.
    fn message_hits(&self, raw: &str, paste: &[u32], passing: Option<&[usize]>) -> Vec<Candidate> {
        let question = passing.is_none();
        let text_ids = |g: usize| -> &[u32] {
            match self.messages.get(g) {
                Some(m) => &m.ids,
                None => &self.general_titles[g - self.messages.len()].ids,
            }
        };
        let mut ids: Vec<u32> = paste.iter().copied().filter(|&t| t != NO_ID).collect();
        if let Some(passing) = passing {
            ids.retain(|t| passing.iter().any(|&g| text_ids(g).contains(t)));
        }
        ids.sort_unstable();
        ids.dedup();
        let distinct: Vec<&str> = ids
            .iter()
            .map(|&t| self.vocabulary[t as usize].as_str())
            .collect();
        let scope = if question {
            Scope::Question
        } else {
            Scope::Paste
        };
        let hits = self.index.search(&distinct, scope, 8);
        let mut out = Vec::new();
        let mut entries_seen = HashSet::new();
        for h in &hits {
            if !entries_seen.insert(h.entry) {
                continue;
            }
            let e = &self.entries[h.entry];
            // Messages (and quotable text) of this entry, both languages: the best one that is
            // named; else the closest, for the runners-up.
            let mut best: Option<(f32, usize, &MessageTokens)> = None;
            let mut named: Option<(f32, usize, &MessageTokens)> = None;
            let mut squashed: Option<String> = None;
            let candidates = self.messages.iter().enumerate().filter(|(i, m)| {
                m.entry == h.entry && passing.is_none_or(|p| p.binary_search(i).is_ok())
            });
            for (_, m) in candidates {
                let (cov, n) = self.coverage(m, paste);
                if best.is_none_or(|b| cov > b.0) {
                    best = Some((cov, n, m));
                }
                let need = MESSAGE_MIN_TOKENS.min(m.tokens.len());
                let short_ok = short_message_ok(m, raw, &mut squashed);
                if cov >= required_coverage(m.tokens.len())
                    && n >= need
                    && short_ok
                    && named.is_none_or(|b| cov > b.0)
                {
                    named = Some((cov, n, m));
                }
            }
            if let Some((cov, _, m)) = named {
                out.push(Candidate {
                    entry: h.entry,
                    confidence: 0.95 * cov,
                    reason: Reason::Message,
                    code: None,
                    message: m.index.map(|i| (m.lang, i)),
                    detail: format!("message ({}, {:.0}% covered)", m.lang.as_str(), cov * 100.0),
                    at: 0,
                });
                continue;
            }
            let msg_cov = best.map(|b| b.0).unwrap_or(0.0);
            // A general section has no message: its title, on strong evidence (or when asked).
            let (cov, n) = self
                .titles
                .iter()
                .filter(|t| t.entry == h.entry)
                .map(|t| self.coverage(t, paste))
                .fold((0.0f32, 0usize), |a, b| if b.0 > a.0 { b } else { a });
            let strong = cov >= GENERAL_PASTE_COVERAGE
                && n >= GENERAL_PASTE_MIN_TOKENS
                && failure_context(raw);
            if e.kind == Kind::General && (strong || (question && cov >= 0.5)) {
                out.push(Candidate {
                    entry: h.entry,
                    confidence: 0.5 + 0.4 * cov,
                    reason: Reason::Title,
                    code: None,
                    message: None,
                    detail: format!("title ({:.0}% covered)", cov * 100.0),
                    at: 0,
                });
                continue;
            }
            let closest = msg_cov.max(cov);
            let reason = if question {
                Reason::Question
            } else {
                Reason::Message
            };
            out.push(self.weak(h.entry, closest * 0.8, reason, "closest entry"));
        }
        out
    }

    fn weak(&self, entry: usize, confidence: f32, reason: Reason, detail: &str) -> Candidate {
        Candidate {
            entry,
            confidence: confidence.min(QUIET_BELOW - 0.01),
            reason,
            code: None,
            message: None,
            detail: detail.to_string(),
            at: 0,
        }
    }

    /// The share (weighted by rarity) of `target`'s tokens that the paste holds within one window
    /// of consecutive tokens, and how many distinct target tokens that window holds.
    fn coverage(&self, target: &MessageTokens, paste: &[u32]) -> (f32, usize) {
        if target.total == 0.0 {
            return (0.0, 0);
        }
        let ids = &target.ids;
        let events: Vec<(usize, usize)> = paste
            .iter()
            .enumerate()
            .filter(|(_, &t)| t != NO_ID)
            .filter_map(|(p, t)| ids.iter().position(|x| x == t).map(|i| (p, i)))
            .collect();
        let window = (ids.len() * 2).max(ids.len() + 8);
        let mut counts = vec![0usize; ids.len()];
        let mut covered = 0.0f32;
        let mut distinct = 0usize;
        let (mut best, mut best_n) = (0.0f32, 0usize);
        let mut lo = 0;
        for &(p, i) in &events {
            if counts[i] == 0 {
                covered += target.weights[i];
                distinct += 1;
            }
            counts[i] += 1;
            while events[lo].0 + window <= p {
                let j = events[lo].1;
                counts[j] -= 1;
                if counts[j] == 0 {
                    covered -= target.weights[j];
                    distinct -= 1;
                }
                lo += 1;
            }
            let mut score = covered;
            // A message that says "not" is not named by a paste that does not.
            if target.negated.iter().any(|&j| counts[j] == 0) {
                score *= 0.5;
            }
            if score > best {
                best = score;
                best_n = distinct;
            }
        }
        ((best / target.total).min(1.0), best_n)
    }
}

fn pair(a: char, b: char) -> u64 {
    ((a as u64) << 32) | b as u64
}

/// Korean syllables that are mostly particles and verb endings.
const GRAMMAR_SYLLABLES: &str =
    "이가을를은는에의로으므있습니다했하여서고지않수없해되됐며면도만와과던인한할함";
/// The weight left to a bigram with a particle or an ending in it.
pub const GRAMMAR_WEIGHT: f32 = 0.35;

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

/// Byte ranges of ASCII alphanumeric runs.
fn alnum_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(bytes.len() / 5);
    let mut start = None;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out
}

/// CamelCase of some length, or one long lower/upper-case word: what a code typed by hand looks like.
fn code_shaped(run: &str) -> bool {
    if run.len() < FUZZY_MIN_LEN || !run.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let upper = run.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = run.bytes().filter(u8::is_ascii_lowercase).count();
    (upper >= 2 && lower >= 2) || run.len() >= 16
}

/// True when two strings differ only by a chunk of two or more characters at the start
/// ("RestorePointInternalError" against "VMRestorePointInternalError"): another service's code,
/// not a typo.
fn affix_look_alike(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    long.len() - short.len() >= 2 && long.ends_with(short)
}

/// A short message is an ordinary sentence: it counts with a failure word of the paste's own,
/// or quoted word for word as most of the paste. Log lines quoted in the steps are distinctive:
/// they count as they are. `squashed` caches the paste's [`squash`].
fn short_message_ok(m: &MessageTokens, raw: &str, squashed: &mut Option<String>) -> bool {
    if m.tokens.len() >= SHORT_MESSAGE_TOKENS || m.index.is_none() {
        return true;
    }
    if failure_context_beyond(raw, &m.lower) {
        return true;
    }
    let s = squashed.get_or_insert_with(|| squash(raw));
    s.contains(&m.lower) && m.lower.split(' ').count() * 10 >= s.split(' ').count() * 6
}

/// Lower case, letters and digits only, single spaces: for comparing wordings.
fn squash(text: &str) -> String {
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

/// A failure word in the paste that is not one of the message's own words ("job" does not make
/// "Cancellation isn't supported for this job type" a failure report).
fn failure_context_beyond(text: &str, message: &str) -> bool {
    let lower = text.to_lowercase();
    FAILURE_CONTEXT
        .iter()
        .any(|w| lower.contains(w) && !message.contains(w))
}

fn failure_context(text: &str) -> bool {
    let lower = text.to_lowercase();
    FAILURE_CONTEXT.iter().any(|w| lower.contains(w))
}

fn backup_context(text: &str) -> bool {
    let lower = text.to_lowercase();
    BACKUP_CONTEXT.iter().any(|w| lower.contains(w))
}

/// A numeric code counts only as a whole number (not part of an id, a version or a time) with an
/// error word close before it or just after it on the same line.
fn numeric_in_context(text: &str, s: usize, e: usize) -> bool {
    let bytes = text.as_bytes();
    let before = s.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(e).copied();
    let after2 = bytes.get(e + 1).copied();
    if before.is_some_and(|b| matches!(b, b'.' | b'-' | b'_' | b'/' | b'#' | b'+' | b'$')) {
        return false;
    }
    if after.is_some_and(|a| matches!(a, b'-' | b'_' | b'/'))
        || (after.is_some_and(|a| matches!(a, b'.' | b':' | b','))
            && after2.is_some_and(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let line_start = text[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[e..].find('\n').map(|i| e + i).unwrap_or(text.len());
    let mut from = s.saturating_sub(32).max(line_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (e + 16).min(line_end);
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let window = format!("{} {}", &text[from..s], &text[e..to]).to_lowercase();
    NUMERIC_CONTEXT.iter().any(|w| window.contains(w))
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

    #[test]
    fn numeric_context_rules() {
        let t = "작업 실패 - 오류 코드 380008";
        let s = t.find("380008").unwrap();
        assert!(numeric_in_context(t, s, s + 6));
        let t = "request id 1-380008-22 error";
        let s = t.find("380008").unwrap();
        assert!(!numeric_in_context(t, s, s + 6));
        let t = "processed 380008 rows in 3s";
        let s = t.find("380008").unwrap();
        assert!(!numeric_in_context(t, s, s + 6));
        let t = "error at 380008.5 ms";
        let s = t.find("380008").unwrap();
        assert!(!numeric_in_context(t, s, s + 6));
    }

    #[test]
    fn code_shape() {
        assert!(code_shaped("VMRestoerPointInternalError"));
        assert!(code_shaped("usererrorfsfreezefaild"));
        assert!(!code_shaped("Configuration"));
        assert!(!code_shaped("successfully"));
    }

    #[test]
    fn prefix_look_alikes_are_not_typos() {
        assert!(affix_look_alike(
            "restorepointinternalerror",
            "vmrestorepointinternalerror"
        ));
        assert!(!affix_look_alike(
            "vmrestoerpointinternalerror",
            "vmrestorepointinternalerror"
        ));
    }
}
