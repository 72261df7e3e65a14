#![no_main]
//! Any bytes as a paste and as a question (`backup_bot_index::fuzzing::paste`).

use backup_bot_index::{load_dir, Matcher};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/entries");
        Matcher::new(load_dir(&dir).expect("the content")).expect("the index")
    })
}

fuzz_target!(|data: &[u8]| backup_bot_index::fuzzing::paste(matcher(), data));
