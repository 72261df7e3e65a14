//! Discord as a [`Platform`]: replies with embeds and buttons (or a new thread on the paste),
//! edits, deletions and interaction follow-ups, as serenity builds them, sent through
//! [`crate::rest`] (which reads a 429's wait); errors told apart for the runtime's retries.
//! For escalations: the paste read back, links to messages, the resolve modal. A message's
//! `allowed_mentions` names exactly the roles and users its card pings (none for every other
//! message, and none for an edit).

use crate::escalate::{self, Guilds, Interacted};
use crate::render::{self, Pings, Rendered};
use crate::rest::{self, Direct};
use crate::ReplyStyle;
use backup_bot_core::escalation::Move;
use backup_bot_core::Reply;
use backup_bot_index::Matcher;
use backup_bot_runtime::{retry, Failure, Platform, Post, RetryPolicy, Sent, Wait};
use serenity::all::*;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// REST calls are retried 4 times on 429 (after the wait Discord asks, through `discord.api_url`;
/// serenity's limiter waits for them otherwise) and on 5xx or network errors (a doubling wait
/// from one second).
pub const RETRIES: RetryPolicy = RetryPolicy {
    first: Duration::from_secs(1),
    times: 4,
};

/// A REST error, told apart for the retries.
pub fn failure(e: serenity::Error) -> Failure {
    let wait = match &e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 429 || r.status_code.is_server_error() =>
        {
            Wait::Backoff
        }
        serenity::Error::Http(HttpError::Request(_)) => Wait::Backoff,
        _ => Wait::Never,
    };
    Failure {
        wait,
        error: anyhow::Error::new(e).context("Discord"),
    }
}

/// What sends to Discord: the gateway client's REST client, once connected.
pub struct DiscordSender {
    pub http: OnceLock<Arc<Http>>,
    /// Set with `discord.api_url`: the calls that carry replies go through it from here.
    pub direct: Option<Direct>,
    /// The guild of each channel heard from (for links).
    pub guilds: Guilds,
    pub reply: ReplyStyle,
    pub in_channel: bool,
}

impl DiscordSender {
    fn http(&self) -> Result<&Http, Failure> {
        self.http
            .get()
            .map(|h| h.as_ref())
            .ok_or_else(|| Failure::never(anyhow::anyhow!("not connected to Discord yet")))
    }
}

fn id(s: &str) -> Result<u64, Failure> {
    s.parse::<u64>().map_err(Failure::never)
}

impl Platform for DiscordSender {
    /// The interaction being answered: its first response, then follow-ups.
    type Context = Option<Interacted>;

