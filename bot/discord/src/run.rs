//! The Discord runtime on serenity: gateway events become neutral events for the core, and its
//! effects become REST calls (replies with embeds and buttons, threads, edits, interaction
//! responses and follow-ups), with retries that neither lose nor double a reply.

use crate::send::{failure, DiscordSender, RETRIES};
use backup_bot_core::chat::Decider;
use backup_bot_core::{Incoming, Message as CoreMessage};
use backup_bot_runtime::link::Link;
use backup_bot_runtime::{retry, Runtime, State};
use secrecy::{ExposeSecret, SecretString};
use serenity::all::*;
use serenity::async_trait;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use crate::gateway::run;

/// Attachments are read up to this many bytes.
pub use backup_bot_core::MAX_FILE_BYTES as MAX_ATTACHMENT_BYTES;
/// The command's name.
pub const COMMAND: &str = "backup-error";

/// How a paste is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStyle {
    /// A reply to the message.
    Reply,
    /// A new thread on the message.
    Thread,
}

/// What the adapter needs to know (the token is a secret: its `Debug` is redacted).
#[derive(Clone, Debug)]
pub struct DiscordOptions {
    pub token: SecretString,
    /// An origin such as `http://127.0.0.1:8081`; `None` for Discord itself.
    pub api_url: Option<String>,
    pub application_id: Option<u64>,
    pub guilds: Vec<u64>,
    pub reply: ReplyStyle,
    /// Command answers seen by the whole channel (else only by the caller).
    pub in_channel: bool,
    /// Who is on call (the default: escalation not set up).
    pub escalation: Arc<backup_bot_runtime::Escalation>,
}

/// The REST client: through `api_url` when set (serenity's rate limiter ignores a proxy, so it
/// is off then: [`retry`] handles 429s, and the replies' calls read their wait in
/// [`crate::rest`]).
pub fn http(opts: &DiscordOptions) -> Http {
    let mut b = HttpBuilder::new(opts.token.expose_secret())
        .default_allowed_mentions(CreateAllowedMentions::new());
    if let Some(url) = &opts.api_url {
        b = b.proxy(url.clone()).ratelimiter_disabled(true);
    }
    if let Some(id) = opts.application_id {
        b = b.application_id(ApplicationId::new(id));
    }
    b.build()
}

/// The intents the bot needs: guild and direct messages, and their content (privileged).
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

/// The Discord side of the bot: the gateway's event handler.
pub struct DiscordBot {
    pub(crate) runtime: Runtime<DiscordSender>,
    pub(crate) opts: DiscordOptions,
    me: Mutex<Option<UserId>>,
    download: reqwest::Client,
    /// The gateway session: open, lost, or Discord out of reach (readiness, and the log once
    /// per change).
    pub link: Link,
}

impl DiscordBot {
    /// The runtime (its reminder loop, for the server to run).
    pub fn runtime(&self) -> &Runtime<DiscordSender> {
        &self.runtime
    }

    pub fn new(decider: Arc<Decider>, state: Arc<State>, opts: DiscordOptions) -> Arc<DiscordBot> {
        let sender = DiscordSender {
            http: OnceLock::new(),
            direct: opts
                .api_url
                .as_deref()
                .map(|url| crate::rest::Direct::new(url, &opts.token)),
            reply: opts.reply,
            in_channel: opts.in_channel,
            guilds: Default::default(),
        };
        Arc::new(DiscordBot {
            runtime: Runtime::new(decider, state, sender, opts.escalation.clone()),
            opts,
            me: Mutex::new(None),
            download: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            link: Link::new("Discord gateway"),
        })
    }

