//! Interactions: `/backup-error` (deferred, then followed up; typed in a thread, it is about
//! that thread), its autocomplete, button presses (acknowledged at once, except a resolve,
//! which the runtime answers with a modal) and modal submissions (the same press with its
//! note). A press carries the member's roles as `role:ID`, for `escalation.responders`.

use crate::escalate::{self, Interacted};
use crate::run::{DiscordBot, COMMAND};
use crate::send::{failure, RETRIES};
use backup_bot_core::{Action, CommandCall, Incoming};
use backup_bot_runtime::retry;
use serenity::all::*;

impl DiscordBot {
    pub(crate) async fn interaction(&self, ctx: &Context, interaction: Interaction) {
        match interaction {
            Interaction::Autocomplete(ac) => {
                let partial = ac
                    .data
                    .autocomplete()
                    .map(|o| o.value.to_string())
                    .unwrap_or_default();
                let answer = self.complete(&partial);
                if let Err(e) = ac
                    .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(answer))
                    .await
                {
                    tracing::warn!(error = %e, "autocomplete answer failed");
                }
            }
            Interaction::Command(cmd) if cmd.data.name == COMMAND => self.command(ctx, cmd).await,
            Interaction::Component(c) => self.press(ctx, c).await,
            Interaction::Modal(m) => self.submitted(ctx, m).await,
            _ => {}
        }
    }

    fn seen(&self, channel: ChannelId, guild: Option<GuildId>) {
        self.runtime.platform().guilds.seen(channel, guild);
    }

    async fn command(&self, ctx: &Context, cmd: CommandInteraction) {
        self.seen(cmd.channel_id, cmd.guild_id);
        let ephemeral = !self.opts.in_channel;
        // Acknowledge in time (deferred), then follow up.
        let defer = CreateInteractionResponse::Defer(
            CreateInteractionResponseMessage::new().ephemeral(ephemeral),
        );
        if let Err(e) = retry(RETRIES, || async {
            cmd.create_response(&ctx.http, defer.clone())
                .await
                .map_err(failure)
        })
        .await
        {
            tracing::error!(error = %e, "could not acknowledge a command");
            return;
        }
        let mut text = String::new();
        for o in cmd.data.options() {
            if let ResolvedValue::String(s) = o.value {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(s);
            }
        }
        tracing::info!(channel = %cmd.channel_id, user = %cmd.user.id, "command");
        let call = Incoming::Command(CommandCall {
            channel: cmd.channel_id.to_string(),
            user: Some(cmd.user.id.to_string()),
            text,
            // Typed in a thread: about that thread (whose id is its first message's).
            thread: escalate::thread_of(cmd.channel.as_ref()),
        });
        let answering = Some(Interacted::answered(cmd.id, &cmd.token));
        self.runtime.handle(call, None, &answering).await;
    }

    async fn press(&self, ctx: &Context, c: ComponentInteraction) {
        self.seen(c.channel_id, c.guild_id);
        let answering = if escalate::opens_modal(&c.data.custom_id) {
            // The runtime answers: with the modal, or a refusal as a follow-up.
            Interacted::pending(c.id, &c.token)
        } else {
            // Acknowledge at once (a deferred update), then act.
            let i = Interacted::pending(c.id, &c.token);
            if let Err(e) = retry(RETRIES, || async {
                i.acknowledge(&ctx.http).await.map_err(failure)
            })
            .await
            {
                tracing::error!(error = %e, "could not acknowledge a button");
                return;
            }
            i
        };
        let ephemeral = c
            .message
            .flags
            .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL));
        tracing::info!(channel = %c.channel_id, action = %c.data.custom_id, "button");
        let action = Incoming::Action(Action {
            channel: c.channel_id.to_string(),
            user: Some(c.user.id.to_string()),
            action_id: c.data.custom_id.clone(),
            message_ts: c.message.id.to_string(),
            // In a thread: the thread, so a walk and its escalation are one thread's.
            thread_ts: escalate::thread_of(c.channel.as_ref()),
            ephemeral,
            note: None,
            groups: escalate::groups(c.member.as_ref()),
        });
        let answering = Some(answering);
        self.runtime.handle(action, None, &answering).await;
        self.answered(ctx, answering.as_ref()).await;
    }

    /// A modal submitted: the resolve press again, with its note (empty when left blank).
    async fn submitted(&self, ctx: &Context, m: ModalInteraction) {
        self.seen(m.channel_id, m.guild_id);
        let i = Interacted::pending(m.id, &m.token);
        if let Err(e) = retry(RETRIES, || async {
            i.acknowledge(&ctx.http).await.map_err(failure)
        })
        .await
        {
            tracing::error!(error = %e, "could not acknowledge a form");
            return;
        }
        let Some(message) = &m.message else {
            tracing::warn!("a form without its message was dropped");
            return;
        };
        tracing::info!(channel = %m.channel_id, action = %m.data.custom_id, "form submitted");
        let action = Incoming::Action(Action {
            channel: m.channel_id.to_string(),
            user: Some(m.user.id.to_string()),
            action_id: m.data.custom_id.clone(),
            message_ts: message.id.to_string(),
            thread_ts: escalate::thread_of(m.channel.as_ref()),
            ephemeral: false,
            note: Some(escalate::note(&m.data)),
            groups: escalate::groups(m.member.as_ref()),
        });
        self.runtime.handle(action, None, &Some(i)).await;
    }

    /// A press the runtime left unanswered (no modal, nothing to say) is acknowledged, so
    /// Discord does not call it failed.
    async fn answered(&self, ctx: &Context, i: Option<&Interacted>) {
        let Some(i) = i.filter(|i| !i.is_answered()) else {
            return;
        };
        if let Err(e) = retry(RETRIES, || async {
            i.acknowledge(&ctx.http).await.map_err(failure)
        })
        .await
        {
            tracing::warn!(error = %e, "could not acknowledge a button");
        }
    }
}