    fn name(&self) -> &'static str {
        "discord"
    }

    fn kind(&self) -> backup_bot_core::escalation::Platform {
        backup_bot_core::escalation::Platform::Discord
    }

    fn retry_policy(&self) -> RetryPolicy {
        RETRIES
    }

    /// A new thread on the pasted message, or a reply to it (or to the clicked message). Each
    /// call is retried here. A failure is final, unless the post carries a marker: then the
    /// outbox may send it again safely (the nonce makes Discord answer a repeated message with
    /// the first; a thread already made for the message is the one to post in).
    async fn send(&self, m: &Matcher, post: &Post<'_>) -> Result<Sent, Failure> {
        let http = self.http()?;
        let r = render_on(m, post.reply);
        let channel_id = ChannelId::new(id(post.channel)?);
        let (target, reference) = match (self.reply, post.source_ts) {
            (ReplyStyle::Thread, Some(src)) => {
                let name = backup_bot_core::reply::short(&thread_name(m, post.reply), 95);
                let src_id = MessageId::new(id(src)?);
                let body = json_body(
                    &CreateThread::new(name.clone())
                        .auto_archive_duration(AutoArchiveDuration::OneDay),
                )?;
                let made: Result<GuildChannel, Failure> = retry(RETRIES, || async {
                    let route = Route::ChannelMessageThreads {
                        channel_id,
                        message_id: src_id,
                    };
                    let req = Request::new(route, LightMethod::Post).body(Some(body.clone()));
                    rest::json(http, self.direct.as_ref(), req).await
                })
                .await;
                match made {
                    Ok(thread) => (thread.id, None),
                    // Made by an earlier attempt whose answer was lost: it has the message's id.
                    Err(f) if post.marker.is_some() && thread_exists(&f) => {
                        (ChannelId::new(src_id.get()), None)
                    }
                    Err(f) => return Err(settled(f, post.marker.is_some())),
                }
            }
            _ => (
                channel_id,
                post.thread_ts
                    .or(post.source_ts)
                    .and_then(|t| t.parse::<u64>().ok())
                    // A thread made from a message has its id: that message is in the parent.
                    .filter(|&t| t != channel_id.get())
                    .map(MessageId::new),
            ),
        };
        let mut msg = message(&r);
        if let Some(id) = reference {
            msg = msg.reference_message(MessageReference::from((target, id)));
        }
        // A retry with the same nonce is answered with the message posted first: a post whose
        // answer was lost is never made twice.
        if let Some(mark) = post.marker {
            let about = post.source_ts.or(post.thread_ts);
            msg = msg
                .nonce(Nonce::String(nonce(mark, post.channel, about)))
                .enforce_nonce(true);
        }
        let body = json_body(&msg)?;
        let sent: Message = retry(RETRIES, || async {
            let route = Route::ChannelMessages { channel_id: target };
            let req = Request::new(route, LightMethod::Post).body(Some(body.clone()));
            rest::json(http, self.direct.as_ref(), req).await
        })
        .await
        .map_err(|f| settled(f, post.marker.is_some()))?;
        Ok(Sent {
            channel: target.to_string(),
            ts: sent.id.to_string(),
        })
    }

    async fn update(
        &self,
        m: &Matcher,
        channel: &str,
        ts: &str,
        reply: &Reply,
    ) -> Result<(), Failure> {
        let http = self.http()?;
        let r = render_on(m, reply);
        let route = Route::ChannelMessage {
            channel_id: ChannelId::new(id(channel)?),
            message_id: MessageId::new(id(ts)?),
        };
        let req = Request::new(route, LightMethod::Patch).body(Some(json_body(&edit(&r))?));
        let _: Message = rest::json(http, self.direct.as_ref(), req).await?;
        Ok(())
    }

    async fn delete(&self, channel: &str, ts: &str) -> Result<(), Failure> {
        let http = self.http()?;
        let route = Route::ChannelMessage {
            channel_id: ChannelId::new(id(channel)?),
            message_id: MessageId::new(id(ts)?),
        };
        rest::empty(
            http,
            self.direct.as_ref(),
            Request::new(route, LightMethod::Delete),
        )
        .await
    }

    async fn respond(
        &self,
        m: &Matcher,
        ctx: &Option<Interacted>,
        reply: &Reply,
    ) -> Result<Option<Sent>, Failure> {
        let Some(i) = ctx else {
            tracing::warn!("a response outside an interaction was dropped");
            return Ok(None);
        };
        let http = self.http()?;
        // A press left unanswered for a modal that did not come: acknowledged first.
        i.acknowledge(http).await.map_err(failure)?;
        let r = render_on(m, reply);
        let ephemeral = !self.in_channel
            || !matches!(
                reply,
                Reply::Answer { .. } | Reply::Suggest { .. } | Reply::Help { .. }
            );
        let application_id = http.application_id().ok_or_else(|| {
            Failure::never(anyhow::anyhow!("the application id is not known yet"))
        })?;
        let route = Route::WebhookFollowupMessages {
            application_id,
            token: &i.token,
        };
        let req =
            Request::new(route, LightMethod::Post).body(Some(json_body(&followup(&r, ephemeral))?));
        let sent: Message = rest::json(http, self.direct.as_ref(), req).await?;
        Ok(Some(Sent {
            channel: sent.channel_id.to_string(),
            ts: sent.id.to_string(),
        }))
    }

    /// The thread's first message (see [`escalate::read_paste`]).
    async fn read_paste(&self, channel: &str, thread: &str) -> Result<Option<String>, Failure> {
        let http = self.http()?;
        let text = escalate::read_paste(
            http,
            ChannelId::new(id(channel)?),
            MessageId::new(id(thread)?),
        )
        .await
        .map_err(failure)?;
        Ok(Some(text))
    }

    /// `https://discord.com/channels/GUILD/CHANNEL/MESSAGE`, when the channel's guild is known
    /// (from the events, else asked once).
    async fn link(&self, channel: &str, ts: &str) -> Option<String> {
        let channel = ChannelId::new(channel.parse().ok().filter(|&n| n > 0)?);
        let guild = match self.guilds.of(channel) {
            Some(g) => g,
            None => {
                let asked = self.http().ok()?.get_channel(channel).await.ok()?;
                let g = asked.guild()?.guild_id;
                self.guilds.seen(channel, Some(g));
                g.get()
            }
        };
        Some(escalate::link(guild, channel, ts))
    }

    /// The resolve modal, as the press's one initial response; false when the press was
    /// answered already (the escalation is then resolved without a note).
    async fn ask_note(&self, ctx: &Option<Interacted>, mv: &Move) -> Result<bool, Failure> {
        let Some(i) = ctx.as_ref().filter(|i| !i.is_answered()) else {
            return Ok(false);
        };
        let http = self.http()?;
        i.answer(http, CreateInteractionResponse::Modal(escalate::modal(mv)))
            .await
            .map_err(failure)?;
        Ok(true)
    }
}

