//! What the core's tests share: the shipped content, indexed once per test binary.

use backup_bot_index::{load_dir, Matcher};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The matcher over `content/entries`.
pub fn matcher() -> Arc<Matcher> {
    static M: OnceLock<Arc<Matcher>> = OnceLock::new();
    M.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/entries");
        Arc::new(Matcher::new(load_dir(&dir).unwrap()).unwrap())
    })
    .clone()
}
