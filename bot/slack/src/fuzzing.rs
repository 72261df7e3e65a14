//! What the Slack payload fuzz target (`fuzz/`) runs, shared with the test that runs its corpus
//! on every `cargo test`: any bytes as an Events API body and as an interaction payload, read
//! the way the HTTP endpoints read them.

use crate::inbound;
use slack_morphism::prelude::*;

/// Any bytes as an event and as an interaction: read, or refused; never a panic.
pub fn payload(data: &[u8]) {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(SlackPushEvent::EventCallback(cb)) =
        serde_json::from_value::<SlackPushEvent>(raw.clone())
    {
        let event = raw.get("event").cloned().unwrap_or_default();
        let _ = inbound::event(&cb, &event, Some("UBOT"));
    }
    if let Ok(SlackInteractionEvent::BlockActions(ba)) =
        serde_json::from_value::<SlackInteractionEvent>(raw)
    {
        let _ = inbound::actions(&ba);
    }
}
