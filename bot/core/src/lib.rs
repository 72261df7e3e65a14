//! Decides what the bot says. An incoming message, command or button press becomes effects
//! ([`chat::Core::handle`]); a reply becomes a [`reply::Card`] that adapters render. No I/O, no
//! platform types.

pub mod chat;
pub mod command;
pub mod reply;
pub mod sanitize;
pub mod words;

pub use chat::{Action, CommandCall, Core, Effect, Incoming, Message, Mode, Policy};
pub use reply::{card, headline, message_of, Button, Card, Reply};

use backup_bot_index::Matcher;

/// A paste seen in a channel: an answer, or nothing (quiet).
pub fn paste_reply(m: &Matcher, text: &str) -> Option<Reply> {
    let found = m.find(text);
    let best = found.best?;
    Some(Reply::Answer {
        lang: found.lang,
        found: best,
        also: found.named.iter().skip(1).map(|c| c.entry).collect(),
    })
}

/// A direct question (a mention, a DM, the CLI's `ask`): always some reply.
pub fn question_reply(m: &Matcher, text: &str) -> Reply {
    let found = m.ask(text);
    if let Some(best) = found.best {
        return Reply::Answer {
            lang: found.lang,
            found: best,
            also: found.named.iter().skip(1).map(|c| c.entry).collect(),
        };
    }
    let candidates: Vec<usize> = found
        .candidates
        .iter()
        .filter(|c| c.confidence > 0.05)
        .map(|c| c.entry)
        .take(3)
        .collect();
    if candidates.is_empty() {
        Reply::Unknown { lang: found.lang }
    } else {
        Reply::Suggest {
            lang: found.lang,
            did_you_mean: true,
            candidates,
        }
    }
}

/// A reply as plain text (the console, the CLI, chat fallbacks).
pub fn render_text(m: &Matcher, reply: &Reply) -> String {
    reply::text(&card(m, reply))
}
