//! The Slack side of the bot: events, commands and button presses become neutral events for the
//! runtime (which claims, decides, retries and records); shared text files are read here.

use crate::inbound::{self, Heard};
use crate::send::{failure, Client, Respond, SlackSender, RETRIES};
use backup_bot_core::chat::Decider;
use backup_bot_core::{Capped, Incoming, Reply};
use backup_bot_runtime::link::{Backoff, Link};
use backup_bot_runtime::{retry, Runtime, State};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;
use std::sync::{Arc, Mutex};

/// Files are read up to this many bytes.
pub use backup_bot_core::MAX_FILE_BYTES;

/// What the adapter needs to know (the token is a secret: its `Debug` is redacted).
#[derive(Clone, Debug)]
pub struct SlackOptions {
    pub bot_token: SecretString,
    pub api_url: String,
    /// Command answers seen by the whole channel (else only by the caller).
    pub in_channel: bool,
    /// Who is on call (the default: escalation not set up).
    pub escalation: Arc<backup_bot_runtime::Escalation>,
}

/// An https-or-http connector: Slack itself is https; tests and proxies may be plain http.
pub(crate) fn https_or_http() -> HttpsConnector<HttpConnector> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    https_or_http_over(http)
}

/// The same over a TCP connector of one's own (a connect timeout, say).
pub(crate) fn https_or_http_over(http: HttpConnector) -> HttpsConnector<HttpConnector> {
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
    builder.https_or_http().enable_http1().wrap_connector(http)
}

/// Whether `e` says Slack could not be reached (the network, a server error, a rate limit), not
/// that Slack answered no.
pub fn unreachable(e: &anyhow::Error) -> bool {
    use slack_morphism::errors::SlackClientError as E;
    match e.downcast_ref::<E>() {
        Some(E::HttpError(h)) => h.status_code.is_server_error(),
        Some(E::HttpProtocolError(_) | E::SystemError(_) | E::RateLimitError(_)) => true,
        _ => false,
    }
}

/// An event taken in: accepted (claimed, its reply in the outbox), or waiting for its files.
pub enum Taken {
    Accepted(backup_bot_runtime::Accepted),
    WithFiles {
        message: backup_bot_core::Message,
        files: Vec<inbound::SharedFile>,
        event: String,
        came_in: std::time::Instant,
    },
}

/// The Slack side of the bot.
pub struct SlackBot {
    runtime: Runtime<SlackSender>,
    pub client: Arc<Client>,
    bot_user: Mutex<Option<String>>,
    in_channel: bool,
    /// Slack's Web API origin (for the Socket Mode listener's own client).
    pub(crate) api_url: String,
    /// Socket Mode: connected between Slack's hello and the socket's loss; down while Slack
    /// cannot be reached (readiness, and the log once per change).
    pub link: Link,
}

impl SlackBot {
    pub fn new(decider: Arc<Decider>, state: Arc<State>, opts: &SlackOptions) -> Arc<SlackBot> {
        let connector = SlackClientHyperConnector::with_connector(https_or_http())
            .with_slack_api_url(&opts.api_url);
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build(https_or_http());
        let client = Arc::new(SlackClient::new(connector));
        let sender = SlackSender {
            client: client.clone(),
            token: SlackApiToken::new(opts.bot_token.expose_secret().to_string().into()),
            http,
        };
        Arc::new(SlackBot {
            runtime: Runtime::new(decider, state, sender, opts.escalation.clone()),
            client,
            bot_user: Mutex::new(None),
            in_channel: opts.in_channel,
            api_url: opts.api_url.clone(),
            link: Link::new("Slack"),
        })
    }

    /// The runtime (its reminder loop, for the server to run).
    pub fn runtime(&self) -> &Runtime<SlackSender> {
        &self.runtime
    }

    fn sender(&self) -> &SlackSender {
        self.runtime.platform()
    }

