//! `backup-bot serve`: the HTTP listener (`/healthz`, `/readyz`, and Slack's endpoints in HTTP mode) and the
//! chat adapters the configuration enables, until SIGINT or SIGTERM.

use crate::config::{ResponseType, Settings, SlackMode};
use crate::content::{fingerprint, Fingerprint, Source};
use crate::health::{Parts, SlackLink};
use anyhow::{Context, Result};
use axum::Router;
use backup_bot_core::chat::Decider;
use backup_bot_index::LiveMatcher;
use backup_bot_runtime::pagerduty::PagerDuty;
use backup_bot_runtime::{Escalation, State};
use backup_bot_slack::{SlackBot, SlackOptions};
use std::sync::Arc;

pub fn run(settings: Settings, source: Source) -> Result<()> {
    // The fingerprint first: a change made while the content is read is seen afterwards.
    let loaded = fingerprint(&source.watched());
    let matcher = source.matcher()?;
    tracing::info!(
        entries = matcher.entries().len(),
        folders = source.dirs.len(),
        "content loaded"
    );
    backup_bot_runtime::metrics::entries_loaded(matcher.entries().len());
    backup_bot_runtime::metrics::escalations_open(0);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(serve(settings, source, LiveMatcher::new(matcher), loaded))
}

/// `backup-bot discord register-commands`: registers /backup-error and says what it registered.
pub fn register_discord(settings: &Settings) -> Result<Vec<String>> {
    let d = settings
        .discord
        .as_ref()
        .context("discord.token is not set (in the config file or BACKUP_BOT__DISCORD__TOKEN)")?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(backup_bot_discord::run::register(&discord_options(
            d, settings,
        )))
}

