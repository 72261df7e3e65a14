//! What the fuzz targets (`fuzz/`) run, shared with the tests that run their corpora on every
//! `cargo test`: any bytes, as a paste and as a question, and as an entry file.

use crate::{entry, Matcher};

/// Any bytes as a paste and as a question (read lossily, as the adapters read them).
pub fn paste(m: &Matcher, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let found = m.find(&text);
    assert!(found.named.len() <= crate::matcher::MAX_NAMED);
    let _ = m.ask(&text);
}

/// Any bytes as an entry file: parsed, or refused with an error; what parses writes back to
/// text that parses again.
pub fn entry_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = entry::parse(text) {
        let again = entry::write(&e);
        assert!(entry::parse(&again).is_ok(), "written back: {again}");
    }
}
