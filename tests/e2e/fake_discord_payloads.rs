//! What the fake Discord dispatches over its gateway, shaped as Discord's documented objects
//! with the fields serenity requires: users, members, messages, and interactions (commands,
//! autocomplete, button presses, modal submissions) in the channel or in a thread.

use super::{APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID};
use serde_json::{json, Value};

pub fn user(id: &str, name: &str, bot: bool) -> Value {
    json!({ "id": id, "username": name, "bot": bot })
}

/// A message object with the fields serenity requires.
pub fn message(id: &str, channel: &str, author: Value, content: &str) -> Value {
    json!({
        "id": id, "channel_id": channel, "guild_id": GUILD_ID, "author": author, "content": content,
        "timestamp": "2024-01-01T00:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 0
    })
}

/// A guild member with these roles.
pub fn member(id: &str, name: &str, roles: &[&str]) -> Value {
    json!({"user": user(id, name, false), "roles": roles, "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0})
}

/// The partial channel an interaction names: the channel, or a thread in it (type 11).
pub fn partial_channel(id: &str) -> Value {
    if id == CHANNEL_ID {
        json!({"id": id, "type": 0, "name": "backups"})
    } else {
        json!({"id": id, "type": 11, "name": "a thread", "parent_id": CHANNEL_ID})
    }
}

fn interaction_base(
    kind: u8,
    id: &str,
    token: &str,
    channel: &str,
) -> serde_json::Map<String, Value> {
    json!({
        "id": id, "application_id": APP_ID, "type": kind, "token": token, "version": 1,
        "guild_id": GUILD_ID, "channel_id": channel, "channel": partial_channel(channel),
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608,
        "member": member("4001", "alice", &[])
    })
    .as_object()
    .unwrap()
    .clone()
}

/// `/backup-error` with options, typed in `channel` (a thread, or the channel).
pub fn command_in(id: &str, token: &str, channel: &str, options: Value) -> Value {
    let mut m = interaction_base(2, id, token, channel);
    m.insert(
        "data".into(),
        json!({"id": "5001", "name": "backup-error", "type": 1, "options": options}),
    );
    Value::Object(m)
}

/// A button pressed on the bot's message `on` in `channel`, by `who` (a [`member`]).
pub fn press(id: &str, token: &str, custom_id: &str, on: &str, channel: &str, who: Value) -> Value {
    let mut m = interaction_base(3, id, token, channel);
    m.insert(
        "data".into(),
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    m.insert(
        "message".into(),
        message(on, channel, user(BOT_ID, "backup-bot", true), ""),
    );
    m.insert("member".into(), who);
    Value::Object(m)
}

/// A modal submitted (type 5): opened from the button on message `on`, its text input `note`
/// holding `text` (Discord sends an empty string for a blank optional input).
pub fn modal_submit(
    id: &str,
    token: &str,
    custom_id: &str,
    on: &str,
    channel: &str,
    who: Value,
    text: &str,
) -> Value {
    let mut m = interaction_base(5, id, token, channel);
    m.insert(
        "data".into(),
        json!({"custom_id": custom_id, "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "note", "value": text}]}
        ]}),
    );
    m.insert(
        "message".into(),
        message(on, channel, user(BOT_ID, "backup-bot", true), ""),
    );
    m.insert("member".into(), who);
    Value::Object(m)
}

/// `/backup-error` with options.
pub fn command(id: &str, token: &str, options: Value) -> Value {
    let mut m = interaction_base(2, id, token, CHANNEL_ID);
    m.insert(
        "data".into(),
        json!({"id": "5001", "name": "backup-error", "type": 1, "options": options}),
    );
    Value::Object(m)
}

/// Autocomplete of the `code` option.
pub fn autocomplete(id: &str, token: &str, partial: &str) -> Value {
    let mut m = interaction_base(4, id, token, CHANNEL_ID);
    m.insert(
        "data".into(),
        json!({"id": "5001", "name": "backup-error", "type": 1, "options": [{"name": "code", "type": 3, "value": partial, "focused": true}]}),
    );
    Value::Object(m)
}

/// A button pressed on the bot's message `on`.
pub fn button(id: &str, token: &str, custom_id: &str, on: &str) -> Value {
    let mut m = interaction_base(3, id, token, CHANNEL_ID);
    m.insert(
        "data".into(),
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    m.insert(
        "message".into(),
        message(on, CHANNEL_ID, user(BOT_ID, "backup-bot", true), ""),
    );
    Value::Object(m)
}
