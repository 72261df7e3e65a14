//! What escalations need of Discord beyond posting: the interaction being answered (a resolve
//! press is answered with a modal, so it is not deferred before the runtime decides), the modal
//! and the note its submission carries, the paste read back from a thread's first message, and
//! links to messages (the guild of each channel, as the events name it).

use backup_bot_core::escalation::{action, Move};
use serenity::all::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The text input of the resolve modal.
pub const NOTE: &str = "note";
/// Discord's limits: a modal's title and an input's label.
const MAX_MODAL_TITLE: usize = 45;
const MAX_NOTE: u16 = 1000;
/// Channels whose guild is remembered, at most (forgotten all at once past it).
const MAX_GUILDS_KEPT: usize = 10_000;

/// An interaction the bot answers: its id and token, and whether Discord has had its one
/// initial response yet (a second one is refused).
#[derive(Debug)]
pub struct Interacted {
    pub id: InteractionId,
    pub token: String,
    answered: AtomicBool,
}

impl Interacted {
    /// An interaction already acknowledged (deferred): only follow-ups remain.
    pub fn answered(id: InteractionId, token: &str) -> Interacted {
        Interacted {
            id,
            token: token.to_string(),
            answered: AtomicBool::new(true),
        }
    }

    /// An interaction not yet answered: the runtime's first effect answers it (a modal, or an
    /// acknowledgement before a follow-up); [`Interacted::acknowledge`] does if none did.
    pub fn pending(id: InteractionId, token: &str) -> Interacted {
        Interacted {
            answered: AtomicBool::new(false),
            ..Interacted::answered(id, token)
        }
    }

    pub fn is_answered(&self) -> bool {
        self.answered.load(Ordering::SeqCst)
    }

    fn mark(&self) {
        self.answered.store(true, Ordering::SeqCst);
    }

    /// Answers it with `response` unless it was answered already.
    pub async fn answer(
        &self,
        http: &Http,
        response: CreateInteractionResponse,
    ) -> serenity::Result<()> {
        if self.is_answered() {
            return Ok(());
        }
        response.execute(http, (self.id, &self.token)).await?;
        self.mark();
        Ok(())
    }

    /// A deferred update (the message stays as it is), unless it was answered already.
    pub async fn acknowledge(&self, http: &Http) -> serenity::Result<()> {
        self.answer(http, CreateInteractionResponse::Acknowledge)
            .await
    }
}

/// Whether a button press opens the resolve modal (and so is not deferred first).
pub fn opens_modal(custom_id: &str) -> bool {
    custom_id
        .split_once(':')
        .is_some_and(|(name, id)| name == action::RESOLVE && !id.is_empty())
}

/// The resolve modal: its custom id is the button's action id, so its submission is the same
/// press with a note.
pub fn modal(mv: &Move) -> CreateModal {
    let id = mv.id.trim_start_matches('#');
    let title: String = format!("Resolve escalation #{id}")
        .chars()
        .take(MAX_MODAL_TITLE)
        .collect();
    let input = CreateInputText::new(InputTextStyle::Paragraph, "Note (optional)", NOTE)
        .required(false)
        .max_length(MAX_NOTE)
        .placeholder("What fixed it, or why it is closed");
    CreateModal::new(format!("{}:{}", action::RESOLVE, mv.id), title)
        .components(vec![CreateActionRow::InputText(input)])
}

/// The note a modal submission carries: empty when left blank.
pub fn note(data: &ModalInteractionData) -> String {
    data.components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == NOTE => {
                Some(t.value.clone().unwrap_or_default())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The roles of the member who pressed, as responders are written (`role:ID`).
pub fn groups(member: Option<&Member>) -> Vec<String> {
    member
        .map(|m| m.roles.iter().map(|r| format!("role:{r}")).collect())
        .unwrap_or_default()
}

/// Whether a channel is a thread.
pub fn is_thread(kind: ChannelType) -> bool {
    matches!(
        kind,
        ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread
    )
}

/// The thread an interaction came from, if it came from one: its own id.
pub fn thread_of(channel: Option<&PartialChannel>) -> Option<String> {
    channel
        .filter(|c| is_thread(c.kind))
        .map(|c| c.id.to_string())
}

/// The text of a thread's first message. A thread made from a message has that message's id,
/// and the message lives in the thread's parent; else `thread` is a message in `channel`.
pub async fn read_paste(
    http: &Http,
    channel: ChannelId,
    thread: MessageId,
) -> serenity::Result<String> {
    let mut home = channel;
    if channel.get() == thread.get() {
        if let Channel::Guild(c) = http.get_channel(channel).await? {
            if let (true, Some(parent)) = (is_thread(c.kind), c.parent_id) {
                home = parent;
            }
        }
    }
    Ok(http.get_message(home, thread).await?.content)
}

/// The guild of each channel the bot has heard from, for links to messages.
#[derive(Debug, Default)]
pub struct Guilds(Mutex<HashMap<u64, u64>>);

impl Guilds {
    pub fn seen(&self, channel: ChannelId, guild: Option<GuildId>) {
        let Some(g) = guild else { return };
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_GUILDS_KEPT && !map.contains_key(&channel.get()) {
            map.clear();
        }
        map.insert(channel.get(), g.get());
    }

    pub fn of(&self, channel: ChannelId) -> Option<u64> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&channel.get())
            .copied()
    }
}

/// A link to a message in a guild.
pub fn link(guild: u64, channel: ChannelId, message: &str) -> String {
    format!("https://discord.com/channels/{guild}/{channel}/{message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_resolve_with_an_id_opens_the_modal() {
        assert!(opens_modal("escalation.resolve:12"));
        assert!(!opens_modal("escalation.resolve:"));
        assert!(!opens_modal("escalation.ack:12"));
        assert!(!opens_modal("guide.start"));
    }

    #[test]
    fn the_modal_echoes_the_buttons_action_and_its_note_is_optional() {
        let mv = Move {
            id: "12".into(),
            to: backup_bot_core::escalation::State::Resolved,
            user: None,
            groups: vec![],
            note: None,
            lang: backup_bot_index::Lang::En,
        };
        let v = serde_json::to_value(CreateInteractionResponse::Modal(modal(&mv))).unwrap();
        assert_eq!(v["type"], 9);
        assert_eq!(v["data"]["custom_id"], "escalation.resolve:12");
        let input = &v["data"]["components"][0]["components"][0];
        assert_eq!(
            (input["type"].as_u64(), input["required"].as_bool()),
            (Some(4), Some(false))
        );
        assert_eq!(input["custom_id"], NOTE);
    }
}
