//! The fuzz targets' corpora (`fuzz/corpus/`), run as ordinary tests: every input the fuzzers
//! kept (and the seeds) goes through the same functions the targets call, on every `cargo test`.

use backup_bot_index::{fuzzing, load_dir, Matcher};
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

#[test]
fn the_paste_corpus_runs_through_the_matcher() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/entries");
    let m = Matcher::new(load_dir(&dir).unwrap()).unwrap();
    for data in corpus("paste") {
        fuzzing::paste(&m, &data);
    }
}

#[test]
fn the_entry_file_corpus_runs_through_the_parser() {
    for data in corpus("entry_file") {
        fuzzing::entry_file(&data);
    }
}
