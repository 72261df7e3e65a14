#![no_main]
//! Any bytes as a Discord gateway dispatch (`backup_bot_discord::fuzzing::payload`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backup_bot_discord::fuzzing::payload(data));
