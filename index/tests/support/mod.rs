//! What the matcher's tests share: the matcher over the real content, and short ways to ask
//! which entry a paste names.
#![allow(dead_code)]

use backup_bot_index::{load_dir, Match, Matcher, Reason};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The matcher over `content/entries`, built once per test binary.
pub fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content/entries");
        Matcher::new(load_dir(&dir).unwrap()).unwrap()
    })
}

pub fn best(text: &str) -> Option<(String, Reason, f32)> {
    let m = matcher().find(text);
    m.best.map(|b| {
        (
            matcher().entries()[b.entry].id.clone(),
            b.reason,
            b.confidence,
        )
    })
}

/// The ids of every entry a paste names, the best first.
pub fn named_ids(text: &str) -> Vec<String> {
    matcher()
        .find(text)
        .named
        .iter()
        .map(|c| matcher().entries()[c.entry].id.clone())
        .collect()
}

pub fn id(text: &str) -> Option<String> {
    best(text).map(|b| b.0)
}

#[track_caller]
pub fn names(text: &str, want: &str) {
    assert_eq!(id(text).as_deref(), Some(want), "{text}");
}

#[track_caller]
pub fn quiet(text: &str) {
    let m: Match = matcher().find(text);
    assert!(
        m.best.is_none(),
        "{text} -> {:?}",
        m.best
            .map(|b| (matcher().entries()[b.entry].id.clone(), b.detail))
    );
}
