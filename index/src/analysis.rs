//! Text analysis shared by the index and the matcher, so both see the same tokens.
//!
//! - English (and any non-Hangul letters): lower case, contractions opened ("isn't" -> "is not"),
//!   stop words dropped, Porter2 stems.
//! - Korean: Hangul runs joined across spaces, then character bigrams (as Lucene's CJK analyser
//!   does). Joining makes "실패 했습니다" and "실패했습니다" the same tokens; bigrams survive particles
//!   and endings without a dictionary. Spelling variants (스냅숏/스냅샷, 에러/오류, ...) are folded
//!   first.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the tantivy index.
pub const TOKENIZER: &str = "backup_bot";

/// Spelling variants folded before tokenizing: `(variant, canonical)`, applied in order.
const LATIN_FOLDS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("n't", " not"),
    // A possessive or "it's": the "s" alone is no word.
    ("'s ", " "),
    ("virtual machine", "vm"),
    ("snap shot", "snapshot"),
    ("timeout", "time out"),
    ("filesystem", "file system"),
    ("mountpoint", "mount point"),
];
/// Folds that only text with non-ASCII characters needs (applied after the Latin ones; a
/// typographic apostrophe is made plain before them).
const UNICODE_FOLDS: &[(&str, &str)] = &[
    ("스냅숏", "스냅샷"),
    ("볼트", "자격 증명 모음"),
    ("익스텐션", "확장"),
    ("타임아웃", "시간 초과"),
    ("스냅 숏", "스냅샷"),
    ("에러", "오류"),
    ("저장소", "스토리지"),
    ("디바이스", "장치"),
    ("응용 프로그램", "애플리케이션"),
    ("응용프로그램", "애플리케이션"),
    ("가상 컴퓨터", "가상 머신"),
    ("섀도우", "섀도"),
    ("쉐도우", "섀도"),
    ("하였", "했"),
    ("되었", "됐"),
    // common misspellings and loanwords in chat
    ("됬", "됐"),
    ("안되서", "안돼서"),
    ("스냅삿", "스냅샷"),
    ("라이터", "기록기"),
    ("사이즈", "크기"),
    ("리전", "지역"),
];

/// Words too common to tell entries apart.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "anyone", "are", "as",
    "at", "be", "been", "being", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "get", "getting", "got", "had", "has", "have", "hello", "help", "here", "hey", "hi", "how",
    "i", "if", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on", "or", "our",
    "please", "seen", "should", "so", "some", "someone", "than", "thanks", "that", "the", "their",
    "then", "there", "these", "this", "those", "to", "us", "was", "we", "were", "what", "when",
    "which", "who", "why", "will", "with", "would", "you", "your",
];

fn stop_words() -> &'static std::collections::HashSet<&'static str> {
    static S: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| STOP_WORDS.iter().copied().collect())
}

/// Stems folded together after stemming.
pub const STEM_FOLDS: &[(&str, &str)] = &[
    ("failur", "fail"),
    ("vms", "vm"),
    ("configur", "config"),
    ("unabl", "not"),
];

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// True for a Hangul syllable.
pub fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// True when the text has any Hangul: it is then answered in Korean.
pub fn has_hangul(text: &str) -> bool {
    text.chars().any(is_hangul)
}

