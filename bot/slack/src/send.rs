//! Slack as a [`Platform`]: chat.postMessage, chat.update, chat.delete and response URLs
//! through the real slack-morphism client; its errors told apart for the runtime's retries
//! (429 after `Retry-After`, 5xx and network errors with a backoff). For escalations: the
//! thread's first message (conversations.replies), permalinks (chat.getPermalink), the resolve
//! note's modal (views.open with the press's trigger) and responders' user groups
//! (usergroups.users.list).

use crate::modal::{self, Press};
use crate::render::{self, Rendered};
use backup_bot_core::escalation::Move;
use backup_bot_core::Reply;
use backup_bot_index::Matcher;
use backup_bot_runtime::{Failure, Platform, Post, RetryPolicy, Sent, Wait};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;
pub type Client = SlackClient<Connector>;
pub type Http = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Web API calls and response URLs: retried 5 times, from 200 ms (a 429 waits its
/// `Retry-After`, at most 30 s).
pub const RETRIES: RetryPolicy = RetryPolicy {
    first: Duration::from_millis(200),
    times: 5,
};

/// Where a response goes.
pub enum Respond {
    /// Nowhere (a message event).
    Nowhere,
    /// A button press (or the submission of the form it opened).
    Press(Press),
    /// The HTTP response (or Socket Mode acknowledgement) of a command, in `channel`.
    Inline {
        channel: String,
        slot: Mutex<Option<Rendered>>,
    },
}

/// What sends to Slack.
pub struct SlackSender {
    pub client: Arc<Client>,
    pub token: SlackApiToken,
    pub http: Http,
}

impl SlackSender {
    pub fn session(&self) -> SlackClientSession<'_, Connector> {
        self.client.open_session(&self.token)
    }

    /// Posts JSON to a response URL (one attempt).
    async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<(), Failure> {
        let bytes = Bytes::from(serde_json::to_vec(body).map_err(Failure::never)?);
        let req = hyper::Request::post(url)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(Full::new(bytes))
            .map_err(Failure::never)?;
        match self.http.request(req).await {
            Ok(resp) if resp.status().is_success() => Ok(()),
            Ok(resp) => {
                let status = resp.status();
                let wait = if status.as_u16() == 429 {
                    Wait::After(
                        resp.headers()
                            .get(hyper::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok())
                            .map_or(Duration::from_secs(1), Duration::from_secs),
                    )
                } else if status.is_server_error() {
                    Wait::Backoff
                } else {
                    Wait::Never
                };
                Err(Failure {
                    wait,
                    error: anyhow::anyhow!("response URL answered {status}"),
                })
            }
            Err(e) => Err(Failure {
                wait: Wait::Backoff,
                error: anyhow::anyhow!("response URL: {e}"),
            }),
        }
    }
}

/// A Web API error, told apart for the retries.
pub fn failure(e: SlackClientError) -> Failure {
    let wait = match &e {
        SlackClientError::RateLimitError(r) => {
            Wait::After(r.retry_after.unwrap_or(Duration::from_secs(1)))
        }
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => Wait::Backoff,
        SlackClientError::HttpProtocolError(_) | SlackClientError::SystemError(_) => Wait::Backoff,
        _ => Wait::Never,
    };
    Failure {
        wait,
        error: anyhow::Error::new(e).context("Slack"),
    }
}

/// Slack's answers that mean the token itself is refused: retrying cannot help.
pub const REJECTED: [&str; 4] = [
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
];

/// The error code when `e` says Slack refused the token (see [`REJECTED`]).
pub fn rejected_token(e: &anyhow::Error) -> Option<&'static str> {
    let code = match e.downcast_ref::<SlackClientError>()? {
        SlackClientError::ApiError(a) => a.code.as_str(),
        _ => return None,
    };
    REJECTED.into_iter().find(|r| *r == code)
}

/// The blocks with `mark` as the first one's `block_id` (what [`Platform::find_posted`] looks
/// for); blocks that cannot carry it are left as they are.
fn marked(blocks: Vec<SlackBlock>, mark: &str) -> Vec<SlackBlock> {
    let mut v = match serde_json::to_value(&blocks) {
        Ok(v) => v,
        Err(_) => return blocks,
    };
    if let Some(first) = v.get_mut(0).and_then(|b| b.as_object_mut()) {
        first.insert(
            "block_id".into(),
            serde_json::Value::String(mark.to_string()),
        );
    }
    serde_json::from_value(v).unwrap_or(blocks)
}

/// A reply rendered with the matcher that decided it.
pub fn render_on(m: &Matcher, reply: &Reply) -> Rendered {
    render::card(&backup_bot_core::card(m, reply))
}

impl Platform for SlackSender {
    type Context = Respond;

