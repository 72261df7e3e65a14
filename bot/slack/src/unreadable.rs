//! A payload the adapter cannot read is logged by its kind and ids only: a parser's message
//! quotes the value it stumbled on, and that value may be a paste or a name.

use serde_json::Value;

/// Logs at WARN that `what` (an event, an interaction, a Socket Mode message) could not be
/// read, naming only its types and ids: the envelope's (Socket Mode), the event's, the team's.
pub fn log(what: &'static str, raw: &Value) {
    let inner = raw.get("payload").unwrap_or(raw);
    fn s(v: Option<&Value>) -> &str {
        v.and_then(Value::as_str).map(short).unwrap_or("-")
    }
    tracing::warn!(
        envelope_type = s(raw.get("payload").and(raw.get("type"))),
        envelope_id = s(raw.get("envelope_id")),
        payload_type = s(inner.get("type")),
        event_type = s(inner.get("event").and_then(|e| e.get("type"))),
        event_id = s(inner.get("event_id").or_else(|| inner.get("trigger_id"))),
        team_id = s(inner.get("team_id").or_else(|| inner.pointer("/team/id"))),
        "{what} the adapter cannot read (its content is not logged)"
    );
}

/// A type or an id is short and plain; anything else is not one and is not shown.
fn short(v: &str) -> &str {
    if v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        v
    } else {
        "?"
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn only_plain_short_values_are_shown() {
        assert_eq!(short("Ev0123ABC"), "Ev0123ABC");
        assert_eq!(short("message"), "message");
        assert_eq!(short("backup failed: UserErrorFsFreezeFailed"), "?");
    }
}