/// The nonce of a marked post: its marker with the channel and the message it answers, hashed
/// (FNV-1a) into Discord's 25 characters. The same for every try of one post; a store's ids
/// start again at 1 in a new store, but with another message answered the nonce differs, so
/// Discord never answers a new reply with an old one.
fn nonce(mark: &str, channel: &str, about: Option<&str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [mark, channel, about.unwrap_or("")];
    for b in parts.iter().flat_map(|p| p.bytes().chain([0])) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("bb-{h:016x}")
}

/// A builder's JSON, as serenity sends it.
fn json_body(b: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(b).map_err(Failure::never)
}

/// Discord's "a thread has already been created for this message" (code 160004).
fn thread_exists(f: &Failure) -> bool {
    matches!(
        f.error.downcast_ref::<serenity::Error>(),
        Some(serenity::Error::Http(HttpError::UnsuccessfulRequest(r))) if r.error.code == 160004
    )
}

/// A failure after this call's own retries: final, unless a marker makes sending again safe.
fn settled(f: Failure, marked: bool) -> Failure {
    if marked {
        f
    } else {
        final_(f)
    }
}

/// A failure after this call's own retries: not retried again.
fn final_(f: Failure) -> Failure {
    Failure {
        wait: Wait::Never,
        error: f.error,
    }
}

/// A reply rendered with the matcher that decided it.
fn render_on(m: &Matcher, reply: &Reply) -> Rendered {
    render::card(&backup_bot_core::card(m, reply))
}

/// A thread's name: the answer's headline.
fn thread_name(m: &Matcher, reply: &Reply) -> String {
    match reply {
        Reply::Answer { lang, found, .. } => {
            backup_bot_core::headline(&m.entries()[found.entry], *lang)
        }
        _ => "backup-bot".to_string(),
    }
}

/// Exactly the roles and users a message pings: nothing parsed from its text, no `@everyone`.
pub fn allowed(p: &Pings) -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .roles(p.roles.iter().map(|&id| RoleId::new(id)))
        .users(p.users.iter().map(|&id| UserId::new(id)))
}

