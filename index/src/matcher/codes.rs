//! Codes in a paste: exact (any case, inside JSON, logs, URLs), split in two, without their
//! `UserError` prefix, numeric, shared with other services, and misspelt.
//!
//! A code is an ASCII alphanumeric run looked up whole, so `UserErrorVmNotInDesirableState`
//! never also yields `VmNotInDesirableState` (the longer wins). An exact code always wins over a
//! correction: it is sure (1.0), a correction is not (at most [`CORRECTED_ONE_EDIT`]).

use super::context::{self, Context};
use super::outcome::{Candidate, Reason};
use crate::entry::Entry;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashSet;

/// A run shorter than this is never taken for a misspelt code.
pub const FUZZY_MIN_LEN: usize = 12;
/// Edits accepted for a misspelt code of at least [`FUZZY_LONG_CODE`] characters.
pub const FUZZY_MAX_EDITS_LONG: usize = 2;
/// Edits accepted for a shorter code.
pub const FUZZY_MAX_EDITS_SHORT: usize = 1;
/// Codes this long or longer accept [`FUZZY_MAX_EDITS_LONG`] edits.
pub const FUZZY_LONG_CODE: usize = 16;

/// An exact code: sure.
pub const EXACT: f32 = 1.0;
/// A code split in two by one character ("...LaunchVM ToNonTrusted..." in a heading).
pub const SPLIT: f32 = 0.95;
/// A numeric code introduced as an error code ("error code 380008").
pub const NUMERIC: f32 = 0.95;
/// A code written without its `UserError` prefix, in a paste about backup or restore.
pub const PREFIXLESS: f32 = 0.92;
/// A code one edit away from a known one.
pub const CORRECTED_ONE_EDIT: f32 = 0.9;
/// A code two edits away (long codes only).
pub const CORRECTED_TWO_EDITS: f32 = 0.8;
/// Equally close to codes of two entries: offered, never answered.
pub const AMBIGUOUS: f32 = 0.45;
/// A code other services use too, without backup context: a runner-up, never an answer.
pub const OUT_OF_CONTEXT: f32 = 0.3;
/// The prefix a code may be written without.
const DROPPABLE_PREFIX: &str = "usererror";
/// The shortest rest of a code, once its prefix is dropped, that is still taken for the code.
const PREFIXLESS_MIN_LEN: usize = 12;

struct Code {
    lower: String,
    canonical: String,
    entry: usize,
    shared: bool,
    /// Letter counts, for a cheap lower bound of the edit distance.
    letters: [u8; 36],
}

/// The codes of the content, ready to be looked for.
pub(crate) struct Codes {
    list: Vec<Code>,
    named: FxHashMap<String, usize>,
    numeric: FxHashMap<String, usize>,
    /// Named codes by their rest once the `UserError` prefix is dropped.
    prefixless: FxHashMap<String, usize>,
    /// The first four letters of every named code, lower case.
    heads: FxHashSet<[u8; 4]>,
    min_len: usize,
    max_len: usize,
}