    pub(crate) fn me(&self) -> Option<UserId> {
        *self
            .me
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads text attachments (the first 40 KB of each), e.g. the `message.txt` a long paste became.
    async fn attachments(&self, msg: &Message) -> String {
        let mut out = String::new();
        for a in &msg.attachments {
            let text_like = a
                .content_type
                .as_deref()
                .is_some_and(|t| t.starts_with("text/") || t.starts_with("application/json"))
                || [".txt", ".log", ".json", ".csv", ".yaml", ".xml"]
                    .iter()
                    .any(|x| a.filename.to_lowercase().ends_with(x));
            if !text_like {
                continue;
            }
            match self.read_url(&a.url).await {
                Ok(t) => {
                    out.push('\n');
                    out.push_str(&t);
                }
                Err(e) => {
                    tracing::warn!(attachment = %a.id, error = %e, "could not read an attachment")
                }
            }
        }
        out
    }

    async fn read_url(&self, url: &str) -> anyhow::Result<String> {
        let mut resp = self
            .download
            .get(url)
            .header(
                reqwest::header::RANGE,
                format!("bytes=0-{}", MAX_ATTACHMENT_BYTES - 1),
            )
            .send()
            .await?;
        if !resp.status().is_success() {
            anyhow::bail!("download answered {}", resp.status());
        }
        let mut read = backup_bot_core::Capped::new(MAX_ATTACHMENT_BYTES);
        while let Some(c) = resp.chunk().await? {
            if !read.push(&c) {
                break;
            }
        }
        Ok(read.text())
    }

    /// Autocomplete for the `code` option: up to 25 choices.
    pub(crate) fn complete(&self, partial: &str) -> CreateAutocompleteResponse {
        let matcher = self.runtime.decider().matcher();
        let mut r = CreateAutocompleteResponse::new();
        for (name, value) in backup_bot_core::complete(&matcher, partial, 25) {
            r = r.add_string_choice(backup_bot_core::reply::short(&name, 100), value);
        }
        r
    }
}

/// A gateway message as the core sees it: `me` is the bot's own user, for mentions and its own
/// messages; `text` is the content with any text attachments read into it.
pub fn incoming(msg: &Message, text: String, me: Option<UserId>) -> CoreMessage {
    let from_bot = msg.author.bot || msg.webhook_id.is_some() || Some(msg.author.id) == me;
    let mentioned = me.is_some_and(|id| msg.mentions.iter().any(|u| u.id == id));
    let dm = msg.guild_id.is_none();
    CoreMessage {
        channel: msg.channel_id.to_string(),
        user: Some(msg.author.id.to_string()),
        ts: msg.id.to_string(),
        thread_ts: None,
        text: strip_mention(&text, me),
        direct: mentioned || dm,
        dm,
        edited: false,
        from_bot,
    }
}

fn strip_mention(text: &str, me: Option<UserId>) -> String {
    backup_bot_core::strip_mention(text, me.map(|id| id.to_string()).as_deref())
}

/// The handler serenity calls; it owns nothing but the bot.
pub struct Handler(pub Arc<DiscordBot>);

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.id, guilds = ready.guilds.len(), "connected to Discord");
        *self
            .0
            .me
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ready.user.id);
        self.0.link.up();
        static FIRST: std::sync::Once = std::sync::Once::new();
        let mut first = false;
        FIRST.call_once(|| first = true);
        if !first {
            backup_bot_runtime::metrics::reconnected("discord");
        }
    }

    async fn resume(&self, _ctx: Context, _: ResumedEvent) {
        tracing::info!("Discord gateway resumed");
        backup_bot_runtime::metrics::reconnected("discord");
        self.0.link.up();
    }

    async fn shard_stage_update(&self, _ctx: Context, ev: ShardStageUpdateEvent) {
        if ev.new != ConnectionStage::Connected {
            self.0.link.lost(&format_args!("gateway {}", ev.new));
        }
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        let bot = &self.0;
        bot.runtime
            .platform()
            .guilds
            .seen(msg.channel_id, msg.guild_id);
        let mut text = msg.content.clone();
        if !(msg.attachments.is_empty() || msg.author.bot || msg.webhook_id.is_some()) {
            text.push_str(&bot.attachments(&msg).await);
        }
        let m = incoming(&msg, text, bot.me());
        if m.from_bot {
            return;
        }
        tracing::info!(channel = %m.channel, message = %m.ts, "message");
        bot.runtime.handle(Incoming::Message(m), None, &None).await;
    }

    async fn message_update(
        &self,
        _ctx: Context,
        _old: Option<Message>,
        new: Option<Message>,
        event: MessageUpdateEvent,
    ) {
        let bot = &self.0;
        // Only an edit of the text matters (embeds being added also send updates).
        let Some(content) = event.content.clone() else {
            return;
        };
        if event.author.as_ref().is_some_and(|a| a.bot) || event.webhook_id.flatten().is_some() {
            return;
        }
        if event
            .author
            .as_ref()
            .is_some_and(|a| Some(a.id) == bot.me())
        {
            return;
        }
        let me = bot.me();
        let mentioned = me.is_some_and(|id| {
            event
                .mentions
                .as_ref()
                .is_some_and(|ms| ms.iter().any(|u| u.id == id))
        });
        let dm = event.guild_id.is_none() && new.as_ref().is_some_and(|n| n.guild_id.is_none());
        let m = CoreMessage {
            channel: event.channel_id.to_string(),
            user: event.author.as_ref().map(|a| a.id.to_string()),
            ts: event.id.to_string(),
            thread_ts: None,
            text: strip_mention(&content, me),
            direct: mentioned || dm,
            dm,
            edited: true,
            from_bot: false,
        };
        tracing::info!(channel = %m.channel, message = %m.ts, "edited message");
        bot.runtime.handle(Incoming::Message(m), None, &None).await;
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        self.0.interaction(&ctx, interaction).await;
    }
}

/// The `/backup-error` command: `code` (autocomplete over codes and titles) and `query`.
pub fn command() -> CreateCommand {
    CreateCommand::new(COMMAND)
        .description("Look up an Azure VM backup error by code, or search by words")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "code",
                "An error code, such as UserErrorFsFreezeFailed",
            )
            .required(false)
            .set_autocomplete(true),
        )
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "query",
                "Words or a pasted error message",
            )
            .required(false),
        )
}

/// Registers the command (a bulk overwrite: idempotent) in the configured guilds, or globally.
pub async fn register(opts: &DiscordOptions) -> anyhow::Result<Vec<String>> {
    let http = http(opts);
    if opts.application_id.is_none() {
        let app = http.get_current_application_info().await?;
        http.set_application_id(app.id);
    }
    let mut done = Vec::new();
    if opts.guilds.is_empty() {
        let cmds = retry(RETRIES, || async {
            Command::set_global_commands(&http, vec![command()])
                .await
                .map_err(failure)
        })
        .await
        .map_err(|f| f.error)?;
        done.extend(
            cmds.iter()
                .map(|c| format!("/{} (global, id {})", c.name, c.id)),
        );
    } else {
        for g in &opts.guilds {
            let cmds = retry(RETRIES, || async {
                GuildId::new(*g)
                    .set_commands(&http, vec![command()])
                    .await
                    .map_err(failure)
            })
            .await
            .map_err(|f| f.error)?;
            done.extend(
                cmds.iter()
                    .map(|c| format!("/{} (guild {g}, id {})", c.name, c.id)),
            );
        }
    }
    Ok(done)
}
