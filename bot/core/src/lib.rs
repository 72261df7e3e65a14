//! Decides what the bot says. An incoming message, command or button press becomes effects
//! ([`chat::Core::handle`]); a reply becomes a [`reply::Card`] that adapters render. No I/O, no
//! platform types.

pub mod answer;
pub mod chat;
pub mod command;
pub mod escalation;
pub mod reply;
pub mod sanitize;
pub mod words;

pub use answer::{lookup_reply, paste_reply, question_reply};
pub use chat::{Action, CommandCall, Core, Decider, Effect, Incoming, Message, Mode, Policy};
pub use reply::{card, headline, message_of, Button, Card, Reply};

use backup_bot_index::Matcher;

/// Unix seconds now: the clock the runtime hands to the decider.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Bytes read from a file or a download as text: cut at the last whole UTF-8 character.
pub fn utf8_prefix(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut b = e.into_bytes();
            b.truncate(valid);
            String::from_utf8(b).unwrap_or_default()
        }
    }
}

/// How much of a shared file or an attachment is read (like pastes, whose prose is cut at 40 KB).
pub const MAX_FILE_BYTES: usize = 40 * 1024;

/// A download read up to a cap, whatever the sender sends: chunks are pushed until it is full.
#[derive(Debug)]
pub struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl Capped {
    pub fn new(cap: usize) -> Capped {
        Capped {
            buf: Vec::new(),
            cap,
        }
    }

    /// Keeps what fits of `chunk`; false once full (stop reading).
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        let room = self.cap.saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.buf.len() < self.cap
    }

    /// The text read, cut at the last whole UTF-8 character.
    pub fn text(self) -> String {
        utf8_prefix(self.buf)
    }
}

/// A text without the bot's own mention (`<@ID>`, and Discord's older `<@!ID>`), trimmed.
pub fn strip_mention(text: &str, me: Option<&str>) -> String {
    match me {
        Some(id) => text
            .replace(&format!("<@{id}>"), "")
            .replace(&format!("<@!{id}>"), "")
            .trim()
            .to_string(),
        None => text.to_string(),
    }
}

/// A reply as plain text (the console, the CLI, chat fallbacks).
pub fn render_text(m: &Matcher, reply: &Reply) -> String {
    reply::text(&card(m, reply))
}

/// Choices for a code typed so far (autocomplete): `(label, value)`, best first, at most `n`.
/// Codes by prefix, then by substring, then by likeness; titles too, so entries without a code
/// (table rows, general sections) can be picked.
pub fn complete(m: &Matcher, partial: &str, n: usize) -> Vec<(String, String)> {
    let p = partial.trim().to_lowercase();
    let mut scored: Vec<(f64, String, String)> = Vec::new();
    for e in m.entries() {
        let title = e.edition(backup_bot_index::Lang::En).title.clone();
        let named: Vec<&String> = e
            .codes
            .iter()
            .filter(|c| !c.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let candidates: Vec<(String, String, String)> = if named.is_empty() {
            vec![(
                title.to_lowercase(),
                reply::short(&title, 100),
                reply::short(&title, 100),
            )]
        } else {
            named
                .iter()
                .map(|c| {
                    (
                        c.to_lowercase(),
                        reply::short(&headline(e, backup_bot_index::Lang::En), 100),
                        c.to_string(),
                    )
                })
                .collect()
        };
        for (key, label, value) in candidates {
            let score = if p.is_empty() {
                0.5
            } else if key.starts_with(&p) {
                3.0 + p.len() as f64 / key.len() as f64
            } else if key.contains(&p) {
                2.0
            } else if title.to_lowercase().contains(&p) {
                1.5
            } else {
                strsim::jaro_winkler(&p, &key)
            };
            if p.is_empty() || score > 0.75 {
                scored.push((score, label, value));
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(n).map(|(_, l, v)| (l, v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_stops_at_its_cap_on_a_whole_character() {
        let mut c = Capped::new(5);
        assert!(c.push(b"ab"));
        // "é" is two bytes: the cap falls inside it, so it is left out.
        assert!(!c.push("cdé".as_bytes()));
        assert_eq!(c.text(), "abcd");
    }

    #[test]
    fn only_the_bots_own_mention_is_removed() {
        assert_eq!(strip_mention("<@B1> hi <@U2>", Some("B1")), "hi <@U2>");
        assert_eq!(strip_mention("<@!42> hi", Some("42")), "hi");
        assert_eq!(strip_mention(" <@B1> ", None), " <@B1> ");
    }
}