impl Codes {
    pub fn new(entries: &[Entry]) -> Codes {
        let mut list = Vec::new();
        let mut named = FxHashMap::default();
        let mut numeric = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            for c in &e.codes {
                let lower = c.to_ascii_lowercase();
                if is_numeric(c) {
                    numeric.insert(c.clone(), list.len());
                } else {
                    named.insert(lower.clone(), list.len());
                }
                list.push(Code {
                    letters: letter_counts(&lower),
                    lower,
                    canonical: c.clone(),
                    entry: i,
                    shared: e.shared_codes.iter().any(|s| s.eq_ignore_ascii_case(c)),
                });
            }
        }
        let mut prefixless = FxHashMap::default();
        for (k, c) in list.iter().enumerate() {
            if let Some(rest) = c.lower.strip_prefix(DROPPABLE_PREFIX) {
                if rest.len() >= PREFIXLESS_MIN_LEN && !named.contains_key(rest) {
                    prefixless.insert(rest.to_string(), k);
                }
            }
        }
        let names = list.iter().filter(|c| !is_numeric(&c.lower));
        let min_len = names.clone().map(|c| c.lower.len()).min().unwrap_or(0);
        let max_len = names.map(|c| c.lower.len()).max().unwrap_or(0);
        let heads = named
            .keys()
            .filter_map(|c| c.as_bytes().first_chunk::<4>().copied())
            .collect();
        Codes {
            list,
            named,
            numeric,
            prefixless,
            heads,
            min_len,
            max_len,
        }
    }

    /// Every canonical code, in content order.
    pub fn canonical(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|c| c.canonical.as_str())
    }

    /// Codes in a paste: exact, split, prefixless, numeric (introduced as an error code),
    /// misspelt.
    pub fn find(&self, ctx: &Context) -> Vec<Candidate> {
        self.scan(ctx, false)
    }

    /// The same for a direct question or a command, which names its subject: a known numeric
    /// code counts on its own ("/backup-error 380008").
    pub fn ask(&self, ctx: &Context) -> Vec<Candidate> {
        self.scan(ctx, true)
    }

    fn scan(&self, ctx: &Context, subject: bool) -> Vec<Candidate> {
        let text = ctx.raw();
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut runs = AlnumRuns { bytes, at: 0 }.peekable();
        let mut lower = String::new();
        while let Some((s, e)) = runs.next() {
            let len = e - s;
            let run = &text[s..e];
            if bytes[s].is_ascii_digit() && run.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(&ci) = self.numeric.get(run) {
                    let alone = subject
                        && AlnumRuns { bytes, at: 0 }.nth(3).is_none()
                        && context::whole_number(text, s, e);
                    if alone || context::numeric_introduced(text, s, e) {
                        let c = &self.list[ci];
                        let why = format!("numeric code {run} introduced as an error code");
                        out.push(candidate(c, NUMERIC, Reason::NumericCode, s, why));
                    }
                }
                continue;
            }
            let next = runs
                .peek()
                .copied()
                .filter(|&(s2, e2)| s2 == e + 1 && e2 - s2 >= 3);
            if len < self.min_len.min(FUZZY_MIN_LEN) || len > self.max_len + FUZZY_MAX_EDITS_LONG {
                // Maybe a code split in two ("...LaunchVM ToNonTrusted...").
                if let Some(second) = next.filter(|_| len >= 3) {
                    self.joined(ctx, (s, e), second, &mut out);
                }
                continue;
            }
            lower.clear();
            lower.push_str(run);
            lower.make_ascii_lowercase();
            if let Some(&ci) = self.named.get(lower.as_str()) {
                let c = &self.list[ci];
                if c.shared && !ctx.backup() && !self.numeric_sibling_present(text, c.entry) {
                    let why = format!("code {} without backup context", c.canonical);
                    out.push(candidate(c, OUT_OF_CONTEXT, Reason::ExactCode, s, why));
                } else {
                    let why = format!("exact code {}", c.canonical);
                    out.push(candidate(c, EXACT, Reason::ExactCode, s, why));
                }
                continue;
            }
            if let Some(second) = next {
                if self.joined(ctx, (s, e), second, &mut out) {
                    continue;
                }
            }
            if let Some(&ci) = self.prefixless.get(lower.as_str()) {
                let c = &self.list[ci];
                // Alone, it is another service's code (SkuNotAvailable from a deployment).
                let (conf, why) = if ctx.backup() {
                    (
                        PREFIXLESS,
                        format!("code {} without its prefix", c.canonical),
                    )
                } else {
                    (OUT_OF_CONTEXT, format!("{run} without backup context"))
                };
                out.push(candidate(c, conf, Reason::ExactCode, s, why));
                continue;
            }
            if code_shaped(run) {
                self.fuzzy(ctx, run, &lower, s, &mut out);
            }
        }
        out
    }

    /// Two runs split by one character ("...LaunchVM ToNonTrusted...") that make a code.
    fn joined(
        &self,
        ctx: &Context,
        (s, e): (usize, usize),
        (s2, e2): (usize, usize),
        out: &mut Vec<Candidate>,
    ) -> bool {
        let text = ctx.raw();
        let len = (e - s) + (e2 - s2);
        if len < self.min_len || len > self.max_len || e - s < 4 {
            return false;
        }
        // Only when the first part starts like a code.
        let mut head = [0u8; 4];
        head.copy_from_slice(&text.as_bytes()[s..s + 4]);
        head.make_ascii_lowercase();
        if !self.heads.contains(&head) {
            return false;
        }
        let joined = format!("{}{}", &text[s..e], &text[s2..e2]).to_ascii_lowercase();
        if let Some(&ci) = self.named.get(joined.as_str()) {
            let c = &self.list[ci];
            if !c.shared || ctx.backup() {
                let why = format!("code {} split by a space", c.canonical);
                out.push(candidate(c, SPLIT, Reason::CorrectedCode, s, why));
                return true;
            }
        }
        false
    }

    fn fuzzy(&self, ctx: &Context, run: &str, lower: &str, at: usize, out: &mut Vec<Candidate>) {
        let mut best: Vec<(usize, usize)> = Vec::new();
        let mut best_d = usize::MAX;
        let letters = letter_counts(lower);
        for (ci, c) in self.list.iter().enumerate() {
            let max = if c.lower.len() >= FUZZY_LONG_CODE {
                FUZZY_MAX_EDITS_LONG
            } else {
                FUZZY_MAX_EDITS_SHORT
            };
            if c.lower.len().abs_diff(lower.len()) > max || is_numeric(&c.lower) {
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
            .map(|(ci, _)| self.list[*ci].entry)
            .collect::<HashSet<_>>()
            .len()
            > 1;
        for (ci, d) in best {
            let c = &self.list[ci];
            let mut conf = if d == 1 {
                CORRECTED_ONE_EDIT
            } else {
                CORRECTED_TWO_EDITS
            };
            if ambiguous {
                conf = AMBIGUOUS;
            }
            if c.shared && !ctx.backup() {
                conf = conf.min(OUT_OF_CONTEXT);
            }
            let plural = if d == 1 { "" } else { "s" };
            let why = format!("corrected code {run} -> {} ({d} edit{plural})", c.canonical);
            out.push(candidate(c, conf, Reason::CorrectedCode, at, why));
        }
    }

    /// For a direct question: codes close to a code-shaped word but beyond the typo threshold,
    /// offered as "did you mean" (never as an answer).
    pub fn near(&self, text: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (s, e) in alnum_runs(text.as_bytes()) {
            let run = &text[s..e];
            if !code_shaped(run) {
                continue;
            }
            let lower = run.to_ascii_lowercase();
            for c in self.list.iter().filter(|c| !is_numeric(&c.lower)) {
                let d = strsim::osa_distance(&lower, &c.lower);
                let longest = c.lower.len().max(lower.len());
                if d <= longest / 3 {
                    let sim = 1.0 - d as f32 / longest as f32;
                    let conf = (sim * AMBIGUOUS).min(AMBIGUOUS);
                    let why = format!("close to {}", c.canonical);
                    out.push(candidate(c, conf, Reason::CorrectedCode, s, why));
                }
            }
        }
        out
    }

    /// The code-shaped words of a text that are no known code (for "I don't know this code").
    pub fn unknown_codes<'t>(&self, text: &'t str) -> Vec<&'t str> {
        alnum_runs(text.as_bytes())
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .filter(|run| looks_like_a_code(run))
            .filter(|run| {
                let lower = run.to_ascii_lowercase();
                !self.named.contains_key(&lower) && !self.prefixless.contains_key(&lower)
            })
            .collect()
    }

    fn numeric_sibling_present(&self, text: &str, entry: usize) -> bool {
        alnum_runs(text.as_bytes()).iter().any(|&(s, e)| {
            self.numeric
                .get(&text[s..e])
                .is_some_and(|&ci| self.list[ci].entry == entry)
        })
    }
}