pub fn message(r: &Rendered) -> CreateMessage {
    let mut m = CreateMessage::new()
        .allowed_mentions(allowed(&r.pings))
        .components(r.rows.clone());
    if let Some(e) = &r.embed {
        m = m.embed(e.clone());
    }
    if let Some(c) = &r.content {
        m = m.content(c.clone());
    }
    m
}

fn edit(r: &Rendered) -> EditMessage {
    let mut m = EditMessage::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .components(r.rows.clone());
    if let Some(e) = &r.embed {
        m = m.embed(e.clone());
    }
    m
}

fn followup(r: &Rendered, ephemeral: bool) -> CreateInteractionResponseFollowup {
    let mut m = CreateInteractionResponseFollowup::new()
        .allowed_mentions(allowed(&r.pings))
        .components(r.rows.clone())
        .ephemeral(ephemeral);
    if let Some(e) = &r.embed {
        m = m.embed(e.clone());
    }
    if let Some(c) = &r.content {
        m = m.content(c.clone());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use backup_bot_core::escalation::Target;
    use backup_bot_core::Card;
    use serde_json::{json, Value};

    const HOSTILE: &str = "@everyone @here <@123> <@&456> <@!789>";

    fn hostile(pings: Vec<Target>) -> Card {
        Card {
            title: format!("Escalation {HOSTILE}"),
            fields: vec![("Paste".into(), HOSTILE.into())],
            steps: vec![HOSTILE.into()],
            notes: vec![HOSTILE.into()],
            context: HOSTILE.into(),
            pings,
            ..Card::default()
        }
    }

    fn json(m: &CreateMessage) -> Value {
        serde_json::to_value(m).unwrap()
    }

    #[test]
    fn a_card_pings_only_its_configured_targets_whatever_its_text_says() {
        let pings = vec![
            Target::DiscordRole(5555),
            Target::SlackGroup("S0ONCALL".into()),
        ];
        let v = json(&message(&render::card(&hostile(pings))));
        assert_eq!(v["content"], "<@&5555>", "the mention is the whole content");
        assert_eq!(v["allowed_mentions"]["parse"], json!([]));
        assert_eq!(v["allowed_mentions"]["roles"], json!(["5555"]));
        assert_eq!(v["allowed_mentions"]["users"], json!([]));
        let text = v["embeds"].to_string();
        for bad in [
            "@everyone",
            "@here",
            "<@123>",
            "<@&456>",
            "<@!789>",
            "<@&5555>",
        ] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }

        let v = json(&message(&render::card(&hostile(vec![
            Target::DiscordUser(6666),
            Target::DiscordRole(5555),
        ]))));
        assert_eq!(v["content"], "<@&5555> <@6666>");
        assert_eq!(v["allowed_mentions"]["roles"], json!(["5555"]));
        assert_eq!(v["allowed_mentions"]["users"], json!(["6666"]));
    }

    #[test]
    fn a_nonce_is_the_same_for_one_post_and_differs_for_another_message() {
        let n = nonce("backup-bot-1", "2001", Some("1001"));
        assert_eq!(n, nonce("backup-bot-1", "2001", Some("1001")));
        assert!(n.len() <= 25, "{n}");
        // A new store's first reply, to another message: not the old reply's nonce.
        assert_ne!(n, nonce("backup-bot-1", "2001", Some("1002")));
        assert_ne!(n, nonce("backup-bot-1", "2002", Some("1001")));
        assert_ne!(n, nonce("backup-bot-2", "2001", Some("1001")));
    }

    #[test]
    fn a_card_without_pings_and_an_edit_allow_no_mention() {
        let r = render::card(&hostile(vec![]));
        let v = json(&message(&r));
        assert!(v.get("content").is_none_or(Value::is_null), "{v}");
        let none = json!({"parse": [], "roles": [], "users": []});
        assert_eq!(v["allowed_mentions"], none);
        let r = render::card(&hostile(vec![Target::DiscordRole(5555)]));
        let e = serde_json::to_value(edit(&r)).unwrap();
        assert_eq!(e["allowed_mentions"], none);
    }
}
