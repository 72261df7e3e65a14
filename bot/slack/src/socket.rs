//! Socket Mode: slack-morphism's listener connects with the URL from `apps.connections.open`,
//! acknowledges each envelope when its callback returns (so callbacks hand the work to a task),
//! and reconnects on `disconnect` messages and dropped connections.

use crate::run::SlackBot;
use crate::send::Connector;
use slack_morphism::prelude::*;
use std::sync::Arc;

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

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackClient<Connector>>,
    _states: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::warn!(error = %err, "Socket Mode");
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
        .with_interaction_events(on_interaction);
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
