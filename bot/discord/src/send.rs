//! Discord as a [`Platform`]: replies with embeds and buttons (or a new thread on the paste),
//! edits, deletions and interaction follow-ups, as serenity builds them, sent through
//! [`crate::rest`] (which reads a 429's wait); errors told apart for the runtime's retries.

use crate::render::{self, Rendered};
use crate::rest::{self, Direct};
use crate::ReplyStyle;
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
    /// The interaction's token, for follow-ups.
    type Context = Option<String>;

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
    /// call is retried here, so a thread is never made twice: a failure is final.
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
                let thread: GuildChannel = retry(RETRIES, || async {
                    let route = Route::ChannelMessageThreads {
                        channel_id,
                        message_id: src_id,
                    };
                    let req = Request::new(route, LightMethod::Post).body(Some(body.clone()));
                    rest::json(http, self.direct.as_ref(), req).await
                })
                .await
                .map_err(final_)?;
                (thread.id, None)
            }
            _ => (
                channel_id,
                post.thread_ts
                    .or(post.source_ts)
                    .and_then(|t| t.parse::<u64>().ok())
                    .map(MessageId::new),
            ),
        };
        let mut msg = message(&r);
        if let Some(id) = reference {
            msg = msg.reference_message(MessageReference::from((target, id)));
        }
        let body = json_body(&msg)?;
        let sent: Message = retry(RETRIES, || async {
            let route = Route::ChannelMessages { channel_id: target };
            let req = Request::new(route, LightMethod::Post).body(Some(body.clone()));
            rest::json(http, self.direct.as_ref(), req).await
        })
        .await
        .map_err(final_)?;
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
        token: &Option<String>,
        reply: &Reply,
    ) -> Result<Option<Sent>, Failure> {
        let Some(token) = token else {
            tracing::warn!("a response outside an interaction was dropped");
            return Ok(None);
        };
        let http = self.http()?;
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
            token,
        };
        let req =
            Request::new(route, LightMethod::Post).body(Some(json_body(&followup(&r, ephemeral))?));
        let sent: Message = rest::json(http, self.direct.as_ref(), req).await?;
        Ok(Some(Sent {
            channel: sent.channel_id.to_string(),
            ts: sent.id.to_string(),
        }))
    }
}

/// A builder's JSON, as serenity sends it.
fn json_body(b: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(b).map_err(Failure::never)
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

fn message(r: &Rendered) -> CreateMessage {
    let mut m = CreateMessage::new()
        .allowed_mentions(CreateAllowedMentions::new())
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
        .allowed_mentions(CreateAllowedMentions::new())
        .components(r.rows.clone())
        .ephemeral(ephemeral);
    if let Some(e) = &r.embed {
        m = m.embed(e.clone());
    }
    m
}
