//! The Slack runtime: hands events to the core and carries out its effects through the real
//! slack-morphism client (chat.postMessage, chat.update, chat.delete, files.info) and
//! response URLs, with retries that neither lose nor double a reply.

use crate::inbound::{self, Heard};
use crate::render::{self, Rendered};
use backup_bot_core::now;
use backup_bot_core::{Core, Effect, Incoming, Reply};
use backup_bot_index::Matcher;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Files are read up to this many bytes (like pastes, which are cut at 40 KB).
pub const MAX_FILE_BYTES: usize = 40 * 1024;
/// 429s are retried this many times, after the `Retry-After` Slack asks for (capped).
pub const MAX_RATE_LIMIT_RETRIES: usize = 5;
/// 5xx and network errors are retried this many times, with a doubling backoff.
pub const MAX_ERROR_RETRIES: usize = 3;
const EVENT_MEMORY: usize = 10_000;

pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;
pub type Client = SlackClient<Connector>;

/// What the adapter needs to know.
#[derive(Clone)]
pub struct SlackOptions {
    pub bot_token: String,
    pub api_url: String,
    /// Command answers seen by the whole channel (else only by the caller).
    pub in_channel: bool,
}

impl std::fmt::Debug for SlackOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackOptions")
            .field("bot_token", &"[redacted]")
            .field("api_url", &self.api_url)
            .field("in_channel", &self.in_channel)
            .finish()
    }
}

/// An https-or-http connector: Slack itself is https; tests and proxies may be plain http.
fn https_or_http() -> HttpsConnector<HttpConnector> {
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        // No system certificates: an empty root store (https then fails clearly; http works).
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
            rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("default protocol versions")
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
        ),
    };
    builder.https_or_http().enable_http1().build()
}

/// The Slack side of the bot.
pub struct SlackBot {
    core: Mutex<Core>,
    pub client: Arc<Client>,
    token: SlackApiToken,
    bot_user: Mutex<Option<String>>,
    http: hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    in_channel: bool,
    events: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl SlackBot {
    /// The core, locked (a panic elsewhere while it was held does not stop the bot).
    fn core(&self) -> std::sync::MutexGuard<'_, Core> {
        self.core
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn new(core: Core, opts: &SlackOptions) -> Arc<SlackBot> {
        let connector = SlackClientHyperConnector::with_connector(https_or_http())
            .with_slack_api_url(&opts.api_url);
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build(https_or_http());
        Arc::new(SlackBot {
            core: Mutex::new(core),
            client: Arc::new(SlackClient::new(connector)),
            token: SlackApiToken::new(opts.bot_token.clone().into()),
            bot_user: Mutex::new(None),
            http,
            in_channel: opts.in_channel,
            events: Mutex::new((HashSet::new(), VecDeque::new())),
        })
    }

    /// Learns the bot's own user id (auth.test), to know its mentions and its own messages.
    pub async fn introduce(&self) -> anyhow::Result<()> {
        let r = self.client.open_session(&self.token).auth_test().await?;
        tracing::info!(user = %r.user_id, team = %r.team_id, "connected to Slack");
        *self
            .bot_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r.user_id.value().clone());
        Ok(())
    }

