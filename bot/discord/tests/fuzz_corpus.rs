//! The Discord payload fuzz target's corpus (`fuzz/corpus/discord_payload/`), run as an ordinary
//! test through the same function the target calls.

use std::path::PathBuf;

#[test]
fn the_discord_payload_corpus_is_read_without_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/discord_payload");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        backup_bot_discord::fuzzing::payload(&data);
        n += 1;
    }
    assert!(n > 0, "{} is empty", dir.display());
}
