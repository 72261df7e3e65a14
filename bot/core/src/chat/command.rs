//! `/backup-error`: help, mute and unmute, and the lookup. A command names its subject: it
//! answers at least as surely as the same text pasted in a channel.

use super::decision::{Change, Decision};
use super::{CommandCall, Decider, Effect};
use crate::command::{self, Command};
use crate::reply::Reply;
use crate::words::words;
use backup_bot_index::{Lang, Matcher};

impl Decider {
    pub(super) fn command(&self, m: &Matcher, c: CommandCall, now: u64) -> Decision {
        let lang = if backup_bot_index::analysis::has_hangul(&c.text) {
            Lang::Ko
        } else {
            Lang::En
        };
        let w = words(lang);
        let mut changes = Vec::new();
        let reply = match command::parse(&c.text) {
            Command::Help => Reply::Help { lang },
            Command::Mute(None) => Reply::Notice {
                lang,
                text: w.bad_duration.to_string(),
            },
            Command::Mute(Some(secs)) => {
                let until = now + secs;
                changes.push(Change::Mute {
                    channel: c.channel.clone(),
                    until,
                });
                Reply::Notice {
                    lang,
                    text: format!("{} {}", w.muted, command::format_until(secs)),
                }
            }
            Command::Unmute => {
                changes.push(Change::Unmute {
                    channel: c.channel.clone(),
                });
                Reply::Notice {
                    lang,
                    text: w.unmuted.to_string(),
                }
            }
            Command::Lookup(text) => crate::lookup_reply(m, &text),
        };
        Decision {
            claim: None,
            changes,
            effects: vec![Effect::Respond { reply }],
        }
    }
}
