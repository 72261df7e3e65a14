//! The gateway connection on serenity, kept: the token checked with `GET /gateway/bot` first
//! (a refused token ends the bot with one line), Discord out of reach waited for with the capped
//! backoff ([`backup_bot_runtime::link`]), and a session lost for longer than the grace closed and
//! started again the same way; the link says once that Discord is down and once that it is back.

use crate::run::{http, intents, DiscordBot, Handler};
use backup_bot_runtime::link::{Backoff, Link};
use serenity::all::*;
use std::sync::Arc;
use std::time::Duration;

/// The one line for a token Discord refuses.
fn refused(code: u16) -> anyhow::Error {
    anyhow::anyhow!(
        "Discord refused discord.token ({code}): copy the bot token from the developer \
         portal (Bot → Reset Token) into discord.token or BACKUP_BOT__DISCORD__TOKEN"
    )
}

/// How often the gateway's shard is looked at while the session is held (serenity restarts a
/// shard without an event when its connection cannot be made again).
const SHARD_LOOK: Duration = Duration::from_millis(500);

/// Connects to the gateway and runs until `stop` completes (then closes the gateway). A refused
/// token (401, close code 4004) or a missing MESSAGE_CONTENT intent (4014) ends it with one
/// clear error. Discord out of reach does not: `GET /gateway/bot` is asked again with the capped
/// backoff until it answers; a session lost for longer than [`GRACE`] (serenity retries at a
/// fixed pace, each try a warning) is closed and started again the same way.
///
/// [`GRACE`]: backup_bot_runtime::link::GRACE
pub async fn run(
    bot: Arc<DiscordBot>,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    tokio::pin!(stop);
    let mut backoff = Backoff::new();
    loop {
        let http = http(&bot.opts);
        // The token first: serenity falls back to Discord's own gateway URL when
        // `GET /gateway/bot` fails and retries forever; a refused token ends the bot here with
        // one line instead, and Discord out of reach is waited for.
        match http.get_bot_gateway().await {
            Ok(_) => {}
            Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r)))
                if r.status_code.as_u16() == 401 =>
            {
                return Err(refused(401));
            }
            Err(e) => {
                let e = anyhow::Error::from(e);
                bot.link.down(&format_args!("GET /gateway/bot: {e:#}"));
                tokio::select! {
                    () = tokio::time::sleep(backoff.next_wait()) => continue,
                    () = &mut stop => return Ok(()),
                }
            }
        }
        let mut client = ClientBuilder::new_with_http(http, intents())
            .event_handler(Handler(bot.clone()))
            .await?;
        // Replies go through the client's own REST client (one rate limiter).
        let _ = bot.runtime.platform().http.set(client.http.clone());
        let shards = client.shard_manager.clone();
        let ended = tokio::select! {
            r = client.start() => Some(r),
            () = bot.link.hold(&mut backoff) => None,
            () = watch_shard(&bot.link, &shards) => None,
            () = &mut stop => {
                // Stop taking events: the gateway is closed; replies in flight use REST.
                shards.shutdown_all().await;
                return Ok(());
            }
        };
        match ended {
            Some(Ok(())) => bot.link.down(&"the gateway client stopped"),
            Some(Err(serenity::Error::Gateway(GatewayError::DisallowedGatewayIntents))) => anyhow::bail!(
                "Discord closed the gateway (4014): the MESSAGE_CONTENT intent is not enabled for this bot. \
                 Turn on \"Message Content Intent\" under Bot → Privileged Gateway Intents in the developer portal."
            ),
            Some(Err(serenity::Error::Gateway(GatewayError::InvalidAuthentication))) => {
                return Err(refused(4004))
            }
            Some(Err(e)) => bot.link.down(&format_args!("gateway: {e}")),
            None => {
                bot.link.down(&"no gateway session");
                shards.shutdown_all().await;
            }
        }
        drop(client);
        tokio::select! {
            () = tokio::time::sleep(backoff.next_wait()) => {}
            () = &mut stop => return Ok(()),
        }
    }
}

/// Marks the link lost when serenity has no connected shard (never completes).
async fn watch_shard(link: &Link, shards: &ShardManager) {
    loop {
        tokio::time::sleep(SHARD_LOOK).await;
        let connected = shards
            .runners
            .lock()
            .await
            .values()
            .any(|r| r.stage == ConnectionStage::Connected);
        if !connected {
            link.lost(&"no connected shard");
        }
    }
}
