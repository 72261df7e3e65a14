#![no_main]
//! Any bytes as an entry file (`backup_bot_index::fuzzing::entry_file`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backup_bot_index::fuzzing::entry_file(data));
