//! `/backup-error`: help, mute and unmute, and the lookup. A command names its subject: it
//! answers at least as surely as the same text pasted in a channel.

use super::{CommandCall, Core, Effect};
use crate::command::{self, Command};
use crate::reply::Reply;
use crate::words::words;
use backup_bot_index::{Lang, Matcher};

impl Core {
    pub(super) fn command(&mut self, m: &Matcher, c: CommandCall, now: u64) -> Vec<Effect> {
        let lang = if backup_bot_index::analysis::has_hangul(&c.text) {
            Lang::Ko
        } else {
            Lang::En
        };
        let w = words(lang);
        let reply = match command::parse(&c.text) {
            Command::Help => Reply::Help { lang },
            Command::Mute(None) => Reply::Notice {
                lang,
                text: w.bad_duration.to_string(),
            },
            Command::Mute(Some(secs)) => {
                let until = now + secs;
                self.memory.muted_until.insert(c.channel.clone(), until);
                Reply::Notice {
                    lang,
                    text: format!("{} {}", w.muted, command::format_until(secs)),
                }
            }
            Command::Unmute => {
                self.memory.muted_until.remove(&c.channel);
                Reply::Notice {
                    lang,
                    text: w.unmuted.to_string(),
                }
            }
            Command::Lookup(text) => crate::lookup_reply(m, &text),
        };
        vec![Effect::Respond { reply }]
    }
}