/// Lower case and spelling variants folded.
pub fn normalize(text: &str) -> String {
    let ascii = text.is_ascii();
    let mut s = if ascii {
        text.to_ascii_lowercase()
    } else {
        lowercase(text)
    };
    if !ascii && s.contains('’') {
        s = s.replace('’', "'");
    }
    // Most text holds no variant at all: one pass over it says so, and the folds (applied in
    // order, each on the result of the one before) run only when it holds one.
    if folds().find(&s).is_none() {
        return s;
    }
    let unicode: &[(&str, &str)] = if ascii { &[] } else { UNICODE_FOLDS };
    for (from, to) in LATIN_FOLDS.iter().chain(unicode) {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

/// `str::to_lowercase`, with its common cases first: ASCII and Hangul (which has no case) cost
/// a byte copy, not a case table look-up. (The one difference, a Greek final sigma, is folded
/// the same way for the content and for pastes.)
pub(crate) fn lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_hangul(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// One searcher over every fold's variant (SIMD where the machine has it).
fn folds() -> &'static aho_corasick::packed::Searcher {
    static F: OnceLock<aho_corasick::packed::Searcher> = OnceLock::new();
    F.get_or_init(|| {
        let mut b = aho_corasick::packed::Config::new().builder();
        b.extend(
            LATIN_FOLDS
                .iter()
                .chain(UNICODE_FOLDS)
                .map(|(from, _)| from),
        );
        b.build().expect("the folds fit a packed searcher")
    })
}

/// The tokens of a text, in order (duplicates kept).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    tokens_into(text, &mut out);
    out
}

/// Appends the tokens of `text` to `out`.
pub fn tokens_into(text: &str, out: &mut Vec<String>) {
    walk(&normalize(text), |piece| match piece {
        Piece::Word(w) => {
            if let Some(t) = term(w) {
                out.push(t);
            }
        }
        Piece::Bigram(a, b) => out.push([a, b].iter().collect()),
    });
}

/// The Korean bigrams of a text that appear only across a space ("사본 서비스" gives "본서"):
/// a rewording or other spacing changes them most.
pub fn junction_bigrams(text: &str) -> std::collections::HashSet<String> {
    let norm = normalize(text);
    let (mut inside, mut across) = (
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    let mut prev: Option<char> = None;
    let mut spaced = false;
    for c in norm.chars() {
        if is_hangul(c) {
            if let Some(p) = prev {
                let b: String = [p, c].iter().collect();
                if spaced {
                    across.insert(b);
                } else {
                    inside.insert(b);
                }
            }
            prev = Some(c);
            spaced = false;
        } else if c.is_whitespace() && prev.is_some() {
            spaced = true;
        } else {
            prev = None;
            spaced = false;
        }
    }
    across.retain(|b| !inside.contains(b));
    across
}

/// What [`walk`] hands out.
pub enum Piece<'a> {
    /// A lower-case word: letters and digits outside Korean.
    Word(&'a str),
    /// Two Korean syllables in a row.
    Bigram(char, char),
}

/// Walks normalised text, handing out each word and each pair of Korean syllables of a run
/// (Korean runs join across spaces).
pub fn walk(norm: &str, mut f: impl FnMut(Piece)) {
    if norm.is_ascii() {
        // No Korean, and every letter is one byte: words are the alphanumeric runs.
        let bytes = norm.as_bytes();
        let mut start: Option<usize> = None;
        for (at, b) in bytes.iter().enumerate() {
            if b.is_ascii_alphanumeric() {
                start.get_or_insert(at);
            } else if let Some(s) = start.take() {
                f(Piece::Word(&norm[s..at]));
            }
        }
        if let Some(s) = start {
            f(Piece::Word(&norm[s..]));
        }
        return;
    }
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = norm.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_hangul(c) {
            if let Some(s) = start.take() {
                f(Piece::Word(&norm[s..at]));
            }
            if let Some(p) = prev {
                f(Piece::Bigram(p, c));
            }
            prev = Some(c);
        } else if c.is_alphanumeric() {
            prev = None;
            start.get_or_insert(at);
        } else {
            if let Some(s) = start.take() {
                f(Piece::Word(&norm[s..at]));
            }
            if c.is_whitespace() && prev.is_some() {
                // Spaces inside Korean text do not break the run.
                while chars.peek().is_some_and(|(_, n)| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|(_, n)| is_hangul(*n)) {
                    continue;
                }
            }
            prev = None;
        }
    }
    if let Some(s) = start {
        f(Piece::Word(&norm[s..]));
    }
}

/// The token of one lower-case word: `None` for a stop word; numbers and ids as they are;
/// other words stemmed (Porter2, then [`STEM_FOLDS`]).
pub fn term(word: &str) -> Option<String> {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return Some(word.to_string());
    }
    if stop_words().contains(word) {
        return None;
    }
    let stem = stemmer().stem(word);
    Some(
        STEM_FOLDS
            .iter()
            .find(|(from, _)| *from == stem.as_ref())
            .map(|(_, to)| to.to_string())
            .unwrap_or_else(|| stem.into_owned()),
    )
}

/// The analyser as a tantivy tokenizer.
#[derive(Clone, Default)]
pub struct BilingualTokenizer {
    buf: Vec<Token>,
}

impl Tokenizer for BilingualTokenizer {
    type TokenStream<'a> = BufferedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedStream<'a> {
        self.buf.clear();
        for (position, t) in tokens(text).into_iter().enumerate() {
            self.buf.push(Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text: t,
                position_length: 1,
            });
        }
        BufferedStream {
            tokens: &mut self.buf,
            next: 0,
        }
    }
}

/// Tokens analysed up front, handed out one by one.
pub struct BufferedStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for BufferedStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_spacing_does_not_change_tokens() {
        assert_eq!(tokens("실패 했습니다"), tokens("실패했습니다"));
        assert_eq!(tokens("잘못 된 상태 여 서"), tokens("잘못된 상태여서"));
    }

    #[test]
    fn loanwords_and_compounds_fold() {
        assert_eq!(tokens("볼트에서"), tokens("자격 증명 모음에서"));
        assert_eq!(
            tokens("filesystem timeout"),
            tokens("file system timed out")
        );
    }

    #[test]
    fn korean_spelling_variants_fold() {
        assert_eq!(tokens("스냅숏 작업"), tokens("스냅샷 작업"));
        assert_eq!(tokens("실패하였습니다"), tokens("실패했습니다"));
        assert_eq!(tokens("스냅삿 실패됬어요"), tokens("스냅샷 실패됐어요"));
        assert_eq!(tokens("VSS 라이터 리전"), tokens("VSS 기록기 지역"));
    }

    #[test]
    fn english_contractions_stems_and_stop_words() {
        assert_eq!(
            tokens("The VM isn't in a state"),
            tokens("VM is not in the states")
        );
        assert_eq!(tokens("backups failed"), vec!["backup", "fail"]);
        assert_eq!(tokens("virtual machine"), vec!["vm"]);
    }

    #[test]
    fn lone_syllables_are_dropped_and_runs_join_across_spaces() {
        assert_eq!(tokens("VM이 failed"), vec!["vm", "fail"]);
        assert_eq!(tokens("가 나"), vec!["가나"]);
    }

    #[test]
    fn mixed_text_keeps_both() {
        assert_eq!(tokens("VM이 백업"), vec!["vm", "이백", "백업"]);
    }

    #[test]
    fn tokenizer_streams_the_same_tokens() {
        let mut t = BilingualTokenizer::default();
        let mut s = t.token_stream("Snapshot 작업이 실패");
        let mut got = Vec::new();
        while s.advance() {
            got.push(s.token().text.clone());
        }
        assert_eq!(got, tokens("Snapshot 작업이 실패"));
    }
}