    fn name(&self) -> &'static str {
        "slack"
    }

    fn kind(&self) -> backup_bot_core::escalation::Platform {
        backup_bot_core::escalation::Platform::Slack
    }

    fn retry_policy(&self) -> RetryPolicy {
        RETRIES
    }

    async fn send(&self, m: &Matcher, post: &Post<'_>) -> Result<Sent, Failure> {
        let mut r = render_on(m, post.reply);
        if let Some(mark) = post.marker {
            r.blocks = marked(std::mem::take(&mut r.blocks), mark);
        }
        let mut req = SlackApiChatPostMessageRequest::new(post.channel.into(), r.content())
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        if let Some(t) = post.thread_ts {
            req = req.with_thread_ts(t.into());
        }
        let posted = self
            .session()
            .chat_post_message(&req)
            .await
            .map_err(failure)?;
        Ok(Sent {
            channel: post.channel.to_string(),
            ts: posted.ts.value().clone(),
        })
    }

    /// Our message carrying `post.marker` (its first block's `block_id`) in the thread, if
    /// Slack shows one: conversations.replies returns the blocks of each message.
    async fn find_posted(&self, post: &Post<'_>) -> Result<Option<Sent>, Failure> {
        let (Some(mark), Some(thread)) = (post.marker, post.thread_ts) else {
            return Ok(None);
        };
        let req = SlackApiConversationsRepliesRequest::new(post.channel.into(), thread.into())
            .with_limit(1000);
        let found = self
            .session()
            .conversations_replies(&req)
            .await
            .map_err(failure)?;
        let wanted = serde_json::Value::String(mark.to_string());
        let ts = found.messages.iter().find_map(|msg| {
            let v = serde_json::to_value(msg).ok()?;
            v["blocks"]
                .as_array()?
                .iter()
                .any(|b| b["block_id"] == wanted)
                .then(|| msg.origin.ts.value().clone())
        });
        Ok(ts.map(|ts| Sent {
            channel: post.channel.to_string(),
            ts,
        }))
    }

    async fn update(
        &self,
        m: &Matcher,
        channel: &str,
        ts: &str,
        reply: &Reply,
    ) -> Result<(), Failure> {
        let r = render_on(m, reply);
        let req = SlackApiChatUpdateRequest::new(channel.into(), r.content(), ts.into());
        self.session().chat_update(&req).await.map_err(failure)?;
        Ok(())
    }

    async fn delete(&self, channel: &str, ts: &str) -> Result<(), Failure> {
        let req = SlackApiChatDeleteRequest::new(channel.into(), ts.into());
        self.session().chat_delete(&req).await.map_err(failure)?;
        Ok(())
    }

    async fn respond(
        &self,
        m: &Matcher,
        ctx: &Respond,
        reply: &Reply,
    ) -> Result<Option<Sent>, Failure> {
        let r = render_on(m, reply);
        match ctx {
            Respond::Nowhere
            | Respond::Press(Press {
                response_url: None, ..
            }) => {
                tracing::warn!("a response without a response URL was dropped");
                Ok(None)
            }
            Respond::Press(Press {
                response_url: Some(url),
                ..
            }) => {
                let body = serde_json::json!({
                    "response_type": "ephemeral",
                    "replace_original": false,
                    "text": r.text,
                    "blocks": render::blocks_json(&r),
                });
                self.post_json(url, &body).await?;
                Ok(None)
            }
            Respond::Inline { channel, slot } => {
                *slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
                // Buttons on a command's answer belong to that answer.
                Ok(Some(Sent {
                    channel: channel.clone(),
                    ts: "command".to_string(),
                }))
            }
        }
    }

    async fn read_paste(&self, channel: &str, thread: &str) -> Result<Option<String>, Failure> {
        let req = SlackApiConversationsRepliesRequest::new(channel.into(), thread.into())
            .with_limit(1)
            .with_inclusive(true);
        let replies = self
            .session()
            .conversations_replies(&req)
            .await
            .map_err(failure)?;
        Ok(replies
            .messages
            .into_iter()
            .next()
            .and_then(|m| m.content.text))
    }

    async fn link(&self, channel: &str, ts: &str) -> Option<String> {
        let req = SlackApiChatGetPermalinkRequest::new(channel.into(), ts.into());
        match self.session().chat_get_permalink(&req).await {
            Ok(r) => Some(r.permalink.to_string()),
            Err(e) => {
                tracing::debug!(error = %e, "chat.getPermalink failed");
                None
            }
        }
    }

    async fn ask_note(&self, ctx: &Respond, mv: &Move) -> Result<bool, Failure> {
        let Respond::Press(press) = ctx else {
            return Ok(false);
        };
        let Some(trigger) = &press.trigger_id else {
            return Ok(false);
        };
        let req =
            SlackApiViewsOpenRequest::new(trigger.clone().into(), modal::resolve_view(mv, press));
        match self.session().views_open(&req).await {
            Ok(_) => Ok(true),
            // A trigger lasts 3 seconds and opens one view: an expired one resolves without a note.
            Err(SlackClientError::ApiError(a)) if a.code.contains("trigger") => {
                tracing::warn!(code = %a.code, "views.open refused the trigger; resolving without a note");
                Ok(false)
            }
            Err(e) => Err(failure(e)),
        }
    }

    async fn groups_of(&self, user: &str, groups: &[String]) -> Vec<String> {
        let mut inside = Vec::new();
        for g in groups.iter().filter(|g| g.starts_with('S')) {
            let req = SlackApiUserGroupsUsersListRequest::new(g.clone().into());
            match self.session().usergroups_users_list(&req).await {
                Ok(r) if r.users.iter().any(|u| u.value() == user) => inside.push(g.clone()),
                Ok(_) => {}
                Err(e) => tracing::warn!(group = %g, error = %e, "usergroups.users.list failed"),
            }
        }
        inside
    }
}
