//! Socket Mode: slack-morphism's listener connects with the URL from `apps.connections.open`,
//! acknowledges each envelope when its callback returns (so callbacks hand the work to a task),
//! and reconnects on `disconnect` messages and dropped connections. Its own retries come at a
//! fixed pace and each says so in the log; here they pass through a [`Gate`] instead: every try
//! since Slack's last hello waits the capped backoff ([`backup_bot_runtime::link`]), and the
//! link says once that Slack is down and once that it is back.
//!
//! Two connections are kept, each a listener of its own: Slack delivers each envelope on one of
//! them, and the link is up while either is, so a lost, refreshed or half-open connection is
//! replaced while the other one delivers; an envelope lost with its connection is not
//! acknowledged and comes again (its `event_id` is claimed once). Each connection is pinged every
//! 5 s and taken for dead when no pong came for 10 s (the third ping since the last pong finds it
//! so): a half-open connection is replaced within 10–15 s.

use crate::run::SlackBot;
use crate::send::rejected_token;
use backup_bot_runtime::link::{Backoff, LinkState};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use slack_morphism::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch};

/// A TCP connection to Slack that takes longer than this counts as a failed try.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The one line for an app token Slack refuses.
fn refused(code: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "Slack refused slack.app_token ({code}): generate an app-level token (xapp-…) \
         with the connections:write scope under Basic Information → App-Level Tokens \
         and set slack.app_token or BACKUP_BOT__SLACK__APP_TOKEN"
    )
}

/// One `apps.connections.open` with the app token.
async fn open(bot: &SlackBot, token: &SlackApiToken) -> anyhow::Result<()> {
    let session = bot.client.open_session(token);
    session
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .map(|_| ())
        .map_err(anyhow::Error::new)
}

/// Checks the app token once with `apps.connections.open`: a token Slack refuses ends the bot
/// with one line (the listener alone would retry it forever); any other failure (a network
/// that is down) marks the link down, and [`start`] asks again, with backoff, before listening.
pub async fn check_app_token(bot: &SlackBot, app_token: &str) -> anyhow::Result<()> {
    let token = SlackApiToken::new(app_token.to_string().into());
    match open(bot, &token).await {
        Ok(()) => Ok(()),
        Err(e) => match rejected_token(&e) {
            Some(code) => Err(refused(code)),
            None => {
                bot.link.down(&format_args!("apps.connections.open: {e:#}"));
                Ok(())
            }
        },
    }
}

/// Where one of the Socket Mode connections stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    /// Not connected yet, or lost and being replaced.
    Connecting,
    /// Slack said hello on it.
    Up,
    /// Its tries to connect fail: retried with backoff.
    Down,
}

/// The connections together make the link: up while any one of them is (the other stands by or
/// is being replaced), lost only when none is, down when every one fails.
struct Conns {
    bot: Arc<SlackBot>,
    states: Mutex<Vec<Conn>>,
}

impl Conns {
    fn set(&self, i: usize, to: Conn, why: &dyn std::fmt::Display) {
        let mut states = self
            .states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        states[i] = to;
        if states.contains(&Conn::Up) {
            self.bot.link.up();
        } else if states.iter().all(|c| *c == Conn::Down) {
            self.bot.link.down(why);
        } else {
            self.bot.link.lost(why);
        }
    }
}

/// One connection's tries to open a socket since Slack's last hello on it, and the waits
/// between them.
struct Tries {
    index: usize,
    conns: Arc<Conns>,
    count: AtomicU32,
    backoff: Mutex<Backoff>,
    /// Slack said hello on this connection before: a later hello is a reconnection.
    greeted: AtomicBool,
}

impl Tries {
    fn bot(&self) -> &Arc<SlackBot> {
        &self.conns.bot
    }

