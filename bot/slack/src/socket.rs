//! Socket Mode: slack-morphism's listener connects with the URL from `apps.connections.open`,
//! acknowledges each envelope when its callback returns (so callbacks hand the work to a task),
//! and reconnects on `disconnect` messages and dropped connections.

use crate::run::SlackBot;
use crate::send::Connector;
use slack_morphism::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Checks the app token once with `apps.connections.open`: a token Slack refuses ends the bot
/// with one line (the listener alone would retry it forever); any other failure (a network
/// that is down) is left to the listener's capped backoff.
pub async fn check_app_token(bot: &SlackBot, app_token: &str) -> anyhow::Result<()> {
    let token = SlackApiToken::new(app_token.to_string().into());
    let session = bot.client.open_session(&token);
    match session
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = anyhow::Error::new(e);
            match crate::send::rejected_token(&e) {
                Some(code) => anyhow::bail!(
                    "Slack refused slack.app_token ({code}): generate an app-level token (xapp-…) \
                     with the connections:write scope under Basic Information → App-Level Tokens \
                     and set slack.app_token or BACKUP_BOT__SLACK__APP_TOKEN"
                ),
                None => {
                    tracing::warn!(error = %e, "Slack: apps.connections.open failed; retrying with backoff");
                    Ok(())
                }
            }
        }
    }
}

/// Shared state of the callbacks (they are plain functions).
struct Shared(Arc<SlackBot>);

async fn bot(states: &SlackClientEventsUserState) -> Option<Arc<SlackBot>> {
    states
        .read()
        .await
        .get_user_state::<Shared>()
        .map(|s| s.0.clone())
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some(b) = bot(&states).await {
        let raw = serde_json::to_value(&event.event).unwrap_or_default();
        tokio::spawn(b.on_event(event, raw));
    }
    Ok(())
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    match bot(&states).await {
        Some(b) => Ok(b.on_command(&event).await),
        None => Ok(SlackCommandEventResponse::new(
            SlackMessageContent::new().with_text("not ready".into()),
        )),
    }
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let (SlackInteractionEvent::BlockActions(ba), Some(b)) = (event, bot(&states).await) {
        tokio::spawn(b.on_actions(ba));
    }
    Ok(())
}

/// Slack's hello on a new connection (its type is not exported by slack-morphism: generic).
async fn on_hello<E>(
    _event: E,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) {
    static FIRST: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    FIRST.call_once(|| first = true);
    if !first {
        backup_bot_runtime::metrics::reconnected("slack");
    }
    if let Some(b) = bot(&states).await {
        if !b.connected.swap(true, Ordering::SeqCst) {
            tracing::info!("Slack: Socket Mode connected");
        }
    }
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> HttpStatusCode {
    // A message slack-morphism cannot read: the connection is fine, and the message is named
    // by its type and ids only (its body may hold a paste).
    use slack_morphism::errors::{SlackClientError, SlackClientProtocolError};
    let protocol = match err.downcast_ref::<SlackClientError>() {
        Some(SlackClientError::ProtocolError(p)) => Some(p),
        _ => err.downcast_ref::<SlackClientProtocolError>(),
    };
    if let Some(p) = protocol {
        let raw = p
            .json_body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_default();
        crate::unreadable::log("a Socket Mode message", &raw);
        return HttpStatusCode::OK;
    }
    // A socket error: not connected until the next hello (readiness says so). Said once per
    // change: while Slack stays unreachable, the listener's retries are logged at debug.
    let was_up = states
        .try_read()
        .ok()
        .and_then(|s| {
            s.get_user_state::<Shared>()
                .map(|b| b.0.connected.swap(false, Ordering::SeqCst))
        })
        .unwrap_or(true);
    if was_up {
        tracing::warn!(error = %err, "Socket Mode: disconnected; reconnecting with backoff");
    } else {
        tracing::debug!(error = %err, "Socket Mode: still not connected");
    }
    // Acknowledge anyway: a delivery the adapter cannot read would only come back.
    HttpStatusCode::OK
}

/// Starts listening; returns the listener (drop or `shutdown` it to stop).
pub async fn start(
    bot: Arc<SlackBot>,
    app_token: &str,
) -> anyhow::Result<SlackClientSocketModeListener<Connector>> {
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_push_events(on_push)
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_hello_events(on_hello);
    let env = Arc::new(
        SlackClientEventsListenerEnvironment::new(bot.client.clone())
            .with_error_handler(on_error)
            .with_user_state(Shared(bot.clone())),
    );
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_reconnect_timeout_in_seconds(2)
        .with_initial_backoff_in_seconds(1);
    let listener = SlackClientSocketModeListener::new(&config, env, callbacks);
    listener
        .listen_for(&SlackApiToken::new(app_token.to_string().into()))
        .await
        .map_err(|e| anyhow::anyhow!("Socket Mode: {e}"))?;
    listener.start().await;
    Ok(listener)
}