    /// Learns the bot's own user id (auth.test), to know its mentions and its own messages. A
    /// token Slack refuses is an error, and so is any other answer of Slack's; Slack out of
    /// reach is not: the link says it is down and auth.test is tried again in the background,
    /// with the capped backoff, until Slack answers.
    pub async fn introduce(self: &Arc<Self>) -> anyhow::Result<()> {
        match self.auth_test().await {
            Err(e) if unreachable(&e) => {
                self.link.down(&format_args!("auth.test: {e:#}"));
                let bot = self.clone();
                tokio::spawn(async move {
                    let mut backoff = Backoff::new();
                    loop {
                        tokio::time::sleep(backoff.next_wait()).await;
                        match bot.auth_test().await {
                            Err(e) if unreachable(&e) => {
                                tracing::debug!(error = %e, "auth.test: Slack still out of reach")
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "auth.test failed: check slack.bot_token; mentions are still heard as app_mention");
                                return;
                            }
                            Ok(()) => return,
                        }
                    }
                });
                Ok(())
            }
            r => r,
        }
    }

    async fn auth_test(&self) -> anyhow::Result<()> {
        let r = self.sender().session().auth_test().await?;
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

    /// An Events API callback: decided and carried out (call it from a task: it awaits Slack).
    /// A retried delivery finds its event (and its message) claimed.
    /// An event, taken in before Slack is told it arrived: a message is claimed and its reply
    /// written to the outbox (a message with text files to read is taken in once they are
    /// read, in [`SlackBot::finish`]: reading them cannot wait for the acknowledgement).
    pub async fn take(
        self: &Arc<Self>,
        cb: SlackPushEventCallback,
        raw_event: serde_json::Value,
    ) -> Option<Taken> {
        let came_in = std::time::Instant::now();
        let heard = inbound::event(&cb, &raw_event, self.bot_user().as_deref());
        let (message, files) = match heard {
            Heard::Message { message, files } => (message, files),
            Heard::Ignored(why) => {
                tracing::debug!(event = %cb.event_id, why, "event ignored");
                return None;
            }
        };
        tracing::info!(event = %cb.event_id, channel = %message.channel, ts = %message.ts, "message");
        let event = cb.event_id.value().clone();
        if files.iter().any(|f| f.is_text()) {
            return Some(Taken::WithFiles {
                message,
                files,
                event,
                came_in,
            });
        }
        let accepted = self
            .runtime
            .accept(Incoming::Message(message), Some(&event), came_in)
            .await;
        Some(Taken::Accepted(accepted))
    }

    /// Delivers what [`SlackBot::take`] took in.
    pub async fn finish(self: Arc<Self>, taken: Taken) {
        let accepted = match taken {
            Taken::Accepted(a) => a,
            Taken::WithFiles {
                mut message,
                files,
                event,
                came_in,
            } => {
                for f in files.iter().filter(|f| f.is_text()) {
                    match self.read_file(&f.id).await {
                        Ok(text) => {
                            message.text.push('\n');
                            message.text.push_str(&text);
                        }
                        Err(e) => {
                            tracing::warn!(file = %f.id, error = %e, "could not read a shared file")
                        }
                    }
                }
                self.runtime
                    .accept(Incoming::Message(message), Some(&event), came_in)
                    .await
            }
        };
        self.runtime.deliver(accepted, &Respond::Nowhere).await;
    }

    /// A slash command: the answer to send back at once (the HTTP response, or the Socket Mode
    /// acknowledgement); there is nothing slow to do for it.
    pub async fn on_command(&self, ev: &SlackCommandEvent) -> SlackCommandEventResponse {
        let (incoming, _response_url) = inbound::command(ev);
        tracing::info!(channel = %ev.channel_id, user = %ev.user_id, "command");
        let respond = Respond::Inline {
            channel: ev.channel_id.value().clone(),
            slot: Mutex::new(None),
        };
        self.runtime.handle(incoming, None, &respond).await;
        let Respond::Inline { slot, .. } = respond else {
            unreachable!("made inline above")
        };
        let rendered = slot
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .unwrap_or_else(|| {
                let m = self.runtime.decider().matcher();
                crate::send::render_on(
                    &m,
                    &Reply::Help {
                        lang: backup_bot_index::Lang::En,
                    },
                )
            });
        SlackCommandEventResponse::new(rendered.content()).with_response_type(if self.in_channel {
            SlackMessageResponseType::InChannel
        } else {
            SlackMessageResponseType::Ephemeral
        })
    }

    /// Button presses (call it from a task).
    pub async fn on_actions(self: Arc<Self>, ba: SlackInteractionBlockActionsEvent) {
        for (incoming, press) in inbound::actions(&ba) {
            if let Incoming::Action(a) = &incoming {
                tracing::info!(channel = %a.channel, action = %a.action_id, "button");
            }
            self.runtime
                .handle(incoming, None, &Respond::Press(press))
                .await;
        }
    }

    /// A submitted modal (the resolve note): the press it completes, carried out (call it from a
    /// task: Slack closes the modal on the empty acknowledgement). The note is never logged.
    pub async fn on_submission(self: Arc<Self>, vs: SlackInteractionViewSubmissionEvent) {
        let Some((incoming, press)) = inbound::submission(&vs) else {
            tracing::debug!("a view submission that is not ours was ignored");
            return;
        };
        if let Incoming::Action(a) = &incoming {
            tracing::info!(channel = %a.channel, action = %a.action_id, "form submitted");
        }
        self.runtime
            .handle(incoming, None, &Respond::Press(press))
            .await;
    }

    /// Reads a shared text file: files.info for its private URL, then the first 40 KB of it
    /// with the bot token.
    async fn read_file(&self, id: &str) -> anyhow::Result<String> {
        let session = self.sender().session();
        let req = SlackApiFilesInfoRequest::new(id.to_string().into());
        let info = retry(RETRIES, || async {
            session.files_info(&req).await.map_err(failure)
        })
        .await
        .map_err(|f| f.error)?;
        let url = info
            .file
            .url_private_download
            .or(info.file.url_private)
            .ok_or_else(|| anyhow::anyhow!("file {id} has no private URL"))?;
        let req = hyper::Request::get(url.as_str())
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.sender().token.token_value.value()),
            )
            .header(
                hyper::header::RANGE,
                format!("bytes=0-{}", MAX_FILE_BYTES - 1),
            )
            .body(Full::new(Bytes::new()))?;
        let resp = self.sender().http.request(req).await?;
        if !resp.status().is_success() {
            anyhow::bail!("file download answered {}", resp.status());
        }
        // Read at most the first 40 KB, whatever the server sends.
        let mut body = resp.into_body();
        let mut read = Capped::new(MAX_FILE_BYTES);
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame?.data_ref() {
                if !read.push(data) {
                    break;
                }
            }
        }
        Ok(read.text())
    }
}
