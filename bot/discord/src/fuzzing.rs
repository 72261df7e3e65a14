//! What the Discord payload fuzz target (`fuzz/`) runs, shared with the test that runs its
//! corpus on every `cargo test`: any bytes as a gateway dispatch (the whole frame or its `d`),
//! read as a message and as an interaction the way the gateway handler reads them.

use crate::escalate;
use crate::run::incoming;
use serenity::all::*;

/// Any bytes as a message and as an interaction: read, or refused; never a panic.
pub fn payload(data: &[u8]) {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    // A whole gateway frame carries the object in `d`.
    let d = match raw.get("d") {
        Some(d) if raw.get("op").is_some() => d.clone(),
        _ => raw,
    };
    if let Ok(msg) = serde_json::from_value::<Message>(d.clone()) {
        let me = Some(UserId::new(900));
        let _ = incoming(&msg, msg.content.clone(), me);
    }
    if let Ok(i) = serde_json::from_value::<Interaction>(d) {
        match i {
            Interaction::Command(c) => {
                for o in c.data.options() {
                    let _ = o.value;
                }
                let _ = escalate::thread_of(c.channel.as_ref());
            }
            Interaction::Autocomplete(a) => {
                let _ = a.data.autocomplete().map(|o| o.value.to_string());
            }
            Interaction::Component(c) => {
                let _ = escalate::opens_modal(&c.data.custom_id);
                let _ = escalate::thread_of(c.channel.as_ref());
                let _ = escalate::groups(c.member.as_ref());
            }
            Interaction::Modal(m) => {
                let _ = escalate::note(&m.data);
                let _ = escalate::thread_of(m.channel.as_ref());
                let _ = escalate::groups(m.member.as_ref());
            }
            _ => {}
        }
    }
}