    /// Before a try: the first after a hello means the socket was lost; a later one means the
    /// try before failed, and waits its turn.
    async fn before(&self) {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            self.conns
                .set(self.index, Conn::Connecting, &"the socket closed");
            return;
        }
        self.conns.set(
            self.index,
            Conn::Down,
            &"apps.connections.open or the socket did not succeed",
        );
        let wait = self
            .backoff
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .next_wait();
        tokio::time::sleep(wait).await;
    }

    /// Slack said hello: connected, and the next loss starts from the first wait again.
    fn hello(&self) {
        self.count.store(0, Ordering::SeqCst);
        self.backoff
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .reset();
        if self.greeted.swap(true, Ordering::SeqCst) {
            backup_bot_runtime::metrics::reconnected("slack");
        }
        self.conns.set(self.index, Conn::Up, &"hello");
    }
}

/// The listener's HTTP connector: each connection it makes is one try (`apps.connections.open`
/// is the only call the listener makes, and a connection serves one request: see [`Once`]).
#[derive(Clone)]
struct Gate {
    inner: HttpsConnector<HttpConnector>,
    tries: Arc<Tries>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<hyper::Uri> for Gate {
    type Response = Once;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Once, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let mut inner = self.inner.clone();
        let tries = self.tries.clone();
        Box::pin(async move {
            tries.before().await;
            match inner.call(uri).await {
                Ok(s) => Ok(Once(s)),
                Err(e) => {
                    tries.conns.set(
                        tries.index,
                        Conn::Down,
                        &format_args!("apps.connections.open: {e}"),
                    );
                    Err(e)
                }
            }
        })
    }
}

/// A connection for one request: poisoned, so that the pool never reuses it and every try
/// passes through the [`Gate`].
struct Once(MaybeHttpsStream<TokioIo<TcpStream>>);

impl Connection for Once {
    fn connected(&self) -> Connected {
        let c = self.0.connected();
        c.poison();
        c
    }
}