fn candidate(c: &Code, confidence: f32, reason: Reason, at: usize, detail: String) -> Candidate {
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

fn is_numeric(code: &str) -> bool {
    code.bytes().all(|b| b.is_ascii_digit())
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

/// Byte ranges of ASCII alphanumeric runs, one at a time (no allocation on the hot path).
struct AlnumRuns<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for AlnumRuns<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let b = self.bytes;
        let s = self.at + b[self.at..].iter().position(u8::is_ascii_alphanumeric)?;
        let e = b[s..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |p| s + p);
        self.at = e;
        Some((s, e))
    }
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

/// CamelCase of some length, or one long lower/upper-case word: what a code typed by hand looks
/// like.
fn code_shaped(run: &str) -> bool {
    if run.len() < FUZZY_MIN_LEN || !run.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let upper = run.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = run.bytes().filter(u8::is_ascii_lowercase).count();
    (upper >= 2 && lower >= 2) || run.len() >= 16
}

/// A word a person would take for an error code: CamelCase with a capital first, at least three
/// capitals and three small letters, ten characters or more ("SomeUnknownCodeName",
/// "BCMV2VMNotFound"; not "McDonalds", "VMSNAPSHOT", "internationalization").
fn looks_like_a_code(w: &str) -> bool {
    let upper = w.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = w.bytes().filter(u8::is_ascii_lowercase).count();
    w.len() >= 10 && w.as_bytes()[0].is_ascii_uppercase() && upper >= 3 && lower >= 3
}

/// True when two strings differ only by a chunk of two or more characters at the start
/// ("RestorePointInternalError" against "VMRestorePointInternalError"): another service's code,
/// not a typo.
fn affix_look_alike(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    long.len() - short.len() >= 2 && long.ends_with(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shape() {
        assert!(code_shaped("VMRestoerPointInternalError"));
        assert!(code_shaped("usererrorfsfreezefaild"));
        assert!(!code_shaped("Configuration"));
        assert!(!code_shaped("successfully"));
    }

    #[test]
    fn what_looks_like_a_code() {
        for w in [
            "SomeUnknownCodeName",
            "UserErrorSomethingNew",
            "BCMV2VMNotFound",
        ] {
            assert!(looks_like_a_code(w), "{w}");
        }
        for w in [
            "Backup",
            "McDonalds",
            "internationalization",
            "VMSNAPSHOT",
            "Snapshot",
        ] {
            assert!(!looks_like_a_code(w), "{w}");
        }
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
