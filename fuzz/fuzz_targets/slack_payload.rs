#![no_main]
//! Any bytes as a Slack event and interaction (`backup_bot_slack::fuzzing::payload`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backup_bot_slack::fuzzing::payload(data));