impl hyper::rt::Read for Once {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Once {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The listener's client connector.
type Gated = SlackClientHyperConnector<Gate>;

/// Shared state of the callbacks (they are plain functions).
struct Shared(Arc<Tries>);

async fn bot(states: &SlackClientEventsUserState) -> Option<Arc<SlackBot>> {
    states
        .read()
        .await
        .get_user_state::<Shared>()
        .map(|s| s.0.bot().clone())
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SlackClient<Gated>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some(b) = bot(&states).await {
        let raw = serde_json::to_value(&event.event).unwrap_or_default();
        // Taken in before the envelope is acknowledged (this callback's return), then worked on.
        if let Some(t) = b.take(event, raw).await {
            tokio::spawn(b.finish(t));
        }
    }
    Ok(())
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackClient<Gated>>,
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
    _client: Arc<SlackClient<Gated>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(b) = bot(&states).await else {
        return Ok(());
    };
    match event {
        SlackInteractionEvent::BlockActions(ba) => {
            tokio::spawn(b.on_actions(ba));
        }
        // Acknowledged without a payload: Slack closes the modal.
        SlackInteractionEvent::ViewSubmission(vs) => {
            tokio::spawn(b.on_submission(vs));
        }
        _ => {}
    }
    Ok(())
}

/// Slack's hello on a new connection (its type is not exported by slack-morphism: generic).
async fn on_hello<E>(
    _event: E,
    _client: Arc<SlackClient<Gated>>,
    states: SlackClientEventsUserState,
) {
    if let Some(s) = states.read().await.get_user_state::<Shared>() {
        s.0.hello();
    }
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackClient<Gated>>,
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
    // A socket error: the listener reconnects through the gate, which tells the link (once).
    let socket = matches!(
        err.downcast_ref::<SlackClientError>(),
        Some(SlackClientError::SocketModeProtocolError(_))
    );
    if !socket {
        tracing::warn!(error = %err, "Socket Mode: a delivery could not be read");
    }
    let _ = states;
    // Acknowledge anyway: a delivery the adapter cannot read would only come back.
    HttpStatusCode::OK
}

/// Socket Mode connections kept open at once (Slack allows ten per app): Slack delivers each
/// envelope on one of them, so while one is lost and replaced the other delivers.
const CONNECTIONS: usize = 2;
/// Seconds between two pings of a Socket Mode connection.
const PING_EVERY_SECS: u64 = 5;
/// A connection is taken for dead at the first ping that finds no pong for this many ping
/// intervals (slack-morphism counts whole seconds since the last pong, and checks at each ping):
/// 2 × 5 s, so dead 10–15 s after it went silent.
const PING_MISSES: u64 = 2;

/// The Socket Mode connections, kept in the background; [`Socket::shutdown`] closes them.
pub struct Socket {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    refused: Option<oneshot::Receiver<anyhow::Error>>,
}

impl Socket {
    /// Closes the socket (bounded).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Completes with the one line when Slack, out of reach at start, refuses the app token once
/// it answers (a socket's absence, or one never refused, never completes it).
pub fn refusal(
    socket: Option<&mut Socket>,
) -> impl Future<Output = anyhow::Error> + Send + 'static {
    let refused = socket.and_then(|s| s.refused.take());
    async move {
        match refused {
            Some(rx) => match rx.await {
                Ok(e) => e,
                Err(_) => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }
}

/// Starts listening in the background: when Slack could not be reached by [`check_app_token`],
/// it is asked again first, with the capped backoff, until it answers.
pub async fn start(bot: Arc<SlackBot>, app_token: &str) -> anyhow::Result<Socket> {
    let token = SlackApiToken::new(app_token.to_string().into());
    let (stop, stopped) = watch::channel(false);
    let (refuse, refused) = oneshot::channel();
    let task = tokio::spawn(keep(bot, token, stopped, refuse));
    Ok(Socket {
        stop,
        task,
        refused: Some(refused),
    })
}

async fn keep(
    bot: Arc<SlackBot>,
    token: SlackApiToken,
    mut stop: watch::Receiver<bool>,
    refuse: oneshot::Sender<anyhow::Error>,
) {
    let mut backoff = Backoff::new();
    while bot.link.state() == LinkState::Down {
        tokio::select! {
            () = tokio::time::sleep(backoff.next_wait()) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match open(&bot, &token).await {
            Ok(()) => break,
            Err(e) => match rejected_token(&e) {
                Some(code) => {
                    let _ = refuse.send(refused(code));
                    return;
                }
                None => bot.link.down(&format_args!("apps.connections.open: {e:#}")),
            },
        }
    }
    let conns = Arc::new(Conns {
        bot: bot.clone(),
        states: Mutex::new(vec![Conn::Connecting; CONNECTIONS]),
    });
    let listeners: Vec<_> = (0..CONNECTIONS)
        .map(|index| listener(conns.clone(), index))
        .collect();
    for l in &listeners {
        if let Err(e) = l.listen_for(&token).await {
            tracing::error!(error = %e, "Socket Mode could not start");
            return;
        }
    }
    for l in &listeners {
        l.start().await;
    }
    let _ = stop.wait_for(|s| *s).await;
    for l in &listeners {
        l.shutdown().await;
    }
}

/// One connection: a listener of its own, so that its tries, its hello and its loss are its
/// own (slack-morphism's clients of one listener share one HTTP connector and cannot be told
/// apart).
fn listener(conns: Arc<Conns>, index: usize) -> SlackClientSocketModeListener<Gated> {
    let bot = conns.bot.clone();
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
    let tries = Arc::new(Tries {
        index,
        conns,
        count: AtomicU32::new(0),
        backoff: Mutex::new(Backoff::new()),
        greeted: AtomicBool::new(false),
    });
    let gate = Gate {
        inner: crate::run::https_or_http_over(tcp),
        tries: tries.clone(),
    };
    let client = Arc::new(SlackClient::new(
        SlackClientHyperConnector::with_connector(gate).with_slack_api_url(&bot.api_url),
    ));
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_push_events(on_push)
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_hello_events(on_hello);
    let env = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(Shared(tries)),
    );
    // Slack-morphism waits a fixed second after a failed try; the gate adds the backoff.
    // A ping every PING_EVERY_SECS, dead after PING_MISSES intervals without a pong: a
    // half-open socket is replaced within 15 s (the library's defaults took 75 s and more).
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_ping_interval_in_seconds(PING_EVERY_SECS)
        .with_ping_failure_threshold_times(PING_MISSES)
        .with_reconnect_timeout_in_seconds(1)
        .with_initial_backoff_in_seconds(1);
    SlackClientSocketModeListener::new(&config, env, callbacks)
}
