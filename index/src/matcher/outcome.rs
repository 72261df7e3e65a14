//! What the matcher says about a text: the entries it names, how sure it is, and why.

use crate::entry::Lang;

/// Why an entry was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    ExactCode,
    CorrectedCode,
    NumericCode,
    /// One of the entry's messages (or text its users see: its title, log lines its steps quote).
    Message,
    /// One of the entry's curated symptoms, or a sentence of its cause.
    Symptom,
    Title,
    Question,
    /// Many of the paste's rare words are the entry's own, far more than any other entry's.
    Words,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExactCode => "exact code",
            Reason::CorrectedCode => "corrected code",
            Reason::NumericCode => "numeric code",
            Reason::Message => "message",
            Reason::Symptom => "symptom",
            Reason::Title => "title",
            Reason::Question => "question",
            Reason::Words => "words",
        }
    }
}

/// One entry with its confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Position in [`crate::Matcher::entries`].
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
    /// Every entry the paste names (the best first), up to [`crate::matcher::MAX_NAMED`].
    pub named: Vec<Candidate>,
    /// Runners-up (and, when nothing matched, the closest entries).
    pub candidates: Vec<Candidate>,
    /// True when the paste was longer than [`crate::MAX_PASTE_BYTES`] and only its start was read
    /// for messages (codes are looked for in the whole paste, up to
    /// [`crate::matcher::MAX_CODE_SCAN_BYTES`]).
    pub truncated: bool,
}

impl Match {
    pub fn matched(&self) -> bool {
        self.best.is_some()
    }

    /// Nothing to say: chatter.
    pub(crate) fn quiet(lang: Lang, truncated: bool) -> Match {
        Match {
            lang,
            best: None,
            named: Vec::new(),
            candidates: Vec::new(),
            truncated,
        }
    }
}