async fn serve(
    settings: Settings,
    source: Source,
    matcher: LiveMatcher,
    loaded: Fingerprint,
) -> Result<()> {
    // A store that refuses ends the bot here, with one line naming it (password redacted).
    let state = State::open(&settings.storage_url()).await?;
    let maintenance = tokio::spawn(state.clone().maintain(settings.storage_retention_secs));
    let watch = (settings.content_watch_secs > 0 && !source.watched().is_empty())
        .then(|| std::time::Duration::from_secs(settings.content_watch_secs));
    let reloader = tokio::spawn(crate::content::reload(
        source,
        matcher.clone(),
        watch,
        loaded,
    ));
    let mut app = Router::new();
    let mut _socket = None;
    let mut slack_link = None;
    if let Some(slack) = &settings.slack {
        let decider = Arc::new(Decider::new(matcher.clone(), settings.policy.clone()));
        let bot = SlackBot::new(
            decider,
            state.clone(),
            &SlackOptions {
                bot_token: slack.bot_token.expose().to_string().into(),
                api_url: slack.api_url.clone(),
                in_channel: settings.response_type == ResponseType::InChannel,
                escalation: escalation(&settings),
            },
        );
        // Reminders of unacknowledged escalations (claimed in the store: once across replicas).
        let reminding = bot.clone();
        tokio::spawn(async move { reminding.runtime().remind().await });
        // Replies that could not be sent at once (or before a crash), from the outbox.
        let sending = bot.clone();
        tokio::spawn(async move { sending.runtime().send_kept_forever().await });
        if let Err(e) = bot.introduce().await {
            // A refused token ends the bot with one line; a network that is down does not.
            if let Some(code) = backup_bot_slack::send::rejected_token(&e) {
                anyhow::bail!(
                    "Slack refused slack.bot_token ({code}): copy the Bot User OAuth Token (xoxb-…) \
                     from the app's OAuth & Permissions page into slack.bot_token or \
                     BACKUP_BOT__SLACK__BOT_TOKEN (reinstall the app if it was revoked)"
                );
            }
            tracing::error!(error = %e, "auth.test failed: check slack.bot_token; mentions are still heard as app_mention");
        }
        match slack.mode {
            SlackMode::Http => {
                let secret = slack
                    .signing_secret
                    .as_ref()
                    .context("slack.signing_secret")?;
                app = app.merge(backup_bot_slack::http::routes(bot.clone(), secret.expose()));
                slack_link = Some(SlackLink::Http);
                tracing::info!(
                    "Slack: HTTP mode on /slack/events, /slack/commands, /slack/interactions"
                );
            }
            SlackMode::Socket => {
                let token = slack.app_token.as_ref().context("slack.app_token")?;
                backup_bot_slack::socket::check_app_token(&bot, token.expose()).await?;
                slack_link = Some(SlackLink::Socket(bot.clone()));
                _socket = Some(backup_bot_slack::socket::start(bot.clone(), token.expose()).await?);
                tracing::info!("Slack: Socket Mode");
            }
        }
    }
    // SIGINT or SIGTERM: stop taking events, finish the replies in flight, close, exit 0.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown().await;
        let _ = stop_tx.send(true);
    });
    let mut discord = None;
    let mut discord_bot = None;
    if let Some(d) = &settings.discord {
        let mut policy = settings.policy.clone();
        policy.allow = d.allow.clone();
        let decider = Arc::new(Decider::new(matcher.clone(), policy));
        let bot = backup_bot_discord::DiscordBot::new(
            decider,
            state.clone(),
            discord_options(d, &settings),
        );
        discord_bot = Some(bot.clone());
        let reminding = bot.clone();
        tokio::spawn(async move { reminding.runtime().remind().await });
        // Replies that could not be sent at once (or before a crash), from the outbox.
        let sending = bot.clone();
        tokio::spawn(async move { sending.runtime().send_kept_forever().await });
        discord = Some(tokio::spawn(backup_bot_discord::run::run(
            bot,
            stopped(stop.clone()),
        )));
        tracing::info!("Discord: gateway");
    }
    app = app.merge(crate::health::routes(Parts {
        matcher: matcher.clone(),
        state: state.clone(),
        slack: slack_link,
        discord: discord_bot,
    }));
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    tracing::info!(listen = %listener.local_addr()?, "HTTP listener");
    let server = crate::listener::serve(listener, app, stopped(stop.clone()), CLOSING);
    // An app token Slack refuses once it can be reached ends the bot as one refused at start.
    let refused = backup_bot_slack::socket::refusal(_socket.as_mut());
    match discord {
        // The gateway ending (a refused token, a missing intent) ends the bot: one clear error.
        Some(mut gateway) => tokio::select! {
            r = server => {
                r.context("HTTP listener")?;
                // Stopped by the signal: the gateway closes on it too.
                if let Ok(Ok(Err(e))) = tokio::time::timeout(CLOSING, &mut gateway).await {
                    tracing::warn!(error = %e, "Discord gateway while closing");
                }
            }
            r = &mut gateway => match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(e) => anyhow::bail!("Discord task: {e}"),
            },
            e = refused => return Err(e),
        },
        None => tokio::select! {
            r = server => r.context("HTTP listener")?,
            e = refused => return Err(e),
        },
    }
    if let Some(l) = _socket {
        l.shutdown().await;
    }
    // No more events come in; the replies in flight are finished (bounded).
    let flying = backup_bot_runtime::flight::in_flight();
    if flying > 0 {
        tracing::info!(replies = flying, "finishing the replies in flight");
    }
    if !backup_bot_runtime::flight::drained(CLOSING).await {
        tracing::warn!(
            replies = backup_bot_runtime::flight::in_flight(),
            "replies still in flight after 10 s: left unsent"
        );
    }
    reloader.abort();
    maintenance.abort();
    tracing::info!("stopped");
    Ok(())
}

/// How long a graceful shutdown waits for the replies in flight (and for each connection to close).
const CLOSING: std::time::Duration = std::time::Duration::from_secs(10);

/// Completes when the stop signal was given.
async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Who is on call, and the PagerDuty client when a routing key is set.
pub fn escalation(settings: &Settings) -> Arc<Escalation> {
    let pagerduty = settings.pagerduty.as_ref().map(|pd| {
        PagerDuty::new(
            &pd.events_url,
            pd.routing_key.expose(),
            backup_bot_runtime::pagerduty::RETRIES,
        )
    });
    Arc::new(Escalation {
        setup: settings.escalation.clone(),
        pagerduty,
    })
}

/// The adapter's options from the settings.
pub fn discord_options(
    d: &crate::config::DiscordSettings,
    settings: &Settings,
) -> backup_bot_discord::DiscordOptions {
    backup_bot_discord::DiscordOptions {
        token: d.token.expose().to_string().into(),
        api_url: d.api_url.clone(),
        application_id: d.application_id,
        guilds: d.guilds.clone(),
        reply: match d.reply {
            crate::config::DiscordReply::Reply => backup_bot_discord::ReplyStyle::Reply,
            crate::config::DiscordReply::Thread => backup_bot_discord::ReplyStyle::Thread,
        },
        in_channel: settings.response_type == ResponseType::InChannel,
        escalation: escalation(settings),
    }
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