    fn bot_user(&self) -> Option<String> {
        self.bot_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// True the first time an event id is seen (Slack retries deliveries).
    pub fn first_delivery(&self, event_id: &str) -> bool {
        let mut g = self
            .events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if g.0.contains(event_id) {
            return false;
        }
        if g.1.len() >= EVENT_MEMORY {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
        g.0.insert(event_id.to_string());
        g.1.push_back(event_id.to_string());
        true
    }

    /// An Events API callback: decided and carried out (call it from a task: it awaits Slack).
    pub async fn on_event(
        self: Arc<Self>,
        cb: SlackPushEventCallback,
        raw_event: serde_json::Value,
    ) {
        if !self.first_delivery(cb.event_id.value()) {
            tracing::debug!(event = %cb.event_id, "repeated delivery ignored");
            return;
        }
        let heard = inbound::event(&cb, &raw_event, self.bot_user().as_deref());
        let (mut message, files) = match heard {
            Heard::Message { message, files } => (message, files),
            Heard::Ignored(why) => {
                tracing::debug!(event = %cb.event_id, why, "event ignored");
                return;
            }
        };
        for f in files.iter().filter(|f| f.is_text()) {
            match self.read_file(&f.id).await {
                Ok(text) => {
                    message.text.push('\n');
                    message.text.push_str(&text);
                }
                Err(e) => tracing::warn!(file = %f.id, error = %e, "could not read a shared file"),
            }
        }
        tracing::info!(event = %cb.event_id, channel = %message.channel, ts = %message.ts, "message");
        let (matcher, effects) = self.core().decide(Incoming::Message(message), now());
        self.carry_out(&matcher, effects, None).await;
    }

    /// A slash command: the answer to send back at once (the HTTP response, or the Socket Mode
    /// acknowledgement); there is nothing slow to do for it.
    pub fn on_command(&self, ev: &SlackCommandEvent) -> SlackCommandEventResponse {
        let (incoming, _response_url) = inbound::command(ev);
        tracing::info!(channel = %ev.channel_id, user = %ev.user_id, "command");
        let (matcher, effects) = self.core().decide(incoming, now());
        let reply = effects.into_iter().find_map(|e| match e {
            Effect::Respond { reply } => Some(reply),
            _ => None,
        });
        let rendered = match &reply {
            Some(r) => render_on(&matcher, r),
            None => render_on(
                &matcher,
                &Reply::Help {
                    lang: backup_bot_index::Lang::En,
                },
            ),
        };
        if let Some(r) = &reply {
            // Buttons on a command's answer belong to that answer.
            self.core()
                .responded(&matcher, ev.channel_id.value(), "command", r);
        }
        SlackCommandEventResponse::new(rendered.content()).with_response_type(if self.in_channel {
            SlackMessageResponseType::InChannel
        } else {
            SlackMessageResponseType::Ephemeral
        })
    }

    /// Button presses (call it from a task).
    pub async fn on_actions(self: Arc<Self>, ba: SlackInteractionBlockActionsEvent) {
        for (incoming, response_url) in inbound::actions(&ba) {
            if let Incoming::Action(a) = &incoming {
                tracing::info!(channel = %a.channel, action = %a.action_id, "button");
            }
            let (matcher, effects) = self.core().decide(incoming, now());
            self.carry_out(&matcher, effects, response_url.as_deref())
                .await;
        }
    }

    /// Carries out effects decided on `m`: rendered and reported with that same matcher, so a
    /// reload in between does not change what they refer to.
    async fn carry_out(&self, m: &Matcher, effects: Vec<Effect>, response_url: Option<&str>) {
        for effect in effects {
            if let Err(e) = self.carry_out_one(m, effect, response_url).await {
                tracing::error!(error = %e, "could not send to Slack");
            }
        }
    }

    async fn carry_out_one(
        &self,
        m: &Matcher,
        effect: Effect,
        response_url: Option<&str>,
    ) -> anyhow::Result<()> {
        let session = self.client.open_session(&self.token);
        match effect {
            Effect::Post {
                channel,
                thread_ts,
                reply,
                source_ts,
            } => {
                let r = render_on(m, &reply);
                let mut req =
                    SlackApiChatPostMessageRequest::new(channel.clone().into(), r.content())
                        .with_unfurl_links(false)
                        .with_unfurl_media(false);
                if let Some(t) = thread_ts {
                    req = req.with_thread_ts(t.into());
                }
                let posted = retry(|| session.chat_post_message(&req)).await?;
                tracing::info!(channel = %channel, ts = %posted.ts, "replied");
                self.core().posted(
                    m,
                    &channel,
                    posted.ts.value(),
                    &reply,
                    source_ts.as_deref(),
                    now(),
                );
            }
            Effect::Update { channel, ts, reply } => {
                let r = render_on(m, &reply);
                let req = SlackApiChatUpdateRequest::new(
                    channel.clone().into(),
                    r.content(),
                    ts.clone().into(),
                );
                retry(|| session.chat_update(&req)).await?;
                tracing::info!(channel = %channel, ts = %ts, "updated a reply");
            }
            Effect::Delete { channel, ts } => {
                let req = SlackApiChatDeleteRequest::new(channel.clone().into(), ts.clone().into());
                retry(|| session.chat_delete(&req)).await?;
                tracing::info!(channel = %channel, ts = %ts, "removed a reply");
            }
            Effect::Respond { reply } => {
                let Some(url) = response_url else {
                    tracing::warn!("a response without a response URL was dropped");
                    return Ok(());
                };
                let r = render_on(m, &reply);
                let body = serde_json::json!({
                    "response_type": "ephemeral",
                    "replace_original": false,
                    "text": r.text,
                    "blocks": render::blocks_json(&r),
                });
                self.post_json(url, &body).await?;
            }
        }
        Ok(())
    }

    /// Posts JSON to a response URL, with the same retries as the Web API.
    async fn post_json(&self, url: &str, body: &serde_json::Value) -> anyhow::Result<()> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        let mut attempt = 0;
        loop {
            let req = hyper::Request::post(url)
                .header(
                    hyper::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(Full::new(bytes.clone()))?;
            let outcome = self.http.request(req).await;
            let wait = match &outcome {
                Ok(resp) if resp.status().is_success() => return Ok(()),
                Ok(resp) if resp.status().as_u16() == 429 && attempt < MAX_RATE_LIMIT_RETRIES => {
                    resp.headers()
                        .get(hyper::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .map_or(Duration::from_secs(1), |s| Duration::from_secs(s.min(30)))
                }
                Ok(resp) if resp.status().is_server_error() && attempt < MAX_ERROR_RETRIES => {
                    backoff(attempt)
                }
                Err(_) if attempt < MAX_ERROR_RETRIES => backoff(attempt),
                Ok(resp) => anyhow::bail!("response URL answered {}", resp.status()),
                Err(e) => anyhow::bail!("response URL: {e}"),
            };
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads a shared text file: files.info for its private URL, then the first 40 KB of it
    /// with the bot token.
    async fn read_file(&self, id: &str) -> anyhow::Result<String> {
        let session = self.client.open_session(&self.token);
        let req = SlackApiFilesInfoRequest::new(id.to_string().into());
        let info = retry(|| session.files_info(&req)).await?;
        let url = info
            .file
            .url_private_download
            .or(info.file.url_private)
            .ok_or_else(|| anyhow::anyhow!("file {id} has no private URL"))?;
        let req = hyper::Request::get(url.as_str())
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.token.token_value.value()),
            )
            .header(
                hyper::header::RANGE,
                format!("bytes=0-{}", MAX_FILE_BYTES - 1),
            )
            .body(Full::new(Bytes::new()))?;
        let resp = self.http.request(req).await?;
        if !resp.status().is_success() {
            anyhow::bail!("file download answered {}", resp.status());
        }
        // Read at most the first 40 KB, whatever the server sends.
        let mut body = resp.into_body();
        let mut buf: Vec<u8> = Vec::new();
        while buf.len() < MAX_FILE_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        let room = MAX_FILE_BYTES - buf.len();
                        buf.extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => break,
            }
        }
        Ok(backup_bot_core::utf8_prefix(buf))
    }
}

fn backoff(attempt: usize) -> Duration {
    Duration::from_millis(200 << attempt.min(6))
}

/// Runs a Web API call, retrying 429s after `Retry-After` and 5xx or network errors with a
/// doubling backoff, a bounded number of times.
pub async fn retry<T, F, Fut>(mut call: F) -> Result<T, SlackClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SlackClientError>>,
{
    let (mut limited, mut failed) = (0, 0);
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(SlackClientError::RateLimitError(e)) if limited < MAX_RATE_LIMIT_RETRIES => {
                limited += 1;
                let wait = e
                    .retry_after
                    .unwrap_or(Duration::from_secs(1))
                    .min(Duration::from_secs(30));
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    "Slack rate limit: waiting"
                );
                tokio::time::sleep(wait).await;
            }
            Err(SlackClientError::HttpError(e))
                if e.status_code.is_server_error() && failed < MAX_ERROR_RETRIES =>
            {
                tracing::warn!(status = %e.status_code, "Slack server error: retrying");
                tokio::time::sleep(backoff(failed)).await;
                failed += 1;
            }
            Err(SlackClientError::HttpProtocolError(_)) | Err(SlackClientError::SystemError(_))
                if failed < MAX_ERROR_RETRIES =>
            {
                tracing::warn!("network error talking to Slack: retrying");
                tokio::time::sleep(backoff(failed)).await;
                failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A reply rendered with the matcher that decided it.
fn render_on(m: &Matcher, reply: &Reply) -> Rendered {
    render::card(&backup_bot_core::card(m, reply))
}
